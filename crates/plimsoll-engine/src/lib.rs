//! The image engine: every layer of an image streamed once, verified,
//! decompressed and walked without extraction, in parallel, feeding every
//! registered analyser in the same pass. Per-layer results are cached by
//! (layer digest, analyser, version), so a rescan, or another image sharing
//! a base, does not read those layers again.

mod analyzer;
mod cache;
mod files;
mod tree;
mod walk;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use plimsoll_oci::{Digest, Image, LayerRef};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use analyzer::{Analyzer, Entry, EntryKind, LayerVisitor};
pub use cache::Cache;
pub use files::{FileEntry, FileEntryRef, FileList, FileLists, LayerEntries};
pub use tree::{Efficiency, FileTree, Files, Inefficiency, Iter, LayerChanges, Node, SymlinkLoop};
pub use walk::WalkError;

use analyzer::DynAnalyzer;

/// Default cap on the decompressed bytes of one image: far above any real
/// image, far below what a decompression bomb would make us chew on.
pub const DEFAULT_MAX_UNCOMPRESSED: u64 = 64 * 1024 * 1024 * 1024;

/// An engine failure, naming the image and layer.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{image}: layer {index} ({digest})")]
    Layer {
        image: String,
        index: usize,
        digest: Digest,
        #[source]
        source: Box<WalkError>,
    },
    /// A layer's cached facts do not decode (a corrupt or foreign cache
    /// entry): the user clears the cache or scans without it.
    #[error(
        "{image}: cached facts of analyser '{analyzer}' for layer {digest} are unreadable: {why}; \
         run `plimsoll cache clean` (or scan with --no-cache)"
    )]
    Facts {
        image: String,
        analyzer: &'static str,
        digest: Digest,
        why: String,
    },
    #[error("analyser '{0}' was not registered with the engine")]
    NotRegistered(&'static str),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// The most worker threads a scan starts (`--threads`): more only costs
/// memory (each has its own stack and decompressor), and a huge number
/// makes thread creation itself fail.
pub const MAX_THREADS: usize = 256;

/// `threads` as `--threads` takes it: 0 (one per CPU) to [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> Result<(), EngineError> {
    if threads > MAX_THREADS {
        return Err(EngineError::Threads(format!(
            "{threads} threads asked for; at most {MAX_THREADS} (0: one per CPU)"
        )));
    }
    Ok(())
}

/// Sizes seen while reading a layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerStats {
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    pub entries: u64,
    /// The verified digest of the uncompressed tar, when known.
    pub diff_id: Option<String>,
}

/// Hooks for a progress display. Called from worker threads.
pub trait Progress: Sync {
    fn layer_started(&self, _layer: &LayerRef) {}
    fn bytes(&self, _compressed: u64) {}
    fn layer_finished(&self, _layer: &LayerRef, _from_cache: bool) {}
}

/// No progress display.
pub struct NoProgress;
impl Progress for NoProgress {}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// None disables the cache (`--no-cache`).
    pub cache: Option<Cache>,
    /// Worker threads; 0 means one per CPU.
    pub threads: usize,
    /// Cap on decompressed bytes over all layers of one image.
    pub max_uncompressed_bytes: u64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            cache: Cache::default_dir().map(Cache::new),
            threads: 0,
            max_uncompressed_bytes: DEFAULT_MAX_UNCOMPRESSED,
        }
    }
}

/// Reads images and runs analysers over their layers.
pub struct Engine {
    options: EngineOptions,
    analyzers: Vec<Box<dyn DynAnalyzer>>,
}

/// One layer's results.
#[derive(Debug, Clone)]
pub struct LayerScan {
    pub layer: LayerRef,
    pub stats: LayerStats,
    /// True when nothing had to be read: every analyser's facts came from the cache.
    pub from_cache: bool,
    facts: HashMap<&'static str, Vec<u8>>,
}

/// Everything the engine learnt about an image.
#[derive(Debug, Clone)]
pub struct Scan {
    pub image_name: String,
    /// True when the scan read a directory (`dir:`) instead of image
    /// layers: catalogers of declared dependencies (lock files) report
    /// only then, as syft's directory scans do.
    pub directory: bool,
    pub layers: Vec<LayerScan>,
    pub elapsed: std::time::Duration,
}

impl Scan {
    /// The facts `A` produced for each layer, bottom layer first.
    pub fn facts<A: Analyzer>(&self) -> Result<Vec<A::Facts>, EngineError> {
        self.layers
            .iter()
            .map(|l| {
                let bytes = l
                    .facts
                    .get(A::NAME)
                    .ok_or(EngineError::NotRegistered(A::NAME))?;
                postcard::from_bytes(bytes).map_err(|e| EngineError::Facts {
                    image: self.image_name.clone(),
                    analyzer: A::NAME,
                    digest: l.layer.digest.clone(),
                    why: e.to_string(),
                })
            })
            .collect()
    }

    /// Every layer's file list, read in place from the scan's facts
    /// (always available: the engine always lists files).
    pub fn file_lists(&self) -> Result<FileLists<'_>, EngineError> {
        let mut encoded = Vec::with_capacity(self.layers.len());
        for l in &self.layers {
            let bytes = l
                .facts
                .get(FileList::NAME)
                .ok_or(EngineError::NotRegistered(FileList::NAME))?;
            encoded.push(std::borrow::Cow::Borrowed(bytes.as_slice()));
        }
        FileLists::from_encoded(encoded).map_err(|(i, e)| EngineError::Facts {
            image: self.image_name.clone(),
            analyzer: FileList::NAME,
            digest: self.layers[i].layer.digest.clone(),
            why: e.to_string(),
        })
    }

    /// The merged file tree.
    pub fn file_tree(&self) -> Result<FileTree, EngineError> {
        Ok(FileTree::build(&self.file_lists()?))
    }
}

const META: &str = "layer-stats";
const META_VERSION: u32 = 2;

impl Engine {
    /// An engine with the built-in file lister registered.
    pub fn new(options: EngineOptions) -> Self {
        let mut engine = Engine {
            options,
            analyzers: Vec::new(),
        };
        // FileList, encoding each entry as it is seen.
        engine.analyzers.push(Box::new(files::EncodedFileList));
        engine
    }

    /// Adds an analyser to the single pass.
    pub fn register<A: Analyzer>(&mut self, analyzer: A) {
        self.analyzers.push(Box::new(analyzer));
    }

    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Reads every layer of `image` (or its cached facts) once.
    pub fn scan(&self, image: &Image, progress: &dyn Progress) -> Result<Scan, EngineError> {
        check_threads(self.options.threads)?;
        let start = Instant::now();
        let name = image.reference.to_string();
        if let Some(listing) = image.source.directory() {
            return self.scan_directory(image, &listing, start, progress);
        }
        let budget = AtomicU64::new(self.options.max_uncompressed_bytes);
        // Cached layers first, on this thread: a fully cached image (a rescan)
        // then needs no worker threads at all.
        let mut layers: Vec<Option<LayerScan>> = Vec::with_capacity(image.layers.len());
        for layer in &image.layers {
            let cached = self.cached_scan(image, layer, progress);
            if cached.is_some() {
                // A cache hit must not hide a blob that is gone or damaged.
                image
                    .source
                    .check(&layer.digest, layer.size)
                    .map_err(|e| EngineError::Layer {
                        image: name.clone(),
                        index: layer.index,
                        digest: layer.digest.clone(),
                        source: Box::new(WalkError::Oci(e)),
                    })?;
            }
            layers.push(cached);
        }
        let missing: Vec<&LayerRef> = image
            .layers
            .iter()
            .zip(&layers)
            .filter(|(_, cached)| cached.is_none())
            .map(|(layer, _)| layer)
            .collect();
        if !missing.is_empty() {
            let run = || {
                missing
                    .par_iter()
                    .with_max_len(1)
                    .map(|layer| self.read_layer(image, &name, layer, &budget, progress))
                    .collect::<Result<Vec<_>, _>>()
            };
            let read = if self.options.threads == 0 {
                run()?
            } else {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(self.options.threads)
                    .build()
                    .map_err(|e| EngineError::Threads(e.to_string()))?
                    .install(run)?
            };
            for scan in read {
                let i = scan.layer.index;
                layers[i] = Some(scan);
            }
        }
        let layers = layers
            .into_iter()
            .map(|l| l.expect("every layer is cached or read"))
            .collect();
        Ok(Scan {
            image_name: name,
            directory: false,
            layers,
            elapsed: start.elapsed(),
        })
    }

    /// Reads one layer of `image` again for `analyzer` alone, bypassing the
    /// cache both ways: for facts that depend on more than the layer (the
    /// contents of the few files a structure test names), after a
    /// [`Engine::scan`] has said which layer holds them. The blob is
    /// verified as in a scan; for a `dir:` image, its listing is walked.
    pub fn read_layer_uncached<A: Analyzer>(
        &self,
        image: &Image,
        index: usize,
        analyzer: &A,
    ) -> Result<A::Facts, EngineError> {
        let name = image.reference.to_string();
        let layer = image.layers.get(index).ok_or_else(|| EngineError::Layer {
            image: name.clone(),
            index,
            digest: image.config_digest.clone(),
            source: Box::new(WalkError::Io(format!(
                "the image has {} layers",
                image.layers.len()
            ))),
        })?;
        let layer_err = |source| EngineError::Layer {
            image: name.clone(),
            index,
            digest: layer.digest.clone(),
            source: Box::new(source),
        };
        let analyzers: [&dyn DynAnalyzer; 1] = [analyzer];
        let out = if let Some(listing) = image.source.directory() {
            walk::walk_directory(&listing, &analyzers).map_err(layer_err)?
        } else {
            let budget = AtomicU64::new(self.options.max_uncompressed_bytes);
            let raw = image
                .source
                .open(&layer.digest)
                .map_err(|e| layer_err(WalkError::Oci(e)))?;
            walk::walk_layer(
                layer,
                raw,
                "layer blob".to_string(),
                &analyzers,
                &budget,
                self.options.max_uncompressed_bytes,
                &NoProgress,
            )
            .map_err(layer_err)?
        };
        let bytes = out.facts.into_iter().next().unwrap_or_default();
        postcard::from_bytes(&bytes).map_err(|e| EngineError::Facts {
            image: name.clone(),
            analyzer: A::NAME,
            digest: layer.digest.clone(),
            why: e.to_string(),
        })
    }

    /// A `dir:` image: its one layer is the listed directory, read afresh
    /// every time (a directory has no digest to cache by).
    fn scan_directory(
        &self,
        image: &Image,
        listing: &plimsoll_oci::DirListing,
        start: Instant,
        progress: &dyn Progress,
    ) -> Result<Scan, EngineError> {
        let name = image.reference.to_string();
        let layer = image.layers.first().ok_or_else(|| EngineError::Layer {
            image: name.clone(),
            index: 0,
            digest: image.config_digest.clone(),
            source: Box::new(WalkError::Io("a directory image without its layer".into())),
        })?;
        progress.layer_started(layer);
        let analyzers: Vec<&dyn DynAnalyzer> = self.analyzers.iter().map(|a| a.as_ref()).collect();
        let out =
            walk::walk_directory(listing, &analyzers).map_err(|source| EngineError::Layer {
                image: name.clone(),
                index: 0,
                digest: layer.digest.clone(),
                source: Box::new(source),
            })?;
        progress.layer_finished(layer, false);
        let facts = analyzers.iter().map(|a| a.name()).zip(out.facts).collect();
        Ok(Scan {
            image_name: name,
            directory: true,
            layers: vec![LayerScan {
                layer: layer.clone(),
                stats: out.stats,
                from_cache: false,
                facts,
            }],
            elapsed: start.elapsed(),
        })
    }

    /// The layer's scan when every analyser's facts and the stats are cached.
    fn cached_scan(
        &self,
        image: &Image,
        layer: &LayerRef,
        progress: &dyn Progress,
    ) -> Option<LayerScan> {
        let cache = self.options.cache.as_ref()?;
        // A local blob changed since it was last verified (another file under the same
        // name, a flipped byte): read and verify it again rather than trust the cache.
        if let Some(fp) = image.source.fingerprint(&layer.digest)
            && !seen_fingerprints(cache, &layer.digest).contains(&fp)
        {
            return None;
        }
        let stats = cache
            .get(&layer.digest, META, META_VERSION)
            .and_then(|b| postcard::from_bytes::<LayerStats>(&b).ok())?;
        // The same blob under a config that claims another diff_id: read it
        // again, so the mismatch is reported rather than served from cache.
        if let (Some(verified), Some(claimed)) = (&stats.diff_id, &layer.diff_id)
            && *verified != claimed.to_string()
        {
            return None;
        }
        let mut facts = HashMap::new();
        for a in &self.analyzers {
            facts.insert(a.name(), cache.get(&layer.digest, a.name(), a.version())?);
        }
        progress.layer_finished(layer, true);
        Some(LayerScan {
            layer: layer.clone(),
            stats,
            from_cache: true,
            facts,
        })
    }

    /// Reads a layer for the analysers whose facts are not cached (all of
    /// them when nothing is), keeping the cached facts of the others.
    fn read_layer(
        &self,
        image: &Image,
        name: &str,
        layer: &LayerRef,
        budget: &AtomicU64,
        progress: &dyn Progress,
    ) -> Result<LayerScan, EngineError> {
        let cache = self.options.cache.as_ref();
        let mut facts = HashMap::new();
        let mut missing: Vec<&dyn DynAnalyzer> = Vec::new();
        for a in &self.analyzers {
            match cache.and_then(|c| c.get(&layer.digest, a.name(), a.version())) {
                Some(bytes) => {
                    facts.insert(a.name(), bytes);
                }
                None => missing.push(a.as_ref()),
            }
        }
        if missing.is_empty() {
            // Only the stats were lost: re-run the cheapest analyser to get them.
            missing.push(self.analyzers[0].as_ref());
        }
        progress.layer_started(layer);
        let layer_err = |source| EngineError::Layer {
            image: name.to_string(),
            index: layer.index,
            digest: layer.digest.clone(),
            source: Box::new(source),
        };
        // Taken before reading: if the file changes while it is read, the next scan
        // sees another fingerprint and reads it again.
        let fingerprint = cache.and(image.source.fingerprint(&layer.digest));
        let raw = image
            .source
            .open(&layer.digest)
            .map_err(|e| layer_err(WalkError::Oci(e)))?;
        // The error that wraps this one already names the image, the layer and its digest.
        let label = "layer blob".to_string();
        let out = walk::walk_layer(
            layer,
            raw,
            label,
            &missing,
            budget,
            self.options.max_uncompressed_bytes,
            progress,
        )
        .map_err(layer_err)?;
        for (a, bytes) in missing.iter().zip(out.facts) {
            if let Some(c) = cache {
                // A cache that cannot be written only costs speed.
                let _ = c.put(&layer.digest, a.name(), a.version(), &bytes);
            }
            facts.insert(a.name(), bytes);
        }
        if let Some(c) = cache
            && let Ok(b) = postcard::to_stdvec(&out.stats)
        {
            let _ = c.put(&layer.digest, META, META_VERSION, &b);
        }
        if let (Some(c), Some(fp)) = (cache, fingerprint) {
            record_fingerprint(c, &layer.digest, fp);
        }
        progress.layer_finished(layer, false);
        Ok(LayerScan {
            layer: layer.clone(),
            stats: out.stats,
            from_cache: false,
            facts,
        })
    }
}

/// Cache entry: the fingerprints of local files whose bytes were verified to be the blob.
const SEEN: &str = "blob-seen";
const SEEN_VERSION: u32 = 1;
/// How many local copies of one blob are remembered (layouts sharing a base layer).
const SEEN_MAX: usize = 8;

fn seen_fingerprints(cache: &Cache, digest: &Digest) -> Vec<String> {
    cache
        .get(digest, SEEN, SEEN_VERSION)
        .and_then(|b| String::from_utf8(b).ok())
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn record_fingerprint(cache: &Cache, digest: &Digest, fp: String) {
    let mut seen = seen_fingerprints(cache, digest);
    seen.retain(|s| *s != fp);
    seen.push(fp);
    let from = seen.len().saturating_sub(SEEN_MAX);
    // A cache that cannot be written only costs speed (the blob is read next time).
    let _ = cache.put(
        digest,
        SEEN,
        SEEN_VERSION,
        seen[from..].join("\n").as_bytes(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_facts_tell_the_user_to_clean_the_cache() {
        let digest = Digest::of(b"layer");
        let msg = EngineError::Facts {
            image: "alpine:3.20".into(),
            analyzer: "files",
            digest: digest.clone(),
            why: "unexpected end of input".into(),
        }
        .to_string();
        assert_eq!(
            msg,
            format!(
                "alpine:3.20: cached facts of analyser 'files' for layer {digest} are unreadable: \
                 unexpected end of input; run `plimsoll cache clean` (or scan with --no-cache)"
            )
        );
    }
}
