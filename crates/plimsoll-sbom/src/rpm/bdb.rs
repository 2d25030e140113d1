//! The values of a Berkeley DB hash database held in memory: rpm's
//! `Packages` before rpm 4.16 (RHEL/CentOS up to 8, SLES up to 15 SP2,
//! Amazon Linux 2), one header blob per installed package.
//!
//! Layout (Berkeley DB's `db_page.h`): page 0 is the hash metadata page
//! (magic 0x061561 at byte 12, page size at 20, last page number at 32, in
//! the byte order of the machine that wrote it). Hash pages (type 13, or 2
//! for the unsorted pages of old versions) carry a 26-byte header (entry
//! count at 20) and an array of u16 item offsets: keys and values in turn.
//! A value is either stored on the page (`H_KEYDATA`, type 1) or, as rpm's
//! headers nearly always are, on a chain of overflow pages (`H_OFFPAGE`,
//! type 3: first page at +4, total length at +8); an overflow page (type 7)
//! holds `hf_offset` (at 22) bytes after its header and links the next at 16.
//! The pages are read in file order; bucket order does not matter here.

pub(crate) const HASH_MAGIC: u32 = 0x0006_1561;
pub(crate) const PAGE_HEADER: usize = 26;
const PAGE_HASH_UNSORTED: u8 = 2;
pub(crate) const PAGE_OVERFLOW: u8 = 7;
pub(crate) const PAGE_HASH_META: u8 = 8;
pub(crate) const PAGE_HASH: u8 = 13;
pub(crate) const ITEM_KEYDATA: u8 = 1;
pub(crate) const ITEM_OFFPAGE: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BdbError {
    #[error("not a Berkeley DB hash database")]
    NotBdb,
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    #[error("page {page}: {why}")]
    BadPage { page: u32, why: &'static str },
}

struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    big_endian: bool,
    pages: u32,
}

impl<'a> Db<'a> {
    fn u16_at(&self, b: &[u8], at: usize) -> Option<usize> {
        let v: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(usize::from(if self.big_endian {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        }))
    }

    fn u32_at(&self, b: &[u8], at: usize) -> Option<u32> {
        let v: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        })
    }

    fn page(&self, n: u32) -> Option<&'a [u8]> {
        let start = (n as usize).checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.page_size)?)
    }

    /// The bytes of an overflow chain starting at `first`, `total` long.
    fn overflow(
        &self,
        first: u32,
        total: usize,
        visited: &mut [bool],
    ) -> Result<Vec<u8>, BdbError> {
        // Grown as the chain is read: a length is only a claim.
        let mut out = Vec::with_capacity(total.min(1 << 20));
        let mut next = first;
        while out.len() < total {
            let bad = |why| BdbError::BadPage { page: next, why };
            match visited.get_mut(next as usize) {
                Some(v) if !*v => *v = true,
                Some(_) => return Err(bad("overflow page reached twice")),
                None => return Err(bad("overflow page beyond the end of the file")),
            }
            let page = self
                .page(next)
                .ok_or(bad("overflow page beyond the end of the file"))?;
            if page.get(25) != Some(&PAGE_OVERFLOW) {
                return Err(bad("not an overflow page"));
            }
            let used = self.u16_at(page, 22).ok_or(bad("short page"))?;
            let chunk = used
                .min(total - out.len())
                .min(self.page_size - PAGE_HEADER);
            out.extend_from_slice(
                page.get(PAGE_HEADER..PAGE_HEADER + chunk)
                    .ok_or(bad("short page"))?,
            );
            next = self.u32_at(page, 16).ok_or(bad("short page"))?;
            if next == 0 {
                break;
            }
        }
        if out.len() < total {
            return Err(BdbError::BadPage {
                page: first,
                why: "overflow chain shorter than its value",
            });
        }
        Ok(out)
    }
}

/// Calls `value(bytes)` for every value of the hash database whose key is
/// not the all-zero 4 bytes (rpm keeps its next package number there).
/// Returns the errors of the parts that could not be read; an unreadable
/// database as a whole is an `Err`.
pub fn read_values(
    bytes: &[u8],
    value: &mut dyn FnMut(Vec<u8>),
) -> Result<Vec<BdbError>, BdbError> {
    let magic: [u8; 4] = bytes
        .get(12..16)
        .ok_or(BdbError::NotBdb)?
        .try_into()
        .map_err(|_| BdbError::NotBdb)?;
    let big_endian = if u32::from_le_bytes(magic) == HASH_MAGIC {
        false
    } else if u32::from_be_bytes(magic) == HASH_MAGIC {
        true
    } else {
        return Err(BdbError::NotBdb);
    };
    let mut db = Db {
        bytes,
        page_size: 0,
        big_endian,
        pages: 0,
    };
    if bytes.get(25) != Some(&PAGE_HASH_META) {
        return Err(BdbError::NotBdb);
    }
    if bytes.get(24).is_some_and(|&alg| alg != 0) {
        return Err(BdbError::Unsupported("encrypted database"));
    }
    db.page_size = db
        .u32_at(bytes, 20)
        .map(|s| s as usize)
        .filter(|s| (512..=65536).contains(s) && s.is_power_of_two())
        .ok_or(BdbError::Unsupported("page size"))?;
    let last = db.u32_at(bytes, 32).ok_or(BdbError::NotBdb)?;
    let in_file = u32::try_from(bytes.len() / db.page_size).unwrap_or(u32::MAX);
    db.pages = in_file.min(last.saturating_add(1));
    let mut errors = Vec::new();
    if last >= in_file {
        errors.push(BdbError::BadPage {
            page: in_file,
            why: "the file ends before the database's last page",
        });
    }
    let mut visited = vec![false; db.pages as usize];
    for n in 1..db.pages {
        let Some(page) = db.page(n) else { break };
        if !matches!(page.get(25), Some(&PAGE_HASH | &PAGE_HASH_UNSORTED)) {
            continue;
        }
        hash_page(&db, n, page, &mut visited, value, &mut errors);
    }
    Ok(errors)
}

fn hash_page(
    db: &Db<'_>,
    n: u32,
    page: &[u8],
    visited: &mut [bool],
    value: &mut dyn FnMut(Vec<u8>),
    errors: &mut Vec<BdbError>,
) {
    let bad = |why| BdbError::BadPage { page: n, why };
    let Some(offsets) = db.u16_at(page, 20).and_then(|entries| {
        (0..entries)
            .map(|i| db.u16_at(page, PAGE_HEADER + 2 * i))
            .collect::<Option<Vec<usize>>>()
    }) else {
        errors.push(bad("item offsets beyond the page"));
        return;
    };
    // An item on the page ends where the previous one (stored above it)
    // begins (Berkeley DB's LEN_HITEM): the offsets must fall, else items
    // would overlap.
    let item = |i: usize| -> Option<&[u8]> {
        let start = *offsets.get(i)?;
        let end = if i == 0 {
            db.page_size
        } else {
            *offsets.get(i - 1)?
        };
        (start >= PAGE_HEADER + 2 * offsets.len() && start < end)
            .then(|| page.get(start..end))
            .flatten()
    };
    // One bad pair costs only its own value.
    for pair in 0..offsets.len() / 2 {
        let (Some(key), Some(item_v)) = (item(pair * 2), item(pair * 2 + 1)) else {
            errors.push(bad("item beyond the page"));
            continue;
        };
        if key.first() == Some(&ITEM_KEYDATA) && key.get(1..) == Some(&[0u8; 4][..]) {
            continue;
        }
        match item_v.first() {
            Some(&ITEM_KEYDATA) => value(item_v.get(1..).unwrap_or(&[]).to_vec()),
            Some(&ITEM_OFFPAGE) => {
                let (Some(first), Some(total)) = (db.u32_at(item_v, 4), db.u32_at(item_v, 8))
                else {
                    errors.push(bad("short off-page item"));
                    continue;
                };
                if total as usize > db.bytes.len() {
                    errors.push(bad("value larger than the file"));
                    continue;
                }
                match db.overflow(first, total as usize, visited) {
                    Ok(bytes) => value(bytes),
                    Err(e) => errors.push(e),
                }
            }
            _ => errors.push(bad("unsupported item type (duplicates?)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::fixtures::build_bdb;

    fn values(bytes: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<BdbError>), BdbError> {
        let mut out = Vec::new();
        let errors = read_values(bytes, &mut |v| out.push(v))?;
        Ok((out, errors))
    }

    #[test]
    fn reads_values_across_overflow_pages() {
        let vals = vec![
            vec![1u8; 10],
            (0..3000u32).map(|i| i as u8).collect(),
            vec![7u8; 486],
        ];
        let db = build_bdb(&vals, 512);
        let (got, errors) = values(&db).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(got, vals);
        // Truncated: the values on the missing pages are errors, the rest read.
        let (got, errors) = values(&db[..db.len() - 512]).unwrap();
        assert_eq!(got, vals[..2]);
        assert_eq!(errors.len(), 2, "{errors:?}"); // the end, and the third value
        assert_eq!(values(b"nothing"), Err(BdbError::NotBdb));
    }

    #[test]
    fn corrupt_pages_are_errors_not_panics() {
        let db = build_bdb(&[vec![3u8; 700], vec![4u8; 20]], 512);
        for at in 0..db.len() {
            for v in [0u8, 1, 3, 7, 0xff] {
                let mut b = db.clone();
                b[at] = v;
                let _ = values(&b);
            }
        }
        // A chain that points back at itself.
        let mut b = db.clone();
        let first_overflow = 2 * 512;
        b[first_overflow + 16..first_overflow + 20].copy_from_slice(&2u32.to_le_bytes());
        let (got, errors) = values(&b).unwrap();
        assert_eq!(got, [vec![4u8; 20]]);
        assert_eq!(errors.len(), 1, "{errors:?}");
    }
}
