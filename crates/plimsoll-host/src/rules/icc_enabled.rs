use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// Containers on the default bridge may talk to each other (`icc`).
    ///
    /// With inter-container communication on (dockerd's default), every
    /// container on `docker0` reaches every port of every other one: one
    /// compromised container probes the rest (P-H1, CIS 2.2). Read from
    /// `--icc` on dockerd's command line or `"icc"` in `daemon.json`.
    ///
    /// Fix: set `"icc": false` in `daemon.json` (or `--icc=false`) and link
    /// the containers that must talk through user-defined networks.
    pub struct IccEnabled {
        code: "HOST004",
        name: "icc-enabled",
        practice: "P-H1",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.2",
    desc: "Network traffic between containers on the default bridge is restricted (icc off)",
    remediation: "Set \"icc\": false in /etc/docker/daemon.json (or run dockerd with --icc=false); connect containers that must talk through user-defined networks.",
}];

impl Rule for IccEnabled {
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
        vec![match host.boolean("icc", None) {
            Some(s) if !s.value => Outcome::pass(c, format!("icc is off ({})", s.source)),
            Some(s) => Outcome::warn(c, format!("icc is on ({})", s.source)),
            None => Outcome::warn(
                c,
                "icc is not set: dockerd's default lets containers on docker0 reach each other",
            ),
        }]
    }
}
