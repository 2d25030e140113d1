//! The OS ecosystems of issue 18 (Red Hat, SUSE, openSUSE, Ubuntu Pro,
//! Photon OS, Mageia, openEuler, Azure Linux): the records of tests/data/os-ecosystems
//! imported as a scan imports them, matched against inventories of each
//! distribution's packages as an image's os-release names them.
//!
//! Which records are real (Ubuntu's, trimmed; Photon OS's) and which are
//! shaped after OSV's schema documentation because no real one could be
//! found here (Red Hat, SUSE, openSUSE, Mageia, openEuler) is in
//! tests/data/os-ecosystems/PROVENANCE.md, with where each installed
//! version comes from. Every version pair a finding below is decided on is
//! in `order.tsv`, ordered by the distribution's own tool
//! (`rpm.labelCompare`, `dpkg --compare-versions`), and
//! [`every_deciding_pair_is_ordered_as_the_distributions_tools_order_it`]
//! checks plimsoll orders each the same way.
//!
//! Self-contained: no ../shared, no network. The same records against real
//! package databases of ../shared are in matching_real.rs.

mod common;

use common::hit;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plimsoll_sbom::{Distro, Inventory, Package, PackageType};
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnFinding, VulnReport, find};
use plimsoll_vuln::policy::{IgnoreRule, Policy};
use plimsoll_vuln::version::{Ecosystem, compare};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/os-ecosystems")
}

fn database() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| common::records_database("os-ecosystems/records", 12));
    Database::open(path).unwrap()
}

fn os(id: &str, version_id: &str, pretty: &str) -> Distro {
    Distro {
        id: Some(id.into()),
        version_id: Some(version_id.into()),
        pretty_name: (!pretty.is_empty()).then(|| pretty.into()),
        ..Default::default()
    }
}

/// A binary package built from `source` at `source_version`, as the rpm and
/// dpkg catalogers report it.
fn pkg(t: PackageType, name: &str, version: &str, source: &str, source_version: &str) -> Package {
    let mut p = Package::new(t, name, version, "", "by hand", 0);
    p.source_name = Some(source.into());
    p.source_version = Some(source_version.into());
    p
}

fn rpm(name: &str, version: &str, source: &str, source_version: &str) -> Package {
    pkg(PackageType::Rpm, name, version, source, source_version)
}

fn scan_with(distro: Distro, packages: Vec<Package>, policy: &Policy) -> VulnReport {
    let inventory = Inventory {
        distro: Some(distro),
        packages,
        warnings: Default::default(),
    };
    find(&inventory, &database(), policy, &[]).unwrap()
}

fn scan(distro: Distro, packages: Vec<Package>) -> VulnReport {
    scan_with(distro, packages, &Policy::default())
}

/// (package, finding id, fixed versions) of every finding, sorted.
fn hits(r: &VulnReport) -> Vec<(String, String, Vec<String>)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.package.name.clone(), f.id.clone(), f.fixed.clone()))
        .collect();
    v.sort();
    v
}

fn the<'a>(r: &'a VulnReport, package: &str) -> &'a VulnFinding {
    r.findings
        .iter()
        .find(|f| f.package.name == package)
        .unwrap_or_else(|| panic!("no finding for {package}: {:?}", hits(r)))
}

#[test]
fn every_deciding_pair_is_ordered_as_the_distributions_tools_order_it() {
    let text = std::fs::read_to_string(data().join("order.tsv")).unwrap();
    let mut rows = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let (eco, want) = match (f[0], f[3]) {
            ("rpm", r) => (Ecosystem::RedHat, r),
            ("dpkg", r) => (Ecosystem::Ubuntu, r),
            other => panic!("bad row {other:?}"),
        };
        let want = match want {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            r => panic!("bad result {r}"),
        };
        assert_eq!(compare(eco, f[1], f[2]).unwrap(), want, "{line}");
        assert_eq!(compare(eco, f[2], f[1]).unwrap(), want.reverse(), "{line}");
        rows += 1;
    }
    assert_eq!(rows, 26);
}

#[test]
fn red_hat_images_take_every_stream_of_their_major_not_eus() {
    // RHEL 8 UBI: dbus-tools at a real RHEL 8 build, with its epoch;
    // libsmartcols without one (the record writes `0:`).
    let packages = || {
        vec![
            rpm(
                "dbus-tools",
                "1:1.12.8-12.el8_4.2",
                "dbus",
                "1.12.8-12.el8_4.2",
            ),
            rpm(
                "libsmartcols",
                "2.32.1-27.el8",
                "util-linux",
                "2.32.1-27.el8",
            ),
            // Fixed: not reported.
            rpm("p11-kit-trust", "0.23.22-1.el8", "p11-kit", "0.23.22-1.el8"),
        ]
    };
    for distro in [
        os("rhel", "8.4", "Red Hat Enterprise Linux 8.4 (Ootpa)"),
        os("centos", "8", "CentOS Linux 8"),
    ] {
        let r = scan(distro, packages());
        // baseos and appstream both list dbus-tools: one finding, the
        // mainline fix (the EUS stream's lower fix is not this image's).
        assert_eq!(
            hits(&r),
            [
                hit("dbus-tools", "SHAPE-REDHAT-0001", &["1:1.12.8-14.el8"]),
                hit("libsmartcols", "SHAPE-REDHAT-0001", &["0:2.32.1-28.el8"]),
            ]
        );
        assert_eq!((r.packages_matched, r.not_matched.len()), (3, 0));
    }
    let r = scan(
        os("rhel", "8.6", ""),
        vec![
            rpm("dbus-tools", "1:1.12.8-14.el8", "dbus", "1.12.8-14.el8"),
            rpm(
                "libsmartcols",
                "2.32.1-28.el8",
                "util-linux",
                "2.32.1-28.el8",
            ),
        ],
    );
    assert_eq!(hits(&r), []);
    // An image whose content manifests name RHEL 8.4's EUS repositories:
    // its stream's own fix (order.tsv: …el8_4.2 < …el8_4.3), not mainline's;
    // libsmartcols has no EUS entry in the record.
    let eus = Distro {
        content_sets: vec![
            "rhel-8-for-x86_64-baseos-eus-rpms__8_DOT_4".into(),
            "rhel-8-for-x86_64-appstream-eus-rpms__8_DOT_4".into(),
        ],
        ..os("rhel", "8.4", "Red Hat Enterprise Linux 8.4 (Ootpa)")
    };
    assert_eq!(
        hits(&scan(eus, packages())),
        [hit(
            "dbus-tools",
            "SHAPE-REDHAT-0001",
            &["1:1.12.8-12.el8_4.3"]
        )]
    );
    // Content sets naming mainline baseos only.
    let baseos = Distro {
        content_sets: vec!["rhel-8-for-x86_64-baseos-rpms".into()],
        ..os("rhel", "8.4", "")
    };
    assert_eq!(hits(&scan(baseos, packages())).len(), 2);
    // RHEL 9's entry is not RHEL 8's.
    let r = scan(
        os("rhel", "9.4", ""),
        vec![rpm(
            "dbus-tools",
            "1:1.12.8-12.el8_4.2",
            "dbus",
            "1.12.8-12.el8_4.2",
        )],
    );
    assert_eq!(
        hits(&r),
        [hit("dbus-tools", "SHAPE-REDHAT-0001", &["1:1.12.20-8.el9"])]
    );
}

#[test]
fn suse_images_take_their_product_and_modules_by_source_package() {
    // The binaries of a real openSUSE Leap 15.5 image (osv-scanner's
    // recorded scan, see PROVENANCE.md); SLES 15 SP5 builds the same.
    let openssl = || {
        rpm(
            "libopenssl1_1",
            "1.1.1l-150500.17.34.1",
            "openssl-1_1",
            "1.1.1l-150500.17.34.1",
        )
    };
    let curl = || {
        rpm(
            "libcurl4",
            "8.0.1-150400.5.50.1",
            "curl",
            "8.0.1-150400.5.50.1",
        )
    };
    let sles = os("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5");
    let r = scan(sles, vec![openssl(), curl()]);
    // Basesystem's fix; not LTSS's (a subscription the image does not say
    // it has), not SP4's; curl's record is openSUSE's.
    assert_eq!(
        hits(&r),
        [hit(
            "libopenssl1_1",
            "SHAPE-SUSE-0001",
            &["1.1.1l-150500.17.37.1"]
        )]
    );
    assert_eq!(the(&r, "libopenssl1_1").status, MatchStatus::Affected);

    let leap = os("opensuse-leap", "15.5", "openSUSE Leap 15.5");
    let r = scan(leap.clone(), vec![openssl(), curl()]);
    assert_eq!(
        hits(&r),
        [hit(
            "libcurl4",
            "SHAPE-OPENSUSE-0001",
            &["8.0.1-150400.5.52.1"]
        )]
    );
    let fixed = rpm(
        "libcurl4",
        "8.0.1-150400.5.52.1",
        "curl",
        "8.0.1-150400.5.52.1",
    );
    assert_eq!(hits(&scan(leap, vec![fixed])), []);
    // Matched by source package only: a binary named like another source
    // is not taken for it.
    let r = scan(
        os("opensuse-leap", "15.5", "openSUSE Leap 15.5"),
        vec![rpm(
            "curl",
            "8.0.1-150400.5.50.1",
            "curl-other",
            "8.0.1-150400.5.50.1",
        )],
    );
    assert_eq!(hits(&r), []);
    let tw = os("opensuse-tumbleweed", "20241201", "openSUSE Tumbleweed");
    let r = scan(
        tw,
        vec![rpm("libcurl4", "8.11.0-1.1", "curl", "8.11.0-1.1")],
    );
    assert_eq!(
        hits(&r),
        [hit("libcurl4", "SHAPE-OPENSUSE-0001", &["8.11.1-1.1"])]
    );
}

#[test]
fn photon_errata_and_their_related_cves() {
    let photon = || os("photon", "5.0", "VMware Photon OS/Linux");
    // curl-libs 8.7.1-4.ph5 and expat-libs 2.6.0-6.ph5: Photon 5.0 builds
    // (the fixes of PHSA-2024-5.0-0392 and PHSA-2024-5.0-0229).
    let packages = || {
        vec![
            rpm("curl-libs", "8.7.1-4.ph5", "curl", "8.7.1-4.ph5"),
            rpm("expat-libs", "2.6.0-6.ph5", "expat", "2.6.0-6.ph5"),
        ]
    };
    let r = scan(photon(), packages());
    assert_eq!(
        hits(&r),
        [
            hit("curl-libs", "PHSA-2025-5.0-0479", &["8.12.0-1.ph5"]),
            hit("expat-libs", "PHSA-2025-5.0-0502", &["2.7.1-1.ph5"]),
        ]
    );
    // The erratum's `related` CVEs are the finding's ids too.
    assert_eq!(
        the(&r, "curl-libs").aliases,
        [
            "CVE-2024-11053",
            "CVE-2024-8096",
            "CVE-2025-0167",
            "PHSA-2025-5.0-0479"
        ]
    );
    let ignore = IgnoreRule {
        id: "CVE-2024-8176".into(),
        reason: "expat is not fed untrusted XML here".into(),
        ..IgnoreRule::default()
    };
    let policy = Policy::new(vec![ignore], plimsoll_vuln::policy::Date::today()).unwrap();
    let r = scan_with(photon(), packages(), &policy);
    assert_eq!(
        the(&r, "expat-libs").suppressed.as_ref().map(|s| s.by),
        Some("ignore")
    );
    assert!(the(&r, "curl-libs").suppressed.is_none());
    // Fixed builds; and Photon 4.0 is another release.
    let r = scan(
        photon(),
        vec![rpm("curl-libs", "8.12.0-1.ph5", "curl", "8.12.0-1.ph5")],
    );
    assert_eq!(hits(&r), []);
    let r = scan(
        os("photon", "4.0", ""),
        vec![rpm("curl-libs", "8.7.1-4.ph5", "curl", "8.7.1-4.ph5")],
    );
    assert_eq!((hits(&r), r.packages_matched), (vec![], 1));
}

#[test]
fn mageia_and_open_euler_releases() {
    let r = scan(
        os("mageia", "9", "Mageia 9"),
        vec![
            rpm("lib64expat1", "2.5.0-1.mga9", "expat", "2.5.0-1.mga9"),
            rpm("expat", "2.6.3-1.mga9", "expat", "2.6.3-1.mga9"),
        ],
    );
    assert_eq!(
        hits(&r),
        [hit("lib64expat1", "SHAPE-MAGEIA-0001", &["2.6.3-1.mga9"])]
    );
    // openEuler names its stream in VERSION only; the binary's epoch goes
    // with the source rpm's version-release, and the record writes epochs.
    let euler = Distro {
        version: Some("22.03 (LTS-SP3)".into()),
        ..os("openEuler", "22.03", "openEuler 22.03 (LTS-SP3)")
    };
    let r = scan(
        euler.clone(),
        vec![rpm(
            "openssl-libs",
            "1:1.1.1m-38.oe2203sp3",
            "openssl",
            "1.1.1m-38.oe2203sp3",
        )],
    );
    assert_eq!(
        hits(&r),
        [hit(
            "openssl-libs",
            "SHAPE-OPENEULER-0001",
            &["1:1.1.1m-40.oe2203sp3"]
        )]
    );
    let r = scan(
        euler,
        vec![rpm(
            "openssl-libs",
            "1:1.1.1m-40.oe2203sp3",
            "openssl",
            "1.1.1m-40.oe2203sp3",
        )],
    );
    assert_eq!(hits(&r), []);
}

#[test]
fn azure_linux_by_source_package_and_release() {
    // Azure Linux 3.0 builds: openssh 9.7p1-1.azl3 (the fix of AZL-35081)
    // and openssl 3.3.0-1.azl3 (the fix of AZL-35085), binary packages of
    // those sources; the records write fixes without `.azl3`.
    let azl = || os("azurelinux", "3.0", "Microsoft Azure Linux 3.0");
    let packages = || {
        vec![
            rpm("openssh-server", "9.7p1-1.azl3", "openssh", "9.7p1-1.azl3"),
            rpm("openssl-libs", "3.3.0-1.azl3", "openssl", "3.3.0-1.azl3"),
        ]
    };
    let r = scan(azl(), packages());
    assert_eq!(
        hits(&r),
        [
            hit("openssh-server", "CVE-2024-6387", &["9.8p1-1"]),
            hit("openssl-libs", "CVE-2024-5535", &["3.3.0-2"]),
        ]
    );
    // A record of one CVE is reported by the CVE; its AZL id is kept.
    assert!(
        the(&r, "openssh-server")
            .aliases
            .contains(&"AZL-43024".to_string()),
        "{:?}",
        the(&r, "openssh-server").aliases
    );
    // The fixed builds: nothing; CBL-Mariner 2.0 is another release.
    let r = scan(
        azl(),
        vec![
            rpm("openssh-server", "9.8p1-1.azl3", "openssh", "9.8p1-1.azl3"),
            rpm("openssl-libs", "3.3.0-2.azl3", "openssl", "3.3.0-2.azl3"),
        ],
    );
    assert_eq!(hits(&r), []);
    let r = scan(os("mariner", "2.0", "CBL-Mariner/Linux"), packages());
    assert_eq!((hits(&r), r.packages_matched), (vec![], 2));
}

#[test]
fn ubuntu_pro_records_only_for_images_with_pro_packages() {
    let xenial = || os("ubuntu", "16.04", "Ubuntu 16.04.7 LTS");
    let ssl = |v: &str| pkg(PackageType::Deb, "libssl1.0.0", v, "openssl", v);
    let esm_zlib = pkg(
        PackageType::Deb,
        "zlib1g",
        "1:1.2.8.dfsg-2ubuntu4.3+esm1",
        "zlib",
        "1:1.2.8.dfsg-2ubuntu4.3+esm1",
    );
    // A Pro image (an ESM build installed): Ubuntu:Pro:16.04:LTS applies.
    let r = scan(xenial(), vec![ssl("1.0.2g-1ubuntu4.20+esm5")]);
    assert_eq!(
        hits(&r),
        [hit(
            "libssl1.0.0",
            "CVE-2023-0286",
            &["1.0.2g-1ubuntu4.20+esm6"]
        )]
    );
    // openssl itself not yet updated from ESM, another package is.
    let r = scan(xenial(), vec![ssl("1.0.2g-1ubuntu4.20"), esm_zlib.clone()]);
    assert_eq!(
        hits(&r),
        [hit(
            "libssl1.0.0",
            "CVE-2023-0286",
            &["1.0.2g-1ubuntu4.20+esm6"]
        )]
    );
    let r = scan(xenial(), vec![ssl("1.0.2g-1ubuntu4.20+esm6"), esm_zlib]);
    assert_eq!(hits(&r), []);
    // Without ESM packages the image takes the release's own fixes only,
    // and this record has none for 16.04 (standard support ended first).
    let r = scan(xenial(), vec![ssl("1.0.2g-1ubuntu4.20")]);
    assert_eq!((hits(&r), r.packages_matched), (vec![], 1));
    // 18.04's own record entry.
    let bionic = os("ubuntu", "18.04", "Ubuntu 18.04.6 LTS");
    let r = scan(
        bionic,
        vec![pkg(
            PackageType::Deb,
            "libssl1.1",
            "1.1.1-1ubuntu2.1~18.04.5",
            "openssl",
            "1.1.1-1ubuntu2.1~18.04.5",
        )],
    );
    assert_eq!(
        hits(&r),
        [hit(
            "libssl1.1",
            "CVE-2023-0286",
            &["1.1.1-1ubuntu2.1~18.04.21"]
        )]
    );
}
