use plimsoll_report::Finding;

use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container is published on a privileged host port (below 1024).
    ///
    /// Host ports below 1024 are the host's own services' (SSH, DNS, HTTP):
    /// a container there can impersonate them, and binding one needs
    /// privilege on the host (P-F8). With `hostNetwork: true` every
    /// container port is a host port, so container ports below 1024 count
    /// too.
    ///
    /// Fix: publish through a Service (or a host port of 1024 or more).
    pub struct PrivilegedHostPort {
        code: "CFG010",
        name: "privileged-host-port",
        practice: "P-F8",
        severity: High,
    }
}

impl Rule for PrivilegedHostPort {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let host_network = ctx
            .workload
            .pod
            .host_network
            .as_ref()
            .is_some_and(|h| h.value);
        for c in ctx.workload.containers() {
            for p in &c.ports {
                let port = match (&p.host_port, &p.container_port) {
                    (Some(h), _) if h.value != 0 => h,
                    (_, Some(cp)) if host_network => cp,
                    _ => continue,
                };
                if (1..1024).contains(&port.value) {
                    out.push(
                        ctx.finding(
                            &Self::INFO,
                            Some(c),
                            &port.place(),
                            format!("uses privileged host port {}", port.value),
                        )
                        .with_help(ctx.say(
                            "publish through a Service, or use a host port of 1024 or more",
                            "publish on a host port of 1024 or more (e.g. `8080:80`)",
                        )),
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
    fn host_ports_and_host_network() {
        let y = pod(
            "  containers:\n  - name: c\n    ports:\n    - {containerPort: 80, hostPort: 80}\n    - {containerPort: 81, hostPort: 8080}\n    - {containerPort: 82}\n",
        );
        assert_eq!(
            run("CFG010", &y),
            "9:37 Pod/p container `c`: uses privileged host port 80\n"
        );
        let h = pod(
            "  hostNetwork: true\n  containers:\n  - name: c\n    ports: [{containerPort: 443}]\n",
        );
        assert_eq!(
            run("CFG010", &h),
            "9:29 Pod/p container `c`: uses privileged host port 443\n"
        );
    }
}
