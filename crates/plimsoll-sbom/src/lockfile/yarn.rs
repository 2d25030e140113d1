//! `yarn.lock`, classic (v1, a YAML-like format of its own) and berry
//! (v2+, YAML): one entry per resolved package, headed by the selectors
//! that resolve to it.
//!
//! ```text
//! "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":   # classic
//!   version "7.10.4"
//! "@babel/code-frame@npm:7.10.4":                           # berry
//!   version: 7.10.4
//!   resolution: "@babel/code-frame@npm:7.10.4"
//! ```
//!
//! The name is berry's `resolution` (so aliases and patches count under the
//! real package), else the first selector's (classic aliases,
//! `alias@npm:real@^1`, under the real name); the version is `version`.
//! Each (name, version) counts once, as syft counts them. Berry's
//! workspace, link and portal entries (the project's own packages, version
//! `0.0.0-use.local`) are no dependencies and are left out; syft lists
//! them.

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::npm::npm_purl;

/// `name` of `name@range` (a scope's leading `@` is part of the name).
fn split_selector(selector: &str) -> Option<(&str, &str)> {
    let at = selector.get(1..)?.find('@')? + 1;
    Some((&selector[..at], &selector[at + 1..]))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

#[derive(Default)]
struct Entry {
    header: String,
    line: usize,
    version: Option<String>,
    resolution: Option<String>,
}

/// Reads a `yarn.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a yarn.lock, skipped".into());
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            entries.push(Entry {
                header: line.trim_end_matches(':').to_string(),
                line: n + 1,
                ..Entry::default()
            });
            continue;
        }
        // Only the entry's own keys (two spaces in), not `dependencies:`' items.
        let Some(field) = line.strip_prefix("  ").filter(|f| !f.starts_with(' ')) else {
            continue;
        };
        let Some(entry) = entries.last_mut() else {
            continue;
        };
        let (key, value) = match field.split_once(": ") {
            Some((k, v)) => (k, v),
            None => field.split_once(' ').unwrap_or((field, "")),
        };
        match key {
            "version" => entry.version = Some(unquote(value).to_string()),
            "resolution" => entry.resolution = Some(unquote(value).to_string()),
            _ => {}
        }
    }
    let mut out = Parsed::default();
    for e in entries {
        if e.header == "__metadata" {
            continue;
        }
        let Some(version) = e.version.filter(|v| !v.is_empty()) else {
            out.warnings
                .push(format!("line {}: entry without a version: skipped", e.line));
            continue;
        };
        let name = if let Some(res) = &e.resolution {
            let Some((name, rest)) = split_selector(res) else {
                out.warnings.push(format!(
                    "line {}: resolution {res:?} unreadable: skipped",
                    e.line
                ));
                continue;
            };
            let protocol = rest.split(':').next().unwrap_or("");
            if matches!(protocol, "workspace" | "link" | "portal") {
                continue;
            }
            name.to_string()
        } else {
            let first = e.header.split(", ").next().unwrap_or("");
            let Some((name, range)) = split_selector(unquote(first)) else {
                out.warnings.push(format!(
                    "line {}: header {:?} unreadable: skipped",
                    e.line,
                    crate::license::clip(&e.header, 60)
                ));
                continue;
            };
            match range.strip_prefix("npm:").and_then(split_selector) {
                Some((real, _)) => real.to_string(),
                None => name.to_string(),
            }
        };
        out.push(LockedPackage {
            package_type: PackageType::Npm,
            purl: npm_purl(&name, &version),
            name,
            version,
            licenses: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &Parsed) -> Vec<(&str, &str)> {
        p.sorted_pairs()
    }

    #[test]
    fn syft_fixtures_classic_and_berry() {
        // syft's fixtures, `resolved` lines removed (see PROVENANCE.md).
        let classic = parse(include_bytes!(
            "../../tests/data/lock/yarn/classic/yarn.lock"
        ));
        assert!(classic.warnings.is_empty(), "{:?}", classic.warnings);
        let berry = parse(include_bytes!("../../tests/data/lock/yarn/berry/yarn.lock"));
        assert!(berry.warnings.is_empty(), "{:?}", berry.warnings);
        // The same project, locked by both: the same packages, but for the
        // project itself, a dependency in the classic fixture and the
        // workspace (left out) in the berry one.
        let project = ("c0n-fab_u.laTION", "7.7.7");
        let mut without: Vec<_> = pairs(&classic);
        without.retain(|p| *p != project);
        assert_eq!(without, pairs(&berry));
        assert_eq!(pairs(&classic).len(), 9);
        assert!(pairs(&classic).contains(&("@babel/code-frame", "7.10.4")));
        assert!(pairs(&classic).contains(&("@types/qs", "6.9.4")));
        assert_eq!(
            pairs(&classic)
                .iter()
                .filter(|(n, _)| *n == "@types/qs")
                .count(),
            1
        );
    }

    #[test]
    fn generated_locks_agree_with_npm() {
        // yarn 1.22.22 and yarn 4.5.3 (lockfile v8) locks of the package.json
        // the npm v3 fixture was locked from (see PROVENANCE.md): the same
        // packages as npm's, but for the root project (a workspace entry in
        // berry, absent in classic) and the development dependency (yarn
        // does not mark it).
        let npm = super::super::npm::parse(include_bytes!(
            "../../tests/data/lock/npm/v3/package-lock.json"
        ));
        let mut expected: Vec<(&str, &str)> = pairs(&npm);
        expected.retain(|p| *p != ("lock-demo", "1.0.0"));
        expected.push(("left-pad", "1.3.0"));
        expected.sort();
        for lock in [
            &include_bytes!("../../tests/data/lock/yarn/generated-classic/yarn.lock")[..],
            include_bytes!("../../tests/data/lock/yarn/generated-berry/yarn.lock"),
        ] {
            let p = parse(lock);
            assert!(p.warnings.is_empty(), "{:?}", p.warnings);
            assert_eq!(pairs(&p), expected);
        }
    }

    #[test]
    fn aliases_patches_and_workspaces() {
        let p = parse(
            b"\"string-width-cjs@npm:string-width@^4.2.0\":\n  version \"4.2.3\"\n\n\
              \"resolve@patch:resolve@^1.1.7#~builtin<compat/resolve>\":\n  version: 1.22.2\n  \
              resolution: \"resolve@patch:resolve@npm%3A1.22.2#~builtin<compat/resolve>::version=1.22.2\"\n\n\
              \"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n\n\
              \"nover@^1\":\n  dependencies:\n    x \"1\"\n",
        );
        assert_eq!(
            pairs(&p),
            [("resolve", "1.22.2"), ("string-width", "4.2.3")]
        );
        assert_eq!(
            p.warnings.as_slice(),
            ["line 12: entry without a version: skipped"]
        );
    }
}
