use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The userland proxy is on.
    ///
    /// With `userland-proxy` (the default), a `docker-proxy` process per
    /// published port forwards traffic that hairpin NAT could carry: more
    /// processes and attack surface on the host (P-H1, CIS 2.16).
    ///
    /// Fix: set `"userland-proxy": false` in `daemon.json` (kernels since
    /// 3.x support the hairpin NAT that replaces it).
    pub struct UserlandProxy {
        code: "HOST018",
        name: "userland-proxy-enabled",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.16",
    desc: "The userland proxy is disabled",
    remediation: "Set \"userland-proxy\": false in /etc/docker/daemon.json (or run dockerd with --userland-proxy=false).",
}];

impl Rule for UserlandProxy {
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
        vec![match host.daemon.boolean("userland-proxy") {
            Some(s) if !s.value => {
                Outcome::pass(c, format!("userland-proxy is off ({})", s.source))
            }
            Some(s) => Outcome::warn(c, format!("userland-proxy is on ({})", s.source)),
            None => Outcome::warn(c, "userland-proxy is not set (dockerd's default, on)"),
        }]
    }
}
