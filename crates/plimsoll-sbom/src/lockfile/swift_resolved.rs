//! Swift Package Manager's `Package.resolved` (and `.package.resolved`),
//! versions 1, 2 and 3 of the format, as syft reads them: every pin, named
//! by its `identity` (v2, v3) or `package` (v1), at its `state.version`
//! (empty when the pin follows a branch or a revision only, as syft
//! reports it).
//!
//! The purl is `pkg:swift/<repository>/<name>@<version>`, the repository
//! being the pin's `location` (`repositoryURL` in v1) without `https://`,
//! as syft writes it (`pkg:swift/github.com/apple/swift-algorithms.git/swift-algorithms@1.0.0`).

use serde_json::Value;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// `pkg:swift/<location without https://>/<name>@<version>`.
pub fn swift_purl(location: &str, name: &str, version: &str) -> String {
    let ns = location.replacen("https://", "", 1);
    purl("swift", Some(&ns), name, version, &[])
}

/// Reads a `Package.resolved`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return Parsed::unreadable(format!("not valid JSON ({e}): skipped")),
    };
    let (pins, name_key, location_key) = match doc.get("version").and_then(Value::as_f64) {
        Some(1.0) => (doc.pointer("/object/pins"), "package", "repositoryURL"),
        Some(2.0 | 3.0) => (doc.get("pins"), "identity", "location"),
        Some(v) => return Parsed::unreadable(format!("unknown format version {v}: skipped")),
        None => return Parsed::unreadable("no numeric \"version\": skipped".into()),
    };
    let Some(pins) = pins.and_then(Value::as_array) else {
        return Parsed::unreadable("no \"pins\" array: skipped".into());
    };
    let mut out = Parsed::default();
    for (i, pin) in pins.iter().enumerate() {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").trim().to_string();
        let name = text(pin.get(name_key));
        if name.is_empty() || name.contains(char::is_whitespace) {
            out.warnings
                .push(format!("pins[{i}] has no valid {name_key}: skipped"));
            continue;
        }
        let version = text(pin.pointer("/state/version"));
        let location = text(pin.get(location_key));
        out.push(LockedPackage {
            package_type: PackageType::Swift,
            purl: swift_purl(&location, &name, &version),
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

    #[test]
    fn syft_fixtures() {
        // syft's fixtures, unchanged (see PROVENANCE.md).
        let p = parse(include_bytes!(
            "../../tests/data/lock/swift/v2/Package.resolved"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            p.sorted_pairs()[..2],
            [
                ("swift-algorithms", "1.0.0"),
                ("swift-async-algorithms", "0.1.0")
            ]
        );
        assert_eq!(
            p.packages[0].purl,
            "pkg:swift/github.com/apple/swift-algorithms.git/swift-algorithms@1.0.0"
        );
        let p = parse(include_bytes!(
            "../../tests/data/lock/swift/v3/Package.resolved"
        ));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        // A branch pin has no version.
        assert!(p.sorted_pairs().contains(&("swift-mmio", "")));
        assert!(p.sorted_pairs().contains(&("swift-syntax", "509.1.1")));
    }

    #[test]
    fn v1_and_bad_files() {
        let p = parse(
            br#"{"object": {"pins": [{"package": "Nimble", "repositoryURL": "https://github.com/Quick/Nimble.git",
                "state": {"branch": null, "revision": "abc", "version": "9.2.1"}}]}, "version": 1}"#,
        );
        assert_eq!(p.sorted_pairs(), [("Nimble", "9.2.1")]);
        assert_eq!(
            p.packages[0].purl,
            "pkg:swift/github.com/Quick/Nimble.git/Nimble@9.2.1"
        );
        // syft's fixtures of files it rejects.
        for (file, why) in [
            ("bad-version-packages.resolved", "no numeric \"version\""),
            ("empty-packages.resolved", "no numeric \"version\""),
        ] {
            let path = format!(
                "{}/tests/data/lock/swift/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            let p = parse(&std::fs::read(path).unwrap());
            assert!(p.packages.is_empty(), "{file}");
            assert!(p.warnings[0].contains(why), "{file}: {:?}", p.warnings);
        }
        assert!(parse(b"{\"version\": 2}").warnings[0].contains("no \"pins\""));
        assert!(parse(b"{\"version\": 4}").warnings[0].contains("unknown format version 4"));
    }
}
