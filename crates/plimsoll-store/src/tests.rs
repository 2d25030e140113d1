//! The store on SQLite files in a temporary directory (PostgreSQL runs the
//! same calls in the server's explicit suite).

use std::time::Duration;

use super::*;

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

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

#[tokio::test]
async fn enqueue_dedupes_by_digest_until_the_job_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
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
        inventory: "{}".into(),
        documents: vec![("sarif".into(), "{\"version\":\"2.1.0\"}".into())],
        ..ScanResult::default()
    };
    assert!(s.complete(&claimed.id, "w1", &result).await.unwrap());
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

#[tokio::test]
async fn an_expired_lease_goes_to_another_worker_and_the_first_cannot_finish() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
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
    assert!(!s.complete(&a.id, "dead", &result).await.unwrap());
    assert!(
        s.image(D1).await.unwrap().is_none(),
        "the loser wrote nothing"
    );
    assert!(s.complete(&a.id, "alive", &result).await.unwrap());
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

#[tokio::test]
async fn a_job_abandoned_too_often_is_failed_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
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

#[tokio::test]
async fn a_retry_waits_for_its_backoff_and_a_final_failure_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
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

#[tokio::test]
async fn refs_keep_the_tag_history_and_filter_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
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
        s.complete(&j.id, "w", &result).await.unwrap();
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
