//! Checks that keep a rule family's files and registry in step: one rule
//! per file, the file named after the rule (`ssh-server` in
//! `ssh_server.rs`), and every declared rule registered. Shared by the
//! image rules (plimsoll-audit) and the Dockerfile rules (plimsoll-lint).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One `declare_rule!` found in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredRule {
    pub code: String,
    pub name: String,
}

/// The first string literal after `key: "` in `text`.
fn literal_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = text.find(&format!("{key}: \""))? + key.len() + 3;
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

/// The rules `declare_rule!` declares in `source`, in order.
pub fn declared_rules(source: &str) -> Vec<DeclaredRule> {
    source
        .match_indices("declare_rule!")
        .map(|(at, _)| {
            // The fields follow `pub struct Name {`, after the doc comment.
            let body = &source[at..];
            let body = &body[..body.find("\n}").unwrap_or(body.len())];
            let body = &body[body.find("pub struct").unwrap_or(0)..];
            DeclaredRule {
                code: literal_after(body, "code").unwrap_or_default().to_string(),
                name: literal_after(body, "name").unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// Lower-case words joined by single hyphens: `writable-path-binary`.
pub fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A practice id of the practices catalogue (docs/practices.md of the
/// shared checkout): `P-`, a section letter A–I (I: the build platform)
/// and a number, e.g. `P-C3`.
pub fn is_practice_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() >= 4
        && b.starts_with(b"P-")
        && (b'A'..=b'I').contains(&b[2])
        && b[3..].iter().all(u8::is_ascii_digit)
}

/// Asserts that the `*.rs` files of `dir` and the registry (`registered`:
/// (code, name) of every rule, in registry order) agree: every file but the
/// `helpers` declares exactly one rule, named like the file (`-` as `_`),
/// which is registered; helpers declare none; every registered rule has
/// its file; names are kebab-case and unique.
#[track_caller]
pub fn assert_rule_files_match_registry(dir: &Path, helpers: &[&str], registered: &[(&str, &str)]) {
    let mut files: BTreeMap<String, Vec<DeclaredRule>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
    {
        let path = entry.expect("a directory entry").path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if !file.ends_with(".rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        files.insert(file.to_string(), declared_rules(&source));
    }
    for helper in helpers {
        let declared = files.remove(*helper).unwrap_or_else(|| {
            panic!(
                "helper module {helper} is gone from {}: update the allowlist",
                dir.display()
            )
        });
        assert!(
            declared.is_empty(),
            "helper module {helper} declares rules: {declared:?}"
        );
    }

    let registry: BTreeMap<&str, &str> = registered.iter().map(|(c, n)| (*n, *c)).collect();
    let mut names = BTreeSet::new();
    for (code, name) in registered {
        assert!(
            is_kebab_case(name),
            "{code}: name '{name}' is not kebab-case"
        );
        assert!(names.insert(*name), "{code}: name '{name}' is used twice");
    }

    let mut with_files = BTreeSet::new();
    for (file, declared) in &files {
        assert_eq!(
            declared.len(),
            1,
            "{}/{file} must declare exactly one rule: {declared:?}",
            dir.display()
        );
        let rule = &declared[0];
        assert_eq!(
            file.as_str(),
            format!("{}.rs", rule.name.replace('-', "_")),
            "{} {} lives in {file}: a rule file is named after its rule",
            rule.code,
            rule.name
        );
        assert_eq!(
            registry.get(rule.name.as_str()).copied(),
            Some(rule.code.as_str()),
            "{} {} ({file}) is not registered under its code",
            rule.code,
            rule.name
        );
        with_files.insert(rule.name.as_str());
    }
    for (code, name) in registered {
        assert!(
            with_files.contains(name),
            "{code} {name} is registered but no file of {} declares it",
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_declarations() {
        let src = "declare_rule! {\n    /// Doc with name: \"x\".\n    pub struct A {\n        code: \"IMG001\",\n        name: \"runs-as-root\",\n    }\n}\n";
        assert_eq!(
            declared_rules(src),
            [DeclaredRule {
                code: "IMG001".into(),
                name: "runs-as-root".into()
            }]
        );
    }

    #[test]
    fn practice_ids() {
        assert!(is_practice_id("P-C3"));
        assert!(is_practice_id("P-H12"));
        assert!(is_practice_id("P-I4"));
        for bad in ["P-J1", "P-C", "C3", "P-c3", "P-C3a"] {
            assert!(!is_practice_id(bad), "{bad}");
        }
    }

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("ssh-server"));
        assert!(is_kebab_case("dnf-missing-yes"));
        for bad in [
            "",
            "ssh_server",
            "SSH-server",
            "ssh--server",
            "-ssh",
            "ssh-",
        ] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }
}
