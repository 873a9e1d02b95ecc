-- 0030: a parked (failed) inbox event can be reset by the provider's redelivery or an operator's requeue; the paid-money
-- retry window (INBOX_RETRY_DAYS) is measured from that reset, or from received_at when there was none.
-- received_at keeps its meaning (when the event first arrived). The partial index serves the operator list and /health/ready.
ALTER TABLE inbox_events ADD COLUMN retries_reset_at timestamptz NULL;
CREATE INDEX ix_inbox_events_attention ON inbox_events (received_at) WHERE status IN ('failed', 'received');

-- A reset makes the row due again: wake the processor as an insert does (only on that transition, not on every mark).
CREATE TRIGGER inbox_events_notify_reset AFTER UPDATE OF status ON inbox_events
    FOR EACH ROW WHEN (NEW.status = 'received' AND OLD.status <> 'received')
    EXECUTE FUNCTION billing_notify_new_row('billing_inbox');
