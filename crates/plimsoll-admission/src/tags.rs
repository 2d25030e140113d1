//! Tags resolved to digests (P-D1), so an image named by tag still has its
//! scan looked up by digest: the registry is asked what the tag points at
//! now, with `plimsoll_oci::resolve_registry` (the function every front
//! reads registries with: the default platform's manifest digest, the key
//! `plimsoll serve` keeps results by). Answers are cached per reference for
//! a short time (`tag_ttl_secs`, a tag moves), failures for a shorter one,
//! so a burst of pods costs one request and a down registry is not hammered.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use plimsoll_oci::ResolveOptions;

/// How long a failed resolution is remembered.
const FAILURE_TTL: Duration = Duration::from_secs(5);

/// A resolution (the digest, or why not) and until when it is trusted.
type Entry = (Result<String, String>, Instant);

/// Tag → digest resolutions with their cache.
pub struct TagResolver {
    options: ResolveOptions,
    ttl: Duration,
    max: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl TagResolver {
    /// `insecure` lists registries (host[:port]) reached over plain HTTP;
    /// credentials come from the docker config.json, as for `plimsoll scan`.
    pub fn new(insecure: Vec<String>, timeout: Duration, ttl: Duration, max: usize) -> Self {
        let options = ResolveOptions {
            insecure_registries: insecure,
            timeout,
            ..ResolveOptions::default()
        };
        TagResolver {
            options,
            ttl,
            max: max.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The manifest digest `image` (a registry reference with a tag)
    /// points at now, or why it cannot be had.
    pub async fn resolve(&self, image: &str) -> Result<String, String> {
        if let Some(hit) = self.cached(image) {
            return hit;
        }
        let options = self.options.clone();
        let reference = image.to_string();
        let answer = tokio::task::spawn_blocking(move || {
            plimsoll_oci::resolve_registry(&reference, &options)
                .map(|i| i.id().to_string())
                .map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("the resolution stopped: {e}")));
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.max {
            let now = Instant::now();
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        let ttl = if answer.is_ok() {
            self.ttl
        } else {
            FAILURE_TTL.min(self.ttl)
        };
        entries.insert(image.to_string(), (answer.clone(), Instant::now() + ttl));
        answer
    }

    fn cached(&self, image: &str) -> Option<Result<String, String>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (answer, until) = entries.get(image)?;
        (*until > Instant::now()).then(|| answer.clone())
    }
}
