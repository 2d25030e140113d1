//! The configuration-rule registry stays consistent: codes, names and
//! practices well formed, one rule per file named after it, every rule
//! registered, and the README's rule table saying what the registry says.

use std::path::Path;

use plimsoll_testkit::rule_files::{
    assert_rule_files_match_registry, is_kebab_case, is_practice_id,
};

fn infos() -> Vec<plimsoll_report::RuleInfo> {
    plimsoll_runtime::rule_infos()
}

#[test]
fn codes_are_consecutive_from_cfg001_and_well_formed() {
    for (i, info) in infos().iter().enumerate() {
        assert_eq!(
            info.code,
            format!("CFG{:03}", i + 1),
            "registry order is code order"
        );
        assert!(is_kebab_case(info.name), "{}: {}", info.code, info.name);
        assert!(
            is_practice_id(info.practice),
            "{}: {}",
            info.code,
            info.practice
        );
        assert!(!info.summary().is_empty(), "{} has no doc", info.code);
        assert!(info.doc.contains("Fix:"), "{} says no fix", info.code);
    }
}

#[test]
fn rule_files_are_named_after_their_registered_rules() {
    let infos = infos();
    let registered: Vec<(&str, &str)> = infos.iter().map(|i| (i.code, i.name)).collect();
    assert_rule_files_match_registry(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules"),
        &["mod.rs"],
        &registered,
    );
}

#[test]
fn readme_table_matches_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<Vec<String>> = readme
        .lines()
        .filter(|l| l.starts_with("| CFG"))
        .map(|l| {
            l.split('|')
                .skip(1)
                .take(4)
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = infos()
        .iter()
        .map(|i| {
            vec![
                i.code.into(),
                i.name.into(),
                i.practice.into(),
                i.severity.to_string(),
            ]
        })
        .collect();
    assert_eq!(rows, expected, "README.md configuration rule table");
}
