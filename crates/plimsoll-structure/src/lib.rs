//! Structure tests: container-structure-test's configuration (schema 2.0.0)
//! checked on the image engine's merged file tree and the image config,
//! without a container runtime or a daemon (P-I4).
//!
//! ```text
//! config::load(FILE)…                    -> TestConfig (parsed, regexes compiled)
//! run(engine options, image, configs)    -> Report: the file lists from the engine's
//!                                           one (cached) pass, the tree merged once,
//!                                           then only the files the tests name read
//!                                           from the layer holding each
//! Report::to_text / to_json / to_junit / to_sarif
//! ```
//!
//! Command tests need a container: each is reported as skipped, with the
//! reason, never as passed.

mod check;
pub mod config;
mod contents;
mod render;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use plimsoll_engine::{Engine, EngineOptions, Progress};
use plimsoll_oci::Image;
use serde::Serialize;

pub use check::{COMMAND_SKIP_REASON, go_mode_string, ls_mode_string};
pub use config::{SCHEMA_VERSION, TestConfig, load, parse};
pub use contents::{Content, MAX_CONTENT};
pub use render::{DEFAULT_JUNIT_SUITE, FAILED, SKIPPED};

/// What went wrong before any test could be judged; each names the file or
/// image it is about.
#[derive(Debug, thiserror::Error)]
pub enum StructureError {
    #[error("cannot read test configuration {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("test configuration {file}: {why}")]
    Config { file: String, why: String },
    #[error(transparent)]
    Engine(#[from] plimsoll_engine::EngineError),
}

/// One test's outcome, in container-structure-test's JSON shape (`Name`,
/// `Pass`, `Errors`, `Duration` in nanoseconds) plus `Skipped` (the reason,
/// for command tests) and the configuration file it came from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestResult {
    pub name: String,
    pub pass: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(serialize_with = "render::nanos")]
    pub duration: Duration,
    /// The configuration file.
    pub file: String,
    /// The path a file test is about.
    #[serde(skip)]
    pub path: Option<String>,
}

impl TestResult {
    fn new(name: String) -> TestResult {
        TestResult {
            name,
            pass: true,
            skipped: None,
            errors: Vec::new(),
            duration: Duration::ZERO,
            file: String::new(),
            path: None,
        }
    }

    fn error(&mut self, e: String) {
        self.errors.push(e);
        self.pass = false;
    }

    fn finish(mut self, start: Instant) -> TestResult {
        self.duration = start.elapsed();
        self
    }

    pub fn is_skipped(&self) -> bool {
        self.skipped.is_some()
    }

    pub fn is_failed(&self) -> bool {
        !self.pass && self.skipped.is_none()
    }
}

/// Every test of every configuration file on one image.
#[derive(Debug, Clone)]
pub struct Report {
    /// The image as named, with the digest it was read by.
    pub image: String,
    pub digest: String,
    /// The configuration files, in order.
    pub files: Vec<String>,
    pub results: Vec<TestResult>,
    pub duration: Duration,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.pass).count()
    }

    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.is_failed()).count()
    }

    pub fn skipped(&self) -> usize {
        self.results.iter().filter(|r| r.is_skipped()).count()
    }

    /// The exit decision: a failed test, or no test at all (a configuration
    /// that names none is as good as a typo: container-structure-test fails too).
    pub fn fails(&self) -> bool {
        self.failed() > 0 || self.results.is_empty()
    }
}

/// Runs `configs` on `image`: one engine pass for the file lists (cached by
/// layer like every other analysis), the merged tree, then the content of
/// only the files the tests read, from the layer that holds each.
pub fn run(
    options: &EngineOptions,
    image: &Image,
    configs: &[TestConfig],
    progress: &dyn Progress,
) -> Result<Report, StructureError> {
    let start = Instant::now();
    let engine = Engine::new(options.clone());
    let scan = engine.scan(image, progress)?;
    let tree = scan.file_tree()?;
    drop(scan);
    let mut contents = BTreeMap::new();
    for (layer, paths) in check::wanted(&tree, configs) {
        let found = engine.read_layer_uncached(image, layer, &contents::Wanted(Arc::new(paths)))?;
        contents.extend(found);
    }
    let view = check::View {
        tree: &tree,
        config: &image.config.config,
        contents: &contents,
    };
    let results = evaluate(&view, configs);
    Ok(Report {
        image: image.reference.to_string(),
        digest: image.id().to_string(),
        files: configs.iter().map(|c| c.file.clone()).collect(),
        results,
        duration: start.elapsed(),
    })
}

/// The tests of each file in container-structure-test's order: command,
/// file content, file existence, licence, metadata.
fn evaluate(view: &check::View<'_>, configs: &[TestConfig]) -> Vec<TestResult> {
    let mut out = Vec::new();
    for c in configs {
        let s = &c.spec;
        let mut results = Vec::new();
        for t in &s.command_tests {
            let mut r = TestResult::new(format!("Command Test: {}", &*t.name));
            r.pass = false;
            r.skipped = Some(COMMAND_SKIP_REASON.to_string());
            results.push(r);
        }
        for t in &s.file_content_tests {
            results.push(check::file_content(view, t));
        }
        for t in &s.file_existence_tests {
            results.push(check::file_existence(view, &s.global_env_vars, t));
        }
        for t in &s.license_tests {
            results.push(check::license(view, t));
        }
        if !s.metadata_test.is_empty() {
            results.push(check::metadata(view, &s.metadata_test));
        }
        for mut r in results {
            r.file = c.file.clone();
            out.push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check::*;
    use plimsoll_engine::EntryKind;

    #[test]
    fn go_and_ls_mode_strings() {
        assert_eq!(go_mode_string(EntryKind::File, 0o4755), "urwxr-xr-x");
        assert_eq!(ls_mode_string(EntryKind::File, 0o4755), "-rwsr-xr-x");
        assert_eq!(go_mode_string(EntryKind::Dir, 0o1777), "dtrwxrwxrwx");
        assert_eq!(ls_mode_string(EntryKind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(go_mode_string(EntryKind::Symlink, 0o777), "Lrwxrwxrwx");
        assert_eq!(go_mode_string(EntryKind::File, 0o2644), "grw-r--r--");
        assert_eq!(ls_mode_string(EntryKind::File, 0o2644), "-rw-r-Sr--");
        assert_eq!(go_mode_string(EntryKind::Hardlink, 0o644), "-rw-r--r--");
    }

    #[test]
    fn expand_like_go() {
        let env = |k: &str| match k {
            "HOME" => "/root".to_string(),
            "1" => "one".to_string(),
            _ => String::new(),
        };
        assert_eq!(expand("$HOME/.bashrc", &env), "/root/.bashrc");
        assert_eq!(expand("${HOME}x", &env), "/rootx");
        assert_eq!(expand("/a/$UNSET/b", &env), "/a//b");
        assert_eq!(expand("/plain", &env), "/plain");
        assert_eq!(expand("$1-$", &env), "one-$");
        assert_eq!(expand("a${}b", &env), "ab");
    }

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("/etc//passwd"), "etc/passwd");
        assert_eq!(normalize("./etc/./x/"), "etc/x");
        assert_eq!(normalize("/"), "");
    }
}
