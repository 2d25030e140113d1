use crate::host::Host;
use crate::rule::{Check, Outcome, Rule, declare_rule};

declare_rule! {
    /// The data root (`/var/lib/docker`) is not a separate partition.
    ///
    /// Images, containers and volumes grow without bound; on the root
    /// filesystem they fill it and take the host down (P-H3, CIS 1.1.1).
    /// The data root is the live daemon's `DockerRootDir`, else
    /// `data-root`, else `/var/lib/docker` (with user namespace remapping,
    /// its parent). It passes when it is a mount point in `/proc/mounts`
    /// under the root, or, when that is absent, in `/etc/fstab`.
    ///
    /// Fix: give the data root its own filesystem (a partition or an LVM
    /// logical volume) and list it in `/etc/fstab`.
    pub struct DataRootPartition {
        code: "HOST001",
        name: "data-root-not-separate",
        practice: "P-H3",
        severity: Low,
    }
}

static CHECKS: &[Check] = &[Check {
    id: "1.1.1",
    desc: "A separate partition for containers (the data root) has been created",
    remediation: "Create a separate partition (or LVM logical volume) for the data root, e.g. /var/lib/docker, and mount it there through /etc/fstab.",
}];

/// Mount points of a mounts or fstab table (octal escapes such as `\040` decoded).
fn mount_points(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(unescape)
        .collect()
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // An octal escape (a space is written \040), at most \377.
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| d[0] <= b'3' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        if b[i] == b'\\'
            && let Some(d) = octal
        {
            out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Rule for DataRootPartition {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }
    fn checks(&self) -> &'static [Check] {
        CHECKS
    }
    fn check(&self, host: &Host) -> Vec<Outcome> {
        let c = &CHECKS[0];
        let setting = host.data_root();
        let mut dir = setting.value.trim_end_matches('/').to_string();
        let remapped = host
            .live()
            .is_some_and(|l| l.security_options().iter().any(|o| o.contains("userns")))
            && setting.source.contains("DockerRootDir");
        if remapped && let Some((parent, _)) = dir.rsplit_once('/') {
            dir = parent.to_string();
        }
        let dir = if dir.is_empty() { "/".to_string() } else { dir };
        match host.root.metadata(&dir) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return vec![
                    Outcome::info(
                        c,
                        format!(
                            "data root {dir} ({}) is not present: Docker has not run here",
                            setting.source
                        ),
                    )
                    .at(dir),
                ];
            }
            Err(e) => {
                return vec![Outcome::info(c, format!("cannot read the data root: {e}")).at(dir)];
            }
        }
        let read = |p: &str| host.root.read(p);
        let mounts = match read("/proc/mounts") {
            Ok(Some(t)) => Some(("/proc/mounts", t)),
            Ok(None) => match read("/proc/self/mounts") {
                Ok(Some(t)) => Some(("/proc/self/mounts", t)),
                _ => None,
            },
            Err(e) => {
                return vec![Outcome::info(c, format!("cannot read the mount table: {e}")).at(dir)];
            }
        };
        let fstab = read("/etc/fstab");
        let in_fstab = matches!(&fstab, Ok(Some(t)) if mount_points(t).contains(&dir));
        let what = format!("data root {dir} ({})", setting.source);
        vec![match (mounts, fstab) {
            (Some((p, t)), _) if mount_points(&t).contains(&dir) => {
                Outcome::pass(c, format!("{what} is a mount point ({p})"))
            }
            (Some((p, _)), _) if in_fstab => {
                Outcome::warn(c, format!("{what} is listed in /etc/fstab but not mounted ({p})"))
            }
            (Some((p, _)), _) => Outcome::warn(c, format!("{what} is not a mount point ({p})")),
            (None, Ok(Some(_))) if in_fstab => {
                Outcome::pass(c, format!("{what} has its own entry in /etc/fstab (no /proc/mounts under the root)"))
            }
            (None, Ok(Some(_))) => Outcome::warn(c, format!("{what} has no entry in /etc/fstab (no /proc/mounts under the root)")),
            (None, Ok(None)) => Outcome::info(c, format!("cannot tell whether {what} is a separate partition: neither /proc/mounts nor /etc/fstab under the root")),
            (None, Err(e)) => Outcome::info(c, format!("cannot tell whether {what} is a separate partition: {e}")),
        }
        .at(dir)]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn octal_escapes_in_mount_points() {
        assert_eq!(super::unescape(r"/mnt/my\040disk"), "/mnt/my disk");
        assert_eq!(
            super::mount_points("/dev/sdb1 /var/lib/docker ext4 rw 0 0\n# x\n"),
            ["/var/lib/docker"]
        );
    }
}
