//! Reading a zip archive's entries one at a time, in central-directory
//! order, without holding the directory in memory.
//!
//! OSV's `all.zip` holds one small JSON file per advisory: hundreds of
//! thousands of entries. The `zip` crate parses the whole central directory
//! into a map before the first entry is read, about 400 bytes per entry
//! (measured: 200,000 entries, 123 MiB peak); this reader walks the central
//! directory as a stream and keeps one entry at a time, so memory does not
//! grow with the number of entries.
//!
//! What it reads (APPNOTE 6.3.10): the end of central directory record
//! (searched in the last 64 KiB + 22 bytes), its Zip64 form when a field is
//! saturated, central directory headers (Zip64 extra field included), the
//! local header of each entry read, and `stored` (0) or `deflate` (8) data,
//! whose CRC-32 and size are checked against the directory. Encrypted
//! entries, other methods, multi-disk archives and any offset or size that
//! points outside the file are errors that name the entry.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;
const EOCD_LEN: u64 = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;

/// Why an archive (or one of its entries) cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Format(String),
}

fn bad(what: impl Into<String>) -> ZipError {
    ZipError::Format(what.into())
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// One central directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name as stored (UTF-8, or lossily decoded).
    pub name: String,
    pub method: u16,
    pub encrypted: bool,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    local_offset: u64,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// An open archive: its entries are read with [`ZipDir::next_entry`] and
/// their contents with [`ZipDir::read`].
pub struct ZipDir {
    directory: BufReader<File>,
    data: File,
    file_len: u64,
    /// Entries the end record announces, and how many were read.
    total: u64,
    read: u64,
    /// Bytes of central directory left to read.
    left: u64,
}

impl ZipDir {
    /// Opens an archive: finds and checks the end of central directory
    /// record.
    pub fn open(file: File) -> Result<ZipDir, ZipError> {
        let file_len = file.metadata()?.len();
        if file_len < EOCD_LEN {
            return Err(bad("shorter than an end of central directory record"));
        }
        let tail_len = file_len.min(EOCD_LEN + u64::from(u16::MAX));
        let mut tail = vec![0u8; tail_len as usize];
        let mut f = &file;
        f.seek(SeekFrom::Start(file_len - tail_len))?;
        f.read_exact(&mut tail)?;
        // The last signature whose comment length reaches the end exactly.
        let at = (0..=tail.len() - EOCD_LEN as usize)
            .rev()
            .find(|&i| {
                le32(&tail, i) == EOCD_SIG
                    && i + EOCD_LEN as usize + le16(&tail, i + 20) as usize == tail.len()
            })
            .ok_or_else(|| bad("no end of central directory record"))?;
        let eocd = &tail[at..];
        let (disk, cd_disk) = (le16(eocd, 4), le16(eocd, 6));
        let mut total = u64::from(le16(eocd, 10));
        let mut cd_size = u64::from(le32(eocd, 12));
        let mut cd_offset = u64::from(le32(eocd, 16));
        let eocd_at = file_len - tail_len + at as u64;
        if total == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
            // Zip64: the locator sits right before the end record.
            let loc_at = eocd_at
                .checked_sub(20)
                .ok_or_else(|| bad("Zip64 end record locator missing"))?;
            let mut loc = [0u8; 20];
            f.seek(SeekFrom::Start(loc_at))?;
            f.read_exact(&mut loc)?;
            if le32(&loc, 0) != EOCD64_LOCATOR_SIG {
                return Err(bad("Zip64 end record locator missing"));
            }
            let rec_at = le64(&loc, 8);
            if rec_at.checked_add(56).is_none_or(|end| end > loc_at) {
                return Err(bad("Zip64 end record outside the file"));
            }
            let mut rec = [0u8; 56];
            f.seek(SeekFrom::Start(rec_at))?;
            f.read_exact(&mut rec)?;
            if le32(&rec, 0) != EOCD64_SIG {
                return Err(bad("Zip64 end record missing"));
            }
            total = le64(&rec, 32);
            cd_size = le64(&rec, 40);
            cd_offset = le64(&rec, 48);
        } else if disk != 0 || cd_disk != 0 {
            return Err(bad("multi-disk archives are not supported"));
        }
        if cd_offset
            .checked_add(cd_size)
            .is_none_or(|end| end > eocd_at)
        {
            return Err(bad(format!(
                "central directory ({cd_size} bytes at {cd_offset}) lies outside the file"
            )));
        }
        let data = file.try_clone()?;
        let mut directory = BufReader::with_capacity(256 << 10, file);
        directory.seek(SeekFrom::Start(cd_offset))?;
        Ok(ZipDir {
            directory,
            data,
            file_len,
            total,
            read: 0,
            left: cd_size,
        })
    }

    /// Entries the archive announces.
    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The next central directory entry; `None` after the last.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, ZipError> {
        if self.read == self.total {
            return Ok(None);
        }
        let n = self.read;
        let mut head = [0u8; CENTRAL_LEN];
        self.take(&mut head)
            .map_err(|_| bad(format!("central directory ends before entry #{n}")))?;
        if le32(&head, 0) != CENTRAL_SIG {
            return Err(bad(format!(
                "central directory entry #{n} has a bad signature"
            )));
        }
        let flags = le16(&head, 8);
        let method = le16(&head, 10);
        let crc32 = le32(&head, 16);
        let mut compressed_size = u64::from(le32(&head, 20));
        let mut size = u64::from(le32(&head, 24));
        let (name_len, extra_len, comment_len) = (
            le16(&head, 28) as usize,
            le16(&head, 30) as usize,
            le16(&head, 32) as usize,
        );
        let mut local_offset = u64::from(le32(&head, 42));
        let mut rest = vec![0u8; name_len + extra_len + comment_len];
        self.take(&mut rest)
            .map_err(|_| bad(format!("central directory ends inside entry #{n}")))?;
        let name = String::from_utf8_lossy(&rest[..name_len]).into_owned();
        // Zip64 extended information: the saturated fields, in order.
        let mut extra = &rest[name_len..name_len + extra_len];
        while extra.len() >= 4 {
            let (id, len) = (le16(extra, 0), le16(extra, 2) as usize);
            let body = extra.get(4..4 + len).unwrap_or(&[]);
            if id == 1 {
                let mut at = 0;
                for field in [&mut size, &mut compressed_size, &mut local_offset] {
                    if *field == 0xFFFF_FFFF {
                        if at + 8 > body.len() {
                            return Err(bad(format!("{name}: truncated Zip64 extra field")));
                        }
                        *field = le64(body, at);
                        at += 8;
                    }
                }
            }
            extra = extra.get(4 + len..).unwrap_or(&[]);
        }
        self.read += 1;
        Ok(Some(Entry {
            name,
            method,
            encrypted: flags & 1 != 0,
            crc32,
            compressed_size,
            size,
            local_offset,
        }))
    }

    fn take(&mut self, buf: &mut [u8]) -> io::Result<()> {
        if (buf.len() as u64) > self.left {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.directory.read_exact(buf)?;
        self.left -= buf.len() as u64;
        Ok(())
    }

    /// The contents of `entry`, or `Ok(None)` when it is larger than `max`
    /// bytes (by the directory's word, checked while reading).
    pub fn read(&self, entry: &Entry, max: u64) -> Result<Option<Vec<u8>>, ZipError> {
        let name = &entry.name;
        if entry.encrypted {
            return Err(bad(format!("{name}: encrypted entries are not supported")));
        }
        if entry.size > max {
            return Ok(None);
        }
        let mut head = [0u8; LOCAL_LEN];
        if entry
            .local_offset
            .checked_add(LOCAL_LEN as u64)
            .is_none_or(|end| end > self.file_len)
        {
            return Err(bad(format!("{name}: local header outside the file")));
        }
        At::new(&self.data, entry.local_offset).read_exact(&mut head)?;
        if le32(&head, 0) != LOCAL_SIG {
            return Err(bad(format!("{name}: local header has a bad signature")));
        }
        let start = entry.local_offset
            + LOCAL_LEN as u64
            + u64::from(le16(&head, 26))
            + u64::from(le16(&head, 28));
        if start
            .checked_add(entry.compressed_size)
            .is_none_or(|end| end > self.file_len)
        {
            return Err(bad(format!("{name}: data runs past the end of the file")));
        }
        let raw = BufReader::new(At::new(&self.data, start).take(entry.compressed_size));
        let mut out = Vec::with_capacity(entry.size.min(max) as usize);
        match entry.method {
            0 => read_capped(raw, max, &mut out)?,
            8 => read_capped(flate2::bufread::DeflateDecoder::new(raw), max, &mut out)?,
            m => return Err(bad(format!("{name}: unsupported compression method {m}"))),
        }
        if out.len() as u64 > max {
            return Ok(None);
        }
        if out.len() as u64 != entry.size {
            return Err(bad(format!(
                "{name}: {} bytes where the directory says {}",
                out.len(),
                entry.size
            )));
        }
        if crc32fast::hash(&out) != entry.crc32 {
            return Err(bad(format!("{name}: CRC-32 mismatch")));
        }
        Ok(Some(out))
    }
}

/// Reads a file from an offset with positioned reads, leaving the file's
/// own offset (shared with the directory reader) alone.
struct At<'a> {
    file: &'a File,
    pos: u64,
}

impl<'a> At<'a> {
    fn new(file: &'a File, pos: u64) -> At<'a> {
        At { file, pos }
    }
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

fn read_capped(r: impl Read, max: u64, out: &mut Vec<u8>) -> io::Result<()> {
    let mut r = r.take(max + 1);
    r.read_to_end(out)?;
    Ok(())
}

/// Walks an archive's whole central directory: how a downloaded archive is
/// told whole before it replaces the previous copy. Returns the number of
/// files.
pub fn check(file: File) -> Result<u64, ZipError> {
    let mut dir = ZipDir::open(file)?;
    let mut n = 0;
    while let Some(e) = dir.next_entry()? {
        if !e.is_dir() {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn archive(entries: &[(&str, &[u8], bool)]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(f.reopen().unwrap());
        for (name, data, deflate) in entries {
            let method = if *deflate {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            w.start_file(
                *name,
                zip::write::SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
        f
    }

    fn all(f: &tempfile::NamedTempFile) -> Vec<(String, Vec<u8>)> {
        let mut dir = ZipDir::open(f.reopen().unwrap()).unwrap();
        let mut out = Vec::new();
        while let Some(e) = dir.next_entry().unwrap() {
            let data = dir.read(&e, 1 << 20).unwrap().unwrap();
            out.push((e.name, data));
        }
        out
    }

    #[test]
    fn reads_stored_and_deflated_entries_in_order() {
        let big = b"{\"id\": \"X\"} ".repeat(1000);
        let f = archive(&[("a.json", b"{}", false), ("b/c.json", &big, true)]);
        let got = all(&f);
        assert_eq!(got[0], ("a.json".to_string(), b"{}".to_vec()));
        assert_eq!(got[1], ("b/c.json".to_string(), big));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn a_large_entry_is_refused_by_size_not_read() {
        let f = archive(&[("a.json", &[b'x'; 5000], true)]);
        let mut dir = ZipDir::open(f.reopen().unwrap()).unwrap();
        let e = dir.next_entry().unwrap().unwrap();
        assert_eq!(dir.read(&e, 4999).unwrap(), None);
        assert!(dir.read(&e, 5000).unwrap().is_some());
    }

    #[test]
    fn a_corrupted_entry_is_named() {
        let f = archive(&[("a.json", b"hello world, hello world", false)]);
        let mut bytes = std::fs::read(f.path()).unwrap();
        let at = bytes.windows(5).position(|w| w == b"hello").unwrap();
        bytes[at] = b'j';
        std::fs::write(f.path(), &bytes).unwrap();
        let mut dir = ZipDir::open(f.reopen().unwrap()).unwrap();
        let e = dir.next_entry().unwrap().unwrap();
        let err = dir.read(&e, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("a.json: CRC-32 mismatch"), "{err}");
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        let f = archive(&[("a.json", b"{}", false), ("b.json", b"[]", true)]);
        let bytes = std::fs::read(f.path()).unwrap();
        for cut in 0..bytes.len() {
            let t = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(t.path(), &bytes[..cut]).unwrap();
            if let Ok(mut dir) = ZipDir::open(t.reopen().unwrap()) {
                while let Ok(Some(e)) = dir.next_entry() {
                    let _ = dir.read(&e, 1 << 20);
                }
            }
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let t = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(t.path(), &b).unwrap();
            if let Ok(mut dir) = ZipDir::open(t.reopen().unwrap()) {
                while let Ok(Some(e)) = dir.next_entry() {
                    let _ = dir.read(&e, 1 << 20);
                }
            }
        }
        let t = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(t.path(), b"not a zip at all, just some text").unwrap();
        let err = ZipDir::open(t.reopen().unwrap()).err().unwrap().to_string();
        assert!(err.contains("no end of central directory record"), "{err}");
    }

    #[test]
    fn many_entries_are_read_past_the_directory_buffer() {
        let names: Vec<String> = (0..20_000).map(|i| format!("PLIM-{i:07}.json")).collect();
        let entries: Vec<(&str, &[u8], bool)> = names
            .iter()
            .map(|n| (n.as_str(), n.as_bytes(), true))
            .collect();
        let f = archive(&entries);
        let got = all(&f);
        assert_eq!(got.len(), 20_000);
        for (n, (name, data)) in names.iter().zip(&got) {
            assert_eq!((n.as_str(), n.as_bytes()), (name.as_str(), data.as_slice()));
        }
    }

    #[test]
    fn zip64_archives_are_read() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut w = zip::ZipWriter::new(f.reopen().unwrap());
        let opts = zip::write::SimpleFileOptions::default().large_file(true);
        w.start_file("big.json", opts).unwrap();
        w.write_all(b"{\"zip64\": true}").unwrap();
        w.finish().unwrap();
        assert_eq!(
            all(&f),
            [("big.json".to_string(), b"{\"zip64\": true}".to_vec())]
        );
    }
}
