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

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::Digest as _;

use crate::{BlobSource, Compression, Digest, Image, ImageConfig, ImageRef, LayerRef, OciError};

/// The media type of the one layer of a `dir:` image.
pub const DIR_MEDIA_TYPE: &str = "application/vnd.plimsoll.directory";
/// A listing larger than this is refused (the same bound as a layer's entries).
pub const MAX_DIR_ENTRIES: usize = 4_000_000;

/// What a directory entry is; devices, sockets and fifos are `Other`.
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

/// A listed directory: the root and its entries in path order.
#[derive(Debug)]
pub struct DirListing {
    pub root: PathBuf,
    pub entries: Vec<DirEntry>,
}

impl DirListing {
    /// Lists `root` recursively, sorted by path, symlinks not followed.
    pub fn read(root: &Path) -> Result<DirListing, OciError> {
        let file_err = |path: &Path, source| OciError::File {
            path: path.to_path_buf(),
            source,
        };
        let meta = fs::metadata(root).map_err(|e| file_err(root, e))?;
        if !meta.is_dir() {
            return Err(OciError::Layout {
                image: format!("dir:{}", root.display()),
                why: "not a directory".into(),
            });
        }
        let mut entries = Vec::new();
        // Directories still to list: (filesystem path, image path).
        let mut todo = vec![(root.to_path_buf(), String::new())];
        while let Some((dir, prefix)) = todo.pop() {
            let mut children = BTreeMap::new();
            for item in fs::read_dir(&dir).map_err(|e| file_err(&dir, e))? {
                let item = item.map_err(|e| file_err(&dir, e))?;
                let name = item.file_name().to_string_lossy().into_owned();
                children.insert(name, item.path());
            }
            // Pushed in reverse so the stack pops them in name order.
            let mut subdirs = Vec::new();
            for (name, fs_path) in children {
                let meta = fs::symlink_metadata(&fs_path).map_err(|e| file_err(&fs_path, e))?;
                let path = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
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
                    Some(
                        fs::read_link(&fs_path)
                            .map_err(|e| file_err(&fs_path, e))?
                            .to_string_lossy()
                            .into_owned(),
                    )
                } else {
                    None
                };
                if kind == DirKind::Dir {
                    subdirs.push((fs_path, path.clone()));
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
                        image: format!("dir:{}", root.display()),
                        why: format!("more than {MAX_DIR_ENTRIES} entries"),
                    });
                }
            }
            todo.extend(subdirs.into_iter().rev());
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DirListing {
            root: root.to_path_buf(),
            entries,
        })
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
        let meta = fs::symlink_metadata(&fs_path).map_err(file_err)?;
        if !meta.file_type().is_file() {
            return Err(file_err(std::io::Error::other(
                "changed from a regular file since it was listed",
            )));
        }
        let file = fs::File::open(&fs_path).map_err(file_err)?;
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

/// Resolves `dir:PATH` into a one-layer image whose layer is the directory.
pub fn resolve_dir(dir: &Path) -> Result<Image, OciError> {
    let listing = DirListing::read(dir)?;
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
        let l = DirListing::read(root).unwrap();
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
        assert_eq!(DirListing::read(root).unwrap().digest(), before);
        fs::write(root.join("a"), "xy").unwrap();
        assert_ne!(DirListing::read(root).unwrap().digest(), before);
    }

    #[test]
    fn a_file_is_not_a_directory() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("f"), "x").unwrap();
        let err = resolve_dir(&d.path().join("f")).err().unwrap().to_string();
        assert!(err.contains("not a directory"), "{err}");
        let err = resolve_dir(&d.path().join("nope")).err().unwrap();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
