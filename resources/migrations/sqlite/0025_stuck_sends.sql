-- Messages left `sending` are looked for when a session becomes ready and every 45 s
-- (core/messaging/SendReconciler): only they are indexed, so the look costs what it finds, not
-- the size of the history.
CREATE INDEX messages_stuck_sending ON messages (sending_at) WHERE status = 'sending';
