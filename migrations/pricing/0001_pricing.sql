-- Pricing: shop settings, base prices, customer groups with their price
-- lists, tax categories and rates (pricing's own decisions), and the copies
-- of catalog's products and identity's customers fed by events (emptied and
-- rebuilt by replay).  Money is integer minor units of the shop currency;
-- a tax rate is parts per 100,000 (19% = 19000, 8.875% = 8875).

CREATE TABLE tax_categories (
	code		TEXT PRIMARY KEY,		-- standard, reduced, zero, ...
	name		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);
-- Structure, not demo data: every shop has these three.
INSERT INTO tax_categories (code, name, created_at) VALUES
    ('standard', 'Standard rate', 0),
    ('reduced', 'Reduced rate', 0),
    ('zero', 'Zero rate', 0);

-- One row.  version is the ETag.
CREATE TABLE settings (
	id			INTEGER PRIMARY KEY CHECK (id = 1),
	currency		TEXT NOT NULL DEFAULT 'EUR',
	prices_include_tax	INTEGER NOT NULL DEFAULT 1,
	shipping_taxable	INTEGER NOT NULL DEFAULT 1,
	shipping_tax_category	TEXT NOT NULL DEFAULT 'standard'
				REFERENCES tax_categories(code),
	version			INTEGER NOT NULL DEFAULT 1,
	updated_at		INTEGER NOT NULL DEFAULT 0
);
INSERT INTO settings (id) VALUES (1);

-- (country, category) -> rate in parts per 100,000 (100000 = 100%).
CREATE TABLE tax_rates (
	country		TEXT NOT NULL,			-- ISO 3166-1 alpha-2
	category	TEXT NOT NULL REFERENCES tax_categories(code),
	rate		INTEGER NOT NULL CHECK (rate BETWEEN 0 AND 100000),
	version		INTEGER NOT NULL DEFAULT 1,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (country, category)
) WITHOUT ROWID;

-- Base price per SKU.  No foreign key to the product copy: a price is a
-- decision and outlives a replay that empties the copy.
CREATE TABLE prices (
	sku		TEXT PRIMARY KEY,
	amount		INTEGER NOT NULL CHECK (amount >= 0),
	compare_at	INTEGER CHECK (compare_at IS NULL OR compare_at > amount),
	origin		TEXT NOT NULL CHECK (origin IN ('staff', 'import')),
	version		INTEGER NOT NULL DEFAULT 1,	-- the ETag
	updated_at	INTEGER NOT NULL
) WITHOUT ROWID;

-- catalog.price.imported events already applied (by envelope id), so a
-- replay of catalog's log never puts an old imported price back over a
-- later edit.
CREATE TABLE imports_applied (
	event_id	TEXT PRIMARY KEY,
	applied_at	INTEGER NOT NULL
) WITHOUT ROWID;

-- A product's tax category: pricing's decision, default 'standard'.
CREATE TABLE product_tax (
	product_id	TEXT PRIMARY KEY,
	category	TEXT NOT NULL REFERENCES tax_categories(code),
	version		INTEGER NOT NULL DEFAULT 1,
	updated_at	INTEGER NOT NULL
) WITHOUT ROWID;

-- Customer groups and their price lists.
CREATE TABLE customer_groups (
	rowid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,		-- grp_...
	name		TEXT NOT NULL,
	code		TEXT NOT NULL UNIQUE,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

CREATE TABLE group_members (
	group_id	TEXT NOT NULL REFERENCES customer_groups(id) ON DELETE CASCADE,
	customer_id	TEXT NOT NULL,
	added_at	INTEGER NOT NULL,
	PRIMARY KEY (group_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX group_members_customer ON group_members(customer_id);

-- A group's override of a SKU's price; starts_at/ends_at in ms since the
-- epoch, NULL for open ends; the window is [starts_at, ends_at).
CREATE TABLE group_prices (
	group_id	TEXT NOT NULL REFERENCES customer_groups(id) ON DELETE CASCADE,
	sku		TEXT NOT NULL,
	amount		INTEGER NOT NULL CHECK (amount >= 0),
	starts_at	INTEGER,
	ends_at		INTEGER,
	version		INTEGER NOT NULL DEFAULT 1,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (group_id, sku),
	CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
) WITHOUT ROWID;

-- ---- copies fed by events (replay empties and rebuilds them) ----------

-- From catalog.product.upserted / catalog.product.deleted.
CREATE TABLE products (
	product_id	TEXT PRIMARY KEY,
	title		TEXT NOT NULL,
	status		TEXT NOT NULL,
	category_ids	TEXT NOT NULL DEFAULT '[]'	-- JSON array
) WITHOUT ROWID;

CREATE TABLE product_skus (
	sku		TEXT PRIMARY KEY,
	product_id	TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX product_skus_product ON product_skus(product_id);

-- From identity.customer.registered.
CREATE TABLE customers (
	customer_id	TEXT PRIMARY KEY,
	email		TEXT NOT NULL,
	name		TEXT NOT NULL DEFAULT '',
	registered_at	TEXT NOT NULL
) WITHOUT ROWID;
