//! `pnpm-lock.yaml`: every entry of its `packages` map, in the three key
//! forms pnpm has written:
//!
//! - lockfile v5 (`lockfileVersion: 5.4`): `/name/1.2.3`,
//!   `/@scope/name/1.2.3_peer@2.0.0` (peer suffix after `_`);
//! - v6 (`'6.0'`): `/name@1.2.3`, `/@scope/name@1.2.3(peer@2.0.0)`;
//! - v9 (`'9.0'`): `name@1.2.3`, without the leading `/` (peer variants
//!   live under `snapshots`, which name no further package).
//!
//! As syft 1.18 does, every entry counts, `dev: true` ones (v5, v6)
//! included: v9 no longer marks them, and a development dependency is still
//! code the project runs. So do the project's own (not development)
//! `dependencies` (top level in v5 and v6, under each of `importers` in
//! workspaces and v9), which a complete file also lists under `packages`;
//! an alias (`"string-width-cjs": "npm:string-width@4.2.3"`) counts under
//! the real package's name, as for `package-lock.json`.
//! Entries that name no registry version (a tarball URL, a git commit) are
//! passed over with a warning; workspace links (`link:../pkg`) silently.
//!
//! A package's `dependencies` and `optionalDependencies` (under
//! `packages` in v5 and v6, under `snapshots` in v9) become its
//! [`Parsed::dependencies`], peer suffixes aside.

use serde_json::Value;

use super::{LockedPackage, Parsed, yaml_document};
use crate::PackageType;
use crate::npm::npm_purl;

/// The major lockfile version: `5.4` (a YAML number) or `'6.0'`, `'9.0'`.
fn major(v: &Value) -> Option<u64> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    text.split('.').next()?.trim().parse().ok()
}

/// (name, version) of a `packages` key, in the form of lockfile `major`.
pub fn name_version(major: u64, key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let (name, version) = if major <= 5 {
        // `@scope/name/1.2.3_peer@2.0.0`: the version is the last segment,
        // up to the peer suffix.
        let (name, rest) = key.rsplit_once('/')?;
        (name, rest.split('_').next()?)
    } else {
        // `@scope/name@1.2.3(peer@2.0.0)(other@1.0.0)`: the `@` after the
        // first character (a scope's `@` is the first).
        let key = key.split('(').next()?;
        let at = key.get(1..)?.find('@')? + 1;
        (&key[..at], &key[at + 1..])
    };
    let registry_version =
        version.starts_with(|c: char| c.is_ascii_digit()) && !version.contains([':', '/', ' ']);
    let valid_name = !name.is_empty() && !name.contains(char::is_whitespace);
    (registry_version && valid_name).then_some((name, version))
}

/// The `packages` key a dependency `dep: version` (of an importer or of a
/// package) names: `/dep/1.2.3` (v5) or `/dep@1.2.3` (v6, v9), and for an
/// alias (`string-width-cjs: npm:string-width@4.2.3`) the real package's:
/// v5 and v6 write its key (`/string-width/4.2.3`, `/string-width@4.2.3`),
/// v9 `string-width@4.2.3`.
fn dependency_key(major: u64, dep: &str, version: &str) -> String {
    if version.starts_with('/') {
        version.to_string()
    } else if !version.starts_with(|c: char| c.is_ascii_digit()) && version.contains('@') {
        format!("/{version}")
    } else if major <= 5 {
        format!("/{dep}/{version}")
    } else {
        format!("/{dep}@{version}")
    }
}

/// Reads a `pnpm-lock.yaml`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc = match yaml_document(content, "pnpm-lock.yaml") {
        Ok(doc) => doc,
        Err(unreadable) => return unreadable,
    };
    let Value::Object(doc) = doc else {
        return Parsed::unreadable("not a YAML mapping: skipped".into());
    };
    let Some(major) = doc.get("lockfileVersion").and_then(major) else {
        return Parsed::unreadable("no lockfileVersion: not a pnpm lock file, skipped".into());
    };
    if !(5..=9).contains(&major) {
        return Parsed::unreadable(format!("lockfileVersion {major} unknown: skipped"));
    }
    let mut out = Parsed::default();
    let importers = doc.get("importers").and_then(Value::as_object);
    for deps in std::iter::once(doc.get("dependencies"))
        .chain(
            importers
                .into_iter()
                .flat_map(|i| i.values().map(|i| i.get("dependencies"))),
        )
        .flatten()
    {
        for (name, entry) in deps.as_object().into_iter().flatten() {
            // v5: `name: 1.2.3_peer`; v6, v9: `name: {specifier, version}`.
            let version = entry
                .as_str()
                .or_else(|| entry.get("version").and_then(Value::as_str))
                .unwrap_or("");
            if version.starts_with("link:") {
                continue;
            }
            let key = dependency_key(major, name, version);
            match name_version(major, &key) {
                Some((name, version)) => out.push(package(name, version)),
                None => out.warnings.push(format!(
                    "dependencies[{name:?}]: no registry version in {:?}: skipped",
                    crate::license::clip(version, 80)
                )),
            }
        }
    }
    // A project without dependencies has no `packages` at all.
    let Some(packages) = doc.get("packages") else {
        return out;
    };
    let Value::Object(packages) = packages else {
        out.warnings.push("\"packages\" is not a mapping: skipped");
        return out;
    };
    for key in packages.keys() {
        match name_version(major, key) {
            Some((name, version)) => out.push(package(name, version)),
            None => out.warnings.push(format!(
                "packages[{:?}]: no registry name and version: skipped",
                crate::license::clip(key, 80)
            )),
        }
    }
    let graph = if major >= 9 {
        doc.get("snapshots").and_then(Value::as_object)
    } else {
        Some(packages)
    };
    for (key, entry) in graph.into_iter().flatten() {
        let Some((name, version)) = name_version(major, key) else {
            continue;
        };
        let from = npm_purl(name, version);
        for field in ["dependencies", "optionalDependencies"] {
            for (dep, v) in entry
                .get(field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(v) = v.as_str() else { continue };
                if let Some((n, v)) = name_version(major, &dependency_key(major, dep, v)) {
                    let to = npm_purl(n, v);
                    if out.packages.iter().any(|p| p.purl == to) {
                        out.depends(&from, &to);
                    }
                }
            }
        }
    }
    out
}

fn package(name: &str, version: &str) -> LockedPackage {
    LockedPackage {
        package_type: PackageType::Npm,
        name: name.to_string(),
        version: version.to_string(),
        purl: npm_purl(name, version),
        licenses: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_forms() {
        assert_eq!(name_version(5, "/nanoid/3.3.4"), Some(("nanoid", "3.3.4")));
        assert_eq!(
            name_version(5, "/@size-limit/preset-small-lib/8.0.0_size-limit@8.0.0"),
            Some(("@size-limit/preset-small-lib", "8.0.0"))
        );
        assert_eq!(
            name_version(
                6,
                "/@testing-library/react@13.4.0(react-dom@18.2.0)(react@18.2.0)"
            ),
            Some(("@testing-library/react", "13.4.0"))
        );
        assert_eq!(
            name_version(9, "@babel/code-frame@7.26.2"),
            Some(("@babel/code-frame", "7.26.2"))
        );
        assert_eq!(name_version(9, "ms@2.0.0"), Some(("ms", "2.0.0")));
        // Not registry versions.
        assert_eq!(name_version(9, "pkg@https://example.org/pkg.tgz"), None);
        assert_eq!(name_version(9, "local@file:../local"), None);
        assert_eq!(name_version(6, "/@scope-only"), None);
        assert_eq!(name_version(9, ""), None);
    }

    fn read(path: &str) -> Parsed {
        let path = format!("{}/tests/data/lock/pnpm/{path}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read(path).unwrap())
    }

    #[test]
    fn generated_v9() {
        // `pnpm install --lockfile-only` (pnpm 9.15.9) of the package.json
        // of npm/v3: express 4.21.2, @babel/code-frame 7.26.2, dev left-pad.
        let p = read("generated-v9/pnpm-lock.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let text = std::fs::read_to_string(format!(
            "{}/tests/data/lock/pnpm/generated-v9/pnpm-lock.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(p.packages.len(), doc["packages"].as_object().unwrap().len());
        let pairs = p.sorted_pairs();
        assert!(pairs.contains(&("express", "4.21.2")));
        assert!(pairs.contains(&("left-pad", "1.3.0")));
        // Two versions of one package both count.
        assert!(pairs.contains(&("ms", "2.0.0")) && pairs.contains(&("ms", "2.1.3")));
        let babel = p
            .packages
            .iter()
            .find(|p| p.name == "@babel/code-frame")
            .unwrap();
        assert_eq!(babel.purl, "pkg:npm/%40babel/code-frame@7.26.2");
        // From `snapshots`: what express 4.21.2 and debug 2.6.9 depend on.
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
        assert_eq!(deps_of("pkg:npm/debug@2.6.9"), ["pkg:npm/ms@2.0.0"]);
        let express = deps_of("pkg:npm/express@4.21.2");
        assert_eq!(express.len(), 31, "{express:?}");
        assert!(express.contains(&"pkg:npm/body-parser@1.20.3"));
        assert_eq!(
            deps_of("pkg:npm/%40babel/code-frame@7.26.2"),
            [
                "pkg:npm/%40babel/helper-validator-identifier@7.29.17",
                "pkg:npm/js-tokens@4.0.0",
                "pkg:npm/picocolors@1.1.1",
            ]
        );
    }

    #[test]
    fn generated_alias() {
        // pnpm 9.15.9 for `"string-width-cjs": "npm:string-width@4.2.3"`
        // and wrap-ansi 8.1.0 (which needs string-width 5.1.2).
        let p = read("generated-alias/pnpm-lock.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let pairs = p.sorted_pairs();
        assert!(pairs.contains(&("string-width", "4.2.3")));
        assert!(pairs.contains(&("string-width", "5.1.2")));
        assert!(!pairs.iter().any(|(n, _)| *n == "string-width-cjs"));
        assert!(p.dependencies.contains(&(
            "pkg:npm/wrap-ansi@8.1.0".to_string(),
            "pkg:npm/string-width@5.1.2".to_string()
        )));
        assert_eq!(
            dependency_key(9, "string-width-cjs", "string-width@4.2.3"),
            "/string-width@4.2.3"
        );
        assert_eq!(
            dependency_key(6, "x", "/string-width@4.2.3"),
            "/string-width@4.2.3"
        );
        assert_eq!(dependency_key(5, "ms", "2.1.3"), "/ms/2.1.3");
        assert_eq!(
            dependency_key(9, "ms", "2.1.3(peer@1.0.0)"),
            "/ms@2.1.3(peer@1.0.0)"
        );
    }

    #[test]
    fn syft_fixtures_v5_v6_v9() {
        let p = read("v5/pnpm-lock.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("@bcoe/v8-coverage", "0.2.3"),
                ("nanoid", "3.3.4"),
                ("picocolors", "1.0.0"),
                ("source-map-js", "1.0.2"),
            ]
        );
        let p = read("v6/pnpm-lock.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), 10);
        // v6 keys with peer suffixes: react-dom 18.2.0(react@18.2.0) -> react.
        assert!(p.dependencies.contains(&(
            "pkg:npm/react-dom@18.2.0".to_string(),
            "pkg:npm/react@18.2.0".to_string()
        )));
        assert!(
            p.sorted_pairs()
                .contains(&("@testing-library/react", "13.4.0"))
        );
        let p = read("v9/pnpm-lock.yaml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("@babel/core", "7.24.7"),
                ("@babel/helper-plugin-utils", "7.24.7"),
                ("is-positive", "3.1.0"),
                ("rollup", "4.18.0"),
            ]
        );
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"\xff"[..], "not UTF-8"),
            (b"a: [", "not valid YAML"),
            (b"- 1\n", "not a YAML mapping"),
            (b"packages: {}\n", "no lockfileVersion"),
            (b"lockfileVersion: '3.0'\n", "lockfileVersion 3 unknown"),
            (b"lockfileVersion: '9.0'\npackages: 3\n", "is not a mapping"),
            (
                b"lockfileVersion: '9.0'\npackages:\n  x@git+ssh://h/x: {}\n",
                "no registry name and version",
            ),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
        assert_eq!(parse(b"lockfileVersion: '9.0'\n"), Parsed::default());
        // A workspace link is no package, and no error.
        let p = parse(
            b"lockfileVersion: '9.0'\nimporters:\n  app:\n    dependencies:\n      \
              lib:\n        specifier: workspace:*\n        version: link:../lib\n",
        );
        assert_eq!(p, Parsed::default());
    }
}
