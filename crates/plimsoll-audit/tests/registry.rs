//! The image-rule registry stays consistent: codes, names and practices
//! well formed, one rule per file named after it, every rule registered,
//! and the README's rule table saying exactly what the registry says.

use std::path::Path;

use plimsoll_testkit::rule_files::{assert_rule_files_match_registry, is_practice_id};

fn infos() -> Vec<plimsoll_report::RuleInfo> {
    plimsoll_audit::rule_infos()
}

#[test]
fn codes_are_consecutive_from_img001() {
    for (i, info) in infos().iter().enumerate() {
        assert_eq!(
            info.code,
            format!("IMG{:03}", i + 1),
            "registry order is code order"
        );
    }
}

#[test]
fn practices_are_practice_ids() {
    for info in infos() {
        assert!(
            is_practice_id(info.practice),
            "{}: practice '{}' is not P-[A-I]<n>",
            info.code,
            info.practice
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for info in infos() {
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

/// The `| IMG… |` rows of the README's "## Rules" section: (code, name,
/// practice, severity).
fn readme_rows() -> Vec<[String; 4]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Rules\n"))
        .expect("README has a \"## Rules\" section");
    section
        .lines()
        .filter(|l| l.starts_with("| IMG"))
        .map(|l| {
            let cells: Vec<String> = l
                .split('|')
                .skip(1)
                .take(4)
                .map(|c| c.trim().to_string())
                .collect();
            cells
                .try_into()
                .unwrap_or_else(|c| panic!("short README row {c:?}"))
        })
        .collect()
}

#[test]
fn readme_table_matches_the_registry() {
    let expected: Vec<[String; 4]> = infos()
        .iter()
        .map(|i| {
            [
                i.code.to_string(),
                i.name.to_string(),
                i.practice.to_string(),
                i.severity.to_string(),
            ]
        })
        .collect();
    assert_eq!(readme_rows(), expected, "README.md \"## Rules\" table");
}
