//! `plimsoll host audit`: the Docker host and daemon against the CIS Docker
//! Benchmark (practices P-H1…P-H5). A thin front over `plimsoll_host`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use plimsoll_host::{Host, HostOptions, LiveState, Selection, TlsFiles};
use plimsoll_report::{FileFindings, Policy, PolicySpec, Severity};

#[derive(Subcommand)]
pub enum HostCommand {
    /// Audit a Docker host: daemon settings, file owners and modes, audit rules, the docker
    /// group, content trust (rules HOST…, CIS Docker Benchmark ids); exit 1 on findings at or
    /// above --fail-on.
    Audit(HostAuditArgs),
}

#[derive(Args)]
#[command(
    after_long_help = "Every path is read under --root, symbolic links followed inside it. The \
    daemon's configuration comes from daemon.json (or the --config-file of its command line) and \
    the dockerd command line (the newest dockerd in ROOT/proc, else ExecStart of docker.service \
    and its drop-ins); with a daemon answering on --docker-host (default: its unix:// host or \
    docker.socket's ListenStream, else /var/run/docker.sock, under the root; or DOCKER_HOST, \
    tcp:// with TLS from --tlsverify/DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI), \
    GET /info and /version give the live values. On --root / the loaded audit rules come from \
    `auditctl -l` and the docker group's members from /etc/group and the name service (getent).\n\n\
    Each CIS check is PASS, WARN (a finding at the rule's severity), INFO (not decided: a file \
    absent, no daemon) or NOTE (to review); INFO and NOTE are findings at severity info.\n\n\
    Exit codes: 0 no finding at or above --fail-on (default low, so INFO and NOTE do not fail), \
    1 findings at or above it, 2 usage or input error (--root not a directory, a malformed or \
    unreadable daemon.json, a symbolic-link loop on the way to it, a daemon TLS file missing or \
    unusable, an unreadable --audit-rules-loaded file)."
)]
pub struct HostAuditArgs {
    /// The host's root filesystem (a mounted disk, an image's root, a test tree).
    #[arg(long, value_name = "DIR", default_value = "/")]
    root: PathBuf,
    /// The live daemon: unix:///PATH on this machine, tcp://HOST:PORT, or `none` to not ask
    /// [default: the daemon's own unix:// host or docker.socket's ListenStream, else
    /// /var/run/docker.sock, under --root].
    #[arg(long, value_name = "URL", env = "DOCKER_HOST")]
    docker_host: Option<String>,
    /// Use TLS to a tcp:// daemon and verify its certificate against the CA (also when
    /// DOCKER_TLS_VERIFY is set to anything non-empty, as the docker CLI).
    #[arg(long)]
    tlsverify: bool,
    /// The CA that signed the daemon's certificate [default: ca.pem in DOCKER_CERT_PATH, else
    /// ~/.docker]; implies --tlsverify.
    #[arg(long, value_name = "FILE")]
    tlscacert: Option<PathBuf>,
    /// The client certificate, for a daemon that verifies clients [default: cert.pem beside
    /// ca.pem, when present].
    #[arg(long, value_name = "FILE", requires = "tlskey")]
    tlscert: Option<PathBuf>,
    /// The client certificate's key [default: key.pem beside ca.pem, when present].
    #[arg(long, value_name = "FILE", requires = "tlscert")]
    tlskey: Option<PathBuf>,
    /// The audited host's loaded audit rules, as `auditctl -l` printed them there (for a --root
    /// that is not this machine; on --root / plimsoll runs `auditctl -l` itself).
    #[arg(long, value_name = "FILE")]
    audit_rules_loaded: Option<PathBuf>,
    /// Table: list each undecided (INFO) check with its reason instead of one line naming them.
    #[arg(short, long)]
    verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HostFormat::Table)]
    format: HostFormat,
    /// Only these checks: a CIS id (2.2; a section such as 1.1 or 3 takes all below it) or a
    /// rule code or name (HOST004); repeatable.
    #[arg(long, value_name = "ID")]
    include: Vec<String>,
    /// Leave out these checks (same words as --include); repeatable.
    #[arg(long, value_name = "ID")]
    exclude: Vec<String>,
    /// Exit 1 when a finding is at or above this severity [default: low; plimsoll.toml [host]
    /// fail_on].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum HostFormat {
    Table,
    Json,
    Sarif,
    /// JUnit XML: a test suite per CIS section, a test case per finding.
    Junit,
    /// docker-bench-security's JSON log (tests[].results[] with id, desc, result, remediation).
    DockerBench,
}

pub fn run(command: HostCommand) -> Result<ExitCode> {
    match command {
        HostCommand::Audit(args) => audit(args),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn audit(args: HostAuditArgs) -> Result<ExitCode> {
    let start = now();
    let config = crate::config::Config::load(args.config.as_deref())?;
    let config_read = args.config.is_some() || std::path::Path::new("plimsoll.toml").is_file();
    let hc = &config.host;
    let fail_on = match (args.fail_on, &hc.fail_on) {
        (Some(s), _) => s,
        (None, Some(s)) => s
            .parse()
            .map_err(|e: String| anyhow!("plimsoll.toml [host] fail_on: {e}"))?,
        (None, None) => Severity::Low,
    };
    let spec = PolicySpec {
        ignore: hc.ignore.clone(),
        severity: PolicySpec::severity_words("plimsoll.toml [host.severity]", &hc.severity)?,
        fail_on,
        ..PolicySpec::default()
    };
    let policy = Policy::new(&spec, &plimsoll_host::rule_refs())?;
    let options = HostOptions {
        docker_host: args.docker_host.clone(),
        docker_tls: TlsFiles::docker_cli(
            args.tlsverify,
            args.tlscacert.as_deref(),
            args.tlscert.as_deref().zip(args.tlskey.as_deref()),
        ),
        loaded_audit_rules: args.audit_rules_loaded.clone(),
        docker_group_allowed: hc.docker_group_allowed.clone(),
        admission_requires_signature: config_read.then_some(config.admission.require_signature),
    };
    let host = Host::open(&args.root, options)?;
    let selection = Selection {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
    };
    let result = plimsoll_host::audit(&host, &policy, &selection);
    let findings = result.findings();
    let text = match args.format {
        HostFormat::Table => plimsoll_host::report::render_table(&result, &host, args.verbose),
        HostFormat::Json => {
            serde_json::to_string_pretty(&plimsoll_host::report::to_json(&result, &host))? + "\n"
        }
        HostFormat::DockerBench => {
            serde_json::to_string_pretty(&plimsoll_host::report::to_docker_bench(
                &result,
                start,
                now(),
            ))? + "\n"
        }
        HostFormat::Sarif => crate::source_sarif(
            &plimsoll_host::rule_infos(),
            &findings,
            &format!("the Docker host at {}", host.root.dir().display()),
        )?,
        HostFormat::Junit => {
            // One suite per CIS section (findings are in CIS order).
            let sections: Vec<(String, std::ops::Range<usize>)> = {
                let mut out: Vec<(String, std::ops::Range<usize>)> = Vec::new();
                for (i, f) in findings.iter().enumerate() {
                    let id = f.location.field.as_deref().unwrap_or("CIS ?");
                    let section = id
                        .trim_start_matches("CIS ")
                        .split('.')
                        .next()
                        .unwrap_or("?");
                    let name = format!("CIS section {section}");
                    match out.last_mut() {
                        Some((n, r)) if *n == name => r.end = i + 1,
                        _ => out.push((name, i..i + 1)),
                    }
                }
                out
            };
            let views: Vec<FileFindings<'_>> = if sections.is_empty() {
                vec![FileFindings {
                    path: "host",
                    source: None,
                    error: None,
                    findings: &[],
                }]
            } else {
                sections
                    .iter()
                    .map(|(n, r)| FileFindings {
                        path: n,
                        source: None,
                        error: None,
                        findings: &findings[r.clone()],
                    })
                    .collect()
            };
            plimsoll_report::to_junit(&views)
        }
    };
    crate::emit(&text, args.output.as_ref())?;
    if !matches!(host.live, LiveState::Reachable(_)) {
        eprintln!("note: {}", host.no_live());
    }
    Ok(if result.fails(&policy) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
