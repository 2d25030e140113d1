use std::collections::HashMap;

use super::*;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn jacoco_image() -> String {
    format!("registry.example/tools/jacoco@{DIGEST}")
}

/// The catalogue as plimsoll.toml writes it.
fn catalogue() -> Vec<Service> {
    #[derive(Deserialize)]
    struct File {
        services: Vec<Service>,
    }
    let text = format!(
        r#"
        [[services]]
        name = "jacoco"
        environments = ["test"]
        copy = [{{ from = "{img}", src = "/jacoco/jacocoagent.jar", dst = "/opt/jacoco/jacocoagent.jar", chmod = "0644" }}]
        env = [{{ name = "JAVA_TOOL_OPTIONS", append = "-javaagent:/opt/jacoco/jacocoagent.jar=destfile=/tmp/jacoco.exec" }}]
        expose = ["6300/tcp", 6301]

        [[services]]
        name = "debug"
        environments = ["staging"]
        env = [{{ name = "LOG_LEVEL", set = "debug" }}]
        labels = {{ "org.example.debug" = "on" }}
        "#,
        img = jacoco_image()
    );
    toml::from_str::<File>(&text).unwrap().services
}

fn run(src: &str, env: &str, services: &[&str]) -> Result<Outcome, InjectError> {
    let names: Vec<String> = services.iter().map(|s| s.to_string()).collect();
    inject(
        src,
        &catalogue(),
        &Request {
            environment: env,
            services: &names,
        },
    )
}

/// The text of each instruction of the original stages, in order.
fn stage_texts(src: &str, df: &Dockerfile, stages: usize) -> Vec<String> {
    df.stages[..stages]
        .iter()
        .flat_map(|s| df.instructions[s.instructions.clone()].iter())
        .map(|i| src[i.span.start..i.span.end].to_string())
        .collect()
}

const MULTI: &str = "# syntax=docker/dockerfile:1\n\
FROM registry.example/maven:3.9 AS build\n\
RUN mvn -q package\n\
\n\
FROM registry.example/temurin:21-jre AS runtime\n\
COPY --from=build /src/target/app.jar /app/app.jar\n\
USER 10001:10001\n\
ENTRYPOINT [\"java\", \"-jar\", \"/app/app.jar\"]\n";

#[test]
fn named_final_stage_gets_a_stage_on_top() {
    let out = run(MULTI, "test", &[]).unwrap();
    assert!(out.text.starts_with(MULTI), "original kept byte for byte");
    assert_eq!(out.injected, ["jacoco"]);
    assert_eq!(out.production_target.as_deref(), Some("runtime"));
    let added = &out.text[MULTI.len()..];
    let expected = format!(
        "\n# Added by `plimsoll dockerfile inject --env test` (P-I1): jacoco. Build the production image with --target runtime.\n\
FROM runtime AS runtime-with-services\n\
USER root\n\
COPY --from={img} --chmod=0644 /jacoco/jacocoagent.jar /opt/jacoco/jacocoagent.jar\n\
USER 10001:10001\n\
ENV JAVA_TOOL_OPTIONS=\"${{JAVA_TOOL_OPTIONS:+${{JAVA_TOOL_OPTIONS}} }}-javaagent:/opt/jacoco/jacocoagent.jar=destfile=/tmp/jacoco.exec\"\n\
EXPOSE 6300/tcp\n\
EXPOSE 6301\n\
LABEL io.plimsoll.services.injected=\"jacoco\"\n\
LABEL io.plimsoll.service.jacoco.source=\"{img}\"\n",
        img = jacoco_image()
    );
    assert_eq!(added, expected);

    // It parses; the original stages are unchanged, instruction for instruction.
    let before = plimsoll_dockerfile::parse(MULTI).unwrap();
    let after = plimsoll_dockerfile::parse(&out.text).unwrap();
    assert_eq!(after.stages.len(), 3);
    assert_eq!(
        stage_texts(MULTI, &before, 2),
        stage_texts(&out.text, &after, 2)
    );
    assert_eq!(
        after.stages[2].name.as_deref(),
        Some("runtime-with-services")
    );
    assert_eq!(after.stages[2].image, "runtime");
}

#[test]
fn unnamed_final_stage_is_named_without_other_change() {
    let src = "FROM registry.example/temurin:21-jre\nCOPY app.jar /app.jar\n";
    let out = run(src, "test", &[]).unwrap();
    let head = "FROM registry.example/temurin:21-jre AS plimsoll-final\nCOPY app.jar /app.jar\n";
    assert!(out.text.starts_with(head), "{}", out.text);
    assert!(
        out.text
            .contains("\nFROM plimsoll-final AS plimsoll-final-with-services\n")
    );
    assert_eq!(out.production_target.as_deref(), Some("plimsoll-final"));
    // No USER written: nothing to switch or restore.
    assert!(!out.text.contains("USER"), "{}", out.text);
    let before = plimsoll_dockerfile::parse(src).unwrap();
    let after = plimsoll_dockerfile::parse(&out.text).unwrap();
    assert_eq!(after.stages[0].image, before.stages[0].image);
    assert_eq!(
        after.instructions[1].span.start - before.instructions[1].span.start,
        " AS plimsoll-final".len()
    );
    // A continued FROM line, no trailing newline, a taken name.
    let src = "FROM scratch AS plimsoll-final\nFROM \\\n  registry.example/jre:21";
    let out = run(src, "test", &[]).unwrap();
    assert!(
        out.text.starts_with(
            "FROM scratch AS plimsoll-final\nFROM \\\n  registry.example/jre:21 AS plimsoll-final-2\n\n#"
        ),
        "{}",
        out.text
    );
}

#[test]
fn non_root_user_is_switched_for_copies_and_restored_as_written() {
    // The USER of the stage the final one is built FROM, with an ARG: the
    // value is written (ARGs do not reach the new stage).
    let src = "FROM registry.example/jre:21 AS base\nARG UID=10001\nUSER ${UID}\n\
               FROM base AS app\nCMD [\"java\"]\n";
    let out = run(src, "test", &[]).unwrap();
    let added = &out.text[src.len()..];
    assert!(
        added.contains("AS app-with-services\nUSER root\nCOPY --from=")
            && added.contains("\nUSER 10001\nENV "),
        "{added}"
    );
    // Already root: no switch.
    for user in ["root", "0:0", "root:root"] {
        let src = format!("FROM registry.example/jre:21\nUSER {user}\n");
        let out = run(&src, "test", &[]).unwrap();
        assert_eq!(out.text.matches("USER").count(), 1, "{user}: {}", out.text);
    }
    // No USER written: the service's `user` (its base image's) is restored;
    // a USER written in the Dockerfile wins over it.
    let mut services = catalogue();
    services[0].user = Some("65532".into());
    let request = Request {
        environment: "test",
        services: &[],
    };
    let src = "FROM registry.example/distroless/java21:nonroot\n";
    let out = inject(src, &services, &request).unwrap();
    assert!(
        out.text.contains("\nUSER root\nCOPY ") && out.text.contains("\nUSER 65532\nENV "),
        "{}",
        out.text
    );
    let out = inject(MULTI, &services, &request).unwrap();
    assert!(!out.text.contains("USER 65532"), "{}", out.text);
    // A non-root USER but no copy (only env): no switch either.
    let src = "FROM registry.example/jre:21\nUSER app\n";
    let out = run(src, "staging", &[]).unwrap();
    assert_eq!(out.text.matches("USER").count(), 1, "{}", out.text);
}

#[test]
fn env_append_keeps_the_value_and_set_replaces_it() {
    let out = run(MULTI, "test", &["jacoco", "debug"]).unwrap();
    assert_eq!(out.injected, ["jacoco", "debug"]);
    let df = plimsoll_dockerfile::parse(&out.text).unwrap();
    let envs: Vec<(String, Option<String>)> = df
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Env)
        .flat_map(|i| i.key_values())
        .collect();
    assert_eq!(envs.len(), 2);
    assert_eq!(envs[1], ("LOG_LEVEL".into(), Some("debug".into())));
    let (name, value) = (&envs[0].0, envs[0].1.clone().unwrap());
    assert_eq!(name, "JAVA_TOOL_OPTIONS");
    let agent = "-javaagent:/opt/jacoco/jacocoagent.jar=destfile=/tmp/jacoco.exec";
    // Set: the original value kept, a space, the agent.
    let set = HashMap::from([(name.clone(), "-Xmx512m".to_string())]);
    assert_eq!(
        plimsoll_dockerfile::expand(&value, &set),
        format!("-Xmx512m {agent}")
    );
    // Unset (or empty): the agent alone, no leading space.
    assert_eq!(plimsoll_dockerfile::expand(&value, &HashMap::new()), agent);
    let empty = HashMap::from([(name.clone(), String::new())]);
    assert_eq!(plimsoll_dockerfile::expand(&value, &empty), agent);
    // Labels: the service's own, then which services, from where.
    assert!(out.text.contains("LABEL org.example.debug=\"on\"\n"));
    assert!(
        out.text
            .contains("LABEL io.plimsoll.services.injected=\"jacoco,debug\"\n")
    );
    assert!(!out.text.contains("io.plimsoll.service.debug.source"));
}

#[test]
fn no_services_for_the_environment_is_byte_identical() {
    for env in ["prod", "nowhere"] {
        let out = run(MULTI, env, &[]).unwrap();
        assert_eq!(out.text, MULTI);
        assert!(out.injected.is_empty());
        assert!(out.note.as_deref().unwrap_or("").contains(env));
    }
    // Even an unnamed final stage and a file without a final newline.
    let src = "FROM scratch\r\nCOPY a /a";
    assert_eq!(run(src, "prod", &[]).unwrap().text, src);
}

#[test]
fn injecting_twice_adds_nothing() {
    for src in [MULTI, "FROM registry.example/jre:21\nUSER app\n"] {
        let once = run(src, "test", &[]).unwrap();
        let twice = run(&once.text, "test", &[]).unwrap();
        assert_eq!(twice.text, once.text);
        assert!(twice.injected.is_empty());
        assert!(twice.note.unwrap().contains("already injected"));
    }
    // The label alone marks it too.
    let src = "FROM scratch AS x\nLABEL io.plimsoll.services.injected=\"jacoco\"\n";
    assert_eq!(run(src, "test", &[]).unwrap().text, src);
}

#[test]
fn unknown_service_is_an_error() {
    let e = run(MULTI, "test", &["jacocoo"]).unwrap_err();
    assert_eq!(
        e,
        InjectError::UnknownService {
            name: "jacocoo".into(),
            known: "jacoco, debug".into()
        }
    );
    assert!(e.to_string().contains("jacoco, debug"));
}

#[test]
fn copy_from_an_undigested_image_is_refused() {
    let mut services = catalogue();
    services[0].copy[0].from = "registry.example/tools/jacoco:0.8.12".into();
    let request = Request {
        environment: "test",
        services: &[],
    };
    let e = inject(MULTI, &services, &request).unwrap_err();
    assert!(matches!(e, InjectError::UndigestedSource { .. }), "{e}");
    assert!(e.to_string().contains("P-D1"), "{e}");
    // A short or upper-case digest is no digest either.
    for bad in ["img@sha256:abc", &format!("img@sha256:{}", "A".repeat(64))] {
        services[0].copy[0].from = bad.to_string();
        assert!(inject(MULTI, &services, &request).is_err(), "{bad}");
    }
    // A stage of the file is fine, and recorded as no image source.
    services[0].copy[0].from = "build".into();
    let out = inject(MULTI, &services, &request).unwrap();
    assert!(out.text.contains("COPY --from=build --chmod=0644 "));
    assert!(!out.text.contains("io.plimsoll.service.jacoco.source"));
}

#[test]
fn bad_input_is_reported_not_panicked_on() {
    let e = run("FROM alpine\nRUN <<EOF\nx\n", "test", &[]);
    // Whatever the parser says of an unterminated heredoc, no panic; a
    // clear parse error carries the position.
    if let Err(InjectError::Parse { line, .. }) = &e {
        assert!(*line >= 1);
    }
    let e = run("FRM alpine\n", "test", &[]).unwrap_err();
    assert!(matches!(e, InjectError::Parse { line: 1, .. }), "{e}");
    assert!(run("# nothing\n", "test", &[]).is_err());
    assert!(run("ARG X=1\n", "test", &[]).is_err());
    let mut services = catalogue();
    services[1].env[0].append = Some("x".into());
    let request = Request {
        environment: "staging",
        services: &[],
    };
    assert!(matches!(
        inject(MULTI, &services, &request),
        Err(InjectError::BadService { .. })
    ));
    services = catalogue();
    services.push(services[0].clone());
    assert!(matches!(
        inject(MULTI, &services, &request),
        Err(InjectError::DuplicateService(_))
    ));
    services = catalogue();
    services[0].name = "Ja coco".into();
    assert!(matches!(
        inject(MULTI, &services, &request),
        Err(InjectError::BadServiceName(_))
    ));
}

#[test]
fn paths_with_spaces_use_the_json_form_and_values_are_escaped() {
    let mut services = catalogue();
    services[0].copy[0].dst = "/opt/my agent/agent.jar".into();
    services[1].env[0].set = Some("say \"hi\"".into());
    let names = ["jacoco".to_string(), "debug".to_string()];
    let request = Request {
        environment: "test",
        services: &names,
    };
    let out = inject(MULTI, &services, &request).unwrap();
    assert!(
        out.text
            .contains(" [\"/jacoco/jacocoagent.jar\", \"/opt/my agent/agent.jar\"]\n"),
        "{}",
        out.text
    );
    let df = plimsoll_dockerfile::parse(&out.text).unwrap();
    let copy = df
        .instructions
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::Copy);
    assert_eq!(
        copy.map(|c| c.words()),
        Some(vec![
            "/jacoco/jacocoagent.jar".to_string(),
            "/opt/my agent/agent.jar".to_string()
        ])
    );
    let level = df
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Env)
        .flat_map(|i| i.key_values())
        .find(|(k, _)| k == "LOG_LEVEL");
    assert_eq!(level, Some(("LOG_LEVEL".into(), Some("say \"hi\"".into()))));
}

#[test]
fn crlf_files_stay_crlf_and_environments_are_one_word() {
    let src = "FROM registry.example/jre:21 AS app\r\nUSER app\r\n";
    let out = run(src, "test", &[]).unwrap();
    assert!(out.text.starts_with(src));
    let added = &out.text[src.len()..];
    assert!(added.starts_with("\r\n# Added"), "{added:?}");
    assert_eq!(added.matches('\n').count(), added.matches("\r\n").count());
    assert_eq!(run(&out.text, "test", &[]).unwrap().text, out.text);
    for bad in ["", "te st", "test\nRUN rm -rf /"] {
        assert!(
            matches!(run(src, bad, &[]), Err(InjectError::BadEnvironment(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn awkward_files_keep_their_stages_and_parse() {
    for src in [
        "# escape=`\nFROM registry.example/jre:21 AS app\nUSER app\nRUN echo a `\n  b\n",
        "ARG BASE=registry.example/jre:21\nFROM ${BASE}\nUSER 1000\n",
        "from --platform=$BUILDPLATFORM registry.example/jre:21 as Runtime\nuser app\n",
        "FROM registry.example/jre:21\nRUN <<EOF\necho hi\nEOF",
        "FROM registry.example/jre:21 AS b\nONBUILD RUN id\nFROM b\n   \n",
        "FROM registry.example/jre:21 AS a\nFROM a AS b\nUSER a\nFROM b\n",
    ] {
        let out = run(src, "test", &[]).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        let before = plimsoll_dockerfile::parse(src).unwrap();
        let after = plimsoll_dockerfile::parse(&out.text)
            .unwrap_or_else(|e| panic!("{src:?} -> {:?}: {e:?}", out.text));
        let n = before.stages.len();
        assert_eq!(after.stages.len(), n + 1, "{}", out.text);
        for (a, b) in before.stages.iter().zip(&after.stages) {
            assert_eq!(a.image, b.image);
            assert_eq!(a.instructions.len(), b.instructions.len(), "{}", out.text);
        }
        let last = &after.stages[n];
        assert_eq!(Some(last.image.as_str()), out.production_target.as_deref());
        assert_eq!(
            last.name.clone(),
            out.production_target.map(|t| format!("{t}{STAGE_SUFFIX}"))
        );
        // The original text is there, except for a name given to the final stage.
        if before.stages[n - 1].name.is_some() {
            assert!(out.text.starts_with(src), "{}", out.text);
        }
        assert_eq!(run(&out.text, "test", &[]).unwrap().text, out.text);
    }
}

#[test]
fn which_environments_get_services() {
    let c = catalogue();
    assert_eq!(environments_with_services(&c), ["staging", "test"]);
    assert!(has_services(&c, "test") && has_services(&c, "staging"));
    assert!(!has_services(&c, "prod"));
    assert!(!has_services(&[], "test"));
}

#[test]
fn the_labels_written_are_the_marks_the_guardrails_read() {
    let out = run("FROM alpine:3.20 AS app\n", "test", &[]).unwrap();
    let df = plimsoll_dockerfile::parse(&out.text).unwrap();
    let marks: Vec<String> = df
        .instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Label)
        .flat_map(|i| i.key_values())
        .filter_map(|(k, v)| {
            plimsoll_practice::services::label_mark(&k, v.as_deref().unwrap_or_default())
        })
        .map(|m| m.to_string())
        .collect();
    assert_eq!(
        marks,
        [
            "label `io.plimsoll.services.injected=jacoco`".to_string(),
            format!(
                "label `io.plimsoll.service.jacoco.source={}`",
                jacoco_image()
            ),
        ]
    );
}
