//! `plimsoll scan`: the audit, the SBOM and the vulnerabilities of an image
//! from one pass over its layers, with one gate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use plimsoll_report::Severity;
use plimsoll_scan::{VulnGate, render};
use plimsoll_vuln::matcher::VulnSeverity;

use crate::config::Config;
use crate::{AuditOptions, ImageArgs, emit, prepare};

#[derive(Args)]
pub struct ScanArgs {
    #[command(flatten)]
    image: ImageArgs,
    #[command(flatten)]
    audit: AuditOptions,
    /// Output format (cyclonedx: the SBOM with its vulnerabilities).
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    format: ScanFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    gate: GateArgs,
    #[command(flatten)]
    remote: RemoteArgs,
    /// Never touch the network for the vulnerability database: scan with the one there is
    /// (by default a missing or day-old database is refreshed first; [db] auto_update = false
    /// turns that off for good).
    #[arg(long, visible_alias = "skip-db-update")]
    offline: bool,
}

/// `--server`: scan on a plimsoll server instead of here.
#[derive(Args)]
struct RemoteArgs {
    /// Scan on this plimsoll server (http(s)://HOST[:PORT]) instead of here: the reference is
    /// submitted, the scan awaited and the server's report printed as a local scan prints it;
    /// the exit code is the server's gate. The token: --token-file or $PLIMSOLL_TOKEN.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// File holding the server's API token [default: $PLIMSOLL_TOKEN].
    #[arg(long, value_name = "FILE", requires = "server")]
    token_file: Option<PathBuf>,
    /// PEM CA certificate to trust for an HTTPS server (besides the system's).
    #[arg(long, value_name = "FILE", requires = "server")]
    server_ca: Option<PathBuf>,
    /// Seconds to wait for the server's result.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    server_timeout: u64,
}

/// The vulnerability gate's flags; shared by `scan`, `serve` and `worker`.
#[derive(Args, Clone)]
pub struct GateArgs {
    /// Exit 1 when a vulnerability or audit finding is at or above this severity:
    /// critical, high, medium, low, negligible or unknown [default: high, or [scan] fail_on].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// Count only vulnerabilities with a fixed version (the others are still listed).
    #[arg(long)]
    ignore_unfixed: bool,
    /// How vulnerabilities of unknown severity count for --fail-on: as this severity
    /// [default: [scan] unknown_as, else unknown (only --fail-on unknown catches them)].
    #[arg(long, value_name = "SEVERITY")]
    unknown_as: Option<String>,
    /// Exit 1 when a counted vulnerability is in CISA's Known Exploited Vulnerabilities
    /// catalog, whatever its severity ([scan] fail_on_kev; the catalog is imported with
    /// `plimsoll db import`).
    #[arg(long)]
    fail_on_kev: bool,
    /// Exit 1 when a counted vulnerability's FIRST EPSS score is at least this (0 to 1),
    /// whatever its severity ([scan] fail_on_epss; scores imported with `plimsoll db import`).
    #[arg(long, value_name = "SCORE")]
    fail_on_epss: Option<f64>,
    /// OpenVEX document marking vulnerabilities not_affected or fixed; repeatable.
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
    /// Ignore file, repeatable: plimsoll's TOML `[[ignore]]` entries (as `[[scan.ignore]]` in
    /// plimsoll.toml), a `.trivyignore`, a `.trivyignore.yaml` or a `.grype.yaml` (by name,
    /// else by content). `plimsoll scan` also reads .trivyignore, .trivyignore.yaml and
    /// .grype.yaml from the working directory when present (--no-ignore-files: not).
    #[arg(long, visible_alias = "ignorefile", value_name = "FILE")]
    ignore_file: Vec<PathBuf>,
    /// Do not read .trivyignore, .trivyignore.yaml or .grype.yaml from the working directory.
    #[arg(long)]
    no_ignore_files: bool,
    /// Advisory database [default: $PLIMSOLL_DB, [db] path, or $XDG_DATA_HOME/plimsoll/vuln.db].
    #[arg(long, env = "PLIMSOLL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// The gate the flags and plimsoll.toml describe, its notes printed as warnings.
/// `discover`: also the ignore files of the working directory (`plimsoll
/// scan`; a server's working directory is not its users' repository).
pub fn open_gate(config: &Config, args: &GateArgs, discover: bool) -> Result<VulnGate> {
    let sc = &config.scan;
    let fail_word = args
        .fail_on
        .clone()
        .or_else(|| sc.fail_on.clone())
        .unwrap_or_else(|| "high".into());
    let fail_on = VulnSeverity::parse(&fail_word).ok_or_else(|| {
        anyhow!(
            "--fail-on '{fail_word}': expected critical, high, medium, low, negligible or unknown"
        )
    })?;
    let ignore_unfixed = args.ignore_unfixed || sc.ignore_unfixed.unwrap_or(false);
    let db_path = crate::db::database_path(args.db.as_ref(), config)?;
    let mut ignores = sc.ignore.clone();
    let mut files = args.ignore_file.clone();
    if discover && !args.no_ignore_files {
        for found in plimsoll_scan::discover_ignore_files(Path::new(".")) {
            if !files.iter().any(|f| same_file(f, &found)) {
                files.push(found);
            }
        }
    }
    for path in &files {
        let parsed = plimsoll_scan::read_ignore_file(path)?;
        for note in &parsed.notes {
            eprintln!("note: {note}");
        }
        if !parsed.rules.is_empty() {
            eprintln!(
                "note: {}: {} ignore rule(s) read",
                path.display(),
                parsed.rules.len()
            );
        }
        ignores.extend(parsed.rules);
    }
    let vex: Vec<PathBuf> = sc.vex.iter().chain(&args.vex).cloned().collect();
    let unknown_as = match args.unknown_as.as_ref().or(sc.unknown_as.as_ref()) {
        None => None,
        Some(word) => Some(VulnSeverity::parse(word).ok_or_else(|| {
            anyhow!(
                "{} '{word}': expected critical, high, medium, low, negligible or unknown",
                if args.unknown_as.is_some() {
                    "--unknown-as"
                } else {
                    "plimsoll.toml [scan] unknown_as"
                }
            )
        })?),
    };
    let fail_on_epss = args.fail_on_epss.or(sc.fail_on_epss);
    if let Some(p) = fail_on_epss
        && !(0.0..=1.0).contains(&p)
    {
        bail!("--fail-on-epss {p} (or [scan] fail_on_epss): an EPSS score is from 0 to 1");
    }
    let mut gate = VulnGate::open(&db_path, ignores, &vex, fail_on, ignore_unfixed)?;
    gate.unknown_as = unknown_as;
    gate.fail_on_kev = args.fail_on_kev || sc.fail_on_kev.unwrap_or(false);
    gate.fail_on_epss = fail_on_epss;
    for note in gate.notes() {
        eprintln!("warning: {note}");
    }
    Ok(gate)
}

#[derive(Clone, Copy, ValueEnum)]
enum ScanFormat {
    Table,
    Json,
    Sarif,
    Cyclonedx,
    /// JUnit XML: a failing test case per audit finding and counted vulnerability.
    Junit,
}

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    // -- sbomread (issue 18): `sbom:FILE` is read here, not on a server --
    if let Some(source) = plimsoll_scan::SbomSource::parse(&args.image.reference) {
        if args.remote.server.is_some() {
            bail!(
                "{}: an SBOM document is scanned here, not with --server (the server reads images)",
                args.image.reference
            );
        }
        return run_sbom(&args, &source);
    }
    if let Some(server) = &args.remote.server {
        return run_remote(&args, server);
    }
    let p = prepare(&args.image)?;
    if !args.offline && p.config.db.auto_update.unwrap_or(true) {
        let path = crate::db::database_path(args.gate.db.as_ref(), &p.config)?;
        ensure_database(&p.config, &path)?;
    }
    // Everything that can be wrong with the inputs is said before the image is read.
    let gate = open_gate(&p.config, &args.gate, true)?;
    // The audit's part of the gate is the scan's threshold (see ScanReport::failing).
    let judge = p.judge(&args.audit, Severity::Info)?;
    let created = plimsoll_scan::source_date_epoch()?;

    let image = p.resolve()?;
    // The scan consumes the image; a directory's listing says what it skipped.
    let listing = image.source.directory();
    let bar = crate::progress::Bar::new(&image, !args.image.no_progress);
    let report = p
        .scanner
        .scan_image(image, &p.reference, &judge, &gate, created, &bar);
    bar.finish();
    let report = report?;
    report_out(&args, &report, listing.as_deref())
}

/// `scan sbom:FILE`: the document's packages matched under the same gate
/// and rendered as an image's scan is.
fn run_sbom(args: &ScanArgs, source: &plimsoll_scan::SbomSource) -> Result<ExitCode> {
    let (config, scanner) = crate::prepare_engine(&args.image.engine, args.image.dir.options())?;
    // A document that cannot be read is said before the database is touched.
    let document = source.read()?;
    if !args.offline && config.db.auto_update.unwrap_or(true) {
        let path = crate::db::database_path(args.gate.db.as_ref(), &config)?;
        ensure_database(&config, &path)?;
    }
    let gate = open_gate(&config, &args.gate, true)?;
    let created = plimsoll_scan::source_date_epoch()?;
    let report = scanner.scan_sbom(&args.image.reference, document, &gate, created)?;
    report_out(args, &report, None)
}

/// Warnings and notes on stderr, the report in its format, the gate's exit code.
fn report_out(
    args: &ScanArgs,
    report: &plimsoll_scan::ScanReport,
    listing: Option<&plimsoll_oci::DirListing>,
) -> Result<ExitCode> {
    crate::print_warnings(
        &report.image.reference,
        listing,
        Some(&report.inventory.warnings),
    );
    for n in &report.vulnerabilities.report.not_matched {
        eprintln!("note: {n}");
    }
    let text = match args.format {
        ScanFormat::Table => render::table(report),
        ScanFormat::Json => render::json(report)?,
        ScanFormat::Sarif => render::sarif(report)?,
        ScanFormat::Cyclonedx => render::cyclonedx(report),
        ScanFormat::Junit => render::junit(report),
    };
    emit(&text, args.output.as_ref())?;
    Ok(if report.failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Refreshes the database at `path` when it is missing or older than `[db]
/// max_age`, saying so on stderr; a failed refresh with a usable database
/// is a warning (see `plimsoll_vuln::update::ensure_fresh`).
fn ensure_database(config: &Config, path: &Path) -> Result<()> {
    use plimsoll_vuln::update::{self, Ensured};
    let freshness = config.db.freshness()?;
    let opts = crate::db::update_options(config, path, None, &[], None)?;
    let started = std::time::Instant::now();
    let ensured = update::ensure_fresh(path, &opts, freshness, |age| match age {
        None => eprintln!(
            "no vulnerability database at {}: downloading it from {} (--offline: never)",
            path.display(),
            opts.base_url
        ),
        Some(a) => eprintln!(
            "the vulnerability database is {} old: updating it from {} (--offline: never)",
            update::human_duration(a),
            opts.base_url
        ),
    });
    match ensured {
        Ok(Ensured::Fresh { .. }) => {}
        Ok(Ensured::Refreshed(r)) => {
            let downloaded = r.download.downloaded_bytes();
            match &r.rebuilt {
                Some((meta, _)) => eprintln!(
                    "vulnerability database updated: {} downloaded, {} advisories ({:.1} s)",
                    plimsoll_report::human_bytes(downloaded),
                    meta.advisories,
                    started.elapsed().as_secs_f64()
                ),
                None => eprintln!("vulnerability database is current (nothing changed)"),
            }
        }
        Ok(Ensured::Stale { age, error }) => eprintln!(
            "warning: updating the vulnerability database failed ({:#}); scanning with the one \
             built {} ago",
            anyhow::Error::from(error),
            update::human_duration(age)
        ),
        Err(e) => bail!(
            "{:#}\nhelp: scan with --offline and a database made elsewhere (`plimsoll db import \
             PATH...`), or point PLIMSOLL_DB_URL or [db] base_url at a reachable mirror of OSV's \
             export",
            anyhow::Error::from(e)
        ),
    }
    Ok(())
}

/// `scan --server`: the server scans; its report and verdict are ours.
fn run_remote(args: &ScanArgs, server: &str) -> Result<ExitCode> {
    // The format is checked first: a wrong one needs no token to be said.
    let format = match args.format {
        ScanFormat::Table => "table",
        ScanFormat::Json => "json",
        ScanFormat::Sarif => "sarif",
        ScanFormat::Cyclonedx => "cyclonedx",
        ScanFormat::Junit => bail!(
            "--format junit is rendered by a local scan only: with --server, ask for json, sarif, cyclonedx or table"
        ),
    };
    let token = match &args.remote.token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("token file {}", path.display()))?
                .trim()
                .to_string(),
        ),
        None => std::env::var("PLIMSOLL_TOKEN")
            .ok()
            .map(|t| t.trim().to_string()),
    };
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        bail!("--server needs the server's API token: --token-file FILE or $PLIMSOLL_TOKEN");
    };
    let client = plimsoll_server::client::Client::new(
        server,
        Some(token),
        args.remote.server_ca.as_deref(),
    )?;
    let verbose = !args.image.no_progress && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let remote = client.scan(
        &args.image.reference,
        format,
        std::time::Duration::from_secs(args.remote.server_timeout),
        |state| {
            if verbose {
                eprintln!("{server}: {} {state}", args.image.reference);
            }
        },
    )?;
    emit(&remote.text, args.output.as_ref())?;
    Ok(match remote.verdict.as_str() {
        "passed" => ExitCode::SUCCESS,
        "failed" => ExitCode::from(1),
        other => bail!(
            "{server}: verdict {other:?} for {} ({})",
            args.image.reference,
            remote.digest
        ),
    })
}

/// Whether two paths name the same file (so a discovered file named again
/// with --ignore-file is read once).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
