use plimsoll_dockerfile::Keyword;
use plimsoll_practice::services::{Mark, env_mark, label_mark, message};

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// An injected environment service's marks in a Dockerfile built for an environment that gets no services.
    ///
    /// Test agents, coverage and debuggers belong to the environments that
    /// ask for them, added by `plimsoll dockerfile inject --env test` as a
    /// stage on top of the production image (P-I1). A production image that
    /// carries one — the `io.plimsoll.services.injected` label, or a
    /// `-javaagent` in `JAVA_TOOL_OPTIONS`, `JDK_JAVA_OPTIONS` or
    /// `_JAVA_OPTIONS` — runs code nobody meant to ship: an agent that
    /// writes files, opens ports or slows every request. Active only for
    /// an environment no `[[services]]` entry of plimsoll.toml lists:
    /// stated with `plimsoll lint --env prod`, or read from the final
    /// stage's label named by `[environments] label` (`LABEL
    /// com.example.environment=prod`); the final stage and the stages it is
    /// built FROM are checked. The image rule IMG017 reads the same marks
    /// from a built image (both judge them in `plimsoll_practice::services`).
    ///
    /// Fix: build production from the file as written (or `--target` the
    /// original final stage, which `inject` leaves unchanged), not from the
    /// injected Dockerfile.
    pub struct InjectedServiceInProduction {
        code: "DF053",
        name: "injected-service-in-production",
        practice: "P-I1",
        hadolint: None,
        severity: High,
    }
}

impl Rule for InjectedServiceInProduction {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let mut chain = ctx.final_chain();
        chain.reverse();
        // The configured label's value: the last one the final stage (or a
        // stage it is built FROM) sets, as the image would carry it.
        let environment = &ctx.options.environment;
        let labelled: Option<String> = environment.label.as_deref().and_then(|key| {
            chain
                .iter()
                .flat_map(|&s| ctx.df.instructions[ctx.df.stages[s].instructions.clone()].iter())
                .filter(|ins| ins.keyword == Keyword::Label)
                .flat_map(|ins| ins.key_values())
                .filter(|(k, _)| k == key)
                .filter_map(|(_, v)| v)
                .next_back()
        });
        let Some(env) = environment.service_free(labelled.as_deref()) else {
            return;
        };
        let help = "build this environment's image from the Dockerfile as written, or with \
                    --target the original final stage, not from the injected file";
        for s in chain {
            let stage = &ctx.df.stages[s];
            for (k, ins) in ctx.df.instructions[stage.instructions.clone()]
                .iter()
                .enumerate()
            {
                let index = stage.instructions.start + k;
                // The marks are judged in plimsoll_practice::services, as IMG017 judges an image's.
                let marks: Vec<Mark> = match ins.keyword {
                    Keyword::Label => ins
                        .key_values()
                        .into_iter()
                        .filter_map(|(key, v)| label_mark(&key, v.as_deref().unwrap_or_default()))
                        .collect(),
                    Keyword::Env => ins
                        .key_values()
                        .into_iter()
                        .filter_map(|(key, v)| env_mark(&key, v.as_deref().unwrap_or_default()))
                        .collect(),
                    _ => Vec::new(),
                };
                for mark in marks {
                    out.push(
                        hit(
                            &Self::RULE,
                            index,
                            ins.span.line,
                            message(&mark, "a Dockerfile", env),
                        )
                        .help(help),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::LintOptions;

    fn run(env: Option<&str>, src: &str) -> String {
        let options = LintOptions {
            environment: plimsoll_practice::services::Environment {
                stated: env.map(str::to_string),
                label: Some("com.example.environment".into()),
                with_services: vec!["test".into()],
            },
            ..LintOptions::default()
        };
        crate::lint_with_options("Dockerfile", src, &options)
            .unwrap()
            .iter()
            .filter(|f| f.code == "DF053")
            .map(|f| format!("{}: {}\n", f.location.line.unwrap_or(0), f.message))
            .collect()
    }

    const INJECTED: &str = "FROM registry.example/jre:21 AS runtime\nUSER 10001\n\n\
        FROM runtime AS runtime-with-services\n\
        ENV JAVA_TOOL_OPTIONS=\"${JAVA_TOOL_OPTIONS:+${JAVA_TOOL_OPTIONS} }-javaagent:/opt/jacoco/jacocoagent.jar\"\n\
        LABEL io.plimsoll.services.injected=\"jacoco\"\n\
        LABEL io.plimsoll.service.jacoco.source=\"registry.example/jacoco@sha256:00\"\n";

    #[test]
    fn snapshot() {
        assert_eq!(
            run(Some("prod"), INJECTED),
            "5: a -javaagent in `JAVA_TOOL_OPTIONS`: an injected service in a Dockerfile for environment `prod`, which gets no services\n\
             6: label `io.plimsoll.services.injected=jacoco`: an injected service in a Dockerfile for environment `prod`, which gets no services\n\
             7: label `io.plimsoll.service.jacoco.source=registry.example/jacoco@sha256:00`: an injected service in a Dockerfile for environment `prod`, which gets no services\n"
        );
        // Without --env (or for an environment with services): off.
        assert_eq!(run(None, INJECTED), "");
        // The production stage alone, as `--target runtime` builds it, is clean;
        // so is a stage the final one is not built from.
        let production = &INJECTED[..INJECTED.find("\n\n").unwrap() + 1];
        assert_eq!(run(Some("prod"), production), "");
        let side = format!("{INJECTED}FROM registry.example/jre:21\nENV JDK_JAVA_OPTIONS=-Xmx1g\n");
        assert_eq!(run(Some("prod"), &side), "");
        // No --env: the final stage's configured label names the environment.
        let labelled = |env: &str| {
            INJECTED.replace(
                "USER 10001\n",
                &format!("USER 10001\nLABEL com.example.environment={env}\n"),
            )
        };
        assert_eq!(run(None, &labelled("prod")).lines().count(), 3);
        assert!(run(None, &labelled("prod")).contains("environment `prod`"));
        assert_eq!(run(None, &labelled("test")), "");
        // --env wins over the label.
        assert_eq!(run(Some("test"), &labelled("prod")), "");
        // Marks written by hand count too.
        assert_eq!(
            run(
                Some("production"),
                "FROM registry.example/jre:21\nENV _JAVA_OPTIONS -javaagent:/a.jar\n"
            ),
            "2: a -javaagent in `_JAVA_OPTIONS`: an injected service in a Dockerfile for environment `production`, which gets no services\n"
        );
    }
}
