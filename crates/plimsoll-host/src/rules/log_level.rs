use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon does not log at `info`.
    ///
    /// `info` records what an investigation needs (container starts, pulls,
    /// errors); `debug` floods the log with internals, possibly secrets, and
    /// `warn`, `error` or `fatal` drop the events an audit relies on (P-H1,
    /// CIS 2.3). Unset is `info`.
    ///
    /// Fix: remove `--log-level` / `"log-level"`, or set it to `info`.
    pub struct LogLevel {
        code: "HOST005",
        name: "log-level-not-info",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.3",
    desc: "The daemon's logging level is info",
    remediation: "Set \"log-level\": \"info\" in /etc/docker/daemon.json (or remove --log-level from dockerd's command line).",
}];

impl Rule for LogLevel {
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
        vec![match host.daemon.string("log-level") {
            None => Outcome::pass(c, "log-level is not set (dockerd's default, info)"),
            Some(s) if s.value.eq_ignore_ascii_case("info") => {
                Outcome::pass(c, format!("log-level is info ({})", s.source))
            }
            Some(s) => Outcome::warn(c, format!("log-level is {} ({})", s.value, s.source)),
        }]
    }
}
