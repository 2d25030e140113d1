use crate::daemon::env_assignments;
use crate::host::Host;
use crate::root::join;
use crate::rule::{Check, Outcome, Rule, declare_rule};

declare_rule! {
    /// Docker Content Trust is not turned on for the host's users.
    ///
    /// With `DOCKER_CONTENT_TRUST=1`, `docker pull`, `push`, `build` and
    /// `run` accept only signed tags; without it any tag a registry serves
    /// is run (P-H5, CIS 4.5). The variable is read, as the docker CLI
    /// reads it (any value but a false one turns it on), from the files the
    /// host's users and services take their environment from:
    /// `/etc/environment`, `/etc/default/docker`, `/etc/sysconfig/docker`,
    /// `/etc/profile`, `/etc/profile.d/*.sh` and `/etc/bash.bashrc`. A file
    /// that sets it to `0`/`false` is a WARN even when another turns it on.
    ///
    /// The verdict also says whether plimsoll's admission webhook, as the
    /// `plimsoll.toml` read configures it, admits only signed images
    /// (`[admission] require_signature`, P-D4): the cluster's side of the
    /// same practice. It does not change the verdict on this host, whose
    /// `docker` commands still pull what they are given.
    ///
    /// Fix: `DOCKER_CONTENT_TRUST=1` in `/etc/environment` (and sign what
    /// is pushed).
    pub struct ContentTrustOff {
        code: "HOST023",
        name: "content-trust-off",
        practice: "P-H5",
        severity: Medium,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "4.5",
    desc: "Content trust for Docker is enabled",
    remediation: "Set DOCKER_CONTENT_TRUST=1 in /etc/environment (and in the environment of CI jobs), and sign the images that are pushed.",
}];

const FILES: &[&str] = &[
    "/etc/environment",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
    "/etc/profile",
    "/etc/bash.bashrc",
];

/// Whether the docker CLI takes `value` as content trust on.
fn enabled(value: &str) -> bool {
    !matches!(
        value.to_ascii_lowercase().as_str(),
        "" | "0" | "f" | "false"
    )
}

impl Rule for ContentTrustOff {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        let mut outcomes = self.docker_content_trust(host);
        if let Some(required) = host.options.admission_requires_signature {
            for o in &mut outcomes {
                o.message.push_str(if required {
                    "; plimsoll admission admits only signed images ([admission] require_signature)"
                } else {
                    "; plimsoll admission does not require signatures (set [admission] require_signature = true)"
                });
            }
        }
        outcomes
    }
}

impl ContentTrustOff {
    fn docker_content_trust(&self, host: &Host) -> Vec<Outcome> {
        let c = &CHECKS[0];
        let mut paths: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
        match host.root.list("/etc/profile.d") {
            Ok(names) => paths.extend(
                names
                    .into_iter()
                    .filter(|n| n.ends_with(".sh"))
                    .map(|n| join("/etc/profile.d", &n)),
            ),
            Err(e) => return vec![Outcome::info(c, format!("cannot list /etc/profile.d: {e}"))],
        }
        let (mut on, mut off, mut errors, mut read) = (Vec::new(), Vec::new(), Vec::new(), 0);
        for p in &paths {
            match host.root.read(p) {
                Ok(Some(text)) => {
                    read += 1;
                    for (k, v) in env_assignments(&text) {
                        if k == "DOCKER_CONTENT_TRUST" {
                            let at = format!("{p} (DOCKER_CONTENT_TRUST={v})");
                            if enabled(&v) {
                                on.push(at)
                            } else {
                                off.push(at)
                            }
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !off.is_empty() {
            return vec![
                Outcome::warn(
                    c,
                    format!("content trust is turned off in {}", off.join(", ")),
                )
                .with_items(off),
            ];
        }
        if !on.is_empty() {
            return vec![Outcome::pass(
                c,
                format!("content trust is on: {}", on.join(", ")),
            )];
        }
        if !errors.is_empty() && read == 0 {
            return vec![Outcome::info(
                c,
                format!("cannot tell: {}", errors.join("; ")),
            )];
        }
        let mut msg = "DOCKER_CONTENT_TRUST is not set in /etc/environment, /etc/default/docker, /etc/sysconfig/docker, /etc/profile, /etc/profile.d/*.sh or /etc/bash.bashrc".to_string();
        if !errors.is_empty() {
            msg.push_str(&format!(" (unreadable: {})", errors.join("; ")));
        }
        vec![Outcome::warn(c, msg)]
    }
}
