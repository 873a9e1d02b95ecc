-- 0080: reconciliation runs and their findings (docs/decisions/0030). A finding is one row per (kind, object): a later
-- run that sees the same problem refreshes it (last_seen_at, last_run_id) instead of adding another.

CREATE TABLE reconciliation_runs (
    id             uuid PRIMARY KEY,
    source         varchar(16) NOT NULL CHECK (source IN ('stripe', 'apple', 'flash')),
    trigger        varchar(16) NOT NULL,
    actor          varchar(400) NOT NULL,
    window_start   timestamptz NOT NULL,
    window_end     timestamptz NOT NULL,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NULL,
    status         varchar(16) NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    examined       integer NOT NULL DEFAULT 0,
    findings_new   integer NOT NULL DEFAULT 0,
    fixed          integer NOT NULL DEFAULT 0,
    note           text NULL
);
CREATE INDEX ix_reconciliation_runs_source ON reconciliation_runs (source, started_at DESC);

CREATE TABLE reconciliation_findings (
    id            uuid PRIMARY KEY,
    source        varchar(16) NOT NULL,
    kind          varchar(64) NOT NULL,
    object_key    varchar(255) NOT NULL,
    user_id       varchar(255) NULL,
    expected      text NOT NULL,
    actual        text NOT NULL,
    status        varchar(24) NOT NULL CHECK (status IN ('open', 'fixed_automatically', 'resolved')),
    first_run_id  uuid NOT NULL REFERENCES reconciliation_runs (id),
    last_run_id   uuid NOT NULL REFERENCES reconciliation_runs (id),
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    resolved_by   varchar(400) NULL,
    resolved_at   timestamptz NULL,
    CONSTRAINT ux_reconciliation_findings_kind_object UNIQUE (kind, object_key)
);
CREATE INDEX ix_reconciliation_findings_open ON reconciliation_findings (created_at DESC, id DESC) WHERE status = 'open';
