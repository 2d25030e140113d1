use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon stores images with the `aufs` driver.
    ///
    /// aufs is out of the mainline kernel, removed from Docker Engine 24,
    /// and known for kernel crashes under container load (P-H1, CIS 2.6);
    /// overlay2 is the supported driver. Read from `Driver` of the live
    /// daemon's `/info`, else `--storage-driver` / `"storage-driver"`.
    ///
    /// Fix: move to `overlay2` (`"storage-driver": "overlay2"`); images must
    /// be pulled again.
    pub struct AufsStorageDriver {
        code: "HOST008",
        name: "aufs-storage-driver",
        practice: "P-H1",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.6",
    desc: "The aufs storage driver is not used",
    remediation: "Use the overlay2 storage driver (\"storage-driver\": \"overlay2\" in /etc/docker/daemon.json) and pull the images again.",
}];

impl Rule for AufsStorageDriver {
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
        vec![match host.string("storage-driver", Some("Driver")) {
            Some(s) if s.value == "aufs" => {
                Outcome::warn(c, format!("storage driver is aufs ({})", s.source))
            }
            Some(s) => Outcome::pass(c, format!("storage driver is {} ({})", s.value, s.source)),
            None => Outcome::pass(
                c,
                "storage driver is not set (dockerd picks overlay2 where it can)",
            ),
        }]
    }
}
