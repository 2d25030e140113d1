use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule};

declare_rule! {
    /// More than one HEALTHCHECK in a stage.
    ///
    /// Only the last HEALTHCHECK of a stage takes effect; the others are
    /// dead code that misleads the reader about how the container is
    /// probed. A hygiene rule: no practice is about it; filed under P-I4,
    /// the checks that keep the image's metadata what the file says.
    ///
    /// Fix: keep one HEALTHCHECK per stage.
    pub struct MultipleHealthcheck {
        code: "DF064",
        name: "multiple-healthcheck",
        practice: "P-I4",
        hadolint: Some("DL3012"),
        severity: High,
    }
}

impl Rule for MultipleHealthcheck {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        super::multiple(ctx, Keyword::Healthcheck, &Self::RULE, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nHEALTHCHECK CMD [\"/a\"]\nFROM b:1\nHEALTHCHECK NONE\nHEALTHCHECK CMD [\"/b\"]\n";
        assert_eq!(
            run("DF064", src),
            "5: several HEALTHCHECK instructions in this stage: only the last takes effect (first at line 4)\n"
        );
    }
}
