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
//! - `db export FILE` / `db import FILE` and `db push|pull REFERENCE` carry a
//!   built database to machines without the network, checked end to end
//!   before it is installed (plimsoll_vuln::db::transfer).
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
use plimsoll_sign::{RegistryOptions, Store};
use plimsoll_vuln::db::{self, Database, Meta, transfer};
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
    /// Files, directories or http(s) URLs imported with OSV's archives at every `db update`
    /// (and automatic refresh), so that what `db import` adds is not lost: NVD CVE JSON 2.0
    /// files or yearly feeds, CISA's KEV catalog, FIRST's EPSS scores, OSV directories. URLs
    /// are downloaded with conditional requests, as the archives are; a change to any
    /// input rebuilds the database.
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
    /// archives) and CVE facts: NVD CVE JSON 2.0 files, CISA's KEV catalog, FIRST's EPSS CSV;
    /// or install a database exported by `db export` (checked end to end first).
    Import(ImportArgs),
    /// Write a checked copy of the database to FILE, and its SHA-256 to FILE.sha256.
    Export(ExportArgs),
    /// Push the database to a registry (HOST/REPO:TAG) or OCI layout (oci:DIR:TAG) as an OCI
    /// artifact, for machines without the network to pull.
    Push(TransferArgs),
    /// Pull a database pushed by `db push`, check it end to end and against the pushed digest,
    /// and install it.
    Pull(TransferArgs),
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
    /// The SHA-256 an exported database must have (sha256:HEX) [default: FILE.sha256 beside
    /// it, when present].
    #[arg(long, value_name = "DIGEST")]
    digest: Option<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Where to write the database (FILE.sha256 is written beside it).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    common: DbArgs,
}

#[derive(Args)]
pub struct TransferArgs {
    /// HOST/REPO:TAG (registry:HOST/REPO:TAG) or oci:DIR:TAG.
    #[arg(value_name = "REFERENCE")]
    reference: String,
    #[command(flatten)]
    common: DbArgs,
    /// Registry host (host[:port]) spoken to over plain HTTP (repeatable).
    #[arg(long = "insecure", value_name = "HOST")]
    insecure: Vec<String>,
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
        DbCommand::Export(args) => run_export(args),
        DbCommand::Push(args) => run_push(args),
        DbCommand::Pull(args) => run_pull(args),
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
    // `[db] extra`: files and directories here, or URLs downloaded like the archives.
    let is_url = |p: &&PathBuf| {
        p.to_str()
            .is_some_and(|s| s.starts_with("http://") || s.starts_with("https://"))
    };
    let extra_urls: Vec<String> = config
        .db
        .extra
        .iter()
        .filter(is_url)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let extra_paths: Vec<PathBuf> = config
        .db
        .extra
        .iter()
        .filter(|p| !is_url(p))
        .cloned()
        .collect();
    Ok(UpdateOptions {
        base_url,
        ecosystems,
        archive_dir,
        timeout: Duration::from_secs(timeout_secs.or(config.db.timeout_secs).unwrap_or(60)),
        max_archive_bytes: update::DEFAULT_MAX_ARCHIVE_BYTES,
        extra: extra_paths,
        extra_urls,
        progress: crate::progress::DownloadBar::on_terminal(),
    })
}

fn run_import(args: ImportArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    let exported: Vec<&PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_file() && transfer::is_database_file(p))
        .collect();
    match (exported.as_slice(), args.paths.len()) {
        ([], _) => {}
        ([file], 1) => return install_exported(file, &path, args.digest.as_deref()),
        _ => bail!(
            "{} is a plimsoll database (from `db export`): import it alone, not with OSV advisories",
            exported[0].display()
        ),
    }
    if args.digest.is_some() {
        bail!("--digest checks an exported database; none of the paths is one");
    }
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

/// One line on what a checked database holds.
fn describe(v: &transfer::Verified) -> String {
    format!(
        "{} advisories, {} packages, built {} by {}, {} ({})",
        v.meta.advisories,
        v.meta.packages,
        v.meta.built_at,
        v.meta.built_by,
        human_bytes(v.bytes),
        v.digest
    )
}

fn install_exported(file: &Path, db_path: &Path, digest: Option<&str>) -> Result<ExitCode> {
    let (v, check) = transfer::install(file, db_path, digest)
        .with_context(|| format!("{} was left as it was", db_path.display()))?;
    println!(
        "{}: installed from {}: {}",
        db_path.display(),
        file.display(),
        describe(&v)
    );
    match check {
        transfer::DigestCheck::Given(d) => eprintln!("digest checked: {d}"),
        transfer::DigestCheck::Sidecar(p) => eprintln!("digest checked against {}", p.display()),
        transfer::DigestCheck::None => eprintln!(
            "warning: no digest to check {} against (no --digest, no {}): only its own \
             integrity was checked",
            file.display(),
            transfer::sidecar_path(file).display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn run_export(args: ExportArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = existing_database(&args.common, &config)?;
    let v = transfer::export(&path, &args.file)?;
    println!(
        "{}: exported from {}: {}",
        args.file.display(),
        path.display(),
        describe(&v)
    );
    println!(
        "{}: {}",
        transfer::sidecar_path(&args.file).display(),
        v.digest
    );
    Ok(ExitCode::SUCCESS)
}

fn existing_database(common: &DbArgs, config: &Config) -> Result<PathBuf> {
    let path = resolve_path(common, config)?;
    if !path.exists() {
        bail!(
            "no vulnerability database at {}; build one with `plimsoll db update` (OSV's export, \
             or --base-url URL), `plimsoll db import PATH...` or `plimsoll db pull REFERENCE`",
            path.display()
        );
    }
    Ok(path)
}

/// The artifact store and tag a `db push`/`db pull` reference names.
fn open_store(args: &TransferArgs) -> Result<(Box<dyn Store>, String)> {
    let opts = RegistryOptions {
        insecure: args.insecure.clone(),
        ..RegistryOptions::default()
    };
    let r = args.reference.as_str();
    if let Some(rest) = r.strip_prefix("oci:") {
        let (dir, tag) = match rest.rsplit_once(':') {
            Some((d, t)) if !t.contains('/') && !t.is_empty() => (d, t),
            _ => (rest, "latest"),
        };
        return Ok((
            Box::new(plimsoll_sign::Layout::create(Path::new(dir))?),
            tag.to_string(),
        ));
    }
    let name = r.strip_prefix("registry:").unwrap_or(r);
    let n = plimsoll_oci::NameRef::parse(name);
    if n.digest.is_some() {
        bail!("{r}: name a tag (HOST/REPO:TAG), not a digest: the tag is what `db pull` follows");
    }
    let tag = n.tag.map(str::to_string).unwrap_or_else(|| "latest".into());
    Ok((Box::new(plimsoll_sign::Registry::open(name, &opts)?), tag))
}

fn run_push(args: TransferArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = existing_database(&args.common, &config)?;
    let v = transfer::verify(&path)?;
    let (store, tag) = open_store(&args)?;
    let data = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| db::FILE_NAME.into());
    eprintln!(
        "pushing {} ({}) to {}",
        path.display(),
        human_bytes(v.bytes),
        store.location()
    );
    store.put_blob(transfer::EMPTY_CONFIG)?;
    let pushed = store.put_blob(&data)?;
    if pushed != v.digest {
        bail!(
            "{} changed while it was pushed ({} checked, {pushed} sent); push again",
            path.display(),
            v.digest
        );
    }
    let manifest = transfer::artifact_manifest(&v, &name);
    store.put_manifest(&tag, transfer::MANIFEST_MEDIA_TYPE, &manifest)?;
    println!("{}: pushed {}", args.reference, describe(&v));
    Ok(ExitCode::SUCCESS)
}

fn run_pull(args: TransferArgs) -> Result<ExitCode> {
    let config = Config::load(args.common.config.as_deref())?;
    let path = resolve_path(&args.common, &config)?;
    let (store, tag) = open_store(&args)?;
    let manifest = store
        .manifest_by_tag(&tag)?
        .ok_or_else(|| anyhow!("{}: no tag {tag} in {}", args.reference, store.location()))?;
    let (digest, size) = transfer::artifact_layer(&args.reference, &manifest)?;
    eprintln!(
        "pulling {} ({}) from {}",
        digest,
        human_bytes(size),
        store.location()
    );
    let data = store
        .blob(&digest, transfer::MAX_PULL_BYTES)
        .with_context(|| format!("{} was left as it was", path.display()))?;
    let v = transfer::install_bytes(&data, &args.reference, &path, &digest)
        .with_context(|| format!("{} was left as it was", path.display()))?;
    println!(
        "{}: installed from {}: {}",
        path.display(),
        args.reference,
        describe(&v)
    );
    Ok(ExitCode::SUCCESS)
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
