-- Coupon uses, counted when an order is placed (checkout_orders_http.c):
-- checkout's own counts, so a usage limit holds under concurrent
-- checkouts (they serialize on the placing transaction's write lock).
-- IF NOT EXISTS: files that ran before this migration created the table
-- at start-up.
CREATE TABLE IF NOT EXISTS coupon_uses (
	code		TEXT NOT NULL,
	customer_id	TEXT,			-- NULL: a guest
	cart_id		TEXT NOT NULL,
	at		INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS coupon_uses_code ON coupon_uses (code, customer_id);
