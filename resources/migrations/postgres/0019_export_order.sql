-- SQLite's 0019 puts id into messages_org_time so that each export batch is one index range.
-- PostgreSQL needs no new index for that: it reads the batch from messages_org_time with an
-- incremental sort on created_at, and with id in that index its planner would take it for a
-- client's history page instead of messages_client_page. The reason is kept on the index.
COMMENT ON INDEX messages_org_time IS 'export batches read it in created_at order with an incremental sort on id (migration 0019)';
