//! CocoaPods' `Podfile.lock`: every entry of its `PODS` list (`- Name
//! (1.2.3)`, or a mapping `- Name (1.2.3):` listing its requirements),
//! subspecs (`PINCache/Core`) included, as syft reads them. Type `pod`
//! (syft's name), purl `pkg:cocoapods/<name>@<version>` with a subspec's
//! `/` kept, as syft writes it. syft rejects a whole file in which a pod
//! has no `SPEC CHECKSUMS` entry; plimsoll lists its pods all the same.
//!
//! OSV has no CocoaPods ecosystem: `scan` reports these packages as not
//! matched.

use serde_json::Value;

use super::{LockedPackage, Parsed, yaml_document};
use crate::PackageType;
use crate::purl::purl;

/// `pkg:cocoapods/<pod>[/<subspec>]@<version>`.
pub fn cocoapods_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((pod, sub)) => purl("cocoapods", Some(pod), sub, version, &[]),
        None => purl("cocoapods", None, name, version, &[]),
    }
}

/// Reads a `Podfile.lock`.
pub fn parse(content: &[u8]) -> Parsed {
    let doc = match yaml_document(content, "Podfile.lock") {
        Ok(doc) => doc,
        Err(unreadable) => return unreadable,
    };
    let Some(pods) = doc.get("PODS").and_then(Value::as_array) else {
        return Parsed::unreadable("no `PODS` list: skipped".into());
    };
    let mut out = Parsed::default();
    for (i, pod) in pods.iter().enumerate() {
        let entry = match pod {
            Value::String(s) => Some(s.as_str()),
            Value::Object(m) if m.len() == 1 => m.keys().next().map(String::as_str),
            _ => None,
        };
        let Some((name, version)) = entry
            .and_then(|e| e.trim().strip_suffix(')'))
            .and_then(|e| e.split_once(" ("))
            .filter(|(n, v)| !n.is_empty() && !n.contains(' ') && !v.is_empty())
        else {
            out.warnings
                .push(format!("PODS[{i}] is no `Name (version)`: skipped"));
            continue;
        };
        out.push(LockedPackage {
            package_type: PackageType::Cocoapods,
            purl: cocoapods_purl(name, version),
            name: name.to_string(),
            version: version.to_string(),
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
        // syft's fixture, unchanged (see PROVENANCE.md).
        let p = parse(include_bytes!("../../tests/data/lock/swift/Podfile.lock"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let pairs = p.sorted_pairs();
        assert!(pairs.contains(&("GlossButtonNode", "3.1.2")));
        assert!(pairs.contains(&("PINCache/Core", "3.0.3")));
        assert!(pairs.contains(&("Reveal-SDK", "33")));
        let core = p
            .packages
            .iter()
            .find(|p| p.name == "PINCache/Core")
            .unwrap();
        assert_eq!(core.purl, "pkg:cocoapods/PINCache/Core@3.0.3");
        assert_eq!(p.packages[0].purl, "pkg:cocoapods/GlossButtonNode@3.1.2");
    }

    #[test]
    fn bad_entries_warn() {
        let p = parse(b"PODS:\n  - A (1.0)\n  - broken\n  - [x]\n");
        assert_eq!(p.sorted_pairs(), [("A", "1.0")]);
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
        assert!(parse(b"COCOAPODS: 1.11.3\n").warnings[0].contains("no `PODS` list"));
    }
}
