//! What several test binaries share.

use std::path::{Path, PathBuf};

use plimsoll_vuln::db;
use plimsoll_vuln::import::import;

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
