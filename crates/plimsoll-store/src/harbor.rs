//! The registry credential of a Harbor scan request (migration 0003,
//! `job_credentials`): written when Harbor's `POST /api/v1/scan` queues the
//! job, read by the worker that claims it (in this process or another one
//! on PostgreSQL), deleted once the job is done or has finally failed.
//!
//! The value is Harbor's `registry.authorization` as sent (`Basic …` or
//! `Bearer …`); nothing here logs it or puts it in an error message.

use sqlx::Row;

use crate::{Store, StoreError, now_ms};

impl Store {
    /// Keeps `authorization` for job `job_id` (a later request for the same
    /// job, deduplicated by digest, replaces it: Harbor's newest credential
    /// is the one still valid).
    pub async fn save_job_credential(
        &self,
        job_id: &str,
        authorization: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO job_credentials (job_id, credential, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (job_id) DO UPDATE SET credential = excluded.credential, created_at = excluded.created_at",
        )
        .bind(job_id)
        .bind(authorization)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The credential kept for job `job_id`, if any.
    pub async fn job_credential(&self, job_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT credential FROM job_credentials WHERE job_id = $1")
            .bind(job_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Deletes the credentials of every job that is no longer queued or
    /// running (done, finally failed, abandoned, or gone); returns how many.
    pub async fn drop_finished_credentials(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM job_credentials WHERE job_id NOT IN
                (SELECT id FROM jobs WHERE state IN ('queued', 'running'))",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::{JobSource, NewJob, Store};

    const D: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    #[tokio::test]
    async fn a_credential_lives_while_its_job_runs_and_a_retry_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("s.db").display());
        let s = Store::open(&url).await.unwrap();
        let job = s
            .enqueue(&NewJob {
                reference: format!("127.0.0.1:5000/app@{D}"),
                digest: Some(D.into()),
                source: JobSource::Harbor,
                insecure: true,
            })
            .await
            .unwrap();
        assert_eq!(s.job_credential(&job.id).await.unwrap(), None);
        s.save_job_credential(&job.id, "Basic b2xkOm9sZA==")
            .await
            .unwrap();
        s.save_job_credential(&job.id, "Bearer new").await.unwrap();
        assert_eq!(
            s.job_credential(&job.id).await.unwrap().as_deref(),
            Some("Bearer new")
        );

        // Queued, then running, then queued again for a retry: kept.
        assert_eq!(s.drop_finished_credentials().await.unwrap(), 0);
        let lease = Duration::from_secs(60);
        s.claim("w", lease).await.unwrap().unwrap();
        assert_eq!(s.drop_finished_credentials().await.unwrap(), 0);
        s.fail(&job.id, "w", "registry down", Some(0))
            .await
            .unwrap();
        assert_eq!(s.drop_finished_credentials().await.unwrap(), 0);
        assert!(s.job_credential(&job.id).await.unwrap().is_some());

        // Finally failed: deleted.
        s.claim("w", lease).await.unwrap().unwrap();
        s.fail(&job.id, "w", "registry down", None).await.unwrap();
        assert_eq!(s.drop_finished_credentials().await.unwrap(), 1);
        assert_eq!(s.job_credential(&job.id).await.unwrap(), None);
    }
}
