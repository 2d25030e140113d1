//! The store on a real PostgreSQL, and `plimsoll worker` processes sharing
//! it: concurrent claims never hand one job to two workers, and a worker
//! killed with SIGKILL mid-scan loses no job (its lease runs out and another
//! worker takes it). Explicit suite (scripts/test-all.sh): needs PostgreSQL,
//! docker-registry and skopeo.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plimsoll_store::{JobSource, NewJob, Store};
use plimsoll_testkit::http::{get, post_json};
use plimsoll_testkit::postgres::Postgres;
use plimsoll_testkit::registry::{Registry, free_port};
use plimsoll_testkit::*;
use serde_json::{Value, json};

const TOKEN: &str = "postgres-token-0123456789abcdef";

#[test]
#[ignore = "explicit suite: needs PostgreSQL (scripts/test-all.sh)"]
fn concurrent_claims_on_postgres_hand_each_job_to_one_worker() {
    let pg = Postgres::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Two stores opening at once: the migrations run once.
        let url = pg.url();
        let (a, b) = tokio::join!(Store::open(&url), Store::open(&url));
        let (a, b) = (a.unwrap(), b.unwrap());
        for i in 0..60 {
            let digest = format!("sha256:{i:064x}");
            a.enqueue(&NewJob {
                reference: format!("127.0.0.1:5000/app@{digest}"),
                digest: Some(digest),
                source: JobSource::Registry,
                insecure: false,
            })
            .await
            .unwrap();
        }
        let mut tasks = Vec::new();
        for w in 0..8 {
            let store = if w % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(job) = store
                    .claim(&format!("w{w}"), Duration::from_secs(60))
                    .await
                    .unwrap()
                {
                    got.push(job.id);
                }
                got
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let distinct: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 60, "every job claimed");
        assert_eq!(distinct.len(), 60, "no job claimed twice");
        let q = a.queue_counts().await.unwrap();
        assert_eq!((q.queued, q.running), (0, 60));
    });
}

fn database(root: &Path) -> PathBuf {
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    db
}

/// `plimsoll serve|worker` with the common flags, logging to `log`.
fn plimsoll(root: &Path, args: &[&str], pg: &Postgres, insecure: &str, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(args)
        .arg("--database")
        .arg(pg.url())
        .arg("--token-file")
        .arg(root.join("token"))
        .arg("--db")
        .arg(root.join("vuln.db"))
        .arg("--config")
        .arg(root.join("plimsoll.toml"))
        .args(["--insecure", insecure, "--no-cache", "--timeout", "60"])
        .env_remove("PLIMSOLL_TOKEN")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("running plimsoll")
}

struct Killed(Vec<Child>);

impl Drop for Killed {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn job(addr: &str, id: &str) -> Value {
    get(addr, &format!("/v1/scans/{id}"), Some(TOKEN)).json()
}

fn wait_job(addr: &str, id: &str, state: &str, logs: &[PathBuf]) -> Value {
    let start = Instant::now();
    loop {
        let j = job(addr, id);
        if j["state"] == state {
            return j;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "job {id} never {state}: {j}\n{}",
            logs.iter()
                .map(|l| std::fs::read_to_string(l).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "explicit suite: needs PostgreSQL, docker-registry and skopeo (scripts/test-all.sh)"]
fn a_worker_killed_mid_scan_loses_no_job() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let pg = Postgres::start();
    let registry = Registry::start();
    std::fs::write(root.join("token"), TOKEN).unwrap();
    // Short leases so the test waits seconds, not a minute.
    std::fs::write(root.join("plimsoll.toml"), "[serve]\nlease_secs = 2\n").unwrap();
    database(root);
    let layout = root.join("layout");
    let mut oci = Layout::new(&layout);
    let versions = [
        "2.36-9+deb12u1",
        "2.36-9+deb12u2",
        "2.36-9+deb12u3",
        "2.36-9+deb12u4",
    ];
    for (i, v) in versions.iter().enumerate() {
        oci.add(&debian_glibc_image(v, Some("app")), &format!("v{i}"));
    }
    let mut references = Vec::new();
    for i in 0..versions.len() {
        registry.push_tag(&layout, &format!("v{i}"), &format!("team/app:v{i}"));
        let raw = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", "--raw"])
            .arg(format!("docker://{}/team/app:v{i}", registry.host()))
            .output()
            .unwrap();
        references.push(format!(
            "{}/team/app@{}",
            registry.host(),
            sha256(&raw.stdout)
        ));
    }

    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let host = registry.host();
    let logs: Vec<PathBuf> = ["serve", "a", "b", "c"]
        .iter()
        .map(|n| root.join(format!("{n}.log")))
        .collect();
    let mut children = Killed(vec![plimsoll(
        root,
        &["serve", "--workers", "0", "--listen", &addr],
        &pg,
        &host,
        &logs[0],
    )]);
    let start = Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "serve did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Worker A claims the first job while the registry answers nothing,
    // and is killed with SIGKILL in the middle of the scan.
    registry.freeze(true);
    let first = post_json(
        &addr,
        "/v1/scans",
        Some(TOKEN),
        &json!({"reference": references[0]}),
    );
    assert_eq!(first.status, 202, "{}", first.body);
    let first = first.json()["id"].as_str().unwrap().to_string();
    let mut a = plimsoll(root, &["worker", "--workers", "1"], &pg, &host, &logs[1]);
    let running = wait_job(&addr, &first, "running", &logs);
    assert_eq!(running["attempts"], 1);
    a.kill().unwrap(); // SIGKILL
    a.wait().unwrap();
    registry.freeze(false);

    // Two other workers: the first job is taken over once its lease runs
    // out, the others are shared between them, none done twice.
    children.0.push(plimsoll(
        root,
        &["worker", "--workers", "1"],
        &pg,
        &host,
        &logs[2],
    ));
    children.0.push(plimsoll(
        root,
        &["worker", "--workers", "1"],
        &pg,
        &host,
        &logs[3],
    ));
    let mut ids = vec![first.clone()];
    for r in &references[1..] {
        let resp = post_json(&addr, "/v1/scans", Some(TOKEN), &json!({"reference": r}));
        assert_eq!(resp.status, 202, "{}", resp.body);
        ids.push(resp.json()["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        wait_job(&addr, id, "done", &logs);
    }
    let taken_over = job(&addr, &first);
    assert_eq!(taken_over["attempts"], 2, "{taken_over}");
    for id in &ids[1..] {
        assert_eq!(job(&addr, id)["attempts"], 1);
    }
    let digest = references[0].rsplit('@').next().unwrap();
    let v = get(&addr, &format!("/v1/verdict/{digest}"), Some(TOKEN)).json();
    assert_eq!(v["verdict"], "failed", "{v}");
    let scanned: usize = logs[2..]
        .iter()
        .map(|l| {
            std::fs::read_to_string(l)
                .unwrap()
                .lines()
                .filter(|l| l.contains(" scanned "))
                .count()
        })
        .sum();
    assert_eq!(
        scanned,
        references.len(),
        "each image scanned exactly once by B and C"
    );
}
