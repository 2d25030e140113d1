//! The Bitnami cataloger: the components of Bitnami's images, from the SPDX
//! documents Bitnami installs beside each product,
//! `opt/bitnami/<product>/.spdx-<product>.spdx`.
//!
//! As syft's `bitnami-cataloger` (syft 1.20 and later; syft 1.18.1 has
//! none): only SPDX JSON documents are read (Bitnami writes no other; a
//! tag-value document is skipped with a warning), and of their packages
//! only those with a `pkg:bitnami/…` purl (the Go modules and other
//! packages Bitnami's scanner also lists are found by plimsoll's own
//! catalogers in the binaries themselves). Each is a package of type
//! `bitnami` named by the SPDX package's `name`, at its `versionInfo`
//! (`17.2.0-8`: version and Bitnami revision), with the document's purl
//! (`pkg:bitnami/postgresql@17.2.0-8?arch=arm64&distro=debian-12`) and its
//! concluded and declared licences.
//!
//! Older images carry `opt/bitnami/.bitnami_components.json` instead, a
//! list of components by name with version, architecture and distribution
//! ([`parse_components`], as syft 1.40 reads it); its components have no
//! files.
//!
//! Files: a component another one `CONTAINS` owns the files its
//! `CONTAINS` relationships name (through contained packages too), relative
//! to the document's directory; the main component (the one no other
//! contains, or the only one) owns every other file below that directory.

use std::collections::BTreeSet;

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::license::{normalize, push_unique};
use crate::{Inventory, MergeContext, Package, PackageType};

/// A document larger than this is not read; Bitnami's are tens of KiB.
pub const BITNAMI_SPDX_LIMIT: u64 = 32 * 1024 * 1024;

/// One Bitnami component of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitnamiPackage {
    pub name: String,
    pub version: String,
    /// The document's purl, as written.
    pub purl: String,
    pub licenses: Vec<String>,
    pub supplier: Option<String>,
    /// Whether this is the product the document describes (it owns the
    /// files below the document's directory that no other one owns).
    pub main: bool,
    /// The files its `CONTAINS` relationships name, relative to the
    /// document's directory, sorted.
    pub files: Vec<String>,
}

/// A `.spdx-*.spdx` as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitnamiDocument {
    pub packages: Vec<BitnamiPackage>,
    pub warnings: Warnings,
}

/// What [`BitnamiCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitnamiLayerFacts {
    pub documents: Vec<(String, BitnamiDocument)>,
}

/// Bitnami's SPDX documents: an [`Analyzer`] for the engine's pass.
pub struct BitnamiCataloger;

pub struct BitnamiVisitor(BitnamiLayerFacts);

/// Older Bitnami images' list of components (no SPDX documents).
const COMPONENTS: &str = "opt/bitnami/.bitnami_components.json";

/// `opt/bitnami/**/.spdx-*.spdx` or [`COMPONENTS`].
fn is_document(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path == COMPONENTS
        || path.starts_with("opt/bitnami/")
            && name.len() > ".spdx-.spdx".len()
            && name.starts_with(".spdx-")
            && name.ends_with(".spdx")
}

impl Analyzer for BitnamiCataloger {
    type Facts = BitnamiLayerFacts;
    type Visitor = BitnamiVisitor;
    const NAME: &'static str = "sbom-bitnami";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (is_document(entry.path) && entry.size <= BITNAMI_SPDX_LIMIT).then_some(entry.size)
    }

    fn visitor(&self) -> BitnamiVisitor {
        BitnamiVisitor(BitnamiLayerFacts::default())
    }
}

impl LayerVisitor for BitnamiVisitor {
    type Facts = BitnamiLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_document(entry.path) {
            return;
        }
        let doc = if entry.size > BITNAMI_SPDX_LIMIT {
            skipped(format!(
                "{} bytes, larger than {BITNAMI_SPDX_LIMIT}: not read",
                entry.size
            ))
        } else if entry.path == COMPONENTS {
            parse_components(content.unwrap_or(&[]))
        } else {
            parse_document(content.unwrap_or(&[]))
        };
        // A path stored twice in one tar: the later entry wins.
        self.0.documents.retain(|(p, _)| p != entry.path);
        self.0.documents.push((entry.path.to_string(), doc));
    }

    fn finish(self) -> BitnamiLayerFacts {
        self.0
    }
}

fn skipped(why: String) -> BitnamiDocument {
    BitnamiDocument {
        packages: Vec::new(),
        warnings: Warnings::from_iter([why]),
    }
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("").trim()
}

/// The package's purl from its external references.
fn purl_of(p: &Value) -> Option<&str> {
    p.get("externalRefs")?
        .as_array()?
        .iter()
        .find(|r| text(r, "referenceType") == "purl")
        .map(|r| text(r, "referenceLocator"))
}

/// Reads a Bitnami SPDX JSON document.
pub fn parse_document(content: &[u8]) -> BitnamiDocument {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(_) if content.trim_ascii_start().starts_with(b"SPDXVersion:") => {
            return skipped(
                "an SPDX tag-value document: only SPDX JSON is read (as by syft), skipped".into(),
            );
        }
        Err(e) => return skipped(format!("not an SPDX JSON document ({e}): skipped")),
    };
    if !text(&doc, "spdxVersion").starts_with("SPDX-") {
        return skipped("no spdxVersion: not an SPDX JSON document, skipped".into());
    }
    let empty = Vec::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let files = doc.get("files").and_then(Value::as_array).unwrap_or(&empty);
    let relationships = doc
        .get("relationships")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let contains: Vec<(&str, &str)> = relationships
        .iter()
        .filter(|r| text(r, "relationshipType") == "CONTAINS")
        .map(|r| (text(r, "spdxElementId"), text(r, "relatedSpdxElement")))
        .collect();
    let mut warnings = Warnings::new();
    // (SPDX id, package) of the Bitnami components.
    let mut found: Vec<(&str, BitnamiPackage)> = Vec::new();
    for p in packages {
        let Some(purl) = purl_of(p).filter(|u| u.starts_with("pkg:bitnami/")) else {
            continue;
        };
        let (name, version) = (text(p, "name"), text(p, "versionInfo"));
        if name.is_empty() {
            warnings.push(format!("{purl}: a package without a name: skipped"));
            continue;
        }
        let mut licenses = Vec::new();
        for key in ["licenseConcluded", "licenseDeclared"] {
            let l = text(p, key);
            if l == "NOASSERTION" || l == "NONE" {
                continue;
            }
            if let Some(l) = normalize(l) {
                push_unique(&mut licenses, l);
            }
        }
        let supplier = Some(text(p, "supplier"))
            .filter(|s| !s.is_empty() && *s != "NOASSERTION")
            .map(|s| {
                s.strip_prefix("Organization:")
                    .or_else(|| s.strip_prefix("Person:"))
                    .unwrap_or(s)
                    .trim()
                    .to_string()
            });
        found.push((
            text(p, "SPDXID"),
            BitnamiPackage {
                name: name.to_string(),
                version: version.to_string(),
                purl: purl.to_string(),
                licenses,
                supplier,
                main: false,
                files: Vec::new(),
            },
        ));
    }
    // The main component: the first that contains something and that no
    // other contains; or the only one.
    let contained: BTreeSet<&str> = contains.iter().map(|(_, to)| *to).collect();
    let main = contains
        .iter()
        .map(|(from, _)| *from)
        .find(|from| !contained.contains(from) && found.iter().any(|(id, _)| id == from))
        .or_else(|| (found.len() == 1).then(|| found[0].0));
    for (id, pkg) in &mut found {
        if Some(*id) == main {
            pkg.main = true;
        } else {
            pkg.files = contained_files(id, &contains, files);
        }
    }
    BitnamiDocument {
        packages: found.into_iter().map(|(_, p)| p).collect(),
        warnings,
    }
}

/// Reads older Bitnami images' `opt/bitnami/.bitnami_components.json`, as
/// syft 1.40's bitnami cataloger does: an object of components by name,
/// each with its `version` (`4.4.11-2`), `arch` and `distro`; the purl
/// `pkg:bitnami/<name>@<version>?arch=…&distro=…`; no files.
pub fn parse_components(content: &[u8]) -> BitnamiDocument {
    let doc: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => return skipped(format!("not valid JSON ({e}): skipped")),
    };
    let Value::Object(components) = doc else {
        return skipped("not a JSON object of components: skipped".into());
    };
    let mut warnings = Warnings::new();
    let mut packages = Vec::new();
    for (name, c) in &components {
        let version = text(c, "version");
        if name.trim().is_empty() || !c.is_object() {
            warnings.push(format!("{name:?}: not a component: skipped"));
            continue;
        }
        packages.push(BitnamiPackage {
            name: name.clone(),
            version: version.to_string(),
            purl: crate::purl::purl(
                "bitnami",
                None,
                name,
                version,
                &[("arch", text(c, "arch")), ("distro", text(c, "distro"))],
            ),
            licenses: Vec::new(),
            supplier: None,
            main: false,
            files: Vec::new(),
        });
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    BitnamiDocument { packages, warnings }
}

/// The `fileName`s of the files `id` contains, directly or through
/// contained elements, relative paths without `..`, sorted.
fn contained_files(id: &str, contains: &[(&str, &str)], files: &[Value]) -> Vec<String> {
    let mut seen: BTreeSet<&str> = BTreeSet::from([id]);
    let mut todo = vec![id];
    let mut out = BTreeSet::new();
    while let Some(from) = todo.pop() {
        for (_, to) in contains.iter().filter(|(f, _)| *f == from) {
            if !seen.insert(to) {
                continue;
            }
            match files.iter().find(|f| text(f, "SPDXID") == *to) {
                Some(f) => {
                    let name = text(f, "fileName").trim_start_matches("./");
                    let name = name.trim_start_matches('/');
                    if !name.is_empty() && !name.split('/').any(|c| c == "..") {
                        out.insert(name.to_string());
                    }
                }
                None => todo.push(to),
            }
        }
    }
    out.into_iter().collect()
}

/// The Bitnami components of the final image, added to `inventory`.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[BitnamiLayerFacts],
    inventory: &mut Inventory,
) {
    for (layer, path, doc) in ctx.visible_in(facts, |f| &f.documents) {
        inventory
            .warnings
            .extend_from(&doc.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let owned: BTreeSet<String> = doc
            .packages
            .iter()
            .flat_map(|p| p.files.iter().map(|f| format!("{dir}/{f}")))
            .collect();
        for p in &doc.packages {
            let mut pkg = Package::new(
                PackageType::Bitnami,
                &p.name,
                &p.version,
                &p.purl,
                path,
                layer,
            );
            pkg.licenses = p.licenses.clone();
            pkg.supplier = p.supplier.clone();
            pkg.files = if p.main {
                ctx.tree
                    .files
                    .under(dir)
                    .filter(|(f, node)| {
                        node.kind != EntryKind::Dir && *f != path && !owned.contains(*f)
                    })
                    .map(|(f, _)| f.to_string())
                    .collect()
            } else {
                p.files.iter().map(|f| format!("{dir}/{f}")).collect()
            };
            pkg.files.sort();
            inventory.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/bitnami")
            .join(path);
        std::fs::read(&p).unwrap()
    }

    #[test]
    fn syft_fixtures() {
        // syft's fixtures (see tests/data/bitnami/PROVENANCE.md).
        let d = parse_document(&fixture(
            "json/opt/bitnami/postgresql/.spdx-postgresql.spdx",
        ));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let names: Vec<(&str, &str)> = d
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(names[0], ("postgresql", "17.2.0-8"));
        assert!(names.contains(&("pljava", "1.6.8")), "{names:?}");
        assert!(names.contains(&("geos", "3.13.0")), "{names:?}");
        let pg = &d.packages[0];
        assert!(pg.main);
        assert_eq!(
            pg.purl,
            "pkg:bitnami/postgresql@17.2.0-8?arch=arm64&distro=debian-12"
        );
        assert_eq!(pg.licenses, ["PostgreSQL"]);
        let pljava = d.packages.iter().find(|p| p.name == "pljava").unwrap();
        assert!(!pljava.main);
        assert_eq!(
            pljava.files,
            [
                "share/pljava/pljava-1.6.8.jar",
                "share/pljava/pljava-api-1.6.8.jar",
                "share/pljava/pljava-examples-1.6.8.jar"
            ]
        );
        // Only the pkg:bitnami packages of a document that lists Go modules too.
        let d = parse_document(&fixture(
            "mix/opt/bitnami/render-template/.spdx-render-template.spdx",
        ));
        assert_eq!(d.packages.len(), 1);
        assert_eq!(
            (d.packages[0].name.as_str(), d.packages[0].version.as_str()),
            ("render-template", "1.0.7-4")
        );
        // One package, no relationships: the main one.
        let d = parse_document(&fixture("no-rel/opt/bitnami/redis/.spdx-redis.spdx"));
        assert_eq!(d.packages.len(), 1);
        assert!(d.packages[0].main);
        assert_eq!(d.packages[0].licenses, ["RSALv2"]);
    }

    #[test]
    fn components_json_of_older_images() {
        let d = parse_components(&fixture(
            "components-json-mongodb/opt/bitnami/.bitnami_components.json",
        ));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let got: Vec<(&str, &str, &str)> = d
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
            .collect();
        assert_eq!(got.len(), 5);
        assert_eq!(
            got[1],
            (
                "mongodb",
                "4.4.11-2",
                "pkg:bitnami/mongodb@4.4.11-2?arch=amd64&distro=debian-10"
            )
        );
        let d = parse_components(&fixture(
            "components-json-postgresql/opt/bitnami/.bitnami_components.json",
        ));
        assert_eq!(d.packages[0].name, "postgresql");
        for bad in [&b"["[..], b"[]", b"{\"x\": 1}"] {
            let d = parse_components(bad);
            assert!(d.packages.is_empty() && d.warnings.len() == 1, "{bad:?}");
        }
        assert!(is_document(COMPONENTS));
    }

    #[test]
    fn other_documents_are_warned_about() {
        let d = parse_document(&fixture("tag-value/opt/bitnami/redis/.spdx-apache.spdx"));
        assert!(d.packages.is_empty());
        assert!(d.warnings[0].contains("tag-value"), "{:?}", d.warnings);
        let d = parse_document(&fixture("invalid/opt/bitnami/redis/.spdx-redis.spdx"));
        assert!(d.packages.is_empty());
        assert!(
            d.warnings[0].contains("not an SPDX JSON document"),
            "{:?}",
            d.warnings
        );
        let d = parse_document(b"{\"packages\": []}");
        assert!(d.warnings[0].contains("no spdxVersion"), "{:?}", d.warnings);
        let whole = fixture("no-rel/opt/bitnami/redis/.spdx-redis.spdx");
        let d = parse_document(&whole[..whole.len() / 2]);
        assert!(d.packages.is_empty() && d.warnings.len() == 1);
        assert!(is_document("opt/bitnami/redis/.spdx-redis.spdx"));
        assert!(is_document("opt/bitnami/a/b/.spdx-x.spdx"));
        assert!(!is_document("usr/opt/bitnami/redis/.spdx-redis.spdx"));
        assert!(!is_document("opt/bitnami/redis/spdx-redis.spdx"));
    }
}
