use plimsoll_report::{Finding, RuleInfo};

use crate::analyzers::shared_scanner;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The image config carries a secret in an environment variable, a
    /// label or the build history.
    ///
    /// `ENV`, `LABEL` and the command lines recorded in history (including
    /// `ARG` values used by `RUN`) are readable by anyone with the image:
    /// `docker inspect` and `docker history` print them.
    ///
    /// Fix: pass secrets at run time (orchestrator secrets, mounted files)
    /// and at build time with `RUN --mount=type=secret`; rotate the secret.
    pub struct SecretsInConfig {
        code: "IMG004",
        name: "secret-in-config",
        practice: "P-C6",
        severity: Critical,
    }
}

impl Rule for SecretsInConfig {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let scanner = shared_scanner();
        let cfg = &ctx.image.config;
        for kv in &cfg.config.env {
            let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            for hit in scanner.scan_key_value(k, v) {
                out.push(
                    Finding::new(
                        &Self::INFO,
                        format!("{} in ENV {k} ({})", hit.description, hit.redacted),
                    )
                    .at_field(format!("config.Env[{k}]")),
                );
            }
        }
        for (k, v) in &cfg.config.labels {
            for hit in scanner.scan_key_value(k, v) {
                out.push(
                    Finding::new(
                        &Self::INFO,
                        format!("{} in label {k} ({})", hit.description, hit.redacted),
                    )
                    .at_field(format!("config.Labels[{k}]")),
                );
            }
        }
        for (i, h) in cfg.history.iter().enumerate() {
            let Some(text) = &h.created_by else { continue };
            for hit in scanner.scan_text(text) {
                out.push(
                    Finding::new(
                        &Self::INFO,
                        format!(
                            "{} in build history step {i} ({})",
                            hit.description, hit.redacted
                        ),
                    )
                    .at_field(format!("history[{i}].created_by")),
                );
            }
        }
        Ok(())
    }
}
