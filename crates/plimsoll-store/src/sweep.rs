//! What is due for a rescan: results made with an older advisory database
//! (re-matched from the stored SBOM) and results older than the schedule.

use sqlx::Row;

use crate::{Store, StoreError};

/// A stored result due for a rescan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub digest: String,
    /// The reference of the last scan.
    pub reference: String,
    /// The registry was reached over plain HTTP last time.
    pub insecure: bool,
}

/// Results with no job queued or running, and whose last rescan of the
/// same kind did not fail since (a failing rescan is not tried again and
/// again; the next push or scan request is).
const IDLE: &str = "NOT EXISTS (SELECT 1 FROM jobs j WHERE j.dedupe_key = i.digest
        AND (j.state IN ('queued', 'running')
             OR (j.state = 'failed' AND j.source = $2 AND j.created_at > i.scanned_at)))";

/// The value a condition compares with.
enum Bound {
    Text(String),
    Int(i64),
}

impl Store {
    /// The stored scan basis of `digest` (what a re-match needs).
    pub async fn basis(&self, digest: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT basis FROM images WHERE digest = $1 AND status = 'scanned'")
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// Scanned results matched against a database built before `built`
    /// (the build time as the database records it; RFC 3339 compares as
    /// text), at most `limit`.
    pub async fn stale_results(&self, built: &str, limit: i64) -> Result<Vec<Due>, StoreError> {
        self.due(
            "(i.database_built IS NULL OR i.database_built < $1)",
            Bound::Text(built.to_string()),
            "rematch",
            limit,
        )
        .await
    }

    /// Scanned results made before `before` (milliseconds since 1970).
    pub async fn results_before(&self, before: i64, limit: i64) -> Result<Vec<Due>, StoreError> {
        self.due("i.scanned_at < $1", Bound::Int(before), "schedule", limit)
            .await
    }

    async fn due(
        &self,
        condition: &str,
        value: Bound,
        source: &str,
        limit: i64,
    ) -> Result<Vec<Due>, StoreError> {
        let sql = format!(
            "SELECT i.digest, i.reference,
                    COALESCE((SELECT MAX(j.insecure) FROM jobs j WHERE j.digest = i.digest), 0) AS insecure
             FROM images i
             WHERE i.status = 'scanned' AND {condition} AND {IDLE}
             ORDER BY i.scanned_at LIMIT {}",
            limit.clamp(1, 10_000)
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match value {
            Bound::Text(t) => query.bind(t),
            Bound::Int(n) => query.bind(n),
        };
        let rows = query.bind(source).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| Due {
                digest: r.get(0),
                reference: r.get(1),
                insecure: r.get::<i64, _>(2) != 0,
            })
            .collect())
    }
}
