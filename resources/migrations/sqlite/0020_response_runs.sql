-- Response pairing kept as rows (docs/analytics.md "Response times"): one row per run of a
-- conversation (a contact on one client), with the time to its response if it has one. The
-- pairing itself is computed in C++ (core/analytics/ResponseRuns) from the conversation's
-- messages; these triggers only note which conversation changed and from when, in the same
-- statement as the change, and the next analytics read (or the periodic refresh) recomputes
-- that conversation from the run before that point. Only what can move a response is noted:
-- a new or deleted message, and a status change into or out of `failed` (a failed send is not a
-- response); sent -> delivered -> read is not.

CREATE TABLE response_runs (
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,     -- the run's first inbound message
    started_id TEXT NOT NULL,
    response_ms BIGINT,             -- NULL: not answered (yet)
    responder TEXT,                 -- created_by of the response
    PRIMARY KEY (client_id, contact_id, started_at, started_id)
);
CREATE INDEX response_runs_org_time ON response_runs (organization_id, started_at, client_id, response_ms, responder);

CREATE TABLE response_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);

CREATE TRIGGER response_changes_insert AFTER INSERT ON messages BEGIN
    INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
    VALUES (NEW.organization_id, NEW.client_id, NEW.contact_id, NEW.created_at);
END;

CREATE TRIGGER response_changes_delete AFTER DELETE ON messages BEGIN
    INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
    VALUES (OLD.organization_id, OLD.client_id, OLD.contact_id, OLD.created_at);
END;

CREATE TRIGGER response_changes_update AFTER UPDATE OF status, direction, created_at, client_id, contact_id, created_by, organization_id
    ON messages
    WHEN (OLD.status = 'failed') <> (NEW.status = 'failed') OR OLD.direction IS NOT NEW.direction
         OR OLD.created_at IS NOT NEW.created_at OR OLD.client_id IS NOT NEW.client_id OR OLD.contact_id IS NOT NEW.contact_id
         OR OLD.created_by IS NOT NEW.created_by OR OLD.organization_id IS NOT NEW.organization_id
BEGIN
    INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
    VALUES (OLD.organization_id, OLD.client_id, OLD.contact_id, OLD.created_at),
           (NEW.organization_id, NEW.client_id, NEW.contact_id, NEW.created_at);
END;

-- The messages already stored: every conversation from its beginning.
INSERT INTO response_changes (organization_id, client_id, contact_id, at_ms)
SELECT organization_id, client_id, contact_id, MIN(created_at) FROM messages GROUP BY organization_id, client_id, contact_id;
