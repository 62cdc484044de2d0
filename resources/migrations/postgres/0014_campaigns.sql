-- Campaigns (issue 13): one message to a frozen audience, fed gradually into the clients'
-- durable queues by the scheduler that runs next to the senders.
--
-- A recipient row is written once when the campaign starts (its number, its client and its
-- rendered text are fixed then); it becomes `queued` together with its message and outbox row
-- in one transaction, guarded by `status = 'pending'`, which is what makes each recipient's
-- message exist at most once across kill -9, restarts and several instances. What happened to
-- the message after that is the message's own status (joined by message_id).

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
    message TEXT NOT NULL,
    media_id TEXT,
    media_type TEXT,
    media_filename TEXT,
    audience TEXT NOT NULL,
    schedule_at BIGINT,
    send_window TEXT,
    daily_cap INTEGER,
    paused_reason TEXT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    completed_at BIGINT
);
CREATE INDEX campaigns_org_time ON campaigns (organization_id, created_at);
CREATE INDEX campaigns_status ON campaigns (status, organization_id);

-- The clients a campaign sends through, in the order given (the audience is spread over them).
CREATE TABLE campaign_clients (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, client_id)
);
CREATE INDEX campaign_clients_client ON campaign_clients (client_id);

CREATE TABLE campaign_recipients (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    organization_id TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    contact_id TEXT,
    client_id TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'queued', 'skipped', 'cancelled')),
    reason TEXT,
    message_id TEXT,
    queued_at BIGINT,
    PRIMARY KEY (campaign_id, seq),
    UNIQUE (campaign_id, phone_number)
);
CREATE INDEX campaign_recipients_next ON campaign_recipients (campaign_id, client_id, status, seq);
CREATE INDEX campaign_recipients_message ON campaign_recipients (message_id);

-- Interactive messages (0) leave the queue before campaign messages (1).
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_client_priority ON outbox (client_id, priority, enqueued_at);
