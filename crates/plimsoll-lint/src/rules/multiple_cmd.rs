use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// Several CMD instructions in one stage.
    ///
    /// Only the last CMD of a stage takes effect; the earlier ones are dead
    /// code that suggests the container was meant to run several programs
    /// (P-A1: one process per container).
    ///
    /// Fix: keep one CMD per stage.
    pub struct MultipleCmd {
        code: "DF012",
        name: "multiple-cmd",
        practice: "P-A1",
        hadolint: Some("DL4003"),
        severity: Low,
    }
}

impl Rule for MultipleCmd {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        super::multiple(ctx, Keyword::Cmd, &Self::RULE, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM debian:12 AS a\nCMD a\nFROM debian:12\nCMD [\"b\"]\nCMD [\"c\"]\n";
        assert_eq!(
            run("DF012", src),
            "5: several CMD instructions in this stage: only the last takes effect (first at line 4)\n"
        );
    }
}
