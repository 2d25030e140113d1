//! The embedded advisory database: one file, built from OSV advisories by
//! [`build`], read by [`Database`] without a server or the network.
//!
//! # Lookup API (for the matcher)
//!
//! ```no_run
//! use plimsoll_vuln::db::Database;
//! # fn main() -> Result<(), plimsoll_vuln::db::DbError> {
//! let db = Database::open(std::path::Path::new("vuln.db"))?;
//! // Exact ecosystem, or a prefix that stops at a ':' ("Debian" finds
//! // "Debian:11" and "Debian:12"; "Debian:12" finds only that release).
//! for hit in db.advisories_for("Debian:12", "openssl")? {
//!     // hit.affected: the ranges and versions to replay with crate::compare;
//!     // hit.advisory: id, aliases, summary, severities, alias group.
//!     println!("{} {}", hit.advisory.vulnerability_id, hit.affected.ecosystem);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`Database::advisories_for`] returns every affected entry of the
//!   package with its advisory's metadata (decoded once per advisory and
//!   cached).
//! - [`Database::affected_for`] returns only the affected entries and an
//!   [`AdvisoryIndex`]; [`Database::advisory`] decodes the metadata of the
//!   ones that matched. Matching many packages is cheapest this way.
//! - [`Database::advisory_by_id`] and [`Database::alias_group`] serve
//!   `show`-style commands and de-duplication; two advisories with the same
//!   [`Advisory::group`] are one vulnerability (merge rule in
//!   [`alias`]).
//!
//! Package names are compared as the ecosystem compares them: PyPI names are
//! normalised as PEP 503 says (`Foo_Bar` = `foo-bar`), NuGet ids and GitHub
//! Actions' `owner/repo` regardless of case, every other ecosystem's names
//! are exact.
//!
//! Opening reads and checks the index (fixed-size entries searched in place)
//! and the metadata, not the advisories; the layout is in `format.rs`.

pub mod alias;
mod build;
mod format;
mod status;
pub mod transfer;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use alias::AliasGroup;
pub use build::build;
pub use format::SCHEMA_VERSION;
pub use status::{render_build, render_status, status_json};

use crate::import::Source;
use crate::osv::{Advisory, Affected};
use format::*;

/// The database's file name in the data directory.
pub const FILE_NAME: &str = "vuln.db";

/// Where the database lives when no path is given: `$PLIMSOLL_DB`, else
/// `$XDG_DATA_HOME/plimsoll/vuln.db`, else `~/.local/share/plimsoll/vuln.db`
/// (the platform's data directory elsewhere).
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PLIMSOLL_DB").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    Some(dirs::data_dir()?.join("plimsoll").join(FILE_NAME))
}

/// An error opening or reading the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: not a plimsoll vulnerability database", path.display())]
    NotADatabase { path: PathBuf },
    #[error(
        "{}: database schema {found}, this plimsoll reads schema {expected}; rebuild it with `plimsoll db update` or `plimsoll db import`",
        path.display()
    )]
    Schema {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{}: database is corrupt ({what}); rebuild it with `plimsoll db update` or `plimsoll db import`", path.display())]
    Corrupt { path: PathBuf, what: String },
    #[error("{}: cannot write the database: {what}", path.display())]
    Build { path: PathBuf, what: String },
}

/// Advisory count of one ecosystem (OSV spelling, release included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemCount {
    pub ecosystem: String,
    /// Advisories with at least one affected package in this ecosystem.
    pub advisories: u64,
    /// Distinct packages named.
    pub packages: u64,
}

/// What the database holds and where it came from (`plimsoll db status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub schema_version: u32,
    /// RFC 3339 UTC time the file was written.
    pub built_at: String,
    /// The library that wrote it (`plimsoll-vuln 0.1.0`).
    pub built_by: String,
    /// Inputs and their SHA-256 digests.
    pub sources: Vec<Source>,
    pub advisories: u64,
    pub withdrawn_excluded: u64,
    pub duplicates: u64,
    pub malformed: u64,
    pub alias_groups: u64,
    /// Alias merges refused because they would have joined two CVEs.
    pub alias_merges_refused: u64,
    /// Distinct (ecosystem, package) keys.
    pub packages: u64,
    /// Per ecosystem, sorted by name.
    pub ecosystems: Vec<EcosystemCount>,
    /// CVE records read from NVD CVE JSON 2.0 files ([`crate::enrich`]).
    pub nvd_records: u64,
    /// CISA KEV entries read.
    pub kev_entries: u64,
    /// FIRST EPSS scores read.
    pub epss_scores: u64,
}

/// Position of an advisory in the database (advisories are stored sorted by
/// id). Valid only for the database that returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AdvisoryIndex(pub u32);

/// One affected entry as stored: the package's ranges and its advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedEntry {
    pub advisory: AdvisoryIndex,
    pub affected: Affected,
}

/// One affected entry with its advisory's metadata.
#[derive(Debug, Clone)]
pub struct PackageAdvisory {
    pub advisory: Arc<Advisory>,
    pub affected: Affected,
}

/// An open database.
pub struct Database {
    path: PathBuf,
    file: File,
    meta: Meta,
    /// Everything before DATA: header, meta and the index sections.
    index: Vec<u8>,
    sections: [Section; SECTIONS],
    advisories: Mutex<HashMap<u32, Arc<Advisory>>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .field("advisories", &self.meta.advisories)
            .finish()
    }
}

/// The key a package is indexed under: PyPI names normalised (PEP 503:
/// lower case, runs of `-`, `_`, `.` as one `-`); NuGet package ids and
/// GitHub `owner/repo` names in lower case (both are case-insensitive:
/// `Newtonsoft.Json` = `newtonsoft.json`, `Actions/Checkout` =
/// `actions/checkout`); others as given.
pub fn package_key<'a>(ecosystem: &str, name: &'a str) -> Cow<'a, str> {
    if ecosystem.split(':').any(|part| part == "PyPI") {
        Cow::Owned(crate::matcher::pep503(name.trim()))
    } else if (ecosystem == "NuGet" || ecosystem == "GitHub Actions")
        && name.bytes().any(|b| b.is_ascii_uppercase())
    {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Whether an ecosystem query (`Debian`, `Debian:12`, or empty for any)
/// selects a stored ecosystem.
pub fn ecosystem_matches(query: &str, stored: &str) -> bool {
    query.is_empty()
        || stored == query
        || (stored.len() > query.len()
            && stored.starts_with(query)
            && stored.as_bytes().get(query.len()) == Some(&b':'))
}

impl Database {
    /// Opens a database: reads and checks its index and metadata (not the
    /// advisories, which lookups decode on demand).
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let io = |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        };
        let corrupt = |what: &str| DbError::Corrupt {
            path: path.to_path_buf(),
            what: what.to_string(),
        };
        let mut file = File::open(path).map_err(io)?;
        let file_len = file.metadata().map_err(io)?.len();
        let mut header = vec![0u8; HEADER_LEN];
        let mut got = 0;
        while got < HEADER_LEN {
            match file.read(&mut header[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        }
        if got < 8 || &header[..8] != MAGIC {
            return Err(DbError::NotADatabase {
                path: path.to_path_buf(),
            });
        }
        let version = u32_at(&header, 8).ok_or_else(|| corrupt("truncated header"))?;
        if version != SCHEMA_VERSION {
            return Err(DbError::Schema {
                path: path.to_path_buf(),
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        if got < HEADER_LEN {
            return Err(corrupt("truncated header"));
        }
        let mut sections = [Section::default(); SECTIONS];
        for (i, s) in sections.iter_mut().enumerate() {
            let at = 16 + i * 16;
            s.offset = u64_at(&header, at).ok_or_else(|| corrupt("header"))?;
            s.len = u64_at(&header, at + 8).ok_or_else(|| corrupt("header"))?;
            let end = s.offset.checked_add(s.len);
            if s.offset < HEADER_LEN as u64 || end.is_none_or(|e| e > file_len) {
                return Err(corrupt("section outside the file (truncated?)"));
            }
        }
        let index_len = sections[DATA].offset;
        if sections[..DATA]
            .iter()
            .any(|s| s.offset + s.len > index_len)
            || sections[DATA].offset + sections[DATA].len != file_len
        {
            return Err(corrupt("section layout"));
        }
        let index_len = usize::try_from(index_len).map_err(|_| corrupt("index too large"))?;
        let mut index = header;
        index.resize(index_len, 0);
        file.read_exact(&mut index[HEADER_LEN..]).map_err(io)?;
        let mut digest = Sha256::new();
        digest.update(&index[..DIGEST_AT]);
        digest.update(&index[HEADER_LEN..]);
        if digest.finalize().as_slice() != &index[DIGEST_AT..HEADER_LEN] {
            return Err(corrupt("index digest mismatch"));
        }
        let meta_bytes = section_bytes(&index, sections[META]).ok_or_else(|| corrupt("meta"))?;
        let meta: Meta = decode_blob(meta_bytes).map_err(|e| corrupt(&format!("meta: {e}")))?;
        for (s, size) in [
            (PACKAGES, PACKAGE_ENTRY),
            (ADVISORIES, ADVISORY_ENTRY),
            (GROUPS, GROUP_ENTRY),
        ] {
            if sections[s].len % size as u64 != 0 {
                return Err(corrupt("index entry size"));
            }
        }
        Ok(Database {
            path: path.to_path_buf(),
            file,
            meta,
            index,
            sections,
            advisories: Mutex::new(HashMap::new()),
        })
    }

    /// The file this database was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Build time, sources, counts.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Number of advisories.
    pub fn len(&self) -> usize {
        (self.sections[ADVISORIES].len / ADVISORY_ENTRY as u64) as usize
    }

    /// Whether the database holds no advisory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn corrupt(&self, what: impl Into<String>) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    fn section(&self, s: usize) -> &[u8] {
        section_bytes(&self.index, self.sections[s]).unwrap_or_default()
    }

    fn string(&self, offset: u32, len: usize) -> Result<&str, DbError> {
        let strings = self.section(STRINGS);
        let start = offset as usize;
        strings
            .get(start..start + len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| self.corrupt("string offset"))
    }

    fn blob(&self, offset: u64, len: u32) -> Result<Vec<u8>, DbError> {
        let data = self.sections[DATA];
        if offset
            .checked_add(u64::from(len))
            .is_none_or(|e| e > data.len)
            || len as usize > MAX_BLOB + BLOB_HEADER
        {
            return Err(self.corrupt("blob outside the data section"));
        }
        let mut buf = vec![0u8; len as usize];
        read_exact_at(&self.file, &mut buf, data.offset + offset).map_err(|source| {
            DbError::Io {
                path: self.path.clone(),
                source,
            }
        })?;
        Ok(buf)
    }

    fn package_entry(&self, i: usize) -> Result<(&str, &str, u64, u32), DbError> {
        let e = self
            .section(PACKAGES)
            .get(i * PACKAGE_ENTRY..(i + 1) * PACKAGE_ENTRY)
            .ok_or_else(|| self.corrupt("package entry"))?;
        let bad = || self.corrupt("package entry");
        let key_off = u32_at(e, 0).ok_or_else(bad)?;
        let eco_off = u32_at(e, 4).ok_or_else(bad)?;
        let key_len = u16_at(e, 8).ok_or_else(bad)?;
        let eco_len = u16_at(e, 10).ok_or_else(bad)?;
        let blob_len = u32_at(e, 12).ok_or_else(bad)?;
        let blob_off = u64_at(e, 16).ok_or_else(bad)?;
        Ok((
            self.string(key_off, key_len as usize)?,
            self.string(eco_off, eco_len as usize)?,
            blob_off,
            blob_len,
        ))
    }

    /// Number of (package, ecosystem) keys.
    fn package_count(&self) -> usize {
        self.section(PACKAGES).len() / PACKAGE_ENTRY
    }

    /// Every affected entry of a package, without advisory metadata (see
    /// [`Database::advisory`]). `ecosystem` is exact or a `:`-bounded prefix
    /// (`"Debian"` = every Debian release, `""` = every ecosystem).
    pub fn affected_for(&self, ecosystem: &str, name: &str) -> Result<Vec<AffectedEntry>, DbError> {
        let key = package_key(ecosystem, name);
        let key = key.as_ref();
        // Binary search for the first entry whose key is not below `key`.
        let (mut lo, mut hi) = (0usize, self.package_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.package_entry(mid)?.0 < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut out = Vec::new();
        let mut i = lo;
        while i < self.package_count() {
            let (k, eco, off, len) = self.package_entry(i)?;
            if k != key {
                break;
            }
            if ecosystem_matches(ecosystem, eco) {
                let blob = self.blob(off, len)?;
                let entries: Vec<AffectedEntry> = decode_blob(&blob)
                    .map_err(|e| self.corrupt(format!("package {eco}/{k}: {e}")))?;
                out.extend(entries);
            }
            i += 1;
        }
        Ok(out)
    }

    /// Every affected entry of a package with its advisory's metadata; see
    /// [`Database::affected_for`] for `ecosystem`.
    pub fn advisories_for(
        &self,
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<PackageAdvisory>, DbError> {
        self.affected_for(ecosystem, name)?
            .into_iter()
            .map(|e| {
                Ok(PackageAdvisory {
                    advisory: self.advisory(e.advisory)?,
                    affected: e.affected,
                })
            })
            .collect()
    }

    /// An advisory's metadata (decoded once, then cached).
    pub fn advisory(&self, index: AdvisoryIndex) -> Result<Arc<Advisory>, DbError> {
        if let Some(a) = self.cache().get(&index.0) {
            return Ok(Arc::clone(a));
        }
        let e = self
            .section(ADVISORIES)
            .get(index.0 as usize * ADVISORY_ENTRY..(index.0 as usize + 1) * ADVISORY_ENTRY)
            .ok_or_else(|| self.corrupt(format!("no advisory #{}", index.0)))?;
        let bad = || self.corrupt("advisory entry");
        let len = u32_at(e, 8).ok_or_else(bad)?;
        let off = u64_at(e, 16).ok_or_else(bad)?;
        let blob = self.blob(off, len)?;
        let advisory: Advisory =
            decode_blob(&blob).map_err(|e| self.corrupt(format!("advisory #{}: {e}", index.0)))?;
        let advisory = Arc::new(advisory);
        self.cache().insert(index.0, Arc::clone(&advisory));
        Ok(advisory)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Arc<Advisory>>> {
        // A panic elsewhere cannot leave the cache half-written: entries are
        // inserted whole, so a poisoned lock is still usable.
        self.advisories.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn advisory_id(&self, i: usize) -> Result<&str, DbError> {
        let e = self
            .section(ADVISORIES)
            .get(i * ADVISORY_ENTRY..(i + 1) * ADVISORY_ENTRY)
            .ok_or_else(|| self.corrupt("advisory entry"))?;
        let off = u32_at(e, 0).ok_or_else(|| self.corrupt("advisory entry"))?;
        let len = u16_at(e, 4).ok_or_else(|| self.corrupt("advisory entry"))?;
        self.string(off, len as usize)
    }

    /// The advisory with this id, if any.
    pub fn advisory_by_id(&self, id: &str) -> Result<Option<Arc<Advisory>>, DbError> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.advisory_id(mid)?.cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return self.advisory(AdvisoryIndex(mid as u32)).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// Every advisory of an alias group (the records of one vulnerability:
    /// OSV records of every ecosystem, and its NVD/KEV/EPSS record).
    pub fn group_advisories(&self, group: u32) -> Result<Vec<Arc<Advisory>>, DbError> {
        self.alias_group(group)?
            .advisories
            .into_iter()
            .map(|i| self.advisory(AdvisoryIndex(i)))
            .collect()
    }

    /// An alias group: every advisory of one vulnerability.
    pub fn alias_group(&self, group: u32) -> Result<AliasGroup, DbError> {
        let e = self
            .section(GROUPS)
            .get(group as usize * GROUP_ENTRY..(group as usize + 1) * GROUP_ENTRY)
            .ok_or_else(|| self.corrupt(format!("no alias group #{group}")))?;
        let off = u64_at(e, 0).ok_or_else(|| self.corrupt("group entry"))?;
        let len = u32_at(e, 8).ok_or_else(|| self.corrupt("group entry"))?;
        let blob = self.blob(off, len)?;
        decode_blob(&blob).map_err(|e| self.corrupt(format!("alias group #{group}: {e}")))
    }
}

fn section_bytes(index: &[u8], s: Section) -> Option<&[u8]> {
    let start = usize::try_from(s.offset).ok()?;
    let end = start.checked_add(usize::try_from(s.len).ok()?)?;
    index.get(start..end)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                let rest = std::mem::take(&mut buf);
                buf = &mut rest[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_are_normalised_others_exact() {
        assert_eq!(package_key("PyPI", "Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(package_key("Root:PyPI", "Django"), "django");
        assert_eq!(package_key("npm", "Foo_Bar"), "Foo_Bar");
        assert_eq!(package_key("NuGet", "Newtonsoft.Json"), "newtonsoft.json");
        assert_eq!(
            package_key("GitHub Actions", "Actions/Checkout"),
            "actions/checkout"
        );
        assert_eq!(package_key("Maven", "Org.X:Y"), "Org.X:Y");
    }

    #[test]
    fn ecosystem_prefixes_stop_at_a_colon() {
        assert!(ecosystem_matches("Debian", "Debian:12"));
        assert!(ecosystem_matches("Debian:12", "Debian:12"));
        assert!(!ecosystem_matches("Debian:1", "Debian:12"));
        assert!(!ecosystem_matches("Debian", "Root:Debian:12"));
        assert!(ecosystem_matches("", "npm"));
    }
}
