//! The webhook over real TLS on 127.0.0.1: the pod-security-admission test
//! Pods wrapped in AdmissionReviews as the API server sends them, bad
//! requests, and scan verdicts from a real SQLite store.

use std::io::Read;
use std::time::Duration;

use plimsoll_admission::server::{DEFAULT_BODY_LIMIT, Options, Running, start};
use plimsoll_admission::verdict::{Cache, StoreVerdicts, Verdicts};
use plimsoll_admission::{AdmissionConfig, Policy};
use serde_json::{Value, json};

/// The vendored upstream Pods (plimsoll-runtime's PSS oracle).
const PSS: &[u8] = include_bytes!("../../plimsoll-runtime/tests/pss/testdata.tar.zst");

struct Tls {
    _dir: tempfile::TempDir,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
    ca_pem: String,
}

fn tls() -> Tls {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = dir.path().join("tls.crt");
    let key = dir.path().join("tls.key");
    let ca_pem = ck.cert.pem();
    std::fs::write(&cert, &ca_pem).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    Tls {
        _dir: dir,
        cert,
        key,
        ca_pem,
    }
}

async fn serve(tls: &Tls, policy: Policy, verdicts: Verdicts) -> Running {
    start(Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: Some((tls.cert.clone(), tls.key.clone())),
        policy,
        policy_file: None,
        verdicts,
        cache: Cache::new(Duration::from_secs(60), Duration::from_secs(1), 100),
        tags: None,
        signatures: None,
        body_limit: DEFAULT_BODY_LIMIT,
        poll: Duration::from_secs(60),
    })
    .await
    .unwrap()
}

fn client(tls: &Tls) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(tls.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

/// An AdmissionReview for `object` as the API server sends one.
fn review(uid: &str, object: Value, operation: &str) -> Value {
    let kind = object["kind"].as_str().unwrap_or("Pod").to_string();
    let (group, version) = match object["apiVersion"]
        .as_str()
        .unwrap_or("v1")
        .split_once('/')
    {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), "v1".to_string()),
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "name": object["metadata"]["name"],
            "namespace": "default",
            "operation": operation,
            "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]},
            "object": object,
            "oldObject": null,
            "dryRun": false,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
        }
    })
}

async fn post(c: &reqwest::Client, addr: std::net::SocketAddr, body: Vec<u8>) -> (u16, Value) {
    let r = c
        .post(format!("https://127.0.0.1:{}/validate", addr.port()))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).unwrap()
}

/// `(level, outcome, file, pod)` of the newest version's Pods.
fn newest_pods() -> Vec<(String, String, String, Value)> {
    let mut archive = tar::Archive::new(zstd::stream::read::Decoder::new(PSS).unwrap());
    let mut all = Vec::new();
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        if !path.ends_with(".yaml") {
            continue;
        }
        let mut text = String::new();
        e.read_to_string(&mut text).unwrap();
        let parts: Vec<&str> = path.rsplit('/').take(4).collect();
        let [file, outcome, version, level] = parts[..] else {
            continue;
        };
        let minor: u32 = version.trim_start_matches("v1.").parse().unwrap_or(0);
        all.push((
            minor,
            level.to_string(),
            outcome.to_string(),
            file.to_string(),
            text,
        ));
    }
    let newest = all.iter().map(|p| p.0).max().unwrap();
    all.into_iter()
        .filter(|p| p.0 == newest)
        .map(|(_, l, o, f, t)| (l, o, f, yaml_to_json(&t)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_security_admission_pods_get_upstreams_verdict_over_tls() {
    let tls = tls();
    let c = client(&tls);
    let pods = newest_pods();
    assert!(pods.len() > 100, "{} pods", pods.len());
    for level in ["baseline", "restricted"] {
        let policy = Policy::new(&AdmissionConfig {
            enforce: vec!["CFG018".into()],
            standard: Some(level.into()),
            ..AdmissionConfig::default()
        })
        .unwrap();
        let running = serve(&tls, policy, Verdicts::None).await;
        let mut checked = 0;
        for (i, (l, outcome, file, pod)) in pods.iter().enumerate() {
            if l != level {
                continue;
            }
            let uid = format!("{level}-{i}");
            let body = serde_json::to_vec(&review(&uid, pod.clone(), "CREATE")).unwrap();
            let (status, answer) = post(&c, running.addr, body).await;
            assert_eq!(status, 200, "{file}: {answer}");
            let resp = &answer["response"];
            assert_eq!(answer["apiVersion"], "admission.k8s.io/v1");
            assert_eq!(answer["kind"], "AdmissionReview");
            assert_eq!(resp["uid"], uid.as_str(), "the uid is echoed");
            let allowed = resp["allowed"].as_bool().unwrap();
            assert_eq!(
                allowed,
                outcome == "pass",
                "{level} {outcome}/{file}: {resp}"
            );
            if !allowed {
                let msg = resp["status"]["message"].as_str().unwrap();
                assert!(msg.contains("below-pod-security-standard"), "{msg}");
                assert_eq!(resp["status"]["code"], 403);
                assert_eq!(resp["auditAnnotations"]["decision"], "denied");
            }
            checked += 1;
        }
        assert!(checked >= 40, "{level}: {checked}");
        eprintln!("{level}: {checked} upstream Pods agreed");
        let _ = running.shutdown.send(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_clear_answer_never_a_crash() {
    let tls = tls();
    let c = client(&tls);
    let running = serve(&tls, Policy::default(), Verdicts::None).await;
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}});

    let (status, answer) = post(&c, running.addr, b"{not json".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(answer["response"]["allowed"], false);
    assert!(
        answer["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("not an admission.k8s.io/v1 AdmissionReview")
    );

    let mut old = review("u1", pod.clone(), "CREATE");
    old["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (status, answer) = post(&c, running.addr, serde_json::to_vec(&old).unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        answer["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("admission.k8s.io/v1beta1"),
        "{answer}"
    );

    let empty = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"});
    let (status, answer) = post(&c, running.addr, serde_json::to_vec(&empty).unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        answer["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("no request")
    );

    let huge = vec![b' '; DEFAULT_BODY_LIMIT + 1];
    let (status, _) = post(&c, running.addr, huge).await;
    assert_eq!(status, 413);

    // Not a workload, and a DELETE: admitted, not judged.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}});
    let (status, answer) = post(
        &c,
        running.addr,
        serde_json::to_vec(&review("u2", cm, "CREATE")).unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer["response"]["allowed"].clone()),
        (200, json!(true))
    );
    assert_eq!(
        answer["response"]["auditAnnotations"]["decision"],
        "skipped"
    );
    let mut privileged = pod.clone();
    privileged["spec"]["containers"][0]["securityContext"] = json!({"privileged": true});
    let (_, answer) = post(
        &c,
        running.addr,
        serde_json::to_vec(&review("u3", privileged.clone(), "DELETE")).unwrap(),
    )
    .await;
    assert_eq!(answer["response"]["allowed"], true);

    // The default policy: privileged denied (P-F1), the rest warned about.
    let (_, answer) = post(
        &c,
        running.addr,
        serde_json::to_vec(&review("u4", privileged, "CREATE")).unwrap(),
    )
    .await;
    let resp = &answer["response"];
    assert_eq!(resp["allowed"], false, "{resp}");
    let msg = resp["status"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("plimsoll denied Pod/default/p: privileged (CFG001 P-F1)"),
        "{msg}"
    );
    let warnings: Vec<&str> = resp["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("CFG015")),
        "{warnings:?}"
    );
    assert!(warnings.iter().all(|w| w.len() <= 260), "{warnings:?}");

    // A Deployment's pod template is judged too.
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
        "spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "nginx:1.27"}]}}}});
    let (_, answer) = post(
        &c,
        running.addr,
        serde_json::to_vec(&review("u5", deploy, "UPDATE")).unwrap(),
    )
    .await;
    assert_eq!(answer["response"]["allowed"], false);
    assert!(
        answer["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("Deployment/default/d")
    );
    let _ = running.shutdown.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_verdicts_by_digest_from_a_real_store() {
    use plimsoll_store::{Counts, JobSource, NewJob, ScanResult, Store};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("s.db").display());
    let store = Store::open(&url).await.unwrap();
    let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
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
        report: "{}".into(),
        basis: "{}".into(),
        gate_ids: vec![],
        database_built: None,
        duration_ms: 1,
        documents: vec![],
    };
    for (d, passed) in [(digest('a'), true), (digest('b'), false)] {
        store
            .enqueue(&NewJob {
                reference: format!("registry.example/app@{d}"),
                digest: Some(d.clone()),
                source: JobSource::Api,
                insecure: false,
            })
            .await
            .unwrap();
        let job = store
            .claim("w", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        store
            .complete(&job.id, "w", &scan(&d, passed), &[], &|_| String::new())
            .await
            .unwrap();
    }
    store
        .enqueue(&NewJob {
            reference: format!("registry.example/app@{}", digest('c')),
            digest: Some(digest('c')),
            source: JobSource::Api,
            insecure: false,
        })
        .await
        .unwrap();

    let tls = tls();
    let c = client(&tls);
    let policy = Policy::new(&AdmissionConfig {
        enforce: vec!["P-F1".into()],
        require_scan: true,
        store: Some(url.clone()),
        ..AdmissionConfig::default()
    })
    .unwrap();
    let running = serve(
        &tls,
        policy,
        Verdicts::Store(StoreVerdicts {
            store: Store::open(&url).await.unwrap(),
        }),
    )
    .await;
    let pod = |image: &str| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": image}]}})
    };
    let ask = |image: String| {
        let c = c.clone();
        let body = serde_json::to_vec(&review("u", pod(&image), "CREATE")).unwrap();
        async move { post(&c, running.addr, body).await.1["response"].clone() }
    };
    let passed = ask(format!("registry.example/app@{}", digest('a'))).await;
    assert_eq!(passed["allowed"], true, "{passed}");
    let failed = ask(format!("registry.example/app@{}", digest('b'))).await;
    assert_eq!(failed["allowed"], false);
    assert!(
        failed["status"]["message"]
            .as_str()
            .unwrap()
            .contains("failed its vulnerability scan (2 critical, 1 high)"),
        "{failed}"
    );
    let pending = ask(format!("registry.example/app@{}", digest('c'))).await;
    assert!(
        pending["status"]["message"]
            .as_str()
            .unwrap()
            .contains("still being scanned"),
        "{pending}"
    );
    let unknown = ask(format!("registry.example/app@{}", digest('d'))).await;
    assert!(
        unknown["status"]["message"]
            .as_str()
            .unwrap()
            .contains("has not been scanned"),
        "{unknown}"
    );
    let tag = ask("registry.example/app:1.0".into()).await;
    assert!(
        tag["status"]["message"]
            .as_str()
            .unwrap()
            .contains("has no digest"),
        "{tag}"
    );
    let _ = running.shutdown.send(true);
}

/// A review a real API server (GKE) sent, from kube-rs's tests
/// (tests/reviews/PROVENANCE.md): answered with its uid, judged by the
/// default policy and by the restricted standard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_a_real_api_server_sent() {
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/reviews/kube-rs-gke-pod-create.json"),
    )
    .unwrap();
    let tls = tls();
    let c = client(&tls);
    let running = serve(&tls, Policy::default(), Verdicts::None).await;
    let (status, answer) = post(&c, running.addr, body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    let r = &answer["response"];
    assert_eq!(r["uid"], "0c9a8d74-9cb7-44dd-b98e-09fd62def2f4");
    // Nothing the default policy denies; the warn-only practices warn.
    assert_eq!(r["allowed"], true, "{answer}");
    let warnings = r["warnings"].to_string();
    for code in ["CFG003", "CFG005", "CFG012", "CFG013", "CFG015"] {
        assert!(warnings.contains(code), "{code} not warned: {warnings}");
    }
    assert!(warnings.contains("Pod/colin-coder/echo-pod"), "{warnings}");
    let _ = running.shutdown.send(true);

    let strict = Policy::new(&AdmissionConfig {
        standard: Some("restricted".into()),
        ..AdmissionConfig::default()
    })
    .unwrap();
    let running = serve(&tls, strict, Verdicts::None).await;
    let (_, answer) = post(&c, running.addr, body).await;
    let r = &answer["response"];
    assert_eq!(r["allowed"], false, "{answer}");
    assert_eq!(r["status"]["code"], 403);
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("below-pod-security-standard (CFG018 P-F1)")
            && message.contains("meets Pod Security Standard `baseline`, not `restricted`"),
        "{message}"
    );
    let _ = running.shutdown.send(true);
}
