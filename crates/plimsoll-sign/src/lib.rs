//! cosign-compatible image signing and verification with keys: cosign's
//! key formats, its simple-signing payload, and its storage of signatures
//! (the `sha256-<hex>.sig` tag beside the image, one layer per signature;
//! OCI 1.1 referrers read too) in OCI layouts and registries.

pub mod keys;
pub mod payload;
pub mod store;

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine as _;
use plimsoll_oci::ImageRef;
use serde::Serialize;
use serde_json::Value;

pub use keys::{Password, PrivateKey, PublicKeyPem};
pub use store::{Layout, Registry, RegistryOptions, Store};

/// The layer annotation holding a signature (base64 of ASN.1 DER).
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The artifact type of cosign's OCI 1.1 signature manifests.
pub const SIGNATURE_ARTIFACT_TYPE: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
/// The most signature layers read from one signature manifest.
pub const MAX_SIGNATURE_LAYERS: usize = 1000;
/// The most signature manifests read (the tag and referrers).
pub const MAX_SIGNATURE_MANIFESTS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("bad key: {0}")]
    BadKey(String),
    #[error("wrong password, or the encrypted key is corrupt (it does not decrypt)")]
    WrongPassword,
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} exists; pass --force to overwrite it")]
    Exists(PathBuf),
    #[error("bad reference: {0}")]
    BadReference(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("registry {registry}: {why}")]
    Registry { registry: String, why: String },
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("corrupt: {0}")]
    Corrupt(String),
    #[error("bad signature payload: {0}")]
    Payload(String),
    #[error("bad signature: {0}")]
    Signature(String),
    #[error("bad annotation \"{0}\": expected KEY=VALUE")]
    Annotation(String),
    #[error("no password: {0}")]
    NoPassword(String),
}

/// The image and the repository its signatures live in.
pub struct Target {
    pub image: Box<dyn Store>,
    /// The tag of the image in a layout (None: the only image).
    tag: Option<String>,
    pub signatures: Box<dyn Store>,
    /// The image's digest.
    pub digest: String,
    /// What the user typed.
    pub reference: String,
}

impl Target {
    /// Opens `reference` (oci:DIR[:TAG], registry:HOST/REPO[:TAG|@DIGEST] or
    /// HOST/REPO:TAG) and resolves it to its manifest digest; signatures in
    /// `signature_repository` when given (a registry repository, or
    /// oci:DIR), else beside the image.
    pub fn open(
        reference: &str,
        signature_repository: Option<&str>,
        opts: &RegistryOptions,
    ) -> Result<Target, SignError> {
        let parsed =
            ImageRef::parse(reference).map_err(|e| SignError::BadReference(e.to_string()))?;
        let (image, tag, digest): (Box<dyn Store>, Option<String>, String) = match &parsed {
            ImageRef::OciLayout { dir, tag } => {
                let layout = Layout::open(dir)?;
                let d = layout.descriptor(tag.as_deref())?;
                let digest = d
                    .get("digest")
                    .and_then(Value::as_str)
                    .ok_or_else(|| SignError::Corrupt("index.json entry without digest".into()))?
                    .to_string();
                store::check_digest(&digest)?;
                // The manifest must be there and match its digest.
                layout.manifest_by_digest(&digest)?;
                (Box::new(layout), tag.clone(), digest)
            }
            ImageRef::Registry { reference } => {
                let registry = Registry::open(reference, opts)?;
                let digest = registry.resolve()?;
                (Box::new(registry), None, digest)
            }
            other => {
                return Err(SignError::BadReference(format!(
                    "{other}: only oci:DIR[:TAG] and registry references can be signed"
                )));
            }
        };
        let signatures: Box<dyn Store> = match signature_repository {
            None => match &parsed {
                ImageRef::OciLayout { dir, .. } => Box::new(Layout::open(dir)?),
                ImageRef::Registry { reference } => {
                    let name = plimsoll_oci::NameRef::parse(reference).name;
                    Box::new(Registry::open(name, opts)?)
                }
                _ => unreachable!("refused above"),
            },
            Some(repo) => {
                if let Some(dir) = repo.strip_prefix("oci:") {
                    Box::new(Layout::open(std::path::Path::new(dir))?)
                } else {
                    let repo = repo.strip_prefix("registry:").unwrap_or(repo);
                    let n = plimsoll_oci::NameRef::parse(repo);
                    if n.tag.is_some() || n.digest.is_some() {
                        return Err(SignError::BadReference(format!(
                            "signature repository \"{repo}\" must name a repository, without \
                             tag or digest"
                        )));
                    }
                    Box::new(Registry::open(repo, opts)?)
                }
            }
        };
        Ok(Target {
            image,
            tag,
            signatures,
            digest,
            reference: reference.to_string(),
        })
    }

    /// The tag cosign keeps the image's signatures under.
    pub fn signature_tag(&self) -> String {
        format!("{}.sig", self.digest.replace(':', "-"))
    }

    /// The tag of the image in a layout, if one was named.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }
}

/// P-D5: why the registry `reference` pulls from is not one of `trusted`
/// (`[supply_chain] trusted_registries`: `host[:port]`, `*.domain`,
/// `prefix*`), or None when it is, when the list is empty, or when the
/// reference is not a registry's (an OCI layout).
pub fn untrusted_registry(reference: &str, trusted: &[String]) -> Option<String> {
    if trusted.is_empty() {
        return None;
    }
    let ImageRef::Registry { reference } = ImageRef::parse(reference).ok()? else {
        return None;
    };
    let registry = plimsoll_oci::registry_of(&reference);
    if trusted
        .iter()
        .any(|t| plimsoll_oci::registry_is_trusted(&registry, t))
    {
        return None;
    }
    Some(format!(
        "registry {registry} of {reference} is not a trusted registry (P-D5; trusted: {})",
        trusted.join(", ")
    ))
}

/// Parses `KEY=VALUE` annotations.
pub fn parse_annotations(items: &[String]) -> Result<BTreeMap<String, String>, SignError> {
    let mut out = BTreeMap::new();
    for item in items {
        let (k, v) = item
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| SignError::Annotation(item.clone()))?;
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

/// What `sign` did.
#[derive(Debug, Serialize)]
pub struct Signed {
    pub digest: String,
    pub signature_location: String,
    pub signature_tag: String,
    /// The signature manifest's digest after the push.
    pub manifest_digest: String,
    /// Signature layers in it (this one included).
    pub signatures: usize,
    /// False when an identical signature was already there.
    pub added: bool,
}

/// Signs the image `target` names with `key`: the simple-signing payload
/// for its digest and `annotations`, appended as a layer to the signature
/// manifest at `sha256-<hex>.sig`.
pub fn sign(
    target: &Target,
    key: &PrivateKey,
    annotations: &BTreeMap<String, String>,
) -> Result<Signed, SignError> {
    let payload = payload::build(&target.image.identity(), &target.digest, annotations);
    let signature = keys::signature_b64(&key.sign(&payload));
    let tag = target.signature_tag();
    let existing = target.signatures.manifest_by_tag(&tag)?;
    let mut layers: Vec<Value> = match &existing {
        Some(bytes) => {
            let v: Value = serde_json::from_slice(bytes).map_err(|e| {
                SignError::Corrupt(format!("signature manifest {tag}: not JSON: {e}"))
            })?;
            v.get("layers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    if layers.len() >= MAX_SIGNATURE_LAYERS {
        return Err(SignError::TooLarge(format!(
            "signature manifest {tag} already has {} layers; at most {MAX_SIGNATURE_LAYERS} are kept",
            layers.len()
        )));
    }
    let payload_digest = target.signatures.put_blob(&payload)?;
    let already = layers.iter().any(|l| {
        l.get("digest").and_then(Value::as_str) == Some(payload_digest.as_str())
            && l.pointer(&format!(
                "/annotations/{}",
                SIGNATURE_ANNOTATION.replace('/', "~1")
            ))
            .and_then(Value::as_str)
                == Some(signature.as_str())
    });
    if !already {
        layers.push(serde_json::json!({
            "mediaType": payload::SIMPLE_SIGNING_MEDIA_TYPE,
            "size": payload.len(),
            "digest": payload_digest,
            "annotations": { SIGNATURE_ANNOTATION: signature },
        }));
    }
    // The config go-containerregistry writes for appended layers: one
    // diff_id (the payload's digest: it is not compressed) and one empty
    // history entry per layer.
    let diff_ids: Vec<Value> = layers
        .iter()
        .map(|l| l.get("digest").cloned().unwrap_or(Value::Null))
        .collect();
    let history: Vec<Value> = layers
        .iter()
        .map(|_| serde_json::json!({"created": "0001-01-01T00:00:00Z"}))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": history,
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "config": {},
    }))
    .expect("JSON values serialise");
    let config_digest = target.signatures.put_blob(&config)?;
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": store::MT_OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "size": config.len(),
            "digest": config_digest,
        },
        "layers": layers,
    }))
    .expect("JSON values serialise");
    target
        .signatures
        .put_manifest(&tag, store::MT_OCI_MANIFEST, &manifest)?;
    Ok(Signed {
        digest: target.digest.clone(),
        signature_location: target.signatures.location(),
        signature_tag: tag,
        manifest_digest: store::sha256(&manifest),
        signatures: layers.len(),
        added: !already,
    })
}

/// One signature looked at.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Where it came from: `tag sha256-….sig` or `referrer sha256:…`.
    pub source: String,
    /// Its layer in that manifest.
    pub layer: usize,
    /// The payload's digest, when the layer names one.
    pub payload_digest: Option<String>,
    /// The payload's docker-reference, when read.
    pub docker_reference: Option<String>,
    pub verified: bool,
    /// Why not, when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What `verify` found.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub reference: String,
    pub digest: String,
    pub signature_location: String,
    pub checks: Vec<Check>,
    /// Notes on the search (a referrers lookup that failed, skipped layers).
    pub notes: Vec<String>,
    /// Signatures by the key over this digest with the annotations.
    pub verified: usize,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.verified > 0
    }

    /// Why verification failed, in one line (None when it passed).
    pub fn failure(&self) -> Option<String> {
        if self.ok() {
            return None;
        }
        Some(match self.checks.iter().find_map(|c| c.reason.as_deref()) {
            None => format!(
                "no signatures found for {} ({}) in {}",
                self.reference, self.digest, self.signature_location
            ),
            Some(first) => format!(
                "no signature of {} ({}) verified with the key ({} checked; first: {first})",
                self.reference,
                self.digest,
                self.checks.len()
            ),
        })
    }

    /// The table `plimsoll verify` prints: each signature looked at, the
    /// notes on the search, and the count.
    pub fn render_table(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "{} {}", self.reference, self.digest);
        let _ = writeln!(out, "signatures in {}", self.signature_location);
        for c in &self.checks {
            let _ = writeln!(
                out,
                "  {:<8} {} layer {}{}",
                if c.verified { "verified" } else { "FAILED" },
                c.source,
                c.layer,
                match (&c.reason, &c.docker_reference) {
                    (Some(why), _) => format!(": {why}"),
                    (None, Some(r)) => format!(" ({r})"),
                    (None, None) => String::new(),
                }
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        let _ = writeln!(
            out,
            "{} of {} signatures verified",
            self.verified,
            self.checks.len()
        );
        out
    }
}

/// Finds the signatures of `target`'s image and checks each with `key`:
/// the signature over the raw payload bytes, the payload's digest against
/// the image's, and each of `annotations` against the payload's optional
/// section.
pub fn verify(
    target: &Target,
    key: &PublicKeyPem,
    annotations: &BTreeMap<String, String>,
) -> Result<Verification, SignError> {
    let mut notes = Vec::new();
    let mut manifests: Vec<(String, Vec<u8>)> = Vec::new();
    let tag = target.signature_tag();
    if let Some(m) = target.signatures.manifest_by_tag(&tag)? {
        manifests.push((format!("tag {tag}"), m));
    }
    match target
        .signatures
        .referrers(&target.digest, SIGNATURE_ARTIFACT_TYPE)
    {
        Ok(digests) => {
            if digests.len() > MAX_SIGNATURE_MANIFESTS {
                notes.push(format!(
                    "{} referrers; the first {MAX_SIGNATURE_MANIFESTS} are read",
                    digests.len()
                ));
            }
            for d in digests.into_iter().take(MAX_SIGNATURE_MANIFESTS) {
                match target.signatures.manifest_by_digest(&d) {
                    Ok(m) => manifests.push((format!("referrer {d}"), m)),
                    Err(e) => notes.push(format!("referrer {d}: {e}")),
                }
            }
        }
        Err(e) => notes.push(format!("referrers not read: {e}")),
    }
    let mut checks = Vec::new();
    for (source, manifest) in &manifests {
        check_manifest(
            target,
            key,
            annotations,
            source,
            manifest,
            &mut checks,
            &mut notes,
        );
    }
    let verified = checks.iter().filter(|c| c.verified).count();
    Ok(Verification {
        reference: target.reference.clone(),
        digest: target.digest.clone(),
        signature_location: target.signatures.location(),
        checks,
        notes,
        verified,
    })
}

fn check_manifest(
    target: &Target,
    key: &PublicKeyPem,
    annotations: &BTreeMap<String, String>,
    source: &str,
    manifest: &[u8],
    checks: &mut Vec<Check>,
    notes: &mut Vec<String>,
) {
    let failed = |checks: &mut Vec<Check>, layer, why: String| {
        checks.push(Check {
            source: source.to_string(),
            layer,
            payload_digest: None,
            docker_reference: None,
            verified: false,
            reason: Some(why),
        })
    };
    let v: Value = match serde_json::from_slice(manifest) {
        Ok(v) => v,
        Err(e) => {
            return failed(
                checks,
                0,
                format!("the signature manifest is not JSON: {e}"),
            );
        }
    };
    let Some(layers) = v.get("layers").and_then(Value::as_array) else {
        return failed(checks, 0, "the signature manifest has no layers".into());
    };
    if layers.len() > MAX_SIGNATURE_LAYERS {
        return failed(
            checks,
            0,
            format!(
                "the signature manifest has {} layers, more than the {MAX_SIGNATURE_LAYERS} \
                 plimsoll reads: refused",
                layers.len()
            ),
        );
    }
    // Payloads of the layers that can be checked, fetched together.
    let wanted: Vec<String> = layers
        .iter()
        .filter(|l| {
            l.get("mediaType").and_then(Value::as_str) == Some(payload::SIMPLE_SIGNING_MEDIA_TYPE)
                && l.get("size")
                    .and_then(Value::as_u64)
                    .is_none_or(|s| s <= payload::MAX_PAYLOAD_BYTES)
                && l.get("annotations")
                    .and_then(|a| a.get(SIGNATURE_ANNOTATION))
                    .is_some()
        })
        .filter_map(|l| l.get("digest").and_then(Value::as_str).map(str::to_string))
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    let mut fetched: BTreeMap<String, Result<Vec<u8>, SignError>> = wanted
        .iter()
        .cloned()
        .zip(target.signatures.blobs(&wanted, payload::MAX_PAYLOAD_BYTES))
        .collect();
    for (i, layer) in layers.iter().enumerate() {
        let media_type = layer.get("mediaType").and_then(Value::as_str).unwrap_or("");
        if media_type != payload::SIMPLE_SIGNING_MEDIA_TYPE {
            notes.push(format!(
                "{source} layer {i}: media type \"{media_type}\" is not a simple-signing payload; skipped"
            ));
            continue;
        }
        let mut check = Check {
            source: source.to_string(),
            layer: i,
            payload_digest: layer
                .get("digest")
                .and_then(Value::as_str)
                .map(str::to_string),
            docker_reference: None,
            verified: false,
            reason: None,
        };
        match check_layer(target, key, annotations, layer, &mut fetched) {
            Ok(reference) => {
                check.docker_reference = Some(reference);
                check.verified = true;
            }
            Err((reference, why)) => {
                check.docker_reference = reference;
                check.reason = Some(why);
            }
        }
        checks.push(check);
    }
}

type LayerResult = Result<String, (Option<String>, String)>;

fn check_layer(
    target: &Target,
    key: &PublicKeyPem,
    annotations: &BTreeMap<String, String>,
    layer: &Value,
    fetched: &mut BTreeMap<String, Result<Vec<u8>, SignError>>,
) -> LayerResult {
    let no_ref = |why: String| (None, why);
    let digest = layer
        .get("digest")
        .and_then(Value::as_str)
        .ok_or_else(|| no_ref("the layer names no digest".into()))?;
    if layer
        .get("size")
        .and_then(Value::as_u64)
        .is_some_and(|s| s > payload::MAX_PAYLOAD_BYTES)
    {
        return Err(no_ref(format!(
            "the payload is larger than {} KiB: refused",
            payload::MAX_PAYLOAD_BYTES / 1024
        )));
    }
    let sig_b64 = layer
        .get("annotations")
        .and_then(|a| a.get(SIGNATURE_ANNOTATION))
        .and_then(Value::as_str)
        .ok_or_else(|| no_ref(format!("no {SIGNATURE_ANNOTATION} annotation")))?;
    let sig = base64::engine::general_purpose::STANDARD
        // Go's encoding/json base64 skips \r and \n; so does this.
        .decode(sig_b64.replace(['\r', '\n'], "").trim())
        .map_err(|_| no_ref("the signature annotation is not base64".into()))?;
    // Fetched above; a digest named twice is read again.
    let raw = match fetched.remove(digest) {
        Some(r) => r,
        None => target.signatures.blob(digest, payload::MAX_PAYLOAD_BYTES),
    }
    .map_err(|e| no_ref(format!("payload: {e}")))?;
    key.verify(&raw, &sig).map_err(|e| no_ref(e.to_string()))?;
    let p = payload::parse(&raw).map_err(|e| no_ref(e.to_string()))?;
    let reference = Some(p.docker_reference.clone());
    if p.manifest_digest != target.digest {
        return Err((
            reference,
            format!(
                "signed for another image: the payload's digest is {} but the image's is {}",
                if p.manifest_digest.is_empty() {
                    "missing"
                } else {
                    &p.manifest_digest
                },
                target.digest
            ),
        ));
    }
    for (k, want) in annotations {
        match p.optional.get(k) {
            Some(Value::String(got)) if got == want => {}
            Some(got) => {
                return Err((
                    reference,
                    format!("annotation {k} is {got}, not \"{want}\""),
                ));
            }
            None => return Err((reference, format!("annotation {k} is missing"))),
        }
    }
    Ok(p.docker_reference)
}
