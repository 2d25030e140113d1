use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::{LabelType, misformatted};

declare_rule! {
    /// A label the schema types `url` is not an absolute URL.
    ///
    /// The value must be an absolute URI (a scheme such as `https:` and
    /// the rest, RFC 3986), so tools that link to it
    /// (`org.opencontainers.image.source`, `…url`) can.
    ///
    /// Only labels the label schema names are checked (`[lint] label_schema`
    /// in plimsoll.toml, `label-schema` in `.hadolint.yaml`, or
    /// `--require-label NAME:url`); an empty value is DF084's.
    ///
    /// Fix: `LABEL org.opencontainers.image.url="https://example.com/app"`.
    pub struct LabelNotUrl {
        code: "DF085",
        name: "label-not-url",
        practice: "P-I4",
        hadolint: Some("DL3052"),
        severity: Medium,
    }
}

impl Rule for LabelNotUrl {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, line, message) in misformatted(ctx, LabelType::Url, "a valid URL") {
            out.push(hit(&Self::RULE, i, line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL homepage=\"https://example.com/app\" docs=example.com/docs\nLABEL homepage=\"not a url\"\n";
        assert_eq!(
            run_with_labels("DF085", src, &[("homepage", "url"), ("docs", "url")], false),
            "2: label `docs` is not a valid URL: `example.com/docs`\n\
             3: label `homepage` is not a valid URL: `not a url`\n"
        );
    }
}
