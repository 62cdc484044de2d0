-- Live session state kept on the client row: when it changed, why it failed, the linked
-- account, the browser identity (stable for the client's life), and whether to restore it.
ALTER TABLE clients ADD COLUMN state_since BIGINT;
ALTER TABLE clients ADD COLUMN last_error TEXT;
ALTER TABLE clients ADD COLUMN device_info TEXT;
ALTER TABLE clients ADD COLUMN browser_identity TEXT;
ALTER TABLE clients ADD COLUMN linked SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN autostart SMALLINT NOT NULL DEFAULT 0;
