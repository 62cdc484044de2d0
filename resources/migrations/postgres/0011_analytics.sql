-- Analytics: the organization's time zone (an IANA name; day boundaries, "today" and the
-- weekday x hour grid are taken in it) and the indexes the analytics queries range over.
-- Every analytics count is an index range on (organization or client, created_at); the status
-- and direction columns are in the index so the counts never read the table rows.

ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE INDEX messages_org_time ON messages (organization_id, created_at, direction, status, client_id);
CREATE INDEX messages_client_time_status ON messages (client_id, created_at, direction, status, organization_id);
-- Response pairing walks one conversation (a contact on one client) in time order.
CREATE INDEX messages_conversation ON messages (contact_id, client_id, direction, created_at, status);
-- Per-member tables: what each member sent.
CREATE INDEX messages_org_creator ON messages (organization_id, created_by, created_at);
