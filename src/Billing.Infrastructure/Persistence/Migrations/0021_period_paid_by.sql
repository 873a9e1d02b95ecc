-- 0021: the user each paid period was granted to. An Apple subscription can move to another user with a new purchase
-- (docs/decisions/0014); refunds of its earlier periods claw back from whoever those periods paid.
ALTER TABLE subscription_periods ADD COLUMN paid_by varchar(255) NULL;
