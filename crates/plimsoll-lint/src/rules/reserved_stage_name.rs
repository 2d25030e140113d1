use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// A stage named `scratch` or `context`.
    ///
    /// `scratch` is the empty base image and `context` names the build
    /// context in `COPY --from` and `--build-context`: a stage with either
    /// name makes later references ambiguous, and builders reject or
    /// misread them (P-B4: multi-stage builds depend on the stage
    /// references being right).
    ///
    /// Fix: `FROM … AS build`.
    pub struct ReservedStageName {
        code: "DF077",
        name: "reserved-stage-name",
        practice: "P-B4",
        hadolint: Some("DL3063"),
        severity: Medium,
    }
}

impl Rule for ReservedStageName {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for st in &ctx.df.stages {
            let Some(name) = st.name.as_deref() else {
                continue;
            };
            if name.eq_ignore_ascii_case("scratch") || name.eq_ignore_ascii_case("context") {
                out.push(
                    hit(
                        &Self::RULE,
                        st.from,
                        st.span.line,
                        format!("stage name `{name}` is a reserved word"),
                    )
                    .help("give the stage another name"),
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
        let src = "FROM a:1 AS scratch\nFROM b:1 AS Context\nFROM scratch\nFROM c:1 AS build\n";
        assert_eq!(
            run("DF077", src),
            "1: stage name `scratch` is a reserved word\n2: stage name `context` is a reserved word\n"
        );
    }
}
