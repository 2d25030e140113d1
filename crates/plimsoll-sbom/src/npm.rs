//! The npm cataloger: every `package.json` that names a package, in
//! `node_modules` trees at any depth and elsewhere (Debian's
//! `/usr/share/nodejs`, an application's own manifest), as syft does in
//! image scans.
//!
//! Lockfiles (`package-lock.json`) are not read: they declare what an
//! install should fetch, not what the image holds, and syft leaves them to
//! directory scans as well.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::license::{clip, normalize, push_unique};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// A manifest larger than this is not parsed (a cut JSON document is
/// unreadable); real ones are a few KiB, old npm versions embedded the
/// README and reached a few hundred.
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;

/// One package as its `package.json` declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpmPackage {
    /// Full name, with its scope: `@babel/core`.
    pub name: String,
    /// Empty when the manifest gives none.
    pub version: String,
    pub licenses: Vec<String>,
    pub supplier: Option<String>,
}

/// A `package.json` as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpmManifest {
    /// None when the file names no package (a nested `{"type": "module"}`
    /// marker, say) or cannot be read (see `warnings`).
    pub package: Option<NpmPackage>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`NpmCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpmLayerFacts {
    pub manifests: Vec<(String, NpmManifest)>,
}

/// Installed npm packages: an [`Analyzer`] for the engine's pass.
pub struct NpmCataloger;

pub struct NpmVisitor(NpmLayerFacts);

fn is_manifest(path: &str) -> bool {
    path == "package.json" || path.ends_with("/package.json")
}

impl Analyzer for NpmCataloger {
    type Facts = NpmLayerFacts;
    type Visitor = NpmVisitor;
    const NAME: &'static str = "sbom-npm";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        // Nothing is read from a manifest too big to parse.
        (is_manifest(entry.path) && entry.size <= MANIFEST_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> NpmVisitor {
        NpmVisitor(NpmLayerFacts::default())
    }
}

impl LayerVisitor for NpmVisitor {
    type Facts = NpmLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_manifest(entry.path) {
            return;
        }
        let manifest = if entry.size > MANIFEST_LIMIT {
            NpmManifest {
                package: None,
                warnings: plimsoll_report::Warnings::from_iter([format!(
                    "{} bytes, larger than {MANIFEST_LIMIT}: not read",
                    entry.size
                )]),
            }
        } else {
            parse_manifest(content.unwrap_or(&[]))
        };
        let facts = &mut self.0;
        // A path stored twice in one tar: the later entry wins.
        facts.manifests.retain(|(p, _)| p != entry.path);
        facts.manifests.push((entry.path.to_string(), manifest));
    }

    fn finish(self) -> NpmLayerFacts {
        self.0
    }
}

fn skipped(why: String) -> NpmManifest {
    NpmManifest {
        package: None,
        warnings: plimsoll_report::Warnings::from_iter([why]),
    }
}

/// Reads a `package.json`.
fn parse_manifest(content: &[u8]) -> NpmManifest {
    let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return skipped(format!("not valid JSON ({e}): skipped")),
    };
    let Value::Object(obj) = doc else {
        return skipped("not a JSON object: skipped".to_string());
    };
    let name = match obj.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.trim(),
        // No name: a marker file (`{"type": "module"}`) or a project
        // without one; not a package.
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return NpmManifest {
                package: None,
                warnings: plimsoll_report::Warnings::new(),
            };
        }
        Some(_) => return skipped("\"name\" is not a string: skipped".to_string()),
    };
    if name.len() > 214 || name.contains(char::is_whitespace) {
        return skipped(format!("invalid name {:?}: skipped", clip(name, 60)));
    }
    let version = match obj.get("version") {
        Some(Value::String(v)) => v.trim(),
        None | Some(Value::Null) => "",
        Some(_) => return skipped(format!("{name}: \"version\" is not a string: skipped")),
    };
    if version.contains(char::is_whitespace) || version.len() > 256 {
        return skipped(format!(
            "{name}: invalid version {:?}: skipped",
            clip(version, 60)
        ));
    }
    NpmManifest {
        package: Some(NpmPackage {
            name: name.to_string(),
            version: version.to_string(),
            licenses: licenses(&obj),
            supplier: obj.get("author").and_then(person),
        }),
        warnings: plimsoll_report::Warnings::new(),
    }
}

/// `license` (a string, an SPDX expression by npm's rules, or the legacy
/// `{"type": ...}` object), else the legacy `licenses` array.
fn licenses(obj: &serde_json::Map<String, Value>) -> Vec<String> {
    let one = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => normalize(s),
            Value::Object(o) => o.get("type").and_then(Value::as_str).and_then(normalize),
            _ => None,
        }
    };
    let mut out = Vec::new();
    if let Some(l) = obj.get("license").and_then(one) {
        out.push(l);
    } else if let Some(Value::Array(items)) = obj.get("licenses") {
        for l in items.iter().filter_map(one) {
            push_unique(&mut out, l);
        }
    }
    out
}

/// A person field: `"Name <email> (url)"` or `{"name", "email", "url"}`,
/// as `Name <email>`.
fn person(v: &Value) -> Option<String> {
    let (name, email) = match v {
        Value::String(s) => {
            let s = s.trim();
            let name_end = s.find(['<', '(']).unwrap_or(s.len());
            let email = s
                .split_once('<')
                .and_then(|(_, r)| r.split_once('>'))
                .map(|(e, _)| e.trim().to_string());
            (s[..name_end].trim().to_string(), email)
        }
        Value::Object(o) => (
            o.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string(),
            o.get("email")
                .and_then(Value::as_str)
                .map(|e| e.trim().to_string()),
        ),
        _ => return None,
    };
    let email = email.filter(|e| !e.is_empty());
    let out = match (name.is_empty(), email) {
        (false, Some(e)) => format!("{name} <{e}>"),
        (false, None) => name,
        (true, Some(e)) => e,
        (true, None) => return None,
    };
    Some(clip(&out, 200))
}

/// `pkg:npm/<scope>/<name>@<version>`; the scope's `@` is percent-encoded
/// as the purl spec's examples show (`pkg:npm/%40angular/animation@12.3.1`).
/// The name keeps its case, as syft writes it (npm has allowed capitals in
/// old packages).
pub fn npm_purl(name: &str, version: &str) -> String {
    match name.split_once('/') {
        Some((scope, rest)) => purl("npm", Some(scope), rest, version, &[]),
        None => purl("npm", None, name, version, &[]),
    }
}

/// The npm packages of the final image, added to `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[NpmLayerFacts], inventory: &mut Inventory) {
    for (layer, path, manifest) in ctx.visible_in(facts, |f| &f.manifests) {
        inventory.warnings.extend_from(&manifest.warnings, |w| {
            format!("layer {layer}: {path}: {w}")
        });
        let Some(m) = &manifest.package else {
            continue;
        };
        let mut pkg = Package::new(
            PackageType::Npm,
            &m.name,
            &m.version,
            npm_purl(&m.name, &m.version),
            path,
            layer,
        );
        pkg.licenses = m.licenses.clone();
        pkg.supplier = m.supplier.clone();
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(json: &str) -> NpmPackage {
        let m = parse_manifest(json.as_bytes());
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
        m.package.unwrap()
    }

    #[test]
    fn manifests_in_all_shapes() {
        let p = pkg(r#"{"name":"lodash","version":"4.17.15","license":"MIT",
                "author":"John-David Dalton <john.david.dalton@gmail.com> (http://allyoucanleet.com/)"}"#);
        assert_eq!((p.name.as_str(), p.version.as_str()), ("lodash", "4.17.15"));
        assert_eq!(p.licenses, ["MIT"]);
        assert_eq!(
            p.supplier.as_deref(),
            Some("John-David Dalton <john.david.dalton@gmail.com>")
        );
        let p = pkg(
            r#"{"name":"@babel/core","version":"7.0.0","license":{"type":"mit","url":"x"},
                "author":{"name":"Sebastian","email":"s@example.org"}}"#,
        );
        assert_eq!(p.licenses, ["MIT"]);
        assert_eq!(p.supplier.as_deref(), Some("Sebastian <s@example.org>"));
        assert_eq!(npm_purl(&p.name, &p.version), "pkg:npm/%40babel/core@7.0.0");
        let p = pkg(
            r#"{"name":"old","version":"0.1.0","licenses":[{"type":"MIT"},{"type":"Apache 2.0"},"BSD"],
                "author":"Only Name"}"#,
        );
        assert_eq!(p.licenses, ["MIT", "Apache-2.0", "BSD"]);
        assert_eq!(p.supplier.as_deref(), Some("Only Name"));
        let p = pkg(r#"{"name":"dual","version":"1.0.0","license":"(MIT OR Apache-2.0)"}"#);
        assert_eq!(p.licenses, ["(MIT OR Apache-2.0)"]);
        let p = pkg("\u{feff}{\"name\":\"bom\",\"license\":\"SEE LICENSE IN x\",\"author\":7}");
        assert_eq!(p.version, "");
        assert!(p.licenses.is_empty());
        assert_eq!(p.supplier, None);
        assert_eq!(npm_purl("bom", ""), "pkg:npm/bom");
    }

    #[test]
    fn markers_are_silent_and_malformed_manifests_warn() {
        let m = parse_manifest(br#"{"type":"module"}"#);
        assert_eq!((m.package, m.warnings.len()), (None, 0));
        for (bad, why) in [
            (&br#"{"name":"x","version":"1""#[..], "not valid JSON"),
            (b"[1,2]", "not a JSON object"),
            (br#"{"name":42}"#, "\"name\" is not a string"),
            (
                br#"{"name":"x","version":1}"#,
                "\"version\" is not a string",
            ),
            (br#"{"name":"has space","version":"1"}"#, "invalid name"),
            (b"\xff\xfe", "not valid JSON"),
            (b"", "not valid JSON"),
        ] {
            let m = parse_manifest(bad);
            assert!(m.package.is_none());
            assert!(m.warnings[0].contains(why), "{:?}: {:?}", bad, m.warnings);
        }
    }
}
