-- 0050: one row per relayed developer call, partitioned by the UTC month of started_at (docs/decisions/0020).
-- A partitioned table's unique keys must contain the partition key, so the idempotency key is (request_id, started_at):
-- an event is immutable (its started_at is fixed when the call starts), so re-recording the same event conflicts.
CREATE TABLE usage_events (
    request_id     varchar(128) NOT NULL,
    started_at     timestamptz  NOT NULL,
    key_id         varchar(64)  NOT NULL,
    owner_user_id  varchar(255) NOT NULL,
    route          varchar(128) NOT NULL,
    http_status    smallint     NOT NULL,
    duration_ms    integer      NOT NULL,
    bytes_out      bigint       NOT NULL,
    credits        integer      NOT NULL,
    rate_limited   boolean      NOT NULL,
    recorded_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_usage_events PRIMARY KEY (request_id, started_at)
) PARTITION BY RANGE (started_at);

-- The usage routes read one owner over a time range: the covering columns make it an index-only scan.
CREATE INDEX ix_usage_events_owner_time ON usage_events (owner_user_id, started_at)
    INCLUDE (key_id, http_status, rate_limited, credits);

-- Creates the partition of the month holding month_day (UTC) unless it exists; true when it was created. Serialised by
-- an advisory lock so two instances creating the same month at once cannot collide.
CREATE FUNCTION billing_usage_ensure_partition(month_day date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month_day)::date;
    partition_name text := format('usage_events_y%sm%s', to_char(first_day, 'YYYY'), to_char(first_day, 'MM'));
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('billing_usage_partitions'));
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF usage_events FOR VALUES FROM (%L) TO (%L)',
        partition_name,
        first_day::timestamp AT TIME ZONE 'UTC',
        (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    RETURN true;
END;
$$;

-- Drops every partition whose range ends at or before cutoff (retention); returns the dropped partitions' names.
CREATE FUNCTION billing_usage_drop_partitions_before(cutoff timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    part record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('billing_usage_partitions'));
    FOR part IN
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'usage_events'::regclass
    LOOP
        -- bound reads: FOR VALUES FROM ('<start>') TO ('<end>')
        IF substring(part.bound FROM 'TO \(''([^'']+)''\)')::timestamptz <= cutoff THEN
            EXECUTE format('DROP TABLE %I', part.relname);
            RETURN NEXT part.relname;
        END IF;
    END LOOP;
END;
$$;

SELECT billing_usage_ensure_partition((now() AT TIME ZONE 'UTC')::date);
SELECT billing_usage_ensure_partition(((now() AT TIME ZONE 'UTC') + interval '1 month')::date);
