-- Release tags (X.Y.Z) seen pointing at another digest than when first
-- seen (P-D2, rule TAG001): each move once, with the tag's first digest.
CREATE TABLE tag_moves (
    repository TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    first_digest TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (repository, tag, digest)
);
CREATE INDEX tag_moves_seen_at ON tag_moves (seen_at);
