//! `plimsoll db import|update|status`, end to end, on advisories built here
//! and a loopback HTTP server started by the test.

use std::path::Path;
use std::process::Output;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::fileserver::Server;
use plimsoll_testkit::osv::{fixed_in, record, zip_of};
use serde_json::{Value, json};

fn plimsoll(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let cli = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .env_remove("PLIMSOLL_DB")
        .env_remove("PLIMSOLL_DB_URL")
        // Never touch the real data directory.
        .env("XDG_DATA_HOME", "/nonexistent-plimsoll-test")
        .current_dir(std::env::temp_dir());
    envs.iter()
        .fold(cli, |cli, (k, v)| cli.env(k, v))
        .output(args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn advisory(id: &str, ecosystem: &str, name: &str, aliases: &[&str]) -> Vec<u8> {
    serde_json::to_vec(&record(
        id,
        aliases,
        json!([fixed_in(ecosystem, name, "2.0")]),
        json!({"modified": "2024-01-01T00:00:00Z"}),
    ))
    .unwrap()
}

fn status_json(db: &Path) -> Value {
    let out = plimsoll(
        &[
            "db",
            "status",
            "--format",
            "json",
            "--db",
            db.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn import_then_status_reports_counts_digests_and_malformed_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("osv");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(
        dir.join("nested/GHSA-1.json"),
        advisory("GHSA-1", "npm", "left-pad", &["CVE-2024-9"]),
    )
    .unwrap();
    std::fs::write(dir.join("broken.json"), "{").unwrap();
    let archive = tmp.path().join("all.zip");
    std::fs::write(
        &archive,
        zip_of(&[(
            "DSA-1-1.json",
            advisory("DSA-1-1", "Debian:12", "curl", &["CVE-2024-9"]),
        )]),
    )
    .unwrap();
    let db = tmp.path().join("data/vuln.db");

    let out = plimsoll(
        &[
            "db",
            "import",
            dir.to_str().unwrap(),
            archive.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 advisories"),
        "{}",
        text(&out.stdout)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("broken.json: not an OSV record"),
        "{stderr}"
    );

    let status = status_json(&db);
    let d = &status["database"];
    assert_eq!(d["advisories"], 2);
    assert_eq!(d["malformed"], 1);
    assert_eq!(d["alias_groups"], 1, "both name CVE-2024-9");
    assert_eq!(d["schema_version"], plimsoll_vuln::db::SCHEMA_VERSION);
    assert_eq!(d["sources"][1]["kind"], "Archive");
    let zip_sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&archive).unwrap()))
    };
    assert_eq!(d["sources"][1]["sha256"], zip_sha.as_str());
    let ecosystems: Vec<(String, u64)> = d["ecosystems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ecosystem"].as_str().unwrap().to_string(),
                e["advisories"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ecosystems,
        [("Debian:12".to_string(), 1), ("npm".to_string(), 1)]
    );

    // PLIMSOLL_DB stands for --db; the table names the digest.
    let out = plimsoll(&["db", "status"], &[("PLIMSOLL_DB", db.to_str().unwrap())]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&zip_sha),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn update_downloads_once_then_nothing_then_what_changed() {
    let server = Server::start();
    server.put("/ecosystems.txt", "npm\nDebian\n", None);
    server.put(
        "/npm/all.zip",
        zip_of(&[("GHSA-1.json", advisory("GHSA-1", "npm", "a", &[]))]),
        Some("\"n1\""),
    );
    server.put(
        "/Debian/all.zip",
        zip_of(&[("DSA-1-1.json", advisory("DSA-1-1", "Debian:12", "b", &[]))]),
        Some("\"d1\""),
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("vuln.db");
    let url = server.url();
    let update = || {
        plimsoll(
            &[
                "db",
                "update",
                "--base-url",
                &url,
                "--db",
                db.to_str().unwrap(),
                "--timeout",
                "10",
            ],
            &[],
        )
    };

    let out = update();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr).matches("downloaded").count(), 2);
    let d = status_json(&db)["database"].clone();
    assert_eq!(d["advisories"], 2);
    assert_eq!(d["sources"][0]["location"], format!("{url}/npm/all.zip"));
    assert!(tmp.path().join("osv-archives/npm/all.zip").is_file());
    let built = d["built_at"].clone();
    server.take_log();

    let out = update();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("up to date, nothing downloaded"));
    let log = server.take_log();
    assert!(
        log.iter()
            .filter(|s| s.path.ends_with("all.zip"))
            .all(|s| s.status == 304),
        "{log:?}"
    );
    assert_eq!(
        status_json(&db)["database"]["built_at"],
        built,
        "not rebuilt"
    );

    server.put(
        "/npm/all.zip",
        zip_of(&[
            ("GHSA-1.json", advisory("GHSA-1", "npm", "a", &[])),
            ("GHSA-2.json", advisory("GHSA-2", "npm", "c", &[])),
        ]),
        Some("\"n2\""),
    );
    let out = update();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("downloaded").count(), 1, "{stderr}");
    assert!(stderr.contains("unchanged"));
    assert_eq!(status_json(&db)["database"]["advisories"], 3);

    // A corrupt archive fails the update, names it, and keeps the database.
    server.put(
        "/Debian/all.zip",
        b"PK\x03\x04broken".to_vec(),
        Some("\"d2\""),
    );
    let out = update();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Debian") && stderr.contains("not a readable zip"),
        "{stderr}"
    );
    assert_eq!(status_json(&db)["database"]["advisories"], 3);
}

#[test]
fn update_defaults_to_osvs_export_and_config_supplies_another() {
    // Without a source, OSV's public export is used (never reached from a
    // test: its address is only checked in the help).
    let out = plimsoll(&["db", "update", "--help"], &[]);
    assert!(
        text(&out.stdout).contains("https://osv-vulnerabilities.storage.googleapis.com"),
        "{}",
        text(&out.stdout)
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("vuln.db");
    // An unreachable source is named in the error, and nothing is built.
    let out = plimsoll(
        &["db", "update", "--db", db.to_str().unwrap()],
        &[("PLIMSOLL_DB_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("127.0.0.1:9"),
        "{}",
        text(&out.stderr)
    );
    assert!(!db.exists());

    let server = Server::start();
    server.put(
        "/Go/all.zip",
        zip_of(&[("GO-1.json", advisory("GO-1", "Go", "example.org/m", &[]))]),
        None,
    );
    let config = tmp.path().join("plimsoll.toml");
    std::fs::write(
        &config,
        format!(
            "[db]\nbase_url = \"{}\"\necosystems = [\"Go\"]\npath = \"{}\"\n",
            server.url(),
            db.display()
        ),
    )
    .unwrap();
    let out = plimsoll(&["db", "update", "--config", config.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(status_json(&db)["database"]["advisories"], 1);

    let out = plimsoll(
        &[
            "db",
            "status",
            "--db",
            tmp.path().join("none.db").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("plimsoll db import"));
}

#[test]
fn an_import_with_nothing_valid_keeps_the_database_unless_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::write(
        good.join("DSA-1-1.json"),
        advisory("DSA-1-1", "Debian:12", "curl", &["CVE-2024-9"]),
    )
    .unwrap();
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("a.json"), "{").unwrap();
    std::fs::write(bad.join("b.json"), "{\"id\": 3}").unwrap();
    let db = tmp.path().join("vuln.db");
    let import = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "db",
            "import",
            dir.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        plimsoll(&args, &[])
    };
    assert!(import(&good, &[]).status.success());
    let before = std::fs::read(&db).unwrap();
    let out = import(&bad, &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no valid advisory") && err.contains("2 malformed"),
        "{err}"
    );
    assert!(
        err.contains("a.json"),
        "the malformed files are listed: {err}"
    );
    assert!(err.contains("--allow-empty"), "{err}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is left as it was"
    );
    let out = import(&bad, &["--allow-empty"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(status_json(&db)["database"]["advisories"], 0);
}
