//! The store on SQLite files in a temporary directory, and the same tests
//! on a real PostgreSQL (`*_postgres`, ignored: the explicit suite runs them
//! with `cargo test -p plimsoll-store -- --ignored`).

use std::time::Duration;

use super::*;

/// Runs `$test(store)` on SQLite, and (explicit suite) on PostgreSQL.
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {
        mod both {
            $(
                mod $test {
                    #[tokio::test]
                    async fn sqlite() {
                        let dir = tempfile::tempdir().unwrap();
                        super::super::$test(super::super::store(&dir).await).await;
                    }

                    #[tokio::test]
                    #[ignore = "explicit suite: needs PostgreSQL (scripts/test-all.sh)"]
                    async fn postgres() {
                        let pg = plimsoll_testkit::postgres::Postgres::start();
                        let s = super::super::Store::open(&pg.url()).await.unwrap();
                        super::super::$test(s).await;
                    }
                }
            )*
        }
    };
}

async fn store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite:{}", dir.path().join("sub/plimsoll.db").display());
    Store::open(&url).await.expect("open")
}

fn job(digest: &str) -> NewJob {
    NewJob {
        reference: format!("127.0.0.1:5000/app@{digest}"),
        digest: Some(digest.to_string()),
        source: JobSource::Registry,
        insecure: true,
    }
}

/// Completes a job without webhooks; whether the worker held the lease.
async fn finish(s: &Store, id: &str, worker: &str, result: &ScanResult) -> bool {
    s.complete(id, worker, result, &[], &|_| String::new())
        .await
        .unwrap()
        .is_some()
}

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

async fn enqueue_dedupes_by_digest_until_the_job_finishes(s: Store) {
    let a = s.enqueue(&job(D1)).await.unwrap();
    assert!(!a.existing);
    let b = s.enqueue(&job(D1)).await.unwrap();
    assert_eq!(
        b,
        Enqueued {
            id: a.id.clone(),
            existing: true
        }
    );
    let other = s.enqueue(&job(D2)).await.unwrap();
    assert_ne!(other.id, a.id);

    let claimed = s
        .claim("w1", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, a.id, "oldest first");
    assert_eq!(claimed.attempts, 1);
    // Still running: a new push of the same digest joins it.
    assert!(s.enqueue(&job(D1)).await.unwrap().existing);
    let result = ScanResult {
        digest: D1.into(),
        reference: claimed.reference.clone(),
        passed: true,
        report: "{}".into(),
        basis: "{}".into(),
        documents: vec![("sarif".into(), "{\"version\":\"2.1.0\"}".into())],
        ..ScanResult::default()
    };
    assert!(finish(&s, &claimed.id, "w1", &result).await);
    assert!(
        s.document(D1, "sarif")
            .await
            .unwrap()
            .unwrap()
            .contains("2.1.0")
    );
    assert_eq!(s.document(D1, "spdx").await.unwrap(), None);
    // Done: a later push is a new scan.
    assert!(!s.enqueue(&job(D1)).await.unwrap().existing);
    let counts = s.queue_counts().await.unwrap();
    assert_eq!((counts.queued, counts.running, counts.done), (2, 0, 1));
}

async fn an_expired_lease_goes_to_another_worker_and_the_first_cannot_finish(s: Store) {
    let a = s.enqueue(&job(D1)).await.unwrap();
    let first = s
        .claim("dead", Duration::from_millis(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.id, a.id);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = s
        .claim("alive", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.id, a.id);
    assert_eq!(second.attempts, 2);
    assert!(
        !s.renew(&a.id, "dead", Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert!(
        s.renew(&a.id, "alive", Duration::from_secs(60))
            .await
            .unwrap()
    );
    let result = ScanResult {
        digest: D1.into(),
        reference: second.reference.clone(),
        ..ScanResult::default()
    };
    assert!(!finish(&s, &a.id, "dead", &result).await);
    assert!(
        s.image(D1).await.unwrap().is_none(),
        "the loser wrote nothing"
    );
    assert!(finish(&s, &a.id, "alive", &result).await);
    assert_eq!(
        s.image(D1).await.unwrap().unwrap().row.verdict.as_deref(),
        Some("failed")
    );
    // Nothing left to claim; a live lease is not stolen.
    assert!(
        s.claim("third", Duration::from_secs(60))
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_job_abandoned_too_often_is_failed_with_a_reason(s: Store) {
    let a = s.enqueue(&job(D1)).await.unwrap();
    for i in 0..MAX_ATTEMPTS {
        let j = s
            .claim(&format!("w{i}"), Duration::from_millis(1))
            .await
            .unwrap();
        assert!(j.is_some(), "attempt {i}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        s.claim("last", Duration::from_secs(60))
            .await
            .unwrap()
            .is_none()
    );
    let j = s.job(&a.id).await.unwrap().unwrap();
    assert_eq!(j.state, "failed");
    assert!(j.error.unwrap().contains("abandoned"));
    let image = s.image(D1).await.unwrap().unwrap();
    assert_eq!(image.row.status, "failed");
}

async fn a_retry_waits_for_its_backoff_and_a_final_failure_is_kept(s: Store) {
    let a = s.enqueue(&job(D1)).await.unwrap();
    let j = s
        .claim("w", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert!(
        s.fail(&j.id, "w", "registry down", Some(now_ms() + 60_000))
            .await
            .unwrap()
    );
    assert!(
        s.claim("w", Duration::from_secs(60))
            .await
            .unwrap()
            .is_none(),
        "backoff"
    );
    assert_eq!(s.job(&a.id).await.unwrap().unwrap().state, "queued");
    assert!(
        s.image(D1).await.unwrap().is_none(),
        "a retry is not a result"
    );

    let b = s.enqueue(&job(D2)).await.unwrap();
    let j = s
        .claim("w", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(j.id, b.id);
    assert!(s.fail(&j.id, "w", "manifest unknown", None).await.unwrap());
    let image = s.image(D2).await.unwrap().unwrap();
    assert_eq!(
        (image.row.status.as_str(), image.row.error.as_deref()),
        ("failed", Some("manifest unknown"))
    );
    assert_eq!(image.row.verdict, None);
}

async fn refs_keep_the_tag_history_and_filter_the_list(s: Store) {
    for (d, passed) in [(D1, true), (D2, false)] {
        s.enqueue(&job(d)).await.unwrap();
        let j = s
            .claim("w", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        let result = ScanResult {
            digest: d.into(),
            reference: j.reference.clone(),
            passed,
            counts: Counts {
                high: 2,
                ..Counts::default()
            },
            ..ScanResult::default()
        };
        finish(&s, &j.id, "w", &result).await;
    }
    s.record_ref("app", "1.0", D1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(3)).await;
    s.record_ref("app", "1.0", D2).await.unwrap(); // the tag moved
    s.record_ref("other", "", D2).await.unwrap();
    let history = s.tag_history("app", "1.0").await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|r| r.digest.as_str())
            .collect::<Vec<_>>(),
        [D2, D1]
    );
    let current: Vec<bool> = history.iter().map(|r| r.current).collect();
    assert_eq!(current, [true, false], "the tag moved to D2");
    let all = s.images(&ImageFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
    let other = s
        .images(&ImageFilter {
            repository: Some("other".into()),
            ..ImageFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].digest, D2);
    assert_eq!(other[0].counts.high, 2);
    assert_eq!(other[0].refs.len(), 2);
    let tagged = s
        .images(&ImageFilter {
            repository: Some("app".into()),
            tag: Some("1.0".into()),
            limit: None,
        })
        .await
        .unwrap();
    assert_eq!(tagged.len(), 2);
}

#[tokio::test]
async fn reopening_applies_no_migration_twice_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let a = store(&dir).await.enqueue(&job(D1)).await.unwrap();
    let s = store(&dir).await;
    assert_eq!(s.job(&a.id).await.unwrap().unwrap().state, "queued");
    assert_eq!(s.backend(), Backend::Sqlite);
    assert_eq!(
        s.journal_mode().await.unwrap().as_deref(),
        Some("wal"),
        "durable and concurrent"
    );
}

#[tokio::test]
async fn bad_urls_are_named() {
    let e = Store::open("mysql://u:secret@h/db")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected sqlite:PATH"), "{e}");
    assert!(!e.contains("secret"), "{e}");
    assert_eq!(
        redact_url("postgres://u:pw@h:5/d"),
        "postgres://u:***@h:5/d"
    );
    assert_eq!(redact_url("sqlite:/x"), "sqlite:/x");
}

/// Scans `digest` to a result failing the gate on `gate_ids`, with webhooks.
async fn scan_with(s: &Store, digest: &str, gate_ids: &[&str], hooks: &[String]) -> Completed {
    s.enqueue(&job(digest)).await.unwrap();
    let j = s
        .claim("w", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let result = ScanResult {
        digest: digest.into(),
        reference: j.reference.clone(),
        passed: gate_ids.is_empty(),
        gate_ids: gate_ids.iter().map(|g| g.to_string()).collect(),
        database_built: Some("2026-01-01T00:00:00Z".into()),
        ..ScanResult::default()
    };
    s.complete(&j.id, "w", &result, hooks, &|gained| {
        serde_json::json!({"gained": gained}).to_string()
    })
    .await
    .unwrap()
    .unwrap()
}

async fn a_gained_gate_finding_queues_one_delivery_per_webhook_with_the_result(s: Store) {
    let hooks = vec![
        "http://127.0.0.1:1/a".to_string(),
        "http://127.0.0.1:1/b".to_string(),
    ];
    let first = scan_with(&s, D1, &["CVE-1"], &hooks).await;
    assert_eq!(first.gained, ["CVE-1"]);
    assert_eq!(first.deliveries, 2);
    // The same findings again: nothing gained, nothing sent.
    let again = scan_with(&s, D1, &["CVE-1"], &hooks).await;
    assert_eq!(again, Completed::default());
    // A new one after a rescan is gained; one that went away is not news.
    let more = scan_with(&s, D1, &["CVE-2"], &hooks).await;
    assert_eq!(more.gained, ["CVE-2"]);
    // A clean image sends nothing.
    assert_eq!(scan_with(&s, D2, &[], &hooks).await, Completed::default());
    let sent = s.deliveries(D1).await.unwrap();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|d| d.state == "pending"));
    assert!(sent[0].body.contains("CVE-1") && sent[3].body.contains("CVE-2"));
    assert_eq!(
        s.delivery_counts().await.unwrap(),
        [("pending".to_string(), 4)]
    );
}

async fn deliveries_are_leased_retried_and_finished_by_their_sender_only(s: Store) {
    scan_with(&s, D1, &["CVE-1"], &["http://127.0.0.1:1/hook".to_string()]).await;
    let lease = Duration::from_secs(60);
    let d = s.claim_delivery("a", lease).await.unwrap().unwrap();
    assert_eq!(d.attempts, 1);
    assert!(
        s.claim_delivery("b", lease).await.unwrap().is_none(),
        "leased"
    );
    // A failed attempt is retried once its backoff is over.
    let soon = now_ms() + 30;
    assert!(
        s.delivery_attempted(&d.id, "a", Some(503), Some("HTTP 503"), Some(soon))
            .await
            .unwrap()
    );
    assert!(
        s.claim_delivery("b", lease).await.unwrap().is_none(),
        "backing off"
    );
    tokio::time::sleep(Duration::from_millis(40)).await;
    let d2 = s
        .claim_delivery("b", Duration::from_millis(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((d2.id.as_str(), d2.attempts), (d.id.as_str(), 2));
    assert_eq!(d2.last_status, Some(503));
    // b died while sending: its lease runs out and c sends it.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let d3 = s.claim_delivery("c", lease).await.unwrap().unwrap();
    assert_eq!(d3.attempts, 3);
    assert!(
        !s.delivery_attempted(&d.id, "b", Some(200), None, None)
            .await
            .unwrap()
    );
    assert!(
        s.delivery_attempted(&d.id, "c", Some(204), None, None)
            .await
            .unwrap()
    );
    let done = &s.deliveries(D1).await.unwrap()[0];
    assert_eq!(done.state, "delivered");
    assert!(done.delivered_at.is_some());
    assert!(s.claim_delivery("c", lease).await.unwrap().is_none());
}

async fn stale_and_old_results_are_due_once(s: Store) {
    scan_with(&s, D1, &[], &[]).await;
    let due = s.stale_results("2026-06-01T00:00:00Z", 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].digest, D1);
    assert!(due[0].insecure, "as the last job reached the registry");
    assert!(
        s.stale_results("2025-06-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty(),
        "newer than that"
    );
    assert_eq!(
        s.results_before(now_ms() + 1000, 10).await.unwrap().len(),
        1
    );
    assert!(
        s.results_before(now_ms() - 60_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Queued for a rematch: not due again while the job is active.
    s.enqueue(&NewJob {
        source: JobSource::Rematch,
        ..job(D1)
    })
    .await
    .unwrap();
    assert!(
        s.stale_results("2026-06-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The rematch failed for good: not tried again until the next scan.
    let j = s
        .claim("w", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert!(s.fail(&j.id, "w", "no basis", None).await.unwrap());
    assert!(
        s.stale_results("2026-06-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.results_before(now_ms() + 1000, 10).await.unwrap().len(),
        1,
        "a scheduled rescan is another kind"
    );
    assert_eq!(
        s.image(D1).await.unwrap().unwrap().row.status,
        "scanned",
        "the good result is kept"
    );
}

async fn a_moved_release_tag_is_kept_once_and_queues_its_event(s: Store) {
    let m = crate::TagMove {
        repository: "reg/app".into(),
        tag: "1.0.0".into(),
        digest: D2.into(),
        first_digest: D1.into(),
        first_seen: 5,
        seen_at: 0,
    };
    let hooks = [
        "http://127.0.0.1:9/a".to_string(),
        "http://127.0.0.1:9/b".into(),
    ];
    assert!(
        s.record_tag_move(&m, &hooks, "{\"event\":\"tag.moved\"}")
            .await
            .unwrap()
    );
    // The same move notified again (a retried notification): not again.
    assert!(!s.record_tag_move(&m, &hooks, "{}").await.unwrap());
    let deliveries = s.deliveries(D2).await.unwrap();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert!(deliveries.iter().all(|d| d.event == crate::EVENT_TAG_MOVED));
    let other = crate::TagMove {
        repository: "reg/other".into(),
        ..m.clone()
    };
    assert!(s.record_tag_move(&other, &[], "{}").await.unwrap());
    let all = s.tag_moves(None, 100).await.unwrap();
    assert_eq!(all.len(), 2);
    let one = s.tag_moves(Some("reg/app"), 100).await.unwrap();
    assert_eq!(
        (one.len(), one[0].first_digest.as_str(), one[0].first_seen),
        (1, D1, 5)
    );
    assert!(one[0].seen_at > 0);
}

on_both!(
    a_moved_release_tag_is_kept_once_and_queues_its_event,
    enqueue_dedupes_by_digest_until_the_job_finishes,
    an_expired_lease_goes_to_another_worker_and_the_first_cannot_finish,
    a_job_abandoned_too_often_is_failed_with_a_reason,
    a_retry_waits_for_its_backoff_and_a_final_failure_is_kept,
    refs_keep_the_tag_history_and_filter_the_list,
    a_gained_gate_finding_queues_one_delivery_per_webhook_with_the_result,
    deliveries_are_leased_retried_and_finished_by_their_sender_only,
    stale_and_old_results_are_due_once
);
