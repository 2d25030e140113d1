//! The webhook's HTTPS server: `POST /validate` (an AdmissionReview in, one
//! out), `GET /healthz`. TLS by rustls, the certificate and key re-read when
//! their files change (a rotated certificate is served without a restart);
//! the policy re-read when its file changes, the previous one kept (and the
//! error logged) when the new one is invalid.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::watch;

use crate::policy::Policy;
use crate::review;
use crate::signature::SignatureChecker;
use crate::tags::TagResolver;
use crate::verdict::{Cache, Verdicts};

/// Largest request body (an AdmissionReview carries the object and, on
/// UPDATE, the old one; the API server's own limit is 3 MiB per object).
pub const DEFAULT_BODY_LIMIT: usize = 8 << 20;

/// Re-reads the policy (from `plimsoll.toml`); the server calls it when
/// the file changes.
pub type PolicyLoader = Box<dyn Fn() -> Result<Policy, String> + Send + Sync>;

/// How to run the webhook.
pub struct Options {
    pub listen: SocketAddr,
    /// Certificate chain and key (PEM); None serves plain HTTP (tests and
    /// a TLS-terminating proxy only: the API server calls HTTPS).
    pub tls: Option<(PathBuf, PathBuf)>,
    pub policy: Policy,
    /// The file the policy comes from, watched for changes, and how to
    /// read it again.
    pub policy_file: Option<(PathBuf, PolicyLoader)>,
    pub verdicts: Verdicts,
    pub cache: Cache,
    /// Resolves images named by tag to digests (`resolve_tags`).
    pub tags: Option<TagResolver>,
    /// Checks signatures (`require_signature`).
    pub signatures: Option<SignatureChecker>,
    pub body_limit: usize,
    /// How often files are checked for changes.
    pub poll: Duration,
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Https(#[from] plimsoll_https::HttpsError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

struct Shared {
    policy: RwLock<Arc<Policy>>,
    verdicts: Verdicts,
    cache: Cache,
    tags: Option<TagResolver>,
    signatures: Option<SignatureChecker>,
}

/// A running webhook: its address; send `true` on `shutdown` to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub shutdown: watch::Sender<bool>,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn log(msg: &str) {
    eprintln!("plimsoll admission: {msg}");
}

/// Starts the webhook.
pub async fn start(options: Options) -> Result<Running, ServerError> {
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| ServerError::Listen {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        policy: RwLock::new(Arc::new(options.policy)),
        verdicts: options.verdicts,
        cache: options.cache,
        tags: options.tags,
        signatures: options.signatures,
    });
    let app = Router::new()
        .route("/validate", post(validate))
        .route("/healthz", get(|| async { "ok\n" }))
        .layer(DefaultBodyLimit::max(options.body_limit))
        .with_state(shared.clone());
    let (shutdown, rx) = watch::channel(false);
    let mut tasks = Vec::new();

    if let Some((file, load)) = options.policy_file {
        let shared = shared.clone();
        let load = Arc::new(load);
        tasks.push(plimsoll_https::watch_file(
            vec![file.clone()],
            options.poll,
            rx.clone(),
            move || {
                let (shared, load, file) = (shared.clone(), load.clone(), file.clone());
                async move {
                    match load() {
                        Ok(p) => {
                            *shared.policy.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(p);
                            log(&format!("policy reloaded from {}", file.display()));
                        }
                        Err(e) => log(&format!(
                            "policy in {} not reloaded, the previous one stays: {e}",
                            file.display()
                        )),
                    }
                    // An invalid policy is not offered again until the file changes.
                    true
                }
            },
        ));
    }

    let tls = options.tls.map(|(cert, key)| plimsoll_https::TlsFiles {
        cert,
        key,
        poll: options.poll,
    });
    tasks.extend(plimsoll_https::serve(listener, app, tls, rx, log).await?);
    Ok(Running {
        addr,
        shutdown,
        tasks,
    })
}

async fn validate(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let req = match review::parse(&body) {
        Ok(r) => r,
        Err(e) => {
            log(&format!("bad request: {e}"));
            return (StatusCode::BAD_REQUEST, axum::Json(review::invalid(&e))).into_response();
        }
    };
    let policy = shared
        .policy
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let sources = review::Sources {
        verdicts: &shared.verdicts,
        cache: &shared.cache,
        tags: shared.tags.as_ref(),
        signatures: shared.signatures.as_ref(),
    };
    let decision = review::decide(&req, &policy, &sources).await;
    let resp = review::respond(&req, &decision);
    let dry = if req.dry_run { " (dry run)" } else { "" };
    match (&decision.skipped, decision.allowed) {
        (Some(_), _) => {}
        (None, true) => log(&format!(
            "allowed {}{dry} uid={}{}",
            decision.object.as_deref().unwrap_or("?"),
            req.uid,
            if decision.warnings.is_empty() {
                String::new()
            } else {
                format!(" with {} warning(s)", decision.warnings.len())
            }
        )),
        (None, false) => log(&format!(
            "denied {}{dry} uid={}: {}",
            decision.object.as_deref().unwrap_or("?"),
            req.uid,
            decision.reasons.join("; ")
        )),
    }
    axum::Json(resp.into_review()).into_response()
}
