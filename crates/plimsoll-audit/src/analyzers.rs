//! The audit's analysers on the engine's single pass: secrets in file
//! contents, and the small configuration files rules need to read.

use plimsoll_engine::{Analyzer, Entry, LayerVisitor};
use serde::{Deserialize, Serialize};

use plimsoll_secrets::{SecretHit, SecretScanner};

/// Files whose content rules read (user database, distribution).
pub const CONFIG_FILES: &[&str] = &[
    "etc/passwd",
    "etc/group",
    "etc/os-release",
    "usr/lib/os-release",
];
const CONFIG_FILE_LIMIT: u64 = 1024 * 1024;
const SECRET_SCAN_LIMIT: u64 = 2 * 1024 * 1024;

/// Secrets found in one file of one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSecrets {
    pub path: String,
    pub hits: Vec<SecretHit>,
}

/// Scans file contents for secrets.
pub struct SecretFiles;

pub struct SecretFilesVisitor<'a> {
    scanner: &'a SecretScanner,
    found: Vec<FileSecrets>,
}

impl Analyzer for SecretFiles {
    type Facts = Vec<FileSecrets>;
    type Visitor = SecretFilesVisitor<'static>;
    const NAME: &'static str = "secrets";
    /// Bump whenever `plimsoll-secrets` finds something different in the
    /// same bytes: cached results of older versions are then ignored.
    const VERSION: u32 = 2;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        shared_scanner()
            .wants_path(entry.path, entry.size)
            .then_some(entry.size.min(SECRET_SCAN_LIMIT))
    }

    fn visitor(&self) -> Self::Visitor {
        SecretFilesVisitor {
            scanner: shared_scanner(),
            found: Vec::new(),
        }
    }
}

/// The scanner compiles its patterns once per process.
pub fn shared_scanner() -> &'static SecretScanner {
    SecretScanner::shared()
}

impl LayerVisitor for SecretFilesVisitor<'_> {
    type Facts = Vec<FileSecrets>;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if let Some(c) = content {
            let hits = self.scanner.scan_content(entry.path, c);
            if !hits.is_empty() {
                self.found.push(FileSecrets {
                    path: entry.path.to_string(),
                    hits,
                });
            }
        }
    }

    fn finish(self) -> Vec<FileSecrets> {
        self.found
    }
}

/// Captures the content of [`CONFIG_FILES`].
pub struct ConfigFiles;

pub struct ConfigFilesVisitor(Vec<(String, Vec<u8>)>);

impl Analyzer for ConfigFiles {
    type Facts = Vec<(String, Vec<u8>)>;
    type Visitor = ConfigFilesVisitor;
    const NAME: &'static str = "config-files";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        CONFIG_FILES
            .contains(&entry.path)
            .then_some(CONFIG_FILE_LIMIT)
    }

    fn visitor(&self) -> ConfigFilesVisitor {
        ConfigFilesVisitor(Vec::new())
    }
}

impl LayerVisitor for ConfigFilesVisitor {
    type Facts = Vec<(String, Vec<u8>)>;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if let Some(c) = content {
            self.0.retain(|(p, _)| p != entry.path);
            self.0.push((entry.path.to_string(), c.to_vec()));
        }
    }

    fn finish(self) -> Self::Facts {
        self.0
    }
}
