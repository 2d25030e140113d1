use plimsoll_engine::EntryKind;
use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// A program in a PATH directory is not owned by root, or the runtime
    /// user can write it or its directory.
    ///
    /// If the user the container runs as can replace a binary on the PATH,
    /// any code running as that user can plant a trojan that the next
    /// `exec` or health check runs. Application binaries and scripts belong
    /// to root and are read+execute for the runtime user.
    ///
    /// Fix: `COPY --chown=root:root --chmod=755`, and never `chmod 777`;
    /// keep writable data in a separate directory outside PATH.
    pub struct PathBinaries {
        code: "IMG007",
        name: "writable-path-binary",
        practice: "P-C4",
        severity: High,
    }
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Rule for PathBinaries {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let user = ctx.runtime_user();
        let path_var = ctx
            .image
            .config
            .config
            .env_var("PATH")
            .unwrap_or(DEFAULT_PATH);
        let writable = |mode: u16, uid: u32, gid: u32| {
            mode & 0o002 != 0
                || (!user.is_root() && user.uid == Some(u64::from(uid)) && mode & 0o200 != 0)
                || (!user.is_root() && user.gid == Some(u64::from(gid)) && mode & 0o020 != 0)
        };
        let mut seen_dirs = Vec::new();
        for dir in path_var.split(':').filter(|d| d.starts_with('/')) {
            let resolved = ctx
                .tree
                .resolve(dir)
                .map_err(|source| AuditError::SymlinkLoop {
                    image: ctx.image.reference.to_string(),
                    source,
                })?;
            let Some((real, node)) = resolved else {
                continue;
            };
            if node.kind != EntryKind::Dir || seen_dirs.contains(&real) {
                continue;
            }
            seen_dirs.push(real.clone());
            if writable(node.mode, node.uid, node.gid) {
                out.push(
                    Finding::new(
                        &Self::INFO,
                        format!(
                            "PATH directory {dir} (mode {:04o}, uid {}) is writable by the runtime user",
                            node.mode, node.uid
                        ),
                    )
                    .at_path(format!("/{real}"))
                    .in_layer(node.layer(), ctx.layer_digest(node.layer())),
                );
            }
            let prefix = format!("{real}/");
            for (path, f) in ctx.tree.files.range_from(&prefix) {
                if !path.starts_with(&prefix) {
                    break;
                }
                if path[prefix.len()..].contains('/') || f.kind != EntryKind::File {
                    continue;
                }
                let why = if f.uid != 0 {
                    Some(format!("is owned by uid {}, not root", f.uid))
                } else if writable(f.mode, f.uid, f.gid) {
                    Some(format!(
                        "is writable by the runtime user (mode {:04o})",
                        f.mode
                    ))
                } else {
                    None
                };
                if let Some(why) = why {
                    out.push(
                        Finding::new(&Self::INFO, format!("/{path} {why}"))
                            .at_path(format!("/{path}"))
                            .in_layer(f.layer(), ctx.layer_digest(f.layer()))
                            .with_help("install binaries as root:root with mode 0755"),
                    );
                }
            }
        }
        Ok(())
    }
}
