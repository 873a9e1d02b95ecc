-- 0003: a paid period whose payment was refunded (Apple REFUND/REVOKE of a subscription transaction) is marked, so its
-- clawback is owed once per refund, and a REFUND_REVERSED can restore it.
ALTER TABLE subscription_periods ADD COLUMN refunded_at timestamptz NULL;
