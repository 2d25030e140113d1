//! `dir:PATH`: a directory on disk (an unpacked root filesystem, a build
//! context) read as a one-layer image, so every analyser, the SBOM among
//! them, works on it unchanged.
//!
//! The directory is listed once, at resolve time, without following
//! symlinks (a link is reported as a link, never a way out of the tree);
//! the engine then reads file contents from that listing. There is no blob
//! to verify and nothing is cached: a directory can change between runs.
//! The layer's "digest" identifies the listing (paths, kinds, modes, sizes,
//! modification times), not the file contents.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use plimsoll_report::Warnings;
use sha2::Digest as _;

use crate::{BlobSource, Compression, Digest, Image, ImageConfig, ImageRef, LayerRef, OciError};

/// The media type of the one layer of a `dir:` image.
pub const DIR_MEDIA_TYPE: &str = "application/vnd.plimsoll.directory";
/// A listing larger than this is refused (the same bound as a layer's entries).
pub const MAX_DIR_ENTRIES: usize = 4_000_000;

/// Filesystem types whose files are the kernel's view of itself, not
/// software: never listed below their mount point. `tmpfs` is not among
/// them: it holds ordinary files (`/tmp`, `/run`, a root filesystem in
/// memory); the tmpfs mounts of a live system are mostly below `/dev` and
/// `/sys`, skipped with them.
pub const PSEUDO_FILESYSTEMS: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "devfs",
    "cgroup",
    "cgroup2",
    "securityfs",
    "debugfs",
    "tracefs",
    "pstore",
    "bpf",
    "mqueue",
    "hugetlbfs",
    "configfs",
    "fusectl",
    "autofs",
    "binfmt_misc",
    "efivarfs",
    "selinuxfs",
    "rpc_pipefs",
    "nsfs",
    "nfsd",
];

/// Where the mounts of this process are listed.
const MOUNTINFO: &str = "/proc/self/mountinfo";

/// What a directory entry is; devices, sockets and fifos are `Other`
/// (listed, never opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// One entry of a listed directory.
#[derive(Debug, Clone)]
pub struct DirEntry {
    /// Relative to the root, `/`-separated, no leading `/`.
    pub path: String,
    pub kind: DirKind,
    /// Permission and setuid/setgid/sticky bits (`0o7777`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Bytes, for regular files; 0 otherwise.
    pub size: u64,
    /// A symlink's target as stored.
    pub link: Option<String>,
}

/// How a directory is listed (`dir:` references; see [`DirListing::read`]).
#[derive(Debug, Clone, Default)]
pub struct DirOptions {
    /// Glob patterns (globset syntax) matched against each path relative to
    /// the root, without a leading `/` (one in the pattern is ignored): `*`
    /// stays within a path component, `**` crosses them. A matching
    /// directory is left out with everything below it.
    pub exclude: Vec<String>,
    /// Stay on the root's filesystem (its `st_dev`): a directory on
    /// another one is listed, its contents are not.
    pub one_file_system: bool,
}

impl DirOptions {
    /// The exclude patterns compiled, or the first one that is not a glob.
    fn matcher(&self) -> Result<Option<globset::GlobSet>, OciError> {
        if self.exclude.is_empty() {
            return Ok(None);
        }
        let mut set = globset::GlobSetBuilder::new();
        for pattern in &self.exclude {
            let trimmed = pattern.trim_start_matches('/').trim_end_matches('/');
            let glob = globset::GlobBuilder::new(trimmed)
                .literal_separator(true)
                .build()
                .map_err(|e| OciError::BadPattern {
                    pattern: pattern.clone(),
                    why: e.kind().to_string(),
                })?;
            set.add(glob);
        }
        set.build().map(Some).map_err(|e| OciError::BadPattern {
            pattern: self.exclude.join(" "),
            why: e.to_string(),
        })
    }
}

/// A directory left out of a listing, and why (a pseudo-filesystem's type,
/// or another filesystem under `--one-file-system`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Relative to the root, as [`DirEntry::path`].
    pub path: String,
    pub why: String,
}

/// A listed directory: the root and its entries in path order.
#[derive(Debug)]
pub struct DirListing {
    pub root: PathBuf,
    pub entries: Vec<DirEntry>,
    /// Directories listed but not read below (pseudo-filesystems, other
    /// filesystems); excluded paths are not among them.
    pub skipped: Vec<Skipped>,
    /// Entries that could not be listed or read (each named, deduplicated
    /// and capped): the listing goes on without them.
    warnings: Mutex<Warnings>,
}

impl DirListing {
    /// Lists `root` recursively, sorted by path, symlinks not followed.
    ///
    /// Mount points of pseudo-filesystems ([`PSEUDO_FILESYSTEMS`], from
    /// `/proc/self/mountinfo`; when that cannot be read and `root` is `/`,
    /// `proc`, `sys` and `dev`) are listed as directories and not read
    /// below; so are directories on another filesystem with
    /// [`DirOptions::one_file_system`]. Excluded paths are left out. An
    /// entry that cannot be read (permission denied, gone since its
    /// directory was read) is a warning ([`DirListing::warnings`]), not an
    /// error; `root` itself must be a readable directory on no
    /// pseudo-filesystem.
    pub fn read(root: &Path, opts: &DirOptions) -> Result<DirListing, OciError> {
        DirListing::list(root, opts, None)
    }

    /// [`DirListing::read`], taking the root's device to be `root_dev` when
    /// given (tests: another filesystem without mounting one).
    fn list(root: &Path, opts: &DirOptions, root_dev: Option<u64>) -> Result<DirListing, OciError> {
        let image = || format!("dir:{}", root.display());
        let file_err = |path: &Path, source| OciError::File {
            path: path.to_path_buf(),
            source,
        };
        let exclude = opts.matcher()?;
        let meta = fs::metadata(root).map_err(|e| file_err(root, e))?;
        if !meta.is_dir() {
            return Err(OciError::Layout {
                image: image(),
                why: "not a directory".into(),
            });
        }
        let root_dev = root_dev.unwrap_or(meta.dev());
        let canonical = fs::canonicalize(root).map_err(|e| file_err(root, e))?;
        let pseudo = pseudo_mounts(&canonical, fs::read_to_string(MOUNTINFO).ok().as_deref());
        if let Some(fstype) = pseudo.get("") {
            return Err(OciError::Layout {
                image: image(),
                why: format!("on a {fstype} pseudo-filesystem: nothing to list"),
            });
        }
        let mut warnings = Warnings::new();
        let mut skipped = Vec::new();
        let mut entries = Vec::new();
        // Directories still to list: (filesystem path, image path).
        let mut todo = vec![(root.to_path_buf(), String::new())];
        while let Some((dir, prefix)) = todo.pop() {
            let mut children = BTreeMap::new();
            let listed = match fs::read_dir(&dir) {
                Ok(listed) => listed,
                Err(e) if prefix.is_empty() => return Err(file_err(&dir, e)),
                Err(e) => {
                    warnings.push(format!("{}: cannot list: {e}: skipped", dir.display()));
                    continue;
                }
            };
            for item in listed {
                match item {
                    Ok(item) => {
                        let name = item.file_name().to_string_lossy().into_owned();
                        children.insert(name, item.path());
                    }
                    Err(e) => {
                        warnings.push(format!(
                            "{}: cannot list further: {e}: the rest is skipped",
                            dir.display()
                        ));
                        break;
                    }
                }
            }
            // Pushed in reverse so the stack pops them in name order.
            let mut subdirs = Vec::new();
            for (name, fs_path) in children {
                let path = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                };
                if exclude.as_ref().is_some_and(|set| set.is_match(&path)) {
                    continue;
                }
                let meta = match fs::symlink_metadata(&fs_path) {
                    Ok(meta) => meta,
                    Err(e) => {
                        warnings.push(format!("{}: unreadable: {e}: skipped", fs_path.display()));
                        continue;
                    }
                };
                let ft = meta.file_type();
                let kind = if ft.is_file() {
                    DirKind::File
                } else if ft.is_dir() {
                    DirKind::Dir
                } else if ft.is_symlink() {
                    DirKind::Symlink
                } else {
                    DirKind::Other
                };
                let link = if kind == DirKind::Symlink {
                    match fs::read_link(&fs_path) {
                        Ok(target) => Some(target.to_string_lossy().into_owned()),
                        Err(e) => {
                            warnings.push(format!(
                                "{}: unreadable link: {e}: skipped",
                                fs_path.display()
                            ));
                            continue;
                        }
                    }
                } else {
                    None
                };
                if kind == DirKind::Dir {
                    if let Some(fstype) = pseudo.get(path.as_str()) {
                        skipped.push(Skipped {
                            path: path.clone(),
                            why: format!("{fstype} pseudo-filesystem"),
                        });
                    } else if opts.one_file_system && meta.dev() != root_dev {
                        skipped.push(Skipped {
                            path: path.clone(),
                            why: "another filesystem".into(),
                        });
                    } else {
                        subdirs.push((fs_path, path.clone()));
                    }
                }
                entries.push(DirEntry {
                    path,
                    kind,
                    mode: meta.permissions().mode() & 0o7777,
                    uid: u64::from(meta.uid()),
                    gid: u64::from(meta.gid()),
                    size: if kind == DirKind::File { meta.len() } else { 0 },
                    link,
                });
                if entries.len() > MAX_DIR_ENTRIES {
                    return Err(OciError::Layout {
                        image: image(),
                        why: format!(
                            "more than {MAX_DIR_ENTRIES} entries (exclude some, or list less)"
                        ),
                    });
                }
            }
            todo.extend(subdirs.into_iter().rev());
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DirListing {
            root: root.to_path_buf(),
            entries,
            skipped,
            warnings: Mutex::new(warnings),
        })
    }

    /// What could not be listed or read so far (reading files adds to it).
    pub fn warnings(&self) -> Warnings {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// Records that `entry` could not be read: it counts as empty.
    pub fn warn_unreadable(&self, entry: &DirEntry, why: &dyn std::fmt::Display) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(format!(
                "{}: unreadable: {why}: read as empty",
                self.root.join(&entry.path).display()
            ));
        }
    }

    /// The leading `limit` bytes of a listed file, read without following a
    /// symlink that replaced it since the listing.
    pub fn read_file(
        &self,
        entry: &DirEntry,
        limit: u64,
        buf: &mut Vec<u8>,
    ) -> Result<(), OciError> {
        let fs_path = self.root.join(&entry.path);
        let file_err = |source| OciError::File {
            path: fs_path.clone(),
            source,
        };
        let changed = || {
            file_err(std::io::Error::other(
                "changed from a regular file since it was listed",
            ))
        };
        let meta = fs::symlink_metadata(&fs_path).map_err(file_err)?;
        if !meta.file_type().is_file() {
            return Err(changed());
        }
        // Not following a symlink, not waiting on a fifo, not taking a
        // terminal: whatever replaced the file since, it is checked before
        // a byte is read.
        let file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(&fs_path)
            .map_err(file_err)?;
        if !file.metadata().map_err(file_err)?.file_type().is_file() {
            return Err(changed());
        }
        file.take(limit).read_to_end(buf).map_err(file_err)?;
        Ok(())
    }

    fn digest(&self) -> Digest {
        let mut h = sha2::Sha256::new();
        for e in &self.entries {
            h.update(e.path.as_bytes());
            h.update(format!("\0{:?}\0{:o}\0{}\0", e.kind, e.mode, e.size).as_bytes());
            if let Some(l) = &e.link {
                h.update(l.as_bytes());
            }
            h.update(b"\n");
        }
        Digest::from_sha256_bytes(&h.finalize())
    }
}

/// The pseudo-filesystem mount points at or below `root` (canonical), by
/// path relative to it (`""`: `root` itself is on one), with their type,
/// from the text of `/proc/self/mountinfo`; without it, `proc`, `sys` and
/// `dev` when `root` is `/`.
fn pseudo_mounts(root: &Path, mountinfo: Option<&str>) -> HashMap<String, String> {
    let Some(mountinfo) = mountinfo else {
        if root != Path::new("/") {
            return HashMap::new();
        }
        return [("proc", "proc"), ("sys", "sysfs"), ("dev", "devtmpfs")]
            .into_iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
    };
    // Mount point -> type; a later mount on the same point hides the earlier.
    let mut mounts: BTreeMap<PathBuf, String> = BTreeMap::new();
    for line in mountinfo.lines() {
        // id parent major:minor root mount-point options [optional...] - type source super-options
        let mut fields = line.split(' ');
        let Some(point) = fields.nth(4) else { continue };
        let Some(fstype) = fields.skip_while(|f| *f != "-").nth(1) else {
            continue;
        };
        mounts.insert(PathBuf::from(unescape_mount(point)), fstype.to_string());
    }
    let is_pseudo = |t: &str| PSEUDO_FILESYSTEMS.contains(&t);
    let mut out = HashMap::new();
    // The filesystem `root` is on: the deepest mount point above it.
    if let Some((_, fstype)) = mounts
        .iter()
        .filter(|(point, _)| root.starts_with(point))
        .max_by_key(|(point, _)| point.components().count())
        && is_pseudo(fstype)
    {
        out.insert(String::new(), fstype.clone());
    }
    for (point, fstype) in &mounts {
        if let Ok(rel) = point.strip_prefix(root)
            && !rel.as_os_str().is_empty()
            && is_pseudo(fstype)
        {
            out.insert(rel.to_string_lossy().into_owned(), fstype.clone());
        }
    }
    out
}

/// A mountinfo path with its octal escapes (`\040` for a space) decoded.
fn unescape_mount(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && let Some(oct) = b.get(i + 1..i + 4)
            && oct.iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = oct.iter().fold(0u32, |v, c| v * 8 + u32::from(c - b'0'));
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The blob source of a `dir:` image: no blobs, only the listing.
struct DirSource {
    listing: Arc<DirListing>,
}

impl BlobSource for DirSource {
    fn location(&self) -> String {
        self.listing.root.display().to_string()
    }

    fn open(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError> {
        Err(OciError::MissingBlob {
            blob: "directory".into(),
            digest: digest.to_string(),
            location: self.location(),
        })
    }

    fn directory(&self) -> Option<Arc<DirListing>> {
        Some(self.listing.clone())
    }
}

/// Resolves `dir:PATH` into a one-layer image whose layer is the directory,
/// listed as `opts` say.
pub fn resolve_dir(dir: &Path, opts: &DirOptions) -> Result<Image, OciError> {
    let listing = DirListing::read(dir, opts)?;
    let digest = listing.digest();
    let config = ImageConfig {
        architecture: host_arch().to_string(),
        os: "linux".into(),
        ..Default::default()
    };
    let config_digest = Digest::from_sha256_bytes(&sha2::Sha256::digest(
        serde_json::to_vec(&config).unwrap_or_default(),
    ));
    Ok(Image {
        reference: ImageRef::Dir {
            dir: dir.to_path_buf(),
        },
        manifest_digest: None,
        index_digest: None,
        config_digest,
        config,
        layers: vec![LayerRef {
            index: 0,
            digest,
            size: None,
            media_type: DIR_MEDIA_TYPE.into(),
            compression: Compression::None,
            diff_id: None,
        }],
        tag: None,
        platform_note: None,
        source: Arc::new(DirSource {
            listing: Arc::new(listing),
        }),
    })
}

/// The OCI name of the machine's architecture.
fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sorted_without_following_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::write(root.join("b/c/f"), "hello").unwrap();
        fs::write(root.join("a"), "x").unwrap();
        std::os::unix::fs::symlink("/etc", root.join("b/out")).unwrap();
        let l = DirListing::read(root, &DirOptions::default()).unwrap();
        let paths: Vec<(&str, DirKind)> = l
            .entries
            .iter()
            .map(|e| (e.path.as_str(), e.kind))
            .collect();
        assert_eq!(
            paths,
            [
                ("a", DirKind::File),
                ("b", DirKind::Dir),
                ("b/c", DirKind::Dir),
                ("b/c/f", DirKind::File),
                ("b/out", DirKind::Symlink),
            ]
        );
        assert_eq!(l.entries[4].link.as_deref(), Some("/etc"));
        let mut buf = Vec::new();
        l.read_file(&l.entries[3], 3, &mut buf).unwrap();
        assert_eq!(buf, b"hel");
        // The same tree lists to the same digest; a change changes it.
        let before = l.digest();
        assert_eq!(
            DirListing::read(root, &DirOptions::default())
                .unwrap()
                .digest(),
            before
        );
        fs::write(root.join("a"), "xy").unwrap();
        assert_ne!(
            DirListing::read(root, &DirOptions::default())
                .unwrap()
                .digest(),
            before
        );
    }

    #[test]
    fn a_file_is_not_a_directory() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("f"), "x").unwrap();
        let err = resolve_dir(&d.path().join("f"), &DirOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a directory"), "{err}");
        let err = resolve_dir(&d.path().join("nope"), &DirOptions::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn pseudo_filesystems_from_mountinfo() {
        let info = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
23 22 0:5 / /proc rw,nosuid - proc proc rw
24 22 0:6 / /sys rw shared:2 - sysfs sysfs rw
25 24 0:7 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
26 22 0:8 / /dev rw - devtmpfs udev rw
27 26 0:9 / /dev/shm rw - tmpfs tmpfs rw
28 22 8:2 / /mnt/my\\040disk rw - ext4 /dev/vdb rw
29 22 0:10 / /data/proc rw - proc proc rw
30 22 0:11 / /run rw - tmpfs tmpfs rw
31 22 0:12 / /srv/over rw - proc proc rw
32 22 8:3 / /srv/over rw - ext4 /dev/vdc rw
";
        let keys = |root: &str, info: Option<&str>| {
            let mut k: Vec<(String, String)> =
                pseudo_mounts(Path::new(root), info).into_iter().collect();
            k.sort();
            k
        };
        let pair = |p: &str, t: &str| (p.to_string(), t.to_string());
        // tmpfs is not pseudo; a later mount hides an earlier one.
        assert_eq!(
            keys("/", Some(info)),
            [
                pair("data/proc", "proc"),
                pair("dev", "devtmpfs"),
                pair("proc", "proc"),
                pair("sys", "sysfs"),
                pair("sys/fs/cgroup", "cgroup2"),
            ]
        );
        assert_eq!(keys("/data", Some(info)), [pair("proc", "proc")]);
        // The root itself on a pseudo-filesystem.
        assert_eq!(keys("/proc/1", Some(info)), [pair("", "proc")]);
        assert_eq!(keys("/mnt/my disk", Some(info)), []);
        // No mountinfo: the usual places, for `/` only.
        assert_eq!(
            keys("/", None),
            [
                pair("dev", "devtmpfs"),
                pair("proc", "proc"),
                pair("sys", "sysfs")
            ]
        );
        assert_eq!(keys("/srv", None), []);
        assert_eq!(unescape_mount("a\\040b\\134c\\9"), "a b\\c\\9");
    }

    #[test]
    fn a_fifo_is_listed_and_never_opened() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::write(root.join("f"), "data").unwrap();
        let mkfifo = |p: &Path| {
            let st = std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .unwrap();
            assert!(st.success());
        };
        mkfifo(&root.join("pipe"));
        let l = DirListing::read(root, &DirOptions::default()).unwrap();
        assert_eq!(l.entries[1].path, "pipe");
        assert_eq!((l.entries[1].kind, l.entries[1].size), (DirKind::Other, 0));
        // A fifo put where a listed file was is refused, not waited on.
        fs::remove_file(root.join("f")).unwrap();
        mkfifo(&root.join("f"));
        let mut buf = Vec::new();
        let err = l.read_file(&l.entries[0], 10, &mut buf).unwrap_err();
        assert!(
            format!("{err:?}").contains("changed from a regular file"),
            "{err:?}"
        );
        assert!(l.warnings().is_empty());
    }

    #[test]
    fn excluded_paths_are_left_out() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir_all(root.join("a/b/c")).unwrap();
        fs::write(root.join("a/b/c/x.log"), "").unwrap();
        fs::write(root.join("a/y.log"), "").unwrap();
        fs::write(root.join("z.log"), "").unwrap();
        let paths = |exclude: &[&str]| {
            let opts = DirOptions {
                exclude: exclude.iter().map(|s| s.to_string()).collect(),
                one_file_system: false,
            };
            DirListing::read(root, &opts)
                .unwrap()
                .entries
                .into_iter()
                .map(|e| e.path)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths(&["*.log"]),
            ["a", "a/b", "a/b/c", "a/b/c/x.log", "a/y.log"]
        );
        assert_eq!(paths(&["**/*.log"]), ["a", "a/b", "a/b/c"]);
        assert_eq!(paths(&["/a/b/"]), ["a", "a/y.log", "z.log"]);
        let err = DirListing::read(
            root,
            &DirOptions {
                exclude: vec!["{a".into()],
                one_file_system: false,
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("invalid exclude pattern '{a'"),
            "{err}"
        );
    }

    #[test]
    fn one_file_system_stays_on_the_roots_device() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/f"), "x").unwrap();
        fs::write(root.join("g"), "x").unwrap();
        let opts = DirOptions {
            exclude: vec![],
            one_file_system: true,
        };
        // On one filesystem, everything.
        let l = DirListing::read(root, &opts).unwrap();
        assert_eq!(l.entries.len(), 4);
        assert!(l.skipped.is_empty());
        // As if the root were on another device than its contents: `a` is
        // listed, not read below.
        let other = fs::metadata(root).unwrap().dev().wrapping_add(1);
        let l = DirListing::list(root, &opts, Some(other)).unwrap();
        let paths: Vec<&str> = l.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["a", "g"]);
        assert_eq!(
            l.skipped,
            [Skipped {
                path: "a".into(),
                why: "another filesystem".into()
            }]
        );
    }
}
