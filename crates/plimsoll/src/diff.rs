//! `plimsoll diff`: a thin front over `plimsoll_diff` (both references
//! resolved, each image read by the engine, the difference printed).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use plimsoll_scan::VulnGate;
use plimsoll_vuln::matcher::VulnSeverity;

use crate::{DirArgs, EngineArgs, emit, prepare_engine, print_warnings, progress};

#[derive(Args)]
pub struct DiffArgs {
    /// The first image: oci:DIR[:TAG], docker-archive:FILE, dir:PATH, registry:HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG.
    reference1: String,
    /// The second image, named the same ways.
    reference2: String,
    /// Output format: a table, plimsoll's JSON, or container-diff's JSON shape.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
    /// Write the diff to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Advisory database (`plimsoll db import`/`update`): also list the vulnerabilities the
    /// second image fixes and introduces.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    dir: DirArgs,
    /// Never draw a progress bar (it is only drawn on a terminal anyway).
    #[arg(long)]
    no_progress: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Table,
    Json,
    /// container-diff's `--json` output: [{"Image1","Image2","DiffType","Diff"}].
    ContainerDiff,
}

pub fn run(args: DiffArgs) -> Result<ExitCode> {
    let (_, scanner) = prepare_engine(&args.engine, args.dir.options())?;
    let resolve = &scanner.options().resolve;
    // The database before any image: a wrong path fails at once.
    let gate = match &args.db {
        Some(path) => Some(VulnGate::open(
            path,
            Vec::new(),
            &[],
            VulnSeverity::Unknown,
            false,
        )?),
        None => None,
    };
    // Both references first: a typo in the second fails before any layer is read.
    let images = [
        plimsoll_diff::resolve(&args.reference1, resolve, "first")?,
        plimsoll_diff::resolve(&args.reference2, resolve, "second")?,
    ];
    // --no-cache: a private cache for this run, so the shared layers are still read once.
    let (engine, _private_cache) = plimsoll_diff::session_options(&scanner.options().engine);
    let mut sides = Vec::with_capacity(2);
    for image in images {
        if let Some(note) = &image.platform_note {
            eprintln!("{}: {note}", image.reference);
        }
        let bar = progress::Bar::new(&image, !args.no_progress);
        let side = plimsoll_diff::read(&engine, image, &bar);
        bar.finish();
        let side = side?;
        print_warnings(
            &side.image.reference,
            side.image.source.directory().as_deref(),
            None,
        );
        sides.push(side);
    }
    let mut diff = plimsoll_diff::diff(&sides[0], &sides[1]);
    if let Some(gate) = &gate {
        let mut reports = Vec::with_capacity(2);
        for side in &sides {
            let document = plimsoll_scan::document_context(&side.image, 0);
            reports.push(gate.find(&side.inventory, &document)?);
        }
        diff = diff.with_vulnerabilities(&gate.database().path, &reports[0], &reports[1]);
    }
    let text = match args.format {
        DiffFormat::Table => diff.to_table(),
        DiffFormat::Json => diff.to_json(),
        DiffFormat::ContainerDiff => diff.to_container_diff(),
    };
    emit(&text, args.output.as_ref())?;
    // The process ends here: freeing the trees would only cost time.
    std::mem::forget(sides);
    Ok(ExitCode::SUCCESS)
}
