-- Checkout: event-sourced orders.  order_events is the truth: an order is
-- the fold of its events (modules/checkout/checkout_order.c).  Snapshots
-- and the orders list view are derived, written in the same transaction as
-- the event, and can be rebuilt from order_events alone.  Counters and
-- idempotency keys are written inside the placing transaction, so a
-- rollback leaves neither a gap in the numbers nor a stored answer.
-- Money is integer minor units of the order's currency.

CREATE TABLE order_events (
	order_id	TEXT NOT NULL,			-- ord_...
	seq		INTEGER NOT NULL CHECK (seq >= 1),	-- 1, 2, ... per order
	type		TEXT NOT NULL CHECK (type IN ('created', 'approved',
			    'paid', 'prepared', 'shipped', 'delivered',
			    'cancelled', 'refunded')),
	payload		TEXT NOT NULL CHECK (json_valid(payload)),
	at		INTEGER NOT NULL,		-- ms since the epoch
	actor		TEXT NOT NULL,			-- usr_..., "system", ...
	-- Two writers that folded the same version both try seq n + 1:
	-- the second insert fails instead of forking the history.
	PRIMARY KEY (order_id, seq)
) WITHOUT ROWID;

-- The fold at seq, every CHECKOUT_ORDER_SNAPSHOT_EVERY events.
CREATE TABLE order_snapshots (
	order_id	TEXT NOT NULL,
	seq		INTEGER NOT NULL,
	state		TEXT NOT NULL CHECK (json_valid(state)),
	PRIMARY KEY (order_id, seq)
) WITHOUT ROWID;

-- The list view: one row per order, the fold's latest state flattened for
-- the admin filters and the customer's "my orders".
CREATE TABLE orders (
	id		TEXT PRIMARY KEY,
	number		INTEGER NOT NULL UNIQUE,
	customer_id	TEXT,				-- NULL: a guest
	email		TEXT NOT NULL,
	status		TEXT NOT NULL,
	payment_status	TEXT NOT NULL,
	payment_method	TEXT NOT NULL,
	shipping_method	TEXT NOT NULL,
	currency	TEXT NOT NULL,
	subtotal	INTEGER NOT NULL,
	discount	INTEGER NOT NULL,
	shipping	INTEGER NOT NULL,
	tax		INTEGER NOT NULL,
	total		INTEGER NOT NULL,
	paid		INTEGER NOT NULL,
	refunded	INTEGER NOT NULL,
	line_count	INTEGER NOT NULL,
	item_count	INTEGER NOT NULL,
	invoice_number	INTEGER,
	seq		INTEGER NOT NULL,		-- the version (ETag)
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX orders_status ON orders (status, created_at);
CREATE INDEX orders_payment ON orders (payment_status, created_at);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_email ON orders (email COLLATE NOCASE, created_at);
CREATE INDEX orders_customer ON orders (customer_id, created_at)
    WHERE customer_id IS NOT NULL;

-- Gap-free numbers: incremented inside the transaction that uses the
-- number, so a rollback gives it back.
CREATE TABLE order_counters (
	name		TEXT PRIMARY KEY CHECK (name IN ('order', 'invoice',
			    'credit_note')),
	value		INTEGER NOT NULL CHECK (value >= 0)
) WITHOUT ROWID;
INSERT INTO order_counters (name, value) VALUES
    ('order', 1000), ('invoice', 0), ('credit_note', 0);

-- Idempotency-Key: scope is the customer ("cus_...") or the guest cart
-- ("cart_...") so one client cannot read another's stored answer with a
-- guessed key.  request_hash is BLAKE2b-256 of method, path and body.
CREATE TABLE idempotency_keys (
	scope		TEXT NOT NULL,
	key		TEXT NOT NULL,
	request_hash	BLOB NOT NULL CHECK (length(request_hash) = 32),
	status		INTEGER NOT NULL,
	body		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
