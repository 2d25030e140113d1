//! Merging layers in order: whiteouts and overwrites applied to build the
//! final file tree, per-layer changes, and wasted bytes the way dive counts
//! them.

use std::collections::{BTreeMap, btree_map};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;

use crate::analyzer::EntryKind;
use crate::files::FileEntry;

/// A file of the final image and the layer it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub layer: usize,
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
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
    pub files: BTreeMap<String, Node>,
    pub layers: Vec<LayerChanges>,
    pub efficiency: Efficiency,
}

#[derive(Default)]
struct PathUse {
    count: usize,
    cumulative: u64,
    min: u64,
}

impl FileTree {
    /// Builds the tree from each layer's entries, bottom layer first.
    pub fn build(layers: &[Vec<FileEntry>]) -> FileTree {
        let mut files: BTreeMap<String, Node> = BTreeMap::new();
        let mut changes = vec![LayerChanges::default(); layers.len()];
        let total: usize = layers.iter().map(Vec::len).sum();
        let mut uses: HashMap<&str, PathUse> =
            HashMap::with_capacity_and_hasher(total, Default::default());

        let mut canonical = Canonical::default();
        for (li, entries) in layers.iter().enumerate() {
            canonical.invalidate();
            changes[li].size = entries.iter().map(|e| e.size).sum();
            let leaves = leaves(entries);

            // Whiteouts apply to lower layers only, so all of them go first.
            for (ei, e) in entries.iter().enumerate() {
                match e.kind {
                    EntryKind::Whiteout => {
                        let path = canonical.path(&files, &e.path);
                        canonical.invalidate();
                        let existing = files.get(&path).map(|n| n.kind);
                        let mut removed_size = 0;
                        // Also when only implied by its children: a
                        // directory need not have an entry of its own.
                        for (layer, size) in remove_subtree(&mut files, &path, true) {
                            changes[layer].hidden_bytes += size;
                            changes[li].removed += 1;
                            removed_size += size;
                        }
                        if leaves[ei] {
                            // dive sizes a whiteout by what it hides only when
                            // it hides a directory; a hidden file counts 0.
                            let size = if existing == Some(EntryKind::Dir) {
                                removed_size
                            } else {
                                0
                            };
                            record(&mut uses, &e.path, size);
                        }
                    }
                    EntryKind::OpaqueWhiteout => {
                        let path = canonical.path(&files, &e.path);
                        canonical.invalidate();
                        for (layer, size) in remove_subtree(&mut files, &path, false) {
                            changes[layer].hidden_bytes += size;
                            changes[li].removed += 1;
                        }
                    }
                    _ => {}
                }
            }
            for (ei, e) in entries.iter().enumerate() {
                if matches!(e.kind, EntryKind::Whiteout | EntryKind::OpaqueWhiteout) {
                    continue;
                }
                if leaves[ei] {
                    record(&mut uses, &e.path, e.size);
                }
                let mut node = Node {
                    layer: li,
                    kind: e.kind,
                    mode: e.mode,
                    uid: e.uid,
                    gid: e.gid,
                    size: e.size,
                    link: e.link.clone(),
                };
                // A hard link is another name for its target's inode: it
                // carries the target's type, mode and owner (a setuid file
                // stays setuid under its second name).
                if e.kind == EntryKind::Hardlink
                    && let Some(target) = e.link.as_deref().and_then(|t| files.get(t))
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
                let path = canonical.path(&files, &e.path);
                if node.kind == EntryKind::Symlink {
                    canonical.invalidate();
                }
                // One search per entry: this loop is the warm path's hot spot.
                let mut emptied_dir = None;
                match files.entry(path) {
                    btree_map::Entry::Occupied(mut slot) => {
                        let old = slot.get();
                        if old.layer != li {
                            changes[li].changed += 1;
                            changes[old.layer].hidden_bytes += old.size;
                        }
                        if old.kind == EntryKind::Symlink {
                            canonical.invalidate();
                        }
                        if old.kind == EntryKind::Dir && node.kind != EntryKind::Dir {
                            emptied_dir = Some(slot.key().clone());
                        }
                        slot.insert(node);
                    }
                    btree_map::Entry::Vacant(slot) => {
                        changes[li].added += 1;
                        slot.insert(node);
                    }
                }
                if let Some(dir) = emptied_dir {
                    for (layer, size) in remove_subtree(&mut files, &dir, false) {
                        changes[layer].hidden_bytes += size;
                    }
                }
            }
        }

        let user_size: u64 = changes.iter().skip(1).map(|c| c.size).sum();
        let (mut min_sum, mut all_sum) = (0u64, 0u64);
        let mut inefficiencies = Vec::new();
        for (path, u) in uses {
            min_sum += u.min;
            all_sum += u.cumulative;
            if u.count >= 2 {
                inefficiencies.push(Inefficiency {
                    path: path.to_string(),
                    count: u.count,
                    cumulative_size: u.cumulative,
                });
            }
        }
        inefficiencies.sort_by(|a, b| {
            b.cumulative_size
                .cmp(&a.cumulative_size)
                .then_with(|| a.path.cmp(&b.path))
        });
        let wasted_bytes = inefficiencies.iter().map(|i| i.cumulative_size).sum();
        let efficiency = Efficiency {
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
        };
        FileTree {
            files,
            layers: changes,
            efficiency,
        }
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

/// The path `path` leads to after following every symlink on the way
/// (whether or not the result exists).
fn resolve_in(files: &BTreeMap<String, Node>, path: &str) -> Result<String, SymlinkLoop> {
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
        let Some(node) = files.get(&joined) else {
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
    fn path(&mut self, files: &BTreeMap<String, Node>, path: &str) -> String {
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
    fn resolve_parent(files: &BTreeMap<String, Node>, parent: &str) -> Option<String> {
        let mut p = parent;
        loop {
            if files.get(p).is_some_and(|n| n.kind == EntryKind::Symlink) {
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

fn record<'a>(uses: &mut HashMap<&'a str, PathUse>, path: &'a str, size: u64) {
    let u = uses.entry(path).or_default();
    u.min = if u.count == 0 { size } else { u.min.min(size) };
    u.count += 1;
    u.cumulative += size;
}

/// Which entries are leaves of the layer's own tree (no entry of the same
/// layer below them): dive only counts leaves.
fn leaves(entries: &[FileEntry]) -> Vec<bool> {
    let mut parents: HashSet<&str> =
        HashSet::with_capacity_and_hasher(entries.len() / 4, Default::default());
    for e in entries {
        let mut p = e.path.as_str();
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
    entries
        .iter()
        .map(|e| e.kind != EntryKind::OpaqueWhiteout && !parents.contains(e.path.as_str()))
        .collect()
}

/// Removes `path` (when `include_self`) and everything below it; returns
/// the (layer, size) of each removed node.
fn remove_subtree(
    files: &mut BTreeMap<String, Node>,
    path: &str,
    include_self: bool,
) -> Vec<(usize, u64)> {
    let mut removed = Vec::new();
    if include_self && let Some(n) = files.remove(path) {
        removed.push((n.layer, n.size));
    }
    if path.is_empty() {
        return std::mem::take(files)
            .into_values()
            .map(|n| (n.layer, n.size))
            .collect();
    }
    let prefix = format!("{path}/");
    let keys: Vec<String> = files
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        if let Some(n) = files.remove(&k) {
            removed.push((n.layer, n.size));
        }
    }
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
        let t = FileTree::build(&[l0, l1]);
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
        let t = FileTree::build(&[l0, l1]);
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
        let t = FileTree::build(&[l0, l1]);
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
        let t = FileTree::build(&[l0]);
        let (p, _) = t.resolve("/bin/env").unwrap().unwrap();
        assert_eq!(p, "usr/bin/env");
        assert!(t.resolve("/bin/nope").unwrap().is_none());
        assert!(t.resolve("/a/x").is_err());
    }
}
