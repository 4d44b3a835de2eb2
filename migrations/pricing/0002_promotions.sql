-- Promotions, coupons and the use counts their limits read.  A promotion's
-- conditions and action are kept as the canonical JSON the API answers
-- (validated before they are written); the quote reads them into the
-- rules engine's structs.  Percentages are parts per 100,000 like tax
-- rates; money is minor units; times are ms since the epoch.

-- Where quotes go when they name no country, and the flat shipping amount
-- a quote previews until checkout's shipping methods (issue 5).
ALTER TABLE settings ADD COLUMN default_country TEXT NOT NULL DEFAULT 'DE';
ALTER TABLE settings ADD COLUMN shipping_amount INTEGER NOT NULL DEFAULT 0
    CHECK (shipping_amount >= 0);

CREATE TABLE promotions (
	rowid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,		-- promo_...
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	status		TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
	trigger_kind	TEXT NOT NULL CHECK (trigger_kind IN ('automatic', 'code')),
	starts_at	INTEGER,
	ends_at		INTEGER,
	priority	INTEGER NOT NULL DEFAULT 0,
	is_exclusive	INTEGER NOT NULL DEFAULT 0,
	combines_with	TEXT NOT NULL DEFAULT '[]',	-- JSON array
	conditions_json	TEXT NOT NULL DEFAULT '{}',	-- JSON object
	action_json	TEXT NOT NULL,			-- JSON object
	usage_limit	INTEGER,
	customer_usage_limit INTEGER,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);
CREATE INDEX promotions_status ON promotions(status, priority);

-- Bumped by every promotion write, in the same transaction: a worker
-- keeps the active promotions parsed and reloads them when it changes.
CREATE TABLE promotion_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	generation	INTEGER NOT NULL
);
INSERT INTO promotion_state (id, generation) VALUES (1, 1);

CREATE TABLE coupon_batches (
	rowid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,		-- cpb_...
	promotion_id	TEXT NOT NULL REFERENCES promotions(id) ON DELETE CASCADE,
	prefix		TEXT NOT NULL DEFAULT '',
	count		INTEGER NOT NULL,
	length		INTEGER NOT NULL,
	expires_at	INTEGER,
	usage_limit	INTEGER,
	customer_usage_limit INTEGER,
	created_at	INTEGER NOT NULL
);

-- code is stored upper-case: lookups upper-case what was entered.
CREATE TABLE coupons (
	code		TEXT PRIMARY KEY,
	promotion_id	TEXT NOT NULL REFERENCES promotions(id) ON DELETE CASCADE,
	batch_id	TEXT REFERENCES coupon_batches(id) ON DELETE CASCADE,
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'disabled')),
	expires_at	INTEGER,
	usage_limit	INTEGER,
	customer_usage_limit INTEGER,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX coupons_promotion ON coupons(promotion_id, code);
CREATE INDEX coupons_batch ON coupons(batch_id, code);

-- Use counts.  Pricing takes no orders: checkout's checkout.order.* events
-- (issue 5) will feed these; until then they stay empty (0 uses, every
-- customer on a first order).  No foreign keys: counts outlive a deleted
-- promotion so a restored one does not reset its limits.
CREATE TABLE promotion_uses (
	promotion_id	TEXT PRIMARY KEY,
	uses		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE promotion_customer_uses (
	promotion_id	TEXT NOT NULL,
	customer_id	TEXT NOT NULL,
	uses		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (customer_id, promotion_id)
) WITHOUT ROWID;
CREATE TABLE coupon_uses (
	code		TEXT PRIMARY KEY,
	uses		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE coupon_customer_uses (
	code		TEXT NOT NULL,
	customer_id	TEXT NOT NULL,
	uses		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (code, customer_id)
) WITHOUT ROWID;
CREATE TABLE customer_orders (
	customer_id	TEXT PRIMARY KEY,
	orders		INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
