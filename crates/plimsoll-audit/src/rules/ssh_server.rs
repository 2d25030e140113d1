use plimsoll_practice::tools::SSH_SERVERS;
use plimsoll_report::{Finding, RuleInfo};

use super::programs;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The image contains an SSH server.
    ///
    /// An sshd inside a container is a second way in, with its own keys,
    /// users and vulnerabilities, and a second process to supervise.
    /// `docker exec` and `kubectl exec` already give operators a shell.
    ///
    /// Fix: do not install openssh-server (or dropbear); use exec/attach.
    pub struct Sshd {
        code: "IMG006",
        name: "ssh-server",
        practice: "P-F7",
        severity: High,
    }
}

impl Rule for Sshd {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        if let Some(path) = SSH_SERVERS
            .iter()
            .find_map(|t| programs::find(ctx.tree, t.binaries))
        {
            out.push(
                Finding::new(&Self::INFO, format!("SSH server installed at {path}"))
                    .at_path(path)
                    .with_help("remove openssh-server/dropbear; use docker exec or kubectl exec"),
            );
        }
        Ok(())
    }
}
