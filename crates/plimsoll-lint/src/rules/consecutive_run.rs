use plimsoll_dockerfile::{Args, Instruction, Keyword};

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// Consecutive single-command RUN instructions.
    ///
    /// Every RUN is a layer and a cache step; a run of one-command RUNs
    /// (`RUN a`, `RUN b`) makes more layers than the steps need, and files
    /// one step leaves for the next cannot be removed in the step that made
    /// them (P-B3). As in hadolint, a RUN is flagged when it and the RUN
    /// right before it (comments in between do not count) each run at most
    /// one command and have the same flags (`--mount`, `--network`); a RUN
    /// chaining several commands (`a && b`, `a | b`) is a deliberate step.
    ///
    /// Fix: `RUN a && b`.
    pub struct ConsecutiveRun {
        code: "DF074",
        name: "consecutive-run",
        practice: "P-B3",
        hadolint: Some("DL3059"),
        severity: Low,
    }
}

/// Whether RUN `ins` (index `i`) runs at most one simple command.
fn single(ctx: &LintContext<'_>, i: usize, ins: &Instruction) -> bool {
    match (&ins.args, &ctx.shells[i]) {
        (Args::Exec(_), _) => true,
        (_, Some(sh)) if sh.unparsed.is_none() => sh.commands.len() <= 1,
        _ => false,
    }
}

fn same_flags(a: &Instruction, b: &Instruction) -> bool {
    a.flags.len() == b.flags.len()
        && a.flags
            .iter()
            .zip(&b.flags)
            .all(|(x, y)| x.name.eq_ignore_ascii_case(&y.name) && x.value == y.value)
}

impl Rule for ConsecutiveRun {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let ins = &ctx.df.instructions;
        for i in 1..ins.len() {
            let (prev, cur) = (&ins[i - 1], &ins[i]);
            if prev.keyword == Keyword::Run
                && cur.keyword == Keyword::Run
                && same_flags(prev, cur)
                && single(ctx, i - 1, prev)
                && single(ctx, i, cur)
            {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        cur.span.line,
                        format!(
                            "RUN right after the RUN at line {}: consider one RUN",
                            prev.span.line
                        ),
                    )
                    .help("chain the commands with `&&` in one RUN"),
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
        // hadolint's cases, and what its parser makes of subshells, jobs
        // and assignments (one command each).
        let src = "FROM debian:12\n\
                   RUN a\n\
                   # a comment\n\
                   RUN b\n\
                   RUN --mount=type=cache,target=/x c\n\
                   RUN --mount=type=cache,target=/x d\n\
                   RUN [\"a\"]\n\
                   RUN x=1\n\
                   WORKDIR /\n\
                   RUN a | b\n\
                   RUN c\n\
                   RUN if a; then b; fi\n\
                   RUN c\n\
                   RUN (a)\n\
                   RUN a &\n\
                   ONBUILD RUN a\n\
                   ONBUILD RUN b\n\
                   RUN foo && bar\n\
                   RUN foo\n\
                   RUN bar\n";
        assert_eq!(
            run("DF074", src),
            "4: RUN right after the RUN at line 2: consider one RUN\n\
             6: RUN right after the RUN at line 5: consider one RUN\n\
             8: RUN right after the RUN at line 7: consider one RUN\n\
             14: RUN right after the RUN at line 13: consider one RUN\n\
             15: RUN right after the RUN at line 14: consider one RUN\n\
             20: RUN right after the RUN at line 19: consider one RUN\n"
        );
    }
}
