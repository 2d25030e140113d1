use plimsoll_practice::runtime::sensitive_host_path;
use plimsoll_report::{Finding, Severity};

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A hostPath volume exposes a sensitive host path or a runtime socket.
    ///
    /// Mounting `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`, `/sys`, `/usr`,
    /// the kubelet's or the runtime's state, or a container runtime's socket
    /// (`/var/run/docker.sock`, containerd, CRI-O, cri-dockerd, podman; or a
    /// directory holding one, such as `/var/run`) hands the container the
    /// host (P-F6). The table is `plimsoll_practice::runtime`. A runtime
    /// socket is critical, read-only or not (a read-only mount still lets
    /// the process connect); any other path mounted read-only by every
    /// container that mounts it is medium ("if unavoidable, read-only").
    ///
    /// Fix: remove the hostPath volume; give the workload what it needs
    /// through the API, a ConfigMap or a CSI driver.
    pub struct SensitiveHostMount {
        code: "CFG008",
        name: "sensitive-host-mount",
        practice: "P-F6",
        severity: High,
    }
}

impl Rule for SensitiveHostMount {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let w = ctx.workload;
        for v in &w.pod.volumes {
            let Some(path) = &v.host_path else { continue };
            let Some(entry) = sensitive_host_path(&path.value) else {
                continue;
            };
            let mounts: Vec<_> = w
                .containers()
                .flat_map(|c| c.mounts.iter().map(move |m| (c, m)))
                .filter(|(_, m)| m.volume == v.name)
                .collect();
            let read_only = !mounts.is_empty() && mounts.iter().all(|(_, m)| m.read_only);
            let severity = if entry.runtime_socket {
                Severity::Critical
            } else if read_only {
                Severity::Medium
            } else {
                Severity::High
            };
            let by: Vec<String> = mounts
                .iter()
                .map(|(c, m)| format!("{} at {}", c.label(), m.mount_path))
                .collect();
            let by = if by.is_empty() {
                "no container mounts it yet".to_string()
            } else {
                format!("mounted by {}", by.join(", "))
            };
            out.push(
                ctx.finding(
                    &Self::INFO,
                    None,
                    &path.place(),
                    format!(
                        "volume `{}` mounts host path `{}` ({}); {by}{}",
                        v.name,
                        path.value,
                        entry.why,
                        if read_only { ", read-only" } else { "" }
                    ),
                )
                .with_severity(severity)
                .with_help(ctx.say(
                    "remove the hostPath volume; use the API, a ConfigMap or a CSI driver instead",
                    "remove the bind mount (or device); use a named volume, a config or a secret instead",
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn sockets_and_system_paths() {
        let y = pod(
            "  volumes:\n  - name: s\n    hostPath: {path: /var/run/docker.sock}\n  - name: e\n    hostPath:\n      path: /etc\n  - name: d\n    hostPath: {path: /data}\n  containers:\n  - name: c\n    volumeMounts:\n    - {name: e, mountPath: /host/etc, readOnly: true}\n",
        );
        assert_eq!(
            run("CFG008", &y),
            "8:22 Pod/p: volume `s` mounts host path `/var/run/docker.sock` (a container runtime's API: control of every container on the host); no container mounts it yet\n11:13 Pod/p: volume `e` mounts host path `/etc` (the host's configuration, users and credentials); mounted by container `c` at /host/etc, read-only\n"
        );
        let m = crate::kubernetes::read_manifests("t.yaml", &y).unwrap();
        let f = crate::audit(&m.workloads, &Default::default());
        let sev: Vec<_> = f
            .iter()
            .filter(|f| f.code == "CFG008")
            .map(|f| f.severity.as_str())
            .collect();
        assert_eq!(sev, ["critical", "medium"]);
    }
}
