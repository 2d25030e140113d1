//! Writing the database file (layout in `format.rs`).
//!
//! The build streams: advisories are read back from the import's temporary
//! file a chunk at a time (in id order), their blobs go straight into a
//! temporary DATA file, and each affected entry is encoded into a second
//! temporary file until its package's blob is assembled. Memory holds the
//! index (fixed-size entries, the strings, the alias union-find) and one
//! chunk, never every advisory.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::alias::Grouper;
use super::format::*;
use super::{AdvisoryIndex, AffectedEntry, DbError, EcosystemCount, Meta, package_key};
use crate::import::{Imported, Spill, decode_record};
use crate::osv::Advisory;

/// Advisories decoded together.
const CHUNK: usize = 4096;
/// Raw affected entries assembled into package blobs together (bytes).
const PACKAGE_CHUNK_BYTES: u64 = 8 << 20;

fn chunks(n: usize) -> impl Iterator<Item = Range<usize>> {
    (0..n).step_by(CHUNK).map(move |s| s..(s + CHUNK).min(n))
}

/// A package: its key and its ecosystem.
type PackageName = (Box<str>, Box<str>);

/// One affected entry waiting in the temporary file: its package (index in
/// the build's package list), where its encoding is, and its length.
struct Pending {
    package: u32,
    len: u32,
    at: u64,
}

/// Builds the database at `path` from imported advisories, atomically: the
/// file is written beside `path` under a temporary name, synced, then
/// renamed over it, so a reader sees the old database or the new one, never
/// half of one. Returns what was written.
pub fn build(mut imported: Imported, path: &Path) -> Result<Meta, DbError> {
    let report = std::mem::take(&mut imported.report);
    let fail = |what: String| DbError::Build {
        path: path.to_path_buf(),
        what,
    };
    let n = imported.len();
    if n > u32::MAX as usize {
        return Err(fail("too many advisories".into()));
    }
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    let read = |range: Range<usize>| -> Result<Vec<Advisory>, String> {
        imported
            .raw(range)
            .map_err(|e| e.to_string())?
            .par_iter()
            .map(|b| decode_record(b).map(|r| r.advisory))
            .collect::<Result<_, _>>()
            .map_err(|e| {
                format!(
                    "{}: the import's temporary file: {e}",
                    imported.spill_dir().display()
                )
            })
    };

    // 1. Alias groups, from a first pass over the advisories.
    let mut grouper = Grouper::default();
    for range in chunks(n) {
        for a in read(range).map_err(fail)? {
            grouper.add(&a);
        }
    }
    // Group blobs go into DATA as the groups are made.
    let spill_fail = |e: crate::import::ImportError| fail(e.to_string());
    let mut data = Spill::new(&dir).map_err(spill_fail)?;
    let mut group_section = Vec::new();
    let grouping = grouper
        .finish(|group| -> Result<(), String> {
            let blob = encode_blob(&group)?;
            let (blob_off, blob_len) = append(&mut data, &blob)?;
            group_section.extend_from_slice(&blob_off.to_le_bytes());
            group_section.extend_from_slice(&blob_len.to_le_bytes());
            group_section.extend_from_slice(&0u32.to_le_bytes());
            Ok(())
        })
        .map_err(fail)?;

    // 2. Advisory blobs into DATA, affected entries into a temporary file.
    let mut pending_file = Spill::new(&dir).map_err(spill_fail)?;
    let mut strings = Strings::default();
    let mut advisory_section = Vec::with_capacity(n * ADVISORY_ENTRY);
    let mut package_of: HashMap<PackageName, u32> = HashMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut per_ecosystem: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    type Entry = (String, String, Vec<u8>);
    for range in chunks(n) {
        let start = range.start;
        let raw = imported.raw(range).map_err(spill_fail)?;
        let done: Vec<(String, Vec<u8>, Vec<Entry>)> = raw
            .par_iter()
            .enumerate()
            .map(|(j, bytes)| -> Result<_, String> {
                let i = start + j;
                let r = decode_record(bytes).map_err(|e| {
                    format!(
                        "{}: the import's temporary file: {e}",
                        imported.spill_dir().display()
                    )
                })?;
                let mut a = r.advisory;
                let g = grouping.of_advisory[i];
                a.group = g;
                a.vulnerability_id = grouping.names[g as usize].to_string();
                let blob = encode_blob_with(&a, COMPRESS_ADVISORY_FROM)?;
                let mut entries = Vec::with_capacity(r.affected.len());
                for affected in r.affected {
                    let key = package_key(&affected.ecosystem, &affected.name).into_owned();
                    let eco = affected.ecosystem.clone();
                    let entry = AffectedEntry {
                        advisory: AdvisoryIndex(i as u32),
                        affected,
                    };
                    let enc = postcard::to_allocvec(&entry).map_err(|e| e.to_string())?;
                    entries.push((key, eco, enc));
                }
                Ok((a.id, blob, entries))
            })
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        for (id, blob, entries) in done {
            let (id_off, id_len) = strings.push(&id).map_err(fail)?;
            let (blob_off, blob_len) = append(&mut data, &blob).map_err(fail)?;
            advisory_section.extend_from_slice(&id_off.to_le_bytes());
            advisory_section.extend_from_slice(&id_len.to_le_bytes());
            advisory_section.extend_from_slice(&0u16.to_le_bytes());
            advisory_section.extend_from_slice(&blob_len.to_le_bytes());
            advisory_section.extend_from_slice(&0u32.to_le_bytes());
            advisory_section.extend_from_slice(&blob_off.to_le_bytes());
            let mut seen: Vec<&str> = Vec::new();
            for (key, eco, enc) in &entries {
                if !seen.contains(&eco.as_str()) {
                    seen.push(eco);
                }
                let next = package_of.len() as u32;
                let package = *package_of
                    .entry((key.as_str().into(), eco.as_str().into()))
                    .or_insert(next);
                let (at, len) = append(&mut pending_file, enc).map_err(fail)?;
                pending.push(Pending { package, len, at });
            }
            for eco in seen {
                per_ecosystem.entry(eco.to_string()).or_default().0 += 1;
            }
        }
    }
    drop(imported);
    pending_file.seal().map_err(spill_fail)?;

    // 3. Package blobs, in (package key, ecosystem) order; each package's
    // entries stay in advisory order (the sort is stable).
    let mut packages: Vec<(PackageName, u32)> = package_of.into_iter().collect();
    packages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut rank = vec![0u32; packages.len()];
    for (r, (_, p)) in packages.iter().enumerate() {
        rank[*p as usize] = r as u32;
    }
    pending.sort_by_key(|e| rank[e.package as usize]);
    drop(rank);
    for ((_, eco), _) in &packages {
        per_ecosystem.entry(eco.to_string()).or_default().1 += 1;
    }
    let mut package_section = Vec::with_capacity(packages.len() * PACKAGE_ENTRY);
    let mut rest = &pending[..];
    let mut next_package = 0usize;
    while !rest.is_empty() {
        // A run of whole packages of at most PACKAGE_CHUNK_BYTES (or one).
        let mut runs: Vec<Vec<Vec<u8>>> = Vec::new();
        let mut bytes = 0u64;
        while !rest.is_empty() && (runs.is_empty() || bytes < PACKAGE_CHUNK_BYTES) {
            let p = rest[0].package;
            let k = rest.iter().take_while(|e| e.package == p).count();
            let mut run = Vec::with_capacity(k);
            for e in &rest[..k] {
                run.push(pending_file.read(e.at, e.len).map_err(spill_fail)?);
                bytes += u64::from(e.len);
            }
            runs.push(run);
            rest = &rest[k..];
        }
        let blobs: Vec<Vec<u8>> = runs
            .into_par_iter()
            .map(|run| {
                let mut raw = Vec::with_capacity(run.iter().map(Vec::len).sum::<usize>() + 5);
                push_seq_len(&mut raw, run.len() as u64);
                for e in run {
                    raw.extend_from_slice(&e);
                }
                encode_raw_blob(raw, COMPRESS_FROM)
            })
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        for blob in blobs {
            let ((key, eco), _) = &packages[next_package];
            next_package += 1;
            let (key_off, key_len) = strings.intern(key).map_err(fail)?;
            let (eco_off, eco_len) = strings.intern(eco).map_err(fail)?;
            let (blob_off, blob_len) = append(&mut data, &blob).map_err(fail)?;
            package_section.extend_from_slice(&key_off.to_le_bytes());
            package_section.extend_from_slice(&eco_off.to_le_bytes());
            package_section.extend_from_slice(&key_len.to_le_bytes());
            package_section.extend_from_slice(&eco_len.to_le_bytes());
            package_section.extend_from_slice(&blob_len.to_le_bytes());
            package_section.extend_from_slice(&blob_off.to_le_bytes());
        }
    }
    drop(pending);
    drop(pending_file);

    data.seal().map_err(spill_fail)?;

    let meta = Meta {
        schema_version: SCHEMA_VERSION,
        built_at: rfc3339_utc(SystemTime::now()),
        built_by: concat!("plimsoll-vuln ", env!("CARGO_PKG_VERSION")).to_string(),
        sources: report.sources,
        advisories: n as u64,
        withdrawn_excluded: report.withdrawn,
        duplicates: report.duplicates,
        malformed: report.malformed.len() as u64,
        alias_groups: grouping.names.len() as u64,
        alias_merges_refused: grouping.refused,
        packages: packages.len() as u64,
        ecosystems: per_ecosystem
            .into_iter()
            .map(|(ecosystem, (advisories, packages))| EcosystemCount {
                ecosystem,
                advisories,
                packages,
            })
            .collect(),
        nvd_records: report.nvd_records,
        kev_entries: report.kev_entries,
        epss_scores: report.epss_scores,
    };
    let meta_blob = encode_blob(&meta).map_err(fail)?;

    let parts: [&[u8]; DATA] = [
        &meta_blob,
        &package_section,
        &advisory_section,
        &group_section,
        &strings.bytes,
    ];
    let mut header = vec![0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&SCHEMA_VERSION.to_le_bytes());
    let mut offset = HEADER_LEN as u64;
    let lengths = parts.iter().map(|p| p.len() as u64).chain([data.len()]);
    for (i, len) in lengths.enumerate() {
        let at = 16 + i * 16;
        header[at..at + 8].copy_from_slice(&offset.to_le_bytes());
        header[at + 8..at + 16].copy_from_slice(&len.to_le_bytes());
        offset += len;
    }
    let mut digest = Sha256::new();
    digest.update(&header[..DIGEST_AT]);
    for part in &parts {
        digest.update(part);
    }
    header[DIGEST_AT..HEADER_LEN].copy_from_slice(&digest.finalize());

    write_atomically(path, &dir, &header, &parts, &data).map_err(|e| fail(e.to_string()))?;
    Ok(meta)
}

fn append(file: &mut Spill, blob: &[u8]) -> Result<(u64, u32), String> {
    let len = u32::try_from(blob.len()).map_err(|_| "blob too large".to_string())?;
    let at = file.append(blob).map_err(|e| e.to_string())?;
    Ok((at, len))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    at: HashMap<String, u32>,
}

impl Strings {
    /// Appends a string known to be unique (an advisory id), without
    /// remembering it.
    fn push(&mut self, s: &str) -> Result<(u32, u16), String> {
        let len = u16::try_from(s.len()).map_err(|_| format!("string too long: {s:.40}…"))?;
        let at = u32::try_from(self.bytes.len()).map_err(|_| "string table over 4 GiB")?;
        self.bytes.extend_from_slice(s.as_bytes());
        Ok((at, len))
    }

    fn intern(&mut self, s: &str) -> Result<(u32, u16), String> {
        let len = u16::try_from(s.len()).map_err(|_| format!("string too long: {s:.40}…"))?;
        if let Some(&at) = self.at.get(s) {
            return Ok((at, len));
        }
        let at = u32::try_from(self.bytes.len()).map_err(|_| "string table over 4 GiB")?;
        self.bytes.extend_from_slice(s.as_bytes());
        self.at.insert(s.to_string(), at);
        Ok((at, len))
    }
}

fn write_atomically(
    path: &Path,
    dir: &Path,
    header: &[u8],
    parts: &[&[u8]],
    data: &Spill,
) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vuln.db".into());
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        w.write_all(header)?;
        for part in parts {
            w.write_all(part)?;
        }
        let mut file = w.into_inner().map_err(|e| e.into_error())?;
        let mut src = data.file();
        src.seek(std::io::SeekFrom::Start(0))?;
        let copied = std::io::copy(&mut src.take(data.len()), &mut file)?;
        if copied != data.len() {
            return Err(std::io::Error::other(format!(
                "copied {copied} of {} bytes of data",
                data.len()
            )));
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the directory is synced; not every
        // platform can open a directory, and the data is safe either way.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `YYYY-MM-DDThh:mm:ssZ` of a time (proleptic Gregorian, UTC).
pub(crate) fn rfc3339_utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199); // 2024-02-29T23:59:59Z
        assert_eq!(rfc3339_utc(t), "2024-02-29T23:59:59Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339_utc(t), "2000-02-29T00:00:00Z");
    }
}
