-- 0031: the first checkout of a user claims the creation of its Stripe customer for a short lease instead of holding the
-- customer row locked while Stripe answers (docs/decisions/0016); concurrent checkouts wait for the claim, lock-free.
ALTER TABLE customers ADD COLUMN stripe_customer_claimed_until timestamptz NULL;
