use serde_json::Value;

use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// No authorization plugin guards the Docker API.
    ///
    /// Without one, whoever reaches the socket may do everything: run
    /// privileged containers, mount the host's `/` (P-H1, CIS 2.12). Read
    /// from `--authorization-plugin`, `"authorization-plugins"` and
    /// `Plugins.Authorization` of the live daemon's `/info`.
    ///
    /// Fix: install an authorization plugin (e.g. Open Policy Agent's
    /// opa-docker-authz) and name it in `"authorization-plugins"`.
    pub struct NoAuthorizationPlugin {
        code: "HOST014",
        name: "no-authorization-plugin",
        practice: "P-H1",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.12",
    desc: "Authorization for Docker client commands is enabled",
    remediation: "Install an authorization plugin and list it in \"authorization-plugins\" in /etc/docker/daemon.json (or --authorization-plugin=NAME).",
}];

impl Rule for NoAuthorizationPlugin {
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
        let mut plugins: Vec<String> = host
            .daemon
            .list("authorization-plugins", "authorization-plugin")
            .into_iter()
            .map(|s| format!("{} ({})", s.value, s.source))
            .collect();
        if let Some(l) = host.live() {
            plugins.extend(
                l.info
                    .pointer("/Plugins/Authorization")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|p| format!("{p} (Plugins.Authorization of GET /info)")),
            );
        }
        vec![if plugins.is_empty() {
            Outcome::warn(c, "no authorization plugin is configured")
        } else {
            Outcome::pass(c, format!("authorization plugins: {}", plugins.join(", ")))
                .with_items(plugins)
        }]
    }
}
