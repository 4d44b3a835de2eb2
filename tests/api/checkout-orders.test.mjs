/*
 * Placing orders (issue 5): POST /api/v1/checkout/orders turns a cart into
 * an order priced by checkout itself, with a required Idempotency-Key;
 * catalog's stock answer arrives in-process so the 201 carries approved or
 * cancelled ("out-of-stock: ..."). Staff list, read and move orders through
 * guarded transitions; a customer reads only their own orders (another
 * customer's is 404). Concurrency: last units, a single-use coupon and
 * retries of one key. Timings are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { SLOW, assertProblem, customerToken, runCli, shippingZone, startServer, waitFor } from './lib/server.mjs';

const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const ME = '/api/v1/checkout/me/orders';
const tag = () => randomBytes(3).toString('hex').toUpperCase();
const key = () => `k-${randomBytes(8).toString('hex')}`;
const ADDR = { name: 'Ada Buyer', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' };

function pct(xs, p) {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

describe('checkout: orders', () => {
	let s, token, cust, cust2, method, T, zone;

	async function product(sku, price, onHand) {
		const r = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `P ${sku}`,
			status: 'active', variants: [{ sku, on_hand: onHand }] } });
		assert.equal(r.status, 201, r.text);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
			body: { amount: price } })).status, 201);
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

	function place(c, extra = {}, k = key(), more = {}) {
		return s.request('POST', O, { ...c.opts, ...more, headers: { ...(c.opts.headers || {}),
			'idempotency-key': k, ...(more.headers || {}) }, body: { cart_id: c.id, email: 'ada@example.com',
			shipping_address: ADDR, shipping_method: method, payment_method: 'bank_transfer', ...extra } });
	}

	async function stock(sku) {
		const r = await s.request('GET', `/api/v1/catalog/stock/${encodeURIComponent(sku)}`, { token });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		cust = await customerToken(s, 'ord1');
		cust2 = await customerToken(s, 'ord2');
		for (const c of ['DE', 'AT'])
			assert.ok([200, 201].includes((await s.request('PUT', `/api/v1/pricing/tax-rates/${c}/standard`,
			    { token, body: { rate: 19000 } })).status));
		const g = await s.request('GET', '/api/v1/pricing/settings', { token });
		assert.equal((await s.request('PUT', '/api/v1/pricing/settings', { token,
			headers: { 'if-match': g.headers.etag }, body: { prices_include_tax: false } })).status, 200);
		({ zone, method } = await shippingZone(s, token));
		T = `T-${tag()}`;
		await product(T, 1000, 1000);
	});

	after(async () => {
		await s?.close();
	});

	it('places a guest order: priced by checkout, approved, cart emptied, stock reserved', async () => {
		const before0 = await stock(T);
		const c = await cart([[T, 2]]);
		const r = await place(c);
		assert.equal(r.status, 201, r.text);
		const o = r.json;
		assert.match(o.id, /^ord_/);
		assert.equal(o.status, 'approved');
		assert.equal(o.payment_status, 'unpaid');
		assert.ok(o.number > 1000);
		assert.equal(o.customer_id, null);
		assert.equal(o.email, 'ada@example.com');
		assert.equal(o.lines.length, 1);
		assert.equal(o.lines[0].sku, T);
		assert.equal(o.lines[0].quantity, 2);
		assert.equal(o.lines[0].unit_price, 1000);
		assert.equal(o.lines[0].tax, 380);
		assert.equal(o.lines[0].total, 2380);
		assert.equal(o.shipping, 490 + 93);
		assert.equal(o.total, 2380 + 583);
		assert.deepEqual(o.shipping_address, ADDR);
		assert.equal(o.shipping_method, method);
		assert.equal(o.shipping_method_name, 'Standard', 'the name as chosen, kept with the order');
		const cc = await s.request('GET', `${C}/${c.id}`, c.opts);
		assert.deepEqual(cc.json.lines, [], 'the cart is emptied');
		const after0 = await stock(T);
		assert.equal(after0.reserved, before0.reserved + 2);
		const d = await s.request('GET', `${O}/${o.id}`, { token });
		assert.equal(d.status, 200, d.text);
		assert.deepEqual(d.json.timeline.map((e) => e.type), ['created', 'approved']);
		assert.deepEqual(d.json.next_actions.sort(), ['cancelled', 'paid']);
	});

	it('refuses bad input, writing nothing', async () => {
		const c = await cart([[T, 1]]);
		const n0 = (await s.request('GET', `${O}?limit=200`, { token })).json.data.length;
		assertProblem(await s.request('POST', O, { ...c.opts, body: { cart_id: c.id } }), 428,
		    'idempotency-key-required');
		let r = await place(c, { email: 'nope', shipping_address: { country: 'Germany' }, payment_method: '' });
		const p = assertProblem(r, 422, 'validation');
		assert.deepEqual(p.errors.map((e) => e.field).sort(), ['email', 'payment_method', 'shipping_address']);
		r = await place(c, { payment_method: 'gold_bars' });
		assert.deepEqual(assertProblem(r, 422, 'validation').errors.map((e) => e.field), ['payment_method']);
		r = await place(c, { shipping_address: { ...ADDR, country: 'AT' } });
		assert.deepEqual(assertProblem(r, 422, 'validation').errors.map((e) => e.field), ['shipping_method']);
		assertProblem(await place(c, {}, key(), { headers: { 'x-cart-token': 'ct_wrong' } }), 404, 'not-found');
		assertProblem(await place({ id: c.id, opts: { token: cust } }), 404, 'not-found');
		const empty = await cart([]);
		assertProblem(await place(empty), 422, 'cart-empty');
		assert.equal((await s.request('GET', `${O}?limit=200`, { token })).json.data.length, n0, 'no order written');
		assert.equal((await s.request('GET', `${C}/${c.id}`, c.opts)).json.lines.length, 1, 'the cart is kept');
	});

	it('same key and body: the first answer; same key, other body: 422', async () => {
		const c = await cart([[T, 1]]);
		const k = key();
		const a = await place(c, {}, k);
		assert.equal(a.status, 201, a.text);
		const b = await place(c, {}, k);
		assert.equal(b.status, 201);
		assert.equal(b.text, a.text, 'byte for byte');
		assertProblem(await place(c, { email: 'other@example.com' }, k), 422, 'idempotency-mismatch');
	});

	it('20 concurrent retries of one key: one order, 20 identical answers', async (t) => {
		const c = await cart([[T, 1]]);
		const k = key();
		const n0 = (await stock(T)).reserved;
		const t0 = performance.now();
		const rs = await Promise.all(Array.from({ length: 20 }, () => place(c, {}, k, { fresh: true })));
		const ms = performance.now() - t0;
		t.diagnostic(`20 concurrent retries of one key: ${ms.toFixed(0)} ms`);
		assert.deepEqual(rs.map((r) => r.status), new Array(20).fill(201));
		assert.equal(new Set(rs.map((r) => r.text)).size, 1, 'identical answers');
		assert.equal(rs[0].json.status, 'approved');
		assert.equal((await stock(T)).reserved, n0 + 1, 'one order reserved');
	});

	it('100 concurrent buyers of the last 5 units: 5 approved, 95 cancelled for stock', async (t) => {
		const sku = `HOT-${tag()}`;
		await product(sku, 1500, 5);
		const carts = [];
		for (let i = 0; i < 100; i++)
			carts.push(await cart([[sku, 1]]));
		const t0 = performance.now();
		const rs = await Promise.all(carts.map((c) => place(c, {}, key(), { fresh: true })));
		const ms = performance.now() - t0;
		t.diagnostic(`100 concurrent orders for the last 5 units: ${ms.toFixed(0)} ms`);
		assert.deepEqual(rs.map((r) => r.status), new Array(100).fill(201), rs.find((r) => r.status !== 201)?.text);
		const approved = rs.filter((r) => r.json.status === 'approved');
		const cancelled = rs.filter((r) => r.json.status === 'cancelled');
		assert.equal(approved.length, 5);
		assert.equal(cancelled.length, 95);
		for (const r of cancelled)
			assert.match(r.json.cancel_reason, new RegExp(`^out-of-stock: ${sku} \\(requested 1, available 0\\)`));
		const st = await stock(sku);
		assert.equal(st.available, 0);
		assert.equal(st.reserved, 5);
		assert.equal(st.on_hand, 5);
		/* What the 201s said is what stays. */
		for (const r of rs) {
			const d = await s.request('GET', `${O}/${r.json.id}`, { token });
			assert.equal(d.json.status, r.json.status);
		}
	});

	it('a single-use coupon used by 50 concurrent checkouts is used once', async (t) => {
		const pr = await s.request('POST', '/api/v1/pricing/promotions', { token, body: { name: '10% once',
			trigger: 'code', action: { type: 'order_percent', rate: 10000 } } });
		assert.equal(pr.status, 201, pr.text);
		const code = `ONCE${tag()}`;
		assert.equal((await s.request('POST', '/api/v1/pricing/coupons', { token,
			body: { code, promotion_id: pr.json.id, usage_limit: 1 } })).status, 201);
		const carts = [];
		for (let i = 0; i < 50; i++) {
			const c = await cart([[T, 1]]);
			await waitFor(async () => {
				const r = await s.request('PUT', `${C}/${c.id}/coupon`, { ...c.opts, body: { code } });
				return r.status === 200 && r.json.coupon.applied;
			}, { timeoutMs: 5000 * SLOW, message: 'coupon applied in the cart' });
			carts.push(c);
		}
		const t0 = performance.now();
		const rs = await Promise.all(carts.map((c) => place(c, {}, key(), { fresh: true })));
		t.diagnostic(`50 concurrent checkouts with one single-use coupon: ${(performance.now() - t0).toFixed(0)} ms`);
		const won = rs.filter((r) => r.status === 201);
		assert.equal(won.length, 1, 'used exactly once');
		assert.equal(won[0].json.discount, 100);
		for (const r of rs.filter((x) => x.status !== 201)) {
			const p = assertProblem(r, 409, 'coupon-used-up');
			assert.match(p.detail, new RegExp(code));
		}
	});

	it('guards transitions: 409 naming the state, shipped needs a carrier', async () => {
		const c = await cart([[T, 1]]);
		const o = (await place(c)).json;
		const tr = (to, body = {}, tk = token) => s.request('POST', `${O}/${o.id}/transitions`,
		    { token: tk, body: { to, ...body } });
		let p = assertProblem(await tr('shipped', { carrier: 'DHL' }), 409, 'illegal-transition');
		assert.match(p.detail, /approved/);
		assertProblem(await tr('nonsense'), 422, 'validation');
		assertProblem(await tr('paid', {}, cust), 403);
		assertProblem(await s.request('POST', `${O}/${o.id}/transitions`, { body: { to: 'paid' } }), 401);
		assertProblem(await s.request('POST', `${O}/ord_nope/transitions`, { token, body: { to: 'paid' } }), 404);
		let r = await tr('paid');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'paid');
		assert.equal(r.json.paid, o.total);
		assert.equal((await tr('prepared')).json.status, 'prepared');
		assertProblem(await tr('shipped', {}), 422, 'invalid-transition');
		r = await tr('shipped', { carrier: 'DHL', tracking_number: '00340434' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.carrier, 'DHL');
		p = assertProblem(await tr('cancelled'), 409, 'illegal-transition');
		assert.match(p.detail, /shipped/);
		assert.equal((await tr('delivered')).json.status, 'delivered');
		assert.deepEqual(r.json.timeline.map((e) => e.type), ['created', 'approved', 'paid', 'prepared', 'shipped']);
	});

	it('cancelling an approved order releases its stock', async () => {
		const sku = `REL-${tag()}`;
		await product(sku, 700, 3);
		const o = (await place(await cart([[sku, 2]]))).json;
		assert.equal(o.status, 'approved');
		assert.equal((await stock(sku)).reserved, 2);
		const r = await s.request('POST', `${O}/${o.id}/transitions`, { token, body: { to: 'cancelled',
			reason: 'customer asked' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'cancelled');
		const st = await stock(sku);
		assert.equal(st.reserved, 0);
		assert.equal(st.available, 3);
	});

	it('customers read only their own orders; another customer gets 404', async () => {
		const c = await cart([[T, 1]], cust);
		const r = await place(c);
		assert.equal(r.status, 201, r.text);
		assert.match(r.json.customer_id, /.+/);
		const mine = await s.request('GET', ME, { token: cust });
		assert.equal(mine.status, 200, mine.text);
		assert.ok(mine.json.data.some((x) => x.id === r.json.id));
		const one = await s.request('GET', `${ME}/${r.json.id}`, { token: cust });
		assert.equal(one.status, 200, one.text);
		assert.equal(one.json.id, r.json.id);
		assertProblem(await s.request('GET', `${ME}/${r.json.id}`, { token: cust2 }), 404, 'not-found');
		assert.ok(!(await s.request('GET', ME, { token: cust2 })).json.data.some((x) => x.id === r.json.id));
		assertProblem(await s.request('GET', ME), 401);
		assertProblem(await s.request('GET', `${ME}/${r.json.id}`), 401);
		/* Staff reach orders through the staff routes; they own none. */
		assertProblem(await s.request('GET', `${ME}/${r.json.id}`, { token }), 404, 'not-found');
		assertProblem(await s.request('GET', `${O}/${r.json.id}`, { token: cust }), 403);
		assertProblem(await s.request('GET', O, { token: cust }), 403);
	});

	it('staff list with filters and paging', async () => {
		let r = await s.request('GET', `${O}?status=cancelled&limit=200`, { token });
		assert.equal(r.status, 200, r.text);
		assert.ok(r.json.data.length >= 95);
		assert.ok(r.json.data.every((x) => x.status === 'cancelled'));
		r = await s.request('GET', `${O}?limit=3`, { token });
		assert.equal(r.json.data.length, 3);
		assert.ok(r.json.next);
		const r2 = await s.request('GET', `${O}?limit=3&after=${r.json.next}`, { token });
		assert.ok(r2.json.data[0].number < r.json.data[2].number + 1);
		assert.ok(r2.json.data.every((x) => x.number < r.json.data[2].number));
		const n = r.json.data[0].number;
		r = await s.request('GET', `${O}?q=${n}`, { token });
		assert.deepEqual(r.json.data.map((x) => x.number), [n]);
		assertProblem(await s.request('GET', `${O}?status=lost`, { token }), 400);
		assertProblem(await s.request('GET', `${O}?from=yesterday`, { token }), 400);
		assertProblem(await s.request('GET', O), 401);
	});

	it('refunds: whole or per line, never more than paid', async () => {
		const c = await cart([[T, 3]]);
		const o = (await place(c)).json;
		const rf = (body, tk = token) => s.request('POST', `${O}/${o.id}/refunds`, { token: tk, body });
		let p = assertProblem(await rf({ whole: true }), 409, 'illegal-transition');
		assert.match(p.detail, /approved/);
		assertProblem(await rf({ whole: true }, cust), 403);
		assertProblem(await s.request('POST', `${O}/${o.id}/refunds`, { body: { whole: true } }), 401);
		assertProblem(await s.request('POST', `${O}/ord_nope/refunds`, { token, body: { whole: true } }), 404);
		assert.equal((await s.request('POST', `${O}/${o.id}/transitions`, { token, body: { to: 'paid' } })).status, 200);
		assertProblem(await rf({ lines: [{ line: 1, quantity: 4 }] }), 422, 'invalid-refund');
		/* The preview: the server's amounts, nothing written, no credit note taken. */
		const pv = (body, tk = token) => s.request('POST', `${O}/${o.id}/refunds/preview`, { token: tk, body });
		assertProblem(await s.request('POST', `${O}/${o.id}/refunds/preview`, { body: { whole: true } }), 401);
		assertProblem(await pv({ whole: true }, cust), 403);
		assertProblem(await s.request('POST', `${O}/ord_nope/refunds/preview`, { token, body: { whole: true } }), 404);
		assertProblem(await pv({ lines: [{ line: 1, quantity: 4 }] }), 422, 'invalid-refund');
		assertProblem(await pv([]), 400);
		let r = await pv({ lines: [{ line: 1, quantity: 1 }] });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { lines: [{ line: 1, quantity: 1, amount: 1190 }], amount: 1190, shipping: 0,
			currency: o.currency });
		r = await pv({ whole: true });
		assert.equal(r.json.amount, o.total);
		const untouched = (await s.request('GET', `${O}/${o.id}`, { token })).json;
		assert.equal(untouched.refunded, 0);
		assert.equal(untouched.credit_notes, 0);
		assert.equal(untouched.timeline.at(-1).type, 'paid');
		r = await rf({ lines: [{ line: 1, quantity: 1 }], reason: 'damaged' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.payment_status, 'partially_refunded');
		assert.equal(r.json.refunded, 1190);
		assert.equal(r.json.payment.refunded, 1190);
		r = await rf({ whole: true });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.status, 'refunded');
		assert.equal(r.json.refunded, o.total);
		assertProblem(await rf({ whole: true }), 409, 'illegal-transition');
	});

	it('prints the invoice as HTML for staff', async () => {
		const c = await cart([[T, 1]]);
		const o = (await place(c, { email: 'x<b>y@example.com' })).json;
		const r = await s.request('GET', `${O}/${o.id}/invoice`, { token });
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers['content-type'], /^text\/html/);
		assert.match(r.headers['content-security-policy'], /default-src 'none'/);
		assert.ok(r.text.includes(String(o.number)));
		assert.ok(!r.text.includes('x<b>y'), 'text is escaped');
		assert.match(r.text, /Payment: Bank transfer &middot; Shipping: Standard/,
		    'methods by their names, not ids');
		assertProblem(await s.request('GET', `${O}/${o.id}/invoice`, { token: cust }), 403);
		assertProblem(await s.request('GET', `${O}/${o.id}/invoice`), 401);
		assertProblem(await s.request('GET', `${O}/ord_nope/invoice`, { token }), 404);
	});

	it('replay rebuilds the same list view and snapshots from the events', async () => {
		const db = path.join(s.dataDir, 'checkout.db');
		const dump = () => ['orders', 'order_snapshots'].map((t) => execFileSync('sqlite3', ['-cmd', '.timeout 5000',
			db, `SELECT * FROM ${t} ORDER BY 1, 2`]).toString());
		const live = dump();
		const list = (await s.request('GET', `${O}?limit=200`, { token })).json;
		assert.ok(live[0].split('\n').length > 100, 'the list view is filled');
		const r = await runCli(process.env.MERCATO_BIN, ['replay', 'checkout', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay failed: ${r.stderr}`);
		assert.deepEqual(dump(), live);
		assert.deepEqual((await s.request('GET', `${O}?limit=200`, { token })).json, list);
	});

	it('sequential placement timing (p50/p99)', async (t) => {
		const ms = [];
		for (let i = 0; i < 60; i++) {
			const c = await cart([[T, 1]]);
			const t0 = performance.now();
			const r = await place(c);
			ms.push(performance.now() - t0);
			assert.equal(r.status, 201, r.text);
			assert.equal(r.json.status, 'approved');
		}
		t.diagnostic(`order placement, sequential, 60 orders: p50 ${pct(ms, 50).toFixed(2)} ms, ` +
		    `p99 ${pct(ms, 99).toFixed(2)} ms`);
	});
});
