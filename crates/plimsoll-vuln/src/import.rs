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
//! 5. A file that is an NVD CVE JSON 2.0 record or feed, CISA's KEV catalog
//!    or FIRST's EPSS scores (plain or gzip; told by content, see
//!    [`crate::enrich`]) gives facts about CVEs instead of OSV records. The
//!    facts of one CVE are merged (the newest NVD record by `lastModified`,
//!    the newest EPSS date, the last KEV entry read) and kept on the record
//!    whose id is that CVE: an OSV record of that id gets them, else a record
//!    is made for the CVE when an OSV record names it (as an alias or
//!    upstream id); facts about CVEs no OSV record names are counted and
//!    dropped, as no finding could reach them. A file of these kinds that cannot be read whole is
//!    malformed, like a bad OSV record. In a directory, `.csv` files are read
//!    as well as `.json` ones (a gzip file is read when named as a path).
//!
//! Parsing runs on every core (rayon) in bounded batches, so memory holds at
//! most one batch of raw JSON at a time. Parsed records do not stay in
//! memory: each is encoded into a temporary file as its batch is read (an
//! unlinked file, gone when the import is dropped or the process dies), and
//! memory keeps only an id, a date and an offset per advisory (about 100
//! bytes), so a full OSV export fits a small CI runner.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::enrich::{self, Fact};
use crate::osv::{self, Advisory, MAX_RECORD_BYTES, Origin, OsvError, Parsed, Record};

/// Largest NVD feed, KEV catalog or EPSS file read (decompressed): NVD's
/// yearly feeds are a few hundred MiB; the parsers keep only a few fields
/// of each entry.
pub const MAX_FEED_BYTES: u64 = 4 << 30;

/// Raw JSON parsed together (bytes); bounds memory during an import.
const BATCH_BYTES: usize = 64 << 20;
/// Records parsed together.
const BATCH_RECORDS: usize = 4096;

/// A fatal import error: an input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    #[error("{}: not a readable zip archive: {error}", path.display())]
    Archive {
        path: PathBuf,
        error: crate::zipdir::ZipError,
    },
    /// The temporary file parsed records wait in (in `dir`) could not be
    /// written or read back: usually a full disk.
    #[error("{}: the import's temporary file: {error} (free space there, or set TMPDIR)", dir.display())]
    Spill { dir: PathBuf, error: io::Error },
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
    /// Files that are neither JSON, CSV nor zip (in directories; in archives, entries not JSON).
    pub ignored_files: u64,
    /// `affected[]` entries without a package (pure git ranges), not kept.
    pub affected_without_package: u64,
    /// CVE records read from NVD CVE JSON 2.0 files.
    #[serde(default)]
    pub nvd_records: u64,
    /// Entries read from CISA KEV catalogs.
    #[serde(default)]
    pub kev_entries: u64,
    /// Scores read from FIRST EPSS files.
    #[serde(default)]
    pub epss_scores: u64,
    /// CVEs with NVD, KEV or EPSS facts that no OSV record names: not kept.
    #[serde(default)]
    pub unreferenced_cves: u64,
}

/// Advisories read by [`import`], ready for [`crate::db::build`]: the
/// report in memory, the records in a temporary file (read back one at a
/// time with [`Imported::record`]).
#[derive(Debug)]
pub struct Imported {
    pub report: ImportReport,
    /// Live advisories, sorted by id.
    kept: Vec<Kept>,
    spill: Spill,
}

#[derive(Debug)]
struct Kept {
    id: Box<str>,
    at: u64,
    len: u32,
}

impl Imported {
    /// Live advisories kept (distinct ids).
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The ids of the advisories, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.kept.iter().map(|k| &*k.id)
    }

    /// The `i`th advisory (in id order), read back from the temporary file.
    pub fn record(&self, i: usize) -> Result<Record, ImportError> {
        let k = &self.kept[i];
        let bytes = self.spill.read(k.at, k.len)?;
        decode_record(&bytes).map_err(|e| self.spill.error(e))
    }

    /// The raw encoded records of `range` (in id order), for the database
    /// build to decode in parallel with [`decode_record`].
    pub(crate) fn raw(&self, range: std::ops::Range<usize>) -> Result<Vec<Vec<u8>>, ImportError> {
        self.kept[range]
            .iter()
            .map(|k| self.spill.read(k.at, k.len))
            .collect()
    }

    /// Where the temporary file lives (for error messages).
    pub(crate) fn spill_dir(&self) -> &Path {
        &self.spill.dir
    }
}

/// Encodes a record for the temporary file.
fn encode_record(r: &Record) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_allocvec(&(&r.advisory, &r.affected))
}

/// Decodes a record of the temporary file.
pub(crate) fn decode_record(bytes: &[u8]) -> Result<Record, io::Error> {
    let (advisory, affected): (crate::osv::Advisory, Vec<crate::osv::Affected>) =
        postcard::from_bytes(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(Record {
        advisory,
        affected,
        affected_without_package: 0,
    })
}

/// An append-only anonymous temporary file.
#[derive(Debug)]
pub(crate) struct Spill {
    dir: PathBuf,
    file: File,
    writer: Option<io::BufWriter<File>>,
    len: u64,
}

impl Spill {
    pub(crate) fn new(dir: &Path) -> Result<Spill, ImportError> {
        let err = |error| ImportError::Spill {
            dir: dir.to_path_buf(),
            error,
        };
        let file = tempfile::tempfile_in(dir).map_err(err)?;
        let writer = io::BufWriter::with_capacity(1 << 20, file.try_clone().map_err(err)?);
        Ok(Spill {
            dir: dir.to_path_buf(),
            file,
            writer: Some(writer),
            len: 0,
        })
    }

    pub(crate) fn error(&self, error: io::Error) -> ImportError {
        ImportError::Spill {
            dir: self.dir.clone(),
            error,
        }
    }

    /// Appends bytes; returns their offset.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Result<u64, ImportError> {
        use io::Write;
        let at = self.len;
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("temporary file already closed"));
        match w.and_then(|w| w.write_all(bytes)) {
            Ok(()) => {
                self.len += bytes.len() as u64;
                Ok(at)
            }
            Err(e) => Err(self.error(e)),
        }
    }

    /// Makes what was appended so far readable, while appends go on.
    pub(crate) fn flush(&mut self) -> Result<(), ImportError> {
        use io::Write;
        match self.writer.as_mut().map(|w| w.flush()) {
            Some(Err(e)) => Err(self.error(e)),
            _ => Ok(()),
        }
    }

    /// Flushes what was appended; reads are possible from then on.
    pub(crate) fn seal(&mut self) -> Result<(), ImportError> {
        if let Some(w) = self.writer.take() {
            w.into_inner().map_err(|e| self.error(e.into_error()))?;
        }
        Ok(())
    }

    pub(crate) fn read(&self, at: u64, len: u32) -> Result<Vec<u8>, ImportError> {
        let mut buf = vec![0u8; len as usize];
        read_exact_at(&self.file, &mut buf, at).map_err(|e| self.error(e))?;
        Ok(buf)
    }

    /// The whole file, for copying it elsewhere.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, at)
}

#[cfg(windows)]
fn read_exact_at(f: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, at) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                at += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads every path (directory, zip archive or JSON file; the kind is told
/// by content, not by name) into one set of advisories. Parsed records wait
/// in a temporary file in the system's temporary directory; see
/// [`import_in`] to choose where.
pub fn import<P: AsRef<Path>>(paths: &[P]) -> Result<Imported, ImportError> {
    import_in(paths, &std::env::temp_dir())
}

/// [`import`], with the temporary file in `dir` (the database's directory,
/// so that the space it needs is checked where the database goes, and a
/// RAM-backed `/tmp` is not filled).
pub fn import_in<P: AsRef<Path>>(paths: &[P], dir: &Path) -> Result<Imported, ImportError> {
    let mut c = Collector {
        by_id: HashMap::new(),
        report: ImportReport::default(),
        batch: Vec::new(),
        batch_bytes: 0,
        current: Source::default(),
        spill: Spill::new(dir)?,
        failed: None,
        facts: HashMap::new(),
        referenced: HashSet::new(),
    };
    for path in paths {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|error| ImportError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        if meta.is_dir() {
            c.directory(path)?;
        } else if is_zip(path)? {
            c.archive_source(path)?;
        } else {
            c.single_file(path)?;
        }
        c.check()?;
    }
    c.finish()
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ImportError + '_ {
    move |error| ImportError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Every file under `root`, sorted (links to directories not followed, so
/// a cycle cannot loop the walk).
fn walk(root: &Path) -> Result<Vec<PathBuf>, ImportError> {
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
            let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
            if meta.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The SHA-256 an import records for the source at `path` ([`Source::sha256`]):
/// of the file, or of a directory's listing of the files it reads. Lets a
/// caller tell whether a database was built from exactly these inputs
/// without importing them.
pub fn source_digest(path: &Path) -> Result<String, ImportError> {
    let meta = std::fs::metadata(path).map_err(io_err(path))?;
    if !meta.is_dir() {
        return sha256_file(path);
    }
    let mut listing = Sha256::new();
    for file in walk(path)? {
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("json" | "csv" | "zip")) {
            continue;
        }
        let rel = file
            .strip_prefix(path)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        listing.update(rel.as_bytes());
        listing.update(b"\0");
        listing.update(sha256_file(&file)?.as_bytes());
        listing.update(b"\n");
    }
    Ok(hex::encode(listing.finalize()))
}

fn is_gzip(path: &Path) -> Result<bool, ImportError> {
    let mut magic = [0u8; 2];
    let mut f = File::open(path).map_err(io_err(path))?;
    let n = read_up_to(&mut f, &mut magic).map_err(io_err(path))?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
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
    /// A live advisory: its `modified` date (the newest wins) and where its
    /// encoding is in the temporary file.
    Live {
        modified: Box<str>,
        at: u64,
        len: u32,
        without_package: u32,
    },
    Withdrawn,
}

struct Collector {
    by_id: HashMap<Box<str>, Slot>,
    report: ImportReport,
    /// Raw records waiting to be parsed: (file label, bytes).
    batch: Vec<(String, Vec<u8>)>,
    batch_bytes: usize,
    /// Counters of the source being read.
    current: Source,
    spill: Spill,
    /// The first failure to write the temporary file (reported once the
    /// current input is done).
    failed: Option<ImportError>,
    /// Facts about CVEs from NVD, KEV and EPSS files, merged per CVE.
    facts: HashMap<Box<str>, CveFacts>,
    /// The CVE ids OSV records name (as id, alias or upstream): the CVEs
    /// whose facts a scan can reach.
    referenced: HashSet<Box<str>>,
}

/// What NVD, KEV and EPSS files said about one CVE.
#[derive(Default)]
struct CveFacts {
    nvd: Option<Box<enrich::NvdRecord>>,
    kev: Option<Box<osv::Kev>>,
    epss: Option<osv::Epss>,
}

/// A batch entry, parsed.
enum Item {
    Osv(Result<Parsed, OsvError>, Option<Vec<u8>>),
    Facts(Result<Vec<(String, Fact)>, enrich::EnrichError>),
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

    fn check(&mut self) -> Result<(), ImportError> {
        self.flush();
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        if self.failed.is_some() {
            return;
        }
        // Parsed and encoded on every core; only the encoding is kept.
        let parsed: Vec<(String, Item)> = batch
            .into_par_iter()
            .map(|(label, bytes)| {
                if let Some(kind) = enrich::sniff(&bytes) {
                    return (label, Item::Facts(enrich::parse(kind, &bytes[..])));
                }
                let p = osv::parse(&bytes);
                let enc = match &p {
                    Ok(Parsed::Record(r)) => encode_record(r).ok(),
                    _ => None,
                };
                (label, Item::Osv(p, enc))
            })
            .collect();
        for (label, item) in parsed {
            let (p, enc) = match item {
                Item::Osv(p, enc) => (p, enc),
                Item::Facts(Ok(facts)) => {
                    self.current.records += facts.len() as u64;
                    self.add_facts(facts);
                    continue;
                }
                Item::Facts(Err(e)) => {
                    self.malformed(label, e.to_string());
                    continue;
                }
            };
            match p {
                Err(e) => self.malformed(label, e.to_string()),
                Ok(Parsed::Withdrawn { id }) => {
                    self.current.withdrawn += 1;
                    // A withdrawn record has no usable `modified` ordering
                    // against live ones in practice (Go writes the zero
                    // time); withdrawal wins over any live copy.
                    if self.by_id.insert(id.into(), Slot::Withdrawn).is_some() {
                        self.report.duplicates += 1;
                    }
                }
                Ok(Parsed::Record(r)) => {
                    self.current.records += 1;
                    for id in r.advisory.identifiers().filter(|i| i.starts_with("CVE-")) {
                        if !self.referenced.contains(id) {
                            self.referenced.insert(id.into());
                        }
                    }
                    let Some(enc) = enc else {
                        self.malformed(label, "record cannot be encoded".into());
                        continue;
                    };
                    let wins = match self.by_id.get(r.advisory.id.as_str()) {
                        None => true,
                        Some(Slot::Withdrawn) => false,
                        Some(Slot::Live { modified, .. }) => {
                            r.advisory.modified.as_str() >= &**modified
                        }
                    };
                    if self.by_id.contains_key(r.advisory.id.as_str()) {
                        self.report.duplicates += 1;
                    }
                    if !wins {
                        continue;
                    }
                    let Ok(len) = u32::try_from(enc.len()) else {
                        self.malformed(label, "record too large".into());
                        continue;
                    };
                    let at = match self.spill.append(&enc) {
                        Ok(at) => at,
                        Err(e) => {
                            self.failed = Some(e);
                            return;
                        }
                    };
                    let slot = Slot::Live {
                        modified: r.advisory.modified.as_str().into(),
                        at,
                        len,
                        without_package: u32::try_from(r.affected_without_package)
                            .unwrap_or(u32::MAX),
                    };
                    self.by_id.insert(r.advisory.id.into_boxed_str(), slot);
                }
            }
        }
    }

    fn single_file(&mut self, path: &Path) -> Result<(), ImportError> {
        self.begin(path, SourceKind::File);
        let label = path.display().to_string();
        // NVD feeds, KEV catalogs and EPSS files (gzip or not) are read as a
        // stream: they can be far larger than an OSV record.
        let f = File::open(path).map_err(io_err(path))?;
        let mut reader: Box<dyn Read> = if is_gzip(path)? {
            Box::new(flate2::read::GzDecoder::new(f))
        } else {
            Box::new(f)
        };
        let mut head = vec![0u8; enrich::SNIFF_BYTES];
        let n = read_up_to(&mut reader, &mut head).map_err(io_err(path))?;
        head.truncate(n);
        if let Some(kind) = enrich::sniff(&head) {
            let stream = io::Cursor::new(head).chain(reader).take(MAX_FEED_BYTES);
            match enrich::parse(kind, stream) {
                Ok(facts) => {
                    self.current.records += facts.len() as u64;
                    self.add_facts(facts);
                }
                Err(e) => self.malformed(label, e.to_string()),
            }
            let sha = sha256_file(path)?;
            self.end(sha);
            return Ok(());
        }
        let f = io::Cursor::new(head).chain(reader);
        let bytes = read_capped(f, MAX_RECORD_BYTES).map_err(io_err(path))?;
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
        for path in walk(root)? {
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
                Some("json") | Some("csv") => {
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
        let archive_err = |error| ImportError::Archive {
            path: path.to_path_buf(),
            error,
        };
        let mut zip = crate::zipdir::ZipDir::open(file).map_err(archive_err)?;
        // A damaged directory stops the archive (later entries cannot be
        // found); a damaged entry is one malformed record.
        while let Some(entry) = zip.next_entry().map_err(archive_err)? {
            if entry.is_dir() {
                continue;
            }
            let label = format!("{}!{}", path.display(), entry.name);
            if !entry.name.to_ascii_lowercase().ends_with(".json") {
                self.report.ignored_files += 1;
                continue;
            }
            match zip.read(&entry, MAX_RECORD_BYTES) {
                Ok(Some(bytes)) => self.push(label, bytes),
                Ok(None) => self.malformed(label, too_large()),
                Err(e) => self.malformed(label, format!("unreadable archive entry: {e}")),
            }
        }
        Ok(sha)
    }

    fn add_facts(&mut self, facts: Vec<(String, Fact)>) {
        for (cve, fact) in facts {
            let slot = self.facts.entry(cve.into_boxed_str()).or_default();
            match fact {
                Fact::Nvd(r) => {
                    self.report.nvd_records += 1;
                    if slot
                        .nvd
                        .as_ref()
                        .is_none_or(|old| r.modified >= old.modified)
                    {
                        slot.nvd = Some(r);
                    }
                }
                Fact::Kev(k) => {
                    self.report.kev_entries += 1;
                    slot.kev = Some(k);
                }
                Fact::Epss(e) => {
                    self.report.epss_scores += 1;
                    if slot.epss.as_ref().is_none_or(|old| e.date >= old.date) {
                        slot.epss = Some(e);
                    }
                }
            }
        }
    }

    /// Puts the facts about CVEs on their records (see rule 5).
    fn merge_facts(&mut self) -> Result<(), ImportError> {
        let mut facts: Vec<(Box<str>, CveFacts)> =
            std::mem::take(&mut self.facts).into_iter().collect();
        facts.sort_by(|a, b| a.0.cmp(&b.0));
        self.spill.flush()?;
        for (cve, f) in facts {
            let record = match self.by_id.get(&cve) {
                Some(Slot::Withdrawn) => continue,
                Some(Slot::Live { at, len, .. }) => {
                    let bytes = self.spill.read(*at, *len)?;
                    let mut r = decode_record(&bytes).map_err(|e| self.spill.error(e))?;
                    let a = &mut r.advisory;
                    if let Some(nvd) = f.nvd
                        && a.cvss_vectors().next().is_none()
                    {
                        a.severity.extend(nvd.severity);
                    }
                    a.kev = f.kev.map(|k| *k).or(a.kev.take());
                    a.epss = f.epss.or(a.epss.take());
                    r
                }
                // No OSV record names the CVE: no finding can reach its
                // facts, so no record is made (NVD's feeds and EPSS's file
                // cover every CVE, a few hundred thousand).
                None if !self.referenced.contains(&cve) => {
                    self.report.unreferenced_cves += 1;
                    continue;
                }
                None => {
                    let (origin, summary, published, modified, severity) = match f.nvd {
                        Some(n) => (Origin::Nvd, n.summary, n.published, n.modified, n.severity),
                        None => (
                            Origin::Catalog,
                            f.kev.as_ref().map(|k| k.name.clone()).unwrap_or_default(),
                            None,
                            String::new(),
                            Vec::new(),
                        ),
                    };
                    Record {
                        advisory: Advisory {
                            id: cve.to_string(),
                            aliases: Vec::new(),
                            related: Vec::new(),
                            summary,
                            published,
                            modified,
                            severity,
                            references: Vec::new(),
                            group: 0,
                            vulnerability_id: String::new(),
                            origin,
                            kev: f.kev.map(|k| *k),
                            epss: f.epss,
                        },
                        affected: Vec::new(),
                        affected_without_package: 0,
                    }
                }
            };
            let enc = encode_record(&record).map_err(|e| self.spill.error(io::Error::other(e)))?;
            let len = u32::try_from(enc.len())
                .map_err(|_| self.spill.error(io::Error::other("record too large")))?;
            let at = self.spill.append(&enc)?;
            let modified: Box<str> = record.advisory.modified.as_str().into();
            self.by_id.insert(
                cve,
                Slot::Live {
                    modified,
                    at,
                    len,
                    without_package: 0,
                },
            );
        }
        self.referenced = HashSet::new();
        Ok(())
    }

    fn finish(mut self) -> Result<Imported, ImportError> {
        self.check()?;
        self.merge_facts()?;
        self.spill.seal()?;
        let mut kept = Vec::with_capacity(self.by_id.len());
        let mut without_package = 0u64;
        for (id, slot) in self.by_id {
            match slot {
                Slot::Live {
                    at,
                    len,
                    without_package: w,
                    ..
                } => {
                    without_package += u64::from(w);
                    kept.push(Kept { id, at, len });
                }
                Slot::Withdrawn => self.report.withdrawn += 1,
            }
        }
        kept.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        self.report.advisories = kept.len() as u64;
        self.report.affected_without_package = without_package;
        Ok(Imported {
            report: self.report,
            kept,
            spill: self.spill,
        })
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
