//! `plimsoll key generate|import`, `plimsoll sign`, `plimsoll verify`:
//! cosign-compatible keys and image signatures. A thin front over
//! `plimsoll_sign`. Passwords come from PLIMSOLL_PASSWORD or COSIGN_PASSWORD,
//! or a terminal prompt; never from a flag, never printed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use plimsoll_sign::{Password, PrivateKey, PublicKeyPem, RegistryOptions, SignError, Target};

const PASSWORD_HELP: &str = "The private key's password comes from PLIMSOLL_PASSWORD, else \
    COSIGN_PASSWORD, else a prompt on the terminal (never from a flag); it is never printed.";

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Write a new ECDSA P-256 key pair in cosign's formats: NAME.key (encrypted, 0600) and
    /// NAME.pub.
    #[command(after_long_help = PASSWORD_HELP)]
    Generate(GenerateArgs),
    /// Read a cosign key (ENCRYPTED SIGSTORE or ENCRYPTED COSIGN PRIVATE KEY) or a plain
    /// PKCS#8 / SEC1 EC P-256 key and write it as NAME.key (encrypted anew) and NAME.pub.
    #[command(after_long_help = PASSWORD_HELP)]
    Import(ImportArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Write NAME.key and NAME.pub.
    #[arg(long, value_name = "NAME", default_value = "cosign")]
    output_prefix: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The private key file.
    file: PathBuf,
    /// Write NAME.key and NAME.pub.
    #[arg(long, value_name = "NAME", default_value = "import-cosign")]
    output_prefix: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    force: bool,
}

/// How a signature repository is reached.
#[derive(Args)]
pub struct RepoArgs {
    /// Keep signatures in this repository (HOST/REPO, or oci:DIR) instead of the image's
    /// [env: COSIGN_REPOSITORY].
    #[arg(long, value_name = "REPO")]
    signature_repository: Option<String>,
    /// Allow plain HTTP for this registry (host[:port]); repeatable.
    #[arg(long = "insecure", value_name = "HOST")]
    insecure: Vec<String>,
    /// Network timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Docker config.json with registry credentials [default: $DOCKER_CONFIG or ~/.docker].
    #[arg(long, value_name = "FILE")]
    docker_config: Option<PathBuf>,
}

impl RepoArgs {
    fn open(&self, reference: &str) -> Result<Target, SignError> {
        let repo = self
            .signature_repository
            .clone()
            .or_else(|| std::env::var("COSIGN_REPOSITORY").ok())
            .filter(|r| !r.trim().is_empty());
        let opts = RegistryOptions {
            insecure: self.insecure.clone(),
            timeout: Some(std::time::Duration::from_secs(self.timeout)),
            docker_config: self.docker_config.clone(),
        };
        Target::open(reference, repo.as_deref(), &opts)
    }
}

#[derive(Args)]
#[command(
    after_long_help = "Signs the manifest digest REF resolves to (an index's own \
    digest for a multi-platform image), with cosign's simple-signing payload, and stores the \
    signature where cosign does: as a layer of the manifest tagged sha256-<hex>.sig in the \
    image's repository (or --signature-repository), added to the signatures already there. \
    The private key's password comes from PLIMSOLL_PASSWORD, else COSIGN_PASSWORD, else a \
    terminal prompt.\n\nExit codes: 0 signed, 2 bad input (key, password, reference, registry)."
)]
pub struct SignArgs {
    /// oci:DIR[:TAG], registry:HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG.
    reference: String,
    /// The private key (cosign's encrypted format, or plain PKCS#8 / SEC1).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// An annotation signed into the payload's optional section; repeatable.
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    annotation: Vec<String>,
    #[command(flatten)]
    repo: RepoArgs,
}

#[derive(Args)]
#[command(
    after_long_help = "Finds the image's signatures (the sha256-<hex>.sig tag, and \
    OCI 1.1 referrers with the sha256-<hex> index tag where the registry has no referrers \
    API), checks each signature with the public key over the payload's raw bytes, that the \
    payload names the image's digest, and each --annotation.\n\nExit codes: 0 at least one \
    signature verified, 1 none did (missing, tampered, another key, another image) or the \
    image's registry is not in [supply_chain] trusted_registries, 2 bad input (key, \
    reference, registry)."
)]
pub struct VerifyArgs {
    /// oci:DIR[:TAG], registry:HOST/REPO[:TAG|@DIGEST] or HOST/REPO:TAG.
    reference: String,
    /// The public key (PEM PUBLIC KEY, ECDSA P-256).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// An annotation the payload must carry; repeatable.
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    annotation: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Table)]
    format: VerifyFormat,
    /// Configuration file: `[supply_chain] trusted_registries` refuses images from other
    /// registries [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    repo: RepoArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Table,
    Json,
}

/// The password from the environment, else the terminal (twice when
/// `confirm`).
fn password(confirm: bool) -> Result<Password, SignError> {
    for var in ["PLIMSOLL_PASSWORD", "COSIGN_PASSWORD"] {
        if let Some(v) = std::env::var_os(var) {
            use std::os::unix::ffi::OsStringExt;
            return Ok(Password::new(v.into_vec()));
        }
    }
    let prompt = |text: &str| {
        rpassword::prompt_password(text).map_err(|_| {
            SignError::NoPassword(
                "set PLIMSOLL_PASSWORD or COSIGN_PASSWORD, or run on a terminal".into(),
            )
        })
    };
    let first = prompt("Enter password for private key: ")?;
    if confirm {
        let again = prompt("Enter password for private key again: ")?;
        if again != first {
            return Err(SignError::NoPassword("the passwords differ".into()));
        }
    }
    Ok(Password::new(first.into_bytes()))
}

fn key_paths(prefix: &Path) -> (PathBuf, PathBuf) {
    let with = |ext: &str| {
        let mut s = prefix.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s)
    };
    (with(".key"), with(".pub"))
}

fn write_pair(key: &PrivateKey, prefix: &Path, force: bool) -> Result<ExitCode> {
    let (private_path, public_path) = key_paths(prefix);
    if !force {
        for p in [&private_path, &public_path] {
            if p.exists() {
                return Err(SignError::Exists(p.clone()).into());
            }
        }
    }
    let pw = password(true)?;
    let pem = key.to_encrypted_pem(&pw)?;
    plimsoll_sign::keys::write_key_file(&private_path, &pem, force, 0o600)?;
    plimsoll_sign::keys::write_key_file(&public_path, &key.public_key().to_pem(), force, 0o644)?;
    eprintln!(
        "Private key written to {}\nPublic key written to {}",
        private_path.display(),
        public_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_key(command: KeyCommand) -> Result<ExitCode> {
    match command {
        KeyCommand::Generate(args) => {
            write_pair(&PrivateKey::generate(), &args.output_prefix, args.force)
        }
        KeyCommand::Import(args) => {
            let text = plimsoll_sign::keys::read_key_file(&args.file)?;
            let key = PrivateKey::from_pem(&text, || password(false))
                .with_context(|| format!("reading {}", args.file.display()))?;
            write_pair(&key, &args.output_prefix, args.force)
        }
    }
}

pub fn run_sign(args: SignArgs) -> Result<ExitCode> {
    let annotations = plimsoll_sign::parse_annotations(&args.annotation)?;
    let text = plimsoll_sign::keys::read_key_file(&args.key)?;
    let key = PrivateKey::from_pem(&text, || password(false))
        .with_context(|| format!("reading {}", args.key.display()))?;
    let target = args.repo.open(&args.reference)?;
    let signed = plimsoll_sign::sign(&target, &key, &annotations)?;
    eprintln!(
        "Signed {} ({}): {} {} in {} ({} signature{})",
        args.reference,
        signed.digest,
        if signed.added {
            "signature added to"
        } else {
            "the same signature was already in"
        },
        signed.signature_tag,
        signed.signature_location,
        signed.signatures,
        if signed.signatures == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_verify(args: VerifyArgs) -> Result<ExitCode> {
    let annotations = plimsoll_sign::parse_annotations(&args.annotation)?;
    let trusted = crate::config::Config::load(args.config.as_deref())?
        .supply_chain
        .trusted_registries;
    if let Some(why) = plimsoll_sign::untrusted_registry(&args.reference, &trusted) {
        eprintln!("error: {why}");
        return Ok(ExitCode::from(1));
    }
    let text = plimsoll_sign::keys::read_key_file(&args.key)?;
    let key =
        PublicKeyPem::from_pem(&text).with_context(|| format!("reading {}", args.key.display()))?;
    let target = args.repo.open(&args.reference)?;
    let result = plimsoll_sign::verify(&target, &key, &annotations)?;
    let text = match args.format {
        VerifyFormat::Json => serde_json::to_string_pretty(&result)? + "\n",
        VerifyFormat::Table => result.render_table(),
    };
    crate::emit(&text, None)?;
    if result.ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        if args.format == VerifyFormat::Table || result.checks.is_empty() {
            eprintln!("error: {}", result.failure().unwrap_or_default());
        }
        Ok(ExitCode::from(1))
    }
}
