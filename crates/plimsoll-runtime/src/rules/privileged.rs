use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container runs privileged.
    ///
    /// `privileged: true` gives the container every capability, every host
    /// device and no seccomp, AppArmor or SELinux confinement (P-F1): root in
    /// it is root on the host. Init and ephemeral containers count.
    ///
    /// Fix: remove `privileged: true`; add back only the capabilities the
    /// process needs.
    pub struct Privileged {
        code: "CFG001",
        name: "privileged",
        practice: "P-F1",
        severity: Critical,
    }
}

impl Rule for Privileged {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for c in ctx.workload.containers() {
            if let Some(p) = c.security.privileged.as_ref().filter(|p| p.value) {
                out.push(
                    ctx.finding(&Self::INFO, Some(c), &p.place(), "runs privileged")
                        .with_help(ctx.say(
                        "remove `privileged: true`; add only the capabilities needed",
                        "remove `privileged: true` / `--privileged`; add only the capabilities needed (`cap_add`, `--cap-add`)",
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn fires_on_privileged_only() {
        let y = pod(
            "  initContainers:\n  - name: i\n    securityContext: {privileged: true}\n  containers:\n  - name: c\n    securityContext:\n      privileged: false\n",
        );
        assert_eq!(
            run("CFG001", &y),
            "8:35 Pod/p init container `i`: runs privileged\n"
        );
    }
}
