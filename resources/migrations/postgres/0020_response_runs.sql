-- Response pairing kept as rows: see the SQLite variant of this migration for the why.

CREATE TABLE response_runs (
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    started_id TEXT NOT NULL,
    response_ms BIGINT,
    responder TEXT,
    PRIMARY KEY (client_id, contact_id, started_at, started_id)
);
CREATE INDEX response_runs_org_time ON response_runs (organization_id, started_at, client_id, response_ms, responder);

CREATE TABLE response_changes (
    seq BIGSERIAL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);

CREATE FUNCTION response_changes_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
        VALUES (OLD.organization_id, OLD.client_id, OLD.contact_id, OLD.created_at);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
        VALUES (NEW.organization_id, NEW.client_id, NEW.contact_id, NEW.created_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER response_changes_insert_delete AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION response_changes_note();
CREATE TRIGGER response_changes_update AFTER UPDATE OF status, direction, created_at, client_id, contact_id, created_by, organization_id
    ON messages
    FOR EACH ROW WHEN ((OLD.status = 'failed') IS DISTINCT FROM (NEW.status = 'failed') OR OLD.direction IS DISTINCT FROM NEW.direction
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.client_id IS DISTINCT FROM NEW.client_id
                       OR OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.created_by IS DISTINCT FROM NEW.created_by
                       OR OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION response_changes_note();

INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
SELECT organization_id, client_id, contact_id, MIN(created_at) FROM messages GROUP BY organization_id, client_id, contact_id;
