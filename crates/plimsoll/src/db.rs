//! `plimsoll db`: build, refresh and describe the vulnerability database
//! (OSV advisories in one file; see plimsoll_vuln::db).
//!
//! - `db import PATH…` builds it from directories of OSV JSON and OSV zip
//!   archives, and from NVD CVE JSON 2.0 files, CISA's KEV catalog and
//!   FIRST's EPSS scores (told apart by content; see plimsoll_vuln::enrich).
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
use plimsoll_report::human_bytes;
use plimsoll_vuln::db::{self, Database, Meta};
use plimsoll_vuln::import::{ImportReport, import_in};
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
    /// Whether `plimsoll scan` refreshes a missing or old database by itself [default: true].
    pub auto_update: Option<bool>,
    /// Age after which `scan` refreshes the database (`24h`, `7d`, `90m`) [default: 24h].
    pub max_age: Option<String>,
    /// Age past which a failed refresh fails the scan instead of warning [default: 7d].
    pub hard_max_age: Option<String>,
    /// Local files and directories imported with OSV's archives at every `db update` (and
    /// automatic refresh), so that what `db import` adds is not lost: NVD CVE JSON 2.0 files,
    /// CISA's KEV catalog, FIRST's EPSS scores, OSV directories. A change to one rebuilds too.
    #[serde(default)]
    pub extra: Vec<PathBuf>,
}

impl DbConfig {
    /// `max_age` and `hard_max_age`, checked.
    pub fn freshness(&self) -> Result<update::Freshness> {
        let mut f = update::Freshness::default();
        for (key, value, slot) in [
            ("max_age", &self.max_age, &mut f.max_age),
            ("hard_max_age", &self.hard_max_age, &mut f.hard_limit),
        ] {
            if let Some(v) = value {
                *slot = update::parse_duration(v).ok_or_else(|| {
                    anyhow!("[db] {key} = \"{v}\": expected a duration such as 24h, 7d or 90m")
                })?;
            }
        }
        Ok(f)
    }
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Build the database from OSV advisories (directories of JSON, recursively, and OSV zip
    /// archives) and CVE facts: NVD CVE JSON 2.0 files, CISA's KEV catalog, FIRST's EPSS CSV.
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
    /// Directories of OSV JSON files, OSV zip archives (<Ecosystem>/all.zip), single OSV files,
    /// NVD CVE JSON 2.0 files or feeds (CVSS for CVEs no OSV record rates), CISA's KEV catalog
    /// (known_exploited_vulnerabilities.json) and FIRST's EPSS scores (epss_scores-*.csv[.gz]);
    /// each file's kind is told by its content.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: DbArgs,
    /// List every malformed advisory (default: the first 20).
    #[arg(long)]
    verbose: bool,
    /// Build the database even when no advisory was read (an empty database matches nothing).
    #[arg(long)]
    allow_empty: bool,
}

#[derive(Args)]
pub struct UpdateArgs {
    /// Base URL serving <Ecosystem>/all.zip and ecosystems.txt, as OSV's data export does
    /// [default: [db] base_url, else OSV's public export, https://osv-vulnerabilities.storage.googleapis.com].
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
    database_path(args.db.as_ref(), config)
}

/// The advisory database: the flag (or $PLIMSOLL_DB), `[db] path`, or the
/// data directory's `vuln.db`.
pub fn database_path(flag: Option<&PathBuf>, config: &Config) -> Result<PathBuf> {
    flag.cloned()
        .or_else(|| config.db.path.clone())
        .or_else(db::default_path)
        .ok_or_else(|| anyhow!("no data directory found; pass --db PATH or set PLIMSOLL_DB"))
}

/// How `db update` downloads into `path`'s directory: flags over `[db]`.
pub fn update_options(
    config: &Config,
    path: &Path,
    base_url: Option<String>,
    ecosystems: &[String],
    timeout_secs: Option<u64>,
) -> Result<UpdateOptions> {
    // The flag (or $PLIMSOLL_DB_URL, which clap reads for `db update`), else
    // the configuration, else OSV's public export.
    let base_url = base_url
        .or_else(|| std::env::var("PLIMSOLL_DB_URL").ok())
        .or_else(|| config.db.base_url.clone())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| update::DEFAULT_BASE_URL.to_string());
    let ecosystems = if ecosystems.is_empty() {
        config.db.ecosystems.clone()
    } else {
        ecosystems.to_vec()
    };
    let archive_dir = path
        .parent()
        .map_or_else(|| PathBuf::from("osv-archives"), |p| p.join("osv-archives"));
    Ok(UpdateOptions {
        base_url,
        ecosystems,
        archive_dir,
        timeout: Duration::from_secs(timeout_secs.or(config.db.timeout_secs).unwrap_or(60)),
        max_archive_bytes: update::DEFAULT_MAX_ARCHIVE_BYTES,
        extra: config.db.extra.clone(),
    })
}

fn run_import(args: ImportArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    let started = Instant::now();
    // Parsed records wait in a temporary file beside the database: the
    // space is checked where the database goes.
    let work_dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating the database directory {}", work_dir.display()))?;
    let imported = import_in(&args.paths, &work_dir).context("importing advisories")?;
    let report = imported.report.clone();
    if imported.is_empty() && !args.allow_empty {
        let shown = if args.verbose { usize::MAX } else { 20 };
        for m in report.malformed.iter().take(shown) {
            eprintln!("malformed: {}: {}", m.file, m.reason);
        }
        bail!(
            "no valid advisory in {}: {} malformed, {} withdrawn; {} left as it was \
             (pass --allow-empty to build an empty database)",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            report.malformed.len(),
            report.withdrawn,
            path.display()
        );
    }
    let meta = db::build(imported, &path)?;
    print_build(&path, &meta, &report, started, args.verbose);
    Ok(ExitCode::SUCCESS)
}

fn run_update(args: UpdateArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    let opts = update_options(
        &config,
        &path,
        args.base_url.clone(),
        &args.ecosystems,
        args.timeout,
    )?;
    let started = Instant::now();
    let refreshed = update::refresh(&path, &opts)?;
    for a in &refreshed.download.archives {
        match a.outcome {
            Outcome::Downloaded { bytes } => {
                eprintln!(
                    "{:<24} downloaded {} from {}",
                    a.ecosystem,
                    human_bytes(bytes),
                    a.url
                )
            }
            Outcome::Unchanged => eprintln!("{:<24} unchanged", a.ecosystem),
        }
    }
    match refreshed.rebuilt {
        None => println!("{}: up to date, nothing downloaded", path.display()),
        Some((meta, report)) => print_build(&path, &meta, &report, started, args.verbose),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_build(path: &Path, meta: &Meta, report: &ImportReport, started: Instant, verbose: bool) {
    let (out, err) = db::render_build(path, meta, report, started.elapsed().as_secs_f64(), verbose);
    print!("{out}");
    eprint!("{err}");
}

fn run_status(args: StatusArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    if !path.exists() {
        bail!(
            "no vulnerability database at {}; build one with `plimsoll db update` (OSV's export, \
             or --base-url URL) or `plimsoll db import PATH...`",
            path.display()
        );
    }
    let db = Database::open(&path)?;
    let text = match args.format {
        StatusFormat::Json => {
            serde_json::to_string_pretty(&db::status_json(&path, db.meta()))? + "\n"
        }
        StatusFormat::Table => db::render_status(&path, db.meta()),
    };
    crate::emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}
