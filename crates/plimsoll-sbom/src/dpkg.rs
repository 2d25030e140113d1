//! The dpkg cataloger: reads dpkg's database files on the engine's single
//! pass, then merges the layers' findings into the final image's inventory.

use std::collections::BTreeMap;

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};

use crate::control::{DbKind, DpkgEntry, parse_dpkg_db};
use crate::dpkg_extra::{self, DpkgCopyright, DpkgFileList, ExtraFile};
use crate::purl::{Distro, deb_purl};
use crate::{Inventory, MergeContext, Package, PackageType, cut_database_warning, whole_records};

pub const STATUS: &str = "var/lib/dpkg/status";
pub const STATUS_D: &str = "var/lib/dpkg/status.d/";
/// A dpkg database larger than this is parsed up to its last whole paragraph.
pub const DB_LIMIT: u64 = 64 * 1024 * 1024;

/// One dpkg database file as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgDatabase {
    pub path: String,
    pub packages: Vec<DpkgEntry>,
    pub warnings: Warnings,
}

/// What [`DpkgCataloger`] found in one layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgLayerFacts {
    /// `var/lib/dpkg/status` and the control files of `status.d/`.
    pub databases: Vec<DpkgDatabase>,
    /// `info/<pkg>.list` and `status.d/<pkg>.md5sums`, by path.
    pub file_lists: Vec<(String, DpkgFileList)>,
    /// `usr/share/doc/<pkg>/copyright`, by path.
    pub copyrights: Vec<(String, DpkgCopyright)>,
}

/// Installed Debian packages: an [`Analyzer`] for the engine's single pass.
pub struct DpkgCataloger;

pub struct DpkgVisitor(DpkgLayerFacts);

fn db_kind(path: &str) -> Option<DbKind> {
    if path == STATUS {
        return Some(DbKind::Status);
    }
    let name = path.strip_prefix(STATUS_D)?;
    (!name.is_empty()
        && !name.contains('/')
        && !name.ends_with(".md5sums")
        && !name.starts_with('.'))
    .then_some(DbKind::StatusD)
}

impl Analyzer for DpkgCataloger {
    type Facts = DpkgLayerFacts;
    type Visitor = DpkgVisitor;
    const NAME: &'static str = "sbom-dpkg";
    const VERSION: u32 = 4;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        if db_kind(entry.path).is_some() {
            Some(entry.size.min(DB_LIMIT))
        } else {
            dpkg_extra::classify(entry.path).map(|k| entry.size.min(dpkg_extra::limit(k)))
        }
    }

    fn visitor(&self) -> DpkgVisitor {
        DpkgVisitor(DpkgLayerFacts::default())
    }
}

impl LayerVisitor for DpkgVisitor {
    type Facts = DpkgLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File {
            return;
        }
        // The engine hands no content for empty files.
        let content = content.unwrap_or(&[]);
        let facts = &mut self.0;
        if let Some(kind) = dpkg_extra::classify(entry.path) {
            let truncated = (content.len() as u64) < entry.size;
            let path = entry.path.to_string();
            match kind {
                ExtraFile::List | ExtraFile::Md5sums => {
                    facts.file_lists.retain(|(p, _)| *p != path);
                    let list = dpkg_extra::parse_file_list(kind, content, truncated);
                    facts.file_lists.push((path, list));
                }
                ExtraFile::Copyright => {
                    facts.copyrights.retain(|(p, _)| *p != path);
                    let c = dpkg_extra::parse_copyright(content, truncated);
                    facts.copyrights.push((path, c));
                }
            }
        } else if let Some(kind) = db_kind(entry.path) {
            // A path stored twice in one tar: the later entry wins.
            facts.databases.retain(|d| d.path != entry.path);
            let mut content = content;
            let cut = cut_database_warning(entry, content.len());
            if cut.is_some() {
                content = whole_records(content);
            }
            let parsed = parse_dpkg_db(entry.path, content, kind);
            if kind == DbKind::StatusD && !parsed.looks_like_control {
                return; // not a control file (e.g. a list of checksums)
            }
            let mut warnings = parsed.warnings;
            if let Some(w) = cut {
                warnings.push_front(w);
            }
            facts.databases.push(DpkgDatabase {
                path: entry.path.to_string(),
                packages: parsed.packages,
                warnings,
            });
        }
    }

    fn finish(self) -> DpkgLayerFacts {
        self.0
    }
}

crate::merge::package_database!(DpkgDatabase, DpkgEntry);

/// The identity a package keeps while it is "the same package": a new
/// version or architecture is a new introduction.
type Key = (String, String, String); // name, arch, version

fn key(e: &DpkgEntry) -> Key {
    (e.name.clone(), e.arch.clone(), e.version.clone())
}

/// The installed Debian packages of the final image (see the crate docs),
/// added to `inventory`.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[DpkgLayerFacts],
    distro: Option<&Distro>,
    inventory: &mut Inventory,
) {
    let warnings = &mut inventory.warnings;
    let finals = ctx.visible_databases(facts, |f| &f.databases);
    for (_, _, db) in &finals {
        warnings.append(&db.warnings);
    }
    let since = ctx.introductions(facts, |f| &f.databases, key);

    let vendor = distro
        .and_then(|d| d.id.clone())
        .unwrap_or_else(|| "debian".to_string());
    let distro_qualifier = distro.and_then(|d| {
        let v = d.version_id.as_deref()?;
        Some(format!("{}-{v}", d.id.as_deref().unwrap_or("debian")))
    });
    if !finals.is_empty() && distro.and_then(|d| d.id.as_ref()).is_none() {
        warnings.push("no os-release ID: package URLs use the vendor 'debian'".to_string());
    }

    let mut seen: BTreeMap<Key, &str> = BTreeMap::new();
    let mut packages = Vec::new();
    for (layer, _, db) in finals {
        for e in &db.packages {
            let k = key(e);
            if let Some(first) = seen.get(&k) {
                warnings.push(format!(
                    "{}: {} {} ({}) is also listed in {first}: listed once",
                    db.path, e.name, e.version, e.arch
                ));
                continue;
            }
            seen.insert(k.clone(), &db.path);
            // The source package, as syft writes it (`upstream=src` or
            // `src@version` when the versions differ): advisories are keyed
            // on it.
            let upstream = (e.source_name != e.name || e.source_version != e.version).then(|| {
                if e.source_version != e.version {
                    format!("{}@{}", e.source_name, e.source_version)
                } else {
                    e.source_name.clone()
                }
            });
            let mut pkg = Package::new(
                PackageType::Deb,
                &e.name,
                &e.version,
                deb_purl(
                    &vendor,
                    &e.name,
                    &e.version,
                    &e.arch,
                    distro_qualifier.as_deref(),
                    upstream.as_deref(),
                ),
                &db.path,
                since.layer(&k, layer),
            );
            pkg.arch = Some(e.arch.clone());
            pkg.source_name = Some(e.source_name.clone());
            pkg.source_version = Some(e.source_version.clone());
            pkg.supplier = e.maintainer.clone();
            packages.push(pkg);
        }
    }
    dpkg_extra::attach(ctx, facts, &mut packages, warnings);
    packages.sort_by(|a, b| (&a.name, &a.arch, &a.version).cmp(&(&b.name, &b.arch, &b.version)));
    // The same package at two versions (status and status.d disagreeing).
    for w in packages.windows(2) {
        if w[0].name == w[1].name && w[0].arch == w[1].arch {
            warnings.push(format!(
                "{} ({}) is listed at two versions: {} in {} and {} in {}",
                w[0].name,
                w[0].arch.as_deref().unwrap_or(""),
                w[0].version,
                w[0].location,
                w[1].version,
                w[1].location
            ));
        }
    }
    inventory.packages.append(&mut packages);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_paths_are_databases() {
        assert_eq!(db_kind("var/lib/dpkg/status"), Some(DbKind::Status));
        assert_eq!(
            db_kind("var/lib/dpkg/status.d/libc6"),
            Some(DbKind::StatusD)
        );
        assert_eq!(db_kind("var/lib/dpkg/status.d/libc6.md5sums"), None);
        assert_eq!(db_kind("var/lib/dpkg/status.d/"), None);
        assert_eq!(db_kind("var/lib/dpkg/status.d/a/b"), None);
        assert_eq!(db_kind("var/lib/dpkg/status-old"), None);
        assert_eq!(db_kind("var/lib/dpkg/available"), None);
    }

    #[test]
    fn truncated_database_drops_the_cut_paragraph() {
        let full = b"Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\n\
                     Package: b\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.0\n";
        let cut = &full[..full.len() - 3]; // "Version: 2" would be wrong
        let mut v = DpkgCataloger.visitor();
        v.visit(
            &Entry {
                path: STATUS,
                kind: EntryKind::File,
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: full.len() as u64,
                link: None,
            },
            Some(cut),
        );
        let f = v.finish();
        let db = &f.databases[0];
        assert_eq!(db.packages.len(), 1);
        assert_eq!(db.packages[0].name, "a");
        assert!(
            db.warnings[0].contains("only the first"),
            "{:?}",
            db.warnings
        );
    }
}
