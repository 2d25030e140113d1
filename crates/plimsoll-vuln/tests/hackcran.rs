//! Haskell packages (`pkg:hackage/…`, Stack and cabal files) against OSV's
//! `Hackage` records, and installed R packages (`pkg:cran/…`, their
//! `DESCRIPTION`) against OSV's `CRAN` records: the real records of
//! tests/data/hackcran (see PROVENANCE.md there) imported as a scan
//! imports them, matched by name, ordered as Cabal's `Version` and R's
//! `package_version` (tests/data/cran.tsv checks the latter against R
//! itself).
//!
//! Self-contained: no ../shared, no network.

mod common;

use common::{hit, versioned_hits as hits};

use std::path::PathBuf;
use std::sync::OnceLock;

use plimsoll_sbom::PackageType;
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnReport};

fn database() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| common::records_database("hackcran/records", 2));
    Database::open(path).unwrap()
}

fn scan(packages: &[(PackageType, &str, &str)]) -> VulnReport {
    let packages = packages
        .iter()
        .map(|&(t, name, version)| match t {
            PackageType::Hackage => common::package(t, "hackage", "stack.yaml.lock", name, version),
            _ => common::package(
                t,
                "cran",
                "usr/local/lib/R/site-library/x/DESCRIPTION",
                name,
                version,
            ),
        })
        .collect();
    common::scan_packages(&database(), packages)
}

#[test]
fn hackage_packages_against_hsec_records() {
    use PackageType::Hackage as H;
    let r = scan(&[
        // introduced 1.4.0, fixed 1.4.8.
        (H, "x509-validation", "1.3.9"),
        (H, "x509-validation", "1.4.0"),
        (H, "x509-validation", "1.4.7"),
        // Numeric, not textual: 1.4.10 is after 1.4.8.
        (H, "x509-validation", "1.4.10"),
        (H, "x509-validation", "1.4.8"),
        // A prefix is older: 1.4 is before 1.4.0 (not affected).
        (H, "x509-validation", "1.4"),
        (H, "x509-validation", "1.4.7.9"),
        // The same name in another ecosystem is not this package.
        (PackageType::RPackage, "x509-validation", "1.4.1"),
    ]);
    assert_eq!(
        hits(&r),
        [
            hit("x509-validation@1.4.0", "HSEC-2023-0006", &["1.4.8"]),
            hit("x509-validation@1.4.7", "HSEC-2023-0006", &["1.4.8"]),
            hit("x509-validation@1.4.7.9", "HSEC-2023-0006", &["1.4.8"]),
        ]
    );
    assert!(
        r.findings.iter().all(|f| f.status == MatchStatus::Affected),
        "{:?}",
        r.findings
    );
    assert!(r.not_matched.is_empty(), "{:?}", r.not_matched);
}

#[test]
fn r_packages_against_rsec_records() {
    use PackageType::RPackage as R;
    let r = scan(&[
        // introduced 1.4.1, fixed 1.4.2; reported by its CVE alias.
        (R, "readxl", "1.4.0"),
        (R, "readxl", "1.4.1"),
        // `-` separates as `.` does: 1.4-1 is 1.4.1.
        (R, "readxl", "1.4-1"),
        (R, "readxl", "1.4.1.9000"),
        (R, "readxl", "1.4.2"),
        (R, "readxl", "1.4.10"),
        // A Haskell package of the same name is not this one.
        (PackageType::Hackage, "readxl", "1.4.1"),
    ]);
    assert_eq!(
        hits(&r),
        [
            hit("readxl@1.4-1", "CVE-2021-27836", &["1.4.2"]),
            hit("readxl@1.4.1", "CVE-2021-27836", &["1.4.2"]),
            hit("readxl@1.4.1.9000", "CVE-2021-27836", &["1.4.2"]),
        ]
    );
}

#[test]
fn an_unorderable_version_is_reported_not_guessed() {
    // R rejects `1.4.1a`: possibly affected, with the reason, never a
    // silent "not affected".
    let r = scan(&[(PackageType::RPackage, "readxl", "1.4.1a")]);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    match &r.findings[0].status {
        MatchStatus::Unknown(why) => assert!(why.contains("1.4.1a"), "{why}"),
        s => panic!("{s:?}"),
    }
}
