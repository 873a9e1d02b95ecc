-- 0002: wake the inbox processor and the grant dispatcher as soon as a row commits.
-- NOTIFY is delivered at commit (never for a rolled-back row), which is exactly the outbox's "after commit" moment,
-- and reaches every instance that LISTENs. Polling stays as the fallback.

CREATE FUNCTION billing_notify_new_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER credit_grants_notify AFTER INSERT ON credit_grants
    FOR EACH STATEMENT EXECUTE FUNCTION billing_notify_new_row('billing_grants');

CREATE TRIGGER inbox_events_notify AFTER INSERT ON inbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION billing_notify_new_row('billing_inbox');
