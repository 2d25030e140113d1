//! Just enough of the SQLite file format (<https://www.sqlite.org/fileformat2.html>)
//! to read every row of one table from a database held in memory: the rpm
//! database's `Packages (hnum INTEGER PRIMARY KEY, blob BLOB)`.
//!
//! Why not rusqlite (measured with rusqlite 0.39, `bundled` + `serialize`,
//! reading the same tables): it compiles SQLite's C amalgamation (34 s of
//! build here, a C toolchain for every target) and adds 2.0 MB to a release
//! binary (0.46 MB -> 2.50 MB for a bare reader); it reads the 129 rows of
//! a real CBL-Mariner rpmdb.sqlite in 5-10 ms against 4 ms here; and it
//! needs the bytes as a file or through `deserialize`, which refuses rpm's
//! databases as they are ("unable to open database file": rpm writes them
//! in WAL mode, header bytes 18-19 = 2, which an in-memory database cannot
//! open until they are patched). What rpm needs is one table walk: table
//! b-tree pages (interior 0x05, leaf 0x0d), record headers and overflow
//! chains, a few hundred lines that stay bounded on hostile input (every
//! page visited at most once, every size checked against the buffer).
//! Measured against `rpm -qa` and the `sqlite3` CLI: identical packages (and
//! file counts) on that Mariner database (129 packages, 880 pages of 4 KiB)
//! and the rpmbuild fixture; the test builder's databases (interior pages,
//! overflow chains, page sizes 512 to 64 KiB) pass `sqlite3`'s
//! `PRAGMA integrity_check` and read back whole.
//! Not read: the write-ahead log (`-wal`): rows rpm has not yet
//! checkpointed into the main file are missing, which the cataloger warns
//! about.

/// Why a database, or part of it, could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqliteError {
    #[error("not an SQLite 3 database")]
    NotSqlite,
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    #[error("no table {0}")]
    NoTable(String),
    #[error("page {page}: {why}")]
    BadPage { page: u32, why: &'static str },
}

/// The database file's layout.
struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    /// Page size minus the bytes reserved at the end of each page.
    usable: usize,
    pages: u32,
}

/// Reads a variable-length integer (1-9 bytes, big-endian, 7 bits a byte but
/// all 8 in the ninth): (value, length).
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let byte = *b.get(i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Db<'a>, SqliteError> {
        if !bytes.starts_with(b"SQLite format 3\0") {
            return Err(SqliteError::NotSqlite);
        }
        let page_size = match be16(bytes, 16).ok_or(SqliteError::NotSqlite)? {
            1 => 65536,
            n if n >= 512 && n.is_power_of_two() => n,
            _ => return Err(SqliteError::Unsupported("page size")),
        };
        let reserved = usize::from(*bytes.get(20).ok_or(SqliteError::NotSqlite)?);
        // The spec requires at least 480 usable bytes a page.
        let usable = page_size
            .checked_sub(reserved)
            .filter(|&u| u >= 480)
            .ok_or(SqliteError::Unsupported("reserved bytes per page"))?;
        // Text encoding 1 is UTF-8; the schema's names are compared as bytes.
        if be32(bytes, 56).is_some_and(|e| e > 1) {
            return Err(SqliteError::Unsupported("UTF-16 text"));
        }
        let pages = u32::try_from(bytes.len() / page_size).unwrap_or(u32::MAX);
        Ok(Db {
            bytes,
            page_size,
            usable,
            pages,
        })
    }

    fn page(&self, n: u32) -> Result<&'a [u8], SqliteError> {
        let bad = |why| SqliteError::BadPage { page: n, why };
        if n == 0 || n > self.pages {
            return Err(bad("beyond the end of the file"));
        }
        let start = (n as usize - 1) * self.page_size;
        self.bytes
            .get(start..start + self.usable)
            .ok_or(bad("beyond the end of the file"))
    }

    /// Calls `row(rowid, record)` for every row of the table b-tree rooted
    /// at `root`, in rowid order. Unreadable subtrees are skipped and their
    /// errors collected; every page is visited at most once.
    fn walk_table(
        &self,
        root: u32,
        visited: &mut [bool],
        row: &mut dyn FnMut(i64, Vec<u8>),
        errors: &mut Vec<SqliteError>,
    ) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let seen = visited.get_mut(n as usize);
            match seen {
                Some(s) if !*s => *s = true,
                Some(_) => {
                    errors.push(SqliteError::BadPage {
                        page: n,
                        why: "reached twice (a cycle)",
                    });
                    continue;
                }
                None => {
                    errors.push(SqliteError::BadPage {
                        page: n,
                        why: "beyond the end of the file",
                    });
                    continue;
                }
            }
            if let Err(e) = self.visit_page(n, visited, &mut stack, row) {
                errors.push(e);
            }
        }
    }

    fn visit_page(
        &self,
        n: u32,
        visited: &mut [bool],
        stack: &mut Vec<u32>,
        row: &mut dyn FnMut(i64, Vec<u8>),
    ) -> Result<(), SqliteError> {
        let bad = |why| SqliteError::BadPage { page: n, why };
        let page = self.page(n)?;
        // Page 1 starts with the 100-byte file header.
        let header_at = if n == 1 { 100 } else { 0 };
        let kind = *page.get(header_at).ok_or(bad("short page"))?;
        let cells = be16(page, header_at + 3).ok_or(bad("short page"))?;
        let (pointers_at, interior) = match kind {
            0x0d => (header_at + 8, false),
            0x05 => (header_at + 12, true),
            _ => return Err(bad("not a table b-tree page")),
        };
        let mut children = Vec::new();
        // Cells do not overlap, so their local bytes fit in the page: cell
        // pointers repeating one cell would otherwise multiply it.
        let mut local_bytes = 0usize;
        for i in 0..cells {
            let at = be16(page, pointers_at + 2 * i).ok_or(bad("cell pointers beyond the page"))?;
            let cell = page.get(at..).ok_or(bad("cell beyond the page"))?;
            if interior {
                children.push(be32(cell, 0).ok_or(bad("short interior cell"))?);
            } else {
                let (rowid, record, local) = self.leaf_cell(n, cell, visited)?;
                local_bytes += local;
                if local_bytes > self.usable {
                    return Err(bad("cells overlap"));
                }
                row(rowid, record);
            }
        }
        if interior {
            children.push(be32(page, header_at + 8).ok_or(bad("short page"))?);
            // Reversed onto the stack so rows come out in rowid order.
            stack.extend(children.into_iter().rev());
        }
        Ok(())
    }

    /// A table leaf cell: payload size, rowid, the local part of the
    /// payload, then the first overflow page.
    fn leaf_cell(
        &self,
        n: u32,
        cell: &[u8],
        visited: &mut [bool],
    ) -> Result<(i64, Vec<u8>, usize), SqliteError> {
        let bad = |why| SqliteError::BadPage { page: n, why };
        let (size, a) = varint(cell).ok_or(bad("short cell"))?;
        let (rowid, b) =
            varint(cell.get(a..).ok_or(bad("short cell"))?).ok_or(bad("short cell"))?;
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= self.bytes.len())
            .ok_or(bad("payload larger than the file"))?;
        let body = cell.get(a + b..).ok_or(bad("short cell"))?;
        // How much of the payload is stored on the page (the file format's
        // X, M and K for table leaves).
        let u = self.usable;
        let max_local = u - 35;
        let local = if size <= max_local {
            size
        } else {
            let min_local = (u - 12) * 32 / 255 - 23;
            let k = min_local + (size - min_local) % (u - 4);
            if k <= max_local { k } else { min_local }
        };
        // Grown as the chain is read: a size is only a claim.
        let mut payload = Vec::with_capacity(size.min(1 << 20));
        payload.extend_from_slice(body.get(..local).ok_or(bad("payload beyond the page"))?);
        if local < size {
            let mut next = be32(body, local).ok_or(bad("no overflow page number"))?;
            while payload.len() < size {
                let seen = visited.get_mut(next as usize);
                match seen {
                    Some(s) if !*s => *s = true,
                    _ => return Err(bad("overflow chain broken or looping")),
                }
                let page = self.page(next)?;
                let chunk = (size - payload.len()).min(u - 4);
                payload
                    .extend_from_slice(page.get(4..4 + chunk).ok_or(bad("short overflow page"))?);
                next = be32(page, 0).ok_or(bad("short overflow page"))?;
            }
        }
        Ok((rowid as i64, payload, local))
    }
}

/// One value of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Float,
    Blob(&'a [u8]),
    Text(&'a [u8]),
}

/// The values of a record (<https://www.sqlite.org/fileformat2.html#record_format>).
pub fn record(payload: &[u8]) -> Option<Vec<Value<'_>>> {
    let (header_len, mut at) = varint(payload)?;
    let header_len = usize::try_from(header_len).ok()?;
    let mut body = header_len;
    let mut values = Vec::new();
    while at < header_len {
        let (serial, n) = varint(payload.get(at..header_len)?)?;
        at += n;
        let len = match serial {
            0 | 8 | 9 => 0,
            1..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return None,
            s => usize::try_from((s - 12) / 2).ok()?,
        };
        let bytes = payload.get(body..body.checked_add(len)?)?;
        body += len;
        values.push(match serial {
            0 => Value::Null,
            8 => Value::Int(0),
            9 => Value::Int(1),
            1..=6 => {
                // Big-endian two's complement of 1-8 bytes.
                let mut v: i64 = if bytes.first()? & 0x80 != 0 { -1 } else { 0 };
                for &b in bytes {
                    v = (v << 8) | i64::from(b);
                }
                Value::Int(v)
            }
            7 => Value::Float,
            s if s % 2 == 0 => Value::Blob(bytes),
            _ => Value::Text(bytes),
        });
    }
    Some(values)
}

/// Calls `row(rowid, record payload)` for every row of `table`; returns the
/// errors of the parts that could not be read (a whole unreadable database
/// is an `Err`).
pub fn read_table(
    bytes: &[u8],
    table: &str,
    row: &mut dyn FnMut(i64, Vec<u8>),
) -> Result<Vec<SqliteError>, SqliteError> {
    let db = Db::open(bytes)?;
    let mut visited = vec![false; db.pages as usize + 1];
    let mut errors = Vec::new();
    // The schema table, rooted at page 1: (type, name, tbl_name, rootpage, sql).
    let mut root = None;
    db.walk_table(
        1,
        &mut visited,
        &mut |_, payload| {
            if let Some(v) = record(&payload)
                && v.first() == Some(&Value::Text(b"table"))
                && v.get(1) == Some(&Value::Text(table.as_bytes()))
                && let Some(Value::Int(page)) = v.get(3)
            {
                root = u32::try_from(*page).ok();
            }
        },
        &mut errors,
    );
    let root = root.ok_or_else(|| match errors.first() {
        Some(e) => e.clone(),
        None => SqliteError::NoTable(table.to_string()),
    })?;
    db.walk_table(root, &mut visited, row, &mut errors);
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::fixtures::build_sqlite;

    fn rows(db: &[u8]) -> (Vec<(i64, Vec<u8>)>, Vec<SqliteError>) {
        let mut out = Vec::new();
        let errors = read_table(db, "Packages", &mut |rowid, payload| match record(&payload)
            .as_deref()
        {
            Some([Value::Null, Value::Blob(b)]) => out.push((rowid, b.to_vec())),
            other => panic!("row {rowid}: {other:?}"),
        })
        .unwrap();
        (out, errors)
    }

    fn blobs(n: usize, seed: usize) -> Vec<Vec<u8>> {
        // Sizes around every boundary: on-page, just over, several overflow pages.
        (0..n)
            .map(|i| {
                let len = [
                    0, 1, 100, 470, 471, 480, 1000, 3000, 4061, 4062, 9000, 70000,
                ][(i + seed) % 12];
                (0..len).map(|j| (i * 7 + j) as u8).collect()
            })
            .collect()
    }

    #[test]
    fn reads_every_row_of_built_databases() {
        for page_size in [512, 1024, 4096, 65536] {
            for n in [0, 1, 5, 40] {
                let want = blobs(n, page_size);
                let db = build_sqlite(&want, page_size);
                let (got, errors) = rows(&db);
                assert!(errors.is_empty(), "{page_size}/{n}: {errors:?}");
                let got_blobs: Vec<Vec<u8>> = got.iter().map(|(_, b)| b.clone()).collect();
                assert_eq!(got_blobs, want, "{page_size}/{n}");
                assert!(got.iter().enumerate().all(|(i, (r, _))| *r == i as i64 + 1));
            }
        }
    }

    #[test]
    fn damaged_databases_lose_only_what_is_damaged() {
        let want = blobs(40, 0);
        let db = build_sqlite(&want, 1024);
        // The last page (a leaf) cut off, then the first leaf broken: its
        // rows are reported, the others read.
        let (got, errors) = rows(&db[..db.len() - 1024]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(!got.is_empty() && got.len() < want.len(), "{}", got.len());
        let first_leaf = (1..db.len() / 1024).find(|p| db[p * 1024] == 0x0d).unwrap();
        let mut broken = db.clone();
        broken[first_leaf * 1024] = 0;
        let (got2, errors) = rows(&broken);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            !got2.is_empty() && got2.len() < want.len(),
            "{}",
            got2.len()
        );
        assert!(got2.iter().all(|(r, b)| want[*r as usize - 1] == *b));
        // Every byte of a small database corrupted: errors, never a panic
        // or a hang.
        let small = build_sqlite(
            &(0..12).map(|i| vec![i as u8; i * 60]).collect::<Vec<_>>(),
            512,
        );
        for at in 0..small.len() {
            for v in [0u8, 0x05, 0x0d, 0xff] {
                let mut b = small.clone();
                b[at] = v;
                let _ = read_table(&b, "Packages", &mut |_, p| {
                    let _ = record(&p);
                });
            }
        }
        assert_eq!(
            read_table(&db, "Name", &mut |_, _| {}),
            Err(SqliteError::NoTable("Name".into()))
        );
    }

    #[test]
    fn a_cell_pointed_at_twice_is_not_read_twice_beyond_the_page() {
        let mut db = build_sqlite(&[vec![5u8; 4000]], 4096);
        let root = 4096; // page 2, a single leaf
        assert_eq!(db[root], 0x0d);
        db[root + 4] = 2; // two cells, the second pointer a copy of the first
        let first = [db[root + 8], db[root + 9]];
        db[root + 10..root + 12].copy_from_slice(&first);
        let (got, errors) = rows(&db);
        assert_eq!(got.len(), 1);
        assert_eq!(
            errors,
            [SqliteError::BadPage {
                page: 2,
                why: "cells overlap"
            }]
        );
    }

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
        assert_eq!(varint(&[]), None);
    }

    #[test]
    fn records() {
        // header 4 bytes: len, NULL, int8, blob of 2; body: 0x7f, "ab"
        let r = record(&[4, 0, 1, 16, 0x7f, b'a', b'b']).unwrap();
        assert_eq!(r, [Value::Null, Value::Int(127), Value::Blob(b"ab")]);
        let r = record(&[3, 2, 17, 0xff, 0xfe, b'x', b'y', b'z']).unwrap();
        assert_eq!(r, [Value::Int(-2), Value::Text(b"xy")]);
        assert_eq!(
            record(&[3, 12, 0]),
            Some(vec![Value::Blob(b""), Value::Null])
        );
        assert_eq!(record(&[2, 20]), None); // blob of 4 bytes beyond the end
        assert_eq!(record(&[9]), None);
        assert_eq!(
            read_table(b"not a database", "t", &mut |_, _| {}),
            Err(SqliteError::NotSqlite)
        );
    }
}
