//! Differences between two container images (P-I4): files, packages of
//! every SBOM type, image metadata, config history, the layers they share
//! (the common base, P-B5), size and wasted bytes.
//!
//! ```text
//! resolve(REF, options, which)        -> Image (an error names the reference)
//! session_options(engine options)    -> the options of both reads (a private cache
//!                                        under --no-cache)
//! read(engine options, image, …)      -> Side: one engine pass (file lists, file
//!                                        digests, SBOM catalogers), cached by layer
//!                                        digest, so the layers both images share are
//!                                        read once; merged tree, inventory, summary
//! diff(&side1, &side2)                -> ImageDiff
//! ImageDiff::with_vulnerabilities(…)  -> plus vulnerabilities fixed and introduced,
//!                                        from both images' matches in one database
//! ImageDiff::to_table / to_json / to_container_diff (container-diff's JSON shape)
//! ```
//!
//! Files are compared on the merged trees: kind, size, mode, owner, link
//! target and content (SHA-256, computed in the pass for files up to
//! [`MAX_HASHED`]). A file both images take from the same layer blob is the
//! same file and is not compared further. Packages are matched by type and
//! name; size and wasted bytes are the audit's figures
//! ([`plimsoll_audit::ImageReport`], dive's way of counting).

mod container_diff;
mod digests;
mod files;
mod metadata;
mod packages;
mod render;
mod vulns;

use std::time::{Duration, Instant};

use plimsoll_audit::ImageSummary;
use plimsoll_engine::{Engine, EngineOptions, FileTree, Progress};
use plimsoll_oci::{Image, ImageRef, ResolveOptions};
use plimsoll_sbom::Inventory;
use serde::Serialize;

pub use digests::{FileDigests, LayerDigests, MAX_HASHED};
pub use files::{FileChange, FileDiff, FileInfo};
pub use metadata::{HistoryDiff, MetadataChange};
pub use packages::{PackageChange, PackageDiff, PackageInfo};
pub use vulns::{VulnDiff, VulnInfo};

/// Version of the `--format json` document (`schemas/image-diff.schema.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// What stopped a diff; each names the image (and layer) it is about.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(
        "{which} image '{reference}': {source}; name it as oci:DIR[:TAG], docker-archive:FILE, \
         dir:PATH or HOST/REPO[:TAG|@DIGEST]"
    )]
    Reference {
        which: &'static str,
        reference: String,
        #[source]
        source: Box<plimsoll_oci::OciError>,
    },
    #[error(transparent)]
    Engine(#[from] plimsoll_engine::EngineError),
    #[error(transparent)]
    Sbom(#[from] plimsoll_sbom::SbomError),
}

/// Parses and resolves `reference` (manifest and config read and verified);
/// `which` ("first", "second") says which argument it was in an error.
pub fn resolve(
    reference: &str,
    options: &ResolveOptions,
    which: &'static str,
) -> Result<Image, DiffError> {
    let err = |source| DiffError::Reference {
        which,
        reference: reference.to_string(),
        source: Box::new(source),
    };
    let parsed = ImageRef::parse(reference).map_err(err)?;
    plimsoll_oci::resolve(&parsed, options).map_err(err)
}

/// The engine options for the two reads of one diff, and what keeps them
/// valid. With a cache, `options` as they are. Without one (`--no-cache`:
/// the user's cache neither used nor filled), a private cache in a new
/// temporary directory, removed when the returned guard is dropped: the
/// layers the two images share are still read once. When no temporary
/// directory can be made, no cache at all (shared layers read twice).
pub fn session_options(options: &EngineOptions) -> (EngineOptions, Option<tempfile::TempDir>) {
    if options.cache.is_some() {
        return (options.clone(), None);
    }
    match tempfile::Builder::new().prefix("plimsoll-diff-").tempdir() {
        Ok(dir) => {
            let mut private = options.clone();
            private.cache = Some(plimsoll_engine::Cache::new(dir.path()));
            (private, Some(dir))
        }
        Err(_) => (options.clone(), None),
    }
}

/// One image as the diff sees it: read once by the engine.
pub struct Side {
    pub image: Image,
    /// Sizes, layers and wasted bytes, as `plimsoll image inspect` reports them.
    pub summary: ImageSummary,
    pub tree: FileTree,
    /// Per layer, bottom first: the digest of each regular file.
    pub digests: Vec<LayerDigests>,
    pub inventory: Inventory,
    pub layers_read: usize,
    pub layers_from_cache: usize,
    pub elapsed: Duration,
}

/// Reads `image` in one engine pass with the file-digest analyser and every
/// SBOM cataloger. With a cache in `options`, each layer's facts are kept by
/// layer digest: the second image of a diff reads only the layers the first
/// did not have.
pub fn read(
    options: &EngineOptions,
    image: Image,
    progress: &dyn Progress,
) -> Result<Side, DiffError> {
    let start = Instant::now();
    let mut engine = Engine::new(options.clone());
    engine.register(FileDigests);
    plimsoll_sbom::register(&mut engine);
    let scan = engine.scan(&image, progress)?;
    let lists = scan.file_lists()?;
    let tree = FileTree::build(&lists);
    let inventory = plimsoll_sbom::catalog_with(&scan, &lists, &tree)?;
    drop(lists);
    let digests = scan.facts::<FileDigests>()?;
    let summary = plimsoll_audit::ImageReport::new(&image, &scan, &tree, Vec::new()).image;
    let layers_from_cache = scan.layers.iter().filter(|l| l.from_cache).count();
    Ok(Side {
        layers_read: scan.layers.len() - layers_from_cache,
        layers_from_cache,
        image,
        summary,
        tree,
        digests,
        inventory,
        elapsed: start.elapsed(),
    })
}

/// An image as the diff names it.
#[derive(Debug, Clone, Serialize)]
pub struct ImageIdentity {
    /// The reference as given.
    pub reference: String,
    /// The manifest digest (config digest for a legacy docker archive).
    pub digest: String,
    pub platform: String,
}

/// One layer, as the layer comparison lists it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    pub index: usize,
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    pub compressed_bytes: u64,
    /// Sum of the sizes of the layer's files.
    pub files_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// The layers: the common bottom (the base both images are built on) and
/// what each has above it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerDiff {
    /// How many bottom layers the images share (same diff_id, or the same
    /// blob digest where a diff_id is missing), in order.
    pub shared: usize,
    pub shared_layers: Vec<LayerInfo>,
    pub only_image1: Vec<LayerInfo>,
    pub only_image2: Vec<LayerInfo>,
}

/// An image's sizes; `wasted_bytes` and `efficiency` as the audit counts them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizes {
    pub layers: usize,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    /// Files of the final image and the sum of their sizes.
    pub files: usize,
    pub files_bytes: u64,
    pub wasted_bytes: u64,
    pub efficiency: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SizeDiff {
    pub image1: Sizes,
    pub image2: Sizes,
}

/// How the two images were read.
#[derive(Debug, Clone, Serialize)]
pub struct ReadStats {
    pub layers_read: usize,
    pub layers_from_cache: usize,
    pub elapsed_ms: u64,
}

/// Everything that differs between two images (`--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct ImageDiff {
    pub schema_version: u32,
    pub image1: ImageIdentity,
    pub image2: ImageIdentity,
    /// No difference in files, packages, metadata or history.
    pub identical: bool,
    pub layers: LayerDiff,
    pub size: SizeDiff,
    pub metadata: Vec<MetadataChange>,
    pub history: HistoryDiff,
    pub packages: PackageDiff,
    pub files: FileDiff,
    /// With an advisory database: vulnerabilities fixed and introduced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<VulnDiff>,
    pub read: ReadStats,
    /// container-diff's metadata lines only in the second image (`added`)
    /// or the first (`removed`).
    #[serde(skip)]
    pub container_diff_metadata: HistoryDiff,
}

/// Compares two images read by [`read`].
pub fn diff(a: &Side, b: &Side) -> ImageDiff {
    let files = files::diff(a, b);
    let packages = packages::diff(a, b);
    let metadata = metadata::diff(&a.image.config.config, &b.image.config.config);
    let history = metadata::history(&a.image, &b.image);
    let (cd_added, cd_removed) = metadata::sequence_diff(
        &metadata::container_diff_lines(&a.image.config.config),
        &metadata::container_diff_lines(&b.image.config.config),
    );
    let identical =
        files.is_empty() && packages.is_empty() && metadata.is_empty() && history.is_empty();
    ImageDiff {
        schema_version: SCHEMA_VERSION,
        image1: identity(a),
        image2: identity(b),
        identical,
        layers: layers(a, b),
        size: SizeDiff {
            image1: sizes(a),
            image2: sizes(b),
        },
        metadata,
        history,
        packages,
        files,
        vulnerabilities: None,
        read: ReadStats {
            layers_read: a.layers_read + b.layers_read,
            layers_from_cache: a.layers_from_cache + b.layers_from_cache,
            elapsed_ms: (a.elapsed + b.elapsed).as_millis() as u64,
        },
        container_diff_metadata: HistoryDiff {
            added: cd_added,
            removed: cd_removed,
        },
    }
}

impl ImageDiff {
    /// The diff with the vulnerabilities image 2 fixes and introduces,
    /// given each image's matches (`a`: image 1) against `database`.
    pub fn with_vulnerabilities(
        mut self,
        database: &str,
        a: &plimsoll_vuln::findings::VulnReport,
        b: &plimsoll_vuln::findings::VulnReport,
    ) -> ImageDiff {
        self.vulnerabilities = Some(vulns::diff(database, a, b));
        self
    }
}

fn identity(s: &Side) -> ImageIdentity {
    ImageIdentity {
        reference: s.summary.reference.clone(),
        digest: s.summary.digest.clone(),
        platform: s.summary.platform.clone(),
    }
}

fn sizes(s: &Side) -> Sizes {
    let e = &s.summary.efficiency;
    Sizes {
        layers: s.summary.layers.len(),
        compressed_bytes: s.summary.compressed_bytes,
        uncompressed_bytes: s.summary.uncompressed_bytes,
        files: s.summary.files,
        files_bytes: s.tree.files.values().map(|n| n.size).sum(),
        wasted_bytes: e.wasted_bytes,
        efficiency: e.score,
    }
}

/// The identity of layer `i` of `s`: its diff_id, else its blob digest.
fn layer_key(s: &Side, i: usize) -> Option<String> {
    let l = s.image.layers.get(i)?;
    Some(
        l.diff_id
            .as_ref()
            .map_or_else(|| l.digest.to_string(), ToString::to_string),
    )
}

/// How many bottom layers `a` and `b` share.
pub fn shared_prefix(a: &Side, b: &Side) -> usize {
    (0..a.image.layers.len().min(b.image.layers.len()))
        .take_while(|&i| layer_key(a, i) == layer_key(b, i))
        .count()
}

fn layer_info(s: &Side, i: usize) -> Option<LayerInfo> {
    let l = s.summary.layers.get(i)?;
    Some(LayerInfo {
        index: l.index,
        digest: l.digest.clone(),
        diff_id: l.diff_id.clone(),
        compressed_bytes: l.compressed_bytes,
        files_bytes: l.files_bytes,
        created_by: l.created_by.clone(),
    })
}

fn layers(a: &Side, b: &Side) -> LayerDiff {
    let shared = shared_prefix(a, b);
    let infos = |s: &Side, from: usize, to: usize| -> Vec<LayerInfo> {
        (from..to).filter_map(|i| layer_info(s, i)).collect()
    };
    LayerDiff {
        shared,
        shared_layers: infos(a, 0, shared),
        only_image1: infos(a, shared, a.summary.layers.len()),
        only_image2: infos(b, shared, b.summary.layers.len()),
    }
}
