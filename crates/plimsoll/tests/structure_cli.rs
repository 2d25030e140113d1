//! `plimsoll test`: exit codes, every output format (JSON against
//! schemas/structure-test-report.schema.json, JUnit, SARIF), every image
//! source on a small image built here, bad configurations (exit 2).

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::{Compression, ImageSpec, Layer, Layout, docker_archive, file, file_mode};
use serde_json::{Value, json};

fn spec(compression: Compression) -> ImageSpec {
    ImageSpec::new(vec![Layer::new(
        &[
            file("etc/os-release", b"ID=debian\n"),
            file_mode("usr/bin/helper", b"ELF", 0o4755, 0),
            file_mode("app/run", b"#!/bin/sh\n", 0o750, 1000),
        ],
        compression,
    )])
    .config(json!({"User": "1000", "ExposedPorts": {"8080/tcp": {}}, "Env": ["A=1"]}))
}

fn images(dir: &Path) -> Vec<String> {
    let mut layout = Layout::new(&dir.join("oci"));
    layout.add(&spec(Compression::Gzip), "1.0");
    docker_archive(&dir.join("img.tar"), &spec(Compression::None), "img:1.0");
    // dir: an unpacked root filesystem (owner and mode as this machine has them).
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os-release"), "ID=debian\n").unwrap();
    vec![
        format!("oci:{}:1.0", dir.join("oci").display()),
        format!("docker-archive:{}", dir.join("img.tar").display()),
        format!("dir:{}", root.display()),
    ]
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn plimsoll(cache: &Path, args: &[&str]) -> (i32, String, String) {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .run(args)
        .into_parts()
}

const PASSING: &str = r#"
schemaVersion: "2.0.0"
fileExistenceTests:
  - name: release
    path: /etc/os-release
fileContentTests:
  - name: debian
    path: /etc/os-release
    expectedContents: ["^ID=debian\n$"]
"#;

const MIXED: &str = r#"
schemaVersion: "2.0.0"
commandTests:
  - name: echo
    command: echo
fileExistenceTests:
  - name: helper
    path: /usr/bin/helper
    permissions: urwxr-xr-x
    uid: 0
  - name: run owner
    path: /app/run
    uid: 0
metadataTest:
  exposedPorts: ["8080"]
  user: "1000"
"#;

#[test]
fn every_source_passes_and_exits_0() {
    let t = tempfile::tempdir().unwrap();
    let config = write(t.path(), "pass.yaml", PASSING);
    for reference in images(t.path()) {
        let (code, out, err) = plimsoll(
            &t.path().join("cache"),
            &["test", &reference, "--config", &config, "--no-progress"],
        );
        assert_eq!(code, 0, "{reference}: {out}{err}");
        assert!(
            out.contains("=== RUN: File Content Test: debian\n--- PASS"),
            "{out}"
        );
        assert!(out.contains("Passes:      2"), "{out}");
        assert!(out.trim_end().ends_with("PASS"), "{out}");
    }
}

#[test]
fn a_failure_exits_1_in_every_format() {
    let t = tempfile::tempdir().unwrap();
    let refs = images(t.path());
    let config = write(t.path(), "mixed.yaml", MIXED);
    let cache = t.path().join("cache");
    for reference in &refs[..2] {
        let (code, out, err) = plimsoll(
            &cache,
            &["test", reference, "--config", &config, "--format", "json"],
        );
        assert_eq!(code, 1, "{reference}: {err}");
        let doc: Value = serde_json::from_str(&out).unwrap();
        let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../schemas/structure-test-report.schema.json");
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{out}");
        assert_eq!(
            (&doc["Pass"], &doc["Fail"], &doc["Skipped"], &doc["Total"]),
            (&json!(2), &json!(1), &json!(1), &json!(4))
        );
        let failed = &doc["Results"][2];
        assert_eq!(failed["Name"], "File Existence Test: run owner");
        assert_eq!(
            failed["Errors"][0],
            "/app/run has incorrect user ownership. Expected: 0, Actual: 1000"
        );
        assert!(doc["Digest"].as_str().unwrap().starts_with("sha256:"));
    }
    let (code, junit, _) = plimsoll(
        &cache,
        &[
            "test",
            &refs[0],
            "--config",
            &config,
            "--format",
            "junit",
            "--junit-suite-name",
            "img",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        junit.starts_with(
            r#"<?xml version="1.0" encoding="UTF-8"?><testsuites failures="1" tests="4""#
        ),
        "{junit}"
    );
    assert!(junit.contains(r#"<testsuite name="img">"#), "{junit}");
    assert!(
        junit.contains("<failure>/app/run has incorrect user ownership"),
        "{junit}"
    );
    let out = t.path().join("out.sarif");
    let (code, _, _) = plimsoll(
        &cache,
        &[
            "test",
            &refs[0],
            "--config",
            &config,
            "--format",
            "sarif",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["STRUCT002", "STRUCT001"]);
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let t = tempfile::tempdir().unwrap();
    let refs = images(t.path());
    let cache = t.path().join("cache");
    let cases = [
        (
            "broken.yaml",
            "schemaVersion: \"2.0.0\"\nfileExistenceTests: [\n",
            "broken.yaml",
        ),
        (
            "old.yaml",
            "schemaVersion: \"1.0.0\"\n",
            "unsupported schemaVersion \"1.0.0\"",
        ),
        (
            "regex.yaml",
            "schemaVersion: \"2.0.0\"\nfileContentTests:\n  - name: r\n    path: /x\n    excludedContents: ['[z-a]']\n",
            "bad regex '[z-a]'",
        ),
    ];
    for (name, text, needle) in cases {
        let config = write(t.path(), name, text);
        let (code, out, err) = plimsoll(&cache, &["test", &refs[0], "--config", &config]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(err.contains(name) && err.contains(needle), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.is_empty(), "{out}");
    }
    let (code, _, err) = plimsoll(
        &cache,
        &["test", &refs[0], "--config", "/nonexistent/c.yaml"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/c.yaml"), "{err}");
    let good = write(t.path(), "good.yaml", PASSING);
    let (code, _, err) = plimsoll(&cache, &["test", "oci:/nonexistent:1", "--config", &good]);
    assert_eq!(code, 2, "{err}");
}
