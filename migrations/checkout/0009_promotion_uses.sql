-- Promotion uses, counted when an order is placed (checkout_orders_http.c,
-- checkout_price.c): one row per promotion applied to an order, in the
-- placing transaction, so usage limits hold under concurrent checkouts
-- (they serialize on its write lock) the way coupon_uses does for codes.
-- Carts are priced with these counts (usage_limit, customer_usage_limit).
-- A cancelled order keeps its rows: a use is not given back.
CREATE TABLE promotion_uses (
	promotion_id	TEXT NOT NULL,
	customer_id	TEXT,			-- NULL: a guest
	order_id	TEXT NOT NULL,
	at		INTEGER NOT NULL,	-- ms since the epoch
	PRIMARY KEY (order_id, promotion_id)
);
CREATE INDEX promotion_uses_promotion ON promotion_uses (promotion_id,
    customer_id);
