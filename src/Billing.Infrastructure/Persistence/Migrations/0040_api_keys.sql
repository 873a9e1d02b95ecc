-- 0040: developer API keys, the relay's idempotency records, and the notifications that keep every instance's
-- key and tier caches fresh within a second.

-- Only the SHA-256 of a key is stored (key_hash); the plaintext exists once, in the creation answer.
CREATE TABLE api_keys (
    id              varchar(40) PRIMARY KEY,
    owner_id        varchar(255) NOT NULL,
    name            varchar(100) NOT NULL,
    mode            varchar(8) NOT NULL CHECK (mode IN ('live', 'test')),
    key_hash        bytea NOT NULL CHECK (octet_length(key_hash) = 32),
    last_four       varchar(4) NOT NULL,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NULL,
    expires_at      timestamptz NULL,
    revoked_at      timestamptz NULL,
    replaced_by     varchar(40) NULL,
    CONSTRAINT ux_api_keys_key_hash UNIQUE (key_hash)
);
CREATE INDEX ix_api_keys_owner ON api_keys (owner_id, created_at DESC);

-- Idempotency-Key on /v1/timepoints/generate/sync: the first answer, replayed for 24 h.
CREATE TABLE relay_idempotency (
    owner_id         varchar(255) NOT NULL,
    mode             varchar(8) NOT NULL,
    idempotency_key  varchar(255) NOT NULL,
    request_hash     bytea NOT NULL,
    state            varchar(16) NOT NULL CHECK (state IN ('running', 'completed')),
    response_status  integer NULL,
    response_type    varchar(100) NULL,
    response_body    bytea NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    PRIMARY KEY (owner_id, mode, idempotency_key)
);
CREATE INDEX ix_relay_idempotency_expires_at ON relay_idempotency (expires_at);

-- A revocation or a changed expiry (roll-over) tells every instance to drop the key from its cache.
-- last_used_at writes do not notify: they change nothing a cache holds.
CREATE FUNCTION billing_notify_api_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('billing_api_keys', OLD.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify AFTER UPDATE ON api_keys
    FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
    EXECUTE FUNCTION billing_notify_api_key();

CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION billing_notify_api_key();

-- Any subscription change may change its owner's tier (and so their rate limit).
CREATE FUNCTION billing_notify_tier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('billing_tiers', OLD.user_id);
    ELSE
        PERFORM pg_notify('billing_tiers', NEW.user_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER subscriptions_notify_tier AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION billing_notify_tier();
