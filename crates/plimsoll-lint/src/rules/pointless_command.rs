use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

/// Commands that have no place in a build step: interactive tools, process
/// and service management, host administration (hadolint's list).
const POINTLESS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

declare_rule! {
    /// A command that makes no sense in a build step: `ssh`, `vim`,
    /// `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`.
    ///
    /// A build step runs non-interactively in a throw-away container with no
    /// services and no other processes: an editor waits for a terminal,
    /// `service x start` starts nothing that survives the step, `mount`
    /// needs privileges the build does not have, and `ssh` during a build
    /// usually means a key in the image (P-C2: tools that help an attacker
    /// do not belong in the image).
    ///
    /// Fix: drop the command; start services from the entrypoint, fetch
    /// private sources with `RUN --mount=type=ssh`.
    pub struct PointlessCommand {
        code: "DF062",
        name: "pointless-command",
        practice: "P-C2",
        hadolint: Some("DL3001"),
        severity: Low,
    }
}

impl Rule for PointlessCommand {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                let Some(first) = strip_wrappers(&c.argv).first() else {
                    continue;
                };
                let prog = first.rsplit('/').next().unwrap_or(first);
                if POINTLESS.contains(&prog) {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            c.span.line,
                            format!("`{prog}` in RUN makes no sense in a container build"),
                        )
                        .help("remove it; services start from the entrypoint, not in a build step"),
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
        let src = "FROM debian:12\nRUN apt-get install -y vim && echo ps\nRUN service nginx start; sudo /bin/kill 1\nRUN pkill x && top -b -n1\nONBUILD RUN ssh host\nRUN shutdown-helper\n";
        assert_eq!(
            run("DF062", src),
            "3: `kill` in RUN makes no sense in a container build\n\
             3: `service` in RUN makes no sense in a container build\n\
             4: `top` in RUN makes no sense in a container build\n\
             5: `ssh` in RUN makes no sense in a container build (ONBUILD trigger: runs in child images)\n"
        );
    }
}
