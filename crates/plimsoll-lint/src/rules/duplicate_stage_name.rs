use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// Two stages share a name.
    ///
    /// Stage names (`FROM … AS name`, case-insensitive) must be unique: with
    /// a duplicate, `COPY --from=name` and `--target name` refer to one of
    /// them and the build is not what the file reads like (P-B4).
    ///
    /// Fix: give each stage its own name.
    pub struct DuplicateStage {
        code: "DF019",
        name: "duplicate-stage-name",
        practice: "P-B4",
        hadolint: Some("DL3024"),
        severity: High,
    }
}

impl Rule for DuplicateStage {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let stages = &ctx.df.stages;
        for (k, s) in stages.iter().enumerate() {
            let Some(name) = &s.name else { continue };
            if let Some(first) = stages[..k].iter().find(|p| p.name.as_ref() == Some(name)) {
                out.push(
                    hit(
                        &Self::RULE,
                        s.from,
                        s.span.line,
                        format!(
                            "stage name `{name}` is already used at line {}",
                            first.span.line
                        ),
                    )
                    .help("give each stage a unique name"),
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
        let src = "FROM a:1 AS build\nFROM b:1 AS BUILD\nFROM c:1 AS other\n";
        assert_eq!(
            run("DF019", src),
            "2: stage name `build` is already used at line 1\n"
        );
    }
}
