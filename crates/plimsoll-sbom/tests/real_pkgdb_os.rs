//! The apk and rpm catalogers on real databases from ../shared/testdata/pkgdb
//! (see ../shared/testdata/PROVENANCE.md), end to end: each database is put
//! at its standard path in a one-layer image with an os-release, and the
//! inventory is compared with what other tools report for the same tree:
//! syft 1.18.1 (`*.syft.tsv`) and rpm 4.18.0 (`*.rpm.tsv`), both made by
//! tests/expected/make-os-oracles.sh.

use std::collections::BTreeSet;
use std::path::PathBuf;

use plimsoll_sbom::{Inventory, PackageType, catalog};
use plimsoll_testkit::{file, scan_layers};

fn pkgdb(name: &str) -> Vec<u8> {
    let path = plimsoll_testkit::shared_testdata("pkgdb").join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: this test needs ../shared (run scripts/test-all.sh)",
            path.display()
        )
    })
}

/// An oracle file's rows, without its `#` comment lines.
fn oracle(name: &str) -> Vec<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// The inventory of a one-layer image holding `db` at `path` and an
/// os-release with `id` and `version_id`, as the oracles saw it.
fn inventory(path: &str, db: Vec<u8>, id: &str, version_id: &str) -> Inventory {
    let os_release = format!("ID={id}\nVERSION_ID={version_id}\n");
    let layer = vec![file(path, db), file("etc/os-release", os_release)];
    catalog(&scan_layers(vec![layer], plimsoll_sbom::register)).unwrap()
}

type Row = (String, String, String, String); // name, version, arch, purl

fn ours(inv: &Inventory, t: PackageType) -> BTreeSet<Row> {
    inv.of_type(t)
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.arch.clone().unwrap_or_default(),
                p.purl.clone(),
            )
        })
        .collect()
}

fn syft(name: &str) -> BTreeSet<Row> {
    oracle(&format!("{name}.syft.tsv"))
        .into_iter()
        .map(|r| {
            let field = |i: usize| r.get(i).cloned().unwrap_or_default();
            (field(0), field(1), field(2), field(3))
        })
        .collect()
}

fn check_apk(name: &str) -> usize {
    let inv = inventory("lib/apk/db/installed", pkgdb(name), "alpine", "3.18.4");
    let got = ours(&inv, PackageType::Apk);
    let want = syft(name);
    // syft also lists records without a version (as `UNKNOWN`); they are
    // skipped here with a warning, since no advisory can match them.
    let unversioned: BTreeSet<&Row> = want.iter().filter(|r| r.1 == "UNKNOWN").collect();
    let want_versioned: BTreeSet<Row> = want.iter().filter(|r| r.1 != "UNKNOWN").cloned().collect();
    assert_eq!(got, want_versioned, "{name}");
    for r in &unversioned {
        assert!(
            inv.warnings
                .iter()
                .any(|w| w.contains(&format!("{} has no version", r.0))),
            "{name}: {:?}",
            inv.warnings
        );
    }
    assert_eq!(
        inv.warnings.len(),
        unversioned.len(),
        "{name}: {:?}",
        inv.warnings
    );
    // Files: every package's paths are relative and under its F: lines.
    for p in inv.of_type(PackageType::Apk) {
        assert!(p.files.iter().all(|f| !f.starts_with('/') && !f.is_empty()));
        assert_eq!(p.location, "lib/apk/db/installed");
        assert_eq!(p.layer, 0);
    }
    eprintln!(
        "{name}: {} packages ({} unversioned skipped)",
        got.len(),
        unversioned.len()
    );
    got.len()
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn apk_databases_match_syft() {
    let counts: Vec<usize> = [
        "apk-installed-grype-match-coverage",
        "apk-installed-osv-scalibr",
        "apk-installed-syft-multiple-2",
        "apk-installed-trivy",
    ]
    .iter()
    .map(|n| check_apk(n))
    .collect();
    // Not a second oracle: a guard that the files were all read.
    assert!(counts.iter().all(|&c| c > 0), "{counts:?}");
}

/// Compares an rpm inventory with both oracles: syft for name, version,
/// arch and purl; rpm for the epoch, SOURCERPM, licence, vendor and the
/// number of files.
fn check_rpm(name: &str, inv: &Inventory) -> usize {
    assert!(inv.warnings.is_empty(), "{name}: {:?}", inv.warnings);
    assert_eq!(ours(inv, PackageType::Rpm), syft(name), "{name}");
    let none = |s: &str| (!s.is_empty() && s != "(none)").then(|| s.to_string());
    let want: BTreeSet<_> = oracle(&format!("{name}.rpm.tsv"))
        .into_iter()
        .map(|r| {
            let field = |i: usize| r.get(i).cloned().unwrap_or_default();
            (
                field(0),
                field(1),
                none(&field(2)),
                none(&field(3)),
                none(&field(4)),
                none(&field(5)),
                field(6).parse::<usize>().unwrap(),
            )
        })
        .collect();
    let got: BTreeSet<_> = inv
        .of_type(PackageType::Rpm)
        .map(|p| {
            // rpm's EPOCHNUM: the epoch, 0 when the header has none.
            let evr = if p.version.contains(':') {
                p.version.clone()
            } else {
                format!("0:{}", p.version)
            };
            let srpm = match (&p.source_name, &p.source_version) {
                (Some(n), Some(v)) => Some(format!("{n}-{v}.src.rpm")),
                _ => None,
            };
            (
                p.name.clone(),
                evr,
                p.arch.clone(),
                srpm,
                p.licenses.first().cloned(),
                p.supplier.clone(),
                p.files.len(),
            )
        })
        .collect();
    assert_eq!(got, want, "{name}");
    eprintln!("{name}: {} packages", got.len());
    got.len()
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn rpm_berkeley_db_databases_match_rpm_and_syft() {
    for (name, id, version) in [
        ("rpm-Packages-bdb-grype-centos", "centos", "7"),
        ("rpm-Packages-bdb-grype-sles", "sles", "15.2"),
        ("rpm-Packages-bdb-osv-scalibr-epoch", "centos", "7"),
        ("rpm-Packages-bdb-syft-pkg-coverage", "rocky", "9.3"),
    ] {
        let inv = inventory("var/lib/rpm/Packages", pkgdb(name), id, version);
        assert!(check_rpm(name, &inv) > 0, "{name}");
    }
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn rpm_sqlite_database_matches_rpm_and_syft() {
    let name = "rpmdb-sqlite-rpmbuild-fixture";
    let inv = inventory(
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        pkgdb(&format!("{name}.sqlite")),
        "rhel",
        "9.4",
    );
    assert_eq!(
        check_rpm(name, &inv),
        oracle(&format!("{name}.rpm.tsv")).len()
    );
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn a_real_header_in_every_database_format() {
    // The oracles read the bare header from an rpm SQLite database made
    // around it; here it goes into each format's builder, so the header
    // parser meets a real Fedora header through every reader.
    use plimsoll_sbom::rpm::fixtures::{build_bdb, build_ndb, build_sqlite};
    let name = "rpm-header-blob-claircore";
    let blob = pkgdb(name);
    for (path, db) in [
        (
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            build_sqlite(std::slice::from_ref(&blob), 4096),
        ),
        (
            "var/lib/rpm/Packages",
            build_bdb(std::slice::from_ref(&blob), 4096),
        ),
        (
            "usr/lib/sysimage/rpm/Packages.db",
            build_ndb(std::slice::from_ref(&blob)),
        ),
    ] {
        let inv = inventory(path, db, "fedora", "34");
        assert_eq!(check_rpm(name, &inv), 1, "{path}");
    }
}
