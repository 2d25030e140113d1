use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon's default cgroup parent is changed: confirm it.
    ///
    /// Containers are placed under `--cgroup-parent`; a parent chosen by
    /// mistake puts them outside the limits and accounting the host relies
    /// on (P-H1, CIS 2.10). Unset is the default (`/docker`, or
    /// `system.slice` with the systemd driver) and passes; a set value is a
    /// NOTE to review.
    ///
    /// Fix: remove `cgroup-parent` unless the value is intended.
    pub struct CgroupParent {
        code: "HOST012",
        name: "cgroup-parent-changed",
        practice: "P-H1",
        severity: Info,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.10",
    desc: "The default cgroup usage has been confirmed",
    remediation: "Leave \"cgroup-parent\" unset unless a different parent is intended; confirm the value set.",
}];

impl Rule for CgroupParent {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        let c = &CHECKS[0];
        if let Some(why) = daemon_unknown(host) {
            return vec![Outcome::info(c, why)];
        }
        vec![match host
            .daemon
            .string("cgroup-parent")
            .filter(|s| !s.value.is_empty())
        {
            Some(s) => Outcome::note(
                c,
                format!(
                    "cgroup-parent is {} ({}): confirm it is intended",
                    s.value, s.source
                ),
            ),
            None => Outcome::pass(c, "cgroup-parent is not set (the default parent)"),
        }]
    }
}
