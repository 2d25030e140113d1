//! The file comparison: the two merged trees walked side by side in path
//! order.

use std::cmp::Ordering;

use plimsoll_engine::{EntryKind, Node};
use serde::Serialize;

use crate::Side;
use crate::digests::lookup;

/// One file of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// Absolute path in the image.
    pub path: String,
    /// `file`, `dir`, `symlink`, `hardlink` or `other` (devices, fifos).
    pub kind: &'static str,
    pub size: u64,
    /// Permission bits in octal, e.g. `0755` (`4755` with setuid).
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    /// Symlink target, or the path a hard link points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// `sha256:…` of a regular file's content (absent above
    /// [`crate::MAX_HASHED`] bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The layer (bottom 0) the file comes from.
    pub layer: usize,
    /// The bytes the path stands for, as container-diff sizes entries: a
    /// directory's files at any depth, or the file's size.
    #[serde(skip)]
    pub entry_bytes: u64,
}

/// A path both images hold, differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    /// What differs, in this order: `kind`, `size`, `mode`, `owner`, `link`,
    /// `content`.
    pub changes: Vec<&'static str>,
    pub image1: FileInfo,
    pub image2: FileInfo,
}

impl FileChange {
    /// The content or the link differs (not only mode or owner): what
    /// container-diff counts as modified.
    pub fn content_changed(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(*c, "kind" | "size" | "link" | "content"))
    }
}

/// Paths only in the second image (`added`), only in the first
/// (`removed`), and in both but different (`changed`), each in path order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileDiff {
    pub added: Vec<FileInfo>,
    pub removed: Vec<FileInfo>,
    pub changed: Vec<FileChange>,
}

impl FileDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

pub(crate) fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Hardlink => "hardlink",
        _ => "other",
    }
}

fn digest_of(s: &Side, path: &str, n: &Node) -> Option<[u8; 32]> {
    if n.kind != EntryKind::File {
        return None;
    }
    s.digests.get(n.layer()).and_then(|l| lookup(l, path))
}

fn info(s: &Side, path: &str, n: &Node) -> FileInfo {
    FileInfo {
        path: format!("/{path}"),
        kind: kind_name(n.kind),
        size: n.size,
        mode: format!("{:04o}", n.mode),
        uid: n.uid,
        gid: n.gid,
        link: n.link.as_deref().map(str::to_string),
        digest: digest_of(s, path, n).map(|d| format!("sha256:{}", hex::encode(d))),
        layer: n.layer(),
        entry_bytes: if n.kind == EntryKind::Dir {
            s.tree.files.under(path).map(|(_, n)| n.size).sum()
        } else {
            n.size
        },
    }
}

/// The same blob digest: the entry is the same tar entry in both images.
fn same_layer(a: &Side, na: &Node, b: &Side, nb: &Node) -> bool {
    match (
        a.image.layers.get(na.layer()),
        b.image.layers.get(nb.layer()),
    ) {
        (Some(la), Some(lb)) => la.digest == lb.digest,
        _ => false,
    }
}

fn compare(a: &Side, path: &str, na: &Node, b: &Side, nb: &Node) -> Option<FileChange> {
    if same_layer(a, na, b, nb) {
        return None;
    }
    let mut changes = Vec::new();
    if na.kind != nb.kind {
        changes.push("kind");
    }
    if na.size != nb.size {
        changes.push("size");
    }
    if na.mode != nb.mode {
        changes.push("mode");
    }
    if (na.uid, na.gid) != (nb.uid, nb.gid) {
        changes.push("owner");
    }
    if na.link != nb.link {
        changes.push("link");
    }
    if let (Some(da), Some(db)) = (digest_of(a, path, na), digest_of(b, path, nb))
        && da != db
    {
        changes.push("content");
    }
    (!changes.is_empty()).then(|| FileChange {
        path: format!("/{path}"),
        changes,
        image1: info(a, path, na),
        image2: info(b, path, nb),
    })
}

pub(crate) fn diff(a: &Side, b: &Side) -> FileDiff {
    let mut out = FileDiff::default();
    let mut ia = a.tree.files.iter().peekable();
    let mut ib = b.tree.files.iter().peekable();
    loop {
        let order = match (ia.peek(), ib.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((pa, _)), Some((pb, _))) => pa.cmp(pb),
        };
        match order {
            Ordering::Less => {
                if let Some((p, n)) = ia.next() {
                    out.removed.push(info(a, p, n));
                }
            }
            Ordering::Greater => {
                if let Some((p, n)) = ib.next() {
                    out.added.push(info(b, p, n));
                }
            }
            Ordering::Equal => {
                if let (Some((p, na)), Some((_, nb))) = (ia.next(), ib.next())
                    && let Some(c) = compare(a, p, na, b, nb)
                {
                    out.changed.push(c);
                }
            }
        }
    }
    out
}
