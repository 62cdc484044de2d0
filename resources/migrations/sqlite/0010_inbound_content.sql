-- What a received message carries besides its text, and what happens to it afterwards.
-- details: JSON of the type's own content ({"location": {...}} or {"contacts": [...]}, the
--   file's declared mimetype/size, the WhatsApp type of a kind WaDesk does not model).
-- media_status: NULL (no file), 'pending' (being fetched from the page; message.received waits
--   for it), 'stored' (media_id set) or 'failed' (media_error says why; the message is kept).
-- edited_at / revoked_at: the sender edited or deleted it for everyone (the row keeps the
--   latest text; a deleted message keeps its content for the record).
ALTER TABLE messages ADD COLUMN details TEXT;
ALTER TABLE messages ADD COLUMN media_status TEXT;
ALTER TABLE messages ADD COLUMN media_error TEXT;
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN revoked_at INTEGER;
CREATE INDEX messages_media_status ON messages (client_id, media_status);

-- One reaction per person and message (a new one replaces it, an empty one removes it).
CREATE TABLE message_reactions (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    reaction TEXT NOT NULL,
    reacted_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, sender)
);
