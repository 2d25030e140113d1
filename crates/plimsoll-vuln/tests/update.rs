//! `update::download` against a loopback HTTP server started by the test.

use std::time::Duration;

use plimsoll_testkit::fileserver::{Served, Server};
use plimsoll_testkit::osv::zip_of;
use plimsoll_vuln::update::{Outcome, UpdateError, UpdateOptions, download};

fn options(server: &Server, dir: &std::path::Path) -> UpdateOptions {
    UpdateOptions {
        base_url: format!("{}/", server.url()),
        ecosystems: Vec::new(),
        archive_dir: dir.to_path_buf(),
        timeout: Duration::from_secs(10),
        max_archive_bytes: 1 << 20,
        extra: Vec::new(),
        extra_urls: Vec::new(),
        progress: None,
    }
}

fn archive_requests(log: &[Served]) -> Vec<(String, u16)> {
    log.iter()
        .filter(|s| s.path.ends_with("all.zip"))
        .map(|s| (s.path.clone(), s.status))
        .collect()
}

#[test]
fn downloads_once_then_only_what_changed() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let list = "PyPI\nRed Hat\n\n";
    server.put("/ecosystems.txt", list, None);
    let pypi = zip_of(&[("PYSEC-1.json", r#"{"id":"PYSEC-1","modified":"m"}"#)]);
    let redhat = zip_of(&[("RHSA-1.json", r#"{"id":"RHSA-1","modified":"m"}"#)]);
    server.put("/PyPI/all.zip", pypi.clone(), Some("\"p1\""));
    server.put("/Red%20Hat/all.zip", redhat.clone(), Some("\"r1\""));
    let opts = options(&server, tmp.path());

    let first = download(&opts).unwrap();
    assert!(first.changed());
    assert_eq!(first.downloaded_bytes(), (pypi.len() + redhat.len()) as u64);
    assert_eq!(first.archives[1].ecosystem, "Red Hat");
    assert_eq!(std::fs::read(&first.archives[0].path).unwrap(), pypi);
    assert_eq!(
        archive_requests(&server.take_log()),
        [
            ("/PyPI/all.zip".to_string(), 200),
            ("/Red%20Hat/all.zip".to_string(), 200)
        ]
    );

    let second = download(&opts).unwrap();
    assert!(!second.changed());
    assert!(
        second
            .archives
            .iter()
            .all(|a| a.outcome == Outcome::Unchanged)
    );
    assert_eq!(second.archives[0].sha256, first.archives[0].sha256);
    let log = server.take_log();
    assert!(
        archive_requests(&log).iter().all(|(_, s)| *s == 304),
        "{log:?}"
    );
    assert_eq!(
        log.iter().map(|s| s.body_bytes).sum::<usize>(),
        list.len(),
        "no archive body, only ecosystems.txt"
    );

    let pypi2 = zip_of(&[
        ("PYSEC-1.json", r#"{"id":"PYSEC-1","modified":"m"}"#),
        ("PYSEC-2.json", r#"{"id":"PYSEC-2","modified":"m"}"#),
    ]);
    server.put("/PyPI/all.zip", pypi2.clone(), Some("\"p2\""));
    let third = download(&opts).unwrap();
    assert_eq!(
        third.archives[0].outcome,
        Outcome::Downloaded {
            bytes: pypi2.len() as u64
        }
    );
    assert_eq!(third.archives[1].outcome, Outcome::Unchanged);
    assert_eq!(std::fs::read(&third.archives[0].path).unwrap(), pypi2);
}

#[test]
fn a_corrupt_archive_is_an_error_naming_it_and_the_old_copy_stays() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let good = zip_of(&[("A.json", r#"{"id":"A","modified":"m"}"#)]);
    server.put("/npm/all.zip", good.clone(), Some("\"1\""));
    let mut opts = options(&server, tmp.path());
    opts.ecosystems = vec!["npm".into()];
    let first = download(&opts).unwrap();

    server.put("/npm/all.zip", b"PK\x03\x04garbage".to_vec(), Some("\"2\""));
    let err = download(&opts).unwrap_err();
    assert!(matches!(err, UpdateError::Corrupt { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("npm") && msg.contains("/npm/all.zip"), "{msg}");
    assert_eq!(std::fs::read(&first.archives[0].path).unwrap(), good);
    let leftovers = std::fs::read_dir(tmp.path().join("npm")).unwrap().count();
    assert_eq!(leftovers, 2, "archive and sidecar, no temporary file");
}

#[test]
fn without_conditional_support_an_identical_archive_counts_as_unchanged() {
    let server = Server::start();
    server.ignore_conditionals();
    let tmp = tempfile::tempdir().unwrap();
    server.put("/Go/all.zip", zip_of(&[("GO-1.json", "{}")]), None);
    let mut opts = options(&server, tmp.path());
    opts.ecosystems = vec!["Go".into()];
    assert!(download(&opts).unwrap().changed());
    assert!(!download(&opts).unwrap().changed());
}

#[test]
fn http_errors_and_limits_name_the_url() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = options(&server, tmp.path());
    opts.ecosystems = vec!["Nope".into()];
    let err = download(&opts).unwrap_err().to_string();
    assert!(
        err.contains("/Nope/all.zip") && err.contains("404"),
        "{err}"
    );

    server.put("/Big/all.zip", vec![0u8; 4096], None);
    opts.ecosystems = vec!["Big".into()];
    opts.max_archive_bytes = 1000;
    let err = download(&opts).unwrap_err();
    assert!(matches!(err, UpdateError::TooLarge { .. }), "{err}");

    opts.ecosystems = vec!["../etc".into()];
    assert!(matches!(
        download(&opts),
        Err(UpdateError::Ecosystem { .. })
    ));

    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    opts.base_url = format!("http://127.0.0.1:{port}");
    opts.ecosystems = vec!["npm".into()];
    let err = download(&opts).unwrap_err().to_string();
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}

/// What a progress bar is told, recorded.
#[derive(Debug, Default)]
struct Recorder(std::sync::Mutex<Vec<String>>, std::sync::atomic::AtomicU64);

impl plimsoll_vuln::update::DownloadProgress for Recorder {
    fn archive_started(&self, ecosystem: &str, total: Option<u64>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("start {ecosystem} {total:?}"));
    }
    fn bytes(&self, n: u64) {
        self.1.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }
    fn archive_finished(&self, ecosystem: &str, outcome: Outcome) {
        self.0
            .lock()
            .unwrap()
            .push(format!("end {ecosystem} {outcome:?}"));
    }
}

#[test]
fn progress_is_told_every_byte_and_each_archive() {
    let server = Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let pypi = zip_of(&[("PYSEC-1.json", r#"{"id":"PYSEC-1","modified":"m"}"#)]);
    server.put("/PyPI/all.zip", pypi.clone(), Some("\"p1\""));
    let recorder = std::sync::Arc::new(Recorder::default());
    let opts = UpdateOptions {
        ecosystems: vec!["PyPI".into()],
        progress: Some(recorder.clone()),
        ..options(&server, tmp.path())
    };
    download(&opts).unwrap();
    let n = pypi.len() as u64;
    assert_eq!(recorder.1.load(std::sync::atomic::Ordering::Relaxed), n);
    // Again: the server answers 304, nothing is downloaded.
    download(&opts).unwrap();
    assert_eq!(
        *recorder.0.lock().unwrap(),
        [
            format!("start PyPI Some({n})"),
            format!("end PyPI Downloaded {{ bytes: {n} }}"),
            "end PyPI Unchanged".to_string(),
        ]
    );
}
