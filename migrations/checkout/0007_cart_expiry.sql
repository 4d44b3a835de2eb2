-- Guest carts nobody has touched for 30 days are deleted (their lines go
-- with them), a few at a time as new guest carts are made, so an
-- abandoned-cart pile never grows without bound.  This index finds the
-- oldest guest carts without reading the table; customers' carts (one per
-- customer, kept) are not in it.
CREATE INDEX carts_guest_age ON carts (updated_at) WHERE customer_id IS NULL;
