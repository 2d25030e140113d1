//! `plimsoll serve` and `plimsoll worker`: images scanned when they are
//! pushed (registry notifications) or asked for (`POST /v1/scans`), results
//! kept by manifest digest, a read API, `/metrics` and a web page.
//!
//! The scan is the library's ([`plimsoll_scan::Scanner`]); the store is
//! [`plimsoll_store::Store`] (SQLite or PostgreSQL). Endpoints:
//!
//! | method and path | token | answer |
//! |---|---|---|
//! | `POST /v1/registry/events` | always | 200 `{"queued", "ignored", "jobs"}` (a digest already scanned only gains the tag) |
//! | `POST /v1/scans` `{"reference"}` | always | 202 `{"id", "status", "links"}` |
//! | `GET /v1/scans/{id}` | read | the job |
//! | `GET /v1/images?repository=&tag=&limit=` | read | the images, newest scan first |
//! | `GET /v1/images/{digest}` | read | 200 result, 202 queued or scanning, 404 |
//! | `GET /v1/images/{digest}/sarif`, `/sbom?format=cyclonedx\|spdx` | read | the documents |
//! | `GET /v1/images/{digest}/report?format=table\|json\|sarif\|cyclonedx\|spdx` | read | the report as `plimsoll scan --format` prints it (`scan --server`) |
//! | `GET /v1/images/{digest}/deliveries` | read | webhook events about it and their attempts |
//! | `GET /v1/verdict/{digest}` | read | `passed`, `failed`, `pending`, `error` or `not_scanned` |
//! | `GET /v1/tags/moves` | read | release tags (`X.Y.Z`) pushed at another digest than their first (TAG001), `?repository=&limit=` |
//! | `GET /`, `/images/{digest}` | read | the web page |
//! | `GET /healthz`, `/readyz`, `/metrics` | never | liveness, store reachable, Prometheus text |
//! | `GET /api/v1/metadata`, `POST /api/v1/scan`, `GET /api/v1/scan/{id}/report` | read; scan: always | Harbor's scanner adapter API v1.2 ([`harbor`]) |
//!
//! "read": a token is needed when the server is started with
//! `read_requires_token`. Write endpoints always need the token.

pub mod auth;
pub mod client;
pub mod events;
pub mod harbor;
pub mod metrics;
mod page;
pub mod sweep;
pub mod webhook;
pub mod worker;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use plimsoll_store::{ImageFilter, JobSource, NewJob, Store};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{Notify, watch};

pub use auth::Token;
pub use metrics::Metrics;
pub use sweep::{DbUpdate, SweepOptions};
pub use webhook::{Webhook, WebhookSecret};
pub use worker::{OpenGate, ScanContext, WorkerOptions};

/// One line on stderr with the time, for the server's log. Tokens and
/// registry credentials are never passed here.
pub fn log(line: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    eprintln!("{now} {line}");
}

/// How the HTTP side behaves.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub listen: SocketAddr,
    /// The token write endpoints (and reads, with `read_requires_token`) need.
    pub token: Token,
    pub read_requires_token: bool,
    /// Scan workers in this process (0: HTTP only, workers elsewhere).
    pub workers: usize,
    pub worker: WorkerOptions,
    /// Largest request body accepted.
    pub body_limit: usize,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Registries (`host[:port]`, `docker.io` for Docker Hub) the server
    /// scans from; empty: any. Pushes notified from others are ignored and
    /// scan requests naming them refused, so an event or a request cannot
    /// send the server to an arbitrary host.
    pub registries: Vec<String>,
    /// Rescans after database updates and on a schedule.
    pub sweep: SweepOptions,
}

/// A PEM certificate chain and its private key (PKCS#8, SEC1 or PKCS#1),
/// re-read when either file changes.
pub use plimsoll_https::TlsFiles;

/// A server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Https(#[from] plimsoll_https::HttpsError),
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Clone)]
struct AppState {
    registries: Arc<Vec<String>>,
    store: Store,
    token: Token,
    read_requires_token: bool,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    harbor: harbor::Adapter,
    /// Where events go (`[[serve.webhook]]`): gained findings, moved tags.
    webhook_urls: Arc<Vec<String>>,
}

/// A running server: its address, and how to stop it.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting requests, lets workers finish their scans, returns.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Binds the listener and starts the HTTP server and `options.workers`
/// workers; returns once it accepts connections.
pub async fn start(
    store: Store,
    ctx: Arc<ScanContext>,
    options: ServerOptions,
) -> Result<Running, ServeError> {
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let (shutdown, rx) = watch::channel(false);
    let metrics = Arc::new(Metrics::default());
    let wake = Arc::new(Notify::new());
    let mut tasks = spawn_workers(
        &store,
        &ctx,
        &options.worker,
        options.workers,
        &metrics,
        &wake,
        &rx,
    );
    tasks.push(tokio::spawn(sweep::run(
        store.clone(),
        ctx.clone(),
        options.sweep.clone(),
        metrics.clone(),
        wake.clone(),
        rx.clone(),
    )));
    let state = AppState {
        registries: Arc::new(options.registries.clone()),
        store,
        token: options.token,
        read_requires_token: options.read_requires_token,
        metrics,
        wake,
        harbor: harbor::Adapter::new(ctx.clone()),
        webhook_urls: Arc::new(
            options
                .worker
                .webhooks
                .iter()
                .map(|w| w.url.clone())
                .collect(),
        ),
    };
    let app = router(state, options.body_limit);
    tasks.extend(plimsoll_https::serve(listener, app, options.tls, rx, log).await?);
    Ok(Running {
        addr,
        shutdown,
        tasks,
    })
}

/// P-D2: a release tag (`X.Y.Z`) pushed at another digest than the one it
/// was first seen with is recorded (once per new digest), logged, counted,
/// and sent to the webhooks as a `tag.moved` event carrying the TAG001
/// finding.
async fn tag_moved(
    s: &AppState,
    repository: &str,
    tag: &str,
    digest: &str,
) -> Result<(), plimsoll_store::StoreError> {
    if !plimsoll_tags::is_release(tag) {
        return Ok(());
    }
    let Some(first) = s.store.first_sighting(repository, tag).await? else {
        return Ok(());
    };
    if first.digest == digest {
        return Ok(());
    }
    let finding = plimsoll_report::Finding::new(
        &plimsoll_tags::rules::MovedReleaseTag::INFO,
        format!(
            "release tag `{tag}` of {repository} was pushed at {digest}, but it was first seen at {}: an X.Y.Z tag must never move",
            first.digest
        ),
    )
    .at_field(format!("tags[{tag}]"));
    let m = plimsoll_store::TagMove {
        repository: repository.to_string(),
        tag: tag.to_string(),
        digest: digest.to_string(),
        first_digest: first.digest.clone(),
        first_seen: first.first_seen,
        seen_at: 0,
    };
    let body = json!({
        "event": plimsoll_store::EVENT_TAG_MOVED,
        "repository": repository,
        "tag": tag,
        "digest": digest,
        "first_digest": first.digest,
        "first_seen": first.first_seen,
        "finding": finding,
    })
    .to_string();
    if s.store.record_tag_move(&m, &s.webhook_urls, &body).await? {
        Metrics::add(&s.metrics.tags_moved, 1);
        log(&format!(
            "release tag moved (TAG001): {repository}:{tag} is now {digest}, first seen at {}",
            first.digest
        ));
    }
    Ok(())
}

/// `GET /v1/tags/moves[?repository=HOST/REPO&limit=N]`: release tags seen
/// at another digest than their first (P-D2), newest first.
async fn list_tag_moves(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = s.check_read(&headers) {
        return r;
    }
    match s
        .store
        .tag_moves(q.repository.as_deref(), q.limit.unwrap_or(100))
        .await
    {
        Ok(moves) => axum::Json(json!({"moves": moves})).into_response(),
        Err(e) => store_error(e),
    }
}

/// Runs `count` workers without HTTP (`plimsoll worker`) until `shutdown`,
/// and a webhook sender when webhooks are configured.
pub fn spawn_workers(
    store: &Store,
    ctx: &Arc<ScanContext>,
    options: &WorkerOptions,
    count: usize,
    metrics: &Arc<Metrics>,
    wake: &Arc<Notify>,
    shutdown: &watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let sender = (!options.webhooks.is_empty()).then(|| {
        tokio::spawn(webhook::run_sender(
            format!(
                "{host}-{}-sender-{}",
                std::process::id(),
                &plimsoll_store::new_id()[..8]
            ),
            store.clone(),
            options.clone(),
            metrics.clone(),
            shutdown.clone(),
        ))
    });
    (0..count)
        .map(|i| {
            let name = format!(
                "{host}-{}-{i}-{}",
                std::process::id(),
                &plimsoll_store::new_id()[..8]
            );
            tokio::spawn(worker::run(
                name,
                store.clone(),
                ctx.clone(),
                options.clone(),
                metrics.clone(),
                wake.clone(),
                shutdown.clone(),
            ))
        })
        .chain(sender)
        .collect()
}

fn router(state: AppState, body_limit: usize) -> Router {
    Router::new()
        .route("/", get(page_index))
        .route("/images/{digest}", get(page_image))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/v1/registry/events", post(registry_events))
        .route("/v1/scans", post(scan_request))
        .route("/v1/scans/{id}", get(scan_status))
        .route("/v1/images", get(list_images))
        .route("/v1/images/{digest}", get(get_image))
        .route("/v1/images/{digest}/sarif", get(get_sarif))
        .route("/v1/images/{digest}/report", get(get_report))
        .route("/v1/images/{digest}/sbom", get(get_sbom))
        .route("/v1/images/{digest}/deliveries", get(get_deliveries))
        .route("/v1/verdict/{digest}", get(get_verdict))
        .route("/v1/tags/moves", get(list_tag_moves))
        .merge(harbor::routes())
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint (see GET /)") })
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// `{"error": {"message": …}}` with `status`.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({"error": {"message": message.into()}})),
    )
        .into_response()
}

fn store_error(e: plimsoll_store::StoreError) -> Response {
    log(&format!("store error: {e}"));
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("the result store failed: {e}"),
    )
}

impl AppState {
    /// Whether the server may pull from `registry` (`host[:port]`).
    fn registry_allowed(&self, registry: &str) -> bool {
        self.registries.is_empty()
            || self
                .registries
                .iter()
                .any(|r| r.eq_ignore_ascii_case(registry))
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        self.token.authorizes(
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
        )
    }

    /// None when the request may write; else the 401 to answer.
    fn check_write(&self, headers: &HeaderMap) -> Option<Response> {
        if self.authorized(headers) {
            return None;
        }
        Metrics::add(&self.metrics.requests_refused, 1);
        let mut r = error(
            StatusCode::UNAUTHORIZED,
            "this endpoint needs the server's API token: Authorization: Bearer <token>",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"plimsoll\""),
        );
        Some(r)
    }

    fn check_read(&self, headers: &HeaderMap) -> Option<Response> {
        if self.read_requires_token {
            self.check_write(headers)
        } else {
            None
        }
    }
}

async fn readyz(State(s): State<AppState>) -> Response {
    match s.store.ping().await {
        Ok(()) => "ready\n".into_response(),
        Err(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the store is not reachable: {e}"),
        ),
    }
}

async fn metrics_text(State(s): State<AppState>) -> Response {
    match s.store.queue_counts().await {
        Ok(q) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            s.metrics.render(&q),
        )
            .into_response(),
        Err(e) => store_error(e),
    }
}

async fn registry_events(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = s.check_write(&headers) {
        return r;
    }
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim();
        if !events::EVENT_CONTENT_TYPES.contains(&ct) {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "Content-Type {ct:?}: expected {}",
                    events::EVENT_CONTENT_TYPES.join(", ")
                ),
            );
        }
    }
    let parsed = match events::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("registry notification: {e}"),
            );
        }
    };
    Metrics::add(
        &s.metrics.events_received,
        (parsed.pushes.len() + parsed.ignored) as u64,
    );
    let mut jobs = Vec::new();
    let mut not_allowed = 0;
    for push in &parsed.pushes {
        if !s.registry_allowed(&push.registry) {
            // 200 all the same: the registry would retry anything else forever.
            log(&format!(
                "ignored a push from {} (not in [serve] registries): {}",
                push.registry,
                push.reference()
            ));
            not_allowed += 1;
            continue;
        }
        let reference = push.reference();
        let repository = format!("{}/{}", push.registry, push.repository);
        if let Some(tag) = push.tag.as_deref()
            && let Err(e) = tag_moved(&s, &repository, tag, &push.digest).await
        {
            return store_error(e);
        }
        let recorded = s
            .store
            .record_ref(
                &format!("{}/{}", push.registry, push.repository),
                push.tag.as_deref().unwrap_or(""),
                &push.digest,
            )
            .await;
        if let Err(e) = recorded {
            return store_error(e);
        }
        // A digest already scanned is not scanned again for another tag or
        // repository: the content is the same (rescans follow database
        // updates and the schedule).
        match s.store.summary(&push.digest).await {
            Ok(Some(row)) if row.status == "scanned" => {
                jobs.push(
                    json!({"reference": reference, "digest": push.digest, "already_scanned": true}),
                );
                continue;
            }
            Ok(_) => {}
            Err(e) => return store_error(e),
        }
        let job = NewJob {
            reference: reference.clone(),
            digest: Some(push.digest.clone()),
            source: JobSource::Registry,
            insecure: push.insecure,
        };
        match s.store.enqueue(&job).await {
            Ok(q) => {
                if !q.existing {
                    Metrics::add(&s.metrics.pushes_queued, 1);
                }
                jobs.push(json!({"id": q.id, "reference": reference, "digest": push.digest, "already_queued": q.existing}));
            }
            Err(e) => return store_error(e),
        }
    }
    let queued = jobs.iter().filter(|j| j.get("id").is_some()).count();
    if queued > 0 {
        s.wake.notify_waiters();
    }
    axum::Json(json!({"queued": queued, "ignored": parsed.ignored, "not_allowed": not_allowed, "jobs": jobs})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanRequest {
    reference: String,
}

async fn scan_request(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = s.check_write(&headers) {
        return r;
    }
    let req: ScanRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "scan request: expected {{\"reference\": \"registry/repository:tag|@digest\"}}: {e}"
                ),
            );
        }
    };
    // Only registry images: a path (oci:, docker-archive:, dir:) would let a
    // request read the server's own files.
    let reference = match plimsoll_oci::ImageRef::parse(&req.reference) {
        Ok(r @ plimsoll_oci::ImageRef::Registry { .. }) => r,
        Ok(_) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "reference {:?}: the server scans registry images only (no local paths)",
                    req.reference
                ),
            );
        }
        Err(e) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("reference {:?}: {e}", req.reference),
            );
        }
    };
    if let plimsoll_oci::ImageRef::Registry { reference } = &reference {
        let host = plimsoll_oci::NameRef::parse(reference)
            .registry
            .unwrap_or("docker.io");
        if !s.registry_allowed(host) {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "reference {:?}: registry {host} is not one this server scans from ([serve] registries)",
                    req.reference
                ),
            );
        }
    }
    let digest = reference.digest().map(str::to_string);
    let job = NewJob {
        reference: req.reference.clone(),
        digest,
        source: JobSource::Api,
        insecure: false,
    };
    match s.store.enqueue(&job).await {
        Ok(q) => {
            s.wake.notify_waiters();
            (
                StatusCode::ACCEPTED,
                axum::Json(json!({
                    "id": q.id,
                    "reference": req.reference,
                    "status": "queued",
                    "already_queued": q.existing,
                    "links": {"status": format!("/v1/scans/{}", q.id)},
                })),
            )
                .into_response()
        }
        Err(e) => store_error(e),
    }
}

async fn scan_status(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = s.check_read(&headers) {
        return r;
    }
    match s.store.job(&id).await {
        Ok(Some(job)) => {
            let mut v = serde_json::to_value(&job).unwrap_or_default();
            if let Some(d) = &job.digest {
                v["links"] = json!({"image": format!("/v1/images/{d}")});
            }
            axum::Json(v).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no scan job {id:?}")),
        Err(e) => store_error(e),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    repository: Option<String>,
    tag: Option<String>,
    limit: Option<i64>,
}

async fn list_images(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = s.check_read(&headers) {
        return r;
    }
    let filter = ImageFilter {
        repository: q.repository.filter(|r| !r.is_empty()),
        tag: q.tag.filter(|t| !t.is_empty()),
        limit: q.limit,
    };
    match s.store.images(&filter).await {
        Ok(images) => axum::Json(json!({"images": images})).into_response(),
        Err(e) => store_error(e),
    }
}

fn bad_digest(digest: &str) -> Option<Response> {
    (!events::valid_digest(digest)).then(|| {
        error(
            StatusCode::BAD_REQUEST,
            format!("{digest:?} is not a manifest digest (sha256:<64 hex digits>)"),
        )
    })
}

/// The stored result for `digest` after the read check and the digest's
/// syntax; Err is the response to give instead.
async fn read_image(
    s: &AppState,
    headers: &HeaderMap,
    digest: &str,
) -> Result<Option<plimsoll_store::ImageRecord>, Response> {
    if let Some(r) = s.check_read(headers).or_else(|| bad_digest(digest)) {
        return Err(r);
    }
    s.store.image(digest).await.map_err(store_error)
}

async fn get_image(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Response {
    let image = match read_image(&s, &headers, &digest).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let pending = match s.store.pending_for(&digest).await {
        Ok(p) => p,
        Err(e) => return store_error(e),
    };
    match (image, pending) {
        (Some(img), pending) => {
            let report: serde_json::Value = img
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok())
                .unwrap_or(serde_json::Value::Null);
            axum::Json(json!({
                "digest": digest,
                "status": img.row.status,
                "verdict": img.row.verdict,
                "scanned_at": img.row.scanned_at,
                "database_built": img.row.database_built,
                "error": img.row.error,
                "refs": img.row.refs,
                "rescan_pending": pending.is_some(),
                "report": report,
            }))
            .into_response()
        }
        (None, Some(job)) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({
                "digest": digest,
                "status": if job.state == "running" { "scanning" } else { "queued" },
                "job": job.id,
            })),
        )
            .into_response(),
        (None, None) => error(
            StatusCode::NOT_FOUND,
            format!("{digest} has not been scanned or queued"),
        ),
    }
}

async fn document(s: &AppState, headers: &HeaderMap, digest: &str, kind: &str) -> Response {
    if let Some(r) = s.check_read(headers).or_else(|| bad_digest(digest)) {
        return r;
    }
    let content_type = match kind {
        "table" => "text/plain; charset=utf-8",
        "sarif" => "application/sarif+json",
        "cyclonedx" => "application/vnd.cyclonedx+json; version=1.6",
        _ => "application/spdx+json",
    };
    match s.store.document(digest, kind).await {
        Ok(Some(body)) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("no {kind} document for {digest}: not scanned, or the scan failed"),
        ),
        Err(e) => store_error(e),
    }
}

async fn get_sarif(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Response {
    document(&s, &headers, &digest, "sarif").await
}

#[derive(Deserialize)]
struct ReportQuery {
    format: Option<String>,
}

/// The report in a `plimsoll scan --format`, as rendered when it was made.
async fn get_report(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let format = q.format.unwrap_or_else(|| "json".into());
    if !client::FORMATS.contains(&format.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "format {format:?}: expected one of {}",
                client::FORMATS.join(", ")
            ),
        );
    }
    if format == "json" {
        let image = match read_image(&s, &headers, &digest).await {
            Ok(i) => i,
            Err(r) => return r,
        };
        return match image.and_then(|i| i.report) {
            Some(report) => ([(header::CONTENT_TYPE, "application/json")], report).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                format!("no report for {digest}: not scanned, or the scan failed"),
            ),
        };
    }
    document(&s, &headers, &digest, &format).await
}

#[derive(Deserialize)]
struct SbomQuery {
    format: Option<String>,
}

async fn get_sbom(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
    Query(q): Query<SbomQuery>,
) -> Response {
    let kind = match q.format.as_deref().unwrap_or("cyclonedx") {
        "cyclonedx" => "cyclonedx",
        "spdx" => "spdx",
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("format {other:?}: expected cyclonedx or spdx"),
            );
        }
    };
    document(&s, &headers, &digest, kind).await
}

async fn get_deliveries(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Response {
    if let Some(r) = s.check_read(&headers).or_else(|| bad_digest(&digest)) {
        return r;
    }
    match s.store.deliveries(&digest).await {
        Ok(d) => axum::Json(json!({"digest": digest, "deliveries": d})).into_response(),
        Err(e) => store_error(e),
    }
}

async fn get_verdict(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Response {
    if let Some(r) = s.check_read(&headers).or_else(|| bad_digest(&digest)) {
        return r;
    }
    match s.store.verdict(&digest).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => store_error(e),
    }
}

async fn page_index(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = s.check_read(&headers) {
        return r;
    }
    let filter = ImageFilter {
        repository: q.repository.clone().filter(|r| !r.is_empty()),
        tag: q.tag.clone().filter(|t| !t.is_empty()),
        limit: q.limit,
    };
    let images = match s.store.images(&filter).await {
        Ok(i) => i,
        Err(e) => return store_error(e),
    };
    let queue = s.store.queue_counts().await.unwrap_or_default();
    Html(page::index(&images, &filter, &queue)).into_response()
}

async fn page_image(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Response {
    match read_image(&s, &headers, &digest).await {
        Ok(Some(img)) => {
            let report: Option<serde_json::Value> = img
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok());
            Html(page::image(&img.row, report.as_ref())).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, Html(page::not_found(&digest))).into_response(),
        Err(r) => r,
    }
}
