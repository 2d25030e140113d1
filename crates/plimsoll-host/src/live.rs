//! The live daemon: `GET /info` and `GET /version` over its Unix socket, or
//! over TCP (`tcp://HOST:PORT`), with TLS when the daemon requires it
//! (`--tlsverify`: the server's certificate checked against the CA, the
//! client's certificate presented), as the `docker` CLI connects.
//!
//! A minimal HTTP/1.1 client on std's sockets (and rustls' `StreamOwned`
//! for TLS) rather than hyper: two GET requests with `Connection: close`, a
//! status line, headers, and a body either `Content-Length`-delimited,
//! chunked, or to end of stream. That is all the Engine API needs here and
//! it keeps the host audit synchronous (no runtime). Connecting, reading and
//! writing time out after 5 seconds; a body over 16 MiB is refused.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::Value;

use crate::HostError;

const TIMEOUT: Duration = Duration::from_secs(5);
const MAX_RESPONSE: u64 = 16 << 20;

/// What the running daemon says about itself.
#[derive(Debug, Clone)]
pub struct Live {
    /// The URL asked, e.g. `unix:///var/run/docker.sock`.
    pub url: String,
    /// `GET /info`.
    pub info: Value,
    /// `GET /version`.
    pub version: Value,
}

impl Live {
    /// A string field of `/info`.
    pub fn info_str(&self, key: &str) -> Option<&str> {
        self.info.get(key)?.as_str()
    }

    /// A boolean field of `/info`.
    pub fn info_bool(&self, key: &str) -> Option<bool> {
        self.info.get(key)?.as_bool()
    }

    /// `SecurityOptions` of `/info` (`name=seccomp,profile=default`, or the
    /// old bare `seccomp`).
    pub fn security_options(&self) -> Vec<&str> {
        self.info
            .get("SecurityOptions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

/// The client side of a daemon's TLS (`dockerd --tlsverify`): the CA that
/// signed the daemon's certificate and, when the daemon verifies clients,
/// the client's certificate and key. The files the `docker` CLI reads from
/// `DOCKER_CERT_PATH` (`ca.pem`, `cert.pem`, `key.pem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    /// The client certificate and its key (both or neither).
    pub client: Option<(PathBuf, PathBuf)>,
}

impl TlsFiles {
    /// `DIR/ca.pem`, and `DIR/cert.pem` + `DIR/key.pem` when both exist.
    pub fn in_dir(dir: &Path) -> TlsFiles {
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        TlsFiles {
            ca: dir.join("ca.pem"),
            client: (cert.exists() && key.exists()).then_some((cert, key)),
        }
    }

    /// The TLS files the `docker` CLI would use: `None` unless TLS is asked
    /// for (`verify`, a CA given, or `DOCKER_TLS_VERIFY` set to anything
    /// non-empty); the CA and client pair given, else `ca.pem`, `cert.pem`,
    /// `key.pem` in `DOCKER_CERT_PATH` (else `~/.docker`).
    pub fn docker_cli(
        verify: bool,
        ca: Option<&Path>,
        client: Option<(&Path, &Path)>,
    ) -> Option<TlsFiles> {
        let env_verify = std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty());
        if !(verify || env_verify || ca.is_some()) {
            return None;
        }
        let dir = std::env::var_os("DOCKER_CERT_PATH")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
            .unwrap_or_else(|| PathBuf::from(".docker"));
        let mut files = TlsFiles::in_dir(&dir);
        if let Some(ca) = ca {
            files.ca = ca.to_path_buf();
        }
        if let Some((cert, key)) = client {
            files.client = Some((cert.to_path_buf(), key.to_path_buf()));
        }
        Some(files)
    }

    /// The rustls client configuration: only the CA is trusted (not the
    /// system's roots), the client certificate presented when one is given.
    /// Errors name the file and what is wrong with it.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, HostError> {
        let bad = |path: &Path, message: String| HostError::Tls {
            path: path.display().to_string(),
            message,
        };
        let mut roots = rustls::RootCertStore::empty();
        let cas = read_certs(&self.ca).map_err(|m| bad(&self.ca, m))?;
        for c in cas {
            roots
                .add(c)
                .map_err(|e| bad(&self.ca, format!("not a usable CA certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(&self.ca, e.to_string()))?
            .with_root_certificates(roots);
        let config = match &self.client {
            None => builder.with_no_client_auth(),
            Some((cert, key)) => {
                let chain = read_certs(cert).map_err(|m| bad(cert, m))?;
                let key_der = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| bad(key, format!("no PEM private key could be read: {e}")))?;
                builder.with_client_auth_cert(chain, key_der).map_err(|e| {
                    bad(cert, format!("certificate and key do not go together: {e}"))
                })?
            }
        };
        Ok(Arc::new(config))
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read PEM certificates: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM certificate in the file".into());
    }
    Ok(certs)
}

/// Where a daemon listens.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// A Unix socket: where its path really is (e.g. under the audited root).
    Unix(PathBuf),
    /// `tcp://HOST:PORT`, with TLS when a configuration is given.
    Tcp {
        host: String,
        port: u16,
        tls: Option<Arc<rustls::ClientConfig>>,
    },
}

impl Endpoint {
    /// The endpoint of a `tcp://HOST[:PORT]` URL (port 2376 with TLS, 2375
    /// without, as the `docker` CLI defaults).
    pub fn tcp(url: &str, tls: Option<Arc<rustls::ClientConfig>>) -> Result<Endpoint, HostError> {
        let err = |message: &str| HostError::Daemon {
            url: url.to_string(),
            message: message.to_string(),
        };
        let rest = url
            .strip_prefix("tcp://")
            .ok_or_else(|| err("not a tcp:// URL"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') || h.starts_with('[') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| err("the port is not a number from 1 to 65535"))?,
            ),
            _ => (rest, if tls.is_some() { 2376 } else { 2375 }),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(err("no host name"));
        }
        Ok(Endpoint::Tcp {
            host: host.to_string(),
            port,
            tls,
        })
    }
}

/// Asks the daemon at `url` (as the user named it, for messages) reached at
/// `endpoint` for `/info` and `/version`.
pub fn query(url: &str, endpoint: &Endpoint) -> Result<Live, HostError> {
    let err = |message: String| HostError::Daemon {
        url: url.to_string(),
        message,
    };
    let info = get(endpoint, "/info").map_err(&err)?;
    let version = get(endpoint, "/version").map_err(&err)?;
    Ok(Live {
        url: url.to_string(),
        info,
        version,
    })
}

/// One `GET` over a fresh connection, the body parsed as JSON.
pub fn get(endpoint: &Endpoint, path: &str) -> Result<Value, String> {
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: plimsoll/{}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let raw = match endpoint {
        Endpoint::Unix(socket) => {
            let s = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
            s.set_read_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            s.set_write_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            exchange(s, &req)
        }
        Endpoint::Tcp { host, port, tls } => {
            let addr = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| format!("cannot resolve {host}: {e}"))?
                .next()
                .ok_or_else(|| format!("{host} has no address"))?;
            let s = TcpStream::connect_timeout(&addr, TIMEOUT)
                .map_err(|e| format!("connect to {addr}: {e}"))?;
            s.set_read_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            s.set_write_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            match tls {
                None => exchange(s, &req),
                Some(config) => {
                    let name = ServerName::try_from(host.clone())
                        .map_err(|e| format!("{host} is not a TLS server name: {e}"))?;
                    let conn = rustls::ClientConnection::new(config.clone(), name)
                        .map_err(|e| format!("TLS: {e}"))?;
                    exchange(rustls::StreamOwned::new(conn, s), &req)
                        .map_err(|e| format!("TLS: {e}"))
                }
            }
        }
    }
    .map_err(|e| format!("GET {path}: {e}"))?;
    let body = parse_response(&raw).map_err(|e| format!("GET {path}: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("GET {path}: body is not JSON: {e}"))
}

/// Sends the request, reads the whole response (at most 16 MiB). A TLS peer
/// that closes without `close_notify` after a complete response is taken as
/// done: the response's own framing says whether it is whole.
fn exchange(mut s: impl Read + Write, req: &str) -> Result<Vec<u8>, String> {
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    s.flush().map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    match s.take(MAX_RESPONSE + 1).read_to_end(&mut raw) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e.to_string()),
    }
    if raw.len() as u64 > MAX_RESPONSE {
        return Err("response over 16 MiB".into());
    }
    Ok(raw)
}

/// The body of a 200 response.
fn parse_response(raw: &[u8]) -> Result<Vec<u8>, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let body = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if !status.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(format!("not an HTTP response: {status:?}"));
    }
    if code != "200" {
        let text = String::from_utf8_lossy(body);
        return Err(format!("{status}: {}", text.trim()));
    }
    let mut chunked = false;
    let mut length = None;
    for l in lines {
        let Some((k, v)) = l.split_once(':') else {
            continue;
        };
        let v = v.trim();
        if k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked") {
            chunked = true;
        } else if k.eq_ignore_ascii_case("content-length") {
            length = Some(
                v.parse::<usize>()
                    .map_err(|_| format!("bad Content-Length {v:?}"))?,
            );
        }
    }
    if chunked {
        return dechunk(body);
    }
    match length {
        Some(n) if n <= body.len() => Ok(body[..n].to_vec()),
        Some(n) => Err(format!("body ended after {} of {n} bytes", body.len())),
        None => Ok(body.to_vec()),
    }
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = String::from_utf8_lossy(&body[..eol]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        body = &body[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_and_chunked_bodies() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}xx";
        assert_eq!(parse_response(r).unwrap(), b"{}");
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(parse_response(r).unwrap(), b"{\"a\":1}");
        let r = b"HTTP/1.1 500 Internal Server Error\r\n\r\n{\"message\":\"boom\"}";
        assert!(parse_response(r).unwrap_err().contains("boom"));
        assert!(parse_response(b"SSH-2.0\r\n\r\n").is_err());
    }
}
