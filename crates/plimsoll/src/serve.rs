//! `plimsoll serve` and `plimsoll worker`: thin fronts over
//! `plimsoll_server` (HTTP, workers) and `plimsoll_store` (SQLite or
//! PostgreSQL). The scanner, judge and gate are built exactly as for
//! `plimsoll scan`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use plimsoll_report::Severity;
use plimsoll_server::{
    DbUpdate, OpenGate, ScanContext, ServerOptions, SweepOptions, Token, Webhook, WebhookSecret,
    WorkerOptions,
};
use plimsoll_store::Store;

use crate::config::{Config, ServeConfig, parse_interval};
use crate::vulnscan::{GateArgs, open_gate};
use crate::{AuditOptions, EngineArgs, build_judge, prepare_engine};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080, or [serve] listen].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    common: CommonArgs,
    /// Require the API token for the read API and the web page too.
    #[arg(long)]
    read_requires_token: bool,
    /// Scan only from this registry (host[:port], docker.io for Docker Hub); repeatable
    /// [default: [serve] registries, else any].
    #[arg(long = "registry", value_name = "HOST")]
    registries: Vec<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key, PEM (PKCS#8, SEC1 or PKCS#1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[derive(Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    common: CommonArgs,
}

/// What `serve` and `worker` share.
#[derive(Args)]
struct CommonArgs {
    /// Result store: sqlite:PATH or postgres://USER@HOST[:PORT]/DB [default: sqlite in the
    /// data directory, or [serve] database]..
    #[arg(
        long,
        env = "PLIMSOLL_DATABASE",
        value_name = "URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// Scan workers in this process [default: 2, or [serve] workers; serve --workers 0: HTTP only].
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// File holding the API token [default: $PLIMSOLL_TOKEN; serve creates
    /// DATA_DIR/serve.token when neither is given].
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    audit: AuditOptions,
    #[command(flatten)]
    gate: GateArgs,
}

/// plimsoll's data directory (the default store and token live there).
fn data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("plimsoll"))
        .ok_or_else(|| anyhow!("no data directory found: pass --database and --token-file"))
}

struct Prepared {
    store: Store,
    ctx: Arc<ScanContext>,
    workers: WorkerOptions,
    config: Arc<Config>,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

async fn prepare(args: &CommonArgs) -> Result<Prepared> {
    let (config, scanner) = prepare_engine(&args.engine, plimsoll_oci::DirOptions::default())?;
    let config = Arc::new(config);
    let judge = build_judge(&config, &scanner, &args.audit, Severity::Info)?;
    // The gate is opened again whenever the database file is replaced.
    let open: OpenGate = {
        let (config, gate) = (config.clone(), args.gate.clone());
        Box::new(move || open_gate(&config, &gate, false).map_err(|e| format!("{e:#}")))
    };
    let ctx = ScanContext::reopening(scanner, judge, open).map_err(|e| anyhow!(e))?;
    let url = match args.database.clone().or(config.serve.database.clone()) {
        Some(u) => u,
        None => format!("sqlite:{}", data_dir()?.join("serve.db").display()),
    };
    let store = Store::open(&url).await?;
    let sc = &config.serve;
    let defaults = WorkerOptions::default();
    let workers = WorkerOptions {
        lease: sc
            .lease_secs
            .map(Duration::from_secs)
            .unwrap_or(defaults.lease),
        retry_backoff: sc
            .retry_backoff_secs
            .map(Duration::from_secs)
            .unwrap_or(defaults.retry_backoff),
        max_attempts: sc.max_attempts.unwrap_or(defaults.max_attempts).max(1),
        poll: defaults.poll,
        webhooks: webhooks(sc)?,
    };
    Ok(Prepared {
        store,
        ctx: Arc::new(ctx),
        workers,
        config,
    })
}

/// `[[serve.webhook]]`, secrets read now (a missing file stops the start).
fn webhooks(sc: &ServeConfig) -> Result<Vec<Webhook>> {
    sc.webhook
        .iter()
        .map(|w| {
            let secret = w
                .secret_file
                .as_deref()
                .map(WebhookSecret::read_file)
                .transpose()?;
            Webhook::new(&w.url, secret).context("plimsoll.toml [[serve.webhook]]")
        })
        .collect()
}

/// `[serve] rescan_interval` and `db_update_interval`.
fn sweep_options(config: &Config, gate: &GateArgs) -> Result<SweepOptions> {
    let sc = &config.serve;
    let mut sweep = SweepOptions {
        rescan_interval: sc
            .rescan_interval
            .as_deref()
            .map(|t| parse_interval("[serve] rescan_interval", t))
            .transpose()?,
        ..SweepOptions::default()
    };
    if let Some(text) = &sc.db_update_interval {
        let every = parse_interval("[serve] db_update_interval", text)?;
        let path = crate::db::database_path(gate.db.as_ref(), config)?;
        let mut options = crate::db::update_options(config, &path, None, &[], None)
            .context("[serve] db_update_interval")?;
        // A server logs; it draws no progress bar.
        options.progress = None;
        sweep.db_update = Some(DbUpdate {
            every,
            path,
            options,
        });
    }
    Ok(sweep)
}

/// The token: --token-file, [serve] token_file, $PLIMSOLL_TOKEN, or (with
/// `create`) DATA_DIR/serve.token, made on first start.
fn load_token(flag: Option<&Path>, sc: &ServeConfig, create: bool) -> Result<Token> {
    if let Some(path) = flag.or(sc.token_file.as_deref()) {
        return Ok(Token::read_file(path)?);
    }
    if let Ok(text) = std::env::var("PLIMSOLL_TOKEN") {
        return Token::new(&text).context("$PLIMSOLL_TOKEN");
    }
    if !create {
        bail!("no API token: pass --token-file FILE or set PLIMSOLL_TOKEN");
    }
    let path = data_dir()?.join("serve.token");
    if path.is_file() {
        eprintln!(
            "API token: {} (Authorization: Bearer <its content>)",
            path.display()
        );
        return Ok(Token::read_file(&path)?);
    }
    let token = Token::create_file(&path)?;
    eprintln!(
        "API token created in {} (mode 600; Authorization: Bearer <its content>)",
        path.display()
    );
    Ok(token)
}

pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

pub fn serve(args: ServeArgs) -> Result<ExitCode> {
    runtime()?.block_on(async move {
        let p = prepare(&args.common).await?;
        let sc = &p.config.serve;
        let token = load_token(args.common.token_file.as_deref(), sc, true)?;
        let listen = match (args.listen, &sc.listen) {
            (Some(a), _) => a,
            (None, Some(text)) => text
                .parse()
                .map_err(|e| anyhow!("plimsoll.toml [serve] listen {text:?}: {e}"))?,
            (None, None) => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let options = ServerOptions {
            listen,
            token,
            read_requires_token: args.read_requires_token
                || sc.read_requires_token.unwrap_or(false),
            workers: args.common.workers.or(sc.workers).unwrap_or(2),
            worker: p.workers.clone(),
            body_limit: 1 << 20,
            sweep: sweep_options(&p.config, &args.common.gate)?,
            registries: if args.registries.is_empty() {
                sc.registries.clone()
            } else {
                args.registries.clone()
            },
            tls: match (
                args.tls_cert.clone().or(sc.tls_cert.clone()),
                args.tls_key.clone().or(sc.tls_key.clone()),
            ) {
                (Some(cert), Some(key)) => Some(plimsoll_server::TlsFiles {
                    cert,
                    key,
                    // A rotated certificate is served within this.
                    poll: std::time::Duration::from_secs(2),
                }),
                (None, None) => None,
                _ => bail!("plimsoll.toml [serve]: tls_cert and tls_key go together"),
            },
        };
        let scheme = if options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let workers = options.workers;
        let running = plimsoll_server::start(p.store.clone(), p.ctx.clone(), options).await?;
        eprintln!(
            "plimsoll serve: {scheme}://{} ({} workers, store {})",
            running.addr,
            workers,
            p.store.display_url()
        );
        stop_signal().await;
        eprintln!("plimsoll serve: stopping (scans in progress finish first)");
        running.stop().await;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn worker(args: WorkerArgs) -> Result<ExitCode> {
    runtime()?.block_on(async move {
        let p = prepare(&args.common).await?;
        let count = args.common.workers.or(p.config.serve.workers).unwrap_or(2);
        if count == 0 {
            bail!("--workers 0: a worker process needs at least one worker");
        }
        let (tx, rx) = tokio::sync::watch::channel(false);
        let metrics = Arc::new(plimsoll_server::Metrics::default());
        let wake = Arc::new(tokio::sync::Notify::new());
        let tasks = plimsoll_server::spawn_workers(
            &p.store, &p.ctx, &p.workers, count, &metrics, &wake, &rx,
        );
        eprintln!(
            "plimsoll worker: {count} workers on {}",
            p.store.display_url()
        );
        stop_signal().await;
        eprintln!("plimsoll worker: stopping (scans in progress finish first)");
        let _ = tx.send(true);
        for t in tasks {
            let _ = t.await;
        }
        Ok(ExitCode::SUCCESS)
    })
}
