-- Several instances on one PostgreSQL (docs/DESIGN.md §9). Times are milliseconds since the epoch
-- on the database's clock (heartbeats and lease expiry are compared with the database's own
-- now, never an instance's, so clocks that disagree between machines do not matter).

-- The instances that run (or ran) against this database, each under its --instance-id.
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    version TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    session_count INTEGER NOT NULL DEFAULT 0,
    draining SMALLINT NOT NULL DEFAULT 0
);

-- Which instance drives a client's session. Ownership changes only by compare-and-set on
-- (owner, token); token is the fencing token, one more at every change of owner, and writes made
-- for a session carry it so that a former owner's are refused.
CREATE TABLE client_leases (
    client_id TEXT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    owner TEXT,                          -- instances.id; NULL once released
    token BIGINT NOT NULL DEFAULT 0,
    acquired_at BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX client_leases_owner ON client_leases (owner);

-- An operator may pin a client to one instance; NULL lets the least busy instance take it.
ALTER TABLE clients ADD COLUMN pinned_instance TEXT;

-- Session commands (init, stop, logout, QR refresh, pairing code, pause...) asked of one
-- instance for a session another owns: the owner runs them and writes the result back.
CREATE TABLE session_commands (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL,           -- the owner it is for
    command TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    done_at BIGINT,
    result TEXT
);
CREATE INDEX session_commands_pending ON session_commands (instance_id, created_at) WHERE done_at IS NULL;

-- A linked session's browser state (IndexedDB, Local Storage), compressed and sealed with the
-- master key, so that another instance can open the session without a new QR code.
CREATE TABLE browser_snapshots (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    raw_bytes BIGINT NOT NULL,
    sealed_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    sealed BYTEA NOT NULL
);
CREATE INDEX browser_snapshots_client ON browser_snapshots (client_id, created_at);
