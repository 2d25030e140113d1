//! `Cargo.lock`: every `[[package]]` with its name and version, the
//! workspace's own crates included, as syft lists them.
//!
//! Each package's `dependencies` (`"name"`, or `"name version"` where the
//! file holds several versions of it, with ` (source)` where several
//! sources) become its [`Parsed::dependencies`].

use serde::Deserialize;

use super::{LockedPackage, Parsed, toml_packages};
use crate::PackageType;
use crate::purl::purl;

/// Reads a `Cargo.lock` (any version: the `[[package]]` tables kept their
/// shape since lock format 1).
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a Cargo.lock, skipped".into());
    };
    let mut out = Parsed::default();
    for (i, (name, version, _source)) in toml_packages(text).into_iter().enumerate() {
        match (name, version) {
            (Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => {
                out.push(LockedPackage {
                    package_type: PackageType::Cargo,
                    purl: purl("cargo", None, &name, &version, &[]),
                    name,
                    version,
                    licenses: Vec::new(),
                });
            }
            _ => out
                .warnings
                .push(format!("package {} has no name or version: skipped", i + 1)),
        }
    }
    dependencies(text, &mut out);
    out
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// The `dependencies` arrays, as edges between the packages read.
fn dependencies(text: &str, out: &mut Parsed) {
    let lock: Lock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.warnings.push(format!(
                "not valid TOML ({}): dependencies not read",
                e.message()
            ));
            return;
        }
    };
    for p in lock.package {
        let (Some(name), Some(version)) = (p.name, p.version) else {
            continue;
        };
        let from = purl("cargo", None, &name, &version, &[]);
        for d in &p.dependencies {
            let mut words = d.split_whitespace();
            let Some(dep) = words.next() else { continue };
            if let Some(to) = out.purl_of(dep, words.next()) {
                out.depends(&from, &to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_workspace_lock_file() {
        // A real Cargo.lock (version 4): this repository's own.
        let text = include_str!("../../../../Cargo.lock");
        let p = parse(text.as_bytes());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), text.matches("[[package]]").count());
        let sbom = p
            .packages
            .iter()
            .find(|c| c.name == "plimsoll-sbom")
            .unwrap();
        assert_eq!(sbom.purl, "pkg:cargo/plimsoll-sbom@0.1.0");
        assert!(p.packages.iter().any(|c| c.name == "serde_json"));
        // This crate's own dependencies, as its Cargo.toml declares them.
        let deps: Vec<&str> = p
            .dependencies
            .iter()
            .filter(|(f, _)| f == "pkg:cargo/plimsoll-sbom@0.1.0")
            .map(|(_, t)| t.as_str())
            .collect();
        for want in ["roxmltree", "serde_json", "toml", "plimsoll-engine", "zip"] {
            assert!(
                deps.iter()
                    .any(|d| d.starts_with(&format!("pkg:cargo/{want}@"))),
                "{want} not in {deps:?}"
            );
        }
        // Each name in a `dependencies` array resolved.
        let listed: usize = text
            .split("[[package]]")
            .filter_map(|t| t.split_once("dependencies = [").map(|(_, r)| r))
            .map(|r| r.split(']').next().unwrap().matches('"').count() / 2)
            .sum();
        // Less one: plimsoll-sbom's dev-dependency on itself (its test
        // fixtures feature); no package depends on itself.
        assert_eq!(p.dependencies.len(), listed - 1);
    }

    #[test]
    fn incomplete_and_binary_files_warn() {
        let p = parse(b"version = 3\n[[package]]\nname = \"a\"\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\n");
        assert_eq!(p.packages.len(), 1);
        assert_eq!(
            p.warnings.as_slice(),
            ["package 1 has no name or version: skipped"]
        );
        assert!(parse(b"\xff\x00").warnings[0].contains("not UTF-8"));
        let p = parse(b"[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\n");
        assert_eq!(p.packages.len(), 1);
        assert!(
            p.warnings[0].contains("dependencies not read"),
            "{:?}",
            p.warnings
        );
    }
}
