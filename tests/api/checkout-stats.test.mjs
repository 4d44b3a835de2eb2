/*
 * The admin dashboard's figures: GET /api/v1/checkout/stats (staff).
 * Orders are placed for real and moved through paid, prepared, shipped,
 * delivered, cancelled and a partial refund; the answer is checked to the
 * unit: sales per UTC day (zero-filled, oldest first, cancelled orders
 * left out, refunds subtracted), the backlog (to fulfil, unpaid) with its
 * per-status counts, and the same figures recomputed from the orders list.
 * Bad `days` is a 400 problem; no token 401; a customer 403.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { allPages, assertProblem, customerToken, shippingZone, startServer } from './lib/server.mjs';

const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const S = '/api/v1/checkout/stats';
const ADDR = { name: 'Ada Buyer', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' };
const DAY = 86400000;
const key = () => `k-${randomBytes(8).toString('hex')}`;
/* A time (ms, or RFC 3339 as the list shows it) as its UTC date. */
const utcDate = (t) => new Date(typeof t === 'number' ? t : Date.parse(t)).toISOString().slice(0, 10);

describe('checkout: stats for the dashboard', () => {
	let s, token, cust, method, sku;

	const stats = (q = '', tk = token) => s.request('GET', `${S}${q}`, tk ? { token: tk } : {});

	/* A guest order of qty units, placed; returns the order. */
	async function order(qty, payment_method = 'bank_transfer') {
		const c = await s.request('POST', C);
		assert.equal(c.status, 201, c.text);
		const opts = { headers: { 'x-cart-token': c.json.token } };
		const l = await s.request('POST', `${C}/${c.json.id}/lines`, { ...opts, body: { sku, quantity: qty } });
		assert.equal(l.status, 200, l.text);
		const r = await s.request('POST', O, { headers: { ...opts.headers, 'idempotency-key': key() },
			body: { cart_id: c.json.id, email: 'ada@example.com', shipping_address: ADDR,
				shipping_method: method, payment_method } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.status, 'approved');
		return r.json;
	}

	async function move(o, to, extra = {}) {
		const r = await s.request('POST', `${O}/${o.id}/transitions`, { token, body: { to, ...extra } });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	/* Every order of the list view, following the cursor. */
	const allOrders = () => allPages(s, O, token);

	/* The stats checked against each other: days, totals, window. */
	function checkShape(j, days) {
		assert.equal(j.days.length, days);
		const today = Math.floor(Date.now() / DAY);
		/* The answer's last day is today in UTC (or yesterday across a midnight). */
		const last = Date.parse(`${j.days[days - 1].date}T00:00:00Z`) / DAY;
		assert.ok(last === today || last === today - 1, `last day ${j.days[days - 1].date}`);
		j.days.forEach((d, i) => {
			assert.equal(d.date, utcDate((last - days + 1 + i) * DAY), 'consecutive, oldest first');
			assert.ok(Number.isInteger(d.orders) && Number.isInteger(d.revenue));
		});
		assert.equal(j.totals.orders, j.days.reduce((a, d) => a + d.orders, 0));
		assert.equal(j.totals.revenue, j.days.reduce((a, d) => a + d.revenue, 0));
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		cust = await customerToken(s, 'stats');
		assert.ok([200, 201].includes((await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard',
		    { token, body: { rate: 19000 } })).status));
		method = (await shippingZone(s, token)).method;
		sku = `ST-${randomBytes(3).toString('hex').toUpperCase()}`;
		const p = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `P ${sku}`,
			status: 'active', variants: [{ sku, on_hand: 1000 }] } });
		assert.equal(p.status, 201, p.text);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
			body: { amount: 1000 } })).status, 201);
	});

	after(async () => {
		await s?.close();
	});

	it('with no orders: 30 zero-filled days and nothing open', async () => {
		const r = await stats();
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers['content-type'], /^application\/json/);
		assert.equal(r.headers['cache-control'], 'no-store');
		const j = r.json;
		assert.equal(j.currency, 'EUR');
		checkShape(j, 30);
		assert.ok(j.days.every((d) => d.orders === 0 && d.revenue === 0));
		assert.deepEqual(j.totals, { orders: 0, revenue: 0 });
		assert.equal(j.to_fulfil, 0);
		assert.equal(j.unpaid, 0);
		assert.deepEqual(j.to_fulfil_by_status, {});
		assert.deepEqual(j.unpaid_by_status, {});
	});

	it('counts orders and revenue exactly, and the backlog by state', async () => {
		const waiting = await order(1);			/* approved, unpaid */
		const paid = await order(2);
		await move(paid, 'paid');				/* to fulfil */
		const prepared = await order(1);
		await move(prepared, 'paid');
		await move(prepared, 'prepared');			/* to fulfil */
		const shipped = await order(3);
		await move(shipped, 'paid');
		await move(shipped, 'prepared');
		await move(shipped, 'shipped', { carrier: 'DHL' });	/* done */
		const cancelled = await order(5);
		await move(cancelled, 'cancelled');			/* left out */
		const cod = await order(1, 'cod');			/* to fulfil and unpaid */
		const codDelivered = await order(2, 'cod');
		await move(codDelivered, 'prepared');
		await move(codDelivered, 'shipped', { carrier: 'DHL' });
		await move(codDelivered, 'delivered');		/* unpaid only */
		const refunded = await order(2);
		await move(refunded, 'paid');
		const rf = await s.request('POST', `${O}/${refunded.id}/refunds`, { token,
			body: { amount: 150, reason: 'goodwill' } });
		assert.equal(rf.status, 201, rf.text);		/* still paid: to fulfil */
		assert.equal(rf.json.status, 'paid');

		const counted = [waiting, paid, prepared, shipped, cod, codDelivered, refunded];
		const revenue = counted.reduce((a, o) => a + o.total, 0) - 150;
		const r = await stats();
		assert.equal(r.status, 200, r.text);
		const j = r.json;
		checkShape(j, 30);
		const today = utcDate(waiting.created_at);
		assert.equal(utcDate(refunded.created_at), today, 'the test did not cross midnight');
		const days = j.days.filter((d) => d.orders > 0);
		assert.deepEqual(days, [{ date: today, orders: 7, revenue }]);
		assert.equal(j.days[29].date, today);
		assert.deepEqual(j.totals, { orders: 7, revenue });
		assert.equal(j.to_fulfil, 4);
		assert.deepEqual(j.to_fulfil_by_status, { approved: 1, paid: 2, prepared: 1 });
		assert.equal(j.unpaid, 3);
		assert.deepEqual(j.unpaid_by_status, { approved: 2, delivered: 1 });

		/* Recomputed from the orders list, by its own status fields. */
		const all = await allOrders();
		const live = all.filter((o) => o.status !== 'cancelled');
		assert.equal(live.length, j.totals.orders);
		assert.equal(live.reduce((a, o) => a + o.total - o.refunded, 0), j.totals.revenue);
		assert.equal(all.filter((o) => ['paid', 'prepared'].includes(o.status) ||
		    (o.status === 'approved' && o.payment_method === 'cod')).length, j.to_fulfil);
		assert.equal(all.filter((o) => !['created', 'cancelled', 'refunded'].includes(o.status) &&
		    o.paid < o.total).length, j.unpaid);

		/* The list's queues are exactly what the tiles count. */
		const ids = (xs) => xs.map((o) => o.id).sort();
		const queue = async (q) => {
			const l = await s.request('GET', `${O}?queue=${q}&limit=100`, { token });
			assert.equal(l.status, 200, l.text);
			return l.json.data;
		};
		assert.deepEqual(ids(await queue('to_fulfil')), ids([paid, prepared, cod, refunded]));
		assert.deepEqual(ids(await queue('unpaid')), ids([waiting, cod, codDelivered]));
		for (const bad of ['open', '', 'x'.repeat(40)]) {
			const b = await s.request('GET', `${O}?queue=${encodeURIComponent(bad)}`, { token });
			assertProblem(b, 400);
			assert.equal(b.json.errors[0].field, 'queue', b.text);
		}

		/* Paying the cash-on-delivery order takes it out of unpaid only. */
		await move(codDelivered, 'paid');
		const r2 = (await stats()).json;
		assert.equal(r2.unpaid, 2);
		assert.equal(r2.to_fulfil, 4);
		assert.deepEqual(r2.totals, j.totals);
	});

	it('days=7..90 sets the window; anything else is a 400 problem', async () => {
		for (const n of [7, 90]) {
			const r = await stats(`?days=${n}`);
			assert.equal(r.status, 200, r.text);
			checkShape(r.json, n);
			assert.equal(r.json.totals.orders, 7, 'today is inside every window');
		}
		for (const bad of ['6', '91', '0', '-7', 'abc', '7.5', '', '30x', '1e1']) {
			const p = assertProblem(await stats(`?days=${encodeURIComponent(bad)}`), 400, 'bad-query');
			assert.ok(p.errors.some((e) => e.field === 'days'), JSON.stringify(p));
		}
	});

	it('is for staff: 401 without a token, 403 for a customer', async () => {
		assertProblem(await stats('', null), 401);
		assertProblem(await stats('', cust), 403);
		assertProblem(await stats('?days=abc', cust), 403);
	});
});
