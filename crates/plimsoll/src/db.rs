//! `plimsoll db`: build, refresh and describe the vulnerability database
//! (OSV advisories in one file; see plimsoll_vuln::db).
//!
//! - `db import PATH…` builds it from directories of OSV JSON and OSV zip
//!   archives.
//! - `db update` downloads the per-ecosystem archives that changed from a
//!   base URL (`--base-url`, `$PLIMSOLL_DB_URL` or `[db] base_url`) and
//!   rebuilds the database when anything did.
//! - `db status` says what the database holds and where it came from.
//!
//! The database is `--db PATH`, else `$PLIMSOLL_DB`, else `[db] path`, else
//! `$XDG_DATA_HOME/plimsoll/vuln.db` (`~/.local/share/plimsoll/vuln.db`).
//! Downloaded archives are kept beside it in `osv-archives/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use plimsoll_vuln::db::{self, Database, Meta};
use plimsoll_vuln::import::{ImportReport, import};
use plimsoll_vuln::update::{self, Outcome, UpdateOptions};
use serde::Deserialize;

use crate::config::Config;

/// `[db]` in plimsoll.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbConfig {
    /// Base URL serving `<Ecosystem>/all.zip` (the OSV data export's layout).
    pub base_url: Option<String>,
    /// Ecosystems to download [default: every line of `<base_url>/ecosystems.txt`].
    #[serde(default)]
    pub ecosystems: Vec<String>,
    /// Database file.
    pub path: Option<PathBuf>,
    /// Network timeout in seconds (connect, and each read).
    pub timeout_secs: Option<u64>,
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Build the database from OSV advisories: directories of JSON (recursively) and OSV zip archives.
    Import(ImportArgs),
    /// Download the OSV archives that changed and rebuild the database when any did.
    Update(UpdateArgs),
    /// Show what the database holds: build time, sources and their digests, counts per ecosystem.
    Status(StatusArgs),
}

#[derive(Args)]
pub struct DbArgs {
    /// Database file [default: $PLIMSOLL_DB, [db] path, or $XDG_DATA_HOME/plimsoll/vuln.db].
    #[arg(long, env = "PLIMSOLL_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ImportArgs {
    /// Directories of OSV JSON files, OSV zip archives (<Ecosystem>/all.zip) or single OSV files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: DbArgs,
    /// List every malformed advisory (default: the first 20).
    #[arg(long)]
    verbose: bool,
}

#[derive(Args)]
pub struct UpdateArgs {
    /// Base URL serving <Ecosystem>/all.zip and ecosystems.txt, as OSV's data export does.
    #[arg(long, env = "PLIMSOLL_DB_URL", value_name = "URL")]
    base_url: Option<String>,
    /// Ecosystem to download (repeatable) [default: [db] ecosystems, else <URL>/ecosystems.txt].
    #[arg(long = "ecosystem", value_name = "NAME")]
    ecosystems: Vec<String>,
    /// Network timeout in seconds (connect, and each read) [default: 60].
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    #[command(flatten)]
    common: DbArgs,
    /// List every malformed advisory (default: the first 20).
    #[arg(long)]
    verbose: bool,
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    common: DbArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Table)]
    format: StatusFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusFormat {
    Table,
    Json,
}

pub fn run(command: DbCommand) -> Result<ExitCode> {
    match command {
        DbCommand::Import(args) => run_import(args),
        DbCommand::Update(args) => run_update(args),
        DbCommand::Status(args) => run_status(args),
    }
}

fn resolve_path(args: &DbArgs, config: &Config) -> Result<PathBuf> {
    args.db
        .clone()
        .or_else(|| config.db.path.clone())
        .or_else(db::default_path)
        .ok_or_else(|| anyhow!("no data directory found; pass --db PATH or set PLIMSOLL_DB"))
}

fn run_import(args: ImportArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    let started = Instant::now();
    let imported = import(&args.paths).context("importing advisories")?;
    let report = imported.report.clone();
    let meta = db::build(imported, &path)?;
    print_build(&path, &meta, &report, started, args.verbose);
    Ok(ExitCode::SUCCESS)
}

fn run_update(args: UpdateArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    let Some(base_url) = args
        .base_url
        .clone()
        .or_else(|| config.db.base_url.clone())
        .filter(|u| !u.trim().is_empty())
    else {
        bail!(
            "no advisory source configured: pass --base-url URL, set PLIMSOLL_DB_URL, or set \
             base_url under [db] in plimsoll.toml, to a URL that serves <Ecosystem>/all.zip \
             (and ecosystems.txt) as OSV's data export does; or build the database from local \
             files with `plimsoll db import PATH...`"
        );
    };
    let ecosystems = if args.ecosystems.is_empty() {
        config.db.ecosystems.clone()
    } else {
        args.ecosystems.clone()
    };
    let archive_dir = path
        .parent()
        .map_or_else(|| PathBuf::from("osv-archives"), |p| p.join("osv-archives"));
    let opts = UpdateOptions {
        base_url,
        ecosystems,
        archive_dir,
        timeout: Duration::from_secs(args.timeout.or(config.db.timeout_secs).unwrap_or(60)),
        max_archive_bytes: update::DEFAULT_MAX_ARCHIVE_BYTES,
    };
    let started = Instant::now();
    let downloaded = update::download(&opts)?;
    for a in &downloaded.archives {
        match a.outcome {
            Outcome::Downloaded { bytes } => {
                eprintln!(
                    "{:<24} downloaded {} from {}",
                    a.ecosystem,
                    size(bytes),
                    a.url
                )
            }
            Outcome::Unchanged => eprintln!("{:<24} unchanged", a.ecosystem),
        }
    }

    // Rebuild when an archive changed, or when the database was not built
    // from exactly these archives (missing, damaged, imported by hand).
    let mut wanted: Vec<&str> = downloaded
        .archives
        .iter()
        .map(|a| a.sha256.as_str())
        .collect();
    wanted.sort();
    let current = Database::open(&path).ok().map(|d| {
        let mut have: Vec<String> = d.meta().sources.iter().map(|s| s.sha256.clone()).collect();
        have.sort();
        have
    });
    if !downloaded.changed() && current.is_some_and(|have| have == wanted) {
        println!("{}: up to date, nothing downloaded", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let archives: Vec<&Path> = downloaded
        .archives
        .iter()
        .map(|a| a.path.as_path())
        .collect();
    let mut imported = import(&archives).context("importing the downloaded archives")?;
    // Sources are named by where they came from, not by the local copy.
    for (source, archive) in imported.report.sources.iter_mut().zip(&downloaded.archives) {
        source.location = archive.url.clone();
    }
    let report = imported.report.clone();
    let meta = db::build(imported, &path)?;
    print_build(&path, &meta, &report, started, args.verbose);
    Ok(ExitCode::SUCCESS)
}

fn print_build(path: &Path, meta: &Meta, report: &ImportReport, started: Instant, verbose: bool) {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}: {} advisories from {} source(s), {} alias groups, {} packages ({}, {:.1} s)",
        path.display(),
        meta.advisories,
        meta.sources.len(),
        meta.alias_groups,
        meta.packages,
        size(bytes),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  excluded: {} withdrawn, {} duplicate records, {} malformed; {} files ignored (not JSON or zip)",
        report.withdrawn,
        report.duplicates,
        report.malformed.len(),
        report.ignored_files
    );
    let shown = if verbose { usize::MAX } else { 20 };
    for m in report.malformed.iter().take(shown) {
        eprintln!("malformed: {}: {}", m.file, m.reason);
    }
    if report.malformed.len() > shown {
        eprintln!(
            "malformed: … and {} more (--verbose lists them all)",
            report.malformed.len() - shown
        );
    }
}

fn run_status(args: StatusArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    if !path.exists() {
        bail!(
            "no vulnerability database at {}; build one with `plimsoll db update --base-url URL` \
             or `plimsoll db import PATH...`",
            path.display()
        );
    }
    let db = Database::open(&path)?;
    let meta = db.meta();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let text = match args.format {
        StatusFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "path": path.display().to_string(),
                "size_bytes": bytes,
                "database": meta,
            }))? + "\n"
        }
        StatusFormat::Table => {
            use std::fmt::Write as _;
            let mut out = String::new();
            let _ = writeln!(out, "database    {} ({})", path.display(), size(bytes));
            let _ = writeln!(out, "schema      {}", meta.schema_version);
            let _ = writeln!(out, "built       {} by {}", meta.built_at, meta.built_by);
            let _ = writeln!(
                out,
                "advisories  {} ({} alias groups, {} packages; excluded {} withdrawn, {} duplicates, {} malformed)",
                meta.advisories,
                meta.alias_groups,
                meta.packages,
                meta.withdrawn_excluded,
                meta.duplicates,
                meta.malformed
            );
            let _ = writeln!(out, "\nsources");
            for s in &meta.sources {
                let _ = writeln!(
                    out,
                    "  {:<9} sha256:{}  {:>7} records  {}",
                    format!("{:?}", s.kind).to_lowercase(),
                    s.sha256,
                    s.records,
                    s.location
                );
            }
            let _ = writeln!(
                out,
                "\n  {:<48} {:>10} {:>9}",
                "ecosystem", "advisories", "packages"
            );
            for e in &meta.ecosystems {
                let _ = writeln!(
                    out,
                    "  {:<48} {:>10} {:>9}",
                    e.ecosystem, e.advisories, e.packages
                );
            }
            out
        }
    };
    crate::emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}
