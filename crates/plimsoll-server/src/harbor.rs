//! Harbor's Pluggable Scanner Adapter API v1.2 (goharbor/pluggable-scanner-spec,
//! `api/spec/scanner-adapter-openapi-v1.2.yaml`; a copy is in
//! `tests/harbor/`): Harbor calls `plimsoll serve` as it calls Trivy.
//!
//! | method and path | token | answer |
//! |---|---|---|
//! | `GET /api/v1/metadata` | read | 200 scanner, capabilities (vulnerability, sbom), properties |
//! | `POST /api/v1/scan` | always | 202 `{"id"}`; 400 not JSON or a value of the wrong type; 422 a missing or invalid field, a registry not in `[serve] registries`, an artifact type other than an image manifest |
//! | `GET /api/v1/scan/{id}/report` | read | 200 the report the `Accept` header names; 302 with `Refresh-After` while queued or scanning; 400 an SBOM without `?sbom_media_type=`; 404 unknown id; 500 the scan failed; 501 a report type not produced |
//!
//! Harbor authenticates with the credential configured for the adapter,
//! sent as `Authorization: Bearer <token>`: the server's API token.
//!
//! The scan request id is the job's id (a request for a digest already
//! queued or scanning gets that job's id). `registry.authorization`, the
//! credential Harbor gives for pulling the artifact, is kept in the store
//! (`job_credentials`) only until the job is done or has finally failed, so
//! that the worker that claims the job, in this process or another, pulls
//! with it; it is never logged nor returned. An `http://` registry URL is
//! reached over plain HTTP.
//!
//! Reports are made from the stored scan when Harbor asks: the
//! vulnerability report (`application/vnd.security.vulnerability.report;
//! version=1.1` or `application/vnd.scanner.adapter.vuln.report.harbor+json;
//! version=1.0`, the same document) from the scan report's findings, and
//! the SBOM report (`application/vnd.security.sbom.report+json;
//! version=1.0`) wrapping the SPDX or CycloneDX document kept for the
//! digest.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use plimsoll_oci::RegistryCredential;
use plimsoll_store::{Job, JobSource, NewJob, RefRow, Store, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{AppState, ScanContext, error, events, log, store_error};

pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const MT_METADATA: &str = "application/vnd.scanner.adapter.metadata+json; version=1.1";
pub const MT_SCAN_RESPONSE: &str =
    "application/vnd.scanner.adapter.scan.response+json; version=1.0";
pub const MT_ERROR: &str = "application/vnd.scanner.adapter.error+json; version=1.0";
pub const MT_VULN_REPORT: &str = "application/vnd.security.vulnerability.report; version=1.1";
pub const MT_VULN_REPORT_HARBOR: &str =
    "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
pub const MT_SBOM_REPORT: &str = "application/vnd.security.sbom.report+json; version=1.0";
pub const MT_SPDX: &str = "application/spdx+json";
pub const MT_CYCLONEDX: &str = "application/vnd.cyclonedx+json";

/// Seconds Harbor is told to wait before asking for a report again.
pub const REFRESH_AFTER_SECONDS: u32 = 2;

/// The routes, merged into the server's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/metadata", get(metadata))
        .route("/api/v1/scan", post(accept_scan))
        .route("/api/v1/scan/{scan_request_id}/report", get(report))
}

/// What `/api/v1/metadata` needs: the scan context, whose vulnerability
/// database's build time it reports (read on each request: the gate may be
/// reopened on a newer database).
#[derive(Clone)]
pub struct Adapter {
    ctx: Arc<ScanContext>,
}

impl Adapter {
    pub fn new(ctx: Arc<ScanContext>) -> Adapter {
        Adapter { ctx }
    }

    /// The metadata document.
    pub fn metadata(&self) -> Value {
        let database = self.ctx.gate().database();
        let mut properties = Map::new();
        for (key, value) in [
            (
                "harbor.scanner-adapter/scanner-type",
                "os-package-vulnerability".to_string(),
            ),
            (
                "harbor.scanner-adapter/vulnerability-database-updated-at",
                database.built,
            ),
            (
                "plimsoll/vulnerability-database-advisories",
                database.advisories.to_string(),
            ),
        ] {
            properties.insert(key.into(), Value::String(value));
        }
        let consumes = [MT_OCI_MANIFEST, MT_DOCKER_MANIFEST];
        json!({
            "scanner": scanner(),
            "capabilities": [
                {
                    "type": "vulnerability",
                    "consumes_mime_types": consumes,
                    "produces_mime_types": [MT_VULN_REPORT, MT_VULN_REPORT_HARBOR],
                },
                {
                    "type": "sbom",
                    "consumes_mime_types": consumes,
                    "produces_mime_types": [MT_SBOM_REPORT],
                    "additional_attributes": {"sbom_media_types": [MT_SPDX, MT_CYCLONEDX]},
                },
            ],
            "properties": properties,
        })
    }
}

/// The spec's Scanner object.
fn scanner() -> Value {
    json!({"name": "plimsoll", "vendor": "plimsoll", "version": env!("CARGO_PKG_VERSION")})
}

/// [`error`] with the spec's error media type.
fn harbor_error(status: StatusCode, message: impl Into<String>) -> Response {
    with_type(error(status, message), MT_ERROR)
}

fn with_type(mut r: Response, media_type: &'static str) -> Response {
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r
}

fn json_as(status: StatusCode, media_type: &'static str, body: &Value) -> Response {
    with_type((status, axum::Json(body)).into_response(), media_type)
}

async fn metadata(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.check_read(&headers) {
        return with_type(r, MT_ERROR);
    }
    json_as(StatusCode::OK, MT_METADATA, &s.harbor.metadata())
}

/// A scan request Harbor may send, checked: what to queue.
#[derive(Debug, PartialEq, Eq)]
pub struct ValidRequest {
    /// `host[:port]` of the registry.
    pub registry: String,
    /// Plain HTTP (`http://` URL).
    pub insecure: bool,
    pub repository: String,
    pub digest: String,
    pub tag: Option<String>,
    /// Harbor's `registry.authorization`, already checked to be `Basic` or
    /// `Bearer`; None when absent or empty.
    pub authorization: Option<String>,
}

impl ValidRequest {
    /// `host/repository@digest`, what the worker pulls.
    pub fn reference(&self) -> String {
        format!("{}/{}@{}", self.registry, self.repository, self.digest)
    }
}

/// Why a scan request is refused: 400 (not JSON, a value of the wrong
/// type) or 422 (a field missing or invalid). Messages name the field,
/// never a credential.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

fn wrong_type(field: &str, expected: &str) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        message: format!("scan request: {field} must be {expected}"),
    }
}

fn invalid(message: String) -> Refusal {
    Refusal {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: format!("scan request: {message}"),
    }
}

/// The member `key` of `object` (`field` names it in messages), None when
/// absent or null.
fn member<'a>(
    object: &'a Value,
    field: &str,
    key: &str,
    check: fn(&Value) -> bool,
    expected: &str,
) -> Result<Option<&'a Value>, Refusal> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) if check(v) => Ok(Some(v)),
        Some(_) => Err(wrong_type(&format!("{field}{key}"), expected)),
    }
}

fn string<'a>(object: &'a Value, field: &str, key: &str) -> Result<Option<&'a str>, Refusal> {
    Ok(member(object, field, key, Value::is_string, "a string")?.and_then(Value::as_str))
}

fn required<'a>(object: &'a Value, field: &str, key: &str) -> Result<&'a str, Refusal> {
    string(object, field, key)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(format!("{field}{key} is missing")))
}

fn strings<'a>(object: &'a Value, field: &str, key: &str) -> Result<Vec<&'a str>, Refusal> {
    let Some(list) = member(object, field, key, Value::is_array, "an array of strings")? else {
        return Ok(Vec::new());
    };
    list.as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| wrong_type(&format!("{field}{key}[]"), "a string"))
        })
        .collect()
}

/// Checks a scan request body against the spec's ScanRequest and what this
/// scanner can do; `registry_allowed` says whether a registry
/// (`host[:port]`) may be pulled from.
pub fn validate(
    body: &[u8],
    registry_allowed: impl Fn(&str) -> bool,
) -> Result<ValidRequest, Refusal> {
    let request: Value = serde_json::from_slice(body).map_err(|e| Refusal {
        status: StatusCode::BAD_REQUEST,
        // serde_json's syntax errors name the position, not the content.
        message: format!("scan request: not JSON: {e}"),
    })?;
    if !request.is_object() {
        return Err(wrong_type("the body", "a JSON object (ScanRequest)"));
    }
    let registry = member(&request, "", "registry", Value::is_object, "an object")?
        .ok_or_else(|| invalid("registry is missing".into()))?;
    let artifact = member(&request, "", "artifact", Value::is_object, "an object")?
        .ok_or_else(|| invalid("artifact is missing".into()))?;

    let url = required(registry, "registry.", "url")?;
    let (host, insecure) = events::url_host(url)
        .filter(|(host, _)| events::valid_host(host))
        .ok_or_else(|| {
            invalid(format!(
                "registry.url {url:?} is not an http:// or https:// URL of a registry"
            ))
        })?;
    let path = url
        .split_once("://")
        .map_or("", |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    if !path.is_empty() && path != "/" {
        return Err(invalid(format!(
            "registry.url {url:?}: expected the registry's base URL (scheme://host[:port]), without a path"
        )));
    }
    if !registry_allowed(&host) {
        return Err(invalid(format!(
            "registry {host} is not one this server scans from ([serve] registries)"
        )));
    }
    let authorization = match string(registry, "registry.", "authorization")? {
        None | Some("") => None,
        Some(value) => {
            RegistryCredential::from_authorization(value)
                .map_err(|e| invalid(format!("registry.authorization: {e}")))?;
            Some(value.to_string())
        }
    };

    let repository = required(artifact, "artifact.", "repository")?;
    if !events::valid_repository(repository) {
        return Err(invalid(format!(
            "artifact.repository {repository:?} is not a repository name (lowercase path components)"
        )));
    }
    let digest = required(artifact, "artifact.", "digest")?;
    if !events::valid_digest(digest) {
        return Err(invalid(format!(
            "artifact.digest {digest:?} is not a manifest digest (sha256:<64 hex digits>)"
        )));
    }
    let tag = string(artifact, "artifact.", "tag")?.filter(|t| !t.is_empty());
    if let Some(t) = tag.filter(|t| !events::valid_tag(t)) {
        return Err(invalid(format!("artifact.tag {t:?} is not a tag")));
    }
    if let Some(m) = string(artifact, "artifact.", "mime_type")?.filter(|m| !m.is_empty())
        && m != MT_OCI_MANIFEST
        && m != MT_DOCKER_MANIFEST
    {
        return Err(invalid(format!(
            "artifact.mime_type {m:?} is not supported: expected {MT_OCI_MANIFEST} or {MT_DOCKER_MANIFEST}"
        )));
    }
    check_capabilities(&request)?;
    Ok(ValidRequest {
        registry: host,
        insecure,
        repository: repository.to_string(),
        digest: digest.to_string(),
        tag: tag.map(str::to_string),
        authorization,
    })
}

/// `enabled_capabilities` (v1.2): each a capability this scanner has, its
/// report types and SBOM formats ones it produces.
fn check_capabilities(request: &Value) -> Result<(), Refusal> {
    let Some(list) = member(
        request,
        "",
        "enabled_capabilities",
        Value::is_array,
        "an array",
    )?
    else {
        return Ok(());
    };
    for (i, capability) in list.as_array().into_iter().flatten().enumerate() {
        let field = format!("enabled_capabilities[{i}].");
        if !capability.is_object() {
            return Err(wrong_type(
                &format!("enabled_capabilities[{i}]"),
                "an object",
            ));
        }
        let kind = required(capability, &field, "type")?;
        let produces: &[&str] = match kind {
            "vulnerability" => &[MT_VULN_REPORT, MT_VULN_REPORT_HARBOR],
            "sbom" => &[MT_SBOM_REPORT],
            other => {
                return Err(invalid(format!(
                    "{field}type {other:?}: expected vulnerability or sbom"
                )));
            }
        };
        for m in strings(capability, &field, "produces_mime_types")? {
            if !produces.contains(&m) {
                return Err(invalid(format!(
                    "{field}produces_mime_types: {m:?} is not produced for {kind} (expected {})",
                    produces.join(", ")
                )));
            }
        }
        let parameters_field = format!("{field}parameters.");
        if let Some(parameters) = member(
            capability,
            &field,
            "parameters",
            Value::is_object,
            "an object",
        )? {
            for m in strings(parameters, &parameters_field, "sbom_media_types")? {
                if m != MT_SPDX && m != MT_CYCLONEDX {
                    return Err(invalid(format!(
                        "{parameters_field}sbom_media_types: {m:?} is not produced (expected {MT_SPDX} or {MT_CYCLONEDX})"
                    )));
                }
            }
        }
    }
    Ok(())
}

async fn accept_scan(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = s.check_write(&headers) {
        return with_type(r, MT_ERROR);
    }
    let request = match validate(&body, |host| s.registry_allowed(host)) {
        Ok(r) => r,
        Err(refusal) => return harbor_error(refusal.status, refusal.message),
    };
    let reference = request.reference();
    let recorded = s
        .store
        .record_ref(
            &format!("{}/{}", request.registry, request.repository),
            request.tag.as_deref().unwrap_or(""),
            &request.digest,
        )
        .await;
    if let Err(e) = recorded {
        return with_type(store_error(e), MT_ERROR);
    }
    let job = NewJob {
        reference: reference.clone(),
        digest: Some(request.digest.clone()),
        source: JobSource::Harbor,
        insecure: request.insecure,
    };
    let queued = match s.store.enqueue(&job).await {
        Ok(q) => q,
        Err(e) => return with_type(store_error(e), MT_ERROR),
    };
    if let Some(authorization) = &request.authorization
        && let Err(e) = s.store.save_job_credential(&queued.id, authorization).await
    {
        return with_type(store_error(e), MT_ERROR);
    }
    s.wake.notify_waiters();
    log(&format!(
        "harbor: scan request {} for {reference}{}{}",
        queued.id,
        if request.authorization.is_some() {
            " (with a registry credential)"
        } else {
            ""
        },
        if queued.existing {
            " (joined the queued scan)"
        } else {
            ""
        },
    ));
    json_as(
        StatusCode::ACCEPTED,
        MT_SCAN_RESPONSE,
        &json!({"id": queued.id}),
    )
}

/// The registry credential Harbor gave for `job`, for the worker that
/// claimed it. The job is queued before its credential is written (two
/// writes); a worker that claims a Harbor job in between finds none, so a
/// first attempt without one reads again once, shortly after.
pub async fn credential_for(store: &Store, job: &Job) -> Result<Option<String>, StoreError> {
    let credential = store.job_credential(&job.id).await?;
    if credential.is_some() || job.source != JobSource::Harbor.as_str() || job.attempts > 1 {
        return Ok(credential);
    }
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    store.job_credential(&job.id).await
}

/// Which report an `Accept` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Vulnerability(&'static str),
    Sbom,
}

/// The report type named first in `accept` that this scanner produces
/// (none or `*/*`: the vulnerability report v1.1); Err: the types asked.
pub fn report_kind(accept: Option<&str>) -> Result<ReportKind, String> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(ReportKind::Vulnerability(MT_VULN_REPORT));
    };
    // Compare without spaces or case: "a; version=1.1" = "A;version=1.1".
    let norm = |m: &str| {
        m.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    for wanted in accept.split(',').map(norm) {
        for (known, kind) in [
            (MT_VULN_REPORT, ReportKind::Vulnerability(MT_VULN_REPORT)),
            (
                MT_VULN_REPORT_HARBOR,
                ReportKind::Vulnerability(MT_VULN_REPORT_HARBOR),
            ),
            (MT_SBOM_REPORT, ReportKind::Sbom),
        ] {
            if wanted == norm(known) {
                return Ok(kind);
            }
        }
        if wanted == "*/*" || wanted.starts_with("*/*;") {
            return Ok(ReportKind::Vulnerability(MT_VULN_REPORT));
        }
    }
    Err(accept.to_string())
}

#[derive(Deserialize)]
struct ReportQuery {
    sbom_media_type: Option<String>,
}

async fn report(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    if let Some(r) = s.check_read(&headers) {
        return with_type(r, MT_ERROR);
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let kind = match report_kind(accept) {
        Ok(k) => k,
        Err(asked) => {
            return harbor_error(
                StatusCode::NOT_IMPLEMENTED,
                format!(
                    "Accept {asked:?}: this scanner produces {MT_VULN_REPORT}, {MT_VULN_REPORT_HARBOR} and {MT_SBOM_REPORT}"
                ),
            );
        }
    };
    // A `+` left unencoded in the query reads as a space.
    let sbom_media_type = q.sbom_media_type.map(|m| m.replace(' ', "+"));
    let sbom_kind = match (kind, sbom_media_type.as_deref()) {
        (ReportKind::Sbom, Some(MT_SPDX)) => Some(("spdx", MT_SPDX)),
        (ReportKind::Sbom, Some(MT_CYCLONEDX)) => Some(("cyclonedx", MT_CYCLONEDX)),
        (ReportKind::Sbom, other) => {
            return harbor_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "sbom_media_type {}: the SBOM report needs ?sbom_media_type={MT_SPDX} or {MT_CYCLONEDX}",
                    other.map_or("missing".to_string(), |o| format!("{o:?}"))
                ),
            );
        }
        _ => None,
    };
    let job = match s.store.job(&id).await {
        Ok(Some(job)) => job,
        Ok(None) => {
            return harbor_error(StatusCode::NOT_FOUND, format!("no scan request {id:?}"));
        }
        Err(e) => return with_type(store_error(e), MT_ERROR),
    };
    match job.state.as_str() {
        "queued" | "running" => {
            return (
                StatusCode::FOUND,
                [("Refresh-After", REFRESH_AFTER_SECONDS.to_string())],
            )
                .into_response();
        }
        "done" => {}
        _ => {
            return harbor_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "the scan failed: {}",
                    job.error.as_deref().unwrap_or("no reason recorded")
                ),
            );
        }
    }
    let Some(digest) = job.digest.clone() else {
        return harbor_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("scan request {id} finished without a digest"),
        );
    };
    let image = match s.store.image(&digest).await {
        Ok(Some(image)) => image,
        Ok(None) => {
            return harbor_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("no stored result for {digest}"),
            );
        }
        Err(e) => return with_type(store_error(e), MT_ERROR),
    };
    let header = ReportHeader {
        generated_at: plimsoll_sbom::rfc3339_utc((image.row.scanned_at / 1000).max(0) as u64),
        artifact: artifact_of(&job.reference, &digest, &image.row.refs),
    };
    match (kind, sbom_kind) {
        (ReportKind::Sbom, Some((stored, media_type))) => {
            let document = match s.store.document(&digest, stored).await {
                Ok(Some(d)) => d,
                Ok(None) => {
                    return harbor_error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("no {stored} document kept for {digest}"),
                    );
                }
                Err(e) => return with_type(store_error(e), MT_ERROR),
            };
            match sbom_report(&header, media_type, &document) {
                Ok(body) => json_as(StatusCode::OK, MT_SBOM_REPORT, &body),
                Err(e) => harbor_error(StatusCode::INTERNAL_SERVER_ERROR, e),
            }
        }
        (ReportKind::Vulnerability(media_type), _) => {
            let Some(stored) = image.report.as_deref() else {
                return harbor_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("no scan report kept for {digest}"),
                );
            };
            match vulnerability_report(&header, stored) {
                Ok(body) => json_as(StatusCode::OK, media_type, &body),
                Err(e) => harbor_error(StatusCode::INTERNAL_SERVER_ERROR, e),
            }
        }
        (ReportKind::Sbom, None) => {
            harbor_error(StatusCode::INTERNAL_SERVER_ERROR, "no SBOM format chosen")
        }
    }
}

/// What every report starts with.
pub struct ReportHeader {
    /// RFC 3339, the scan's time.
    pub generated_at: String,
    /// The spec's Artifact.
    pub artifact: Value,
}

/// The spec's Artifact from a job's reference (`host/repository@digest`),
/// with the tag last seen on that repository for the digest, if any.
fn artifact_of(reference: &str, digest: &str, refs: &[RefRow]) -> Value {
    let name = reference.split('@').next().unwrap_or(reference);
    let repository = plimsoll_oci::NameRef::parse(name).repository;
    let mut artifact = json!({"repository": repository, "digest": digest});
    if let Some(r) = refs
        .iter()
        .filter(|r| r.repository == name && !r.tag.is_empty())
        .max_by_key(|r| r.last_seen)
    {
        artifact["tag"] = json!(r.tag);
    }
    artifact
}

/// The SBOM report: the stored document under `sbom`.
pub fn sbom_report(
    header: &ReportHeader,
    media_type: &str,
    document: &str,
) -> Result<Value, String> {
    let sbom: Value = serde_json::from_str(document)
        .map_err(|e| format!("the stored {media_type} document is unreadable: {e}"))?;
    Ok(json!({
        "generated_at": header.generated_at,
        "artifact": header.artifact,
        "scanner": scanner(),
        "media_type": media_type,
        "sbom": sbom,
    }))
}

// The parts of the stored scan report (schemas/scan-report.schema.json)
// the vulnerability report is made from.
#[derive(Deserialize)]
struct StoredReport {
    image: StoredImage,
    vulnerabilities: StoredVulns,
}

#[derive(Deserialize)]
struct StoredImage {
    #[serde(default)]
    layers: Vec<StoredLayer>,
}

#[derive(Deserialize)]
struct StoredLayer {
    index: usize,
    digest: String,
    diff_id: Option<String>,
}

#[derive(Deserialize)]
struct StoredVulns {
    findings: Vec<StoredFinding>,
}

#[derive(Deserialize)]
struct StoredFinding {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    advisories: Vec<String>,
    package: StoredPackage,
    status: String,
    why: Option<String>,
    #[serde(default)]
    fixed: Vec<String>,
    severity: String,
    score: Option<f64>,
    source: String,
    #[serde(default)]
    summary: String,
    suppressed: Option<Value>,
}

#[derive(Deserialize)]
struct StoredPackage {
    name: String,
    version: String,
    #[serde(rename = "type")]
    kind: String,
    purl: String,
    layer: usize,
    location: String,
}

/// Our severity word (lowercase) as the spec's Severity.
pub fn severity_word(ours: &str) -> &'static str {
    match ours {
        "critical" => "Critical",
        "high" => "High",
        "medium" => "Medium",
        "low" => "Low",
        "negligible" => "Negligible",
        _ => "Unknown",
    }
}

/// The spec's severities, lowest first.
const SEVERITY_ORDER: [&str; 6] = ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"];

/// The highest of `severities` (spec words); Unknown for none.
pub fn highest_severity<'a>(severities: impl IntoIterator<Item = &'a str>) -> &'static str {
    severities
        .into_iter()
        .filter_map(|s| SEVERITY_ORDER.iter().position(|o| *o == s))
        .max()
        .map_or("Unknown", |i| SEVERITY_ORDER[i])
}

/// The CVSS parts of a rating: `preferred_cvss` (v3 or v2, what the spec's
/// CVSSDetails holds) and the vendor attribute (any version), from the
/// rating's source when it is a vector.
pub fn cvss(score: Option<f64>, source: &str) -> (Option<Value>, Option<Value>) {
    let (preferred_keys, vendor_keys) = if source.starts_with("CVSS:3.") {
        (Some(("score_v3", "vector_v3")), ("V3Score", "V3Vector"))
    } else if source.starts_with("CVSS:4.") {
        (None, ("V40Score", "V40Vector"))
    } else if source.starts_with("AV:") {
        (Some(("score_v2", "vector_v2")), ("V2Score", "V2Vector"))
    } else {
        return (None, None);
    };
    let entry = |(score_key, vector_key): (&str, &str)| {
        let mut m = Map::new();
        if let Some(score) = score {
            m.insert(score_key.into(), json!(score));
        }
        m.insert(vector_key.into(), json!(source));
        Value::Object(m)
    };
    (preferred_keys.map(entry), Some(entry(vendor_keys)))
}

/// The vulnerability report from a stored scan report. Suppressed findings
/// (ignored, or not affected by VEX) are left out, as the gate leaves them
/// out; each item names the layer its package came from.
pub fn vulnerability_report(header: &ReportHeader, stored: &str) -> Result<Value, String> {
    let report: StoredReport = serde_json::from_str(stored)
        .map_err(|e| format!("the stored scan report is unreadable: {e}"))?;
    let layers = &report.image.layers;
    let mut items = Vec::new();
    for f in report
        .vulnerabilities
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
    {
        let severity = severity_word(&f.severity);
        let (preferred, vendor_cvss) = cvss(f.score, &f.source);
        let mut vendor = Map::new();
        if let Some(c) = vendor_cvss {
            vendor.insert("CVSS".into(), json!({"osv": c}));
        }
        vendor.insert("severity_source".into(), json!(f.source));
        vendor.insert("aliases".into(), json!(f.aliases));
        vendor.insert("advisories".into(), json!(f.advisories));
        vendor.insert("package_type".into(), json!(f.package.kind));
        vendor.insert("purl".into(), json!(f.package.purl));
        vendor.insert("location".into(), json!(f.package.location));
        vendor.insert("match_status".into(), json!(f.status));
        if let Some(why) = &f.why {
            vendor.insert("match_status_why".into(), json!(why));
        }
        let mut item = json!({
            "id": f.id,
            "package": f.package.name,
            "version": f.package.version,
            "severity": severity,
            "description": f.summary,
            "links": [],
            "cwe_ids": [],
            "vendor_attributes": vendor,
        });
        if !f.fixed.is_empty() {
            item["fix_version"] = json!(f.fixed.join(", "));
        }
        if let Some(p) = preferred {
            item["preferred_cvss"] = p;
        }
        if let Some(layer) = layers.iter().find(|l| l.index == f.package.layer) {
            let mut l = json!({"digest": layer.digest});
            if let Some(d) = &layer.diff_id {
                l["diff_id"] = json!(d);
            }
            item["layer"] = l;
        }
        items.push(item);
    }
    let severity = highest_severity(items.iter().filter_map(|i| i["severity"].as_str()));
    Ok(json!({
        "generated_at": header.generated_at,
        "artifact": header.artifact,
        "scanner": scanner(),
        "severity": severity,
        "vulnerabilities": items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:8a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

    fn request(registry: Value, artifact: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"registry": registry, "artifact": artifact})).unwrap()
    }

    fn refusal(body: &[u8]) -> (u16, String) {
        let r = validate(body, |h| h != "forbidden.example:5000").unwrap_err();
        (r.status.as_u16(), r.message)
    }

    #[test]
    fn a_request_harbor_sends_is_accepted() {
        let body = serde_json::to_vec(&json!({
            "registry": {"url": "http://harbor-core:8080", "authorization": "Basic cm9ib3Q6czNjcmV0"},
            "artifact": {"repository": "library/app", "digest": D, "tag": "1.0", "mime_type": MT_DOCKER_MANIFEST},
            "enabled_capabilities": [
                {"type": "vulnerability", "produces_mime_types": [MT_VULN_REPORT]},
                {"type": "sbom", "produces_mime_types": [MT_SBOM_REPORT],
                 "parameters": {"sbom_media_types": [MT_SPDX, MT_CYCLONEDX]}},
            ],
        }))
        .unwrap();
        let r = validate(&body, |_| true).unwrap();
        assert_eq!(
            r,
            ValidRequest {
                registry: "harbor-core:8080".into(),
                insecure: true,
                repository: "library/app".into(),
                digest: D.into(),
                tag: Some("1.0".into()),
                authorization: Some("Basic cm9ib3Q6czNjcmV0".into()),
            }
        );
        assert_eq!(r.reference(), format!("harbor-core:8080/library/app@{D}"));
        let minimal = request(
            json!({"url": "https://core.harbor.example/"}),
            json!({"repository": "a", "digest": D}),
        );
        let r = validate(&minimal, |_| true).unwrap();
        assert!(!r.insecure && r.authorization.is_none() && r.tag.is_none());
    }

    #[test]
    fn bad_requests_are_400_and_invalid_fields_422_naming_the_field() {
        let ok_registry = json!({"url": "http://r:5000"});
        let ok_artifact = json!({"repository": "a/b", "digest": D});
        for (body, status, says) in [
            (b"{not json".to_vec(), 400, "not JSON"),
            (b"[1]".to_vec(), 400, "JSON object"),
            (
                request(json!("r"), ok_artifact.clone()),
                400,
                "registry must be an object",
            ),
            (
                request(json!({"url": 5}), ok_artifact.clone()),
                400,
                "registry.url must be a string",
            ),
            (
                request(
                    ok_registry.clone(),
                    json!({"repository": "a", "digest": [D]}),
                ),
                400,
                "artifact.digest must be a string",
            ),
            (
                br#"{"artifact": {"repository": "a"}}"#.to_vec(),
                422,
                "registry is missing",
            ),
            (
                request(ok_registry.clone(), json!({"digest": D})),
                422,
                "artifact.repository is missing",
            ),
            (
                request(ok_registry.clone(), json!({"repository": "a"})),
                422,
                "artifact.digest is missing",
            ),
            (
                request(json!({}), ok_artifact.clone()),
                422,
                "registry.url is missing",
            ),
            (
                request(json!({"url": "ftp://r"}), ok_artifact.clone()),
                422,
                "not an http:// or https:// URL",
            ),
            (
                request(json!({"url": "http://u:p@r"}), ok_artifact.clone()),
                422,
                "not an http://",
            ),
            (
                request(json!({"url": "http://r/v2/"}), ok_artifact.clone()),
                422,
                "without a path",
            ),
            (
                request(
                    json!({"url": "http://forbidden.example:5000"}),
                    ok_artifact.clone(),
                ),
                422,
                "[serve] registries",
            ),
            (
                request(
                    json!({"url": "http://r", "authorization": "Token abc"}),
                    ok_artifact.clone(),
                ),
                422,
                "registry.authorization: expected",
            ),
            (
                request(
                    ok_registry.clone(),
                    json!({"repository": "A/B", "digest": D}),
                ),
                422,
                "not a repository name",
            ),
            (
                request(
                    ok_registry.clone(),
                    json!({"repository": "a", "digest": "sha256:1"}),
                ),
                422,
                "not a manifest digest",
            ),
            (
                request(
                    ok_registry.clone(),
                    json!({"repository": "a", "digest": D, "mime_type": "application/vnd.oci.image.index.v1+json"}),
                ),
                422,
                "is not supported",
            ),
        ] {
            let (got, message) = refusal(&body);
            assert_eq!(got, status, "{message}");
            assert!(message.contains(says), "{message} lacks {says}");
        }
        let with_caps = |caps: Value| {
            serde_json::to_vec(&json!({"registry": ok_registry, "artifact": ok_artifact, "enabled_capabilities": caps})).unwrap()
        };
        for (caps, status, says) in [
            (json!({}), 400, "enabled_capabilities must be an array"),
            (
                json!([{"type": "malware"}]),
                422,
                "expected vulnerability or sbom",
            ),
            (json!([{}]), 422, "enabled_capabilities[0].type is missing"),
            (
                json!([{"type": "sbom", "parameters": {"sbom_media_types": ["text/plain"]}}]),
                422,
                "sbom_media_types",
            ),
            (
                json!([{"type": "vulnerability", "produces_mime_types": ["application/vnd.scanner.adapter.vuln.report.raw"]}]),
                422,
                "not produced",
            ),
        ] {
            let (got, message) = refusal(&with_caps(caps));
            assert_eq!(got, status, "{message}");
            assert!(message.contains(says), "{message} lacks {says}");
        }
    }

    #[test]
    fn refusals_never_repeat_the_credential() {
        let body = request(
            json!({"url": "http://r", "authorization": "Basic bm9jb2xvbi1zM2NyZXQ="}),
            json!({"repository": "a", "digest": D}),
        );
        let (status, message) = refusal(&body);
        assert_eq!(status, 422);
        assert!(!message.contains("bm9jb2xvbi1zM2NyZXQ"), "{message}");
    }

    #[test]
    fn the_artifact_names_its_repository_and_latest_tag() {
        let seen = |tag: &str, last_seen| RefRow {
            repository: "harbor-core:8080/library/app".into(),
            tag: tag.into(),
            digest: D.into(),
            first_seen: 0,
            last_seen,
            current: true,
        };
        let reference = format!("harbor-core:8080/library/app@{D}");
        assert_eq!(
            artifact_of(
                &reference,
                D,
                &[seen("1.0", 5), seen("", 9), seen("latest", 7)]
            ),
            json!({"repository": "library/app", "digest": D, "tag": "latest"})
        );
        assert_eq!(
            artifact_of(&reference, D, &[]),
            json!({"repository": "library/app", "digest": D})
        );
    }

    #[test]
    fn accept_chooses_the_report() {
        assert_eq!(
            report_kind(None),
            Ok(ReportKind::Vulnerability(MT_VULN_REPORT))
        );
        assert_eq!(
            report_kind(Some("*/*")),
            Ok(ReportKind::Vulnerability(MT_VULN_REPORT))
        );
        assert_eq!(
            report_kind(Some(
                "application/vnd.scanner.adapter.vuln.report.harbor+json;version=1.0"
            )),
            Ok(ReportKind::Vulnerability(MT_VULN_REPORT_HARBOR))
        );
        assert_eq!(
            report_kind(Some(
                "text/html, application/vnd.security.sbom.report+json; version=1.0"
            )),
            Ok(ReportKind::Sbom)
        );
        assert!(report_kind(Some("application/vnd.scanner.adapter.vuln.report.raw")).is_err());
    }

    #[test]
    fn severities_are_harbor_words_and_the_highest_wins() {
        assert_eq!(
            [
                "critical",
                "high",
                "medium",
                "low",
                "negligible",
                "unknown",
                "bogus"
            ]
            .map(severity_word),
            [
                "Critical",
                "High",
                "Medium",
                "Low",
                "Negligible",
                "Unknown",
                "Unknown"
            ]
        );
        assert_eq!(highest_severity(["Low", "High", "Medium"]), "High");
        assert_eq!(highest_severity(["Unknown", "Negligible"]), "Negligible");
        assert_eq!(highest_severity([]), "Unknown");
    }

    #[test]
    fn cvss_vectors_become_preferred_cvss_and_vendor_attributes() {
        let v3 = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
        assert_eq!(
            cvss(Some(7.8), v3),
            (
                Some(json!({"score_v3": 7.8, "vector_v3": v3})),
                Some(json!({"V3Score": 7.8, "V3Vector": v3}))
            )
        );
        let v2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P";
        assert_eq!(
            cvss(Some(7.5), v2).0,
            Some(json!({"score_v2": 7.5, "vector_v2": v2}))
        );
        let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        assert_eq!(
            cvss(Some(9.3), v4),
            (None, Some(json!({"V40Score": 9.3, "V40Vector": v4})))
        );
        assert_eq!(cvss(None, "debian high"), (None, None));
    }

    #[test]
    fn a_stored_report_becomes_harbor_vulnerabilities() {
        let layer = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        let diff = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        let finding = |id: &str, severity: &str, extra: Value| {
            let mut f = json!({
                "id": id, "aliases": [id, "DSA-1"], "advisories": ["DSA-1"],
                "package": {"name": "libc6", "version": "2.36-9", "type": "deb",
                            "purl": "pkg:deb/debian/libc6@2.36-9", "layer": 0, "location": "var/lib/dpkg/status"},
                "status": "affected", "fixed": ["2.36-9+deb12u3"], "severity": severity,
                "source": "debian medium", "summary": "glibc security update",
            });
            if let (Some(f), Value::Object(extra)) = (f.as_object_mut(), extra) {
                f.extend(extra);
            }
            f
        };
        let stored = json!({
            "image": {"layers": [{"index": 0, "digest": layer, "diff_id": diff}]},
            "vulnerabilities": {"findings": [
                finding("CVE-2023-4911", "high", json!({"score": 7.8, "source": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"})),
                finding("CVE-2099-1", "medium", json!({"status": "unknown", "why": "version unordered", "fixed": []})),
                finding("CVE-2099-2", "critical", json!({"suppressed": {"by": "ignore", "reason": "accepted"}})),
            ]},
        });
        let header = ReportHeader {
            generated_at: "2026-01-01T00:00:00Z".into(),
            artifact: json!({"repository": "a", "digest": D}),
        };
        let r = vulnerability_report(&header, &stored.to_string()).unwrap();
        assert_eq!(r["severity"], "High", "the suppressed critical is left out");
        let items = r["vulnerabilities"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let first = &items[0];
        assert_eq!(first["id"], "CVE-2023-4911");
        assert_eq!(first["package"], "libc6");
        assert_eq!(first["version"], "2.36-9");
        assert_eq!(first["fix_version"], "2.36-9+deb12u3");
        assert_eq!(first["severity"], "High");
        assert_eq!(first["layer"], json!({"digest": layer, "diff_id": diff}));
        assert_eq!(first["preferred_cvss"]["score_v3"], 7.8);
        assert_eq!(first["vendor_attributes"]["CVSS"]["osv"]["V3Score"], 7.8);
        assert_eq!(first["vendor_attributes"]["advisories"], json!(["DSA-1"]));
        let second = &items[1];
        assert!(second.get("fix_version").is_none() && second.get("preferred_cvss").is_none());
        assert_eq!(second["vendor_attributes"]["match_status"], "unknown");
        assert_eq!(r["scanner"]["name"], "plimsoll");
        assert!(vulnerability_report(&header, "{}").is_err());
    }
}
