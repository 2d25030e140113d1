//! Counters for `/metrics` (Prometheus text format 0.0.4).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use plimsoll_store::QueueCounts;

/// What the process counted since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    pub scans_passed: AtomicU64,
    pub scans_failed_gate: AtomicU64,
    pub scan_errors: AtomicU64,
    pub scan_retries: AtomicU64,
    /// Sum of scan durations in milliseconds, and their count.
    pub scan_ms_sum: AtomicU64,
    pub scan_count: AtomicU64,
    pub events_received: AtomicU64,
    pub pushes_queued: AtomicU64,
    /// Release tags (X.Y.Z) pushed at another digest than their first.
    pub tags_moved: AtomicU64,
    pub requests_refused: AtomicU64,
    /// Results matched again from their stored SBOM (database updates).
    pub rematches: AtomicU64,
    /// Rescans queued: re-matches after a database update, scheduled reads.
    pub rescans_queued: AtomicU64,
    pub webhooks_delivered: AtomicU64,
    /// Webhook attempts that failed (retried or, at the last, given up).
    pub webhook_errors: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The exposition text, with the queue as the store sees it.
    pub fn render(&self, queue: &QueueCounts) -> String {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut s = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, lines: &[(String, u64)]| {
            let _ = writeln!(s, "# HELP {name} {help}");
            let _ = writeln!(s, "# TYPE {name} {kind}");
            for (labels, v) in lines {
                let _ = writeln!(s, "{name}{labels} {v}");
            }
        };
        metric(
            "plimsoll_queue_jobs",
            "gauge",
            "Jobs in the store by state.",
            &[
                ("{state=\"queued\"}".into(), queue.queued as u64),
                ("{state=\"running\"}".into(), queue.running as u64),
                ("{state=\"done\"}".into(), queue.done as u64),
                ("{state=\"failed\"}".into(), queue.failed as u64),
            ],
        );
        metric(
            "plimsoll_scans_total",
            "counter",
            "Scans finished by this process, by outcome.",
            &[
                ("{outcome=\"passed\"}".into(), g(&self.scans_passed)),
                (
                    "{outcome=\"failed_gate\"}".into(),
                    g(&self.scans_failed_gate),
                ),
                ("{outcome=\"error\"}".into(), g(&self.scan_errors)),
            ],
        );
        metric(
            "plimsoll_scan_retries_total",
            "counter",
            "Scans that failed and were queued again with backoff.",
            &[(String::new(), g(&self.scan_retries))],
        );
        let _ = writeln!(
            s,
            "# HELP plimsoll_scan_duration_seconds Time from claim to stored result.\n# TYPE plimsoll_scan_duration_seconds summary\nplimsoll_scan_duration_seconds_sum {:.3}\nplimsoll_scan_duration_seconds_count {}",
            g(&self.scan_ms_sum) as f64 / 1000.0,
            g(&self.scan_count)
        );
        let mut metric = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        metric(
            "plimsoll_registry_events_total",
            "Registry notification events received.",
            g(&self.events_received),
        );
        metric(
            "plimsoll_pushes_queued_total",
            "Image pushes queued for a scan.",
            g(&self.pushes_queued),
        );
        metric(
            "plimsoll_release_tags_moved_total",
            "Pushes that moved a release tag (X.Y.Z) to another digest (P-D2, TAG001).",
            g(&self.tags_moved),
        );
        metric(
            "plimsoll_requests_refused_total",
            "Requests refused for a missing or wrong token.",
            g(&self.requests_refused),
        );
        metric(
            "plimsoll_rematches_total",
            "Results matched again from their stored SBOM after a database update.",
            g(&self.rematches),
        );
        metric(
            "plimsoll_rescans_queued_total",
            "Rescans queued (database updates and the rescan schedule).",
            g(&self.rescans_queued),
        );
        metric(
            "plimsoll_webhooks_delivered_total",
            "Webhook events delivered (a 2xx answer).",
            g(&self.webhooks_delivered),
        );
        metric(
            "plimsoll_webhook_errors_total",
            "Webhook attempts that failed.",
            g(&self.webhook_errors),
        );
        s
    }
}
