-- Messaging: contacts, messages with their status history, the durable send queue, and the
-- durable event log (events are written in the same transaction as the change they report).

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone_number TEXT NOT NULL,
    wa_id TEXT,
    name TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    opted_out SMALLINT NOT NULL DEFAULT 0,
    opted_out_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (organization_id, phone_number)
);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    wa_message_id TEXT,
    idempotency_key TEXT,
    request_hash TEXT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    sending_at BIGINT,
    sent_at BIGINT,
    delivered_at BIGINT,
    read_at BIGINT,
    failed_at BIGINT,
    updated_at BIGINT NOT NULL,
    UNIQUE (client_id, wa_message_id),
    UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX messages_client_time ON messages (client_id, created_at);
CREATE INDEX messages_client_sending ON messages (client_id, sending_at);
CREATE INDEX messages_contact ON messages (contact_id, created_at);

CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    enqueued_at BIGINT NOT NULL
);
CREATE INDEX outbox_client ON outbox (client_id, enqueued_at);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_org_time ON events (organization_id, created_at);

ALTER TABLE clients ADD COLUMN rate_per_minute INTEGER;
ALTER TABLE clients ADD COLUMN rate_per_hour INTEGER;
ALTER TABLE clients ADD COLUMN rate_per_day INTEGER;
ALTER TABLE clients ADD COLUMN paused SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN paused_reason TEXT;
