//! The Kubernetes Pod Security Standards: which level (privileged,
//! baseline, restricted) a pod spec meets.
//!
//! The checks are those of `kubernetes/pod-security-admission`
//! (`policy/check_*.go`): the fields each looks at and the values it
//! allows, the restricted checks replacing the baseline checks they
//! override (`capabilities_baseline`, `hostPathVolumes`, `procMount`,
//! `seccompProfile_baseline`), and what changed between versions
//! ([`violations_at`]: seccomp annotations before v1.19, the checks added
//! in v1.8, v1.19, v1.22, v1.23, v1.34 and v1.35, Windows pods exempt from
//! some restricted checks since v1.25, user-namespaced pods from the root
//! checks since v1.35, the allowed sysctls and SELinux types).
//! [`violations`] and [`level_of`] use the latest version, v1.37. The
//! repository's generated test Pods of every version are the oracle
//! (`tests/pss.rs`).

use crate::model::{Container, PodSettings, SecurityContext, Workload};

/// A Pod Security Standards level, ordered `Privileged < Baseline < Restricted`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Level::Privileged, Level::Baseline, Level::Restricted]
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown level '{s}' (expected privileged, baseline or restricted)")
            })
    }
}

/// One check a pod fails: the check's id (as pod-security-admission names
/// it) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub check: &'static str,
    pub detail: String,
}

/// The highest level the workload's pod spec meets.
pub fn level_of(w: &Workload) -> Level {
    level_of_at(w, LATEST_MINOR)
}

/// The highest level the workload's pod spec meets under the checks of
/// Kubernetes version 1.`minor`.
pub fn level_of_at(w: &Workload, minor: u32) -> Level {
    if violations_at(w, Level::Restricted, minor).is_empty() {
        Level::Restricted
    } else if violations_at(w, Level::Baseline, minor).is_empty() {
        Level::Baseline
    } else {
        Level::Privileged
    }
}

/// Every check of `level` the workload fails (none for `Privileged`).
pub fn violations(w: &Workload, level: Level) -> Vec<Violation> {
    violations_at(w, level, LATEST_MINOR)
}

/// The newest Kubernetes minor version (1.x) whose checks are modelled.
pub const LATEST_MINOR: u32 = 37;

/// A Pod Security Standards version as pod-security-admission names it
/// (`v1.29`, `1.29` or `latest`): its minor version. Versions before
/// v1.0 do not exist; versions newer than the checks modelled are judged
/// by the newest checks, as pod-security-admission judges a version newer
/// than itself.
pub fn parse_version(s: &str) -> Result<u32, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("latest") {
        return Ok(LATEST_MINOR);
    }
    let digits = t.strip_prefix('v').unwrap_or(t);
    let minor = digits
        .strip_prefix("1.")
        .and_then(|m| m.parse::<u32>().ok())
        .ok_or_else(|| {
            format!("unknown Pod Security Standards version '{s}' (expected v1.MINOR, e.g. v1.29, or latest)")
        })?;
    Ok(minor.min(LATEST_MINOR))
}

/// `v1.MINOR`.
pub fn version_name(minor: u32) -> String {
    format!("v1.{minor}")
}

/// Every check of `level` the workload fails under the checks of
/// Kubernetes version 1.`minor` (none for `Privileged`).
pub fn violations_at(w: &Workload, level: Level, minor: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    if level == Level::Privileged {
        return out;
    }
    let restricted = level == Level::Restricted;
    let pod = &w.pod;
    let mut fail = |check: &'static str, bad: Vec<String>| {
        if !bad.is_empty() {
            out.push(Violation {
                check,
                detail: bad.join(", "),
            });
        }
    };
    fail("hostNamespaces", host_namespaces(pod));
    fail(
        "privileged",
        containers_where(pod, |c| is_true(&c.security.privileged)),
    );
    fail(
        "hostPorts",
        containers_where(pod, |c| {
            c.ports
                .iter()
                .any(|p| p.host_port.as_ref().is_some_and(|h| h.value != 0))
        }),
    );
    fail("appArmorProfile", apparmor(w));
    fail("seLinuxOptions", selinux(pod, minor));
    fail("sysctls", sysctls(pod, minor));
    fail("windowsHostProcess", windows_host_process(pod));
    if minor >= 34 {
        fail(
            "hostProbesAndHostLifecycle",
            containers_where(pod, |c| !c.probe_hosts.is_empty()),
        );
    }
    // Windows pods are exempt from some restricted checks since v1.25;
    // user-namespaced pods from the root checks since v1.35.
    let windows = pod.is_windows() && minor >= 25;
    let userns = pod.in_user_namespace() && minor >= 35;
    if !(restricted && minor >= 22) {
        fail(
            "capabilities_baseline",
            containers_where(pod, |c| {
                c.security
                    .cap_add
                    .iter()
                    .any(|a| !BASELINE_CAPABILITIES.contains(&a.value.as_str()))
            }),
        );
    }
    if !restricted {
        fail(
            "hostPathVolumes",
            pod.volumes
                .iter()
                .filter(|v| v.sources.iter().any(|s| s == "hostPath"))
                .map(|v| v.name.clone())
                .collect(),
        );
    }
    let proc_mount_overridden = restricted && minor >= 35;
    if !proc_mount_overridden && !userns {
        fail("procMount", containers_where(pod, bad_proc_mount));
    }
    if !(restricted && minor >= 19) {
        let bad = if minor >= 19 {
            pod_and_containers(pod, bad_seccomp)
        } else {
            seccomp_annotations(w)
        };
        fail("seccompProfile_baseline", bad);
    }
    if !restricted {
        return out;
    }
    fail(
        "restrictedVolumes",
        pod.volumes
            .iter()
            .filter(|v| {
                !v.sources
                    .iter()
                    .any(|s| RESTRICTED_VOLUMES.contains(&s.as_str()))
            })
            .map(|v| v.name.clone())
            .collect(),
    );
    if minor >= 35 {
        fail(
            "procMount_restricted",
            containers_where(pod, bad_proc_mount),
        );
    }
    if !windows && minor >= 8 {
        fail(
            "allowPrivilegeEscalation",
            containers_where(pod, |c| {
                c.security
                    .allow_privilege_escalation
                    .as_ref()
                    .is_none_or(|f| f.value)
            }),
        );
    }
    if !windows && minor >= 22 {
        fail(
            "capabilities_restricted",
            containers_where(pod, |c| {
                !c.security.cap_drop.iter().any(|d| d.value == "ALL")
                    || c.security
                        .cap_add
                        .iter()
                        .any(|a| a.value != "NET_BIND_SERVICE")
            }),
        );
    }
    if !windows && minor >= 19 {
        let pod_bad = bad_seccomp(&pod.security);
        let pod_set = pod.security.seccomp.is_some() && !pod_bad;
        let mut bad: Vec<String> = pod_bad.then(|| "pod".to_string()).into_iter().collect();
        bad.extend(containers_where(pod, |c| match &c.security.seccomp {
            Some(_) => bad_seccomp(&c.security),
            None => !pod_set,
        }));
        fail("seccompProfile_restricted", bad);
    }
    if !userns {
        let pod_non_root = pod.security.run_as_non_root.as_ref().map(|f| f.value);
        let mut bad: Vec<String> = (pod_non_root == Some(false))
            .then(|| "pod".to_string())
            .into_iter()
            .collect();
        bad.extend(containers_where(pod, |c| {
            match &c.security.run_as_non_root {
                Some(f) => !f.value,
                None => pod_non_root != Some(true),
            }
        }));
        fail("runAsNonRoot", bad);
    }
    if !userns && minor >= 23 {
        let root = |s: &SecurityContext| s.run_as_user.as_ref().is_some_and(|u| u.value == 0);
        fail("runAsUser", pod_and_containers(pod, root));
    }
    out
}

/// The seccomp annotations of versions before v1.19 with a value other
/// than `runtime/default`, `docker/default` or `localhost/…`.
fn seccomp_annotations(w: &Workload) -> Vec<String> {
    let valid =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut keys = vec!["seccomp.security.alpha.kubernetes.io/pod".to_string()];
    keys.extend(
        w.containers()
            .map(|c| format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name)),
    );
    w.pod_annotations
        .iter()
        .filter(|(k, v)| keys.contains(k) && !valid(v))
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect()
}

/// The capabilities a container runtime grants by default: the only ones
/// baseline lets a container add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The inline volume sources restricted allows.
const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The sysctls baseline allows, in the order versions added them (see
/// [`safe_sysctls`]).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// SELinux types baseline allows (empty is allowed too); the last since v1.31.
pub const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// The prefix of the deprecated per-container AppArmor annotations.
pub const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

fn is_true(f: &Option<crate::model::Field<bool>>) -> bool {
    f.as_ref().is_some_and(|f| f.value)
}

/// `pod` and the containers whose security context is `bad`.
fn pod_and_containers(pod: &PodSettings, bad: impl Fn(&SecurityContext) -> bool) -> Vec<String> {
    let mut out: Vec<String> = bad(&pod.security)
        .then(|| "pod".to_string())
        .into_iter()
        .collect();
    out.extend(containers_where(pod, |c| bad(&c.security)));
    out
}

fn containers_where(pod: &PodSettings, bad: impl Fn(&Container) -> bool) -> Vec<String> {
    pod.containers
        .iter()
        .filter(|c| bad(c))
        .map(|c| format!("container {:?}", c.name))
        .collect()
}

fn host_namespaces(pod: &PodSettings) -> Vec<String> {
    [
        ("hostNetwork", &pod.host_network),
        ("hostPID", &pod.host_pid),
        ("hostIPC", &pod.host_ipc),
    ]
    .into_iter()
    .filter(|(_, f)| is_true(f))
    .map(|(n, _)| format!("{n}=true"))
    .collect()
}

/// A seccomp profile type other than RuntimeDefault or Localhost is set.
pub fn bad_seccomp(s: &SecurityContext) -> bool {
    s.seccomp
        .as_ref()
        .is_some_and(|t| !matches!(t.value.as_str(), "RuntimeDefault" | "Localhost"))
}

/// An AppArmor profile type other than RuntimeDefault or Localhost is set.
pub fn bad_apparmor(s: &SecurityContext) -> bool {
    s.apparmor
        .as_ref()
        .is_some_and(|t| !matches!(t.value.as_str(), "RuntimeDefault" | "Localhost"))
}

/// An AppArmor annotation value other than empty, `runtime/default` or `localhost/…`.
pub fn bad_apparmor_annotation(value: &str) -> bool {
    !(value.is_empty() || value == "runtime/default" || value.starts_with("localhost/"))
}

fn bad_proc_mount(c: &Container) -> bool {
    c.security
        .proc_mount
        .as_ref()
        .is_some_and(|p| p.value != "Default")
}

fn apparmor(w: &Workload) -> Vec<String> {
    let pod = &w.pod;
    let mut bad = pod_and_containers(pod, bad_apparmor);
    bad.extend(
        w.pod_annotations
            .iter()
            .filter(|(k, v)| k.starts_with(APPARMOR_ANNOTATION) && bad_apparmor_annotation(v))
            .map(|(k, v)| format!("{k}={v:?}")),
    );
    bad
}

/// SELinux options a baseline pod may not set: a type outside
/// [`SELINUX_TYPES`], any user or role.
pub fn bad_selinux(s: &SecurityContext) -> bool {
    selinux_outside(s, SELINUX_TYPES)
}

fn selinux_outside(s: &SecurityContext, types: &[&str]) -> bool {
    s.selinux.as_ref().is_some_and(|o| {
        o.kind
            .as_ref()
            .is_some_and(|t| !t.value.is_empty() && !types.contains(&t.value.as_str()))
            || o.user.as_ref().is_some_and(|u| !u.value.is_empty())
            || o.role.as_ref().is_some_and(|r| !r.value.is_empty())
    })
}

/// The safe sysctls of version 1.`minor`.
fn safe_sysctls(minor: u32) -> &'static [&'static str] {
    let n = match minor {
        37.. => 14,
        32.. => 12,
        29.. => 10,
        27.. => 6,
        _ => 5,
    };
    &SAFE_SYSCTLS[..n]
}

fn selinux(pod: &PodSettings, minor: u32) -> Vec<String> {
    let types = if minor >= 31 {
        SELINUX_TYPES
    } else {
        &SELINUX_TYPES[..3]
    };
    let bad_selinux = |s: &SecurityContext| selinux_outside(s, types);
    pod_and_containers(pod, bad_selinux)
}

fn sysctls(pod: &PodSettings, minor: u32) -> Vec<String> {
    let safe = safe_sysctls(minor);
    pod.security
        .sysctls
        .iter()
        .filter(|s| !safe.contains(&s.value.as_str()))
        .map(|s| s.value.clone())
        .collect()
}

fn windows_host_process(pod: &PodSettings) -> Vec<String> {
    let mut bad: Vec<String> = is_true(&pod.security.windows_host_process)
        .then(|| "pod".to_string())
        .into_iter()
        .collect();
    bad.extend(containers_where(pod, |c| {
        is_true(&c.security.windows_host_process)
    }));
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_pod_security_admission_names_them() {
        assert_eq!(parse_version("v1.29"), Ok(29));
        assert_eq!(parse_version(" 1.8 "), Ok(8));
        assert_eq!(parse_version("latest"), Ok(LATEST_MINOR));
        // Newer than modelled: the newest checks, as the admission plugin does.
        assert_eq!(parse_version("v1.99"), Ok(LATEST_MINOR));
        for bad in ["v2.1", "1", "v1.x", "", "restricted"] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
        assert_eq!(version_name(29), "v1.29");
    }
    use crate::kubernetes::read_manifests;

    fn level(yaml: &str) -> Level {
        level_of(&read_manifests("t.yaml", yaml).unwrap().workloads[0])
    }

    #[test]
    fn levels() {
        let base = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n";
        assert_eq!(level(base), Level::Baseline);
        assert_eq!(
            level(&format!("{base}  hostPID: true\n")),
            Level::Privileged
        );
        let restricted = format!(
            "{base}    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities: {{drop: [ALL]}}\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {{type: RuntimeDefault}}\n"
        );
        assert_eq!(level(&restricted), Level::Restricted);
        assert_eq!("Restricted".parse::<Level>(), Ok(Level::Restricted));
        assert!("strict".parse::<Level>().is_err());
    }
}
