//! Severities a gate can use: a finding whose matched records carry no
//! severity takes one from the other records of its vulnerability (GHSA, NVD),
//! says where it came from, and shows the CVE's KEV entry and EPSS score; the
//! gate counts unknowns as configured and can fail on KEV or EPSS.
//!
//! The NVD, GHSA, KEV and EPSS data are the real records committed in
//! `tests/data/severity` (provenance in its README). The OSV records that
//! match are written here with the ids, aliases and ranges of the real ones
//! the big reference image matches (GO-2025-3849, PYSEC-2019-132), without a
//! severity, as those carry none.

use std::path::{Path, PathBuf};

use plimsoll_sbom::{Inventory, Package, PackageType};
use plimsoll_testkit::osv::{affected as entry, fixed_in, record as osv};
use plimsoll_vuln::db::{self, Database};
use plimsoll_vuln::findings::{Gate, GateReason, VulnFinding, VulnReport, find};
use plimsoll_vuln::import::import;
use plimsoll_vuln::matcher::VulnSeverity;
use plimsoll_vuln::policy::Policy;
use serde_json::{Value, json};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/severity")
        .join(rel)
}

/// A database of `records` (OSV, written to a directory) and `files` (any
/// kind, imported as given).
fn database(records: &[Value], files: &[PathBuf]) -> (tempfile::TempDir, Database) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("osv");
    std::fs::create_dir(&dir).unwrap();
    for r in records {
        let id = r["id"].as_str().unwrap();
        std::fs::write(dir.join(format!("{id}.json")), r.to_string()).unwrap();
    }
    let mut paths = vec![dir];
    paths.extend(files.iter().cloned());
    let imported = import(&paths).unwrap();
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

fn scan(db: &Database, packages: Vec<Package>) -> VulnReport {
    let inventory = Inventory {
        distro: None,
        packages,
        warnings: Default::default(),
    };
    find(&inventory, db, &Policy::default(), &["sha256:feed".into()]).unwrap()
}

fn go(name: &str, version: &str) -> Package {
    let purl = format!("pkg:golang/{name}@{version}");
    Package::new(PackageType::Golang, name, version, &purl, "usr/bin/dive", 3)
}

fn pypi(name: &str, version: &str) -> Package {
    let purl = format!("pkg:pypi/{name}@{version}");
    Package::new(PackageType::Pypi, name, version, &purl, "site-packages", 2)
}

fn the<'a>(r: &'a VulnReport, id: &str) -> &'a VulnFinding {
    r.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", r.findings))
}

/// GO-2025-3849 as the Go vulnerability database publishes it: no severity.
fn go_2025_3849() -> Value {
    osv(
        "GO-2025-3849",
        &["CVE-2025-47907"],
        json!([entry(
            "Go",
            "stdlib",
            "SEMVER",
            json!([{"introduced": "0"}, {"fixed": "1.23.12"},
                   {"introduced": "1.24.0-0"}, {"fixed": "1.24.6"}])
        )]),
        json!({}),
    )
}

/// PYSEC-2019-132 as PyPA publishes it: no severity.
fn pysec_2019_132() -> Value {
    osv(
        "PYSEC-2019-132",
        &["CVE-2019-11236", "GHSA-r64q-w8jr-g9qp"],
        json!([fixed_in("PyPI", "urllib3", "1.24.3")]),
        json!({}),
    )
}

#[test]
fn without_the_nvd_record_a_go_finding_is_unknown() {
    let (_t, db) = database(&[go_2025_3849()], &[]);
    let r = scan(&db, vec![go("stdlib", "go1.24.1")]);
    let f = the(&r, "CVE-2025-47907");
    assert_eq!(f.rating.severity, VulnSeverity::Unknown);
    assert_eq!(f.rating.origin, None);
    assert!(!r.fails(VulnSeverity::High, false));
}

#[test]
fn the_nvd_record_of_the_cve_rates_a_go_finding_and_says_so() {
    let (_t, db) = database(
        &[go_2025_3849()],
        &[
            data("nvd/CVE-2025-47907.json"),
            data("epss/epss_scores-2025-08-15.csv"),
        ],
    );
    let meta = db.meta();
    assert_eq!((meta.nvd_records, meta.epss_scores), (1, 3));
    let r = scan(&db, vec![go("stdlib", "go1.24.1")]);
    let f = the(&r, "CVE-2025-47907");
    // CISA-ADP's vector in NVD: CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:L, 7.0.
    assert_eq!(f.rating.severity, VulnSeverity::High);
    assert_eq!(f.rating.score, Some(7.0));
    assert_eq!(
        f.rating.source,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:L"
    );
    let o = f.rating.origin.as_ref().unwrap();
    assert_eq!(
        (o.record.as_str(), o.record_kind, o.field.as_str(), o.via),
        ("CVE-2025-47907", "nvd", "CVSS_V3", "alias")
    );
    // The matched record is still the Go one.
    assert_eq!(f.advisories, ["GO-2025-3849"]);
    let e = f.epss.as_ref().unwrap();
    assert_eq!((e.score, e.percentile), (0.00054, 0.16721));
    assert_eq!(
        (e.date.as_str(), e.model.as_str()),
        ("2025-08-15", "v2025.03.14")
    );
    assert!(f.kev.is_none());
    assert!(r.fails(VulnSeverity::High, false));
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json["severity_origin"]["record"], "CVE-2025-47907");
    assert_eq!(json["epss"]["score"], 0.00054);
}

#[test]
fn an_nvd_feed_wraps_the_same_records() {
    let tmp = tempfile::tempdir().unwrap();
    let cve: Value =
        serde_json::from_slice(&std::fs::read(data("nvd/CVE-2025-47907.json")).unwrap()).unwrap();
    let feed = tmp.path().join("nvdcve-2.0-2025.json");
    std::fs::write(
        &feed,
        json!({"resultsPerPage": 1, "startIndex": 0, "totalResults": 1,
               "format": "NVD_CVE", "version": "2.0", "timestamp": "2025-11-05T00:00:00.000",
               "vulnerabilities": [{"cve": cve}]})
        .to_string(),
    )
    .unwrap();
    // And gzip-compressed, as NVD serves its feeds.
    let gz = tmp.path().join("nvdcve-2.0-2025.json.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &std::fs::read(&feed).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    for file in [feed, gz] {
        let (_t, db) = database(&[go_2025_3849()], std::slice::from_ref(&file));
        let r = scan(&db, vec![go("stdlib", "go1.24.1")]);
        let f = the(&r, "CVE-2025-47907");
        assert_eq!(
            (f.rating.severity, f.rating.score),
            (VulnSeverity::High, Some(7.0)),
            "{}",
            file.display()
        );
    }
}

#[test]
fn the_ghsa_record_rates_a_pypi_finding() {
    let (_t, db) = database(
        &[pysec_2019_132()],
        &[
            data("ghsa/GHSA-r64q-w8jr-g9qp.json"),
            data("epss/epss_scores-2025-08-15.csv"),
        ],
    );
    let r = scan(&db, vec![pypi("urllib3", "1.24.1")]);
    let f = the(&r, "CVE-2019-11236");
    // CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N is 6.1; GitHub says MODERATE.
    assert_eq!(
        (f.rating.severity, f.rating.score),
        (VulnSeverity::Medium, Some(6.1))
    );
    let o = f.rating.origin.as_ref().unwrap();
    assert_eq!(
        (o.record.as_str(), o.record_kind, o.field.as_str()),
        ("GHSA-r64q-w8jr-g9qp", "osv", "CVSS_V3")
    );
    assert_eq!(f.epss.as_ref().unwrap().score, 0.00636);
}

#[test]
fn a_ghsa_record_of_another_ecosystem_rates_by_alias() {
    // The GHSA record names PyPI's `Jinja2`; the matched record here is a
    // Debian one of the same CVE without a severity word.
    let debian = osv(
        "DEBIAN-CVE-2019-10906",
        &[],
        json!([fixed_in("Debian:12", "jinja2", "2.10.1-1")]),
        json!({"upstream": ["CVE-2019-10906"]}),
    );
    let (_t, db) = database(&[debian], &[data("ghsa/GHSA-462w-v97r-4m45.json")]);
    let mut p = Package::new(
        PackageType::Deb,
        "python3-jinja2",
        "2.10-2",
        "",
        "var/lib/dpkg/status",
        1,
    );
    p.source_name = Some("jinja2".into());
    let inventory = Inventory {
        distro: Some(plimsoll_sbom::Distro {
            id: Some("debian".into()),
            version_id: Some("12".into()),
            ..Default::default()
        }),
        packages: vec![p],
        warnings: Default::default(),
    };
    let r = find(&inventory, &db, &Policy::default(), &[]).unwrap();
    let f = the(&r, "CVE-2019-10906");
    // GHSA-462w-v97r-4m45: CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N, 8.6.
    assert_eq!(
        (f.rating.severity, f.rating.score),
        (VulnSeverity::High, Some(8.6))
    );
    let o = f.rating.origin.as_ref().unwrap();
    assert_eq!((o.record.as_str(), o.via), ("GHSA-462w-v97r-4m45", "alias"));
}

#[test]
fn kev_entries_show_on_findings_and_can_fail_the_gate() {
    // CVE-2024-49035 is in the real KEV excerpt; the OSV record is made up
    // for the test, with a low severity.
    let record = osv(
        "GHSA-test-kev0-0001",
        &["CVE-2024-49035"],
        json!([fixed_in("npm", "left-pad", "2.0.0")]),
        json!({"database_specific": {"severity": "LOW"}}),
    );
    let (_t, db) = database(
        &[record],
        &[data("kev/known_exploited_vulnerabilities.json")],
    );
    assert_eq!(db.meta().kev_entries, 2);
    let pkg = Package::new(
        PackageType::Npm,
        "left-pad",
        "1.0.0",
        "pkg:npm/left-pad@1.0.0",
        "node_modules/left-pad",
        1,
    );
    let r = scan(&db, vec![pkg]);
    let f = the(&r, "CVE-2024-49035");
    let k = f.kev.as_ref().unwrap();
    assert_eq!(
        (
            k.date_added.as_str(),
            k.due_date.as_str(),
            k.catalog.as_str()
        ),
        ("2025-02-25", "2025-03-18", "2025.02.25")
    );
    assert_eq!(f.rating.severity, VulnSeverity::Low);
    let mut gate = Gate::new(VulnSeverity::High, false);
    assert!(!r.fails_gate(&gate));
    gate.fail_on_kev = true;
    assert_eq!(gate.fails(f), Some(GateReason::Kev));
    // The CVE record made from the KEV entry alone is a catalog record;
    // the other entry's CVE, which no OSV record names, is not kept.
    let cve = db.advisory_by_id("CVE-2024-49035").unwrap().unwrap();
    assert_eq!(cve.origin, plimsoll_vuln::osv::Origin::Catalog);
    assert!(db.advisory_by_id("CVE-2023-34192").unwrap().is_none());
    assert_eq!(db.len(), 2);
}

#[test]
fn unknown_as_and_epss_decide_how_a_finding_counts() {
    let (_t, db) = database(
        &[go_2025_3849()],
        &[data("epss/epss_scores-2025-08-15.csv")],
    );
    let r = scan(&db, vec![go("stdlib", "go1.24.1")]);
    let f = the(&r, "CVE-2025-47907");
    assert_eq!(f.rating.severity, VulnSeverity::Unknown);
    let mut gate = Gate::new(VulnSeverity::High, false);
    assert_eq!(gate.fails(f), None);
    gate.unknown_as = Some(VulnSeverity::Medium);
    assert_eq!(gate.fails(f), None, "medium is below high");
    gate.unknown_as = Some(VulnSeverity::High);
    assert_eq!(gate.fails(f), Some(GateReason::Severity));
    let mut gate = Gate::new(VulnSeverity::Critical, false);
    gate.fail_on_epss = Some(0.0005);
    assert_eq!(gate.fails(f), Some(GateReason::Epss), "0.00054 >= 0.0005");
    gate.fail_on_epss = Some(0.5);
    assert_eq!(gate.fails(f), None);
}

#[test]
fn a_bad_feed_is_malformed_with_its_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let epss = tmp.path().join("epss.csv");
    std::fs::write(
        &epss,
        "#model_version:v2025.03.14,score_date:2025-08-15T00:00:00+0000\ncve,epss,percentile\nCVE-2019-10906,0.01473,0.80137\nCVE-2019-11236,6.36,0.6952\n",
    )
    .unwrap();
    let kev = tmp.path().join("kev.json");
    std::fs::write(
        &kev,
        r#"{"catalogVersion":"x","vulnerabilities":[{"cveID":"CVE-2024"}]}"#,
    )
    .unwrap();
    let imported = import(&[&epss, &kev]).unwrap();
    let m = &imported.report.malformed;
    assert_eq!(m.len(), 2, "{m:?}");
    assert_eq!(m[0].file, epss.display().to_string());
    assert!(
        m[0].reason
            .contains("line 4: epss \"6.36\" is not a number from 0 to 1"),
        "{}",
        m[0].reason
    );
    assert_eq!(m[1].file, kev.display().to_string());
    assert!(
        m[1].reason.contains("\"CVE-2024\" is not a CVE id"),
        "{}",
        m[1].reason
    );
    assert_eq!(
        imported.report.epss_scores, 0,
        "nothing of a refused file is kept"
    );
}

#[test]
fn facts_merge_into_an_osv_record_of_the_same_cve() {
    // OSV publishes CVE records of its own (converted from NVD, git ranges):
    // the facts about that CVE go on that record, not on a second one.
    let cve = osv(
        "CVE-2019-11236",
        &[],
        json!([fixed_in("PyPI", "urllib3", "1.24.3")]),
        json!({}),
    );
    let (_t, db) = database(&[cve], &[data("epss/epss_scores-2025-08-15.csv")]);
    let a = db.advisory_by_id("CVE-2019-11236").unwrap().unwrap();
    assert_eq!(a.origin, plimsoll_vuln::osv::Origin::Osv);
    assert_eq!(a.epss.as_ref().unwrap().score, 0.00636);
    assert_eq!(
        db.len(),
        1,
        "no second record, none for unnamed CVEs: {:?}",
        db.meta()
    );
}

#[test]
fn db_update_imports_the_extra_files_and_rebuilds_when_one_changes() {
    use plimsoll_testkit::fileserver::Server;
    use plimsoll_vuln::update::{UpdateOptions, refresh};
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let archive =
        plimsoll_testkit::osv::zip_of(&[("PYSEC-2019-132.json", pysec_2019_132().to_string())]);
    server.put("/PyPI/all.zip", archive, Some("\"p1\""));
    let epss = tmp.path().join("epss.csv");
    std::fs::copy(data("epss/epss_scores-2025-08-15.csv"), &epss).unwrap();
    let opts = UpdateOptions {
        base_url: format!("{}/", server.url()),
        ecosystems: vec!["PyPI".into()],
        archive_dir: tmp.path().join("osv-archives"),
        timeout: std::time::Duration::from_secs(10),
        max_archive_bytes: 1 << 20,
        extra: vec![data("ghsa"), epss.clone()],
        extra_urls: Vec::new(),
        progress: None,
    };
    let path = tmp.path().join("vuln.db");
    let first = refresh(&path, &opts).unwrap();
    assert!(first.rebuilt.is_some());
    let rated = |db: &Database| {
        let f = scan(db, vec![pypi("urllib3", "1.24.1")]);
        let f = the(&f, "CVE-2019-11236").clone();
        (f.rating.severity, f.epss.map(|e| e.score))
    };
    assert_eq!(
        rated(&Database::open(&path).unwrap()),
        (VulnSeverity::Medium, Some(0.00636))
    );
    // Nothing changed: no rebuild.
    assert!(refresh(&path, &opts).unwrap().rebuilt.is_none());
    // A newer EPSS file: rebuilt with it.
    std::fs::write(
        &epss,
        "#model_version:v2025.03.14,score_date:2025-08-16T00:00:00+0000\ncve,epss,percentile\nCVE-2019-11236,0.00700,0.7\n",
    )
    .unwrap();
    assert!(refresh(&path, &opts).unwrap().rebuilt.is_some());
    assert_eq!(
        rated(&Database::open(&path).unwrap()),
        (VulnSeverity::Medium, Some(0.007))
    );
    // A missing extra is an error naming it.
    let mut missing = opts.clone();
    missing.extra.push(tmp.path().join("nvd-gone"));
    let e = refresh(&path, &missing).unwrap_err();
    let why = std::error::Error::source(&e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    assert!(why.contains("nvd-gone"), "{e}: {why}");
}

/// `[db] extra` by URL: the EPSS file is downloaded like the archives
/// (conditional requests), imported with them, and a new version of it
/// rebuilds the database.
#[test]
fn db_update_downloads_extra_urls_like_the_archives() {
    use plimsoll_testkit::fileserver::Server;
    use plimsoll_vuln::update::{Outcome, UpdateOptions, refresh};
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let archive =
        plimsoll_testkit::osv::zip_of(&[("PYSEC-2019-132.json", pysec_2019_132().to_string())]);
    server.put("/PyPI/all.zip", archive, Some("\"p1\""));
    let epss = std::fs::read(data("epss/epss_scores-2025-08-15.csv")).unwrap();
    server.put("/feeds/epss_scores-current.csv", epss, Some("\"e1\""));
    let epss_url = format!("{}/feeds/epss_scores-current.csv", server.url());
    let opts = UpdateOptions {
        base_url: format!("{}/", server.url()),
        ecosystems: vec!["PyPI".into()],
        archive_dir: tmp.path().join("osv-archives"),
        timeout: std::time::Duration::from_secs(10),
        max_archive_bytes: 1 << 20,
        extra: vec![data("ghsa")],
        extra_urls: vec![epss_url.clone()],
        progress: None,
    };
    let path = tmp.path().join("vuln.db");
    let first = refresh(&path, &opts).unwrap();
    assert!(first.rebuilt.is_some());
    let fetched = first
        .download
        .archives
        .iter()
        .find(|a| a.url == epss_url)
        .expect("the EPSS URL was fetched");
    assert!(matches!(fetched.outcome, Outcome::Downloaded { .. }));
    let db = Database::open(&path).unwrap();
    assert!(
        db.meta().sources.iter().any(|s| s.location == epss_url),
        "{:?}",
        db.meta().sources
    );
    let f = scan(&db, vec![pypi("urllib3", "1.24.1")]);
    assert_eq!(
        the(&f, "CVE-2019-11236").epss.as_ref().unwrap().score,
        0.00636
    );
    // Unchanged on the server (304): no rebuild.
    let again = refresh(&path, &opts).unwrap();
    assert!(again.rebuilt.is_none());
    // A new day's scores: rebuilt with them.
    server.put(
        "/feeds/epss_scores-current.csv",
        "#model_version:v2025.03.14,score_date:2025-08-16T00:00:00+0000\ncve,epss,percentile\nCVE-2019-11236,0.00700,0.7\n",
        Some("\"e2\""),
    );
    assert!(refresh(&path, &opts).unwrap().rebuilt.is_some());
    let f = scan(
        &Database::open(&path).unwrap(),
        vec![pypi("urllib3", "1.24.1")],
    );
    assert_eq!(
        the(&f, "CVE-2019-11236").epss.as_ref().unwrap().score,
        0.007
    );
    // Not an http(s) URL: refused, named.
    let mut bad = opts.clone();
    bad.extra_urls = vec!["ftp://example.invalid/kev.json".into()];
    let e = refresh(&path, &bad).unwrap_err();
    assert!(
        e.to_string().contains("ftp://example.invalid/kev.json"),
        "{e}"
    );
}
