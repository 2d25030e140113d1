use crate::daemon::{UNIT_DIRS, unit_path};
use crate::host::{Host, LoadedRules};
use crate::root::join;
use crate::rule::{Check, Outcome, Rule, declare_rule};

declare_rule! {
    /// A Docker file or directory is not audited.
    ///
    /// Docker's binaries, configuration, data root, sockets and unit files
    /// are where a compromise of the host's container platform shows; an
    /// audit watch records every change and use (P-H3, CIS 1.1.3–1.1.18).
    /// Rules are read from `/etc/audit/rules.d/*.rules` and
    /// `/etc/audit/audit.rules` under the root, in both forms: `-w PATH`
    /// and `-a … -F path=PATH` (or `-F dir=DIR`). A watch on a directory
    /// covers what is below it; paths are compared after following links
    /// inside the root (`/var/run` and `/run` are one). A file the host
    /// does not have is INFO (not applicable).
    ///
    /// What the kernel enforces is what is loaded: on `--root /` the
    /// loaded rules are read with `auditctl -l` (as docker-bench-security
    /// does), for another root from `--audit-rules-loaded FILE` (that
    /// command's output captured on the audited host). When they are read,
    /// a path watched only in a rules file that was never loaded is a WARN
    /// too; when they cannot be read, the files decide and the message says so.
    ///
    /// Fix: add `-w PATH -k docker` for each path to
    /// `/etc/audit/rules.d/docker.rules` and reload (`augenrules --load`).
    pub struct MissingAuditRule {
        code: "HOST003",
        name: "missing-audit-rule",
        practice: "P-H3",
        severity: Low,
    }
}

const REMEDIATION: &str = "Install auditd, add -w PATH -k docker for the path to /etc/audit/rules.d/docker.rules and load the rules (augenrules --load).";

macro_rules! audit_check {
    ($id:literal, $what:literal) => {
        Check {
            id: $id,
            desc: concat!("Auditing is configured for ", $what),
            remediation: REMEDIATION,
        }
    };
}

static CHECKS: &[Check] = &[
    audit_check!("1.1.3", "the Docker daemon (dockerd)"),
    audit_check!("1.1.4", "/run/containerd"),
    audit_check!("1.1.5", "/var/lib/docker"),
    audit_check!("1.1.6", "/etc/docker"),
    audit_check!("1.1.7", "docker.service"),
    audit_check!("1.1.8", "containerd.sock"),
    audit_check!("1.1.9", "docker.socket"),
    audit_check!("1.1.10", "/etc/default/docker"),
    audit_check!("1.1.11", "/etc/docker/daemon.json"),
    audit_check!("1.1.12", "/etc/containerd/config.toml"),
    audit_check!("1.1.13", "/etc/sysconfig/docker"),
    audit_check!("1.1.14", "/usr/bin/containerd"),
    audit_check!("1.1.15", "/usr/bin/containerd-shim"),
    audit_check!("1.1.16", "/usr/bin/containerd-shim-runc-v1"),
    audit_check!("1.1.17", "/usr/bin/containerd-shim-runc-v2"),
    audit_check!("1.1.18", "/usr/bin/runc"),
];

/// Where systemd finds the unit, or every place it could be.
fn unit(host: &Host, name: &str) -> Vec<String> {
    match unit_path(&host.root, name) {
        Ok(Some(p)) => vec![p],
        _ => UNIT_DIRS.iter().map(|d| join(d, name)).collect(),
    }
}

/// Where each check's file may be (the first present is judged).
fn candidates(host: &Host, id: &str) -> Vec<String> {
    let fixed = |p: &[&str]| p.iter().map(|s| s.to_string()).collect();
    match id {
        "1.1.3" => fixed(&[
            "/usr/bin/dockerd",
            "/usr/sbin/dockerd",
            "/usr/local/bin/dockerd",
        ]),
        "1.1.4" => fixed(&["/run/containerd"]),
        "1.1.5" => vec![host.data_root().value],
        "1.1.6" => fixed(&["/etc/docker"]),
        "1.1.7" => unit(host, "docker.service"),
        "1.1.8" => fixed(&["/run/containerd/containerd.sock"]),
        "1.1.9" => unit(host, "docker.socket"),
        "1.1.10" => fixed(&["/etc/default/docker"]),
        "1.1.11" => vec![host.daemon.config_path.clone()],
        "1.1.12" => fixed(&["/etc/containerd/config.toml"]),
        "1.1.13" => fixed(&["/etc/sysconfig/docker"]),
        "1.1.14" => fixed(&["/usr/bin/containerd", "/usr/local/bin/containerd"]),
        "1.1.15" => fixed(&["/usr/bin/containerd-shim", "/usr/local/bin/containerd-shim"]),
        "1.1.16" => fixed(&[
            "/usr/bin/containerd-shim-runc-v1",
            "/usr/local/bin/containerd-shim-runc-v1",
        ]),
        "1.1.17" => fixed(&[
            "/usr/bin/containerd-shim-runc-v2",
            "/usr/local/bin/containerd-shim-runc-v2",
        ]),
        _ => fixed(&[
            "/usr/bin/runc",
            "/usr/sbin/runc",
            "/usr/local/bin/runc",
            "/usr/local/sbin/runc",
        ]),
    }
}

/// One audited path: `-w` and `dir=` cover what is below; `path=` one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub path: String,
    pub recursive: bool,
    /// `file:line` of the rule.
    pub at: String,
}

/// The paths audit rules watch, from one rules file.
pub fn watches(file: &str, text: &str) -> Vec<Watch> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{file}:{}", n + 1);
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut i = 0;
        while i < words.len() {
            match words[i] {
                "-w" if i + 1 < words.len() => {
                    out.push(Watch {
                        path: words[i + 1].to_string(),
                        recursive: true,
                        at: at.clone(),
                    });
                    i += 1;
                }
                "-F" if i + 1 < words.len() => {
                    let field = words[i + 1];
                    if let Some(p) = field.strip_prefix("path=") {
                        out.push(Watch {
                            path: p.to_string(),
                            recursive: false,
                            at: at.clone(),
                        });
                    } else if let Some(p) = field.strip_prefix("dir=") {
                        out.push(Watch {
                            path: p.to_string(),
                            recursive: true,
                            at: at.clone(),
                        });
                    }
                    i += 1;
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

impl Rule for MissingAuditRule {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        let root = &host.root;
        // The rule files: rules.d/*.rules, then audit.rules.
        let mut files: Vec<String> = match root.list("/etc/audit/rules.d") {
            Ok(names) => names
                .into_iter()
                .filter(|n| n.ends_with(".rules"))
                .map(|n| join("/etc/audit/rules.d", &n))
                .collect(),
            Err(e) => {
                return CHECKS
                    .iter()
                    .map(|c| Outcome::info(c, format!("cannot list audit rules: {e}")))
                    .collect();
            }
        };
        files.push("/etc/audit/audit.rules".into());
        let mut all = Vec::new();
        let mut read = Vec::new();
        let mut unreadable = Vec::new();
        for f in &files {
            match root.read(f) {
                Ok(Some(text)) => {
                    all.extend(watches(f, &text));
                    read.push(f.clone());
                }
                Ok(None) => {}
                Err(e) => unreadable.push(e.to_string()),
            }
        }
        // Compare where paths really are, inside the root.
        let canonical = |p: &str| -> String {
            root.resolve(p)
                .ok()
                .flatten()
                .map(|r| r.host)
                .unwrap_or_else(|| p.trim_end_matches('/').to_string())
        };
        let all: Vec<Watch> = all
            .into_iter()
            .map(|w| Watch {
                path: canonical(&w.path),
                ..w
            })
            .collect();
        let loaded: Option<(String, Vec<Watch>)> = match &host.loaded_rules {
            LoadedRules::Read { source, text } => Some((
                source.clone(),
                watches(source, text)
                    .into_iter()
                    .map(|w| Watch {
                        path: canonical(&w.path),
                        ..w
                    })
                    .collect(),
            )),
            _ => None,
        };
        let unloaded_note = match &host.loaded_rules {
            LoadedRules::Unavailable { why } => format!("; loaded rules not read: {why}"),
            _ => String::new(),
        };
        CHECKS
            .iter()
            .map(|c| {
                let present = candidates(host, c.id)
                    .into_iter()
                    .find_map(|p| root.metadata(&p).ok().flatten().map(|(r, _)| (p, r.host)));
                let Some((path, real)) = present else {
                    return Outcome::info(
                        c,
                        format!(
                            "not present on this host ({}): not applicable",
                            candidates(host, c.id).join(", ")
                        ),
                    );
                };
                let covers = |w: &&Watch| {
                    real == w.path
                        || (w.recursive
                            && real.starts_with(&format!("{}/", w.path.trim_end_matches('/'))))
                };
                let hit = all.iter().find(covers);
                if let Some((source, loaded)) = &loaded {
                    return match (loaded.iter().find(covers), hit) {
                        (Some(w), _) => {
                            Outcome::pass(c, format!("{path} is audited (loaded: {})", w.at))
                        }
                        (None, Some(w)) => Outcome::warn(
                            c,
                            format!(
                                "{path} is watched in {} but the rule is not loaded ({source} does not list it): load the rules (augenrules --load)",
                                w.at
                            ),
                        ),
                        (None, None) => Outcome::warn(
                            c,
                            format!("{path} is not audited: neither loaded ({source}) nor in a rules file"),
                        ),
                    }
                    .at(path);
                }
                match hit {
                    Some(w) => {
                        Outcome::pass(c, format!("{path} is audited ({}){unloaded_note}", w.at))
                            .at(path)
                    }
                    None if read.is_empty() && !unreadable.is_empty() => Outcome::info(
                        c,
                        format!("cannot read the audit rules: {}", unreadable.join("; ")),
                    )
                    .at(path),
                    None if read.is_empty() => Outcome::warn(
                        c,
                        format!("{path} is not audited: no audit rules under /etc/audit"),
                    )
                    .at(path),
                    None => Outcome::warn(
                        c,
                        format!("{path} is not audited (rules read: {})", read.join(", ")),
                    )
                    .at(path),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_rule_forms() {
        let w = super::watches(
            "r",
            "# c\n-w /usr/bin/dockerd -k docker\n-a exit,always -F path=/run/containerd -F perm=war -k docker\n-a always,exit -F dir=/etc/docker -k d\n",
        );
        let got: Vec<(&str, bool, &str)> = w
            .iter()
            .map(|w| (w.path.as_str(), w.recursive, w.at.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("/usr/bin/dockerd", true, "r:2"),
                ("/run/containerd", false, "r:3"),
                ("/etc/docker", true, "r:4")
            ]
        );
    }
}
