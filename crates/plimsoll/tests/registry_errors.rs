//! Registry failures (401, 404, 500, a server that never answers) against a
//! small HTTP server on 127.0.0.1 started and stopped by each test: a clear
//! error naming the registry and the cause, exit 2, no panic, no hang.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plimsoll_testkit::cli::Cli;

/// Answers every request with `status` (or never, when `status` is None)
/// until dropped.
struct FakeRegistry {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl FakeRegistry {
    fn start(status: Option<(u16, &'static str)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        let mut reader = BufReader::new(stream.try_clone().unwrap());
                        let mut line = String::new();
                        while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                            line.clear();
                        }
                        match status {
                            Some((code, extra)) => {
                                let body = format!(
                                    "{{\"errors\":[{{\"code\":\"TEST\",\"message\":\"status {code}\"}}]}}"
                                );
                                let mut s = stream;
                                let _ = write!(
                                    s,
                                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                    body.len()
                                );
                            }
                            None => held.push(stream), // never answer
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FakeRegistry { port, stop }
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn audit_registry(port: u16) -> (i32, String, Duration) {
    let cache = tempfile::tempdir().unwrap();
    let host = format!("127.0.0.1:{port}");
    let start = Instant::now();
    let r = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache.path())
        .env("DOCKER_CONFIG", cache.path())
        .run(&[
            "image",
            "audit",
            &format!("registry:{host}/team/app:1.0"),
            "--insecure",
            &host,
            "--timeout",
            "2",
        ]);
    (r.code, r.stderr, start.elapsed())
}

#[test]
fn unauthorized() {
    let server = FakeRegistry::start(Some((401, "WWW-Authenticate: Basic realm=\"test\"\r\n")));
    let (code, err, _) = audit_registry(server.port);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("127.0.0.1:{}", server.port)), "{err}");
    assert!(err.contains("401") || err.contains("uthori"), "{err}");
}

#[test]
fn not_found() {
    let server = FakeRegistry::start(Some((404, "")));
    let (code, err, _) = audit_registry(server.port);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("404") || err.contains("not found"), "{err}");
}

#[test]
fn server_error() {
    let server = FakeRegistry::start(Some((500, "")));
    let (code, err, _) = audit_registry(server.port);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("500"), "{err}");
}

#[test]
fn hanging_registry_times_out() {
    let server = FakeRegistry::start(None);
    let (code, err, took) = audit_registry(server.port);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("timed out") || err.contains("timeout"),
        "{err}"
    );
    // Generous bound: the point is that it ends, not how fast.
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn nothing_listening() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (code, err, _) = audit_registry(port);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}
