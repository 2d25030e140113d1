use plimsoll_dockerfile::{Args, Keyword};

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `ONBUILD ONBUILD`, `ONBUILD FROM` or `ONBUILD MAINTAINER`.
    ///
    /// The Dockerfile reference forbids these triggers: chaining ONBUILD is
    /// not allowed, and FROM and MAINTAINER cannot be triggers. The child
    /// build fails when it fires them. A hygiene rule: no practice is about
    /// it; filed under P-I4 (static checks).
    ///
    /// Fix: remove the trigger, or move the instruction out of ONBUILD.
    pub struct OnbuildForbiddenTrigger {
        code: "DF069",
        name: "onbuild-forbidden-trigger",
        practice: "P-I4",
        hadolint: Some("DL3043"),
        severity: High,
    }
}

impl Rule for OnbuildForbiddenTrigger {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            let Args::Onbuild(t) = &ins.args else {
                continue;
            };
            if matches!(
                t.keyword,
                Keyword::Onbuild | Keyword::From | Keyword::Maintainer
            ) {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!("ONBUILD {} is not allowed as a trigger", t.keyword),
                    )
                    .help("remove the trigger or move the instruction out of ONBUILD"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM a:1\nONBUILD RUN make\nONBUILD ONBUILD RUN x\nONBUILD FROM b:1\nONBUILD MAINTAINER me\n";
        assert_eq!(
            run("DF069", src),
            "3: ONBUILD ONBUILD is not allowed as a trigger\n\
             4: ONBUILD FROM is not allowed as a trigger\n\
             5: ONBUILD MAINTAINER is not allowed as a trigger\n"
        );
    }
}
