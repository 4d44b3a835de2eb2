-- A shipped order's reservations become a sale (checkout.order.shipped):
-- their rows stay, in a third state 'sold', so catalog knows which orders
-- it has already taken off the shelf and a second delivery of the event
-- converts nothing.  SQLite cannot change a CHECK in place, so the table
-- is rebuilt with the same columns and rows; no table references it.
CREATE TABLE reservations_new (
	order_id	TEXT NOT NULL,
	variant		INTEGER NOT NULL REFERENCES variants(rowid) ON DELETE CASCADE,
	quantity	INTEGER NOT NULL CHECK (quantity > 0),
	state		TEXT NOT NULL CHECK (state IN ('held', 'released',
			    'sold')),
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (order_id, variant)
) WITHOUT ROWID;
INSERT INTO reservations_new (order_id, variant, quantity, state, created_at)
    SELECT order_id, variant, quantity, state, created_at FROM reservations;
DROP TABLE reservations;
ALTER TABLE reservations_new RENAME TO reservations;
