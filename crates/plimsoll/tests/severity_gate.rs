//! `plimsoll db import` of NVD CVE JSON 2.0, CISA KEV and FIRST EPSS files
//! next to OSV records, and the gate options that use them: `--unknown-as` /
//! `[scan] unknown_as`, `--fail-on-kev` / `[scan] fail_on_kev`,
//! `--fail-on-epss` / `[scan] fail_on_epss`; the JSON report (valid against
//! its schema), the table and SARIF say where each severity came from.
//!
//! The NVD, GHSA, KEV and EPSS files are the real ones of
//! `crates/plimsoll-vuln/tests/data/severity` (provenance in its README). The
//! image holds Jinja2 2.10 and urllib3 1.24.1, as the big reference image
//! does; the OSV records written here are PyPA's PYSEC-2019-217 and
//! PYSEC-2019-132 as published (ids, aliases, ranges; no severity), and one
//! made-up record (PYSEC-TEST-KEV) naming a CVE that is in the KEV excerpt.

use std::path::{Path, PathBuf};

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::osv;
use plimsoll_testkit::*;
use serde_json::{Value, json};

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .env_remove("PLIMSOLL_DB")
        .env_remove("DOCKER_CONFIG")
        // A missing database is fetched from here: a closed loopback port, never the internet.
        .env("PLIMSOLL_DB_URL", "http://127.0.0.1:9")
        .run(args)
}

fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plimsoll-vuln/tests/data/severity")
        .join(rel)
        .display()
        .to_string()
}

/// A Debian 12 image with Jinja2 2.10 and urllib3 1.24.1, running as a user
/// with a healthcheck (so the audit has nothing high of its own).
fn image(root: &Path) -> String {
    let dist = "usr/lib/python3/dist-packages";
    let base = Layer::new(
        &[
            dir("etc"),
            file(
                "etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n",
            ),
            file("etc/group", "root:x:0:\napp:x:10001:\n"),
            file(
                "etc/os-release",
                "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n",
            ),
            dir("usr"),
            dir("usr/lib"),
            dir("usr/lib/python3"),
            dir(dist),
            dir(&format!("{dist}/Jinja2-2.10.dist-info")),
            file(
                &format!("{dist}/Jinja2-2.10.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n",
            ),
            dir(&format!("{dist}/urllib3-1.24.1.dist-info")),
            file(
                &format!("{dist}/urllib3-1.24.1.dist-info/METADATA"),
                "Metadata-Version: 2.1\nName: urllib3\nVersion: 1.24.1\n",
            ),
        ],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![base]).config(json!({
        "User": "10001",
        "Entrypoint": ["/app/server"],
        "Healthcheck": {"Test": ["CMD", "/app/server", "--health"]},
    }));
    let mut layout = Layout::new(&root.join("img"));
    layout.add(&spec, "1.0");
    format!("oci:{}:1.0", root.join("img").display())
}

fn osv_dir(root: &Path) -> PathBuf {
    let d = root.join("osv");
    std::fs::create_dir_all(&d).unwrap();
    for r in [
        osv::record(
            "PYSEC-2019-217",
            &["CVE-2019-10906", "GHSA-462w-v97r-4m45"],
            json!([osv::fixed_in("PyPI", "jinja2", "2.10.1")]),
            json!({"modified": "2021-11-22T04:57:52.862665Z"}),
        ),
        osv::record(
            "PYSEC-2019-132",
            &["CVE-2019-11236", "GHSA-r64q-w8jr-g9qp"],
            json!([osv::fixed_in("PyPI", "urllib3", "1.24.3")]),
            json!({"modified": "2019-06-13T04:29:00Z"}),
        ),
    ] {
        let id = r["id"].as_str().unwrap().to_string();
        std::fs::write(d.join(format!("{id}.json")), r.to_string()).unwrap();
    }
    d
}

fn import(root: &Path, db: &str, extra: &[String]) -> Run {
    let osv = osv_dir(root).display().to_string();
    let mut args = vec!["db", "import", osv.as_str(), "--db", db];
    args.extend(extra.iter().map(String::as_str));
    let r = plimsoll(root, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

fn finding<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["vulnerabilities"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {v:#}"))
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/scan-report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn unknown_severities_count_as_unknown_as_says() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let db = t.path().join("vuln.db").display().to_string();
    import(t.path(), &db, &[]);
    let r = plimsoll(t.path(), &["scan", &img, "--db", &db, "--format", "json"]);
    assert_eq!(
        r.code, 0,
        "two unknowns do not fail --fail-on high: {}",
        r.stdout
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["vulnerabilities"]["summary"]["unknown"], 2);
    assert!(
        finding(&v, "CVE-2019-10906")
            .get("severity_origin")
            .is_none()
    );

    let r = plimsoll(
        t.path(),
        &[
            "scan",
            &img,
            "--db",
            &db,
            "--format",
            "json",
            "--unknown-as",
            "high",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["unknown_as"], "high");
    assert_eq!(schema_errors(&v), Vec::<String>::new());

    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[scan]\nunknown_as = \"medium\"\n",
    )
    .unwrap();
    let r = plimsoll(t.path(), &["scan", &img, "--db", &db]);
    assert_eq!(r.code, 0, "medium is below high: {}", r.stdout);
    let r = plimsoll(
        t.path(),
        &["scan", &img, "--db", &db, "--fail-on", "medium"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);

    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[scan]\nunknown_as = \"severe\"\n",
    )
    .unwrap();
    let r = plimsoll(t.path(), &["scan", &img, "--db", &db]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("[scan] unknown_as 'severe'"),
        "{}",
        r.stderr
    );
}

#[test]
fn ghsa_nvd_kev_and_epss_files_import_by_content_and_rate_the_findings() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let db = t.path().join("vuln.db").display().to_string();
    let r = import(
        t.path(),
        &db,
        &[
            data("ghsa"),
            data("nvd"),
            data("kev/known_exploited_vulnerabilities.json"),
            data("epss/epss_scores-2025-08-15.csv"),
        ],
    );
    assert!(
        r.stdout
            .contains("CVE facts: 3 NVD records, 2 KEV entries, 3 EPSS scores; 5 CVEs no OSV record names, not kept"),
        "{}",
        r.stdout
    );
    let status = plimsoll(t.path(), &["db", "status", "--db", &db]);
    assert!(
        status
            .stdout
            .contains("CVE facts   3 NVD records, 2 KEV entries, 3 EPSS scores"),
        "{}",
        status.stdout
    );

    let r = plimsoll(t.path(), &["scan", &img, "--db", &db, "--format", "json"]);
    assert_eq!(r.code, 1, "jinja2's GHSA rating is high: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(schema_errors(&v), Vec::<String>::new());
    assert_eq!(v["vulnerabilities"]["summary"]["unknown"], 0);
    let jinja = finding(&v, "CVE-2019-10906");
    assert_eq!(jinja["severity"], "high");
    assert_eq!(jinja["score"], 8.6);
    assert_eq!(
        jinja["severity_origin"],
        json!({"record": "GHSA-462w-v97r-4m45", "record_kind": "osv", "field": "CVSS_V3", "via": "matched"})
    );
    assert_eq!(jinja["epss"]["score"], 0.01473);
    let urllib3 = finding(&v, "CVE-2019-11236");
    assert_eq!(urllib3["severity"], "medium");
    assert_eq!(urllib3["severity_origin"]["record"], "GHSA-r64q-w8jr-g9qp");

    let r = plimsoll(t.path(), &["scan", &img, "--db", &db]);
    assert!(
        r.stdout.contains("GHSA-462w-v97r-4m45 CVSS_V3")
            && r.stdout.contains("EPSS 1.47% (80th percentile)"),
        "{}",
        r.stdout
    );
    let r = plimsoll(t.path(), &["scan", &img, "--db", &db, "--format", "sarif"]);
    assert!(
        r.stdout
            .contains("[high 8.6 from GHSA-462w-v97r-4m45 CVSS_V3; EPSS 1.47% (80th percentile)]"),
        "{}",
        r.stdout
    );
}

#[test]
fn kev_and_epss_fail_the_gate_whatever_the_severity() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let db = t.path().join("vuln.db").display().to_string();
    // Made up for the test: a low urllib3 record naming CVE-2024-49035,
    // which the real KEV excerpt lists.
    let extra = t.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(
        extra.join("PYSEC-TEST-KEV.json"),
        osv::record(
            "PYSEC-TEST-KEV",
            &["CVE-2024-49035"],
            json!([osv::fixed_in("PyPI", "urllib3", "9.0")]),
            json!({"database_specific": {"severity": "LOW"}}),
        )
        .to_string(),
    )
    .unwrap();
    import(
        t.path(),
        &db,
        &[
            extra.display().to_string(),
            data("kev/known_exploited_vulnerabilities.json"),
            data("epss/epss_scores-2025-08-15.csv"),
        ],
    );
    let scan = |args: &[&str]| {
        let mut all = vec![
            "scan",
            img.as_str(),
            "--db",
            db.as_str(),
            "--format",
            "json",
        ];
        all.extend(args);
        plimsoll(t.path(), &all)
    };
    let r = scan(&["--fail-on", "critical"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let kev = finding(&v, "CVE-2024-49035");
    assert_eq!(kev["kev"]["date_added"], "2025-02-25");
    assert_eq!(kev["severity"], "low");

    let r = scan(&["--fail-on", "critical", "--fail-on-kev"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["fail_on_kev"], true);
    assert_eq!(schema_errors(&v), Vec::<String>::new());

    // CVE-2019-10906's EPSS is 0.01473, CVE-2019-11236's 0.00636.
    assert_eq!(
        scan(&["--fail-on", "critical", "--fail-on-epss", "0.01"]).code,
        1
    );
    assert_eq!(
        scan(&["--fail-on", "critical", "--fail-on-epss", "0.5"]).code,
        0
    );
    let r = scan(&["--fail-on-epss", "5"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("an EPSS score is from 0 to 1"),
        "{}",
        r.stderr
    );

    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[scan]\nfail_on = \"critical\"\nfail_on_kev = true\n",
    )
    .unwrap();
    assert_eq!(scan(&[]).code, 1);
    std::fs::write(
        t.path().join("plimsoll.toml"),
        "[scan]\nfail_on = \"critical\"\nfail_on_epss = 0.01\n",
    )
    .unwrap();
    assert_eq!(scan(&[]).code, 1);
}

#[test]
fn a_bad_feed_is_named_in_the_import_output() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("vuln.db").display().to_string();
    let epss = t.path().join("epss.csv");
    std::fs::write(&epss, "cve,epss,percentile\nCVE-2019-10906,0.01473\n").unwrap();
    let r = import(t.path(), &db, &[epss.display().to_string()]);
    assert!(
        r.stderr.contains(&format!(
            "malformed: {}: FIRST EPSS scores: line 2: expected 3 fields",
            epss.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn db_extra_is_imported_with_every_update_and_by_the_scans_own_refresh() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let osv = osv_dir(t.path());
    let read = |id: &str| std::fs::read(osv.join(format!("{id}.json"))).unwrap();
    let server = plimsoll_testkit::fileserver::Server::start();
    server.put("/ecosystems.txt", "PyPI\n", None);
    server.put(
        "/PyPI/all.zip",
        osv::zip_of(&[
            ("PYSEC-2019-217.json", read("PYSEC-2019-217")),
            ("PYSEC-2019-132.json", read("PYSEC-2019-132")),
        ]),
        Some("\"p1\""),
    );
    // The EPSS scores by URL (downloaded like the archives), the GHSA records from a directory.
    server.put(
        "/feeds/epss_scores-current.csv",
        std::fs::read(data("epss/epss_scores-2025-08-15.csv")).unwrap(),
        Some("\"e1\""),
    );
    std::fs::write(
        t.path().join("plimsoll.toml"),
        format!(
            "[db]\nbase_url = \"{}\"\nextra = [\"{}\", \"{}/feeds/epss_scores-current.csv\"]\n",
            server.url(),
            data("ghsa"),
            server.url()
        ),
    )
    .unwrap();
    let db = t.path().join("data/vuln.db").display().to_string();
    let run = |args: &[&str]| {
        Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
            .current_dir(t.path())
            .cache(t.path().join("cache"))
            .env_remove("PLIMSOLL_DB")
            .env_remove("PLIMSOLL_DB_URL")
            .env_remove("DOCKER_CONFIG")
            .run(args)
    };
    // No database yet: the scan downloads the archives and imports the extras.
    let r = run(&["scan", &img, "--db", &db, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["vulnerabilities"]["summary"]["unknown"], 0, "{v:#}");
    assert_eq!(finding(&v, "CVE-2019-11236")["epss"]["score"], 0.00636);
    // Nothing changed since: the update rebuilds nothing.
    let r = run(&["db", "update", "--db", &db]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("up to date, nothing downloaded"),
        "{}",
        r.stdout
    );
    // The database still has the extras' facts.
    let r = run(&["scan", &img, "--db", &db, "--offline", "--format", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        finding(&v, "CVE-2019-10906")["severity_origin"]["record"],
        "GHSA-462w-v97r-4m45"
    );
}
