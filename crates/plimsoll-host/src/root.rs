//! The audited filesystem: every path the checks name is a path on the host
//! (`/etc/docker/daemon.json`), read under `--root`. Symbolic links are
//! followed inside the root, as a `chroot` would: a link to `/etc/x` means
//! `ROOT/etc/x`, `..` stops at the root, and a chain longer than 40 links
//! (the kernel's limit) is a loop.

use std::collections::VecDeque;
use std::fs::Metadata;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use crate::HostError;

/// The largest file read (configuration files are a few kilobytes).
const MAX_FILE: u64 = 16 << 20;

/// The kernel's limit on symbolic links followed in one lookup.
const MAX_LINKS: usize = 40;

/// A host filesystem mounted at a directory.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
}

/// A host path and where it really is after following links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The path on the host after following links (`/run/docker.sock` for
    /// `/var/run/docker.sock` when `/var/run` links to `/run`).
    pub host: String,
    /// The same file on this machine (`ROOT/run/docker.sock`).
    pub real: PathBuf,
}

fn io(path: &str, source: std::io::Error) -> HostError {
    HostError::Io {
        path: path.to_string(),
        source,
    }
}

fn absent(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::NotFound | ErrorKind::NotADirectory)
}

impl Root {
    /// The root at `dir`, which must be a directory.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Root, HostError> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(HostError::RootNotDirectory(dir));
        }
        Ok(Root { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Follows `path` (absolute on the host) inside the root: `Ok(None)`
    /// when it, or a directory on the way, does not exist.
    pub fn resolve(&self, path: &str) -> Result<Option<Resolved>, HostError> {
        let mut todo: VecDeque<String> = components(path).collect();
        let mut done: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(c) = todo.pop_front() {
            if c == ".." {
                done.pop();
                continue;
            }
            let mut real = self.dir.clone();
            real.extend(done.iter().chain(std::iter::once(&c)));
            let meta = match std::fs::symlink_metadata(&real) {
                Ok(m) => m,
                Err(e) if absent(e.kind()) => return Ok(None),
                Err(e) => return Err(io(path, e)),
            };
            if !meta.file_type().is_symlink() {
                done.push(c);
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(HostError::SymlinkLoop {
                    path: path.to_string(),
                });
            }
            let target = std::fs::read_link(&real).map_err(|e| io(path, e))?;
            let target = target.to_string_lossy().into_owned();
            if target.starts_with('/') {
                done.clear();
            }
            for t in components(&target).collect::<Vec<_>>().into_iter().rev() {
                todo.push_front(t);
            }
        }
        let mut real = self.dir.clone();
        real.extend(&done);
        Ok(Some(Resolved {
            host: format!("/{}", done.join("/")),
            real,
        }))
    }

    /// The file's metadata (of the link's target), or `None` when absent.
    pub fn metadata(&self, path: &str) -> Result<Option<(Resolved, Metadata)>, HostError> {
        let Some(r) = self.resolve(path)? else {
            return Ok(None);
        };
        match std::fs::symlink_metadata(&r.real) {
            Ok(m) => Ok(Some((r, m))),
            Err(e) if absent(e.kind()) => Ok(None),
            Err(e) => Err(io(path, e)),
        }
    }

    /// The file's text, or `None` when absent. A file that exists but
    /// cannot be read (permissions, a directory) is an error.
    pub fn read(&self, path: &str) -> Result<Option<String>, HostError> {
        let Some(r) = self.resolve(path)? else {
            return Ok(None);
        };
        // Only regular files: a FIFO would block, a device never end.
        match std::fs::metadata(&r.real) {
            Ok(m) if !m.is_file() => {
                let what = if m.is_dir() {
                    "a directory"
                } else {
                    "not a regular file"
                };
                return Err(io(path, std::io::Error::new(ErrorKind::InvalidInput, what)));
            }
            Ok(_) => {}
            Err(e) if absent(e.kind()) => return Ok(None),
            Err(e) => return Err(io(path, e)),
        }
        let file = std::fs::File::open(&r.real).map_err(|e| io(path, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io(path, e))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(io(
                path,
                std::io::Error::new(ErrorKind::InvalidData, "larger than 16 MiB"),
            ));
        }
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// The names in a directory, sorted; empty when it does not exist.
    pub fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        let Some(r) = self.resolve(path)? else {
            return Ok(Vec::new());
        };
        let entries = match std::fs::read_dir(&r.real) {
            Ok(e) => e,
            Err(e) if absent(e.kind()) => return Ok(Vec::new()),
            Err(e) => return Err(io(path, e)),
        };
        let mut names = Vec::new();
        for e in entries {
            let e = e.map_err(|e| io(path, e))?;
            names.push(e.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }
}

fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
}

/// `dir/name` as a host path.
pub fn join(dir: &str, name: &str) -> String {
    format!("{}/{}", dir.trim_end_matches('/'), name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_resolve_inside_the_root() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("run")).unwrap();
        std::fs::create_dir_all(t.path().join("var")).unwrap();
        std::fs::write(t.path().join("run/x"), "inside").unwrap();
        symlink("/run", t.path().join("var/run")).unwrap();
        symlink("../../../../../etc/passwd", t.path().join("run/escape")).unwrap();
        let root = Root::new(t.path()).unwrap();
        let r = root.resolve("/var/run/x").unwrap().unwrap();
        assert_eq!(r.host, "/run/x");
        assert_eq!(root.read("/var/run/x").unwrap().as_deref(), Some("inside"));
        // `..` stops at the root: the machine's /etc/passwd is never read.
        assert_eq!(root.read("/run/escape").unwrap(), None);
    }

    #[test]
    fn a_loop_is_an_error_naming_the_path() {
        let t = tempfile::tempdir().unwrap();
        symlink("/b", t.path().join("a")).unwrap();
        symlink("/a", t.path().join("b")).unwrap();
        let root = Root::new(t.path()).unwrap();
        let e = root.read("/a/daemon.json").unwrap_err();
        assert!(matches!(e, HostError::SymlinkLoop { .. }), "{e}");
        assert!(e.to_string().contains("/a/daemon.json"), "{e}");
    }

    #[test]
    fn only_regular_files_are_read() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("fifo");
        // A FIFO made with mkfifo(1) (coreutils); skipped where the tool is missing.
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let root = Root::new(t.path()).unwrap();
        if made.is_ok_and(|s| s.success()) {
            let e = root.read("/fifo").unwrap_err();
            assert!(e.to_string().ends_with("not a regular file"), "{e}");
        }
        std::fs::create_dir(t.path().join("d")).unwrap();
        assert_eq!(root.read("/d").unwrap_err().to_string(), "/d: a directory");
    }

    #[test]
    fn root_must_be_a_directory() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("f"), "").unwrap();
        assert!(matches!(
            Root::new(t.path().join("f")),
            Err(HostError::RootNotDirectory(_))
        ));
    }
}
