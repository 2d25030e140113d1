//! Real TLS on loopback: a rotated certificate is served without a
//! restart, a half-written pair keeps the previous one, a stop stops.

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use plimsoll_https::{TlsFiles, serve};

fn write_pair(dir: &Path) -> String {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    std::fs::write(dir.join("tls.key"), ck.signing_key.serialize_pem()).unwrap();
    std::fs::write(dir.join("tls.crt"), ck.cert.pem()).unwrap();
    ck.cert.pem()
}

/// GET /hello with a client that trusts only `ca_pem` (a new connection
/// each time, so the handshake shows the certificate now served).
async fn hello(addr: std::net::SocketAddr, ca_pem: &str) -> Result<String, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let resp = client
        .get(format!("https://{addr}/hello"))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    resp.text().await.map_err(|e| e.to_string())
}

fn quiet(_: &str) {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_certificate_is_served_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = write_pair(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/hello", get(|| async { "hello" }));
    let (stop, rx) = tokio::sync::watch::channel(false);
    let tls = TlsFiles {
        cert: dir.path().join("tls.crt"),
        key: dir.path().join("tls.key"),
        poll: Duration::from_millis(50),
    };
    let tasks = serve(listener, app, Some(tls), rx, quiet).await.unwrap();
    assert_eq!(hello(addr, &first).await.unwrap(), "hello");

    // A half-written pair (the key garbled): the first certificate stays.
    std::fs::write(
        dir.path().join("tls.key"),
        "-----BEGIN PRIVATE KEY-----\ngarbage\n",
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hello(addr, &first).await.unwrap(), "hello");

    let second = write_pair(dir.path());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if hello(addr, &second).await.is_ok() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the rotated certificate was not served within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let old = hello(addr, &first).await;
    assert!(old.is_err(), "the old certificate is still served: {old:?}");

    stop.send(true).unwrap();
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(15), t)
            .await
            .expect("the server stops")
            .unwrap();
    }
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening after the stop"
    );
}

#[tokio::test]
async fn a_bad_certificate_is_named_at_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), "not a certificate").unwrap();
    std::fs::write(dir.path().join("tls.key"), "not a key").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (_stop, rx) = tokio::sync::watch::channel(false);
    let tls = TlsFiles {
        cert: dir.path().join("tls.crt"),
        key: dir.path().join("tls.key"),
        poll: Duration::from_secs(1),
    };
    let err = serve(listener, Router::new(), Some(tls), rx, quiet)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("tls.crt") && err.contains("tls.key"), "{err}");
}
