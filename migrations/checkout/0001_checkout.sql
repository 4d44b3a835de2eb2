-- Checkout: copies of catalog's and pricing's data fed by their events
-- (emptied and rebuilt by `mercato replay checkout`), carts with their
-- lines' price snapshots, and shipping zones and methods (checkout's own).
-- Money is integer minor units of the shop currency; a tax rate is parts
-- per 100,000 (19% = 19000).

-- ---- copies (read models) ----------------------------------------------

CREATE TABLE products (
	product_id	TEXT PRIMARY KEY,
	title		TEXT NOT NULL,
	status		TEXT NOT NULL,		-- draft, active, archived
	category_ids	TEXT NOT NULL DEFAULT '[]'	-- JSON array
);

CREATE TABLE variants (
	sku		TEXT PRIMARY KEY,
	product_id	TEXT NOT NULL,
	variant_id	TEXT,
	options		TEXT NOT NULL DEFAULT '[]',	-- JSON array
	weight_grams	INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE prices (
	sku		TEXT PRIMARY KEY,
	amount		INTEGER NOT NULL,
	compare_at	INTEGER
);

CREATE TABLE price_groups (
	group_id	TEXT PRIMARY KEY,
	code		TEXT NOT NULL,
	name		TEXT NOT NULL
);

CREATE TABLE group_members (
	group_id	TEXT NOT NULL,
	customer_id	TEXT NOT NULL,
	PRIMARY KEY (group_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX group_members_customer ON group_members (customer_id);

-- A group's override of a SKU's price in [starts_at, ends_at) (ms, NULL
-- open).
CREATE TABLE group_prices (
	group_id	TEXT NOT NULL,
	sku		TEXT NOT NULL,
	amount		INTEGER NOT NULL,
	starts_at	INTEGER,
	ends_at		INTEGER,
	PRIMARY KEY (group_id, sku)
) WITHOUT ROWID;
CREATE INDEX group_prices_sku ON group_prices (sku);

CREATE TABLE tax_rates (
	country		TEXT NOT NULL,
	category	TEXT NOT NULL,
	rate		INTEGER NOT NULL,
	PRIMARY KEY (country, category)
) WITHOUT ROWID;

-- A product without a row is taxed at "standard".
CREATE TABLE product_tax (
	product_id	TEXT PRIMARY KEY,
	category	TEXT NOT NULL
);

-- Pricing's settings; the defaults are pricing's own until its first
-- pricing.settings.changed arrives.
CREATE TABLE settings (
	id			INTEGER PRIMARY KEY CHECK (id = 1),
	currency		TEXT NOT NULL DEFAULT 'EUR',
	minor_units		INTEGER NOT NULL DEFAULT 2,
	prices_include_tax	INTEGER NOT NULL DEFAULT 1,
	shipping_taxable	INTEGER NOT NULL DEFAULT 1,
	shipping_tax_category	TEXT NOT NULL DEFAULT 'standard',
	default_country		TEXT NOT NULL DEFAULT 'DE'
);
INSERT INTO settings (id) VALUES (1);

CREATE TABLE promotions (
	id			TEXT PRIMARY KEY,
	name			TEXT NOT NULL,
	status			TEXT NOT NULL,		-- active, disabled
	trigger_kind		TEXT NOT NULL,		-- automatic, code
	starts_at		INTEGER,		-- ms, NULL open
	ends_at			INTEGER,
	priority		INTEGER NOT NULL DEFAULT 0,
	is_exclusive		INTEGER NOT NULL DEFAULT 0,
	combines_with		TEXT NOT NULL DEFAULT '[]',
	conditions_json		TEXT NOT NULL DEFAULT '{}',
	action_json		TEXT NOT NULL,
	usage_limit		INTEGER,
	customer_usage_limit	INTEGER
);

CREATE TABLE coupons (
	code			TEXT PRIMARY KEY,	-- upper-case
	promotion_id		TEXT NOT NULL,
	status			TEXT NOT NULL,		-- active, disabled
	expires_at		INTEGER,		-- ms, NULL never
	usage_limit		INTEGER,
	customer_usage_limit	INTEGER
);
CREATE INDEX coupons_promotion ON coupons (promotion_id);

-- ---- carts (checkout's own) ----------------------------------------------

-- A guest cart has token_hash (BLAKE2b of its secret token, hex) and no
-- customer; a customer cart the reverse.  A customer has one cart.
CREATE TABLE carts (
	id			TEXT PRIMARY KEY,
	token_hash		TEXT,
	customer_id		TEXT UNIQUE,
	coupon			TEXT,			-- entered code, upper-case
	country			TEXT,			-- NULL: settings' default
	shipping_method		TEXT,			-- shipping_methods.id
	priced			TEXT NOT NULL DEFAULT '{}',	-- last pricing
	version			INTEGER NOT NULL DEFAULT 1,
	created_at		INTEGER NOT NULL,
	updated_at		INTEGER NOT NULL,
	CHECK ((token_hash IS NULL) <> (customer_id IS NULL))
);

-- A line and its price snapshot: unit_price (and where it came from) is
-- taken when the line is added or its quantity changes (stale = 1 until
-- then); the discounts, tax and totals are those of the cart's last
-- pricing.
CREATE TABLE cart_lines (
	cart_id		TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
	sku		TEXT NOT NULL,
	position	INTEGER NOT NULL,
	quantity	INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
	stale		INTEGER NOT NULL DEFAULT 1,
	product_id	TEXT NOT NULL DEFAULT '',
	title		TEXT NOT NULL DEFAULT '',
	options		TEXT NOT NULL DEFAULT '[]',
	category_ids	TEXT NOT NULL DEFAULT '[]',
	weight_grams	INTEGER NOT NULL DEFAULT 0,
	tax_category	TEXT NOT NULL DEFAULT 'standard',
	unit_price	INTEGER NOT NULL DEFAULT 0,
	price_source	TEXT NOT NULL DEFAULT 'base',	-- base, group
	group_id	TEXT,
	priced_at	INTEGER NOT NULL DEFAULT 0,
	tax_rate	INTEGER NOT NULL DEFAULT 0,
	subtotal	INTEGER NOT NULL DEFAULT 0,
	item_discount	INTEGER NOT NULL DEFAULT 0,
	order_discount	INTEGER NOT NULL DEFAULT 0,
	net		INTEGER NOT NULL DEFAULT 0,
	tax		INTEGER NOT NULL DEFAULT 0,
	total		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (cart_id, sku)
) WITHOUT ROWID;

-- ---- shipping (checkout's own) -------------------------------------------

CREATE TABLE shipping_zones (
	id		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);

-- A country ships from at most one zone.
CREATE TABLE shipping_zone_countries (
	country		TEXT PRIMARY KEY,
	zone_id		TEXT NOT NULL REFERENCES shipping_zones (id)
			    ON DELETE CASCADE
);
CREATE INDEX shipping_zone_countries_zone ON shipping_zone_countries (zone_id);

-- kind: flat (amount), weight (brackets: [{"max_grams","amount"}]
-- ascending), free_above (0, offered from min_subtotal), pickup (0).
CREATE TABLE shipping_methods (
	id		TEXT PRIMARY KEY,
	zone_id		TEXT NOT NULL REFERENCES shipping_zones (id)
			    ON DELETE CASCADE,
	name		TEXT NOT NULL,
	kind		TEXT NOT NULL CHECK (kind IN ('flat', 'weight',
			    'free_above', 'pickup')),
	amount		INTEGER NOT NULL DEFAULT 0,
	min_subtotal	INTEGER NOT NULL DEFAULT 0,
	brackets	TEXT NOT NULL DEFAULT '[]',
	created_at	INTEGER NOT NULL
);
CREATE INDEX shipping_methods_zone ON shipping_methods (zone_id);
