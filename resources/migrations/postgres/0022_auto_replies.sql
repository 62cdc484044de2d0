-- Auto-reply rules (issue 13; docs/auto-replies.md): per organization (client_id NULL) or per
-- client. kind keyword (match exact / contains / regex over keywords_json), away (outside the
-- schedule_json business hours or on one of its holidays, in the organization's time zone) or
-- welcome (a contact's first message on that client). The first enabled rule that matches, in
-- (priority, client rules first, created_at, id) order, answers; one reply per inbound message.

CREATE TABLE auto_reply_rules (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    client_id TEXT REFERENCES clients(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    match_mode TEXT,
    keywords_json TEXT NOT NULL DEFAULT '[]',
    schedule_json TEXT,
    reply_text TEXT NOT NULL DEFAULT '',
    template_id TEXT,
    cooldown_seconds BIGINT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 100,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX auto_reply_rules_org ON auto_reply_rules (organization_id, priority, created_at, id);

-- The loop guard: when a rule last answered a contact. The reply is queued only when the
-- conditional upsert changes this row (no row, or the last reply is older than the rule's
-- cooldown), in the transaction that queues it, so two instances or a restart cannot double it.
CREATE TABLE auto_reply_guard (
    rule_id TEXT NOT NULL REFERENCES auto_reply_rules(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    last_reply_at BIGINT NOT NULL,
    PRIMARY KEY (rule_id, contact_id)
);

-- The rule whose automatic reply this outbound message is; NULL for everything else. The
-- response pairing (core/analytics/ResponseRuns) skips such messages: an automatic reply is
-- not a response. Set when the message is inserted and never changed.
ALTER TABLE messages ADD COLUMN auto_reply_rule_id TEXT;
-- The analytics' auto_replies count: only automatic replies are in it.
CREATE INDEX messages_auto_replies ON messages (organization_id, created_at, client_id) WHERE auto_reply_rule_id IS NOT NULL;
