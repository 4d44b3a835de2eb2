-- Product types and typed attributes.  An attribute is defined once (its
-- code is what a filter names: ?attr.material=linen); a product type lists
-- the attributes its products carry; a product holds values.
CREATE TABLE attributes (
	id		TEXT PRIMARY KEY,			-- attr_...
	code		TEXT NOT NULL UNIQUE,			-- [a-z][a-z0-9_]*
	name		TEXT NOT NULL,
	kind		TEXT NOT NULL CHECK (kind IN ('text', 'number',
			    'boolean', 'select', 'multiselect')),
	unit		TEXT NOT NULL DEFAULT '',		-- number: "cm", "g"
	choices		TEXT NOT NULL DEFAULT '[]',		-- select: JSON strings
	filterable	INTEGER NOT NULL DEFAULT 0,		-- a search facet
	searchable	INTEGER NOT NULL DEFAULT 1,		-- words in the index
	position	INTEGER NOT NULL DEFAULT 0,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

CREATE TABLE product_types (
	id		TEXT PRIMARY KEY,			-- ptype_...
	name		TEXT NOT NULL UNIQUE,
	version		INTEGER NOT NULL DEFAULT 1,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);

CREATE TABLE product_type_attributes (
	type		TEXT NOT NULL REFERENCES product_types(id)
			    ON DELETE CASCADE,
	attribute	TEXT NOT NULL REFERENCES attributes(id)
			    ON DELETE CASCADE,
	position	INTEGER NOT NULL DEFAULT 0,
	required	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (type, attribute)
) WITHOUT ROWID;

ALTER TABLE products ADD COLUMN type_id TEXT
    REFERENCES product_types(id) ON DELETE SET NULL;

-- One row per value: a multiselect has one row per chosen value.  value is
-- the canonical text ("true"/"false", a choice, a number as written by
-- the API: integer or decimal text); num holds a number for sorting and
-- range filters (the value times 1000, rounded), else NULL.
CREATE TABLE product_attributes (
	product		INTEGER NOT NULL REFERENCES products(rowid)
			    ON DELETE CASCADE,
	attribute	TEXT NOT NULL REFERENCES attributes(id)
			    ON DELETE CASCADE,
	value		TEXT NOT NULL,
	num		INTEGER,
	PRIMARY KEY (product, attribute, value)
) WITHOUT ROWID;
CREATE INDEX product_attributes_value ON product_attributes(attribute, value);

-- The search index gains the attribute text.  FTS5 tables cannot gain a
-- column, so it is made anew with the rows it had.
CREATE VIRTUAL TABLE product_search_new USING fts5(
	title, description, tags, skus, attributes,
	prefix='2 3', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO product_search_new (rowid, title, description, tags, skus,
    attributes) SELECT rowid, title, description, tags, skus, ''
    FROM product_search;
DROP TABLE product_search_vocab;
DROP TABLE product_search;
ALTER TABLE product_search_new RENAME TO product_search;
CREATE VIRTUAL TABLE product_search_vocab USING fts5vocab(product_search, 'row');
-- Deleting a type and its "in use" check look products up by type.
CREATE INDEX products_type ON products(type_id);
