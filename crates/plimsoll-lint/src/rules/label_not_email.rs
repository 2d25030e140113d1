use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::{LabelType, misformatted};

declare_rule! {
    /// A label the schema types `email` is not an email address.
    ///
    /// A contact label (`org.opencontainers.image.authors`,
    /// `maintainer`) is only useful if mail reaches it: `local@domain`
    /// as RFC 5322 writes an address.
    ///
    /// Only labels the label schema names are checked (`[lint] label_schema`
    /// in plimsoll.toml, `label-schema` in `.hadolint.yaml`, or
    /// `--require-label NAME:email`); an empty value is DF084's.
    ///
    /// Fix: `LABEL maintainer="platform-team@example.com"`.
    pub struct LabelNotEmail {
        code: "DF090",
        name: "label-not-email",
        practice: "P-I4",
        hadolint: Some("DL3058"),
        severity: Medium,
    }
}

impl Rule for LabelNotEmail {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, line, message) in misformatted(ctx, LabelType::Email, "a valid email address") {
            out.push(hit(&Self::RULE, i, line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL maintainer=team@example.com contact=team-at-example\n";
        assert_eq!(
            run_with_labels(
                "DF090",
                src,
                &[("maintainer", "email"), ("contact", "email")],
                false
            ),
            "2: label `contact` is not a valid email address: `team-at-example`\n"
        );
    }
}
