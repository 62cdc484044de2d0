-- Custom attributes per contact (a JSON object of string values) for template variables,
-- segments and CSV import columns that are not phone, name or tags.
ALTER TABLE contacts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
