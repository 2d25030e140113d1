//! `plimsoll lint` end to end: discovery, stdin, formats, ignores, exit codes.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn lint(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    lint_in(std::path::Path::new("."), args, stdin)
}

/// Runs in `dir`, where `plimsoll.toml` and `.hadolint.yaml` are looked for.
fn lint_in(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .arg("lint")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
    )
}

const BAD: &str =
    "FROM ubuntu\nRUN apt-get update && apt-get install curl\nCMD nginx -g \"daemon off;\"\n";
const GOOD: &str =
    "FROM debian:12.5-slim\nRUN useradd -r -u 10001 app\nUSER 10001\nENTRYPOINT [\"/app\"]\n";

#[test]
fn stdin_gets_rustc_style_diagnostics() {
    let (code, out, _) = lint(&["-"], Some(BAD));
    assert_eq!(code, 1);
    assert!(out.contains("medium[DF014]: CMD in shell form"), "{out}");
    assert!(out.contains("  --> -:3"), "{out}");
    assert!(out.contains("3 | CMD nginx -g \"daemon off;\""), "{out}");
    assert!(out.contains("= help: use the exec form"), "{out}");
}

#[test]
fn directories_are_searched_and_clean_files_exit_zero() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("svc/a")).unwrap();
    std::fs::write(t.path().join("svc/a/Dockerfile"), GOOD).unwrap();
    std::fs::write(t.path().join("svc/web.Dockerfile"), GOOD).unwrap();
    std::fs::write(t.path().join("svc/Containerfile"), GOOD).unwrap();
    std::fs::write(t.path().join("svc/README.md"), "FROM nothing").unwrap();
    let (code, out, err) = lint(&[t.path().to_str().unwrap(), "--format", "json"], None);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
    assert_eq!(v["summary"]["total"], 0);
}

#[test]
fn fail_on_and_ignores() {
    // Only low/medium/high findings: --fail-on critical passes.
    assert_eq!(lint(&["-", "--fail-on", "critical"], Some(BAD)).0, 0);
    // hadolint's code ignores plimsoll's rule (DL3025 = shell-form CMD).
    let (_, out, _) = lint(&["-", "--ignore", "DL3025", "--format", "json"], Some(BAD));
    let v: Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"DF014"), "{codes:?}");
    assert!(codes.contains(&"DF002"), "{codes:?}");
    // Inline hadolint comments are honoured too.
    let src = "FROM debian:12\n# hadolint ignore=DL3025\nCMD nginx\nUSER 1\n";
    let (_, out, _) = lint(&["-", "--format", "json"], Some(src));
    assert!(!out.contains("DF014"), "{out}");
}

#[test]
fn parse_errors_exit_two_with_line_and_column() {
    let (code, _, err) = lint(&["-"], Some("FROM ubuntu\nRUN <<EOF\necho\n"));
    assert_eq!(code, 2);
    assert!(err.contains("-:2:"), "{err}");
    let (code, _, err) = lint(&["/nonexistent/Dockerfile"], None);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/Dockerfile"), "{err}");
}

#[test]
fn sarif_names_files_relative_to_srcroot() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("Dockerfile");
    std::fs::write(&f, BAD).unwrap();
    let (code, out, _) = lint(&[f.to_str().unwrap(), "--format", "sarif"], None);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let result = &v["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "SRCROOT"
    );
    assert!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

const FIXABLE: &str = "FROM debian:12.5-slim\nMAINTAINER Jane <j@example.com>\n\
RUN apt-get update && apt-get install curl=7.88.1-10+deb12u5\nUSER 10001\nCMD /app --serve\n";

#[test]
fn fix_rewrites_in_place_and_is_idempotent() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("Dockerfile");
    std::fs::write(&f, FIXABLE).unwrap();
    let (code, _, err) = lint_in(t.path(), &["--fix", "Dockerfile"], None);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Dockerfile: fixed DF"), "{err}");
    let fixed = std::fs::read_to_string(&f).unwrap();
    assert_eq!(
        fixed,
        "FROM debian:12.5-slim\nLABEL maintainer=\"Jane <j@example.com>\"\n\
         RUN apt-get update && apt-get install --no-install-recommends -y curl=7.88.1-10+deb12u5 \\\n    && rm -rf /var/lib/apt/lists/*\n\
         USER 10001\nCMD [\"/app\", \"--serve\"]\n"
    );
    let (code, _, err) = lint_in(t.path(), &["--fix", "Dockerfile"], None);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("fixed"), "second run fixed something: {err}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), fixed);
    // From stdin the fixed file is the output.
    let (code, out, _) = lint_in(t.path(), &["--fix", "-"], Some(FIXABLE));
    assert_eq!(code, 0);
    assert_eq!(out, fixed);
}

#[test]
fn checkstyle_and_github_formats() {
    let (code, out, _) = lint(&["-", "--format", "checkstyle"], Some(BAD));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle"),
        "{out}"
    );
    assert!(out.contains("<file name=\"-\">"), "{out}");
    assert!(
        out.contains("<error line=\"3\" severity=\"warning\" message=\"CMD in shell form"),
        "{out}"
    );
    assert!(out.contains("source=\"DF014\"/>"), "{out}");
    assert_eq!(
        out.matches("<file ").count(),
        out.matches("</file>").count()
    );
    let (_, out, _) = lint(&["-", "--format", "github"], Some(BAD));
    assert!(
        out.lines().any(|l| l.starts_with(
            "::warning file=-,line=3,title=DF014 shell-form-command::CMD in shell form"
        )),
        "{out}"
    );
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
}

#[test]
fn plimsoll_toml_and_hadolint_yaml_are_honoured() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("Dockerfile"), BAD).unwrap();
    let (_, out, _) = lint_in(t.path(), &["--format", "json", "Dockerfile"], None);
    let all: Value = serde_json::from_str(&out).unwrap();
    let codes = |v: &Value| -> Vec<String> {
        v["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let before = codes(&all);
    assert!(
        before.contains(&"DF014".to_string()) && before.contains(&"DF002".to_string()),
        "{before:?}"
    );

    // hadolint's config: DL3014 is DF002; DL3025 (exec form) raised to error.
    std::fs::write(
        t.path().join(".hadolint.yaml"),
        "ignored:\n  - DL3014\noverride:\n  error:\n    - DL3025\nfailure-threshold: error\n",
    )
    .unwrap();
    let (code, out, err) = lint_in(t.path(), &["--format", "json", "Dockerfile"], None);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(!codes(&v).contains(&"DF002".to_string()), "{err}");
    let df014 = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DF014")
        .unwrap();
    assert_eq!(df014["severity"], "high");
    assert_eq!(code, 1, "DF014 is now high, at the failure threshold");

    // plimsoll.toml on top: ignore by name, skip a path, fail only on critical.
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[lint]\nignore = [\"shell-form-command\"]\nfail_on = \"critical\"\nignore_paths = [\"skipped/**\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(t.path().join("skipped")).unwrap();
    std::fs::write(t.path().join("skipped/Dockerfile"), BAD).unwrap();
    let (code, out, err) = lint_in(t.path(), &["--format", "json", "."], None);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 1, "{out}");
    assert!(!codes(&v).contains(&"DF014".to_string()));
    // A config error is an error.
    std::fs::write(t.path().join("plimsoll.toml"), "[lint]\nfail-on = 1\n").unwrap();
    let (code, _, err) = lint_in(t.path(), &["Dockerfile"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("plimsoll.toml"), "{err}");
}
