//! `plimsoll lint` end to end: discovery, stdin, formats, ignores, exit codes.

use std::process::{Command, Stdio};

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

fn lint(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    lint_in(std::path::Path::new("."), args, stdin)
}

/// Runs in `dir`, where `plimsoll.toml` and `.hadolint.yaml` are looked for.
fn lint_in(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .stdin(stdin.unwrap_or(""))
        .run(&all)
        .into_parts()
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
            "::warning file=-,line=3,title=DF014 (DL3025) shell-form-command::CMD in shell form"
        )),
        "{out}"
    );
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
}

#[test]
fn junit_format_has_a_failing_case_per_finding_and_passes_clean_files() {
    let (code, out, _) = lint(&["-", "--format", "junit"], Some(BAD));
    assert_eq!(code, 1);
    let findings = lint(&["-", "--format", "json"], Some(BAD)).1;
    let n = serde_json::from_str::<serde_json::Value>(&findings).unwrap()["files"][0]["findings"]
        .as_array()
        .unwrap()
        .len();
    assert!(n > 0);
    assert_eq!(out.matches("<failure ").count(), n, "{out}");
    assert!(
        out.contains(&format!(
            "<testsuites name=\"plimsoll\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">"
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "<testcase name=\"DF014 (DL3025) shell-form-command\" classname=\"-:3\" file=\"-\" line=\"3\">"
        ),
        "{out}"
    );
    let (code, out, _) = lint(&["-", "--format", "junit"], Some(GOOD));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("<testcase name=\"no findings\" classname=\"-\" file=\"-\"/>"),
        "{out}"
    );
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

#[test]
fn trusted_registries_from_plimsoll_toml_and_hadolint_yaml() {
    let t = tempfile::tempdir().unwrap();
    let src = "FROM mirror.example/debian:12 AS build\n\
               FROM build AS test\n\
               FROM scratch AS empty\n\
               FROM random.example/app:1\n\
               FROM python:3.12-slim\n\
               USER 10001\n";
    std::fs::write(t.path().join("Dockerfile"), src).unwrap();
    let df052 = |dir: &std::path::Path| -> (Vec<u64>, String) {
        let (_, out, err) = lint_in(dir, &["--format", "json", "Dockerfile"], None);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        let lines = v["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "DF052")
            .map(|f| f["location"]["line"].as_u64().unwrap())
            .collect();
        (lines, err)
    };
    // No list: no check, and no note about it.
    let (lines, err) = df052(t.path());
    assert!(lines.is_empty(), "{lines:?}");
    assert!(!err.contains("not enforced"), "{err}");

    // plimsoll.toml: Docker Hub is not in the list.
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[lint]\ntrusted_registries = [\"mirror.example\"]\n",
    )
    .unwrap();
    let (lines, err) = df052(t.path());
    assert_eq!(lines, [4, 5], "{err}");
    assert!(!err.contains("not enforced"), "{err}");

    // .hadolint.yaml adds docker.io; its `# hadolint ignore=DL3026` works.
    std::fs::write(
        t.path().join(".hadolint.yaml"),
        "trustedRegistries:\n  - docker.io\n",
    )
    .unwrap();
    assert_eq!(df052(t.path()).0, [4]);
    let ignored = src.replace(
        "FROM random.example/app:1\n",
        "# hadolint ignore=DL3026\nFROM random.example/app:1\n",
    );
    std::fs::write(t.path().join("Dockerfile"), ignored).unwrap();
    assert!(df052(t.path()).0.is_empty());

    // The finding is high (hadolint's error) and fails the run.
    std::fs::write(t.path().join("Dockerfile"), src).unwrap();
    std::fs::remove_file(t.path().join("plimsoll.toml")).unwrap();
    std::fs::write(
        t.path().join(".hadolint.yaml"),
        "trustedRegistries:\n  - \"*.example\"\n",
    )
    .unwrap();
    let (code, out, _) = lint_in(
        t.path(),
        &["--format", "json", "--fail-on", "high", "Dockerfile"],
        None,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(u64, &str)> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "DF052")
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [(5, "high")]);
    assert_eq!(code, 1);
}

#[test]
fn onbuild_triggers_are_reported_on_the_onbuild_line() {
    let src = "FROM debian:12.5-slim\nUSER 10001\nONBUILD RUN apt-get install -y --no-install-recommends curl\n";
    let (_, out, _) = lint(&["-", "--format", "json"], Some(src));
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DF001")
        .unwrap_or_else(|| panic!("no DF001: {out}"));
    assert_eq!(f["location"]["line"], 3);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .ends_with("(ONBUILD trigger: runs in child images)"),
        "{f}"
    );
}

/// `plimsoll rules | head -1`: the reader is gone before plimsoll writes,
/// so every write fails with EPIPE (Rust ignores SIGPIPE): not a panic.
#[test]
fn rules_into_a_closed_pipe_is_not_a_panic() {
    for args in ["rules", "rule DF001"] {
        // The shell waits until the read end below is closed, then becomes plimsoll.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("sleep 0.3; exec \"$0\" {args}"))
            .arg(env!("CARGO_BIN_EXE_plimsoll"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args}: {err}");
    }
}

/// Issue 19 item 9: a binary file's bytes were echoed raw into the error line.
#[test]
fn a_binary_file_is_named_binary_and_never_echoed() {
    let t = tempfile::tempdir().unwrap();
    let mut elf = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
    elf.extend_from_slice(&[0x1b, b'[', b'3', b'1', b'm', 0x07, 0, 0, 1, 2, 3]);
    std::fs::write(t.path().join("Dockerfile"), &elf).unwrap();
    let (code, _, err) = lint_in(t.path(), &["Dockerfile"], None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Dockerfile: a binary file (NUL byte at offset 7)"),
        "{err}"
    );
    assert!(!err.contains('\x1b') && !err.contains('\x7f'), "{err:?}");
    // A text file with control characters in the keyword: escaped and cut.
    let evil = format!("FROM debian\n\x1b[31m{}\x07 x\n", "A".repeat(100));
    std::fs::write(t.path().join("Dockerfile"), &evil).unwrap();
    let (code, _, err) = lint_in(t.path(), &["Dockerfile"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(r"unknown instruction: \u{1b}[31mAAA"), "{err}");
    assert!(err.contains('…') && !err.contains('\x1b'), "{err:?}");
}

/// `--fix` never rewrites a file that is not UTF-8 (it would replace its bytes).
#[test]
fn fix_leaves_a_file_that_is_not_utf8_untouched() {
    let t = tempfile::tempdir().unwrap();
    let latin1 = b"FROM debian\n# caf\xe9\nRUN apt-get install x\n".to_vec();
    std::fs::write(t.path().join("Dockerfile"), &latin1).unwrap();
    let (code, _, err) = lint_in(t.path(), &["--fix", "Dockerfile"], None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not UTF-8 (invalid byte at offset 17)"),
        "{err}"
    );
    assert_eq!(std::fs::read(t.path().join("Dockerfile")).unwrap(), latin1);
    // Without --fix it is linted as read.
    let (code, out, err) = lint_in(t.path(), &["Dockerfile"], None);
    assert_eq!(code, 1, "{out}{err}");
}

#[test]
fn hadolint_codes_ride_along_and_can_lead() {
    // JSON: each finding lists hadolint's code for its rule.
    let (code, out, _) = lint(&["-", "--format", "json"], Some(BAD));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    let shell = findings.iter().find(|f| f["code"] == "DF014").unwrap();
    assert_eq!(shell["aliases"], serde_json::json!(["DL3025"]));
    // The table shows it beside the practice.
    let (_, out, _) = lint(&["-"], Some(BAD));
    assert!(out.contains("(shell-form-command P-"), "{out}");
    assert!(out.contains(" DL3025)"), "{out}");
    // --codes hadolint: DL codes lead, in every format, plimsoll's beside them.
    let (_, out, _) = lint(
        &["-", "--format", "checkstyle", "--codes", "hadolint"],
        Some(BAD),
    );
    assert!(out.contains("source=\"DL3025\"/>"), "{out}");
    assert!(!out.contains("source=\"DF014\""), "{out}");
    let (_, out, _) = lint(&["-", "--format", "json", "--codes", "hadolint"], Some(BAD));
    let v: Value = serde_json::from_str(&out).unwrap();
    let shell = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "DL3025")
        .expect("reported under DL3025");
    assert_eq!(shell["aliases"], serde_json::json!(["DF014"]));
    // SARIF relates plimsoll's rules to a hadolint taxonomy.
    let (_, out, _) = lint(&["-", "--format", "sarif"], Some(BAD));
    let v: Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["taxonomies"][0]["name"], "hadolint");
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "DF014")
        .unwrap();
    assert_eq!(rule["relationships"][0]["target"]["id"], "DL3025");
    // The ignore pragma and flags name rules by either code, whatever leads.
    let (code, out, _) = lint(
        &[
            "-", "--format", "json", "--codes", "hadolint", "--ignore", "DF014",
        ],
        Some(BAD),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(code == 0 || code == 1);
    assert!(
        !v["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "DL3025")
    );
}

#[test]
fn codeclimate_gitlab_and_sonarqube_formats() {
    let (code, out, _) = lint(&["-", "--format", "codeclimate"], Some(BAD));
    assert_eq!(code, 1);
    let issues: Vec<Value> = out
        .split_terminator('\0')
        .map(|i| serde_json::from_str(i).unwrap())
        .collect();
    assert!(issues.len() >= 2, "{out}");
    assert!(issues.iter().all(|i| i["type"] == "issue"));
    let shell = issues.iter().find(|i| i["check_name"] == "DF014").unwrap();
    assert_eq!(shell["location"]["lines"]["begin"], 3);
    assert_eq!(shell["other_check_names"][0], "DL3025");

    let (_, out, _) = lint(&["-", "--format", "gitlab_codeclimate"], Some(BAD));
    let v: Value = serde_json::from_str(&out).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), issues.len());
    assert!(
        list.iter()
            .all(|i| i["fingerprint"].as_str().unwrap().len() == 64)
    );
    // The kebab-case spelling is accepted too.
    let (_, again, _) = lint(&["-", "--format", "gitlab-codeclimate"], Some(BAD));
    assert_eq!(again, out, "fingerprints are stable");

    let (_, out, _) = lint(
        &["-", "--format", "sonarqube", "--codes", "hadolint"],
        Some(BAD),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let shell = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["ruleId"] == "DL3025")
        .unwrap();
    assert_eq!(shell["engineId"], "plimsoll");
    assert_eq!(shell["primaryLocation"]["filePath"], "-");
    assert_eq!(shell["primaryLocation"]["textRange"]["startLine"], 3);
}

#[test]
fn json_report_matches_its_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas/lint-report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("Dockerfile"), BAD).unwrap();
    std::fs::write(t.path().join("broken.Dockerfile"), "FROM\n").unwrap();
    for codes in ["plimsoll", "hadolint"] {
        let (_, out, _) = lint_in(t.path(), &[".", "--format", "json", "--codes", codes], None);
        let v: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{codes}: {errors:#?}\n{out}");
        assert!(v["summary"]["total"].as_u64().unwrap() >= 2);
    }
}
