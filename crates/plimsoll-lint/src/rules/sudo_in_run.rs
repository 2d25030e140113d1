use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `sudo` in a RUN.
    ///
    /// Build steps already run as the current USER; `sudo` needs the sudo
    /// package in the image (a privilege-escalation tool, P-C2) and a
    /// password-less sudoers rule, and its TTY and environment handling is
    /// unpredictable in a build.
    ///
    /// Fix: switch with `USER root` for the step and back to the runtime user
    /// after it; use `gosu`/`su-exec` only in an entrypoint that drops privileges.
    pub struct Sudo {
        code: "DF007",
        name: "sudo-in-run",
        practice: "P-C2",
        hadolint: Some("DL3004"),
        severity: Medium,
    }
}

impl Rule for Sudo {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                if c.program() == "sudo" {
                    out.push(
                        hit(&Self::RULE, i, c.span.line, "`sudo` in RUN")
                            .help("use `USER root` for the step instead of sudo"),
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
        let src =
            "FROM debian:12\nRUN sudo apt-get update && echo sudo\nRUN /usr/bin/sudo -u app make\n";
        assert_eq!(run("DF007", src), "2: `sudo` in RUN\n3: `sudo` in RUN\n");
    }
}
