use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// EXPOSE of a port outside 0–65535 or not a port at all.
    ///
    /// A port is a 16-bit number, with an optional `/tcp`, `/udp` or `/sctp`
    /// and ranges `from-to`. Anything else fails at build or run time or
    /// publishes something other than intended (P-F8: exposed ports are
    /// part of the runtime contract). Build arguments are expanded when
    /// their value is known; unknown ones are not checked.
    ///
    /// Fix: `EXPOSE 8080` or `EXPOSE 8080/udp`.
    pub struct ExposeRange {
        code: "DF020",
        name: "expose-invalid-port",
        practice: "P-F8",
        hadolint: Some("DL3011"),
        severity: Medium,
    }
}

fn valid(spec: &str) -> bool {
    let port = match spec.split_once('/') {
        Some((p, proto)) => {
            if !matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp") {
                return false;
            }
            p
        }
        None => spec,
    };
    let ok = |p: &str| p.parse::<u32>().is_ok_and(|n| n <= 65535);
    match port.split_once('-') {
        Some((a, b)) => ok(a) && ok(b),
        None => ok(port),
    }
}

impl Rule for ExposeRange {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.instructions() {
            if ins.keyword != Keyword::Expose {
                continue;
            }
            let vars = ctx.vars_at(i);
            for w in ins.words() {
                if w.contains('$') && !super::all_vars_known(&w, &vars) {
                    continue;
                }
                let port = plimsoll_dockerfile::expand(&w, &vars);
                if !valid(&port) {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            ins.span.line,
                            format!("EXPOSE `{port}` is not a valid port (0-65535[/tcp|udp|sctp])"),
                        )
                        .help("use a port number between 0 and 65535"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nARG P=70000\nEXPOSE 80 443/tcp 8000-8010 53/udp\nEXPOSE 65536 $P ${UNSET} 80/http\n";
        assert_eq!(
            run("DF020", src),
            "4: EXPOSE `65536` is not a valid port (0-65535[/tcp|udp|sctp])\n\
             4: EXPOSE `70000` is not a valid port (0-65535[/tcp|udp|sctp])\n\
             4: EXPOSE `80/http` is not a valid port (0-65535[/tcp|udp|sctp])\n"
        );
    }
}
