//! Webhook deliveries (P-E3): queued with the result that caused them,
//! leased to one process at a time, retried with backoff until delivered or
//! out of attempts. At least once: a delivery whose sender died while
//! sending is leased again when its lease runs out.

use std::time::Duration;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{Backend, Store, StoreError, new_id, now_ms};

/// One event to one webhook URL.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: String,
    pub url: String,
    pub digest: String,
    pub event: String,
    /// The JSON body, signed as sent.
    pub body: String,
    /// pending | delivered | failed
    pub state: String,
    pub attempts: i64,
    pub created_at: i64,
    /// The receiver's last HTTP status.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

const COLUMNS: &str = "id, url, digest, event, body, state, attempts, created_at, last_status, last_error, delivered_at";

fn from_row(row: &AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        digest: row.try_get("digest")?,
        event: row.try_get("event")?,
        body: row.try_get("body")?,
        state: row.try_get("state")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        delivered_at: row.try_get("delivered_at")?,
    })
}

/// Queues one delivery inside the caller's transaction.
pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    url: &str,
    digest: &str,
    event: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO deliveries (id, url, digest, event, body, state, attempts, not_before, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, 0, $6, $6)",
    )
    .bind(new_id())
    .bind(url)
    .bind(digest)
    .bind(event)
    .bind(body)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Leases the oldest due delivery to `sender`: a pending one whose
    /// backoff is over, or one whose sender's lease ran out.
    pub async fn claim_delivery(
        &self,
        sender: &str,
        lease: Duration,
    ) -> Result<Option<Delivery>, StoreError> {
        let now = now_ms();
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
             WHERE id = (SELECT id FROM deliveries
                         WHERE state = 'pending' AND not_before <= $3
                           AND (lease_until IS NULL OR lease_until < $3)
                         ORDER BY created_at LIMIT 1{lock})
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sender)
            .bind(now + lease.as_millis() as i64)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Records the outcome of an attempt by the lease holder: delivered
    /// (`error` None), to be retried at `retry_at`, or failed for good.
    /// False when `sender` no longer holds the lease.
    pub async fn delivery_attempted(
        &self,
        id: &str,
        sender: &str,
        status: Option<u16>,
        error: Option<&str>,
        retry_at: Option<i64>,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let (state, not_before, delivered_at) = match (error, retry_at) {
            (None, _) => ("delivered", 0, Some(now)),
            (Some(_), Some(t)) => ("pending", t, None),
            (Some(_), None) => ("failed", 0, None),
        };
        let done = sqlx::query(
            "UPDATE deliveries SET state = $1, not_before = $2, delivered_at = $3, last_status = $4,
                    last_error = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6
             WHERE id = $7 AND lease_owner = $8 AND state = 'pending'",
        )
        .bind(state)
        .bind(not_before)
        .bind(delivered_at)
        .bind(status.map(i64::from))
        .bind(error)
        .bind(now)
        .bind(id)
        .bind(sender)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every delivery about `digest`, oldest first.
    pub async fn deliveries(&self, digest: &str) -> Result<Vec<Delivery>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM deliveries WHERE digest = $1 ORDER BY created_at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Deliveries by state (pending, delivered, failed), for `/metrics`.
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows =
            sqlx::query("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
