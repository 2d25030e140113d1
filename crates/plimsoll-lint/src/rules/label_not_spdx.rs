use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::{LabelType, misformatted};

declare_rule! {
    /// A label the schema types `spdx` is not an SPDX licence identifier.
    ///
    /// Licence policy (P-C9) and SBOMs read
    /// `org.opencontainers.image.licenses`; an identifier of the SPDX
    /// list (`Apache-2.0`, `MIT`) is what they match. As hadolint, one
    /// identifier, not an expression.
    ///
    /// Only labels the label schema names are checked (`[lint] label_schema`
    /// in plimsoll.toml, `label-schema` in `.hadolint.yaml`, or
    /// `--require-label NAME:spdx`); an empty value is DF084's.
    ///
    /// Fix: `LABEL org.opencontainers.image.licenses="Apache-2.0"`.
    pub struct LabelNotSpdx {
        code: "DF087",
        name: "label-not-spdx",
        practice: "P-I4",
        hadolint: Some("DL3054"),
        severity: Medium,
    }
}

impl Rule for LabelNotSpdx {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, line, message) in
            misformatted(ctx, LabelType::Spdx, "a valid SPDX licence identifier")
        {
            out.push(hit(&Self::RULE, i, line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL license=Apache-2.0 licence=\"Apache 2\"\n";
        assert_eq!(
            run_with_labels(
                "DF087",
                src,
                &[("license", "spdx"), ("licence", "spdx")],
                false
            ),
            "2: label `licence` is not a valid SPDX licence identifier: `Apache 2`\n"
        );
    }
}
