//! Builders of rpm databases and headers in every format the cataloger
//! reads, for tests (here and in `tests/`, through the `test-fixtures`
//! feature; never in release builds): the bytes are laid out as the
//! formats' writers do, so the readers can be tested without rpm.

use super::bdb::{
    HASH_MAGIC, ITEM_KEYDATA, ITEM_OFFPAGE, PAGE_HASH, PAGE_HASH_META, PAGE_HEADER, PAGE_OVERFLOW,
};
use super::header::*;
use super::ndb::{BLOB_MAGIC, BLOCK, HEADER_MAGIC, SLOT, SLOT_MAGIC, SLOT_PAGE};

/// Builds a header blob from `(tag, type, value)` entries, for tests of the
/// readers: values are strings (STRING, I18NSTRING), string lists
/// (STRING_ARRAY) or u32 lists (INT32), laid out as rpm does (INT32 data
/// 4-aligned), with an immutable-region entry first like real headers.
pub fn build_header(entries: &[(u32, HeaderValue)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    // A region entry (tag 63, BIN, 16 bytes) pointing at a trailer.
    let mut all: Vec<(u32, u32, u32, Vec<u8>)> = Vec::new();
    for (tag, value) in entries {
        let (kind, count, bytes) = match value {
            HeaderValue::Str(s) => (TYPE_STRING, 1, nul_joined(std::slice::from_ref(s))),
            HeaderValue::I18n(s) => (TYPE_I18NSTRING, 1, nul_joined(std::slice::from_ref(s))),
            HeaderValue::Strs(v) => (TYPE_STRING_ARRAY, v.len() as u32, nul_joined(v)),
            HeaderValue::Int32(v) => (
                TYPE_INT32,
                v.len() as u32,
                v.iter().flat_map(|i| i.to_be_bytes()).collect(),
            ),
        };
        all.push((*tag, kind, count, bytes));
    }
    for (tag, kind, count, bytes) in &all {
        if *kind == TYPE_INT32 {
            while !data.len().is_multiple_of(4) {
                data.push(0);
            }
        }
        index.push((*tag, *kind, data.len() as u32, *count));
        data.extend_from_slice(bytes);
    }
    // The region trailer: tag 63, BIN, offset -(il * 16), count 16.
    while !data.len().is_multiple_of(4) {
        data.push(0);
    }
    let il = index.len() as u32 + 1;
    let trailer_at = data.len() as u32;
    for v in [63u32, 7, (il * 16).wrapping_neg(), 16] {
        data.extend_from_slice(&v.to_be_bytes());
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&il.to_be_bytes());
    blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for v in [63u32, 7, trailer_at, 16] {
        blob.extend_from_slice(&v.to_be_bytes());
    }
    for (tag, kind, offset, count) in index {
        for v in [tag, kind, offset, count] {
            blob.extend_from_slice(&v.to_be_bytes());
        }
    }
    blob.extend_from_slice(&data);
    blob
}

#[derive(Debug, Clone)]
pub enum HeaderValue {
    Str(String),
    I18n(String),
    Strs(Vec<String>),
    Int32(Vec<u32>),
}

fn nul_joined(v: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in v {
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    out
}

/// A header for tests: name, `[epoch:]version-release`, arch, and files as
/// absolute paths.
pub fn test_header(name: &str, evr: &str, arch: Option<&str>, files: &[&str]) -> Vec<u8> {
    let (epoch, vr) = match evr.split_once(':') {
        Some((e, vr)) => (e.parse::<u32>().ok(), vr),
        None => (None, evr),
    };
    let (version, release) = vr.rsplit_once('-').unwrap_or((vr, ""));
    let mut entries = vec![
        (TAG_NAME, HeaderValue::Str(name.into())),
        (TAG_VERSION, HeaderValue::Str(version.into())),
        (TAG_RELEASE, HeaderValue::Str(release.into())),
        (TAG_LICENSE, HeaderValue::Str("MIT".into())),
        (TAG_VENDOR, HeaderValue::Str("Fixture Vendor".into())),
        (
            TAG_SOURCERPM,
            HeaderValue::Str(format!("{name}-{version}-{release}.src.rpm")),
        ),
    ];
    if let Some(e) = epoch {
        entries.push((TAG_EPOCH, HeaderValue::Int32(vec![e])));
    }
    if let Some(a) = arch {
        entries.push((TAG_ARCH, HeaderValue::Str(a.into())));
    }
    if !files.is_empty() {
        let mut dirs: Vec<String> = Vec::new();
        let mut index = Vec::new();
        let mut base = Vec::new();
        for f in files {
            let (d, b) = f.rsplit_once('/').unwrap_or(("", f));
            let d = format!("{d}/");
            let i = dirs.iter().position(|x| *x == d).unwrap_or_else(|| {
                dirs.push(d);
                dirs.len() - 1
            });
            index.push(i as u32);
            base.push(b.to_string());
        }
        entries.push((TAG_DIRINDEXES, HeaderValue::Int32(index)));
        entries.push((TAG_BASENAMES, HeaderValue::Strs(base)));
        entries.push((TAG_DIRNAMES, HeaderValue::Strs(dirs)));
    }
    build_header(&entries)
}

/// Builds a little-endian hash database holding `values` (each under a
/// 4-byte key), for tests: a metadata page, one hash page of
/// (key, off-page value) pairs plus the zero key rpm keeps, and the values
/// on overflow chains.
pub fn build_bdb(values: &[Vec<u8>], page_size: usize) -> Vec<u8> {
    let mut pages: Vec<Vec<u8>> = vec![vec![0; page_size], vec![0; page_size]];
    let mut items: Vec<Vec<u8>> = vec![
        [&[ITEM_KEYDATA][..], &0u32.to_le_bytes()].concat(),
        [&[ITEM_KEYDATA][..], &9u32.to_le_bytes()].concat(),
    ];
    for (i, v) in values.iter().enumerate() {
        let first = pages.len() as u32;
        let per_page = page_size - PAGE_HEADER;
        let chunks: Vec<&[u8]> = v.chunks(per_page).collect();
        for (c, chunk) in chunks.iter().enumerate() {
            let mut p = vec![0u8; page_size];
            let n = pages.len() as u32;
            p[8..12].copy_from_slice(&n.to_le_bytes());
            let next = if c + 1 < chunks.len() { n + 1 } else { 0 };
            p[16..20].copy_from_slice(&next.to_le_bytes());
            p[20..22].copy_from_slice(&1u16.to_le_bytes());
            p[22..24].copy_from_slice(&(chunk.len() as u16).to_le_bytes());
            p[25] = PAGE_OVERFLOW;
            p[PAGE_HEADER..PAGE_HEADER + chunk.len()].copy_from_slice(chunk);
            pages.push(p);
        }
        items.push([&[ITEM_KEYDATA][..], &(i as u32 + 1).to_le_bytes()].concat());
        let mut off = vec![ITEM_OFFPAGE, 0, 0, 0];
        off.extend_from_slice(&first.to_le_bytes());
        off.extend_from_slice(&(v.len() as u32).to_le_bytes());
        items.push(off);
    }
    let hash = &mut pages[1];
    hash[8..12].copy_from_slice(&1u32.to_le_bytes());
    hash[20..22].copy_from_slice(&(items.len() as u16).to_le_bytes());
    hash[25] = PAGE_HASH;
    let mut top = page_size;
    for (i, item) in items.iter().enumerate() {
        top -= item.len();
        hash[top..top + item.len()].copy_from_slice(item);
        hash[PAGE_HEADER + 2 * i..PAGE_HEADER + 2 * i + 2]
            .copy_from_slice(&(top as u16).to_le_bytes());
    }
    let last = pages.len() as u32 - 1;
    let meta = &mut pages[0];
    meta[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
    meta[16..20].copy_from_slice(&9u32.to_le_bytes());
    meta[20..24].copy_from_slice(&(page_size as u32).to_le_bytes());
    meta[25] = PAGE_HASH_META;
    meta[32..36].copy_from_slice(&last.to_le_bytes());
    pages.concat()
}

/// Builds an ndb database holding `blobs`, for tests: one slot page, the
/// blocks after it (checksums left 0: this reader does not verify them).
pub fn build_ndb(blobs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0u8; SLOT_PAGE];
    out[..4].copy_from_slice(HEADER_MAGIC);
    out[12..16].copy_from_slice(&1u32.to_le_bytes());
    for slot in 2..SLOT_PAGE / SLOT {
        out[slot * SLOT..slot * SLOT + 4].copy_from_slice(SLOT_MAGIC);
    }
    for (i, b) in blobs.iter().enumerate() {
        let block = out.len() / BLOCK;
        let slot = (i + 2) * SLOT;
        let package = i as u32 + 1;
        out[slot + 4..slot + 8].copy_from_slice(&package.to_le_bytes());
        out[slot + 8..slot + 12].copy_from_slice(&(block as u32).to_le_bytes());
        let blocks = (BLOCK + b.len()).div_ceil(BLOCK) + 1;
        out[slot + 12..slot + 16].copy_from_slice(&(blocks as u32).to_le_bytes());
        out.extend_from_slice(BLOB_MAGIC);
        out.extend_from_slice(&package.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        out.extend_from_slice(b);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK + BLOCK, 0);
    }
    out
}

fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v > 0x00ff_ffff_ffff_ffff {
        // Nine bytes: eight of 7 bits, then 8.
        for i in (1..9).rev() {
            out.push(((v >> (8 + 7 * (i - 1))) & 0x7f) as u8 | 0x80);
        }
        out.push(v as u8);
        return;
    }
    let mut groups = vec![(v & 0x7f) as u8];
    let mut rest = v >> 7;
    while rest > 0 {
        groups.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    out.extend(groups.iter().rev());
}

/// A record of the given values: text (`Ok`) or blob (`Err`) or integers.
fn sqlite_record(values: &[SqlValue<'_>]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut body = Vec::new();
    for v in values {
        match v {
            SqlValue::Null => put_varint(&mut types, 0),
            SqlValue::Int(i) => {
                put_varint(&mut types, 4);
                body.extend_from_slice(&(*i as i32).to_be_bytes());
            }
            SqlValue::Text(t) => {
                put_varint(&mut types, 13 + 2 * t.len() as u64);
                body.extend_from_slice(t.as_bytes());
            }
            SqlValue::Blob(b) => {
                put_varint(&mut types, 12 + 2 * b.len() as u64);
                body.extend_from_slice(b);
            }
        }
    }
    // The header length counts itself (one byte for these small headers,
    // two once the types pass 126 bytes).
    let mut out = Vec::new();
    let len = types.len() + 1;
    put_varint(&mut out, if len < 128 { len } else { len + 1 } as u64);
    out.extend_from_slice(&types);
    out.extend_from_slice(&body);
    out
}

enum SqlValue<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Builds an SQLite 3 database with rpm's table `Packages (hnum INTEGER
/// PRIMARY KEY, blob BLOB NOT NULL)` holding `blobs` as rows 1, 2, ...:
/// the schema on page 1, the table as an interior root page over leaf
/// pages (or a single leaf), payloads beyond a page on overflow chains, all
/// as the file format specifies. `sqlite3` reads the result (checked with
/// `PRAGMA integrity_check` when this was written).
pub fn build_sqlite(blobs: &[Vec<u8>], page_size: usize) -> Vec<u8> {
    let usable = page_size;
    let max_local = usable - 35;
    let min_local = (usable - 12) * 32 / 255 - 23;
    // Leaf cells (with their overflow data still attached) per row.
    let mut pages: Vec<Vec<u8>> = Vec::new(); // index i is page i + 1
    pages.push(vec![0; page_size]); // schema
    pages.push(vec![0; page_size]); // table root
    struct Cell {
        rowid: u64,
        bytes: Vec<u8>,
    }
    let mut cells = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        let rowid = i as u64 + 1;
        let payload = sqlite_record(&[SqlValue::Null, SqlValue::Blob(blob)]);
        let size = payload.len();
        let local = if size <= max_local {
            size
        } else {
            let k = min_local + (size - min_local) % (usable - 4);
            if k <= max_local { k } else { min_local }
        };
        let mut cell = Vec::new();
        put_varint(&mut cell, size as u64);
        put_varint(&mut cell, rowid);
        cell.extend_from_slice(&payload[..local]);
        if local < size {
            let chunks: Vec<&[u8]> = payload[local..].chunks(usable - 4).collect();
            let first = pages.len() as u32 + 1;
            cell.extend_from_slice(&first.to_be_bytes());
            for (c, chunk) in chunks.iter().enumerate() {
                let mut p = vec![0u8; page_size];
                let next = if c + 1 < chunks.len() {
                    pages.len() as u32 + 2
                } else {
                    0
                };
                p[..4].copy_from_slice(&next.to_be_bytes());
                p[4..4 + chunk.len()].copy_from_slice(chunk);
                pages.push(p);
            }
        }
        cells.push(Cell { rowid, bytes: cell });
    }
    // Fill leaf pages in order.
    let leaf = |cells: &[&Cell], header_at: usize| -> Vec<u8> {
        let mut p = vec![0u8; page_size];
        p[header_at] = 0x0d;
        p[header_at + 3..header_at + 5].copy_from_slice(&(cells.len() as u16).to_be_bytes());
        let mut top = page_size;
        for (i, c) in cells.iter().enumerate() {
            top -= c.bytes.len();
            p[top..top + c.bytes.len()].copy_from_slice(&c.bytes);
            let at = header_at + 8 + 2 * i;
            p[at..at + 2].copy_from_slice(&(top as u16).to_be_bytes());
        }
        p[header_at + 5..header_at + 7].copy_from_slice(&((top % 65536) as u16).to_be_bytes());
        p
    };
    let mut groups: Vec<Vec<&Cell>> = vec![Vec::new()];
    let mut used = 8;
    for c in &cells {
        let need = c.bytes.len() + 2;
        if used + need > page_size && !groups.last().is_some_and(|g| g.is_empty()) {
            groups.push(Vec::new());
            used = 8;
        }
        used += need;
        if let Some(g) = groups.last_mut() {
            g.push(c);
        }
    }
    if groups.len() == 1 {
        pages[1] = leaf(&groups[0], 0);
    } else {
        let mut children = Vec::new();
        for g in &groups {
            pages.push(leaf(g, 0));
            children.push((pages.len() as u32, g.last().map_or(0, |c| c.rowid)));
        }
        let (right, _) = children.pop().unwrap_or((0, 0));
        let root = &mut pages[1];
        root[0] = 0x05;
        root[3..5].copy_from_slice(&(children.len() as u16).to_be_bytes());
        root[8..12].copy_from_slice(&right.to_be_bytes());
        let mut top = page_size;
        for (i, (child, key)) in children.iter().enumerate() {
            let mut cell = child.to_be_bytes().to_vec();
            put_varint(&mut cell, *key);
            top -= cell.len();
            root[top..top + cell.len()].copy_from_slice(&cell);
            root[12 + 2 * i..14 + 2 * i].copy_from_slice(&(top as u16).to_be_bytes());
        }
        root[5..7].copy_from_slice(&((top % 65536) as u16).to_be_bytes());
    }
    let schema = sqlite_record(&[
        SqlValue::Text("table"),
        SqlValue::Text("Packages"),
        SqlValue::Text("Packages"),
        SqlValue::Int(2),
        SqlValue::Text("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)"),
    ]);
    let mut schema_cell = Vec::new();
    put_varint(&mut schema_cell, schema.len() as u64);
    put_varint(&mut schema_cell, 1);
    schema_cell.extend_from_slice(&schema);
    let schema_cell = Cell {
        rowid: 1,
        bytes: schema_cell,
    };
    let mut first = leaf(&[&schema_cell], 100);
    let count = pages.len() as u32;
    first[..16].copy_from_slice(b"SQLite format 3\0");
    let size_field = if page_size == 65536 {
        1
    } else {
        page_size as u16
    };
    first[16..18].copy_from_slice(&size_field.to_be_bytes());
    first[18] = 1; // write version: rollback journal
    first[19] = 1;
    first[21] = 64; // payload fractions, fixed by the format
    first[22] = 32;
    first[23] = 32;
    first[24..28].copy_from_slice(&1u32.to_be_bytes()); // change counter
    first[28..32].copy_from_slice(&count.to_be_bytes());
    first[40..44].copy_from_slice(&1u32.to_be_bytes()); // schema cookie
    first[44..48].copy_from_slice(&4u32.to_be_bytes()); // schema format
    first[56..60].copy_from_slice(&1u32.to_be_bytes()); // UTF-8
    first[92..96].copy_from_slice(&1u32.to_be_bytes()); // version-valid-for
    first[96..100].copy_from_slice(&3_040_001u32.to_be_bytes());
    pages[0] = first;
    pages.concat()
}
