//! Scan results kept by manifest digest, the tags seen pointing at them, and
//! the work queue, in SQLite (one process, the default) or PostgreSQL (any
//! number of `serve` and `worker` processes) behind one interface.
//!
//! ```text
//! Store::open(url)              migrations applied (versioned, the same for both)
//! enqueue(NewJob)               at most one queued/running job per digest
//! claim(worker, lease)          a job leased to `worker`; an expired lease is
//!                               claimed again (FOR UPDATE SKIP LOCKED on PostgreSQL)
//! renew / complete / fail       only by the lease holder
//! image(digest), images(filter) the latest result per digest, with its refs
//! ```
//!
//! Durability: SQLite runs in WAL mode with `synchronous=FULL`, so a job the
//! server answered 202 for is on disk before the answer (kill -9 included).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, Row};

mod deliveries;
mod sweep;
mod tag_moves;

pub use deliveries::Delivery;
pub use sweep::Due;
pub use tag_moves::{EVENT_TAG_MOVED, TagMove};

/// A store operation failed; the message names the database and the cause.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database URL {0:?}: expected sqlite:PATH or postgres://USER@HOST[:PORT]/NAME (postgresql:// too)"
    )]
    BadUrl(String),
    #[error("cannot create the directory of {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot apply the schema migrations to {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("stored JSON of {digest} is unreadable: {source}")]
    Json {
        digest: String,
        source: serde_json::Error,
    },
}

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The versioned schema, applied at start by every process (PostgreSQL
/// serialises concurrent starts with an advisory lock).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "rematch webhooks",
        include_str!("../migrations/0002_rematch_webhooks.sql"),
    ),
    (3, "harbor", include_str!("../migrations/0003_harbor.sql")),
    (
        4,
        "tag moves",
        include_str!("../migrations/0004_tag_moves.sql"),
    ),
];

/// A job claimed by a worker more often than this without finishing (each
/// claim after a lease ran out is one) is failed instead of retried forever.
pub const MAX_ATTEMPTS: i64 = 5;

/// Where a job came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobSource {
    Registry,
    Api,
    Harbor,
    /// A rescan on the schedule (`rescan_interval`): the image is read again.
    Schedule,
    /// The stored SBOM matched again after a database update; the image is
    /// not read (unless nothing was stored to match).
    Rematch,
}

impl JobSource {
    pub fn as_str(self) -> &'static str {
        match self {
            JobSource::Registry => "registry",
            JobSource::Api => "api",
            JobSource::Harbor => "harbor",
            JobSource::Schedule => "schedule",
            JobSource::Rematch => "rematch",
        }
    }
}

/// A scan to do.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What to pull: `host/repository@sha256:…` or a tag reference.
    pub reference: String,
    /// The manifest digest when the caller knows it (registry events do).
    pub digest: Option<String>,
    pub source: JobSource,
    /// The registry is reached over plain HTTP.
    pub insecure: bool,
}

/// A job as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: String,
    pub reference: String,
    pub digest: Option<String>,
    pub source: String,
    pub insecure: bool,
    /// queued | running | done | failed
    pub state: String,
    pub attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub error: Option<String>,
}

/// What [`Store::enqueue`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enqueued {
    pub id: String,
    /// A queued or running job for the same digest (or reference) existed:
    /// its id is returned and nothing was added.
    pub existing: bool,
}

/// The result of one scan, to keep under its digest.
#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    pub digest: String,
    pub reference: String,
    pub passed: bool,
    pub counts: Counts,
    pub findings: i64,
    pub packages: i64,
    /// The ScanReport JSON.
    pub report: String,
    /// The ScanBasis JSON (for re-matching after a database update).
    pub basis: String,
    /// What fails the gate (vulnerability ids, audit rule ids): a rescan
    /// that adds one notifies the webhooks.
    pub gate_ids: Vec<String>,
    pub database_built: Option<String>,
    pub duration_ms: i64,
    /// Documents rendered from the scan, by kind (sarif, cyclonedx, spdx).
    pub documents: Vec<(String, String)>,
}

/// Vulnerabilities counted by the gate, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    /// negligible and unknown
    pub other: i64,
}

/// One image as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct ImageRow {
    pub digest: String,
    pub reference: String,
    /// scanned | failed
    pub status: String,
    /// passed | failed; None when the scan failed
    pub verdict: Option<String>,
    pub counts: Counts,
    pub findings: i64,
    pub packages: i64,
    pub database_built: Option<String>,
    /// Milliseconds since 1970.
    pub scanned_at: i64,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// repository:tag pairs seen pointing at it (tag "" for a push by digest).
    pub refs: Vec<RefRow>,
}

/// The gate's answer for one digest: what `GET /v1/verdict/{digest}`
/// serves and the admission webhook asks, read by [`Store::verdict`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Verdict {
    pub digest: String,
    /// `passed`, `failed` (the gate failed), `error` (the scan failed),
    /// `pending` (queued or running) or `not_scanned`.
    pub verdict: String,
    /// Milliseconds since 1970, for a scanned image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    /// Why the scan failed (`error`); null for a scanned image.
    #[serde(default, skip_serializing_if = "is_unscanned")]
    pub error: Option<Option<String>>,
    /// Who the image runs as by default, from the stored scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<VerdictUser>,
    /// The image audit's findings in the stored scan (run as root, base
    /// image lineage…), for gates that judge them where the image is used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<VerdictFinding>,
}

/// The image's default user in a stored scan (the report's `image.user`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VerdictUser {
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u64>,
    pub root: bool,
}

impl VerdictUser {
    /// Known to run as a non-root uid.
    pub fn is_known_non_root(&self) -> bool {
        !self.root && self.uid.is_some_and(|u| u != 0)
    }
}

/// One image audit finding of a stored scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VerdictFinding {
    pub code: String,
    pub name: String,
    pub practice: String,
    pub severity: String,
    pub message: String,
}

/// What a verdict reads of a stored report; the rest is skipped unparsed.
#[derive(Default, serde::Deserialize)]
struct ReportFacts {
    #[serde(default)]
    image: ReportImage,
    #[serde(default)]
    audit: ReportAudit,
}

#[derive(Default, serde::Deserialize)]
struct ReportImage {
    #[serde(default)]
    user: Option<VerdictUser>,
}

#[derive(Default, serde::Deserialize)]
struct ReportAudit {
    #[serde(default)]
    findings: Vec<VerdictFinding>,
}

impl ReportFacts {
    /// A report that is absent or not what a scan writes gives no facts
    /// (the verdict and counts still stand).
    fn read(report: Option<&str>) -> ReportFacts {
        report
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default()
    }
}

fn is_unscanned(e: &Option<Option<String>>) -> bool {
    e.is_none()
}

/// A repository (and tag) seen pointing at a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefRow {
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub first_seen: i64,
    pub last_seen: i64,
    /// The tag still points here: no other digest was seen under it later.
    pub current: bool,
}

/// An image with its report (the scan basis, large, is read only by a
/// re-match: [`Store::basis`]).
#[derive(Debug, Clone)]
pub struct ImageRecord {
    pub row: ImageRow,
    pub report: Option<String>,
}

/// What [`Store::complete`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completed {
    /// Entries of the gate ids that the previous result of the digest did
    /// not have (all of them on a first scan).
    pub gained: Vec<String>,
    /// Webhook deliveries queued for them.
    pub deliveries: usize,
}

/// Which images [`Store::images`] lists.
#[derive(Debug, Clone, Default)]
pub struct ImageFilter {
    pub repository: Option<String>,
    pub tag: Option<String>,
    pub limit: Option<i64>,
}

/// Jobs by state, for `/metrics` and `/readyz`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct QueueCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
}

/// The store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL without its password, for messages.
    display: String,
}

/// Milliseconds since 1970.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A random 128-bit id in hex (from the OS's entropy through std's hasher
/// keys, mixed with the time and a counter; ids need to be unique, not secret).
pub fn new_id() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut out = String::with_capacity(32);
    for salt in [0u64, 1] {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.write_i64(now_ms());
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// `url` without the password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_string(),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `url` (`sqlite:PATH`,
    /// `sqlite://PATH` or `postgres://…`) and applies the migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let display = redact_url(url);
        let (backend, connect_url) = if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::BadUrl(display));
            }
            let dir = std::path::Path::new(path).parent();
            if let Some(dir) = dir.filter(|d| path != ":memory:" && !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                    path: path.to_string(),
                    source,
                })?;
            }
            let sep = if path.contains('?') { '&' } else { '?' };
            (Backend::Sqlite, format!("sqlite://{path}{sep}mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::BadUrl(display));
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(30))
            .max_connections(match backend {
                // One writer at a time anyway; a few readers beside it.
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            });
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(&connect_url)
            .await
            .map_err(|source| StoreError::Connect {
                url: display.clone(),
                source,
            })?;
        let migrations = MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    (*description).into(),
                    MigrationType::Simple,
                    sqlx::SqlStr::from_static(sql),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                url: display.clone(),
                source,
            })?;
        Ok(Store {
            pool,
            backend,
            display,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database URL without its password.
    pub fn display_url(&self) -> &str {
        &self.display
    }

    /// SQLite's journal mode (`wal` once opened), for checks.
    pub async fn journal_mode(&self) -> Result<Option<String>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let row = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(row.try_get(0)?))
    }

    /// Answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Queues a scan unless one for the same digest (or, without a digest,
    /// the same reference) is already queued or running.
    pub async fn enqueue(&self, job: &NewJob) -> Result<Enqueued, StoreError> {
        let key = job.digest.clone().unwrap_or_else(|| job.reference.clone());
        let now = now_ms();
        for _ in 0..3 {
            if let Some(id) = self.active_job(&key).await? {
                return Ok(Enqueued { id, existing: true });
            }
            let id = new_id();
            let inserted = sqlx::query(
                "INSERT INTO jobs (id, dedupe_key, reference, digest, source, insecure, state, attempts, not_before, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, 0, $7, $7)",
            )
            .bind(&id)
            .bind(&key)
            .bind(&job.reference)
            .bind(job.digest.as_deref())
            .bind(job.source.as_str())
            .bind(i64::from(job.insecure))
            .bind(now)
            .execute(&self.pool)
            .await;
            match inserted {
                Ok(_) => {
                    return Ok(Enqueued {
                        id,
                        existing: false,
                    });
                }
                // Another process queued the same key between the check and
                // the insert: the unique index refused ours; return theirs.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        match self.active_job(&key).await? {
            Some(id) => Ok(Enqueued { id, existing: true }),
            None => Err(StoreError::Sql(sqlx::Error::Protocol(format!(
                "could not queue a job for {key}: it kept finishing and reappearing"
            )))),
        }
    }

    async fn active_job(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT id FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'running') LIMIT 1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    /// Leases the oldest runnable job to `worker` for `lease`: a queued job
    /// whose backoff is over, or a running job whose lease ran out (its
    /// worker died). A job claimed more than [`MAX_ATTEMPTS`] times is
    /// failed instead and the next one is tried.
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        loop {
            let now = now_ms();
            let until = now + lease.as_millis() as i64;
            let lock = match self.backend {
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                Backend::Sqlite => "",
            };
            let sql = format!(
                "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2,
                        attempts = attempts + 1, updated_at = $3
                 WHERE id = (SELECT id FROM jobs
                             WHERE (state = 'queued' AND not_before <= $3)
                                OR (state = 'running' AND lease_until < $3)
                             ORDER BY created_at LIMIT 1{lock})
                 RETURNING {JOB_COLUMNS}"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(worker)
                .bind(until)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let job = job_from_row(&row)?;
            if job.attempts > MAX_ATTEMPTS {
                let error = format!(
                    "abandoned: claimed {} times and never finished (its workers died or timed out)",
                    MAX_ATTEMPTS
                );
                self.fail(&job.id, worker, &error, None).await?;
                continue;
            }
            return Ok(Some(job));
        }
    }

    /// Extends the lease; false when `worker` no longer holds it (it ran out
    /// and another worker took the job).
    pub async fn renew(&self, id: &str, worker: &str, lease: Duration) -> Result<bool, StoreError> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1, updated_at = $2
             WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keeps `result` as the latest for its digest and marks the job done,
    /// in one transaction. When the result fails the gate on something the
    /// previous result did not, one delivery per URL of `webhooks` is queued
    /// in the same transaction, its body `event(gained)`: a result is never
    /// kept without its events. None (and nothing written) when `worker`
    /// lost the lease meanwhile.
    pub async fn complete(
        &self,
        id: &str,
        worker: &str,
        result: &ScanResult,
        webhooks: &[String],
        event: &(dyn Fn(&[String]) -> String + Send + Sync),
    ) -> Result<Option<Completed>, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = 'done', digest = $1, lease_owner = NULL, lease_until = NULL, updated_at = $2, error = NULL
             WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(&result.digest)
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let previous: Option<String> =
            sqlx::query("SELECT gate_ids FROM images WHERE digest = $1 AND status = 'scanned'")
                .bind(&result.digest)
                .fetch_optional(&mut *tx)
                .await?
                .and_then(|r| r.get(0));
        let previous: Vec<String> = previous
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default();
        let gained: Vec<String> = result
            .gate_ids
            .iter()
            .filter(|id| !previous.contains(id))
            .cloned()
            .collect();
        let gate_ids =
            serde_json::to_string(&result.gate_ids).map_err(|source| StoreError::Json {
                digest: result.digest.clone(),
                source,
            })?;
        let c = result.counts;
        sqlx::query(
            "INSERT INTO images (digest, reference, status, verdict, critical, high, medium, low, other,
                                 findings, packages, report, basis, database_built, scanned_at, duration_ms, error, gate_ids)
             VALUES ($1, $2, 'scanned', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, $16)
             ON CONFLICT (digest) DO UPDATE SET
                reference = excluded.reference, status = excluded.status, verdict = excluded.verdict,
                critical = excluded.critical, high = excluded.high, medium = excluded.medium,
                low = excluded.low, other = excluded.other, findings = excluded.findings,
                packages = excluded.packages, report = excluded.report, basis = excluded.basis,
                database_built = excluded.database_built, scanned_at = excluded.scanned_at,
                duration_ms = excluded.duration_ms, error = NULL, gate_ids = excluded.gate_ids",
        )
        .bind(&result.digest)
        .bind(&result.reference)
        .bind(if result.passed { "passed" } else { "failed" })
        .bind(c.critical)
        .bind(c.high)
        .bind(c.medium)
        .bind(c.low)
        .bind(c.other)
        .bind(result.findings)
        .bind(result.packages)
        .bind(&result.report)
        .bind(&result.basis)
        .bind(result.database_built.as_deref())
        .bind(now)
        .bind(result.duration_ms)
        .bind(&gate_ids)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM documents WHERE digest = $1")
            .bind(&result.digest)
            .execute(&mut *tx)
            .await?;
        for (kind, body) in &result.documents {
            sqlx::query("INSERT INTO documents (digest, kind, body) VALUES ($1, $2, $3)")
                .bind(&result.digest)
                .bind(kind)
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
        let mut completed = Completed {
            gained,
            deliveries: 0,
        };
        if !completed.gained.is_empty() && !webhooks.is_empty() {
            let body = event(&completed.gained);
            for url in webhooks {
                deliveries::insert(&mut tx, url, &result.digest, "gate.gained", &body, now).await?;
                completed.deliveries += 1;
            }
        }
        tx.commit().await?;
        Ok(Some(completed))
    }

    /// A document rendered from the latest scan of `digest` (sarif,
    /// cyclonedx, spdx).
    pub async fn document(&self, digest: &str, kind: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT body FROM documents WHERE digest = $1 AND kind = $2")
            .bind(digest)
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Records that the job failed with `error`: retried at `retry_at`
    /// (milliseconds since 1970) when given, else failed for good, and then
    /// kept as a `failed` result under its digest when the digest is known
    /// and no successful result exists (an earlier good report is kept).
    pub async fn fail(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let (state, not_before) = match retry_at {
            Some(t) => ("queued", t),
            None => ("failed", 0),
        };
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, not_before = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3, error = $4
             WHERE id = $5 AND lease_owner = $6 AND state = 'running'",
        )
        .bind(state)
        .bind(not_before)
        .bind(now)
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if retry_at.is_none() {
            let row = sqlx::query("SELECT digest, reference FROM jobs WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let digest: Option<String> = row.get(0);
            let reference: String = row.get(1);
            if let Some(digest) = digest {
                sqlx::query(
                    "INSERT INTO images (digest, reference, status, scanned_at, error)
                     VALUES ($1, $2, 'failed', $3, $4)
                     ON CONFLICT (digest) DO UPDATE SET error = excluded.error
                     ",
                )
                .bind(&digest)
                .bind(&reference)
                .bind(now)
                .bind(error)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// One job by id.
    pub async fn job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// The queued or running job for `digest`, if any.
    pub async fn pending_for(&self, digest: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE (digest = $1 OR dedupe_key = $1) AND state IN ('queued', 'running')
             ORDER BY created_at LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Jobs by state.
    pub async fn queue_counts(&self) -> Result<QueueCounts, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut c = QueueCounts::default();
        for r in rows {
            let state: String = r.get(0);
            let n: i64 = r.get(1);
            match state.as_str() {
                "queued" => c.queued = n,
                "running" => c.running = n,
                "done" => c.done = n,
                "failed" => c.failed = n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// Records that `repository` (and `tag`, "" for none) pointed at
    /// `digest` now.
    pub async fn record_ref(
        &self,
        repository: &str,
        tag: &str,
        digest: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO refs (repository, tag, digest, first_seen, last_seen) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (repository, tag, digest) DO UPDATE SET last_seen = excluded.last_seen",
        )
        .bind(repository)
        .bind(tag)
        .bind(digest)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every repository and tag seen pointing at `digest`.
    pub async fn refs_of(&self, digest: &str) -> Result<Vec<RefRow>, StoreError> {
        let sql = format!(
            "SELECT {REF_COLUMNS} FROM refs r WHERE r.digest = $1 ORDER BY r.repository, r.tag"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(ref_from_row).collect())
    }

    /// The digests `repository:tag` pointed at, newest first.
    pub async fn tag_history(
        &self,
        repository: &str,
        tag: &str,
    ) -> Result<Vec<RefRow>, StoreError> {
        let sql = format!(
            "SELECT {REF_COLUMNS} FROM refs r WHERE r.repository = $1 AND r.tag = $2 ORDER BY r.last_seen DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(repository)
            .bind(tag)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(ref_from_row).collect())
    }

    /// The first digest `repository:tag` was seen with (what a release tag
    /// must keep, P-D2), if it was seen.
    pub async fn first_sighting(
        &self,
        repository: &str,
        tag: &str,
    ) -> Result<Option<RefRow>, StoreError> {
        Ok(self
            .tag_history(repository, tag)
            .await?
            .into_iter()
            .min_by_key(|r| r.first_seen))
    }

    /// The latest result's summary for `digest`: one row, without the
    /// documents and refs (the verdict endpoint and every push ask this).
    pub async fn summary(&self, digest: &str) -> Result<Option<ImageRow>, StoreError> {
        let sql = format!("SELECT {IMAGE_COLUMNS} FROM images WHERE digest = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(image_from_row))
    }

    /// The gate's verdict for `digest`: the latest result's, else whether a
    /// scan is pending. One summary row and at most one job lookup: the
    /// admission path's hot read.
    pub async fn verdict(&self, digest: &str) -> Result<Verdict, StoreError> {
        let sql = format!("SELECT {IMAGE_COLUMNS}, report FROM images WHERE digest = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => {
                let row = image_from_row(&r);
                let facts = ReportFacts::read(r.get::<Option<String>, _>("report").as_deref());
                Verdict {
                    digest: digest.to_string(),
                    verdict: match (row.status.as_str(), row.verdict.as_deref()) {
                        ("scanned", Some(v)) => v.to_string(),
                        _ => "error".to_string(),
                    },
                    scanned_at: Some(row.scanned_at),
                    counts: Some(row.counts),
                    error: Some(row.error),
                    user: facts.image.user,
                    findings: facts.audit.findings,
                }
            }
            None => Verdict {
                digest: digest.to_string(),
                verdict: match self.pending_for(digest).await? {
                    Some(_) => "pending",
                    None => "not_scanned",
                }
                .to_string(),
                scanned_at: None,
                counts: None,
                error: None,
                user: None,
                findings: Vec::new(),
            },
        })
    }

    /// The latest result for `digest`, with its documents.
    pub async fn image(&self, digest: &str) -> Result<Option<ImageRecord>, StoreError> {
        let sql = format!("SELECT {IMAGE_COLUMNS}, report FROM images WHERE digest = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut image = image_from_row(&row);
        image.refs = self.refs_of(digest).await?;
        Ok(Some(ImageRecord {
            row: image,
            report: row.get("report"),
        }))
    }

    /// Images, newest scan first, optionally those a repository (and tag)
    /// pointed at.
    pub async fn images(&self, filter: &ImageFilter) -> Result<Vec<ImageRow>, StoreError> {
        let limit = filter.limit.unwrap_or(500).clamp(1, 10_000);
        let mut sql = format!("SELECT {IMAGE_COLUMNS} FROM images i");
        let mut binds = Vec::new();
        if filter.repository.is_some() || filter.tag.is_some() {
            sql.push_str(" WHERE EXISTS (SELECT 1 FROM refs r WHERE r.digest = i.digest");
            if let Some(repo) = &filter.repository {
                binds.push(repo.clone());
                sql.push_str(&format!(" AND r.repository = ${}", binds.len()));
            }
            if let Some(tag) = &filter.tag {
                binds.push(tag.clone());
                sql.push_str(&format!(" AND r.tag = ${}", binds.len()));
            }
            sql.push(')');
        }
        sql.push_str(&format!(" ORDER BY scanned_at DESC LIMIT {limit}"));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b.clone());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut out: Vec<ImageRow> = rows.iter().map(image_from_row).collect();
        // The refs of every listed image in one query (not one per image).
        if !out.is_empty() {
            let placeholders: Vec<String> = (1..=out.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {REF_COLUMNS} FROM refs r WHERE r.digest IN ({}) ORDER BY r.repository, r.tag",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for image in &out {
                query = query.bind(image.digest.clone());
            }
            let mut by_digest: std::collections::HashMap<String, Vec<RefRow>> =
                std::collections::HashMap::new();
            for row in query.fetch_all(&self.pool).await? {
                let r = ref_from_row(&row);
                by_digest.entry(r.digest.clone()).or_default().push(r);
            }
            for image in &mut out {
                image.refs = by_digest.remove(&image.digest).unwrap_or_default();
            }
        }
        Ok(out)
    }
}

/// A ref's columns, `current` computed: the newest digest seen under its tag.
const REF_COLUMNS: &str = "r.repository, r.tag, r.digest, r.first_seen, r.last_seen,
    CAST(CASE WHEN r.last_seen >= (SELECT MAX(x.last_seen) FROM refs x
                                  WHERE x.repository = r.repository AND x.tag = r.tag)
         THEN 1 ELSE 0 END AS BIGINT) AS current";

const JOB_COLUMNS: &str =
    "id, reference, digest, source, insecure, state, attempts, created_at, updated_at, error";

const IMAGE_COLUMNS: &str = "digest, reference, status, verdict, critical, high, medium, low, other, findings, packages, database_built, scanned_at, duration_ms, error";

fn job_from_row(row: &AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        digest: row.try_get("digest")?,
        source: row.try_get("source")?,
        insecure: row.try_get::<i64, _>("insecure")? != 0,
        state: row.try_get("state")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        error: row.try_get("error")?,
    })
}

fn image_from_row(row: &AnyRow) -> ImageRow {
    ImageRow {
        digest: row.get("digest"),
        reference: row.get("reference"),
        status: row.get("status"),
        verdict: row.get("verdict"),
        counts: Counts {
            critical: row.get("critical"),
            high: row.get("high"),
            medium: row.get("medium"),
            low: row.get("low"),
            other: row.get("other"),
        },
        findings: row.get("findings"),
        packages: row.get("packages"),
        database_built: row.get("database_built"),
        scanned_at: row.get("scanned_at"),
        duration_ms: row.get("duration_ms"),
        error: row.get("error"),
        refs: Vec::new(),
    }
}

fn ref_from_row(row: &AnyRow) -> RefRow {
    RefRow {
        repository: row.get(0),
        tag: row.get(1),
        digest: row.get(2),
        first_seen: row.get(3),
        last_seen: row.get(4),
        current: row.get::<i64, _>(5) != 0,
    }
}

mod harbor;

#[cfg(test)]
mod tests;
