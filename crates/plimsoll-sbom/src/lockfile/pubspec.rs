//! Dart's and Flutter's `pubspec.lock`: every entry of its `packages` map,
//! as syft reads it, whatever its `source` (`hosted`, `git`, `path`, and
//! `sdk` ones such as `flutter` at `0.0.0`), at the `version` pub locked.
//!
//! The purl is `pkg:pub/<name>@<version>`, with syft's qualifiers: a
//! hosted package's `hosted_url` (the host of its `description.url`), a
//! git one's `vcs_url` (`<url>@<resolved-ref>`, and `#<path>` unless the
//! path is `.`). syft 1.18 leaves `hosted_url` out for pub's historical
//! default registry address; plimsoll writes the host of every URL the
//! file names (its identity of a package is the name and version; only the
//! purl string differs).

use serde_json::Value;

use super::{LockedPackage, Parsed, yaml_document};
use crate::PackageType;
use crate::purl::purl;

/// The host of a URL (`https://host:port/path` is `host:port`).
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    rest.rsplit_once('@').map_or(rest, |(_, h)| h)
}

/// Reads a `pubspec.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc = match yaml_document(content, "pubspec.lock") {
        Ok(doc) => doc,
        Err(unreadable) => return unreadable,
    };
    let Some(packages) = doc.get("packages").and_then(Value::as_object) else {
        return Parsed::unreadable("no `packages` mapping: skipped".into());
    };
    let mut out = Parsed::default();
    let mut names: Vec<&String> = packages.keys().collect();
    names.sort();
    for name in names {
        let p = &packages[name];
        let text = |v: Option<&Value>| -> String {
            match v {
                Some(Value::String(s)) => s.trim().to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let version = text(p.get("version"));
        if name.trim().is_empty() || name.contains(char::is_whitespace) || version.is_empty() {
            out.warnings.push(format!(
                "packages.{}: no valid name and version: skipped",
                crate::license::clip(name, 60)
            ));
            continue;
        }
        let source = text(p.get("source"));
        let description = p.get("description");
        let field = |key: &str| text(description.and_then(|d| d.get(key)));
        let (url, resolved, path) = (field("url"), field("resolved-ref"), field("path"));
        let qualifier = match source.as_str() {
            "hosted" if !url.is_empty() => ("hosted_url", host(&url).to_string()),
            "git" if path == "." || path.is_empty() => ("vcs_url", format!("{url}@{resolved}")),
            "git" => ("vcs_url", format!("{url}@{resolved}#{path}")),
            _ => ("", String::new()),
        };
        out.push(LockedPackage {
            package_type: PackageType::DartPub,
            purl: purl("pub", None, name, &version, &[(qualifier.0, &qualifier.1)]),
            name: name.clone(),
            version,
            licenses: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        // syft's fixture, the default registry's `url:` lines removed (see
        // PROVENANCE.md).
        let p = parse(include_bytes!("../../tests/data/lock/dart/pubspec.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs(),
            [
                ("ale", "3.3.0"),
                ("analyzer", "0.40.7"),
                ("ansicolor", "1.1.1"),
                ("archive", "2.0.13"),
                ("args", "1.6.0"),
                ("flutter", "0.0.0"),
                ("key_binder", "1.11.20"),
            ]
        );
        let purls: Vec<&str> = p.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(purls[0], "pkg:pub/ale@3.3.0?hosted_url=pub.hosted.org");
        assert_eq!(purls[1], "pkg:pub/analyzer@0.40.7");
        assert_eq!(purls[5], "pkg:pub/flutter@0.0.0");
        assert_eq!(
            purls[6],
            "pkg:pub/key_binder@1.11.20?vcs_url=git%40github.com:Workiva%2Fkey_binder.git%403f7b3a6350e73c7dcac45301c0e18fbd42af02f7"
        );
        assert_eq!(p.packages[0].package_type, PackageType::DartPub);
    }

    #[test]
    fn bad_files_warn() {
        // syft's corrupt fixture.
        let p = parse(include_bytes!(
            "../../tests/data/lock/dart/corrupt/pubspec.lock"
        ));
        assert!(p.packages.is_empty());
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(parse(b"sdks: {}\n").warnings[0].contains("no `packages` mapping"));
        let p = parse(b"packages:\n  a:\n    source: path\n  b:\n    version: 1.0\n");
        assert_eq!(p.sorted_pairs(), [("b", "1.0")]);
        assert_eq!(
            p.warnings.as_slice(),
            ["packages.a: no valid name and version: skipped"]
        );
        assert_eq!(host("https://u@h.example:8443/p?q"), "h.example:8443");
    }
}
