//! Every rule names a practice that `docs/practices.md` defines, so
//! `plimsoll rule` can always print why a finding matters.

use plimsoll_practice::practices::{all, practice};

#[test]
fn every_rule_names_a_practice_of_the_document() {
    let rules: Vec<(&str, &str)> = plimsoll_audit::rule_infos()
        .into_iter()
        .chain(plimsoll_lint::rules())
        .chain(plimsoll_runtime::rule_infos())
        .chain(plimsoll_host::rule_infos())
        .chain([plimsoll_vuln::report::VULNERABLE_PACKAGE])
        .map(|r| (r.code, r.practice))
        .collect();
    assert!(rules.len() > 50, "{} rules", rules.len());
    let missing: Vec<_> = rules
        .iter()
        .filter(|(_, id)| practice(id).is_none_or(|p| p.id != *id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules naming a practice docs/practices.md does not define (exactly): {missing:?}"
    );
}

#[test]
fn the_document_defines_the_practices_of_every_group() {
    let groups: String = all()
        .iter()
        .filter_map(|p| p.id.strip_prefix("P-")?.chars().next())
        .fold(String::new(), |mut s, g| {
            if !s.ends_with(g) {
                s.push(g);
            }
            s
        });
    assert_eq!(groups, "ABCDEFHI");
}
