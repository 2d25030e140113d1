//! `plimsoll db export`, `db import` of an exported database, and `db push`
//! / `db pull` as an OCI artifact: to an OCI layout here, to the real
//! `docker-registry` on 127.0.0.1 in the explicit suite. A database is
//! installed only after it is checked end to end and against its digest;
//! a failed check leaves the installed one as it was.

use std::path::{Path, PathBuf};

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::osv::{fixed_in, record};
use serde_json::{Value, json};

fn plimsoll(args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .env_remove("PLIMSOLL_DB")
        .env_remove("PLIMSOLL_DB_URL")
        .env("XDG_DATA_HOME", "/nonexistent-plimsoll-test")
        .current_dir(std::env::temp_dir())
        .run(args)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A database of three advisories built from OSV records written here.
fn built(dir: &Path) -> PathBuf {
    let osv = dir.join("osv");
    std::fs::create_dir_all(&osv).unwrap();
    for (id, eco, name, alias) in [
        ("GHSA-aaaa-bbbb-cccc", "npm", "left-pad", "CVE-2024-1"),
        ("PYSEC-2024-1", "PyPI", "requests", "CVE-2024-2"),
        ("DSA-1-1", "Debian:12", "curl", "CVE-2024-1"),
    ] {
        let r = record(
            id,
            &[alias],
            json!([fixed_in(eco, name, "2.0")]),
            json!({"modified": "2024-01-01T00:00:00Z"}),
        );
        std::fs::write(
            osv.join(format!("{id}.json")),
            serde_json::to_vec(&r).unwrap(),
        )
        .unwrap();
    }
    let db = dir.join("built/vuln.db");
    let run = plimsoll(&["db", "import", s(&osv), "--db", s(&db)]);
    assert_eq!(run.code, 0, "{run:?}");
    db
}

fn status(db: &Path) -> Value {
    let run = plimsoll(&["db", "status", "--format", "json", "--db", s(db)]);
    assert_eq!(run.code, 0, "{run:?}");
    serde_json::from_str(&run.stdout).unwrap()
}

fn sha256(p: &Path) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
    )
}

#[test]
fn export_then_import_elsewhere_is_the_same_database() {
    let t = tempfile::tempdir().unwrap();
    let db = built(t.path());
    let out = t.path().join("carry/plimsoll-vulndb");
    let run = plimsoll(&["db", "export", s(&out), "--db", s(&db)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("3 advisories"), "{run:?}");
    let digest = sha256(&db);
    assert!(run.stdout.contains(&digest), "{run:?}");
    // sha256sum's format, so `sha256sum -c` checks it too.
    let sidecar = std::fs::read_to_string(t.path().join("carry/plimsoll-vulndb.sha256")).unwrap();
    assert_eq!(
        sidecar,
        format!(
            "{}  plimsoll-vulndb\n",
            digest.trim_start_matches("sha256:")
        )
    );
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "plimsoll-vulndb.sha256"])
        .current_dir(t.path().join("carry"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");

    // The other machine: the sidecar beside the file is checked.
    let other = t.path().join("other/vuln.db");
    let run = plimsoll(&["db", "import", s(&out), "--db", s(&other)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("digest checked against"), "{run:?}");
    assert_eq!(sha256(&other), digest);
    assert_eq!(status(&other)["database"], status(&db)["database"]);

    // --digest, right and wrong.
    let run = plimsoll(&[
        "db",
        "import",
        s(&out),
        "--db",
        s(&other),
        "--digest",
        &digest,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let wrong = format!("sha256:{}", "0".repeat(64));
    let run = plimsoll(&[
        "db",
        "import",
        s(&out),
        "--db",
        s(&other),
        "--digest",
        &wrong,
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("nothing was installed") && run.stderr.contains(&digest),
        "{run:?}"
    );

    // Without a published digest it installs, and says what was not checked.
    std::fs::remove_file(t.path().join("carry/plimsoll-vulndb.sha256")).unwrap();
    let third = t.path().join("third/vuln.db");
    let run = plimsoll(&["db", "import", s(&out), "--db", s(&third)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("no digest to check"), "{run:?}");

    // An exported database is imported alone, not with OSV records.
    let run = plimsoll(&[
        "db",
        "import",
        s(&out),
        s(&t.path().join("osv")),
        "--db",
        s(&third),
    ]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("import it alone"), "{run:?}");
}

#[test]
fn a_damaged_export_is_refused_and_the_installed_database_kept() {
    let t = tempfile::tempdir().unwrap();
    let db = built(t.path());
    let out = t.path().join("vuln-export.db");
    assert_eq!(plimsoll(&["db", "export", s(&out), "--db", s(&db)]).code, 0);
    let installed = t.path().join("installed/vuln.db");
    assert_eq!(
        plimsoll(&["db", "import", s(&out), "--db", s(&installed)]).code,
        0
    );
    let before = sha256(&installed);
    let bytes = std::fs::read(&out).unwrap();

    // One byte of the data section changed: the published digest no longer matches.
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x55;
    std::fs::write(&out, &flipped).unwrap();
    let run = plimsoll(&["db", "import", s(&out), "--db", s(&installed)]);
    assert_ne!(run.code, 0, "{run:?}");
    // Every blob is decoded before the digest is compared: either refuses it.
    assert!(run.stderr.contains("vuln-export.db"), "{run:?}");
    assert!(run.stderr.contains("left as it was"), "{run:?}");
    assert_eq!(sha256(&installed), before);

    // The index changed, the sidecar removed: its own digest catches it.
    std::fs::remove_file(t.path().join("vuln-export.db.sha256")).unwrap();
    let mut index = bytes.clone();
    index[200] ^= 0x01;
    std::fs::write(&out, &index).unwrap();
    let run = plimsoll(&["db", "import", s(&out), "--db", s(&installed)]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("index digest mismatch"), "{run:?}");
    assert_eq!(sha256(&installed), before);

    // Truncated in transit.
    std::fs::write(&out, &bytes[..bytes.len() / 2]).unwrap();
    let run = plimsoll(&["db", "import", s(&out), "--db", s(&installed)]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("truncated"), "{run:?}");
    assert_eq!(sha256(&installed), before);
    // No temporary file is left beside the database.
    let left: Vec<_> = std::fs::read_dir(t.path().join("installed"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["vuln.db"]);

    // Exporting with no database is an error that says how to get one.
    let run = plimsoll(&[
        "db",
        "export",
        s(&out),
        "--db",
        s(&t.path().join("none.db")),
    ]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("db pull"), "{run:?}");
}

#[test]
fn push_and_pull_through_an_oci_layout() {
    let t = tempfile::tempdir().unwrap();
    let db = built(t.path());
    let layout = t.path().join("mirror");
    let reference = format!("oci:{}:2026-12-07", layout.display());
    let run = plimsoll(&["db", "push", &reference, "--db", s(&db)]);
    assert_eq!(run.code, 0, "{run:?}");

    // The artifact: an OCI manifest with plimsoll's artifact type, the file as its layer.
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let m = &index["manifests"][0];
    assert_eq!(
        m["annotations"]["org.opencontainers.image.ref.name"],
        "2026-12-07"
    );
    let digest = m["digest"].as_str().unwrap();
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(layout.join("blobs/sha256").join(&digest[7..])).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["artifactType"],
        "application/vnd.plimsoll.vulndb.v1"
    );
    assert_eq!(manifest["layers"][0]["digest"], sha256(&db));
    assert_eq!(
        manifest["annotations"]["dev.plimsoll.vulndb.advisories"],
        "3"
    );

    let pulled = t.path().join("airgap/vuln.db");
    let run = plimsoll(&["db", "pull", &reference, "--db", s(&pulled)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sha256(&pulled), sha256(&db));

    // A tag that is not there, and a layer changed on disk after the push.
    let missing = format!("oci:{}:nope", layout.display());
    let run = plimsoll(&["db", "pull", &missing, "--db", s(&pulled)]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("no tag nope"), "{run:?}");
    let layer = layout
        .join("blobs/sha256")
        .join(&sha256(&db)["sha256:".len()..]);
    let mut bytes = std::fs::read(&layer).unwrap();
    bytes[300] ^= 0x01;
    std::fs::write(&layer, &bytes).unwrap();
    let before = sha256(&pulled);
    let run = plimsoll(&["db", "pull", &reference, "--db", s(&pulled)]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("digest"), "{run:?}");
    assert_eq!(sha256(&pulled), before);
}

#[test]
fn pulling_an_image_that_is_not_a_database_says_so() {
    let t = tempfile::tempdir().unwrap();
    let layout = t.path().join("images");
    let spec = plimsoll_testkit::ImageSpec::new(vec![plimsoll_testkit::Layer::new(
        &[plimsoll_testkit::file("etc/hello", b"hi")],
        plimsoll_testkit::Compression::Gzip,
    )]);
    plimsoll_testkit::Layout::new(&layout).add(&spec, "1.0");
    let run = plimsoll(&[
        "db",
        "pull",
        &format!("oci:{}:1.0", layout.display()),
        "--db",
        s(&t.path().join("vuln.db")),
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("not a plimsoll vulnerability database"),
        "{run:?}"
    );
    assert!(!t.path().join("vuln.db").exists());
}

/// The real registry, over the distribution API.
#[test]
#[ignore = "needs docker-registry (scripts/test-all.sh)"]
fn push_and_pull_through_the_real_registry() {
    let registry = plimsoll_testkit::registry::Registry::start();
    let host = registry.host();
    let t = tempfile::tempdir().unwrap();
    let db = built(t.path());
    let reference = format!("{host}/mirror/plimsoll-db:1");
    let run = plimsoll(&[
        "db",
        "push",
        &reference,
        "--db",
        s(&db),
        "--insecure",
        &host,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let pulled = t.path().join("airgap/vuln.db");
    let run = plimsoll(&[
        "db",
        "pull",
        &reference,
        "--db",
        s(&pulled),
        "--insecure",
        &host,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sha256(&pulled), sha256(&db));
    assert_eq!(status(&pulled)["database"], status(&db)["database"]);
    // A tag the registry does not have.
    let run = plimsoll(&[
        "db",
        "pull",
        &format!("{host}/mirror/plimsoll-db:absent"),
        "--db",
        s(&pulled),
        "--insecure",
        &host,
    ]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("absent"), "{run:?}");
}
