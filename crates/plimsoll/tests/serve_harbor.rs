//! `plimsoll serve` called as Harbor calls a scanner adapter, against the
//! real `docker-registry` requiring an Authorization on every request (its
//! `silly` access controller): without Harbor's registry credential the
//! scan fails (500), with it the image is pulled and scanned, and
//! `scripts/validate-harbor.py` checks every response against the spec's
//! OpenAPI schemas. The credential appears in no response and not in the
//! server's log, and is deleted from the store when the job ends.
//! Explicit suite (scripts/test-all.sh): needs docker-registry, skopeo and
//! python3 with scripts/test-requirements.txt.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plimsoll_testkit::http::{request, wait_listening};
use plimsoll_testkit::registry::{Registry, free_port};
use plimsoll_testkit::*;
use serde_json::{Value, json};

const TOKEN: &str = "harbor-adapter-token-0123456789abcdef";
/// The registry credential Harbor would hand over (a Bearer token here: the
/// test registry's access controller takes any Authorization).
const REGISTRY_TOKEN: &str = "registry-pull-token-Zq8XkR4vT2";
const VULN: &str = "application/vnd.security.vulnerability.report; version=1.1";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(root: &Path, port: u16, registry: &str) -> Server {
    std::fs::write(root.join("token"), format!("{TOKEN}\n")).unwrap();
    // One attempt: a failed pull is final at once.
    std::fs::write(root.join("plimsoll.toml"), "[serve]\nmax_attempts = 1\n").unwrap();
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--database")
        .arg(format!("sqlite:{}", root.join("store/serve.db").display()))
        .arg("--token-file")
        .arg(root.join("token"))
        .arg("--config")
        .arg(root.join("plimsoll.toml"))
        .arg("--db")
        .arg(&db)
        .args(["--registry", registry, "--no-cache", "--workers", "1"])
        .env_remove("PLIMSOLL_TOKEN")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(root.join("serve.log")).unwrap())
        .spawn()
        .expect("running plimsoll serve");
    let log = root.join("serve.log");
    wait_listening(
        &format!("127.0.0.1:{port}"),
        Duration::from_secs(30),
        || std::fs::read_to_string(&log).unwrap_or_default(),
    );
    Server(child)
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let out = Command::new("skopeo")
        .args(args)
        .output()
        .expect("skopeo must be installed for this suite");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
#[ignore = "explicit suite: needs docker-registry, skopeo and python3 with scripts/test-requirements.txt"]
fn harbor_scans_from_a_registry_with_its_credential() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let registry = Registry::start_with(
        "auth:\n  silly:\n    realm: http://127.0.0.1:1/token\n    service: plimsoll-test\n",
    );
    let host = registry.host();
    let layout = root.join("layout");
    Layout::new(&layout).add(&debian_glibc_image("2.36-9+deb12u1", None), "1.0");
    let bearer = ["--dest-registry-token", REGISTRY_TOKEN];
    let target = format!("docker://{host}/team/app:1.0");
    let source = format!("oci:{}:1.0", layout.display());
    skopeo(
        &[
            &["copy", "-q", "--dest-tls-verify=false"][..],
            &bearer,
            &[&source, &target],
        ]
        .concat(),
    );
    let manifest = skopeo(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        "--registry-token",
        REGISTRY_TOKEN,
        &target,
    ]);
    let digest = sha256(&manifest);

    let port = free_port();
    let _server = serve(root, port, &host);
    let addr = format!("127.0.0.1:{port}");
    let auth = format!("Bearer {TOKEN}");
    let scan = |authorization: Option<&str>| {
        let mut registry = json!({"url": format!("http://{host}")});
        if let Some(a) = authorization {
            registry["authorization"] = json!(a);
        }
        let body = json!({"registry": registry, "artifact": {"repository": "team/app", "digest": digest, "tag": "1.0"}});
        let r = request(
            &addr,
            "POST",
            "/api/v1/scan",
            &[("Authorization", &auth)],
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 202, "{}", r.body);
        r.json()["id"].as_str().unwrap().to_string()
    };
    let report = |id: &str| {
        let start = Instant::now();
        loop {
            let r = request(
                &addr,
                "GET",
                &format!("/api/v1/scan/{id}/report"),
                &[("Authorization", &auth), ("Accept", VULN)],
                b"",
            );
            if r.status != 302 {
                return r;
            }
            assert!(start.elapsed() < Duration::from_secs(90), "still 302");
            std::thread::sleep(Duration::from_millis(50));
        }
    };

    // Without Harbor's credential the registry refuses the pull.
    let id = scan(None);
    let r = report(&id);
    assert_eq!(r.status, 500, "{}", r.body);
    let refused = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(refused.contains("the scan failed"), "{refused}");
    eprintln!("without the credential: {refused}");

    // With it: scanned, every response valid per the spec, the credential
    // in none of them.
    let started = Instant::now();
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/validate-harbor.py"
        ))
        .args(["--server", &format!("http://{addr}"), "--token", TOKEN])
        .args(["--registry-url", &format!("http://{host}")])
        .args(["--repository", "team/app", "--digest", &digest])
        .args(["--authorization", &format!("Bearer {REGISTRY_TOKEN}")])
        .args(["--secret", REGISTRY_TOKEN, "--secret", TOKEN])
        .args(["--expect-vulnerability", "CVE-2023-4911"])
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = std::fs::read_to_string(root.join("serve.log")).unwrap();
    assert!(
        out.status.success(),
        "validate-harbor.py failed:\n{stdout}\n{}\nserver log:\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "validate-harbor.py: {:.2} s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    let summary: Value = stdout
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .expect("the script's summary line");
    assert_eq!(summary["severity"], "High", "{summary}");

    // The validator refuses documents that break the schemas.
    let st = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/validate-harbor.py"
        ))
        .arg("--self-test")
        .status()
        .expect("python3");
    assert!(st.success());

    // Nothing kept once the jobs ended; nothing in the log.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = rt
        .block_on(plimsoll_store::Store::open(&format!(
            "sqlite:{}",
            root.join("store/serve.db").display()
        )))
        .unwrap();
    let scan_id = summary["scan_request_id"].as_str().unwrap();
    let start = Instant::now();
    while rt
        .block_on(store.job_credential(scan_id))
        .unwrap()
        .is_some()
    {
        assert!(start.elapsed() < Duration::from_secs(10), "credential kept");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(log.contains("harbor: scan request"), "{log}");
    assert!(log.contains("(with a registry credential)"), "{log}");
    assert!(
        !log.contains(REGISTRY_TOKEN),
        "the credential reached the log:\n{log}"
    );
    assert!(!log.contains(TOKEN), "the API token reached the log");
}

#[test]
#[ignore = "explicit suite: needs PostgreSQL (scripts/test-all.sh)"]
fn harbor_credentials_on_postgres_last_until_the_job_ends() {
    use plimsoll_store::{JobSource, NewJob, Store};
    let pg = plimsoll_testkit::postgres::Postgres::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(&pg.url()).await.unwrap();
        let digest = format!("sha256:{}", "4".repeat(64));
        let job = store
            .enqueue(&NewJob {
                reference: format!("127.0.0.1:5000/app@{digest}"),
                digest: Some(digest),
                source: JobSource::Harbor,
                insecure: false,
            })
            .await
            .unwrap();
        for value in ["Basic YTpi", "Bearer replaced"] {
            store.save_job_credential(&job.id, value).await.unwrap();
        }
        let kept = store.job_credential(&job.id).await.unwrap();
        assert_eq!(kept.as_deref(), Some("Bearer replaced"));
        assert_eq!(store.drop_finished_credentials().await.unwrap(), 0);
        let claimed = store.claim("w", Duration::from_secs(60)).await.unwrap();
        assert_eq!(claimed.map(|j| j.id), Some(job.id.clone()));
        assert!(store.fail(&job.id, "w", "gone", None).await.unwrap());
        assert_eq!(store.drop_finished_credentials().await.unwrap(), 1);
        assert_eq!(store.job_credential(&job.id).await.unwrap(), None);
    });
}
