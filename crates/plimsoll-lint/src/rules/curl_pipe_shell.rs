use plimsoll_practice::shells::{SCRIPT_INTERPRETERS, is_shell};

use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A download piped into a shell or interpreter (`curl … | sh`).
    ///
    /// Running whatever a URL serves at build time executes unreviewed remote
    /// code with the build's privileges; a compromised or spoofed server, or
    /// a truncated download, ends up in the image (P-C8).
    ///
    /// Fix: download to a file, verify a pinned checksum or signature
    /// (`echo "<sha256>  f" | sha256sum -c -`), then run it.
    pub struct CurlPipeShell {
        code: "DF016",
        name: "curl-pipe-shell",
        practice: "P-C8",
        hadolint: None,
        severity: High,
    }
}

const FETCHERS: &[&str] = &["curl", "wget", "fetch"];

impl Rule for CurlPipeShell {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for &(a, b) in &sh.pipes {
                let prog = |k: usize| {
                    strip_wrappers(&sh.commands[k].argv)
                        .first()
                        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
                        .unwrap_or_default()
                };
                let (from, to) = (prog(a), prog(b));
                if FETCHERS.contains(&from.as_str())
                    && (is_shell(&to) || SCRIPT_INTERPRETERS.contains(&to.as_str()))
                {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            sh.commands[a].span.line,
                            format!("`{from} … | {to}` runs downloaded code unverified"),
                        )
                        .help("download to a file, verify its checksum, then run it"),
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
        let src = "FROM debian:12\nRUN curl -fsSL https://x.sh | sh -s -- -y\nRUN set -e; \\\n  wget -qO- https://y | sudo bash\nRUN curl -o f https://z && sha256sum -c f.sha && sh f\nRUN curl https://k | gpg --dearmor > /k.gpg\n";
        assert_eq!(
            run("DF016", src),
            "2: `curl … | sh` runs downloaded code unverified\n4: `wget … | bash` runs downloaded code unverified\n"
        );
    }
}
