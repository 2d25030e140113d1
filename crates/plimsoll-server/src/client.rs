//! `plimsoll scan REF --server URL`: the scan API from the other side.
//! Submits the reference (`POST /v1/scans`), waits for the job, and fetches
//! the report in the format asked for: the one the server rendered when it
//! scanned, with the same library calls as a local `plimsoll scan`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A remote scan went wrong; each says which request and what the server
/// said (never the token).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("server URL {0:?}: expected http://HOST[:PORT] or https://HOST[:PORT]")]
    Url(String),
    #[error("CA certificate {path}: {why}")]
    Ca { path: String, why: String },
    #[error("{what}: cannot reach the server: {why}")]
    Unreachable { what: String, why: String },
    #[error("{what}: the server answered HTTP {status}: {message}")]
    Refused {
        what: String,
        status: u16,
        message: String,
    },
    #[error("{what}: unexpected answer: {why}")]
    Protocol { what: String, why: String },
    #[error("the scan of {reference} failed on the server: {error}")]
    ScanFailed { reference: String, error: String },
    #[error(
        "the scan of {reference} did not finish within {secs} s (job {id}, {state}); see {base}/v1/scans/{id}"
    )]
    Timeout {
        reference: String,
        secs: u64,
        id: String,
        state: String,
        base: String,
    },
}

/// The report formats a server keeps (`scan --format`).
pub const FORMATS: &[&str] = &["table", "json", "sarif", "cyclonedx", "spdx"];

/// A connection to a plimsoll server.
pub struct Client {
    base: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

/// What a remote scan gave.
#[derive(Debug, Clone)]
pub struct RemoteReport {
    pub digest: String,
    /// `passed` or `failed` (the server's gate).
    pub verdict: String,
    /// The report in the format asked for.
    pub text: String,
}

impl Client {
    /// A client for `base` (`http(s)://host[:port]`), sending `token` as a
    /// bearer token, trusting `ca` (PEM) besides the system's roots.
    pub fn new(
        base: &str,
        token: Option<String>,
        ca: Option<&std::path::Path>,
    ) -> Result<Client, ClientError> {
        let base = base.trim_end_matches('/').to_string();
        let ok = ["http://", "https://"].iter().any(|s| {
            base.strip_prefix(s)
                .is_some_and(|r| !r.is_empty() && !r.contains('/'))
        });
        if !ok {
            return Err(ClientError::Url(base));
        }
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca {
            let ca_error = |why: String| ClientError::Ca {
                path: path.display().to_string(),
                why,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| ClientError::Unreachable {
            what: base.clone(),
            why: e.to_string(),
        })?;
        Ok(Client { base, token, http })
    }

    fn send(
        &self,
        what: &str,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<(u16, String), ClientError> {
        let request = match &self.token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        let response = request.send().map_err(|e| ClientError::Unreachable {
            what: what.to_string(),
            why: describe(&e),
        })?;
        let status = response.status().as_u16();
        let body = response.text().map_err(|e| ClientError::Protocol {
            what: what.to_string(),
            why: describe(&e),
        })?;
        if status >= 400 {
            let message = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| body.chars().take(300).collect());
            return Err(ClientError::Refused {
                what: what.to_string(),
                status,
                message,
            });
        }
        Ok((status, body))
    }

    /// `GET /healthz`: Ok when the server answers 2xx (the image's
    /// HEALTHCHECK, `plimsoll health`).
    pub fn health(&self) -> Result<(), ClientError> {
        let what = format!("GET {}/healthz", self.base);
        self.send(&what, self.http.get(format!("{}/healthz", self.base)))
            .map(|_| ())
    }

    fn get_json(&self, path: &str) -> Result<Value, ClientError> {
        let what = format!("GET {}{path}", self.base);
        let (_, body) = self.send(&what, self.http.get(format!("{}{path}", self.base)))?;
        serde_json::from_str(&body).map_err(|e| ClientError::Protocol {
            what,
            why: e.to_string(),
        })
    }

    /// Submits `reference`, waits up to `wait` for the result (calling
    /// `progress` with the job's state when it changes), and returns the
    /// report in `format` (one of [`FORMATS`]).
    pub fn scan(
        &self,
        reference: &str,
        format: &str,
        wait: Duration,
        mut progress: impl FnMut(&str),
    ) -> Result<RemoteReport, ClientError> {
        let what = format!("POST {}/v1/scans", self.base);
        let (_, body) = self.send(
            &what,
            self.http
                .post(format!("{}/v1/scans", self.base))
                .json(&json!({"reference": reference})),
        )?;
        let accepted: Value = serde_json::from_str(&body).map_err(|e| ClientError::Protocol {
            what: what.clone(),
            why: e.to_string(),
        })?;
        let id = accepted["id"]
            .as_str()
            .ok_or_else(|| ClientError::Protocol {
                what,
                why: format!("no job id in {body}"),
            })?
            .to_string();
        let started = Instant::now();
        let mut shown = String::new();
        let job = loop {
            let job = self.get_json(&format!("/v1/scans/{id}"))?;
            let state = job["state"].as_str().unwrap_or("").to_string();
            if state != shown {
                progress(&state);
                shown = state.clone();
            }
            match state.as_str() {
                "done" => break job,
                "failed" => {
                    return Err(ClientError::ScanFailed {
                        reference: reference.to_string(),
                        error: job["error"].as_str().unwrap_or("no reason given").into(),
                    });
                }
                _ if started.elapsed() > wait => {
                    return Err(ClientError::Timeout {
                        reference: reference.to_string(),
                        secs: wait.as_secs(),
                        id,
                        state,
                        base: self.base.clone(),
                    });
                }
                _ => std::thread::sleep(Duration::from_millis(250)),
            }
        };
        let digest = job["digest"]
            .as_str()
            .ok_or_else(|| ClientError::Protocol {
                what: format!("GET {}/v1/scans/{id}", self.base),
                why: "a finished job without a digest".into(),
            })?
            .to_string();
        let verdict = self.get_json(&format!("/v1/verdict/{digest}"))?["verdict"]
            .as_str()
            .unwrap_or("error")
            .to_string();
        let path = format!("/v1/images/{digest}/report?format={format}");
        let what = format!("GET {}{path}", self.base);
        let (_, text) = self.send(&what, self.http.get(format!("{}{path}", self.base)))?;
        Ok(RemoteReport {
            digest,
            verdict,
            text,
        })
    }
}

/// What went wrong with a request, once (see plimsoll_vuln::update::describe_http).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    plimsoll_vuln::update::describe_http(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        for bad in ["127.0.0.1:8080", "ftp://h", "http://", "http://h/path"] {
            assert!(Client::new(bad, None, None).is_err(), "{bad}");
        }
        assert!(Client::new("http://127.0.0.1:8080/", None, None).is_ok());
        let c = Client::new("https://h:1", Some("secret-token".into()), None).unwrap();
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn an_unreachable_server_is_named() {
        let c = Client::new("http://127.0.0.1:1", Some("t".into()), None).unwrap();
        let e = c
            .scan("h/r:1", "json", Duration::from_secs(1), |_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("POST http://127.0.0.1:1/v1/scans"), "{e}");
        assert!(e.contains("cannot reach"), "{e}");
    }
}
