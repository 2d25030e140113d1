//! The SHA-256 of every regular file of a layer, computed in the engine's
//! one pass and cached by layer digest like every other analysis: a diff of
//! two images compares contents without reading a layer twice, and a
//! second diff of either image reads no layer at all.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use sha2::{Digest as _, Sha256};

/// Files larger than this are not hashed (the engine hands analysers whole
/// contents in memory): their content is compared by size alone, and the
/// diff says their digest is unknown.
pub const MAX_HASHED: u64 = 64 * 1024 * 1024;

/// The digest of each regular file of one layer, sorted by path; for a path
/// stored twice in the layer, the later entry (as in the merged tree).
pub type LayerDigests = Vec<(String, [u8; 32])>;

/// The analyser: registered by [`crate::read`] beside the SBOM catalogers.
pub struct FileDigests;

pub struct DigestVisitor {
    found: LayerDigests,
}

impl Analyzer for FileDigests {
    type Facts = LayerDigests;
    type Visitor = DigestVisitor;
    const NAME: &'static str = "diff-file-digests";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (entry.kind == EntryKind::File && entry.size <= MAX_HASHED).then_some(entry.size)
    }

    fn visitor(&self) -> DigestVisitor {
        DigestVisitor { found: Vec::new() }
    }
}

impl LayerVisitor for DigestVisitor {
    type Facts = LayerDigests;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || entry.size > MAX_HASHED {
            return;
        }
        // An empty file is handed no content.
        let bytes = content.unwrap_or_default();
        if (bytes.len() as u64) < entry.size {
            // Cut short (a truncated layer is an error elsewhere): no digest
            // rather than a wrong one.
            return;
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&Sha256::digest(bytes));
        self.found.push((entry.path.to_string(), digest));
    }

    fn finish(mut self) -> LayerDigests {
        // Stable: of two entries with one path, the later stays last.
        self.found.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: LayerDigests = Vec::with_capacity(self.found.len());
        for (path, digest) in self.found {
            match out.last_mut() {
                Some(last) if last.0 == path => last.1 = digest,
                _ => out.push((path, digest)),
            }
        }
        out
    }
}

/// The digest of `path` in one layer's facts.
pub(crate) fn lookup(layer: &LayerDigests, path: &str) -> Option<[u8; 32]> {
    layer
        .binary_search_by(|(p, _)| p.as_str().cmp(path))
        .ok()
        .and_then(|i| layer.get(i))
        .map(|(_, d)| *d)
}
