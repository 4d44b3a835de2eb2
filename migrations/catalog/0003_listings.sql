-- The storefront read model: what a shopper sees of a product in a list,
-- one stored row per product, written in the transaction of whatever
-- changed it (the product, its stock, a price event), so a listing page is
-- one query.  seq rises with every write (max + 1) so each worker's
-- in-memory search index can pick up what changed since it last looked;
-- a deleted product keeps its row with status 'deleted' for that reason.
CREATE TABLE listings (
	product		INTEGER PRIMARY KEY,			-- products.rowid
	id		TEXT NOT NULL UNIQUE,			-- prod_...
	status		TEXT NOT NULL,		-- draft active archived deleted
	title		TEXT NOT NULL,
	slug		TEXT NOT NULL,
	image		TEXT,					-- URL of the first
	image_alt	TEXT,
	price_min	INTEGER,				-- minor units
	price_max	INTEGER,
	compare_at_max	INTEGER,
	currency	TEXT,
	in_stock	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	seq		INTEGER NOT NULL
);
CREATE INDEX listings_seq ON listings(seq);
CREATE INDEX listings_status ON listings(status, product);

-- Document frequency per indexed word, materialized from
-- product_search_vocab (which counts by walking doclists: 1 ms a word at
-- scale); the search plan and the typo rewrite read this instead.
CREATE TABLE search_terms (
	term		TEXT PRIMARY KEY,
	doc		INTEGER NOT NULL
) WITHOUT ROWID;
-- The typo rewrite compares a word with the terms of about its length and
-- of its kind (with digits or not), not with every SKU's token; covering
-- (term is the key, so every entry holds it).
CREATE INDEX search_terms_shape ON search_terms
    (term GLOB '*[0-9]*', length(term), doc);
