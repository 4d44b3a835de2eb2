-- The orders whose uses pricing has counted (pricing_orders.c): a
-- checkout.order.created handled a second time finds its order here and
-- counts nothing, so customer_orders and the *_uses counts stay exact even
-- if the bus hands an event over twice.  Emptied with the counts by
-- `mercato replay pricing`, which counts every order again from checkout's
-- log.
CREATE TABLE counted_orders (
	order_id	TEXT PRIMARY KEY
) WITHOUT ROWID;
