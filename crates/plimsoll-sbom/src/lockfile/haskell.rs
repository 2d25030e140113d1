//! Haskell (Hackage packages), in the three files syft's
//! `haskell-cataloger` reads:
//!
//! - Stack's `stack.yaml`: its `extra-deps`, the packages a project adds
//!   to its snapshot, each `name-version` with an optional
//!   `@sha256:<hash>,<size>` or `@rev:<n>` (entries that are no such
//!   string, a git or local dependency, are left out);
//! - Stack's `stack.yaml.lock`: the `completed.hackage` of each entry of
//!   `packages` (a git dependency has none and is left out, as syft does);
//! - cabal's `cabal.project.freeze`: each `any.<name> ==<version>`
//!   constraint (flag settings such as `tls +compat` pin nothing).
//!
//! The version of `name-version` is what follows the last `-` (Hackage
//! names may hold `-`, versions never do). The purl is
//! `pkg:hackage/<name>@<version>`, as syft writes it. The snapshot
//! (`resolver: lts-18.28`) a Stack project builds on is not expanded into
//! its packages (syft does not either: that takes the snapshot's file).

use serde_json::Value;

use super::{LockedPackage, Parsed, yaml_document};
use crate::PackageType;
use crate::purl::purl;

/// `pkg:hackage/<name>@<version>`.
pub fn hackage_purl(name: &str, version: &str) -> String {
    purl("hackage", None, name, version, &[])
}

/// `name-version[@…]` as (name, version): None unless the version is one
/// (digits and dots).
pub fn name_version(encoded: &str) -> Option<(&str, &str)> {
    let encoded = encoded.split('@').next().unwrap_or(encoded).trim();
    let (name, version) = encoded.rsplit_once('-')?;
    let is_version = !version.is_empty()
        && version
            .split('.')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    (!name.is_empty() && is_version).then_some((name, version))
}

fn package(name: &str, version: &str) -> LockedPackage {
    LockedPackage {
        package_type: PackageType::Hackage,
        name: name.to_string(),
        version: version.to_string(),
        purl: hackage_purl(name, version),
        licenses: Vec::new(),
    }
}

/// Reads a `stack.yaml`.
pub fn parse_stack_yaml(content: &[u8]) -> Parsed {
    let doc = match yaml_document(content, "Stack or cabal file") {
        Ok(v) => v,
        Err(p) => return p,
    };
    let mut out = Parsed::default();
    let deps = doc.get("extra-deps").and_then(Value::as_array);
    for dep in deps.into_iter().flatten() {
        // A map is a git or URL dependency, a path a local one: no
        // Hackage version.
        let Some(s) = dep.as_str().filter(|s| !s.contains('/')) else {
            continue;
        };
        match name_version(s) {
            Some((name, version)) => out.push(package(name, version)),
            None => out.warnings.push(format!(
                "extra-deps: {:?} is no `name-version`: skipped",
                crate::license::clip(s, 60)
            )),
        }
    }
    out
}

/// Reads a `stack.yaml.lock`.
pub fn parse_stack_lock(content: &[u8]) -> Parsed {
    let doc = match yaml_document(content, "Stack or cabal file") {
        Ok(v) => v,
        Err(p) => return p,
    };
    let mut out = Parsed::default();
    let packages = doc.get("packages").and_then(Value::as_array);
    for (i, p) in packages.into_iter().flatten().enumerate() {
        let Some(s) = p
            .get("completed")
            .and_then(|c| c.get("hackage"))
            .and_then(Value::as_str)
        else {
            continue; // a git dependency
        };
        match name_version(s) {
            Some((name, version)) => out.push(package(name, version)),
            None => out.warnings.push(format!(
                "packages[{i}]: {:?} is no `name-version`: skipped",
                crate::license::clip(s, 60)
            )),
        }
    }
    out
}

/// Reads a `cabal.project.freeze`.
pub fn parse_cabal_freeze(content: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(content);
    let mut out = Parsed::default();
    for line in text.lines() {
        let Some((_, rest)) = line.split_once("any.") else {
            continue;
        };
        let constraint = rest.split(',').next().unwrap_or(rest);
        // `any.zlib -bundled-c-zlib`: a flag, no version.
        let Some((name, version)) = constraint.split_once("==") else {
            continue;
        };
        let (name, version) = (name.trim(), version.trim());
        if !name.is_empty() && !version.is_empty() {
            out.push(package(name, version));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_stack_yaml() {
        let p = parse_stack_yaml(include_bytes!("../../tests/data/lock/haskell/stack.yaml"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let pairs = p.sorted_pairs();
        assert_eq!(pairs.len(), 8);
        assert!(pairs.contains(&("ShellCheck", "0.8.0")));
        assert!(pairs.contains(&("hspec-discover", "2.9.4")));
        assert!(pairs.contains(&("spdx", "1.0.0.2")));
        assert_eq!(
            p.packages[0].purl, "pkg:hackage/ShellCheck@0.8.0",
            "{:?}",
            p.packages[0]
        );
        assert_eq!(p.packages[0].package_type, PackageType::Hackage);
    }

    #[test]
    fn syft_stack_lock() {
        let text = include_str!("../../tests/data/lock/haskell/stack.yaml.lock");
        let p = parse_stack_lock(text.as_bytes());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        // Every `completed:` Hackage entry, and the git one (kore) left out.
        let lines: Vec<&str> = text.lines().collect();
        let hackage = lines
            .windows(2)
            .filter(|w| w[0] == "- completed:" && w[1].starts_with("    hackage: "))
            .count();
        assert!(hackage > 5);
        assert_eq!(p.packages.len(), hackage);
        let pairs = p.sorted_pairs();
        assert!(pairs.contains(&("HTTP", "4000.3.16")));
        assert!(pairs.contains(&("hasql-dynamic-statements", "0.3.1.1")));
        assert!(!pairs.iter().any(|(n, _)| *n == "kore"));
    }

    #[test]
    fn syft_cabal_freeze() {
        let p = parse_cabal_freeze(include_bytes!(
            "../../tests/data/lock/haskell/cabal.project.freeze"
        ));
        assert_eq!(
            p.sorted_pairs(),
            [
                ("Cabal", "3.2.1.0"),
                ("Diff", "0.4.1"),
                ("HTTP", "4000.3.16"),
                ("HUnit", "1.6.2.0"),
                ("OneTuple", "0.3.1"),
                ("Only", "0.1"),
                ("PyF", "0.10.2.0"),
                ("QuickCheck", "2.14.2"),
                ("RSA", "2.4.1"),
                ("SHA", "1.6.4.4"),
                ("Spock", "0.14.0.0"),
            ]
        );
        let p =
            parse_cabal_freeze(b"constraints: any.zlib -bundled-c-zlib,\n  any.base ==4.18.2.1\n");
        assert_eq!(p.sorted_pairs(), [("base", "4.18.2.1")]);
    }

    #[test]
    fn corrupt_files_warn() {
        for f in ["stack.yaml", "stack.yaml.lock"] {
            let bytes = std::fs::read(format!(
                "{}/tests/data/lock/haskell/corrupt/{f}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let p = if f == "stack.yaml" {
                parse_stack_yaml(&bytes)
            } else {
                parse_stack_lock(&bytes)
            };
            assert!(p.packages.is_empty(), "{f}");
            assert_eq!(p.warnings.len(), 1, "{f}: {:?}", p.warnings);
        }
    }

    #[test]
    fn names_and_versions() {
        assert_eq!(
            name_version("hspec-core-2.9.4@sha256:a1,6498"),
            Some(("hspec-core", "2.9.4"))
        );
        assert_eq!(
            name_version("acme-missiles-0.3@rev:0"),
            Some(("acme-missiles", "0.3"))
        );
        assert_eq!(name_version("./vendor/lib"), None);
        assert_eq!(name_version("text-"), None);
        assert_eq!(name_version("-1.0"), None);
        let p = parse_stack_yaml(
            b"extra-deps:\n- git: x\n  commit: y\n- ./local\n- aeson-2.1.0.0\n- odd\n",
        );
        assert_eq!(p.sorted_pairs(), [("aeson", "2.1.0.0")]);
        assert_eq!(
            p.warnings.as_slice(),
            ["extra-deps: \"odd\" is no `name-version`: skipped"]
        );
    }
}
