use plimsoll_engine::EntryKind;
use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// A file in the image has the setuid or setgid bit.
    ///
    /// A setuid (or setgid) executable runs with its owner's (or group's)
    /// rights whatever user starts it: a bug in it, or a way to make it run
    /// other code, turns an unprivileged process into root. Containers rarely
    /// need any; base distributions ship several (su, passwd, mount).
    ///
    /// Fix: remove the bits in the Dockerfile, e.g.
    /// `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`, or ignore
    /// the paths you need in plimsoll.toml.
    pub struct Setuid {
        code: "IMG002",
        name: "setuid-setgid-file",
        practice: "P-C5",
        severity: Medium,
    }
}

impl Rule for Setuid {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        for (path, node) in &ctx.tree.files {
            if node.kind != EntryKind::File || node.mode & 0o6000 == 0 {
                continue;
            }
            let bits = match (node.mode & 0o4000 != 0, node.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            let owner = if node.mode & 0o4000 != 0 {
                format!("uid {}", node.uid)
            } else {
                format!("gid {}", node.gid)
            };
            out.push(
                Finding::new(
                    &Self::INFO,
                    format!(
                        "/{path} is {bits} (mode {:04o}, runs as {owner})",
                        node.mode
                    ),
                )
                .at_path(format!("/{path}"))
                .in_layer(node.layer(), ctx.layer_digest(node.layer()))
                .with_help("drop the bit with `chmod a-s` in the layer that adds the file"),
            );
        }
        Ok(())
    }
}
