//! The live daemon: `GET /info` and `GET /version` over its Unix socket.
//!
//! A minimal HTTP/1.1 client on `std::os::unix::net::UnixStream` rather than
//! hyper: two GET requests with `Connection: close`, a status line, headers,
//! and a body either `Content-Length`-delimited, chunked, or to end of
//! stream. That is all the Engine API needs here, it keeps the host audit
//! synchronous (no runtime), and it adds no dependency. Reads and writes
//! time out after 5 seconds; a body over 16 MiB is refused.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

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

/// Asks the daemon at `url` (`unix:///path`; `socket` is where that path
/// really is, e.g. under the audited root) for `/info` and `/version`.
pub fn query(url: &str, socket: &Path) -> Result<Live, HostError> {
    let err = |message: String| HostError::Daemon {
        url: url.to_string(),
        message,
    };
    if !url.starts_with("unix://") {
        return Err(err(
            "only unix:// sockets are supported (tcp:// with TLS is not implemented yet)".into(),
        ));
    }
    let info = get(socket, "/info").map_err(&err)?;
    let version = get(socket, "/version").map_err(&err)?;
    Ok(Live {
        url: url.to_string(),
        info,
        version,
    })
}

/// One `GET` over a fresh connection, the body parsed as JSON.
pub fn get(socket: &Path, path: &str) -> Result<Value, String> {
    let mut s = UnixStream::connect(socket).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: plimsoll/{}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    s.write_all(req.as_bytes())
        .map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    s.take(MAX_RESPONSE + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("GET {path}: {e}"))?;
    if raw.len() as u64 > MAX_RESPONSE {
        return Err(format!("GET {path}: response over 16 MiB"));
    }
    let body = parse_response(&raw).map_err(|e| format!("GET {path}: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("GET {path}: body is not JSON: {e}"))
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
