//! `plimsoll tags check`: a repository's tags against the tagging policy
//! (P-D2), a thin front over `plimsoll_tags`. Tags come from the registry
//! (`plimsoll_oci::list_tags`) or an OCI layout; the first digest of each
//! release tag from a record file (`--record`, kept up to date) or the
//! server's tag history (`--store`, the refs `plimsoll serve` keeps from
//! registry pushes).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use plimsoll_report::Severity;
use plimsoll_tags::{Options, Record};

#[derive(Subcommand)]
pub enum TagsCommand {
    /// Check a repository's tags: X.Y.Z tags that moved (TAG001), X.Y / X / latest not on
    /// the newest release they follow (TAG002), tags that are neither versions nor git
    /// SHAs (TAG003). Exit 0 clean, 1 a finding at --fail-on or above, 2 bad input.
    Check(CheckArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Sarif,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The repository: HOST[:PORT]/REPO (no tag), or oci:DIR (an OCI layout's tags).
    repository: String,
    /// The record of first sightings: read, then the release tags not seen before added
    /// [default: [tags] record; none: moved tags cannot be told].
    #[arg(long, value_name = "FILE", conflicts_with = "store")]
    record: Option<PathBuf>,
    /// Read first sightings from plimsoll serve's store (sqlite:PATH or postgres://…): the
    /// tag history it keeps from registry pushes. Read only.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Read the record but do not add to it.
    #[arg(long)]
    no_record: bool,
    /// A whole-tag regular expression of the team's own scheme (`build-[0-9]+`), accepted
    /// as a tag; repeatable [default: [tags] allow].
    #[arg(long, value_name = "REGEX")]
    allow: Vec<String>,
    /// Lowest severity that makes the exit code 1 [default: [tags] fail_on, else low].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Reach this registry (host[:port]) over plain HTTP; repeatable.
    #[arg(long = "insecure", value_name = "HOST")]
    insecure: Vec<String>,
    /// Configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(command: TagsCommand) -> Result<ExitCode> {
    match command {
        TagsCommand::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let config = crate::config::Config::load(args.config.as_deref())?;
    let tc = config.tags;
    let allow = if args.allow.is_empty() {
        tc.allow.clone()
    } else {
        args.allow.clone()
    };
    let options = Options::new(&allow)?;
    let fail_on = match (args.fail_on, &tc.fail_on) {
        (Some(s), _) => s,
        (None, Some(s)) => s
            .parse()
            .map_err(|e: String| anyhow!("plimsoll.toml [tags] fail_on: {e}"))?,
        (None, None) => Severity::Low,
    };
    let repository = args.repository.trim_end_matches('/').to_string();
    let tags = if let Some(dir) = repository.strip_prefix("oci:") {
        plimsoll_oci::layout_tags(std::path::Path::new(dir))?
    } else {
        let name = plimsoll_oci::NameRef::parse(&repository);
        if name.tag.is_some() || name.digest.is_some() {
            bail!("{repository}: name a repository (HOST/REPO), without a tag or digest");
        }
        let options = plimsoll_oci::ResolveOptions {
            insecure_registries: args
                .insecure
                .iter()
                .chain(&config.engine.insecure_registries)
                .cloned()
                .collect(),
            ..plimsoll_oci::ResolveOptions::default()
        };
        plimsoll_oci::list_tags(&repository, &options)?
    };
    let record_path = if args.store.is_some() {
        None
    } else {
        args.record.clone().or(tc.record.clone())
    };
    let mut history = match (&args.store, &record_path) {
        (Some(url), _) => server_history(url, &repository, &tags)?,
        (None, Some(path)) => Record::load(path)?,
        (None, None) => Record::default(),
    };
    let mut report = plimsoll_tags::check(&repository, &tags, &history, &options);
    if let Some(path) = &record_path
        && !args.no_record
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if plimsoll_tags::record(&mut report, &mut history, now) > 0 {
            history.save(path)?;
        }
    }
    let text = match args.format {
        Format::Table => report.render_table(),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Sarif => {
            serde_json::to_string_pretty(&report.to_sarif(env!("CARGO_PKG_VERSION")))? + "\n"
        }
    };
    crate::emit(&text, None)?;
    Ok(if report.fails(fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The first digest of each release tag of `repository` in plimsoll
/// serve's tag history (the refs it records on every push).
fn server_history(url: &str, repository: &str, tags: &[(String, String)]) -> Result<Record> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if !std::path::Path::new(path).is_file() {
            bail!("--store {url}: no such database (plimsoll serve's --store)");
        }
    }
    rt.block_on(async {
        let store = plimsoll_store::Store::open(url)
            .await
            .map_err(|e| anyhow!("opening the server's store {url}: {e}"))?;
        let mut record = Record::default();
        for (tag, _) in tags {
            if !plimsoll_tags::is_release(tag) {
                continue;
            }
            let first = store
                .first_sighting(repository, tag)
                .await
                .map_err(|e| anyhow!("reading the tag history of {repository}:{tag}: {e}"))?;
            if let Some(first) = first {
                record.note(
                    repository,
                    tag,
                    &first.digest,
                    (first.first_seen / 1000).max(0) as u64,
                );
            }
        }
        Ok(record)
    })
}
