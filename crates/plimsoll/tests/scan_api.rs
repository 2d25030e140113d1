//! A second front end needs nothing but the library: a full scan (resolve,
//! one pass, audit, SBOM, vulnerabilities, gate) through `plimsoll_scan`,
//! its JSON valid against `schemas/scan-report.schema.json`, and the same
//! bytes as `plimsoll scan --format json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_audit::{AuditSettings, Judge};
use plimsoll_oci::{ImageRef, ResolveOptions};
use plimsoll_report::{PolicySpec, Severity};
use plimsoll_scan::{Passes, ScanOptions, Scanner, VulnGate, render};
use plimsoll_testkit::*;
use plimsoll_vuln::matcher::VulnSeverity;
use serde_json::{Value, json};

/// Debian 12 with a vulnerable glibc, running as root (IMG001).
fn image(root: &Path) -> String {
    Layout::new(&root.join("img")).add(&debian_glibc_image("2.36-9+deb12u1", None), "1.0");
    format!("oci:{}:1.0", root.join("img").display())
}

/// A database with one Debian 12 glibc advisory, built through the library.
fn database(root: &Path) -> PathBuf {
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    db
}

fn scanner() -> Scanner {
    let mut options = ScanOptions::default();
    options.engine.cache = None;
    Scanner::new(options)
}

fn judge(spec: &PolicySpec) -> Judge {
    Judge::new(
        AuditSettings::default(),
        spec,
        &[],
        &ResolveOptions::default(),
    )
    .unwrap()
}

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/scan-report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn a_full_scan_through_the_library_alone() {
    let t = tempfile::tempdir().unwrap();
    let reference = ImageRef::parse(&image(t.path())).unwrap();
    let gate = VulnGate::open(&database(t.path()), vec![], &[], VulnSeverity::High, false).unwrap();
    let scanner = scanner();
    let report = scanner
        .scan(&reference, &judge(&PolicySpec::default()), &gate)
        .unwrap();

    assert!(report.failing, "a high glibc flaw fails the high gate");
    let vulns = &report.vulnerabilities.report.findings;
    assert_eq!(vulns.len(), 1);
    assert_eq!(
        (vulns[0].id.as_str(), vulns[0].package.name.as_str()),
        ("CVE-2023-4911", "libc6")
    );
    assert_eq!(report.sbom.packages, 1);
    assert!(
        report.audit.findings.iter().any(|f| f.code == "IMG001"),
        "runs as root: {:?}",
        report.audit.findings
    );

    // The same policy type as the CLI's: ignoring a rule by name drops it.
    let quiet = judge(&PolicySpec {
        ignore: vec!["runs-as-root".into()],
        ..PolicySpec::default()
    });
    let report2 = scanner.scan(&reference, &quiet, &gate).unwrap();
    assert!(!report2.audit.findings.iter().any(|f| f.code == "IMG001"));

    // Every rendering works from the report alone.
    assert!(render::table(&report).contains("CVE-2023-4911"));
    let sarif: Value = serde_json::from_str(&render::sarif(&report).unwrap()).unwrap();
    assert!(sarif.to_string().contains("VULN001"));
    let bom: Value = serde_json::from_str(&render::cyclonedx(&report)).unwrap();
    assert_eq!(bom["vulnerabilities"][0]["id"], "CVE-2023-4911");

    // The single passes the other commands use.
    let image = scanner.resolve(&reference).unwrap();
    let sbom_only = scanner
        .read(image, Passes::SBOM, &plimsoll_engine::NoProgress)
        .unwrap();
    assert!(sbom_only.audit.is_none());
    assert_eq!(sbom_only.inventory.unwrap().packages.len(), 1);
}

#[test]
fn scan_json_matches_its_schema_and_the_cli() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let db = database(t.path());
    let gate = VulnGate::open(&db, vec![], &[], VulnSeverity::Critical, false).unwrap();
    let reference = ImageRef::parse(&img).unwrap();
    let spec = PolicySpec {
        fail_on: Severity::Info,
        ..PolicySpec::default()
    };
    let report = scanner().scan(&reference, &judge(&spec), &gate).unwrap();
    let text = render::json(&report).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();

    let validator = schema();
    assert_eq!(errors(&validator, &doc), Vec::<String>::new());
    // The schema is strict enough to catch drift.
    let mut drifted = doc.clone();
    drifted["vulnerabilities"]["findings"][0]["severity"] = json!("severe");
    drifted["audit"]["findings"][0]["location"]["pth"] = json!("/x");
    drifted.as_object_mut().unwrap().remove("database");
    assert_eq!(errors(&validator, &drifted).len(), 3, "{drifted}");

    let cli = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(["scan", &img, "--db"])
        .arg(&db)
        .args(["--format", "json", "--fail-on", "critical", "--no-cache"])
        .env_remove("PLIMSOLL_DB")
        .current_dir(t.path())
        .output()
        .unwrap();
    // IMG001 and CVE-2023-4911 are high: neither fails a critical gate.
    assert!(!report.failing);
    assert_eq!(
        cli.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert_eq!(String::from_utf8(cli.stdout).unwrap(), text);
}
