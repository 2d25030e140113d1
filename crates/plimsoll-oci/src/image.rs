//! The resolved image: manifest, config and layer descriptors, all by digest.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use oci_spec::image::{ImageIndex, ImageManifest};
use serde::{Deserialize, Serialize};

use crate::verify::read_verified;
use crate::{Digest, ImageRef, OciError};

/// Caps for blobs read whole into memory: an index or manifest above this is
/// not an image, it is an attack.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// How a layer blob is compressed, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression a layer media type declares, or an error for media
    /// types that are not filesystem layers.
    pub fn from_media_type(media_type: &str, what: &str) -> Result<Self, OciError> {
        let mt = media_type
            .replace(".nondistributable", "")
            .replace(".foreign", "");
        Ok(match mt.as_str() {
            "application/vnd.oci.image.layer.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar" => Compression::None,
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip" => Compression::Gzip,
            "application/vnd.oci.image.layer.v1.tar+zstd"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Compression::Zstd,
            _ => {
                return Err(OciError::UnknownMediaType {
                    what: what.to_string(),
                    media_type: media_type.to_string(),
                });
            }
        })
    }
}

/// One filesystem layer, as the manifest describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerRef {
    /// 0-based position, bottom layer first.
    pub index: usize,
    /// Digest of the blob as stored (compressed); the cache key.
    pub digest: Digest,
    /// Blob size from the descriptor, when the source gives one.
    pub size: Option<u64>,
    pub media_type: String,
    pub compression: Compression,
    /// Digest of the uncompressed tar, from the config's rootfs.
    pub diff_id: Option<Digest>,
}

/// The parts of an image config plimsoll reads. Own types rather than
/// oci-spec's: Docker configs carry `Healthcheck`, which the OCI spec lacks,
/// and real configs put `null` where the spec wants lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default)]
    pub config: RunConfig,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default, deserialize_with = "null_as_default")]
    pub history: Vec<History>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub env: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `VOLUME` paths (keys; the values are empty objects).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default, deserialize_with = "null_as_default")]
    pub test: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl RunConfig {
    /// The value of an environment variable in the config.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env.iter().find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    }
}

impl ImageConfig {
    /// The history entry that created each layer (empty layers skipped), in
    /// layer order; None where the history is shorter than the layer list.
    pub fn layer_history(&self, layers: usize) -> Vec<Option<&History>> {
        let mut out: Vec<Option<&History>> = self
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(Some)
            .collect();
        out.resize(layers, None);
        out.truncate(layers);
        out
    }
}

/// A source of blobs by digest: an OCI layout, a docker archive, a registry.
pub trait BlobSource: Send + Sync {
    /// Where the blobs live, for error messages.
    fn location(&self) -> String;
    /// Opens a blob as a raw, unverified byte stream; callers verify.
    fn open(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError>;
    /// Opens a manifest or index; registries serve these from another endpoint.
    fn open_manifest(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, OciError> {
        self.open(digest)
    }
    /// Cheap check that a blob is still there with the expected size, for
    /// when its analysis comes from a cache and the blob is not read.
    /// Registries are not asked (a request per layer would cost the warm
    /// path its point); local sources are.
    fn check(&self, _digest: &Digest, _size: Option<u64>) -> Result<(), OciError> {
        Ok(())
    }
    /// For local blobs, what identifies the bytes on disk without reading them: the file's
    /// size, modification and change times (nanoseconds), inode and device, and for an
    /// archive member its name. A cache hit is served only while the fingerprint is one
    /// recorded when the blob was last read and verified; any write to the file changes
    /// the change time, so an edited blob is read (and its digest checked) again.
    /// `None` (registries) means no such check.
    fn fingerprint(&self, _digest: &Digest) -> Option<String> {
        None
    }
    /// For `dir:` images, the listed directory the one layer stands for.
    fn directory(&self) -> Option<std::sync::Arc<crate::DirListing>> {
        None
    }
}

/// [`BlobSource::fingerprint`] of a local file: size, mtime, ctime (ns), inode, device.
pub fn file_fingerprint(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(format!(
        "{}:{}.{}:{}.{}:{}:{}",
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
        m.ino(),
        m.dev()
    ))
}

/// A platform as `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(s: &str) -> Result<Self, OciError> {
        let bad = |why: &str| OciError::BadPlatform {
            platform: s.chars().take(100).collect(),
            why: why.to_string(),
        };
        let parts: Vec<&str> = s.split('/').collect();
        let word = |p: &&str| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        };
        if !parts.iter().all(word) {
            return Err(bad(
                "each part may hold only letters, digits, '_', '-' and '.' (e.g. linux/arm64/v8)",
            ));
        }
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                arch: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                arch: arch.to_string(),
                variant: Some(variant.to_string()),
            }),
            _ => Err(bad("expected OS/ARCH[/VARIANT], e.g. linux/amd64")),
        }
    }

    fn matches(&self, os: &str, arch: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.arch == arch
            && match (&self.variant, variant) {
                (Some(want), Some(have)) => want == have,
                (Some(_), None) => false,
                (None, _) => true,
            }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// What the resolver needs besides the reference.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// The platform wanted from a multi-platform index.
    pub platform: Platform,
    /// Whether the user chose the platform (then a single-platform image of
    /// another platform is an error rather than simply what there is).
    pub platform_explicit: bool,
    /// Registries (host[:port]) the user allows over plain HTTP.
    pub insecure_registries: Vec<String>,
    /// Network timeout for connecting and for each read.
    pub timeout: std::time::Duration,
    /// The docker config.json to read registry credentials from; None looks
    /// in $DOCKER_CONFIG and ~/.docker.
    pub docker_config: Option<std::path::PathBuf>,
    /// Credentials for the registry given by the caller (a scan request's
    /// Authorization): used instead of docker config.json.
    pub credential: Option<RegistryCredential>,
    /// How a `dir:` reference is listed.
    pub dir: crate::DirOptions,
}

/// A registry credential handed in explicitly. Its Debug output shows the
/// kind (and the user name) only, never the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum RegistryCredential {
    Basic { user: String, pass: String },
    Bearer(String),
}

impl std::fmt::Debug for RegistryCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryCredential::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .field("pass", &"<redacted>")
                .finish(),
            RegistryCredential::Bearer(_) => f.debug_tuple("Bearer").field(&"<redacted>").finish(),
        }
    }
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions {
            platform: Platform {
                os: "linux".into(),
                arch: "amd64".into(),
                variant: None,
            },
            platform_explicit: false,
            insecure_registries: Vec::new(),
            timeout: std::time::Duration::from_secs(30),
            docker_config: None,
            credential: None,
            dir: crate::DirOptions::default(),
        }
    }
}

/// An image whose manifest and config have been read and verified; layers
/// are described, not yet read.
pub struct Image {
    pub reference: ImageRef,
    /// The manifest digest: the image's identity (P-D1). None only for legacy
    /// docker archives, which keep no manifest; their identity is the config
    /// digest (the image ID).
    pub manifest_digest: Option<Digest>,
    /// The index (manifest list) the manifest was chosen from, when the
    /// reference named one: what a tag of a multi-platform image points at.
    pub index_digest: Option<Digest>,
    pub config_digest: Digest,
    pub config: ImageConfig,
    pub layers: Vec<LayerRef>,
    /// The tag the image was found by, if any.
    pub tag: Option<String>,
    /// A sentence on which manifest of an index was chosen, if there was a choice.
    pub platform_note: Option<String>,
    pub source: Arc<dyn BlobSource>,
}

impl Image {
    /// The digest that identifies this image.
    pub fn id(&self) -> &Digest {
        self.manifest_digest.as_ref().unwrap_or(&self.config_digest)
    }

    /// `os/arch[/variant]` from the config.
    pub fn platform(&self) -> String {
        match &self.config.variant {
            Some(v) => format!("{}/{}/{v}", self.config.os, self.config.architecture),
            None => format!("{}/{}", self.config.os, self.config.architecture),
        }
    }

    /// The layers' uncompressed digests, from the config.
    pub fn diff_ids(&self) -> Vec<String> {
        self.config.rootfs.diff_ids.clone()
    }
}

/// A parsed manifest or index, whichever a descriptor pointed at.
pub(crate) enum ManifestDoc {
    Index(Box<ImageIndex>),
    Manifest(Box<ImageManifest>),
}

pub(crate) fn parse_manifest_doc(bytes: &[u8], what: &str) -> Result<ManifestDoc, OciError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
        layers: Option<serde_json::Value>,
        config: Option<serde_json::Value>,
        #[serde(rename = "schemaVersion")]
        schema_version: Option<u32>,
    }
    let json_err = |source| OciError::Json {
        what: what.to_string(),
        source,
    };
    let probe: Probe = serde_json::from_slice(bytes).map_err(json_err)?;
    // Descriptor digests are checked here, where the error can name the descriptor: the
    // typed parse below would call a bad one "invalid JSON", and later code has no context.
    let listed = |v: &Option<serde_json::Value>, item: &str| -> Vec<(String, serde_json::Value)> {
        match v {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, d)| (format!("{item} {i}"), d.clone()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut descriptors = listed(&probe.layers, "layer");
    descriptors.extend(listed(&probe.manifests, "manifest"));
    if let Some(c) = &probe.config {
        descriptors.push(("config".to_string(), c.clone()));
    }
    for (item, d) in descriptors {
        if let Some(text) = d.get("digest").and_then(|v| v.as_str()) {
            crate::digest::digest_problem(text).map_err(|why| OciError::BadDescriptor {
                what: what.to_string(),
                item,
                digest: text.chars().take(160).collect(),
                why,
            })?;
        }
    }
    if probe.schema_version == Some(1) {
        return Err(OciError::UnknownMediaType {
            what: what.to_string(),
            media_type: "Docker schema 1 manifest (deprecated; re-push the image)".into(),
        });
    }
    let mt = probe.media_type.unwrap_or_default();
    let is_index =
        mt == MT_OCI_INDEX || mt == MT_DOCKER_LIST || (mt.is_empty() && probe.manifests.is_some());
    let is_manifest = mt == MT_OCI_MANIFEST
        || mt == MT_DOCKER_MANIFEST
        || (mt.is_empty() && probe.layers.is_some());
    if is_index {
        Ok(ManifestDoc::Index(Box::new(
            serde_json::from_slice(bytes).map_err(json_err)?,
        )))
    } else if is_manifest {
        Ok(ManifestDoc::Manifest(Box::new(
            serde_json::from_slice(bytes).map_err(json_err)?,
        )))
    } else {
        Err(OciError::UnknownMediaType {
            what: what.to_string(),
            media_type: if mt.is_empty() { "(none)".into() } else { mt },
        })
    }
}

/// Picks the manifest for `platform` from an index; returns its digest and a
/// note saying what was picked among what.
pub(crate) fn pick_platform(
    index: &ImageIndex,
    opts: &ResolveOptions,
    image: &str,
) -> Result<(Digest, Option<u64>, String), OciError> {
    let mut available = Vec::new();
    let mut chosen = None;
    for m in index.manifests() {
        let Some(p) = m.platform() else { continue };
        let (os, arch) = (p.os().to_string(), p.architecture().to_string());
        if os == "unknown" || arch == "unknown" {
            continue; // attestation manifests from BuildKit
        }
        let variant = p.variant().clone();
        let label = match &variant {
            Some(v) => format!("{os}/{arch}/{v}"),
            None => format!("{os}/{arch}"),
        };
        if chosen.is_none() && opts.platform.matches(&os, &arch, variant.as_deref()) {
            chosen = Some((m.digest().to_string(), m.size(), label.clone()));
        }
        available.push(label);
    }
    if available.is_empty() && index.manifests().len() == 1 {
        let m = &index.manifests()[0];
        let d: Digest = m.digest().to_string().parse()?;
        return Ok((
            d,
            Some(m.size()),
            "the index's only manifest (no platform given)".into(),
        ));
    }
    match chosen {
        Some((digest, size, label)) => Ok((
            digest.parse()?,
            Some(size),
            format!(
                "picked {label} from an index of {} platform(s): {}",
                available.len(),
                available.join(", ")
            ),
        )),
        None => Err(OciError::NoPlatform {
            image: image.to_string(),
            wanted: opts.platform.to_string(),
            available: if available.is_empty() {
                "none".into()
            } else {
                available.join(", ")
            },
        }),
    }
}

/// Follows a descriptor through an optional index to a manifest, then reads
/// the config: the path every source shares once it can open blobs.
pub(crate) fn resolve_descriptor(
    source: Arc<dyn BlobSource>,
    reference: ImageRef,
    tag: Option<String>,
    mut digest: Digest,
    mut size: Option<u64>,
    opts: &ResolveOptions,
) -> Result<Image, OciError> {
    let name = reference.to_string();
    let mut platform_note = None;
    let mut index_digest = None;
    // An index may nest another index; two levels is plenty for real images.
    for _ in 0..3 {
        let what = format!("manifest {digest} of {name}");
        let bytes = read_verified(
            source.open_manifest(&digest)?,
            &digest,
            size,
            &what,
            MAX_MANIFEST_BYTES,
        )?;
        match parse_manifest_doc(&bytes, &what)? {
            ManifestDoc::Index(index) => {
                index_digest.get_or_insert_with(|| digest.clone());
                let (d, s, note) = pick_platform(&index, opts, &name)?;
                digest = d;
                size = s;
                platform_note = Some(note);
            }
            ManifestDoc::Manifest(manifest) => {
                let mut image = from_manifest(
                    source,
                    reference,
                    tag,
                    digest,
                    *manifest,
                    platform_note,
                    opts,
                )?;
                image.index_digest = index_digest;
                return Ok(image);
            }
        }
    }
    Err(OciError::Layout {
        image: name,
        why: "image indexes nested more than 3 deep".into(),
    })
}

fn from_manifest(
    source: Arc<dyn BlobSource>,
    reference: ImageRef,
    tag: Option<String>,
    manifest_digest: Digest,
    manifest: ImageManifest,
    platform_note: Option<String>,
    opts: &ResolveOptions,
) -> Result<Image, OciError> {
    let name = reference.to_string();
    let config_digest: Digest = manifest.config().digest().to_string().parse()?;
    let what = format!("config {config_digest} of {name}");
    let bytes = read_verified(
        source.open(&config_digest)?,
        &config_digest,
        Some(manifest.config().size()),
        &what,
        MAX_CONFIG_BYTES,
    )?;
    let config: ImageConfig = serde_json::from_slice(&bytes).map_err(|source| OciError::Json {
        what: what.clone(),
        source,
    })?;
    check_platform(&config, opts, &name)?;
    let mut layers = Vec::new();
    for (index, l) in manifest.layers().iter().enumerate() {
        let media_type = l.media_type().to_string();
        let what = format!("layer {index} ({}) of {name}", l.digest());
        layers.push(LayerRef {
            index,
            digest: l.digest().to_string().parse()?,
            size: Some(l.size()),
            compression: Compression::from_media_type(&media_type, &what)?,
            media_type,
            diff_id: config
                .rootfs
                .diff_ids
                .get(index)
                .and_then(|d| d.parse().ok()),
        });
    }
    if !config.rootfs.diff_ids.is_empty() && config.rootfs.diff_ids.len() != layers.len() {
        return Err(OciError::Layout {
            image: name,
            why: format!(
                "manifest lists {} layers but the config's rootfs has {} diff_ids",
                layers.len(),
                config.rootfs.diff_ids.len()
            ),
        });
    }
    Ok(Image {
        reference,
        manifest_digest: Some(manifest_digest),
        index_digest: None,
        config_digest,
        config,
        layers,
        tag,
        platform_note,
        source,
    })
}

pub(crate) fn check_platform(
    config: &ImageConfig,
    opts: &ResolveOptions,
    name: &str,
) -> Result<(), OciError> {
    if opts.platform_explicit
        && !config.os.is_empty()
        && !opts
            .platform
            .matches(&config.os, &config.architecture, config.variant.as_deref())
    {
        let have = match &config.variant {
            Some(v) => format!("{}/{}/{v}", config.os, config.architecture),
            None => format!("{}/{}", config.os, config.architecture),
        };
        return Err(OciError::NoPlatform {
            image: name.to_string(),
            wanted: opts.platform.to_string(),
            available: have,
        });
    }
    Ok(())
}
