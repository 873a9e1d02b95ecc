-- 0022: the catalog product each Stripe price our Checkout created was made for (docs/decisions/0013). A paid invoice's
-- credits come from the price it billed, never from the subscription's current tier or creation metadata.
CREATE TABLE stripe_prices (
    price_id     varchar(255) PRIMARY KEY,
    product_id   varchar(100) NOT NULL,
    recorded_at  timestamptz NOT NULL
);
