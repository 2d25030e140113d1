//! The rpm cataloger (RHEL, CentOS, Fedora, Rocky, Alma, Amazon Linux,
//! SUSE, Mariner): reads rpm's package database on the engine's single
//! pass, in any of its three formats, without rpm:
//!
//! - SQLite `rpmdb.sqlite` (rpm 4.16+: RHEL 9, Fedora 33+), [`sqlite`];
//! - Berkeley DB hash `Packages` (RHEL/CentOS up to 8, SLES up to 15 SP2,
//!   Amazon Linux 2), [`bdb`];
//! - ndb `Packages.db` (SLES 15 SP3+, openSUSE), [`ndb`].
//!
//! Each holds one header blob per installed package ([`header`]). The
//! format is told by the file's magic, not its name.

pub mod bdb;
/// Test builders only: compiled for this crate's unit tests and, through the
/// non-default `test-fixtures` feature, for the tests in `tests/`.
#[cfg(any(test, feature = "test-fixtures"))]
#[doc(hidden)]
pub mod fixtures;
pub mod header;
pub mod ndb;
pub mod sqlite;

use std::collections::{BTreeMap, HashMap};

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};

pub use header::{HeaderError, RpmEntry, parse_header};

use crate::purl::{Distro, purl};
use crate::{Inventory, MergeContext, Package, PackageType, cut_database_warning};

/// The directories rpm keeps its database in (`usr/lib/sysimage/rpm` since
/// rpm 4.16 / SUSE; `var/lib/rpm` is then often a link to it).
pub const RPM_DB_DIRS: &[&str] = &["var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"];
pub const RPM_DB_NAMES: &[&str] = &["Packages", "Packages.db", "rpmdb.sqlite"];
/// A database larger than this is read as far as it goes, with a warning.
pub const RPM_DB_LIMIT: u64 = 256 * 1024 * 1024;
/// Per database, at most this many per-header warnings are kept.
const MAX_WARNINGS: usize = 10;

/// Whether `path` is where rpm keeps a package database.
pub fn is_rpm_db(path: &str) -> bool {
    RPM_DB_DIRS.iter().any(|dir| {
        path.strip_prefix(dir)
            .is_some_and(|name| RPM_DB_NAMES.contains(&name))
    })
}

/// The database formats, told by their magic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RpmDbFormat {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

impl RpmDbFormat {
    pub fn detect(bytes: &[u8]) -> Option<RpmDbFormat> {
        if bytes.starts_with(b"SQLite format 3\0") {
            Some(RpmDbFormat::Sqlite)
        } else if bytes.starts_with(b"RpmP") {
            Some(RpmDbFormat::Ndb)
        } else {
            let magic: [u8; 4] = bytes.get(12..16)?.try_into().ok()?;
            [u32::from_le_bytes(magic), u32::from_be_bytes(magic)]
                .contains(&0x0006_1561)
                .then_some(RpmDbFormat::BerkeleyDb)
        }
    }
}

/// One rpm database file as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpmDatabase {
    pub path: String,
    pub format: Option<RpmDbFormat>,
    /// In the database's order.
    pub packages: Vec<RpmEntry>,
    /// `path: why`, without the layer (the merge step adds it).
    pub warnings: Warnings,
}

/// Reads a whole rpm database of any format. Unreadable pages and headers
/// are skipped with warnings; never panics. A package (name, architecture,
/// epoch:version-release) stored again is kept once, as first stored, with
/// one warning saying how often: memory follows the distinct packages.
pub fn parse_rpmdb(path: &str, bytes: &[u8]) -> RpmDatabase {
    let mut packages = Vec::new();
    let mut warnings = Warnings::new();
    let mut bad_headers = 0usize;
    // Each distinct package's index in `packages` and its extra copies.
    let mut stored: HashMap<Key, (usize, u64)> = HashMap::new();
    let mut on_blob = |blob: &[u8]| match parse_header(blob) {
        Ok((entry, bad_files)) => {
            if bad_files > 0 {
                warnings.push(format!(
                    "{path}: {}: {bad_files} files with a directory index out of range \
                     or beyond {} files: left out",
                    entry.name,
                    header::MAX_FILES
                ));
            }
            match stored.entry(key(&entry)) {
                std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().1 += 1,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((packages.len(), 0));
                    packages.push(entry);
                }
            }
        }
        Err(e) => {
            bad_headers += 1;
            if bad_headers <= MAX_WARNINGS {
                warnings.push(format!("{path}: a package header skipped: {e}"));
            }
        }
    };
    let format = RpmDbFormat::detect(bytes);
    let errors: Result<Vec<String>, String> = match format {
        Some(RpmDbFormat::Sqlite) => {
            sqlite::read_table(bytes, "Packages", &mut |_hnum, payload| {
                match sqlite::record(&payload).as_deref() {
                    // (hnum: the rowid, stored as NULL; blob)
                    Some([_, sqlite::Value::Blob(blob)]) => on_blob(blob),
                    _ => on_blob(&[]),
                }
            })
            .map(|e| e.iter().map(ToString::to_string).collect())
            .map_err(|e| e.to_string())
        }
        Some(RpmDbFormat::BerkeleyDb) => bdb::read_values(bytes, &mut |v| on_blob(&v))
            .map(|e| e.iter().map(ToString::to_string).collect())
            .map_err(|e| e.to_string()),
        Some(RpmDbFormat::Ndb) => ndb::read_blobs(bytes, &mut on_blob)
            .map(|e| e.iter().map(ToString::to_string).collect())
            .map_err(|e| e.to_string()),
        None if bytes.is_empty() => Ok(Vec::new()),
        None => Err("not an rpm database (SQLite, Berkeley DB hash or ndb)".to_string()),
    };
    if bad_headers > MAX_WARNINGS {
        warnings.push(format!(
            "{path}: {} more package headers skipped",
            bad_headers - MAX_WARNINGS
        ));
    }
    match errors {
        Ok(errors) => {
            let n = errors.len();
            warnings.extend(
                errors
                    .into_iter()
                    .take(MAX_WARNINGS)
                    .map(|e| format!("{path}: {e}: packages stored there are missing")),
            );
            if n > MAX_WARNINGS {
                warnings.push(format!(
                    "{path}: {} more unreadable parts",
                    n - MAX_WARNINGS
                ));
            }
        }
        Err(e) => warnings.push(format!("{path}: {e}: no packages read")),
    }
    let mut repeated: Vec<(usize, u64)> = stored.into_values().filter(|(_, n)| *n > 0).collect();
    repeated.sort_unstable();
    for (i, n) in repeated {
        let e: &RpmEntry = &packages[i];
        warnings.push(format!(
            "{path}: {} {} ({}) is stored {} times: listed once",
            e.name,
            e.evr(),
            e.arch.as_deref().unwrap_or(""),
            n + 1
        ));
    }
    RpmDatabase {
        path: path.to_string(),
        format,
        packages,
        warnings,
    }
}

/// What [`RpmCataloger`] found in one layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpmLayerFacts {
    pub databases: Vec<RpmDatabase>,
}

/// Installed rpm packages: an [`Analyzer`] for the engine's single pass.
pub struct RpmCataloger;

pub struct RpmVisitor(RpmLayerFacts);

impl Analyzer for RpmCataloger {
    type Facts = RpmLayerFacts;
    type Visitor = RpmVisitor;
    const NAME: &'static str = "sbom-rpm";
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        is_rpm_db(entry.path).then(|| entry.size.min(RPM_DB_LIMIT))
    }

    fn visitor(&self) -> RpmVisitor {
        RpmVisitor(RpmLayerFacts::default())
    }
}

impl LayerVisitor for RpmVisitor {
    type Facts = RpmLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !is_rpm_db(entry.path) {
            return;
        }
        let content = content.unwrap_or(&[]);
        let mut db = parse_rpmdb(entry.path, content);
        if let Some(w) = cut_database_warning(entry, content.len()) {
            db.warnings.push_front(w);
        }
        // A path stored twice in one tar: the later entry wins.
        self.0.databases.retain(|d| d.path != entry.path);
        self.0.databases.push(db);
    }

    fn finish(self) -> RpmLayerFacts {
        self.0
    }
}

crate::merge::package_database!(RpmDatabase, RpmEntry);

/// The identity a package keeps while it is "the same package".
type Key = (String, Option<String>, String); // name, arch, [epoch:]version-release

fn key(e: &RpmEntry) -> Key {
    (e.name.clone(), e.arch.clone(), e.evr())
}

/// `pkg:rpm/<vendor>/<name>@<version>-<release>?arch=..&distro=<id>-<VERSION_ID>&epoch=..&upstream=<SOURCERPM>`,
/// as syft writes it: the namespace is the os-release ID (`rhel` written
/// `redhat`), none without one; the epoch is a qualifier, present whenever
/// the header has an EPOCH tag; `upstream` is the whole SOURCERPM.
pub fn rpm_purl(e: &RpmEntry, distro: Option<&Distro>) -> String {
    let namespace = distro.and_then(|d| d.id.as_deref()).map(|id| match id {
        "rhel" => "redhat".to_string(),
        id => id.to_lowercase(),
    });
    let distro_qualifier = distro
        .and_then(|d| Some(format!("{}-{}", d.id.as_deref()?, d.version_id.as_deref()?)))
        .unwrap_or_default();
    let epoch = e.epoch.map(|e| e.to_string()).unwrap_or_default();
    purl(
        "rpm",
        namespace.as_deref(),
        &e.name,
        &e.version_release(),
        &[
            ("arch", e.arch.as_deref().unwrap_or("")),
            ("distro", &distro_qualifier),
            ("epoch", &epoch),
            ("upstream", e.source_rpm.as_deref().unwrap_or("")),
        ],
    )
}

/// The installed rpm packages of the final image, added to `inventory`.
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[RpmLayerFacts],
    distro: Option<&Distro>,
    inventory: &mut Inventory,
) {
    let finals = ctx.visible_databases(facts, |f| &f.databases);
    if finals.is_empty() {
        return;
    }
    let since = ctx.introductions(facts, |f| &f.databases, key);
    let warnings = &mut inventory.warnings;
    if distro.and_then(|d| d.id.as_ref()).is_none() {
        warnings.push("no os-release ID: rpm package URLs have no vendor".to_string());
    }
    let mut seen: BTreeMap<Key, &str> = BTreeMap::new();
    for (layer, path, db) in finals {
        warnings.extend_from(&db.warnings, |w| format!("layer {layer}: {w}"));
        if let Some(wal) = ctx.tree.files.get(&format!("{path}-wal"))
            && wal.kind == EntryKind::File
            && wal.size > 0
        {
            warnings.push(format!(
                "layer {}: {path}-wal: {} bytes of uncheckpointed changes not read: \
                 recent installs or removals may be missing",
                wal.layer, wal.size
            ));
        }
        let mut duplicates: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &db.packages {
            let k = key(e);
            if let Some(first) = seen.get(&k) {
                *duplicates.entry(first).or_default() += 1;
                continue;
            }
            let mut pkg = Package::new(
                PackageType::Rpm,
                &e.name,
                e.evr(),
                rpm_purl(e, distro),
                path,
                since.layer(&k, layer),
            );
            seen.insert(k, path);
            pkg.arch = e.arch.clone();
            if let Some((name, version)) = e.source() {
                pkg.source_name = Some(name.to_string());
                pkg.source_version = Some(version.to_string());
            }
            pkg.licenses = e.license.iter().cloned().collect();
            pkg.supplier = e.vendor.clone();
            pkg.files = e.files.clone();
            inventory.packages.push(pkg);
        }
        for (first, n) in duplicates {
            warnings.push(format!(
                "layer {layer}: {path}: {n} packages also listed in {first}: listed once"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixtures::test_header;

    #[test]
    fn a_database_beyond_the_read_limit_is_read_as_far_as_it_goes() {
        let db = fixtures::build_sqlite(
            &[
                test_header("a", "1-1", Some("noarch"), &[]),
                test_header("b", "1-1", Some("noarch"), &[]),
            ],
            512,
        );
        let mut v = RpmCataloger.visitor();
        let entry = Entry {
            path: "var/lib/rpm/rpmdb.sqlite",
            kind: EntryKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: db.len() as u64 + RPM_DB_LIMIT,
            link: None,
        };
        assert_eq!(RpmCataloger.content_limit(&entry), Some(RPM_DB_LIMIT));
        v.visit(&entry, Some(&db));
        let facts = v.finish();
        let read = &facts.databases[0];
        assert_eq!(read.packages.len(), 2);
        assert!(
            read.warnings[0].contains("only the first"),
            "{:?}",
            read.warnings
        );
    }

    #[test]
    fn database_paths() {
        assert!(is_rpm_db("var/lib/rpm/Packages"));
        assert!(is_rpm_db("usr/lib/sysimage/rpm/rpmdb.sqlite"));
        assert!(is_rpm_db("usr/lib/sysimage/rpm/Packages.db"));
        assert!(!is_rpm_db("var/lib/rpm/Name"));
        assert!(!is_rpm_db("var/lib/rpm/rpmdb.sqlite-wal"));
        assert!(!is_rpm_db("var/lib/rpm/x/Packages"));
        assert!(!is_rpm_db("opt/var/lib/rpm/Packages"));
    }

    #[test]
    fn purls_as_syft_writes_them() {
        let (mut e, _) = parse_header(&test_header(
            "openssl-libs",
            "1:3.0.7-27.el9",
            Some("x86_64"),
            &[],
        ))
        .unwrap();
        let rhel = Distro {
            id: Some("rhel".into()),
            version_id: Some("9.4".into()),
            ..Default::default()
        };
        assert_eq!(
            rpm_purl(&e, Some(&rhel)),
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-libs-3.0.7-27.el9.src.rpm"
        );
        e.epoch = None;
        e.source_rpm = None;
        e.name = "libstdc++".into();
        assert_eq!(
            rpm_purl(&e, None),
            "pkg:rpm/libstdc%2B%2B@3.0.7-27.el9?arch=x86_64"
        );
    }

    #[test]
    fn every_format_is_read_and_garbage_is_a_warning() {
        let blobs = vec![
            test_header("bash", "5.1.8-9.el9", Some("x86_64"), &["/usr/bin/bash"]),
            test_header("gpg-pubkey", "fd431d51-4ae0493b", None, &[]),
            b"not a header".to_vec(),
        ];
        for (bytes, format) in [
            (fixtures::build_bdb(&blobs, 4096), RpmDbFormat::BerkeleyDb),
            (fixtures::build_ndb(&blobs), RpmDbFormat::Ndb),
        ] {
            let db = parse_rpmdb("var/lib/rpm/Packages", &bytes);
            assert_eq!(db.format, Some(format));
            let names: Vec<&str> = db.packages.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, ["bash", "gpg-pubkey"], "{format:?}");
            assert_eq!(db.packages[0].files, ["usr/bin/bash"]);
            assert_eq!(db.warnings.len(), 1, "{:?}", db.warnings);
            assert!(db.warnings[0].starts_with("var/lib/rpm/Packages: a package header skipped"));
        }
        let db = parse_rpmdb("var/lib/rpm/Packages", b"\x00garbage that is no database");
        assert!(db.packages.is_empty());
        assert!(
            db.warnings[0].contains("not an rpm database"),
            "{:?}",
            db.warnings
        );
        assert!(parse_rpmdb("var/lib/rpm/Packages", b"").warnings.is_empty());
    }
}
