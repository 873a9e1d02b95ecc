-- 0090: an operator resolves an attention item with a reason (docs/decisions/0035). A resolved item leaves the attention
-- list; raising the same (kind, object) again reopens it, since the problem came back.
ALTER TABLE attention_items
    ADD COLUMN resolved_at        timestamptz NULL,
    ADD COLUMN resolved_by        varchar(400) NULL,
    ADD COLUMN resolution_reason  varchar(1000) NULL,
    ADD CONSTRAINT ck_attention_items_resolution CHECK (
        (resolved_at IS NULL AND resolved_by IS NULL AND resolution_reason IS NULL)
        OR (resolved_at IS NOT NULL AND resolved_by IS NOT NULL AND length(btrim(resolution_reason)) > 0));

-- The list reads open items newest first.
CREATE INDEX ix_attention_items_open ON attention_items (created_at DESC, id DESC) WHERE resolved_at IS NULL;
