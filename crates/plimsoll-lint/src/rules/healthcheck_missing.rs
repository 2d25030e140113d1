use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The final image defines no HEALTHCHECK.
    ///
    /// Off by default, as in hadolint: Kubernetes ignores HEALTHCHECK and
    /// uses its own probes. Where Docker or Swarm run the image, a health
    /// check lets the runtime see a hung application and the restart policy
    /// act on it (P-F9, the same practice as the image rule IMG012). The
    /// final stage and the stages it is built `FROM` are searched;
    /// `HEALTHCHECK NONE` counts as a decision. hadolint also reports
    /// build stages that are not in the final image; plimsoll does not.
    ///
    /// Fix: `HEALTHCHECK CMD ["/app/healthcheck"]`.
    pub struct HealthcheckMissing {
        code: "DF073",
        name: "healthcheck-missing",
        practice: "P-F9",
        hadolint: Some("DL3057"),
        severity: Low,
        opt_in: true,
    }
}

impl Rule for HealthcheckMissing {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        let Some(&last) = chain.first() else {
            return;
        };
        let has = chain.iter().any(|&s| {
            ctx.df
                .stage_instructions(s)
                .iter()
                .any(|i| i.keyword == Keyword::Healthcheck)
        });
        if !has {
            let st = &ctx.df.stages[last];
            out.push(
                hit(
                    &Self::RULE,
                    st.from,
                    st.span.line,
                    "the final image defines no HEALTHCHECK",
                )
                .help("add `HEALTHCHECK CMD [\"…\"]`, or `HEALTHCHECK NONE` to say there is none"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        assert_eq!(
            run(
                "DF073",
                "FROM a:1 AS build\nHEALTHCHECK NONE\nFROM b:1\nCMD [\"x\"]\n"
            ),
            "3: the final image defines no HEALTHCHECK\n"
        );
        assert_eq!(
            run(
                "DF073",
                "FROM a:1 AS base\nHEALTHCHECK CMD [\"/h\"]\nFROM base\nCMD [\"x\"]\n"
            ),
            ""
        );
        let f = crate::lint("Dockerfile", "FROM a:1\n").unwrap();
        assert!(!f.iter().any(|f| f.code == "DF073"));
    }
}
