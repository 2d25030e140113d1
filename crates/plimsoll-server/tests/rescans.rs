//! Rescans and rebuild events, in-process over real HTTP on loopback with
//! a SQLite store: a database replaced under a running server re-matches the
//! stored SBOM without reading the image (it is deleted first), the result
//! that gains a vulnerability sends a signed webhook event that is retried
//! until the receiver takes it, `db_update_interval` downloads a newer
//! database from a loopback OSV mirror, and `rescan_interval` reads images
//! again.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use plimsoll_scan::VulnGate;
use plimsoll_server::{OpenGate, ScanContext, SweepOptions, Webhook, WebhookSecret};
use plimsoll_store::{ImageFilter, ImageRow, JobSource, NewJob, Store};
use plimsoll_testkit::http::get;
use plimsoll_testkit::*;
use plimsoll_vuln::matcher::VulnSeverity;
use serde_json::{Value, json};

mod common;

const SECRET: &str = "webhook-secret-for-the-test";

/// Builds the advisory database at `path` from `records`.
fn build_db(root: &Path, path: &Path, records: &[Value]) {
    let dir = root.join(format!("osv-{}", records.len()));
    std::fs::create_dir_all(&dir).unwrap();
    for r in records {
        let id = r["id"].as_str().unwrap();
        std::fs::write(dir.join(format!("{id}.json")), r.to_string()).unwrap();
    }
    let imported = plimsoll_vuln::import::import(&[dir]).unwrap();
    plimsoll_vuln::db::build(imported, path).unwrap();
}

/// An advisory about a package the image does not have.
fn unrelated() -> Value {
    osv::record(
        "DSA-0001-1",
        &["CVE-2000-0001"],
        json!([osv::fixed_in("Debian:12", "not-installed", "1.0")]),
        json!({}),
    )
}

fn context(db: PathBuf) -> ScanContext {
    let open: OpenGate = Box::new(move || {
        VulnGate::open(&db, vec![], &[], VulnSeverity::High, false).map_err(|e| e.to_string())
    });
    ScanContext::reopening(common::scanner(), common::judge(), open).unwrap()
}

struct Served {
    rt: tokio::runtime::Runtime,
    store: Store,
    running: Option<plimsoll_server::Running>,
}

impl Served {
    fn start(root: &Path, db: PathBuf, sweep: SweepOptions, webhooks: Vec<Webhook>) -> Served {
        let options = common::options(|o| {
            o.worker.retry_backoff = Duration::from_millis(100);
            o.worker.webhooks = webhooks;
            o.sweep = sweep;
        });
        let (rt, store, running) = common::serve(root, context(db), options);
        Served {
            rt,
            store,
            running: Some(running),
        }
    }

    /// Queues a scan of the layout at `img` and waits for its result.
    fn scan_first(&self, img: &Path) -> ImageRow {
        self.rt
            .block_on(self.store.enqueue(&NewJob {
                reference: format!("oci:{}:1.0", img.display()),
                digest: None,
                source: JobSource::Api,
                insecure: false,
            }))
            .unwrap();
        wait_for("the first scan", || {
            self.images().into_iter().find(|i| i.status == "scanned")
        })
    }

    fn addr(&self) -> String {
        self.running.as_ref().unwrap().addr.to_string()
    }

    fn images(&self) -> Vec<ImageRow> {
        self.rt
            .block_on(self.store.images(&ImageFilter::default()))
            .unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            self.rt.block_on(r.stop());
        }
    }
}

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook receiver on loopback answering 500 to its first request and
/// 204 after, recording every request.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/rebuild", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                let (k, v) = l.split_once(':').unwrap();
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let first = {
                let mut seen = record.lock().unwrap();
                seen.push(Received { headers, body });
                seen.len() == 1
            };
            let status = if first {
                "500 Internal Server Error"
            } else {
                "204 No Content"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, seen)
}

fn hmac_hex(body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn a_database_update_rematches_the_stored_sbom_and_signals_the_gained_vulnerability() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let img = root.join("img");
    Layout::new(&img).add(&debian_glibc_image("2.36-9+deb12u1", Some("app")), "1.0");
    let db = root.join("vuln.db");
    build_db(root, &db, &[unrelated()]);
    let (hook, received) = receiver();
    let served = Served::start(
        root,
        db.clone(),
        // No periodic sweep within the test: the database change itself
        // must start the re-match.
        SweepOptions {
            every: Duration::from_secs(600),
            ..SweepOptions::default()
        },
        vec![Webhook::new(&hook, Some(WebhookSecret::new(SECRET))).unwrap()],
    );
    let a = served.addr();
    let first = served.scan_first(&img);
    assert_eq!(
        first.counts.high, 0,
        "the first database knows nothing of glibc"
    );
    let digest = first.digest.clone();
    let before = served
        .rt
        .block_on(served.store.deliveries(&digest))
        .unwrap();

    // The image is gone: a re-match can only use what the scan stored.
    std::fs::remove_dir_all(&img).unwrap();
    // A database built in a later second (built times are in seconds).
    std::thread::sleep(Duration::from_millis(1100));
    build_db(root, &db, &[unrelated(), osv::glibc_dsa_5514()]);

    let rematched = wait_for("the re-match", || {
        served
            .images()
            .into_iter()
            .find(|i| i.counts.high > 0 && i.status == "scanned")
    });
    assert_eq!(rematched.digest, digest);
    assert_eq!(rematched.verdict.as_deref(), Some("failed"));
    assert_ne!(rematched.database_built, first.database_built);
    assert!(rematched.error.is_none(), "{:?}", rematched.error);
    let report = get(&a, &format!("/v1/images/{digest}"), None).json();
    let vulns = report["report"]["vulnerabilities"]["findings"].to_string();
    assert!(vulns.contains("CVE-2023-4911"), "{vulns}");
    let sbom = get(&a, &format!("/v1/images/{digest}/sbom"), None).body;
    assert!(
        sbom.contains("CVE-2023-4911"),
        "the stored documents follow the re-match"
    );
    let metrics = get(&a, "/metrics", None).body;
    assert!(metrics.contains("plimsoll_rematches_total 1"), "{metrics}");

    // The event: one delivery for the gained vulnerability, refused once
    // (500), retried with the same id and signature, then delivered.
    let delivered = wait_for("the webhook delivery", || {
        let all = served
            .rt
            .block_on(served.store.deliveries(&digest))
            .unwrap();
        all.into_iter()
            .skip(before.len())
            .find(|d| d.state == "delivered")
    });
    assert_eq!(delivered.attempts, 2);
    assert_eq!(delivered.last_status, Some(204));
    let body: Value = serde_json::from_str(&delivered.body).unwrap();
    assert_eq!(body["event"], "gate.gained");
    assert_eq!(body["digest"], digest.as_str());
    assert_eq!(body["gained"], json!(["CVE-2023-4911 libc6"]));
    assert_eq!(body["cause"], "database update");
    let got: Vec<Received> = received
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.header("x-plimsoll-delivery") == Some(delivered.id.as_str()))
        .cloned()
        .collect();
    assert_eq!(got.len(), 2, "refused once, then taken");
    for r in &got {
        assert_eq!(r.body, delivered.body.as_bytes());
        assert_eq!(r.header("x-plimsoll-event"), Some("gate.gained"));
        assert_eq!(
            r.header("x-plimsoll-signature-256"),
            Some(hmac_hex(&r.body).as_str())
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let listed = get(&a, &format!("/v1/images/{digest}/deliveries"), None).json();
    assert!(
        listed["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == delivered.id.as_str() && d["state"] == "delivered")
    );
    let metrics = get(&a, "/metrics", None).body;
    assert!(
        metrics.contains("plimsoll_webhook_errors_total 1"),
        "{metrics}"
    );
    // The secret never reaches what the server shows.
    for path in ["/metrics", &format!("/v1/images/{digest}/deliveries")] {
        assert!(!get(&a, path, None).body.contains(SECRET));
    }
}

#[test]
fn rescan_interval_reads_the_image_again() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let img = root.join("img");
    Layout::new(&img).add(&debian_glibc_image("2.36-9+deb12u1", Some("app")), "1.0");
    let db = root.join("vuln.db");
    build_db(root, &db, &[osv::glibc_dsa_5514()]);
    let served = Served::start(
        root,
        db,
        SweepOptions {
            every: Duration::from_millis(100),
            rescan_interval: Some(Duration::from_millis(300)),
            db_update: None,
        },
        vec![],
    );
    let first = served.scan_first(&img);
    let again = wait_for("a scheduled rescan", || {
        served
            .images()
            .into_iter()
            .find(|i| i.scanned_at > first.scanned_at)
    });
    assert_eq!(again.digest, first.digest);
    assert_eq!(
        again.counts, first.counts,
        "the same image, the same result"
    );
    let metrics = get(&served.addr(), "/metrics", None).body;
    assert!(
        !metrics.contains("plimsoll_rescans_queued_total 0"),
        "{metrics}"
    );
}

#[test]
fn db_update_interval_downloads_a_newer_database_and_rematches() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let img = root.join("img");
    Layout::new(&img).add(&debian_glibc_image("2.36-9+deb12u1", Some("app")), "1.0");
    let db = root.join("vuln.db");
    build_db(root, &db, &[unrelated()]);
    // An OSV mirror (the data export's layout) that has the glibc advisory.
    let mirror = plimsoll_testkit::fileserver::Server::start();
    let dsa = osv::glibc_dsa_5514().to_string();
    mirror.put(
        "/Debian/all.zip",
        osv::zip_of(&[("DSA-5514-1.json", dsa.as_bytes())]),
        Some("\"v1\""),
    );
    let update = plimsoll_server::DbUpdate {
        every: Duration::from_secs(3600),
        path: db.clone(),
        options: plimsoll_vuln::update::UpdateOptions {
            base_url: mirror.url(),
            ecosystems: vec!["Debian".into()],
            archive_dir: root.join("osv-archives"),
            timeout: Duration::from_secs(10),
            max_archive_bytes: plimsoll_vuln::update::DEFAULT_MAX_ARCHIVE_BYTES,
            extra: Vec::new(),
            extra_urls: Vec::new(),
            progress: None,
        },
    };
    // The first scan is made with the old database before the server (and
    // its updater) starts: a store shared by two servers in turn.
    let first = {
        let served = Served::start(root, db.clone(), SweepOptions::default(), vec![]);
        served.scan_first(&img)
    };
    assert_eq!(first.counts.high, 0);
    std::thread::sleep(Duration::from_millis(1100));
    let served = Served::start(
        root,
        db.clone(),
        SweepOptions {
            every: Duration::from_secs(600),
            rescan_interval: None,
            db_update: Some(update),
        },
        vec![],
    );
    let rematched = wait_for("the update and the re-match", || {
        served.images().into_iter().find(|i| i.counts.high == 1)
    });
    assert_eq!(rematched.digest, first.digest);
    assert!(
        mirror
            .take_log()
            .iter()
            .any(|s| s.path == "/Debian/all.zip" && s.status == 200),
        "downloaded from the mirror"
    );
    let metrics = get(&served.addr(), "/metrics", None).body;
    assert!(metrics.contains("plimsoll_rematches_total 1"), "{metrics}");
}
