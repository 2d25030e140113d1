//! The Pod Security Standards oracle: the generated test Pods of
//! `kubernetes/pod-security-admission` (latest version, vendored in
//! `tests/pss/`, see its PROVENANCE) against plimsoll's verdict. Every Pod
//! under `{baseline,restricted}/v1.37/pass` must meet that level, every Pod
//! under `…/fail` must not.

use std::io::Read;

use plimsoll_runtime::kubernetes::read_manifests;
use plimsoll_runtime::pss::{Level, violations};

const ARCHIVE: &[u8] = include_bytes!("pss/testdata-v1.37.tar.gz");

#[test]
fn every_generated_pod_agrees_with_pod_security_admission() {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(ARCHIVE));
    let mut checked = std::collections::BTreeMap::<String, (usize, usize)>::new();
    let mut disagree = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        if !path.ends_with(".yaml") {
            continue;
        }
        // testdata/<level>/<version>/<pass|fail>/<name>.yaml
        let parts: Vec<&str> = path.split('/').collect();
        let [_, level, version, outcome, _] = parts[..] else {
            panic!("unexpected path {path}")
        };
        let level: Level = level.parse().unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let m = read_manifests(&path, &text).unwrap();
        assert_eq!(m.workloads.len(), 1, "{path}");
        let failed = violations(&m.workloads[0], level);
        let expect_pass = outcome == "pass";
        let counts = checked
            .entry(format!("{level} {version} {outcome}"))
            .or_default();
        counts.0 += 1;
        // A fail/ Pod is named after the check it breaks (`privileged1.yaml`):
        // that check (or, at restricted, the one overriding it) must be among
        // those failed.
        let stem = parts[4]
            .trim_end_matches(".yaml")
            .trim_end_matches(|c: char| c.is_ascii_digit());
        let check = match (level, stem) {
            (Level::Restricted, "capabilities_baseline") => "capabilities_restricted",
            (Level::Restricted, "hostpathvolumes") => "restrictedvolumes",
            (Level::Restricted, "procmount") => "procmount_restricted",
            (Level::Restricted, "seccompprofile_baseline") => "seccompprofile_restricted",
            (_, s) => s,
        };
        let named = failed.iter().any(|v| v.check.eq_ignore_ascii_case(check));
        if failed.is_empty() == expect_pass && (expect_pass || named) {
            counts.1 += 1;
        } else {
            disagree.push(format!("{path}: {failed:?}"));
        }
    }
    let summary: Vec<String> = checked
        .iter()
        .map(|(k, (n, ok))| format!("{k}: {ok} of {n} agree"))
        .collect();
    eprintln!("{}", summary.join("\n"));
    assert!(
        disagree.is_empty(),
        "{} disagree:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
    let total: usize = checked.values().map(|c| c.0).sum();
    assert_eq!(total, 148, "{summary:?}");
    assert_eq!(checked.len(), 4, "{summary:?}");
}
