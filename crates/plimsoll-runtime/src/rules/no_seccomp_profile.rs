use plimsoll_report::Finding;

use super::{effective, security_place};
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container runs without a seccomp profile.
    ///
    /// Unless the kubelet enables `SeccompDefault`, a pod that names no
    /// seccomp profile runs Unconfined: every system call is allowed (P-F5).
    /// Set `seccompProfile.type: RuntimeDefault` on the pod (it applies to
    /// every container) or on each container. Windows pods are not checked.
    ///
    /// Fix: `spec.securityContext.seccompProfile.type: RuntimeDefault`.
    pub struct NoSeccompProfile {
        code: "CFG007",
        name: "no-seccomp-profile",
        practice: "P-F5",
        severity: Low,
    }
}

impl Rule for NoSeccompProfile {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let w = ctx.workload;
        for c in ctx.linux_containers() {
            if effective(w, c, |s| &s.seccomp).is_none() {
                out.push(
                    ctx.finding(&Self::INFO, Some(c), &security_place(c), "has no seccomp profile (Unconfined unless the kubelet defaults it)")
                        .with_help("set `securityContext.seccompProfile.type: RuntimeDefault` on the pod or the container"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn pod_level_profile_covers_containers() {
        let y = pod("  containers:\n  - name: c\n");
        assert_eq!(
            run("CFG007", &y),
            "7:5 Pod/p container `c`: has no seccomp profile (Unconfined unless the kubelet defaults it)\n"
        );
        let ok = pod(
            "  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: c\n",
        );
        assert_eq!(run("CFG007", &ok), "");
    }
}
