//! rpm package headers as the rpm database stores them (one blob per
//! installed package), read without rpm.
//!
//! A header blob is `il` (index entries) and `dl` (data bytes), both u32
//! big-endian, then `il` 16-byte entries (tag, type, offset, count; all
//! big-endian) and the `dl` bytes of data they point into. Region tags
//! (61-63: signatures, immutable) describe how rpm verifies the header and
//! are not needed to read it.

use serde::{Deserialize, Serialize};

pub(crate) const TAG_NAME: u32 = 1000;
pub(crate) const TAG_VERSION: u32 = 1001;
pub(crate) const TAG_RELEASE: u32 = 1002;
pub(crate) const TAG_EPOCH: u32 = 1003;
pub(crate) const TAG_VENDOR: u32 = 1011;
pub(crate) const TAG_LICENSE: u32 = 1014;
pub(crate) const TAG_ARCH: u32 = 1022;
pub(crate) const TAG_OLDFILENAMES: u32 = 1027;
pub(crate) const TAG_SOURCERPM: u32 = 1044;
pub(crate) const TAG_DIRINDEXES: u32 = 1116;
pub(crate) const TAG_BASENAMES: u32 = 1117;
pub(crate) const TAG_DIRNAMES: u32 = 1118;

pub(crate) const TYPE_INT32: u32 = 4;
pub(crate) const TYPE_STRING: u32 = 6;
pub(crate) const TYPE_STRING_ARRAY: u32 = 8;
pub(crate) const TYPE_I18NSTRING: u32 = 9;

/// rpm's own limits (`hdrchkTags`, `hdrchkData` in rpm's header.c).
const MAX_INDEX_ENTRIES: u32 = 0xffff;
const MAX_DATA_BYTES: u32 = 256 * 1024 * 1024;
/// More files than this in one package are left out (rpm's largest
/// packages have some 100,000); a cap on what a hostile header can cost.
pub const MAX_FILES: usize = 1 << 20;
/// The magic of a header stored on its own (`.hdr` files), before `il`.
const HEADER_MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];

/// The fields of one installed rpm package the SBOM needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpmEntry {
    pub name: String,
    /// None when the package has no EPOCH tag (rpm then compares as 0).
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    /// None for `gpg-pubkey` pseudo-packages.
    pub arch: Option<String>,
    /// SOURCERPM, e.g. `bash-5.1.8-9.el9.src.rpm`.
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    /// Paths without the leading `/`, sorted.
    pub files: Vec<String>,
}

impl RpmEntry {
    /// `[epoch:]version-release`, the version syft and rpm's `%{EVR}` show.
    pub fn evr(&self) -> String {
        let vr = self.version_release();
        match self.epoch {
            Some(e) => format!("{e}:{vr}"),
            None => vr,
        }
    }

    /// `version-release` (`version` alone for a header without a release).
    pub fn version_release(&self) -> String {
        if self.release.is_empty() {
            self.version.clone()
        } else {
            format!("{}-{}", self.version, self.release)
        }
    }

    /// The source package's name and `version-release`, from SOURCERPM
    /// (`name-version-release.src.rpm`).
    pub fn source(&self) -> Option<(&str, &str)> {
        let srpm = self.source_rpm.as_deref()?;
        let stem = srpm
            .strip_suffix(".src.rpm")
            .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
        let (name_version, _release) = stem.rsplit_once('-')?;
        let (name, _version) = name_version.rsplit_once('-')?;
        let version_release = stem.get(name.len() + 1..)?;
        (!name.is_empty()).then_some((name, version_release))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("header blob of {0} bytes is too short")]
    TooShort(usize),
    #[error(
        "header claims {il} index entries and {dl} data bytes, beyond its {len} bytes or rpm's limits"
    )]
    BadSize { il: u32, dl: u32, len: usize },
    #[error("header has no {0}")]
    Missing(&'static str),
    #[error("header tag {tag}: {why}")]
    BadTag { tag: u32, why: &'static str },
}

struct IndexEntry {
    tag: u32,
    kind: u32,
    offset: u32,
    count: u32,
}

struct Header<'a> {
    index: Vec<IndexEntry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        let blob = blob.strip_prefix(&HEADER_MAGIC[..]).unwrap_or(blob);
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(HeaderError::TooShort(blob.len()));
        };
        let bad = HeaderError::BadSize {
            il,
            dl,
            len: blob.len(),
        };
        if il == 0 || il > MAX_INDEX_ENTRIES || dl > MAX_DATA_BYTES {
            return Err(bad);
        }
        let data_start = 8 + il as usize * 16;
        let data = blob.get(data_start..data_start + dl as usize).ok_or(bad)?;
        let index = (0..il as usize)
            .filter_map(|i| {
                let at = 8 + i * 16;
                Some(IndexEntry {
                    tag: be32(blob, at)?,
                    kind: be32(blob, at + 4)?,
                    offset: be32(blob, at + 8)?,
                    count: be32(blob, at + 12)?,
                })
            })
            .collect();
        Ok(Header { index, data })
    }

    /// The last entry for `tag`: entries appended after the immutable region
    /// ("dribbles") override it.
    fn entry(&self, tag: u32) -> Option<&IndexEntry> {
        self.index.iter().rev().find(|e| e.tag == tag)
    }

    fn strings(&self, tag: u32) -> Result<Option<Vec<String>>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        let bad = |why| HeaderError::BadTag { tag, why };
        let count = match e.kind {
            TYPE_STRING => 1,
            TYPE_STRING_ARRAY | TYPE_I18NSTRING => e.count,
            _ => return Err(bad("not a string")),
        };
        // Every string takes at least its NUL: a count beyond the data is a lie.
        if count as usize > self.data.len() {
            return Err(bad("more strings than data"));
        }
        let mut rest = self
            .data
            .get(e.offset as usize..)
            .ok_or(bad("offset beyond the data"))?;
        let mut out = Vec::with_capacity((count as usize).min(1 << 16));
        for _ in 0..count {
            let end = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or(bad("string without its NUL"))?;
            out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
            rest = &rest[end + 1..];
        }
        Ok(Some(out))
    }

    /// The first string of a STRING, I18NSTRING (the untranslated one) or
    /// STRING_ARRAY tag; None when absent or empty.
    fn string(&self, tag: u32) -> Result<Option<String>, HeaderError> {
        Ok(self
            .strings(tag)?
            .and_then(|s| s.into_iter().next())
            .filter(|s| !s.is_empty()))
    }

    fn int32s(&self, tag: u32) -> Result<Option<Vec<u32>>, HeaderError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        let bad = |why| HeaderError::BadTag { tag, why };
        if e.kind != TYPE_INT32 {
            return Err(bad("not an INT32"));
        }
        let start = e.offset as usize;
        let bytes = (e.count as usize)
            .checked_mul(4)
            .and_then(|n| self.data.get(start..start.checked_add(n)?))
            .ok_or(bad("beyond the data"))?;
        Ok(Some(
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ))
    }
}

/// Reads one package header. Files with a directory index out of range,
/// or beyond [`MAX_FILES`], are left out (and counted in the second result).
pub fn parse_header(blob: &[u8]) -> Result<(RpmEntry, usize), HeaderError> {
    let h = Header::parse(blob)?;
    let name = h.string(TAG_NAME)?.ok_or(HeaderError::Missing("NAME"))?;
    let version = h
        .string(TAG_VERSION)?
        .ok_or(HeaderError::Missing("VERSION"))?;
    let release = h.string(TAG_RELEASE)?.unwrap_or_default();
    let epoch = h.int32s(TAG_EPOCH)?.and_then(|e| e.first().copied());
    let mut bad_files = 0;
    let mut files = match (
        h.strings(TAG_BASENAMES)?,
        h.strings(TAG_DIRNAMES)?,
        h.int32s(TAG_DIRINDEXES)?,
    ) {
        (Some(base), Some(dirs), Some(index)) => {
            if index.len() != base.len() {
                bad_files += base.len().abs_diff(index.len());
            }
            base.iter()
                .zip(&index)
                .filter_map(|(b, &i)| match dirs.get(i as usize) {
                    Some(d) => Some(format!("{d}{b}")),
                    None => {
                        bad_files += 1;
                        None
                    }
                })
                .collect()
        }
        // Headers of rpm before 4.0 list whole paths.
        _ => h.strings(TAG_OLDFILENAMES)?.unwrap_or_default(),
    };
    if files.len() > MAX_FILES {
        bad_files += files.len() - MAX_FILES;
        files.truncate(MAX_FILES);
    }
    for f in &mut files {
        if let Some(rel) = f.strip_prefix('/') {
            *f = rel.to_string();
        }
    }
    files.sort();
    files.dedup();
    Ok((
        RpmEntry {
            name,
            epoch,
            version,
            release,
            arch: h.string(TAG_ARCH)?,
            source_rpm: h.string(TAG_SOURCERPM)?,
            license: h.string(TAG_LICENSE)?,
            vendor: h.string(TAG_VENDOR)?,
            files,
        },
        bad_files,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::fixtures::{HeaderValue, build_header, test_header};

    #[test]
    fn reads_a_built_header() {
        let blob = test_header(
            "openssl-libs",
            "1:3.0.7-27.el9",
            Some("x86_64"),
            &[
                "/usr/lib64/libssl.so.3",
                "/etc/pki/tls/openssl.cnf",
                "/usr/lib64/libcrypto.so.3",
            ],
        );
        let (e, bad) = parse_header(&blob).unwrap();
        assert_eq!(bad, 0);
        assert_eq!(e.name, "openssl-libs");
        assert_eq!(e.epoch, Some(1));
        assert_eq!(
            (e.version.as_str(), e.release.as_str()),
            ("3.0.7", "27.el9")
        );
        assert_eq!(e.evr(), "1:3.0.7-27.el9");
        assert_eq!(e.arch.as_deref(), Some("x86_64"));
        assert_eq!(e.source(), Some(("openssl-libs", "3.0.7-27.el9")));
        assert_eq!(
            e.files,
            [
                "etc/pki/tls/openssl.cnf",
                "usr/lib64/libcrypto.so.3",
                "usr/lib64/libssl.so.3"
            ]
        );
        // The same with the magic of a stand-alone header in front.
        let mut with_magic = HEADER_MAGIC.to_vec();
        with_magic.extend_from_slice(&blob);
        assert_eq!(parse_header(&with_magic).unwrap().0, e);
    }

    #[test]
    fn source_rpm_names() {
        let with = |s: &str| RpmEntry {
            source_rpm: Some(s.into()),
            ..Default::default()
        };
        assert_eq!(
            with("python3-pip-21.2.3-7.el9.src.rpm").source(),
            Some(("python3-pip", "21.2.3-7.el9"))
        );
        assert_eq!(with("a-1-2.nosrc.rpm").source(), Some(("a", "1-2")));
        assert_eq!(with("garbage.src.rpm").source(), None);
        assert_eq!(with("-1-2.src.rpm").source(), None);
        assert_eq!(with("(none)").source(), None);
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        let blob = test_header("a", "1-1", Some("noarch"), &["/a/b"]);
        assert!(matches!(parse_header(&[]), Err(HeaderError::TooShort(0))));
        assert!(matches!(
            parse_header(&blob[..blob.len() - 1]),
            Err(HeaderError::BadSize { .. })
        ));
        // Every truncation and every single-byte corruption: an error or an
        // entry, never a panic.
        for cut in 0..blob.len() {
            let _ = parse_header(&blob[..cut]);
        }
        for at in 0..blob.len() {
            for v in [0u8, 0x7f, 0xff] {
                let mut b = blob.clone();
                b[at] = v;
                let _ = parse_header(&b);
            }
        }
        // A directory index out of range drops that file.
        let bad_index = build_header(&[
            (TAG_NAME, HeaderValue::Str("a".into())),
            (TAG_VERSION, HeaderValue::Str("1".into())),
            (TAG_DIRINDEXES, HeaderValue::Int32(vec![0, 5])),
            (
                TAG_BASENAMES,
                HeaderValue::Strs(vec!["x".into(), "y".into()]),
            ),
            (TAG_DIRNAMES, HeaderValue::Strs(vec!["/d/".into()])),
        ]);
        let (e, bad) = parse_header(&bad_index).unwrap();
        assert_eq!((e.files.clone(), bad), (vec!["d/x".to_string()], 1));
        assert_eq!(e.evr(), "1");
        let no_name = build_header(&[(TAG_VERSION, HeaderValue::Str("1".into()))]);
        assert_eq!(parse_header(&no_name), Err(HeaderError::Missing("NAME")));
        let i18n = build_header(&[
            (TAG_NAME, HeaderValue::I18n("a".into())),
            (TAG_VERSION, HeaderValue::Str("1".into())),
            (TAG_EPOCH, HeaderValue::Str("x".into())),
        ]);
        assert!(matches!(
            parse_header(&i18n),
            Err(HeaderError::BadTag { tag: TAG_EPOCH, .. })
        ));
    }
}
