//! Rebuild triggers (P-E3): when a result gains a finding at or above the
//! gate (after a push or a rescan), every `[[serve.webhook]]` URL receives a
//! JSON event. The event is queued in the transaction that stores the result
//! and delivered at least once by whichever process leases it, retried with
//! backoff, and every attempt is recorded (`GET /v1/images/{digest}/deliveries`).
//!
//! Each request carries:
//!
//! | header | value |
//! |---|---|
//! | `Content-Type` | `application/json` |
//! | `X-Plimsoll-Event` | `gate.gained` |
//! | `X-Plimsoll-Delivery` | the delivery id (the same on every retry: receivers dedupe on it) |
//! | `X-Plimsoll-Signature-256` | `sha256=<hex HMAC-SHA256 of the body under the webhook's secret>` (with a secret) |
//!
//! A 2xx answer is delivered; anything else, or no answer within 10 s, is
//! retried after the backoff (doubled each time, at most an hour) up to
//! [`DELIVERY_ATTEMPTS`] attempts.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use plimsoll_store::{Delivery, Store, now_ms};
use sha2::Sha256;
use tokio::sync::watch;

use crate::log;
use crate::metrics::Metrics;
use crate::worker::WorkerOptions;

/// The event a result that gained gate findings sends.
pub const EVENT_GATE_GAINED: &str = "gate.gained";

/// Attempts before a delivery is given up (and recorded as failed).
pub const DELIVERY_ATTEMPTS: i64 = 12;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// A URL that receives events, and the secret that signs them.
#[derive(Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: Option<WebhookSecret>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &plimsoll_store::redact_url(&self.url))
            .field("secret", &self.secret)
            .finish()
    }
}

/// The HMAC key of a webhook. `Debug` does not show it.
#[derive(Clone)]
pub struct WebhookSecret(Arc<[u8]>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// A webhook could not be configured.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook URL {0:?}: expected http:// or https:// and a host")]
    Url(String),
    #[error("webhook secret file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("webhook secret file {0}: the secret is empty")]
    Empty(String),
}

impl WebhookSecret {
    /// The secret in `path`, surrounding whitespace removed.
    pub fn read_file(path: &std::path::Path) -> Result<WebhookSecret, WebhookError> {
        let text = std::fs::read_to_string(path).map_err(|source| WebhookError::File {
            path: path.display().to_string(),
            source,
        })?;
        let t = text.trim();
        if t.is_empty() {
            return Err(WebhookError::Empty(path.display().to_string()));
        }
        Ok(WebhookSecret(Arc::from(t.as_bytes())))
    }

    /// A secret from its text (tests).
    pub fn new(text: &str) -> WebhookSecret {
        WebhookSecret(Arc::from(text.as_bytes()))
    }

    /// `sha256=<hex>`: HMAC-SHA256 of `body` under the secret.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }
}

impl Webhook {
    /// A webhook after checking its URL.
    pub fn new(url: &str, secret: Option<WebhookSecret>) -> Result<Webhook, WebhookError> {
        let ok = ["http://", "https://"].iter().any(|scheme| {
            url.strip_prefix(scheme)
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        });
        if !ok {
            return Err(WebhookError::Url(plimsoll_store::redact_url(url)));
        }
        Ok(Webhook {
            url: url.to_string(),
            secret,
        })
    }
}

/// Sends due deliveries until `shutdown`; one sender per process is enough
/// (several, on PostgreSQL, share the work by their leases).
pub async fn run_sender(
    name: String,
    store: Store,
    options: WorkerOptions,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            log(&format!(
                "webhooks disabled: cannot build the HTTP client: {e}"
            ));
            return;
        }
    };
    // Long enough for one request and its timeout.
    let lease = Duration::from_secs(60);
    loop {
        if *shutdown.borrow() {
            return;
        }
        match store.claim_delivery(&name, lease).await {
            Ok(Some(d)) => send(&name, &store, &client, &options, &metrics, d).await,
            Ok(None) => {
                tokio::select! {
                    _ = tokio::time::sleep(options.poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                log(&format!(
                    "webhook sender {name}: cannot claim a delivery: {e}"
                ));
                tokio::time::sleep(options.poll * 2).await;
            }
        }
    }
}

async fn send(
    name: &str,
    store: &Store,
    client: &reqwest::Client,
    options: &WorkerOptions,
    metrics: &Metrics,
    d: Delivery,
) {
    let shown = plimsoll_store::redact_url(&d.url);
    // The secret is looked up by URL in this process's configuration; a
    // URL no longer configured is still delivered, unsigned.
    let hook = options.webhooks.iter().find(|w| w.url == d.url);
    let mut request = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("x-plimsoll-event", &d.event)
        .header("x-plimsoll-delivery", &d.id)
        .body(d.body.clone());
    if let Some(secret) = hook.and_then(|h| h.secret.as_ref()) {
        request = request.header("x-plimsoll-signature-256", secret.sign(d.body.as_bytes()));
    }
    let (status, error) = match request.send().await {
        Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
        Ok(r) => (
            Some(r.status().as_u16()),
            Some(format!("{shown} answered HTTP {}", r.status())),
        ),
        Err(e) => (
            None,
            Some(format!("{shown}: {}", crate::client::describe(&e))),
        ),
    };
    let retry_at = error.as_ref().and_then(|_| {
        (d.attempts < DELIVERY_ATTEMPTS).then(|| {
            let factor = 1u32 << (d.attempts.clamp(1, 20) - 1).min(16);
            now_ms()
                + (options.retry_backoff * factor)
                    .min(MAX_BACKOFF)
                    .as_millis() as i64
        })
    });
    match &error {
        None => Metrics::add(&metrics.webhooks_delivered, 1),
        Some(e) => {
            Metrics::add(&metrics.webhook_errors, 1);
            log(&format!(
                "webhook delivery {} (attempt {} of {DELIVERY_ATTEMPTS}) failed: {e}{}",
                d.id,
                d.attempts,
                if retry_at.is_some() {
                    "; retrying"
                } else {
                    "; given up"
                }
            ));
        }
    }
    if let Err(e) = store
        .delivery_attempted(&d.id, name, status, error.as_deref(), retry_at)
        .await
    {
        log(&format!(
            "webhook sender {name}: cannot record delivery {}: {e}",
            d.id
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        let s = WebhookSecret::new("Jefe");
        assert_eq!(
            s.sign(b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(format!("{s:?}"), "WebhookSecret(***)");
    }

    #[test]
    fn urls_are_checked_and_shown_without_passwords() {
        assert!(Webhook::new("ftp://x/", None).is_err());
        assert!(Webhook::new("https:///path", None).is_err());
        let e = Webhook::new("gopher://u:pw@h/", None)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("pw"), "{e}");
        let w = Webhook::new(
            "https://u:pw@ci.internal/hook",
            Some(WebhookSecret::new("k")),
        )
        .unwrap();
        let shown = format!("{w:?}");
        assert!(!shown.contains("pw") && !shown.contains("\"k\""), "{shown}");
    }
}
