use plimsoll_practice::runtime::{DANGEROUS_CAPABILITIES, capability_name};
use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container adds a capability that amounts to (near) root on the host.
    ///
    /// `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `BPF`, `ALL` and
    /// the other capabilities of the practice table let a process escape or
    /// reconfigure the host (P-F3), whatever else is dropped. Spellings with
    /// `CAP_` and in lower case count.
    ///
    /// Fix: remove the capability from `capabilities.add`; if the workload
    /// truly needs it, isolate it on dedicated nodes and ignore the finding
    /// on that object (`plimsoll.dev/ignore`).
    pub struct DangerousCapabilities {
        code: "CFG004",
        name: "dangerous-capabilities",
        practice: "P-F3",
        severity: High,
    }
}

impl Rule for DangerousCapabilities {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for c in ctx.workload.containers() {
            for add in &c.security.cap_add {
                let name = capability_name(&add.value);
                if let Some((cap, what)) = DANGEROUS_CAPABILITIES.iter().find(|(n, _)| *n == name) {
                    out.push(
                        ctx.finding(
                            &Self::INFO,
                            Some(c),
                            &add.place(),
                            format!("adds capability {cap}: {what}"),
                        )
                        .with_help(format!("remove {cap} from `capabilities.add`")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn fires_on_dangerous_adds() {
        let y = pod(
            "  containers:\n  - name: c\n    securityContext:\n      capabilities:\n        add: [NET_BIND_SERVICE, cap_sys_admin]\n",
        );
        assert_eq!(
            run("CFG004", &y),
            "10:33 Pod/p container `c`: adds capability SYS_ADMIN: mounts, namespaces and most of root's powers\n"
        );
        let ok = pod(
            "  containers:\n  - name: c\n    securityContext:\n      capabilities: {add: [CHOWN]}\n",
        );
        assert_eq!(run("CFG004", &ok), "");
    }
}
