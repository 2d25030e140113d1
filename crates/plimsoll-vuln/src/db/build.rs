//! Writing the database file (layout in `format.rs`).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::format::*;
use super::{AdvisoryIndex, AffectedEntry, DbError, EcosystemCount, Meta, alias, package_key};
use crate::import::Imported;
use crate::osv::{Advisory, Affected};

/// Builds the database at `path` from imported advisories, atomically: the
/// file is written beside `path` under a temporary name, synced, then
/// renamed over it, so a reader sees the old database or the new one, never
/// half of one. Returns what was written.
pub fn build(imported: Imported, path: &Path) -> Result<Meta, DbError> {
    let fail = |what: String| DbError::Build {
        path: path.to_path_buf(),
        what,
    };
    let Imported {
        mut records,
        report,
    } = imported;
    records.sort_by(|a, b| a.advisory.id.cmp(&b.advisory.id));
    records.dedup_by(|a, b| a.advisory.id == b.advisory.id);
    let (mut advisories, affected): (Vec<Advisory>, Vec<Vec<Affected>>) = records
        .into_iter()
        .map(|r| (r.advisory, r.affected))
        .unzip();
    if advisories.len() > u32::MAX as usize {
        return Err(fail("too many advisories".into()));
    }

    let grouping = {
        let refs: Vec<&Advisory> = advisories.iter().collect();
        alias::group(&refs)
    };
    for (a, &g) in advisories.iter_mut().zip(&grouping.of_advisory) {
        a.group = g;
        a.vulnerability_id = grouping.groups[g as usize].name.clone();
    }

    // Affected entries by (package key, ecosystem), and per-ecosystem counts.
    let mut packages: HashMap<(String, String), Vec<AffectedEntry>> = HashMap::new();
    let mut per_ecosystem: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (i, list) in affected.into_iter().enumerate() {
        let mut seen: Vec<String> = Vec::new();
        for a in list {
            if !seen.contains(&a.ecosystem) {
                seen.push(a.ecosystem.clone());
            }
            let key = (
                package_key(&a.ecosystem, &a.name).into_owned(),
                a.ecosystem.clone(),
            );
            packages.entry(key).or_default().push(AffectedEntry {
                advisory: AdvisoryIndex(i as u32),
                affected: a,
            });
        }
        for eco in seen {
            per_ecosystem.entry(eco).or_default().0 += 1;
        }
    }
    let mut packages: Vec<((String, String), Vec<AffectedEntry>)> = packages.into_iter().collect();
    packages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for ((_, eco), _) in &packages {
        per_ecosystem.entry(eco.clone()).or_default().1 += 1;
    }

    let package_blobs: Vec<Vec<u8>> = packages
        .par_iter()
        .map(|(_, entries)| encode_blob(entries))
        .collect::<Result<_, _>>()
        .map_err(fail)?;
    let advisory_blobs: Vec<Vec<u8>> = advisories
        .par_iter()
        .map(|a| encode_blob_with(a, COMPRESS_ADVISORY_FROM))
        .collect::<Result<_, _>>()
        .map_err(fail)?;
    let group_blobs: Vec<Vec<u8>> = grouping
        .groups
        .par_iter()
        .map(encode_blob)
        .collect::<Result<_, _>>()
        .map_err(fail)?;

    let mut strings = Strings::default();
    let mut data: Vec<u8> = Vec::new();
    let mut append = |blob: &[u8]| -> Result<(u64, u32), String> {
        let at = data.len() as u64;
        let len = u32::try_from(blob.len()).map_err(|_| "blob too large".to_string())?;
        data.extend_from_slice(blob);
        Ok((at, len))
    };

    let mut package_section = Vec::with_capacity(packages.len() * PACKAGE_ENTRY);
    for (((key, eco), _), blob) in packages.iter().zip(&package_blobs) {
        let (key_off, key_len) = strings.intern(key).map_err(fail)?;
        let (eco_off, eco_len) = strings.intern(eco).map_err(fail)?;
        let (blob_off, blob_len) = append(blob).map_err(fail)?;
        package_section.extend_from_slice(&key_off.to_le_bytes());
        package_section.extend_from_slice(&eco_off.to_le_bytes());
        package_section.extend_from_slice(&key_len.to_le_bytes());
        package_section.extend_from_slice(&eco_len.to_le_bytes());
        package_section.extend_from_slice(&blob_len.to_le_bytes());
        package_section.extend_from_slice(&blob_off.to_le_bytes());
    }
    let mut advisory_section = Vec::with_capacity(advisories.len() * ADVISORY_ENTRY);
    for (a, blob) in advisories.iter().zip(&advisory_blobs) {
        let (id_off, id_len) = strings.intern(&a.id).map_err(fail)?;
        let (blob_off, blob_len) = append(blob).map_err(fail)?;
        advisory_section.extend_from_slice(&id_off.to_le_bytes());
        advisory_section.extend_from_slice(&id_len.to_le_bytes());
        advisory_section.extend_from_slice(&0u16.to_le_bytes());
        advisory_section.extend_from_slice(&blob_len.to_le_bytes());
        advisory_section.extend_from_slice(&0u32.to_le_bytes());
        advisory_section.extend_from_slice(&blob_off.to_le_bytes());
    }
    let mut group_section = Vec::with_capacity(group_blobs.len() * GROUP_ENTRY);
    for blob in &group_blobs {
        let (blob_off, blob_len) = append(blob).map_err(fail)?;
        group_section.extend_from_slice(&blob_off.to_le_bytes());
        group_section.extend_from_slice(&blob_len.to_le_bytes());
        group_section.extend_from_slice(&0u32.to_le_bytes());
    }

    let meta = Meta {
        schema_version: SCHEMA_VERSION,
        built_at: rfc3339_utc(SystemTime::now()),
        built_by: concat!("plimsoll-vuln ", env!("CARGO_PKG_VERSION")).to_string(),
        sources: report.sources,
        advisories: advisories.len() as u64,
        withdrawn_excluded: report.withdrawn,
        duplicates: report.duplicates,
        malformed: report.malformed.len() as u64,
        alias_groups: grouping.groups.len() as u64,
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
    };
    let meta_blob = encode_blob(&meta).map_err(fail)?;

    let parts: [&[u8]; SECTIONS] = [
        &meta_blob,
        &package_section,
        &advisory_section,
        &group_section,
        &strings.bytes,
        &data,
    ];
    let mut header = vec![0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&SCHEMA_VERSION.to_le_bytes());
    let mut offset = HEADER_LEN as u64;
    for (i, part) in parts.iter().enumerate() {
        let at = 16 + i * 16;
        header[at..at + 8].copy_from_slice(&offset.to_le_bytes());
        header[at + 8..at + 16].copy_from_slice(&(part.len() as u64).to_le_bytes());
        offset += part.len() as u64;
    }
    let mut digest = Sha256::new();
    digest.update(&header[..DIGEST_AT]);
    for part in &parts[..DATA] {
        digest.update(part);
    }
    header[DIGEST_AT..HEADER_LEN].copy_from_slice(&digest.finalize());

    write_atomically(path, &header, &parts).map_err(|e| fail(e.to_string()))?;
    Ok(meta)
}

#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    at: HashMap<String, u32>,
}

impl Strings {
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

fn write_atomically(path: &Path, header: &[u8], parts: &[&[u8]]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
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
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the directory is synced; not every
        // platform can open a directory, and the data is safe either way.
        if let Ok(d) = std::fs::File::open(&dir) {
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
