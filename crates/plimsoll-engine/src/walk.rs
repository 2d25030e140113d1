//! One pass over one layer blob: verify the digest, decompress, walk the tar
//! entries, hand each to every analyser. Nothing touches the disk.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use plimsoll_oci::verify::VerifyingReader;
use plimsoll_oci::{LayerRef, OciError};

use crate::analyzer::{DynAnalyzer, DynVisitor, Entry, EntryKind};
use crate::{LayerStats, Progress};

/// Why a layer could not be read; the engine adds the image and layer.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error(transparent)]
    Oci(#[from] OciError),
    #[error("{0}")]
    Io(String),
    #[error("corrupt tar: {0}")]
    Tar(String),
    #[error("tar entry '{0}' escapes the image root ('..' component)")]
    Traversal(String),
    #[error("tar entry '{0}' has an absolute path")]
    Absolute(String),
    #[error(
        "decompressed size exceeds the cap of {cap} bytes (a decompression bomb?); raise it with --max-uncompressed-bytes"
    )]
    Bomb { cap: u64 },
    #[error("cannot encode analyser facts: {0}")]
    Encode(String),
}

impl WalkError {
    fn from_io(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|i| i.is::<OciError>()) {
            return WalkError::Oci(OciError::from_io("", e));
        }
        if e.get_ref().is_some_and(|i| i.is::<BombMarker>()) {
            let cap = e
                .into_inner()
                .and_then(|i| i.downcast::<BombMarker>().ok())
                .map(|b| b.0);
            return WalkError::Bomb {
                cap: cap.unwrap_or(0),
            };
        }
        let msg = match e.kind() {
            io::ErrorKind::UnexpectedEof => format!("truncated or corrupt stream: {e}"),
            _ => format!("corrupt or unreadable stream: {e}"),
        };
        WalkError::Io(msg)
    }
}

#[derive(Debug)]
struct BombMarker(u64);
impl std::fmt::Display for BombMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decompressed size exceeds {} bytes", self.0)
    }
}
impl std::error::Error for BombMarker {}

/// Counts decompressed bytes against a budget shared by all layers of the
/// image, so no layer (or set of layers) can expand without bound.
struct Capped<'a, R> {
    inner: R,
    budget: &'a AtomicU64,
    cap: u64,
    read: u64,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let before = self.budget.fetch_sub(n as u64, Ordering::Relaxed);
        if (n as u64) > before {
            self.budget.store(0, Ordering::Relaxed);
            return Err(io::Error::other(BombMarker(self.cap)));
        }
        Ok(n)
    }
}

/// Reports compressed bytes to the progress bar in chunks.
struct Counting<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
    pending: u64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending += n as u64;
        if self.pending >= 1 << 20 || n == 0 {
            self.progress.bytes(self.pending);
            self.pending = 0;
        }
        Ok(n)
    }
}

/// Normalises a tar member name to an image path: no `./`, no leading or
/// trailing `/`. `..` components and absolute names are errors: a layer
/// that tries to escape the root is hostile or broken.
pub(crate) fn normalize(raw: &str) -> Result<Option<String>, WalkError> {
    if raw.starts_with('/') {
        return Err(WalkError::Absolute(raw.to_string()));
    }
    let mut out = String::with_capacity(raw.len());
    for comp in raw.split('/') {
        match comp {
            "" | "." => continue,
            ".." => return Err(WalkError::Traversal(raw.to_string())),
            c => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(c);
            }
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

pub(crate) struct WalkOutput {
    pub facts: Vec<Vec<u8>>,
    pub stats: LayerStats,
}

/// Reads `layer` from `raw` once, feeding `analyzers`.
pub(crate) fn walk_layer(
    layer: &LayerRef,
    raw: Box<dyn Read + Send>,
    label: String,
    analyzers: &[&dyn DynAnalyzer],
    budget: &AtomicU64,
    cap: u64,
    progress: &dyn Progress,
) -> Result<WalkOutput, WalkError> {
    let counting = Counting {
        inner: raw,
        progress,
        pending: 0,
    };
    let verifying = VerifyingReader::new(counting, layer.digest.clone(), layer.size, label);
    let mut buffered = BufReader::with_capacity(1 << 20, verifying);
    let head = buffered.fill_buf().map_err(WalkError::from_io)?.to_vec();
    let mut visitors: Vec<Box<dyn DynVisitor>> = analyzers.iter().map(|a| a.start()).collect();
    let uncompressed;
    let entries;
    {
        let decoder: Box<dyn Read + '_> = if head.starts_with(&[0x1f, 0x8b]) {
            Box::new(flate2::bufread::MultiGzDecoder::new(&mut buffered))
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Box::new(
                zstd::stream::read::Decoder::with_buffer(&mut buffered)
                    .map_err(WalkError::from_io)?,
            )
        } else {
            Box::new(&mut buffered)
        };
        let capped = Capped {
            inner: decoder,
            budget,
            cap,
            read: 0,
        };
        let mut archive = tar::Archive::new(capped);
        entries = walk_entries(&mut archive, analyzers, &mut visitors)?;
        // Read what the tar reader left (end-of-archive padding, the gzip
        // trailer): corruption there must not pass unnoticed either.
        let mut rest = archive.into_inner();
        io::copy(&mut rest, &mut io::sink()).map_err(WalkError::from_io)?;
        uncompressed = rest.read;
    }
    let verifying = buffered.get_mut();
    verifying.finish().map_err(WalkError::from_io)?;
    let compressed = verifying.bytes_read();
    let facts = visitors
        .into_iter()
        .map(|v| v.finish().map_err(|e| WalkError::Encode(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WalkOutput {
        facts,
        stats: LayerStats {
            compressed_bytes: compressed,
            uncompressed_bytes: uncompressed,
            entries,
        },
    })
}

fn walk_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    analyzers: &[&dyn DynAnalyzer],
    visitors: &mut [Box<dyn DynVisitor>],
) -> Result<u64, WalkError> {
    let mut content = Vec::new();
    let mut wants = vec![None; analyzers.len()];
    let mut count = 0u64;
    let iter = archive.entries().map_err(WalkError::from_io)?;
    for entry in iter {
        let mut entry = entry.map_err(tar_error)?;
        let header = entry.header();
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalize(&raw_path)? else {
            continue; // the root directory itself
        };
        let et = header.entry_type();
        let mode = header.mode().unwrap_or(0) & 0o7777;
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let size = if et.is_file() || et == tar::EntryType::Continuous {
            entry.size()
        } else {
            0
        };
        let link = entry
            .link_name_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let (name_dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (Some(d), b),
            None => (None, path.as_str()),
        };
        let (kind, path) = if base == ".wh..wh..opq" {
            match name_dir {
                Some(d) => (EntryKind::OpaqueWhiteout, d.to_string()),
                None => continue, // an opaque marker at the root hides nothing we track
            }
        } else if let Some(hidden) = base.strip_prefix(".wh.") {
            let p = match name_dir {
                Some(d) => format!("{d}/{hidden}"),
                None => hidden.to_string(),
            };
            (EntryKind::Whiteout, p)
        } else {
            let kind = match et {
                tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
                tar::EntryType::Directory => EntryKind::Dir,
                tar::EntryType::Symlink => EntryKind::Symlink,
                tar::EntryType::Link => EntryKind::Hardlink,
                _ => EntryKind::Other,
            };
            (kind, path)
        };
        let link = match (kind, link) {
            (EntryKind::Hardlink, Some(target)) => normalize(&target)?,
            (EntryKind::Symlink, l) => l,
            _ => None,
        };
        let e = Entry {
            path: &path,
            kind,
            mode,
            uid,
            gid,
            size,
            link: link.as_deref(),
        };
        let mut max = 0u64;
        if kind == EntryKind::File && size > 0 {
            for (w, a) in wants.iter_mut().zip(analyzers) {
                *w = a.content_limit(&e);
                max = max.max(w.unwrap_or(0));
            }
        } else {
            wants.iter_mut().for_each(|w| *w = None);
        }
        if max > 0 {
            content.clear();
            (&mut entry)
                .take(max.min(size))
                .read_to_end(&mut content)
                .map_err(WalkError::from_io)?;
        }
        for (v, w) in visitors.iter_mut().zip(&wants) {
            let c = w.map(|limit| &content[..content.len().min(limit as usize)]);
            v.visit(&e, c);
        }
        count += 1;
    }
    Ok(count)
}

fn tar_error(e: io::Error) -> WalkError {
    match WalkError::from_io(e) {
        WalkError::Io(msg) => WalkError::Tar(msg),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize("./usr/bin/").unwrap().as_deref(), Some("usr/bin"));
        assert_eq!(normalize("./").unwrap(), None);
        assert_eq!(normalize("a//b/./c").unwrap().as_deref(), Some("a/b/c"));
        assert!(matches!(
            normalize("a/../../etc"),
            Err(WalkError::Traversal(_))
        ));
        assert!(matches!(
            normalize("/etc/passwd"),
            Err(WalkError::Absolute(_))
        ));
    }
}
