-- Analytics roll-ups: per organization, client and UTC hour, how many messages were written and
-- where they stand in the funnel (docs/analytics.md, "Roll-ups"). A message counts in the hour of
-- its created_at, in its current status; the trigger below keeps every row exact in the same
-- transaction as each insert, status change and deletion (sends, acks, failures, retention
-- pruning, a client's or an organization's cascade), whoever writes the row.
-- UTC hours, not local days: the organization's time zone may change at any time, and whole UTC
-- hours add up to the days of any zone whose offsets are whole hours; for the others the service
-- takes the partial hours at the day boundaries from the raw rows.

CREATE TABLE message_rollups (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    hour_start BIGINT NOT NULL,            -- epoch ms of the UTC hour
    total BIGINT NOT NULL DEFAULT 0,       -- every message, inbound and outbound, any status
    sent BIGINT NOT NULL DEFAULT 0,        -- outbound sent, delivered or read
    delivered BIGINT NOT NULL DEFAULT 0,   -- outbound delivered or read
    read BIGINT NOT NULL DEFAULT 0,        -- outbound read
    failed BIGINT NOT NULL DEFAULT 0,      -- outbound failed
    received BIGINT NOT NULL DEFAULT 0,    -- inbound
    PRIMARY KEY (organization_id, hour_start, client_id)
);
CREATE INDEX message_rollups_client ON message_rollups (client_id, hour_start);

CREATE FUNCTION message_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE message_rollups SET total = total - 1,
            sent = sent - CASE WHEN OLD.direction = 'outbound' AND OLD.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END,
            delivered = delivered - CASE WHEN OLD.direction = 'outbound' AND OLD.status IN ('delivered', 'read') THEN 1 ELSE 0 END,
            read = read - CASE WHEN OLD.direction = 'outbound' AND OLD.status = 'read' THEN 1 ELSE 0 END,
            failed = failed - CASE WHEN OLD.direction = 'outbound' AND OLD.status = 'failed' THEN 1 ELSE 0 END,
            received = received - CASE WHEN OLD.direction = 'inbound' THEN 1 ELSE 0 END
        WHERE organization_id = OLD.organization_id AND hour_start = OLD.created_at - OLD.created_at % 3600000
          AND client_id = OLD.client_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO message_rollups AS r (organization_id, client_id, hour_start, total, sent, delivered, read, failed, received)
        VALUES (NEW.organization_id, NEW.client_id, NEW.created_at - NEW.created_at % 3600000, 1,
                CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END,
                CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('delivered', 'read') THEN 1 ELSE 0 END,
                CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'read' THEN 1 ELSE 0 END,
                CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'failed' THEN 1 ELSE 0 END,
                CASE WHEN NEW.direction = 'inbound' THEN 1 ELSE 0 END)
        ON CONFLICT (organization_id, hour_start, client_id) DO UPDATE SET
            total = r.total + excluded.total, sent = r.sent + excluded.sent, delivered = r.delivered + excluded.delivered,
            read = r.read + excluded.read, failed = r.failed + excluded.failed, received = r.received + excluded.received;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER message_rollups_insert_delete AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION message_rollups_apply();
-- A status change (or, never done today, a move of the row) takes the message out of its old
-- cells and puts it in the new ones.
CREATE TRIGGER message_rollups_update AFTER UPDATE OF status, direction, created_at, client_id, organization_id ON messages
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.direction IS DISTINCT FROM NEW.direction
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.client_id IS DISTINCT FROM NEW.client_id
                       OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION message_rollups_apply();

-- The messages already stored.
INSERT INTO message_rollups (organization_id, client_id, hour_start, total, sent, delivered, read, failed, received)
SELECT organization_id, client_id, created_at - created_at % 3600000, COUNT(*),
       SUM(CASE WHEN direction = 'outbound' AND status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END),
       SUM(CASE WHEN direction = 'outbound' AND status IN ('delivered', 'read') THEN 1 ELSE 0 END),
       SUM(CASE WHEN direction = 'outbound' AND status = 'read' THEN 1 ELSE 0 END),
       SUM(CASE WHEN direction = 'outbound' AND status = 'failed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END)
FROM messages GROUP BY organization_id, client_id, created_at - created_at % 3600000;
