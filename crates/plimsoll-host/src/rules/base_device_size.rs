use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The devicemapper base device size is changed.
    ///
    /// `--storage-opt dm.basesize` grows every container's filesystem; set
    /// without need it lets containers fill the host's disk (P-H1, CIS 2.11).
    ///
    /// Fix: remove `dm.basesize` from `storage-opts` until it is needed.
    pub struct BaseDeviceSize {
        code: "HOST013",
        name: "base-device-size-changed",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.11",
    desc: "The base device size is not changed until needed",
    remediation: "Remove dm.basesize from \"storage-opts\" in /etc/docker/daemon.json and from --storage-opt on dockerd's command line.",
}];

impl Rule for BaseDeviceSize {
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
        let set: Vec<String> = host
            .daemon
            .list("storage-opts", "storage-opt")
            .into_iter()
            .filter(|s| s.value.trim_start().starts_with("dm.basesize"))
            .map(|s| format!("{} ({})", s.value, s.source))
            .collect();
        vec![if set.is_empty() {
            Outcome::pass(c, "dm.basesize is not set")
        } else {
            Outcome::warn(c, format!("base device size changed: {}", set.join(", ")))
                .with_items(set)
        }]
    }
}
