use serde_json::Value;

use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::daemon_unknown;

declare_rule! {
    /// The daemon pulls from registries without TLS verification.
    ///
    /// An insecure registry is reached over plain HTTP or with any
    /// certificate: whoever is on the path can serve other images (P-H1,
    /// CIS 2.5). Read from `--insecure-registry`, `"insecure-registries"`
    /// and, with a live daemon, `RegistryConfig` of `/info` (loopback
    /// ranges, which dockerd always lists, are not counted).
    ///
    /// Fix: remove the registries from `insecure-registries`; give the
    /// registry a certificate (a private CA goes in
    /// `/etc/docker/certs.d/HOST:PORT/ca.crt`).
    pub struct InsecureRegistry {
        code: "HOST007",
        name: "insecure-registry",
        practice: "P-H1",
        severity: High,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "2.5",
    desc: "Insecure registries are not used",
    remediation: "Remove every entry of \"insecure-registries\" in /etc/docker/daemon.json and --insecure-registry on dockerd's command line; use TLS with a trusted CA (/etc/docker/certs.d/HOST:PORT/ca.crt).",
}];

const LOOPBACK: &[&str] = &["127.0.0.0/8", "::1/128"];

impl Rule for InsecureRegistry {
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
        let mut items: Vec<String> = host
            .daemon
            .list("insecure-registries", "insecure-registry")
            .into_iter()
            .filter(|s| !LOOPBACK.contains(&s.value.as_str()))
            .map(|s| format!("{} ({})", s.value, s.source))
            .collect();
        if let Some(l) = host.live() {
            let reg = l.info.get("RegistryConfig");
            for cidr in reg
                .and_then(|r| r.get("InsecureRegistryCIDRs"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|c| !LOOPBACK.contains(c))
            {
                items.push(format!("{cidr} (InsecureRegistryCIDRs of GET /info)"));
            }
            for (name, cfg) in reg
                .and_then(|r| r.get("IndexConfigs"))
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if cfg.get("Secure").and_then(Value::as_bool) == Some(false) {
                    items.push(format!("{name} (IndexConfigs of GET /info)"));
                }
            }
        }
        vec![if items.is_empty() {
            Outcome::pass(c, "no insecure registry is configured")
        } else {
            Outcome::warn(c, format!("insecure registries: {}", items.join(", "))).with_items(items)
        }]
    }
}
