use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// Several ENTRYPOINT instructions in one stage.
    ///
    /// Only the last ENTRYPOINT of a stage takes effect; the others are dead
    /// code and a sign of confusion about what the container runs (P-A1).
    ///
    /// Fix: keep one ENTRYPOINT per stage.
    pub struct MultipleEntrypoint {
        code: "DF013",
        name: "multiple-entrypoint",
        practice: "P-A1",
        hadolint: Some("DL4004"),
        severity: Medium,
    }
}

impl Rule for MultipleEntrypoint {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        super::multiple(ctx, Keyword::Entrypoint, &Self::RULE, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\nENTRYPOINT [\"c\"]\n";
        assert_eq!(
            run("DF013", src),
            "3: several ENTRYPOINT instructions in this stage: only the last takes effect (first at line 2)\n\
             4: several ENTRYPOINT instructions in this stage: only the last takes effect (first at line 2)\n"
        );
    }
}
