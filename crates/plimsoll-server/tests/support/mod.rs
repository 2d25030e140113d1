//! What the in-process server tests share: the scan context a server's
//! workers use, over a vulnerability database holding DSA-5514-1 (glibc).

use std::path::Path;
use std::time::Duration;

use plimsoll_audit::{AuditSettings, Judge};
use plimsoll_oci::ResolveOptions;
use plimsoll_report::PolicySpec;
use plimsoll_scan::{ScanOptions, Scanner, VulnGate};
use plimsoll_server::ScanContext;
use plimsoll_testkit::osv;
use plimsoll_vuln::matcher::VulnSeverity;

/// The scanner, judge and gate (fail on high) with the database built
/// under `root`; registry reads time out after 2 s.
pub fn context(root: &Path) -> ScanContext {
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    let mut options = ScanOptions::default();
    options.engine.cache = None;
    options.resolve.timeout = Duration::from_secs(2);
    ScanContext {
        scanner: Scanner::new(options),
        judge: Judge::new(
            AuditSettings::default(),
            &PolicySpec::default(),
            &[],
            &ResolveOptions::default(),
        )
        .unwrap(),
        gate: VulnGate::open(&db, vec![], &[], VulnSeverity::High, false).unwrap(),
    }
}
