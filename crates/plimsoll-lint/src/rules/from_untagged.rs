use super::from_images;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// FROM an image without a tag or digest.
    ///
    /// `FROM debian` means `debian:latest`: whatever the registry calls
    /// latest on the day of the build, a tag that moves (P-D2). Builds are not
    /// reproducible and a new major release can arrive unannounced.
    /// `scratch`, earlier stages and references made of build arguments that
    /// cannot be resolved are not flagged.
    ///
    /// Fix: name a version, `FROM debian:12.7-slim`, or a digest.
    pub struct FromUntagged {
        code: "DF008",
        name: "from-untagged",
        practice: "P-D2",
        hadolint: Some("DL3006"),
        severity: Medium,
    }
}

impl Rule for FromUntagged {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (stage, image) in from_images(ctx) {
            let r = plimsoll_oci::NameRef::parse(&image);
            if r.tag.is_none() && r.digest.is_none() {
                out.push(
                    hit(
                        &Self::RULE,
                        stage.from,
                        stage.span.line,
                        format!("FROM `{image}` has no tag: it means `{image}:latest`"),
                    )
                    .help("pin a version tag (e.g. `:1.2.3`) or a digest (`@sha256:…`)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "ARG BASE=debian\nFROM ${BASE} AS a\nFROM a\nFROM scratch\nFROM registry:5000/app\nFROM ${UNKNOWN}\nFROM alpine@sha256:abc\n";
        assert_eq!(
            run("DF008", src),
            "2: FROM `debian` has no tag: it means `debian:latest`\n5: FROM `registry:5000/app` has no tag: it means `registry:5000/app:latest`\n"
        );
    }
}
