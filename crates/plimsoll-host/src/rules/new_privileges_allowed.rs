use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// Containers may gain privileges (`no-new-privileges` off).
    ///
    /// Without `no-new-privileges`, a process in a container can gain
    /// privileges through setuid and setgid binaries or file capabilities
    /// (P-H1, CIS 2.14). Read from `--no-new-privileges` /
    /// `"no-new-privileges"`, or `name=no-new-privileges` among the live
    /// daemon's `SecurityOptions`.
    ///
    /// Fix: set `"no-new-privileges": true` in `daemon.json`.
    pub struct NewPrivilegesAllowed {
        code: "HOST016",
        name: "new-privileges-allowed",
        practice: "P-H1",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.14",
    desc: "Containers are restricted from acquiring new privileges",
    remediation: "Set \"no-new-privileges\": true in /etc/docker/daemon.json (or run dockerd with --no-new-privileges).",
}];

impl Rule for NewPrivilegesAllowed {
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
        if let Some(l) = host.live()
            && l.security_options()
                .iter()
                .any(|o| o.contains("no-new-privileges"))
        {
            return vec![Outcome::pass(
                c,
                format!(
                    "no-new-privileges is among SecurityOptions of GET /info at {}",
                    l.url
                ),
            )];
        }
        vec![match host.daemon.boolean("no-new-privileges") {
            Some(s) if s.value => {
                Outcome::pass(c, format!("no-new-privileges is on ({})", s.source))
            }
            Some(s) => Outcome::warn(c, format!("no-new-privileges is off ({})", s.source)),
            None => Outcome::warn(c, "no-new-privileges is not set (dockerd's default, off)"),
        }]
    }
}
