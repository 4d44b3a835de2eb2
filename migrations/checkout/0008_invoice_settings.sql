-- The seller as the printable invoice names it
-- (modules/checkout/checkout_invoice_settings.c): the shop's name, its
-- address (a few lines, '\n' between them), an optional VAT or tax id and
-- an optional footer note (bank details, terms).  One row, versioned for
-- ETag / If-Match like pricing's settings.  The handler strips control
-- characters and checks lengths; the CHECKs are the last line of defence.
-- A shop that upgrades gets "My shop" until staff fill it in; a fresh
-- demo shop's seed writes a believable demo seller over it.
CREATE TABLE invoice_settings (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	seller_name	TEXT NOT NULL CHECK (length(seller_name) BETWEEN 1 AND 100),
	seller_address	TEXT NOT NULL DEFAULT ''
			    CHECK (length(seller_address) <= 400),
	vat_id		TEXT NOT NULL DEFAULT '' CHECK (length(vat_id) <= 32),
	footer		TEXT NOT NULL DEFAULT '' CHECK (length(footer) <= 1000),
	version		INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
	updated_at	INTEGER NOT NULL		-- ms since the epoch
);
INSERT INTO invoice_settings (id, seller_name, updated_at) VALUES
    (1, 'My shop', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
