use plimsoll_report::{Finding, RuleInfo};

use super::shell;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The container downloads and runs code when it starts.
    ///
    /// An ENTRYPOINT or CMD that fetches a script and pipes it into an
    /// interpreter makes the image mutable: what runs depends on a server at
    /// start-up time, not on what was scanned and signed.
    ///
    /// Fix: put everything the container runs into the image at build time.
    pub struct StartupDownload {
        code: "IMG016",
        name: "download-at-startup",
        practice: "P-C7",
        severity: High,
    }
}

impl Rule for StartupDownload {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let cmd = ctx.command().join(" ");
        if shell::pipes_download_to_interpreter(&cmd) {
            out.push(
                Finding::new(
                    &Self::INFO,
                    format!("the start command downloads and runs code: `{cmd}`"),
                )
                .at_field("config.Entrypoint")
                .with_help("bake the code into the image at build time"),
            );
        }
        Ok(())
    }
}
