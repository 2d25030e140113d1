use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `ln … /bin/sh`: the default shell replaced by a symlink.
    ///
    /// Relinking `/bin/sh` (to bash, say) changes the shell of every later
    /// RUN and of every script in the image behind the Dockerfile's back,
    /// and breaks tools that expect the distribution's `/bin/sh`. The SHELL
    /// instruction changes the shell of the RUN steps explicitly. Only a
    /// link *named* `/bin/sh` is flagged (hadolint flags any `ln` that
    /// mentions `/bin/sh`, a link to it too). A hygiene
    /// rule: no practice is about it; filed under P-I4 (static checks).
    ///
    /// Fix: `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`.
    pub struct ShellReplacedBySymlink {
        code: "DF081",
        name: "shell-replaced-by-symlink",
        practice: "P-I4",
        hadolint: Some("DL4005"),
        severity: Medium,
    }
}

impl Rule for ShellReplacedBySymlink {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                let argv = strip_wrappers(&c.argv);
                let Some((first, args)) = argv.split_first() else {
                    continue;
                };
                // The link is the last operand (`ln -sf TARGET LINK`).
                let link = args.iter().rev().find(|a| !a.starts_with('-'));
                if first.rsplit('/').next() == Some("ln") && link.is_some_and(|l| l == "/bin/sh") {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            c.span.line,
                            "`ln` replaces /bin/sh: use SHELL to change the shell of RUN",
                        )
                        .help("use `SHELL [\"/bin/bash\", \"-c\"]`"),
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
        let src = "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\nRUN ln -s /bin/sh /usr/local/bin/sh2 && echo /bin/sh\nRUN ln -sf /bin/bash /bin/shell\n";
        assert_eq!(
            run("DF081", src),
            "2: `ln` replaces /bin/sh: use SHELL to change the shell of RUN\n"
        );
    }
}
