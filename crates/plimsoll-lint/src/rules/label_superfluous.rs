use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::label_pairs;

declare_rule! {
    /// A LABEL sets a label the label schema does not name (strict labels).
    ///
    /// With `strict_labels = true` in `[lint]` (`strict-labels: true` in
    /// `.hadolint.yaml`, `--strict-labels`), the label schema is the whole
    /// list of labels an image may carry, so metadata stays uniform across
    /// a registry (P-I4). One finding per LABEL instruction, naming the
    /// labels outside the schema. Off without strict labels.
    ///
    /// Fix: remove the label, or add it to the label schema.
    pub struct LabelSuperfluous {
        code: "DF083",
        name: "label-superfluous",
        practice: "P-I4",
        hadolint: Some("DL3050"),
        severity: Low,
    }
}

impl Rule for LabelSuperfluous {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        if !ctx.options.strict_labels {
            return;
        }
        let schema = &ctx.options.label_schema;
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            if ins.keyword != plimsoll_dockerfile::Keyword::Label {
                continue;
            }
            let extra: Vec<String> = label_pairs(ins)
                .into_iter()
                .filter(|(k, _)| !schema.contains_key(k))
                .map(|(k, _)| format!("`{k}`"))
                .collect();
            if !extra.is_empty() {
                out.push(hit(
                    &Self::RULE,
                    i,
                    ins.span.line,
                    format!("labels not in the label schema: {}", extra.join(", ")),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL version=1.0.0 team=x tier=y\nLABEL version=1.0.1\n";
        let schema = [("version", "semver")];
        assert_eq!(
            run_with_labels("DF083", src, &schema, true),
            "2: labels not in the label schema: `team`, `tier`\n"
        );
        assert_eq!(run_with_labels("DF083", src, &schema, false), "");
    }
}
