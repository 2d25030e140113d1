//! The apk cataloger (Alpine, Wolfi, Chainguard): reads apk's installed
//! database `lib/apk/db/installed` on the engine's single pass.
//!
//! The database is a text file of records separated by blank lines, one
//! `X:value` line per field (apk-tools' `apk_db_index_read`): `P` name, `V`
//! version, `A` architecture, `o` origin (the source package, an APKBUILD),
//! `L` licence, `m` maintainer, and for the files `F` a directory followed by
//! its `R` files. Other fields (checksums, sizes, dependencies, build time)
//! are not needed here.

use std::collections::{BTreeMap, HashMap};

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};

use crate::purl::{Distro, purl};
use crate::{Inventory, MergeContext, Package, PackageType, cut_database_warning, whole_records};

/// Where apk keeps its database; `usr/lib/...` for images whose `/lib` is a
/// link into `/usr` (the tar then stores the `usr/` path).
pub const APK_DB_PATHS: &[&str] = &["lib/apk/db/installed", "usr/lib/apk/db/installed"];
/// An apk database larger than this is read up to its last whole record.
pub const APK_DB_LIMIT: u64 = 64 * 1024 * 1024;

/// Files of one package beyond this are left out (a cap on what a hostile
/// database can cost; real packages have at most tens of thousands).
const MAX_FILES: usize = 1 << 20;

/// One package record of apk's installed database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApkEntry {
    pub name: String,
    pub version: String,
    pub arch: String,
    /// `o:`, the APKBUILD the package was built from.
    pub origin: Option<String>,
    /// `L:` as declared, e.g. `MIT`, `GPL-2.0-or-later AND MIT`, `MIT BSD GPL2+`.
    pub license: Option<String>,
    pub maintainer: Option<String>,
    /// `dir/file` paths from the `F:`/`R:` lines, sorted.
    pub files: Vec<String>,
}

/// Parses apk's installed database. Records without a name or version are
/// skipped with a warning naming `path` and the record's first line. A
/// package (name, architecture, version) listed again is kept once, as
/// first listed, with one warning saying how often it was listed: memory
/// follows the distinct packages, not the records.
pub fn parse_apk_db(path: &str, text: &[u8]) -> (Vec<ApkEntry>, Warnings) {
    let text = String::from_utf8_lossy(text);
    let mut packages = Vec::new();
    let mut warnings = Warnings::new();
    // Each distinct package's index in `packages` and its extra listings.
    let mut listed: HashMap<Key, (usize, u64)> = HashMap::new();
    let mut current = ApkEntry::default();
    let mut fields = 0usize; // fields seen in the current record
    let mut first_line = 0usize;
    let mut dir = String::new();
    let mut finish = |entry: &mut ApkEntry, fields: &mut usize, line: usize| {
        let entry = std::mem::take(entry);
        if *fields == 0 {
            return;
        }
        *fields = 0;
        if entry.name.is_empty() {
            warnings.push(format!(
                "{path}:{line}: a record without a package name (P:): skipped"
            ));
        } else if entry.version.is_empty() {
            warnings.push(format!(
                "{path}:{line}: {} has no version (V:): skipped",
                entry.name
            ));
        } else {
            match listed.entry(key(&entry)) {
                std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().1 += 1,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((packages.len(), 0));
                    let mut entry = entry;
                    entry.files.sort();
                    entry.files.dedup();
                    packages.push(entry);
                }
            }
        }
    };
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            finish(&mut current, &mut fields, first_line);
            dir.clear();
            continue;
        }
        // Every field is one letter, a colon and the value; anything else
        // is no field.
        let Some((key, value)) = line.split_once(':').filter(|(k, _)| k.chars().count() == 1)
        else {
            continue;
        };
        if fields == 0 {
            first_line = index + 1;
        }
        fields += 1;
        let value = value.to_string();
        match key {
            "P" => current.name = value,
            "V" => current.version = value,
            "A" => current.arch = value,
            "o" => current.origin = Some(value).filter(|v| !v.is_empty()),
            "L" => current.license = Some(value).filter(|v| !v.is_empty()),
            "m" => current.maintainer = Some(value).filter(|v| !v.is_empty()),
            "F" => dir = value,
            "R" if !value.is_empty() && current.files.len() < MAX_FILES => {
                current.files.push(if dir.is_empty() {
                    value
                } else {
                    format!("{dir}/{value}")
                })
            }
            _ => {}
        }
    }
    finish(&mut current, &mut fields, first_line);
    let mut repeated: Vec<(usize, u64)> = listed.into_values().filter(|(_, n)| *n > 0).collect();
    repeated.sort_unstable();
    for (i, n) in repeated {
        let e = &packages[i];
        warnings.push(format!(
            "{path}: {} {} ({}) is listed {} times: listed once",
            e.name,
            e.version,
            e.arch,
            n + 1
        ));
    }
    (packages, warnings)
}

/// Licences as syft reports them: an expression (`A AND B`, `(A OR B)`) is
/// one licence; otherwise apk's older space-separated lists (`MIT BSD
/// GPL2+`) are several.
fn split_licenses(declared: &str) -> Vec<String> {
    let is_expression = declared
        .split_whitespace()
        .any(|w| matches!(w, "AND" | "OR" | "WITH" | "and" | "or" | "with") || w.contains('('));
    if is_expression {
        vec![declared.trim().to_string()]
    } else {
        declared.split_whitespace().map(str::to_string).collect()
    }
}

/// One apk database file as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApkDatabase {
    pub path: String,
    pub packages: Vec<ApkEntry>,
    pub warnings: Warnings,
}

/// What [`ApkCataloger`] found in one layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApkLayerFacts {
    pub databases: Vec<ApkDatabase>,
}

/// Installed apk packages: an [`Analyzer`] for the engine's single pass.
pub struct ApkCataloger;

pub struct ApkVisitor(ApkLayerFacts);

impl Analyzer for ApkCataloger {
    type Facts = ApkLayerFacts;
    type Visitor = ApkVisitor;
    const NAME: &'static str = "sbom-apk";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        APK_DB_PATHS
            .contains(&entry.path)
            .then(|| entry.size.min(APK_DB_LIMIT))
    }

    fn visitor(&self) -> ApkVisitor {
        ApkVisitor(ApkLayerFacts::default())
    }
}

impl LayerVisitor for ApkVisitor {
    type Facts = ApkLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !APK_DB_PATHS.contains(&entry.path) {
            return;
        }
        let mut content = content.unwrap_or(&[]);
        let cut = cut_database_warning(entry, content.len());
        if cut.is_some() {
            content = whole_records(content);
        }
        let (packages, mut warnings) = parse_apk_db(entry.path, content);
        if let Some(w) = cut {
            warnings.push_front(w);
        }
        // A path stored twice in one tar: the later entry wins.
        self.0.databases.retain(|d| d.path != entry.path);
        self.0.databases.push(ApkDatabase {
            path: entry.path.to_string(),
            packages,
            warnings,
        });
    }

    fn finish(self) -> ApkLayerFacts {
        self.0
    }
}

crate::merge::package_database!(ApkDatabase, ApkEntry);

/// The identity a package keeps while it is "the same package".
type Key = (String, String, String); // name, arch, version

fn key(e: &ApkEntry) -> Key {
    (e.name.clone(), e.arch.clone(), e.version.clone())
}

/// `pkg:apk/<distro id>/<name>@<version>?arch=..&distro=<id>-<VERSION_ID>&upstream=<origin>`,
/// the form syft writes (upstream only when the origin differs from the name).
pub fn apk_purl(vendor: &str, e: &ApkEntry, distro_qualifier: Option<&str>) -> String {
    let upstream = e.origin.as_deref().filter(|o| *o != e.name).unwrap_or("");
    purl(
        "apk",
        Some(&vendor.to_lowercase()),
        &e.name,
        &e.version,
        &[
            ("arch", &e.arch),
            ("distro", distro_qualifier.unwrap_or("")),
            ("upstream", upstream),
        ],
    )
}

/// The installed apk packages of the final image, added to `inventory`.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[ApkLayerFacts],
    distro: Option<&Distro>,
    inventory: &mut Inventory,
) {
    let finals = ctx.visible_databases(facts, |f| &f.databases);
    if finals.is_empty() {
        return;
    }
    let since = ctx.introductions(facts, |f| &f.databases, key);

    let warnings = &mut inventory.warnings;
    let vendor = distro
        .and_then(|d| d.id.clone())
        .unwrap_or_else(|| "alpine".to_string());
    if distro.and_then(|d| d.id.as_ref()).is_none() {
        warnings.push("no os-release ID: apk package URLs use the vendor 'alpine'".to_string());
    }
    let distro_qualifier =
        distro.and_then(|d| Some(format!("{}-{}", d.id.as_deref()?, d.version_id.as_deref()?)));
    let mut seen: BTreeMap<Key, &str> = BTreeMap::new();
    for (layer, path, db) in finals {
        warnings.append(&db.warnings);
        for e in &db.packages {
            let k = key(e);
            if let Some(first) = seen.get(&k) {
                warnings.push(format!(
                    "{path}: {} {} ({}) is also listed in {first}: listed once",
                    e.name, e.version, e.arch
                ));
                continue;
            }
            let mut pkg = Package::new(
                PackageType::Apk,
                &e.name,
                &e.version,
                apk_purl(&vendor, e, distro_qualifier.as_deref()),
                path,
                since.layer(&k, layer),
            );
            seen.insert(k, path);
            pkg.arch = Some(e.arch.clone()).filter(|a| !a.is_empty());
            // An origin is an APKBUILD of the same version.
            pkg.source_name = e.origin.clone();
            pkg.source_version = e.origin.as_ref().map(|_| e.version.clone());
            pkg.licenses = e.license.as_deref().map(split_licenses).unwrap_or_default();
            pkg.supplier = e.maintainer.clone();
            pkg.files = e.files.clone();
            inventory.packages.push(pkg);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn apk_names(entries: &[ApkEntry]) -> BTreeSet<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    const DB: &str = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nL:MIT\no:musl\n\
m:Timo Teräs <timo.teras@iki.fi>\nt:1695130810\nF:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\n\
Z:Q1abc=\nR:libc.musl-x86_64.so.1\n\n\
P:musl-utils\nV:1.2.4-r2\nA:x86_64\nL:MIT BSD GPL2+\no:musl\nF:sbin\nR:ldconfig\nF:usr/bin\nR:iconv\nR:getent\n\n\
P:noversion\nA:x86_64\n\n\
P:ada-libs\nV:2.7.4-r0\nA:x86_64\nL:( Apache-2.0 OR MIT ) AND MPL-2.0\no:ada\n";

    #[test]
    fn parses_records_fields_and_files() {
        let (p, w) = parse_apk_db("lib/apk/db/installed", DB.as_bytes());
        assert_eq!(
            p.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["musl", "musl-utils", "ada-libs"]
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("noversion has no version"), "{w:?}");
        assert!(w[0].starts_with("lib/apk/db/installed:27:"), "{w:?}");
        let musl = &p[0];
        assert_eq!(musl.version, "1.2.4-r2");
        assert_eq!(musl.arch, "x86_64");
        assert_eq!(
            musl.maintainer.as_deref(),
            Some("Timo Teräs <timo.teras@iki.fi>")
        );
        assert_eq!(
            musl.files,
            ["lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"]
        );
        assert_eq!(
            p[1].files,
            ["sbin/ldconfig", "usr/bin/getent", "usr/bin/iconv"]
        );
        assert_eq!(split_licenses("MIT BSD GPL2+"), ["MIT", "BSD", "GPL2+"]);
        assert_eq!(
            split_licenses("( Apache-2.0 OR MIT ) AND MPL-2.0"),
            ["( Apache-2.0 OR MIT ) AND MPL-2.0"]
        );
        assert_eq!(
            apk_purl("Alpine", &p[1], Some("alpine-3.18.4")),
            "pkg:apk/alpine/musl-utils@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4&upstream=musl"
        );
        assert_eq!(
            apk_purl("alpine", &p[0], None),
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64"
        );
    }

    #[test]
    fn a_truncated_database_drops_the_cut_record() {
        let mut v = ApkCataloger.visitor();
        let cut = &DB.as_bytes()[..DB.find("L:MIT BSD").unwrap()];
        v.visit(
            &Entry {
                path: "lib/apk/db/installed",
                kind: EntryKind::File,
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: DB.len() as u64,
                link: None,
            },
            Some(cut),
        );
        let f = v.finish();
        let db = &f.databases[0];
        assert_eq!(apk_names(&db.packages), BTreeSet::from(["musl"]));
        assert!(
            db.warnings[0].contains("only the first"),
            "{:?}",
            db.warnings
        );
    }

    #[test]
    fn garbage_is_no_package() {
        let (p, w) = parse_apk_db("x", b"\x00\xff\n\n:::\nfoo\n\n\n");
        assert!(p.is_empty());
        assert!(w.is_empty(), "{w:?}"); // no line there is a field
        let (p, w) = parse_apk_db("x", b"T:a description\nV:1\n");
        assert!(p.is_empty());
        assert_eq!(w.len(), 1, "{w:?}"); // a record without P:
    }
}
