//! Auditing files: finding manifests under directories, reading each with
//! its front, running the rules under the user's [`Policy`], and the report
//! every output format renders (rustc-style table, JSON here; SARIF,
//! Checkstyle and GitHub through `plimsoll_report`).

use std::path::{Path, PathBuf};

use plimsoll_report::{FileFindings, Finding, Policy, Summary, Tool};
use serde::Serialize;

use crate::compose::{self, Variables};
use crate::kubernetes::{Skipped, read_manifests};
use crate::pss::{Level, level_of_at, version_name};
use crate::{AuditOptions, Workload, audit};

/// Whether a file name is one a directory walk reads: `*.yaml`, `*.yml`, `*.json`.
pub fn is_manifest(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A directory could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot list directory: {source}", dir.display())]
pub struct WalkError {
    pub dir: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The manifests under `dir`, recursively, sorted by path; hidden
/// directories (`.git`, `.github`) are not entered.
pub fn manifests_under(dir: &Path) -> Result<Vec<PathBuf>, WalkError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let listing = std::fs::read_dir(&d).map_err(|source| WalkError {
            dir: d.clone(),
            source,
        })?;
        for e in listing.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            match e.file_type() {
                Ok(t) if t.is_dir() && !name.starts_with('.') => pending.push(e.path()),
                // An override file is audited with its base file, not alone.
                Ok(t)
                    if t.is_file()
                        && is_manifest(&name)
                        && !compose::is_merged_override(&e.path()) =>
                {
                    found.push(e.path())
                }
                _ => {}
            }
        }
    }
    found.sort();
    Ok(found)
}

/// One audited file (or standard input, `-`).
#[derive(Debug, Clone, Default)]
pub struct FileAudit {
    pub path: String,
    pub source: String,
    /// Why the file could not be read (unreadable, not YAML, not Kubernetes).
    pub error: Option<String>,
    pub workloads: Vec<Workload>,
    pub skipped: Vec<Skipped>,
    /// After the policy.
    pub findings: Vec<Finding>,
    /// Warnings (Compose: unset variables, unknown options; `docker run`:
    /// unknown flags).
    pub warnings: Vec<String>,
    /// The front that read it: `kubernetes`, `compose`, `docker run`.
    pub kind: &'static str,
}

/// What a file is: given by `--kind`, or detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Kubernetes,
    Compose,
}

/// `Compose` when the first YAML document of `text` looks like a Compose
/// file (top-level `services`, no `apiVersion`/`kind`), else `Kubernetes`.
pub fn detect(text: &str) -> SourceKind {
    match crate::yaml::parse_documents(text) {
        Ok(docs) if docs.first().is_some_and(compose::looks_like_compose) => SourceKind::Compose,
        _ => SourceKind::Kubernetes,
    }
}

/// Reads `text` (the file `path`) with the front its content calls for
/// ([`detect`]) and audits it.
pub fn audit_source(
    path: &str,
    text: String,
    options: &AuditOptions,
    policy: &Policy,
) -> Vec<FileAudit> {
    let kind = detect(&text);
    audit_source_as(
        path,
        text,
        kind,
        &Variables::from_process(),
        options,
        policy,
    )
}

/// Reads `text` (the file `path`) as `kind` and audits it. A Compose file
/// gives one [`FileAudit`] per file its findings are in (the override,
/// included and extended files after the file itself).
pub fn audit_source_as(
    path: &str,
    text: String,
    kind: SourceKind,
    vars: &Variables,
    options: &AuditOptions,
    policy: &Policy,
) -> Vec<FileAudit> {
    match kind {
        SourceKind::Kubernetes => vec![audit_kubernetes(path, text, options, policy)],
        SourceKind::Compose => audit_compose(path, text, vars, options, policy),
    }
}

fn audit_compose(
    path: &str,
    text: String,
    vars: &Variables,
    options: &AuditOptions,
    policy: &Policy,
) -> Vec<FileAudit> {
    let project = match compose::read_compose(path, &text, vars) {
        Ok(p) => p,
        Err(e) => {
            return vec![FileAudit {
                path: path.to_string(),
                source: text,
                error: Some(e.to_string()),
                kind: "compose",
                ..FileAudit::default()
            }];
        }
    };
    let findings = policy.apply(audit(&project.workloads, options));
    let mut out = vec![FileAudit {
        path: path.to_string(),
        source: text,
        workloads: project.workloads,
        warnings: project.warnings,
        kind: "compose",
        ..FileAudit::default()
    }];
    for (name, text) in project.other_files {
        if !out.iter().any(|f| f.path == name) {
            out.push(FileAudit {
                path: name,
                source: text,
                kind: "compose",
                ..FileAudit::default()
            });
        }
    }
    for f in findings {
        let at = f.location.path.as_deref().unwrap_or(path);
        let i = out.iter().position(|a| a.path == at).unwrap_or(0);
        out[i].findings.push(f);
    }
    let rules = crate::rule_infos();
    for a in &mut out {
        crate::inline::apply(&a.source, &rules, &mut a.findings);
    }
    out
}

/// Reads and audits `docker run` command line `line`, named `name`
/// (`docker-run[1]`) in findings.
pub fn audit_docker_run(
    name: &str,
    line: &str,
    options: &AuditOptions,
    policy: &Policy,
) -> FileAudit {
    match crate::docker_run::read_docker_run(name, line) {
        Ok(r) => FileAudit {
            path: name.to_string(),
            source: line.to_string(),
            findings: policy.apply(audit(std::slice::from_ref(&r.workload), options)),
            workloads: vec![r.workload],
            warnings: r.warnings,
            kind: "docker run",
            ..FileAudit::default()
        },
        Err(e) => FileAudit {
            path: name.to_string(),
            source: line.to_string(),
            error: Some(e.to_string()),
            kind: "docker run",
            ..FileAudit::default()
        },
    }
}

fn audit_kubernetes(
    path: &str,
    text: String,
    options: &AuditOptions,
    policy: &Policy,
) -> FileAudit {
    match read_manifests(path, &text) {
        Ok(m) => FileAudit {
            path: path.to_string(),
            findings: {
                let mut found = policy.apply(audit(&m.workloads, options));
                crate::inline::apply(&text, &crate::rule_infos(), &mut found);
                found
            },
            workloads: m.workloads,
            skipped: m.skipped,
            source: text,
            kind: "kubernetes",
            ..FileAudit::default()
        },
        Err(e) => FileAudit {
            path: path.to_string(),
            source: text,
            error: Some(e.to_string()),
            kind: "kubernetes",
            ..FileAudit::default()
        },
    }
}

/// Reads and audits `paths` (as [`audit_file`] does each). A file that a
/// Compose file among them includes or extends is audited as part of that
/// project, with its values merged, and not a second time on its own (a
/// directory walk finds both).
pub fn audit_files(
    paths: &[PathBuf],
    kind: Option<SourceKind>,
    vars: &Variables,
    options: &AuditOptions,
    policy: &Policy,
) -> Vec<FileAudit> {
    let per_file: Vec<Vec<FileAudit>> = paths
        .iter()
        .map(|p| audit_file(p, kind, vars, options, policy))
        .collect();
    let key = |p: &str| std::fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p));
    let mut pulled_in = std::collections::HashSet::new();
    for audits in &per_file {
        for other in audits.iter().skip(1) {
            pulled_in.insert(key(&other.path));
        }
    }
    per_file
        .into_iter()
        .filter(|audits| {
            audits
                .first()
                .is_none_or(|own| own.error.is_some() || !pulled_in.contains(&key(&own.path)))
        })
        .flatten()
        .collect()
}

/// Reads and audits the file at `path` as `kind` (`None`: detected).
pub fn audit_file(
    path: &Path,
    kind: Option<SourceKind>,
    vars: &Variables,
    options: &AuditOptions,
    policy: &Policy,
) -> Vec<FileAudit> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                let kind = kind.unwrap_or_else(|| detect(&text));
                audit_source_as(&name, text, kind, vars, options, policy)
            }
            Err(_) => vec![FileAudit {
                error: Some(format!("{name}: not UTF-8 text")),
                path: name,
                ..FileAudit::default()
            }],
        },
        Err(e) => vec![FileAudit {
            error: Some(format!("{name}: {e}")),
            path: name,
            ..FileAudit::default()
        }],
    }
}

/// The views the shared renderers take.
pub fn views(files: &[FileAudit]) -> Vec<FileFindings<'_>> {
    files
        .iter()
        .map(|f| FileFindings {
            path: &f.path,
            source: Some(&f.source),
            error: f.error.as_deref(),
            findings: &f.findings,
        })
        .collect()
}

pub fn all_findings(files: &[FileAudit]) -> Vec<Finding> {
    files
        .iter()
        .flat_map(|f| f.findings.iter().cloned())
        .collect()
}

/// A workload as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadSummary {
    pub object: String,
    pub file: String,
    pub line: u32,
    pub containers: usize,
    /// The Pod Security Standards level its pod spec meets.
    pub level: Level,
    pub platform: crate::model::Platform,
}

/// A file as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub workloads: usize,
    /// Objects of kinds that run no pod.
    pub skipped: Vec<Skipped>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The JSON report of `plimsoll config audit`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigReport {
    pub tool: Tool,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard: Option<Level>,
    /// The Kubernetes version whose Pod Security Standards checks judged
    /// the levels (`v1.37`).
    pub standard_version: String,
    pub files: Vec<FileSummary>,
    pub workloads: Vec<WorkloadSummary>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl ConfigReport {
    pub fn new(files: &[FileAudit], options: &AuditOptions) -> Self {
        let findings = all_findings(files);
        let minor = options.pss_minor();
        ConfigReport {
            tool: Tool::PLIMSOLL,
            kind: {
                let mut kinds = files.iter().map(|f| f.kind).filter(|k| !k.is_empty());
                match kinds.next() {
                    Some(k) if kinds.all(|o| o == k) => k,
                    Some(_) => "mixed",
                    None => "kubernetes",
                }
            },
            standard: options.standard,
            standard_version: version_name(minor),
            files: files
                .iter()
                .map(|f| FileSummary {
                    path: f.path.clone(),
                    error: f.error.clone(),
                    workloads: f.workloads.len(),
                    skipped: f.skipped.clone(),
                    warnings: f.warnings.clone(),
                })
                .collect(),
            workloads: files
                .iter()
                .flat_map(|f| &f.workloads)
                .map(|w| WorkloadSummary {
                    object: w.object(),
                    file: w.file.clone(),
                    line: w.place.pos.line,
                    containers: w.pod.containers.len(),
                    level: level_of_at(w, minor),
                    platform: w.platform,
                })
                .collect(),
            summary: Summary::of(&findings),
            findings,
        }
    }
}

/// The table: diagnostics, then each workload with its Pod Security
/// Standards level, then the totals.
pub fn render_table(files: &[FileAudit], options: &AuditOptions) -> String {
    let mut out = plimsoll_report::to_diagnostics(&views(files));
    let report = ConfigReport::new(files, options);
    for w in &report.workloads {
        let below = options.standard.is_some_and(|s| w.level < s);
        out.push_str(&format!(
            "{}  {}:{}  pod security: {}{}\n",
            w.object,
            w.file,
            w.line,
            w.level,
            if below { "  (below the standard)" } else { "" }
        ));
    }
    let skipped: usize = report.files.iter().map(|f| f.skipped.len()).sum();
    let s = &report.summary;
    out.push_str(&format!(
        "{} file(s), {} workload(s), {skipped} other object(s) skipped; {} findings: {} critical, {} high, {} medium, {} low, {} info\n",
        files.len(),
        report.workloads.len(),
        s.total,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info
    ));
    out
}

/// The exit status the files call for: 2 when one could not be read, 1
/// when a finding fails the policy's gate or a workload is below the
/// required standard (rule CFG018, whatever `--fail-on` says), else 0.
pub fn exit_status(files: &[FileAudit], policy: &Policy) -> u8 {
    let findings = || files.iter().flat_map(|f| &f.findings);
    if files.iter().any(|f| f.error.is_some()) {
        2
    } else if policy.fails(findings())
        || findings().any(|f| f.code == crate::rules::BelowPodSecurityStandard::INFO.code)
    {
        1
    } else {
        0
    }
}
