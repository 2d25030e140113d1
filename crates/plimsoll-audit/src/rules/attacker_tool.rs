use plimsoll_practice::tools::{ATTACKER_TOOLS, COMPILERS};
use plimsoll_report::{Finding, RuleInfo};

use super::programs;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The final image contains tools that help an attacker: netcat, socat,
    /// network scanners, packet sniffers, telnet, debuggers, compilers or
    /// sudo (the tables of `plimsoll-practice`, shared with the Dockerfile
    /// rules).
    ///
    /// A shell in a compromised container is worth more with a reverse-shell
    /// helper (netcat, socat), a network scanner, a debugger to attach to
    /// other processes, a compiler to build exploits on the spot, or sudo.
    /// None of them is needed to run an application.
    ///
    /// Fix: build in one stage and copy only the artifact into a small final
    /// stage (multi-stage builds, P-B4); purge build tools in the same RUN
    /// that installed them.
    pub struct AttackerTools {
        code: "IMG005",
        name: "attacker-tool",
        practice: "P-C2",
        severity: Medium,
    }
}

impl Rule for AttackerTools {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        for t in ATTACKER_TOOLS.iter().chain(COMPILERS) {
            let (tool, what) = (t.name, t.what);
            if let Some(path) = programs::find(ctx.tree, t.binaries) {
                let layer = ctx.tree.files.get(&path[1..]).map(|n| n.layer());
                let mut f = Finding::new(
                    &Self::INFO,
                    format!("{tool} ({what}) is installed at {path}"),
                )
                .at_path(path)
                .with_help("remove it from the final stage (multi-stage build)");
                if let Some(l) = layer {
                    f = f.in_layer(l, ctx.layer_digest(l));
                }
                out.push(f);
            }
        }
        Ok(())
    }
}
