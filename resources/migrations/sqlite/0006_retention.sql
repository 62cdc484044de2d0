-- Retention: pruning an event checks that none of its webhook deliveries is still to be sent,
-- one lookup by event per event.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
