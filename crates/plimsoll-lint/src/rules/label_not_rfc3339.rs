use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::{LabelType, misformatted};

declare_rule! {
    /// A label the schema types `rfc3339` is not an RFC 3339 date-time.
    ///
    /// Build times (`org.opencontainers.image.created`) are compared
    /// and sorted by tools; RFC 3339's `2026-12-07T10:00:00Z` is the
    /// form they read.
    ///
    /// Only labels the label schema names are checked (`[lint] label_schema`
    /// in plimsoll.toml, `label-schema` in `.hadolint.yaml`, or
    /// `--require-label NAME:rfc3339`); an empty value is DF084's.
    ///
    /// Fix: `LABEL org.opencontainers.image.created="2026-12-07T10:00:00Z"`.
    pub struct LabelNotRfc3339 {
        code: "DF086",
        name: "label-not-rfc3339",
        practice: "P-I4",
        hadolint: Some("DL3053"),
        severity: Medium,
    }
}

impl Rule for LabelNotRfc3339 {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, line, message) in misformatted(ctx, LabelType::Rfc3339, "a valid RFC 3339 time") {
            out.push(hit(&Self::RULE, i, line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL created=2026-12-07T10:00:00Z built=\"2026-12-07 10:00\"\n";
        assert_eq!(
            run_with_labels(
                "DF086",
                src,
                &[("created", "rfc3339"), ("built", "rfc3339")],
                false
            ),
            "2: label `built` is not a valid RFC 3339 time: `2026-12-07 10:00`\n"
        );
    }
}
