//! The database file's byte layout: one file, little-endian, written once
//! (temp file + rename) and then only read.
//!
//! ```text
//! header (HEADER_LEN bytes)
//!   0   magic "PLIMVDB\0"
//!   8   u32 schema version            12  u32 reserved (0)
//!   16  6 × (u64 offset, u64 length)  one per section, in the order below
//!   112 SHA-256 of header[0..112] followed by every section but DATA
//! META        postcard(Meta): build time, sources and their digests, counts
//! PACKAGES    fixed 24-byte entries sorted by (package key, ecosystem):
//!             u32 key offset, u32 ecosystem offset (in STRINGS),
//!             u16 key length, u16 ecosystem length,
//!             u32 blob length, u64 blob offset (in DATA)
//! ADVISORIES  fixed 24-byte entries sorted by id (the entry's position is
//!             the advisory index): u32 id offset, u16 id length, u16 0,
//!             u32 blob length, u32 0, u64 blob offset
//! GROUPS      fixed 16-byte entries: u64 blob offset, u32 blob length, u32 0
//! STRINGS     UTF-8 bytes the entries point into (deduplicated)
//! DATA        blobs: u8 codec (0 postcard, 1 zstd(postcard)), u32 decoded
//!             length, payload
//! ```
//!
//! Opening reads everything before DATA (the index: fixed-size entries that
//! are binary-searched in place, never decoded as a whole) and checks its
//! digest; a lookup reads and decodes only the blobs it needs.

pub const MAGIC: &[u8; 8] = b"PLIMVDB\0";
/// Bumped whenever the layout, a stored type or the package keys change
/// (3: NuGet and GitHub Actions names keyed in lower case).
pub const SCHEMA_VERSION: u32 = 3;
pub const SECTIONS: usize = 6;
pub const META: usize = 0;
pub const PACKAGES: usize = 1;
pub const ADVISORIES: usize = 2;
pub const GROUPS: usize = 3;
pub const STRINGS: usize = 4;
pub const DATA: usize = 5;
pub const DIGEST_AT: usize = 16 + SECTIONS * 16;
pub const HEADER_LEN: usize = DIGEST_AT + 32;

pub const PACKAGE_ENTRY: usize = 24;
pub const ADVISORY_ENTRY: usize = 24;
pub const GROUP_ENTRY: usize = 16;

pub const CODEC_POSTCARD: u8 = 0;
pub const CODEC_ZSTD: u8 = 1;
pub const BLOB_HEADER: usize = 5;
/// Largest decoded blob accepted (a corrupt length must not allocate
/// unbounded memory).
pub const MAX_BLOB: usize = 256 << 20;
/// Blobs smaller than this are stored raw: zstd's frame costs more than it
/// saves and decoding them stays a plain copy.
pub const COMPRESS_FROM: usize = 192;
/// Advisory metadata is decoded one blob at a time, once per matched
/// advisory; zstd's per-frame cost made it the bulk of a 1,000-package
/// lookup, so only the large ones are compressed (benches/vulndb.rs).
pub const COMPRESS_ADVISORY_FROM: usize = 2048;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Section {
    pub offset: u64,
    pub len: u64,
}

pub fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Encodes a value as a blob, compressed when that pays.
pub fn encode_blob<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, String> {
    encode_blob_with(value, COMPRESS_FROM)
}

/// Encodes a value as a blob, compressed only from `compress_from` bytes on.
pub fn encode_blob_with<T: serde::Serialize>(
    value: &T,
    compress_from: usize,
) -> Result<Vec<u8>, String> {
    let raw = postcard::to_allocvec(value).map_err(|e| e.to_string())?;
    encode_raw_blob(raw, compress_from)
}

/// Wraps bytes already in postcard encoding as a blob, compressed only from
/// `compress_from` bytes on.
pub fn encode_raw_blob(raw: Vec<u8>, compress_from: usize) -> Result<Vec<u8>, String> {
    if raw.len() > MAX_BLOB {
        return Err(format!("record of {} bytes is too large", raw.len()));
    }
    let len = (raw.len() as u32).to_le_bytes();
    if raw.len() >= compress_from
        && let Ok(z) = with_compressor(|c| c.compress(&raw))
        && z.len() + z.len() / 8 < raw.len()
    {
        let mut out = Vec::with_capacity(BLOB_HEADER + z.len());
        out.push(CODEC_ZSTD);
        out.extend_from_slice(&len);
        out.extend_from_slice(&z);
        return Ok(out);
    }
    let mut out = Vec::with_capacity(BLOB_HEADER + raw.len());
    out.push(CODEC_POSTCARD);
    out.extend_from_slice(&len);
    out.extend_from_slice(&raw);
    Ok(out)
}

/// Appends postcard's encoding of a sequence length (LEB128 varint): a
/// sequence is its length followed by its elements' encodings.
pub fn push_seq_len(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Decodes a blob written by [`encode_blob`].
pub fn decode_blob<T: serde::de::DeserializeOwned>(blob: &[u8]) -> Result<T, String> {
    let codec = *blob.first().ok_or("empty blob")?;
    let len = u32_at(blob, 1).ok_or("truncated blob")? as usize;
    let payload = blob.get(BLOB_HEADER..).ok_or("truncated blob")?;
    if len > MAX_BLOB {
        return Err(format!("blob claims {len} bytes"));
    }
    match codec {
        CODEC_POSTCARD => postcard::from_bytes(payload).map_err(|e| e.to_string()),
        CODEC_ZSTD => {
            let raw =
                with_decompressor(|d| d.decompress(payload, len)).map_err(|e| e.to_string())?;
            if raw.len() != len {
                return Err("blob length mismatch".into());
            }
            postcard::from_bytes(&raw).map_err(|e| e.to_string())
        }
        other => Err(format!("unknown blob codec {other}")),
    }
}

// A zstd context costs more to create than a small blob costs to code, so
// each thread keeps one of each.
thread_local! {
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn with_compressor<T>(
    f: impl FnOnce(&mut zstd::bulk::Compressor<'static>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::new(3)?);
        }
        match slot.as_mut() {
            Some(c) => f(c),
            None => Err(std::io::Error::other("no zstd compressor")),
        }
    })
}

fn with_decompressor<T>(
    f: impl FnOnce(&mut zstd::bulk::Decompressor<'static>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Decompressor::new()?);
        }
        match slot.as_mut() {
            Some(d) => f(d),
            None => Err(std::io::Error::other("no zstd decompressor")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_built_from_parts_is_postcards_encoding() {
        for n in [0usize, 1, 127, 128, 300, 16_384, 70_000] {
            let items: Vec<u16> = (0..n).map(|i| i as u16).collect();
            let mut built = Vec::new();
            push_seq_len(&mut built, n as u64);
            for i in &items {
                built.extend(postcard::to_allocvec(i).unwrap());
            }
            assert_eq!(built, postcard::to_allocvec(&items).unwrap(), "n={n}");
        }
    }
}
