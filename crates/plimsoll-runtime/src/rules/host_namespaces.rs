use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// The pod shares the host's network, PID or IPC namespace.
    ///
    /// `hostNetwork` puts the pod on the host's interfaces (it can bind any
    /// host port and reach services listening on localhost), `hostPID` lets
    /// it see and signal every host process, `hostIPC` share the host's
    /// memory segments (P-F2). For Docker (Compose `network_mode`, `pid`,
    /// `ipc`, `uts`, `userns_mode`; `docker run --net`, `--pid`, `--ipc`,
    /// `--uts`, `--userns`) the value `host` counts, and `uts: host` and
    /// `userns_mode: host` (which turns off user-namespace remapping) too.
    ///
    /// Fix: remove `hostNetwork`, `hostPID` and `hostIPC`; publish ports
    /// through a Service.
    pub struct HostNamespaces {
        code: "CFG002",
        name: "host-namespaces",
        practice: "P-F2",
        severity: High,
    }
}

impl Rule for HostNamespaces {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let pod = &ctx.workload.pod;
        let docker = ctx.workload.platform.is_docker();
        // Docker only: `uts: host`, and `userns_mode: host`, which turns off
        // the daemon's user-namespace remapping (Kubernetes' `hostUsers`
        // defaults to true and is not a finding).
        let (uts, users) = if docker {
            (&pod.host_uts, &pod.host_users)
        } else {
            (&None, &None)
        };
        for (name, docker_name, f) in [
            ("hostNetwork: true", "network_mode: host", &pod.host_network),
            ("hostPID: true", "pid: host", &pod.host_pid),
            ("hostIPC: true", "ipc: host", &pod.host_ipc),
            ("", "uts: host", uts),
            ("", "userns_mode: host", users),
        ] {
            if let Some(f) = f.as_ref().filter(|f| f.value) {
                let name = if docker { docker_name } else { name };
                let key = name.split(':').next().unwrap_or(name);
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        None,
                        &f.place(),
                        format!("shares the host's namespace: `{name}`"),
                    )
                    .with_help(format!("remove `{key}`")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn fires_per_namespace() {
        let y = pod("  hostNetwork: true\n  hostPID: false\n  hostIPC: true\n  containers: []\n");
        assert_eq!(
            run("CFG002", &y),
            "6:16 Pod/p: shares the host's namespace: `hostNetwork: true`\n8:12 Pod/p: shares the host's namespace: `hostIPC: true`\n"
        );
        assert_eq!(run("CFG002", &pod("  containers: []\n")), "");
    }
}
