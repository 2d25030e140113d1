use plimsoll_report::{Finding, RuleInfo};

use super::shell;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The build history pipes a download straight into a shell.
    ///
    /// `curl … | sh` runs whatever the server sends at that moment, unchecked:
    /// a compromised or spoofed server, or a truncated download, ends up as
    /// root code in the image. The history of the built image records each
    /// RUN line, so the audit sees it even without the Dockerfile.
    ///
    /// Fix: download to a file, verify a pinned checksum or signature, then
    /// run it: `curl -fsSLo x.sh URL && echo "SHA  x.sh" | sha256sum -c && sh x.sh`.
    pub struct CurlPipeShell {
        code: "IMG013",
        name: "download-piped-to-shell",
        practice: "P-C8",
        severity: High,
    }
}

impl Rule for CurlPipeShell {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        for (i, h) in ctx.image.config.history.iter().enumerate() {
            let Some(text) = &h.created_by else { continue };
            if shell::pipes_download_to_interpreter(text) {
                let short: String = text.chars().take(160).collect();
                out.push(
                    Finding::new(
                        &Self::INFO,
                        format!("build step {i} pipes a download into an interpreter: `{short}`"),
                    )
                    .at_field(format!("history[{i}].created_by"))
                    .with_help("download, verify a pinned checksum, then execute"),
                );
            }
        }
        Ok(())
    }
}
