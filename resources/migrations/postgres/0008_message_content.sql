-- What a message is besides its text: its WhatsApp type (text, image, video, audio, voice,
-- document, sticker, location, contact, ...), the stored file it carries (media_id, a media_ id
-- of core/media; no foreign key so a message outlives a file removed by retention), the text a
-- person wrote under a file (caption: on WhatsApp Web an image's `body` is a thumbnail, never
-- text) and the file's name as sent or received.

ALTER TABLE messages ADD COLUMN type TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN media_id TEXT;
ALTER TABLE messages ADD COLUMN caption TEXT;
ALTER TABLE messages ADD COLUMN filename TEXT;
CREATE INDEX messages_media ON messages (media_id);
