//! OCI image layout directories: `oci-layout`, `index.json`, `blobs/sha256/…`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oci_spec::image::ImageIndex;

use crate::image::{BlobSource, Image, ResolveOptions, resolve_descriptor};
use crate::{Digest, ImageRef, OciError};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Blobs of an OCI layout directory.
pub struct LayoutSource {
    dir: PathBuf,
}

impl LayoutSource {
    pub fn new(dir: &Path) -> Self {
        LayoutSource {
            dir: dir.to_path_buf(),
        }
    }
}

impl LayoutSource {
    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.dir
            .join("blobs")
            .join(digest.algorithm())
            .join(digest.hex())
    }
}

impl BlobSource for LayoutSource {
    fn location(&self) -> String {
        format!("OCI layout {}", self.dir.display())
    }

    fn check(&self, digest: &Digest, size: Option<u64>) -> Result<(), OciError> {
        let path = self.blob_path(digest);
        match std::fs::metadata(&path) {
            Ok(m) if !m.is_file() => Err(not_a_file(path, &m)),
            Ok(m) if size.is_none_or(|s| s == m.len()) => Ok(()),
            Ok(m) => Err(OciError::SizeMismatch {
                blob: format!("blob {digest}"),
                digest: digest.to_string(),
                expected: size.unwrap_or(0),
                actual: m.len(),
            }),
            Err(_) => Err(OciError::MissingBlob {
                blob: format!("blob {digest}"),
                digest: digest.to_string(),
                location: self.location(),
            }),
        }
    }

    fn fingerprint(&self, digest: &Digest) -> Option<String> {
        crate::image::file_fingerprint(&self.blob_path(digest))
    }

    fn open(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError> {
        let path = self.blob_path(digest);
        if let Ok(m) = std::fs::metadata(&path)
            && !m.is_file()
        {
            return Err(not_a_file(path, &m));
        }
        match File::open(&path) {
            Ok(f) => Ok(Box::new(BufReader::with_capacity(256 * 1024, f))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(OciError::MissingBlob {
                blob: format!("blob {digest}"),
                digest: digest.to_string(),
                location: self.location(),
            }),
            Err(source) => Err(OciError::File { path, source }),
        }
    }
}

/// Reads `index.json` of a layout and resolves the image a tag names.
pub fn resolve_layout(
    dir: &Path,
    tag: Option<&str>,
    opts: &ResolveOptions,
) -> Result<Image, OciError> {
    let reference = ImageRef::OciLayout {
        dir: dir.to_path_buf(),
        tag: tag.map(str::to_string),
    };
    let name = reference.to_string();
    if !dir.is_dir() {
        return Err(OciError::Layout {
            image: name,
            why: "no such directory".into(),
        });
    }
    if !dir.join("oci-layout").is_file() {
        return Err(OciError::Layout {
            image: name,
            why: "not an OCI image layout (no oci-layout file)".into(),
        });
    }
    let index_path = dir.join("index.json");
    let bytes = read_capped(&index_path, crate::image::MAX_MANIFEST_BYTES)?;
    let index: ImageIndex = serde_json::from_slice(&bytes).map_err(|source| OciError::Json {
        what: index_path.display().to_string(),
        source,
    })?;
    let source: Arc<dyn BlobSource> = Arc::new(LayoutSource::new(dir));
    let (digest, size, found_tag) = pick_from_index(&index, tag, &name)?;
    let tag = tag.map(str::to_string).or(found_tag);
    resolve_descriptor(source, reference, tag, digest, size, opts)
}

/// Every tag of an OCI image layout (the `ref.name` annotations of its
/// index.json; `repo:1.0` read as `1.0`) and the digest it names, sorted by
/// tag: the layout as a repository, for `plimsoll tags check oci:DIR`.
pub fn layout_tags(dir: &Path) -> Result<Vec<(String, String)>, OciError> {
    let index_path = dir.join("index.json");
    if !dir.join("oci-layout").is_file() {
        return Err(OciError::Layout {
            image: dir.display().to_string(),
            why: "not an OCI image layout (no oci-layout file)".into(),
        });
    }
    let bytes = read_capped(&index_path, crate::image::MAX_MANIFEST_BYTES)?;
    let index: ImageIndex = serde_json::from_slice(&bytes).map_err(|source| OciError::Json {
        what: index_path.display().to_string(),
        source,
    })?;
    let mut out: Vec<(String, String)> = index
        .manifests()
        .iter()
        .filter_map(|m| {
            let name = m.annotations().as_ref()?.get(REF_NAME)?;
            let tag = match name.rsplit_once(':') {
                Some((_, tail)) if !tail.contains('/') => tail.to_string(),
                _ => name.clone(),
            };
            Some((tag, m.digest().to_string()))
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

/// Chooses the top-level descriptor of a layout's index.json by tag, or the
/// only one; shared with OCI archives inside a docker-save tar.
pub(crate) fn pick_from_index(
    index: &ImageIndex,
    tag: Option<&str>,
    name: &str,
) -> Result<(Digest, Option<u64>, Option<String>), OciError> {
    let tag_of = |m: &oci_spec::image::Descriptor| {
        m.annotations()
            .as_ref()
            .and_then(|a| a.get(REF_NAME).cloned())
    };
    let tags: Vec<String> = index.manifests().iter().filter_map(tag_of).collect();
    let chosen = match tag {
        Some(t) => index.manifests().iter().find(|m| {
            tag_of(m)
                .is_some_and(|have| have == t || have.rsplit_once(':').is_some_and(|(_, x)| x == t))
        }),
        None if index.manifests().len() == 1 => index.manifests().first(),
        None => {
            return Err(OciError::Layout {
                image: name.to_string(),
                why: format!(
                    "the layout holds {} images; name one as oci:DIR:TAG (tags: {})",
                    index.manifests().len(),
                    if tags.is_empty() {
                        "none".into()
                    } else {
                        tags.join(", ")
                    }
                ),
            });
        }
    };
    let Some(m) = chosen else {
        return Err(OciError::NoTag {
            image: name.to_string(),
            tag: tag.unwrap_or_default().to_string(),
            available: if tags.is_empty() {
                "none".into()
            } else {
                tags.join(", ")
            },
        });
    };
    // ref.name is a tag, or a full reference ending in one (`repo:1.0`).
    let tag = tag_of(m).map(|t| match t.rsplit_once(':') {
        Some((_, tail)) if !tail.contains('/') => tail.to_string(),
        _ => t,
    });
    Ok((m.digest().to_string().parse()?, Some(m.size()), tag))
}

/// The error for a path that is not a regular file (a FIFO would block
/// the reader forever, a device such as `/dev/zero` would be read to its
/// declared size): symlinks are followed, so a link to one is refused too.
pub(crate) fn not_a_file(path: PathBuf, m: &std::fs::Metadata) -> OciError {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    let kind = if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    };
    OciError::NotAFile { path, kind }
}

/// Reads a small file whole, refusing more than `cap` bytes and anything
/// that is not a regular file.
pub(crate) fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, OciError> {
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
    {
        return Err(not_a_file(path.to_path_buf(), &m));
    }
    let f = File::open(path).map_err(|source| OciError::File {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|source| OciError::File {
            path: path.to_path_buf(),
            source,
        })?;
    if out.len() as u64 > cap {
        return Err(OciError::TooLarge {
            blob: path.display().to_string(),
            size: out.len() as u64,
            cap,
        });
    }
    Ok(out)
}
