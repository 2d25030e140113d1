use plimsoll_report::Finding;

use super::images;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container's image is named by tag, not by digest.
    ///
    /// A tag can be moved; only `repo@sha256:…` names the image that was
    /// scanned and approved (P-D1). Two nodes pulling `app:1.4` an hour apart
    /// may run different code.
    ///
    /// Fix: `image: registry.example/app:1.4@sha256:…` (tools such as
    /// `crane digest` or `skopeo inspect` give the digest).
    pub struct ImageWithoutDigest {
        code: "CFG015",
        name: "image-without-digest",
        practice: "P-D1",
        severity: Low,
    }
}

impl Rule for ImageWithoutDigest {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (c, image) in images(ctx.workload) {
            if plimsoll_oci::NameRef::parse(&image.value).digest.is_none() {
                out.push(
                    ctx.finding(
                        &Self::INFO,
                        Some(c),
                        &image.place(),
                        format!("image `{}` is not pinned by digest", image.value),
                    )
                    .with_help("reference the image as `name@sha256:…`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn digest_or_not() {
        let y = pod(
            "  containers:\n  - name: a\n    image: nginx:1.27\n  - name: b\n    image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
        );
        assert_eq!(
            run("CFG015", &y),
            "8:12 Pod/p container `a`: image `nginx:1.27` is not pinned by digest\n"
        );
    }
}
