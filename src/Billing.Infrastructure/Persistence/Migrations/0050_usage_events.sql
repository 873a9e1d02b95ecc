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

-- Hourly counters per (owner, key), maintained in the same statement that inserts the events and only for the events
-- that statement really inserted, so they stay exactly equal to the rows. The usage routes read these: a month of a busy
-- key is at most 744 rows (an index range scan of the primary key) instead of every call.
CREATE TABLE usage_hourly (
    owner_user_id  varchar(255) NOT NULL,
    hour           timestamptz  NOT NULL,
    key_id         varchar(64)  NOT NULL,
    requests       bigint       NOT NULL,
    succeeded      bigint       NOT NULL,
    failed         bigint       NOT NULL,
    rate_limited   bigint       NOT NULL,
    credits        bigint       NOT NULL,
    CONSTRAINT pk_usage_hourly PRIMARY KEY (owner_user_id, hour, key_id)
) PARTITION BY RANGE (hour);

-- Creates the month holding month_day (UTC) in both tables unless it exists; true when it was created. Serialised by an
-- advisory lock so two instances creating the same month at once cannot collide.
CREATE FUNCTION billing_usage_ensure_partition(month_day date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month_day)::date;
    suffix text := format('_y%sm%s', to_char(first_day, 'YYYY'), to_char(first_day, 'MM'));
    parent text;
    created boolean := false;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('billing_usage_partitions'));
    FOREACH parent IN ARRAY ARRAY['usage_events', 'usage_hourly'] LOOP
        IF to_regclass(parent || suffix) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                parent || suffix,
                parent,
                first_day::timestamp AT TIME ZONE 'UTC',
                (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
            created := true;
        END IF;
    END LOOP;
    RETURN created;
END;
$$;

-- Drops every partition (of both tables) whose range ends at or before cutoff (retention); returns their names.
CREATE FUNCTION billing_usage_drop_partitions_before(cutoff timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    part record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('billing_usage_partitions'));
    FOR part IN
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent IN ('usage_events'::regclass, 'usage_hourly'::regclass)
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
