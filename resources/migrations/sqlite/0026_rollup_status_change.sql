-- A status change (sending, sent, delivered, read: four per message sent) leaves the message in
-- the same roll-up cell (organization, client, hour of created_at). The trigger of 0012 took it
-- out with an UPDATE and put it back with an upsert on that same row; one UPDATE of the
-- difference does. A cell that is missing (nothing deletes one outside the whole-table rebuild,
-- which keeps them all) is made as the upsert made it, so the counts end the same in every case.
-- PostgreSQL's variant does the same in its trigger function.
DROP TRIGGER message_rollups_update;

CREATE TRIGGER message_rollups_update AFTER UPDATE OF status, direction, created_at, client_id, organization_id ON messages
WHEN (OLD.status IS NOT NEW.status OR OLD.direction IS NOT NEW.direction OR OLD.created_at IS NOT NEW.created_at
      OR OLD.client_id IS NOT NEW.client_id OR OLD.organization_id IS NOT NEW.organization_id)
     AND (OLD.organization_id IS NOT NEW.organization_id OR OLD.client_id IS NOT NEW.client_id
          OR OLD.created_at - OLD.created_at % 3600000 IS NOT NEW.created_at - NEW.created_at % 3600000)
BEGIN
    UPDATE message_rollups SET total = total - 1,
        sent = sent - CASE WHEN OLD.direction = 'outbound' AND OLD.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END,
        delivered = delivered - CASE WHEN OLD.direction = 'outbound' AND OLD.status IN ('delivered', 'read') THEN 1 ELSE 0 END,
        read = read - CASE WHEN OLD.direction = 'outbound' AND OLD.status = 'read' THEN 1 ELSE 0 END,
        failed = failed - CASE WHEN OLD.direction = 'outbound' AND OLD.status = 'failed' THEN 1 ELSE 0 END,
        received = received - CASE WHEN OLD.direction = 'inbound' THEN 1 ELSE 0 END
    WHERE organization_id = OLD.organization_id AND hour_start = OLD.created_at - OLD.created_at % 3600000
      AND client_id = OLD.client_id;
    INSERT INTO message_rollups (organization_id, client_id, hour_start, total, sent, delivered, read, failed, received)
    VALUES (NEW.organization_id, NEW.client_id, NEW.created_at - NEW.created_at % 3600000, 1,
            CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END,
            CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('delivered', 'read') THEN 1 ELSE 0 END,
            CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'read' THEN 1 ELSE 0 END,
            CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'failed' THEN 1 ELSE 0 END,
            CASE WHEN NEW.direction = 'inbound' THEN 1 ELSE 0 END)
    ON CONFLICT (organization_id, hour_start, client_id) DO UPDATE SET
        total = total + excluded.total, sent = sent + excluded.sent, delivered = delivered + excluded.delivered,
        read = read + excluded.read, failed = failed + excluded.failed, received = received + excluded.received;
END;

CREATE TRIGGER message_rollups_same_cell AFTER UPDATE OF status, direction ON messages
WHEN (OLD.status IS NOT NEW.status OR OLD.direction IS NOT NEW.direction)
     AND OLD.organization_id IS NEW.organization_id AND OLD.client_id IS NEW.client_id
     AND OLD.created_at - OLD.created_at % 3600000 IS NEW.created_at - NEW.created_at % 3600000
BEGIN
    UPDATE message_rollups SET
        sent = sent + CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END
                    - CASE WHEN OLD.direction = 'outbound' AND OLD.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END,
        delivered = delivered + CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('delivered', 'read') THEN 1 ELSE 0 END
                              - CASE WHEN OLD.direction = 'outbound' AND OLD.status IN ('delivered', 'read') THEN 1 ELSE 0 END,
        read = read + CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'read' THEN 1 ELSE 0 END
                    - CASE WHEN OLD.direction = 'outbound' AND OLD.status = 'read' THEN 1 ELSE 0 END,
        failed = failed + CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'failed' THEN 1 ELSE 0 END
                        - CASE WHEN OLD.direction = 'outbound' AND OLD.status = 'failed' THEN 1 ELSE 0 END,
        received = received + CASE WHEN NEW.direction = 'inbound' THEN 1 ELSE 0 END
                            - CASE WHEN OLD.direction = 'inbound' THEN 1 ELSE 0 END
    WHERE organization_id = NEW.organization_id AND hour_start = NEW.created_at - NEW.created_at % 3600000
      AND client_id = NEW.client_id;
    INSERT INTO message_rollups (organization_id, client_id, hour_start, total, sent, delivered, read, failed, received)
    SELECT NEW.organization_id, NEW.client_id, NEW.created_at - NEW.created_at % 3600000, 1,
           CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END,
           CASE WHEN NEW.direction = 'outbound' AND NEW.status IN ('delivered', 'read') THEN 1 ELSE 0 END,
           CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'read' THEN 1 ELSE 0 END,
           CASE WHEN NEW.direction = 'outbound' AND NEW.status = 'failed' THEN 1 ELSE 0 END,
           CASE WHEN NEW.direction = 'inbound' THEN 1 ELSE 0 END
    WHERE NOT EXISTS (SELECT 1 FROM message_rollups WHERE organization_id = NEW.organization_id
                      AND hour_start = NEW.created_at - NEW.created_at % 3600000 AND client_id = NEW.client_id);
END;
