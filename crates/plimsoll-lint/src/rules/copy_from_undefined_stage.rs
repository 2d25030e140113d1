use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `COPY --from` names a stage that is not defined before it.
    ///
    /// `--from=name` must name an earlier stage (`FROM … AS name`) or its
    /// index; anything else is pulled as an image of that name, which is
    /// rarely what a typo meant. Multi-stage builds depend on the reference
    /// being right (P-B4). References that contain `/`, `:` or `@` are image
    /// references and are not flagged; neither are build arguments.
    ///
    /// Fix: name a stage defined above, or write the full image reference.
    pub struct CopyFromUndefined {
        code: "DF018",
        name: "copy-from-undefined-stage",
        practice: "P-B4",
        hadolint: Some("DL3022"),
        severity: Medium,
    }
}

impl Rule for CopyFromUndefined {
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
            if from.contains(['/', ':', '@', '$']) {
                continue;
            }
            // A stage naming itself is DF066's (copy-from-own-stage).
            if ctx.df.stage_ref(from, stage).is_none()
                && !super::copy_from_own_stage::is_own_stage(ctx, stage, from)
            {
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        ins.span.line,
                        format!("COPY --from={from}: no stage `{from}` is defined before this one"),
                    )
                    .help("use the name of an earlier `FROM … AS name`, or a full image reference"),
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
        let src = "FROM golang:1.23 AS Build\nRUN go build\nFROM debian:12\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=biuld /c /c\nCOPY --from=2 /d /d\nCOPY --from=nginx:1.27 /e /e\nCOPY --from=later /f /f\nFROM debian:12 AS later\n";
        assert_eq!(
            run("DF018", src),
            "6: COPY --from=biuld: no stage `biuld` is defined before this one\n\
             7: COPY --from=2: no stage `2` is defined before this one\n\
             9: COPY --from=later: no stage `later` is defined before this one\n"
        );
    }
}
