use crate::{Hit, LintContext, Rule, declare_rule, hit};

use super::label_schema::{LabelType, misformatted};

declare_rule! {
    /// A label the schema types `hash` is not a git commit hash.
    ///
    /// `org.opencontainers.image.revision` ties an image to the commit
    /// it was built from (P-I3 compliance checks follow it back); a
    /// commit hash is 40 lower-case hex digits, or 7 abbreviated.
    ///
    /// Only labels the label schema names are checked (`[lint] label_schema`
    /// in plimsoll.toml, `label-schema` in `.hadolint.yaml`, or
    /// `--require-label NAME:hash`); an empty value is DF084's.
    ///
    /// Fix: `LABEL org.opencontainers.image.revision="$GIT_COMMIT" (a full hash)`.
    pub struct LabelNotGitHash {
        code: "DF088",
        name: "label-not-git-hash",
        practice: "P-I4",
        hadolint: Some("DL3055"),
        severity: Medium,
    }
}

impl Rule for LabelNotGitHash {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, line, message) in misformatted(ctx, LabelType::Hash, "a valid git commit hash") {
            out.push(hit(&Self::RULE, i, line, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nLABEL revision=0a1b2c3 commit=main\n";
        assert_eq!(
            run_with_labels(
                "DF088",
                src,
                &[("revision", "hash"), ("commit", "hash")],
                false
            ),
            "2: label `commit` is not a valid git commit hash: `main`\n"
        );
    }
}
