//! Composer (PHP): `composer.lock` (its `packages`; `packages-dev` are
//! development-only and left out, as syft does) and the installation
//! record `vendor/composer/installed.json` (Composer 1's array of
//! packages, or Composer 2's `{"packages": [...]}`).
//!
//! The purl is `pkg:composer/<vendor>/<name>@<version>`; the version is
//! kept as Composer writes it (`v5.4.0` for tags with a `v`).

use serde_json::Value;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::license::{normalize, push_unique};
use crate::purl::purl;

/// `pkg:composer/<vendor>/<name>@<version>`.
pub fn composer_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((vendor, rest)) => purl("composer", Some(vendor), rest, version, &[]),
        None => purl("composer", None, name, version, &[]),
    }
}

/// Reads a `composer.lock` or an `installed.json`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return Parsed::unreadable(format!("not valid JSON ({e}): skipped")),
    };
    let packages = match &doc {
        Value::Array(list) => list,
        Value::Object(o) => match o.get("packages") {
            Some(Value::Array(list)) => list,
            _ => return Parsed::unreadable("no \"packages\" array: skipped".into()),
        },
        _ => return Parsed::unreadable("not a JSON object or array: skipped".into()),
    };
    let mut out = Parsed::default();
    for (i, p) in packages.iter().enumerate() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("").trim();
        let version = p
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            out.warnings
                .push(format!("packages[{i}] has no valid name: skipped"));
            continue;
        }
        let mut licenses = Vec::new();
        match p.get("license") {
            Some(Value::String(s)) => licenses.extend(normalize(s)),
            Some(Value::Array(items)) => {
                for l in items.iter().filter_map(Value::as_str).filter_map(normalize) {
                    push_unique(&mut licenses, l);
                }
            }
            _ => {}
        }
        out.push(LockedPackage {
            package_type: PackageType::Composer,
            purl: composer_purl(name, version),
            name: name.to_string(),
            version: version.to_string(),
            licenses,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &Parsed) -> Vec<(&str, &str)> {
        p.packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect()
    }

    #[test]
    fn syft_fixtures() {
        // syft's fixtures, `notification-url`s removed (see PROVENANCE.md).
        let p = parse(include_bytes!("../../tests/data/lock/php/composer.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            pairs(&p),
            [
                ("adoy/fastcgi-client", "1.0.2"),
                ("alcaeus/mongo-php-adapter", "1.1.11")
            ]
        );
        assert_eq!(p.packages[0].purl, "pkg:composer/adoy/fastcgi-client@1.0.2");
        assert_eq!(p.packages[0].licenses, ["MIT"]);
        for v in ["composer_1", "composer_2"] {
            let path = format!(
                "{}/tests/data/lock/php/{v}/installed.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let p = parse(&std::fs::read(path).unwrap());
            assert!(p.warnings.is_empty(), "{:?}", p.warnings);
            assert_eq!(
                pairs(&p),
                [("asm89/stack-cors", "1.3.0"), ("behat/mink", "v1.8.1")]
            );
        }
    }

    #[test]
    fn malformed_files_warn() {
        assert!(parse(b"{}").warnings[0].contains("no \"packages\" array"));
        assert!(parse(b"3").warnings[0].contains("not a JSON object or array"));
        assert!(
            parse(b"[{\"version\":\"1\"}]").warnings[0].contains("packages[0] has no valid name")
        );
    }
}
