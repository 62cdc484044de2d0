-- The inbox: see the SQLite variant of this migration for the why.

CREATE TABLE conversations (
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    last_message_id TEXT,
    last_message_at BIGINT NOT NULL,
    unread_count INTEGER NOT NULL DEFAULT 0,
    read_at BIGINT,
    PRIMARY KEY (client_id, contact_id)
);
CREATE INDEX conversations_recent ON conversations (client_id, last_message_at, contact_id);
CREATE INDEX messages_thread ON messages (client_id, contact_id, created_at, id);

CREATE FUNCTION conversations_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO conversations (organization_id, client_id, contact_id, last_message_id, last_message_at, unread_count)
        VALUES (NEW.organization_id, NEW.client_id, NEW.contact_id, NEW.id, NEW.created_at,
                CASE WHEN NEW.direction = 'inbound' THEN 1 ELSE 0 END)
        ON CONFLICT (client_id, contact_id) DO UPDATE SET
            unread_count = conversations.unread_count + excluded.unread_count,
            last_message_id = CASE WHEN excluded.last_message_at >= conversations.last_message_at
                                   THEN excluded.last_message_id ELSE conversations.last_message_id END,
            last_message_at = GREATEST(conversations.last_message_at, excluded.last_message_at);
    ELSE
        UPDATE conversations
           SET last_message_id = (SELECT id FROM messages WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id
                                  ORDER BY created_at DESC, id DESC LIMIT 1),
               last_message_at = COALESCE((SELECT MAX(created_at) FROM messages
                                           WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id), last_message_at)
         WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id AND last_message_id = OLD.id;
        DELETE FROM conversations
         WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id AND last_message_id IS NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER conversations_insert_delete AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION conversations_note();

INSERT INTO conversations (organization_id, client_id, contact_id, last_message_id, last_message_at, unread_count)
SELECT g.organization_id, g.client_id, g.contact_id,
       (SELECT id FROM messages l WHERE l.client_id = g.client_id AND l.contact_id = g.contact_id
        ORDER BY l.created_at DESC, l.id DESC LIMIT 1),
       g.last_at, 0
  FROM (SELECT organization_id, client_id, contact_id, MAX(created_at) AS last_at FROM messages
        GROUP BY organization_id, client_id, contact_id) g;
