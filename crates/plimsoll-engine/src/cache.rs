//! Per-layer analysis results on disk, keyed by layer digest, analyser name
//! and analyser version. A layer shared by many images is analysed once.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use plimsoll_oci::Digest;

const MAGIC: &[u8] = b"plimsoll-cache-2\n";

/// Bumped when the engine's walk changes what any analyser sees (entry
/// mapping, whiteouts, limits): every cached fact is then stale.
pub const ENGINE_VERSION: u32 = 2;

/// FNV-1a, 64 bits: cheap enough for the warm path, enough to tell a
/// damaged entry from a good one (the rename makes torn writes impossible;
/// this catches disk damage and stray edits).
fn checksum(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

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

    /// Whether the cache can be used: its path is a directory, or does not exist yet (it is
    /// created on the first write) under a directory. A cache that cannot be written
    /// otherwise fails silently entry by entry (it only costs speed), so callers check this
    /// once and say so.
    pub fn check_dir(&self) -> std::io::Result<()> {
        let not_dir = |p: &Path| {
            std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} exists and is not a directory", p.display()),
            )
        };
        for p in self.dir.ancestors() {
            match fs::metadata(p) {
                Ok(m) if m.is_dir() => return Ok(()),
                Ok(_) => return Err(not_dir(p)),
                Err(_) => continue,
            }
        }
        Ok(())
    }

    fn path(&self, layer: &Digest, name: &str, version: u32) -> PathBuf {
        self.dir
            .join("layers")
            .join(format!("engine-v{ENGINE_VERSION}"))
            .join(layer.algorithm())
            .join(layer.hex())
            .join(format!("{name}.v{version}.bin"))
    }

    /// The cached bytes, or None if absent or unreadable (a damaged entry is
    /// treated as a miss and rewritten).
    pub fn get(&self, layer: &Digest, name: &str, version: u32) -> Option<Vec<u8>> {
        let bytes = fs::read(self.path(layer, name, version)).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        let (sum, data) = rest.split_at_checked(8)?;
        (u64::from_le_bytes(sum.try_into().ok()?) == checksum(data)).then(|| data.to_vec())
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
        tmp.1.write_all(&checksum(data).to_le_bytes())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let d = Digest::of(b"layer");
        cache.put(&d, "files", 1, b"facts").unwrap();
        assert_eq!(cache.get(&d, "files", 1).as_deref(), Some(&b"facts"[..]));
        assert_eq!(cache.get(&d, "files", 2), None, "other version");
        let path = cache.path(&d, "files", 1);
        let mut bytes = fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 1] ^= 1;
        fs::write(&path, bytes).unwrap();
        assert_eq!(cache.get(&d, "files", 1), None);
        fs::write(&path, b"junk").unwrap();
        assert_eq!(cache.get(&d, "files", 1), None);
    }
}
