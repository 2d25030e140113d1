use plimsoll_practice::services::{env_mark, label_mark, message};
use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// An injected environment service's marks in an image built for an environment that gets no services.
    ///
    /// Test agents, coverage and debuggers belong to the environments that
    /// ask for them, added by `plimsoll dockerfile inject --env test` as a
    /// stage on top of the production image (P-I1). A production image that
    /// carries one — the `io.plimsoll.services.injected` or
    /// `io.plimsoll.service.<name>.source` label in its config, or a
    /// `-javaagent` in `JAVA_TOOL_OPTIONS`, `JDK_JAVA_OPTIONS` or
    /// `_JAVA_OPTIONS` — runs code nobody meant to ship: an agent that
    /// writes files, opens ports or slows every request. The same marks as
    /// the Dockerfile rule DF053 (judged in one place,
    /// `plimsoll_practice::services`), read from the built image's config.
    /// Active only for an environment no `[[services]]` entry of
    /// plimsoll.toml lists: stated with `plimsoll image audit --env prod`,
    /// or read from the image's own label named by `[environments] label`
    /// (e.g. `com.example.environment=prod`).
    ///
    /// Fix: build and ship the production image from the Dockerfile as
    /// written (or `--target` the original final stage, which `inject`
    /// leaves unchanged), not from the injected Dockerfile.
    pub struct InjectedServiceInProduction {
        code: "IMG017",
        name: "injected-service-in-production",
        practice: "P-I1",
        severity: High,
    }
}

impl Rule for InjectedServiceInProduction {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let config = &ctx.image.config.config;
        let environment = &ctx.settings.environment;
        let labelled = environment
            .label
            .as_ref()
            .and_then(|key| config.labels.get(key))
            .map(String::as_str);
        let Some(env) = environment.service_free(labelled) else {
            return Ok(());
        };
        let help = "ship this environment the image built from the Dockerfile as written \
                    (or --target the original final stage), not the injected one";
        for kv in &config.env {
            let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            if let Some(mark) = env_mark(k, v) {
                out.push(
                    Finding::new(&Self::INFO, message(&mark, "an image", env))
                        .at_field(format!("config.Env[{k}]"))
                        .with_help(help),
                );
            }
        }
        for (k, v) in &config.labels {
            if let Some(mark) = label_mark(k, v) {
                out.push(
                    Finding::new(&Self::INFO, message(&mark, "an image", env))
                        .at_field(format!("config.Labels[{k}]"))
                        .with_help(help),
                );
            }
        }
        Ok(())
    }
}
