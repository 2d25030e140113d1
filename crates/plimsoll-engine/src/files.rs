//! The built-in analyser every scan runs: the metadata of each entry, from
//! which the merged file tree, layer changes and wasted bytes are computed.

use serde::{Deserialize, Serialize};

use crate::analyzer::{Analyzer, Entry, EntryKind, LayerVisitor};

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
