-- 0010 (docs/decisions/0007): the give-up budget is time since the first failure that counts (attempts never sent do not),
-- and a history search starts at the first attempt that may have been applied, not at the row's creation.
ALTER TABLE credit_grants ADD COLUMN failing_since timestamptz NULL;
ALTER TABLE credit_grants ADD COLUMN may_be_applied_since timestamptz NULL;

-- Rows already waiting on an attempt that may have been applied: search from their creation (never too late a start).
UPDATE credit_grants SET may_be_applied_since = created_at
WHERE status = 'pending' AND (unconfirmed OR attempt_in_flight);
