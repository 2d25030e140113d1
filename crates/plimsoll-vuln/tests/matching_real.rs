//! Matching on real data: every advisory of ../shared/testdata/advisories
//! imported into one database, matched against real package databases
//! (../shared/testdata/pkgdb, each put in a one-layer image with an
//! os-release and catalogued by the engine, as a scan does) and against
//! inventories of packages that the shared advisories name.
//!
//! Every expected finding was checked by hand against the advisory file
//! named in the comment: its affected range and the installed version. The
//! shared set has no `Debian:12`, `Ubuntu:22.04` or `Alpine:v3.18` records:
//! those releases are covered by Root.io's records for them
//! (`misc-distro-and-other/ROOT-OS-*`), which name Root's rebuilt packages
//! (`rootio-*`), and by the real package databases, which none of them must
//! match. See ../shared/testdata/PROVENANCE.md for where each file comes from.
//!
//! Run: `cargo test -p plimsoll-vuln --test matching_real -- --ignored`
//! (the big-image test also needs `PLIMSOLL_LAB_IMAGES=/work/lab-images`).

use std::path::PathBuf;
use std::sync::OnceLock;

use plimsoll_engine::{Engine, EngineOptions, NoProgress};
use plimsoll_oci::{ImageRef, ResolveOptions};
use plimsoll_sbom::{Distro, Inventory, Package, PackageType, catalog};
use plimsoll_testkit::{Compression, ImageSpec, Item, Layer, Layout, file};
use plimsoll_vuln::db::{self, Database};
use plimsoll_vuln::findings::{MatchStatus, VulnReport, find};
use plimsoll_vuln::import::import;
use plimsoll_vuln::matcher::VulnSeverity;
use plimsoll_vuln::policy::Policy;

/// The database of all shared advisories, built once per test binary.
fn shared_db() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let imported = import(&[plimsoll_testkit::shared_testdata("advisories")]).unwrap();
        // 2036 files: the OSV ones, plus the non-OSV legacy npm, Alpine
        // secdb and vulnfeeds files, which are refused one by one.
        assert!(
            imported.report.advisories > 1600,
            "{}",
            imported.report.advisories
        );
        let path = tmp.path().join("vuln.db");
        db::build(imported, &path).unwrap();
        (tmp, path)
    });
    Database::open(path).unwrap()
}

fn pkgdb(name: &str) -> Vec<u8> {
    std::fs::read(plimsoll_testkit::shared_testdata("pkgdb").join(name)).unwrap()
}

/// The inventory of a one-layer image holding `files` and an os-release.
fn image(files: Vec<Item>, id: &str, version_id: &str) -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    let mut items = files;
    items.push(file(
        "etc/os-release",
        format!("ID={id}\nVERSION_ID={version_id}\n"),
    ));
    let layer = Layer::new(&items, Compression::Gzip);
    Layout::new(dir.path()).add(&ImageSpec::new(vec![layer]), "t");
    let reference = ImageRef::parse(&format!("oci:{}:t", dir.path().display())).unwrap();
    scan_image(&reference)
}

fn scan_image(reference: &ImageRef) -> Inventory {
    let image = plimsoll_oci::resolve(reference, &ResolveOptions::default()).unwrap();
    let mut engine = Engine::new(EngineOptions {
        cache: None,
        ..Default::default()
    });
    plimsoll_sbom::register(&mut engine);
    catalog(&engine.scan(&image, &NoProgress).unwrap()).unwrap()
}

fn matched(inventory: &Inventory) -> VulnReport {
    find(inventory, &shared_db(), &Policy::default(), &[]).unwrap()
}

fn by_hand(distro: Option<(&str, &str)>, packages: Vec<Package>) -> VulnReport {
    let inventory = Inventory {
        distro: distro.map(|(id, v)| Distro {
            id: Some(id.into()),
            version_id: Some(v.into()),
            ..Default::default()
        }),
        packages,
        warnings: Default::default(),
    };
    matched(&inventory)
}

fn package(t: PackageType, name: &str, version: &str, purl: &str) -> Package {
    Package::new(t, name, version, purl, "by hand", 0)
}

/// (package name, package version, finding id, advisories) of every
/// finding, sorted.
fn hits(r: &VulnReport) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.package.name.clone(),
                f.package.version.clone(),
                f.id.clone(),
                f.advisories.join(" "),
            )
        })
        .collect();
    v.sort();
    v
}

fn want(rows: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = rows
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    v.sort();
    v
}

/// A dpkg status entry.
fn dpkg(name: &str, version: &str, source: Option<&str>) -> String {
    let source = source.map_or(String::new(), |s| format!("Source: {s}\n"));
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n{source}Version: {version}\nDescription: test\n\n"
    )
}

/// An apk installed-database entry.
fn apk(name: &str, version: &str, origin: &str) -> String {
    format!("P:{name}\nV:{version}\nA:x86_64\no:{origin}\n\n")
}

// ---------------------------------------------------------------- Debian 12

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn debian_12_real_status_and_root_io_packages() {
    // This machine's own Debian 12 status (720 packages, jq 1.6-2.1+deb12u1,
    // postgresql-15 15.18-0+deb12u1 among them). The shared set has no
    // Debian:12 record, and Root's Debian 12 records name only `rootio-*`
    // packages: nothing may match.
    let inv = image(
        vec![file("var/lib/dpkg/status", pkgdb("dpkg-status-debian"))],
        "debian",
        "12",
    );
    let debs = inv.of_type(PackageType::Deb).count();
    assert!(debs > 700, "{debs}");
    assert!(inv.packages.iter().any(|p| p.name == "jq"));
    let r = matched(&inv);
    assert_eq!(r.packages_matched, inv.packages.len());
    assert!(r.not_matched.is_empty(), "{:?}", r.not_matched);
    assert_eq!(hits(&r), want(&[]));

    // Root.io's rebuilds, and a chromium that only Debian 10/11 records name.
    let status = [
        // ROOT-OS-DEBIAN-12-CVE-2025-48060: Root:Debian:12 rootio-jq,
        // introduced 0, fixed 1.6-2.1.root.io.2; source at 1.6-2.1.root.io.1
        // (…root.io.1 < …root.io.2) -> affected.
        dpkg("rootio-libjq1", "1.6-2.1.root.io.1", Some("rootio-jq")),
        // ROOT-OS-DEBIAN-bookworm-CVE-2025-53014: rootio-imagemagick, fixed
        // 8:6.9.11.60+dfsg-1.6+deb12u3.root.io.1; installed …+deb12u2.root.io.1
        // (deb12u2 < deb12u3) -> affected.
        dpkg(
            "rootio-libmagickcore-6.q16-6",
            "8:6.9.11.60+dfsg-1.6+deb12u2.root.io.1",
            Some("rootio-imagemagick"),
        ),
        // ROOT-OS-DEBIAN-12-CVE-2025-12817: rootio-postgresql-15, fixed
        // 15.14-0+deb12u1.root.io.6 = installed -> not affected.
        dpkg("rootio-postgresql-15", "15.14-0+deb12u1.root.io.6", None),
        // misc-distro-and-other/CVE-2024-3847.json: Debian:10 and Debian:11
        // chromium, introduced 0, no fix (urgency low).
        dpkg("chromium", "120.0.6099.224-1~deb11u1", None),
    ]
    .concat();
    let root_image = |release| {
        image(
            vec![file("var/lib/dpkg/status", status.clone())],
            "debian",
            release,
        )
    };
    let r = matched(&root_image("12"));
    assert_eq!(
        hits(&r),
        want(&[
            (
                "rootio-libjq1",
                "1.6-2.1.root.io.1",
                "CVE-2025-48060",
                "ROOT-OS-DEBIAN-12-CVE-2025-48060"
            ),
            (
                "rootio-libmagickcore-6.q16-6",
                "8:6.9.11.60+dfsg-1.6+deb12u2.root.io.1",
                "CVE-2025-53014",
                "ROOT-OS-DEBIAN-bookworm-CVE-2025-53014"
            ),
        ])
    );
    let jq = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2025-48060")
        .unwrap();
    assert_eq!(jq.fixed, ["1.6-2.1.root.io.2"]);
    // The record's database_specific.severity is HIGH.
    assert_eq!(jq.rating.severity, VulnSeverity::High);

    // The same packages on Debian 11: Root's records are for Debian 12, and
    // chromium is affected (CVE-2024-3847, Debian:11, no fix, urgency low).
    let r = matched(&root_image("11"));
    assert_eq!(
        hits(&r),
        want(&[(
            "chromium",
            "120.0.6099.224-1~deb11u1",
            "CVE-2024-3847",
            "CVE-2024-3847"
        )])
    );
    assert!(r.findings[0].fixed.is_empty());
    assert_eq!(r.findings[0].rating.severity, VulnSeverity::Low);
    assert!(
        !r.fails(VulnSeverity::Low, true),
        "no fix: --ignore-unfixed"
    );
}

// ---------------------------------------------------------------- Ubuntu 22.04

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn ubuntu_22_04_root_io_packages() {
    let status = [
        // ROOT-OS-UBUNTU-2204-CVE-2018-6952: Root:Ubuntu:22.04 rootio-patch,
        // fixed 2.7.6-7build2.root.io.1 and …root.io.2; installed …root.io.1
        // -> not affected.
        dpkg("rootio-patch", "2.7.6-7build2.root.io.1", None),
        // ROOT-OS-UBUNTU-2204-CVE-2024-2236: rootio-libgcrypt20, fixed
        // 1.9.4-3ubuntu3.root.io.1; installed 1.9.4-3ubuntu3 (a revision that
        // ends sorts before one that goes on) -> affected.
        dpkg("rootio-libgcrypt20", "1.9.4-3ubuntu3", None),
        // ROOT-OS-UBUNTU-2204-CVE-2025-68973: rootio-gnupg2, fixed
        // 2.2.27-3ubuntu2.4.root.io.1; binary rootio-gpg of source
        // rootio-gnupg2 at 2.2.27-3ubuntu2.1.root.io.1 (2.1 < 2.4) -> affected.
        dpkg(
            "rootio-gpg",
            "2.2.27-3ubuntu2.1.root.io.1",
            Some("rootio-gnupg2"),
        ),
        // ROOT-OS-UBUNTU-2204-CVE-2025-1180: rootio-binutils, fixed
        // 2.38-4ubuntu2.12.root.io.1 = installed -> not affected.
        dpkg("rootio-binutils", "2.38-4ubuntu2.12.root.io.1", None),
        // The plain package: Root's record is not about it; no Ubuntu:22.04
        // record in the shared set.
        dpkg("libgcrypt20", "1.9.4-3ubuntu3", None),
    ]
    .concat();
    let inv = |release| {
        image(
            vec![file("var/lib/dpkg/status", status.clone())],
            "ubuntu",
            release,
        )
    };
    let r = matched(&inv("22.04"));
    assert_eq!(
        hits(&r),
        want(&[
            (
                "rootio-gpg",
                "2.2.27-3ubuntu2.1.root.io.1",
                "CVE-2025-68973",
                "ROOT-OS-UBUNTU-2204-CVE-2025-68973"
            ),
            (
                "rootio-libgcrypt20",
                "1.9.4-3ubuntu3",
                "CVE-2024-2236",
                "ROOT-OS-UBUNTU-2204-CVE-2024-2236"
            ),
        ])
    );
    let gcrypt = r.findings.iter().find(|f| f.id == "CVE-2024-2236").unwrap();
    assert_eq!(
        gcrypt.fixed,
        ["1.9.4-3ubuntu3.root.io.1", "1.9.4-3ubuntu3.root.io.2"]
    );
    // Another release: nothing.
    assert_eq!(hits(&matched(&inv("20.04"))), want(&[]));
}

// ---------------------------------------------------------------- Alpine 3.18

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn alpine_3_18_real_database_and_root_io_packages() {
    // osv-scalibr's installed database: Alpine 3.18 (musl 1.2.4-r0,
    // libcrypto3 3.1.0-r4). No Alpine:v3.18 record in the shared set.
    let inv = image(
        vec![file(
            "lib/apk/db/installed",
            pkgdb("apk-installed-osv-scalibr"),
        )],
        "alpine",
        "3.18.4",
    );
    assert_eq!(inv.of_type(PackageType::Apk).count(), 15);
    let r = matched(&inv);
    assert_eq!(r.packages_matched, 15);
    assert_eq!(hits(&r), want(&[]));

    let installed = [
        // ROOT-OS-ALPINE-318-CVE-2024-28182: Root:Alpine:3.18 rootio-nghttp2,
        // fixed 1.57.0-r00072; origin rootio-nghttp2 at 1.57.0-r00071 -> affected.
        apk("rootio-libnghttp2", "1.57.0-r00071", "rootio-nghttp2"),
        // ROOT-OS-ALPINE-318-CVE-2024-24806: rootio-libuv, fixed
        // 1.44.2-r20071; installed -r10071 -> affected (database severity HIGH).
        apk("rootio-libuv", "1.44.2-r10071", "rootio-libuv"),
        // ROOT-OS-ALPINE-318-CVE-2024-10524: rootio-wget fixed 1.21.4-r00071
        // = installed -> not affected.
        apk("rootio-wget", "1.21.4-r00071", "rootio-wget"),
        // ROOT-OS-ALPINE-318-CVE-2024-54661: rootio-socat fixed
        // 1.7.4.4-r10071 = installed -> not affected.
        apk("rootio-socat", "1.7.4.4-r10071", "rootio-socat"),
        // misc-distro-and-other/CVE-2022-27449.json: mariadb in Alpine
        // v3.12-v3.16 only (v3.16: fixed 10.6.8-r0).
        apk("mariadb", "10.6.7-r0", "mariadb"),
    ]
    .concat();
    let inv = |release| {
        image(
            vec![file("lib/apk/db/installed", installed.clone())],
            "alpine",
            release,
        )
    };
    let r = matched(&inv("3.18.4"));
    assert_eq!(
        hits(&r),
        want(&[
            (
                "rootio-libnghttp2",
                "1.57.0-r00071",
                "CVE-2024-28182",
                "ROOT-OS-ALPINE-318-CVE-2024-28182"
            ),
            (
                "rootio-libuv",
                "1.44.2-r10071",
                "CVE-2024-24806",
                "ROOT-OS-ALPINE-318-CVE-2024-24806"
            ),
        ])
    );
    let libuv = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2024-24806")
        .unwrap();
    assert_eq!(libuv.rating.severity, VulnSeverity::High);
    // Alpine 3.16: Root's 3.18 records do not apply; mariadb 10.6.7-r0 <
    // 10.6.8-r0 in Alpine:v3.16 -> affected.
    let r = matched(&inv("3.16.9"));
    assert_eq!(
        hits(&r),
        want(&[("mariadb", "10.6.7-r0", "CVE-2022-27449", "CVE-2022-27449")])
    );
    assert_eq!(r.findings[0].fixed, ["10.6.8-r0"]);
}

// ---------------------------------------------------------- Wolfi, Chainguard

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn wolfi_and_chainguard_by_origin() {
    let installed = [
        // CGA-224q-ccj5-2p53: Wolfi haproxy-3.0 fixed 3.0.10-r0; 3.0.9-r2 < it -> affected.
        apk("haproxy-3.0", "3.0.9-r2", "haproxy-3.0"),
        // Same record: Wolfi haproxy-3.1 fixed 3.1.7-r0 = installed -> not affected.
        apk("haproxy-3.1", "3.1.7-r0", "haproxy-3.1"),
        // CGA-xcpc-gm23-prj9: Wolfi syncthing fixed 2.0.14-r1; the subpackage
        // syncthing-config of origin syncthing at 2.0.14-r0 -> affected.
        apk("syncthing-config", "2.0.14-r0", "syncthing"),
        // CGA-224q-ccj5-2p53: Chainguard haproxy-2.8 fixed 2.8.18-r0: a
        // Chainguard record, not Wolfi's -> not matched on Wolfi.
        apk("haproxy-2.8", "2.8.17-r1", "haproxy-2.8"),
    ]
    .concat();
    let inv = |id| {
        image(
            vec![file("lib/apk/db/installed", installed.clone())],
            id,
            "20230201",
        )
    };
    let r = matched(&inv("wolfi"));
    assert_eq!(r.packages_matched, 4);
    assert_eq!(
        hits(&r),
        want(&[
            (
                "haproxy-3.0",
                "3.0.9-r2",
                "CVE-2025-32464",
                "CGA-224q-ccj5-2p53"
            ),
            (
                "syncthing-config",
                "2.0.14-r0",
                "CVE-2025-68121",
                "CGA-xcpc-gm23-prj9"
            ),
        ])
    );
    // The same packages on Chainguard: only Chainguard's entries apply
    // (haproxy-2.8 and syncthing, fixed 2.0.14-r1 there too; not haproxy-3.0).
    let r = matched(&inv("chainguard"));
    assert_eq!(
        hits(&r),
        want(&[
            (
                "haproxy-2.8",
                "2.8.17-r1",
                "CVE-2025-32464",
                "CGA-224q-ccj5-2p53"
            ),
            (
                "syncthing-config",
                "2.0.14-r0",
                "CVE-2025-68121",
                "CGA-xcpc-gm23-prj9"
            ),
        ])
    );
}

// ---------------------------------------------------------------- AlmaLinux 8

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn almalinux_8_packages() {
    // A real rpm database (osv-scalibr's, one package: hello 1:0.0.1-rls)
    // in an AlmaLinux 8 image: catalogued, matched, nothing names it.
    let inv = image(
        vec![file(
            "var/lib/rpm/Packages",
            pkgdb("rpm-Packages-bdb-osv-scalibr-epoch"),
        )],
        "almalinux",
        "8.10",
    );
    assert_eq!(inv.of_type(PackageType::Rpm).count(), 1);
    let r = matched(&inv);
    assert_eq!((r.packages_matched, r.findings.len()), (1, 0));

    let rpm = |name: &str, version: &str| package(PackageType::Rpm, name, version, "");
    let r = by_hand(
        Some(("almalinux", "8.10")),
        vec![
            // misc-distro-and-other/ALSA-2020:1852.json: AlmaLinux:8 patch,
            // fixed 2.7.6-11.el8 ("Moderate:"); 2.7.6-8.el8 -> affected.
            rpm("patch", "2.7.6-8.el8"),
            // almalinux8/ALSA-2024:0114.json: python3-libs fixed
            // 3.6.8-56.el8_9.2.alma.1 ("Moderate:"); release 51 < 56 -> affected.
            rpm("python3-libs", "3.6.8-51.el8_8.2"),
            // Same record, fixed version installed -> not affected.
            rpm("python3-libs", "3.6.8-56.el8_9.2.alma.1"),
            // almalinux8/ALBA-2021:4166.json: texlive fixed 7:20180414-23.el8,
            // a bug-fix erratum naming no CVE -> not a vulnerability.
            rpm("texlive", "7:20180414-14.el8"),
            // almalinux8/ALBA-2022:2005.json (glibc, bug fix only) -> none.
            rpm("glibc", "2.28-164.el8"),
        ],
    );
    assert_eq!(
        hits(&r),
        want(&[
            ("patch", "2.7.6-8.el8", "ALSA-2020:1852", "ALSA-2020:1852"),
            (
                "python3-libs",
                "3.6.8-51.el8_8.2",
                "ALSA-2024:0114",
                "ALSA-2024:0114"
            ),
        ])
    );
    assert!(
        r.findings
            .iter()
            .all(|f| f.rating.severity == VulnSeverity::Medium),
        "Moderate in the summaries"
    );
    // AlmaLinux 9 has its own records: none of these name these versions.
    let r = by_hand(
        Some(("almalinux", "9.4")),
        vec![rpm("patch", "2.7.6-8.el8")],
    );
    assert_eq!(hits(&r), want(&[]));
}

// ---------------------------------------------------------------- PyPI, npm, Maven

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn pypi_packages() {
    let py = |name: &str, version: &str| {
        package(
            PackageType::Pypi,
            name,
            version,
            &format!("pkg:pypi/{}@{version}", name.to_lowercase()),
        )
    };
    let r = by_hand(
        None,
        vec![
            // pypi/PYSEC-2020-176.json: pyyaml introduced 5.1, fixed 5.2b1;
            // "PyYAML" 5.1.2 -> affected (name as the wheel spells it).
            py("PyYAML", "5.1.2"),
            // 5.3 > 5.2b1 -> not affected.
            py("pyyaml", "5.3"),
            // pypi/PYSEC-2023-192.json: urllib3 introduced 0 fixed 1.26.17
            // (and 2.0.0-2.0.6); 1.26.16 -> affected. pypi/PYSEC-2019-132.json
            // (fixed 1.24.3): 1.26.16 is past it.
            py("urllib3", "1.26.16"),
            py("urllib3", "1.26.17"),
            // misc-distro-and-other/MULTI-ECO-FIX-DEMO.json: PyPI demo-lib
            // fixed 1.2.0; "Demo_Lib" normalises to demo-lib; 1.1 -> affected.
            py("Demo_Lib", "1.1"),
            // ROOT-APP-PYPI-CVE-2025-30473: Root:PyPI rootio_requests, fixed
            // 2.31.0+root.io.1 = installed -> not affected; upstream requests
            // records (PYSEC-2014-13/14, fixed 2.3.0) are older.
            py("rootio-requests", "2.31.0+root.io.1"),
            // pypi/PYSEC-2014-13.json, PYSEC-2014-14.json: requests fixed
            // 2.3.0; 2.2.1 -> affected by both.
            py("requests", "2.2.1"),
        ],
    );
    assert_eq!(
        hits(&r),
        want(&[
            (
                "Demo_Lib",
                "1.1",
                "MULTI-ECO-FIX-DEMO",
                "MULTI-ECO-FIX-DEMO"
            ),
            ("PyYAML", "5.1.2", "CVE-2019-20477", "PYSEC-2020-176"),
            ("requests", "2.2.1", "CVE-2014-1829", "PYSEC-2014-13"),
            ("requests", "2.2.1", "CVE-2014-1830", "PYSEC-2014-14"),
            ("urllib3", "1.26.16", "CVE-2023-43804", "PYSEC-2023-192"),
        ])
    );
    let urllib3 = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2023-43804")
        .unwrap();
    assert_eq!(urllib3.fixed, ["1.26.17", "2.0.6"]);
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn npm_packages() {
    let npm = |name: &str, version: &str| {
        package(
            PackageType::Npm,
            name,
            version,
            &format!("pkg:npm/{}@{version}", name.replace('@', "%40")),
        )
    };
    let r = by_hand(
        None,
        vec![
            // misc-distro-and-other/MULTI-ECO-FIX-DEMO.json: npm demo-lib,
            // introduced 0, no fix -> affected, nothing to upgrade to.
            npm("demo-lib", "3.0.0"),
            // ROOT-APP-NPM-CVE-2022-25883: Root:npm @rootio/semver fixed
            // 7.5.2-root.io.1; 7.5.1-root.io.1 -> affected.
            npm("@rootio/semver", "7.5.1-root.io.1"),
            // ROOT-APP-NPM-CVE-2021-3918: @rootio/json-schema fixed
            // 0.2.3-root.io.1 = installed -> not affected.
            npm("@rootio/json-schema", "0.2.3-root.io.1"),
            // lodash's advisories are only in the legacy (non-OSV) npm files,
            // which the import refuses: no finding.
            npm("lodash", "4.17.15"),
        ],
    );
    assert_eq!(
        hits(&r),
        want(&[
            (
                "@rootio/semver",
                "7.5.1-root.io.1",
                "CVE-2022-25883",
                "ROOT-APP-NPM-CVE-2022-25883"
            ),
            (
                "demo-lib",
                "3.0.0",
                "MULTI-ECO-FIX-DEMO",
                "MULTI-ECO-FIX-DEMO"
            ),
        ])
    );
    let demo = r
        .findings
        .iter()
        .find(|f| f.package.name == "demo-lib")
        .unwrap();
    assert!(demo.fixed.is_empty());
    assert_eq!(demo.status, MatchStatus::Affected);
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn maven_packages() {
    let jar = |group: &str, artifact: &str, version: &str| {
        package(
            PackageType::Maven,
            artifact,
            version,
            &format!("pkg:maven/{group}/{artifact}@{version}"),
        )
    };
    let r = by_hand(
        None,
        vec![
            // maven/GHSA-mjmj-j48q-9wg2.json: org.yaml:snakeyaml introduced 0,
            // fixed 2.0 -> 1.33 affected. The other four snakeyaml records
            // (GHSA-3mc7-4q67-w48m, GHSA-c4r9-r8fh-9vj2, GHSA-hhhw-99gj-p3c3
            // fixed 1.31; GHSA-9w3m-gqgf-c4p9 fixed 1.32) are past.
            jar("org.yaml", "snakeyaml", "1.33"),
            jar("org.yaml", "snakeyaml", "2.0"),
            // maven/GHSA-gm62-rw4g-vrc4.json: logback-core 1.2.12 to 1.2.13
            // (also 1.3.13-1.3.14, 1.4.13-1.4.14); GHSA-vmq6-5m68-f53m.json:
            // introduced 0 fixed 1.2.13 (and 1.3.0-1.3.12, 1.4.0-1.4.12);
            // GHSA-vmfg-rjjm-rjrj.json fixed 1.2.0. 1.2.12 -> the first two.
            jar("ch.qos.logback", "logback-core", "1.2.12"),
            // 1.3.13: only GHSA-gm62-rw4g-vrc4 (1.3.13 to 1.3.14).
            jar("ch.qos.logback", "logback-core", "1.3.13"),
            // ROOT-APP-MAVEN-CVE-2025-41249: Root:Maven
            // io.root.org.springframework:spring-core fixed 5.3.40-root.io.1;
            // 5.3.39-root.io.1 -> affected.
            jar(
                "io.root.org.springframework",
                "spring-core",
                "5.3.39-root.io.1",
            ),
        ],
    );
    assert_eq!(
        hits(&r),
        want(&[
            (
                "logback-core",
                "1.2.12",
                "CVE-2023-6378",
                "GHSA-vmq6-5m68-f53m"
            ),
            (
                "logback-core",
                "1.2.12",
                "CVE-2023-6481",
                "GHSA-gm62-rw4g-vrc4"
            ),
            (
                "logback-core",
                "1.3.13",
                "CVE-2023-6481",
                "GHSA-gm62-rw4g-vrc4"
            ),
            ("snakeyaml", "1.33", "CVE-2022-1471", "GHSA-mjmj-j48q-9wg2"),
            (
                "spring-core",
                "5.3.39-root.io.1",
                "CVE-2025-41249",
                "ROOT-APP-MAVEN-CVE-2025-41249"
            ),
        ])
    );
}

// ---------------------------------------------------------------- the big image

/// The big reference image (Debian 12; requests 2.19.1, urllib3 1.24.1,
/// jinja2 2.10, pyyaml 5.3; lodash 4.17.15, minimist 1.2.0; commons-lang3
/// 3.12.0; dive, a Go binary built with go1.24.1) catalogued through the
/// engine and matched against the shared advisories.
/// Run: `PLIMSOLL_LAB_IMAGES=/work/lab-images cargo test -p plimsoll-vuln
/// --test matching_real -- --ignored big_image`.
#[test]
#[ignore = "needs ../shared and PLIMSOLL_LAB_IMAGES (the reference images)"]
fn big_image_findings() {
    let lab = std::env::var("PLIMSOLL_LAB_IMAGES").expect("set PLIMSOLL_LAB_IMAGES");
    let big = std::path::Path::new(&lab).join("big");
    let reference = ImageRef::parse(&format!("oci:{}:latest", big.display())).unwrap();
    let inv = scan_image(&reference);
    let r = matched(&inv);
    assert!(r.not_matched.is_empty(), "{:?}", r.not_matched);
    let rows: Vec<(String, String, String, String)> = hits(&r);
    assert_eq!(
        rows,
        want(&[
            // go/GO-2026-5970.json: golang.org/x/text introduced 0, fixed
            // 0.39.0; dive has v0.23.0.
            (
                "golang.org/x/text",
                "v0.23.0",
                "CVE-2026-56852",
                "GO-2026-5970"
            ),
            // pypi/PYSEC-2019-217.json: jinja2 fixed 2.10.1; 2.10 installed.
            ("jinja2", "2.10", "CVE-2019-10906", "PYSEC-2019-217"),
            // go/GO-2025-3849.json: stdlib introduced 1.24.0 fixed 1.24.6;
            // dive was built with go1.24.1.
            ("stdlib", "go1.24.1", "CVE-2025-47907", "GO-2025-3849"),
            // go/GO-2026-6090.json: stdlib introduced 0 fixed 1.25.13.
            ("stdlib", "go1.24.1", "CVE-2026-56862", "GO-2026-6090"),
            // pypi/PYSEC-2019-132.json: urllib3 fixed 1.24.3; 1.24.1.
            ("urllib3", "1.24.1", "CVE-2019-11236", "PYSEC-2019-132"),
            // pypi/PYSEC-2023-192.json: urllib3 fixed 1.26.17; 1.24.1.
            ("urllib3", "1.24.1", "CVE-2023-43804", "PYSEC-2023-192"),
        ])
    );
    // Not findings, checked by hand: requests 2.19.1 is past PYSEC-2014-13
    // and -14 (fixed 2.3.0); pyyaml 5.3 past PYSEC-2020-176 (5.1 to 5.2b1);
    // stdlib 1.24.1 past the 15 older stdlib records (e.g. GO-2024-3106,
    // fixed 1.22.7/1.23.1); github.com/docker/docker v28.0.4 past
    // GO-2023-1700 (fixed 23.0.3); golang.org/x/net v0.37.0 past
    // GHSA-qppj-fm5r-hxr3 (fixed 0.17.0); no OSV record names lodash,
    // minimist, commons-lang3 or a Debian 12 package.
    assert!(
        r.findings.iter().all(|f| f.status == MatchStatus::Affected),
        "every version orders: {:?}",
        r.findings
    );
    let go = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2025-47907")
        .unwrap();
    assert_eq!(go.fixed, ["1.24.6"]);
    let debs = inv.of_type(PackageType::Deb).count();
    assert!(debs > 100, "{debs}");
    assert_eq!(r.packages_matched, inv.packages.len());
}

/// The big reference image's six vulnerabilities, with the real GHSA, NVD
/// and EPSS records of `tests/data/severity` imported next to the shared OSV
/// advisories: none is `unknown` any more (five are without them: their Go
/// and PyPI records carry no severity), each says which record its severity
/// comes from, and `--fail-on high` now catches the high ones. Run by
/// `scripts/test-all.sh` with `big_image`.
#[test]
#[ignore = "needs ../shared and PLIMSOLL_LAB_IMAGES (the reference images)"]
fn big_image_severities_from_ghsa_and_nvd() {
    let lab = std::env::var("PLIMSOLL_LAB_IMAGES").expect("set PLIMSOLL_LAB_IMAGES");
    let big = std::path::Path::new(&lab).join("big");
    let reference = ImageRef::parse(&format!("oci:{}:latest", big.display())).unwrap();
    let inv = scan_image(&reference);
    let severity = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/severity");
    let tmp = tempfile::tempdir().unwrap();
    let imported = import(&[plimsoll_testkit::shared_testdata("advisories"), severity]).unwrap();
    assert_eq!(
        (
            imported.report.nvd_records,
            imported.report.epss_scores,
            imported.report.kev_entries
        ),
        (3, 3, 2)
    );
    let path = tmp.path().join("vuln.db");
    db::build(imported, &path).unwrap();
    let db = Database::open(&path).unwrap();

    // Without the severity data: five of six unknown.
    let before = matched(&inv);
    let unknown = |r: &VulnReport| {
        r.findings
            .iter()
            .filter(|f| f.rating.severity == VulnSeverity::Unknown)
            .count()
    };
    assert_eq!((before.findings.len(), unknown(&before)), (6, 5));

    let r = find(&inv, &db, &Policy::default(), &[]).unwrap();
    let mut rows: Vec<(String, VulnSeverity, String, &'static str)> = r
        .findings
        .iter()
        .map(|f| {
            let o = f
                .rating
                .origin
                .as_ref()
                .expect("every severity says where it is from");
            (f.id.clone(), f.rating.severity, o.record.clone(), o.via)
        })
        .collect();
    rows.sort();
    let s = |v: &str| v.to_string();
    assert_eq!(
        rows,
        [
            // GHSA-462w-v97r-4m45 also names PyPI Jinja2 < 2.10.1: it matches.
            (
                s("CVE-2019-10906"),
                VulnSeverity::High,
                s("GHSA-462w-v97r-4m45"),
                "matched"
            ),
            (
                s("CVE-2019-11236"),
                VulnSeverity::Medium,
                s("GHSA-r64q-w8jr-g9qp"),
                "matched"
            ),
            (
                s("CVE-2023-43804"),
                VulnSeverity::High,
                s("PYSEC-2023-192"),
                "matched"
            ),
            (
                s("CVE-2025-47907"),
                VulnSeverity::High,
                s("CVE-2025-47907"),
                "alias"
            ),
            (
                s("CVE-2026-56852"),
                VulnSeverity::High,
                s("CVE-2026-56852"),
                "alias"
            ),
            (
                s("CVE-2026-56862"),
                VulnSeverity::High,
                s("CVE-2026-56862"),
                "alias"
            ),
        ]
    );
    assert_eq!(unknown(&r), 0);
    let epss: Vec<(&str, f64)> = r
        .findings
        .iter()
        .filter_map(|f| f.epss.as_ref().map(|e| (f.id.as_str(), e.score)))
        .collect();
    assert_eq!(epss.len(), 3, "{epss:?}");
    assert!(r.fails(VulnSeverity::High, false));
}

// ---------------------------------------------------------------- issue 18: OS ecosystems

/// The database of tests/data/os-ecosystems/records (real Ubuntu and
/// Photon OS records, schema-shaped Red Hat and SUSE ones; see the
/// PROVENANCE.md there), built once per test binary.
fn os_ecosystems_db() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let records = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/os-ecosystems/records");
        let imported = import(&[records]).unwrap();
        let path = tmp.path().join("vuln.db");
        db::build(imported, &path).unwrap();
        (tmp, path)
    });
    Database::open(path).unwrap()
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn ubuntu_18_04_real_status_against_ubuntu_and_pro_records() {
    // claircore's texlive image status: Ubuntu 18.04, 357 packages, no ESM
    // build among them (no `+esm` version), so not a Pro image.
    let inv = image(
        vec![file(
            "var/lib/dpkg/status",
            pkgdb("dpkg-status-claircore-texlive"),
        )],
        "ubuntu",
        "18.04",
    );
    assert!(inv.packages.len() > 350, "{}", inv.packages.len());
    assert!(!inv.packages.iter().any(|p| p.version.contains("+esm")));
    let r = find(&inv, &os_ecosystems_db(), &Policy::default(), &[]).unwrap();
    assert_eq!(r.packages_matched, inv.packages.len());
    assert!(r.not_matched.is_empty(), "{:?}", r.not_matched);
    // UBUNTU-CVE-2023-0286 (canonical/ubuntu-security-notices): the
    // Ubuntu:18.04:LTS openssl entry, fixed 1.1.1-1ubuntu2.1~18.04.21; the
    // image's openssl source is at 1.1.1-1ubuntu2.1~18.04.5 (dpkg: .5 < .21):
    // both of its binaries. Its Pro entries (16.04 openssl, 18.04 edk2) do
    // not apply.
    assert_eq!(
        hits(&r),
        want(&[
            (
                "libssl1.1",
                "1.1.1-1ubuntu2.1~18.04.5",
                "CVE-2023-0286",
                "CVE-2023-0286"
            ),
            (
                "openssl",
                "1.1.1-1ubuntu2.1~18.04.5",
                "CVE-2023-0286",
                "CVE-2023-0286"
            ),
        ])
    );
    for f in &r.findings {
        assert_eq!(f.fixed, ["1.1.1-1ubuntu2.1~18.04.21"]);
        // The record's Ubuntu priority is high.
        assert_eq!(f.rating.severity, VulnSeverity::High);
    }
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn centos_and_sles_real_rpm_databases_are_matched_not_reported_as_without_data() {
    // grype's centos and sles match-coverage rpm databases (one package each,
    // dive 0.9.2-1): before issue 18 both said "no advisory data for
    // distribution"; now CentOS is matched against Red Hat's data and SLES
    // against SUSE's, where dive has no record.
    for (db, id, version) in [
        ("rpm-Packages-bdb-grype-centos", "centos", "8"),
        ("rpm-Packages-bdb-grype-sles", "sles", "15.5"),
    ] {
        let inv = image(vec![file("var/lib/rpm/Packages", pkgdb(db))], id, version);
        assert_eq!(inv.of_type(PackageType::Rpm).count(), 1, "{db}");
        let r = find(&inv, &os_ecosystems_db(), &Policy::default(), &[]).unwrap();
        assert_eq!(r.packages_matched, 1, "{db}");
        assert!(r.not_matched.is_empty(), "{db}: {:?}", r.not_matched);
        assert_eq!(hits(&r), want(&[]), "{db}");
    }
}
