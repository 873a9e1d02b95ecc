-- 0020: where money really came from, and what needs a person (docs/decisions/0010, 0011, 0012).
-- Apple environment ("Production" / "Sandbox") of the data that created each purchase, subscription and grant; null for Stripe.
ALTER TABLE purchases ADD COLUMN environment varchar(16) NULL;
ALTER TABLE subscriptions ADD COLUMN environment varchar(16) NULL;
ALTER TABLE credit_grants ADD COLUMN environment varchar(16) NULL;

-- Owed debt netted against later positive grants: the positive grant records what it withheld and from which debt row;
-- the debt row records how much of it has been collected that way.
ALTER TABLE credit_grants ADD COLUMN netted_credits integer NOT NULL DEFAULT 0 CHECK (netted_credits >= 0);
ALTER TABLE credit_grants ADD COLUMN netted_debt_grant_id uuid NULL REFERENCES credit_grants (id);
ALTER TABLE credit_grants ADD COLUMN debt_collected integer NOT NULL DEFAULT 0 CHECK (debt_collected >= 0);
CREATE INDEX ix_credit_grants_owed_debt ON credit_grants (user_id, created_at) WHERE status = 'owed_debt';

-- A voided clawback (its refund was reversed before it was applied) joins the operator's attention index only as history.
DROP INDEX IF EXISTS ix_credit_grants_attention;
CREATE INDEX ix_credit_grants_attention ON credit_grants (status, created_at DESC) WHERE status IN ('dead', 'in_doubt', 'owed_debt');

-- Things a person must look at that are not grants or inbox rows: unattributable Apple payments, Stripe prices that map to
-- no tier, Sandbox purchases refused in Production. One row per (kind, object): raising it again only refreshes it.
CREATE TABLE attention_items (
    id            uuid PRIMARY KEY,
    kind          varchar(64) NOT NULL,
    object_key    varchar(255) NOT NULL,
    user_id       varchar(255) NULL,
    reason        text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    occurrences   integer NOT NULL DEFAULT 1,
    CONSTRAINT ux_attention_items_kind_object UNIQUE (kind, object_key)
);
CREATE INDEX ix_attention_items_created_at ON attention_items (created_at DESC, id DESC);

