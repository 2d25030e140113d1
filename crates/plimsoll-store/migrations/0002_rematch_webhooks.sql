-- Re-matching after a database update, and rebuild events (P-E1, P-E3).

-- What a rescan needs without pulling the image again: the ScanBasis JSON
-- (the inventory, the audit's part and the documents' context).
ALTER TABLE images RENAME COLUMN inventory TO basis;
-- What failed the gate in the latest result (vulnerability ids and audit
-- rule ids, a JSON array): a new entry after a rescan is a gained finding.
ALTER TABLE images ADD COLUMN gate_ids TEXT;

-- Events to `[[serve.webhook]]` URLs, written in the transaction that
-- stores the result, delivered at least once by whichever process claims
-- them (a lease, as for jobs), retried with backoff.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    digest TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending | delivered | failed
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    not_before BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- The receiver's last HTTP status, or the connection error.
    last_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries (state, not_before, created_at);
CREATE INDEX deliveries_digest ON deliveries (digest);
