-- plimsoll's store: one schema for SQLite and PostgreSQL (portable SQL only:
-- TEXT ids, BIGINT milliseconds since 1970, JSON kept as TEXT).

-- The work queue. A job is claimed with a lease (lease_owner, lease_until)
-- and renewed while it runs; a job whose lease ran out (its worker died) is
-- claimed again by another worker.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    -- What the job is about: the manifest digest when known, else the
    -- reference; at most one queued or running job per key.
    dedupe_key TEXT NOT NULL,
    reference TEXT NOT NULL,
    digest TEXT,
    -- registry | api | harbor | schedule | rematch
    source TEXT NOT NULL,
    -- Plain HTTP to the registry (its notification said http://).
    insecure BIGINT NOT NULL DEFAULT 0,
    -- queued | running | done | failed
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    not_before BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    error TEXT
);
CREATE UNIQUE INDEX jobs_one_active ON jobs (dedupe_key) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_claim ON jobs (state, not_before, created_at);
CREATE INDEX jobs_digest ON jobs (digest);

-- The latest result per manifest digest (P-D1).
CREATE TABLE images (
    digest TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    -- scanned | failed
    status TEXT NOT NULL,
    -- passed | failed (the gate), NULL when the scan failed
    verdict TEXT,
    critical BIGINT NOT NULL DEFAULT 0,
    high BIGINT NOT NULL DEFAULT 0,
    medium BIGINT NOT NULL DEFAULT 0,
    low BIGINT NOT NULL DEFAULT 0,
    other BIGINT NOT NULL DEFAULT 0,
    findings BIGINT NOT NULL DEFAULT 0,
    packages BIGINT NOT NULL DEFAULT 0,
    -- The ScanReport JSON, and the inventory it was matched from (a rescan
    -- after a database update re-matches it without pulling the image).
    report TEXT,
    inventory TEXT,
    database_built TEXT,
    scanned_at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX images_scanned_at ON images (scanned_at);

-- Every repository:tag → digest seen (tag '' for a push by digest). A tag
-- moved to another digest keeps its old rows: the history (P-D2).
CREATE TABLE refs (
    repository TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (repository, tag, digest)
);
CREATE INDEX refs_digest ON refs (digest);

-- Documents rendered when the scan was made: sarif, cyclonedx (with the
-- vulnerabilities), spdx.
CREATE TABLE documents (
    digest TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (digest, kind)
);
