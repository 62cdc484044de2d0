-- The message export walks an organization's messages in (created_at, id) order in batches:
-- with id in the index after created_at each batch is one index range that stops after its
-- LIMIT, where the index without it made every batch sort the rest of the range. It replaces
-- messages_org_time, whose prefix it keeps and whose other columns (for the counts that still
-- read raw rows) it still covers, so the write path keeps the same number of indexes.
DROP INDEX messages_org_time;
CREATE INDEX messages_org_time ON messages (organization_id, created_at, id, direction, status, client_id);
