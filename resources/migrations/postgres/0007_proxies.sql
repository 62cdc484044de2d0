-- Per-client proxies: the organization's pool of upstream proxies (admin-managed), and on each
-- client the proxy it goes out through and whether it may be moved to another one when its
-- proxy dies. The password is sealed with the master key; username '' means no authentication.
-- healthy: NULL not checked yet, 1 healthy, 0 dead.

CREATE TABLE proxies (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('http', 'socks5')),
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    username TEXT NOT NULL DEFAULT '',
    password_sealed TEXT,
    label TEXT NOT NULL,
    country TEXT,
    max_clients INTEGER NOT NULL DEFAULT 5,
    healthy SMALLINT,
    latency_ms INTEGER,
    exit_address TEXT,
    last_checked_at BIGINT,
    last_error TEXT,
    last_error_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (organization_id, host, port, username)
);

ALTER TABLE clients ADD COLUMN proxy_id TEXT REFERENCES proxies(id) ON DELETE SET NULL;
ALTER TABLE clients ADD COLUMN proxy_failover SMALLINT NOT NULL DEFAULT 0;
CREATE INDEX clients_proxy ON clients (proxy_id);
