use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// `FROM --platform=$TARGETPLATFORM`.
    ///
    /// A stage is built for the target platform by default: the flag says
    /// nothing and suggests a cross-compilation setup that is not there
    /// (the usual intent is `$BUILDPLATFORM`). A hygiene rule: no practice
    /// is about it; filed under P-I4 (static checks).
    ///
    /// Fix: drop `--platform=$TARGETPLATFORM`.
    pub struct RedundantTargetPlatform {
        code: "DF078",
        name: "redundant-target-platform",
        practice: "P-I4",
        hadolint: Some("DL3065"),
        severity: Medium,
    }
}

impl Rule for RedundantTargetPlatform {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for st in &ctx.df.stages {
            let Some(p) = st.platform.as_deref() else {
                continue;
            };
            if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
                out.push(
                    hit(
                        &Self::RULE,
                        st.from,
                        st.span.line,
                        format!("FROM --platform={p} is the default"),
                    )
                    .help("drop the flag (or use $BUILDPLATFORM for a cross-compiling stage)"),
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
        let src = "FROM --platform=$TARGETPLATFORM a:1\nFROM --platform=${TARGETPLATFORM} b:1\nFROM --platform=$BUILDPLATFORM c:1\nFROM d:1\n";
        assert_eq!(
            run("DF078", src),
            "1: FROM --platform=$TARGETPLATFORM is the default\n2: FROM --platform=${TARGETPLATFORM} is the default\n"
        );
    }
}
