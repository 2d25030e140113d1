//! Run-time configuration audit (`plimsoll config audit`): how containers
//! are run, judged against the P-F practices (and P-D1, P-D2, P-D5 for the
//! images they run), one front per input format over one model.
//!
//! - [`yaml`]: YAML/JSON with line and column on every node;
//! - [`model`]: the normalised [`Workload`] and [`Container`]s every rule reads;
//! - [`kubernetes`]: manifests into the model;
//! - [`compose`]: Compose files into the model (one workload per service);
//! - [`docker_run`]: `docker run` command lines into the model;
//! - [`inline`]: `# plimsoll ignore=…` comments in YAML;
//! - [`rules`]: one rule per file (`CFG001`…), registered in [`rules::ALL`];
//! - [`pss`]: the Kubernetes Pod Security Standards level a pod meets.
//!
//! The admission webhook is a later front over the same model and rules.

pub mod compose;
pub mod docker_run;
pub mod files;
pub mod inline;
pub mod kubernetes;
pub mod model;
pub mod pss;
mod rule;
pub mod rules;
pub mod yaml;

pub use model::{Container, ContainerKind, Field, Place, Workload};
pub use rule::{AuditOptions, ImageUser, Rule, RuleContext, declare_rule, finding_at};

use plimsoll_report::{Finding, RuleInfo, RuleRef, names_rule};

/// Every rule's registration, in code order.
pub fn rule_infos() -> Vec<RuleInfo> {
    rules::ALL.iter().map(|r| *r.info()).collect()
}

/// Every rule, as users may name it (for a [`plimsoll_report::Policy`]).
pub fn rule_refs() -> Vec<RuleRef<'static>> {
    rules::ALL.iter().map(|r| RuleRef::new(r.info())).collect()
}

/// Runs every rule on every workload, leaving out what a workload's
/// `plimsoll.dev/ignore` annotation names. Findings are in workload order,
/// then by position.
pub fn audit(workloads: &[Workload], options: &AuditOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in workloads {
        let ctx = RuleContext {
            workload: w,
            options,
        };
        let mut found = Vec::new();
        for rule in rules::ALL {
            let info = rule.info();
            if w.ignore.iter().any(|word| names_rule(word, info, &[])) {
                continue;
            }
            rule.check(&ctx, &mut found);
        }
        found.sort_by_key(|f| (f.location.line, f.location.column));
        out.extend(found);
    }
    out
}
