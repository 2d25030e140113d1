//! Conan (C and C++), as syft 1.18.1's two Conan catalogers read it:
//!
//! - `conanfile.txt`: the references of its `[requires]` section
//!   (`[tool_requires]`/`[build_requires]` name build tools, and are left
//!   out, as syft leaves them out); a reference whose version is a range
//!   (`zlib/[>=1.2 <2]`) pins no version, and is skipped;
//! - `conan.lock`: a Conan 1 lock (`"version": "0.4"`, every node of its
//!   `graph_lock` that has a reference, with the node's `requires` as
//!   dependencies) and a Conan 2 lock (`"version": "0.5"`, its `requires`
//!   list; `build_requires` and `python_requires` are left out, as syft
//!   leaves them out);
//! - `conaninfo.txt`: the record of a package installed in a Conan 1 cache,
//!   `<name>/<version>/<user>/<channel>/package/<package id>/conaninfo.txt`:
//!   the package the path names, and the packages of its
//!   `[full_requires]`, which it depends on. Conan 2's cache
//!   (`p/<hash>/p/conaninfo.txt`) does not name the package in the path:
//!   such a file is skipped with a warning, as syft skips it.
//!
//! `conanfile.txt` and `conan.lock` declare what a build fetches and count
//! in directory scans; `conaninfo.txt` records an installed package and
//! counts in image scans too (syft reads it in image scans only).
//!
//! A reference is `name/version[@user[/channel]][#revision][:package_id]`
//! (`%timestamp` after it in Conan 2's locks); the package is `name` at
//! `version`, its purl `pkg:conan/[<user>/]<name>@<version>[?channel=…]`,
//! as syft writes it. Conan 1 stores a package without user and channel
//! under `_/_` in its cache; plimsoll reads that `_` as "none" (syft writes
//! it into the purl: `pkg:conan/_/zlib@1.2.11?channel=_`). A user without
//! a channel (`pkg/1.0@user`, valid in Conan 2) is kept as the purl's
//! namespace (syft 1.18.1 drops it). Only a package without a user is
//! ConanCenter's: the vulnerability matcher leaves the others alone.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// A Conan reference's parts that name the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConanRef<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// Empty when the reference has none (or Conan 1's `_`).
    pub user: &'a str,
    pub channel: &'a str,
}

impl<'a> ConanRef<'a> {
    /// Splits `name/version[@user[/channel]][#rrev][:pkgid[#prev]][%timestamp]`;
    /// None when the name or the version is missing (a consumer's
    /// `conanfile.txt` node of a lock, a stray line).
    pub fn parse(reference: &'a str) -> Option<ConanRef<'a>> {
        let r = reference.trim();
        let r = r.split('%').next().unwrap_or(r);
        let r = r.split(':').next().unwrap_or(r);
        let r = r.split('#').next().unwrap_or(r);
        let (name_version, user_channel) = match r.split_once('@') {
            Some((nv, uc)) => (nv, uc),
            None => (r, ""),
        };
        let mut nv = name_version.split('/');
        let (name, version) = (nv.next()?, nv.next()?);
        if name.is_empty() || version.is_empty() {
            return None;
        }
        let (user, channel) = user_channel.split_once('/').unwrap_or((user_channel, ""));
        let none = |s: &'a str| if s == "_" { "" } else { s };
        Some(ConanRef {
            name,
            version,
            user: none(user),
            channel: none(channel),
        })
    }

    /// `pkg:conan/[<user>/]<name>@<version>[?channel=<channel>]`.
    pub fn purl(&self) -> String {
        purl(
            "conan",
            Some(self.user),
            self.name,
            self.version,
            &[("channel", self.channel)],
        )
    }

    fn package(&self) -> LockedPackage {
        LockedPackage {
            package_type: PackageType::Conan,
            name: self.name.to_string(),
            version: self.version.to_string(),
            purl: self.purl(),
            licenses: Vec::new(),
        }
    }
}

/// The lines of a text file, without line ends; `what` names the format
/// in the warning when it is not UTF-8.
fn text<'a>(content: &'a [u8], what: &str) -> Result<&'a str, Parsed> {
    std::str::from_utf8(content)
        .map_err(|_| Parsed::unreadable(format!("not UTF-8: not a {what}, skipped")))
}

/// A section header line (`[requires]`): its name.
fn section(line: &str) -> Option<&str> {
    line.strip_prefix('[')?
        .strip_suffix(']')
        .filter(|s| !s.contains(['/', '[', ']']))
}

/// The numbered, trimmed lines of the INI section `[wanted]`, without
/// blank lines and `#` comments (a section may appear more than once).
fn section_lines<'a>(text: &'a str, wanted: &'a str) -> impl Iterator<Item = (usize, &'a str)> {
    let mut inside = false;
    text.lines().enumerate().filter_map(move |(n, line)| {
        let line = line.trim();
        if let Some(name) = section(line) {
            inside = name.trim() == wanted;
            return None;
        }
        (inside && !line.is_empty() && !line.starts_with('#')).then_some((n, line))
    })
}

/// Reads a `conanfile.txt`.
pub fn parse_conanfile(content: &[u8]) -> Parsed {
    let text = match text(content, "conanfile.txt") {
        Ok(t) => t,
        Err(p) => return p,
    };
    let mut out = Parsed::default();
    for (n, line) in section_lines(text, "requires") {
        match ConanRef::parse(line) {
            // A version range pins no version.
            Some(r) if r.version.starts_with('[') => {}
            Some(r) => out.push(r.package()),
            None => out.warnings.push(format!(
                "line {}: {:?} is no `name/version` reference: skipped",
                n + 1,
                crate::license::clip(line, 60)
            )),
        }
    }
    out
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    graph_lock: Option<GraphLock>,
    #[serde(default)]
    requires: Vec<String>,
}

#[derive(Deserialize)]
struct GraphLock {
    #[serde(default)]
    nodes: BTreeMap<String, Node>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(default)]
    r#ref: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
}

/// Reads a `conan.lock` (Conan 1's v0.4 or Conan 2's v0.5).
pub fn parse_lock(content: &[u8]) -> Parsed {
    let lock: Lock = match serde_json::from_slice(content) {
        Ok(l) => l,
        Err(e) => return Parsed::unreadable(format!("not a Conan lock file ({e}): skipped")),
    };
    let mut out = Parsed::default();
    // Conan 2: a flat list of references.
    for r in lock.requires.iter().filter_map(|r| ConanRef::parse(r)) {
        out.push(r.package());
    }
    // Conan 1: the graph's nodes, by their number.
    let Some(graph) = lock.graph_lock else {
        return out;
    };
    let mut nodes: Vec<(&String, &Node)> = graph.nodes.iter().collect();
    nodes.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.as_str()));
    let purl_of = |key: &str| -> Option<String> {
        let node = graph.nodes.get(key)?;
        ConanRef::parse(node.r#ref.as_deref()?).map(|r| r.purl())
    };
    for (_, node) in &nodes {
        if let Some(r) = node.r#ref.as_deref().and_then(ConanRef::parse) {
            out.push(r.package());
        }
    }
    for (key, node) in &nodes {
        let Some(from) = purl_of(key) else { continue };
        for to in node.requires.iter().filter_map(|k| purl_of(k)) {
            out.depends(&from, &to);
        }
    }
    out
}

/// The package a Conan 1 cache path names:
/// `…/<name>/<version>/<user>/<channel>/package/<id>/conaninfo.txt`.
fn cache_ref(path: &str) -> Option<ConanRef<'_>> {
    let parts: Vec<&str> = path.split('/').collect();
    let [name, version, user, channel, "package", id, "conaninfo.txt"] =
        parts.get(parts.len().checked_sub(7)?..)?
    else {
        return None;
    };
    if [name, version, user, channel, id]
        .iter()
        .any(|s| s.is_empty())
    {
        return None;
    }
    Some(ConanRef {
        name,
        version,
        user: if *user == "_" { "" } else { user },
        channel: if *channel == "_" { "" } else { channel },
    })
}

/// Reads the `conaninfo.txt` at `path`.
pub fn parse_conaninfo(path: &str, content: &[u8]) -> Parsed {
    let Some(main) = cache_ref(path) else {
        return Parsed::unreadable(
            "not in a Conan 1 cache's <name>/<version>/<user>/<channel>/package/<id>/ \
             directory: the package is not named, skipped"
                .into(),
        );
    };
    let text = match text(content, "conaninfo.txt") {
        Ok(t) => t,
        Err(p) => return p,
    };
    let mut out = Parsed::default();
    let mut requires = Vec::new();
    for (n, line) in section_lines(text, "full_requires") {
        match ConanRef::parse(line) {
            Some(r) => {
                let p = r.package();
                requires.push(p.purl.clone());
                out.push(p);
            }
            None => out.warnings.push(format!(
                "line {}: {:?} is no `name/version` reference: skipped",
                n + 1,
                crate::license::clip(line, 60)
            )),
        }
    }
    let main = main.package();
    for to in &requires {
        out.depends(&main.purl, to);
    }
    out.push(main);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/lock/conan/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn purls(p: &Parsed) -> Vec<&str> {
        let mut v: Vec<&str> = p.packages.iter().map(|p| p.purl.as_str()).collect();
        v.sort();
        v
    }

    #[test]
    fn references() {
        let r = ConanRef::parse("spdlog/1.9.2@my_user/my_channel#1234567%%987654").unwrap();
        assert_eq!(
            (r.name, r.version, r.user, r.channel),
            ("spdlog", "1.9.2", "my_user", "my_channel")
        );
        assert_eq!(
            r.purl(),
            "pkg:conan/my_user/spdlog@1.9.2?channel=my_channel"
        );
        let r = ConanRef::parse("zlib/1.2.13#abc:def#ghi%1675278904.07").unwrap();
        assert_eq!(r.purl(), "pkg:conan/zlib@1.2.13");
        assert_eq!(
            ConanRef::parse("pkg/1.0@user").unwrap().purl(),
            "pkg:conan/user/pkg@1.0"
        );
        assert_eq!(
            ConanRef::parse("zlib/1.2.11@_/_").unwrap().purl(),
            "pkg:conan/zlib@1.2.11"
        );
        for bad in ["", "zlib", "/1.0", "zlib/", "[requires]"] {
            assert_eq!(ConanRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn syft_conanfile() {
        let p = parse_conanfile(&data("conanfile.txt"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("catch2", "2.13.8"),
                ("docopt.cpp", "0.6.3"),
                ("fltk", "1.3.8"),
                ("fmt", "8.1.1"),
                ("sdl", "2.0.20"),
                ("spdlog", "1.9.2"),
            ]
        );
        assert_eq!(
            purls(&p),
            [
                "pkg:conan/catch2@2.13.8",
                "pkg:conan/docopt.cpp@0.6.3",
                "pkg:conan/fmt@8.1.1",
                "pkg:conan/my_user/fltk@1.3.8?channel=my_channel",
                "pkg:conan/my_user/spdlog@1.9.2?channel=my_channel",
                "pkg:conan/sdl@2.0.20",
            ]
        );
        assert_eq!(p.packages[0].package_type, PackageType::Conan);
    }

    #[test]
    fn conanfile_sections_comments_and_ranges() {
        let p = parse_conanfile(
            b"[requires]\r\n  zlib/1.2.13\r\n# a comment\nboost/[>=1.80 <2]\nopenssl/3.0.7\nnot a ref\n[tool_requires]\ncmake/3.27.0\n[requires]\nfmt/10.1.0",
        );
        assert_eq!(
            p.sorted_pairs(),
            [("fmt", "10.1.0"), ("openssl", "3.0.7"), ("zlib", "1.2.13")]
        );
        assert_eq!(
            p.warnings.as_slice(),
            ["line 6: \"not a ref\" is no `name/version` reference: skipped"]
        );
        assert!(parse_conanfile(b"\xff").warnings[0].contains("not UTF-8"));
    }

    #[test]
    fn syft_lock_v1() {
        let p = parse_lock(&data("conan.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("boost", "1.75.0"),
                ("bzip2", "1.0.8"),
                ("libbacktrace", "cci.20210118"),
                ("mfast", "1.2.2"),
                ("tinyxml2", "9.0.0"),
                ("zlib", "1.2.12"),
            ]
        );
        assert_eq!(
            p.packages[0].purl,
            "pkg:conan/my_user/mfast@1.2.2?channel=my_channel"
        );
        let dep = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            p.dependencies,
            [
                dep(
                    "pkg:conan/my_user/mfast@1.2.2?channel=my_channel",
                    "pkg:conan/boost@1.75.0"
                ),
                dep(
                    "pkg:conan/my_user/mfast@1.2.2?channel=my_channel",
                    "pkg:conan/tinyxml2@9.0.0"
                ),
                dep("pkg:conan/boost@1.75.0", "pkg:conan/zlib@1.2.12"),
                dep("pkg:conan/boost@1.75.0", "pkg:conan/bzip2@1.0.8"),
                dep(
                    "pkg:conan/boost@1.75.0",
                    "pkg:conan/libbacktrace@cci.20210118"
                ),
            ]
        );
    }

    #[test]
    fn syft_lock_v2_and_bad_locks() {
        let p = parse_lock(&data("v2/conan.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.sorted_pairs(), [("matrix", "1.1"), ("sound32", "1.0")]);
        assert_eq!(purls(&p), ["pkg:conan/matrix@1.1", "pkg:conan/sound32@1.0"]);
        let p = parse_lock(&data("corrupt/conan.lock"));
        assert!(p.packages.is_empty());
        assert!(
            p.warnings[0].starts_with("not a Conan lock file"),
            "{:?}",
            p.warnings
        );
        // A consumer node without a reference is no package.
        let p = parse_lock(br#"{"graph_lock":{"nodes":{"0":{"path":"conanfile.txt","requires":["1"]},"1":{"ref":"zlib/1.3"}}},"version":"0.4"}"#);
        assert_eq!(p.sorted_pairs(), [("zlib", "1.3")]);
        assert!(p.dependencies.is_empty());
    }

    #[test]
    fn syft_bogus_files() {
        // syft's `glob-paths` fixtures: files named as Conan's that are not.
        let p = parse_lock(b"bogus conan.lock");
        assert!(p.packages.is_empty());
        assert!(
            p.warnings[0].starts_with("not a Conan lock file"),
            "{:?}",
            p.warnings
        );
        // No `[requires]` section: nothing pinned, nothing wrong.
        assert_eq!(parse_conanfile(b"bogus conan file"), Parsed::default());
        let p = parse_conaninfo("a/conaninfo.txt", b"");
        assert!(p.packages.is_empty());
        assert_eq!(p.warnings.len(), 1);
    }

    #[test]
    fn syft_conaninfo() {
        let dir = "mfast/1.2.2/my_user/my_channel/package/9d1f076b471417647c2022a78d5e2c1f834289ac";
        let p = parse_conaninfo(
            &format!("root/.conan/data/{dir}/conaninfo.txt"),
            &data(&format!("conaninfo/{dir}/conaninfo.txt")),
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("boost", "1.75.0"),
                ("bzip2", "1.0.8"),
                ("libbacktrace", "cci.20210118"),
                ("mfast", "1.2.2"),
                ("tinyxml2", "9.0.0"),
                ("zlib", "1.2.13"),
            ]
        );
        let main = "pkg:conan/my_user/mfast@1.2.2?channel=my_channel";
        assert!(purls(&p).contains(&main));
        assert_eq!(p.dependencies.len(), 5);
        assert!(p.dependencies.iter().all(|(from, _)| from == main));
        // Conan 1's `_/_` for "no user and channel".
        let p = parse_conaninfo(
            "home/u/.conan/data/zlib/1.2.11/_/_/package/abc/conaninfo.txt",
            b"[full_requires]\n",
        );
        assert_eq!(purls(&p), ["pkg:conan/zlib@1.2.11"]);
        // Conan 2's cache does not name the package.
        let p = parse_conaninfo("root/.conan2/p/b/zlib1234/p/conaninfo.txt", b"[requires]\n");
        assert!(p.packages.is_empty());
        assert!(
            p.warnings[0].contains("not in a Conan 1 cache"),
            "{:?}",
            p.warnings
        );
    }
}
