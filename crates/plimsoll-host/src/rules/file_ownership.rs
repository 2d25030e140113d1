use std::os::unix::fs::MetadataExt;

use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::file_table::{FILES, judge};

declare_rule! {
    /// A Docker configuration file, socket or certificate has the wrong owner.
    ///
    /// Whoever owns `daemon.json`, the unit files, the TLS keys or the
    /// sockets can change how the daemon runs or talk to it as root (P-H2,
    /// CIS 3.1, 3.3, 3.5, 3.7, 3.9, 3.11, 3.13, 3.15, 3.17, 3.19, 3.21,
    /// 3.23). Owners must be `root:root`, the Docker socket `root:docker`.
    /// Names are those of the audited host's `/etc/passwd` and `/etc/group`
    /// (uid 0 is root when the file does not say). A path the host does
    /// not have is INFO.
    ///
    /// Fix: `chown root:root PATH` (`root:docker` for `docker.sock`).
    pub struct FileOwnership {
        code: "HOST021",
        name: "docker-file-owner",
        practice: "P-H2",
        severity: Medium,
    }
}

static CHECKS: std::sync::LazyLock<Vec<Check>> =
    std::sync::LazyLock::new(|| FILES.iter().map(|s| s.owner_check).collect());

impl Rule for FileOwnership {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        &CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        FILES
            .iter()
            .map(|spec| {
                let (want_user, want_group) = spec.owner;
                let problem = |path: &str, m: &std::fs::Metadata| {
                    let user = host
                        .user_name(m.uid())
                        .unwrap_or_else(|| m.uid().to_string());
                    let group = host
                        .group_name(m.gid())
                        .unwrap_or_else(|| m.gid().to_string());
                    (user != want_user || group != want_group)
                        .then(|| format!("{path} is owned by {user}:{group}"))
                };
                let ok = |found: &[(String, std::fs::Metadata)]| {
                    let what = match found {
                        [(p, _)] => p.clone(),
                        many => format!("{} files", many.len()),
                    };
                    format!("{what} owned by {want_user}:{want_group}")
                };
                let expected = format!(" (expected {want_user}:{want_group})");
                judge(host, spec, &spec.owner_check, &expected, problem, ok)
            })
            .collect()
    }
}
