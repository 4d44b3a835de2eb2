-- Catalog: categories, products, variants, stock, reservations, search.
CREATE TABLE categories (
	id		TEXT PRIMARY KEY,			-- cat_...
	parent_id	TEXT REFERENCES categories(id) ON DELETE RESTRICT,
	name		TEXT NOT NULL,
	slug		TEXT NOT NULL UNIQUE,
	position	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX categories_parent ON categories(parent_id, position);

-- rowid is internal (the search index's rowid); id is the public id.
CREATE TABLE products (
	rowid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,			-- prod_...
	title		TEXT NOT NULL,
	slug		TEXT NOT NULL UNIQUE,
	description	TEXT NOT NULL DEFAULT '',		-- sanitized HTML
	status		TEXT NOT NULL DEFAULT 'draft'
			CHECK (status IN ('draft', 'active', 'archived')),
	vendor		TEXT NOT NULL DEFAULT '',
	product_type	TEXT NOT NULL DEFAULT '',
	seo_title	TEXT NOT NULL DEFAULT '',
	seo_description	TEXT NOT NULL DEFAULT '',
	tags		TEXT NOT NULL DEFAULT '[]',		-- JSON array of strings
	options		TEXT NOT NULL DEFAULT '[]',		-- JSON [{name, values}]
	images		TEXT NOT NULL DEFAULT '[]',		-- JSON [{url, alt}] in order
	primary_category TEXT REFERENCES categories(id) ON DELETE SET NULL,
	version		INTEGER NOT NULL DEFAULT 1,		-- the ETag
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX products_status ON products(status, rowid);

CREATE TABLE product_categories (
	product		INTEGER NOT NULL REFERENCES products(rowid) ON DELETE CASCADE,
	category	TEXT NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
	PRIMARY KEY (product, category)
) WITHOUT ROWID;
CREATE INDEX product_categories_category ON product_categories(category);

CREATE TABLE variants (
	rowid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,			-- var_...
	product		INTEGER NOT NULL REFERENCES products(rowid) ON DELETE CASCADE,
	sku		TEXT NOT NULL UNIQUE,
	barcode		TEXT NOT NULL DEFAULT '',
	option1		TEXT NOT NULL DEFAULT '',
	option2		TEXT NOT NULL DEFAULT '',
	option3		TEXT NOT NULL DEFAULT '',
	weight_grams	INTEGER NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
	track_stock	INTEGER NOT NULL DEFAULT 1,
	allow_backorder	INTEGER NOT NULL DEFAULT 0,
	position	INTEGER NOT NULL DEFAULT 0,
	-- stock: available = on_hand - reserved, never below zero when tracked
	on_hand		INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
	reserved	INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	low_threshold	INTEGER NOT NULL DEFAULT 5 CHECK (low_threshold >= 0),
	CHECK (track_stock = 0 OR allow_backorder = 1 OR reserved <= on_hand)
);
CREATE INDEX variants_product ON variants(product, position);

-- The stock ledger: every change of on_hand or reserved, with its reason.
CREATE TABLE stock_movements (
	id		INTEGER PRIMARY KEY,
	variant		INTEGER NOT NULL REFERENCES variants(rowid) ON DELETE CASCADE,
	on_hand_delta	INTEGER NOT NULL,
	reserved_delta	INTEGER NOT NULL,
	on_hand_after	INTEGER NOT NULL,
	reserved_after	INTEGER NOT NULL,
	reason		TEXT NOT NULL CHECK (reason IN ('sale', 'cancellation',
			    'return', 'adjustment', 'import', 'reservation',
			    'release')),
	reference	TEXT NOT NULL DEFAULT '',		-- order id, user id
	note		TEXT NOT NULL DEFAULT '',
	at		INTEGER NOT NULL
);
CREATE INDEX stock_movements_variant ON stock_movements(variant, id);

-- Reservations held for orders (from checkout.order.created).
CREATE TABLE reservations (
	order_id	TEXT NOT NULL,
	variant		INTEGER NOT NULL REFERENCES variants(rowid) ON DELETE CASCADE,
	quantity	INTEGER NOT NULL CHECK (quantity > 0),
	state		TEXT NOT NULL CHECK (state IN ('held', 'released')),
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (order_id, variant)
) WITHOUT ROWID;

-- Prices for listings, a copy fed by pricing.price.changed.
CREATE TABLE variant_prices (
	sku		TEXT PRIMARY KEY,
	amount		INTEGER NOT NULL CHECK (amount >= 0),
	compare_at	INTEGER,
	currency	TEXT NOT NULL
) WITHOUT ROWID;

-- Full-text search over products; rowid = products.rowid.  It keeps its
-- own copy of the text (description without markup), written with the
-- product in one transaction.
CREATE VIRTUAL TABLE product_search USING fts5(
	title, description, tags, skus,
	prefix='2 3', tokenize='unicode61 remove_diacritics 2'
);

-- The indexed words and how many products hold each, for typo rewrites.
CREATE VIRTUAL TABLE product_search_vocab USING fts5vocab(product_search, 'row');
