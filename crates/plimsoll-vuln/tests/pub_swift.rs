//! Dart packages (`pubspec.lock`, `pkg:pub/…`) against OSV's `Pub` records
//! and Swift packages (`Package.resolved`, `pkg:swift/…`) against its
//! `SwiftURL` records: the records of tests/data/pubswift (see
//! PROVENANCE.md there) imported as a scan imports them. Pub is ordered as
//! `pub_semver` orders (tests/data/pub.tsv), Swift packages are named by
//! the repository they are fetched from, as the advisories name them.
//!
//! Self-contained: no ../shared, no network.

mod common;

use common::{hit, versioned_hits as hits};

use std::path::PathBuf;
use std::sync::OnceLock;

use plimsoll_sbom::lockfile::swift_resolved::swift_purl;
use plimsoll_sbom::{Package, PackageType};
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnReport};

fn database() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| common::records_database("pubswift/records", 2));
    Database::open(path).unwrap()
}

fn dart(name: &str, version: &str) -> Package {
    common::package(PackageType::DartPub, "pub", "pubspec.lock", name, version)
}

/// A Swift pin as the `Package.resolved` cataloger reports it (its purl).
fn swift(location: &str, name: &str, version: &str) -> Package {
    let purl = swift_purl(location, name, version);
    Package::new(
        PackageType::Swift,
        name,
        version,
        purl,
        "Package.resolved",
        0,
    )
}

fn scan(packages: Vec<Package>) -> VulnReport {
    common::scan_packages(&database(), packages)
}

#[test]
fn dart_packages_against_pub_records() {
    let r = scan(vec![
        dart("http", "0.13.2"),
        // A pre-release of the fix is before it.
        dart("http", "0.13.3-nullsafety.0"),
        dart("http", "0.13.3"),
        // Build metadata counts in pub's order, after the release.
        dart("http", "0.13.3+1"),
        dart("http", "1.2.2"),
        // Another package of the same name in no other ecosystem.
        dart("path", "1.8.0"),
    ]);
    assert_eq!(
        hits(&r),
        [
            hit("http@0.13.2", "CVE-2020-35669", &["0.13.3"]),
            hit("http@0.13.3-nullsafety.0", "CVE-2020-35669", &["0.13.3"]),
        ]
    );
    assert!(r.findings.iter().all(|f| f.status == MatchStatus::Affected));
    assert_eq!(r.packages_matched, 6);
}

#[test]
fn swift_packages_by_repository_url() {
    let r = scan(vec![
        // As Package.resolved v2/v3 give the location: https URL with `.git`.
        swift(
            "https://github.com/apple/swift-nio-http2.git",
            "swift-nio-http2",
            "1.19.1",
        ),
        // Without `.git`, and by SSH: the same repository.
        swift(
            "https://github.com/apple/swift-nio-http2",
            "swift-nio-http2",
            "1.0.0",
        ),
        swift(
            "git@github.com:apple/swift-nio-http2.git",
            "swift-nio-http2",
            "1.18.4",
        ),
        // Fixed, and before the range.
        swift(
            "https://github.com/apple/swift-nio-http2.git",
            "swift-nio-http2",
            "1.19.2",
        ),
        swift(
            "https://github.com/apple/swift-nio-http2.git",
            "swift-nio-http2",
            "0.9.0",
        ),
        // The same name from a fork is another package.
        swift(
            "https://github.com/someone/swift-nio-http2.git",
            "swift-nio-http2",
            "1.19.1",
        ),
    ]);
    assert_eq!(
        hits(&r),
        [
            hit("swift-nio-http2@1.0.0", "CVE-2022-24667", &["1.19.2"]),
            hit("swift-nio-http2@1.18.4", "CVE-2022-24667", &["1.19.2"]),
            hit("swift-nio-http2@1.19.1", "CVE-2022-24667", &["1.19.2"]),
        ]
    );
    assert_eq!(r.packages_matched, 6);
}

#[test]
fn a_swift_pin_without_a_version_is_unknown_never_clean() {
    // A pin that follows a branch has no version (syft reports it empty):
    // the record that could apply is reported as unknown, with the reason.
    let r = scan(vec![swift(
        "https://github.com/apple/swift-nio-http2.git",
        "swift-nio-http2",
        "",
    )]);
    assert_eq!(r.findings.len(), 1, "{:?}", hits(&r));
    assert!(
        matches!(&r.findings[0].status, MatchStatus::Unknown(_)),
        "{:?}",
        r.findings[0].status
    );
}
