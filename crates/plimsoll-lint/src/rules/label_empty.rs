use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::labels;

declare_rule! {
    /// A label the label schema names is set to an empty value.
    ///
    /// `LABEL version=""` satisfies a presence check and says nothing: the
    /// schema's labels are there to be read (P-I4). Usually a build argument
    /// that was not passed (`LABEL revision=$GIT_COMMIT` without
    /// `--build-arg GIT_COMMIT=…`) when written literally empty.
    ///
    /// Fix: give the label its value, or pass the build argument.
    pub struct LabelEmpty {
        code: "DF084",
        name: "label-empty",
        practice: "P-I4",
        hadolint: Some("DL3051"),
        severity: Medium,
    }
}

impl Rule for LabelEmpty {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let schema = &ctx.options.label_schema;
        for (i, line, key, value) in labels(ctx) {
            if value.is_empty() && schema.contains_key(&key) {
                out.push(hit(&Self::RULE, i, line, format!("label `{key}` is empty")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL version=\"\" other=\"\" owner=team\n";
        assert_eq!(
            run_with_labels(
                "DF084",
                src,
                &[("version", "semver"), ("owner", "text")],
                false
            ),
            "2: label `version` is empty\n"
        );
    }
}
