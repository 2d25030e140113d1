use std::os::unix::fs::MetadataExt;

use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};
use crate::rules::file_table::{FILES, judge};

declare_rule! {
    /// A Docker configuration file, socket or certificate is too open.
    ///
    /// Write access to `daemon.json` or the unit files is control of the
    /// daemon; read access to the TLS key is its identity; write access to
    /// the socket is root (P-H2, CIS 3.2, 3.4, 3.6, 3.8, 3.10, 3.12, 3.14,
    /// 3.16, 3.18, 3.20, 3.22, 3.24). A mode passes when no permission bit
    /// is outside the allowed mask (0644, 0755, 0444, 0400 or 0660): it is
    /// never compared as a number, so 0470 fails a 0644 check (group write
    /// and execute are outside it) where docker-bench-security's numeric
    /// `-le 644` passes it. Set-id and sticky bits are outside every mask.
    ///
    /// Fix: `chmod` to the mask or tighter (`chmod 644 daemon.json`,
    /// `chmod 400` the TLS key).
    pub struct FilePermissions {
        code: "HOST022",
        name: "docker-file-mode",
        practice: "P-H2",
        severity: Medium,
    }
}

static CHECKS: std::sync::LazyLock<Vec<Check>> =
    std::sync::LazyLock::new(|| FILES.iter().map(|s| s.mode_check).collect());

/// The permission bits of `mode` outside `mask` (0 when within it).
pub fn beyond(mode: u32, mask: u32) -> u32 {
    mode & 0o7777 & !mask
}

impl Rule for FilePermissions {
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
                let problem = |path: &str, m: &std::fs::Metadata| {
                    let extra = beyond(m.mode(), spec.mask);
                    (extra != 0).then(|| {
                        format!(
                            "{path} has mode {:04o} ({extra:04o} beyond {:04o})",
                            m.mode() & 0o7777,
                            spec.mask
                        )
                    })
                };
                let ok = |found: &[(String, std::fs::Metadata)]| {
                    let what = match found {
                        [(p, m)] => format!("{p} has mode {:04o}", m.mode() & 0o7777),
                        many => format!("{} files", many.len()),
                    };
                    format!("{what}, within {:04o}", spec.mask)
                };
                judge(host, spec, &spec.mode_check, "", problem, ok)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bits_not_numbers() {
        // docker-bench-security's `[ 470 -le 644 ]` passes this.
        assert_eq!(super::beyond(0o470, 0o644), 0o030);
        assert_eq!(super::beyond(0o600, 0o644), 0);
        assert_eq!(super::beyond(0o4644, 0o644), 0o4000);
        assert_eq!(super::beyond(0o640, 0o444), 0o200);
    }
}
