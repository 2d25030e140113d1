//! Where an image's scan verdict comes from, and the cache in front of it.
//!
//! Verdicts are keyed by digest (P-D1): `plimsoll serve`'s
//! `GET /v1/verdict/{digest}` ([`ServerVerdicts`]) or its store read
//! directly ([`StoreVerdicts`]), the same [`plimsoll_store::Store::verdict`]
//! behind both. [`Cache`] keeps answers per digest, passed and failed ones
//! for `verdict_ttl`, the others (not scanned, pending, a failed scan) for
//! the shorter `unknown_ttl`, at most `entries` of them, so a burst of pods
//! of one image costs one lookup.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use plimsoll_store::{Store, Verdict};

/// A verdict could not be had.
#[derive(Debug, thiserror::Error)]
pub enum VerdictError {
    #[error("verdict server {url}: {why}")]
    Server { url: String, why: String },
    #[error("verdict store: {0}")]
    Store(#[from] plimsoll_store::StoreError),
    #[error("its tag could not be resolved to a digest: {0}")]
    Tag(String),
}

/// A source of verdicts.
pub enum Verdicts {
    Server(ServerVerdicts),
    Store(StoreVerdicts),
    /// No source configured (`require_scan` off).
    None,
}

impl Verdicts {
    /// The verdict for `digest` (uncached).
    pub async fn get(&self, digest: &str) -> Result<Verdict, VerdictError> {
        match self {
            Verdicts::Server(s) => s.get(digest).await,
            Verdicts::Store(s) => Ok(s.store.verdict(digest).await?),
            Verdicts::None => Ok(Verdict {
                digest: digest.to_string(),
                verdict: "not_scanned".into(),
                scanned_at: None,
                counts: None,
                error: None,
                user: None,
                findings: Vec::new(),
            }),
        }
    }
}

/// `plimsoll serve`'s verdict endpoint.
pub struct ServerVerdicts {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl ServerVerdicts {
    /// `base` is the server's URL; `token` its API token when its read API
    /// requires one; `ca` extra PEM roots to trust (a private CA).
    pub fn new(base: &str, token: Option<String>, ca: Option<&[u8]>) -> Result<Self, VerdictError> {
        let err = |why: String| VerdictError::Server {
            url: base.to_string(),
            why,
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut b = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2));
        if let Some(pem) = ca {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| err(e.to_string()))?;
            b = b.add_root_certificate(cert);
        }
        Ok(ServerVerdicts {
            base: base.trim_end_matches('/').to_string(),
            token,
            http: b.build().map_err(|e| err(e.to_string()))?,
        })
    }

    async fn get(&self, digest: &str) -> Result<Verdict, VerdictError> {
        let url = format!("{}/v1/verdict/{digest}", self.base);
        let err = |why: String| VerdictError::Server {
            url: self.base.clone(),
            why,
        };
        let mut req = self.http.get(&url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| err(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(err(format!("GET /v1/verdict/{digest}: HTTP {status}")));
        }
        resp.json::<Verdict>()
            .await
            .map_err(|e| err(format!("GET /v1/verdict/{digest}: {e}")))
    }
}

/// The server's store, read directly.
pub struct StoreVerdicts {
    pub store: Store,
}

/// Verdicts by digest, with expiry and a bound.
pub struct Cache {
    entries: Mutex<HashMap<String, (Verdict, Instant)>>,
    verdict_ttl: Duration,
    unknown_ttl: Duration,
    max: usize,
}

/// Whether a verdict is final for its digest (a scan result) rather than
/// a state that will change (pending, not scanned, a failed scan).
pub fn is_final(v: &Verdict) -> bool {
    matches!(v.verdict.as_str(), "passed" | "failed")
}

impl Cache {
    pub fn new(verdict_ttl: Duration, unknown_ttl: Duration, max: usize) -> Cache {
        Cache {
            entries: Mutex::new(HashMap::new()),
            verdict_ttl,
            unknown_ttl,
            max: max.max(1),
        }
    }

    /// The cached verdict of `digest`, or the source's (then cached).
    pub async fn get(&self, source: &Verdicts, digest: &str) -> Result<Verdict, VerdictError> {
        if let Some(v) = self.cached(digest) {
            return Ok(v);
        }
        let v = source.get(digest).await?;
        self.put(v.clone());
        Ok(v)
    }

    fn cached(&self, digest: &str) -> Option<Verdict> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (v, expires) = map.get(digest)?;
        (Instant::now() < *expires).then(|| v.clone())
    }

    fn put(&self, v: Verdict) {
        let ttl = if is_final(&v) {
            self.verdict_ttl
        } else {
            self.unknown_ttl
        };
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.max && !map.contains_key(&v.digest) {
            map.retain(|_, (_, expires)| *expires > now);
            if map.len() >= self.max {
                // Still full of live entries: drop the one expiring first.
                if let Some(k) = map
                    .iter()
                    .min_by_key(|(_, (_, e))| *e)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&k);
                }
            }
        }
        map.insert(v.digest.clone(), (v, now + ttl));
    }

    /// Entries held (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(digest: &str, verdict: &str) -> Verdict {
        Verdict {
            digest: digest.into(),
            verdict: verdict.into(),
            scanned_at: None,
            counts: None,
            error: None,
            user: None,
            findings: Vec::new(),
        }
    }

    #[test]
    fn final_verdicts_live_longer_and_the_cache_is_bounded() {
        let c = Cache::new(Duration::from_secs(60), Duration::ZERO, 2);
        c.put(v("a", "passed"));
        c.put(v("b", "not_scanned")); // unknown TTL 0: not kept
        assert!(c.cached("a").is_some());
        assert!(c.cached("b").is_none());
        c.put(v("c", "failed"));
        c.put(v("d", "passed"));
        assert_eq!(c.len(), 2, "bounded");
        assert!(c.cached("d").is_some());
    }
}
