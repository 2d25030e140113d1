use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `apt-get install` without `-y`.
    ///
    /// Without `-y` (or `--yes`, `--assume-yes`, `-qq`), apt asks for
    /// confirmation; a build has no terminal, so the install aborts or the
    /// build hangs. Update and install must run unattended in one step (P-B2).
    ///
    /// Fix: `apt-get install -y …`.
    pub struct AptYes {
        code: "DF002",
        name: "apt-missing-yes",
        practice: "P-B2",
        hadolint: Some("DL3014"),
        severity: Medium,
    }
}

impl Rule for AptYes {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, cmd, a) in ctx.apt_commands() {
            if matches!(
                a.sub,
                "install"
                    | "upgrade"
                    | "dist-upgrade"
                    | "full-upgrade"
                    | "remove"
                    | "purge"
                    | "autoremove"
            ) && !a.has_yes()
            {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        cmd.span.line,
                        format!("`{} {}` without `-y`", a.program(), a.sub),
                    )
                    .help("add `-y` so apt does not wait for a confirmation"),
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
        let src = "FROM debian:12\nRUN apt-get update && apt-get install curl\nRUN apt-get -qq install a && apt-get -yq install b && apt-get install --yes c\nRUN sudo apt-get autoremove\n";
        assert_eq!(
            run("DF002", src),
            "2: `apt-get install` without `-y`\n4: `apt-get autoremove` without `-y`\n"
        );
    }
}
