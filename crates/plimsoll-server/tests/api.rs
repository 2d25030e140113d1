//! The server in-process over real HTTP on loopback, with a SQLite store in
//! a temporary directory: authentication, bad input, a real scan by a
//! worker through the library, the stored result through every read
//! endpoint and the page, and a registry that cannot be reached.

use std::path::Path;
use std::time::{Duration, Instant};

use plimsoll_store::{JobSource, NewJob, Store};
use plimsoll_testkit::http::{get, post_json, request};
use plimsoll_testkit::*;
use serde_json::{Value, json};

mod common;
use common::TOKEN;

/// Debian 12 with a vulnerable glibc, running as root.
fn image(root: &Path) -> String {
    Layout::new(&root.join("img")).add(&debian_glibc_image("2.36-9+deb12u1", None), "1.0");
    format!("oci:{}:1.0", root.join("img").display())
}

/// A server on a free loopback port with a SQLite store under `root`.
fn serve(
    root: &Path,
    read_requires_token: bool,
    workers: usize,
    registries: &[&str],
) -> (tokio::runtime::Runtime, Store, plimsoll_server::Running) {
    let options = common::options(|o| {
        o.read_requires_token = read_requires_token;
        o.workers = workers;
        o.registries = registries.iter().map(|r| r.to_string()).collect();
    });
    common::serve(root, common::context(root), options)
}

fn wait_for(what: &str, mut f: impl FnMut() -> Option<Value>) -> Value {
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

#[test]
fn the_server_scans_keeps_and_shows_results() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = image(tmp.path());
    let (rt, store, running) = serve(tmp.path(), false, 1, &[]);
    let addr = running.addr.to_string();
    let a = addr.as_str();

    assert_eq!(get(a, "/healthz", None).status, 200);
    assert_eq!(get(a, "/readyz", None).status, 200);

    // Writes need the token.
    let r = post_json(
        a,
        "/v1/scans",
        None,
        &json!({"reference": "127.0.0.1:1/x:1"}),
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().contains("Bearer"));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("token")
    );
    let r = post_json(
        a,
        "/v1/scans",
        Some("wrong-token-0123456789"),
        &json!({"reference": "a/b:1"}),
    );
    assert_eq!(r.status, 401);
    let r = request(
        a,
        "POST",
        "/v1/registry/events",
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(r.status, 401);
    assert!(!r.body.contains(TOKEN));

    // Bad input is named.
    let r = post_json(
        a,
        "/v1/scans",
        Some(TOKEN),
        &json!({"reference": format!("oci:{}", tmp.path().display())}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("registry images only"), "{}", r.body);
    let r = post_json(a, "/v1/scans", Some(TOKEN), &json!({"ref": "a/b:1"}));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("unknown field"), "{}", r.body);
    let auth = format!("Bearer {TOKEN}");
    let r = request(
        a,
        "POST",
        "/v1/registry/events",
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        b"{}",
    );
    assert_eq!(r.status, 415);
    let r = request(
        a,
        "POST",
        "/v1/registry/events",
        &[
            ("Authorization", &auth),
            (
                "Content-Type",
                "application/vnd.docker.distribution.events.v1+json",
            ),
        ],
        b"{\"events\": 3}",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("envelope"), "{}", r.body);
    let big = vec![b' '; 100 * 1024];
    let r = request(
        a,
        "POST",
        "/v1/registry/events",
        &[("Authorization", &auth)],
        &big,
    );
    assert_eq!(r.status, 413, "bodies are capped");
    assert_eq!(get(a, "/v1/images/sha256:zz", None).status, 400);
    let unknown = format!("sha256:{}", "0".repeat(64));
    assert_eq!(get(a, &format!("/v1/images/{unknown}"), None).status, 404);
    assert_eq!(
        get(a, &format!("/v1/verdict/{unknown}"), None).json()["verdict"],
        "not_scanned"
    );

    // A real scan through the library: a local layout, queued through the
    // store (the HTTP API takes registry images only).
    let queued = rt
        .block_on(store.enqueue(&NewJob {
            reference: reference.clone(),
            digest: None,
            source: JobSource::Api,
            insecure: false,
        }))
        .unwrap();
    let job = wait_for("the scan", || {
        let j = get(a, &format!("/v1/scans/{}", queued.id), None).json();
        matches!(j["state"].as_str(), Some("done" | "failed")).then_some(j)
    });
    assert_eq!(job["state"], "done", "{job}");
    let digest = job["digest"].as_str().unwrap().to_string();
    let r = get(a, &format!("/v1/images/{digest}"), None);
    assert_eq!(r.status, 200);
    let img = r.json();
    assert_eq!(img["status"], "scanned");
    assert_eq!(
        img["verdict"], "failed",
        "a high glibc vulnerability fails the gate"
    );
    let report = &img["report"];
    assert_eq!(report["image"]["digest"], digest.as_str());
    let ids: Vec<&str> = report["vulnerabilities"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.iter()
            .any(|i| i.contains("DSA-5514-1") || i.contains("CVE-2023-4911")),
        "{ids:?}"
    );
    let v = get(a, &format!("/v1/verdict/{digest}"), None).json();
    assert_eq!(v["verdict"], "failed");
    assert_eq!(v["counts"]["high"], 1, "{v}");
    let sarif = get(a, &format!("/v1/images/{digest}/sarif"), None);
    assert_eq!(sarif.header("content-type"), Some("application/sarif+json"));
    assert_eq!(sarif.json()["version"], "2.1.0");
    let spdx = get(a, &format!("/v1/images/{digest}/sbom?format=spdx"), None).json();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    let cdx = get(a, &format!("/v1/images/{digest}/sbom"), None).json();
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    assert!(!cdx["vulnerabilities"].as_array().unwrap().is_empty());
    assert_eq!(
        get(a, &format!("/v1/images/{digest}/sbom?format=xml"), None).status,
        400
    );
    let list = get(a, "/v1/images", None).json();
    assert_eq!(list["images"].as_array().unwrap().len(), 1);

    // The page shows what a person looks for.
    let page = get(a, "/", None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&digest[..19]), "{}", page.body);
    let detail = get(a, &format!("/images/{digest}"), None).body;
    assert!(
        detail.contains(&digest) && detail.contains("glibc"),
        "{detail}"
    );
    assert!(
        detail.contains("IMG001") || detail.contains("runs-as-root"),
        "{detail}"
    );

    // A push notification for a registry that is down: retried, then a
    // failed result naming the registry; the queue goes on.
    let down = format!("sha256:{}", "ab".repeat(32));
    let event = json!({"events": [{
        "id": "ev-1", "action": "push",
        "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": down,
                   "repository": "team/app", "tag": "2.0",
                   "url": format!("http://127.0.0.1:1/v2/team/app/manifests/{down}")},
        "request": {"host": "127.0.0.1:1"}
    }, {"id": "ev-2", "action": "push", "target": {"mediaType": "application/octet-stream",
        "digest": down, "repository": "team/app"}}]});
    let r = post_json(a, "/v1/registry/events", Some(TOKEN), &event);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.json()["queued"].as_u64(), r.json()["ignored"].as_u64()),
        (Some(1), Some(1))
    );
    let v = wait_for("the failed scan", || {
        let v = get(a, &format!("/v1/verdict/{down}"), None).json();
        (v["verdict"] == "error").then_some(v)
    });
    assert!(v["error"].as_str().unwrap().contains("127.0.0.1:1"), "{v}");
    let listed = get(
        a,
        "/v1/images?repository=127.0.0.1:1/team/app&tag=2.0",
        None,
    )
    .json();
    assert_eq!(listed["images"][0]["digest"], down.as_str());

    let metrics = get(a, "/metrics", None).body;
    assert!(
        metrics.contains("plimsoll_scans_total{outcome=\"failed_gate\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("plimsoll_scans_total{outcome=\"error\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("plimsoll_scan_retries_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("plimsoll_requests_refused_total 3"),
        "{metrics}"
    );
    // A release tag pushed again at other content (P-D2): recorded once,
    // however often the registry repeats the notification.
    let moved = format!("sha256:{}", "cd".repeat(32));
    let push = |digest: &str, id: &str| {
        json!({"events": [{
            "id": id, "action": "push",
            "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                       "repository": "team/app", "tag": "2.0.1",
                       "url": format!("http://127.0.0.1:1/v2/team/app/manifests/{digest}")},
            "request": {"host": "127.0.0.1:1"}
        }]})
    };
    assert_eq!(
        post_json(a, "/v1/registry/events", Some(TOKEN), &push(&down, "ev-3")).status,
        200
    );
    for id in ["ev-4", "ev-5"] {
        let r = post_json(a, "/v1/registry/events", Some(TOKEN), &push(&moved, id));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let moves = get(a, "/v1/tags/moves?repository=127.0.0.1:1/team/app", None).json();
    let list = moves["moves"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{moves}");
    assert_eq!(
        (
            list[0]["tag"].as_str(),
            list[0]["digest"].as_str(),
            list[0]["first_digest"].as_str()
        ),
        (Some("2.0.1"), Some(moved.as_str()), Some(down.as_str()))
    );
    // "2.0" moving is what a line tag does: not a move to record.
    assert_eq!(
        get(a, "/v1/tags/moves?repository=other/repo", None).json()["moves"],
        json!([])
    );

    let metrics = get(a, "/metrics", None).body;
    assert!(
        metrics.contains("plimsoll_release_tags_moved_total 1"),
        "{metrics}"
    );
    rt.block_on(running.stop());
}

#[test]
fn reads_can_require_the_token() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, _store, running) = serve(tmp.path(), true, 0, &["registry.internal:5000"]);
    let a = running.addr.to_string();
    assert_eq!(get(&a, "/", None).status, 401);
    assert_eq!(get(&a, "/v1/images", None).status, 401);
    assert_eq!(get(&a, "/v1/images", Some(TOKEN)).status, 200);
    assert_eq!(get(&a, "/", Some(TOKEN)).status, 200);
    assert_eq!(get(&a, "/healthz", None).status, 200, "probes stay open");

    // Only the listed registries: an event or a request cannot point the
    // server at another host.
    let r = post_json(
        &a,
        "/v1/scans",
        Some(TOKEN),
        &json!({"reference": "127.0.0.1:1/x:1"}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("[serve] registries"), "{}", r.body);
    let r = post_json(
        &a,
        "/v1/scans",
        Some(TOKEN),
        &json!({"reference": "alpine:3"}),
    );
    assert_eq!(r.status, 422, "docker.io is not listed either: {}", r.body);
    let r = post_json(
        &a,
        "/v1/scans",
        Some(TOKEN),
        &json!({"reference": "registry.internal:5000/team/app:1"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let digest = format!("sha256:{}", "cd".repeat(32));
    let event = |host: &str| {
        json!({"events": [{"id": "e", "action": "push",
            "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest,
                       "repository": "team/app", "url": format!("https://{host}/v2/team/app/manifests/{digest}")}}]})
    };
    let r = post_json(
        &a,
        "/v1/registry/events",
        Some(TOKEN),
        &event("evil.example:443"),
    )
    .json();
    assert_eq!(
        (r["queued"].as_u64(), r["not_allowed"].as_u64()),
        (Some(0), Some(1)),
        "{r}"
    );
    let r = post_json(
        &a,
        "/v1/registry/events",
        Some(TOKEN),
        &event("registry.internal:5000"),
    )
    .json();
    assert_eq!(r["queued"], 1, "{r}");
    rt.block_on(running.stop());
}
