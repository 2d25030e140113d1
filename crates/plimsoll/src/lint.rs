//! `plimsoll lint`: Dockerfiles in, findings out; many files in parallel in
//! one process.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use plimsoll_report::{Finding, Severity, Summary};
use rayon::prelude::*;
use serde::Serialize;

#[derive(Args)]
pub struct LintArgs {
    /// Dockerfiles or directories (searched for Dockerfile, Dockerfile.*, *.Dockerfile,
    /// Containerfile); `-` reads standard input.
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Table)]
    format: LintFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: info, i.e. any finding].
    #[arg(long, value_name = "SEVERITY", default_value = "info")]
    fail_on: Severity,
    /// Ignore a rule by code (DF001), hadolint code (DL3008) or name; repeatable.
    #[arg(long, value_name = "CODE")]
    ignore: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LintFormat {
    Table,
    Json,
    Sarif,
}

/// One linted file.
#[derive(Serialize)]
struct FileReport {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    findings: Vec<Finding>,
    #[serde(skip)]
    source: String,
}

#[derive(Serialize)]
struct LintReport<'a> {
    schema_version: u32,
    tool: serde_json::Value,
    files: &'a [FileReport],
    summary: Summary,
}

fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

fn discover(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?
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

pub fn run(args: LintArgs) -> Result<ExitCode> {
    let mut files = Vec::new();
    let mut stdin = None;
    for p in &args.paths {
        if p == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            stdin = Some(s);
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_dir() {
            discover(&path, &mut files)?;
        } else if path.is_file() {
            files.push(path);
        } else {
            bail!("{p}: no such file or directory");
        }
    }
    if files.is_empty() && stdin.is_none() {
        bail!("no Dockerfiles found in {}", args.paths.join(", "));
    }
    let ignore: Vec<String> = args.ignore.iter().map(|s| s.to_ascii_lowercase()).collect();
    let hadolint: Vec<(String, String)> = plimsoll_lint::rule_table()
        .iter()
        .filter_map(|r| Some((r.hadolint?.to_ascii_lowercase(), r.info.code.to_string())))
        .collect();
    let ignored = |f: &Finding| {
        let code = f.code.to_ascii_lowercase();
        ignore.contains(&code)
            || ignore.contains(&f.name)
            || hadolint
                .iter()
                .any(|(h, c)| c.eq_ignore_ascii_case(&f.code) && ignore.contains(h))
    };
    let lint_one = |path: String, source: String| match plimsoll_lint::lint(&path, &source) {
        Ok(findings) => FileReport {
            path,
            error: None,
            findings: findings.into_iter().filter(|f| !ignored(f)).collect(),
            source,
        },
        Err(e) => FileReport {
            error: Some(format!("{}:{}:{}: {}", path, e.line, e.column, e.message)),
            path,
            findings: Vec::new(),
            source,
        },
    };
    let mut reports: Vec<FileReport> = files
        .par_iter()
        .map(|p| {
            let path = p.display().to_string();
            match std::fs::read(p) {
                Ok(bytes) => lint_one(path, String::from_utf8_lossy(&bytes).into_owned()),
                Err(e) => FileReport {
                    error: Some(format!("{path}: {e}")),
                    path,
                    findings: Vec::new(),
                    source: String::new(),
                },
            }
        })
        .collect();
    if let Some(s) = stdin {
        reports.push(lint_one("-".into(), s));
    }
    let all: Vec<Finding> = reports.iter().flat_map(|r| r.findings.clone()).collect();
    let summary = Summary::of(&all);
    let text = match args.format {
        LintFormat::Table => render(&reports, &summary),
        LintFormat::Json => {
            serde_json::to_string_pretty(&LintReport {
                schema_version: 1,
                tool: serde_json::json!({"name": "plimsoll", "version": env!("CARGO_PKG_VERSION")}),
                files: &reports,
                summary,
            })? + "\n"
        }
        LintFormat::Sarif => {
            serde_json::to_string_pretty(&plimsoll_report::to_sarif(
                env!("CARGO_PKG_VERSION"),
                crate::INFO_URI,
                &plimsoll_lint::rules(),
                &all,
                "the linted Dockerfiles",
                plimsoll_report::UriBase::SrcRoot,
            ))? + "\n"
        }
    };
    crate::emit(&text, args.output.as_ref())?;
    let errors: Vec<&String> = reports.iter().filter_map(|r| r.error.as_ref()).collect();
    for e in &errors {
        eprintln!("error: {e}");
    }
    Ok(if !errors.is_empty() {
        ExitCode::from(2)
    } else if all.iter().any(|f| f.severity >= args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// rustc-style diagnostics: what, where, the source line, the help.
fn render(reports: &[FileReport], summary: &Summary) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for r in reports {
        let lines: Vec<&str> = r.source.lines().collect();
        for f in &r.findings {
            let _ = writeln!(out, "{}[{}]: {}", f.severity, f.code, f.message);
            let line = f.location.line.unwrap_or(0);
            let _ = writeln!(out, "  --> {}:{line}  ({} {})", r.path, f.name, f.practice);
            if let Some(text) = line.checked_sub(1).and_then(|i| lines.get(i as usize)) {
                let w = line.to_string().len();
                let _ = writeln!(out, "{:w$} |", "");
                let _ = writeln!(out, "{line} | {text}");
                let _ = writeln!(out, "{:w$} |", "");
            }
            if let Some(h) = &f.help {
                let _ = writeln!(out, "  = help: {h}");
            }
            out.push('\n');
        }
    }
    let files = reports.len();
    if summary.total == 0 {
        let _ = writeln!(out, "{files} file(s) linted, no findings");
    } else {
        let _ = writeln!(
            out,
            "{files} file(s) linted, {} findings: {} critical, {} high, {} medium, {} low, {} info",
            summary.total,
            summary.critical,
            summary.high,
            summary.medium,
            summary.low,
            summary.info
        );
    }
    out
}
