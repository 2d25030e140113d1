//! `plimsoll config audit`: run-time configuration (Kubernetes manifests,
//! Compose files, `docker run` command lines) in, findings and Pod Security
//! Standards levels out. A thin front over `plimsoll_runtime`.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use plimsoll_report::{Policy, PolicySpec, Severity};
use plimsoll_runtime::files::{self, FileAudit};
use plimsoll_runtime::pss::Level;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Audit how containers are run: privileged, host namespaces, capabilities, profiles, host
    /// paths, ports, limits, users, images (rules CFG…); exit 1 on findings at or above --fail-on.
    Audit(ConfigAuditArgs),
}

#[derive(Args)]
#[command(
    after_long_help = "Kinds read: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, \
    ReplicationController, PodTemplate (also inside a List); other kinds are skipped and counted. \
    An object is exempt from rules its annotation names: plimsoll.dev/ignore: \"CFG001,CFG004\".\n\n\
    Compose files (a YAML file with top-level `services:` and no apiVersion/kind, or --kind compose) \
    are read one workload per service, with ${VAR} interpolation (process environment over the .env \
    file beside the file), the override file beside a default-named file (compose.override.yaml), \
    extends and include; a service is exempt from rules its label plimsoll.dev/ignore names. \
    --docker-run 'docker run …' reads a command line the same way.\n\n\
    Exit codes: 0 clean, 1 findings at or above --fail-on (or a workload below --standard), \
    2 usage or input error (unreadable file, not YAML, not a Kubernetes object or Compose file, \
    a bad docker run line)."
)]
pub struct ConfigAuditArgs {
    /// Manifests, Compose files or directories (searched for *.yaml, *.yml, *.json; override
    /// files are merged into their base file); `-` reads standard input (e.g.
    /// `helm template … | plimsoll config audit -`).
    #[arg(required_unless_present = "docker_run")]
    paths: Vec<String>,
    /// What the files are [default: detected per file: Compose when the top level has
    /// `services:` and no apiVersion/kind, else Kubernetes].
    #[arg(long, value_enum)]
    kind: Option<ConfigKind>,
    /// A `docker run …` (or `docker container run …`) command line to audit, as one
    /// argument; repeatable. Findings point at `docker-run[N]:1:COLUMN`; unknown flags
    /// are warnings.
    #[arg(long = "docker-run", value_name = "COMMAND")]
    docker_run: Vec<String>,
    /// Pod Security Standard every workload must meet; the level each meets is reported and a
    /// workload below it fails (rule CFG018).
    #[arg(long, value_enum)]
    standard: Option<Standard>,
    /// The Kubernetes version whose Pod Security Standards checks judge the levels, as
    /// pod-security-admission's `enforce-version` label: v1.MINOR or latest
    /// [default: [config] standard_version, else the newest modelled].
    #[arg(long, value_name = "VERSION")]
    standard_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::FileFormat::Table)]
    format: crate::FileFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: info, i.e. any finding;
    /// plimsoll.toml [config] fail_on].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Ignore a rule by code (CFG001) or name; repeatable.
    #[arg(long, value_name = "CODE")]
    ignore: Vec<String>,
    /// A registry images may come from (host[:port], *.domain, docker.io); repeatable.
    /// Turns on rule CFG017.
    #[arg(long = "trusted-registry", value_name = "REGISTRY")]
    trusted_registry: Vec<String>,
    /// Configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ConfigKind {
    /// Kubernetes manifests (multi-document YAML or JSON, Lists).
    Kubernetes,
    /// Compose files (the Compose specification), one workload per service.
    Compose,
}

#[derive(Clone, Copy, ValueEnum)]
enum Standard {
    Baseline,
    Restricted,
}

pub fn run(command: ConfigCommand) -> Result<ExitCode> {
    match command {
        ConfigCommand::Audit(args) => audit(args),
    }
}

fn audit(args: ConfigAuditArgs) -> Result<ExitCode> {
    let config = crate::config::Config::load(args.config.as_deref())?;
    let cc = &config.config;
    let fail_on = match (args.fail_on, &cc.fail_on) {
        (Some(s), _) => s,
        (None, Some(s)) => s
            .parse()
            .map_err(|e: String| anyhow!("plimsoll.toml [config] fail_on: {e}"))?,
        (None, None) => Severity::Info,
    };
    let spec = PolicySpec {
        ignore: cc.ignore.iter().chain(&args.ignore).cloned().collect(),
        severity: PolicySpec::severity_words("plimsoll.toml [config.severity]", &cc.severity)?,
        fail_on,
        ..PolicySpec::default()
    };
    let policy = Policy::new(&spec, &plimsoll_runtime::rule_refs())?;
    let standard = args.standard.map(|s| match s {
        Standard::Baseline => Level::Baseline,
        Standard::Restricted => Level::Restricted,
    });
    let options = plimsoll_runtime::AuditOptions {
        trusted_registries: args
            .trusted_registry
            .iter()
            .chain(&cc.trusted_registries)
            .cloned()
            .collect(),
        standard,
        standard_version: match args
            .standard_version
            .as_ref()
            .or(cc.standard_version.as_ref())
        {
            Some(v) => Some(plimsoll_runtime::pss::parse_version(v).map_err(|e| anyhow!("{e}"))?),
            None => None,
        },
        ..Default::default()
    };
    let kind = args.kind.map(|k| match k {
        ConfigKind::Kubernetes => files::SourceKind::Kubernetes,
        ConfigKind::Compose => files::SourceKind::Compose,
    });
    let vars = plimsoll_runtime::compose::Variables::from_process();
    let mut paths = Vec::new();
    let mut stdin = None;
    for p in &args.paths {
        if p == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| anyhow!("reading standard input: {e}"))?;
            stdin = Some(s);
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_dir() {
            let found = files::manifests_under(&path)?;
            if found.is_empty() {
                bail!("{p}: no manifests (*.yaml, *.yml, *.json) in this directory");
            }
            paths.extend(found);
        } else if path.is_file() {
            paths.push(path);
        } else {
            bail!("{p}: no such file or directory");
        }
    }
    let mut audited: Vec<FileAudit> = files::audit_files(&paths, kind, &vars, &options, &policy);
    if let Some(s) = stdin {
        let kind = kind.unwrap_or_else(|| files::detect(&s));
        audited.extend(files::audit_source_as(
            "-", s, kind, &vars, &options, &policy,
        ));
    }
    for (i, line) in args.docker_run.iter().enumerate() {
        audited.push(files::audit_docker_run(
            &format!("docker-run[{}]", i + 1),
            line,
            &options,
            &policy,
        ));
    }
    let text = crate::render_files(
        args.format,
        &files::views(&audited),
        &plimsoll_runtime::rule_infos(),
        &files::all_findings(&audited),
        "the audited manifests",
        || files::render_table(&audited, &options),
        || serde_json::to_string_pretty(&files::ConfigReport::new(&audited, &options)),
    )?;
    crate::emit(&text, args.output.as_ref())?;
    for w in audited.iter().flat_map(|f| &f.warnings) {
        eprintln!("warning: {w}");
    }
    for e in audited.iter().filter_map(|f| f.error.as_ref()) {
        eprintln!("error: {e}");
    }
    Ok(ExitCode::from(files::exit_status(&audited, &policy)))
}
