//! `plimsoll dockerfile inject` end to end: plimsoll.toml's `[[services]]`,
//! `-o` or stdout, notes on stderr, exit 2 on bad input naming the file.

use std::path::Path;

use plimsoll_testkit::cli::Cli;

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
}
