use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `apt-get install` without `--no-install-recommends`.
    ///
    /// By default apt also installs every *recommended* package: documentation,
    /// extra tools and libraries the application never uses, which make the
    /// image bigger and give an attacker more to work with (P-C2).
    ///
    /// Fix: `apt-get install -y --no-install-recommends …` (or
    /// `-o APT::Install-Recommends=false`).
    pub struct AptNoRecommends {
        code: "DF003",
        name: "apt-install-recommends",
        practice: "P-C2",
        hadolint: Some("DL3015"),
        severity: Low,
    }
}

impl Rule for AptNoRecommends {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, cmd, a) in ctx.apt_commands() {
            if a.sub == "install" && !a.has_no_recommends() {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        cmd.span.line,
                        format!(
                            "`{} install` without `--no-install-recommends`",
                            a.program()
                        ),
                    )
                    .help(if a.aptitude {
                        "add `--without-recommends` to install only what is asked for"
                    } else {
                        "add `--no-install-recommends` to install only what is asked for"
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12\nRUN apt-get install -y curl\nRUN apt-get install -y --no-install-recommends a\nRUN apt-get -o APT::Install-Recommends=false install -y b\n";
        assert_eq!(
            run("DF003", src),
            "2: `apt-get install` without `--no-install-recommends`\n"
        );
    }
}
