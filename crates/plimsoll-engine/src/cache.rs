//! Per-layer analysis results on disk, keyed by layer digest, analyser name
//! and analyser version. A layer shared by many images is analysed once.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use plimsoll_oci::Digest;

const MAGIC: &[u8] = b"plimsoll-cache-1\n";

/// A cache directory (by default the user's cache dir + `plimsoll`).
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// `$PLIMSOLL_CACHE_DIR`, else the platform cache dir (`~/.cache/plimsoll`).
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("PLIMSOLL_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|d| d.join("plimsoll")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, layer: &Digest, name: &str, version: u32) -> PathBuf {
        self.dir
            .join("layers")
            .join(layer.algorithm())
            .join(layer.hex())
            .join(format!("{name}.v{version}.bin"))
    }

    /// The cached bytes, or None if absent or unreadable (a damaged entry is
    /// treated as a miss and rewritten).
    pub fn get(&self, layer: &Digest, name: &str, version: u32) -> Option<Vec<u8>> {
        let bytes = fs::read(self.path(layer, name, version)).ok()?;
        bytes.strip_prefix(MAGIC).map(<[u8]>::to_vec)
    }

    /// Stores atomically (write to a temporary file, then rename), so a crash
    /// or a concurrent scan never leaves a half-written entry.
    pub fn put(
        &self,
        layer: &Digest,
        name: &str,
        version: u32,
        data: &[u8],
    ) -> std::io::Result<()> {
        let path = self.path(layer, name, version);
        let parent = path.parent().expect("cache paths have parents");
        fs::create_dir_all(parent)?;
        let mut tmp = tempfile_in(parent)?;
        tmp.1.write_all(MAGIC)?;
        tmp.1.write_all(data)?;
        tmp.1.sync_data().ok();
        drop(tmp.1);
        fs::rename(&tmp.0, &path)
    }

    /// Removes every cached entry; returns the bytes freed.
    pub fn clean(&self) -> std::io::Result<u64> {
        let layers = self.dir.join("layers");
        let freed = dir_size(&layers);
        match fs::remove_dir_all(&layers) {
            Ok(()) => Ok(freed),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        }
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    for attempt in 0..100u32 {
        let name = format!(
            ".tmp-{}-{attempt}-{:?}",
            std::process::id(),
            std::thread::current().id()
        );
        let path = dir.join(name.replace(['(', ')'], ""));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "could not create a temporary cache file",
    ))
}

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = fs::read_dir(p) else { return 0 };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}
