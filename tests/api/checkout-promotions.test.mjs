/*
 * Promotions once real orders exist (docs/PRICING.md, "Use counts"):
 * checkout prices a cart with the customer's earlier orders (first order)
 * and each promotion's uses, counted at placement in promotion_uses; a
 * placement that finds a promotion the cart showed no longer applies (its
 * limit reached meanwhile) is refused with 409 cart-changed and the cart
 * is priced again; pricing counts the same from checkout.order.created,
 * so POST /api/v1/pricing/quote agrees with the cart.
 *
 * Every promotion here matches only its own test's SKU, so the tests do
 * not see each other's promotions.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SLOW, assertProblem, customerToken, feed, runCli, shippingZone, startServer, waitFor } from './lib/server.mjs';

const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const P = '/api/v1/pricing/promotions';
const Q = '/api/v1/pricing/quote';
const tag = () => randomBytes(3).toString('hex').toUpperCase();
const key = () => `k-${randomBytes(8).toString('hex')}`;
const ADDR = { name: 'Ada Buyer', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' };

describe('checkout: promotions and real orders', () => {
	let s, token, method;

	async function product(price) {
		const sku = `PR-${tag()}`;
		const r = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `P ${sku}`,
			status: 'active', variants: [{ sku, on_hand: 1000 }] } });
		assert.equal(r.status, 201, r.text);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
			body: { amount: price } })).status, 201);
		return sku;
	}

	/* A promotion for sku only: 2.00 off the order. */
	async function promotion(sku, extra) {
		const r = await s.request('POST', P, { token, body: { name: `off ${sku}`,
			action: { type: 'order_fixed', amount: 200 }, ...extra,
			conditions: { match: { skus: [sku] }, ...(extra.conditions || {}) } } });
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	/* A cart with lines: a guest's (token) or a customer's (bearer). */
	async function cart(lines, bearer) {
		const r = await s.request('POST', C, bearer ? { token: bearer } : {});
		assert.ok([200, 201].includes(r.status), r.text);
		const opts = bearer ? { token: bearer } : { headers: { 'x-cart-token': r.json.token } };
		for (const [sku, quantity] of lines) {
			const l = await s.request('POST', `${C}/${r.json.id}/lines`, { ...opts, body: { sku, quantity } });
			assert.equal(l.status, 200, l.text);
		}
		return { id: r.json.id, opts };
	}

	const read = async (c) => {
		const r = await s.request('GET', `${C}/${c.id}`, c.opts);
		assert.equal(r.status, 200, r.text);
		return r.json;
	};
	const find = (x, p) => x.promotions.find((y) => y.id === p.id);

	/* A cart of sku once the promotion has reached checkout's copy. */
	async function cartWith(sku, p, bearer) {
		let c;
		await waitFor(async () => {
			c = await cart([[sku, 1]], bearer);
			return find(await read(c), p) !== undefined;
		}, { timeoutMs: 5000 * SLOW, message: 'the promotion reached checkout' });
		return c;
	}

	function place(c, k = key()) {
		return s.request('POST', O, { ...c.opts, headers: { ...(c.opts.headers || {}), 'idempotency-key': k },
			body: { cart_id: c.id, email: 'ada@example.com', shipping_address: ADDR, shipping_method: method,
				payment_method: 'bank_transfer' } });
	}

	/* The quote for the cart's lines (no shipping), as bearer (or a guest). */
	async function quote(sku, bearer) {
		const r = await s.request('POST', Q, { ...(bearer ? { token: bearer } : {}),
			body: { lines: [{ sku, quantity: 1 }] } });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	/* The goods' part of totals: a quote has no shipping, a customer's cart keeps its method. */
	const goods = (t) => ({ subtotal: t.subtotal, item_discount: t.item_discount, order_discount: t.order_discount,
		tax: t.tax - t.shipping_tax, total: t.total - t.shipping_total });

	/* The cart and the quote agree on p and the goods' totals. */
	async function agree(c, sku, p, bearer, reason) {
		const cc = await read(c);
		assert.equal(find(cc, p).reason, reason, 'the cart');
		let q;
		await waitFor(async () => {
			q = await quote(sku, bearer);
			return find(q, p).reason === reason;
		}, { timeoutMs: 5000 * SLOW, message: `the quote says ${reason}` });
		assert.deepEqual(goods(q.totals), goods(cc.totals), 'cart and quote agree');
		return cc;
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		assert.ok([200, 201].includes((await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard',
		    { token, body: { rate: 19000 } })).status));
		const g = await s.request('GET', '/api/v1/pricing/settings', { token });
		assert.equal((await s.request('PUT', '/api/v1/pricing/settings', { token,
			headers: { 'if-match': g.headers.etag }, body: { prices_include_tax: false } })).status, 200);
		method = (await shippingZone(s, token)).method;
	});

	after(async () => {
		await s?.close();
	});

	/*
	 * Each worker keeps the copied promotions parsed and reads them again
	 * when their generation moves: a change must reach every worker's
	 * next pricing, whichever worker took the event.
	 */
	it('a changed promotion reaches every worker\'s next cart: disabled, then changed and active again', async () => {
		const sku = await product(1000);
		const p = await promotion(sku, {});
		await cartWith(sku, p);
		const carts = async (n) => Promise.all(Array.from({ length: n }, async () => find(await read(
		    await cart([[sku, 1]])), p)));
		const patch = async (body) => {
			const g = await s.request('GET', `${P}/${p.id}`, { token });
			const r = await s.request('PATCH', `${P}/${p.id}`, { token, headers: { 'if-match': g.headers.etag },
				body });
			assert.equal(r.status, 200, r.text);
		};
		await patch({ status: 'disabled' });
		await waitFor(async () => (await carts(1))[0] === undefined, { timeoutMs: 5000 * SLOW,
			message: 'the pause reached checkout' });
		assert.deepEqual(await carts(12), Array(12).fill(undefined), 'no worker prices with the old copy');
		await patch({ status: 'active', action: { type: 'order_fixed', amount: 300 } });
		await waitFor(async () => (await carts(1))[0] !== undefined, { timeoutMs: 5000 * SLOW,
			message: 'the change reached checkout' });
		for (const x of await carts(12)) {
			assert.ok(x && x.applied, JSON.stringify(x));
			assert.equal(x.amount, 300, 'the new amount everywhere');
		}
	});

	it('a first-order promotion applies to a customer\'s first order, not their second; a guest always', async () => {
		const sku = await product(1000);
		const p = await promotion(sku, { conditions: { first_order: true } });
		const cust = await customerToken(s, 'first');
		const c1 = await cartWith(sku, p, cust);
		await agree(c1, sku, p, cust, 'applied');
		const o1 = await place(c1);
		assert.equal(o1.status, 201, o1.text);
		/* 10.00 - 2.00 = 8.00, tax 1.52; shipping 4.90 + 0.93 */
		assert.deepEqual([o1.json.discount, o1.json.total], [200, 952 + 583]);

		const c2 = await cart([[sku, 1]], cust);
		const cc = await agree(c2, sku, p, cust, 'first_order');
		assert.deepEqual([find(cc, p).applied, cc.totals.discount], [false, 0]);
		const o2 = await place(c2);
		assert.equal(o2.status, 201, o2.text);
		assert.deepEqual([o2.json.discount, o2.json.total], [0, 1190 + 583]);

		/* A guest's email is unknown while the cart is priced: a first order. */
		const g = await cart([[sku, 1]]);
		await agree(g, sku, p, null, 'applied');

		/* The created event names what pricing counts. */
		const evs = await feed(s, token, 'checkout');
		const created = (id) => evs.find((e) => e.type === 'checkout.order.created' && e.aggregate_id === id);
		assert.deepEqual([created(o1.json.id).payload.promotions, created(o1.json.id).payload.coupon], [[p.id], null]);
		assert.deepEqual(created(o2.json.id).payload.promotions, []);
	});

	it('a customer\'s cancelled order still counts: the next one is not a first order', async () => {
		const sku = await product(1000);
		const p = await promotion(sku, { conditions: { first_order: true } });
		const cust = await customerToken(s, 'cancel');
		const o = await place(await cartWith(sku, p, cust));
		assert.equal(o.status, 201, o.text);
		const tr = await s.request('POST', `${O}/${o.json.id}/transitions`, { token,
			body: { to: 'cancelled', reason: 'changed my mind' } });
		assert.equal(tr.status, 200, tr.text);
		await agree(await cart([[sku, 1]], cust), sku, p, cust, 'first_order');
	});

	it('usage_limit 1: of 20 concurrent checkouts one gets the discount, the others 409 cart-changed, then place at the new total', async (t) => {
		const sku = await product(1000);
		const p = await promotion(sku, { usage_limit: 1 });
		const carts = [];
		for (let i = 0; i < 20; i++)
			carts.push(await cartWith(sku, p));
		for (const c of carts)
			assert.equal(find(await read(c), p).applied, true, 'every cart shows the discount');
		const t0 = performance.now();
		const rs = await Promise.all(carts.map((c) => place(c)));
		t.diagnostic(`20 concurrent checkouts, one use: ${(performance.now() - t0).toFixed(0)} ms`);
		const won = rs.filter((r) => r.status === 201);
		assert.equal(won.length, 1, 'exactly one order');
		assert.equal(won[0].json.discount, 200);
		const lost = carts.filter((c, i) => rs[i].status !== 201);
		for (const r of rs.filter((x) => x.status !== 201)) {
			const pb = assertProblem(r, 409, 'cart-changed');
			assert.match(pb.detail, /usage_limit/);
		}
		/* No order was written for them: one created event only. */
		const evs = await feed(s, token, 'checkout');
		assert.equal(evs.filter((e) => e.type === 'checkout.order.created' &&
		    (e.payload.promotions || []).includes(p.id)).length, 1);
		/* Each cart now shows why; placed again, at the new total, with the same key or another. */
		for (const [i, c] of lost.entries()) {
			const cc = await read(c);
			assert.deepEqual([find(cc, p).applied, find(cc, p).reason, cc.totals.discount], [false, 'usage_limit', 0]);
			const r = await place(c);
			assert.equal(r.status, 201, r.text);
			assert.equal(r.json.discount, 0);
			if (i === 0) {
				const again = await s.request('GET', `${P}/${p.id}`, { token });
				assert.equal(again.json.uses, 1, 'pricing counted the one use');
			}
		}
		await agree(await cart([[sku, 1]]), sku, p, null, 'usage_limit');
	});

	it('a 409 cart-changed keeps the key unused: the same key then places at the new total', async () => {
		const sku = await product(1000);
		const p = await promotion(sku, { usage_limit: 1 });
		const a = await cartWith(sku, p);
		const b = await cartWith(sku, p);
		assert.equal((await place(a)).status, 201);
		const k = key();
		assertProblem(await place(b, k), 409, 'cart-changed');
		const r = await place(b, k);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.discount, 0);
		const again = await place(b, k);
		assert.deepEqual([again.status, again.json.id], [201, r.json.id], 'a retry gets the first order');
	});

	it('customer_usage_limit 1: a customer\'s second order has no discount; another customer\'s has', async () => {
		const sku = await product(1000);
		const p = await promotion(sku, { customer_usage_limit: 1 });
		const cust = await customerToken(s, 'per1');
		const o1 = await place(await cartWith(sku, p, cust));
		assert.equal(o1.status, 201, o1.text);
		assert.equal(o1.json.discount, 200);
		const c2 = await cart([[sku, 1]], cust);
		await agree(c2, sku, p, cust, 'customer_usage_limit');
		const o2 = await place(c2);
		assert.equal(o2.status, 201, o2.text);
		assert.equal(o2.json.discount, 0);
		const other = await customerToken(s, 'per2');
		const c3 = await cart([[sku, 1]], other);
		await agree(c3, sku, p, other, 'applied');
		assert.equal((await place(c3)).json.discount, 200);
	});

	it('a coupon\'s limits: the cart says usage_limit as the quote does once it is used up', async () => {
		const sku = await product(1000);
		const p = await promotion(sku, { trigger: 'code' });
		const code = `ONE${tag()}`;
		assert.equal((await s.request('POST', '/api/v1/pricing/coupons', { token,
			body: { code, promotion_id: p.id, usage_limit: 1 } })).status, 201);
		const put = async (c) => {
			let r;
			await waitFor(async () => {
				r = await s.request('PUT', `${C}/${c.id}/coupon`, { ...c.opts, body: { code } });
				return r.status === 200 && r.json.coupon.reason !== 'unknown';
			}, { timeoutMs: 5000 * SLOW, message: 'the coupon reached checkout' });
			return r.json;
		};
		const a = await cart([[sku, 1]]);
		const b = await cart([[sku, 1]]);
		assert.equal((await put(a)).coupon.applied, true);
		assert.equal((await put(b)).coupon.applied, true);
		const o = await place(a);
		assert.equal(o.status, 201, o.text);
		const evs = await feed(s, token, 'checkout');
		const ev = evs.find((e) => e.type === 'checkout.order.created' && e.aggregate_id === o.json.id);
		assert.deepEqual([ev.payload.coupon, ev.payload.promotions], [code, [p.id]]);
		const pb = assertProblem(await place(b), 409, 'coupon-used-up');
		assert.match(pb.detail, new RegExp(code));
		const cb = await read(b);
		assert.deepEqual([cb.coupon.applied, cb.coupon.reason, cb.totals.discount], [false, 'usage_limit', 0]);
		let q;
		await waitFor(async () => {
			const r = await s.request('POST', Q, { body: { lines: [{ sku, quantity: 1 }], coupon: code } });
			q = r.json;
			return q.coupon.reason === 'usage_limit';
		}, { timeoutMs: 5000 * SLOW, message: 'the quote sees the use' });
		assert.deepEqual(goods(q.totals), goods(cb.totals));
	});

	it('pricing counts an order once, and `mercato replay pricing` counts the same again', async () => {
		const db = path.join(s.dataDir, 'pricing.db');
		const counts = () => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db,
			`SELECT (SELECT count(*) FROM counted_orders) || ' ' || (SELECT coalesce(sum(orders), 0) FROM customer_orders)
			 || ' ' || (SELECT coalesce(sum(uses), 0) FROM promotion_uses) || ' ' ||
			 (SELECT coalesce(sum(uses), 0) FROM promotion_customer_uses) || ' ' ||
			 (SELECT coalesce(sum(uses), 0) FROM coupon_uses)`]).toString().trim();
		const sku = await product(1000);
		const p = await promotion(sku, { usage_limit: 100 });
		const cust = await customerToken(s, 'replay');
		assert.equal((await place(await cartWith(sku, p, cust))).json.discount, 200);
		assert.equal((await place(await cartWith(sku, p))).json.discount, 200);
		const evs = await feed(s, token, 'checkout');
		const orders = evs.filter((e) => e.type === 'checkout.order.created');
		const before0 = counts();
		assert.equal(before0.split(' ')[0], String(orders.length), 'every order counted');
		/* A created event handed over again (a dead letter retried) counts nothing. */
		const env = JSON.stringify(orders[0]).replaceAll("'", "''");
		const id = execFileSync('sqlite3', ['-cmd', '.timeout 5000', db,
			`INSERT INTO bus_dead (source, seq, type, envelope, attempts, error, dead_at) VALUES ('checkout',
			 ${orders[0].seq}, 'checkout.order.created', '${env}', 5, 'test: delivered again', 0);
			 SELECT last_insert_rowid();`]).toString().trim();
		const again = await s.request('POST', `/api/v1/events/dead/pricing/${id}/retry`, { token });
		assert.equal(again.status, 200, again.text);
		assert.equal(counts(), before0, 'a second delivery counts nothing');
		await s.restart();
		token = await s.adminToken();
		/* Counts gone wrong behind pricing's back: the replay counts them again from the log. */
		execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, 'UPDATE customer_orders SET orders = orders + 5;'
			+ ' UPDATE promotion_uses SET uses = uses + 5'], { stdio: 'ignore' });
		assert.notEqual(counts(), before0);
		const r = await runCli(process.env.MERCATO_BIN, ['replay', 'pricing', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay failed: ${r.stderr}`);
		await waitFor(() => counts() === before0, { timeoutMs: 5000 * SLOW, message: 'replay counted again' });
	});
});
