use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `COPY --from` names the stage it is in.
    ///
    /// A stage cannot copy from itself: BuildKit rejects the reference as a
    /// cycle. It is usually a copy-paste slip for the build stage before it
    /// (P-B4: the final stage copies its artifact from a build stage). The
    /// stage is matched by name (case-insensitive) or by index.
    ///
    /// Fix: name the stage that builds the files.
    pub struct CopyFromOwnStage {
        code: "DF066",
        name: "copy-from-own-stage",
        practice: "P-B4",
        hadolint: Some("DL3023"),
        severity: High,
    }
}

/// Whether `--from=reference` in stage `stage` names that stage.
pub(crate) fn is_own_stage(ctx: &LintContext<'_>, stage: usize, reference: &str) -> bool {
    let Some(st) = ctx.df.stages.get(stage) else {
        return false;
    };
    reference.parse::<usize>().ok() == Some(stage)
        || st
            .name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(reference))
}

impl Rule for CopyFromOwnStage {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            if ins.keyword != Keyword::Copy {
                continue;
            }
            let (Some(from), Some(stage)) =
                (ins.flag("from").and_then(|f| f.value.as_deref()), ins.stage)
            else {
                continue;
            };
            if is_own_stage(ctx, stage, from) {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!("COPY --from={from} copies from the stage it is in"),
                    )
                    .help("copy from the earlier stage that builds the files"),
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
        let src = "FROM node:20 AS build\nCOPY --from=build /a /a\nFROM debian:12 AS Final\nCOPY --from=build /b /b\nCOPY --from=final /c /c\nCOPY --from=1 /d /d\nCOPY --from=0 /e /e\n";
        assert_eq!(
            run("DF066", src),
            "2: COPY --from=build copies from the stage it is in\n\
             5: COPY --from=final copies from the stage it is in\n\
             6: COPY --from=1 copies from the stage it is in\n"
        );
        // Judged here only: not also an undefined stage (DF018).
        assert_eq!(crate::testing::run("DF018", src), "");
    }
}
