//! The Pod Security Standards oracle: the generated test Pods of
//! `kubernetes/pod-security-admission` (latest version, vendored in
//! `tests/pss/`, see its PROVENANCE) against plimsoll's verdict. Every Pod
//! under `{baseline,restricted}/v1.37/pass` must meet that level, every Pod
//! under `…/fail` must fail it, on the check the file is named after.

use std::collections::BTreeMap;
use std::io::Read;

use plimsoll_runtime::kubernetes::read_manifests;
use plimsoll_runtime::pss::{Level, violations};

const ARCHIVE: &[u8] = include_bytes!("pss/testdata-v1.37.tar.gz");

/// Whether plimsoll agrees with the oracle on the Pod at
/// `<level>/<version>/<pass|fail>/<name>.yaml`.
fn agrees(level: &str, outcome: &str, file: &str, text: &str) -> bool {
    let level: Level = level.parse().unwrap();
    let m = read_manifests(file, text).unwrap();
    assert_eq!(m.workloads.len(), 1, "{file}");
    let failed = violations(&m.workloads[0], level);
    if outcome == "pass" {
        return failed.is_empty();
    }
    // A fail/ Pod is named after the check it breaks (`privileged1.yaml`):
    // that check (or, at restricted, the one overriding it) must be among
    // those failed.
    let stem = file
        .trim_end_matches(".yaml")
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let check = match (level, stem) {
        (Level::Restricted, "capabilities_baseline") => "capabilities_restricted",
        (Level::Restricted, "hostpathvolumes") => "restrictedvolumes",
        (Level::Restricted, "procmount") => "procmount_restricted",
        (Level::Restricted, "seccompprofile_baseline") => "seccompprofile_restricted",
        (_, s) => s,
    };
    failed.iter().any(|v| v.check.eq_ignore_ascii_case(check))
}

/// (level version outcome) → (pods, agreeing), and the paths that disagree.
type Tally = (BTreeMap<String, (usize, usize)>, Vec<String>);

fn tally<'a>(pods: impl Iterator<Item = (String, String)> + 'a) -> Tally {
    let mut counts = BTreeMap::<String, (usize, usize)>::new();
    let mut disagree = Vec::new();
    for (path, text) in pods {
        let parts: Vec<&str> = path.rsplit('/').take(4).collect();
        let [file, outcome, version, level] = parts[..] else {
            panic!("unexpected path {path}")
        };
        let c = counts
            .entry(format!("{level} {version} {outcome}"))
            .or_default();
        c.0 += 1;
        if agrees(level, outcome, file, &text) {
            c.1 += 1;
        } else {
            disagree.push(path);
        }
    }
    (counts, disagree)
}

#[test]
fn every_generated_pod_agrees_with_pod_security_admission() {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(ARCHIVE));
    let pods: Vec<(String, String)> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap())
        .filter_map(|mut e| {
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut text = String::new();
            e.read_to_string(&mut text).unwrap();
            path.ends_with(".yaml").then_some((path, text))
        })
        .collect();
    let (counts, disagree) = tally(pods.into_iter());
    let summary: Vec<String> = counts
        .iter()
        .map(|(k, (n, ok))| format!("{k}: {ok} of {n} agree"))
        .collect();
    eprintln!("{}", summary.join("\n"));
    assert!(disagree.is_empty(), "disagree:\n{}", disagree.join("\n"));
    assert_eq!(
        counts.values().map(|c| c.0).sum::<usize>(),
        148,
        "{summary:?}"
    );
    assert_eq!(counts.len(), 4, "{summary:?}");
}

/// Every version's Pods, from a checkout of the repository's
/// `test/testdata` named by `PLIMSOLL_PSS_TESTDATA`: prints how many agree
/// per level and version (the checks model the latest version only, so
/// older versions may differ; run with `--ignored --nocapture`).
#[test]
#[ignore]
fn older_versions_measured() {
    let dir = std::path::PathBuf::from(
        std::env::var("PLIMSOLL_PSS_TESTDATA").expect("PLIMSOLL_PSS_TESTDATA=…/test/testdata"),
    );
    let mut pods = Vec::new();
    for level in ["baseline", "restricted"] {
        for v in std::fs::read_dir(dir.join(level)).unwrap() {
            let v = v.unwrap().path();
            for outcome in ["pass", "fail"] {
                for f in std::fs::read_dir(v.join(outcome)).into_iter().flatten() {
                    let p = f.unwrap().path();
                    let text = std::fs::read_to_string(&p).unwrap();
                    pods.push((p.to_string_lossy().into_owned(), text));
                }
            }
        }
    }
    let (counts, disagree) = tally(pods.into_iter());
    let (n, ok) = counts
        .values()
        .fold((0, 0), |(n, ok), c| (n + c.0, ok + c.1));
    for (k, (n, ok)) in &counts {
        println!("{k}: {ok} of {n} agree");
    }
    println!("total: {ok} of {n} agree");
    for d in &disagree {
        println!("disagree: {d}");
    }
}
