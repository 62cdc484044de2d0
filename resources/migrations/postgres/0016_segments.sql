-- Saved segments (issue 13): a named rule set over the organization's contacts (tags all/any,
-- attribute equality, last inbound within N days, never messaged). `rules` is the JSON object
-- the API takes; it is compiled to SQL with bound values each time the segment is evaluated
-- (a preview, or a campaign's start, which freezes the audience).
CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    rules TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX segments_org_name ON segments (organization_id, name);
