//! Harbor's scanner adapter API (`/api/v1/…`) in-process over real HTTP on
//! loopback, SQLite in a temporary directory: metadata, authentication,
//! bad requests, the 302 while queued, the credential kept for the worker
//! and deleted after, a failed scan's 500, and the reports (vulnerability,
//! SPDX, CycloneDX) of a real scan. The same API against the real
//! docker-registry, with a registry credential and every response checked
//! against the spec's schemas, is `crates/plimsoll/tests/serve_harbor.rs`
//! (explicit suite).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TOKEN;
use plimsoll_server::Metrics;
use plimsoll_store::{JobSource, NewJob};
use plimsoll_testkit::http::{Response, request};
use plimsoll_testkit::*;
use serde_json::json;

/// What Harbor would send for its robot account ("robot$scan:pull-s3cret").
const CREDENTIAL: &str = "Basic cm9ib3Qkc2NhbjpwdWxsLXMzY3JldA==";
const D: &str = "sha256:8a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
const VULN: &str = "application/vnd.security.vulnerability.report; version=1.1";
const VULN_HARBOR: &str = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
const SBOM: &str = "application/vnd.security.sbom.report+json; version=1.0";

fn call(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    accept: Option<&str>,
    body: &[u8],
) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![(
        "Content-Type",
        "application/vnd.scanner.adapter.scan.request+json; version=1.1",
    )];
    if let Some(a) = auth.as_deref() {
        headers.push(("Authorization", a));
    }
    if let Some(a) = accept {
        headers.push(("Accept", a));
    }
    request(addr, method, path, &headers, body)
}

fn scan_request(registry_url: &str, authorization: Option<&str>, digest: &str) -> Vec<u8> {
    let mut registry = json!({"url": registry_url});
    if let Some(a) = authorization {
        registry["authorization"] = json!(a);
    }
    serde_json::to_vec(&json!({
        "registry": registry,
        "artifact": {"repository": "team/app", "digest": digest, "tag": "1.0",
                     "mime_type": "application/vnd.oci.image.manifest.v1+json"},
        "enabled_capabilities": [
            {"type": "vulnerability", "produces_mime_types": [VULN]},
            {"type": "sbom", "produces_mime_types": [SBOM],
             "parameters": {"sbom_media_types": ["application/spdx+json", "application/vnd.cyclonedx+json"]}},
        ],
    }))
    .unwrap()
}

fn error_message(r: &Response) -> String {
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.scanner.adapter.error+json; version=1.0"),
        "{}",
        r.body
    );
    r.json()["error"]["message"].as_str().unwrap().to_string()
}

/// Polls the report until it is no longer 302.
fn report(addr: &str, id: &str, accept: &str, query: &str) -> Response {
    let start = Instant::now();
    loop {
        let r = call(
            addr,
            "GET",
            &format!("/api/v1/scan/{id}/report{query}"),
            Some(TOKEN),
            Some(accept),
            b"",
        );
        if r.status != 302 {
            return r;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "still 302");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn harbor_adapter_api() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // No workers at first: jobs stay queued.
    let options = common::options(|o| {
        o.read_requires_token = true;
        o.workers = 0;
        o.registries = vec!["127.0.0.1:1".into()];
    });
    let worker = options.worker.clone();
    let served = common::context(root);
    let built = served.gate().database().built;
    let (rt, store, running) = common::serve(root, served, options);
    let addr = running.addr.to_string();
    let a = addr.as_str();
    let mut seen = Vec::new();

    // Metadata.
    let r = call(a, "GET", "/api/v1/metadata", Some(TOKEN), None, b"");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.scanner.adapter.metadata+json; version=1.1")
    );
    let m = r.json();
    assert_eq!(m["scanner"]["name"], "plimsoll");
    assert_eq!(m["capabilities"][0]["type"], "vulnerability");
    assert_eq!(
        m["capabilities"][0]["consumes_mime_types"],
        json!([
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json"
        ])
    );
    assert_eq!(
        m["capabilities"][0]["produces_mime_types"],
        json!([VULN, VULN_HARBOR])
    );
    assert_eq!(m["capabilities"][1]["type"], "sbom");
    assert_eq!(m["capabilities"][1]["produces_mime_types"], json!([SBOM]));
    assert_eq!(
        m["capabilities"][1]["additional_attributes"]["sbom_media_types"],
        json!(["application/spdx+json", "application/vnd.cyclonedx+json"])
    );
    assert_eq!(
        m["properties"]["harbor.scanner-adapter/scanner-type"],
        "os-package-vulnerability"
    );
    assert_eq!(
        m["properties"]["harbor.scanner-adapter/vulnerability-database-updated-at"],
        built.as_str()
    );

    // Authentication: the scan always, reads here too (read_requires_token).
    let body = scan_request("http://127.0.0.1:1", Some(CREDENTIAL), D);
    for token in [None, Some("wrong-token-0123456789")] {
        let r = call(a, "POST", "/api/v1/scan", token, None, &body);
        assert_eq!(r.status, 401);
        assert!(error_message(&r).contains("token"));
        seen.push(r);
    }
    assert_eq!(
        call(a, "GET", "/api/v1/metadata", None, None, b"").status,
        401
    );
    assert_eq!(
        call(a, "GET", "/api/v1/scan/x/report", None, Some(VULN), b"").status,
        401
    );

    // Bad requests: 400 for JSON, 422 for fields.
    for (body, status, says) in [
        (b"{\"registry\": ".to_vec(), 400, "not JSON"),
        (br#"{"registry": {"url": 1}, "artifact": {}}"#.to_vec(), 400, "registry.url must be a string"),
        (br#"{"registry": {"url": "http://127.0.0.1:1"}}"#.to_vec(), 422, "artifact is missing"),
        (scan_request("http://127.0.0.1:1", None, "sha256:0"), 422, "artifact.digest"),
        (scan_request("http://127.0.0.1:2", None, D), 422, "[serve] registries"),
        (
            br#"{"registry": {"url": "http://127.0.0.1:1"}, "artifact": {"repository": "a", "digest": "sha256:8a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", "mime_type": "application/vnd.oci.image.index.v1+json"}}"#.to_vec(),
            422,
            "artifact.mime_type",
        ),
    ] {
        let r = call(a, "POST", "/api/v1/scan", Some(TOKEN), None, &body);
        assert_eq!(r.status, status, "{}", r.body);
        assert!(error_message(&r).contains(says), "{}", r.body);
        seen.push(r);
    }
    let r = call(
        a,
        "GET",
        "/api/v1/scan/no-such-id/report",
        Some(TOKEN),
        Some(VULN),
        b"",
    );
    assert_eq!(r.status, 404);
    assert!(error_message(&r).contains("no-such-id"));

    // Accepted: 202 {"id"}; queued, so 302 with Refresh-After; the
    // credential is kept for the worker.
    let r = call(a, "POST", "/api/v1/scan", Some(TOKEN), None, &body);
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.scanner.adapter.scan.response+json; version=1.0")
    );
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json(), json!({"id": id}));
    seen.push(r);
    let again = call(a, "POST", "/api/v1/scan", Some(TOKEN), None, &body);
    assert_eq!(
        again.json()["id"],
        id.as_str(),
        "the same digest joins the queued job"
    );
    let r = call(
        a,
        "GET",
        &format!("/api/v1/scan/{id}/report"),
        Some(TOKEN),
        Some(VULN),
        b"",
    );
    assert_eq!(r.status, 302);
    assert_eq!(r.header("refresh-after"), Some("2"));
    seen.push(r);
    let job = rt.block_on(store.job(&id)).unwrap().unwrap();
    assert_eq!(job.reference, format!("127.0.0.1:1/team/app@{D}"));
    assert!(job.insecure, "http:// is plain HTTP");
    assert_eq!(job.source, "harbor");
    assert_eq!(
        rt.block_on(store.job_credential(&id)).unwrap().as_deref(),
        Some(CREDENTIAL)
    );
    let r = call(
        a,
        "GET",
        &format!("/api/v1/scan/{id}/report"),
        Some(TOKEN),
        Some(SBOM),
        b"",
    );
    assert_eq!(r.status, 400, "an SBOM report needs sbom_media_type");
    assert!(error_message(&r).contains("sbom_media_type"));
    let r = call(
        a,
        "GET",
        &format!("/api/v1/scan/{id}/report"),
        Some(TOKEN),
        Some("application/vnd.scanner.adapter.vuln.report.raw"),
        b"",
    );
    assert_eq!(r.status, 501);

    // A real scan: a local layout queued through the store (the API takes
    // registry images only), scanned by a worker started now.
    Layout::new(&root.join("img")).add(&debian_glibc_image("2.36-9+deb12u1", None), "1.0");
    let local = rt
        .block_on(store.enqueue(&NewJob {
            reference: format!("oci:{}:1.0", root.join("img").display()),
            digest: None,
            source: JobSource::Harbor,
            insecure: false,
        }))
        .unwrap();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let workers = {
        let _guard = rt.enter();
        plimsoll_server::spawn_workers(
            &store,
            &Arc::new(common::context(&root.join("worker"))),
            &worker,
            1,
            &Arc::new(Metrics::default()),
            &Arc::new(tokio::sync::Notify::new()),
            &shutdown,
        )
    };

    // The registry cannot be reached: 500 with the reason; the credential
    // is deleted once the job has finally failed.
    let r = report(a, &id, VULN, "");
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(error_message(&r).contains("the scan failed"), "{}", r.body);
    seen.push(r);
    let start = Instant::now();
    while rt.block_on(store.job_credential(&id)).unwrap().is_some() {
        assert!(start.elapsed() < Duration::from_secs(10), "credential kept");
        std::thread::sleep(Duration::from_millis(20));
    }

    let r = report(a, &local.id, VULN, "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some(VULN));
    let v = r.json();
    assert_eq!(v["severity"], "High");
    assert_eq!(v["scanner"]["name"], "plimsoll");
    assert!(v["generated_at"].as_str().unwrap().ends_with('Z'));
    let digest = v["artifact"]["digest"].as_str().unwrap().to_string();
    assert!(digest.starts_with("sha256:"));
    let vulns = v["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 1, "{v}");
    let glibc = &vulns[0];
    assert_eq!(glibc["id"], "CVE-2023-4911");
    assert_eq!(glibc["package"], "libc6");
    assert_eq!(glibc["version"], "2.36-9+deb12u1");
    assert_eq!(glibc["fix_version"], "2.36-9+deb12u3");
    assert_eq!(glibc["severity"], "High");
    assert_eq!(glibc["preferred_cvss"]["score_v3"], 7.8);
    assert_eq!(
        glibc["preferred_cvss"]["vector_v3"],
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(glibc["vendor_attributes"]["CVSS"]["osv"]["V3Score"], 7.8);
    assert!(
        glibc["layer"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    seen.push(r);
    let r = report(a, &local.id, VULN_HARBOR, "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(VULN_HARBOR));
    assert_eq!(r.json()["vulnerabilities"], v["vulnerabilities"]);

    // Encoded as Harbor sends it, and with a bare `+` (read as a space).
    for (media_type, query, check) in [
        (
            "application/spdx+json",
            "application%2Fspdx%2Bjson",
            "spdxVersion",
        ),
        (
            "application/vnd.cyclonedx+json",
            "application/vnd.cyclonedx+json",
            "bomFormat",
        ),
    ] {
        let r = report(a, &local.id, SBOM, &format!("?sbom_media_type={query}"));
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("content-type"), Some(SBOM));
        let s = r.json();
        assert_eq!(s["media_type"], media_type);
        assert_eq!(s["artifact"]["digest"], digest.as_str());
        assert!(s["sbom"].get(check).is_some(), "{s}");
        seen.push(r);
    }
    let r = report(a, &local.id, SBOM, "?sbom_media_type=text/plain");
    assert_eq!(r.status, 400);

    // The credential is in no response.
    for r in &seen {
        let all = format!("{:?} {}", r.headers, r.body);
        assert!(!all.contains(&CREDENTIAL[6..]), "{all}");
    }

    let _ = stop.send(true);
    rt.block_on(async {
        for w in workers {
            let _ = w.await;
        }
        running.stop().await;
    });
}
