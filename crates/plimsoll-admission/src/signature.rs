//! Signatures checked before admission (P-D4): each image must carry a
//! cosign signature, by one of the policy's keys, over the digest it is
//! pulled by. The check is `plimsoll_sign::verify`, the function `plimsoll
//! verify` runs: the signature over the raw payload bytes and the payload's
//! digest against the image's, found where cosign keeps them (the
//! `sha256-<hex>.sig` tag, OCI 1.1 referrers).
//!
//! Which digest: the one the pod names (`repo@sha256:…`), or, for a tag,
//! the digest the registry serves for it now (the index of a multi-platform
//! image, as `cosign sign repo:tag` signs). Answers are cached per image
//! reference and key set: verified ones for the verdict TTL (a digest's
//! signatures do not go away by themselves; a tag's answer for the tag
//! TTL), others for a few seconds so a signature pushed after a denial is
//! seen soon and a down registry is not hammered.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use plimsoll_sign::{PublicKeyPem, RegistryOptions, SignError, Target};

/// How long an unverified answer or an error is remembered.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// The public keys a signature may be made with (`signature_keys`), read
/// when the policy is.
#[derive(Debug, Clone, Default)]
pub struct SignatureKeys {
    /// (file, key) in the order configured.
    keys: Vec<(String, PublicKeyPem)>,
    /// Identifies the set, so a reloaded policy with other keys does not
    /// reuse answers given for the old ones.
    id: String,
}

/// A key file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct KeyFileError {
    pub path: PathBuf,
    pub why: String,
}

impl SignatureKeys {
    /// Reads cosign public keys (PEM `PUBLIC KEY`, ECDSA P-256).
    pub fn read(paths: &[PathBuf]) -> Result<SignatureKeys, KeyFileError> {
        let mut keys = Vec::new();
        for path in paths {
            let err = |why: String| KeyFileError {
                path: path.clone(),
                why,
            };
            let text = plimsoll_sign::keys::read_key_file(path).map_err(|e| err(e.to_string()))?;
            let key = PublicKeyPem::from_pem(&text).map_err(|e| err(e.to_string()))?;
            keys.push((path.display().to_string(), key));
        }
        let id = keys
            .iter()
            .map(|(_, k)| k.to_pem())
            .collect::<Vec<_>>()
            .join("");
        Ok(SignatureKeys { keys, id })
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

/// What the check of one image found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// A signature by `key` (its file) over `digest` verified.
    Verified { digest: String, key: String },
    /// No signature by any of the keys verified: why, in one line.
    Unverified { why: String },
    /// The signatures could not be read (the registry down, refused): the
    /// policy's `failure` decides.
    Unreadable { why: String },
}

type Entry = (Signed, Instant);

/// Checks signatures, with a cache.
pub struct SignatureChecker {
    options: RegistryOptions,
    /// Where signatures are kept when not beside the image (cosign's
    /// `COSIGN_REPOSITORY`).
    repository: Option<String>,
    verified_ttl: Duration,
    tag_ttl: Duration,
    max: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl SignatureChecker {
    /// `insecure` lists registries (host[:port]) reached over plain HTTP;
    /// credentials come from the docker config.json, as for `plimsoll
    /// verify`.
    pub fn new(
        insecure: Vec<String>,
        repository: Option<String>,
        timeout: Duration,
        verified_ttl: Duration,
        tag_ttl: Duration,
        max: usize,
    ) -> Self {
        SignatureChecker {
            options: RegistryOptions {
                insecure,
                timeout: Some(timeout),
                docker_config: None,
            },
            repository,
            verified_ttl,
            tag_ttl,
            max: max.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `image` (a registry reference, by digest or tag) carries a
    /// signature by one of `keys`.
    pub async fn check(&self, image: &str, keys: &SignatureKeys) -> Signed {
        let cache_key = format!("{}\n{image}", keys.id);
        if let Some(hit) = self.cached(&cache_key) {
            return hit;
        }
        let (options, repository) = (self.options.clone(), self.repository.clone());
        let (reference, keys_owned) = (image.to_string(), keys.keys.clone());
        let answer = tokio::task::spawn_blocking(move || {
            check_blocking(&reference, repository.as_deref(), &options, &keys_owned)
        })
        .await
        .unwrap_or_else(|e| Signed::Unreadable {
            why: format!("the signature check stopped: {e}"),
        });
        let ttl = match &answer {
            Signed::Verified { .. } if has_digest(image) => self.verified_ttl,
            Signed::Verified { .. } => self.tag_ttl.min(self.verified_ttl),
            _ => RETRY_AFTER.min(self.verified_ttl),
        };
        self.put(cache_key, answer.clone(), ttl);
        answer
    }

    fn cached(&self, key: &str) -> Option<Signed> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (answer, until) = entries.get(key)?;
        (*until > Instant::now()).then(|| answer.clone())
    }

    fn put(&self, key: String, answer: Signed, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.max && !entries.contains_key(&key) {
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(key, (answer, now + ttl));
    }
}

fn has_digest(image: &str) -> bool {
    plimsoll_oci::NameRef::parse(image).digest.is_some()
}

/// One image checked against every key, as `plimsoll verify` checks it.
fn check_blocking(
    image: &str,
    repository: Option<&str>,
    options: &RegistryOptions,
    keys: &[(String, PublicKeyPem)],
) -> Signed {
    let unreadable = |e: SignError| match e {
        SignError::Registry { .. } => Signed::Unreadable { why: e.to_string() },
        other => Signed::Unverified {
            why: other.to_string(),
        },
    };
    let target = match Target::open(&format!("registry:{image}"), repository, options) {
        Ok(t) => t,
        Err(e) => return unreadable(e),
    };
    let mut first_failure = None;
    for (file, key) in keys {
        match plimsoll_sign::verify(&target, key, &BTreeMap::new()) {
            Ok(v) if v.ok() => {
                return Signed::Verified {
                    digest: v.digest,
                    key: file.clone(),
                };
            }
            Ok(v) => {
                first_failure.get_or_insert_with(|| v.failure().unwrap_or_default());
            }
            Err(e) => return unreadable(e),
        }
    }
    let why = first_failure.unwrap_or_else(|| "no signature key is configured".into());
    Signed::Unverified {
        why: if keys.len() > 1 {
            format!("{why}; none verified with the other configured keys either")
        } else {
            why
        },
    }
}

/// The key files of `[admission] signature_keys`, relative to `base` (the
/// directory of the configuration file) unless absolute.
pub fn key_paths(base: Option<&Path>, files: &[PathBuf]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|f| match base {
            Some(b) if f.is_relative() => b.join(f),
            _ => f.clone(),
        })
        .collect()
}
