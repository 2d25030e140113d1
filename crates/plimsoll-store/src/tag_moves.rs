//! Release tags that moved (P-D2): a push of `X.Y.Z` with another digest
//! than the tag's first is kept once per (repository, tag, digest), and the
//! event for it queued to every webhook in the same transaction, as a
//! result's gained findings are.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError, deliveries, now_ms};

/// The webhook event a moved release tag sends.
pub const EVENT_TAG_MOVED: &str = "tag.moved";

/// One release tag seen at a new digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagMove {
    pub repository: String,
    pub tag: String,
    /// Where the tag points now.
    pub digest: String,
    /// Where it pointed when first seen, and when (ms since the epoch).
    pub first_digest: String,
    pub first_seen: i64,
    pub seen_at: i64,
}

impl Store {
    /// Records `m` (its `seen_at` set now) unless this move was recorded
    /// before; when new, queues `body` as a `tag.moved` event to each of
    /// `webhooks`. Whether it was new.
    pub async fn record_tag_move(
        &self,
        m: &TagMove,
        webhooks: &[String],
        body: &str,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO tag_moves (repository, tag, digest, first_digest, first_seen, seen_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (repository, tag, digest) DO NOTHING",
        )
        .bind(&m.repository)
        .bind(&m.tag)
        .bind(&m.digest)
        .bind(&m.first_digest)
        .bind(m.first_seen)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            for url in webhooks {
                deliveries::insert(&mut tx, url, &m.digest, EVENT_TAG_MOVED, body, now).await?;
            }
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Moves recorded, newest first, at most `limit`; of one repository
    /// when given.
    pub async fn tag_moves(
        &self,
        repository: Option<&str>,
        limit: i64,
    ) -> Result<Vec<TagMove>, StoreError> {
        let mut sql = String::from(
            "SELECT repository, tag, digest, first_digest, first_seen, seen_at FROM tag_moves",
        );
        if repository.is_some() {
            sql.push_str(" WHERE repository = $1");
        }
        sql.push_str(&format!(
            " ORDER BY seen_at DESC, repository, tag LIMIT {}",
            limit.clamp(1, 10_000)
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(r) = repository {
            q = q.bind(r);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(TagMove {
                    repository: r.try_get("repository")?,
                    tag: r.try_get("tag")?,
                    digest: r.try_get("digest")?,
                    first_digest: r.try_get("first_digest")?,
                    first_seen: r.try_get("first_seen")?,
                    seen_at: r.try_get("seen_at")?,
                })
            })
            .collect()
    }
}
