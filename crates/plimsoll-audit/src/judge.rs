//! The audit's judgement of a scanned image under the user's policy: the
//! one place every front end (CLI, server, admission) turns an image into
//! audit findings.

use plimsoll_oci::{Image, ImageRef, ResolveOptions};
use plimsoll_report::{Finding, Policy, PolicyError, PolicySpec, RuleRef};

use crate::{ApprovedBase, AuditContext, AuditError, AuditFacts, AuditSettings};

/// The audit's settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("{name} must be between 0 and 1, got {value}")]
    OutOfRange { name: &'static str, value: f64 },
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("reading approved base {reference}")]
    ApprovedBase {
        reference: String,
        #[source]
        source: plimsoll_oci::OciError,
    },
}

/// Every image rule as users may name it.
pub fn rule_refs() -> Vec<RuleRef<'static>> {
    crate::rules::ALL
        .iter()
        .map(|r| RuleRef::new(r.info()))
        .collect()
}

/// The audit's settings and policy, checked, with the approved bases
/// resolved before any image is read (they need only their manifests and
/// configs).
pub struct Judge {
    settings: AuditSettings,
    policy: Policy,
    /// None when no approved base was named (IMG014 then stays silent).
    bases: Option<Vec<ApprovedBase>>,
}

impl Judge {
    /// Checks the settings, resolves `policy` against the image rules and
    /// the `approved_bases` (any reference form) with `resolve`.
    pub fn new(
        settings: AuditSettings,
        policy: &PolicySpec,
        approved_bases: &[String],
        resolve: &ResolveOptions,
    ) -> Result<Judge, JudgeError> {
        for (name, value) in [
            ("min-efficiency", settings.min_efficiency),
            ("max-wasted-ratio", settings.max_wasted_ratio),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(JudgeError::OutOfRange { name, value });
            }
        }
        let policy = Policy::new(policy, &rule_refs())?;
        let mut bases = Vec::new();
        for r in approved_bases {
            let image = ImageRef::parse(r)
                .and_then(|reference| plimsoll_oci::resolve(&reference, resolve))
                .map_err(|source| JudgeError::ApprovedBase {
                    reference: r.clone(),
                    source,
                })?;
            bases.push(ApprovedBase {
                reference: format!("{r} ({})", image.id()),
                diff_ids: image.diff_ids(),
            });
        }
        Ok(Judge {
            settings,
            policy,
            bases: (!approved_bases.is_empty()).then_some(bases),
        })
    }

    /// The policy findings are judged by (its gate included).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The findings the policy keeps, with its severities, sorted as
    /// [`crate::audit`] sorts them. `reference` is how the user named the
    /// image (a digest there pins it).
    pub fn judge(
        &self,
        image: &Image,
        reference: &ImageRef,
        facts: &AuditFacts,
    ) -> Result<Vec<Finding>, AuditError> {
        let ctx = AuditContext {
            image,
            pinned_by_digest: reference.digest().is_some(),
            tree: &facts.tree,
            secrets: &facts.secrets,
            config_files: &facts.config_files,
            settings: &self.settings,
            approved_bases: self.bases.as_deref(),
        };
        Ok(self.policy.apply(crate::audit(&ctx)?))
    }
}
