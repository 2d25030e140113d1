use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// The final stage runs as root: no USER, or the last USER is root.
    ///
    /// Without a USER instruction the container runs as root (uid 0); a
    /// compromise of the application is then a compromise of root in the
    /// container, one kernel bug away from the host (P-C3). The final stage
    /// and the stages it is built FROM are checked; a base image from a
    /// registry may set its own USER, which a Dockerfile linter cannot see
    /// (the image audit checks the built image).
    ///
    /// Fix: create a user and end with `USER 10001` (numeric uid preferred).
    pub struct UserRoot {
        code: "DF015",
        name: "final-stage-root",
        practice: "P-C3",
        hadolint: Some("DL3002"),
        severity: High,
    }
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name == "0"
}

impl Rule for UserRoot {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let chain = ctx.final_chain();
        let Some(&last) = chain.first() else { return };
        // The last USER along the chain, searching the final stage first.
        let found = chain.iter().find_map(|&s| {
            let st = &ctx.df.stages[s];
            ctx.df.instructions[st.instructions.clone()]
                .iter()
                .enumerate()
                .rev()
                .find(|(_, ins)| ins.keyword == Keyword::User)
                .map(|(k, ins)| (st.instructions.start + k, ins))
        });
        match found {
            Some((i, ins)) => {
                let user = ins.words().first().cloned().unwrap_or_default();
                if is_root(&user) {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            ins.span.line,
                            format!("the final stage runs as root (`USER {user}`)"),
                        )
                        .help("switch to a non-root user at the end: `USER 10001`"),
                    );
                }
            }
            None => {
                let st = &ctx.df.stages[last];
                out.push(
                    hit(
                        &Self::RULE,
                        st.from,
                        st.span.line,
                        "the final stage has no USER: the container runs as root",
                    )
                    .help("add a non-root user and `USER 10001` at the end of the final stage"),
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
        assert_eq!(
            run(
                "DF015",
                "FROM debian:12 AS base\nUSER app\nFROM debian:12\nRUN id\n"
            ),
            "3: the final stage has no USER: the container runs as root\n"
        );
        assert_eq!(
            run(
                "DF015",
                "FROM debian:12\nUSER app\nRUN id\nUSER root:root\n"
            ),
            "4: the final stage runs as root (`USER root:root`)\n"
        );
        // Inherited from an earlier stage it is built FROM.
        assert_eq!(
            run(
                "DF015",
                "FROM debian:12 AS base\nUSER 1000\nFROM base\nRUN id\n"
            ),
            ""
        );
    }
}
