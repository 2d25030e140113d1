use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// Container logs stay on the host (no remote log driver).
    ///
    /// With `json-file` (the default), `local` or `none`, container logs
    /// live on the host a compromise may wipe, and nothing sees them
    /// centrally (P-H1, CIS 2.13). Read from `LoggingDriver` of the live
    /// daemon's `/info`, else `--log-driver` / `"log-driver"`.
    ///
    /// Fix: set `"log-driver"` to a driver that ships logs off the host
    /// (`syslog`, `journald` forwarded, `fluentd`, `gelf`, `awslogs`,
    /// `splunk`…) with its `log-opts`.
    pub struct NoRemoteLogging {
        code: "HOST015",
        name: "no-remote-logging",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.13",
    desc: "Centralized and remote logging is configured",
    remediation: "Set \"log-driver\" (e.g. syslog, fluentd, gelf) and its \"log-opts\" in /etc/docker/daemon.json, or --log-driver on dockerd's command line.",
}];

const LOCAL: &[&str] = &["json-file", "local", "none"];

impl Rule for NoRemoteLogging {
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
        vec![match host.string("log-driver", Some("LoggingDriver")) {
            Some(s) if LOCAL.contains(&s.value.as_str()) => Outcome::warn(
                c,
                format!(
                    "log driver is {}, logs stay on the host ({})",
                    s.value, s.source
                ),
            ),
            Some(s) => Outcome::pass(c, format!("log driver is {} ({})", s.value, s.source)),
            None => Outcome::warn(
                c,
                "log driver is not set (dockerd's default json-file keeps logs on the host)",
            ),
        }]
    }
}
