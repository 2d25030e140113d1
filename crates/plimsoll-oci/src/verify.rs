//! Readers that verify a blob's digest and size while it streams, and cap
//! how much a stream may yield.

use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

use crate::{Digest, OciError};

/// Hashes everything read through it; at end of stream compares the digest
/// (and the size, when known) with what the manifest promised. A mismatch
/// turns the final read into an error naming the blob, so no caller can
/// consume a corrupt blob to the end without noticing.
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
    expected: Digest,
    expected_size: Option<u64>,
    label: String,
    done: bool,
}

impl<R: Read> VerifyingReader<R> {
    /// `label` names the blob in errors, e.g. "layer 3 of oci:img".
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>, label: String) -> Self {
        VerifyingReader {
            inner,
            hasher: Sha256::new(),
            read: 0,
            expected,
            expected_size,
            label,
            done: false,
        }
    }

    /// Bytes read so far (compressed bytes for a layer).
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Reads whatever is left and verifies; call after the consumer stopped
    /// early (tar readers stop at the end-of-archive marker).
    pub fn finish(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 64 * 1024];
        while !self.done {
            if self.read(&mut buf)? == 0 {
                break;
            }
        }
        Ok(())
    }

    fn size_mismatch(&self, expected: u64) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            OciError::SizeMismatch {
                blob: self.label.clone(),
                digest: self.expected.to_string(),
                expected,
                actual: self.read,
            },
        )
    }

    fn check(&mut self) -> io::Result<()> {
        self.done = true;
        if let Some(size) = self.expected_size
            && size != self.read
        {
            return Err(self.size_mismatch(size));
        }
        let actual = Digest::from_sha256_bytes(&self.hasher.finalize_reset());
        if actual != self.expected {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                OciError::DigestMismatch {
                    blob: self.label.clone(),
                    expected: self.expected.to_string(),
                    actual: actual.to_string(),
                },
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.check()?;
            return Ok(0);
        }
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if let Some(size) = self.expected_size
            && self.read > size
        {
            // Stop at once: a blob longer than promised may be endless.
            self.done = true;
            return Err(self.size_mismatch(size));
        }
        Ok(n)
    }
}

/// Reads a whole small blob (index, manifest, config), verified, refusing
/// anything above `cap` bytes so a hostile source cannot exhaust memory.
pub fn read_verified<R: Read>(
    inner: R,
    expected: &Digest,
    expected_size: Option<u64>,
    label: &str,
    cap: u64,
) -> Result<Vec<u8>, OciError> {
    if let Some(size) = expected_size
        && size > cap
    {
        return Err(OciError::TooLarge {
            blob: label.to_string(),
            size,
            cap,
        });
    }
    let mut reader =
        VerifyingReader::new(inner, expected.clone(), expected_size, label.to_string());
    let mut out = Vec::new();
    (&mut reader)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| OciError::from_io(label, e))?;
    if out.len() as u64 > cap {
        return Err(OciError::TooLarge {
            blob: label.to_string(),
            size: out.len() as u64,
            cap,
        });
    }
    reader.finish().map_err(|e| OciError::from_io(label, e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_matching_blob() {
        let data = b"hello";
        let d = Digest::of(data);
        let out = read_verified(&data[..], &d, Some(5), "blob", 100).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn rejects_corrupt_blob_naming_it() {
        let d = Digest::of(b"hello");
        let err = read_verified(&b"hellO"[..], &d, Some(5), "config of x", 100).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("config of x") && msg.contains("digest mismatch"),
            "{msg}"
        );
    }

    #[test]
    fn rejects_wrong_size() {
        let d = Digest::of(b"hello");
        let err = read_verified(&b"hello"[..], &d, Some(4), "m", 100).unwrap_err();
        assert!(err.to_string().contains("size"), "{err}");
    }

    #[test]
    fn caps_small_blobs() {
        let data = vec![b'a'; 1000];
        let d = Digest::of(&data);
        let err = read_verified(&data[..], &d, None, "m", 10).unwrap_err();
        assert!(matches!(err, OciError::TooLarge { .. }));
    }
}
