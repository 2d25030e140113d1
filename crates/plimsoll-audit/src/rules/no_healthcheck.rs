use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The image defines no HEALTHCHECK.
    ///
    /// Without a health check the runtime only knows whether the process
    /// exists, not whether it serves; a hung application is never restarted,
    /// and restart policies (bounded restarts, P-F9) have nothing to act on.
    /// Kubernetes ignores HEALTHCHECK and uses probes: ignore this rule in
    /// plimsoll.toml for images that only run there.
    ///
    /// Fix: `HEALTHCHECK CMD ["/app/healthcheck"]` (exec form, a static
    /// probe binary rather than curl in the image).
    pub struct NoHealthcheck {
        code: "IMG012",
        name: "no-healthcheck",
        practice: "P-F9",
        severity: Low,
    }
}

impl Rule for NoHealthcheck {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let hc = ctx.image.config.config.healthcheck.as_ref();
        let disabled = hc.is_some_and(|h| h.test.first().map(String::as_str) == Some("NONE"));
        if hc.is_none_or(|h| h.test.is_empty()) || disabled {
            out.push(
                Finding::new(
                    &Self::INFO,
                    if disabled {
                        "HEALTHCHECK is disabled (NONE)"
                    } else {
                        "no HEALTHCHECK is defined"
                    },
                )
                .at_field("config.Healthcheck")
                .with_help("add HEALTHCHECK CMD [\"…\"] or rely on orchestrator probes"),
            );
        }
        Ok(())
    }
}
