//! The analyser interface: every analyser sees every entry of every layer in
//! the one streaming pass, and asks for a file's content only when it needs it.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a tar entry is, after whiteouts have been recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    /// `.wh.NAME`: NAME from lower layers is deleted; `path` is NAME's path.
    Whiteout,
    /// `.wh..wh..opq`: the directory's lower-layer contents are hidden; `path`
    /// is the directory.
    OpaqueWhiteout,
    /// Devices, fifos and the like.
    Other,
}

/// One entry of a layer as analysers see it. Paths are relative to the image
/// root, without a leading `/` or `./`, and never contain `..`.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub path: &'a str,
    pub kind: EntryKind,
    /// Permission and setuid/setgid/sticky bits (`0o7777`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Size of the content in the tar (0 for everything but regular files).
    pub size: u64,
    /// Symlink target, or the path a hard link points to.
    pub link: Option<&'a str>,
}

/// A kind of analysis run on each layer. Its per-layer result (`Facts`) is
/// cached by layer digest plus `NAME` and `VERSION`: bump `VERSION` whenever
/// the facts an analyser produces for the same layer would change.
pub trait Analyzer: Send + Sync + 'static {
    type Facts: Serialize + DeserializeOwned + Send + 'static;
    type Visitor: LayerVisitor<Facts = Self::Facts>;
    /// Stable identifier, used in cache file names.
    const NAME: &'static str;
    const VERSION: u32;

    /// For a regular file, how many leading bytes of content the analyser
    /// wants (None: metadata only). The engine reads the largest request once
    /// and hands each analyser at most what it asked for.
    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64>;

    /// A fresh visitor for one layer.
    fn visitor(&self) -> Self::Visitor;
}

/// Per-layer state of an analyser.
pub trait LayerVisitor: Send {
    type Facts;
    /// Called for every entry in tar order. `content` is Some only for
    /// regular files the analyser asked about, and holds at most the
    /// requested number of leading bytes.
    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>);
    fn finish(self) -> Self::Facts;
}

/// Object-safe form of [`Analyzer`], so the engine can hold a list of them.
pub(crate) trait DynAnalyzer: Send + Sync {
    fn name(&self) -> &'static str;
    fn version(&self) -> u32;
    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64>;
    fn start(&self) -> Box<dyn DynVisitor>;
}

pub(crate) trait DynVisitor: Send {
    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>);
    fn finish(self: Box<Self>) -> Result<Vec<u8>, postcard::Error>;
}

struct Erased<V>(V);

impl<V> DynVisitor for Erased<V>
where
    V: LayerVisitor,
    V::Facts: Serialize,
{
    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        self.0.visit(entry, content)
    }

    fn finish(self: Box<Self>) -> Result<Vec<u8>, postcard::Error> {
        postcard::to_stdvec(&self.0.finish())
    }
}

impl<A: Analyzer> DynAnalyzer for A {
    fn name(&self) -> &'static str {
        A::NAME
    }

    fn version(&self) -> u32 {
        A::VERSION
    }

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        Analyzer::content_limit(self, entry)
    }

    fn start(&self) -> Box<dyn DynVisitor> {
        Box::new(Erased(self.visitor()))
    }
}
