-- The inbox (docs/DESIGN.md, desktop): one row per conversation, a contact on one client, with
-- its latest message and how many received messages nobody has opened since. Kept by triggers
-- in the statement that changes `messages`, so the list of a client's conversations is one
-- range of an index however many messages there are, and the unread count survives restarts.
-- Opening a thread sets unread_count to 0 (ConversationRepository::markRead).

CREATE TABLE conversations (
    organization_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    last_message_id TEXT,
    last_message_at BIGINT NOT NULL,
    unread_count INTEGER NOT NULL DEFAULT 0,
    read_at BIGINT,                 -- when the thread was last opened
    PRIMARY KEY (client_id, contact_id)
);
CREATE INDEX conversations_recent ON conversations (client_id, last_message_at, contact_id);
-- A thread's pages: (client, contact) then the history's order.
CREATE INDEX messages_thread ON messages (client_id, contact_id, created_at, id);

CREATE TRIGGER conversations_insert AFTER INSERT ON messages BEGIN
    INSERT INTO conversations (organization_id, client_id, contact_id, last_message_id, last_message_at, unread_count)
    VALUES (NEW.organization_id, NEW.client_id, NEW.contact_id, NEW.id, NEW.created_at,
            CASE WHEN NEW.direction = 'inbound' THEN 1 ELSE 0 END)
    ON CONFLICT (client_id, contact_id) DO UPDATE SET
        unread_count = conversations.unread_count + excluded.unread_count,
        last_message_id = CASE WHEN excluded.last_message_at >= conversations.last_message_at
                               THEN excluded.last_message_id ELSE conversations.last_message_id END,
        last_message_at = MAX(conversations.last_message_at, excluded.last_message_at);
END;

-- Retention and deletions: a conversation whose latest message went shows the one before it,
-- and one with no message left is gone.
CREATE TRIGGER conversations_delete AFTER DELETE ON messages BEGIN
    UPDATE conversations
       SET last_message_id = (SELECT id FROM messages WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id
                              ORDER BY created_at DESC, id DESC LIMIT 1),
           last_message_at = COALESCE((SELECT MAX(created_at) FROM messages
                                       WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id), last_message_at)
     WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id AND last_message_id = OLD.id;
    DELETE FROM conversations
     WHERE client_id = OLD.client_id AND contact_id = OLD.contact_id AND last_message_id IS NULL;
END;

-- The messages already stored: every conversation, read.
INSERT INTO conversations (organization_id, client_id, contact_id, last_message_id, last_message_at, unread_count)
SELECT g.organization_id, g.client_id, g.contact_id,
       (SELECT id FROM messages l WHERE l.client_id = g.client_id AND l.contact_id = g.contact_id
        ORDER BY l.created_at DESC, l.id DESC LIMIT 1),
       g.last_at, 0
  FROM (SELECT organization_id, client_id, contact_id, MAX(created_at) AS last_at FROM messages
        GROUP BY organization_id, client_id, contact_id) g;
