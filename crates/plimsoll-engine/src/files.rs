//! The built-in analyser every scan runs: the metadata of each entry, from
//! which the merged file tree, layer changes and wasted bytes are computed.
//!
//! A layer's list is kept the way it is cached (postcard of
//! `Vec<FileEntry>`) and read in place ([`FileLists`]): a million entries
//! cost their encoded size (about 25 bytes each for short paths), not a
//! million `String`s.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::analyzer::{Analyzer, DynAnalyzer, DynVisitor, Entry, EntryKind, LayerVisitor};

/// One tar entry's metadata, as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
}

/// A [`FileEntry`] read in place from a layer's encoded list (same fields,
/// same encoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntryRef<'a> {
    pub path: &'a str,
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    #[serde(borrow)]
    pub link: Option<&'a str>,
}

impl<'a> From<&'a FileEntry> for FileEntryRef<'a> {
    fn from(e: &'a FileEntry) -> Self {
        FileEntryRef {
            path: &e.path,
            kind: e.kind,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            link: e.link.as_deref(),
        }
    }
}

impl FileEntryRef<'_> {
    pub fn to_entry(&self) -> FileEntry {
        FileEntry {
            path: self.path.to_string(),
            kind: self.kind,
            mode: self.mode,
            uid: self.uid,
            gid: self.gid,
            size: self.size,
            link: self.link.map(str::to_string),
        }
    }
}

/// Every layer's file list, bottom layer first, each read in place from its
/// encoded form (checked once, when made).
#[derive(Debug, Clone, Default)]
pub struct FileLists<'a> {
    layers: Vec<EncodedList<'a>>,
}

#[derive(Debug, Clone)]
struct EncodedList<'a> {
    bytes: Cow<'a, [u8]>,
    /// Where the first entry starts (after the count).
    start: usize,
    count: u64,
}

impl<'a> FileLists<'a> {
    /// The lists from each layer's encoded facts (postcard of
    /// `Vec<FileEntry>`); fails on the first that does not decode.
    pub fn from_encoded(
        layers: impl IntoIterator<Item = Cow<'a, [u8]>>,
    ) -> Result<Self, (usize, postcard::Error)> {
        let mut out = Vec::new();
        for (i, bytes) in layers.into_iter().enumerate() {
            let (count, rest) = postcard::take_from_bytes::<u64>(&bytes).map_err(|e| (i, e))?;
            let start = bytes.len() - rest.len();
            let mut rest = rest;
            for _ in 0..count {
                rest = postcard::take_from_bytes::<FileEntryRef<'_>>(rest)
                    .map_err(|e| (i, e))?
                    .1;
            }
            out.push(EncodedList {
                bytes,
                start,
                count,
            });
        }
        Ok(FileLists { layers: out })
    }

    /// The lists of entries given as values (tests, callers that built them).
    pub fn from_entries(layers: &[Vec<FileEntry>]) -> FileLists<'static> {
        FileLists {
            layers: layers
                .iter()
                .map(|l| {
                    let mut bytes = postcard::to_stdvec(&(l.len() as u64)).unwrap_or_default();
                    let start = bytes.len();
                    for e in l {
                        bytes = postcard::to_extend(e, bytes).unwrap_or_default();
                    }
                    EncodedList {
                        bytes: Cow::Owned(bytes),
                        start,
                        count: l.len() as u64,
                    }
                })
                .collect(),
        }
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Number of entries of layer `i` (0 past the last layer).
    pub fn entries(&self, i: usize) -> u64 {
        self.layers.get(i).map_or(0, |l| l.count)
    }

    /// The entries of layer `i` in tar order (none past the last layer).
    pub fn layer(&self, i: usize) -> LayerEntries<'_> {
        match self.layers.get(i) {
            Some(l) => LayerEntries {
                rest: l.bytes.get(l.start..).unwrap_or_default(),
                left: l.count,
            },
            None => LayerEntries { rest: &[], left: 0 },
        }
    }

    /// Every layer's entries as values.
    pub fn to_vecs(&self) -> Vec<Vec<FileEntry>> {
        (0..self.len())
            .map(|i| self.layer(i).map(|e| e.to_entry()).collect())
            .collect()
    }
}

/// The entries of one layer, decoded one at a time.
#[derive(Debug, Clone)]
pub struct LayerEntries<'a> {
    rest: &'a [u8],
    left: u64,
}

impl<'a> Iterator for LayerEntries<'a> {
    type Item = FileEntryRef<'a>;

    fn next(&mut self) -> Option<FileEntryRef<'a>> {
        if self.left == 0 {
            return None;
        }
        // Checked when the list was made: an error cannot happen here, and
        // would only end the list.
        match postcard::take_from_bytes::<FileEntryRef<'a>>(self.rest) {
            Ok((e, rest)) => {
                self.rest = rest;
                self.left -= 1;
                Some(e)
            }
            Err(_) => {
                self.left = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.left).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

/// Records every entry of a layer.
pub struct FileList;

pub struct FileListVisitor(Vec<FileEntry>);

impl Analyzer for FileList {
    type Facts = Vec<FileEntry>;
    type Visitor = FileListVisitor;
    const NAME: &'static str = "files";
    const VERSION: u32 = 1;

    fn content_limit(&self, _: &Entry<'_>) -> Option<u64> {
        None
    }

    fn visitor(&self) -> FileListVisitor {
        FileListVisitor(Vec::new())
    }
}

impl LayerVisitor for FileListVisitor {
    type Facts = Vec<FileEntry>;

    fn visit(&mut self, e: &Entry<'_>, _: Option<&[u8]>) {
        self.0.push(FileEntry {
            path: e.path.to_string(),
            kind: e.kind,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            link: e.link.map(str::to_string),
        });
    }

    fn finish(self) -> Vec<FileEntry> {
        self.0
    }
}

/// [`FileList`] as the engine runs it: each entry is encoded as it is seen,
/// so a layer's list costs its encoded size while it is read, not a
/// `FileEntry` per entry. The bytes are those of `Vec<FileEntry>`.
pub(crate) struct EncodedFileList;

/// Room kept in front of the entries for the count (a varint of a u64).
const COUNT_ROOM: usize = 10;

struct EncodingVisitor {
    bytes: Vec<u8>,
    count: u64,
}

impl DynAnalyzer for EncodedFileList {
    fn name(&self) -> &'static str {
        FileList::NAME
    }

    fn version(&self) -> u32 {
        FileList::VERSION
    }

    fn content_limit(&self, _: &Entry<'_>) -> Option<u64> {
        None
    }

    fn start(&self) -> Box<dyn DynVisitor> {
        Box::new(EncodingVisitor {
            bytes: vec![0; COUNT_ROOM],
            count: 0,
        })
    }
}

impl DynVisitor for EncodingVisitor {
    fn visit(&mut self, e: &Entry<'_>, _: Option<&[u8]>) {
        let entry = FileEntryRef {
            path: e.path,
            kind: e.kind,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            link: e.link,
        };
        let bytes = std::mem::take(&mut self.bytes);
        // Writing into a Vec cannot fail.
        self.bytes = postcard::to_extend(&entry, bytes).unwrap_or_default();
        self.count += 1;
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, postcard::Error> {
        let EncodingVisitor { mut bytes, count } = *self;
        let mut room = [0u8; COUNT_ROOM];
        let n = postcard::to_slice(&count, &mut room)?.len();
        let skip = COUNT_ROOM - n;
        bytes[skip..COUNT_ROOM].copy_from_slice(&room[..n]);
        bytes.drain(..skip);
        bytes.shrink_to_fit();
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, link: Option<&str>) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: EntryKind::File,
            mode: 0o4755,
            uid: 70_000,
            gid: u64::MAX,
            size: 1 << 40,
            link: link.map(Into::into),
        }
    }

    #[test]
    fn the_encoding_visitor_writes_what_the_value_visitor_would() {
        let entries: Vec<FileEntry> = (0..300)
            .map(|i| entry(&format!("d/f{i}"), (i % 3 == 0).then_some("t")))
            .collect();
        let mut v = EncodedFileList.start();
        for e in &entries {
            let r = FileEntryRef::from(e);
            v.visit(
                &Entry {
                    path: r.path,
                    kind: r.kind,
                    mode: r.mode,
                    uid: r.uid,
                    gid: r.gid,
                    size: r.size,
                    link: r.link,
                },
                None,
            );
        }
        let bytes = v.finish().unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&entries).unwrap());
        let lists = FileLists::from_encoded([Cow::Borrowed(bytes.as_slice())]).unwrap();
        assert_eq!(lists.entries(0), 300);
        assert_eq!(lists.to_vecs(), vec![entries.clone()]);
        assert_eq!(
            FileLists::from_entries(std::slice::from_ref(&entries)).to_vecs(),
            vec![entries]
        );
    }

    #[test]
    fn a_truncated_list_is_refused_when_made() {
        let bytes = postcard::to_stdvec(&vec![entry("a", None), entry("b", None)]).unwrap();
        let cut = &bytes[..bytes.len() - 3];
        assert!(FileLists::from_encoded([Cow::Borrowed(cut)]).is_err());
        assert_eq!(FileLists::default().layer(3).count(), 0);
    }
}
