//! `plimsoll lint`: Dockerfiles in, findings out; many files in parallel in
//! one process.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use plimsoll_lint::files;
use plimsoll_lint::rules::label_schema::LabelType;
use plimsoll_report::{Policy, PolicySpec, Severity};

#[derive(Args)]
pub struct LintArgs {
    /// Dockerfiles or directories (searched for Dockerfile, Dockerfile.*, *.Dockerfile,
    /// Containerfile); `-` reads standard input.
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::FileFormat::Table)]
    format: crate::FileFormat,
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
    /// Turn on an opt-in rule by code, hadolint code or name; repeatable.
    #[arg(long, value_name = "CODE")]
    enable: Vec<String>,
    /// The environment the Dockerfiles are built for: when no `[[services]]` entry of
    /// plimsoll.toml lists it (`--env prod`), DF053 flags injected services' marks (P-I1)
    /// [default: the final stage's label named by plimsoll.toml [environments] label].
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<String>,
    /// A label every image must carry, with its value's format (hadolint's --require-label):
    /// NAME:TYPE, TYPE one of text, url, spdx, rfc3339, hash, semver, email; repeatable
    /// [also plimsoll.toml [lint] label_schema, .hadolint.yaml label-schema].
    #[arg(long = "require-label", value_name = "NAME:TYPE")]
    require_label: Vec<String>,
    /// Only the label schema's labels are allowed (DF083) [plimsoll.toml [lint]
    /// strict_labels, .hadolint.yaml strict-labels].
    #[arg(long)]
    strict_labels: bool,
    /// Apply the safe fixes in place (apt -y, --no-install-recommends, apt list
    /// cleanup, MAINTAINER to LABEL, exec form); with `-`, print the fixed file.
    #[arg(long)]
    fix: bool,
    /// Configuration file [default: ./plimsoll.toml if present]; `.hadolint.yaml`
    /// in the current directory is read as well.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report findings under plimsoll's codes (DF001, hadolint's beside it) or
    /// hadolint's (DL3008 where the rule has one, for dashboards keyed by them)
    /// [default: plimsoll; plimsoll.toml [lint] codes].
    #[arg(long, value_enum, value_name = "STYLE")]
    codes: Option<Codes>,
}

/// Which code a Dockerfile finding is reported under.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codes {
    /// plimsoll's own codes (DF001), hadolint's as an alias.
    #[default]
    Plimsoll,
    /// hadolint's codes (DL3008) where the rule has one, plimsoll's as an alias.
    Hadolint,
}

/// What the configuration files and flags say, merged.
struct Settings {
    /// Opt-in rules and trusted registries, for the lint crate.
    options: plimsoll_lint::LintOptions,
    skip_paths: Option<globset::GlobSet>,
    policy: Policy,
    codes: Codes,
}

fn settings(args: &LintArgs) -> Result<Settings> {
    let config = crate::config::Config::load(args.config.as_deref())?;
    let lc = &config.lint;
    let mut ignore: Vec<String> = lc.ignore.clone();
    // Both files' lists count: a registry trusted in either is trusted.
    let mut trusted_registries = lc.trusted_registries.clone();
    ignore.extend(args.ignore.iter().cloned());
    let mut severity = PolicySpec::severity_words("plimsoll.toml [lint.severity]", &lc.severity)?;
    let mut fail_on = match &lc.fail_on {
        Some(s) => s
            .parse()
            .map_err(|e: String| anyhow::anyhow!("plimsoll.toml [lint] fail_on: {e}"))?,
        None => Severity::Info,
    };
    let mut label_schema = BTreeMap::new();
    let mut strict_labels = false;
    if let Some((path, h)) = crate::config::HadolintConfig::load_default()? {
        add_labels(
            &mut label_schema,
            &h.label_schema,
            &format!("{} label-schema", path.display()),
        )?;
        strict_labels |= h.strict_labels == Some(true);
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
    add_labels(
        &mut label_schema,
        &lc.label_schema,
        "plimsoll.toml [lint] label_schema",
    )?;
    if let Some(s) = lc.strict_labels {
        strict_labels = s;
    }
    for word in &args.require_label {
        let (name, ty) = word.split_once(':').unwrap_or((word.as_str(), ""));
        let one = BTreeMap::from([(name.to_string(), ty.to_string())]);
        add_labels(&mut label_schema, &one, "--require-label")?;
    }
    strict_labels |= args.strict_labels;
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
    let spec = PolicySpec {
        ignore,
        severity,
        fail_on,
        ..PolicySpec::default()
    };
    Ok(Settings {
        options: plimsoll_lint::LintOptions {
            enable,
            trusted_registries,
            environment: config.environment(args.environment.as_deref()),
            label_schema,
            strict_labels,
        },
        skip_paths,
        policy: Policy::new(&spec, &files::rule_refs())?,
        codes: args.codes.or(lc.codes).unwrap_or_default(),
    })
}

/// Adds a label schema's entries (see `label_schema::add_entries`).
fn add_labels(
    schema: &mut BTreeMap<String, LabelType>,
    entries: &BTreeMap<String, String>,
    origin: &str,
) -> Result<()> {
    Ok(plimsoll_lint::rules::label_schema::add_entries(
        schema, entries, origin,
    )?)
}

pub fn run(args: LintArgs) -> Result<ExitCode> {
    let settings = settings(&args)?;
    let mut paths = Vec::new();
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
            files::discover(&path, &mut paths)?;
        } else if path.is_file() {
            paths.push(path);
        } else {
            bail!("{p}: no such file or directory");
        }
    }
    if let Some(skip) = &settings.skip_paths {
        // Globs are relative to where plimsoll runs: `./a/Dockerfile` is `a/Dockerfile`.
        paths.retain(|f| !skip.is_match(f.strip_prefix(".").unwrap_or(f)));
    }
    if paths.is_empty() && stdin.is_none() {
        bail!("no Dockerfiles found in {}", args.paths.join(", "));
    }
    let lint = files::LintRun {
        options: &settings.options,
        policy: &settings.policy,
        fix: args.fix,
    };
    let mut reports = lint.lint_files(&paths);
    if let Some(s) = stdin {
        reports.push(lint.lint_source("-", s));
    }
    for n in reports.iter().filter_map(|r| r.fixed.as_ref()) {
        eprintln!("{n}");
    }
    let status = files::exit_status(&reports, &settings.policy);
    if args.fix
        && let Some(fixed) = reports.iter().find(|r| r.path == "-")
    {
        // The fixed Dockerfile is the output; the findings left go to stderr.
        crate::emit(&fixed.source, args.output.as_ref())?;
        eprint!(
            "{}",
            plimsoll_report::to_short_lines(&files::views(&reports))
        );
        return Ok(ExitCode::from(status));
    }
    let rules = match settings.codes {
        Codes::Plimsoll => plimsoll_lint::rules(),
        Codes::Hadolint => {
            files::use_hadolint_codes(&mut reports);
            plimsoll_lint::rules_under_hadolint_codes()
        }
    };
    let text = crate::render_files(
        args.format,
        &files::views(&reports),
        &rules,
        &files::all_findings(&reports),
        "the linted Dockerfiles",
        || files::render_table(&reports),
        || serde_json::to_string_pretty(&files::LintReport::new(&reports)),
    )?;
    crate::emit(&text, args.output.as_ref())?;
    for e in reports.iter().filter_map(|r| r.error.as_ref()) {
        eprintln!("error: {e}");
    }
    Ok(ExitCode::from(status))
}
