//! The licence policy (P-C9) end to end: `[licenses]` in plimsoll.toml
//! judging the licences an image's packages declare, through `plimsoll sbom
//! --check-licenses`, with the package, version and layer named.

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::{Compression, ImageSpec, Layer, Layout, file};

fn package_json(name: &str, license: Option<&str>) -> String {
    match license {
        Some(l) => format!(r#"{{"name": "{name}", "version": "1.0.0", "license": "{l}"}}"#),
        None => format!(r#"{{"name": "{name}", "version": "1.0.0"}}"#),
    }
}

/// An image with four npm packages in two layers.
fn image(dir: &Path) -> String {
    let layer = |items: &[(&str, Option<&str>)]| {
        let files: Vec<_> = items
            .iter()
            .map(|(n, l)| {
                file(
                    &format!("app/node_modules/{n}/package.json"),
                    package_json(n, *l),
                )
            })
            .collect();
        Layer::new(&files, Compression::Gzip)
    };
    let spec = ImageSpec::new(vec![
        layer(&[
            ("left-pad", Some("MIT")),
            ("dual", Some("(MIT OR GPL-2.0-only)")),
        ]),
        layer(&[("gpl-thing", Some("GPL-3.0-only")), ("mystery", None)]),
    ]);
    Layout::new(&dir.join("img")).add(&spec, "1");
    format!("oci:{}:1", dir.join("img").display())
}

fn sbom(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["sbom"];
    all.extend_from_slice(args);
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .run(&all)
        .into_parts()
}

#[test]
fn denied_and_unknown_licences_fail_the_check() {
    let t = tempfile::tempdir().unwrap();
    let reference = image(t.path());
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[licenses]\ndeny = [\"copyleft\", \"unknown\"]\n",
    )
    .unwrap();
    let (code, out, err) = sbom(
        t.path(),
        &[&reference, "--check-licenses", "--format", "json"],
    );
    assert_eq!(code, 1, "{err}");
    // The SBOM itself is written as usual.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["packages"].as_array().unwrap().len(), 4, "{out}");
    assert!(
        err.contains("HIGH LIC001 pkg:npm/gpl-thing@1.0.0: gpl-thing 1.0.0 (layer 1): `GPL-3.0-only`, copyleft: denied (copyleft)"),
        "{err}"
    );
    assert!(
        err.contains("mystery 1.0.0 (layer 1): `no licence declared`, unknown: denied (unknown)"),
        "{err}"
    );
    // MIT, and a choice that includes MIT, are allowed.
    assert!(!err.contains("left-pad") && !err.contains("dual"), "{err}");
    assert!(err.contains("2 package(s) not allowed"), "{err}");

    // An allow list: only permissive licences; OS packages (none here) ignored by purl glob.
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[licenses]\nallow = [\"permissive\"]\nignore = [\"pkg:npm/mystery*\"]\n",
    )
    .unwrap();
    let (code, _, err) = sbom(t.path(), &[&reference, "--check-licenses"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("gpl-thing") && !err.contains("mystery"),
        "{err}"
    );
    assert!(err.contains("not in the allow list"), "{err}");

    // Everything allowed: exit 0, and it says so.
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[licenses]\ndeny = [\"forbidden\"]\n",
    )
    .unwrap();
    let (code, _, err) = sbom(t.path(), &[&reference, "--check-licenses"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("every package is allowed"), "{err}");
}

#[test]
fn a_check_without_a_policy_or_with_a_bad_word_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let reference = image(t.path());
    let (code, _, err) = sbom(t.path(), &[&reference, "--check-licenses"]);
    assert_eq!(code, 2);
    assert!(err.contains("no [licenses] deny or allow list"), "{err}");
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[licenses]\ndeny = [\"viral\"]\n",
    )
    .unwrap();
    let (code, _, err) = sbom(t.path(), &[&reference, "--check-licenses"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`viral` is neither an SPDX licence identifier nor a category"),
        "{err}"
    );
    // The rule is documented with the others.
    let (code, out, _) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .run(&["rule", "LIC001"])
        .into_parts();
    assert_eq!(code, 0);
    assert!(
        out.contains("license-not-allowed") && out.contains("P-C9"),
        "{out}"
    );
}

/// `plimsoll scan` judges the same policy in its single pass: LIC001 beside
/// the audit's findings, in the JSON, and under the same gate.
#[test]
fn scan_reports_licences_beside_the_audit() {
    let t = tempfile::tempdir().unwrap();
    let reference = image(t.path());
    let db = t.path().join("empty.db");
    let osv = t.path().join("osv");
    std::fs::create_dir_all(&osv).unwrap();
    let (code, _, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(t.path())
        .run(&[
            "db",
            "import",
            osv.to_str().unwrap(),
            "--allow-empty",
            "--db",
            db.to_str().unwrap(),
        ])
        .into_parts();
    assert_eq!(code, 0, "{err}");
    let scan = |dir: &Path| {
        Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
            .current_dir(dir)
            .cache(dir.join("cache"))
            .env("PLIMSOLL_DB_URL", "http://127.0.0.1:9")
            .run(&[
                "scan",
                &reference,
                "--db",
                db.to_str().unwrap(),
                "--offline",
                "--format",
                "json",
            ])
            .into_parts()
    };
    let codes = |out: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        let mut all = Vec::new();
        collect_codes(&v, &mut all);
        all
    };
    // Without a policy: no licence finding.
    let (_, out, err) = scan(t.path());
    assert!(!codes(&out).iter().any(|c| c == "LIC001"), "{err}");
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[licenses]\ndeny = [\"copyleft\"]\n",
    )
    .unwrap();
    let (code, out, err) = scan(t.path());
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        codes(&out).iter().filter(|c| *c == "LIC001").count(),
        1,
        "{out}"
    );
    assert!(out.contains("gpl-thing 1.0.0 (layer 1)"), "{out}");
    // Still a scan report by its schema.
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/scan-report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Every `"code"` string in a JSON document.
fn collect_codes(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if k == "code"
                    && let Some(s) = x.as_str()
                {
                    out.push(s.to_string());
                }
                collect_codes(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_codes(x, out)),
        _ => {}
    }
}
