use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The container runs as root.
    ///
    /// The image's config sets no `User`, or sets it to `root`, `0` or a name
    /// that resolves to uid 0 in the image's /etc/passwd. A process running as
    /// root inside the container is root on the host if it escapes the
    /// container, and can change every file of the image at run time.
    ///
    /// Fix: create an unprivileged user in the Dockerfile and switch to it,
    /// preferably by number so runtimes can verify it without reading
    /// /etc/passwd: `RUN useradd -r -u 10001 app` then `USER 10001`.
    pub struct RunsAsRoot {
        code: "IMG001",
        name: "runs-as-root",
        practice: "P-C3",
        severity: High,
    }
}

impl Rule for RunsAsRoot {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let user = ctx.runtime_user();
        if user.is_root() {
            let what = if user.spec.is_empty() {
                "no User is set, so the container runs as root".to_string()
            } else {
                format!("User '{}' is root (uid 0)", user.spec)
            };
            out.push(
                Finding::new(&Self::INFO, what)
                    .at_field("config.User")
                    .with_help("add a non-root user and `USER <uid>` (numeric) to the final stage"),
            );
        } else if user.is_unresolved() {
            out.push(
                Finding::new(
                    &Self::INFO,
                    format!(
                        "User '{}' is not in the image's /etc/passwd (missing or not a regular file), so it cannot be shown not to be root",
                        user.spec
                    ),
                )
                .at_field("config.User")
                .with_help("use a numeric `USER <uid>` so no lookup is needed"),
            );
        }
        Ok(())
    }
}
