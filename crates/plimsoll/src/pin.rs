//! `plimsoll pin`: a thin front over `plimsoll_pin` (references found,
//! tags resolved once, files rewritten in place, what changed printed).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use plimsoll_pin::{Resolver, Tally};

#[derive(Args)]
pub struct PinArgs {
    /// Dockerfiles, Kubernetes manifests, Compose files, or directories (their Dockerfiles
    /// and *.yaml/*.yml/*.json files).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Change nothing; exit 1 when a reference is unpinned, a pin is stale (its tag has
    /// moved) or a tag cannot be resolved.
    #[arg(long)]
    check: bool,
    /// Replace stale pins with the digest their tag points at now.
    #[arg(long)]
    update: bool,
    /// Resolve tags from this OCI image layout (`oci:DIR`: a ref.name of `name:tag` or
    /// `tag`) instead of their registries.
    #[arg(long, value_name = "oci:DIR")]
    resolve_from: Option<String>,
    /// Pin the platform's manifest digest (see --platform) instead of the
    /// multi-platform index's.
    #[arg(long)]
    platform_digest: bool,
    /// The platform for --platform-digest [default: this machine's].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
    /// Reach this registry (host[:port]) over plain HTTP; repeatable.
    #[arg(long = "insecure", value_name = "HOST")]
    insecure: Vec<String>,
}

pub fn run(args: PinArgs) -> Result<ExitCode> {
    let mut options = plimsoll_oci::ResolveOptions {
        insecure_registries: args.insecure.clone(),
        ..plimsoll_oci::ResolveOptions::default()
    };
    if let Some(p) = &args.platform {
        options.platform = plimsoll_oci::Platform::parse(p).map_err(|e| anyhow!("{e}"))?;
        options.platform_explicit = true;
    }
    let layout = match &args.resolve_from {
        Some(r) => match r.strip_prefix("oci:") {
            Some(dir) if PathBuf::from(dir).join("index.json").is_file() => {
                Some(PathBuf::from(dir))
            }
            _ => bail!("--resolve-from {r}: not an OCI image layout (oci:DIR with an index.json)"),
        },
        None => None,
    };
    let files = plimsoll_pin::files(&args.paths).map_err(|e| anyhow!("{e}"))?;
    if files.is_empty() {
        bail!("no Dockerfiles or YAML files under the paths given");
    }
    let mut resolver = Resolver::new(options, layout, args.platform_digest);
    let mut tally = Tally::default();
    for path in &files {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let sites = plimsoll_pin::sites(path, &text).map_err(|e| anyhow!("{e}"))?;
        let out = plimsoll_pin::pin(&text, &sites, &mut resolver, args.update);
        for c in &out.changes {
            match plimsoll_pin::describe(path, c, args.check) {
                Some((true, line)) => eprintln!("{line}"),
                Some((false, line)) => println!("{line}"),
                None => {}
            }
        }
        tally.add(&out.changes);
        if !args.check && out.text != text {
            plimsoll_pin::write_in_place(path, &out.text)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    eprintln!("{}", tally.summary(args.check));
    Ok(if tally.fails(args.check) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
