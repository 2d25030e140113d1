//! `plimsoll dockerfile inject` end to end: plimsoll.toml's `[[services]]`,
//! `-o` or stdout, notes on stderr, exit 2 on bad input naming the file.

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::{Compression, ImageSpec, Layer, Layout, dir, file, file_mode};
use serde_json::json;

#[path = "support/injected_stage.rs"]
mod injected_stage;
use injected_stage::Step;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const DOCKERFILE: &str = "FROM registry.example/maven:3.9 AS build\nRUN mvn -q package\n\n\
FROM registry.example/temurin:21-jre AS runtime\nCOPY --from=build /src/app.jar /app.jar\n\
USER 10001\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n";

fn config(from: &str) -> String {
    format!(
        "[[services]]\nname = \"jacoco\"\nenvironments = [\"test\"]\n\
         copy = [{{ from = \"{from}\", src = \"/jacoco/jacocoagent.jar\", dst = \"/opt/jacoco/jacocoagent.jar\" }}]\n\
         env = [{{ name = \"JAVA_TOOL_OPTIONS\", append = \"-javaagent:/opt/jacoco/jacocoagent.jar=destfile=/tmp/jacoco.exec\" }}]\n"
    )
}

/// A temporary directory with plimsoll.toml and Dockerfile.
fn setup(config: &str, dockerfile: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("plimsoll.toml"), config).unwrap();
    std::fs::write(t.path().join("Dockerfile"), dockerfile).unwrap();
    t
}

fn plimsoll(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["dockerfile", "inject"];
    all.extend_from_slice(args);
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .run(&all)
        .into_parts()
}

fn image() -> String {
    format!("registry.example/tools/jacoco@{DIGEST}")
}

#[test]
fn writes_to_output_and_to_stdout() {
    let t = setup(&config(&image()), DOCKERFILE);
    let (code, out, err) = plimsoll(
        t.path(),
        &["Dockerfile", "--env", "test", "-o", "Dockerfile.test"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("--target runtime"), "{err}");
    let written = std::fs::read_to_string(t.path().join("Dockerfile.test")).unwrap();
    assert!(written.starts_with(DOCKERFILE));
    assert!(written.contains("\nFROM runtime AS runtime-with-services\nUSER root\n"));
    assert!(written.contains(&format!("COPY --from={} /jacoco/", image())));
    assert!(written.contains("\nUSER 10001\n"));
    assert!(written.contains("LABEL io.plimsoll.services.injected=\"jacoco\"\n"));
    // The input is left alone.
    assert_eq!(
        std::fs::read_to_string(t.path().join("Dockerfile")).unwrap(),
        DOCKERFILE
    );

    // Without -o: the same text on stdout; --service picks exactly that one.
    let (code, out, _) = plimsoll(
        t.path(),
        &["Dockerfile", "--env", "other", "--service", "jacoco"],
    );
    assert_eq!(code, 0);
    assert_eq!(out, written.replace("--env test", "--env other"));

    // Idempotent: the injected file comes back as it is.
    let (code, out, err) = plimsoll(t.path(), &["Dockerfile.test", "--env", "test"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, written);
    assert!(err.contains("already injected"), "{err}");
}

#[test]
fn an_environment_without_services_changes_nothing() {
    let t = setup(&config(&image()), DOCKERFILE);
    let (code, out, err) = plimsoll(t.path(), &["Dockerfile", "--env", "prod"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, DOCKERFILE);
    assert!(err.contains("environment \"prod\""), "{err}");
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    // A Dockerfile that does not parse: file, line and column.
    let t = setup(&config(&image()), "FROM alpine\nFRM x\n");
    let (code, out, err) = plimsoll(t.path(), &["Dockerfile", "--env", "test"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("Dockerfile: line 2, column 1"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // An unknown service.
    let t = setup(&config(&image()), DOCKERFILE);
    let (code, _, err) = plimsoll(
        t.path(),
        &["Dockerfile", "--env", "test", "--service", "nope"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("Dockerfile") && err.contains("unknown service \"nope\""),
        "{err}"
    );

    // A copy from an image without a digest.
    let t = setup(&config("registry.example/tools/jacoco:0.8.12"), DOCKERFILE);
    let (code, _, err) = plimsoll(t.path(), &["Dockerfile", "--env", "test", "-o", "out"]);
    assert_eq!(code, 2);
    assert!(err.contains("pinned by digest"), "{err}");
    assert!(!t.path().join("out").exists());

    // A missing Dockerfile; a misspelt key in [[services]].
    let (code, _, err) = plimsoll(t.path(), &["Nope.Dockerfile", "--env", "test"]);
    assert_eq!(code, 2);
    assert!(err.contains("Nope.Dockerfile"), "{err}");
    let t = setup(
        "[[services]]\nname = \"x\"\nenvironment = [\"test\"]\n",
        DOCKERFILE,
    );
    let (code, _, err) = plimsoll(t.path(), &["Dockerfile", "--env", "test"]);
    assert_eq!(code, 2);
    assert!(err.contains("plimsoll.toml"), "{err}");
}

#[test]
fn lint_for_an_environment_without_services_flags_injected_marks() {
    let t = setup(&config(&image()), DOCKERFILE);
    let (code, _, err) = plimsoll(
        t.path(),
        &["Dockerfile", "--env", "test", "-o", "Dockerfile.test"],
    );
    assert_eq!(code, 0, "{err}");
    let lint = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "json"];
        all.extend_from_slice(args);
        let (_, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
            .current_dir(t.path())
            .run(&all)
            .into_parts();
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        v["files"][0]["findings"]
            .as_array()
            .map(|f| f.iter().filter(|f| f["code"] == "DF053").count())
            .unwrap_or(0)
    };
    // prod gets no services: the agent and both labels are flagged.
    assert_eq!(lint(&["--env", "prod", "Dockerfile.test"]), 3);
    // test is where jacoco belongs; without --env the rule is off; the original is clean.
    assert_eq!(lint(&["--env", "test", "Dockerfile.test"]), 0);
    assert_eq!(lint(&["Dockerfile.test"]), 0);
    assert_eq!(lint(&["--env", "prod", "Dockerfile"]), 0);

    // [environments] label: the final stage's own LABEL names the environment.
    std::fs::write(
        t.path().join("plimsoll.toml"),
        format!(
            "{}\n[environments]\nlabel = \"com.example.environment\"\n",
            config(&image())
        ),
    )
    .unwrap();
    let written = std::fs::read_to_string(t.path().join("Dockerfile.test")).unwrap();
    for (env, expected) in [("test", 0), ("prod", 3)] {
        std::fs::write(
            t.path().join("Dockerfile.labelled"),
            format!("{written}LABEL com.example.environment={env}\n"),
        )
        .unwrap();
        assert_eq!(lint(&["Dockerfile.labelled"]), expected, "labelled {env}");
    }
    // --env wins over the label (the file is labelled prod now).
    assert_eq!(lint(&["--env", "test", "Dockerfile.labelled"]), 0);
}

/// `plimsoll image audit` of the IMG017 findings of `reference`.
fn img017(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["image", "audit", "--format", "json", "--no-progress"];
    all.extend_from_slice(args);
    let (code, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .run(&all)
        .into_parts();
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IMG017")
        .cloned()
        .collect()
}

#[test]
fn image_audit_for_an_environment_without_services_flags_injected_marks() {
    let t = setup(&config(&image()), DOCKERFILE);
    let (code, _, err) = plimsoll(
        t.path(),
        &["Dockerfile", "--env", "test", "-o", "Dockerfile.test"],
    );
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(t.path().join("Dockerfile.test")).unwrap();
    let steps = injected_stage::added_steps(&written);

    // The production image, as `--target runtime` builds it; the test image
    // is it with the added stage's steps applied: the copied agent as a
    // layer, its ENV and LABELs in the config.
    let base = Layer::new(
        &[
            dir("etc"),
            file(
                "etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n",
            ),
            file("etc/group", "root:x:0:\napp:x:10001:\n"),
            file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            file_mode("app.jar", b"PK\x03\x04 not really", 0o644, 0),
        ],
        Compression::Gzip,
    );
    let env = vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()];
    let production = json!({
        "User": "10001",
        "Env": env,
        "Entrypoint": ["java", "-jar", "/app.jar"],
        "Healthcheck": {"Test": ["CMD", "java", "-version"]},
    });
    let mut copied = Vec::new();
    let mut labels = serde_json::Map::new();
    for s in &steps {
        match s {
            Step::Copy { dst, .. } => {
                let dst = dst.trim_start_matches('/');
                let mut at = String::new();
                for part in dst.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
                    at = if at.is_empty() {
                        part.to_string()
                    } else {
                        format!("{at}/{part}")
                    };
                    copied.push(dir(&at));
                }
                copied.push(file_mode(dst, b"PK\x03\x04 agent", 0o644, 0));
            }
            Step::Label { key, value } => {
                labels.insert(key.clone(), value.clone().into());
            }
            _ => {}
        }
    }
    assert!(
        !copied.is_empty(),
        "the rewrite copies the agent: {steps:?}"
    );
    // The platform labels each image with its environment.
    labels.insert("com.example.environment".into(), "test".into());
    let mut test = production.clone();
    test["Env"] = json!(injected_stage::apply_env(&env, &steps));
    test["Labels"] = labels.into();
    // The test image, labelled for production by mistake.
    let mut shipped = test.clone();
    shipped["Labels"]["com.example.environment"] = "prod".into();
    assert!(
        test["Env"][1]
            .as_str()
            .unwrap()
            .starts_with("JAVA_TOOL_OPTIONS=-javaagent:/opt/jacoco/jacocoagent.jar"),
        "{test}"
    );
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(
        &ImageSpec::new(vec![base.clone()]).config(production),
        "prod",
    );
    let agent = Layer::new(&copied, Compression::Gzip);
    layout.add(
        &ImageSpec::new(vec![base.clone(), agent.clone()]).config(test),
        "test",
    );
    layout.add(
        &ImageSpec::new(vec![base, agent]).config(shipped),
        "shipped",
    );
    let img = |tag: &str| format!("oci:{}:{tag}", t.path().join("img").display());

    // prod gets no services: the agent and both labels, each at its config field.
    let found = img017(t.path(), &[&img("test"), "--env", "prod"]);
    let mut fields: Vec<&str> = found
        .iter()
        .map(|f| f["location"]["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "config.Env[JAVA_TOOL_OPTIONS]",
            "config.Labels[io.plimsoll.service.jacoco.source]",
            "config.Labels[io.plimsoll.services.injected]",
        ]
    );
    assert_eq!(found[0]["practice"], "P-I1");
    assert_eq!(found[0]["severity"], "high");
    // The production image passes; test is where jacoco belongs; without --env the rule is off.
    assert!(img017(t.path(), &[&img("prod"), "--env", "prod"]).is_empty());
    assert!(img017(t.path(), &[&img("test"), "--env", "test"]).is_empty());
    assert!(img017(t.path(), &[&img("test")]).is_empty());

    // [environments] label: the image's own label names its environment.
    std::fs::write(
        t.path().join("plimsoll.toml"),
        format!(
            "{}\n[environments]\nlabel = \"com.example.environment\"\n",
            config(&image())
        ),
    )
    .unwrap();
    let found = img017(t.path(), &[&img("shipped")]);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("in an image for environment `prod`"),
        "{found:#?}"
    );
    assert!(img017(t.path(), &[&img("test")]).is_empty());
    // --env wins over the label.
    assert!(img017(t.path(), &[&img("shipped"), "--env", "test"]).is_empty());
}
