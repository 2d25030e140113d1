//! OCaml packages (opam files; `pkg:opam/…`) against OSV's `opam` records:
//! the real OSEC records of the OCaml security advisories database
//! (tests/data/opam/records, see PROVENANCE.md there) imported as a scan
//! imports them, matched by name under `opam`, ordered as opam's
//! `OpamVersionCompare` (tests/data/opam.tsv checks that order against
//! opam's own function).
//!
//! Self-contained: no ../shared, no network.

mod common;

use common::{hit, versioned_hits as hits};

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plimsoll_sbom::PackageType;
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnReport};
use plimsoll_vuln::version::{Ecosystem, compare};
use serde_json::Value;

const RECORDS: usize = 26;

fn database() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| common::records_database("opam/records", RECORDS as u64));
    Database::open(path).unwrap()
}

fn scan(packages: &[(&str, &str)]) -> VulnReport {
    let packages = packages
        .iter()
        .map(|&(name, version)| {
            common::package(PackageType::Opam, "opam", "app.opam", name, version)
        })
        .collect();
    common::scan_packages(&database(), packages)
}

#[test]
fn opam_packages_against_osec_records() {
    let r = scan(&[
        // OSEC-2026-01 (< 4.14.3, 5 to 5.4.1), -04 (< 4.14.4), -05
        // (< 4.14.4, 5 to 5.5.0); OSEC-2017-01 is 4.04 to 4.04.2 only.
        ("ocaml", "4.14.2"),
        ("ocaml", "4.14.3"),
        ("ocaml", "5.4.1"),
        ("ocaml", "5.5.0"),
        // 4.04.1: OSEC-2017-01 and everything before 4.07.0 and 4.14.x.
        ("ocaml", "4.04.1"),
        // OSEC-2026-17 starts at 0.11.3; -13 and -15 at 0.
        ("mirage-crypto-ec", "0.11.2"),
        ("mirage-crypto-ec", "2.3.0"),
        ("mirage-crypto-ec", "2.4.0"),
        // A release candidate sorts before its release (`~`): 2.5.0~rc1 is
        // before both fixes, 2.5.1 before the second only.
        ("opam-devel", "2.5.0~rc1"),
        ("opam-devel", "2.5.1"),
        ("opam-devel", "2.5.2"),
    ]);
    // A finding is named by the record's CVE where it has one (OSEC-2017-01
    // is CVE-2017-9772, -2018-01 CVE-2018-9838, -2026-01 CVE-2026-28364,
    // -04 CVE-2026-34353, -05 CVE-2026-41083, -03 CVE-2026-41082, -10
    // CVE-2026-57825). The fixes of the records' GIT ranges (ocaml's
    // commits) are no versions to upgrade to: not listed.
    let got = hits(&r);
    let ocaml = |v: &str, id: &str, fixed: &[&str]| hit(&format!("ocaml@{v}"), id, fixed);
    assert_eq!(
        got,
        [
            hit("mirage-crypto-ec@0.11.2", "OSEC-2026-13", &["2.2.0"]),
            hit("mirage-crypto-ec@0.11.2", "OSEC-2026-15", &["2.3.0"]),
            hit("mirage-crypto-ec@2.3.0", "OSEC-2026-17", &["2.4.0"]),
            ocaml("4.04.1", "CVE-2017-9772", &["4.04.2"]),
            ocaml("4.04.1", "CVE-2018-9838", &["4.07.0"]),
            ocaml("4.04.1", "CVE-2026-28364", &["4.14.3", "5.4.1"]),
            ocaml("4.04.1", "CVE-2026-34353", &["4.14.4"]),
            ocaml("4.04.1", "CVE-2026-41083", &["4.14.4", "5.5.0"]),
            ocaml("4.14.2", "CVE-2026-28364", &["4.14.3", "5.4.1"]),
            ocaml("4.14.2", "CVE-2026-34353", &["4.14.4"]),
            ocaml("4.14.2", "CVE-2026-41083", &["4.14.4", "5.5.0"]),
            ocaml("4.14.3", "CVE-2026-34353", &["4.14.4"]),
            ocaml("4.14.3", "CVE-2026-41083", &["4.14.4", "5.5.0"]),
            // Only the fix of the 5.x line applies to 5.4.1.
            ocaml("5.4.1", "CVE-2026-41083", &["5.5.0"]),
            hit("opam-devel@2.5.0~rc1", "CVE-2026-41082", &["2.5.1"]),
            hit("opam-devel@2.5.0~rc1", "CVE-2026-57825", &["2.5.2"]),
            hit("opam-devel@2.5.1", "CVE-2026-57825", &["2.5.2"]),
        ]
    );
    assert!(r.findings.iter().all(|f| f.status == MatchStatus::Affected));
    assert_eq!(r.packages_matched, 11);
}

#[test]
fn a_missing_version_is_unknown_never_clean() {
    // An opam file without `version:` (syft: UNKNOWN) names no release: the
    // records that could apply are reported as unknown.
    let r = scan(&[("tls", "")]);
    assert_eq!(r.findings.len(), 2, "{:?}", hits(&r));
    assert!(
        r.findings
            .iter()
            .all(|f| matches!(f.status, MatchStatus::Unknown(_))),
        "{:?}",
        r.findings
    );
}

/// Every record lists the releases of opam-repository its ranges cover
/// (`versions`, computed by the advisories' tool with opam's own order):
/// each listed release is in a range by [`compare`], and no fix is listed.
#[test]
fn every_listed_release_is_in_its_records_ranges() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/opam/records");
    let mut records = 0;
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let record: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        records += 1;
        for affected in record["affected"].as_array().unwrap() {
            assert_eq!(affected["package"]["ecosystem"], "opam");
            let ranges: Vec<(String, String)> = affected["ranges"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["type"] == "ECOSYSTEM")
                .map(|r| {
                    let ev = r["events"].as_array().unwrap();
                    let get = |k: &str| {
                        ev.iter()
                            .find_map(|e| e[k].as_str())
                            .unwrap_or_else(|| panic!("{}: no {k}", path.display()))
                            .to_string()
                    };
                    (get("introduced"), get("fixed"))
                })
                .collect();
            assert!(!ranges.is_empty(), "{}", path.display());
            let lt = |a: &str, b: &str| compare(Ecosystem::Opam, a, b).unwrap() == Ordering::Less;
            for v in affected["versions"].as_array().unwrap() {
                let v = v.as_str().unwrap();
                let inside = ranges
                    .iter()
                    .any(|(from, fixed)| (from == "0" || !lt(v, from)) && lt(v, fixed));
                assert!(inside, "{}: {v} is listed but in no range", path.display());
                assert!(
                    ranges.iter().all(|(_, fixed)| fixed != v),
                    "{}: the fix {v} is listed",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert_eq!(records, RECORDS);
    assert!(checked > 900, "only {checked} listed releases");
}
