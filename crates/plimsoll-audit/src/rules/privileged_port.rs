use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The image exposes a port below 1024.
    ///
    /// Binding a port below 1024 needs root or `CAP_NET_BIND_SERVICE`, so an
    /// image that listens there pushes operators towards running it with
    /// privileges, and mapping it to the same host port needs them on the
    /// host too.
    ///
    /// Fix: listen on an unprivileged port (8080, 8443) and map it.
    pub struct PrivilegedPort {
        code: "IMG009",
        name: "privileged-port",
        practice: "P-F8",
        severity: Low,
    }
}

impl Rule for PrivilegedPort {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        for spec in ctx.image.config.config.exposed_ports.keys() {
            let port = spec.split('/').next().unwrap_or(spec);
            if let Ok(p) = port.parse::<u32>()
                && p < 1024
            {
                out.push(
                    Finding::new(&Self::INFO, format!("exposes privileged port {spec}"))
                        .at_field(format!("config.ExposedPorts[{spec}]"))
                        .with_help("listen on a port ≥ 1024 and map it at run time"),
                );
            }
        }
        Ok(())
    }
}
