//! Elixir and Erlang packages (`mix.lock`, `rebar.lock`; `pkg:hex/…`)
//! against OSV's Hex records: the records of tests/data/hex (made from real
//! Elixir Advisory Database advisories, see PROVENANCE.md there) imported
//! as a scan imports them, matched by name under `Hex`, ordered as Elixir's
//! `Version.compare` (tests/data/hex.tsv checks that order against Elixir
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
    let (_, path) = DB.get_or_init(|| common::records_database("hex/records", 2));
    Database::open(path).unwrap()
}

fn scan(packages: &[(&str, &str)]) -> VulnReport {
    let packages = packages
        .iter()
        .map(|&(name, version)| common::package(PackageType::Hex, "hex", "mix.lock", name, version))
        .collect();
    common::scan_packages(&database(), packages)
}

#[test]
fn hex_packages_against_hex_records() {
    let r = scan(&[
        // Each release line's fix: 1.0.6, 1.1.9, 1.2.5, 1.3.5.
        ("plug", "1.0.5"),
        ("plug", "1.1.8"),
        ("plug", "1.1.9"),
        ("plug", "1.2.4"),
        ("plug", "1.3.4"),
        ("plug", "1.3.5"),
        ("plug", "1.4.0"),
        // Only 2.2.0 itself (`last_affected`).
        ("ecto", "2.1.6"),
        ("ecto", "2.2.0"),
        ("ecto", "2.2.1"),
    ]);
    let plug = |v: &str, fixed: &[&str]| hit(&format!("plug@{v}"), "ELIXIR-plug-2017-04-17", fixed);
    assert_eq!(
        hits(&r),
        [
            hit("ecto@2.2.0", "ELIXIR-ecto-2017-08-27", &[]),
            plug("1.0.5", &["1.0.6", "1.1.9", "1.2.5", "1.3.5"]),
            plug("1.1.8", &["1.1.9", "1.2.5", "1.3.5"]),
            plug("1.2.4", &["1.2.5", "1.3.5"]),
            plug("1.3.4", &["1.3.5"]),
        ]
    );
    assert!(r.findings.iter().all(|f| f.status == MatchStatus::Affected));
    assert_eq!(r.packages_matched, 10);
}

#[test]
fn a_git_commit_is_unknown_never_clean() {
    // A git dependency counts at its commit, which names no release: the
    // record that could apply is reported as unknown, with the reason.
    let r = scan(&[("plug", "8857f8ab4acf9b9c22e80480dae2636692f5f573")]);
    assert_eq!(r.findings.len(), 1, "{:?}", hits(&r));
    assert!(
        matches!(&r.findings[0].status, MatchStatus::Unknown(why) if why.contains("8857f8ab")),
        "{:?}",
        r.findings[0].status
    );
}
