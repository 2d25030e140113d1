//! The Pod Security Standards oracle: the generated test Pods of
//! `kubernetes/pod-security-admission` (every version, v1.0 to v1.37,
//! vendored in `tests/pss/`, see its PROVENANCE) against plimsoll's verdict
//! under that version's checks. Every Pod under
//! `{baseline,restricted}/v1.N/pass` must meet that level, every Pod under
//! `…/fail` must fail it, on the check the file is named after.

use std::collections::BTreeMap;
use std::io::Read;

use plimsoll_runtime::kubernetes::read_manifests;
use plimsoll_runtime::pss::{Level, violations_at};

const ARCHIVE: &[u8] = include_bytes!("pss/testdata.tar.zst");

/// Whether plimsoll agrees with the oracle on the Pod at
/// `<level>/<version>/<pass|fail>/<name>.yaml`.
fn agrees(level: &str, version: &str, outcome: &str, file: &str, text: &str) -> bool {
    let level: Level = level.parse().unwrap();
    let minor: u32 = version
        .strip_prefix("v1.")
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("version {version}"));
    let m = read_manifests(file, text).unwrap();
    assert_eq!(m.workloads.len(), 1, "{file}");
    let failed = violations_at(&m.workloads[0], level, minor);
    if outcome == "pass" {
        return failed.is_empty();
    }
    // A fail/ Pod is named after the check it breaks (`privileged1.yaml`):
    // that check (or, at restricted, the one overriding it) must be among
    // those failed.
    let stem = file
        .trim_end_matches(".yaml")
        .trim_end_matches(|c: char| c.is_ascii_digit());
    // (Overrides as that version has them.)
    let check = match (level, stem) {
        (Level::Restricted, "capabilities_baseline") if minor >= 22 => "capabilities_restricted",
        (Level::Restricted, "hostpathvolumes") => "restrictedvolumes",
        (Level::Restricted, "procmount") if minor >= 35 => "procmount_restricted",
        (Level::Restricted, "seccompprofile_baseline") if minor >= 19 => {
            "seccompprofile_restricted"
        }
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
        if agrees(level, version, outcome, file, &text) {
            c.1 += 1;
        } else {
            disagree.push(path);
        }
    }
    (counts, disagree)
}

#[test]
fn every_generated_pod_agrees_with_pod_security_admission() {
    let mut archive = tar::Archive::new(zstd::stream::read::Decoder::new(ARCHIVE).unwrap());
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
    // 38 versions, 2 levels, pass and fail: 4537 Pods, 148 of them v1.37's.
    assert_eq!(
        counts.values().map(|c| c.0).sum::<usize>(),
        4537,
        "{summary:?}"
    );
    assert_eq!(counts.len(), 38 * 4, "{summary:?}");
    let latest: usize = counts
        .iter()
        .filter(|(k, _)| k.contains(" v1.37 "))
        .map(|(_, c)| c.1)
        .sum();
    assert_eq!(latest, 148, "{summary:?}");
}
