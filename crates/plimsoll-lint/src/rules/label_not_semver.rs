use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::{LabelType, misformatted};

declare_rule! {
    /// A label the schema types `semver` is not a semantic version.
    ///
    /// Release tooling orders `org.opencontainers.image.version` by
    /// Semantic Versioning 2.0.0: `1.4.2`, `2.0.0-rc.1` (no `v` prefix,
    /// three numbers).
    ///
    /// Only labels the label schema names are checked (`[lint] label_schema`
    /// in plimsoll.toml, `label-schema` in `.hadolint.yaml`, or
    /// `--require-label NAME:semver`); an empty value is DF084's.
    ///
    /// Fix: `LABEL org.opencontainers.image.version="1.4.2"`.
    pub struct LabelNotSemver {
        code: "DF089",
        name: "label-not-semver",
        practice: "P-I4",
        hadolint: Some("DL3056"),
        severity: Medium,
    }
}

impl Rule for LabelNotSemver {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, line, message) in misformatted(ctx, LabelType::Semver, "a semantic version") {
            out.push(hit(&Self::RULE, i, line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL version=1.4.2 release=v1.4\n";
        assert_eq!(
            run_with_labels(
                "DF089",
                src,
                &[("version", "semver"), ("release", "semver")],
                false
            ),
            "2: label `release` is not a semantic version: `v1.4`\n"
        );
    }
}
