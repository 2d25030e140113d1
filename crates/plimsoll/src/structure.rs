//! `plimsoll test`: a thin front over `plimsoll_structure` (configurations
//! loaded, the image resolved and read by the engine, the report printed).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::{Args, ValueEnum};

use crate::{DirArgs, ReadArgs, emit, prepare_reader, print_warnings, progress};

#[derive(Args)]
pub struct TestArgs {
    /// oci:DIR[:TAG], docker-archive:FILE, dir:PATH (a root filesystem), registry:HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG.
    reference: String,
    /// container-structure-test configuration (schema 2.0.0, YAML or .json); repeatable.
    #[arg(long = "config", required = true, value_name = "FILE")]
    configs: Vec<PathBuf>,
    /// Output format: container-structure-test's text, JSON and JUnit, or SARIF.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The JUnit test suite's name.
    #[arg(long, default_value = plimsoll_structure::DEFAULT_JUNIT_SUITE)]
    junit_suite_name: String,
    /// plimsoll's own configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    plimsoll_config: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    dir: DirArgs,
    /// Never draw a progress bar (it is only drawn on a terminal anyway).
    #[arg(long)]
    no_progress: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TestFormat {
    Text,
    Json,
    Junit,
    Sarif,
}

pub fn run(args: TestArgs) -> Result<ExitCode> {
    // Every configuration first: a typo fails before any layer is read.
    let configs = args
        .configs
        .iter()
        .map(|p| plimsoll_structure::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (_, scanner) = prepare_reader(
        &args.read,
        args.plimsoll_config.as_deref(),
        args.dir.options(),
    )?;
    let reference = plimsoll_oci::ImageRef::parse(&args.reference)?;
    let image = scanner.resolve(&reference)?;
    if let Some(note) = &image.platform_note {
        eprintln!("{}: {note}", image.reference);
    }
    let bar = progress::Bar::new(&image, !args.no_progress);
    let report = plimsoll_structure::run(&scanner.options().engine, &image, &configs, &bar);
    bar.finish();
    let report = report?;
    print_warnings(&image.reference, image.source.directory().as_deref(), None);
    let text = match args.format {
        TestFormat::Text => report.to_text(),
        TestFormat::Json => report.to_json(),
        TestFormat::Junit => report.to_junit(&args.junit_suite_name),
        TestFormat::Sarif => {
            serde_json::to_string_pretty(
                &report.to_sarif(env!("CARGO_PKG_VERSION"), plimsoll_scan::INFO_URI),
            )
            .map_err(|e| anyhow!("SARIF: {e}"))?
                + "\n"
        }
    };
    emit(&text, args.output.as_ref())?;
    Ok(if report.fails() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
