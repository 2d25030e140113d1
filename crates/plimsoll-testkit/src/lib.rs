//! Builds small, real images for tests: layer tars made entry by entry
//! (including whiteouts and hostile names the `tar` crate's safe API would
//! refuse), compressed with gzip or zstd or not at all, written as OCI image
//! layouts or `docker save` archives with correct digests — or, on purpose,
//! with broken ones.

pub mod cli;
pub mod fileserver;
pub mod http;
pub mod osv;
pub mod postgres;
pub mod registry;
pub mod rule_files;

use std::io::Write;
use std::path::{Path, PathBuf};

use plimsoll_engine::{Engine, EngineOptions, NoProgress, Scan};
use plimsoll_oci::{Image, ImageRef, ResolveOptions};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// A deterministic random-looking string over `alphabet`: tests plant secrets made with it,
/// so that no literal in the sources looks like a live key.
pub fn rnd(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

/// Letters and digits, for [`rnd`].
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// One tar entry.
#[derive(Debug, Clone)]
pub enum Item {
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
        uid: u64,
        gid: u64,
    },
    Dir {
        path: String,
        mode: u32,
    },
    Symlink {
        path: String,
        target: String,
    },
    Hardlink {
        path: String,
        target: String,
    },
    /// Any entry type byte with raw data (PAX headers, GNU long names...).
    Raw {
        name: String,
        kind: u8,
        data: Vec<u8>,
    },
}

pub fn file(path: &str, data: impl AsRef<[u8]>) -> Item {
    Item::File {
        path: path.into(),
        data: data.as_ref().to_vec(),
        mode: 0o644,
        uid: 0,
        gid: 0,
    }
}

pub fn file_mode(path: &str, data: impl AsRef<[u8]>, mode: u32, uid: u64) -> Item {
    Item::File {
        path: path.into(),
        data: data.as_ref().to_vec(),
        mode,
        uid,
        gid: uid,
    }
}

pub fn dir(path: &str) -> Item {
    Item::Dir {
        path: path.into(),
        mode: 0o755,
    }
}

pub fn symlink(path: &str, target: &str) -> Item {
    Item::Symlink {
        path: path.into(),
        target: target.into(),
    }
}

/// A whiteout deleting `path` from lower layers.
pub fn whiteout(path: &str) -> Item {
    let (d, b) = path.rsplit_once('/').unwrap_or(("", path));
    let p = if d.is_empty() {
        format!(".wh.{b}")
    } else {
        format!("{d}/.wh.{b}")
    };
    file(&p, b"")
}

/// Writes a raw tar header + data; the name goes in verbatim (so `../x` and
/// `/etc/x` can be produced).
fn push_raw(
    out: &mut Vec<u8>,
    name: &str,
    kind: tar::EntryType,
    mode: u32,
    (uid, gid): (u64, u64),
    link: Option<&str>,
    data: &[u8],
) {
    let mut h = tar::Header::new_gnu();
    {
        let raw = h.as_old_mut();
        let bytes = name.as_bytes();
        assert!(bytes.len() < 100, "test names stay short");
        raw.name[..bytes.len()].copy_from_slice(bytes);
        if let Some(l) = link {
            raw.linkname[..l.len()].copy_from_slice(l.as_bytes());
        }
    }
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(uid);
    h.set_gid(gid);
    h.set_size(data.len() as u64);
    h.set_mtime(0);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad));
}

/// An uncompressed layer tar of `items`, in order.
pub fn layer_tar(items: &[Item]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::File {
                path,
                data,
                mode,
                uid,
                gid,
            } => push_raw(
                &mut out,
                path,
                tar::EntryType::Regular,
                *mode,
                (*uid, *gid),
                None,
                data,
            ),
            Item::Raw { name, kind, data } => push_raw(
                &mut out,
                name,
                tar::EntryType::new(*kind),
                0o644,
                (0, 0),
                None,
                data,
            ),
            Item::Dir { path, mode } => push_raw(
                &mut out,
                &format!("{path}/"),
                tar::EntryType::Directory,
                *mode,
                (0, 0),
                None,
                b"",
            ),
            Item::Symlink { path, target } => push_raw(
                &mut out,
                path,
                tar::EntryType::Symlink,
                0o777,
                (0, 0),
                Some(target),
                b"",
            ),
            Item::Hardlink { path, target } => push_raw(
                &mut out,
                path,
                tar::EntryType::Link,
                0o644,
                (0, 0),
                Some(target),
                b"",
            ),
        }
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    /// `tar` as one zstd frame that declares a 2 GiB window (`zstd --long=31` on a
    /// stream): valid zstd that a decoder with the default window limit refuses.
    pub fn zstd_long_window(tar: &[u8]) -> Vec<u8> {
        let mut e = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
        e.window_log(31).unwrap();
        e.long_distance_matching(true).unwrap();
        std::io::Write::write_all(&mut e, tar).unwrap();
        e.finish().unwrap()
    }

    pub fn compress(self, tar: &[u8]) -> Vec<u8> {
        match self {
            Compression::None => tar.to_vec(),
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(tar).unwrap();
                e.finish().unwrap()
            }
            Compression::Zstd => zstd::encode_all(tar, 3).unwrap(),
        }
    }
}

/// A layer ready to write: its blob bytes, media type and diff_id.
#[derive(Debug, Clone)]
pub struct Layer {
    pub blob: Vec<u8>,
    pub media_type: String,
    pub diff_id: String,
    pub created_by: String,
}

impl Layer {
    pub fn new(items: &[Item], compression: Compression) -> Self {
        let tar = layer_tar(items);
        Layer {
            diff_id: sha256(&tar),
            blob: compression.compress(&tar),
            media_type: compression.media_type().into(),
            created_by: "test layer".into(),
        }
    }

    /// A layer whose blob is exactly `blob` (for corrupt-content tests).
    pub fn raw(blob: Vec<u8>, media_type: &str) -> Self {
        Layer {
            diff_id: sha256(&blob),
            blob,
            media_type: media_type.into(),
            created_by: "raw layer".into(),
        }
    }

    pub fn created_by(mut self, s: &str) -> Self {
        self.created_by = s.into();
        self
    }
}

/// An image: its layers and the `config` object of its config.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub layers: Vec<Layer>,
    /// Docker/OCI run config (`User`, `Cmd`, …).
    pub config: Value,
    pub architecture: String,
    pub extra_history: Vec<String>,
}

impl ImageSpec {
    pub fn new(layers: Vec<Layer>) -> Self {
        ImageSpec {
            layers,
            config: json!({}),
            architecture: "amd64".into(),
            extra_history: Vec::new(),
        }
    }

    pub fn config(mut self, config: Value) -> Self {
        self.config = config;
        self
    }

    pub fn config_json(&self) -> Vec<u8> {
        let mut history: Vec<Value> = self
            .layers
            .iter()
            .map(|l| json!({"created_by": l.created_by}))
            .collect();
        for h in &self.extra_history {
            history.push(json!({"created_by": h, "empty_layer": true}));
        }
        serde_json::to_vec(&json!({
            "architecture": self.architecture,
            "os": "linux",
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": self.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
            "history": history,
        }))
        .unwrap()
    }
}

/// Writes blobs into an OCI layout directory.
pub struct Layout {
    pub dir: PathBuf,
    pub manifests: Vec<Value>,
}

impl Layout {
    pub fn new(dir: &Path) -> Self {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout {
            dir: dir.to_path_buf(),
            manifests: Vec::new(),
        }
    }

    pub fn blob_path(&self, digest: &str) -> PathBuf {
        self.dir
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    }

    /// Stores a blob; returns its digest.
    pub fn put(&self, data: &[u8]) -> String {
        let d = sha256(data);
        std::fs::write(self.blob_path(&d), data).unwrap();
        d
    }

    /// Stores an image's blobs and manifest; returns (manifest digest, size).
    pub fn put_image(&self, spec: &ImageSpec) -> (String, usize) {
        let config = spec.config_json();
        let config_digest = self.put(&config);
        let layers: Vec<Value> = spec
            .layers
            .iter()
            .map(|l| {
                let d = self.put(&l.blob);
                json!({"mediaType": l.media_type, "digest": d, "size": l.blob.len()})
            })
            .collect();
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": layers,
        }))
        .unwrap();
        (self.put(&manifest), manifest.len())
    }

    /// Adds an image to index.json under `tag`.
    pub fn add(&mut self, spec: &ImageSpec, tag: &str) -> String {
        let (digest, size) = self.put_image(spec);
        self.manifests.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest, "size": size,
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
        self.write_index();
        digest
    }

    /// Adds a multi-platform image index under `tag`.
    pub fn add_index(&mut self, images: &[(&ImageSpec, &str, &str)], tag: &str) -> String {
        let entries: Vec<Value> = images
            .iter()
            .map(|(spec, os, arch)| {
                let (d, s) = self.put_image(spec);
                json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": s,
                       "platform": {"os": os, "architecture": arch}})
            })
            .collect();
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        }))
        .unwrap();
        let digest = self.put(&index);
        self.manifests.push(json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": digest, "size": index.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
        self.write_index();
        digest
    }

    fn write_index(&self) {
        std::fs::write(
            self.dir.join("index.json"),
            serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": self.manifests})).unwrap(),
        )
        .unwrap();
    }
}

/// Writes a legacy `docker save` archive (manifest.json, `<id>/layer.tar`,
/// `<config digest>.json`); layers must be uncompressed.
pub fn docker_archive(path: &Path, spec: &ImageSpec, repo_tag: &str) {
    let mut out = Vec::new();
    let config = spec.config_json();
    let config_name = format!("{}.json", sha256(&config).trim_start_matches("sha256:"));
    push_raw(
        &mut out,
        &config_name,
        tar::EntryType::Regular,
        0o644,
        (0, 0),
        None,
        &config,
    );
    let mut layer_names = Vec::new();
    for (i, l) in spec.layers.iter().enumerate() {
        let name = format!("{:064x}/layer.tar", i + 1);
        push_raw(
            &mut out,
            &format!("{:064x}/", i + 1),
            tar::EntryType::Directory,
            0o755,
            (0, 0),
            None,
            b"",
        );
        push_raw(
            &mut out,
            &name,
            tar::EntryType::Regular,
            0o644,
            (0, 0),
            None,
            &l.blob,
        );
        layer_names.push(name);
    }
    let manifest = serde_json::to_vec(&json!([{
        "Config": config_name, "RepoTags": [repo_tag], "Layers": layer_names,
    }]))
    .unwrap();
    push_raw(
        &mut out,
        "manifest.json",
        tar::EntryType::Regular,
        0o644,
        (0, 0),
        None,
        &manifest,
    );
    out.extend(std::iter::repeat_n(0u8, 1024));
    std::fs::write(path, out).unwrap();
}

/// Resolves `reference` (`oci:<dir>:<tag>`, `docker-archive:<file>`...)
/// as a command does before it scans.
pub fn resolve(reference: &str) -> Image {
    let parsed =
        ImageRef::parse(reference).unwrap_or_else(|e| panic!("reference {reference}: {e}"));
    plimsoll_oci::resolve(&parsed, &ResolveOptions::default())
        .unwrap_or_else(|e| panic!("resolving {reference}: {e}"))
}

/// Scans a resolved image with the analyzers `register` adds, without a
/// cache, so every run reads the layers.
pub fn scan_resolved(image: &Image, register: impl FnOnce(&mut Engine)) -> Scan {
    let mut engine = Engine::new(EngineOptions {
        cache: None,
        ..Default::default()
    });
    register(&mut engine);
    engine
        .scan(image, &NoProgress)
        .unwrap_or_else(|e| panic!("scanning {}: {e}", image.reference))
}

/// Scans `reference` (`oci:<dir>:<tag>`, `docker-archive:<file>`...) with
/// the analyzers `register` adds, without a cache, so every run reads the
/// layers.
pub fn scan_image(reference: &str, register: impl FnOnce(&mut Engine)) -> Scan {
    scan_resolved(&resolve(reference), register)
}

/// An image written as a temporary OCI layout and resolved: what a command
/// has in hand before it scans. The layout lives as long as this value.
pub struct BuiltImage {
    /// `oci:<dir>:<tag>`.
    pub reference: String,
    pub image: Image,
    _dir: tempfile::TempDir,
}

impl BuiltImage {
    /// Writes `spec` as a temporary OCI layout under `tag` and resolves it.
    pub fn new(spec: &ImageSpec, tag: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Layout::new(dir.path()).add(spec, tag);
        let reference = format!("oci:{}:{tag}", dir.path().display());
        BuiltImage {
            image: resolve(&reference),
            reference,
            _dir: dir,
        }
    }

    /// Scans the image with the analyzers `register` adds ([`scan_resolved`]).
    pub fn scan(&self, register: impl FnOnce(&mut Engine)) -> Scan {
        scan_resolved(&self.image, register)
    }
}

/// Builds an image of `layers` (bottom first, gzip) as a temporary OCI
/// layout and scans it with [`scan_image`]; e.g.
/// `scan_layers(vec![vec![file("etc/os-release", "ID=debian\n")]], plimsoll_sbom::register)`.
pub fn scan_layers(layers: Vec<Vec<Item>>, register: impl FnOnce(&mut Engine)) -> Scan {
    let layers = layers
        .iter()
        .map(|items| Layer::new(items, Compression::Gzip))
        .collect();
    BuiltImage::new(&ImageSpec::new(layers), "t").scan(register)
}

/// A folder of the shared test data (`$PLIMSOLL_SHARED/testdata/<sub>`, by
/// default `../shared` beside the repository); panics with a clear message
/// when it is missing, so a corpus suite never passes by skipping.
pub fn shared_testdata(sub: &str) -> PathBuf {
    let shared = std::env::var_os("PLIMSOLL_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let dir = shared.join("testdata").join(sub);
    assert!(
        dir.is_dir(),
        "{} is missing: set PLIMSOLL_SHARED to the shared checkout (scripts/test-all.sh)",
        dir.display()
    );
    dir
}

/// Every `*.Dockerfile` of the shared Dockerfile corpus, sorted.
pub fn dockerfile_corpus() -> Vec<PathBuf> {
    let dir = shared_testdata("dockerfiles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".Dockerfile"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.Dockerfile in {}", dir.display());
    files
}

/// A Debian 12 image whose dpkg database holds libc6 (source glibc) at
/// `glibc`, running as `user` (None: no `User`, so root), one gzip layer.
pub fn debian_glibc_image(glibc: &str, user: Option<&str>) -> ImageSpec {
    let layer = Layer::new(
        &[
            dir("etc"),
            file(
                "etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
            ),
            file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            dir("var"),
            dir("var/lib"),
            dir("var/lib/dpkg"),
            file(
                "var/lib/dpkg/status",
                format!(
                    "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n\
                     Source: glibc\nVersion: {glibc}\n"
                ),
            ),
        ],
        Compression::Gzip,
    );
    let mut config = json!({"Cmd": ["/bin/sh"]});
    if let Some(u) = user {
        config["User"] = json!(u);
    }
    ImageSpec::new(vec![layer]).config(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_engine::{EntryKind, FileList};

    #[test]
    fn scan_layers_reads_every_layer_bottom_first() {
        let scan = scan_layers(
            vec![
                vec![file("etc/a", "a"), file("etc/b", "b")],
                vec![whiteout("etc/a")],
            ],
            |_| {},
        );
        let lists = scan.facts::<FileList>().unwrap();
        let entries: Vec<Vec<(&str, EntryKind)>> = lists
            .iter()
            .map(|l| l.iter().map(|e| (e.path.as_str(), e.kind)).collect())
            .collect();
        assert_eq!(
            entries,
            [
                vec![("etc/a", EntryKind::File), ("etc/b", EntryKind::File)],
                vec![("etc/a", EntryKind::Whiteout)],
            ]
        );
    }
}
