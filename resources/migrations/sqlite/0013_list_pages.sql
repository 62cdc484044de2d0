-- Lists cost in proportion to the page: each list's order, ties included, is an index, so a
-- page (and a keyset page after ?before=<id>) is one range scan that stops after LIMIT rows.

-- Message history: (created_at, id) descending within a client. Replaces the index on
-- (client_id, created_at), whose prefix it keeps.
DROP INDEX messages_client_time;
CREATE INDEX messages_client_page ON messages (client_id, created_at, id);

-- Contacts: (updated_at, id) descending within an organization.
CREATE INDEX contacts_org_page ON contacts (organization_id, updated_at, id);

-- Webhook deliveries: (created_at, id) descending within a webhook. Replaces the index on
-- (webhook_id, created_at), whose prefix it keeps.
DROP INDEX webhook_deliveries_hook;
CREATE INDEX webhook_deliveries_page ON webhook_deliveries (webhook_id, created_at, id);

-- Media: id descending (ids sort by time) within an organization.
CREATE INDEX media_org_page ON media (organization_id, id);

-- The audit list walks UNIQUE (organization_id, seq) and needs nothing more.
