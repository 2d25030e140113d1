//! What several test binaries share (each uses some of it).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use plimsoll_sbom::{Inventory, Package, PackageType};
use plimsoll_vuln::db::{self, Database};
use plimsoll_vuln::findings::{VulnReport, find};
use plimsoll_vuln::import::import;
use plimsoll_vuln::policy::Policy;

/// The records of `tests/data/<dir>` imported as a scan imports them
/// (every one well-formed, `advisories` of them) and built into a database
/// file in a temporary directory, kept alive with it.
pub fn records_database(dir: &str, advisories: u64) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let records = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir);
    let imported = import(&[records]).unwrap();
    assert_eq!(
        imported.report.advisories, advisories,
        "{:?}",
        imported.report
    );
    assert!(
        imported.report.malformed.is_empty(),
        "{:?}",
        imported.report
    );
    let path = tmp.path().join("vuln.db");
    db::build(imported, &path).unwrap();
    (tmp, path)
}

/// A finding as the tests list them: (package, finding id, fixed versions).
pub fn hit(package: &str, id: &str, fixed: &[&str]) -> (String, String, Vec<String>) {
    (
        package.into(),
        id.into(),
        fixed.iter().map(|f| f.to_string()).collect(),
    )
}

/// A language package of type `t` as a cataloger reports it: found in
/// `file`, purl `pkg:<purl_type>/<name>@<version>`.
pub fn package(t: PackageType, purl_type: &str, file: &str, name: &str, version: &str) -> Package {
    let purl = format!("pkg:{purl_type}/{name}@{version}");
    Package::new(t, name, version, purl, file, 0)
}

/// The packages (no distribution) matched against `db` with no policy.
pub fn scan_packages(db: &Database, packages: Vec<Package>) -> VulnReport {
    let inventory = Inventory {
        distro: None,
        packages,
        warnings: Default::default(),
    };
    find(&inventory, db, &Policy::default(), &[]).unwrap()
}

/// (package@version, finding id, fixed versions) of every finding, sorted.
pub fn versioned_hits(r: &VulnReport) -> Vec<(String, String, Vec<String>)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            (
                format!("{}@{}", f.package.name, f.package.version),
                f.id.clone(),
                f.fixed.clone(),
            )
        })
        .collect();
    v.sort();
    v
}
