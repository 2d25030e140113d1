//! `plimsoll admission`: the Kubernetes validating admission webhook, a
//! thin front over `plimsoll_admission` (policy from `[admission]` of
//! `plimsoll.toml`, reloaded when the file changes).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use plimsoll_admission::server::{DEFAULT_BODY_LIMIT, Options, PolicyLoader};
use plimsoll_admission::signature::SignatureChecker;
use plimsoll_admission::tags::TagResolver;
use plimsoll_admission::verdict::{Cache, ServerVerdicts, StoreVerdicts, Verdicts};
use plimsoll_admission::{AdmissionConfig, Policy};

use crate::config::Config;

#[derive(Args)]
pub struct AdmissionArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// PEM certificate chain to serve (reloaded when the file changes).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key, PEM (PKCS#8, SEC1 or PKCS#1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP without --tls-cert (behind a TLS-terminating proxy, or for a local
    /// try-out: the Kubernetes API server only calls webhooks over HTTPS).
    #[arg(long, conflicts_with = "tls_cert")]
    insecure_http: bool,
    /// Configuration file with the [admission] policy (reloaded when it changes)
    /// [default: ./plimsoll.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where scan verdicts come from: plimsoll serve's URL [default: [admission] server].
    #[arg(long, value_name = "URL", conflicts_with = "store")]
    server: Option<String>,
    /// Where scan verdicts come from: the server's store, sqlite:PATH or postgres://…
    /// [default: [admission] store].
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// File holding plimsoll serve's API token, when its read API needs one
    /// [default: [admission] server_token_file].
    #[arg(long, value_name = "FILE")]
    server_token_file: Option<PathBuf>,
    /// PEM CA certificate to trust for --server (a private CA).
    #[arg(long, value_name = "FILE")]
    server_ca: Option<PathBuf>,
}

/// `[admission]` of the config file with the command line's verdict source
/// over it: read at start and again whenever the file changes.
fn admission_config(
    path: Option<&Path>,
    server: Option<&str>,
    store: Option<&str>,
    token_file: Option<&Path>,
) -> Result<AdmissionConfig> {
    let mut c = Config::load(path)?.admission;
    if let Some(s) = server {
        c.server = Some(s.to_string());
        c.store = None;
    }
    if let Some(s) = store {
        c.store = Some(s.to_string());
        c.server = None;
    }
    if let Some(f) = token_file {
        c.server_token_file = Some(f.to_path_buf());
    }
    // Key files are named relative to the configuration file.
    c.signature_keys = plimsoll_admission::signature::key_paths(
        path.and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty()),
        &c.signature_keys,
    );
    Ok(c)
}

pub fn run(args: AdmissionArgs) -> Result<ExitCode> {
    if args.tls_cert.is_none() && !args.insecure_http {
        bail!(
            "plimsoll admission serves HTTPS: give --tls-cert and --tls-key (deploy/kubernetes/make-cert.sh makes a pair), or --insecure-http behind a TLS-terminating proxy"
        );
    }
    let config_path = args.config.clone().or_else(|| {
        let p = PathBuf::from("plimsoll.toml");
        p.is_file().then_some(p)
    });
    let c = admission_config(
        config_path.as_deref(),
        args.server.as_deref(),
        args.store.as_deref(),
        args.server_token_file.as_deref(),
    )?;
    let policy = Policy::new(&c).map_err(|e| anyhow!("{e}"))?;
    let token = match &c.server_token_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .with_context(|| format!("reading the server token file {}", f.display()))?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    let ca = match &args.server_ca {
        Some(f) => Some(std::fs::read(f).with_context(|| format!("reading {}", f.display()))?),
        None => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let verdicts = match (&c.server, &c.store) {
            (Some(url), _) => Verdicts::Server(
                ServerVerdicts::new(url, token, ca.as_deref()).map_err(|e| anyhow!("{e}"))?,
            ),
            (None, Some(url)) => Verdicts::Store(StoreVerdicts {
                store: plimsoll_store::Store::open(url)
                    .await
                    .map_err(|e| anyhow!("opening the verdict store: {e}"))?,
            }),
            (None, None) => Verdicts::None,
        };
        let cache = Cache::new(
            Duration::from_secs(c.verdict_ttl_secs.unwrap_or(300)),
            Duration::from_secs(c.unknown_ttl_secs.unwrap_or(10)),
            c.cache_entries.unwrap_or(10_000),
        );
        let policy_file = config_path.clone().map(|path| {
            let (server, store, token_file) = (
                args.server.clone(),
                args.store.clone(),
                args.server_token_file.clone(),
            );
            let p = path.clone();
            let load: PolicyLoader = Box::new(move || {
                let c = admission_config(
                    Some(&p),
                    server.as_deref(),
                    store.as_deref(),
                    token_file.as_deref(),
                )
                .map_err(|e| format!("{e:#}"))?;
                Policy::new(&c).map_err(|e| e.to_string())
            });
            (path, load)
        });
        let running = plimsoll_admission::server::start(Options {
            listen: args.listen,
            tls: args.tls_cert.clone().zip(args.tls_key.clone()),
            policy,
            policy_file,
            verdicts,
            cache,
            // Always there: a reloaded policy may turn require_scan on.
            tags: Some(TagResolver::new(
                c.insecure_registries.clone(),
                Duration::from_secs(5),
                Duration::from_secs(c.tag_ttl_secs.unwrap_or(30)),
                c.cache_entries.unwrap_or(10_000),
            )),
            // Always there too: a reloaded policy may turn require_signature on.
            signatures: Some(SignatureChecker::new(
                c.insecure_registries.clone(),
                c.signature_repository.clone(),
                Duration::from_secs(10),
                Duration::from_secs(c.verdict_ttl_secs.unwrap_or(300)),
                Duration::from_secs(c.tag_ttl_secs.unwrap_or(30)),
                c.cache_entries.unwrap_or(10_000),
            )),
            body_limit: DEFAULT_BODY_LIMIT,
            poll: Duration::from_secs(2),
        })
        .await
        .map_err(|e| anyhow!("{e}"))?;
        let scheme = if args.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        eprintln!(
            "plimsoll admission: listening on {scheme}://{}/validate",
            running.addr
        );
        crate::serve::stop_signal().await;
        eprintln!("plimsoll admission: stopping");
        let _ = running.shutdown.send(true);
        for t in running.tasks {
            let _ = t.await;
        }
        Ok(ExitCode::SUCCESS)
    })
}
