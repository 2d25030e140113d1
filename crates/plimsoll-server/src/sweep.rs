//! Rescans (P-E1): results matched against an older advisory database are
//! queued for a re-match of their stored SBOM (no pull), results older than
//! `rescan_interval` for a new read of the image, and with
//! `db_update_interval` the database itself is refreshed here (`plimsoll db
//! update`'s library call). Any number of `serve` processes may sweep: a
//! digest has at most one queued or running job.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use plimsoll_store::{Due, JobSource, NewJob, Store, now_ms};
use plimsoll_vuln::update::{self, UpdateOptions};
use tokio::sync::{Notify, watch};

use crate::log;
use crate::metrics::Metrics;
use crate::worker::ScanContext;

/// When rescans happen.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// How often stale and due results are looked for (a change of the
    /// database file is noticed within a second and swept at once).
    pub every: Duration,
    /// Read every image again when its result is older than this.
    pub rescan_interval: Option<Duration>,
    /// Refresh the advisory database on this schedule.
    pub db_update: Option<DbUpdate>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            every: Duration::from_secs(60),
            rescan_interval: None,
            db_update: None,
        }
    }
}

/// `plimsoll db update` on a schedule.
#[derive(Debug, Clone)]
pub struct DbUpdate {
    pub every: Duration,
    /// The database file the gate reads.
    pub path: PathBuf,
    pub options: UpdateOptions,
}

/// At most this many results are queued per sweep (the rest next time).
const BATCH: i64 = 500;

/// A registry `reference` pinned to `digest` (`host/repo@sha256:…`): a
/// rescan reads the content that was scanned, not what a tag points at now.
/// Other references (local layouts, which only the library API queues) are
/// kept.
pub fn pinned(reference: &str, digest: &str) -> String {
    match plimsoll_oci::ImageRef::parse(reference) {
        Ok(plimsoll_oci::ImageRef::Registry { reference }) => {
            let name = plimsoll_oci::NameRef::parse(&reference).name;
            format!("{name}@{digest}")
        }
        _ => reference.to_string(),
    }
}

/// Sweeps until `shutdown`.
pub async fn run(
    store: Store,
    ctx: Arc<ScanContext>,
    options: SweepOptions,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    if let Some(db) = options.db_update.clone() {
        let rx = shutdown.clone();
        tokio::spawn(update_loop(db, rx));
    }
    // The database file is watched every second (a stat); a change sweeps
    // at once, otherwise a sweep runs every `options.every`.
    let tick = options.every.min(WATCH);
    let mut last: Option<(String, std::time::Instant)> = None;
    loop {
        let built = ctx.gate().database().built;
        let due = match &last {
            Some((b, at)) => *b != built || at.elapsed() >= options.every,
            None => true,
        };
        if due {
            if let Err(e) = sweep_once(&store, &ctx, &options, &metrics, &wake).await {
                log(&format!("rescan sweep: {e}"));
            }
            last = Some((built, std::time::Instant::now()));
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// How often the database file is looked at for a change.
const WATCH: Duration = Duration::from_secs(1);

/// One sweep: how many jobs it queued.
pub async fn sweep_once(
    store: &Store,
    ctx: &ScanContext,
    options: &SweepOptions,
    metrics: &Metrics,
    wake: &Notify,
) -> Result<usize, plimsoll_store::StoreError> {
    let built = ctx.gate().database().built;
    let stale = store.stale_results(&built, BATCH).await?;
    let mut queued = queue(store, &stale, JobSource::Rematch).await?;
    if let Some(interval) = options.rescan_interval {
        let before = now_ms() - interval.as_millis() as i64;
        let due = store.results_before(before, BATCH).await?;
        queued += queue(store, &due, JobSource::Schedule).await?;
    }
    if queued > 0 {
        Metrics::add(&metrics.rescans_queued, queued as u64);
        log(&format!(
            "queued {queued} rescan(s): {} result(s) older than the database built {built}",
            stale.len()
        ));
        wake.notify_waiters();
    }
    Ok(queued)
}

async fn queue(
    store: &Store,
    due: &[Due],
    source: JobSource,
) -> Result<usize, plimsoll_store::StoreError> {
    let mut n = 0;
    for d in due {
        let job = NewJob {
            reference: pinned(&d.reference, &d.digest),
            digest: Some(d.digest.clone()),
            source,
            insecure: d.insecure,
        };
        if !store.enqueue(&job).await?.existing {
            n += 1;
        }
    }
    Ok(n)
}

async fn update_loop(db: DbUpdate, mut shutdown: watch::Receiver<bool>) {
    loop {
        let (path, opts) = (db.path.clone(), db.options.clone());
        let refreshed = tokio::task::spawn_blocking(move || update::refresh(&path, &opts)).await;
        match refreshed {
            Ok(Ok(r)) => match r.rebuilt {
                Some((meta, _)) => log(&format!(
                    "advisory database {} updated (built {}); stale results will be re-matched",
                    db.path.display(),
                    meta.built_at
                )),
                None => log(&format!(
                    "advisory database {}: up to date",
                    db.path.display()
                )),
            },
            Ok(Err(e)) => log(&format!("advisory database update failed: {e}")),
            Err(e) => log(&format!("advisory database update task failed: {e}")),
        }
        tokio::select! {
            _ = tokio::time::sleep(db.every) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pinned;

    const D: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    #[test]
    fn rescans_read_the_scanned_digest() {
        assert_eq!(
            pinned("127.0.0.1:5000/app:1.0", D),
            format!("127.0.0.1:5000/app@{D}")
        );
        assert_eq!(pinned(&format!("h/a/b@{D}"), D), format!("h/a/b@{D}"));
        assert_eq!(pinned("h:5/a:t@sha256:00", D), format!("h:5/a@{D}"));
        assert_eq!(pinned("registry:h/a:1", D), format!("h/a@{D}"));
        assert_eq!(pinned("oci:/x/img:1.0", D), "oci:/x/img:1.0");
    }
}
