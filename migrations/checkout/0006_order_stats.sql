-- Indexes for the admin dashboard's GET /api/v1/checkout/stats, so that
-- both of its queries read an index and never the table or the events.
-- The list view already holds every column the figures need; only the
-- indexes are new, and CREATE INDEX fills them from the existing rows,
-- so no backfill is needed.
--
-- Sales per day: orders of one currency in a created_at range, with the
-- status (cancelled ones are left out), total and refunded carried in the
-- index so that the daily sums never touch the table.
CREATE INDEX orders_sales ON orders (currency, created_at, status, total,
    refunded);

-- Open work: only orders someone still has to act on (stock reserved and
-- not yet shipped, or shipped but not fully paid, as with cash on
-- delivery).  The index stays the size of the backlog however many
-- delivered orders pile up; the query repeats this WHERE word for word,
-- which is what lets SQLite use a partial index.
CREATE INDEX orders_open ON orders (status, payment_method, paid, total)
    WHERE status IN ('approved', 'paid', 'prepared') OR
    (status IN ('shipped', 'delivered') AND paid < total);
