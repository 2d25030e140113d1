use plimsoll_report::Finding;

use crate::pss::{level_of_at, version_name, violations_at};
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A workload's pod spec does not meet the required Pod Security Standard.
    ///
    /// With `--standard baseline|restricted`, every workload must meet that
    /// level of the Kubernetes Pod Security Standards, as the
    /// pod-security-admission controller would enforce it at its latest
    /// version; the finding names the level met and each failed check.
    /// The standard bundles several run-time practices (P-F1 privileged,
    /// P-F2 host namespaces, P-F3 capabilities, P-F5 profiles, P-F6 host
    /// paths, P-F8 host ports, P-F11 non-root); the practice named is the
    /// first. A workload below the standard fails the gate whatever
    /// `--fail-on` says.
    ///
    /// Fix: the failed checks the message lists.
    pub struct BelowPodSecurityStandard {
        code: "CFG018",
        name: "below-pod-security-standard",
        practice: "P-F1",
        severity: High,
    }
}

impl Rule for BelowPodSecurityStandard {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(standard) = ctx.options.standard else {
            return;
        };
        let minor = ctx.options.pss_minor();
        let failed = violations_at(ctx.workload, standard, minor);
        if failed.is_empty() {
            return;
        }
        let checks: Vec<String> = failed
            .iter()
            .map(|v| format!("{} ({})", v.check, v.detail))
            .collect();
        out.push(
            ctx.finding(
                &Self::INFO,
                None,
                &ctx.workload.pod.place,
                format!(
                    "meets Pod Security Standard `{}`, not `{standard}` ({}): {}",
                    level_of_at(ctx.workload, minor),
                    version_name(minor),
                    checks.join("; ")
                ),
            )
            .with_help(format!("fix the failed checks to meet `{standard}`")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::AuditOptions;
    use crate::pss::Level;
    use crate::rules::testing::{pod, run, run_with};

    #[test]
    fn only_with_a_standard() {
        let y = pod("  hostPID: true\n  containers:\n  - name: c\n");
        assert_eq!(run("CFG018", &y), "");
        let o = AuditOptions {
            standard: Some(Level::Baseline),
            ..AuditOptions::default()
        };
        assert_eq!(
            run_with("CFG018", &y, &o),
            "5:1 Pod/p: meets Pod Security Standard `privileged`, not `baseline` (v1.37): hostNamespaces (hostPID=true)\n"
        );
    }
}
