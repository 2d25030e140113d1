//! The Dockerfile-rule registry and the rule files agree: one rule per
//! file, named after it, every rule registered (codes and order are checked
//! by `registry_is_consistent` in src/lib.rs).

use std::path::Path;

use plimsoll_testkit::rule_files::{assert_rule_files_match_registry, is_practice_id};

#[test]
fn rule_files_are_named_after_their_registered_rules() {
    let infos = plimsoll_lint::rules();
    let registered: Vec<(&str, &str)> = infos.iter().map(|i| (i.code, i.name)).collect();
    assert_rule_files_match_registry(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules"),
        // Shared helpers of the package-manager and label rules, and the registry.
        &["mod.rs", "package_managers.rs", "label_schema.rs"],
        &registered,
    );
}

#[test]
fn practices_are_practice_ids() {
    for info in plimsoll_lint::rules() {
        assert!(
            is_practice_id(info.practice),
            "{}: practice '{}' is not P-[A-I]<n>",
            info.code,
            info.practice
        );
    }
}
