//! Merging layers in order: whiteouts and overwrites applied to build the
//! final file tree, per-layer changes, and wasted bytes the way dive counts
//! them.
//!
//! Memory: the tree is one sorted array of 48-byte slots whose paths live
//! in one string arena, about 48 bytes plus the path per file; while it is
//! built, new paths wait in a small ordered buffer (at most a sixteenth of
//! the array) that is merged in place. The layers' lists are read in place
//! ([`FileLists`]), and the per-path use counts behind dive's figures are 24
//! bytes per entry, sorted by path hash rather than kept in a hash map.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashSet as HashSet, FxHasher};

use serde::Serialize;

use crate::analyzer::EntryKind;
use crate::files::{FileEntry, FileEntryRef, FileLists};

/// A file of the final image and the layer it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub size: u64,
    pub link: Option<Box<str>>,
    pub layer: u32,
    /// Linux ids are 32 bits; a larger id in a tar header is kept as
    /// `u32::MAX` (no such user can exist).
    pub uid: u32,
    pub gid: u32,
    /// Permission and setuid/setgid/sticky bits (`0o7777`).
    pub mode: u16,
    pub kind: EntryKind,
}

impl Node {
    /// The layer as an index.
    pub fn layer(&self) -> usize {
        self.layer as usize
    }

    fn of(e: &FileEntryRef<'_>, layer: usize) -> Node {
        Node {
            size: e.size,
            link: e.link.map(Box::from),
            layer: u32::try_from(layer).unwrap_or(u32::MAX),
            uid: u32::try_from(e.uid).unwrap_or(u32::MAX),
            gid: u32::try_from(e.gid).unwrap_or(u32::MAX),
            mode: (e.mode & 0o7777) as u16,
            kind: e.kind,
        }
    }
}

/// What one layer did to the tree below it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LayerChanges {
    /// Paths new in this layer.
    pub added: u64,
    /// Paths that existed below and are replaced (contents or metadata).
    pub changed: u64,
    /// Paths deleted by whiteouts (each deleted path counts, directories'
    /// contents included).
    pub removed: u64,
    /// Sum of the entries' sizes (dive's layer size).
    pub size: u64,
    /// Bytes of this layer's files that later layers delete or overwrite:
    /// shipped, never visible.
    pub hidden_bytes: u64,
}

/// A path stored more than once across layers (dive's "inefficiency").
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Inefficiency {
    pub path: String,
    pub count: usize,
    pub cumulative_size: u64,
}

/// dive's efficiency figures, computed the way dive computes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Efficiency {
    /// Sum of the smallest size seen per path over the sum of all sizes
    /// seen per path (1.0 = nothing stored twice).
    pub score: f64,
    /// Sum of the cumulative sizes of paths stored in more than one layer.
    pub wasted_bytes: u64,
    /// Size of all layers but the first.
    pub user_size: u64,
    /// wasted_bytes / user_size (0 when there is no user layer).
    pub wasted_user_ratio: f64,
    /// Largest first.
    pub inefficiencies: Vec<Inefficiency>,
}

/// The merged image filesystem.
#[derive(Debug, Clone)]
pub struct FileTree {
    pub files: Files,
    pub layers: Vec<LayerChanges>,
    pub efficiency: Efficiency,
}

/// Bits of a slot's `at` holding the path's length; the offset in the arena
/// is above them, and the top bit marks a removed slot (while building).
const LEN_BITS: u32 = 24;
/// Longest path the tree keeps (the walk caps tar metadata at 1 MiB).
const MAX_PATH: usize = (1 << LEN_BITS) - 1;
const DEAD: u64 = 1 << 63;
/// Largest arena offset a slot can hold (512 GiB).
const MAX_ARENA: usize = 1 << (63 - LEN_BITS);

#[derive(Debug, Clone)]
struct Slot {
    at: u64,
    node: Node,
}

impl Slot {
    fn empty() -> Slot {
        Slot {
            at: 0,
            node: Node {
                size: 0,
                link: None,
                layer: 0,
                uid: 0,
                gid: 0,
                mode: 0,
                kind: EntryKind::Other,
            },
        }
    }

    fn dead(&self) -> bool {
        self.at & DEAD != 0
    }

    fn path<'a>(&self, arena: &'a str) -> &'a str {
        let at = self.at & !DEAD;
        let off = (at >> LEN_BITS) as usize;
        let len = (at & MAX_PATH as u64) as usize;
        arena.get(off..off + len).unwrap_or_default()
    }
}

/// The final image's files by path, in path order (byte order, as a
/// `BTreeMap<String, Node>` would keep them): one sorted array searched by
/// bisection, the paths in one string.
#[derive(Clone, Default)]
pub struct Files {
    arena: String,
    slots: Vec<Slot>,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Files {
    fn find(&self, path: &str) -> Result<usize, usize> {
        self.slots
            .binary_search_by(|s| s.path(&self.arena).cmp(path))
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.find(path).ok().map(|i| &self.slots[i].node)
    }

    pub fn get_key_value(&self, path: &str) -> Option<(&str, &Node)> {
        self.find(path)
            .ok()
            .map(|i| (self.slots[i].path(&self.arena), &self.slots[i].node))
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.find(path).is_ok()
    }

    /// Every file in path order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            arena: &self.arena,
            slots: self.slots.iter(),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Node> + ExactSizeIterator {
        self.slots.iter().map(|s| &s.node)
    }

    /// The files whose path is `start` or after it, in path order.
    pub fn range_from(&self, start: &str) -> Iter<'_> {
        let i = self.find(start).unwrap_or_else(|i| i);
        Iter {
            arena: &self.arena,
            slots: self.slots[i..].iter(),
        }
    }

    /// The files below the directory `dir` (at any depth; `""` is the
    /// root, so every file), in path order.
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.range_from(&prefix)
            .take_while(move |(k, _)| k.starts_with(&prefix))
    }
}

impl std::ops::Index<&str> for Files {
    type Output = Node;

    /// Panics when `path` is not a file of the tree, as a map's index does.
    fn index(&self, path: &str) -> &Node {
        match self.get(path) {
            Some(n) => n,
            None => panic!("no file {path:?} in the tree"),
        }
    }
}

impl<'a> IntoIterator for &'a Files {
    type Item = (&'a str, &'a Node);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The files of a [`Files`] in path order, with their paths.
#[derive(Clone)]
pub struct Iter<'a> {
    arena: &'a str,
    slots: std::slice::Iter<'a, Slot>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Node);

    fn next(&mut self) -> Option<(&'a str, &'a Node)> {
        self.slots.next().map(|s| (s.path(self.arena), &s.node))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.slots.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.slots
            .next_back()
            .map(|s| (s.path(self.arena), &s.node))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Where files are looked up while paths are resolved.
trait Lookup {
    fn node(&self, path: &str) -> Option<&Node>;
}

impl Lookup for Files {
    fn node(&self, path: &str) -> Option<&Node> {
        self.get(path)
    }
}

/// Pending paths are merged into the sorted array once they are this many
/// or a sixteenth of the array, whichever is more.
const MIN_PENDING: usize = 4096;

/// The tree while layers are applied: the sorted array (with removed slots
/// marked, not moved) and the new paths not merged into it yet.
#[derive(Default)]
struct Builder {
    arena: String,
    main: Vec<Slot>,
    dead: usize,
    pending: BTreeMap<Box<str>, Node>,
}

impl Lookup for Builder {
    fn node(&self, path: &str) -> Option<&Node> {
        match self.find(path) {
            Ok(i) if !self.main[i].dead() => Some(&self.main[i].node),
            // A removed path comes back in its slot, never in `pending`.
            Ok(_) => None,
            Err(_) => self.pending.get(path),
        }
    }
}

impl Builder {
    fn find(&self, path: &str) -> Result<usize, usize> {
        self.main
            .binary_search_by(|s| s.path(&self.arena).cmp(path))
    }

    /// Sets `path` to `node`; returns the node it replaces.
    fn insert(&mut self, path: &str, node: Node) -> Option<Node> {
        match self.find(path) {
            Ok(i) => {
                let slot = &mut self.main[i];
                if slot.dead() {
                    slot.at &= !DEAD;
                    slot.node = node;
                    self.dead -= 1;
                    None
                } else {
                    Some(std::mem::replace(&mut slot.node, node))
                }
            }
            Err(_) => {
                if let Some(old) = self.pending.get_mut(path) {
                    return Some(std::mem::replace(old, node));
                }
                self.pending.insert(path.into(), node);
                if self.pending.len() >= MIN_PENDING.max(self.main.len() / 16) {
                    self.merge();
                }
                None
            }
        }
    }

    /// Removes `path`; returns the (layer, size) of what was there.
    fn remove(&mut self, path: &str) -> Option<(usize, u64)> {
        match self.find(path) {
            Ok(i) => {
                let slot = &mut self.main[i];
                if slot.dead() {
                    return None;
                }
                slot.at |= DEAD;
                slot.node.link = None;
                self.dead += 1;
                Some((slot.node.layer(), slot.node.size))
            }
            Err(_) => self.pending.remove(path).map(|n| (n.layer(), n.size)),
        }
    }

    /// Removes everything below the directory `dir` (`""`: everything),
    /// adding the (layer, size) of each removed node to `removed`.
    fn remove_under(&mut self, dir: &str, removed: &mut Vec<(usize, u64)>) {
        if dir.is_empty() {
            for s in self.main.drain(..).filter(|s| !s.dead()) {
                removed.push((s.node.layer(), s.node.size));
            }
            for n in std::mem::take(&mut self.pending).into_values() {
                removed.push((n.layer(), n.size));
            }
            self.arena = String::new();
            self.dead = 0;
            return;
        }
        let prefix = format!("{dir}/");
        let start = self.find(&prefix).unwrap_or_else(|i| i);
        for slot in &mut self.main[start..] {
            if !slot.path(&self.arena).starts_with(&prefix) {
                break;
            }
            if !slot.dead() {
                slot.at |= DEAD;
                slot.node.link = None;
                self.dead += 1;
                removed.push((slot.node.layer(), slot.node.size));
            }
        }
        let keys: Vec<Box<str>> = self
            .pending
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        for k in keys {
            if let Some(n) = self.pending.remove(&k) {
                removed.push((n.layer(), n.size));
            }
        }
    }

    /// Drops the removed slots and merges the pending paths into the
    /// array, in place (the array grows by the pending count only).
    fn merge(&mut self) {
        if self.dead > 0 {
            self.main.retain(|s| !s.dead());
            self.dead = 0;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut new: Vec<Slot> = Vec::with_capacity(pending.len());
        for (path, node) in pending {
            let (off, len) = (self.arena.len(), path.len());
            // Longer paths or a larger arena cannot be addressed: such a
            // file is left out (tar metadata is capped far below).
            if len > MAX_PATH || off + len >= MAX_ARENA {
                continue;
            }
            self.arena.push_str(&path);
            new.push(Slot {
                at: ((off as u64) << LEN_BITS) | len as u64,
                node,
            });
        }
        let n = self.main.len();
        self.main.resize_with(n + new.len(), Slot::empty);
        let (arena, main) = (&self.arena, &mut self.main);
        let (mut i, mut w) = (n, main.len());
        while let Some(last) = new.last() {
            w -= 1;
            if i > 0 && main[i - 1].path(arena) > last.path(arena) {
                main.swap(i - 1, w);
                i -= 1;
            } else if let Some(s) = new.pop() {
                main[w] = s;
            }
        }
    }

    fn finish(mut self) -> Files {
        self.merge();
        self.main.shrink_to_fit();
        self.arena.shrink_to_fit();
        Files {
            arena: self.arena,
            slots: self.main,
        }
    }
}

/// One leaf entry of a layer, for dive's per-path figures: the hash of its
/// path and where to read the path again (rarely needed).
struct Use {
    hash: u64,
    size: u64,
    layer: u32,
    index: u32,
}

fn record(uses: &mut Vec<Use>, layer: usize, index: usize, path: &str, size: u64) {
    let mut h = FxHasher::default();
    path.hash(&mut h);
    uses.push(Use {
        hash: h.finish(),
        size,
        layer: u32::try_from(layer).unwrap_or(u32::MAX),
        index: u32::try_from(index).unwrap_or(u32::MAX),
    });
}

impl FileTree {
    /// Builds the tree from each layer's entries, bottom layer first.
    pub fn build(lists: &FileLists<'_>) -> FileTree {
        let mut files = Builder::default();
        let mut changes = vec![LayerChanges::default(); lists.len()];
        let mut uses: Vec<Use> = Vec::new();

        let mut canonical = Canonical::default();
        for li in 0..lists.len() {
            canonical.invalidate();
            changes[li].size = lists.layer(li).fold(0u64, |s, e| s.saturating_add(e.size));
            let leaves = leaves(lists, li);

            // Whiteouts apply to lower layers only, so all of them go first.
            for (ei, e) in lists.layer(li).enumerate() {
                match e.kind {
                    EntryKind::Whiteout => {
                        let path = canonical.path(&files, e.path);
                        canonical.invalidate();
                        let existing = files.node(&path).map(|n| n.kind);
                        let mut removed_size = 0u64;
                        // Also when only implied by its children: a
                        // directory need not have an entry of its own.
                        for (layer, size) in remove_subtree(&mut files, &path, true) {
                            changes[layer].hidden_bytes =
                                changes[layer].hidden_bytes.saturating_add(size);
                            changes[li].removed += 1;
                            removed_size = removed_size.saturating_add(size);
                        }
                        if leaves[ei] {
                            // dive sizes a whiteout by what it hides only when
                            // it hides a directory; a hidden file counts 0.
                            let size = if existing == Some(EntryKind::Dir) {
                                removed_size
                            } else {
                                0
                            };
                            record(&mut uses, li, ei, e.path, size);
                        }
                    }
                    EntryKind::OpaqueWhiteout => {
                        let path = canonical.path(&files, e.path);
                        canonical.invalidate();
                        for (layer, size) in remove_subtree(&mut files, &path, false) {
                            changes[layer].hidden_bytes =
                                changes[layer].hidden_bytes.saturating_add(size);
                            changes[li].removed += 1;
                        }
                    }
                    _ => {}
                }
            }
            for (ei, e) in lists.layer(li).enumerate() {
                if matches!(e.kind, EntryKind::Whiteout | EntryKind::OpaqueWhiteout) {
                    continue;
                }
                if leaves[ei] {
                    record(&mut uses, li, ei, e.path, e.size);
                }
                let mut node = Node::of(&e, li);
                // A hard link is another name for its target's inode: it
                // carries the target's type, mode and owner (a setuid file
                // stays setuid under its second name).
                if e.kind == EntryKind::Hardlink
                    && let Some(target) = e.link.and_then(|t| files.node(t))
                {
                    node.kind = target.kind;
                    node.mode = target.mode;
                    node.uid = target.uid;
                    node.gid = target.gid;
                    node.size = target.size;
                }
                // Written through a symlinked parent (`bin/x` over a base
                // whose /bin links to /usr/bin), the file lands at the
                // link's target, as the runtime's unpacker puts it.
                let path = canonical.path(&files, e.path);
                if node.kind == EntryKind::Symlink {
                    canonical.invalidate();
                }
                let kind = node.kind;
                match files.insert(&path, node) {
                    Some(old) => {
                        if old.layer() != li {
                            changes[li].changed += 1;
                            let hidden = &mut changes[old.layer()].hidden_bytes;
                            *hidden = hidden.saturating_add(old.size);
                        }
                        if old.kind == EntryKind::Symlink {
                            canonical.invalidate();
                        }
                        if old.kind == EntryKind::Dir && kind != EntryKind::Dir {
                            for (layer, size) in remove_subtree(&mut files, &path, false) {
                                changes[layer].hidden_bytes =
                                    changes[layer].hidden_bytes.saturating_add(size);
                            }
                        }
                    }
                    None => changes[li].added += 1,
                }
            }
        }

        let user_size = changes
            .iter()
            .skip(1)
            .fold(0u64, |s, c| s.saturating_add(c.size));
        let efficiency = efficiency(lists, uses, user_size);
        FileTree {
            files: files.finish(),
            layers: changes,
            efficiency,
        }
    }

    /// [`FileTree::build`] from entries given as values.
    pub fn from_entries(layers: &[Vec<FileEntry>]) -> FileTree {
        Self::build(&FileLists::from_entries(layers))
    }

    /// Follows symlinks in every component of `path` (absolute or relative
    /// to the root), as the kernel would inside the container. Returns the
    /// final path and its node, None if it does not exist, or an error for a
    /// symlink loop.
    pub fn resolve(&self, path: &str) -> Result<Option<(String, &Node)>, SymlinkLoop> {
        let joined = resolve_in(&self.files, path)?;
        Ok(self.files.get(&joined).map(|n| (joined, n)))
    }
}

/// dive's figures from every leaf entry's path and size: per path, the
/// smallest and the summed size, and the paths stored more than once.
/// Entries are grouped by path hash; only hashes shared by several entries
/// (the same path in several layers, or a collision) have their paths read
/// again to tell them apart.
fn efficiency(lists: &FileLists<'_>, mut uses: Vec<Use>, user_size: u64) -> Efficiency {
    uses.sort_unstable_by_key(|u| (u.hash, u.layer, u.index));
    let (mut min_sum, mut all_sum) = (0u64, 0u64);
    // (layer, index, position in `uses`) of entries whose hash is shared.
    let mut shared: Vec<(u32, u32, usize)> = Vec::new();
    let mut i = 0;
    while i < uses.len() {
        let mut j = i + 1;
        while j < uses.len() && uses[j].hash == uses[i].hash {
            j += 1;
        }
        if j - i == 1 {
            min_sum = min_sum.saturating_add(uses[i].size);
            all_sum = all_sum.saturating_add(uses[i].size);
        } else {
            shared.extend((i..j).map(|k| (uses[k].layer, uses[k].index, k)));
        }
        i = j;
    }
    shared.sort_unstable();
    let mut named: Vec<(u64, &str, u64)> = Vec::with_capacity(shared.len());
    let mut s = 0;
    while s < shared.len() {
        let layer = shared[s].0;
        let mut entries = lists.layer(layer as usize).enumerate();
        while s < shared.len() && shared[s].0 == layer {
            let (_, index, k) = shared[s];
            if let Some((_, e)) = entries.find(|(ei, _)| *ei == index as usize) {
                named.push((uses[k].hash, e.path, uses[k].size));
            }
            s += 1;
        }
    }
    drop(uses);
    named.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut inefficiencies = Vec::new();
    let mut i = 0;
    while i < named.len() {
        let mut j = i + 1;
        while j < named.len() && named[j].1 == named[i].1 {
            j += 1;
        }
        let group = &named[i..j];
        let min = group.iter().map(|g| g.2).min().unwrap_or(0);
        let cumulative = group.iter().fold(0u64, |s, g| s.saturating_add(g.2));
        min_sum = min_sum.saturating_add(min);
        all_sum = all_sum.saturating_add(cumulative);
        if group.len() >= 2 {
            inefficiencies.push(Inefficiency {
                path: group[0].1.to_string(),
                count: group.len(),
                cumulative_size: cumulative,
            });
        }
        i = j;
    }
    inefficiencies.sort_by(|a, b| {
        b.cumulative_size
            .cmp(&a.cumulative_size)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted_bytes = inefficiencies
        .iter()
        .fold(0u64, |s, i| s.saturating_add(i.cumulative_size));
    Efficiency {
        score: if all_sum == 0 {
            1.0
        } else {
            min_sum as f64 / all_sum as f64
        },
        wasted_bytes,
        user_size,
        wasted_user_ratio: if user_size == 0 {
            0.0
        } else {
            wasted_bytes as f64 / user_size as f64
        },
        inefficiencies,
    }
}

/// The path `path` leads to after following every symlink on the way
/// (whether or not the result exists).
fn resolve_in(files: &impl Lookup, path: &str) -> Result<String, SymlinkLoop> {
    let mut hops = 0;
    let mut pending: Vec<String> = split(path).into_iter().rev().collect();
    let mut current: Vec<String> = Vec::new();
    while let Some(comp) = pending.pop() {
        if comp == ".." {
            current.pop();
            continue;
        }
        current.push(comp);
        let joined = current.join("/");
        // A missing component may be a directory implied by its children:
        // keep going, existence is decided by the caller.
        let Some(node) = files.node(&joined) else {
            continue;
        };
        if node.kind == EntryKind::Symlink {
            hops += 1;
            if hops > 40 {
                return Err(SymlinkLoop {
                    path: path.to_string(),
                });
            }
            let target = node.link.clone().unwrap_or_default();
            current.pop();
            if target.starts_with('/') {
                current.clear();
            }
            for c in split(&target).into_iter().rev() {
                pending.push(c);
            }
        }
    }
    Ok(current.join("/"))
}

/// A path whose symlinks never end.
#[derive(Debug, Clone, thiserror::Error)]
#[error("symlink loop while resolving /{path}")]
pub struct SymlinkLoop {
    pub path: String,
}

/// Resolves entries' parent directories through symlinks, remembering the
/// last parent: tar entries come grouped by directory, so almost every
/// lookup is the previous one. Cleared whenever a symlink may have changed.
#[derive(Default)]
struct Canonical {
    parent: String,
    resolved: Option<String>,
}

impl Canonical {
    fn invalidate(&mut self) {
        self.parent.clear();
        self.resolved = None;
    }

    /// `path` with its parent directories' symlinks resolved within the tree
    /// (the entry itself is not followed). Loops leave the path as it is.
    fn path(&mut self, files: &impl Lookup, path: &str) -> String {
        let Some((parent, name)) = path.rsplit_once('/') else {
            return path.to_string();
        };
        if self.parent != parent || self.parent.is_empty() {
            self.parent = parent.to_string();
            self.resolved = Self::resolve_parent(files, parent);
        }
        match &self.resolved {
            None => path.to_string(),
            Some(dir) if dir.is_empty() => name.to_string(),
            Some(dir) => format!("{dir}/{name}"),
        }
    }

    /// None when no ancestor is a symlink (almost always).
    fn resolve_parent(files: &impl Lookup, parent: &str) -> Option<String> {
        let mut p = parent;
        loop {
            if files.node(p).is_some_and(|n| n.kind == EntryKind::Symlink) {
                return resolve_in(files, parent).ok();
            }
            p = p.rsplit_once('/')?.0;
        }
    }
}

fn split(p: &str) -> Vec<String> {
    p.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

/// Which entries of layer `li` are leaves of the layer's own tree (no entry
/// of the same layer below them): dive only counts leaves.
fn leaves(lists: &FileLists<'_>, li: usize) -> Vec<bool> {
    let n = usize::try_from(lists.entries(li)).unwrap_or(0);
    let mut parents: HashSet<&str> = HashSet::with_capacity_and_hasher(n / 64, Default::default());
    for e in lists.layer(li) {
        let mut p = e.path;
        if e.kind == EntryKind::OpaqueWhiteout {
            parents.insert(p);
        }
        while let Some((dir, _)) = p.rsplit_once('/') {
            if !parents.insert(dir) {
                break;
            }
            p = dir;
        }
    }
    lists
        .layer(li)
        .map(|e| e.kind != EntryKind::OpaqueWhiteout && !parents.contains(e.path))
        .collect()
}

/// Removes `path` (when `include_self`) and everything below it; returns
/// the (layer, size) of each removed node.
fn remove_subtree(files: &mut Builder, path: &str, include_self: bool) -> Vec<(usize, u64)> {
    let mut removed = Vec::new();
    if include_self && let Some(r) = files.remove(path) {
        removed.push(r);
    }
    files.remove_under(path, &mut removed);
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, size: u64) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind: EntryKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size,
            link: None,
        }
    }
    fn d(path: &str) -> FileEntry {
        FileEntry {
            kind: EntryKind::Dir,
            mode: 0o755,
            ..f(path, 0)
        }
    }
    fn wh(path: &str) -> FileEntry {
        FileEntry {
            kind: EntryKind::Whiteout,
            ..f(path, 0)
        }
    }
    fn link(path: &str, target: &str) -> FileEntry {
        FileEntry {
            kind: EntryKind::Symlink,
            link: Some(target.into()),
            ..f(path, 0)
        }
    }

    #[test]
    fn whiteouts_and_overwrites_build_the_final_tree() {
        let l0 = vec![
            d("etc"),
            f("etc/a", 10),
            d("opt"),
            f("opt/big", 1000),
            f("opt/keep", 5),
        ];
        let l1 = vec![wh("opt/big"), f("etc/a", 20), f("etc/b", 1)];
        let t = FileTree::from_entries(&[l0, l1]);
        assert!(!t.files.contains_key("opt/big"));
        assert_eq!(t.files["etc/a"].layer, 1);
        assert_eq!(t.files["etc/a"].size, 20);
        assert_eq!(t.layers[1].added, 1);
        assert_eq!(t.layers[1].changed, 1);
        assert_eq!(t.layers[1].removed, 1);
        assert_eq!(t.layers[0].hidden_bytes, 1010);
        // dive: opt/big counted 1000 + 0 (whiteout of a file), etc/a 10 + 20.
        assert_eq!(t.efficiency.wasted_bytes, 1030);
        // min per path: etc/a 10, opt/big 0, opt/keep 5, etc/b 1; all: 30 + 1000 + 5 + 1.
        let score = 16.0 / 1036.0;
        assert!(
            (t.efficiency.score - score).abs() < 1e-12,
            "{}",
            t.efficiency.score
        );
        assert_eq!(t.efficiency.user_size, 21);
    }

    #[test]
    fn directory_whiteout_removes_the_subtree() {
        let l0 = vec![
            d("var"),
            d("var/cache"),
            f("var/cache/x", 7),
            f("var/cache/y", 3),
        ];
        let l1 = vec![wh("var/cache")];
        let t = FileTree::from_entries(&[l0, l1]);
        assert!(t.files.keys().all(|k| !k.starts_with("var/cache")));
        assert_eq!(t.layers[1].removed, 3);
        // dive sizes a directory whiteout by the subtree it hides, but the
        // directory itself was no leaf below, so dive sees no duplicate path:
        // its score stays 1.0. hidden_bytes keeps the real count.
        assert!(t.efficiency.inefficiencies.is_empty());
        assert_eq!(t.efficiency.score, 1.0);
        assert_eq!(t.layers[0].hidden_bytes, 10);
    }

    #[test]
    fn opaque_whiteout_keeps_the_directory_hides_its_contents() {
        let l0 = vec![d("srv"), f("srv/old", 4)];
        let l1 = vec![
            FileEntry {
                kind: EntryKind::OpaqueWhiteout,
                ..d("srv")
            },
            f("srv/new", 2),
        ];
        let t = FileTree::from_entries(&[l0, l1]);
        assert!(t.files.contains_key("srv"));
        assert!(!t.files.contains_key("srv/old"));
        assert!(t.files.contains_key("srv/new"));
    }

    #[test]
    fn resolves_symlinks_and_detects_loops() {
        let l0 = vec![
            d("usr"),
            d("usr/bin"),
            f("usr/bin/env", 1),
            link("bin", "usr/bin"),
            link("a", "/b"),
            link("b", "a"),
        ];
        let t = FileTree::from_entries(&[l0]);
        let (p, _) = t.resolve("/bin/env").unwrap().unwrap();
        assert_eq!(p, "usr/bin/env");
        assert!(t.resolve("/bin/nope").unwrap().is_none());
        assert!(t.resolve("/a/x").is_err());
    }

    /// The merge as a plain map, for files and whiteouts without symlinks.
    fn reference(layers: &[Vec<FileEntry>]) -> BTreeMap<String, (usize, u64)> {
        let mut m: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        for (li, l) in layers.iter().enumerate() {
            for e in l.iter().filter(|e| e.kind == EntryKind::Whiteout) {
                let p = format!("{}/", e.path);
                m.retain(|k, _| *k != e.path && !k.starts_with(&p));
            }
            for e in l.iter().filter(|e| e.kind != EntryKind::Whiteout) {
                m.insert(e.path.clone(), (li, e.size));
            }
        }
        m
    }

    #[test]
    fn a_large_tree_matches_a_plain_map_across_merges_and_removals() {
        // Enough paths, in an order that is not sorted, for many merges of
        // the pending buffer into the array, with removals in between.
        let mut layers = Vec::new();
        for li in 0..4u64 {
            let mut l = Vec::new();
            if li > 0 {
                for d in (0..40).filter(|d| d % 7 == li as usize) {
                    l.push(wh(&format!("d{d}")));
                }
                l.push(wh(&format!("d{}/f{}", li + 10, li * 3)));
            }
            for i in 0..12_000u64 {
                let j = (i * 7919 + li * 104_729) % 24_000;
                l.push(f(&format!("d{}/f{}", j % 40, j / 40), j + li));
            }
            layers.push(l);
        }
        let t = FileTree::from_entries(&layers);
        let want = reference(&layers);
        let got: Vec<(String, (usize, u64))> = t
            .files
            .iter()
            .map(|(k, n)| (k.to_string(), (n.layer(), n.size)))
            .collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>());
        assert!(
            t.files
                .keys()
                .zip(t.files.keys().skip(1))
                .all(|(a, b)| a < b)
        );
        let under: Vec<&str> = t.files.under("d3").map(|(k, _)| k).collect();
        assert!(!under.is_empty() && under.iter().all(|k| k.starts_with("d3/")));
        assert_eq!(t.files.under("").count(), t.files.len());
    }

    #[test]
    fn large_ids_are_kept_as_the_largest_u32() {
        let mut e = f("x", 1);
        e.uid = 1 << 40;
        e.gid = 7;
        let t = FileTree::from_entries(&[vec![e]]);
        assert_eq!((t.files["x"].uid, t.files["x"].gid), (u32::MAX, 7));
    }

    #[test]
    fn the_same_path_in_several_layers_is_one_inefficiency() {
        let layers: Vec<Vec<FileEntry>> = (0..3).map(|i| vec![f("a/b", 10 + i)]).collect();
        let t = FileTree::from_entries(&layers);
        assert_eq!(
            t.efficiency.inefficiencies,
            vec![Inefficiency {
                path: "a/b".into(),
                count: 3,
                cumulative_size: 33
            }]
        );
        assert!((t.efficiency.score - 10.0 / 33.0).abs() < 1e-12);
    }
}
