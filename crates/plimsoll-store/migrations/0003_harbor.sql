-- Harbor's scan requests (the pluggable scanner adapter API): the
-- Authorization Harbor sends for its registry, kept only while the job is
-- queued or running so that whichever worker claims the job (another
-- process on PostgreSQL included) can pull the image. Deleted when the job
-- is done or has finally failed; never returned by any read endpoint.
CREATE TABLE job_credentials (
    job_id TEXT PRIMARY KEY,
    credential TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
