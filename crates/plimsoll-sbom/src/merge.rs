//! What every cataloger's merge step shares: which per-layer records the
//! final image shows, and which layer introduced each package a package
//! database lists.

use std::collections::{BTreeMap, HashSet};

use plimsoll_engine::{EntryKind, FileLists, FileTree};

use crate::Inventory;

/// What every cataloger's merge step gets: the layers' file lists and the
/// merged tree of the final image.
pub struct MergeContext<'a> {
    pub lists: &'a FileLists<'a>,
    pub tree: &'a FileTree,
    /// A directory scan (`dir:`): declared dependencies (lock files, any
    /// `*.gemspec`) count too, as in syft's directory scans; image scans
    /// report installed packages only.
    pub directory: bool,
}

/// A package database file as one layer stores it (dpkg's `status`, apk's
/// `installed`, an rpmdb): its path and the packages it lists.
pub(crate) trait PackageDatabase {
    type Entry;
    fn path(&self) -> &str;
    fn entries(&self) -> &[Self::Entry];
}

/// Implements [`PackageDatabase`] for a struct with the fields
/// `path: String` and `packages: Vec<entry>`.
macro_rules! package_database {
    ($db:ty, $entry:ty) => {
        impl $crate::merge::PackageDatabase for $db {
            type Entry = $entry;
            fn path(&self) -> &str {
                &self.path
            }
            fn entries(&self) -> &[$entry] {
                &self.packages
            }
        }
    };
}
pub(crate) use package_database;

/// For every package the visible databases list at the top, the layer that
/// introduced it as it is now (see [`MergeContext::introductions`]).
pub(crate) struct Introductions<K>(BTreeMap<K, usize>);

impl<K: Ord> Introductions<K> {
    /// The layer that introduced `key`, listed in a database file the final
    /// image shows from layer `listed_in`. The replay agrees with the file
    /// tree unless paths go through symlinked directories; then the
    /// database file's own layer is the best we know.
    pub(crate) fn layer(&self, key: &K, listed_in: usize) -> usize {
        self.0
            .get(key)
            .copied()
            .filter(|&l| l <= listed_in)
            .unwrap_or(listed_in)
    }
}

impl MergeContext<'_> {
    /// The layer whose version of `path` the final image shows, if `path`
    /// is a regular file there.
    pub fn final_layer(&self, path: &str) -> Option<usize> {
        let node = self.tree.files.get(path)?;
        (node.kind == EntryKind::File).then_some(node.layer())
    }

    /// For records kept per file in a field of each layer's facts
    /// (`records(&facts[layer])` gives that layer's `(path, record)` pairs),
    /// the records the final image shows, with their layer, in path order.
    pub fn visible_in<'f, F, T>(
        &self,
        facts: &'f [F],
        records: impl Fn(&'f F) -> &'f [(String, T)],
    ) -> Vec<(usize, &'f str, &'f T)> {
        self.visible_by(facts.iter().enumerate().flat_map(|(layer, f)| {
            records(f)
                .iter()
                .map(move |(path, record)| (layer, path.as_str(), record))
        }))
    }

    /// The package databases (`databases(&facts[layer])`) the final image
    /// shows, with their layer, in path order.
    pub(crate) fn visible_databases<'f, F, D: PackageDatabase>(
        &self,
        facts: &'f [F],
        databases: impl Fn(&'f F) -> &'f [D],
    ) -> Vec<(usize, &'f str, &'f D)> {
        self.visible_by(
            facts
                .iter()
                .enumerate()
                .flat_map(|(layer, f)| databases(f).iter().map(move |d| (layer, d.path(), d))),
        )
    }

    fn visible_by<'f, T>(
        &self,
        records: impl Iterator<Item = (usize, &'f str, &'f T)>,
    ) -> Vec<(usize, &'f str, &'f T)> {
        let mut out: Vec<_> = records
            .filter(|&(layer, path, _)| self.final_layer(path) == Some(layer))
            .collect();
        out.sort_by(|a, b| a.1.cmp(b.1));
        out.dedup_by(|a, b| a.1 == b.1); // a path stored twice in one layer
        out
    }

    /// For every package the visible databases list at the top, the lowest
    /// layer from which a visible database lists it (same `key`) in every
    /// layer up to the top: the layer that introduced it as it is now.
    /// `databases(&facts[layer])` are the database files that layer stores;
    /// the databases as each layer sees them are replayed bottom-up, with
    /// whiteouts and replacements by anything that is no database (a
    /// symlink, a file the cataloger did not keep).
    pub(crate) fn introductions<'f, F, D, K>(
        &self,
        facts: &'f [F],
        databases: impl Fn(&'f F) -> &'f [D],
        key: impl Fn(&'f D::Entry) -> K,
    ) -> Introductions<K>
    where
        D: PackageDatabase + 'f,
        K: Ord + Clone,
    {
        // Each layer's database files with their packages' keys.
        let dbs: Vec<Vec<(&str, Vec<K>)>> = facts
            .iter()
            .map(|f| {
                databases(f)
                    .iter()
                    .map(|d| (d.path(), d.entries().iter().map(&key).collect()))
                    .collect()
            })
            .collect();
        // Visible database files: path -> layer whose version is visible.
        let mut visible: BTreeMap<&str, usize> = BTreeMap::new();
        let mut since: BTreeMap<K, usize> = BTreeMap::new();
        for li in 0..self.lists.len().max(dbs.len()) {
            let entries = self.lists.layer(li);
            let layer_dbs = dbs.get(li).map(Vec::as_slice).unwrap_or_default();
            let before = visible.clone();
            for e in entries {
                match e.kind {
                    EntryKind::Whiteout => visible.retain(|p, _| !is_at_or_under(p, e.path)),
                    EntryKind::OpaqueWhiteout => visible.retain(|p, _| !is_under(p, e.path)),
                    _ if !layer_dbs.iter().any(|(p, _)| *p == e.path) => {
                        visible.remove(e.path);
                    }
                    _ => {}
                }
            }
            for (path, _) in layer_dbs {
                visible.insert(path, li);
            }
            if layer_dbs.is_empty() && visible == before {
                continue;
            }
            let mut now = BTreeMap::new();
            for (path, &layer) in &visible {
                let listed = dbs
                    .get(layer)
                    .and_then(|l| l.iter().find(|(p, _)| p == path));
                for k in listed.into_iter().flat_map(|(_, keys)| keys) {
                    let first = since.get(k).copied().unwrap_or(li);
                    let slot = now.entry(k.clone()).or_insert(first);
                    *slot = (*slot).min(first);
                }
            }
            since = now;
        }
        Introductions(since)
    }
}

/// Whether `path` is below the directory `dir` (`""` is the root).
/// The files the OS packages (and Nix store paths: see
/// [`PackageType::owns_its_files`](crate::PackageType::owns_its_files)) of an
/// inventory hold, for the catalogers that leave a file such a package lists
/// to that package (syft's rule for binaries, used by the binary classifiers
/// and the ELF-note cataloger): each as its database lists it and as the image resolves it
/// (`bin/bash` listed, stored as `usr/bin/bash` under a `bin` symlink), with
/// `usr/` aside (`usr/bin/x` and `bin/x` are one file on a merged-/usr
/// system, symlinks or not). Built once per scan, on first use, by
/// [`OsOwnedFiles::get`]; call after every OS package database's merge.
pub(crate) struct OsOwnedFiles(HashSet<String>);

/// The [`OsOwnedFiles`] of one scan, computed by the first merge that needs
/// them (most images give the binary classifiers and the ELF-note cataloger
/// nothing to look at, and then the set is never built).
pub(crate) type LazyOsOwnedFiles = std::cell::OnceCell<OsOwnedFiles>;

impl OsOwnedFiles {
    /// The set in `lazy`, built from `inventory` the first time.
    pub(crate) fn get<'a>(
        lazy: &'a LazyOsOwnedFiles,
        ctx: &MergeContext<'_>,
        inventory: &Inventory,
    ) -> &'a Self {
        lazy.get_or_init(|| OsOwnedFiles::new(ctx, inventory))
    }

    pub(crate) fn new(ctx: &MergeContext<'_>, inventory: &Inventory) -> Self {
        let mut owned = HashSet::new();
        for p in inventory
            .packages
            .iter()
            .filter(|p| p.package_type.owns_its_files())
        {
            for f in &p.files {
                let f = f.trim_start_matches('/');
                if let Ok(Some((real, _))) = ctx.tree.resolve(f) {
                    owned.insert(unaliased(real.trim_start_matches('/')).to_string());
                }
                owned.insert(unaliased(f).to_string());
            }
        }
        OsOwnedFiles(owned)
    }

    /// Whether an OS package holds the file at `path` (as the image shows it).
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.0.contains(unaliased(path.trim_start_matches('/')))
    }
}

/// `usr/bin/x` and `bin/x` are one file on a merged-/usr system.
fn unaliased(path: &str) -> &str {
    path.strip_prefix("usr/").unwrap_or(path)
}

fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fn is_at_or_under(path: &str, target: &str) -> bool {
    path == target || is_under(path, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_engine::FileEntry;

    /// A database of package names.
    struct Db {
        path: String,
        names: Vec<&'static str>,
    }

    impl PackageDatabase for Db {
        type Entry = &'static str;
        fn path(&self) -> &str {
            &self.path
        }
        fn entries(&self) -> &[&'static str] {
            &self.names
        }
    }

    const DB: &str = "var/lib/pkg/db";

    fn entry(path: &str, kind: EntryKind) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
            link: None,
        }
    }

    fn db(names: &[&'static str]) -> (FileEntry, Db) {
        let db = Db {
            path: DB.to_string(),
            names: names.to_vec(),
        };
        (entry(DB, EntryKind::File), db)
    }

    /// A layer of other entries and, where given, the database file.
    fn layer(
        others: &[(&str, EntryKind)],
        db: Option<(FileEntry, Db)>,
    ) -> (Vec<FileEntry>, Vec<Db>) {
        let mut list: Vec<FileEntry> = others.iter().map(|&(p, k)| entry(p, k)).collect();
        let mut dbs = Vec::new();
        if let Some((e, d)) = db {
            list.push(e);
            dbs.push(d);
        }
        (list, dbs)
    }

    /// Every (name, introducing layer) of the final image, from the visible
    /// databases, as the catalogers use them.
    fn replay(layers: Vec<(Vec<FileEntry>, Vec<Db>)>) -> Vec<(&'static str, usize)> {
        let (lists, facts): (Vec<_>, Vec<_>) = layers.into_iter().unzip();
        let lists = FileLists::from_entries(&lists);
        let tree = FileTree::build(&lists);
        let ctx = MergeContext {
            lists: &lists,
            tree: &tree,
            directory: false,
        };
        let since = ctx.introductions(&facts, Vec::as_slice, |name: &&str| *name);
        let mut out = Vec::new();
        for (layer, _, d) in ctx.visible_databases(&facts, Vec::as_slice) {
            for name in &d.names {
                out.push((*name, since.layer(name, layer)));
            }
        }
        out
    }

    #[test]
    fn a_package_keeps_the_layer_that_first_listed_it() {
        let got = replay(vec![
            layer(&[], Some(db(&["a", "b"]))),
            layer(&[("etc/x", EntryKind::File)], None),
            layer(&[], Some(db(&["a", "c"]))),
        ]);
        assert_eq!(got, [("a", 0), ("c", 2)]);
    }

    #[test]
    fn a_whiteout_of_the_database_file_forgets_its_packages() {
        let got = replay(vec![
            layer(&[], Some(db(&["a", "b"]))),
            layer(&[(DB, EntryKind::Whiteout)], None),
            layer(&[], Some(db(&["a"]))),
        ]);
        assert_eq!(got, [("a", 2)], "a was deleted in layer 1");
    }

    #[test]
    fn a_directory_whiteout_deletes_the_database_below_it() {
        for (dir, kind) in [
            ("var/lib/pkg", EntryKind::Whiteout),
            ("var/lib", EntryKind::OpaqueWhiteout),
            ("", EntryKind::OpaqueWhiteout),
        ] {
            let got = replay(vec![
                layer(&[], Some(db(&["a"]))),
                layer(&[(dir, kind)], None),
                layer(&[], Some(db(&["a"]))),
            ]);
            assert_eq!(got, [("a", 2)], "{dir:?} {kind:?}");
        }
        // A whiteout of a sibling whose name starts the same is no parent.
        let got = replay(vec![
            layer(&[], Some(db(&["a"]))),
            layer(&[("var/lib/pk", EntryKind::Whiteout)], None),
            layer(&[], Some(db(&["a"]))),
        ]);
        assert_eq!(got, [("a", 0)]);
    }

    #[test]
    fn a_database_replaced_by_something_else_forgets_its_packages() {
        let got = replay(vec![
            layer(&[], Some(db(&["a"]))),
            // A symlink (or a file the cataloger did not keep) in its place.
            layer(&[(DB, EntryKind::Symlink)], None),
            layer(&[("etc/y", EntryKind::File)], None),
            layer(&[], Some(db(&["a"]))),
        ]);
        assert_eq!(got, [("a", 3)]);
    }

    #[test]
    fn a_package_removed_and_installed_again_is_introduced_again() {
        let got = replay(vec![
            layer(&[], Some(db(&["a", "b"]))),
            layer(&[], Some(db(&["b"]))),
            layer(&[], Some(db(&["a", "b"]))),
        ]);
        assert_eq!(got, [("a", 2), ("b", 0)]);
    }

    #[test]
    fn records_shown_are_those_of_the_final_layer_of_their_path() {
        let (lists, facts): (Vec<_>, Vec<_>) =
            vec![layer(&[], Some(db(&["a"]))), layer(&[], Some(db(&["b"])))]
                .into_iter()
                .unzip();
        let lists = FileLists::from_entries(&lists);
        let tree = FileTree::build(&lists);
        let ctx = MergeContext {
            lists: &lists,
            tree: &tree,
            directory: false,
        };
        let shown = ctx.visible_databases(&facts, Vec::as_slice);
        assert_eq!(shown.len(), 1);
        assert_eq!((shown[0].0, shown[0].1), (1, DB));
        assert_eq!(shown[0].2.names, ["b"]);
        assert!(is_under("var/lib/dpkg/status", "var/lib"));
        assert!(!is_under("var/lib/dpkgx/status", "var/lib/dpkg"));
        assert!(is_at_or_under("var/lib/dpkg/status", "var/lib/dpkg/status"));
    }

    #[test]
    fn files_os_packages_hold_through_symlinks_and_merged_usr() {
        // A merged-/usr image whose `lib` is a symlink to `usr/lib`; an
        // unmerged `sbin`.
        let mut lib = entry("lib", EntryKind::Symlink);
        lib.link = Some("usr/lib".into());
        let lists = FileLists::from_entries(&[vec![
            entry("usr/lib", EntryKind::Dir),
            lib,
            entry("usr/lib/libz.so.1", EntryKind::File),
            entry("usr/lib/libother.so", EntryKind::File),
            entry("sbin", EntryKind::Dir),
            entry("sbin/init", EntryKind::File),
            entry("usr/local/bin/python3", EntryKind::File),
        ]]);
        let tree = FileTree::build(&lists);
        let ctx = MergeContext {
            lists: &lists,
            tree: &tree,
            directory: false,
        };
        let mut deb = crate::Package::new(crate::PackageType::Deb, "zlib1g", "1", "", "", 0);
        deb.files = vec!["/lib/libz.so.1".into(), "/usr/sbin/init".into()];
        let mut pypi = crate::Package::new(crate::PackageType::Pypi, "x", "1", "", "", 0);
        pypi.files = vec!["/usr/local/bin/python3".into()];
        let inventory = Inventory {
            packages: vec![deb, pypi],
            ..Default::default()
        };
        let owned = OsOwnedFiles::new(&ctx, &inventory);
        // Listed under the symlink, stored under its target.
        assert!(owned.contains("usr/lib/libz.so.1"));
        assert!(owned.contains("/lib/libz.so.1"));
        // Listed under usr/, stored outside it.
        assert!(owned.contains("sbin/init"));
        // Not an OS package's file; a language package's is not either.
        assert!(!owned.contains("usr/lib/libother.so"));
        assert!(!owned.contains("usr/local/bin/python3"));
    }
}
