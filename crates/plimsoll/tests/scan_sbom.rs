//! `plimsoll scan sbom:FILE` end to end: the SBOM documents plimsoll writes
//! of an image built here, and syft 1.18.1's CycloneDX of a real Debian 12
//! image (crates/plimsoll-sbom/tests/data/sbom, see its README), matched
//! against OSV records imported here. Never touches the network
//! (PLIMSOLL_DB_URL is a closed loopback port).

use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::osv;
use plimsoll_testkit::*;
use serde_json::{Value, json};

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    cli(dir).run(args)
}

fn cli(dir: &Path) -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .env_remove("PLIMSOLL_DB")
        .env_remove("DOCKER_CONFIG")
        .env("PLIMSOLL_DB_URL", "http://127.0.0.1:9")
        .env("SOURCE_DATE_EPOCH", "1700000000")
}

/// A Debian 12 image with an old glibc and an old Python package.
fn image(root: &Path) -> String {
    let base = Layer::new(
        &[
            dir("etc"),
            file(
                "etc/os-release",
                "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n",
            ),
            dir("var"),
            dir("var/lib"),
            dir("var/lib/dpkg"),
            file(
                "var/lib/dpkg/status",
                "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\n\
                 Version: 2.36-9+deb12u1\n\n\
                 Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\n\
                 Version: 1:1.2.13.dfsg-1\n",
            ),
        ],
        Compression::Gzip,
    );
    let app = Layer::new(
        &[
            dir("usr"),
            dir("usr/lib"),
            dir("usr/lib/python3"),
            dir("usr/lib/python3/dist-packages"),
            dir("usr/lib/python3/dist-packages/Jinja2-2.10.dist-info"),
            file(
                "usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n",
            ),
        ],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![base, app]).config(json!({"User": "10001"}));
    let mut layout = Layout::new(&root.join("img"));
    layout.add(&spec, "1.0");
    format!("oci:{}:1.0", root.join("img").display())
}

/// A DSA for glibc in Debian 12 (fixed after both the test image's and
/// syft's image's libc6), one for Debian 11 that must not match, and a
/// PyPI advisory for Jinja2.
fn database(dir: &Path) -> String {
    let d = dir.join("osv");
    std::fs::create_dir_all(&d).unwrap();
    let recs = [
        osv::record(
            "DSA-9001-1",
            &["CVE-2099-4911"],
            json!([osv::fixed_in("Debian:12", "glibc", "2.36-9+deb12u99")]),
            json!({
                "modified": "2024-01-01T00:00:00Z", "summary": "glibc security update",
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}],
            }),
        ),
        osv::record(
            "DSA-9999-1",
            &["CVE-2099-0001"],
            json!([osv::fixed_in("Debian:11", "glibc", "9.0")]),
            json!({"modified": "2024-01-01T00:00:00Z"}),
        ),
        osv::record(
            "GHSA-462w-v97r-4m45",
            &["CVE-2019-10906"],
            json!([osv::fixed_in("PyPI", "jinja2", "2.10.1")]),
            json!({
                "modified": "2024-01-01T00:00:00Z", "summary": "Jinja2 sandbox escape",
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
            }),
        ),
    ];
    for r in recs {
        let id = r["id"].as_str().unwrap().to_string();
        std::fs::write(d.join(format!("{id}.json")), r.to_string()).unwrap();
    }
    let db = dir.join("vuln.db").display().to_string();
    let r = plimsoll(
        dir,
        &["db", "import", &d.display().to_string(), "--db", &db],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    db
}

/// The report is valid against the scan report's schema.
fn valid(v: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/scan-report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn found(v: &Value) -> Vec<(String, String, String)> {
    let mut f: Vec<_> = v["vulnerabilities"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["package"]["name"].as_str().unwrap().to_string(),
                f["package"]["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    f.sort();
    f
}

/// plimsoll's own CycloneDX, SPDX and (through stdin) CycloneDX again of
/// an image find what scanning the image finds.
#[test]
fn plimsolls_own_sboms_scan_as_the_image_does() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path());
    let db = database(t.path());
    let r = plimsoll(
        t.path(),
        &["scan", &img, "--db", &db, "--offline", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let from_image: Value = serde_json::from_str(&r.stdout).unwrap();
    let expected = found(&from_image);
    assert_eq!(
        expected,
        [
            ("CVE-2019-10906".into(), "jinja2".into(), "2.10".into()),
            (
                "CVE-2099-4911".into(),
                "libc6".into(),
                "2.36-9+deb12u1".into()
            ),
        ]
    );
    for format in ["cyclonedx", "spdx"] {
        let out = t.path().join(format!("app.{format}.json"));
        let r = plimsoll(
            t.path(),
            &[
                "sbom",
                &img,
                "--format",
                format,
                "-o",
                &out.display().to_string(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let reference = format!("sbom:{}", out.display());
        let r = plimsoll(
            t.path(),
            &[
                "scan",
                &reference,
                "--db",
                &db,
                "--offline",
                "--format",
                "json",
            ],
        );
        assert_eq!(
            r.code, 1,
            "{format}: the gate fails as for the image: {}",
            r.stderr
        );
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(found(&v), expected, "{format}");
        assert_eq!(
            v["sbom"]["packages"], from_image["sbom"]["packages"],
            "{format}"
        );
        assert_eq!(v["sbom"]["distro"]["id"], "debian", "{format}");
        assert_eq!(v["sbom"]["distro"]["version_id"], "12", "{format}");
        // The target is the image the document describes.
        assert_eq!(
            v["image"]["reference"], from_image["image"]["reference"],
            "{format}"
        );
        assert_eq!(
            v["image"]["digest"], from_image["image"]["digest"],
            "{format}"
        );
    }
    // Standard input, and the table.
    let cdx = std::fs::read(t.path().join("app.cyclonedx.json")).unwrap();
    let r = cli(t.path())
        .stdin(&cdx)
        .run(&["scan", "sbom:-", "--db", &db, "--offline"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("CVE-2099-4911"), "{}", r.stdout);
    assert!(r.stdout.contains("CVE-2019-10906"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("read      CycloneDX JSON 1.6 document sbom:-"),
        "{}",
        r.stdout
    );
    // CycloneDX and SARIF come out as for an image.
    let r = plimsoll(
        t.path(),
        &[
            "scan",
            &format!("sbom:{}", t.path().join("app.spdx.json").display()),
            "--db",
            &db,
            "--offline",
            "--format",
            "cyclonedx",
        ],
    );
    let bom: Value = serde_json::from_str(&r.stdout).unwrap();
    let vulns: Vec<&str> = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(vulns.contains(&"CVE-2099-4911"), "{vulns:?}");
}

/// syft's CycloneDX of a real Debian 12 image: its libc6 and libc-bin
/// 2.36-9+deb12u14 (source glibc, from the purls' `upstream`) are matched
/// to Debian 12's record through the operating-system component syft writes.
#[test]
fn syfts_cyclonedx_of_a_debian_image_finds_a_known_vulnerability() {
    let t = tempfile::tempdir().unwrap();
    let db = database(t.path());
    let sbom = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plimsoll-sbom/tests/data/sbom/syft-lab-small.cdx.json");
    let reference = format!("sbom:{}", sbom.display());
    let r = plimsoll(
        t.path(),
        &[
            "scan",
            &reference,
            "--db",
            &db,
            "--offline",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        found(&v),
        [
            (
                "CVE-2099-4911".into(),
                "libc-bin".into(),
                "2.36-9+deb12u14".into()
            ),
            (
                "CVE-2099-4911".into(),
                "libc6".into(),
                "2.36-9+deb12u14".into()
            )
        ]
    );
    assert_eq!(v["sbom"]["packages"], 96);
    valid(&v);
    assert_eq!(v["sbom"]["distro"]["version_codename"], "bookworm");
    let subject = v["image"]["reference"].as_str().unwrap();
    assert!(subject.ends_with("lab-images/small"), "{subject}");
    assert!(
        v["image"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // --fail-on critical: the high glibc flaw no longer fails the gate.
    let r = plimsoll(
        t.path(),
        &[
            "scan",
            &reference,
            "--db",
            &db,
            "--offline",
            "--fail-on",
            "critical",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Without a distribution the OS packages cannot be matched, and the scan
/// says so; bad documents are errors naming the file.
#[test]
fn no_distribution_and_bad_documents() {
    let t = tempfile::tempdir().unwrap();
    let db = database(t.path());
    let doc = t.path().join("bare.cdx.json");
    std::fs::write(
        &doc,
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
            {"type": "library", "name": "libc6", "version": "2.36-9+deb12u1",
             "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&upstream=glibc"},
            {"type": "library", "name": "Jinja2", "version": "2.10", "purl": "pkg:pypi/jinja2@2.10"}
        ]}"#,
    )
    .unwrap();
    let reference = format!("sbom:{}", doc.display());
    let r = plimsoll(
        t.path(),
        &[
            "scan",
            &reference,
            "--db",
            &db,
            "--offline",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        found(&v),
        [("CVE-2019-10906".into(), "Jinja2".into(), "2.10".into())]
    );
    assert!(v["sbom"]["distro"].is_null());
    eprintln!("STDERR {}", r.stderr);
    assert!(
        r.stderr.contains("note: "),
        "the unmatched OS package is noted: {}",
        r.stderr
    );
    // The subject is the reference when the document names none.
    assert_eq!(v["image"]["reference"], reference);

    let bad = t.path().join("bad.json");
    std::fs::write(&bad, r#"{"spdxVersion": "SPDX-2.3", "packages": 7}"#).unwrap();
    let r = plimsoll(
        t.path(),
        &[
            "scan",
            &format!("sbom:{}", bad.display()),
            "--db",
            &db,
            "--offline",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}: SPDX JSON: \"packages\" is not an array",
            bad.display()
        )),
        "{}",
        r.stderr
    );
    let r = plimsoll(
        t.path(),
        &["scan", "sbom:/nonexistent.json", "--db", &db, "--offline"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent.json: "), "{}", r.stderr);
}
