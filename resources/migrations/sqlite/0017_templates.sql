-- Message templates and quick replies (issue 13). A template is text with {{variables}} (see
-- docs/templates.md) and optional media; a campaign made from one copies its text and media when
-- it is created and renders them per recipient when it starts (campaign_recipients.body).

CREATE TABLE message_templates (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    media_id TEXT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (organization_id, name)
);

-- Saved texts the composer expands from /shortcut; one set per organization.
CREATE TABLE quick_replies (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    shortcut TEXT NOT NULL,
    text TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (organization_id, shortcut)
);

-- The template a campaign was made from (kept when the template is deleted: the text was copied).
ALTER TABLE campaigns ADD COLUMN template_id TEXT;
