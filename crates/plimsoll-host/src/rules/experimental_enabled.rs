use serde_json::Value;

use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// Experimental features are on.
    ///
    /// Experimental features are unsupported and may change or disappear;
    /// they have no place on a production host (P-H1, CIS 2.18). Read from
    /// `--experimental` / `"experimental"`, and from `Experimental` of the
    /// live daemon's `/version` (or `ExperimentalBuild` of `/info`).
    ///
    /// Fix: remove `"experimental": true` / `--experimental`.
    pub struct ExperimentalEnabled {
        code: "HOST020",
        name: "experimental-enabled",
        practice: "P-H1",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.18",
    desc: "Experimental features are not enabled in production",
    remediation: "Remove \"experimental\": true from /etc/docker/daemon.json and --experimental from dockerd's command line.",
}];

impl Rule for ExperimentalEnabled {
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
        if let Some(l) = host.live() {
            let version = l.version.get("Experimental").and_then(Value::as_bool);
            let info = l.info_bool("ExperimentalBuild");
            if version == Some(true) || info == Some(true) {
                let field = if version == Some(true) {
                    "Experimental of GET /version"
                } else {
                    "ExperimentalBuild of GET /info"
                };
                return vec![Outcome::warn(
                    c,
                    format!("experimental features are on ({field} at {})", l.url),
                )];
            }
            if version.is_some() || info.is_some() {
                return vec![Outcome::pass(
                    c,
                    format!("experimental features are off (GET /version at {})", l.url),
                )];
            }
        }
        vec![match host.daemon.boolean("experimental") {
            Some(s) if s.value => {
                Outcome::warn(c, format!("experimental features are on ({})", s.source))
            }
            Some(s) => Outcome::pass(c, format!("experimental features are off ({})", s.source)),
            None => Outcome::pass(c, "experimental is not set (dockerd's default, off)"),
        }]
    }
}
