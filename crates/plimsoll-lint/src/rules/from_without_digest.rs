use super::from_images;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// FROM an image without a digest (opt-in).
    ///
    /// A tag can be moved to other content at any time; only the manifest
    /// digest identifies an image (P-D1). Pinning `FROM image:tag@sha256:…`
    /// makes builds reproducible and ties scans and approvals to what was
    /// built. Off by default: pinning needs a bot (Renovate, Dependabot) to
    /// keep the digests current, which not every team runs; enable it with
    /// the rule's code or name.
    ///
    /// Fix: `FROM python:3.12-slim@sha256:<digest>` (keep the tag for readers).
    pub struct FromWithoutDigest {
        code: "DF050",
        name: "from-without-digest",
        practice: "P-D1",
        hadolint: None,
        severity: Low,
        opt_in: true,
    }
}

impl Rule for FromWithoutDigest {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (stage, image) in from_images(ctx) {
            // A default that is itself a placeholder (`${templateOption:x}`).
            if image.contains('$') {
                continue;
            }
            if plimsoll_oci::NameRef::parse(&image).digest.is_none() {
                out.push(
                    hit(
                        &Self::RULE,
                        stage.from,
                        stage.span.line,
                        format!("FROM `{image}` is not pinned by digest"),
                    )
                    .help("append the manifest digest: `image:tag@sha256:…`"),
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
        let src = "FROM debian:12 AS a\nFROM a\nFROM alpine:3.20@sha256:beefed\nFROM scratch\n";
        assert_eq!(
            run("DF050", src),
            "1: FROM `debian:12` is not pinned by digest\n"
        );
    }

    #[test]
    fn off_by_default() {
        let f = crate::lint("D", "FROM debian:12\n").unwrap();
        assert!(!f.iter().any(|f| f.code == "DF050"));
        let f = crate::lint_with("D", "FROM debian:12\n", &["from-without-digest"]).unwrap();
        assert!(f.iter().any(|f| f.code == "DF050"));
    }
}
