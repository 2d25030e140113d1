//! The content of the few files the tests name, read from the one layer
//! that holds each (the merged tree says which), never cached: which files
//! are wanted depends on the configuration, not on the layer.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

/// The most bytes of one file a content test reads (container-structure-test
/// reads whole files; a larger one is reported as not read).
pub const MAX_CONTENT: u64 = 64 * 1024 * 1024;

/// What was read of a file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Larger than [`MAX_CONTENT`]: the size.
    TooLarge(u64),
}

/// Collects the content of `wanted` paths of one layer.
pub(crate) struct Wanted(pub Arc<BTreeSet<String>>);

pub(crate) struct WantedVisitor {
    wanted: Arc<BTreeSet<String>>,
    found: BTreeMap<String, Content>,
}

impl Analyzer for Wanted {
    type Facts = BTreeMap<String, Content>;
    type Visitor = WantedVisitor;
    const NAME: &'static str = "structure-contents";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        (entry.size <= MAX_CONTENT && self.0.contains(entry.path)).then_some(MAX_CONTENT)
    }

    fn visitor(&self) -> WantedVisitor {
        WantedVisitor {
            wanted: self.0.clone(),
            found: BTreeMap::new(),
        }
    }
}

impl LayerVisitor for WantedVisitor {
    type Facts = BTreeMap<String, Content>;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File || !self.wanted.contains(entry.path) {
            return;
        }
        let c = if entry.size > MAX_CONTENT {
            Content::TooLarge(entry.size)
        } else {
            // An empty file is handed no content.
            Content::Bytes(content.map(<[u8]>::to_vec).unwrap_or_default())
        };
        // A later entry of the same path in the layer wins, as in the tree.
        self.found.insert(entry.path.to_string(), c);
    }

    fn finish(self) -> Self::Facts {
        self.found
    }
}
