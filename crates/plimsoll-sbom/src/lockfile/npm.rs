//! `package-lock.json` (and its twin `npm-shrinkwrap.json` is not read, as
//! syft does not): lockfile v2 and v3 list every installed package under
//! `packages`, keyed by its `node_modules/…` path; v1 nests them under
//! `dependencies`.
//!
//! As syft does, development-only packages (`"dev": true`) are left out,
//! the root project counts when it has a name, and an alias
//! (`"case-alias": {"name": "case"}`, v1's `"version": "npm:case@1.6.3"`)
//! counts under the real package's name. Unlike syft, v1's nested
//! `dependencies` (packages installed under another package, in another
//! version) count too, and workspace links (`"link": true`, without a
//! version) do not: the linked package's own entry does.
//!
//! In v2 and v3, each entry's `dependencies` and `optionalDependencies`
//! become its [`Parsed::dependencies`], resolved as Node resolves a
//! `require`: the nearest `node_modules/<name>` from the entry's own
//! directory up to the project's. In v1, each entry's `requires` do, resolved
//! the same way through the nesting of `dependencies` (v1 does not say
//! which packages the project itself requires).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::license::{normalize, push_unique};
use crate::npm::npm_purl;

fn package(name: &str, version: &str, licenses: Vec<String>) -> LockedPackage {
    LockedPackage {
        package_type: PackageType::Npm,
        name: name.to_string(),
        version: version.to_string(),
        purl: npm_purl(name, version),
        licenses,
    }
}

/// `license`: a string or an array of strings.
fn licenses(entry: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    match entry.get("license") {
        Some(Value::String(s)) => out.extend(normalize(s)),
        Some(Value::Array(items)) => {
            for l in items.iter().filter_map(Value::as_str).filter_map(normalize) {
                push_unique(&mut out, l);
            }
        }
        _ => {}
    }
    out
}

fn is_dev(entry: &Map<String, Value>) -> bool {
    entry.get("dev").and_then(Value::as_bool) == Some(true)
}

/// Reads a `package-lock.json`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return Parsed::unreadable(format!("not valid JSON ({e}): skipped")),
    };
    let Value::Object(doc) = doc else {
        return Parsed::unreadable("not a JSON object: skipped".into());
    };
    let mut out = Parsed::default();
    match doc.get("lockfileVersion").and_then(Value::as_u64) {
        Some(2 | 3) => packages(&doc, &mut out),
        Some(1) => {
            if let Some(Value::Object(deps)) = doc.get("dependencies") {
                dependencies_v1(deps, &mut out);
            }
        }
        Some(v) => out
            .warnings
            .push(format!("lockfileVersion {v} unknown: skipped")),
        None => out
            .warnings
            .push("no lockfileVersion: not a package-lock.json, skipped"),
    }
    out
}

/// The `packages` key a dependency `dep` of the entry at `from` resolves
/// to: `<from>/node_modules/<dep>`, else the same from each enclosing
/// package's directory, up to the project's `node_modules/<dep>`.
fn resolve(packages: &Map<String, Value>, from: &str, dep: &str) -> Option<String> {
    let mut base = from.to_string();
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{dep}")
        } else {
            format!("{base}/node_modules/{dep}")
        };
        if packages.contains_key(&candidate) {
            return Some(candidate);
        }
        if base.is_empty() {
            return None;
        }
        match base.rfind("node_modules/") {
            Some(i) => base.truncate(i.saturating_sub(1)),
            None => base.clear(),
        }
    }
}

/// v2/v3 `packages`.
fn packages(doc: &Map<String, Value>, out: &mut Parsed) {
    let Some(Value::Object(packages)) = doc.get("packages") else {
        out.warnings.push("no \"packages\" object: skipped");
        return;
    };
    // The purl each listed entry got, by its key.
    let mut purls: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (path, entry) in packages {
        let Value::Object(entry) = entry else {
            out.warnings
                .push(format!("packages[{path:?}] is not an object: skipped"));
            continue;
        };
        if is_dev(entry) || entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let declared = entry.get("name").and_then(Value::as_str);
        let name = match declared {
            Some(n) => n,
            None if path.is_empty() => continue, // an unnamed root project
            None => path.rsplit("node_modules/").next().unwrap_or(path),
        };
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() || name.contains(char::is_whitespace) {
            out.warnings
                .push(format!("packages[{path:?}]: invalid name: skipped"));
            continue;
        }
        let p = package(name, version, licenses(entry));
        purls.insert(path.as_str(), p.purl.clone());
        out.push(p);
    }
    for (path, entry) in packages {
        let Some(from) = purls.get(path.as_str()) else {
            continue;
        };
        for field in ["dependencies", "optionalDependencies"] {
            let deps = entry.get(field).and_then(Value::as_object);
            for dep in deps.into_iter().flat_map(|d| d.keys()) {
                if let Some(to) = resolve(packages, path, dep).and_then(|k| purls.get(k.as_str())) {
                    out.depends(from, to);
                }
            }
        }
    }
}

/// v1 `dependencies`, nested ones included; each entry's `requires`
/// become its [`Parsed::dependencies`].
fn dependencies_v1(deps: &Map<String, Value>, out: &mut Parsed) {
    let mut scopes = Vec::new();
    v1_level(deps, out, &mut scopes);
}

/// One level of v1's nesting: the packages it lists (the purl of each by
/// its key, returned), then their nested levels and `requires`. A
/// requirement resolves as Node resolves a `require`: the entry's own
/// nested `dependencies` first, then its level, then each enclosing one
/// (`scopes`, innermost last) up to the top.
fn v1_level(
    deps: &Map<String, Value>,
    out: &mut Parsed,
    scopes: &mut Vec<HashMap<String, String>>,
) -> HashMap<String, String> {
    let mut here = HashMap::new();
    let mut listed = Vec::new();
    for (key, entry) in deps {
        let Value::Object(entry) = entry else {
            out.warnings
                .push(format!("dependencies[{key:?}] is not an object: skipped"));
            continue;
        };
        if is_dev(entry) {
            continue;
        }
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        // An alias: `"version": "npm:real-name@1.2.3"`.
        let (name, version) = match version
            .strip_prefix("npm:")
            .and_then(|r| r.rsplit_once('@'))
        {
            Some((real, v)) if !real.is_empty() => (real, v),
            _ => (key.as_str(), version),
        };
        let p = package(name, version, Vec::new());
        here.insert(key.clone(), p.purl.clone());
        listed.push((entry, p.purl.clone()));
        out.push(p);
    }
    scopes.push(here);
    for (entry, from) in listed {
        let nested = match entry.get("dependencies") {
            Some(Value::Object(nested)) => v1_level(nested, out, scopes),
            _ => HashMap::new(),
        };
        let requires = entry.get("requires").and_then(Value::as_object);
        for dep in requires.into_iter().flat_map(|r| r.keys()) {
            let to = nested
                .get(dep)
                .or_else(|| scopes.iter().rev().find_map(|s| s.get(dep)));
            if let Some(to) = to {
                out.depends(&from, to);
            }
        }
    }
    scopes.pop().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &Parsed) -> Vec<(&str, &str)> {
        p.sorted_pairs()
    }

    #[test]
    fn npm_generated_v3() {
        // `npm install --package-lock-only` of express 4.21.2,
        // @babel/code-frame 7.26.2 and (dev) left-pad 1.3.0; see
        // tests/data/lock/PROVENANCE.md.
        let text = include_bytes!("../../tests/data/lock/npm/v3/package-lock.json");
        let p = parse(text);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let all: Value = serde_json::from_slice(text).unwrap();
        let entries = all["packages"].as_object().unwrap();
        let dev = entries.values().filter(|e| e["dev"] == true).count();
        assert!(dev >= 1);
        // Every entry but the dev ones; the root project is one of them.
        assert_eq!(p.packages.len(), entries.len() - dev);
        let pairs = pairs(&p);
        assert!(pairs.contains(&("lock-demo", "1.0.0")));
        assert!(pairs.contains(&("express", "4.21.2")));
        assert!(!pairs.iter().any(|(n, _)| *n == "left-pad"));
        let babel = p
            .packages
            .iter()
            .find(|p| p.name == "@babel/code-frame")
            .unwrap();
        assert_eq!(babel.purl, "pkg:npm/%40babel/code-frame@7.26.2");
        assert_eq!(babel.licenses, ["MIT"]);
        // The project depends on its two runtime dependencies (left-pad,
        // a dev one, is no package here); each edge resolved as Node does.
        let deps_of = |purl: &str| -> Vec<&str> {
            let mut v: Vec<&str> = p
                .dependencies
                .iter()
                .filter(|(f, _)| f == purl)
                .map(|(_, t)| t.as_str())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            deps_of("pkg:npm/lock-demo@1.0.0"),
            [
                "pkg:npm/%40babel/code-frame@7.26.2",
                "pkg:npm/express@4.21.2"
            ]
        );
        assert_eq!(deps_of("pkg:npm/debug@2.6.9"), ["pkg:npm/ms@2.0.0"]);
        // send 0.19.0 has its own ms 2.1.3 under node_modules/send/node_modules.
        assert!(deps_of("pkg:npm/send@0.19.0").contains(&"pkg:npm/ms@2.1.3"));
        assert_eq!(deps_of("pkg:npm/express@4.21.2").len(), 31);
    }

    /// The v1 section of a v2 file describes the same tree as its
    /// `packages`: v1's `requires` give the very edges v2's `dependencies`
    /// do, but for the project's own (v1 has no root entry).
    #[test]
    fn v1_requires_match_v2_edges() {
        let text = include_bytes!("../../tests/data/lock/npm/v2/package-lock.json");
        let doc: Value = serde_json::from_slice(text).unwrap();
        let doc = doc.as_object().unwrap();
        let mut v2 = Parsed::default();
        packages(doc, &mut v2);
        let mut v1 = Parsed::default();
        dependencies_v1(doc["dependencies"].as_object().unwrap(), &mut v1);
        assert!(v1.warnings.is_empty() && v2.warnings.is_empty());
        let root = "pkg:npm/lock-demo@1.0.0";
        let mut want: Vec<_> = v2.dependencies.iter().filter(|(f, _)| f != root).collect();
        let mut got: Vec<_> = v1.dependencies.iter().collect();
        want.sort();
        got.sort();
        assert!(got.len() > 60, "{}", got.len());
        assert_eq!(got, want);
        // send 0.19.0 requires ms, which it has nested (2.1.3); debug 2.6.9
        // the top level's (2.0.0).
        assert!(got.contains(&&("pkg:npm/send@0.19.0".into(), "pkg:npm/ms@2.1.3".into())));
        assert!(got.contains(&&("pkg:npm/debug@2.6.9".into(), "pkg:npm/ms@2.0.0".into())));
        // The whole file, read as v2, has the project's edges too.
        let whole = parse(text);
        assert_eq!(whole.dependencies.len(), v2.dependencies.len());
    }

    #[test]
    fn node_resolution() {
        let doc: Value = serde_json::from_str(
            r#"{"": {}, "node_modules/a": {}, "node_modules/b": {},
                "node_modules/a/node_modules/b": {}, "packages/w": {}}"#,
        )
        .unwrap();
        let m = doc.as_object().unwrap();
        let r = |from: &str, dep: &str| resolve(m, from, dep);
        assert_eq!(
            r("node_modules/a", "b").as_deref(),
            Some("node_modules/a/node_modules/b")
        );
        assert_eq!(r("node_modules/b", "a").as_deref(), Some("node_modules/a"));
        assert_eq!(
            r("node_modules/a/node_modules/b", "a").as_deref(),
            Some("node_modules/a")
        );
        assert_eq!(r("packages/w", "b").as_deref(), Some("node_modules/b"));
        assert_eq!(r("", "c"), None);
    }

    #[test]
    fn syft_fixtures_v1_v2_and_aliases() {
        let p = parse(include_bytes!(
            "../../tests/data/lock/npm/v1/package-lock.json"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert!(pairs(&p).contains(&("cowsay", "1.4.0")));
        let p = parse(include_bytes!(
            "../../tests/data/lock/npm/alias-v1/package-lock.json"
        ));
        assert!(pairs(&p).contains(&("case", "1.6.3")));
        let p = parse(include_bytes!(
            "../../tests/data/lock/npm/alias-v2/package-lock.json"
        ));
        assert_eq!(
            pairs(&p),
            [
                ("@bundled-es-modules/chai", "4.2.2"),
                ("alias-check", "1.0.0"),
                ("case", "1.6.2"),
                ("case", "1.6.3"),
            ]
        );
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"{"[..], "not valid JSON"),
            (b"[]", "not a JSON object"),
            (b"{\"name\":\"x\"}", "no lockfileVersion"),
            (b"{\"lockfileVersion\":9}", "lockfileVersion 9 unknown"),
            (b"{\"lockfileVersion\":3}", "no \"packages\" object"),
            (
                b"{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":1}}",
                "is not an object",
            ),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
    }
}
