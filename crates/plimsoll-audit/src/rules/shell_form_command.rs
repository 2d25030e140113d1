use plimsoll_report::{Finding, RuleInfo};

use super::shell;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// ENTRYPOINT or CMD is in shell form, so a shell is PID 1.
    ///
    /// The shell form (`CMD nginx -g 'daemon off;'`) is stored as
    /// `["/bin/sh", "-c", "…"]`: `/bin/sh` becomes PID 1 and does not forward
    /// SIGTERM to the application, so `docker stop` waits for its timeout and
    /// then kills the application without a clean shutdown.
    ///
    /// Fix: use the exec form, `CMD ["nginx", "-g", "daemon off;"]`; a wrapper
    /// script must end with `exec "$@"` or `exec the-program`.
    pub struct ShellForm {
        code: "IMG010",
        name: "shell-form-command",
        practice: "P-A2",
        severity: Medium,
    }
}

impl Rule for ShellForm {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let c = &ctx.image.config.config;
        let (field, cmd) = match &c.entrypoint {
            Some(ep) if !ep.is_empty() => ("config.Entrypoint", ep),
            _ => match &c.cmd {
                Some(cmd) => ("config.Cmd", cmd),
                None => return Ok(()),
            },
        };
        if let Some(script) = shell::script(cmd) {
            // `sh -c 'exec prog'` hands PID 1 over: that is fine.
            if script.trim_start().starts_with("exec ") {
                return Ok(());
            }
            out.push(
                Finding::new(
                    &Self::INFO,
                    format!("{field} runs through a shell (`{} -c {script}`)", cmd[0]),
                )
                .at_field(field)
                .with_help("use the exec form: [\"program\", \"arg\", …]"),
            );
        }
        Ok(())
    }
}
