-- The test provider answers "paid" without any money changing hands, so a
-- real shop must not offer it: it is off until staff switch it on with
-- PUT /api/v1/checkout/payments/test {"enabled": true} (the API tests and
-- a demo shop do).  A shop that ran 0003 had it on; this turns it off
-- there too, once.
UPDATE payment_settings SET value = '0' WHERE name = 'test.enabled';
