//! plimsoll: says a container image is safe to ship.
//!
//! Exit codes: 0 no finding at or above `--fail-on`; 1 findings at or above
//! it; 2 usage or input error (unreadable image, corrupt blob, bad config).

mod admission;
mod config;
mod config_audit;
mod db;
mod diff;
mod host;
mod inject;
mod lint;
mod pin;
mod progress;
mod serve;
mod sign;
mod structure;
mod tags;
mod vulnscan;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Parser, Subcommand, ValueEnum};
use plimsoll_audit::{AuditSettings, ImageReport, Judge, render_inspect, render_table};
use plimsoll_engine::{Cache, EngineOptions};
use plimsoll_oci::{Image, ImageRef, Platform, ResolveOptions};
use plimsoll_report::{PolicySpec, Severity};
use plimsoll_scan::{ImageScan, Passes, ScanOptions, Scanner};

use config::{ByteSize, Config};

#[derive(Parser)]
#[command(
    name = "plimsoll",
    version,
    about = "Says a container image is safe to ship",
    long_about = "Audits container images (OCI layouts, docker archives, OCI registries) against \
                  container best practice.\n\nExit codes: 0 clean, 1 findings at or above \
                  --fail-on, 2 usage or input error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
enum Command {
    /// Work with container images.
    #[command(subcommand)]
    Image(ImageCommand),
    /// Lint Dockerfiles (files, directories, or - for stdin); exit 1 on findings at or above --fail-on.
    Lint(lint::LintArgs),
    /// Rewrite Dockerfiles: `inject` adds an environment's services as a new final stage (P-I1).
    #[command(subcommand)]
    Dockerfile(inject::DockerfileCommand),
    /// Check how containers are run (Kubernetes manifests).
    #[command(subcommand)]
    Config(config_audit::ConfigCommand),
    /// Check the Docker host and daemon (CIS Docker Benchmark).
    #[command(subcommand)]
    Host(host::HostCommand),
    /// List the packages installed in an image (software bill of materials).
    Sbom(SbomArgs),
    /// Audit, SBOM and vulnerabilities in one pass, with one gate (exit 1 at or above --fail-on).
    Scan(vulnscan::ScanArgs),
    /// Scan images on registry push or request; keep results by digest; serve the API and a web page.
    Serve(serve::ServeArgs),
    /// Kubernetes validating admission webhook: the run-time rules, trusted registries,
    /// digests and each image's scan verdict decide which workloads are admitted.
    Admission(admission::AdmissionArgs),
    /// Run scan workers against a shared store (PostgreSQL), without HTTP.
    Worker(serve::WorkerArgs),
    /// cosign-compatible key pairs: generate, import.
    #[command(subcommand)]
    Key(sign::KeyCommand),
    /// Sign an image with a key, cosign-compatibly (the signature beside it at sha256-<hex>.sig).
    Sign(sign::SignArgs),
    /// Pin image references to tag@digest in Dockerfiles, Kubernetes manifests and Compose
    /// files (P-D1); --check changes nothing and exits 1 when one is unpinned or stale.
    Pin(pin::PinArgs),
    /// A repository's tags against the tagging policy (P-D2).
    #[command(subcommand)]
    Tags(tags::TagsCommand),
    /// Structure tests: container-structure-test's configurations (schema 2.0.0) checked on
    /// the image's files and config without running it (exit 0 pass, 1 a test failed, 2 bad input).
    Test(structure::TestArgs),
    /// Differences between two images: files, packages, metadata, history, shared layers, size
    /// and wasted bytes (exit 0, 2 bad input).
    Diff(diff::DiffArgs),
    /// Verify an image's cosign signatures with a public key (exit 0 verified, 1 not, 2 bad input).
    Verify(sign::VerifyArgs),
    /// Manage the layer cache.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Manage the vulnerability database (OSV advisories): import, update, status.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Print the documentation of one rule.
    Rule {
        /// Rule code (IMG001), name (runs-as-root) or hadolint code (DL3008).
        code: String,
    },
    /// List every rule with its practice and severity.
    Rules,
    /// Check that a plimsoll server answers (GET /healthz): exit 0 when it does, 1 when not
    /// (the container image's HEALTHCHECK).
    Health {
        /// The server's base URL.
        #[arg(default_value = "http://127.0.0.1:8080")]
        url: String,
        /// A CA certificate (PEM) to trust for an https:// server, besides the system's.
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
    },
    /// Print a shell completion script: `plimsoll completions bash > /etc/bash_completion.d/plimsoll`.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Write man pages generated from the commands' help (plimsoll.1 and one per
    /// subcommand, e.g. plimsoll-scan.1) into a directory.
    Man {
        /// Where to write them (created if missing).
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        out_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImageCommand {
    /// Audit an image against the practices (exit 1 on findings at or above --fail-on).
    Audit(AuditArgs),
    /// Print an image's layers, sizes, changes, wasted bytes and config.
    Inspect(InspectArgs),
}

#[derive(Subcommand)]
enum CacheCommand {
    /// Delete every cached layer analysis.
    Clean {
        /// Cache directory [default: $PLIMSOLL_CACHE_DIR or ~/.cache/plimsoll].
        #[arg(long, env = "PLIMSOLL_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// Print where the cache is.
    Dir {
        #[arg(long, env = "PLIMSOLL_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ImageArgs {
    /// oci:DIR[:TAG], docker-archive:FILE, dir:PATH (a root filesystem), registry:HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG;
    /// `scan` also takes sbom:FILE (a CycloneDX or SPDX document; sbom:- reads standard input).
    reference: String,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    dir: DirArgs,
    /// Never draw a progress bar (it is only drawn on a terminal anyway).
    #[arg(long)]
    no_progress: bool,
}

/// How a `dir:PATH` reference is listed (ignored for other references).
#[derive(Args)]
pub struct DirArgs {
    /// dir: leave out paths matching GLOB, relative to PATH without a leading / (`var/cache`,
    /// `**/*.log`; `*` stays within one component, `**` crosses them); a matching directory goes
    /// with everything below it. Repeatable.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// dir: stay on PATH's filesystem; directories on other filesystems are listed, not read.
    /// (Pseudo-filesystems such as proc, sysfs and devtmpfs are never read.)
    #[arg(long)]
    one_file_system: bool,
}

impl DirArgs {
    fn options(&self) -> plimsoll_oci::DirOptions {
        plimsoll_oci::DirOptions {
            exclude: self.exclude.clone(),
            one_file_system: self.one_file_system,
        }
    }
}

/// How images are found and read, with the configuration file; shared by
/// every command that reads one (and by `serve` and `worker`).
#[derive(Args)]
pub struct EngineArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// How images are found and read (`plimsoll test` names its configuration
/// file otherwise: its `--config` is container-structure-test's).
#[derive(Args)]
pub struct ReadArgs {
    /// Platform to pick from a multi-platform index.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
    /// Allow plain HTTP for this registry (host[:port]); repeatable.
    #[arg(long = "insecure", value_name = "HOST")]
    insecure: Vec<String>,
    /// Network timeout in seconds (connect and each read).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Docker config.json with registry credentials [default: $DOCKER_CONFIG or ~/.docker].
    #[arg(long, value_name = "FILE")]
    docker_config: Option<PathBuf>,
    /// Read every layer; neither use nor fill the cache.
    #[arg(long)]
    no_cache: bool,
    /// Cache directory [default: $PLIMSOLL_CACHE_DIR or ~/.cache/plimsoll].
    #[arg(long, env = "PLIMSOLL_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Cap on decompressed bytes over all layers (e.g. 64G); guards against decompression bombs.
    #[arg(long, value_name = "SIZE")]
    max_uncompressed_bytes: Option<ByteSize>,
    /// Worker threads, at most 256 [default: one per CPU].
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Args)]
struct AuditArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    #[command(flatten)]
    rules: AuditOptions,
}

/// How the audit judges an image; shared by `image audit` and `scan`.
#[derive(Args)]
pub struct AuditOptions {
    /// Approved base image (P-D3); repeatable. The image must start with all of one base's layers.
    #[arg(long = "approved-base", value_name = "REF")]
    approved_base: Vec<String>,
    /// Ignore a rule by code or name; repeatable.
    #[arg(long, value_name = "CODE")]
    ignore: Vec<String>,
    /// Lowest acceptable efficiency score, 0..1 [default: 0.9].
    #[arg(long)]
    min_efficiency: Option<f64>,
    /// Highest acceptable wasted bytes / non-base bytes, 0..1 [default: 0.1].
    #[arg(long)]
    max_wasted_ratio: Option<f64>,
    /// Highest acceptable wasted bytes (e.g. 20M) [default: off].
    #[arg(long)]
    max_wasted_bytes: Option<ByteSize>,
    /// The environment the image is meant for: when no `[[services]]` entry of plimsoll.toml
    /// lists it (`--env prod`), IMG017 flags injected services' marks (P-I1) [default: the
    /// value of the image's label named by plimsoll.toml [environments] label].
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<String>,
}

#[derive(Args)]
struct InspectArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Output format (json: the same document as `audit --format json`, without findings).
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    format: InspectFormat,
}

#[derive(Args)]
#[command(
    after_long_help = "Reproducible output: CycloneDX and SPDX documents take their \
    timestamp from SOURCE_DATE_EPOCH (seconds since 1970-01-01 UTC) when it is set, and the \
    current time otherwise. The CycloneDX serialNumber and the SPDX documentNamespace are a \
    UUID (RFC 9562 version 8) made from the SHA-256 of the document itself, which includes the \
    image's manifest digest; packages are sorted. So with SOURCE_DATE_EPOCH set, one image gives \
    byte-identical documents on every run.\n\nWarnings (skipped records, truncated files, entries \
    of a dir: that cannot be listed or read) go to stderr, each distinct one once, at most 100, then \
    '… and N more warnings'; they never change the exit code. dir:/ skips pseudo-filesystems \
    (proc, sysfs, devtmpfs, cgroup, …) and never opens devices, FIFOs or sockets."
)]
struct SbomArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Output format: table, plimsoll's JSON, CycloneDX 1.6 JSON or SPDX 2.3 JSON
    /// (timestamps from SOURCE_DATE_EPOCH when set; see --help).
    #[arg(long, value_enum, default_value_t = SbomFormat::Table)]
    format: SbomFormat,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Judge every package's licences against plimsoll.toml [licenses] (P-C9): the packages
    /// not allowed go to stderr, and the exit code is 1 when there is one.
    #[arg(long)]
    check_licenses: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Sarif,
    /// JUnit XML: a test suite for the image, a failing test case per finding.
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum SbomFormat {
    /// One package a line.
    Table,
    /// plimsoll's own inventory (every field of every package).
    Json,
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

#[derive(Clone, Copy, ValueEnum)]
enum InspectFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Image(ImageCommand::Audit(args)) => audit(args),
        Command::Image(ImageCommand::Inspect(args)) => inspect(args),
        Command::Lint(args) => lint::run(args),
        Command::Health { url, ca } => {
            // A HEALTHCHECK may name the endpoint itself; the client wants the base.
            let base = url.trim_end_matches('/').trim_end_matches("/healthz");
            let client = plimsoll_server::client::Client::new(base, None, ca.as_deref())?;
            Ok(match client.health() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("unhealthy: {e}");
                    ExitCode::from(1)
                }
            })
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "plimsoll", &mut script);
            emit(&String::from_utf8_lossy(&script), None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir } => {
            std::fs::create_dir_all(&out_dir)
                .with_context(|| format!("creating {}", out_dir.display()))?;
            clap_mangen::generate_to(<Cli as clap::CommandFactory>::command(), &out_dir)
                .with_context(|| format!("writing man pages to {}", out_dir.display()))?;
            let pages = std::fs::read_dir(&out_dir)?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "1"))
                .count();
            println!(
                "{}: {pages} man pages (man -l {}/plimsoll.1)",
                out_dir.display(),
                out_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Dockerfile(command) => inject::run(command),
        Command::Config(command) => config_audit::run(command),
        Command::Host(command) => host::run(command),
        Command::Sbom(args) => sbom(args),
        Command::Scan(args) => vulnscan::run(args),
        Command::Db(command) => db::run(command),
        Command::Serve(args) => serve::serve(args),
        Command::Worker(args) => serve::worker(args),
        Command::Admission(args) => admission::run(args),
        Command::Key(command) => sign::run_key(command),
        Command::Sign(args) => sign::run_sign(args),
        Command::Pin(args) => pin::run(args),
        Command::Tags(command) => tags::run(command),
        Command::Verify(args) => sign::run_verify(args),
        Command::Test(args) => structure::run(args),
        Command::Diff(args) => diff::run(args),
        // Everything printed goes through `emit`: a reader that closes the
        // pipe early (`plimsoll rules | head -1`) is not an error.
        Command::Cache(CacheCommand::Clean { cache_dir }) => {
            let cache = Cache::new(cache_dir_or_default(cache_dir)?);
            let freed = cache
                .clean()
                .with_context(|| format!("cleaning cache {}", cache.dir().display()))?;
            emit(
                &format!(
                    "removed {freed} bytes of cached layer analyses from {}\n",
                    cache.dir().display()
                ),
                None,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Cache(CacheCommand::Dir { cache_dir }) => {
            emit(
                &format!("{}\n", cache_dir_or_default(cache_dir)?.display()),
                None,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { code } => {
            use std::fmt::Write as _;
            // By code or name, or by the hadolint code of a Dockerfile rule (DL3008).
            let dockerfile_rule = plimsoll_lint::rule_table()
                .into_iter()
                .find(|r| plimsoll_report::names_rule(&code, &r.info, r.hadolint.as_slice()));
            let info = every_rule()
                .into_iter()
                .find(|r| r.is_named(&code))
                .or(dockerfile_rule.map(|r| r.info))
                .ok_or_else(|| anyhow!("no rule '{code}'; `plimsoll rules` lists them"))?;
            let mut text = format!(
                "{} {} [{}] default severity: {}\n",
                info.code, info.name, info.practice, info.severity
            );
            if let Some(r) = dockerfile_rule.filter(|r| r.info.code == info.code) {
                if let Some(h) = r.hadolint {
                    let _ = writeln!(text, "hadolint: {h}");
                }
                if r.opt_in {
                    let _ = writeln!(
                        text,
                        "off by default: turn it on with --enable {}",
                        info.code
                    );
                }
            }
            text.push('\n');
            for line in info.doc.lines() {
                let _ = writeln!(text, "{}", line.strip_prefix(' ').unwrap_or(line));
            }
            if let Some(p) = plimsoll_practice::practices::practice(info.practice) {
                let _ = writeln!(text, "\nPractice {} {}\n\n{}", p.id, p.title, p.text);
            }
            emit(&text, None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            use std::fmt::Write as _;
            let mut text = String::new();
            for r in every_rule() {
                let _ = writeln!(
                    text,
                    "{:<7} {:<24} {:<5} {:<8} {}",
                    r.code,
                    r.name,
                    r.practice,
                    r.severity,
                    r.summary()
                );
            }
            emit(&text, None)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Every rule of every family: image (IMG…), Dockerfile (DF…), run-time
/// configuration (CFG…), host (HOST…), tags (TAG…), structure tests
/// (STRUCT…), vulnerability (VULN001).
fn every_rule() -> Vec<plimsoll_report::RuleInfo> {
    let mut rules = plimsoll_audit::rule_infos();
    rules.extend(plimsoll_lint::rules());
    rules.extend(plimsoll_runtime::rule_infos());
    rules.extend(plimsoll_host::rule_infos());
    rules.extend(plimsoll_tags::rules::ALL.iter().map(|r| **r));
    rules.extend(plimsoll_license::rule_infos());
    rules.extend([plimsoll_structure::FAILED, plimsoll_structure::SKIPPED]);
    rules.push(plimsoll_vuln::report::VULNERABLE_PACKAGE);
    rules
}

fn cache_dir_or_default(dir: Option<PathBuf>) -> Result<PathBuf> {
    dir.or_else(Cache::default_dir)
        .ok_or_else(|| anyhow!("no cache directory: set --cache-dir or PLIMSOLL_CACHE_DIR"))
}

struct Prepared {
    config: Config,
    scanner: Scanner,
    reference: ImageRef,
}

fn prepare(args: &ImageArgs) -> Result<Prepared> {
    let (config, scanner) = prepare_engine(&args.engine, args.dir.options())?;
    let reference = ImageRef::parse(&args.reference)?;
    Ok(Prepared {
        config,
        scanner,
        reference,
    })
}

/// The configuration and the scanner the engine flags and plimsoll.toml
/// describe; `dir` says how `dir:` references are listed.
fn prepare_engine(args: &EngineArgs, dir: plimsoll_oci::DirOptions) -> Result<(Config, Scanner)> {
    prepare_reader(&args.read, args.config.as_deref(), dir)
}

/// [`prepare_engine`] with the configuration file named apart.
fn prepare_reader(
    args: &ReadArgs,
    config: Option<&std::path::Path>,
    dir: plimsoll_oci::DirOptions,
) -> Result<(Config, Scanner)> {
    let config = Config::load(config)?;
    let mut resolve = ResolveOptions::default();
    if let Some(p) = &args.platform {
        resolve.platform = Platform::parse(p).context("--platform")?;
        resolve.platform_explicit = true;
    }
    resolve.insecure_registries = args.insecure.clone();
    resolve
        .insecure_registries
        .extend(config.engine.insecure_registries.iter().cloned());
    resolve.timeout =
        Duration::from_secs(args.timeout.or(config.engine.timeout_secs).unwrap_or(30));
    resolve.docker_config = args.docker_config.clone();
    resolve.dir = dir;
    let mut engine = EngineOptions::default();
    if args.no_cache {
        engine.cache = None;
    } else if let Some(dir) = args.cache_dir.clone().or(config.engine.cache_dir.clone()) {
        let cache = Cache::new(dir);
        cache.check_dir().with_context(|| {
            format!(
                "cache directory {} (--cache-dir or [engine] cache_dir) cannot be used; \
                 name a directory, or pass --no-cache",
                cache.dir().display()
            )
        })?;
        engine.cache = Some(cache);
    } else if let Some(cache) = engine.cache.take() {
        // The default place: when it cannot be used, say so once and go on without it.
        match cache.check_dir() {
            Ok(()) => engine.cache = Some(cache),
            Err(e) => eprintln!(
                "warning: running without a cache: {} cannot be used ({e}); \
                 set --cache-dir or PLIMSOLL_CACHE_DIR",
                cache.dir().display()
            ),
        }
    }
    if let Some(n) = args
        .max_uncompressed_bytes
        .or(config.engine.max_uncompressed_bytes)
    {
        engine.max_uncompressed_bytes = n.0;
    }
    engine.threads = args.threads.or(config.engine.threads).unwrap_or(0);
    plimsoll_engine::check_threads(engine.threads).context("--threads or [engine] threads")?;
    let licenses = plimsoll_license::Policy::new(&config.licenses).context("plimsoll.toml")?;
    let licenses = (!licenses.is_empty()).then_some(licenses);
    Ok((
        config,
        Scanner::new(ScanOptions {
            resolve,
            engine,
            licenses,
        }),
    ))
}

impl Prepared {
    /// Resolves the reference, saying on stderr which platform an index gave.
    fn resolve(&self) -> Result<Image> {
        let image = self.scanner.resolve(&self.reference)?;
        if let Some(note) = &image.platform_note {
            eprintln!("{}: {note}", image.reference);
        }
        Ok(image)
    }

    /// Resolves and reads the image once with `passes`, drawing progress.
    fn read(&self, no_progress: bool, passes: Passes) -> Result<ImageScan> {
        let image = self.resolve()?;
        let bar = progress::Bar::new(&image, !no_progress);
        let scanned = self.scanner.read(image, passes, &bar);
        bar.finish();
        Ok(scanned?)
    }

    /// The audit's judge: settings and policy from plimsoll.toml and flags,
    /// approved bases resolved.
    fn judge(&self, opts: &AuditOptions, fail_on: Severity) -> Result<Judge> {
        build_judge(&self.config, &self.scanner, opts, fail_on)
    }
}

/// The audit's judge: settings and policy from plimsoll.toml and flags,
/// approved bases resolved (`image audit`, `scan`, `serve`, `worker`).
fn build_judge(
    config: &Config,
    scanner: &Scanner,
    opts: &AuditOptions,
    fail_on: Severity,
) -> Result<Judge> {
    {
        let ac = &config.audit;
        let settings = AuditSettings {
            min_efficiency: opts.min_efficiency.or(ac.min_efficiency).unwrap_or(0.9),
            max_wasted_ratio: opts.max_wasted_ratio.or(ac.max_wasted_ratio).unwrap_or(0.1),
            max_wasted_bytes: opts.max_wasted_bytes.or(ac.max_wasted_bytes).map(|b| b.0),
            environment: config.environment(opts.environment.as_deref()),
        };
        let mut ignore = ac.ignore.clone();
        ignore.extend(opts.ignore.iter().cloned());
        let policy = PolicySpec {
            ignore,
            ignore_paths: ac.ignore_paths.clone(),
            ignore_rule_paths: ac
                .ignore_rule_paths
                .iter()
                .map(|r| (r.rule.clone(), r.paths.clone()))
                .collect(),
            severity: PolicySpec::severity_words("plimsoll.toml [audit.severity]", &ac.severity)?,
            fail_on,
        };
        let bases: Vec<String> = opts
            .approved_base
            .iter()
            .chain(&ac.approved_bases)
            .cloned()
            .collect();
        Ok(Judge::new(
            settings,
            &policy,
            &bases,
            &scanner.options().resolve,
        )?)
    }
}

fn audit(args: AuditArgs) -> Result<ExitCode> {
    let p = prepare(&args.image)?;
    let fail_on = match (args.fail_on, &p.config.audit.fail_on) {
        (Some(s), _) => s,
        (None, Some(s)) => s
            .parse()
            .map_err(|e: String| anyhow!("plimsoll.toml: {e}"))?,
        (None, None) => Severity::High,
    };
    let judge = p.judge(&args.rules, fail_on)?;
    let scanned = p.read(args.image.no_progress, Passes::AUDIT)?;
    print_warnings(
        &scanned.image.reference,
        scanned.image.source.directory().as_deref(),
        None,
    );
    let findings = plimsoll_scan::judge_scan(&scanned, &p.reference, &judge)?;
    let failing = judge.policy().fails(&findings);
    let facts = scanned
        .audit
        .as_ref()
        .ok_or_else(|| anyhow!("no audit pass"))?;
    let report = ImageReport::new(&scanned.image, &scanned.scan, &facts.tree, findings)
        .with_user(&scanned.image, facts);
    let text = match args.format {
        Format::Table => render_table(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Sarif => serde_json::to_string_pretty(&plimsoll_audit::to_sarif(&report))? + "\n",
        Format::Junit => plimsoll_audit::to_junit(&report),
    };
    emit(&text, args.output.as_ref())?;
    // The process ends here: freeing the file tree would only cost time.
    std::mem::forget((scanned, report));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn inspect(args: InspectArgs) -> Result<ExitCode> {
    let p = prepare(&args.image)?;
    let scanned = p.read(args.image.no_progress, Passes::AUDIT)?;
    print_warnings(
        &scanned.image.reference,
        scanned.image.source.directory().as_deref(),
        None,
    );
    let tree = scanned.tree().ok_or_else(|| anyhow!("no audit pass"))?;
    let report = ImageReport::new(&scanned.image, &scanned.scan, tree, Vec::new());
    let text = match args.format {
        InspectFormat::Table => render_inspect(&report, &scanned.image),
        InspectFormat::Json => {
            serde_json::to_string_pretty(&plimsoll_audit::inspect_json(&report, &scanned.image))?
                + "\n"
        }
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

fn sbom(args: SbomArgs) -> Result<ExitCode> {
    let p = prepare(&args.image)?;
    let licenses = if args.check_licenses {
        let Some(policy) = p.scanner.options().licenses.clone() else {
            anyhow::bail!(
                "--check-licenses: plimsoll.toml has no [licenses] deny or allow list \
                 (e.g. deny = [\"forbidden\", \"copyleft\"])"
            );
        };
        Some(policy)
    } else {
        None
    };
    let scanned = p.read(args.image.no_progress, Passes::SBOM)?;
    let inventory = scanned
        .inventory
        .as_ref()
        .ok_or_else(|| anyhow!("no SBOM pass"))?;
    print_warnings(
        &scanned.image.reference,
        scanned.image.source.directory().as_deref(),
        Some(&inventory.warnings),
    );
    // Documents carry a timestamp; the table and JSON do not need one.
    let timestamped = matches!(args.format, SbomFormat::Cyclonedx | SbomFormat::Spdx);
    let created = if timestamped {
        plimsoll_scan::source_date_epoch()?
    } else {
        0
    };
    let document = plimsoll_scan::document_context(&scanned.image, created);
    let text = match args.format {
        SbomFormat::Cyclonedx => plimsoll_sbom::cyclonedx::Bom::new(inventory, &document).to_json(),
        SbomFormat::Spdx => plimsoll_sbom::spdx::Document::new(inventory, &document).to_json(),
        SbomFormat::Json => {
            serde_json::to_string_pretty(&plimsoll_sbom::render::InventoryReport::new(
                inventory,
                &document.subject,
            ))? + "\n"
        }
        SbomFormat::Table => plimsoll_sbom::render::render_table(inventory, &document.subject),
    };
    emit(&text, args.output.as_ref())?;
    if let Some(policy) = licenses {
        let findings = policy.check(&inventory.packages);
        eprint!("{}", plimsoll_license::render_text(&findings));
        if !findings.is_empty() {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what could not be read of `image` on stderr: for a `dir:` image
/// the directories not read below (one note) and the entries that could not
/// be listed or read, then `more` (the SBOM's warnings); each distinct
/// warning once, at most [`plimsoll_report::MAX_WARNINGS`], then `… and N
/// more warnings`. Warnings never change the exit code.
pub(crate) fn print_warnings(
    name: &dyn std::fmt::Display,
    listing: Option<&plimsoll_oci::DirListing>,
    more: Option<&plimsoll_report::Warnings>,
) {
    let mut all = plimsoll_report::Warnings::new();
    if let Some(listing) = listing {
        if !listing.skipped.is_empty() {
            let skipped: Vec<String> = listing
                .skipped
                .iter()
                .map(|s| format!("/{} ({})", s.path, s.why))
                .collect();
            eprintln!("note: {name}: not read below: {}", skipped.join(", "));
        }
        all = listing.warnings();
    }
    if let Some(more) = more {
        all.append(more);
    }
    for w in all.lines() {
        eprintln!("warning: {name}: {w}");
    }
}

/// SARIF for findings in source files (Dockerfiles, manifests), paths
/// relative to the working directory.
/// Output formats of the commands that check files (`lint`, `config audit`).
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FileFormat {
    Table,
    Json,
    Sarif,
    /// Checkstyle XML, for CI servers and editors that read it.
    Checkstyle,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// JUnit XML: a test suite per file, a failing test case per finding.
    Junit,
    /// Code Climate engine issues, each JSON object followed by a NUL byte.
    Codeclimate,
    /// GitLab's code quality report (Code Climate issues in one array, with fingerprints).
    #[value(name = "gitlab_codeclimate", alias = "gitlab-codeclimate")]
    GitlabCodeclimate,
    /// SonarQube's generic issue import format.
    Sonarqube,
}

/// A file checker's report in `format`: the table and the JSON are the
/// command's own; the other formats are the shared renderings of `views`
/// (SARIF of `findings`, about `subject`, with `rules`).
pub(crate) fn render_files(
    format: FileFormat,
    views: &[plimsoll_report::FileFindings<'_>],
    rules: &[plimsoll_report::RuleInfo],
    findings: &[plimsoll_report::Finding],
    subject: &str,
    table: impl FnOnce() -> String,
    json: impl FnOnce() -> serde_json::Result<String>,
) -> Result<String> {
    Ok(match format {
        FileFormat::Table => table(),
        FileFormat::Json => json()? + "\n",
        FileFormat::Checkstyle => plimsoll_report::to_checkstyle(views),
        FileFormat::Github => plimsoll_report::to_github(views),
        FileFormat::Junit => plimsoll_report::to_junit(views),
        FileFormat::Codeclimate => plimsoll_report::to_codeclimate(views),
        FileFormat::GitlabCodeclimate => plimsoll_report::to_gitlab_codeclimate(views),
        FileFormat::Sonarqube => plimsoll_report::to_sonarqube(views),
        FileFormat::Sarif => source_sarif(rules, findings, subject)?,
    })
}

pub(crate) fn source_sarif(
    rules: &[plimsoll_report::RuleInfo],
    findings: &[plimsoll_report::Finding],
    subject: &str,
) -> Result<String> {
    let mut log = plimsoll_report::to_sarif(
        env!("CARGO_PKG_VERSION"),
        plimsoll_scan::INFO_URI,
        rules,
        findings,
        subject,
        plimsoll_report::UriBase::SrcRoot,
    );
    // Dockerfile rules are related to hadolint's codes for the same rules.
    let pairs = plimsoll_lint::hadolint_pairs();
    if rules
        .iter()
        .any(|r| pairs.iter().any(|(c, _)| *c == r.code))
    {
        plimsoll_report::relate_to_tool(&mut log, "hadolint", plimsoll_lint::HADOLINT_URI, &pairs);
    }
    Ok(serde_json::to_string_pretty(&log)? + "\n")
}

pub(crate) fn emit(text: &str, output: Option<&PathBuf>) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("writing report to {}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("writing to stdout"),
            }
        }
    }
}
