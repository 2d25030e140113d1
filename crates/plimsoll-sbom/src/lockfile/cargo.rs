//! `Cargo.lock`: every `[[package]]` with its name and version, the
//! workspace's own crates included, as syft lists them.

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
    out
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
    }
}
