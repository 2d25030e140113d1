use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// The pod shares the host's network, PID or IPC namespace.
    ///
    /// `hostNetwork` puts the pod on the host's interfaces (it can bind any
    /// host port and reach services listening on localhost), `hostPID` lets
    /// it see and signal every host process, `hostIPC` share the host's
    /// memory segments (P-F2).
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
        for (name, f) in [
            ("hostNetwork", &pod.host_network),
            ("hostPID", &pod.host_pid),
            ("hostIPC", &pod.host_ipc),
        ] {
            if let Some(f) = f.as_ref().filter(|f| f.value) {
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        None,
                        &f.place(),
                        format!("shares the host's namespace: `{name}: true`"),
                    )
                    .with_help(format!("remove `{name}`")),
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
