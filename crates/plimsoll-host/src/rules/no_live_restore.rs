use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// Containers stop when the daemon stops (`live-restore` off).
    ///
    /// With `live-restore`, containers keep running while dockerd restarts
    /// or is upgraded, so patching the daemon does not cost an outage and
    /// is not put off (P-H1, CIS 2.15). Read from `LiveRestoreEnabled` of
    /// the live daemon's `/info`, else `--live-restore` / `"live-restore"`.
    ///
    /// Fix: set `"live-restore": true` in `daemon.json` (not with Swarm
    /// mode, which does not support it).
    pub struct NoLiveRestore {
        code: "HOST017",
        name: "no-live-restore",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.15",
    desc: "Live restore is enabled",
    remediation: "Set \"live-restore\": true in /etc/docker/daemon.json (or run dockerd with --live-restore).",
}];

impl Rule for NoLiveRestore {
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
        vec![
            match host.boolean("live-restore", Some("LiveRestoreEnabled")) {
                Some(s) if s.value => {
                    Outcome::pass(c, format!("live-restore is on ({})", s.source))
                }
                Some(s) => Outcome::warn(c, format!("live-restore is off ({})", s.source)),
                None => Outcome::warn(c, "live-restore is not set (dockerd's default, off)"),
            },
        ]
    }
}
