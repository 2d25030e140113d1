use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// The image is referenced by `latest`, another release channel, or no tag.
    ///
    /// `latest` (and a missing tag, which means `latest`) moves with every
    /// push, and so do channel tags (`stable`, `lts`, `edge`…, the table
    /// shared with DF051 and CFG016 in `plimsoll_practice::tags`): what was
    /// scanned is not what runs tomorrow. Tags `X.Y.Z` or a
    /// git commit SHA are meant to stay put; only a digest is an identity
    /// (P-D1). The report always shows the digest to pin.
    ///
    /// Fix: deploy `repo@sha256:…`, or at least an immutable version tag.
    pub struct MovingTag {
        code: "IMG015",
        name: "moving-tag",
        practice: "P-D2",
        severity: Medium,
    }
}

impl Rule for MovingTag {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        if ctx.pinned_by_digest {
            return Ok(());
        }
        let msg = match ctx.image.tag.as_deref() {
            None => "the image has no tag (a missing tag means `latest`)".to_string(),
            Some("latest") => {
                "the image is tagged `latest`, which moves with every push".to_string()
            }
            Some(t) => match plimsoll_practice::tags::channel_tag(t) {
                Some(w) => {
                    format!("the image is tagged `{t}`: `{w}` is a release channel, it moves")
                }
                None => return Ok(()),
            },
        };
        out.push(
            Finding::new(&Self::INFO, format!("{msg}; pin {}", ctx.image.id()))
                .at_field("reference")
                .with_help("reference the image by digest or an immutable version tag"),
        );
        Ok(())
    }
}
