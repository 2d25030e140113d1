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
    /// Exit 1 when a finding is at or above this severity [default: info, i.e. any finding;
    /// plimsoll.toml [lint] fail_on or .hadolint.yaml failure-threshold].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Ignore a rule by code (DF001), hadolint code (DL3008) or name; repeatable.
    #[arg(long, value_name = "CODE")]
    ignore: Vec<String>,
    /// Turn on an opt-in rule by code or name; repeatable.
    #[arg(long, value_name = "CODE")]
    enable: Vec<String>,
    /// Apply the safe fixes in place (apt -y, --no-install-recommends, apt list
    /// cleanup, MAINTAINER to LABEL, exec form); with `-`, print the fixed file.
    #[arg(long)]
    fix: bool,
    /// Configuration file [default: ./plimsoll.toml if present]; `.hadolint.yaml`
    /// in the current directory is read as well.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LintFormat {
    Table,
    Json,
    Sarif,
    /// Checkstyle XML, for CI servers and editors that read it.
    Checkstyle,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
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

/// What the configuration files and flags say, merged.
struct Settings {
    ignore: Vec<String>,
    /// Opt-in rules and trusted registries, for the lint crate.
    options: plimsoll_lint::LintOptions,
    skip_paths: Option<globset::GlobSet>,
    severity: Vec<(String, Severity)>,
    fail_on: Severity,
}

fn settings(args: &LintArgs) -> Result<Settings> {
    let config = crate::config::Config::load(args.config.as_deref())?;
    let lc = &config.lint;
    let mut ignore: Vec<String> = lc.ignore.clone();
    // Both files' lists count: a registry trusted in either is trusted.
    let mut trusted_registries = lc.trusted_registries.clone();
    ignore.extend(args.ignore.iter().cloned());
    let mut severity = Vec::new();
    for (rule, sev) in &lc.severity {
        let sev: Severity = sev
            .parse()
            .map_err(|e: String| anyhow::anyhow!("plimsoll.toml [lint.severity] {rule}: {e}"))?;
        severity.push((rule.clone(), sev));
    }
    let mut fail_on = match &lc.fail_on {
        Some(s) => s
            .parse()
            .map_err(|e: String| anyhow::anyhow!("plimsoll.toml [lint] fail_on: {e}"))?,
        None => Severity::Info,
    };
    if let Some((path, h)) = crate::config::HadolintConfig::load_default()? {
        ignore.extend(h.ignored.iter().cloned());
        for (word, codes) in [
            ("error", &h.overrides.error),
            ("warning", &h.overrides.warning),
            ("info", &h.overrides.info),
            ("style", &h.overrides.style),
        ] {
            let sev: Severity = crate::config::HadolintConfig::severity_word(word)
                .unwrap_or("info")
                .parse()
                .map_err(|e: String| anyhow::anyhow!(e))?;
            severity.extend(codes.iter().map(|c| (c.clone(), sev)));
        }
        if lc.fail_on.is_none()
            && let Some(t) = &h.failure_threshold
        {
            fail_on = match crate::config::HadolintConfig::severity_word(t) {
                Some(w) => w.parse().map_err(|e: String| anyhow::anyhow!(e))?,
                // `none`/`ignore`: never fail on findings.
                None if matches!(t.as_str(), "none" | "ignore") => Severity::Critical,
                None => bail!("{}: unknown failure-threshold '{t}'", path.display()),
            };
        }
        if h.no_fail == Some(true) && lc.fail_on.is_none() {
            fail_on = Severity::Critical;
        }
        trusted_registries.extend(h.trusted_registries.iter().cloned());
    }
    if let Some(f) = args.fail_on {
        fail_on = f;
    }
    let mut enable = lc.enable.clone();
    enable.extend(args.enable.iter().cloned());
    let skip_paths = if lc.ignore_paths.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for p in &lc.ignore_paths {
            b.add(
                globset::Glob::new(p)
                    .map_err(|e| anyhow::anyhow!("[lint] ignore_paths '{p}': {e}"))?,
            );
        }
        Some(b.build()?)
    };
    Ok(Settings {
        ignore: ignore.iter().map(|s| s.to_ascii_lowercase()).collect(),
        options: plimsoll_lint::LintOptions {
            enable,
            trusted_registries,
        },
        skip_paths,
        severity,
        fail_on,
    })
}

pub fn run(args: LintArgs) -> Result<ExitCode> {
    let settings = settings(&args)?;
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
    if let Some(skip) = &settings.skip_paths {
        // Globs are relative to where plimsoll runs: `./a/Dockerfile` is `a/Dockerfile`.
        files.retain(|f| !skip.is_match(f.strip_prefix(".").unwrap_or(f)));
    }
    if files.is_empty() && stdin.is_none() {
        bail!("no Dockerfiles found in {}", args.paths.join(", "));
    }
    let table = plimsoll_lint::rule_table();
    let names = |f: &Finding, key: &str| {
        let key = key.to_ascii_lowercase();
        f.code.eq_ignore_ascii_case(&key)
            || f.name == key
            || table.iter().any(|r| {
                r.info.code.eq_ignore_ascii_case(&f.code)
                    && r.hadolint.is_some_and(|h| h.eq_ignore_ascii_case(&key))
            })
    };
    let ignored = |f: &Finding| settings.ignore.iter().any(|i| names(f, i));
    let adjust = |f: Finding| match settings.severity.iter().find(|(k, _)| names(&f, k)) {
        Some((_, s)) => f.with_severity(*s),
        None => f,
    };
    let lint_src = |path: &str, source: &str| {
        plimsoll_lint::lint_with_options(path, source, &settings.options).map(|v| {
            v.into_iter()
                .filter(|f| !ignored(f))
                .map(adjust)
                .collect::<Vec<_>>()
        })
    };
    let lint_one = |path: String, source: String| match lint_src(&path, &source) {
        Ok(findings) => FileReport {
            path,
            error: None,
            findings,
            source,
        },
        Err(e) => FileReport {
            error: Some(format!("{}:{}:{}: {}", path, e.line, e.column, e.message)),
            path,
            findings: Vec::new(),
            source,
        },
    };
    // --fix: rewrite first, then report what is left.
    let fix_one = |path: &str, source: String| -> (String, Option<String>) {
        if !args.fix {
            return (source, None);
        }
        match plimsoll_lint::fix::fix(&source, |s| lint_src(path, s)) {
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
    };
    let mut fix_notes = Vec::new();
    let results: Vec<(FileReport, Option<String>)> = files
        .par_iter()
        .map(|p| {
            let path = p.display().to_string();
            let bytes = match std::fs::read(p) {
                Ok(b) => b,
                Err(e) => {
                    return (
                        FileReport {
                            error: Some(format!("{path}: {e}")),
                            path,
                            findings: Vec::new(),
                            source: String::new(),
                        },
                        None,
                    );
                }
            };
            let (source, note) = fix_one(&path, String::from_utf8_lossy(&bytes).into_owned());
            if note.is_some()
                && let Err(e) = write_atomically(p, &source)
            {
                return (
                    FileReport {
                        error: Some(format!("{path}: writing the fixed file: {e}")),
                        path,
                        findings: Vec::new(),
                        source,
                    },
                    None,
                );
            }
            (lint_one(path, source), note)
        })
        .collect();
    let mut reports = Vec::with_capacity(results.len());
    for (r, note) in results {
        fix_notes.extend(note);
        reports.push(r);
    }
    let mut fixed_stdin = None;
    if let Some(s) = stdin {
        let (source, note) = fix_one("-", s);
        if args.fix {
            fixed_stdin = Some(source.clone());
        }
        fix_notes.extend(note);
        reports.push(lint_one("-".into(), source));
    }
    for n in &fix_notes {
        eprintln!("{n}");
    }
    if let Some(src) = fixed_stdin {
        // The fixed Dockerfile is the output; the findings left go to stderr.
        crate::emit(&src, args.output.as_ref())?;
        for r in &reports {
            for f in &r.findings {
                eprintln!(
                    "{}:{}: {}[{}]: {}",
                    r.path,
                    f.location.line.unwrap_or(0),
                    f.severity,
                    f.code,
                    f.message
                );
            }
        }
        return Ok(exit_code(&reports, settings.fail_on));
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
        LintFormat::Checkstyle => checkstyle(&reports),
        LintFormat::Github => github(&reports),
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
    for e in reports.iter().filter_map(|r| r.error.as_ref()) {
        eprintln!("error: {e}");
    }
    Ok(exit_code(&reports, settings.fail_on))
}

fn exit_code(reports: &[FileReport], fail_on: Severity) -> ExitCode {
    if reports.iter().any(|r| r.error.is_some()) {
        ExitCode::from(2)
    } else if reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity >= fail_on)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes `text` to `path` through a temporary file in the same directory,
/// keeping the file's permissions, so an interrupted fix loses nothing.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
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

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Checkstyle XML (the format hadolint, ESLint and many CI servers share).
fn checkstyle(reports: &[FileReport]) -> String {
    use std::fmt::Write as _;
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for r in reports {
        let _ = writeln!(out, "  <file name=\"{}\">", xml_escape(&r.path));
        if let Some(e) = &r.error {
            let _ = writeln!(
                out,
                "    <error line=\"1\" severity=\"error\" message=\"{}\" source=\"plimsoll.parse\"/>",
                xml_escape(e)
            );
        }
        for f in &r.findings {
            let sev = match f.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{}\" severity=\"{sev}\" message=\"{}\" source=\"{}\"/>",
                f.location.line.unwrap_or(1),
                xml_escape(&f.message),
                xml_escape(&f.code)
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// GitHub Actions workflow commands: one annotation per finding.
fn github(reports: &[FileReport]) -> String {
    use std::fmt::Write as _;
    // Workflow command values: `%`, CR and LF escaped; properties also `:` and `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for r in reports {
        if let Some(e) = &r.error {
            let _ = writeln!(
                out,
                "::error file={},title=parse error::{}",
                prop(&r.path),
                data(e)
            );
        }
        for f in &r.findings {
            let level = match f.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "notice",
            };
            let _ = writeln!(
                out,
                "::{level} file={},line={},title={}::{}",
                prop(&r.path),
                f.location.line.unwrap_or(1),
                prop(&format!("{} {}", f.code, f.name)),
                data(&f.message)
            );
        }
    }
    out
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
