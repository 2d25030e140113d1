//! `uv.lock` (uv's TOML lock file, `version = 1`): every `[[package]]`
//! with a version, named as the installed-package cataloger names Python
//! packages (PEP 503 normalised).
//!
//! As for `poetry.lock`, development groups count too (the file resolves
//! them with the rest), and so does the project itself (its
//! `source = { virtual = "." }` or `{ editable = "." }` entry), as the
//! root project of a `package-lock.json` does. A workspace member with a
//! dynamic version has none in the file and is passed over.
//!
//! Each package's `dependencies` (what it needs at run time; not its
//! extras' `optional-dependencies` nor the project's `dev-dependencies`
//! groups) become its [`Parsed::dependencies`], matched by name, and by
//! version where uv writes one (when the file holds several versions of
//! the dependency).

use serde::Deserialize;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;
use crate::python::normalize_name;

#[derive(Deserialize)]
struct UvLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dependencies: Vec<UvDependency>,
}

#[derive(Deserialize)]
struct UvDependency {
    name: String,
    version: Option<String>,
}

/// Reads a `uv.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not a uv.lock, skipped".into());
    };
    let doc: UvLock = match toml::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            let why = e.message().to_string();
            return Parsed::unreadable(format!("not a valid uv.lock ({why}): skipped"));
        }
    };
    let mut out = Parsed::default();
    match doc.version.as_ref().and_then(toml::Value::as_integer) {
        Some(1) => {}
        Some(v) => {
            return Parsed::unreadable(format!("lock file version {v} unknown: skipped"));
        }
        None => return Parsed::unreadable("no `version = 1`: not a uv.lock, skipped".into()),
    }
    let mut edges = Vec::new();
    for (i, p) in doc.package.into_iter().enumerate() {
        let Some(name) = p.name.filter(|n| !n.trim().is_empty()) else {
            out.warnings
                .push(format!("package {} has no name: skipped", i + 1));
            continue;
        };
        let Some(version) = p.version.filter(|v| !v.trim().is_empty()) else {
            continue; // a dynamic version: none pinned
        };
        let name = normalize_name(&name);
        let purl = purl("pypi", None, &name, &version, &[]);
        edges.extend(p.dependencies.into_iter().map(|d| (purl.clone(), d)));
        out.push(LockedPackage {
            package_type: PackageType::Pypi,
            purl,
            name,
            version,
            licenses: Vec::new(),
        });
    }
    for (from, d) in edges {
        if let Some(to) = out.purl_of(&normalize_name(&d.name), d.version.as_deref()) {
            out.depends(&from, &to);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Parsed {
        let path = format!("{}/tests/data/lock/uv/{path}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read(path).unwrap())
    }

    #[test]
    fn generated_lock() {
        // `uv lock` (uv 0.13.9) of a project pinning requests 2.32.3 and
        // flask 3.1.0, with pytest 8.3.4 in its `dev` group.
        let p = read("generated/uv.lock");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.packages.len(), 18);
        let pairs = p.sorted_pairs();
        for want in [
            ("lock-demo", "1.0.0"),
            ("requests", "2.32.3"),
            ("flask", "3.1.0"),
            ("pytest", "8.3.4"),
            ("charset-normalizer", "3.5.3"),
        ] {
            assert!(pairs.contains(&want), "{want:?}");
        }
        let r = p.packages.iter().find(|p| p.name == "requests").unwrap();
        assert_eq!(r.purl, "pkg:pypi/requests@2.32.3");
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
            deps_of("pkg:pypi/requests@2.32.3"),
            [
                "pkg:pypi/certifi@2026.10.19.post1",
                "pkg:pypi/charset-normalizer@3.5.3",
                "pkg:pypi/idna@3.21",
                "pkg:pypi/urllib3@2.8.0",
            ]
        );
        // The project's runtime dependencies; pytest is a dev group's.
        assert_eq!(
            deps_of("pkg:pypi/lock-demo@1.0.0"),
            ["pkg:pypi/flask@3.1.0", "pkg:pypi/requests@2.32.3"]
        );
        // Every edge joins two packages of the file.
        assert!(p.dependencies.iter().all(|(f, t)| {
            p.packages.iter().any(|x| &x.purl == f) && p.packages.iter().any(|x| &x.purl == t)
        }));
    }

    #[test]
    fn generated_script_lock() {
        // `uv lock --script fetch.py` (uv 0.13.9) of a PEP 723 script
        // depending on requests==2.32.3: no project entry, a `[manifest]`.
        let p = read("script/fetch.py.lock");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("certifi", "2026.10.19.post1"),
                ("charset-normalizer", "3.5.3"),
                ("idna", "3.21"),
                ("requests", "2.32.3"),
                ("urllib3", "2.8.0"),
            ]
        );
        assert_eq!(p.dependencies.len(), 4);
    }

    #[test]
    fn syft_fixture() {
        let p = read("uv.lock");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("certifi", "2025.1.31"),
                ("charset-normalizer", "3.4.1"),
                ("idna", "3.10"),
                ("requests", "2.32.3"),
                ("testpkg", "0.1.0"),
                ("urllib3", "2.3.0"),
            ]
        );
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"\xff"[..], "not UTF-8"),
            (b"version = ", "not a valid uv.lock"),
            (b"[[package]]\nname = \"a\"\n", "no `version = 1`"),
            (b"version = 2\n", "lock file version 2 unknown"),
            (
                b"version = 1\n[[package]]\nversion = \"1\"\n",
                "package 1 has no name",
            ),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
        // A dynamic version: nothing pinned, nothing wrong.
        assert_eq!(
            parse(b"version = 1\n[[package]]\nname = \"a\"\n"),
            Parsed::default()
        );
    }
}
