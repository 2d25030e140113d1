//! Every file of ../shared/testdata/advisories (real OSV records of many
//! ecosystems, plus non-OSV files that must be reported as malformed),
//! imported and checked against an independent count made by Python's json
//! module (tests/data/osv_count.py).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use plimsoll_vuln::db::{self, Database};
use plimsoll_vuln::import::import;
use serde_json::Value;

fn python_count(dir: &Path) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/osv_count.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(dir)
        .output()
        .expect("python3 is needed for the independent count");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn corpus() -> std::path::PathBuf {
    plimsoll_testkit::shared_testdata("advisories")
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn imports_every_shared_advisory_as_python_counts_them() {
    let dir = corpus();
    let expected = python_count(&dir);
    let imported = import(&[&dir]).unwrap();
    let report = imported.report.clone();

    assert_eq!(report.advisories, expected["advisories"].as_u64().unwrap());
    let withdrawn: Vec<&str> = expected["withdrawn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        !withdrawn.is_empty(),
        "the corpus holds withdrawn advisories"
    );
    assert_eq!(report.withdrawn, withdrawn.len() as u64);
    assert_eq!(
        report.malformed.len() as u64,
        expected["malformed"].as_u64().unwrap(),
        "{:#?}",
        &report.malformed[..report.malformed.len().min(5)]
    );
    assert_eq!(report.ignored_files, expected["ignored"].as_u64().unwrap());
    // The malformed files are the two non-OSV formats the corpus documents.
    for m in &report.malformed {
        assert!(
            m.file.contains("npm-nodejs-security-wg-legacy")
                || m.file.contains("osv-dev-vulnfeeds-parts"),
            "{m:?}"
        );
        assert!(!m.reason.is_empty());
    }

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("vuln.db");
    let meta = db::build(imported, &path).unwrap();
    let db = Database::open(&path).unwrap();

    let ecosystems: BTreeMap<String, u64> = meta
        .ecosystems
        .iter()
        .map(|e| (e.ecosystem.clone(), e.advisories))
        .collect();
    let expected_ecosystems: BTreeMap<String, u64> =
        serde_json::from_value(expected["ecosystems"].clone()).unwrap();
    assert_eq!(ecosystems, expected_ecosystems);

    for id in &withdrawn {
        assert!(
            db.advisory_by_id(id).unwrap().is_none(),
            "{id} is withdrawn"
        );
    }

    // Advisories naming the same single CVE are one vulnerability.
    let shared = expected["shared_cve"].as_object().unwrap();
    assert!(shared.len() >= 10, "the corpus has alias pairs to merge");
    for (cve, ids) in shared {
        let groups: Vec<(u32, String)> = ids
            .as_array()
            .unwrap()
            .iter()
            .map(|id| {
                let a = db.advisory_by_id(id.as_str().unwrap()).unwrap().unwrap();
                (a.group, a.vulnerability_id.clone())
            })
            .collect();
        assert!(groups.iter().all(|g| g == &groups[0]), "{cve}: {groups:?}");
        assert_eq!(&groups[0].1, cve);
    }

    // Every advisory is found under each package it affects.
    let files = files_by_stem(&dir);
    let mut lookups = 0;
    for i in 0..db.len() as u32 {
        let a = db.advisory(db::AdvisoryIndex(i)).unwrap();
        let file = std::fs::read(&files[&a.id]).unwrap();
        let v: Value = serde_json::from_slice(&file).unwrap();
        for aff in v["affected"].as_array().into_iter().flatten() {
            let (Some(eco), Some(name)) = (
                aff["package"]["ecosystem"].as_str(),
                aff["package"]["name"].as_str(),
            ) else {
                continue;
            };
            let hits = db.advisories_for(eco, name).unwrap();
            assert!(
                hits.iter().any(|h| h.advisory.id == a.id),
                "{} not under {eco}/{name}",
                a.id
            );
            lookups += 1;
        }
    }
    assert!(lookups > 1000, "{lookups}");
}

/// The corpus names each OSV file after its record's id.
fn files_by_stem(dir: &Path) -> BTreeMap<String, std::path::PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                out.insert(stem.to_string(), p.clone());
            }
        }
    }
    out
}

#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn the_same_records_in_a_zip_archive_import_the_same() {
    let dir = corpus();
    let from_dir = import(&[&dir]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("all.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
                w.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(&std::fs::read(&p).unwrap()).unwrap();
            }
        }
    }
    w.finish().unwrap();
    let from_zip = import(&[&archive]).unwrap();
    assert_eq!(from_zip.report.advisories, from_dir.report.advisories);
    assert_eq!(from_zip.report.withdrawn, from_dir.report.withdrawn);
    assert_eq!(
        from_zip.report.malformed.len(),
        from_dir.report.malformed.len()
    );
    let ids = |i: &plimsoll_vuln::import::Imported| i.ids().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(ids(&from_zip), ids(&from_dir));
}
