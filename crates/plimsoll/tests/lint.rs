//! `plimsoll lint` end to end: discovery, stdin, formats, ignores, exit codes.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn lint(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
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
    "FROM debian:12.5\nRUN useradd -r -u 10001 app\nUSER 10001\nENTRYPOINT [\"/app\"]\n";

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
