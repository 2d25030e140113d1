//! Reading OSV advisories from where they are published: directories of
//! JSON records (walked recursively, as in the GitHub advisory database or a
//! clone of a distribution's OSV repository) and the per-ecosystem zip
//! archives of the OSV data export (`<Ecosystem>/all.zip`, one JSON record
//! per entry).
//!
//! Rules, in the order they apply:
//!
//! 1. Every `.json` file of a directory, every `.json` entry of an archive
//!    (a `.zip` inside a directory is read as an archive too), and every
//!    path given as a file is one OSV record. Other files are counted as
//!    ignored (the YAML of some repositories, READMEs).
//! 2. A record that cannot be read (not JSON, not OSV, a range event that
//!    cannot be understood, over [`MAX_RECORD_BYTES`], an unreadable archive
//!    entry) is *malformed*: counted and listed with its file name and the
//!    reason, never fatal. Only an input that cannot be read at all (a
//!    missing path, an archive whose directory is corrupt) stops the import.
//! 3. Records with the same id (the same advisory from two sources) are one
//!    advisory: the one with the newest `modified` wins; on a tie the one
//!    read last. The loser is counted as a duplicate.
//! 4. An id that any source marks `withdrawn` is excluded, and counted once
//!    (withdrawal wins over dates: Go writes withdrawn records with the zero
//!    time as `modified`).
//!
//! Parsing runs on every core (rayon) in bounded batches, so memory holds at
//! most one batch of raw JSON at a time, plus the compact records.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::osv::{self, MAX_RECORD_BYTES, OsvError, Parsed, Record};

/// Raw JSON parsed together (bytes); bounds memory during an import.
const BATCH_BYTES: usize = 64 << 20;
/// Records parsed together.
const BATCH_RECORDS: usize = 4096;

/// A fatal import error: an input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: not a readable zip archive: {source}", path.display())]
    Archive {
        path: PathBuf,
        source: zip::result::ZipError,
    },
}

/// What kind of input a source was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    /// A directory, walked recursively.
    Directory,
    /// A zip archive.
    Archive,
    /// A single JSON record.
    File,
}

/// One input of an import, and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The path (or, for `db update`, the URL) the source was read from.
    pub location: String,
    pub kind: SourceKind,
    /// SHA-256 of the file; for a directory, of the sorted list of
    /// `relative path NUL file SHA-256 LF` lines of every file read.
    pub sha256: String,
    /// Records read from it that were live advisories (before de-duplication).
    pub records: u64,
    /// Records read from it that were withdrawn.
    pub withdrawn: u64,
    /// Records of it that were malformed.
    pub malformed: u64,
}

/// A record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malformed {
    /// The file (`archive.zip!entry.json` for an archive entry).
    pub file: String,
    /// Why.
    pub reason: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub sources: Vec<Source>,
    /// Live advisories kept (distinct ids).
    pub advisories: u64,
    /// Distinct ids excluded because withdrawn.
    pub withdrawn: u64,
    /// Records dropped because another record of the same id won.
    pub duplicates: u64,
    pub malformed: Vec<Malformed>,
    /// Files that are neither JSON nor zip (in directories and archives).
    pub ignored_files: u64,
    /// `affected[]` entries without a package (pure git ranges), not kept.
    pub affected_without_package: u64,
}

/// Advisories read by [`import`], ready for [`crate::db::build`].
#[derive(Debug, Default)]
pub struct Imported {
    /// Live advisories, sorted by id.
    pub records: Vec<Record>,
    pub report: ImportReport,
}

/// Reads every path (directory, zip archive or JSON file; the kind is told
/// by content, not by name) into one set of advisories.
pub fn import<P: AsRef<Path>>(paths: &[P]) -> Result<Imported, ImportError> {
    let mut c = Collector::default();
    for path in paths {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            c.directory(path)?;
        } else if is_zip(path)? {
            c.archive_source(path)?;
        } else {
            c.single_file(path)?;
        }
    }
    Ok(c.finish())
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn is_zip(path: &Path) -> Result<bool, ImportError> {
    let mut magic = [0u8; 4];
    let mut f = File::open(path).map_err(io_err(path))?;
    let n = read_up_to(&mut f, &mut magic).map_err(io_err(path))?;
    Ok(n == 4 && (&magic == b"PK\x03\x04" || &magic == b"PK\x05\x06"))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads at most `max` bytes; `Ok(None)` when there were more.
fn read_capped(r: impl Read, max: u64) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    r.take(max + 1).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= max).then_some(buf))
}

fn sha256_file(path: &Path) -> Result<String, ImportError> {
    let mut f = File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(path)(e)),
        };
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

enum Slot {
    Live(Box<Record>),
    Withdrawn,
}

#[derive(Default)]
struct Collector {
    by_id: HashMap<String, Slot>,
    report: ImportReport,
    /// Raw records waiting to be parsed: (file label, bytes).
    batch: Vec<(String, Vec<u8>)>,
    batch_bytes: usize,
    /// Counters of the source being read.
    current: Source,
}

impl Collector {
    fn begin(&mut self, location: &Path, kind: SourceKind) {
        self.current = Source {
            location: location.display().to_string(),
            kind,
            sha256: String::new(),
            records: 0,
            withdrawn: 0,
            malformed: 0,
        };
    }

    fn end(&mut self, sha256: String) {
        self.flush();
        let mut s = std::mem::take(&mut self.current);
        s.sha256 = sha256;
        self.report.sources.push(s);
    }

    fn malformed(&mut self, file: String, reason: String) {
        self.current.malformed += 1;
        self.report.malformed.push(Malformed { file, reason });
    }

    fn push(&mut self, label: String, bytes: Vec<u8>) {
        self.batch_bytes += bytes.len();
        self.batch.push((label, bytes));
        if self.batch.len() >= BATCH_RECORDS || self.batch_bytes >= BATCH_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let parsed: Vec<(String, Result<Parsed, OsvError>)> = batch
            .into_par_iter()
            .map(|(label, bytes)| {
                let p = osv::parse(&bytes);
                (label, p)
            })
            .collect();
        for (label, p) in parsed {
            match p {
                Err(e) => self.malformed(label, e.to_string()),
                Ok(Parsed::Withdrawn { id }) => {
                    self.current.withdrawn += 1;
                    // A withdrawn record has no usable `modified` ordering
                    // against live ones in practice (Go writes the zero
                    // time); withdrawal wins over any live copy.
                    if self.by_id.insert(id, Slot::Withdrawn).is_some() {
                        self.report.duplicates += 1;
                    }
                }
                Ok(Parsed::Record(r)) => {
                    self.current.records += 1;
                    let id = r.advisory.id.clone();
                    match self.by_id.get(&id) {
                        None => {
                            self.by_id.insert(id, Slot::Live(r));
                        }
                        Some(Slot::Withdrawn) => self.report.duplicates += 1,
                        Some(Slot::Live(old)) => {
                            self.report.duplicates += 1;
                            if r.advisory.modified >= old.advisory.modified {
                                self.by_id.insert(id, Slot::Live(r));
                            }
                        }
                    }
                }
            }
        }
    }

    fn single_file(&mut self, path: &Path) -> Result<(), ImportError> {
        self.begin(path, SourceKind::File);
        let f = File::open(path).map_err(io_err(path))?;
        let bytes = read_capped(f, MAX_RECORD_BYTES).map_err(io_err(path))?;
        let label = path.display().to_string();
        let sha = match bytes {
            Some(b) => {
                let sha = hex::encode(Sha256::digest(&b));
                self.push(label, b);
                sha
            }
            None => {
                self.malformed(label, too_large());
                sha256_file(path)?
            }
        };
        self.end(sha);
        Ok(())
    }

    fn directory(&mut self, root: &Path) -> Result<(), ImportError> {
        self.begin(root, SourceKind::Directory);
        let mut listing = Sha256::new();
        let mut stack = vec![root.to_path_buf()];
        let mut files = Vec::new();
        while let Some(dir) = stack.pop() {
            let mut entries = std::fs::read_dir(&dir)
                .map_err(io_err(&dir))?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(io_err(&dir))?;
            entries.sort();
            for path in entries.into_iter().rev() {
                // symlink_metadata: a link to a directory is not followed,
                // so a cycle cannot loop the walk.
                let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
                if meta.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        for path in files {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let sha = match ext.as_deref() {
                Some("json") => {
                    let f = File::open(&path).map_err(io_err(&path))?;
                    match read_capped(f, MAX_RECORD_BYTES).map_err(io_err(&path))? {
                        Some(bytes) => {
                            let sha = hex::encode(Sha256::digest(&bytes));
                            self.push(path.display().to_string(), bytes);
                            sha
                        }
                        None => {
                            self.malformed(path.display().to_string(), too_large());
                            sha256_file(&path)?
                        }
                    }
                }
                Some("zip") => {
                    self.flush();
                    self.archive_entries(&path)?
                }
                _ => {
                    self.report.ignored_files += 1;
                    continue;
                }
            };
            listing.update(rel.as_bytes());
            listing.update(b"\0");
            listing.update(sha.as_bytes());
            listing.update(b"\n");
        }
        self.end(hex::encode(listing.finalize()));
        Ok(())
    }

    fn archive_source(&mut self, path: &Path) -> Result<(), ImportError> {
        self.begin(path, SourceKind::Archive);
        let sha = self.archive_entries(path)?;
        self.end(sha);
        Ok(())
    }

    /// Queues every JSON entry of an archive; returns the archive's SHA-256.
    fn archive_entries(&mut self, path: &Path) -> Result<String, ImportError> {
        let sha = sha256_file(path)?;
        let file = File::open(path).map_err(io_err(path))?;
        let mut zip = zip::ZipArchive::new(io::BufReader::new(file)).map_err(|source| {
            ImportError::Archive {
                path: path.to_path_buf(),
                source,
            }
        })?;
        for i in 0..zip.len() {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.malformed(
                        format!("{}!#{i}", path.display()),
                        format!("unreadable archive entry: {e}"),
                    );
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let label = format!("{}!{}", path.display(), entry.name());
            if !entry.name().to_ascii_lowercase().ends_with(".json") {
                self.report.ignored_files += 1;
                continue;
            }
            if entry.size() > MAX_RECORD_BYTES {
                self.malformed(label, too_large());
                continue;
            }
            match read_capped(&mut entry, MAX_RECORD_BYTES) {
                Ok(Some(bytes)) => self.push(label, bytes),
                Ok(None) => self.malformed(label, too_large()),
                Err(e) => self.malformed(label, format!("unreadable archive entry: {e}")),
            }
        }
        Ok(sha)
    }

    fn finish(mut self) -> Imported {
        self.flush();
        let mut records = Vec::with_capacity(self.by_id.len());
        for slot in self.by_id.into_values() {
            match slot {
                Slot::Live(r) => records.push(*r),
                Slot::Withdrawn => self.report.withdrawn += 1,
            }
        }
        records.sort_by(|a, b| a.advisory.id.cmp(&b.advisory.id));
        self.report.advisories = records.len() as u64;
        self.report.affected_without_package = records
            .iter()
            .map(|r| r.affected_without_package as u64)
            .sum();
        Imported {
            records,
            report: self.report,
        }
    }
}

fn empty_source() -> Source {
    Source {
        location: String::new(),
        kind: SourceKind::File,
        sha256: String::new(),
        records: 0,
        withdrawn: 0,
        malformed: 0,
    }
}

impl Default for Source {
    fn default() -> Self {
        empty_source()
    }
}

fn too_large() -> String {
    format!("record is over the {MAX_RECORD_BYTES}-byte limit")
}
