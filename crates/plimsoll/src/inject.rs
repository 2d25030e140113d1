//! `plimsoll dockerfile inject`: a thin front over `plimsoll_inject` (the
//! `[[services]]` of plimsoll.toml, the Dockerfile read, the rewrite
//! written to `-o` or stdout, notes on stderr).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};

use crate::config::Config;

#[derive(Subcommand)]
pub enum DockerfileCommand {
    /// Add an environment's services (`[[services]]` of plimsoll.toml) as a new final stage
    /// `<final>-with-services`, the original text kept byte for byte (P-I1). Exit 0 written,
    /// 2 bad input.
    #[command(
        after_long_help = "The production image is still built, instruction for instruction, \
        with `docker build --target <final>` (an unnamed final stage is named plimsoll-final: \
        ` AS plimsoll-final` is added to its FROM line, which changes nothing it builds). An \
        environment no service lists leaves the file unchanged (said on stderr); so does a file \
        already injected."
    )]
    Inject(InjectArgs),
}

#[derive(Args)]
pub struct InjectArgs {
    /// The Dockerfile to rewrite (read only).
    #[arg(value_name = "DOCKERFILE")]
    dockerfile: PathBuf,
    /// The environment (`test`, `staging`): the services whose `environments` list it.
    #[arg(long = "env", value_name = "ENV")]
    environment: String,
    /// Exactly this service instead of the environment's (it must exist); repeatable.
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// Write the Dockerfile to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Configuration file [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(command: DockerfileCommand) -> Result<ExitCode> {
    match command {
        DockerfileCommand::Inject(args) => inject(args),
    }
}

fn inject(args: InjectArgs) -> Result<ExitCode> {
    let config = Config::load(args.config.as_deref())?;
    let path = &args.dockerfile;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let request = plimsoll_inject::Request {
        environment: &args.environment,
        services: &args.services,
    };
    let out = plimsoll_inject::inject(&text, &config.services, &request)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if let Some(note) = &out.note {
        eprintln!("note: {}: {note}", path.display());
    } else if let Some(target) = &out.production_target {
        eprintln!(
            "{}: injected {} (build the production image with --target {target})",
            path.display(),
            out.injected.join(", ")
        );
    }
    crate::emit(&out.text, args.output.as_ref())?;
    Ok(ExitCode::SUCCESS)
}
