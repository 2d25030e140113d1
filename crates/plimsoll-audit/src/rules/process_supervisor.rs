use plimsoll_practice::supervisors::{INIT_SYSTEMS, SMALL_INITS, SUPERVISORS};
use plimsoll_report::{Finding, RuleInfo};

use super::shell;
use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The container starts a process supervisor or several programs.
    ///
    /// A container and its application share one life cycle: the runtime
    /// restarts and scales containers, so a supervisor (supervisord, s6,
    /// runit, systemd) inside hides crashes from it, and background jobs
    /// (`a & b`, `service x start && y`) die unnoticed.
    ///
    /// Fix: one process per container; split the programs into containers
    /// of one pod or compose project. For zombie reaping use a small init
    /// (tini, dumb-init, `--init`), which this rule accepts; the program it
    /// starts is judged as the command.
    pub struct Supervisor {
        code: "IMG011",
        name: "process-supervisor",
        practice: "P-A1",
        severity: Medium,
    }
}

impl Rule for Supervisor {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let cmd = past_small_init(ctx.command());
        let Some(first) = cmd.first() else {
            return Ok(());
        };
        let base = first.rsplit('/').next().unwrap_or(first);
        // `init` by any path: SysV init, systemd as /sbin/init, s6-overlay's /init.
        if SUPERVISORS.contains(&base) || INIT_SYSTEMS.contains(&first.as_str()) || base == "init" {
            out.push(
                Finding::new(
                    &Self::INFO,
                    format!("the container starts the supervisor {first}"),
                )
                .at_field("config.Entrypoint")
                .with_help("run one application per container"),
            );
            return Ok(());
        }
        if let Some(script) = shell::script(&cmd) {
            static BG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
            // A `&` after `>` or `<` is a redirect (`2>&1`, `<&0`), after `|`
            // a pipe (`|&`): neither starts a job.
            let bg = BG.get_or_init(|| {
                regex::Regex::new(
                    r"(^|[^&<>|])&($|[^&>])|\bservice\s+\S+\s+start\b|\bsupervisord\b",
                )
                .expect("valid regex")
            });
            if bg.is_match(script) {
                out.push(
                    Finding::new(
                        &Self::INFO,
                        format!(
                            "the command starts several programs or background jobs: `{script}`"
                        ),
                    )
                    .at_field("config.Cmd")
                    .with_help("run one application per container"),
                );
            }
        }
        Ok(())
    }
}

/// The command a small init (tini, dumb-init…) starts: its own options and
/// `--` skipped, so `tini -- supervisord` is judged as `supervisord`.
fn past_small_init(cmd: Vec<String>) -> Vec<String> {
    let is_init = |w: &String| SMALL_INITS.contains(&w.rsplit('/').next().unwrap_or(w));
    if !cmd.first().is_some_and(is_init) {
        return cmd;
    }
    let mut rest = cmd.into_iter().skip(1).peekable();
    while let Some(w) = rest.next_if(|w| w.starts_with('-')) {
        if w == "--" {
            break;
        }
    }
    rest.collect()
}
