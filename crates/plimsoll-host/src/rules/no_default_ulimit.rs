use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon sets no default ulimits.
    ///
    /// Without `default-ulimits`, a container inherits the daemon's limits
    /// (often a million open files, unlimited processes): one container can
    /// exhaust what the host has (P-H1, CIS 2.8).
    ///
    /// Fix: set `"default-ulimits"` (e.g. `nofile` and `nproc`) in
    /// `daemon.json`, or `--default-ulimit nofile=1024:4096`; containers
    /// that need more say so with `--ulimit`.
    pub struct NoDefaultUlimit {
        code: "HOST010",
        name: "no-default-ulimit",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.8",
    desc: "A default ulimit is configured for containers",
    remediation: "Set \"default-ulimits\" in /etc/docker/daemon.json (e.g. {\"nofile\": {\"Name\": \"nofile\", \"Soft\": 1024, \"Hard\": 4096}}) or run dockerd with --default-ulimit nofile=1024:4096.",
}];

impl Rule for NoDefaultUlimit {
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
            .list("default-ulimits", "default-ulimit")
            .into_iter()
            .map(|s| s.value)
            .collect();
        vec![if set.is_empty() {
            Outcome::warn(
                c,
                "no default ulimit is set: containers inherit the daemon's limits",
            )
        } else {
            Outcome::pass(c, format!("default ulimits: {}", set.join(", "))).with_items(set)
        }]
    }
}
