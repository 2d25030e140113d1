//! `docker save` archives: the legacy layout (manifest.json, `<id>/layer.tar`)
//! and the OCI layout inside a tar that Docker 25+ writes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::image::{
    BlobSource, Compression, Image, ImageConfig, LayerRef, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES,
    ResolveOptions, check_platform, resolve_descriptor,
};
use crate::layout::pick_from_index;
use crate::verify::read_verified;
use crate::{Digest, ImageRef, OciError};

/// Where each member's data sits inside the archive, so blobs can be read
/// in parallel with independent file handles, without extracting anything.
pub struct ArchiveSource {
    file: PathBuf,
    members: HashMap<String, (u64, u64)>,
    by_digest: HashMap<Digest, String>,
}

impl ArchiveSource {
    fn index(file: &Path) -> Result<Self, OciError> {
        if let Ok(m) = std::fs::metadata(file)
            && !m.is_file()
        {
            return Err(crate::layout::not_a_file(file.to_path_buf(), &m));
        }
        let f = File::open(file).map_err(|source| OciError::File {
            path: file.to_path_buf(),
            source,
        })?;
        let mut magic = [0u8; 4];
        let mut head = BufReader::new(f);
        let n = head.read(&mut magic).map_err(|source| OciError::File {
            path: file.to_path_buf(),
            source,
        })?;
        if n >= 2 && magic[..2] == [0x1f, 0x8b] {
            return Err(OciError::Layout {
                image: format!("docker-archive:{}", file.display()),
                why: "the archive is gzip-compressed; decompress it first (gunzip)".into(),
            });
        }
        let mut f = head.into_inner();
        f.seek(SeekFrom::Start(0))
            .map_err(|source| OciError::File {
                path: file.to_path_buf(),
                source,
            })?;
        let mut archive = tar::Archive::new(f);
        let mut members = HashMap::new();
        // `docker save` stores a layer shared by two image layers once and
        // links the second name to it.
        let mut links: Vec<(String, String)> = Vec::new();
        let bad = |why: String| OciError::Layout {
            image: format!("docker-archive:{}", file.display()),
            why,
        };
        // Seek over member data instead of reading it: indexing a 1 GB
        // archive touches only its headers.
        let entries = archive
            .entries_with_seek()
            .map_err(|e| bad(format!("not a tar archive: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| bad(format!("corrupt tar: {e}")))?;
            let kind = entry.header().entry_type();
            let path = entry
                .path()
                .map_err(|e| bad(format!("bad member name: {e}")))?
                .to_string_lossy()
                .trim_start_matches("./")
                .to_string();
            if kind.is_symlink() || kind.is_hard_link() {
                if let Ok(Some(target)) = entry.link_name() {
                    let target = target.to_string_lossy().to_string();
                    let base = match (kind.is_symlink(), path.rsplit_once('/')) {
                        (true, Some((dir, _))) => format!("{dir}/{target}"),
                        _ => target,
                    };
                    links.push((path, base));
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            members.insert(path, (entry.raw_file_position(), entry.size()));
        }
        for (name, target) in links {
            let mut parts: Vec<&str> = Vec::new();
            for c in target.split('/') {
                match c {
                    "" | "." => {}
                    ".." => {
                        parts.pop();
                    }
                    c => parts.push(c),
                }
            }
            if let Some(&at) = members.get(&parts.join("/")) {
                members.insert(name, at);
            }
        }
        if members.is_empty() {
            return Err(bad("empty archive or not a tar file".into()));
        }
        Ok(ArchiveSource {
            file: file.to_path_buf(),
            members,
            by_digest: HashMap::new(),
        })
    }

    fn open_member(&self, member: &str) -> Result<Box<dyn Read + Send>, OciError> {
        let &(offset, size) = self
            .members
            .get(member)
            .ok_or_else(|| OciError::MissingBlob {
                blob: member.to_string(),
                digest: member.to_string(),
                location: self.location(),
            })?;
        let mut f = File::open(&self.file).map_err(|source| OciError::File {
            path: self.file.clone(),
            source,
        })?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|source| OciError::File {
                path: self.file.clone(),
                source,
            })?;
        Ok(Box::new(BufReader::with_capacity(256 * 1024, f.take(size))))
    }

    fn read_member(&self, member: &str, cap: u64) -> Result<Vec<u8>, OciError> {
        let &(_, size) = self.members.get(member).ok_or_else(|| OciError::Layout {
            image: format!("docker-archive:{}", self.file.display()),
            why: format!("{member} is missing from the archive"),
        })?;
        if size > cap {
            return Err(OciError::TooLarge {
                blob: member.to_string(),
                size,
                cap,
            });
        }
        let mut out = Vec::with_capacity(size as usize);
        self.open_member(member)?
            .read_to_end(&mut out)
            .map_err(|e| OciError::from_io(member, e))?;
        Ok(out)
    }
}

fn blob_member(d: &Digest) -> String {
    format!("blobs/{}/{}", d.algorithm(), d.hex())
}

impl BlobSource for ArchiveSource {
    fn location(&self) -> String {
        format!("docker archive {}", self.file.display())
    }

    fn check(&self, digest: &Digest, _size: Option<u64>) -> Result<(), OciError> {
        let known =
            self.by_digest.contains_key(digest) || self.members.contains_key(&blob_member(digest));
        if known {
            Ok(())
        } else {
            Err(OciError::MissingBlob {
                blob: format!("blob {digest}"),
                digest: digest.to_string(),
                location: self.location(),
            })
        }
    }

    fn fingerprint(&self, digest: &Digest) -> Option<String> {
        let member = self
            .by_digest
            .get(digest)
            .cloned()
            .unwrap_or_else(|| blob_member(digest));
        let file = crate::image::file_fingerprint(&self.file)?;
        Some(format!("{file}:{member}"))
    }

    fn open(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError> {
        match self.by_digest.get(digest) {
            Some(member) => self.open_member(member),
            None => {
                let member = blob_member(digest);
                if self.members.contains_key(&member) {
                    self.open_member(&member)
                } else {
                    Err(OciError::MissingBlob {
                        blob: format!("blob {digest}"),
                        digest: digest.to_string(),
                        location: self.location(),
                    })
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SaveManifest {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// The digest a member's name carries: `blobs/sha256/<hex>`, `<hex>.json`
/// or `<hex>/layer.tar`'s config-less legacy form returns None.
fn digest_in_name(member: &str) -> Option<Digest> {
    if let Some(hex) = member.strip_prefix("blobs/sha256/") {
        return format!("sha256:{hex}").parse().ok();
    }
    let stem = member
        .strip_suffix(".json")
        .or_else(|| member.strip_suffix(".tar"))?;
    if stem.contains('/') {
        return None;
    }
    format!("sha256:{stem}").parse().ok()
}

/// Resolves the (first) image of a `docker save` archive.
pub fn resolve_archive(file: &Path, opts: &ResolveOptions) -> Result<Image, OciError> {
    let reference = ImageRef::DockerArchive {
        file: file.to_path_buf(),
    };
    let name = reference.to_string();
    let mut src = ArchiveSource::index(file)?;
    if !src.members.contains_key("manifest.json") {
        if src.members.contains_key("index.json") {
            let bytes = src.read_member("index.json", MAX_MANIFEST_BYTES)?;
            let index = serde_json::from_slice(&bytes).map_err(|source| OciError::Json {
                what: format!("index.json of {name}"),
                source,
            })?;
            let (digest, size, tag) = pick_from_index(&index, None, &name)?;
            return resolve_descriptor(Arc::new(src), reference, tag, digest, size, opts);
        }
        return Err(OciError::Layout {
            image: name,
            why: "neither manifest.json nor index.json found: not a docker save archive".into(),
        });
    }
    let bytes = src.read_member("manifest.json", MAX_MANIFEST_BYTES)?;
    let manifests: Vec<SaveManifest> =
        serde_json::from_slice(&bytes).map_err(|source| OciError::Json {
            what: format!("manifest.json of {name}"),
            source,
        })?;
    let Some(m) = manifests.into_iter().next() else {
        return Err(OciError::Layout {
            image: name,
            why: "manifest.json lists no image".into(),
        });
    };
    // OCI-in-tar (Docker 25+): index.json gives the real manifest digest.
    if src.members.contains_key("index.json") && m.config.starts_with("blobs/") {
        let bytes = src.read_member("index.json", MAX_MANIFEST_BYTES)?;
        if let Ok(index) = serde_json::from_slice(&bytes)
            && let Ok((digest, size, tag)) = pick_from_index(&index, None, &name)
        {
            let tag = tag.or_else(|| first_tag(&m.repo_tags));
            return resolve_descriptor(Arc::new(src), reference, tag, digest, size, opts);
        }
    }
    let config_digest = digest_in_name(&m.config).ok_or_else(|| OciError::Layout {
        image: name.clone(),
        why: format!("config member '{}' does not name its digest", m.config),
    })?;
    let what = format!("config {config_digest} of {name}");
    let raw = src.read_member(&m.config, MAX_CONFIG_BYTES)?;
    let raw = read_verified(&raw[..], &config_digest, None, &what, MAX_CONFIG_BYTES)?;
    let config: ImageConfig = serde_json::from_slice(&raw).map_err(|source| OciError::Json {
        what: what.clone(),
        source,
    })?;
    check_platform(&config, opts, &name)?;
    let mut layers = Vec::new();
    for (index, member) in m.layers.iter().enumerate() {
        let diff_id: Option<Digest> = config
            .rootfs
            .diff_ids
            .get(index)
            .and_then(|d| d.parse().ok());
        // Legacy layers are uncompressed tars named by directory, so their
        // digest is the diff_id; OCI-in-tar names the blob digest.
        let digest = match digest_in_name(member) {
            Some(d) => d,
            None => diff_id.clone().ok_or_else(|| OciError::Layout {
                image: name.clone(),
                why: format!("layer {index} ({member}) has no diff_id in the config"),
            })?,
        };
        let &(_, size) = src
            .members
            .get(member)
            .ok_or_else(|| OciError::MissingBlob {
                blob: format!("layer {index} of {name}"),
                digest: digest.to_string(),
                location: format!("docker archive {}", file.display()),
            })?;
        src.by_digest.insert(digest.clone(), member.clone());
        layers.push(LayerRef {
            index,
            digest,
            size: Some(size),
            media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
            compression: Compression::None,
            diff_id,
        });
    }
    Ok(Image {
        reference,
        manifest_digest: None,
        index_digest: None,
        config_digest,
        config,
        layers,
        tag: first_tag(&m.repo_tags),
        platform_note: None,
        source: Arc::new(src),
    })
}

fn first_tag(repo_tags: &Option<Vec<String>>) -> Option<String> {
    repo_tags
        .as_ref()?
        .first()
        .and_then(|t| t.rsplit_once(':').map(|(_, tag)| tag.to_string()))
}
