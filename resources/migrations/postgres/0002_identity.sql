-- WhatsApp client records, their assignment to team members, and failed sign-ins (throttling).

CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    phone_number TEXT,
    status TEXT NOT NULL DEFAULT 'initializing',
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (organization_id, phone_number)
);
CREATE INDEX clients_org ON clients (organization_id, created_at);

CREATE TABLE client_assignments (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    assigned_by TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX client_assignments_client ON client_assignments (client_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    email_normalized TEXT NOT NULL,
    ip_address TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email_normalized, created_at);
CREATE INDEX login_failures_ip ON login_failures (ip_address, created_at);

-- The newest audit entry per organization: lets verification notice a truncated log and
-- serializes writers of one organization's chain.
CREATE TABLE audit_heads (
    organization_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
