//! The listener `plimsoll serve` and `plimsoll admission` share: an axum
//! router served over plain HTTP or over TLS (rustls with ring), with
//!
//! - the certificate chain and key re-read when either file changes, so a
//!   rotated certificate (cert-manager, a Kubernetes secret update) is
//!   served without a restart; a half-written pair is retried at the next
//!   poll and the previous certificate stays in use meanwhile;
//! - graceful shutdown when `true` is sent on the stop channel (requests
//!   in flight get ten seconds to finish).
//!
//! [`watch_file`] is the polling file watcher behind the reload, for the
//! callers' own files (the admission policy).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long requests in flight may take once a stop is asked for.
pub const GRACE: Duration = Duration::from_secs(10);

/// The certificate chain and key to serve (PEM files), and how often they
/// are checked for changes.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub poll: Duration,
}

/// The listener could not start.
#[derive(Debug, thiserror::Error)]
pub enum HttpsError {
    #[error(
        "TLS certificate {cert} / key {key}: {source} (both PEM: the chain, leaf first, and its private key)"
    )]
    Tls {
        cert: String,
        key: String,
        source: std::io::Error,
    },
    #[error("the listening socket: {0}")]
    Io(#[from] std::io::Error),
}

/// The modification time of `path`, None when it cannot be read.
pub fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Polls `files` every `poll` until `stop` turns true; when one's
/// modification time changes, calls `changed`, which returns whether the
/// change was taken (false: it is offered again at the next poll, for a
/// file caught half-written).
pub fn watch_file<F, Fut>(
    files: Vec<PathBuf>,
    poll: Duration,
    mut stop: watch::Receiver<bool>,
    mut changed: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    tokio::spawn(async move {
        let stamp = |files: &[PathBuf]| files.iter().map(|f| mtime(f)).collect::<Vec<_>>();
        let mut seen = stamp(&files);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            let now = stamp(&files);
            if now != seen && changed().await {
                seen = now;
            }
        }
    })
}

/// Serves `app` on `listener` (HTTPS when `tls` is given) until `stop`
/// turns true. Returns the tasks to await after the stop; `log` receives
/// the reload and failure messages.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<TlsFiles>,
    stop: watch::Receiver<bool>,
    log: fn(&str),
) -> Result<Vec<JoinHandle<()>>, HttpsError> {
    let mut tasks = Vec::new();
    let Some(tls) = tls else {
        let mut stop = stop;
        tasks.push(tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = served {
                log(&format!("the HTTP server stopped: {e}"));
            }
        }));
        return Ok(tasks);
    };
    // The provider the rest of the binary uses (plimsoll-oci, db update).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
        .await
        .map_err(|source| HttpsError::Tls {
            cert: tls.cert.display().to_string(),
            key: tls.key.display().to_string(),
            source,
        })?;
    let handle = axum_server::Handle::new();
    let server =
        axum_server::from_tcp_rustls(listener.into_std()?, config.clone())?.handle(handle.clone());
    let TlsFiles { cert, key, poll } = tls;
    tasks.push(watch_file(
        vec![cert.clone(), key.clone()],
        poll,
        stop.clone(),
        move || {
            let (config, cert, key) = (config.clone(), cert.clone(), key.clone());
            async move {
                match config.reload_from_pem_file(&cert, &key).await {
                    Ok(()) => {
                        log(&format!("TLS certificate reloaded from {}", cert.display()));
                        true
                    }
                    Err(e) => {
                        log(&format!("TLS certificate not reloaded yet: {e}"));
                        false
                    }
                }
            }
        },
    ));
    let mut stop = stop;
    tasks.push(tokio::spawn(async move {
        let _ = stop.wait_for(|s| *s).await;
        handle.graceful_shutdown(Some(GRACE));
    }));
    tasks.push(tokio::spawn(async move {
        if let Err(e) = server.serve(app.into_make_service()).await {
            log(&format!("the HTTPS server stopped: {e}"));
        }
    }));
    Ok(tasks)
}
