//! Every file of the Compose corpus (tests/compose-corpus, real files with
//! their provenance) is read without an error and audited; two shapes
//! compose-lint's comparison found plimsoll wrong on stay fixed: YAML
//! merge keys (`<<: *common`) and a relative bind mount (`.:/code`, the
//! project directory, not the host's root).

use std::path::{Path, PathBuf};

use plimsoll_report::Policy;
use plimsoll_runtime::AuditOptions;
use plimsoll_runtime::compose::Variables;
use plimsoll_runtime::files::{SourceKind, audit_file, manifests_under};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compose-corpus")
}

fn codes(file: &str) -> Vec<(String, String)> {
    let audits = audit_file(
        &corpus().join(file),
        Some(SourceKind::Compose),
        &Variables::default(),
        &AuditOptions::default(),
        &Policy::default(),
    );
    audits
        .iter()
        .flat_map(|a| &a.findings)
        .map(|f| {
            let service = f
                .location
                .field
                .as_deref()
                .and_then(|x| x.split_whitespace().next())
                .unwrap_or("")
                .to_string();
            (service, f.code.clone())
        })
        .collect()
}

#[test]
fn every_corpus_file_is_read_and_audited() {
    let files = manifests_under(&corpus()).unwrap();
    assert!(files.len() >= 75, "corpus shrank: {} files", files.len());
    let mut findings = 0;
    for f in &files {
        let audits = audit_file(
            f,
            Some(SourceKind::Compose),
            &Variables::default(),
            &AuditOptions::default(),
            &Policy::default(),
        );
        for a in &audits {
            assert!(a.error.is_none(), "{}: {:?}", a.path, a.error);
        }
        assert!(
            audits.iter().map(|a| a.workloads.len()).sum::<usize>() > 0,
            "{}: no service read",
            f.display()
        );
        findings += audits.iter().map(|a| a.findings.len()).sum::<usize>();
    }
    assert!(findings > 1000, "{findings}");
}

#[test]
fn merge_keys_carry_settings_into_services() {
    let got = codes("compose-lint/tests/valid_anchors_seq_merge.yml");
    // `<<: [*base, *secure]` brings no-new-privileges and read_only.
    for code in ["CFG005", "CFG014"] {
        assert!(!got.iter().any(|(_, c)| c == code), "{code} in {got:?}");
    }
    // What the anchors do not set is still reported.
    assert!(got.iter().any(|(s, c)| s == "service/web" && c == "CFG003"));
}

#[test]
fn a_relative_bind_mount_is_the_project_not_the_host_root() {
    let got = codes("awesome-compose/flask-redis/compose.yaml");
    assert!(!got.iter().any(|(_, c)| c == "CFG008"), "{got:?}");
    let got = codes("compose-lint/tests/insecure_sensitive_mount.yml");
    assert!(
        got.iter()
            .any(|(s, c)| s == "service/mounts_home" && c == "CFG008"),
        "{got:?}"
    );
}
