use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The image is not built on an approved base image.
    ///
    /// Checked by layers, not by names: the image's layer list (uncompressed
    /// digests, so recompression does not matter) must begin with the
    /// complete layer list of one of the bases given with `--approved-base`
    /// or `approved_bases` in plimsoll.toml. A name in a Dockerfile can lie;
    /// layer digests cannot. Only runs when approved bases are configured.
    ///
    /// Fix: rebuild `FROM` one of the approved bases (at the digest the
    /// platform team publishes).
    pub struct ApprovedBaseLineage {
        code: "IMG014",
        name: "unapproved-base",
        practice: "P-D3",
        severity: High,
    }
}

impl Rule for ApprovedBaseLineage {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let Some(bases) = ctx.approved_bases else {
            return Ok(());
        };
        let ours = ctx.image.diff_ids();
        if bases
            .iter()
            .any(|b| !b.diff_ids.is_empty() && ours.starts_with(&b.diff_ids))
        {
            return Ok(());
        }
        let closest: Vec<String> = bases
            .iter()
            .map(|b| {
                let shared = ours
                    .iter()
                    .zip(&b.diff_ids)
                    .take_while(|(a, b)| a == b)
                    .count();
                format!(
                    "{} ({shared} of its {} layers match)",
                    b.reference,
                    b.diff_ids.len()
                )
            })
            .collect();
        out.push(
            Finding::new(
                &Self::INFO,
                format!(
                    "the image's layers do not start with any approved base: {}",
                    closest.join(", ")
                ),
            )
            .at_field("rootfs.diff_ids")
            .with_help("rebuild FROM an approved base image"),
        );
        Ok(())
    }
}
