use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// An instruction other than ARG before the first FROM.
    ///
    /// A Dockerfile starts with FROM; only ARG (global build arguments),
    /// parser directives and comments may come before it. Anything else is
    /// rejected by the builder. A hygiene rule: no practice is about it;
    /// filed under P-I4 (static checks).
    ///
    /// Fix: move the instruction after `FROM`.
    pub struct InstructionBeforeFrom {
        code: "DF077",
        name: "instruction-before-from",
        practice: "P-I4",
        hadolint: Some("DL3061"),
        severity: High,
    }
}

impl Rule for InstructionBeforeFrom {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            if ins.stage.is_some() || matches!(ins.keyword, Keyword::Arg | Keyword::From) {
                continue;
            }
            out.push(
                hit(
                    &Self::RULE,
                    i,
                    ins.span.line,
                    format!("{} before the first FROM", ins.keyword),
                )
                .help("a Dockerfile must begin with FROM (only ARG may come before it)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        assert_eq!(run("DF077", "# comment\nARG V=1\nFROM a:$V\nENV X=1\n"), "");
    }
}
