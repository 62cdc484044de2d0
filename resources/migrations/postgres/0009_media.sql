-- Media (issue 11). A blob is one organization's copy of one content (SHA-256): stored once,
-- counted once against the quota, kept while a media row refers to it (ref_count). Each upload
-- is a media row of its own (its id, filename, uploader) over a blob. `storage` says which
-- backend holds the bytes: 'file' (<dataDir>/media) or 'database' (media_chunks rows).

CREATE TABLE media_blobs (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage TEXT NOT NULL CHECK (storage IN ('file', 'database')),
    ref_count INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, sha256)
);

CREATE TABLE media_chunks (
    organization_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (organization_id, sha256, seq),
    FOREIGN KEY (organization_id, sha256) REFERENCES media_blobs (organization_id, sha256) ON DELETE CASCADE
);

CREATE TABLE media (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    mimetype TEXT NOT NULL,
    kind TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (organization_id, sha256) REFERENCES media_blobs (organization_id, sha256)
);
CREATE INDEX media_org_time ON media (organization_id, created_at);
CREATE INDEX media_blob ON media (organization_id, sha256);
