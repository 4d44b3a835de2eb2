-- Checkout: payments (modules/checkout/checkout_pay*.c).  One payment
-- record per order with the provider's state and the amounts it moved;
-- every provider call is kept under its idempotency key so a retry with
-- the same key answers the first result and moves no money twice.
-- Money is integer minor units of the order's currency.

CREATE TABLE payments (
	order_id	TEXT PRIMARY KEY,		-- ord_...
	provider	TEXT NOT NULL,			-- bank_transfer, cod, test
	state		TEXT NOT NULL CHECK (state IN ('pending',
			    'authorized', 'captured', 'declined',
			    'cancelled', 'refunded')),
	currency	TEXT NOT NULL,
	amount		INTEGER NOT NULL CHECK (amount >= 0),
	authorized	INTEGER NOT NULL DEFAULT 0 CHECK (authorized >= 0),
	captured	INTEGER NOT NULL DEFAULT 0 CHECK (captured >= 0),
	refunded	INTEGER NOT NULL DEFAULT 0
			    CHECK (refunded >= 0 AND refunded <= captured),
	reference	TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

-- One row per provider call: (order, operation, Idempotency-Key) answers
-- the stored verdict and result again.
CREATE TABLE payment_calls (
	order_id	TEXT NOT NULL,
	op		TEXT NOT NULL,
	key		TEXT NOT NULL,
	amount		INTEGER NOT NULL,
	verdict		INTEGER NOT NULL,
	result		TEXT NOT NULL CHECK (json_valid(result)),
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (order_id, op, key)
) WITHOUT ROWID;

-- Settings of the built-in providers.  The test provider's webhook
-- secret is made here, at the first start, from SQLite's CSPRNG.
CREATE TABLE payment_settings (
	name		TEXT PRIMARY KEY,
	value		TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO payment_settings (name, value) VALUES
    ('test.webhook_secret', 'whsec_' || lower(hex(randomblob(32)))),
    ('bank_transfer.enabled', '1'),
    ('bank_transfer.account_holder', ''),
    ('bank_transfer.iban', ''),
    ('bank_transfer.bic', ''),
    ('cod.enabled', '1'),
    ('test.enabled', '1');

-- Webhook event ids already applied: a replayed event is ignored.
CREATE TABLE payment_webhook_events (
	id		TEXT PRIMARY KEY,
	provider	TEXT NOT NULL,
	received_at	INTEGER NOT NULL
) WITHOUT ROWID;
