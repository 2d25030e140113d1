//! `plimsoll serve` against the real registry: Debian's `docker-registry`
//! on 127.0.0.1 configured to notify the server, images pushed with
//! `skopeo`, results read back over HTTP and the page loaded in headless
//! Chromium. Explicit suite (scripts/test-all.sh): needs docker-registry,
//! skopeo and chromium.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plimsoll_testkit::http::get;
use plimsoll_testkit::registry::{Registry, free_port};
use plimsoll_testkit::*;
use serde_json::Value;

const TOKEN: &str = "registry-token-0123456789abcdef";

fn database(root: &Path) -> PathBuf {
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    db
}

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(root: &Path, port: u16) -> Server {
        Server::start_with(root, port, &[])
    }

    fn start_with(root: &Path, port: u16, extra: &[&str]) -> Server {
        let token = root.join("token");
        std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
        let log = std::fs::File::create(root.join("serve.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite:{}", root.join("store/serve.db").display()))
            .arg("--token-file")
            .arg(&token)
            .arg("--db")
            .arg(database(root))
            .arg("--cache-dir")
            .arg(root.join("cache"))
            .args(["--workers", "2"])
            .args(extra)
            .env_remove("PLIMSOLL_TOKEN")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("running plimsoll serve");
        let addr = format!("127.0.0.1:{port}");
        let start = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "plimsoll serve did not listen: {}",
                std::fs::read_to_string(root.join("serve.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn manifest_digest(registry: &Registry, name: &str) -> String {
    let out = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--raw"])
        .arg(format!("docker://{}/{name}", registry.host()))
        .output()
        .expect("skopeo inspect");
    assert!(out.status.success());
    plimsoll_testkit::sha256(&out.stdout)
}

fn wait_verdict(addr: &str, digest: &str, since: Instant, log: &Path) -> Value {
    loop {
        let v = get(addr, &format!("/v1/verdict/{digest}"), None).json();
        if matches!(v["verdict"].as_str(), Some("passed" | "failed" | "error")) {
            return v;
        }
        assert!(
            since.elapsed() < Duration::from_secs(90),
            "no verdict for {digest}: {v}\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "explicit suite: needs docker-registry, skopeo and chromium (scripts/test-all.sh)"]
fn a_push_to_the_registry_is_scanned_and_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let port = free_port();
    let server = Server::start(root, port);
    let registry = Registry::start_with(&format!(
        "notifications:\n  endpoints:\n    - name: plimsoll\n      url: http://127.0.0.1:{port}/v1/registry/events\n      headers:\n        Authorization: [\"Bearer {TOKEN}\"]\n      timeout: 2s\n      threshold: 3\n      backoff: 1s\n"
    ));
    let layout = root.join("layout");
    let mut oci = Layout::new(&layout);
    oci.add(
        &debian_glibc_image("2.36-9+deb12u1", Some("app")),
        "vulnerable",
    );
    oci.add(&debian_glibc_image("2.36-9+deb12u3", Some("app")), "fixed");

    // Push by tag; the registry notifies the server, which scans.
    let pushed = Instant::now();
    registry.push_tag(&layout, "vulnerable", "team/app:1.0");
    let after_push = Instant::now();
    let first = manifest_digest(&registry, "team/app:1.0");
    let log = root.join("serve.log");
    let v = wait_verdict(&server.addr, &first, after_push, &log);
    eprintln!(
        "push → verdict: {:.2} s after the push returned ({:.2} s with the push)",
        after_push.elapsed().as_secs_f64(),
        pushed.elapsed().as_secs_f64()
    );
    assert_eq!(v["verdict"], "failed", "{v}");
    assert_eq!(v["counts"]["high"], 1, "{v}");

    // The tag moves to a fixed image: both digests are kept, the history too.
    registry.push_tag(&layout, "fixed", "team/app:1.0");
    let second = manifest_digest(&registry, "team/app:1.0");
    assert_ne!(first, second);
    let v = wait_verdict(&server.addr, &second, Instant::now(), &log);
    assert_eq!(v["verdict"], "passed", "{v}");
    let repo = format!("{}/team/app", registry.host());
    let listed = get(
        &server.addr,
        &format!("/v1/images?repository={repo}&tag=1.0"),
        None,
    )
    .json();
    let digests: Vec<&str> = listed["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["digest"].as_str())
        .collect();
    assert_eq!(digests.len(), 2, "{listed}");
    assert!(digests.contains(&first.as_str()) && digests.contains(&second.as_str()));
    let image = get(&server.addr, &format!("/v1/images/{first}"), None).json();
    assert_eq!(image["refs"][0]["repository"], repo.as_str());
    assert_eq!(image["refs"][0]["tag"], "1.0");
    assert_eq!(image["report"]["sbom"]["packages"], 1);

    // The same digest pushed again (another repository) is not scanned twice
    // while the first scan is kept; it gains a ref.
    registry.push_tag(&layout, "vulnerable", "other/app:latest");
    let start = Instant::now();
    loop {
        let image = get(&server.addr, &format!("/v1/images/{first}"), None).json();
        if image["refs"].as_array().unwrap().len() == 2 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{image}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let metrics = get(&server.addr, "/metrics", None).body;
    assert!(
        metrics.contains("plimsoll_scans_total{outcome=\"failed_gate\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("plimsoll_scans_total{outcome=\"passed\"} 1"),
        "{metrics}"
    );
    let image = get(&server.addr, &format!("/v1/images/{first}"), None).json();
    assert!(
        image["report"]["image"]["reference"]
            .as_str()
            .unwrap()
            .contains("team/app"),
        "kept, not rescanned"
    );
    assert!(
        metrics.contains("plimsoll_requests_refused_total 0"),
        "{metrics}"
    );
    assert!(
        !std::fs::read_to_string(&log).unwrap().contains(TOKEN),
        "the token never reaches the log"
    );

    // What a person sees, in a real browser.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-pages");
    std::fs::create_dir_all(&shots).unwrap();
    let list = chromium(
        &format!("http://{}/", server.addr),
        &shots.join("images.png"),
        root,
    );
    assert!(
        list.contains(&first[..19]) && list.contains(&second[..19]),
        "{list}"
    );
    assert!(
        list.contains("team/app") && list.contains(">failed<") && list.contains(">passed<"),
        "{list}"
    );
    assert!(
        list.contains("1.0 (moved)"),
        "the old digest shows its tag moved: {list}"
    );
    let detail = chromium(
        &format!("http://{}/images/{first}", server.addr),
        &shots.join("image.png"),
        root,
    );
    assert!(detail.contains(&first), "{detail}");
    assert!(
        detail.contains("CVE-2023-4911") || detail.contains("DSA-5514-1"),
        "{detail}"
    );
    assert!(
        detail.contains("2.36-9+deb12u3"),
        "the fixed version is shown: {detail}"
    );
    assert!(detail.contains("1 high"), "{detail}");
}

/// Loads `url` in headless Chromium: the DOM as it renders, and a
/// screenshot kept in the target directory.
fn chromium(url: &str, screenshot: &Path, root: &Path) -> String {
    let profile = tempfile::tempdir_in(root).unwrap();
    let base = |c: &mut Command| {
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stderr(Stdio::null());
    };
    let mut dump = Command::new("chromium");
    base(&mut dump);
    let out = dump
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium must be installed for this suite (apt-get install chromium)");
    assert!(out.status.success(), "chromium --dump-dom {url} failed");
    let mut shot = Command::new("chromium");
    base(&mut shot);
    let status = shot
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1280,900")
        .arg(url)
        .status()
        .expect("chromium");
    assert!(
        status.success() && screenshot.is_file(),
        "no screenshot of {url}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "explicit suite: needs openssl and curl (scripts/test-all.sh)"]
fn serve_speaks_https_with_tls_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (cert, key) = (root.join("cert.pem"), root.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args([
            "-days",
            "1",
            "-subj",
            "/CN=plimsoll-test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .stderr(Stdio::null())
        .status()
        .expect("openssl must be installed for this suite");
    assert!(status.success());
    std::fs::write(root.join("token"), TOKEN).unwrap();
    let serve = |key: &Path, port: u16| {
        Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}"), "--workers", "0"])
            .arg("--database")
            .arg(format!("sqlite:{}", root.join("s.db").display()))
            .arg("--token-file")
            .arg(root.join("token"))
            .arg("--db")
            .arg(database(root))
            .arg("--tls-cert")
            .arg(&cert)
            .arg("--tls-key")
            .arg(key)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // A key that is not there: a clear error, exit 2.
    let out = serve(&root.join("missing.pem"), free_port())
        .wait_with_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing.pem") && err.contains("TLS"), "{err}");

    let port = free_port();
    let child = serve(&key, port);
    let _guard = Server {
        child,
        addr: format!("127.0.0.1:{port}"),
    };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args(["-sS", "--max-time", "10"])
            .args(args)
            .output()
            .expect("curl must be installed for this suite")
    };
    let ok = curl(&[
        "--cacert",
        cert.to_str().unwrap(),
        &format!("https://127.0.0.1:{port}/healthz"),
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "ok\n");
    let untrusted = curl(&[&format!("https://127.0.0.1:{port}/healthz")]);
    assert!(
        !untrusted.status.success(),
        "a client that does not trust the certificate is refused"
    );
    let plain = curl(&[&format!("http://127.0.0.1:{port}/healthz")]);
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains("ok"),
        "no plain HTTP on the TLS port"
    );
}

#[test]
#[ignore = "explicit suite: needs docker-registry and skopeo (scripts/test-all.sh)"]
fn scan_with_server_prints_what_a_local_scan_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let registry = Registry::start();
    let layout = root.join("layout");
    Layout::new(&layout).add(
        &debian_glibc_image("2.36-9+deb12u1", Some("app")),
        "vulnerable",
    );
    registry.push_tag(&layout, "vulnerable", "team/app:1.0");
    let host = registry.host();
    let port = free_port();
    let server = Server::start_with(root, port, &["--insecure", &host]);
    let reference = format!("{host}/team/app:1.0");
    let url = format!("http://{}", server.addr);
    let plimsoll = |args: &[&str], token: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_plimsoll"));
        c.arg("scan").arg(&reference).args(args);
        match token {
            Some(t) => c.env("PLIMSOLL_TOKEN", t),
            None => c.env_remove("PLIMSOLL_TOKEN"),
        };
        c.env("SOURCE_DATE_EPOCH", "1700000000");
        c.output().expect("running plimsoll scan")
    };

    let remote = plimsoll(&["--server", &url, "--format", "json"], Some(TOKEN));
    let stderr = String::from_utf8_lossy(&remote.stderr);
    assert_eq!(remote.status.code(), Some(1), "the gate fails: {stderr}");
    let db = root.join("vuln.db");
    let local = plimsoll(
        &[
            "--insecure",
            &host,
            "--db",
            db.to_str().unwrap(),
            "--cache-dir",
            root.join("local-cache").to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(local.status.code(), Some(1));
    let (r, l): (Value, Value) = (
        serde_json::from_slice(&remote.stdout).unwrap(),
        serde_json::from_slice(&local.stdout).unwrap(),
    );
    assert_eq!(r, l, "the same report from the server as from a local scan");
    assert_eq!(r["vulnerabilities"]["summary"]["high"], 1);

    let table = plimsoll(&["--server", &url], Some(TOKEN));
    let text = String::from_utf8_lossy(&table.stdout);
    assert_eq!(table.status.code(), Some(1));
    assert!(
        text.contains("CVE-2023-4911") && text.contains("libc6"),
        "{text}"
    );
    let sarif = plimsoll(&["--server", &url, "--format", "sarif"], Some(TOKEN));
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    // A wrong token, no token, no server: exit 2 and a message that says so.
    let wrong = plimsoll(&["--server", &url], Some("wrong-token-0123456789abcdef"));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(2), "{err}");
    assert!(
        err.contains("HTTP 401") && err.contains("/v1/scans"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-token"),
        "the token is never printed: {err}"
    );
    let none = plimsoll(&["--server", &url], None);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("PLIMSOLL_TOKEN"));
    let down = plimsoll(
        &["--server", &format!("http://127.0.0.1:{}", free_port())],
        Some(TOKEN),
    );
    assert_eq!(down.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot reach the server"));
    // A reference the server cannot pull: the job fails and says why.
    let missing = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(["scan", &format!("{host}/team/absent:1"), "--server", &url])
        .env("PLIMSOLL_TOKEN", TOKEN)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{err}");
    assert!(
        err.contains("failed on the server") && err.contains("absent"),
        "{err}"
    );
}
