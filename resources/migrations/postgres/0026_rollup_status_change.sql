-- A status change (sending, sent, delivered, read: four per message sent) leaves the message in
-- the same roll-up cell (organization, client, hour of created_at). The trigger of 0012 took it
-- out with an UPDATE and put it back with an INSERT ... ON CONFLICT DO UPDATE on that same row:
-- two statements and two row versions where one UPDATE of the difference does. A cell that is
-- missing (nothing deletes one outside the whole-table rebuild, which keeps them all) still goes
-- through the old path, so the counts end the same as before in every case.
CREATE OR REPLACE FUNCTION message_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.organization_id = NEW.organization_id AND OLD.client_id = NEW.client_id
       AND OLD.created_at - OLD.created_at % 3600000 = NEW.created_at - NEW.created_at % 3600000 THEN
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
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
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
