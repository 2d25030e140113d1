//! One pass over one layer blob: verify the digest, decompress, walk the tar
//! entries, hand each to every analyser. Nothing touches the disk.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use plimsoll_oci::verify::VerifyingReader;
use plimsoll_oci::{Compression, Digest, LayerRef, OciError};

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
        "the image's layers decompress to more than the cap of {cap} bytes in total (a decompression bomb?); raise it with --max-uncompressed-bytes"
    )]
    Bomb { cap: u64 },
    #[error("cannot encode analyser facts: {0}")]
    Encode(String),
    #[error(
        "the uncompressed layer hashes to {actual}, but the config's rootfs.diff_ids says {expected}"
    )]
    DiffIdMismatch { expected: String, actual: String },
    #[error("{0}")]
    TarLimit(String),
    #[error(
        "the zstd frame needs a window larger than {limit_mib} MiB, the most plimsoll decodes \
         (zstd's default limit); recompress the layer without `--long` (or with --long=27 or less)"
    )]
    ZstdWindow { limit_mib: u64 },
    #[error("media type says {expected}, but the blob is not {expected}")]
    WrongCompression { expected: &'static str },
}

impl WalkError {
    fn from_io(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|i| i.is::<OciError>()) {
            return WalkError::Oci(OciError::from_io("", e));
        }
        if e.get_ref().is_some_and(|i| i.is::<LimitMarker>()) {
            return WalkError::TarLimit(e.get_ref().map(ToString::to_string).unwrap_or_default());
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

/// Most entries one layer may hold, and the largest tar metadata entry (GNU
/// long name/link, PAX header): tar readers buffer those whole, so without a
/// cap a small hostile layer could make us allocate gigabytes.
pub const MAX_ENTRIES_PER_LAYER: u64 = 4_000_000;
pub const MAX_TAR_METADATA: u64 = 1 << 20;

/// The decompressed tar stream on its way to the tar reader: counted
/// against the image's budget, hashed for the diff_id when asked, and its
/// headers watched so metadata entries and entry counts stay bounded.
struct Uncompressed<'a, R> {
    inner: R,
    budget: &'a AtomicU64,
    cap: u64,
    read: u64,
    hasher: Option<sha2::Sha256>,
    guard: HeaderGuard,
}

impl<R: Read> Read for Uncompressed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let before = self.budget.fetch_sub(n as u64, Ordering::Relaxed);
        if (n as u64) > before {
            self.budget.store(0, Ordering::Relaxed);
            return Err(io::Error::other(BombMarker(self.cap)));
        }
        if let Some(h) = &mut self.hasher {
            sha2::Digest::update(h, &buf[..n]);
        }
        self.guard.observe(&buf[..n])?;
        Ok(n)
    }
}

/// Follows the 512-byte tar header positions in a byte stream.
#[derive(Default)]
struct HeaderGuard {
    pos: u64,
    next_header: u64,
    header: Vec<u8>,
    zero_blocks: u8,
    ended: bool,
    entries: u64,
    /// GNU sparse extension blocks still to skip before the data.
    sparse_ext: bool,
    /// Data of a PAX header being collected, to learn a `size` override.
    pax: Option<(u64, Vec<u8>)>,
    size_override: Option<u64>,
    /// Padded data size of the current entry.
    pending: u64,
}

#[derive(Debug)]
struct LimitMarker(String);
impl std::fmt::Display for LimitMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LimitMarker {}

fn limit(msg: String) -> io::Error {
    io::Error::other(LimitMarker(msg))
}

fn octal_or_binary(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        // base-256: big-endian, high bit of the first byte is the marker
        let mut v: u64 = u64::from(field[0] & 0x7f);
        for b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(*b))?;
        }
        return Some(v);
    }
    let text = std::str::from_utf8(field).ok()?;
    let t = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if t.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(t, 8).ok()
}

impl HeaderGuard {
    fn observe(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() && !self.ended {
            if self.pos < self.next_header {
                let skip = (self.next_header - self.pos).min(data.len() as u64) as usize;
                if let Some((want, buf)) = &mut self.pax {
                    let room = (*want as usize).saturating_sub(buf.len()).min(skip);
                    buf.extend_from_slice(&data[..room]);
                }
                self.pos += skip as u64;
                data = &data[skip..];
                continue;
            }
            if let Some((_, buf)) = self.pax.take() {
                // As Go's archive/tar: a size record that is not a number is an error
                // (ignoring it would read the entry with another size than its writer's).
                self.size_override = pax_size(&buf).map_err(|v| {
                    limit(format!(
                        "corrupt tar: a PAX header's size record '{v}' is not a decimal number"
                    ))
                })?;
            }
            let take = (512 - self.header.len()).min(data.len());
            self.header.extend_from_slice(&data[..take]);
            self.pos += take as u64;
            data = &data[take..];
            if self.header.len() < 512 {
                continue;
            }
            let h = std::mem::take(&mut self.header);
            self.next_header = self.pos;
            if self.sparse_ext {
                self.sparse_ext = h[504] != 0;
                if !self.sparse_ext {
                    self.next_header = self.pos + self.pending_data();
                }
                continue;
            }
            if h.iter().all(|b| *b == 0) {
                self.zero_blocks += 1;
                self.ended = self.zero_blocks >= 2;
                continue;
            }
            self.zero_blocks = 0;
            self.entries += 1;
            if self.entries > MAX_ENTRIES_PER_LAYER {
                return Err(limit(format!(
                    "more than {MAX_ENTRIES_PER_LAYER} entries in one layer"
                )));
            }
            let Some(mut size) = octal_or_binary(&h[124..136]) else {
                // Let the tar reader report the corrupt header.
                self.ended = true;
                return Ok(());
            };
            if let Some(o) = self.size_override.take() {
                size = o;
            }
            let kind = h[156];
            if matches!(kind, b'L' | b'K' | b'x' | b'g' | b'X') && size > MAX_TAR_METADATA {
                return Err(limit(format!(
                    "a tar metadata entry (type '{}') of {size} bytes exceeds the limit of {MAX_TAR_METADATA}",
                    kind as char
                )));
            }
            if kind == b'x' || kind == b'X' {
                self.pax = Some((size, Vec::with_capacity(size as usize)));
            }
            self.pending = size.div_ceil(512) * 512;
            if kind == b'S' && h[482] != 0 {
                self.sparse_ext = true;
            } else {
                self.next_header = self.pos + self.pending;
            }
        }
        Ok(())
    }

    fn pending_data(&self) -> u64 {
        self.pending
    }
}

/// The `size` record of PAX extended header data, if any; the record's text (at most 64
/// characters of it) when it is not a decimal number.
fn pax_size(data: &[u8]) -> Result<Option<u64>, String> {
    let text = String::from_utf8_lossy(data);
    for record in text.lines() {
        let Some((_, kv)) = record.split_once(' ') else {
            continue;
        };
        if let Some(v) = kv.strip_prefix("size=") {
            return match v.parse() {
                Ok(n) => Ok(Some(n)),
                Err(_) => Err(v.chars().take(64).collect()),
            };
        }
    }
    Ok(None)
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
    let compression = match layer.compression {
        // Media types without compression are also what legacy docker
        // archives claim for every layer: look at the bytes.
        Compression::None => {
            let head = buffered.fill_buf().map_err(WalkError::from_io)?;
            if head.starts_with(&GZIP_MAGIC) {
                Compression::Gzip
            } else if head.starts_with(&ZSTD_MAGIC) {
                Compression::Zstd
            } else {
                Compression::None
            }
        }
        declared => declared,
    };
    // A compressed blob's digest says nothing about the tar inside: check
    // the config's diff_id too, or a forged config could claim any layers
    // (and pass an approved-base lineage check).
    let hash_tar = layer.diff_id.is_some() && compression != Compression::None;
    let mut visitors: Vec<Box<dyn DynVisitor>> = analyzers.iter().map(|a| a.start()).collect();
    let uncompressed;
    let entries;
    let diff_id;
    {
        let decoder: Box<dyn Read + '_> = match compression {
            Compression::Gzip => {
                if !buffered
                    .fill_buf()
                    .map_err(WalkError::from_io)?
                    .starts_with(&GZIP_MAGIC[..1])
                {
                    return Err(WalkError::WrongCompression { expected: "gzip" });
                }
                Box::new(flate2::bufread::MultiGzDecoder::new(&mut buffered))
            }
            Compression::Zstd => {
                let head = buffered.fill_buf().map_err(WalkError::from_io)?;
                // A zstd frame, or a skippable frame (0x184D2A50..5F, little-endian).
                let skippable =
                    head.len() >= 4 && head[1..4] == [0x2a, 0x4d, 0x18] && head[0] & 0xf0 == 0x50;
                if !head.starts_with(&ZSTD_MAGIC) && !skippable {
                    return Err(WalkError::WrongCompression { expected: "zstd" });
                }
                let mut d = zstd::stream::read::Decoder::with_buffer(&mut buffered)
                    .map_err(WalkError::from_io)?;
                d.window_log_max(ZSTD_WINDOW_LOG_MAX)
                    .map_err(WalkError::from_io)?;
                Box::new(d)
            }
            Compression::None => Box::new(&mut buffered),
        };
        let stream = Uncompressed {
            inner: decoder,
            budget,
            cap,
            read: 0,
            hasher: hash_tar.then(<sha2::Sha256 as sha2::Digest>::new),
            guard: HeaderGuard::default(),
        };
        let mut archive = tar::Archive::new(stream);
        entries = walk_entries(&mut archive, analyzers, &mut visitors)?;
        // Read what the tar reader left (end-of-archive padding, the gzip
        // trailer): corruption there must not pass unnoticed either.
        let mut rest = archive.into_inner();
        io::copy(&mut rest, &mut io::sink()).map_err(WalkError::from_io)?;
        uncompressed = rest.read;
        diff_id = rest
            .hasher
            .take()
            .map(|h| Digest::from_sha256_bytes(&sha2::Digest::finalize(h)));
    }
    let verifying = buffered.get_mut();
    verifying.finish().map_err(WalkError::from_io)?;
    let compressed = verifying.bytes_read();
    // Only now, with the blob's own digest verified, is a diff_id mismatch
    // the config's fault rather than a corrupt download's.
    if let (Some(actual), Some(expected)) = (&diff_id, &layer.diff_id)
        && actual != expected
    {
        return Err(WalkError::DiffIdMismatch {
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
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
            diff_id: diff_id
                .or_else(|| (compression == Compression::None).then(|| layer.digest.clone()))
                .map(|d| d.to_string()),
        },
    })
}

/// Feeds a listed directory (a `dir:` image's one layer) to `analyzers`,
/// as [`walk_layer`] feeds a tar: same entries, same content requests.
pub(crate) fn walk_directory(
    listing: &plimsoll_oci::DirListing,
    analyzers: &[&dyn DynAnalyzer],
) -> Result<WalkOutput, WalkError> {
    let mut visitors: Vec<Box<dyn DynVisitor>> = analyzers.iter().map(|a| a.start()).collect();
    let mut dispatch = Dispatch::new(analyzers, &mut visitors);
    let mut bytes = 0u64;
    for d in &listing.entries {
        let kind = match d.kind {
            plimsoll_oci::DirKind::File => EntryKind::File,
            plimsoll_oci::DirKind::Dir => EntryKind::Dir,
            plimsoll_oci::DirKind::Symlink => EntryKind::Symlink,
            plimsoll_oci::DirKind::Other => EntryKind::Other,
        };
        let e = Entry {
            path: &d.path,
            kind,
            mode: d.mode,
            uid: d.uid,
            gid: d.gid,
            size: d.size,
            link: d.link.as_deref(),
        };
        // A file that cannot be read (permission denied, gone, replaced by
        // a fifo since it was listed) is a warning of the listing, read as
        // empty; the walk goes on.
        dispatch.entry(&e, |max, buf| {
            if let Err(err) = listing.read_file(d, max, buf) {
                buf.clear();
                let why = std::error::Error::source(&err)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| err.to_string());
                listing.warn_unreadable(d, &why);
            }
            Ok::<(), WalkError>(())
        })?;
        bytes += d.size;
    }
    let facts = visitors
        .into_iter()
        .map(|v| v.finish().map_err(|e| WalkError::Encode(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WalkOutput {
        facts,
        stats: LayerStats {
            compressed_bytes: 0,
            uncompressed_bytes: bytes,
            entries: listing.entries.len() as u64,
            diff_id: None,
        },
    })
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// The largest zstd window decoded: 2^27 = 128 MiB, zstd's own default limit. A frame made
/// with `zstd --long=31` asks for 2 GiB of window memory per layer being read.
pub const ZSTD_WINDOW_LOG_MAX: u32 = 27;

fn walk_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    analyzers: &[&dyn DynAnalyzer],
    visitors: &mut [Box<dyn DynVisitor>],
) -> Result<u64, WalkError> {
    let mut dispatch = Dispatch::new(analyzers, visitors);
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
        if et == tar::EntryType::XGlobalHeader {
            continue; // PAX global header: metadata for the reader, not a file
        }
        // A field that does not parse must not read as 0 (root, mode 0).
        let field = |what: &str, r: io::Result<u64>| {
            r.map_err(|e| WalkError::Tar(format!("entry '{raw_path}': unreadable {what}: {e}")))
        };
        let mode = field("mode", header.mode().map(u64::from))? as u32 & 0o7777;
        let uid = field("uid", header.uid())?;
        let gid = field("gid", header.gid())?;
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
            // At the root (no directory), the whole lower filesystem is hidden.
            (
                EntryKind::OpaqueWhiteout,
                name_dir.unwrap_or("").to_string(),
            )
        } else if let Some(hidden) = base.strip_prefix(".wh.") {
            // `.wh..` would hide the parent directory: a `..` like any other.
            if hidden == ".." {
                return Err(WalkError::Traversal(raw_path.to_string()));
            }
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
            (EntryKind::Hardlink, Some(target)) => normalize(&target).map_err(|e| match e {
                WalkError::Traversal(_) | WalkError::Absolute(_) => {
                    WalkError::Traversal(format!("{raw_path}' links to '{target}"))
                }
                other => other,
            })?,
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
        dispatch.entry(&e, |max, buf| {
            (&mut entry)
                .take(max)
                .read_to_end(buf)
                .map(|_| ())
                .map_err(WalkError::from_io)
        })?;
        count += 1;
    }
    Ok(count)
}

/// Hands each entry to every analyser, reading the content once: as many
/// leading bytes as the most demanding analyser asked for.
pub(crate) struct Dispatch<'a> {
    analyzers: &'a [&'a dyn DynAnalyzer],
    visitors: &'a mut [Box<dyn DynVisitor>],
    wants: Vec<Option<u64>>,
    content: Vec<u8>,
}

impl<'a> Dispatch<'a> {
    pub(crate) fn new(
        analyzers: &'a [&'a dyn DynAnalyzer],
        visitors: &'a mut [Box<dyn DynVisitor>],
    ) -> Self {
        Dispatch {
            analyzers,
            visitors,
            wants: vec![None; analyzers.len()],
            content: Vec::new(),
        }
    }

    /// `read(max, buf)` appends at most `max` leading bytes of the entry's
    /// content to `buf`; it is called only when some analyser wants content.
    pub(crate) fn entry<E>(
        &mut self,
        e: &Entry<'_>,
        read: impl FnOnce(u64, &mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut max = 0u64;
        if e.kind == EntryKind::File && e.size > 0 {
            for (w, a) in self.wants.iter_mut().zip(self.analyzers) {
                *w = a.content_limit(e);
                max = max.max(w.unwrap_or(0));
            }
        } else {
            self.wants.iter_mut().for_each(|w| *w = None);
        }
        if max > 0 {
            self.content.clear();
            read(max.min(e.size), &mut self.content)?;
        }
        for (v, w) in self.visitors.iter_mut().zip(&self.wants) {
            let c = w.map(|limit| &self.content[..self.content.len().min(limit as usize)]);
            v.visit(e, c);
        }
        Ok(())
    }
}

fn tar_error(e: io::Error) -> WalkError {
    if e.get_ref().is_none_or(|i| !i.is::<OciError>())
        && e.to_string().contains("requires too much memory")
    {
        return WalkError::ZstdWindow {
            limit_mib: 1 << (ZSTD_WINDOW_LOG_MAX - 20),
        };
    }
    let corrupt = matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof | io::ErrorKind::Other
    ) && e
        .get_ref()
        .is_none_or(|i| !i.is::<OciError>() && !i.is::<BombMarker>() && !i.is::<LimitMarker>());
    match WalkError::from_io(e) {
        WalkError::Io(msg) if corrupt => WalkError::Tar(msg),
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
