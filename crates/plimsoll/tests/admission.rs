//! `plimsoll admission --server` against a real running `plimsoll serve`:
//! both binaries over real TLS on loopback, the server's read API behind
//! its token, verdicts from results in the server's SQLite store.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use plimsoll_store::{Counts, JobSource, NewJob, ScanResult, Store};
use plimsoll_testkit::http::wait_listening;
use plimsoll_testkit::osv;
use plimsoll_testkit::registry::free_port;
use serde_json::{Value, json};

const TOKEN: &str = "admission-read-token-0123456789abcdef";

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

/// What a scan report says of the image's user and audit findings.
fn report(user: Value, findings: Value) -> String {
    json!({"image": {"user": user}, "audit": {"findings": findings}}).to_string()
}

/// A store with passed scans of digests a (user 10001, an unapproved base)
/// and e (no User: root), a failed one of b (2 critical, 1 high) and c
/// still queued.
fn fill_store(url: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(url).await.unwrap();
        let scan = |d: &str, passed: bool| ScanResult {
            digest: d.to_string(),
            reference: format!("registry.example/app@{d}"),
            passed,
            counts: Counts {
                critical: if passed { 0 } else { 2 },
                high: 1,
                ..Counts::default()
            },
            findings: 3,
            packages: 10,
            report: match d.chars().last() {
                Some('a') => report(
                    json!({"user": "10001", "uid": 10001, "root": false}),
                    json!([{"code": "IMG014", "name": "unapproved-base", "practice": "P-D3",
                        "severity": "high", "message": "the image is not built on an approved base",
                        "location": {}}]),
                ),
                Some('e') => report(json!({"user": "", "uid": 0, "root": true}), json!([])),
                _ => "{}".into(),
            },
            basis: "{}".into(),
            gate_ids: vec![],
            database_built: None,
            duration_ms: 1,
            documents: vec![],
        };
        for (c, passed) in [
            ('a', Some(true)),
            ('b', Some(false)),
            ('e', Some(true)),
            // Last: a claim takes the oldest job.
            ('c', None),
        ] {
            let d = digest(c);
            store
                .enqueue(&NewJob {
                    reference: format!("registry.example/app@{d}"),
                    digest: Some(d.clone()),
                    source: JobSource::Api,
                    insecure: false,
                })
                .await
                .unwrap();
            let Some(passed) = passed else { continue };
            let job = store
                .claim("test", Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap();
            store
                .complete(&job.id, "test", &scan(&d, passed), &[], &|_| String::new())
                .await
                .unwrap();
        }
    });
}

fn spawn(root: &Path, name: &str, args: &[String], port: u16) -> Proc {
    let log = root.join(format!("{name}.log"));
    let child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(args)
        .env_remove("PLIMSOLL_TOKEN")
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("running plimsoll {name}: {e}"));
    let proc = Proc(child);
    wait_listening(
        &format!("127.0.0.1:{port}"),
        Duration::from_secs(30),
        || std::fs::read_to_string(&log).unwrap_or_default(),
    );
    proc
}

fn review(uid: &str, image: &str) -> Value {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "a", "image": image}]}});
    let gvk = json!({"group": "", "version": "v1", "kind": "Pod"});
    let gvr = json!({"group": "", "version": "v1", "resource": "pods"});
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid, "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
            "name": "p", "namespace": "default", "operation": "CREATE",
            "userInfo": {"username": "kubernetes-admin", "groups": ["system:authenticated"]},
            "object": pod, "oldObject": null, "dryRun": false,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
        }
    })
}

fn ask(client: &reqwest::blocking::Client, addr: SocketAddr, image: &str) -> Value {
    let resp = client
        .post(format!("https://{addr}/validate"))
        .json(&review("uid-1", image))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["response"]["uid"], "uid-1");
    body["response"].clone()
}

fn message(response: &Value) -> &str {
    response["status"]["message"].as_str().unwrap_or("")
}

#[test]
fn admission_reads_verdicts_from_a_running_plimsoll_serve() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    std::fs::write(root.join("tls.crt"), ck.cert.pem()).unwrap();
    std::fs::write(root.join("tls.key"), ck.signing_key.serialize_pem()).unwrap();
    std::fs::write(root.join("token"), format!("{TOKEN}\n")).unwrap();
    std::fs::write(root.join("wrong-token"), "not-the-token-0123456789abcdef\n").unwrap();
    std::fs::write(
        root.join("plimsoll.toml"),
        "[admission]\nenforce = [\"P-F1\", \"runs-as-root\"]\nwarn = [\"P-D3\"]\nrequire_scan = true\nunknown_scan = \"deny\"\n",
    )
    .unwrap();
    let store = format!("sqlite:{}", root.join("store/serve.db").display());
    std::fs::create_dir_all(root.join("store")).unwrap();
    fill_store(&store);
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();

    let serve_port = free_port();
    let s = |v: &str| v.to_string();
    let path = |p: &str| root.join(p).display().to_string();
    let _serve = spawn(
        root,
        "serve",
        &[
            s("serve"),
            s("--listen"),
            format!("127.0.0.1:{serve_port}"),
            s("--database"),
            store.clone(),
            s("--db"),
            path("vuln.db"),
            s("--token-file"),
            path("token"),
            s("--read-requires-token"),
            s("--workers"),
            s("0"),
            s("--no-cache"),
            s("--tls-cert"),
            path("tls.crt"),
            s("--tls-key"),
            path("tls.key"),
        ],
        serve_port,
    );
    let admission = |name: &str, token: &str| {
        let port = free_port();
        let proc = spawn(
            root,
            name,
            &[
                s("admission"),
                s("--listen"),
                format!("127.0.0.1:{port}"),
                s("--tls-cert"),
                path("tls.crt"),
                s("--tls-key"),
                path("tls.key"),
                s("--config"),
                path("plimsoll.toml"),
                s("--server"),
                format!("https://127.0.0.1:{serve_port}"),
                s("--server-ca"),
                path("tls.crt"),
                s("--server-token-file"),
                path(token),
            ],
            port,
        );
        (proc, SocketAddr::from(([127, 0, 0, 1], port)))
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ck.cert.pem().as_bytes()).unwrap())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let (_webhook, addr) = admission("admission", "token");
    let passed = ask(
        &client,
        addr,
        &format!("registry.example/app@{}", digest('a')),
    );
    assert_eq!(passed["allowed"], true, "{passed}");
    // No user in the pod: the image's (10001, from its stored scan) decided;
    // its unapproved base (P-D3) is a warning, as the policy says.
    assert!(
        passed["warnings"]
            .to_string()
            .contains("unapproved-base (IMG014 P-D3)"),
        "{passed}"
    );
    // A passing scan of an image that runs as root, in a pod that sets no user.
    let as_root = ask(
        &client,
        addr,
        &format!("registry.example/app@{}", digest('e')),
    );
    assert_eq!(as_root["allowed"], false, "{as_root}");
    assert!(
        message(&as_root).contains("runs-as-root (CFG013 P-F11)")
            && message(&as_root).contains("and the image sets no User"),
        "{as_root}"
    );
    let failed = ask(
        &client,
        addr,
        &format!("registry.example/app@{}", digest('b')),
    );
    assert_eq!(failed["allowed"], false, "{failed}");
    assert!(
        message(&failed).contains("failed its vulnerability scan (2 critical, 1 high)"),
        "{failed}"
    );
    let pending = ask(
        &client,
        addr,
        &format!("registry.example/app@{}", digest('c')),
    );
    assert_eq!(pending["allowed"], false, "{pending}");
    assert!(
        message(&pending).contains("still being scanned"),
        "{pending}"
    );
    let unknown = ask(
        &client,
        addr,
        &format!("registry.example/app@{}", digest('d')),
    );
    assert_eq!(unknown["allowed"], false, "{unknown}");
    assert!(
        message(&unknown).contains("has not been scanned"),
        "{unknown}"
    );

    // The server refuses the wrong token; the webhook fails closed and says why.
    let (_wrong, addr) = admission("admission-wrong-token", "wrong-token");
    let refused = ask(
        &client,
        addr,
        &format!("registry.example/app@{}", digest('a')),
    );
    assert_eq!(refused["allowed"], false, "{refused}");
    assert!(message(&refused).contains("401"), "{refused}");
    let log = std::fs::read_to_string(root.join("admission-wrong-token.log")).unwrap();
    for secret in [TOKEN, "not-the-token-0123456789abcdef"] {
        assert!(!log.contains(secret), "a token reached the log: {log}");
        assert!(
            !message(&refused).contains(secret),
            "a token reached the answer"
        );
    }
}
