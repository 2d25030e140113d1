//! One AdmissionReview judged: the request read, the pod spec put through
//! the run-time rules (`plimsoll_runtime`, the same rules `plimsoll config
//! audit` runs), each image's verdict looked up by digest, and the response
//! built: `allowed`, a `status.message` naming every reason, `warnings` for
//! what the policy only warns about, and `auditAnnotations`.
//!
//! Objects without a pod spec (a ConfigMap, a Service) and operations other
//! than CREATE and UPDATE are admitted: the webhook's registration limits
//! what it is sent, and anything else it is sent is not its business. A
//! `dryRun` request is judged the same way (the webhook has no side
//! effects; its log line says dry run).

use std::collections::BTreeSet;

use kube_core::DynamicObject;
use kube_core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use plimsoll_runtime::{AuditOptions, ImageUser, Workload};
use plimsoll_store::Verdict;

use crate::policy::{Action, Failure, Policy, Unknown};
use crate::signature::{SignatureChecker, Signed};
use crate::tags::TagResolver;
use crate::verdict::{Cache, VerdictError, Verdicts, is_final};

/// The request body is not a usable AdmissionReview (answered 400).
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("not an admission.k8s.io/v1 AdmissionReview: {0}")]
    Json(String),
    #[error("AdmissionReview apiVersion is {0:?}; this webhook speaks admission.k8s.io/v1")]
    Version(String),
    #[error("AdmissionReview has no request")]
    NoRequest,
}

/// Reads a request body.
pub fn parse(body: &[u8]) -> Result<AdmissionRequest<DynamicObject>, ReviewError> {
    let review: AdmissionReview<DynamicObject> =
        serde_json::from_slice(body).map_err(|e| ReviewError::Json(e.to_string()))?;
    if review.types.api_version != "admission.k8s.io/v1" || review.types.kind != "AdmissionReview" {
        return Err(ReviewError::Version(format!(
            "{}/{}",
            review.types.api_version, review.types.kind
        )));
    }
    review.try_into().map_err(|_| ReviewError::NoRequest)
}

/// What was decided, before it becomes a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// `Kind/namespace/name` of the object, when it has a pod spec.
    pub object: Option<String>,
    /// Why it is denied (empty when allowed).
    pub reasons: Vec<String>,
    pub warnings: Vec<String>,
    /// Why it was not judged (exempt namespace or user, no pod spec, an
    /// operation other than CREATE/UPDATE).
    pub skipped: Option<String>,
}

/// Longest warning sent (Kubernetes truncates past 256 characters).
const MAX_WARNING: usize = 240;

fn short(s: String) -> String {
    if s.chars().count() <= MAX_WARNING {
        return s;
    }
    let mut out: String = s.chars().take(MAX_WARNING - 1).collect();
    out.push('…');
    out
}

/// The workloads of the request's object (none without a pod spec), read
/// by the Kubernetes front of `plimsoll config audit`.
pub fn workloads(req: &AdmissionRequest<DynamicObject>) -> Result<Vec<Workload>, String> {
    let Some(object) = &req.object else {
        return Ok(Vec::new());
    };
    let mut value = serde_json::to_value(object).map_err(|e| e.to_string())?;
    // The object's own apiVersion/kind, else the request's.
    if let Some(map) = value.as_object_mut() {
        let gvk = &req.kind;
        map.entry("kind")
            .or_insert_with(|| serde_json::Value::String(gvk.kind.clone()));
        let api_version = if gvk.group.is_empty() {
            gvk.version.clone()
        } else {
            format!("{}/{}", gvk.group, gvk.version)
        };
        map.entry("apiVersion")
            .or_insert_with(|| serde_json::Value::String(api_version));
    }
    let text = value.to_string();
    let mut manifests = plimsoll_runtime::kubernetes::read_manifests("admission", &text)
        .map_err(|e| e.to_string())?;
    for w in &mut manifests.workloads {
        if w.namespace.is_none() {
            w.namespace = req.namespace.clone();
        }
        if w.name.is_empty() {
            w.name = req.name.clone();
        }
    }
    Ok(manifests.workloads)
}

/// Where the image gates' facts come from.
pub struct Sources<'a> {
    /// Scan verdicts by digest (`require_scan`).
    pub verdicts: &'a Verdicts,
    pub cache: &'a Cache,
    /// Tags resolved to digests (`resolve_tags`); None: a tag has no verdict.
    pub tags: Option<&'a TagResolver>,
    /// Signatures checked (`require_signature`); None: every image is
    /// denied for want of a checker (a policy asking for signatures must
    /// have one).
    pub signatures: Option<&'a SignatureChecker>,
}

/// Judges a request.
pub async fn decide(
    req: &AdmissionRequest<DynamicObject>,
    policy: &Policy,
    sources: &Sources<'_>,
) -> Decision {
    let (verdicts, cache, tags) = (sources.verdicts, sources.cache, sources.tags);
    let mut d = Decision {
        allowed: true,
        ..Decision::default()
    };
    if !matches!(req.operation, Operation::Create | Operation::Update) {
        d.skipped = Some(format!("operation {:?}", req.operation));
        return d;
    }
    if let Some(ns) = &req.namespace
        && policy.exempt_namespaces.iter().any(|e| e == ns)
    {
        d.skipped = Some(format!("namespace {ns} is exempt"));
        return d;
    }
    if let Some(user) = &req.user_info.username
        && policy.exempt_users.iter().any(|e| e == user)
    {
        d.skipped = Some(format!("user {user} is exempt"));
        return d;
    }
    let workloads = match workloads(req) {
        Ok(w) => w,
        Err(e) => {
            d.allowed = false;
            d.reasons
                .push(format!("the object cannot be read as a workload: {e}"));
            return d;
        }
    };
    if workloads.is_empty() {
        d.skipped = Some("no pod spec".into());
        return d;
    }
    d.object = Some(workloads[0].object());

    let images: BTreeSet<&str> = workloads
        .iter()
        .flat_map(|w| w.containers())
        .filter_map(|c| c.image.as_ref())
        .map(|i| i.value.trim())
        .filter(|i| !i.is_empty())
        .collect();

    // Each image's stored scan, by digest: read first, as the run-time
    // rules need what it found of the image (its default user).
    let mut scans = Vec::new();
    if policy.require_scan {
        for &image in &images {
            let (label, scan) = match plimsoll_oci::NameRef::parse(image).digest {
                Some(digest) => (image.to_string(), Some(cache.get(verdicts, digest).await)),
                None => match tags.filter(|_| policy.resolve_tags) {
                    // P-D1: the digest the tag points at now.
                    Some(tags) => match tags.resolve(image).await {
                        Ok(digest) => (
                            format!("{image}@{digest}"),
                            Some(cache.get(verdicts, &digest).await),
                        ),
                        Err(why) => (image.to_string(), Some(Err(VerdictError::Tag(why)))),
                    },
                    None => (image.to_string(), None),
                },
            };
            scans.push((image, label, scan));
        }
    }

    // The run-time rules on the pod spec.
    let mut options = AuditOptions {
        trusted_registries: policy.trusted_registries.clone(),
        standard: policy.standard,
        standard_version: policy.standard_version,
        ..AuditOptions::default()
    };
    for (image, _, scan) in &scans {
        if let Some(Ok(v)) = scan
            && is_final(v)
            && let Some(u) = &v.user
        {
            options.image_users.insert(
                image.to_string(),
                ImageUser {
                    user: u.user.clone(),
                    root: !u.is_known_non_root(),
                },
            );
        }
    }
    for f in plimsoll_runtime::audit(&workloads, &options) {
        let mut action = policy.action(&f);
        // A registry list, a digest requirement or a standard is a gate,
        // not advice.
        if (f.code == "CFG017" && !policy.trusted_registries.is_empty())
            || (f.code == "CFG015" && policy.require_digest)
            || (f.code == "CFG018" && policy.standard.is_some())
        {
            action = Action::Deny;
        }
        let text = format!("{} ({} {}): {}", f.name, f.code, f.practice, f.message);
        match action {
            Action::Deny => d.reasons.push(text),
            Action::Warn => d.warnings.push(short(text)),
            Action::Ignore => {}
        }
    }

    for (_, label, scan) in scans {
        judge_image(&label, scan, policy, &mut d);
    }
    if policy.require_signature {
        for &image in &images {
            judge_signature(image, sources.signatures, policy, &mut d).await;
        }
    }
    d.allowed = d.reasons.is_empty();
    d
}

/// The image gate on one image's stored scan (None: no digest to look it
/// up by), then the image audit's findings in it that the policy names.
fn judge_image(
    image: &str,
    scan: Option<Result<Verdict, VerdictError>>,
    policy: &Policy,
    d: &mut Decision,
) {
    let unknown = |d: &mut Decision, why: String| match policy.unknown_scan {
        Unknown::Deny => d.reasons.push(why),
        Unknown::Warn => d.warnings.push(short(why)),
    };
    let v = match scan {
        None => {
            unknown(
                d,
                format!(
                    "image `{image}` has no digest to look its scan up by (P-D1): reference it as name@sha256:…"
                ),
            );
            return;
        }
        Some(Err(e)) => return failed_lookup(image, &e, policy, d),
        Some(Ok(v)) => v,
    };
    match v.verdict.as_str() {
        "passed" => {}
        "failed" => d.reasons.push(format!(
            "image `{image}` failed its vulnerability scan{} (P-E2)",
            counts(&v)
        )),
        "pending" => unknown(d, format!("image `{image}` is still being scanned (P-E1)")),
        "error" => unknown(
            d,
            format!(
                "image `{image}` could not be scanned{} (P-E1)",
                v.error
                    .clone()
                    .flatten()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
        ),
        _ => unknown(d, format!("image `{image}` has not been scanned (P-E1)")),
    }
    for f in &v.findings {
        if JUDGED_ON_THE_POD.contains(&f.code.as_str()) {
            continue;
        }
        let text = format!(
            "image `{image}`: {} ({} {}): {}",
            f.name, f.code, f.practice, f.message
        );
        match policy.action_for_code(&f.code) {
            Action::Deny => d.reasons.push(text),
            Action::Warn => d.warnings.push(short(text)),
            Action::Ignore => {}
        }
    }
}

/// P-D4: a signature by one of the policy's keys over the image's digest.
async fn judge_signature(
    image: &str,
    checker: Option<&SignatureChecker>,
    policy: &Policy,
    d: &mut Decision,
) {
    let Some(checker) = checker else {
        d.reasons.push(format!(
            "image `{image}`: signatures are required but this webhook has no signature checker (P-D4)"
        ));
        return;
    };
    match checker.check(image, &policy.signature_keys).await {
        Signed::Verified { .. } => {}
        Signed::Unverified { why } => d.reasons.push(format!(
            "image `{image}` is not signed by a trusted key (P-D4): {why}"
        )),
        Signed::Unreadable { why } => could_not_judge(
            format!("the signatures of `{image}` could not be read (P-D4): {why}"),
            policy,
            d,
        ),
    }
}

/// Image audit rules whose question the pod spec answers, not the stored
/// scan: running as root (IMG001; CFG013 judges it with the image's user,
/// the pod's own user winning) and the tag the scan's reference used
/// (IMG015; the pod's reference is what runs, CFG015/CFG016 judge it).
const JUDGED_ON_THE_POD: &[&str] = &["IMG001", "IMG015"];

fn failed_lookup(image: &str, e: &VerdictError, policy: &Policy, d: &mut Decision) {
    could_not_judge(
        format!("the scan verdict of `{image}` could not be read: {e}"),
        policy,
        d,
    );
}

/// A fact the gate needs could not be had: denied, or admitted with a
/// warning when the policy says `failure = "open"`.
fn could_not_judge(why: String, policy: &Policy, d: &mut Decision) {
    match policy.failure {
        Failure::Closed => d.reasons.push(why),
        Failure::Open => d
            .warnings
            .push(short(format!("{why} (admitted: failure = open)"))),
    }
}

fn counts(v: &Verdict) -> String {
    let Some(c) = v.counts else {
        return String::new();
    };
    let parts: Vec<String> = [
        (c.critical, "critical"),
        (c.high, "high"),
        (c.medium, "medium"),
        (c.low, "low"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, s)| format!("{n} {s}"))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The response to `req` for `decision`.
pub fn respond(req: &AdmissionRequest<DynamicObject>, d: &Decision) -> AdmissionResponse {
    let mut resp = AdmissionResponse::from(req);
    let object = d.object.clone().unwrap_or_else(|| {
        format!(
            "{}/{}",
            req.kind.kind,
            req.namespace
                .as_deref()
                .map(|ns| format!("{ns}/{}", req.name))
                .unwrap_or_else(|| req.name.clone())
        )
    });
    if !d.allowed {
        resp = resp.deny(format!(
            "plimsoll denied {object}: {}",
            d.reasons.join("; ")
        ));
        resp.result.code = 403;
        resp.result.reason = "Forbidden".into();
    }
    if !d.warnings.is_empty() {
        resp.warnings = Some(
            d.warnings
                .iter()
                .map(|w| format!("plimsoll: {w}"))
                .collect(),
        );
    }
    let decision = match (&d.skipped, d.allowed) {
        (Some(_), _) => "skipped",
        (None, true) => "allowed",
        (None, false) => "denied",
    };
    resp.audit_annotations
        .insert("decision".into(), decision.into());
    if let Some(s) = &d.skipped {
        resp.audit_annotations.insert("skipped".into(), s.clone());
    }
    if !d.reasons.is_empty() {
        resp.audit_annotations
            .insert("reasons".into(), short(d.reasons.join("; ")));
    }
    resp
}

/// The response body for a review that could not be read (with HTTP 400).
pub fn invalid(e: &ReviewError) -> AdmissionReview<DynamicObject> {
    AdmissionResponse::invalid(e.to_string()).into_review()
}
