use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// User namespace remapping is off.
    ///
    /// Without `userns-remap`, root in a container is uid 0 on the host: a
    /// breakout is a root breakout (P-H1, CIS 2.9). Read from
    /// `--userns-remap` / `"userns-remap"`, or `name=userns` among the live
    /// daemon's `SecurityOptions`.
    ///
    /// Fix: set `"userns-remap": "default"` (or a user) with ranges in
    /// `/etc/subuid` and `/etc/subgid`; containers that need the host's
    /// user namespace opt out with `--userns=host`.
    pub struct NoUsernsRemap {
        code: "HOST011",
        name: "no-userns-remap",
        practice: "P-H1",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.9",
    desc: "User namespace support is enabled",
    remediation: "Set \"userns-remap\": \"default\" in /etc/docker/daemon.json (or --userns-remap=default) with subordinate ranges in /etc/subuid and /etc/subgid.",
}];

impl Rule for NoUsernsRemap {
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
        if let Some(s) = host
            .daemon
            .string("userns-remap")
            .filter(|s| !s.value.is_empty())
        {
            return vec![Outcome::pass(
                c,
                format!("userns-remap is {} ({})", s.value, s.source),
            )];
        }
        if let Some(l) = host.live()
            && l.security_options().iter().any(|o| o.contains("userns"))
        {
            return vec![Outcome::pass(
                c,
                format!("userns is among SecurityOptions of GET /info at {}", l.url),
            )];
        }
        vec![Outcome::warn(
            c,
            "userns-remap is not set: root in a container is root on the host",
        )]
    }
}
