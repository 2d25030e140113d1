//! C and C++ packages (Conan, `pkg:conan/…`) against OSV's ConanCenter
//! records: the records of tests/data/conan (made from real advisories, see
//! PROVENANCE.md there) imported as a scan imports them, matched by name
//! under `ConanCenter`, ordered as Conan's own `Version` (tests/data/conan.tsv
//! checks that order against Conan itself). A reference with a user and
//! channel is not ConanCenter's: not matched, and said to be.
//!
//! Self-contained: no ../shared, no network.

mod common;

use common::{hit, versioned_hits as hits};

use std::path::PathBuf;
use std::sync::OnceLock;

use plimsoll_sbom::{Package, PackageType};
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnReport};

fn database() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| common::records_database("conan/records", 3));
    Database::open(path).unwrap()
}

fn scan(packages: Vec<Package>) -> VulnReport {
    common::scan_packages(&database(), packages)
}

fn center(name: &str, version: &str) -> Package {
    common::package(PackageType::Conan, "conan", "conan.lock", name, version)
}

#[test]
fn conan_center_packages_against_conan_center_records() {
    let r = scan(
        [
            ("zlib", "1.2.11"),
            ("zlib", "1.2.12"),
            ("zlib", "1.2.13"),
            // OpenSSL 1.1.1's letter releases: `1.1.1q` is before 3.0.0.
            ("openssl", "1.1.1q"),
            ("openssl", "3.0.6"),
            ("openssl", "3.0.7"),
            ("libcurl", "7.68.0"),
            ("libcurl", "8.3.0"),
            ("libcurl", "8.4.0"),
        ]
        .into_iter()
        .map(|(n, v)| center(n, v))
        .collect(),
    );
    assert_eq!(
        hits(&r),
        [
            hit("libcurl@8.3.0", "CVE-2023-38545", &["8.4.0"]),
            hit("openssl@3.0.6", "CVE-2022-3602", &["3.0.7"]),
            hit("zlib@1.2.11", "CVE-2022-37434", &["1.2.13"]),
            hit("zlib@1.2.12", "CVE-2022-37434", &["1.2.13"]),
        ]
    );
    assert!(r.findings.iter().all(|f| f.status == MatchStatus::Affected));
    assert_eq!(r.packages_matched, 9);
    assert!(r.not_matched.is_empty(), "{:?}", r.not_matched);
}

#[test]
fn user_and_channel_references_are_not_conan_centers() {
    // `zlib/1.2.12@mycompany/stable`: a company's own build of zlib.
    let own = Package::new(
        PackageType::Conan,
        "zlib",
        "1.2.12",
        "pkg:conan/mycompany/zlib@1.2.12?channel=stable",
        "conan.lock",
        0,
    );
    let r = scan(vec![own, center("zlib", "1.2.12")]);
    assert_eq!(
        hits(&r),
        [hit("zlib@1.2.12", "CVE-2022-37434", &["1.2.13"])]
    );
    assert_eq!(r.findings[0].package.purl, "pkg:conan/zlib@1.2.12");
    assert_eq!(r.packages_matched, 1);
    assert_eq!(
        r.not_matched,
        ["not from ConanCenter: conan packages (1) not matched"]
    );
}
