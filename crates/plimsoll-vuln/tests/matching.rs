//! `findings::find` end to end on small databases built here from OSV
//! records written in each test, and inventories built by hand: which
//! ecosystem string and name a package is looked up under, how ranges are
//! evaluated, how records of one vulnerability merge, and how ignores, VEX,
//! severities and `--ignore-unfixed` shape the report. Every expected value
//! follows from the records and versions written in the test itself.

use plimsoll_sbom::{Distro, Inventory, Package, PackageType};
use plimsoll_testkit::osv::{affected as entry, fixed_in, record as osv, unfixed};
use plimsoll_vuln::db::{self, Database};
use plimsoll_vuln::findings::{MatchStatus, VulnFinding, VulnReport, find};
use plimsoll_vuln::import::import;
use plimsoll_vuln::matcher::VulnSeverity;
use plimsoll_vuln::policy::{Date, IgnoreRule, Policy};
use serde_json::{Value, json};

// ---------------------------------------------------------------- helpers

/// A database holding `records` (imported from a directory, as
/// `plimsoll db import` does).
fn database(records: &[Value]) -> (tempfile::TempDir, Database) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("advisories");
    std::fs::create_dir(&dir).unwrap();
    for r in records {
        let id = r["id"].as_str().unwrap().replace(':', "_");
        std::fs::write(
            dir.join(format!("{id}.json")),
            serde_json::to_vec(r).unwrap(),
        )
        .unwrap();
    }
    let imported = import(&[&dir]).unwrap();
    assert!(
        imported.report.malformed.is_empty(),
        "{:?}",
        imported.report.malformed
    );
    let path = tmp.path().join("vuln.db");
    db::build(imported, &path).unwrap();
    let db = Database::open(&path).unwrap();
    (tmp, db)
}

fn distro(id: &str, version_id: &str) -> Option<Distro> {
    Some(Distro {
        id: Some(id.into()),
        version_id: Some(version_id.into()),
        ..Default::default()
    })
}

fn package(t: PackageType, name: &str, version: &str, purl: &str) -> Package {
    Package::new(t, name, version, purl, "somewhere", 0)
}

/// A binary package built from `source` at `source_version`.
fn built_from(
    t: PackageType,
    name: &str,
    version: &str,
    source: &str,
    source_version: Option<&str>,
) -> Package {
    let mut p = package(t, name, version, "");
    p.source_name = Some(source.into());
    p.source_version = source_version.map(Into::into);
    p
}

fn scan(db: &Database, distro: Option<Distro>, packages: Vec<Package>) -> VulnReport {
    scan_with(db, distro, packages, &Policy::default())
}

fn scan_with(
    db: &Database,
    distro: Option<Distro>,
    packages: Vec<Package>,
    policy: &Policy,
) -> VulnReport {
    let inventory = Inventory {
        distro,
        packages,
        warnings: Default::default(),
    };
    find(&inventory, db, policy, &["sha256:feed".to_string()]).unwrap()
}

/// (package name, finding id) of every finding, sorted.
fn hits(r: &VulnReport) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.package.name.clone(), f.id.clone()))
        .collect();
    v.sort();
    v
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

fn the<'a>(r: &'a VulnReport, package: &str, id: &str) -> &'a VulnFinding {
    r.findings
        .iter()
        .find(|f| f.package.name == package && f.id == id)
        .unwrap_or_else(|| panic!("no {id} on {package}: {:?}", hits(r)))
}

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

// ---------------------------------------------------------------- OS packages

/// DSA-style and DEBIAN-CVE-style records of CVE-2023-4911 (glibc) for two
/// releases, and a Debian 11 only record for openssl.
fn debian_records() -> Vec<Value> {
    vec![
        osv(
            "DSA-5514-1",
            &["CVE-2023-4911"],
            json!([
                fixed_in("Debian:12", "glibc", "2.36-9+deb12u3"),
                fixed_in("Debian:11", "glibc", "2.31-13+deb11u7"),
            ]),
            json!({}),
        ),
        osv(
            "DEBIAN-CVE-2023-4911",
            &[],
            json!([{
                "package": {"ecosystem": "Debian:12", "name": "glibc"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}],
                "ecosystem_specific": {"urgency": "high"}
            }]),
            json!({"upstream": ["CVE-2023-4911"],
                   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N"}]}),
        ),
        osv(
            "DLA-3600-1",
            &["CVE-2023-9999"],
            json!([fixed_in("Debian:11", "openssl", "1.1.1w-0+deb11u2")]),
            json!({}),
        ),
    ]
}

#[test]
fn debian_matches_by_source_package_and_version_within_its_release() {
    let (_tmp, db) = database(&debian_records());
    let packages = || {
        vec![
            // Binary libc6 of source glibc: the source version decides.
            built_from(
                PackageType::Deb,
                "libc6",
                "2.36-9+deb12u2",
                "glibc",
                Some("2.36-9+deb12u2"),
            ),
            // A binNMU of the fixed source: binary +b1, source at the fix.
            built_from(
                PackageType::Deb,
                "libc-bin",
                "2.36-9+deb12u3+b1",
                "glibc",
                Some("2.36-9+deb12u3"),
            ),
            // Listed without Source: its own name and version are the source's.
            package(PackageType::Deb, "openssl", "1.1.1n-0+deb11u4", ""),
        ]
    };
    let r = scan(&db, distro("debian", "12"), packages());
    // Debian 12: glibc 2.36-9+deb12u2 < 2.36-9+deb12u3 (DSA and DEBIAN-CVE,
    // one vulnerability); libc-bin's source is at the fix; the openssl record
    // is for Debian 11 only.
    assert_eq!(hits(&r), pairs(&[("libc6", "CVE-2023-4911")]));
    let f = the(&r, "libc6", "CVE-2023-4911");
    assert_eq!(f.advisories, ["DEBIAN-CVE-2023-4911", "DSA-5514-1"]);
    assert!(f.aliases.contains(&"CVE-2023-4911".to_string()));
    assert_eq!(f.fixed, ["2.36-9+deb12u3"]);
    assert_eq!(f.status, MatchStatus::Affected);
    // An OS package: Debian's urgency word (high) outranks the low CVSS.
    assert_eq!(f.rating.severity, VulnSeverity::High);
    assert_eq!(r.packages_matched, 3);

    // The same packages on Debian 11: the Debian 11 ranges apply.
    let r = scan(&db, distro("debian", "11"), packages());
    // glibc: 2.36-9+deb12u2 > 2.31-13+deb11u7 (fixed) -> not affected;
    // openssl 1.1.1n-0+deb11u4 < 1.1.1w-0+deb11u2 ('n' < 'w') -> affected.
    assert_eq!(hits(&r), pairs(&[("openssl", "CVE-2023-9999")]));
    assert_eq!(
        the(&r, "openssl", "CVE-2023-9999").fixed,
        ["1.1.1w-0+deb11u2"]
    );

    // Without an os-release nothing OS-level can be matched, and it is said.
    let r = scan(&db, None, packages());
    assert!(r.findings.is_empty());
    assert_eq!(r.packages_matched, 0);
    assert_eq!(r.not_matched.len(), 1, "{:?}", r.not_matched);
    assert!(r.not_matched[0].contains("(3)"), "{:?}", r.not_matched);
}

#[test]
fn ubuntu_matches_its_lts_release_only() {
    let (_tmp, db) = database(&[
        osv(
            "UBUNTU-CVE-2024-0001",
            &[],
            json!([
                fixed_in("Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.15"),
                fixed_in("Ubuntu:20.04:LTS", "openssl", "1.1.1f-1ubuntu2.22"),
                fixed_in("Ubuntu:Pro:16.04:LTS", "openssl", "1.0.2g-1ubuntu4.20+esm1"),
            ]),
            json!({"upstream": ["CVE-2024-0001"], "severity": [{"type": "Ubuntu", "score": "low"}]}),
        ),
        osv(
            "UBUNTU-CVE-2024-0002",
            &[],
            json!([fixed_in("Ubuntu:24.04:LTS", "openssl", "3.0.13-0ubuntu3.2")]),
            json!({"upstream": ["CVE-2024-0002"]}),
        ),
    ]);
    let libssl = || {
        vec![built_from(
            PackageType::Deb,
            "libssl3",
            "3.0.2-0ubuntu1.14",
            "openssl",
            None,
        )]
    };
    let r = scan(&db, distro("ubuntu", "22.04"), libssl());
    // 3.0.2-0ubuntu1.14 < 3.0.2-0ubuntu1.15 in Ubuntu:22.04:LTS; the 24.04
    // record is another release.
    assert_eq!(hits(&r), pairs(&[("libssl3", "CVE-2024-0001")]));
    let f = the(&r, "libssl3", "CVE-2024-0001");
    assert_eq!(f.fixed, ["3.0.2-0ubuntu1.15"]);
    assert_eq!(f.rating.severity, VulnSeverity::Low, "Ubuntu's priority");
    // 24.04 sees only its own record: 3.0.2… < 3.0.13… -> affected.
    let r = scan(&db, distro("ubuntu", "24.04"), libssl());
    assert_eq!(hits(&r), pairs(&[("libssl3", "CVE-2024-0002")]));
    // 16.04 without Pro: the ESM record is not for it.
    assert!(
        scan(&db, distro("ubuntu", "16.04"), libssl())
            .findings
            .is_empty()
    );
}

#[test]
fn alpine_matches_by_origin_in_its_minor_release() {
    let (_tmp, db) = database(&[
        osv(
            "ALPINE-CVE-2023-2650",
            &["CVE-2023-2650"],
            json!([
                fixed_in("Alpine:v3.18", "openssl", "3.1.1-r0"),
                fixed_in("Alpine:v3.17", "openssl", "3.0.9-r0"),
            ]),
            json!({}),
        ),
        osv(
            "ALPINE-CVE-2023-0001",
            &["CVE-2023-0001"],
            json!([fixed_in("Alpine:v3.19", "busybox", "1.36.1-r15")]),
            json!({}),
        ),
    ]);
    let packages = vec![
        // libcrypto3's origin is openssl.
        built_from(PackageType::Apk, "libcrypto3", "3.1.0-r4", "openssl", None),
        built_from(PackageType::Apk, "libssl3", "3.1.1-r0", "openssl", None),
        built_from(PackageType::Apk, "busybox", "1.36.0-r9", "busybox", None),
    ];
    let r = scan(&db, distro("alpine", "3.18.4"), packages);
    // Alpine:v3.18: 3.1.0-r4 < 3.1.1-r0 affected, 3.1.1-r0 not; busybox's
    // record is for v3.19.
    assert_eq!(hits(&r), pairs(&[("libcrypto3", "CVE-2023-2650")]));
    assert_eq!(the(&r, "libcrypto3", "CVE-2023-2650").fixed, ["3.1.1-r0"]);
}

#[test]
fn almalinux_matches_binary_packages_with_their_epoch() {
    let (_tmp, db) = database(&[
        osv(
            "ALSA-2024:1234",
            &[],
            json!([
                fixed_in("AlmaLinux:8", "openssl-libs", "1:1.1.1k-12.el8_9"),
                fixed_in("AlmaLinux:9", "openssl-libs", "1:3.0.7-25.el9_3"),
            ]),
            json!({"summary": "Important: openssl security update", "related": ["CVE-2023-5678"]}),
        ),
        // A bug-fix erratum (no CVE): an older package lacks a fix, not a patch.
        osv(
            "ALBA-2024:5678",
            &[],
            json!([fixed_in("AlmaLinux:8", "openssl-libs", "1:1.1.1k-13.el8_9")]),
            json!({"summary": "openssl bug fix update"}),
        ),
    ]);
    let rpm = |name: &str, version: &str| package(PackageType::Rpm, name, version, "");
    let r = scan(
        &db,
        distro("almalinux", "8.9"),
        vec![
            // 1:1.1.1k-9.el8_7 < 1:1.1.1k-12.el8_9 (release 9 < 12).
            rpm("openssl-libs", "1:1.1.1k-9.el8_7"),
            // ALSA records list binary packages: this one is not named.
            rpm("openssl", "1:1.1.1k-9.el8_7"),
        ],
    );
    assert_eq!(hits(&r), pairs(&[("openssl-libs", "ALSA-2024:1234")]));
    let f = the(&r, "openssl-libs", "ALSA-2024:1234");
    assert_eq!(f.fixed, ["1:1.1.1k-12.el8_9"]);
    // AlmaLinux states its rating only in the summary's "Important:".
    assert_eq!(f.rating.severity, VulnSeverity::High);
    // The erratum's `related` CVE is among the finding's ids (issue 18):
    // ignores and VEX statements name it. It does not merge alias groups.
    assert_eq!(f.aliases, ["ALSA-2024:1234", "CVE-2023-5678"]);
    let ignore = IgnoreRule {
        id: "CVE-2023-5678".into(),
        reason: "not reachable".into(),
        ..IgnoreRule::default()
    };
    let policy = Policy::new(vec![ignore], TODAY).unwrap();
    let r = scan_with(
        &db,
        distro("almalinux", "8.9"),
        vec![rpm("openssl-libs", "1:1.1.1k-9.el8_7")],
        &policy,
    );
    let s = r.findings[0].suppressed.as_ref().expect("ignored by CVE");
    assert_eq!(s.by, "ignore");
    let mut policy = Policy::new(vec![], TODAY).unwrap();
    policy
        .add_vex(
            "alma.vex.json",
            br#"{"statements":[{"vulnerability":{"name":"CVE-2023-5678"},
                 "products":[{"@id":"pkg:oci/app@sha256%3Afeed"}],
                 "status":"not_affected","justification":"vulnerable_code_not_present"}]}"#,
        )
        .unwrap();
    let r = scan_with(
        &db,
        distro("almalinux", "8.9"),
        vec![rpm("openssl-libs", "1:1.1.1k-9.el8_7")],
        &policy,
    );
    assert_eq!(r.findings[0].suppressed.as_ref().expect("vex").by, "vex");

    let r = scan(
        &db,
        distro("almalinux", "8.9"),
        vec![
            // Epoch 0 but named in the record: 0:1.1.1k-12.el8_9 < 1:…
            rpm("openssl-libs", "1.1.1k-12.el8_9"),
        ],
    );
    assert_eq!(hits(&r), pairs(&[("openssl-libs", "ALSA-2024:1234")]));
    for fixed in ["1:1.1.1k-12.el8_9", "2:1.0-1.el8"] {
        let r = scan(
            &db,
            distro("almalinux", "8.9"),
            vec![rpm("openssl-libs", fixed)],
        );
        assert!(r.findings.is_empty(), "{fixed}: {:?}", hits(&r));
    }
    // Rocky Linux has its own ecosystem: AlmaLinux records do not apply.
    let r = scan(
        &db,
        distro("rocky", "8.9"),
        vec![rpm("openssl-libs", "1:1.1.1k-9.el8_7")],
    );
    assert!(r.findings.is_empty());
    // Nor to CentOS, which is matched against Red Hat's data.
    let r = scan(
        &db,
        distro("centos", "8"),
        vec![rpm("openssl-libs", "1:1.1.1k-9.el8_7")],
    );
    assert_eq!(r.packages_matched, 1);
    assert!(r.findings.is_empty());
    // A distribution without advisory data is reported, not silently clean.
    let r = scan(
        &db,
        distro("ol", "8"),
        vec![rpm("openssl-libs", "1:1.1.1k-9.el8_7")],
    );
    assert_eq!(r.packages_matched, 0);
    assert!(r.not_matched[0].contains("ol 8"), "{:?}", r.not_matched);
}

#[test]
fn ubuntu_pro_fixes_outweigh_the_releases_unfixed_entry() {
    // The release's entry says every version is affected (the fix went to
    // ESM only); Pro's says its build fixes it. A Pro image at that build is
    // not affected; an image without Pro packages is, with no fix it can take.
    let (_tmp, db) = database(&[osv(
        "UBUNTU-CVE-2024-0001",
        &["CVE-2024-0001"],
        json!([
            unfixed("Ubuntu:18.04:LTS", "openssl"),
            fixed_in(
                "Ubuntu:Pro:18.04:LTS",
                "openssl",
                "1.1.1-1ubuntu2.1~18.04.23+esm4"
            ),
            fixed_in(
                "Ubuntu:Pro:FIPS-updates:18.04:LTS",
                "openssl",
                "1.1.1-1ubuntu2.fips.2.1~18.04.23.3"
            ),
        ]),
        json!({}),
    )]);
    let ssl = |v: &str| built_from(PackageType::Deb, "libssl1.1", v, "openssl", Some(v));
    let r = scan(
        &db,
        distro("ubuntu", "18.04"),
        vec![ssl("1.1.1-1ubuntu2.1~18.04.23+esm4")],
    );
    assert_eq!(hits(&r), pairs(&[]));
    let r = scan(
        &db,
        distro("ubuntu", "18.04"),
        vec![ssl("1.1.1-1ubuntu2.1~18.04.23+esm3")],
    );
    assert_eq!(hits(&r), pairs(&[("libssl1.1", "CVE-2024-0001")]));
    // Pro's fix, never FIPS's.
    assert_eq!(
        the(&r, "libssl1.1", "CVE-2024-0001").fixed,
        ["1.1.1-1ubuntu2.1~18.04.23+esm4"]
    );
    let r = scan(
        &db,
        distro("ubuntu", "18.04"),
        vec![ssl("1.1.1-1ubuntu2.1~18.04.23")],
    );
    let f = the(&r, "libssl1.1", "CVE-2024-0001");
    assert!(f.fixed.is_empty(), "{:?}", f.fixed);
}

/// Arch Linux (pacman's `alpm` packages) has no OSV ecosystem: a scan says
/// how many packages it could not match and why, never "clean".
#[test]
fn arch_packages_are_reported_unmatched() {
    let (_tmp, db) = database(&debian_records());
    let arch = Some(Distro {
        id: Some("arch".into()),
        build_id: Some("rolling".into()),
        ..Default::default()
    });
    let packages = vec![
        package(
            PackageType::Alpm,
            "gmp",
            "6.2.1-2",
            "pkg:alpm/arch/gmp@6.2.1-2",
        ),
        package(
            PackageType::Alpm,
            "emacs",
            "29.3-3",
            "pkg:alpm/arch/emacs@29.3-3",
        ),
    ];
    let r = scan(&db, arch, packages);
    assert!(r.findings.is_empty());
    assert_eq!(r.packages_matched, 0);
    assert_eq!(
        r.not_matched,
        ["no advisory data for distribution 'arch rolling': alpm packages (2) not matched"]
    );
}

// ---------------------------------------------------------------- language packages

#[test]
fn pypi_names_are_compared_normalised() {
    let (_tmp, db) = database(&[
        osv(
            "PYSEC-2021-142",
            &["CVE-2020-14343"],
            json!([fixed_in("PyPI", "PyYAML", "5.4")]),
            json!({}),
        ),
        osv(
            "PYSEC-2019-1",
            &["CVE-2019-1"],
            json!([fixed_in("PyPI", "ruamel.yaml", "0.15.0")]),
            json!({}),
        ),
    ]);
    let py = |name: &str, version: &str| {
        package(
            PackageType::Pypi,
            name,
            version,
            &format!("pkg:pypi/{name}@{version}"),
        )
    };
    let r = scan(
        &db,
        None,
        vec![
            py("pyyaml", "5.3.1"),
            py("PyYAML", "5.4"),
            py("Ruamel_Yaml", "0.14.12"),
        ],
    );
    // pyyaml 5.3.1 < 5.4; PyYAML 5.4 is the fix; ruamel.yaml = ruamel-yaml.
    assert_eq!(
        hits(&r),
        pairs(&[("pyyaml", "CVE-2020-14343"), ("Ruamel_Yaml", "CVE-2019-1")])
    );
}

#[test]
fn npm_scoped_and_plain_packages_by_semver() {
    let (_tmp, db) = database(&[
        osv(
            "GHSA-p6mc-m468-83gw",
            &["CVE-2020-8203"],
            json!([entry(
                "npm",
                "lodash",
                "SEMVER",
                json!([{"introduced": "3.7.0"}, {"fixed": "4.17.19"}])
            )]),
            json!({"database_specific": {"severity": "HIGH"}}),
        ),
        osv(
            "GHSA-aaaa-bbbb-cccc",
            &["CVE-2024-0003"],
            json!([entry(
                "npm",
                "@angular/core",
                "SEMVER",
                json!([{"introduced": "16.0.0"}, {"fixed": "16.2.1"}])
            )]),
            json!({}),
        ),
    ]);
    let npm = |name: &str, version: &str| {
        package(
            PackageType::Npm,
            name,
            version,
            &format!("pkg:npm/{name}@{version}"),
        )
    };
    let r = scan(
        &db,
        None,
        vec![
            npm("lodash", "4.17.15"),
            npm("lodash", "3.6.0"),
            npm("@angular/core", "16.2.0"),
            npm("@angular/core", "16.2.1"),
            // A pre-release of the fix sorts before it.
            npm("@angular/core", "16.2.1-rc.0"),
        ],
    );
    // lodash 4.17.15 in [3.7.0, 4.17.19); 3.6.0 before the range.
    let got: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.package.name.clone(), f.package.version.clone()))
        .collect();
    let mut got = got;
    got.sort();
    assert_eq!(
        got,
        pairs(&[
            ("@angular/core", "16.2.0"),
            ("@angular/core", "16.2.1-rc.0"),
            ("lodash", "4.17.15"),
        ])
    );
    assert_eq!(
        the(&r, "lodash", "CVE-2020-8203").rating.severity,
        VulnSeverity::High
    );
}

#[test]
fn go_modules_and_the_standard_library() {
    let (_tmp, db) = database(&[
        osv(
            "GO-2025-3849",
            &["CVE-2025-47907"],
            json!([entry(
                "Go",
                "stdlib",
                "SEMVER",
                json!([
                {"introduced": "0"}, {"fixed": "1.23.12"},
                {"introduced": "1.24.0-0"}, {"fixed": "1.24.6"}])
            )]),
            json!({}),
        ),
        osv(
            "GO-2023-1700",
            &["CVE-2023-28840"],
            json!([entry(
                "Go",
                "github.com/docker/docker",
                "SEMVER",
                json!([
                {"introduced": "1.12.0"}, {"fixed": "20.10.24+incompatible"},
                {"introduced": "23.0.0+incompatible"}, {"fixed": "23.0.3+incompatible"}])
            )]),
            json!({}),
        ),
        // Events written with Go's `v`, as some feeds do.
        osv(
            "GO-2024-0001",
            &["CVE-2024-0004"],
            json!([entry(
                "Go",
                "golang.org/x/net",
                "SEMVER",
                json!([
                {"introduced": "v0.0.0-20190101000000-000000000000"}, {"fixed": "v0.17.0"}])
            )]),
            json!({}),
        ),
    ]);
    let go = |name: &str, version: &str| {
        package(
            PackageType::Golang,
            name,
            version,
            &format!("pkg:golang/{name}@{version}"),
        )
    };
    let r = scan(
        &db,
        None,
        vec![
            // The Go cataloger writes the toolchain as `go1.24.1`.
            go("stdlib", "go1.24.1"),
            go("stdlib", "go1.24.6"),
            go("stdlib", "go1.23"),
            go("stdlib", "go1.24rc1"),
            go("github.com/docker/docker", "v23.0.1+incompatible"),
            go("github.com/docker/docker", "v28.0.4+incompatible"),
            go("golang.org/x/net", "v0.0.0-20211015210444-4f30a5c0130f"),
            go("golang.org/x/net", "v0.37.0"),
        ],
    );
    let mut got: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.package.name.clone(), f.package.version.clone()))
        .collect();
    got.sort();
    // stdlib: 1.24.1 in [1.24.0-0, 1.24.6); 1.23(.0) < 1.23.12; 1.24.6 fixed;
    // go1.24rc1 = 1.24.0-rc.1, at or after 1.24.0-0 -> affected.
    // docker: 23.0.1 in [23.0.0, 23.0.3); 28.0.4 after every range.
    // x/net: a 2021 pseudo-version of 0.0.0 < 0.17.0; 0.37.0 after.
    assert_eq!(
        got,
        pairs(&[
            ("github.com/docker/docker", "v23.0.1+incompatible"),
            ("golang.org/x/net", "v0.0.0-20211015210444-4f30a5c0130f"),
            ("stdlib", "go1.23"),
            ("stdlib", "go1.24.1"),
            ("stdlib", "go1.24rc1"),
        ])
    );
    assert!(
        r.findings.iter().all(|f| f.status == MatchStatus::Affected),
        "every version parses: {:?}",
        r.findings
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.package.version == "go1.24.1")
        .unwrap();
    assert_eq!(f.fixed, ["1.24.6"]);
}

#[test]
fn maven_by_group_and_artifact() {
    let (_tmp, db) = database(&[osv(
        "GHSA-599f-7c49-w659",
        &["CVE-2022-42889"],
        json!([fixed_in(
            "Maven",
            "org.apache.commons:commons-text",
            "1.10.0"
        )]),
        json!({"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}),
    )]);
    let jar = |group: &str, artifact: &str, version: &str| {
        package(
            PackageType::Maven,
            artifact,
            version,
            &format!("pkg:maven/{group}/{artifact}@{version}"),
        )
    };
    let r = scan(
        &db,
        None,
        vec![
            jar("org.apache.commons", "commons-text", "1.9"),
            jar("org.apache.commons", "commons-text", "1.10.0"),
            // Same artifact id, another group: another project.
            jar("com.example.fork", "commons-text", "1.9"),
        ],
    );
    assert_eq!(r.findings.len(), 1, "{:?}", hits(&r));
    let f = &r.findings[0];
    assert_eq!(
        (f.package.purl.as_str(), f.id.as_str()),
        (
            "pkg:maven/org.apache.commons/commons-text@1.9",
            "CVE-2022-42889"
        )
    );
    assert_eq!(
        (f.rating.severity, f.rating.score),
        (VulnSeverity::Critical, Some(9.8))
    );
}

/// GHSA-5crp-9r3c-p9vr as the GitHub Advisory Database publishes it
/// (NuGet `Newtonsoft.Json`, fixed in 13.0.1), and GHSA-mrrh-fwg8-r2c3's
/// range (GitHub Actions `tj-actions/changed-files`, fixed in 46.0.1).
#[test]
fn nuget_and_github_actions() {
    let (_tmp, db) = database(&[
        osv(
            "GHSA-5crp-9r3c-p9vr",
            &[],
            json!([fixed_in("NuGet", "Newtonsoft.Json", "13.0.1")]),
            json!({"database_specific": {"severity": "LOW"}}),
        ),
        osv(
            "GHSA-mrrh-fwg8-r2c3",
            &["CVE-2025-30066"],
            json!([fixed_in(
                "GitHub Actions",
                "tj-actions/changed-files",
                "46.0.1"
            )]),
            json!({"database_specific": {"severity": "HIGH"}}),
        ),
    ]);
    let nuget = |name: &str, version: &str| {
        package(
            PackageType::Nuget,
            name,
            version,
            &format!("pkg:nuget/{name}@{version}"),
        )
    };
    let action = |uses: &str, version: &str| {
        let repo: Vec<&str> = uses.splitn(3, '/').collect();
        let mut purl = format!("pkg:github/{}/{}@{version}", repo[0], repo[1]);
        if let Some(sub) = repo.get(2) {
            purl.push('#');
            purl.push_str(sub);
        }
        package(PackageType::Github, uses, version, &purl)
    };
    let r = scan(
        &db,
        None,
        vec![
            // NuGet's legacy four-number form of an older release.
            nuget("Newtonsoft.Json", "12.0.3.0"),
            nuget("Newtonsoft.Json", "13.0.1"),
            nuget("Newtonsoft.Json", "13.0.1-beta1"),
            action("tj-actions/changed-files", "v45.0.7"),
            action("tj-actions/changed-files", "v46.0.1"),
            // A floating major tag and a commit: not orderable, reported.
            action("tj-actions/changed-files", "v45"),
            action(
                "tj-actions/changed-files",
                "ed68ef82c095e0d48ec87eccea555d944a631a4c",
            ),
            // Another repository's action of the same name is not this one.
            action("other-org/changed-files", "v1.0.0"),
            // Both ecosystems' names are case-insensitive.
            nuget("newtonsoft.json", "11.0.2"),
            action("TJ-Actions/Changed-Files", "v44.0.0"),
        ],
    );
    let mut found: Vec<(String, String, bool)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.package.name.clone(),
                f.package.version.clone(),
                matches!(f.status, MatchStatus::Unknown(_)),
            )
        })
        .collect();
    found.sort();
    let own = |n: &str, v: &str, unknown| (n.to_string(), v.to_string(), unknown);
    assert_eq!(
        found,
        [
            own("Newtonsoft.Json", "12.0.3.0", false),
            own("Newtonsoft.Json", "13.0.1-beta1", false),
            own("TJ-Actions/Changed-Files", "v44.0.0", false),
            own("newtonsoft.json", "11.0.2", false),
            own(
                "tj-actions/changed-files",
                "ed68ef82c095e0d48ec87eccea555d944a631a4c",
                true
            ),
            own("tj-actions/changed-files", "v45", true),
            own("tj-actions/changed-files", "v45.0.7", false),
        ]
    );
    assert_eq!(
        the(&r, "tj-actions/changed-files", "CVE-2025-30066").fixed,
        ["46.0.1"]
    );
}

#[test]
fn crates_by_semver() {
    let (_tmp, db) = database(&[osv(
        "RUSTSEC-2021-0003",
        &["CVE-2021-25900"],
        json!([entry(
            "crates.io",
            "smallvec",
            "SEMVER",
            json!([
            {"introduced": "0.6.3"}, {"fixed": "0.6.14"},
            {"introduced": "1.0.0"}, {"fixed": "1.6.1"}])
        )]),
        json!({}),
    )]);
    let krate = |version: &str| {
        package(
            PackageType::Cargo,
            "smallvec",
            version,
            &format!("pkg:cargo/smallvec@{version}"),
        )
    };
    let r = scan(
        &db,
        None,
        vec![
            krate("1.6.0"),
            krate("1.6.1"),
            krate("0.6.13"),
            krate("0.6.2"),
        ],
    );
    let mut versions: Vec<&str> = r
        .findings
        .iter()
        .map(|f| f.package.version.as_str())
        .collect();
    versions.sort();
    assert_eq!(versions, ["0.6.13", "1.6.0"]);
    let f = r
        .findings
        .iter()
        .find(|f| f.package.version == "0.6.13")
        .unwrap();
    // Both fixes are newer than 0.6.13; the lowest first.
    assert_eq!(f.fixed, ["0.6.14", "1.6.1"]);
}

// ---------------------------------------------------------------- records and results

#[test]
fn withdrawn_records_are_not_reported() {
    let mut withdrawn = osv(
        "GHSA-wwww-wwww-wwww",
        &["CVE-2024-0005"],
        json!([fixed_in("PyPI", "requests", "9.0")]),
        json!({}),
    );
    withdrawn["withdrawn"] = json!("2024-06-01T00:00:00Z");
    let (_tmp, db) = database(&[withdrawn]);
    let r = scan(
        &db,
        None,
        vec![package(
            PackageType::Pypi,
            "requests",
            "2.19.1",
            "pkg:pypi/requests@2.19.1",
        )],
    );
    assert!(r.findings.is_empty(), "{:?}", hits(&r));
    assert_eq!(r.packages_matched, 1);
}

#[test]
fn unparsable_versions_are_reported_as_unknown_with_their_fixes() {
    let (_tmp, db) = database(&[
        osv(
            "GHSA-uuuu-uuuu-uuuu",
            &["CVE-2024-0006"],
            json!([entry(
                "npm",
                "left-pad",
                "SEMVER",
                json!([{"introduced": "0"}, {"fixed": "1.3.0"}])
            )]),
            json!({"database_specific": {"severity": "HIGH"}}),
        ),
        osv(
            "GHSA-vvvv-vvvv-vvvv",
            &["CVE-2024-0007"],
            json!([entry(
                "npm",
                "right-pad",
                "SEMVER",
                json!([{"introduced": "0"}])
            )]),
            json!({"database_specific": {"severity": "HIGH"}}),
        ),
    ]);
    let npm = |name: &str, version: &str| package(PackageType::Npm, name, version, "");
    let r = scan(
        &db,
        None,
        vec![npm("left-pad", "latest"), npm("right-pad", "1.x")],
    );
    assert_eq!(r.findings.len(), 2, "{:?}", hits(&r));
    for f in &r.findings {
        assert!(
            matches!(&f.status, MatchStatus::Unknown(why) if why.contains(&f.package.version)),
            "{f:?}"
        );
    }
    // The record's fix is still named, so --ignore-unfixed keeps the finding.
    assert_eq!(the(&r, "left-pad", "CVE-2024-0006").fixed, ["1.3.0"]);
    assert!(the(&r, "right-pad", "CVE-2024-0007").fixed.is_empty());
    assert_eq!(r.counted(true).count(), 1);
    assert!(r.fails(VulnSeverity::High, true));
}

#[test]
fn severity_prefers_the_newest_cvss_for_language_packages() {
    let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N";
    let v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    let (_tmp, db) = database(&[
        osv(
            "GHSA-1111-1111-1111",
            &["CVE-2024-0008"],
            json!([fixed_in("PyPI", "a", "2.0")]),
            json!({"severity": [{"type": "CVSS_V3", "score": v3}, {"type": "CVSS_V4", "score": v4}],
                   "database_specific": {"severity": "CRITICAL"}}),
        ),
        osv(
            "GHSA-2222-2222-2222",
            &["CVE-2024-0009"],
            json!([fixed_in("PyPI", "b", "2.0")]),
            json!({"database_specific": {"severity": "MODERATE"}}),
        ),
        osv(
            "PYSEC-2024-3",
            &["CVE-2024-0010"],
            json!([fixed_in("PyPI", "c", "2.0")]),
            json!({}),
        ),
    ]);
    let py = |name: &str| package(PackageType::Pypi, name, "1.0", "");
    let r = scan(&db, None, vec![py("a"), py("b"), py("c")]);
    let a = the(&r, "a", "CVE-2024-0008");
    // CVSS v4.0 outranks v3.1 (9.8) and the word (CRITICAL): this vector
    // scores 6.9, Medium (checked with Red Hat's Python `cvss` CVSS4).
    assert_eq!(a.rating.source, v4);
    assert_eq!(a.rating.severity, VulnSeverity::Medium);
    assert_eq!(
        the(&r, "b", "CVE-2024-0009").rating.severity,
        VulnSeverity::Medium
    );
    assert_eq!(
        the(&r, "c", "CVE-2024-0010").rating.severity,
        VulnSeverity::Unknown
    );
    // Findings are sorted most severe first.
    let order: Vec<&str> = r.findings.iter().map(|f| f.package.name.as_str()).collect();
    assert_eq!(order, ["a", "b", "c"]);
}

#[test]
fn ignores_with_expiry_and_vex_suppress_but_keep_findings() {
    let (_tmp, db) = database(&debian_records());
    let libc = || {
        let mut p = built_from(PackageType::Deb, "libc6", "2.36-9+deb12u2", "glibc", None);
        p.purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u2?arch=amd64&distro=debian-12".into();
        p
    };
    let rule = |id: &str, expires: &str| IgnoreRule {
        id: id.into(),
        package: Some("libc6".into()),
        reason: "no setuid binaries".into(),
        expires: Some(expires.into()),
        ..IgnoreRule::default()
    };
    // An ignore by the DSA id covers the merged finding (any alias).
    let policy = Policy::new(vec![rule("DSA-5514-1", "2027-01-01")], TODAY).unwrap();
    let r = scan_with(&db, distro("debian", "12"), vec![libc()], &policy);
    assert_eq!(r.findings.len(), 1);
    let s = r.findings[0].suppressed.as_ref().expect("suppressed");
    assert_eq!(s.by, "ignore");
    assert!(s.reason.contains("until 2027-01-01"), "{}", s.reason);
    assert_eq!(r.counted(false).count(), 0);
    assert!(!r.fails(VulnSeverity::Low, false));

    // Expired yesterday: the finding counts again and a note says why.
    let policy = Policy::new(vec![rule("CVE-2023-4911", "2026-11-22")], TODAY).unwrap();
    assert_eq!(policy.notes.len(), 1);
    let r = scan_with(&db, distro("debian", "12"), vec![libc()], &policy);
    assert!(r.findings[0].suppressed.is_none());
    assert!(r.fails(VulnSeverity::High, false));

    // VEX: not_affected for the image's libc6 subcomponent.
    let mut policy = Policy::new(vec![], TODAY).unwrap();
    policy
        .add_vex(
            "app.vex.json",
            br#"{"statements":[{"vulnerability":{"name":"CVE-2023-4911"},
                 "products":[{"@id":"pkg:oci/app@sha256%3Afeed","subcomponents":[{"@id":"pkg:deb/debian/libc6"}]}],
                 "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
        )
        .unwrap();
    let r = scan_with(&db, distro("debian", "12"), vec![libc()], &policy);
    let s = r.findings[0].suppressed.as_ref().expect("vex");
    assert_eq!(s.by, "vex");
    assert!(
        s.reason.contains("not_affected in app.vex.json"),
        "{}",
        s.reason
    );
    assert_eq!(r.counted(false).count(), 0);
}

#[test]
fn ignore_unfixed_drops_only_findings_without_a_fix() {
    let (_tmp, db) = database(&[
        osv(
            "DEBIAN-CVE-2024-0011",
            &[],
            json!([{
                "package": {"ecosystem": "Debian:12", "name": "zlib"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                "ecosystem_specific": {"urgency": "high"}
            }]),
            json!({"upstream": ["CVE-2024-0011"]}),
        ),
        osv(
            "DEBIAN-CVE-2024-0012",
            &[],
            json!([{
                "package": {"ecosystem": "Debian:12", "name": "zlib"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.2.13.dfsg-1+deb12u1"}]}],
                "ecosystem_specific": {"urgency": "low"}
            }]),
            json!({"upstream": ["CVE-2024-0012"]}),
        ),
    ]);
    let zlib = built_from(PackageType::Deb, "zlib1g", "1:1.2.13.dfsg-1", "zlib", None);
    let r = scan(&db, distro("debian", "12"), vec![zlib]);
    assert_eq!(
        hits(&r),
        pairs(&[("zlib1g", "CVE-2024-0011"), ("zlib1g", "CVE-2024-0012")])
    );
    assert!(the(&r, "zlib1g", "CVE-2024-0011").fixed.is_empty());
    // The unfixed one is high, the fixed one low.
    assert!(r.fails(VulnSeverity::High, false));
    assert!(!r.fails(VulnSeverity::High, true));
    assert!(r.fails(VulnSeverity::Low, true));
    assert_eq!(r.counted(true).count(), 1);
}

#[test]
fn root_io_packages_use_roots_feed_which_outweighs_upstream() {
    // Root.io rebuilds packages with its own fixes; its feed names them with
    // a `rootio-` prefix under `Root:<Distro>:<release>`.
    let (_tmp, db) = database(&[
        osv(
            "ROOT-OS-DEBIAN-12-CVE-2025-48060",
            &["CVE-2025-48060"],
            json!([fixed_in("Root:Debian:12", "rootio-jq", "1.6-2.1.root.io.2")]),
            json!({"upstream": ["CVE-2025-48060"]}),
        ),
        osv(
            "DEBIAN-CVE-2025-48060",
            &[],
            json!([entry(
                "Debian:12",
                "jq",
                "ECOSYSTEM",
                json!([{"introduced": "0"}])
            )]),
            json!({"upstream": ["CVE-2025-48060"]}),
        ),
        osv(
            "DEBIAN-CVE-2024-0013",
            &[],
            json!([entry(
                "Debian:12",
                "jq",
                "ECOSYSTEM",
                json!([{"introduced": "0"}])
            )]),
            json!({"upstream": ["CVE-2024-0013"]}),
        ),
        osv(
            "ROOT-APP-PYPI-CVE-2025-30473",
            &["CVE-2025-30473"],
            json!([fixed_in("Root:PyPI", "rootio_requests", "2.31.0+root.io.1")]),
            json!({}),
        ),
    ]);
    let jq = |version: &str| built_from(PackageType::Deb, "rootio-jq", version, "rootio-jq", None);
    // Root's build at its fix: Root clears CVE-2025-48060 (which Debian
    // leaves unfixed); the CVE Root has no record of still shows.
    let r = scan(&db, distro("debian", "12"), vec![jq("1.6-2.1.root.io.2")]);
    assert_eq!(hits(&r), pairs(&[("rootio-jq", "CVE-2024-0013")]));
    // An older Root build: affected by Root's own record, fix named; the two
    // records of CVE-2025-48060 are one finding.
    let r = scan(&db, distro("debian", "12"), vec![jq("1.6-2.1.root.io.1")]);
    assert_eq!(
        hits(&r),
        pairs(&[
            ("rootio-jq", "CVE-2024-0013"),
            ("rootio-jq", "CVE-2025-48060")
        ])
    );
    let f = the(&r, "rootio-jq", "CVE-2025-48060");
    assert_eq!(
        f.advisories,
        ["DEBIAN-CVE-2025-48060", "ROOT-OS-DEBIAN-12-CVE-2025-48060"]
    );
    assert_eq!(f.fixed, ["1.6-2.1.root.io.2"]);
    // Plain Debian jq: Root's records are not about it.
    let plain = built_from(PackageType::Deb, "jq", "1.6-2.1+deb12u1", "jq", None);
    let r = scan(&db, distro("debian", "12"), vec![plain]);
    assert_eq!(
        hits(&r),
        pairs(&[("jq", "CVE-2024-0013"), ("jq", "CVE-2025-48060")])
    );
    assert!(
        r.findings
            .iter()
            .all(|f| f.advisories.iter().all(|a| a.starts_with("DEBIAN-")))
    );
    // PyPI: `rootio_requests` (PEP 503: rootio-requests), below Root's fix.
    let req = package(PackageType::Pypi, "rootio_requests", "2.31.0+root.io.0", "");
    let r = scan(&db, None, vec![req]);
    assert_eq!(hits(&r), pairs(&[("rootio_requests", "CVE-2025-30473")]));
}

/// Bitnami components against Bitnami's real OSV records (see
/// tests/data/bitnami/PROVENANCE.md), at the versions of the real Bitnami SPDX
/// documents: Bitnami's package revision (`-8`) is not a SemVer pre-release.
#[test]
fn bitnami_components_by_upstream_version() {
    let read = |name: &str| -> Value {
        let path = format!("{}/tests/data/bitnami/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    let (_tmp, db) = database(&[
        read("BIT-redis-2024-31449.json"),
        read("BIT-postgresql-2025-1094.json"),
    ]);
    let bitnami = |name: &str, version: &str| {
        package(
            PackageType::Bitnami,
            name,
            version,
            &format!("pkg:bitnami/{name}@{version}"),
        )
    };
    let r = scan(
        &db,
        None,
        vec![
            bitnami("postgresql", "17.2.0-8"),
            bitnami("redis", "7.4.0-0"),
            // Fixed releases, with and without a revision.
            bitnami("postgresql", "17.3.0-0"),
            bitnami("redis", "7.4.1"),
            // Between two ranges: 7.2.8 fixed, 7.3.0 not yet introduced.
            bitnami("redis", "7.2.9-1"),
        ],
    );
    let mut found: Vec<(String, String, String)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.package.name.clone(),
                f.package.version.clone(),
                f.id.clone(),
            )
        })
        .collect();
    found.sort();
    let own = |n: &str, v: &str, id: &str| (n.to_string(), v.to_string(), id.to_string());
    assert_eq!(
        found,
        [
            own("postgresql", "17.2.0-8", "CVE-2025-1094"),
            own("redis", "7.4.0-0", "CVE-2024-31449"),
        ]
    );
    assert_eq!(the(&r, "postgresql", "CVE-2025-1094").fixed, ["17.3.0"]);
    assert_eq!(the(&r, "redis", "CVE-2024-31449").fixed, ["7.4.1"]);
}
