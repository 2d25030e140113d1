//! rpm's own "ndb" package database, `Packages.db` of SUSE (SLES 15 SP3+,
//! openSUSE), held in memory (rpm's `lib/backend/ndb/rpmpkg.c`).
//!
//! All little-endian. A 32-byte header (`RpmP`, version 0, generation,
//! number of 4 KiB slot pages) is followed by the slot pages: 16-byte slots
//! (`Slot`, package index, block offset, block count), the header taking the
//! first two. A used slot (package index not 0) points at a block (offset
//! in 16-byte units) holding a 16-byte blob header (`BlbS`, package index,
//! checksum, length) and then the package's header blob.

pub(crate) const HEADER_MAGIC: &[u8; 4] = b"RpmP";
pub(crate) const SLOT_MAGIC: &[u8; 4] = b"Slot";
pub(crate) const BLOB_MAGIC: &[u8; 4] = b"BlbS";
pub(crate) const SLOT_PAGE: usize = 4096;
pub(crate) const SLOT: usize = 16;
pub(crate) const BLOCK: usize = 16;
/// rpm never writes more (`rpmpkgInit` grows the slot area on demand; a
/// 256 MiB database has far fewer); a cap against a hostile count.
const MAX_SLOT_PAGES: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NdbError {
    #[error("not an rpm ndb database")]
    NotNdb,
    #[error("unsupported ndb version {0}")]
    Version(u32),
    #[error("slot {slot}: {why}")]
    BadSlot { slot: usize, why: &'static str },
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Calls `blob(bytes)` for every package of the database; returns the
/// errors of the slots that could not be read.
pub fn read_blobs(bytes: &[u8], blob: &mut dyn FnMut(&[u8])) -> Result<Vec<NdbError>, NdbError> {
    if bytes.get(..4) != Some(&HEADER_MAGIC[..]) {
        return Err(NdbError::NotNdb);
    }
    let version = le32(bytes, 4).ok_or(NdbError::NotNdb)?;
    if version != 0 {
        return Err(NdbError::Version(version));
    }
    let slot_pages = le32(bytes, 12).ok_or(NdbError::NotNdb)? as usize;
    let slots = slot_pages.min(MAX_SLOT_PAGES) * SLOT_PAGE / SLOT;
    let mut errors = Vec::new();
    // Blocks already handed out: slots sharing blocks would multiply a blob.
    let mut used = vec![0u64; (bytes.len() / BLOCK).div_ceil(64)];
    let mut claim = |first: usize, count: usize| -> bool {
        let range = first..first + count;
        let taken = |b: usize| used.get(b / 64).is_none_or(|w| w & (1 << (b % 64)) != 0);
        if range.clone().any(taken) {
            return false;
        }
        for b in range {
            if let Some(w) = used.get_mut(b / 64) {
                *w |= 1 << (b % 64);
            }
        }
        true
    };
    // The first two slots are the database header.
    for slot in 2..slots {
        let at = slot * SLOT;
        let Some(entry) = bytes.get(at..at + SLOT) else {
            errors.push(NdbError::BadSlot {
                slot,
                why: "the file ends inside the slot pages",
            });
            break;
        };
        let bad = |why| NdbError::BadSlot { slot, why };
        if entry.get(..4) != Some(&SLOT_MAGIC[..]) {
            errors.push(bad("no slot magic"));
            continue;
        }
        let (Some(package), Some(offset)) = (le32(entry, 4), le32(entry, 8)) else {
            continue;
        };
        if package == 0 {
            continue; // a free slot
        }
        let start = offset as usize * BLOCK;
        let Some(head) = bytes.get(start..start + BLOCK) else {
            errors.push(bad("block beyond the end of the file"));
            continue;
        };
        if head.get(..4) != Some(&BLOB_MAGIC[..]) || le32(head, 4) != Some(package) {
            errors.push(bad("the block is not this package's"));
            continue;
        }
        let len = le32(head, 12).unwrap_or(0) as usize;
        match bytes.get(start + BLOCK..).and_then(|rest| rest.get(..len)) {
            Some(_) if !claim(offset as usize, (BLOCK + len).div_ceil(BLOCK)) => {
                errors.push(bad("the block overlaps another package's"))
            }
            Some(b) => blob(b),
            None => errors.push(bad("blob beyond the end of the file")),
        }
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::fixtures::build_ndb;

    #[test]
    fn reads_blobs_and_survives_corruption() {
        let blobs = vec![b"first blob".to_vec(), vec![9u8; 5000], Vec::new()];
        let db = build_ndb(&blobs);
        let mut got = Vec::new();
        let errors = read_blobs(&db, &mut |b| got.push(b.to_vec())).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(got, blobs);
        let mut got = 0;
        let errors = read_blobs(&db[..db.len() - 100], &mut |_| got += 1).unwrap();
        assert_eq!((got, errors.len()), (1, 2), "{errors:?}");
        assert_eq!(read_blobs(b"RpmX", &mut |_| {}), Err(NdbError::NotNdb));
        // A second slot pointing at the first's block: read once.
        let mut shared = db.clone();
        let (first, second) = (2 * SLOT, 3 * SLOT);
        let pkg = shared[first + 4..first + 12].to_vec();
        shared[second + 4..second + 12].copy_from_slice(&pkg);
        let mut got = Vec::new();
        let errors = read_blobs(&shared, &mut |b| got.push(b.to_vec())).unwrap();
        assert_eq!(got, [blobs[0].clone(), blobs[2].clone()]);
        assert_eq!(
            errors,
            [NdbError::BadSlot {
                slot: 3,
                why: "the block overlaps another package's"
            }]
        );
        for at in (0..db.len()).step_by(7) {
            let mut b = db.clone();
            b[at] ^= 0xff;
            let _ = read_blobs(&b, &mut |_| {});
        }
    }
}
