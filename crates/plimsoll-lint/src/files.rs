//! Linting files: finding Dockerfiles under directories, linting many in
//! parallel under the user's [`Policy`], applying `--fix` atomically, and the
//! report every front end prints (rustc-style table, JSON, Checkstyle,
//! GitHub, SARIF through `plimsoll_report`).

use std::path::{Path, PathBuf};

use plimsoll_report::{FileFindings, Finding, Policy, RuleRef, Summary};
use rayon::prelude::*;
use serde::Serialize;

use crate::LintOptions;

/// Every Dockerfile rule as users may name it (code, name, hadolint code).
pub fn rule_refs() -> Vec<RuleRef<'static>> {
    crate::rules::ALL
        .iter()
        .map(|r| {
            let rule: &'static crate::DfRule = r.rule();
            RuleRef {
                info: &rule.info,
                aliases: rule.hadolint.as_slice(),
            }
        })
        .collect()
}

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Containerfile`,
/// `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`.
pub fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// A directory could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", dir.display())]
pub struct DiscoverError {
    pub dir: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Appends the Dockerfiles under `dir` (sorted, recursively; `.git`,
/// `target`, `node_modules` and `vendor` skipped) to `out`.
pub fn discover(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DiscoverError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|source| DiscoverError {
            dir: dir.to_path_buf(),
            source,
        })?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            if !matches!(name.as_str(), ".git" | "target" | "node_modules" | "vendor") {
                discover(&e.path(), out)?;
            }
        } else if t.is_file() && is_dockerfile(&name) {
            out.push(e.path());
        }
    }
    Ok(())
}

/// How files are linted: the rules' options, the user's policy, and
/// whether safe fixes are applied first.
pub struct LintRun<'a> {
    pub options: &'a LintOptions,
    pub policy: &'a Policy,
    pub fix: bool,
}

/// One linted file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    /// Why the file could not be linted (unreadable, a parse error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub findings: Vec<Finding>,
    /// The text linted (after fixes).
    #[serde(skip)]
    pub source: String,
    /// What `--fix` changed, e.g. `Dockerfile: fixed DF002 (line 3)`.
    #[serde(skip)]
    pub fixed: Option<String>,
}

impl FileReport {
    fn failed(path: String, source: String, error: String) -> Self {
        FileReport {
            path,
            error: Some(error),
            findings: Vec::new(),
            source,
            fixed: None,
        }
    }

    /// This file as the shared renderers take it.
    pub fn view(&self) -> FileFindings<'_> {
        FileFindings {
            path: &self.path,
            source: Some(&self.source),
            error: self.error.as_deref(),
            findings: &self.findings,
        }
    }
}

/// hadolint's code for the errors BuildKit refuses to build and hadolint
/// reports as rules: an instruction before the first FROM (DL3061) and a
/// forbidden ONBUILD trigger (DL3043). plimsoll stops at them as a parse
/// error (exit 2), as `docker build` does; the code lets a hadolint user
/// find them.
pub fn hadolint_code_of(parse_error: &str) -> Option<&'static str> {
    if parse_error.contains("before the first FROM") {
        Some("DL3061")
    } else if parse_error.contains("ONBUILD ONBUILD")
        || parse_error.contains("as an ONBUILD trigger")
    {
        Some("DL3043")
    } else {
        None
    }
}

impl LintRun<'_> {
    /// The findings the policy keeps, with its severities.
    fn lint(
        &self,
        path: &str,
        source: &str,
    ) -> Result<Vec<Finding>, plimsoll_dockerfile::ParseError> {
        crate::lint_with_options(path, source, self.options).map(|v| self.policy.apply(v))
    }

    /// Lints `source` (named `path`), fixing it first when asked; the fixed
    /// text is the report's `source`. Nothing is written.
    pub fn lint_source(&self, path: &str, source: String) -> FileReport {
        let (source, fixed) = self.fixed(path, source);
        self.report(path, source, fixed)
    }

    /// The report on `source` as it stands (already fixed, if asked).
    fn report(&self, path: &str, source: String, fixed: Option<String>) -> FileReport {
        match self.lint(path, &source) {
            Ok(findings) => FileReport {
                path: path.to_string(),
                error: None,
                findings,
                source,
                fixed,
            },
            Err(e) => FileReport {
                fixed,
                ..FileReport::failed(
                    path.to_string(),
                    source,
                    format!(
                        "{}:{}:{}: {}{}",
                        path,
                        e.line,
                        e.column,
                        e.message,
                        hadolint_code_of(&e.message)
                            .map(|c| format!(" (hadolint reports this as {c})"))
                            .unwrap_or_default()
                    ),
                )
            },
        }
    }

    fn fixed(&self, path: &str, source: String) -> (String, Option<String>) {
        if !self.fix {
            return (source, None);
        }
        match crate::fix::fix(&source, |s| self.lint(path, s)) {
            Ok(fixed) if !fixed.applied.is_empty() => {
                let list: Vec<String> = fixed
                    .applied
                    .iter()
                    .map(|(c, l)| format!("{c} (line {l})"))
                    .collect();
                let note = format!("{path}: fixed {}", list.join(", "));
                (fixed.source, Some(note))
            }
            _ => (source, None),
        }
    }

    /// Reads, fixes (rewriting the file atomically) and lints one file.
    pub fn lint_file(&self, file: &Path) -> FileReport {
        let path = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                return FileReport::failed(path.clone(), String::new(), format!("{path}: {e}"));
            }
        };
        if let Some(at) = bytes[..bytes.len().min(8192)].iter().position(|&b| b == 0) {
            return FileReport::failed(
                path.clone(),
                String::new(),
                format!("{path}: a binary file (NUL byte at offset {at}), not a Dockerfile"),
            );
        }
        let source = match String::from_utf8(bytes) {
            Ok(s) => s,
            // Linted as read with U+FFFD for the bad bytes, but never rewritten: a fix
            // would replace the file's bytes with those.
            Err(e) if self.fix => {
                return FileReport::failed(
                    path.clone(),
                    String::new(),
                    format!(
                        "{path}: not UTF-8 (invalid byte at offset {}); not fixed, so that no byte is lost",
                        e.utf8_error().valid_up_to()
                    ),
                );
            }
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let (source, fixed) = self.fixed(&path, source);
        if fixed.is_some()
            && let Err(e) = write_atomically(file, &source)
        {
            return FileReport::failed(
                path.clone(),
                source,
                format!("{path}: writing the fixed file: {e}"),
            );
        }
        self.report(&path, source, fixed)
    }

    /// [`LintRun::lint_file`] on many files in parallel, in order.
    pub fn lint_files(&self, files: &[PathBuf]) -> Vec<FileReport> {
        files.par_iter().map(|f| self.lint_file(f)).collect()
    }
}

/// Writes `text` to `path` through a temporary file in the same directory,
/// keeping the file's permissions, so an interrupted fix loses nothing.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `plimsoll lint --format json`.
#[derive(Debug, Serialize)]
pub struct LintReport<'a> {
    pub schema_version: u32,
    pub tool: plimsoll_report::Tool,
    pub files: &'a [FileReport],
    pub summary: Summary,
}

impl<'a> LintReport<'a> {
    pub fn new(files: &'a [FileReport]) -> Self {
        LintReport {
            schema_version: 1,
            tool: plimsoll_report::Tool::PLIMSOLL,
            files,
            summary: Summary::of(&all_findings(files)),
        }
    }
}

/// Every finding of every file, in order.
pub fn all_findings(files: &[FileReport]) -> Vec<Finding> {
    files.iter().flat_map(|r| r.findings.clone()).collect()
}

/// The shared renderers' view of many files.
pub fn views(files: &[FileReport]) -> Vec<FileFindings<'_>> {
    files.iter().map(FileReport::view).collect()
}

/// rustc-style diagnostics for every file, then a summary line.
/// Reports each finding under its rule's hadolint code where it has one,
/// plimsoll's code becoming the alias (`--codes hadolint`): run after the
/// policy, which names rules by either code.
pub fn use_hadolint_codes(files: &mut [FileReport]) {
    for f in files.iter_mut().flat_map(|r| r.findings.iter_mut()) {
        if let Some(i) = f.aliases.iter().position(|a| a.starts_with("DL")) {
            std::mem::swap(&mut f.code, &mut f.aliases[i]);
        }
    }
}

pub fn render_table(files: &[FileReport]) -> String {
    let mut out = plimsoll_report::to_diagnostics(&views(files));
    let summary = Summary::of(&all_findings(files));
    let n = files.len();
    if summary.total == 0 {
        out.push_str(&format!("{n} file(s) linted, no findings\n"));
    } else {
        out.push_str(&format!(
            "{n} file(s) linted, {} findings: {} critical, {} high, {} medium, {} low, {} info\n",
            summary.total,
            summary.critical,
            summary.high,
            summary.medium,
            summary.low,
            summary.info
        ));
    }
    out
}

/// The exit status the files call for: 2 when one could not be linted, 1
/// when a finding fails the policy's gate, else 0.
pub fn exit_status(files: &[FileReport], policy: &Policy) -> u8 {
    if files.iter().any(|r| r.error.is_some()) {
        2
    } else if policy.fails(files.iter().flat_map(|r| &r.findings)) {
        1
    } else {
        0
    }
}
