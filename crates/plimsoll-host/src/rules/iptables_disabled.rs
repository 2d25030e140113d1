use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon may not manage iptables (`iptables: false`).
    ///
    /// Docker keeps the host's firewall in step with the containers'
    /// networking; with `--iptables=false` that falls to hand-written rules
    /// that drift, and published ports can end up open or broken (P-H1,
    /// CIS 2.4). Unset is `true`.
    ///
    /// Fix: remove `--iptables=false` / `"iptables": false`.
    pub struct IptablesDisabled {
        code: "HOST006",
        name: "iptables-disabled",
        practice: "P-H1",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.4",
    desc: "Docker is allowed to make changes to iptables",
    remediation: "Remove --iptables=false from dockerd's command line and \"iptables\": false from /etc/docker/daemon.json.",
}];

impl Rule for IptablesDisabled {
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
        vec![match host.daemon.boolean("iptables") {
            Some(s) if !s.value => Outcome::warn(c, format!("iptables is off ({})", s.source)),
            Some(s) => Outcome::pass(c, format!("iptables is on ({})", s.source)),
            None => Outcome::pass(c, "iptables is not set (dockerd's default, on)"),
        }]
    }
}
