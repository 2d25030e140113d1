//! Import and database, on advisories built here: a directory (nested, with
//! junk) and a per-ecosystem zip archive.

use std::path::Path;

use plimsoll_testkit::osv::{fixed_in, record, zip_of};
use plimsoll_vuln::db::{self, AdvisoryIndex, Database, DbError};
use plimsoll_vuln::import::{ImportError, SourceKind, import};
use serde_json::json;
use sha2::{Digest, Sha256};

fn write(path: &Path, data: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

fn osv(id: &str, modified: &str, aliases: &[&str], affected: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&record(
        id,
        aliases,
        affected,
        json!({ "modified": modified }),
    ))
    .unwrap()
}

fn package(ecosystem: &str, name: &str, fixed: &str) -> serde_json::Value {
    let mut entry = fixed_in(ecosystem, name, fixed);
    entry["ecosystem_specific"] = json!({"urgency": "medium"});
    entry
}

/// A directory and an archive holding every case the import must handle.
fn corpus(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let tree = dir.join("advisories");
    let mut ghsa: serde_json::Value = serde_json::from_slice(&osv(
        "GHSA-1111-2222-3333",
        "2024-03-01T00:00:00Z",
        &["CVE-2024-1"],
        json!([package("PyPI", "Foo_Bar", "1.2.0")]),
    ))
    .unwrap();
    ghsa["database_specific"] = json!({"severity": "HIGH", "cwe_ids": ["CWE-79"]});
    ghsa["severity"] =
        json!([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]);
    write(
        &tree.join("github/2024/GHSA-1111-2222-3333.json"),
        serde_json::to_vec(&ghsa).unwrap(),
    );
    write(
        &tree.join("pypa/foo-bar/PYSEC-2024-1.json"),
        osv(
            "PYSEC-2024-1",
            "2024-02-01T00:00:00Z",
            &["GHSA-1111-2222-3333"],
            json!([package("PyPI", "foo-bar", "1.2.0")]),
        ),
    );
    write(
        &tree.join("go/GO-2024-9.json"),
        serde_json::to_vec(&json!({
            "id": "GO-2024-9", "modified": "0001-01-01T00:00:00Z",
            "withdrawn": "2024-05-01T00:00:00Z",
            "affected": [package("Go", "example.org/m", "1.0.0")]
        }))
        .unwrap(),
    );
    write(&tree.join("broken/bad.json"), "{ not json");
    write(
        &tree.join("legacy/136.json"),
        r#"{"id": 136, "module_name": "x", "vulnerable_versions": "<1.0"}"#,
    );
    write(&tree.join("README.md"), "not an advisory");

    let archive = dir.join("Debian/all.zip");
    write(
        &archive,
        zip_of(&[
            (
                "DSA-5000-1.json",
                osv(
                    "DSA-5000-1",
                    "2024-04-01T00:00:00Z",
                    &["CVE-2024-2", "CVE-2024-3"],
                    json!([package("Debian:12", "openssl", "3.0.11-1~deb12u2")]),
                ),
            ),
            (
                "DEBIAN-CVE-2024-2.json",
                osv(
                    "DEBIAN-CVE-2024-2",
                    "2024-04-02T00:00:00Z",
                    &["CVE-2024-2"],
                    json!([
                        package("Debian:11", "openssl", "1.1.1w-0+deb11u2"),
                        package("Debian:12", "openssl", "3.0.11-1~deb12u2"),
                        {"ranges": [{"type": "GIT", "repo": "https://example.org/openssl", "events": [{"introduced": "0"}]}]}
                    ]),
                ),
            ),
            // An older copy of the GHSA: the directory's newer one wins.
            (
                "GHSA-1111-2222-3333.json",
                osv(
                    "GHSA-1111-2222-3333",
                    "2023-01-01T00:00:00Z",
                    &[],
                    json!([package("PyPI", "old-name", "0.1")]),
                ),
            ),
            ("junk.json", b"[1, 2, 3]".to_vec()),
            ("notes.txt", b"ignored".to_vec()),
        ]),
    );
    (tree, archive)
}

#[test]
fn imports_a_directory_and_an_archive_into_a_database_the_matcher_can_query() {
    let tmp = tempfile::tempdir().unwrap();
    let (tree, archive) = corpus(tmp.path());
    let imported = import(&[&tree, &archive]).unwrap();
    let r = &imported.report;

    assert_eq!(r.advisories, 4, "GHSA, PYSEC, DSA, DEBIAN-CVE");
    assert_eq!(r.withdrawn, 1);
    assert_eq!(r.duplicates, 1);
    assert_eq!(r.ignored_files, 2, "README.md and notes.txt");
    assert_eq!(r.affected_without_package, 1);
    let mut malformed: Vec<&str> = r.malformed.iter().map(|m| m.file.as_str()).collect();
    malformed.sort();
    assert_eq!(malformed.len(), 3, "{:?}", r.malformed);
    assert!(malformed[0].ends_with("all.zip!junk.json"), "{malformed:?}");
    assert!(malformed[1].ends_with("bad.json"));
    assert!(malformed[2].ends_with("136.json"));
    assert!(r.malformed.iter().all(|m| !m.reason.is_empty()));
    assert_eq!(r.sources.len(), 2);
    assert_eq!(r.sources[0].kind, SourceKind::Directory);
    assert_eq!(r.sources[1].kind, SourceKind::Archive);
    let zip_sha = hex::encode(Sha256::digest(std::fs::read(&archive).unwrap()));
    assert_eq!(r.sources[1].sha256, zip_sha);

    let path = tmp.path().join("data/plimsoll/vuln.db");
    let meta = db::build(imported, &path).unwrap();
    assert_eq!(meta.advisories, 4);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["vuln.db"], "no temporary file left behind");

    let db = Database::open(&path).unwrap();
    assert_eq!(db.meta(), &meta);
    assert_eq!(db.len(), 4);
    let count = |eco: &str| {
        meta.ecosystems
            .iter()
            .find(|e| e.ecosystem == eco)
            .map(|e| e.advisories)
    };
    assert_eq!(count("Debian:12"), Some(2));
    assert_eq!(count("Debian:11"), Some(1));
    assert_eq!(count("PyPI"), Some(2));
    assert_eq!(count("Go"), None, "withdrawn advisory not counted");

    // PyPI names are normalised; both advisories are one vulnerability.
    let hits = db.advisories_for("PyPI", "foo.BAR").unwrap();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.advisory.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["GHSA-1111-2222-3333", "PYSEC-2024-1"]);
    assert!(
        hits.iter()
            .all(|h| h.advisory.vulnerability_id == "CVE-2024-1")
    );
    assert_eq!(hits[0].advisory.group, hits[1].advisory.group);
    let ghsa = hits
        .iter()
        .find(|h| h.advisory.id.starts_with("GHSA"))
        .unwrap();
    assert_eq!(
        ghsa.advisory.modified, "2024-03-01T00:00:00Z",
        "newest copy"
    );
    assert!(
        ghsa.advisory
            .severity
            .iter()
            .any(|s| s.kind == "database_specific.severity" && s.score == "HIGH")
    );
    assert_eq!(ghsa.advisory.cvss_vectors().count(), 1);
    assert!(db.advisories_for("PyPI", "old-name").unwrap().is_empty());
    let group = db.alias_group(ghsa.advisory.group).unwrap();
    assert_eq!(
        group.identifiers,
        ["CVE-2024-1", "GHSA-1111-2222-3333", "PYSEC-2024-1"]
    );

    // Ecosystem prefixes stop at ':'.
    assert_eq!(db.affected_for("Debian", "openssl").unwrap().len(), 3);
    let deb12 = db.advisories_for("Debian:12", "openssl").unwrap();
    assert_eq!(deb12.len(), 2);
    assert!(db.affected_for("Debian:1", "openssl").unwrap().is_empty());
    assert!(db.affected_for("Debian", "OpenSSL").unwrap().is_empty());
    let dsa = deb12
        .iter()
        .find(|h| h.advisory.id == "DSA-5000-1")
        .unwrap();
    // A bundle of two CVEs joins neither.
    assert_eq!(dsa.advisory.vulnerability_id, "DSA-5000-1");
    let debian = deb12
        .iter()
        .find(|h| h.advisory.id == "DEBIAN-CVE-2024-2")
        .unwrap();
    assert_eq!(debian.advisory.vulnerability_id, "CVE-2024-2");
    assert_eq!(
        debian.affected.fixed_versions().collect::<Vec<_>>(),
        ["3.0.11-1~deb12u2"]
    );
    assert_eq!(debian.affected.severity[0].score, "medium");

    assert!(db.advisory_by_id("GO-2024-9").unwrap().is_none());
    assert_eq!(
        db.advisory_by_id("DSA-5000-1").unwrap().unwrap().aliases,
        ["CVE-2024-2", "CVE-2024-3"]
    );
    assert!(db.affected_for("npm", "nothing").unwrap().is_empty());
}

#[test]
fn an_unreadable_archive_stops_the_import_and_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("npm/all.zip");
    write(&bad, b"PK\x03\x04 this is not really a zip");
    let err = import(&[&bad]).unwrap_err();
    assert!(matches!(err, ImportError::Archive { .. }));
    assert!(err.to_string().contains("npm/all.zip"), "{err}");
    let missing = import(&[tmp.path().join("nope")]).unwrap_err();
    assert!(missing.to_string().contains("nope"), "{missing}");
}

#[test]
fn a_damaged_database_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let (tree, archive) = corpus(tmp.path());
    let path = tmp.path().join("vuln.db");
    db::build(import(&[&tree, &archive]).unwrap(), &path).unwrap();
    let good = std::fs::read(&path).unwrap();

    let damaged = tmp.path().join("damaged.db");
    let mut bytes = good.clone();
    bytes[200] ^= 0xff; // inside the index
    std::fs::write(&damaged, &bytes).unwrap();
    assert!(matches!(
        Database::open(&damaged),
        Err(DbError::Corrupt { .. })
    ));

    std::fs::write(&damaged, &good[..good.len() - 10]).unwrap();
    assert!(matches!(
        Database::open(&damaged),
        Err(DbError::Corrupt { .. })
    ));

    let mut bytes = good.clone();
    bytes[8] = 99;
    std::fs::write(&damaged, &bytes).unwrap();
    let e = Database::open(&damaged).unwrap_err();
    assert!(matches!(e, DbError::Schema { found: 99, .. }), "{e}");

    std::fs::write(&damaged, b"{}").unwrap();
    assert!(matches!(
        Database::open(&damaged),
        Err(DbError::NotADatabase { .. })
    ));

    // Damage in a blob surfaces at lookup time, as an error.
    let mut bytes = good.clone();
    let n = bytes.len();
    for b in &mut bytes[n - 64..] {
        *b = 0xff;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let db = Database::open(&damaged).unwrap();
    let mut errors = 0;
    for i in 0..db.meta().alias_groups as u32 {
        errors += db.alias_group(i).is_err() as usize;
    }
    for i in 0..db.len() as u32 {
        errors += db.advisory(AdvisoryIndex(i)).is_err() as usize;
    }
    let imported = import(&[&tree, &archive]).unwrap();
    for i in 0..imported.len() {
        for a in imported.record(i).unwrap().affected {
            errors += db.affected_for(&a.ecosystem, &a.name).is_err() as usize;
        }
    }
    assert!(errors > 0, "the last blobs were overwritten");
}

#[test]
fn an_empty_import_makes_an_empty_database() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    let path = tmp.path().join("vuln.db");
    db::build(import(&[tmp.path().join("empty")]).unwrap(), &path).unwrap();
    let db = Database::open(&path).unwrap();
    assert!(db.is_empty());
    assert!(db.advisories_for("", "anything").unwrap().is_empty());
    assert!(db.advisory_by_id("X").unwrap().is_none());
}

#[test]
fn an_import_leaves_no_temporary_file_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let (tree, archive) = corpus(tmp.path());
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let path = out.join("vuln.db");
    let imported = plimsoll_vuln::import::import_in(&[&tree, &archive], &out).unwrap();
    assert!(!imported.is_empty());
    db::build(imported, &path).unwrap();
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["vuln.db"]);
    // A failed import (a damaged archive after a good one) leaves none either.
    let bad = tmp.path().join("bad.zip");
    std::fs::write(&bad, b"PK\x03\x04 and then nothing").unwrap();
    assert!(plimsoll_vuln::import::import_in(&[&archive, &bad], &out).is_err());
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["vuln.db"]);
}
