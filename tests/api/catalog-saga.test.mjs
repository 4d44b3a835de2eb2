/*
 * The stock saga between the real checkout and catalog, on the shop binary
 * (MERCATO_BIN).  An order placed from a cart (POST /api/v1/checkout/orders)
 * publishes checkout.order.created; catalog reserves every line or none and
 * answers catalog.stock.reserved or catalog.stock.rejected, which make the
 * order approved or cancelled ("out-of-stock: ..."); the staff transition
 * to cancelled publishes checkout.order.cancelled, on which catalog
 * releases what the order holds; the transition to shipped publishes
 * checkout.order.shipped, on which catalog sells it (on_hand and reserved
 * drop together, reason "sale").  Delivery is in-process, so the order's
 * 201 normally carries the decision already.
 *
 * This file looks at catalog's side: the stock figures, the ledger and the
 * events.  The order itself (pricing, idempotency, transitions, 100 buyers
 * of the last units) is tests/api/checkout-orders.test.mjs; retries after
 * a crash over 20 kill cycles are tests/api/checkout-orders-crash.test.mjs.
 *
 * Covered: no overselling under concurrency, all or nothing, release on
 * cancel (once), sale on shipping (once, also when the event is handed
 * over again, after a restart and a replay), untracked and backorder
 * variants, below-reserved and
 * has-reservations, and a SIGKILL in the middle of a stream of orders
 * (three times) losing or doubling nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SLOW, allPages, assertProblem, feed, runCli, shippingZone, startServer, waitFor } from './lib/server.mjs';

const P = '/api/v1/catalog/products';
const STOCK = '/api/v1/catalog/stock';
const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const ADDR = { name: 'Saga Buyer', line1: 'Lagerweg 5', city: 'Hamburg', postal_code: '20095', country: 'DE' };

const tag = () => randomBytes(4).toString('hex').toUpperCase();
const key = () => `saga-${randomBytes(8).toString('hex')}`;

/* Waits until every subscription has caught up and none is failing. */
function caughtUp(s, token, timeoutMs = 10000 * SLOW) {
	return waitFor(async () => {
		const r = await s.request('GET', '/api/v1/events/subscriptions', { token });
		assert.equal(r.status, 200, r.text);
		return r.json.data.every((x) => x.lag === 0 && x.failing === null) ? r.json.data : null;
	}, { timeoutMs, message: 'every subscription at lag 0' });
}

/* Runs fn over items with at most n in flight. */
async function pool(items, n, fn) {
	const out = new Array(items.length);
	let next = 0;
	async function lane() {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i], i);
		}
	}
	await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
	return out;
}

/* Asserts the ledger adds up to the figures (only while it has < 50 rows). */
function assertLedger(st) {
	assert.ok(st.movements.length < 50, `the whole ledger of ${st.sku} is shown`);
	const sum = (k) => st.movements.reduce((a, m) => a + m[k], 0);
	assert.equal(sum('on_hand_delta'), st.on_hand, `${st.sku}: sum of on_hand_delta is on_hand`);
	assert.equal(sum('reserved_delta'), st.reserved, `${st.sku}: sum of reserved_delta is reserved`);
	assert.equal(st.available, st.on_hand - st.reserved);
	if (st.movements.length > 0) {
		assert.equal(st.movements[0].on_hand_after, st.on_hand);
		assert.equal(st.movements[0].reserved_after, st.reserved);
	}
	for (let i = 0; i + 1 < st.movements.length; i++) {
		const m = st.movements[i];
		const older = st.movements[i + 1];
		assert.equal(m.on_hand_after, older.on_hand_after + m.on_hand_delta, `${st.sku} row ${i}: on_hand chain`);
		assert.equal(m.reserved_after, older.reserved_after + m.reserved_delta, `${st.sku} row ${i}: reserved chain`);
	}
}

/* checkout's cancel_reason for catalog's short lines. */
const outOfStock = (short) => `out-of-stock: ${short.map((x) =>
    `${x.sku} (requested ${x.requested}, available ${x.available})`).join(', ')}`;

/*
 * A server ready to take orders: a tax rate and a shipping method for
 * Germany (bank transfer is on in every shop).  Returns the method's id.
 */
async function shopSetup(s, token) {
	const t = await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard', { token, body: { rate: 19000 } });
	assert.ok([200, 201].includes(t.status), t.text);
	return (await shippingZone(s, token)).method;
}

/* Shared by the describes: one server's helpers. */
function helpers(get) {
	const h = {
		/* A product, every variant priced (a cart needs a price). */
		async create(body) {
			const { s, token } = get();
			const r = await s.request('POST', P, { token, body });
			assert.equal(r.status, 201, `create: ${r.status} ${r.text}`);
			for (const v of r.json.variants) {
				const pr = await s.request('PUT', `/api/v1/pricing/prices/${encodeURIComponent(v.sku)}`,
				    { token, body: { amount: 1000 } });
				assert.equal(pr.status, 201, `price ${v.sku}: ${pr.text}`);
			}
			return r.json;
		},
		async stock(sku) {
			const { s, token } = get();
			const r = await s.request('GET', `${STOCK}/${encodeURIComponent(sku)}`, { token });
			assert.equal(r.status, 200, `stock ${sku}: ${r.status} ${r.text}`);
			return r.json;
		},
		/* A guest cart with lines [{sku, quantity}], added one by one. */
		async cart(lines) {
			const { s } = get();
			const r = await s.request('POST', C);
			assert.equal(r.status, 201, r.text);
			const headers = { 'x-cart-token': r.json.token };
			for (const l of lines) {
				const a = await s.request('POST', `${C}/${r.json.id}/lines`, { headers, body: l });
				assert.equal(a.status, 200, `add ${l.sku}: ${a.text}`);
			}
			return { id: r.json.id, headers };
		},
		place(c, opts = {}) {
			const { s, method } = get();
			return s.request('POST', O, { ...opts, headers: { ...c.headers, 'idempotency-key': key() },
				body: { cart_id: c.id, email: 'saga@example.com', shipping_address: ADDR,
					shipping_method: method, payment_method: 'bank_transfer' } });
		},
		/* Places a cart (or a new one of these lines): the 201's order. */
		async order(linesOrCart) {
			const c = Array.isArray(linesOrCart) ? await h.cart(linesOrCart) : linesOrCart;
			const r = await h.place(c);
			assert.equal(r.status, 201, `order: ${r.status} ${r.text}`);
			assert.match(r.json.id, /^ord_/);
			return r.json;
		},
		async getOrder(id) {
			const { s, token } = get();
			const r = await s.request('GET', `${O}/${id}`, { token });
			assert.equal(r.status, 200, `order ${id}: ${r.status} ${r.text}`);
			return r.json;
		},
		/* The staff transition to cancelled. */
		async cancel(id) {
			const { s, token } = get();
			const r = await s.request('POST', `${O}/${id}/transitions`, { token,
				body: { to: 'cancelled', reason: 'saga test' } });
			assert.equal(r.status, 200, `cancel ${id}: ${r.status} ${r.text}`);
			assert.equal(r.json.status, 'cancelled');
			return r.json;
		},
		/* A staff transition (paid, prepared, shipped, delivered). */
		async transition(id, to, body = {}) {
			const { s, token } = get();
			const r = await s.request('POST', `${O}/${id}/transitions`, { token, body: { to, ...body } });
			assert.equal(r.status, 200, `${to} ${id}: ${r.status} ${r.text}`);
			assert.equal(r.json.status, to);
			return r.json;
		},
		/* An order decided at its 201, as in-process delivery promises. */
		async decided(linesOrCart) {
			const o = await h.order(linesOrCart);
			assert.ok(o.status === 'approved' || o.status === 'cancelled',
			    `the 201 carries the decision: ${JSON.stringify(o)}`);
			return o;
		},
		/* Catalog's one answer to the order (reserved or rejected). */
		async answer(id) {
			const { s, token } = get();
			const evs = (await feed(s, token, 'catalog')).filter((e) => e.aggregate_id === id &&
			    (e.type === 'catalog.stock.reserved' || e.type === 'catalog.stock.rejected'));
			assert.equal(evs.length, 1, `order ${id}: one answer from catalog`);
			assert.equal(evs[0].payload.order_id, id);
			return evs[0];
		},
		/* Approved, and catalog reserved exactly these lines. */
		async assertApproved(o, lines) {
			assert.equal(o.status, 'approved', JSON.stringify(o));
			const a = await h.answer(o.id);
			assert.equal(a.type, 'catalog.stock.reserved');
			assert.deepEqual(a.payload, { order_id: o.id, lines });
		},
		/* Cancelled for stock, naming exactly these short lines. */
		async assertShort(o, short) {
			assert.equal(o.status, 'cancelled', JSON.stringify(o));
			assert.equal(o.cancel_reason, outOfStock(short));
			const a = await h.answer(o.id);
			assert.equal(a.type, 'catalog.stock.rejected');
			assert.deepEqual(a.payload, { order_id: o.id, short },
			    'a rejection names the short SKUs with requested and available');
			const d = await h.getOrder(o.id);
			const tl = d.timeline.filter((e) => e.type === 'cancelled');
			assert.equal(tl.length, 1);
			assert.equal(tl[0].actor, 'catalog');
			assert.deepEqual(tl[0].payload.short, short, 'the order keeps catalog\'s answer');
		},
	};
	return h;
}

describe('catalog saga: reservations from orders', () => {
	let s;
	let token;
	let method;
	const h = helpers(() => ({ s, token, method }));

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		method = await shopSetup(s, token);
	});

	after(async () => {
		await s?.close();
	});

	it('50 concurrent orders for 5 in stock: exactly 5 approved, 45 cancelled, never negative', async (t) => {
		const sku = `HOT-${tag()}`;
		await h.create({ title: 'Hot item', status: 'active', variants: [{ sku, on_hand: 5 }] });
		const carts = [];
		for (let i = 0; i < 50; i++)
			carts.push(await h.cart([{ sku, quantity: 1 }]));
		const posted = await Promise.all(carts.map((c) => h.place(c, { fresh: true })));
		assert.deepEqual(posted.map((r) => r.status), new Array(50).fill(201),
		    posted.find((r) => r.status !== 201)?.text);
		const ids = posted.map((r) => r.json.id);
		assert.equal(new Set(ids).size, 50);
		await caughtUp(s, token);
		const orders = await Promise.all(ids.map((id) => h.getOrder(id)));
		/* What the 201 said (when it had decided) is what stays. */
		posted.forEach((r, i) => {
			if (r.json.status !== 'created')
				assert.equal(r.json.status, orders[i].status, `order ${i}`);
		});
		const approved = orders.filter((o) => o.status === 'approved');
		const rejected = orders.filter((o) => o.status === 'cancelled');
		assert.equal(approved.length, 5, 'exactly the stock was sold');
		assert.equal(rejected.length, 45);

		const evs = await feed(s, token, 'catalog');
		const answerOf = new Map();
		for (const e of evs.filter((x) => x.type === 'catalog.stock.reserved' || x.type === 'catalog.stock.rejected')) {
			assert.ok(!answerOf.has(e.aggregate_id), `order ${e.aggregate_id} answered once`);
			answerOf.set(e.aggregate_id, e);
		}
		for (const o of approved)
			assert.deepEqual(answerOf.get(o.id).payload, { order_id: o.id, lines: [{ sku, quantity: 1 }] });
		for (const o of rejected) {
			const short = [{ sku, requested: 1, available: 0 }];
			assert.deepEqual(answerOf.get(o.id).payload, { order_id: o.id, short },
			    'a rejection names the short SKU with requested and available');
			assert.equal(o.cancel_reason, outOfStock(short));
		}

		const st = await h.stock(sku);
		assert.deepEqual([st.on_hand, st.reserved, st.available], [5, 5, 0]);
		assertLedger(st);
		const res = st.movements.filter((m) => m.reason === 'reservation');
		assert.equal(res.length, 5);
		assert.deepEqual(res.map((m) => m.reference).sort(), approved.map((o) => o.id).sort(),
		    'one reservation row per approved order, referencing it');
		assert.ok(st.movements.every((m) => m.reserved_after <= m.on_hand_after), 'never oversold');

		const changed = evs.filter((e) => e.type === 'catalog.stock.changed' && e.payload.sku === sku);
		assert.ok(changed.every((e) => e.payload.available >= 0), 'available never negative');
		assert.deepEqual(changed.filter((e) => e.payload.reason === 'reservation').map((e) => e.payload.reserved),
		    [1, 2, 3, 4, 5]);
		const byOrder = (type) => evs.filter((e) => e.type === type && ids.includes(e.payload.order_id))
		    .map((e) => e.payload.order_id);
		const rsv = byOrder('catalog.stock.reserved');
		const rej = byOrder('catalog.stock.rejected');
		assert.deepEqual(rsv.sort(), approved.map((o) => o.id).sort(), 'one reserved event per approved order');
		assert.deepEqual(rej.sort(), rejected.map((o) => o.id).sort(), 'one rejected event per rejected order');
		/* A cancellation for stock holds nothing, so releases nothing. */
		assert.equal(evs.filter((e) => e.type === 'catalog.stock.released' && ids.includes(e.payload.order_id))
		    .length, 0);

		/* Both workers usually take some of the 50 (reported, not asserted). */
		const pids = new Set(s.logLines().filter((l) => l.msg === 'request' && l.path === O &&
		    l.method === 'POST').map((l) => l.pid));
		t.diagnostic(`the 50 orders were answered by ${pids.size} worker(s)`);

		/* The public sees it sold out. */
		const pub = await s.request('GET', `${P}?limit=100`);
		const p = pub.json.data.find((x) => x.variants.some((v) => v.sku === sku));
		assert.equal(p.variants[0].in_stock, false);
	});

	it('all or nothing: an order with one short line reserves nothing', async () => {
		const t = tag();
		const a = `AON-${t}-A`;
		const b = `AON-${t}-B`;
		await h.create({ title: 'Pair', status: 'active', variants: [{ sku: a, on_hand: 10 }, { sku: b, on_hand: 1 }] });
		const o = await h.decided([{ sku: a, quantity: 3 }, { sku: b, quantity: 2 }]);
		await h.assertShort(o, [{ sku: b, requested: 2, available: 1 }]);
		for (const [sku, onHand] of [[a, 10], [b, 1]]) {
			const st = await h.stock(sku);
			assert.deepEqual([st.on_hand, st.reserved, st.available], [onHand, 0, onHand], `${sku} untouched`);
			assert.equal(st.movements.length, 1, `${sku}: no ledger row`);
		}
		/*
		 * An unknown SKU is short too, with nothing available: a line
		 * put in the cart while its product existed keeps its snapshot,
		 * so the order reaches catalog after the product is gone.
		 */
		const nope = `NOPE-${t}`;
		const np = await h.create({ title: 'Going', status: 'active', variants: [{ sku: nope, on_hand: 3 }] });
		const gone = await h.cart([{ sku: a, quantity: 1 }, { sku: nope, quantity: 1 }]);
		assert.equal((await s.request('DELETE', `${P}/${np.id}`, { token })).status, 204);
		const u = await h.decided(gone);
		await h.assertShort(u, [{ sku: nope, requested: 1, available: 0 }]);
		assert.equal((await h.stock(a)).reserved, 0);
		/* Two short lines: both named. */
		const two = await h.decided([{ sku: a, quantity: 11 }, { sku: b, quantity: 5 }]);
		await h.assertShort(two, [{ sku: a, requested: 11, available: 10 }, { sku: b, requested: 5, available: 1 }]);

		/* When both fit: both reserved, in one answer. */
		const ok = await h.decided([{ sku: a, quantity: 3 }, { sku: b, quantity: 1 }]);
		await h.assertApproved(ok, [{ sku: a, quantity: 3 }, { sku: b, quantity: 1 }]);
		assert.deepEqual(await h.stock(a).then((x) => [x.reserved, x.available]), [3, 7]);
		assert.deepEqual(await h.stock(b).then((x) => [x.reserved, x.available]), [1, 0]);
		assertLedger(await h.stock(a));
		assertLedger(await h.stock(b));
	});

	/*
	 * A cart keeps one line per SKU (adding it again adds to the line),
	 * so an order never carries two lines of one SKU: what catalog checks
	 * is the sum.
	 */
	it('a SKU added twice is checked as the sum of both', async () => {
		const sku = `TWO-${tag()}`;
		await h.create({ title: 'Twice', status: 'active', variants: [{ sku, on_hand: 5 }] });
		/* 3 + 3 > 5: cancelled for stock, nothing reserved. */
		const no = await h.decided([{ sku, quantity: 3 }, { sku, quantity: 3 }]);
		assert.deepEqual(no.lines.map((l) => [l.sku, l.quantity]), [[sku, 6]]);
		await h.assertShort(no, [{ sku, requested: 6, available: 5 }]);
		let st = await h.stock(sku);
		assert.deepEqual([st.on_hand, st.reserved], [5, 0]);
		/* 2 + 2 <= 5: approved, 4 reserved. */
		const o = await h.decided([{ sku, quantity: 2 }, { sku, quantity: 2 }]);
		await h.assertApproved(o, [{ sku, quantity: 4 }]);
		st = await h.stock(sku);
		assert.deepEqual([st.reserved, st.available], [4, 1]);
		assertLedger(st);
		await h.cancel(o.id);
		assert.deepEqual(await h.stock(sku).then((x) => [x.reserved, x.available]), [0, 5], 'released in full');
		await caughtUp(s, token);
		const dead = await s.request('GET', '/api/v1/events/dead', { token });
		assert.deepEqual(dead.json.data, [], 'no dead letter');
	});

	it('cancel releases the reservation, once', async () => {
		const t = tag();
		const a = `CXL-${t}-A`;
		const b = `CXL-${t}-B`;
		await h.create({ title: 'Cancellable', status: 'active', variants: [{ sku: a, on_hand: 4 }, { sku: b, on_hand: 6 }] });
		const o = await h.decided([{ sku: a, quantity: 4 }, { sku: b, quantity: 2 }]);
		await h.assertApproved(o, [{ sku: a, quantity: 4 }, { sku: b, quantity: 2 }]);
		assert.deepEqual(await h.stock(a).then((x) => [x.on_hand, x.reserved, x.available]), [4, 4, 0]);
		/* While it holds everything, the next order is short. */
		const short = await h.decided([{ sku: a, quantity: 1 }]);
		await h.assertShort(short, [{ sku: a, requested: 1, available: 0 }]);

		await h.cancel(o.id);
		let sa = await h.stock(a);
		let sb = await h.stock(b);
		assert.deepEqual([sa.on_hand, sa.reserved, sa.available], [4, 0, 4], 'available back up');
		assert.deepEqual([sb.on_hand, sb.reserved, sb.available], [6, 0, 6]);
		for (const [st, q] of [[sa, 4], [sb, 2]]) {
			const m = st.movements[0];
			assert.equal(m.reason, 'release');
			assert.equal(m.reference, o.id);
			assert.deepEqual([m.on_hand_delta, m.reserved_delta], [0, -q]);
			assertLedger(st);
		}
		let evs = await feed(s, token, 'catalog');
		let rel = evs.filter((e) => e.type === 'catalog.stock.released' && e.payload.order_id === o.id);
		assert.equal(rel.length, 1);
		assert.equal(rel[0].aggregate_id, o.id);
		assert.equal(rel[0].version, 1);
		assert.deepEqual(rel[0].payload.order_id, o.id);
		assert.deepEqual([...rel[0].payload.lines].sort((x, y) => x.sku.localeCompare(y.sku)),
		    [{ sku: a, quantity: 4 }, { sku: b, quantity: 2 }]);
		const changed = evs.filter((e) => e.type === 'catalog.stock.changed' && e.payload.sku === a).at(-1);
		assert.deepEqual(changed.payload, { sku: a, on_hand: 4, reserved: 0, available: 4, reason: 'release' });

		/* Twice: refused, and nothing more is released. */
		const again = await s.request('POST', `${O}/${o.id}/transitions`, { token, body: { to: 'cancelled' } });
		assert.match(assertProblem(again, 409, 'illegal-transition').detail, /cancelled/);
		await caughtUp(s, token);
		sa = await h.stock(a);
		sb = await h.stock(b);
		assert.deepEqual([sa.reserved, sb.reserved], [0, 0]);
		assert.equal(sa.movements.filter((m) => m.reason === 'release').length, 1, 'one release row');
		assert.equal(sb.movements.filter((m) => m.reason === 'release').length, 1);
		evs = await feed(s, token, 'catalog');
		rel = evs.filter((e) => e.type === 'catalog.stock.released' && e.payload.order_id === o.id);
		assert.equal(rel.length, 1, 'one released event');
		/*
		 * The order cancelled for stock was cancelled by catalog's answer:
		 * its checkout.order.cancelled went out and released nothing, and
		 * staff cannot cancel it again.
		 */
		const cx = (await feed(s, token, 'checkout')).filter((e) => e.type === 'checkout.order.cancelled');
		assert.equal(cx.filter((e) => e.payload.order_id === o.id).length, 1, 'one cancelled event per order');
		assert.equal(cx.filter((e) => e.payload.order_id === short.id).length, 1);
		assertProblem(await s.request('POST', `${O}/${short.id}/transitions`, { token, body: { to: 'cancelled' } }),
		    409, 'illegal-transition');
		await caughtUp(s, token);
		evs = await feed(s, token, 'catalog');
		assert.equal(evs.filter((e) => e.type === 'catalog.stock.released' && e.payload.order_id === short.id).length, 0);
		assert.deepEqual(await h.stock(a).then((x) => [x.on_hand, x.reserved]), [4, 0]);
		/* The stock is sellable again. */
		assert.equal((await h.decided([{ sku: a, quantity: 4 }])).status, 'approved');
	});

	it('a whole refund before shipping releases what the order holds; a partial one does not', async () => {
		const t = tag();
		const a = `RFND-${t}-A`;
		await h.create({ title: 'Refunded', status: 'active', variants: [{ sku: a, on_hand: 10 }] });
		const figures = async () => { const x = await h.stock(a); return [x.on_hand, x.reserved, x.available]; };
		const partial = await h.decided([{ sku: a, quantity: 2 }]);
		const whole = await h.decided([{ sku: a, quantity: 3 }]);
		await h.assertApproved(whole, [{ sku: a, quantity: 3 }]);
		for (const o of [partial, whole])
			await h.transition(o.id, 'paid');
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [10, 5, 5]);

		/* Part of one line back: the order goes on and still ships. */
		let rf = await s.request('POST', `${O}/${partial.id}/refunds`, { token,
			body: { lines: [{ line: 1, quantity: 1 }] } });
		assert.equal(rf.status, 201, rf.text);
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [10, 5, 5], 'a partial refund holds on');

		/* The whole order back before it shipped: it never will, so its units are free. */
		rf = await s.request('POST', `${O}/${whole.id}/refunds`, { token, body: { whole: true } });
		assert.equal(rf.status, 201, rf.text);
		assert.equal(rf.json.status, 'refunded');
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [10, 2, 8], 'released');
		const rel = (await feed(s, token, 'catalog')).filter((e) => e.type === 'catalog.stock.released' &&
		    e.aggregate_id === whole.id);
		assert.equal(rel.length, 1);
		assert.deepEqual(rel[0].payload.lines, [{ sku: a, quantity: 3 }]);
		const st = await h.stock(a);
		assertLedger(st);
		assert.equal(st.movements[0].reason, 'release');
		assert.equal(st.movements[0].reference, whole.id);
	});

	it('shipping sells what the order holds: on_hand and reserved drop, available stays, once', async () => {
		const t = tag();
		const a = `SHIP-${t}-A`;
		const b = `SHIP-${t}-B`;
		await h.create({ title: 'Shipped', status: 'active', variants: [{ sku: a, on_hand: 10 }, { sku: b, on_hand: 7 }] });
		const o = await h.decided([{ sku: a, quantity: 3 }, { sku: b, quantity: 2 }]);
		await h.assertApproved(o, [{ sku: a, quantity: 3 }, { sku: b, quantity: 2 }]);
		const figures = async () => Promise.all([a, b].map((k) => h.stock(k)
		    .then((x) => [x.on_hand, x.reserved, x.available])));
		const lows = async () => (await feed(s, token, 'catalog'))
		    .filter((e) => e.type === 'catalog.stock.low' && [a, b].includes(e.payload.sku)).map((e) => e.payload);
		/* b fell to its threshold when it was reserved. */
		assert.deepEqual(await lows(), [{ sku: b, available: 5, threshold: 5 }]);
		assert.deepEqual(await figures(), [[10, 3, 7], [7, 2, 5]]);

		/* Paid and prepared: still on the shelf, still held. */
		await h.transition(o.id, 'paid');
		await h.transition(o.id, 'prepared');
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [[10, 3, 7], [7, 2, 5]], 'held until it ships');
		const before = await h.stock(a);

		await h.transition(o.id, 'shipped', { carrier: 'DHL', tracking_number: '00340434161094015902' });
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [[7, 0, 7], [5, 0, 5]], 'on hand and reserved drop by the quantities');
		for (const [sku, q] of [[a, 3], [b, 2]]) {
			const st = await h.stock(sku);
			assertLedger(st);
			const sales = st.movements.filter((m) => m.reason === 'sale');
			assert.equal(sales.length, 1, `${sku}: one sale row`);
			assert.equal(st.movements[0].reason, 'sale', `${sku}: the newest row`);
			assert.equal(sales[0].reference, o.id);
			assert.deepEqual([sales[0].on_hand_delta, sales[0].reserved_delta], [-q, -q]);
		}
		assert.equal((await h.stock(a)).movements.length, before.movements.length + 1);
		const sold = (evs) => evs.filter((e) => e.type === 'catalog.stock.sold' && e.aggregate_id === o.id);
		let evs = await feed(s, token, 'catalog');
		assert.equal(sold(evs).length, 1);
		assert.equal(sold(evs)[0].version, 1);
		assert.equal(sold(evs)[0].payload.order_id, o.id);
		assert.deepEqual([...sold(evs)[0].payload.lines].sort((x, y) => x.sku.localeCompare(y.sku)),
		    [{ sku: a, quantity: 3 }, { sku: b, quantity: 2 }]);
		const changed = evs.filter((e) => e.type === 'catalog.stock.changed' && e.payload.sku === a).at(-1);
		assert.deepEqual(changed.payload, { sku: a, on_hand: 7, reserved: 0, available: 7, reason: 'sale' });
		assert.deepEqual(await lows(), [{ sku: b, available: 5, threshold: 5 }],
		    'available did not move, so no new low');
		/* Shoppers still see what is left on the shelf. */
		const pub = await s.request('GET', `${P}?limit=100`);
		assert.deepEqual(pub.json.data.find((x) => x.title === 'Shipped').variants.map((v) => v.in_stock), [true, true]);

		/*
		 * Delivered, a refused cancel and a refund change no stock: the
		 * goods are with the customer (there is no "returned" event yet).
		 */
		await h.transition(o.id, 'delivered');
		assertProblem(await s.request('POST', `${O}/${o.id}/transitions`, { token, body: { to: 'cancelled' } }),
		    409, 'illegal-transition');
		const rf = await s.request('POST', `${O}/${o.id}/refunds`, { token, body: { whole: true } });
		assert.equal(rf.status, 201, rf.text);
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [[7, 0, 7], [5, 0, 5]], 'delivered, cancel refused, refund: unchanged');
		assert.equal((await h.stock(a)).movements.length, before.movements.length + 1, 'no further ledger row');

		/*
		 * The same checkout.order.shipped handed over again: parked as a
		 * dead letter in catalog's file and retried through the bus, the
		 * real delivery path.  The order holds nothing any more, so the
		 * second delivery succeeds and sells nothing.
		 */
		const shipped = (await feed(s, token, 'checkout'))
		    .filter((e) => e.type === 'checkout.order.shipped' && e.aggregate_id === o.id);
		assert.equal(shipped.length, 1);
		const env = JSON.stringify(shipped[0]).replaceAll('\'', '\'\'');
		const id = execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(s.dataDir, 'catalog.db'),
			`INSERT INTO bus_dead (source, seq, type, envelope, attempts, error, dead_at) VALUES ('checkout',
			 ${shipped[0].seq}, 'checkout.order.shipped', '${env}', 5, 'test: delivered again', 0);
			 SELECT last_insert_rowid();`]).toString().trim();
		const again = await s.request('POST', `/api/v1/events/dead/catalog/${id}/retry`, { token });
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(again.json, { retried: true });
		assert.deepEqual(await figures(), [[7, 0, 7], [5, 0, 5]], 'a second delivery sells nothing');

		/* A restart and a replay of catalog neither. */
		await s.restart();
		token = await s.adminToken();
		const r = await runCli(process.env.MERCATO_BIN, ['replay', 'catalog', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay failed: ${r.stderr}`);
		await caughtUp(s, token);
		assert.deepEqual(await figures(), [[7, 0, 7], [5, 0, 5]], 'after a restart and a replay');
		for (const sku of [a, b]) {
			const st = await h.stock(sku);
			assert.equal(st.movements.filter((m) => m.reason === 'sale').length, 1, `${sku}: still one sale row`);
			assertLedger(st);
		}
		evs = await feed(s, token, 'catalog');
		assert.equal(sold(evs).length, 1, 'one sold event');
		const dead = await s.request('GET', '/api/v1/events/dead', { token });
		assert.deepEqual(dead.json.data, [], 'no dead letter');
		/* Sold stock is not held: the product can be deleted. */
		const p = (await s.request('GET', `${P}?limit=100`, { token })).json.data.find((x) => x.title === 'Shipped');
		assert.equal((await s.request('DELETE', `${P}/${p.id}`, { token })).status, 204);
	});

	it('shipping an untracked or backorder variant: on hand stops at 0, the reservation goes in full', async () => {
		const t = tag();
		const untracked = `SUNT-${t}`;
		const backorder = `SBO-${t}`;
		await h.create({ title: 'Ships anyway', status: 'active', variants: [
			{ sku: untracked, track_stock: false, on_hand: 0 },
			{ sku: backorder, allow_backorder: true, on_hand: 1 },
		] });
		const o = await h.decided([{ sku: untracked, quantity: 4 }, { sku: backorder, quantity: 3 }]);
		await h.assertApproved(o, [{ sku: untracked, quantity: 4 }, { sku: backorder, quantity: 3 }]);
		for (const to of ['paid', 'prepared'])
			await h.transition(o.id, to);
		await h.transition(o.id, 'shipped', { carrier: 'UPS' });
		await caughtUp(s, token);
		for (const [sku, had, q] of [[untracked, 0, 4], [backorder, 1, 3]]) {
			const st = await h.stock(sku);
			assert.deepEqual([st.on_hand, st.reserved], [0, 0], `${sku}: nothing held, nothing left`);
			assert.equal(st.movements[0].reason, 'sale');
			assert.equal(st.movements[0].reference, o.id);
			assert.deepEqual([st.movements[0].on_hand_delta, st.movements[0].reserved_delta],
			    [had === 0 ? 0 : -had, -q]);
			assertLedger(st);
		}
		const dead = await s.request('GET', '/api/v1/events/dead', { token });
		assert.deepEqual(dead.json.data, [], 'no dead letter');
	});

	it('reservations crossing the low threshold emit catalog.stock.low once per crossing', async () => {
		const sku = `LOW-${tag()}`;
		await h.create({ title: 'Low', status: 'active', variants: [{ sku, on_hand: 8 }] });
		const ids = [];
		for (let i = 0; i < 6; i++) {
			const o = await h.decided([{ sku, quantity: 1 }]);
			assert.equal(o.status, 'approved');
			ids.push(o.id);
		}
		const lows = async () => (await feed(s, token, 'catalog'))
		    .filter((e) => e.type === 'catalog.stock.low' && e.payload.sku === sku).map((e) => e.payload);
		assert.deepEqual(await lows(), [{ sku, available: 5, threshold: 5 }], 'once, at 5, not again at 4, 3, 2');
		for (const id of ids)
			await h.cancel(id);
		assert.equal((await h.stock(sku)).available, 8);
		assert.equal((await lows()).length, 1, 'releases do not emit low');
		assert.equal((await h.decided([{ sku, quantity: 4 }])).status, 'approved');
		assert.deepEqual(await lows(), [{ sku, available: 5, threshold: 5 }, { sku, available: 4, threshold: 5 }],
		    'a new crossing, a new event');
		assertLedger(await h.stock(sku));
	});

	it('an untracked or backorder variant is never short', async () => {
		const t = tag();
		const untracked = `UNT-${t}`;
		const backorder = `BO-${t}`;
		const p = await h.create({ title: 'Always available', status: 'active', variants: [
			{ sku: untracked, track_stock: false, on_hand: 0 },
			{ sku: backorder, allow_backorder: true, on_hand: 1 },
		] });
		for (let i = 0; i < 3; i++) {
			const o = await h.decided([{ sku: untracked, quantity: 7 }, { sku: backorder, quantity: 2 }]);
			await h.assertApproved(o, [{ sku: untracked, quantity: 7 }, { sku: backorder, quantity: 2 }]);
		}
		const su = await h.stock(untracked);
		const sb = await h.stock(backorder);
		assert.deepEqual([su.on_hand, su.reserved], [0, 21]);
		assert.deepEqual([sb.on_hand, sb.reserved], [1, 6]);
		assertLedger(su);
		assertLedger(sb);
		const pub = await s.request('GET', `${P}/${p.id}`);
		assert.deepEqual(pub.json.variants.map((v) => v.in_stock), [true, true]);
		/* Backorder: on hand may go below what is reserved. */
		const adj = await s.request('POST', `${STOCK}/${backorder}/adjust`,
		    { token, body: { expected: 1, on_hand: 0, reason: 'adjustment' } });
		assert.equal(adj.status, 200, adj.text);
	});

	it('adjust below what is reserved is 409 below-reserved', async () => {
		const sku = `BR-${tag()}`;
		await h.create({ title: 'Reserved', status: 'active', variants: [{ sku, on_hand: 5 }] });
		assert.equal((await h.decided([{ sku, quantity: 3 }])).status, 'approved');
		const adjust = (body) => s.request('POST', `${STOCK}/${sku}/adjust`, { token, body });
		const r = await adjust({ expected: 5, on_hand: 2, reason: 'adjustment' });
		assertProblem(r, 409, 'below-reserved');
		let st = await h.stock(sku);
		assert.deepEqual([st.on_hand, st.reserved, st.available], [5, 3, 2], 'unchanged');
		/* A stale expected is answered first. */
		assertProblem(await adjust({ expected: 4, on_hand: 2, reason: 'adjustment' }), 409, 'stale-stock');
		const ok = await adjust({ expected: 5, on_hand: 3, reason: 'adjustment' });
		assert.equal(ok.status, 200, ok.text);
		assert.deepEqual(ok.json, { sku, on_hand: 3, reserved: 3, available: 0 });
		st = await h.stock(sku);
		assertLedger(st);
	});

	it('a product with held stock cannot be deleted (409 has-reservations) until released', async () => {
		const t = tag();
		const sku = `HR-${t}`;
		const p = await h.create({ title: `Held ${t}`, status: 'active', variants: [{ sku: `${sku}-X`, on_hand: 1 }, { sku, on_hand: 2 }] });
		const o = await h.decided([{ sku, quantity: 1 }]);
		assert.equal(o.status, 'approved');
		/* A cart filled now, placed after the product is gone. */
		const late = await h.cart([{ sku, quantity: 1 }]);
		const d = await s.request('DELETE', `${P}/${p.id}`, { token });
		assertProblem(d, 409, 'has-reservations');
		const g = await s.request('GET', `${P}/${p.id}`, { token });
		assert.equal(g.status, 200, 'still there');
		assert.equal((await h.stock(sku)).reserved, 1);
		/* Archiving is the way out; the reservation stays. */
		const pt = await s.request('PATCH', `${P}/${p.id}`, { token, headers: { 'if-match': g.headers.etag },
			body: { status: 'archived' } });
		assert.equal(pt.status, 200, pt.text);
		assertProblem(await s.request('DELETE', `${P}/${p.id}`, { token }), 409, 'has-reservations');
		await h.cancel(o.id);
		const d2 = await s.request('DELETE', `${P}/${p.id}`, { token });
		assert.equal(d2.status, 204, d2.text);
		assertProblem(await s.request('GET', `${STOCK}/${sku}`, { token }), 404);
		/* An order for a deleted SKU is short. */
		await h.assertShort(await h.decided(late), [{ sku, requested: 1, available: 0 }]);
	});

	/*
	 * A line keeps the snapshot taken when it was put in the cart, so a
	 * product turned draft afterwards still reaches catalog, which
	 * reserves by SKU whatever the product's status.
	 */
	it('a draft product\'s stock is reserved like any other (the order decides, not the status)', async () => {
		const sku = `DR-${tag()}`;
		const p = await h.create({ title: 'Draft stock', status: 'active', variants: [{ sku, on_hand: 2 }] });
		const c = await h.cart([{ sku, quantity: 2 }]);
		const g = await s.request('GET', `${P}/${p.id}`, { token });
		const pt = await s.request('PATCH', `${P}/${p.id}`, { token, headers: { 'if-match': g.headers.etag },
			body: { status: 'draft' } });
		assert.equal(pt.status, 200, pt.text);
		assert.equal(pt.json.status, 'draft');
		const o = await h.decided(c);
		await h.assertApproved(o, [{ sku, quantity: 2 }]);
		assert.equal((await h.stock(sku)).available, 0);
	});
});

describe('catalog saga: SIGKILL in the middle of a stream of orders', () => {
	let s;
	let token;
	let method;
	const h = helpers(() => ({ s, token, method }));
	/* Every order that answered 201, with its first status. */
	const answered = new Map();
	const skus = [];

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		method = await shopSetup(s, token);
	});

	after(async () => {
		await s?.close();
	});

	const allOrders = () => allPages(s, O, token);

	async function check(cycle) {
		await caughtUp(s, token);
		const created = (await feed(s, token, 'checkout')).filter((e) => e.type === 'checkout.order.created');
		const linesOf = new Map(created.map((e) => [e.payload.order_id, e.payload.lines]));
		assert.equal(linesOf.size, created.length, 'one created event per order');
		for (const id of answered.keys())
			assert.ok(linesOf.has(id), `cycle ${cycle}: order ${id} answered 201 and is in the log`);
		assert.deepEqual((await allOrders()).map((o) => o.id).sort(), [...linesOf.keys()].sort(),
		    `cycle ${cycle}: the orders are the created events`);
		const decisions = new Map();
		for (const e of await feed(s, token, 'catalog')) {
			if (e.type !== 'catalog.stock.reserved' && e.type !== 'catalog.stock.rejected')
				continue;
			assert.ok(!decisions.has(e.payload.order_id), `order ${e.payload.order_id} decided once`);
			decisions.set(e.payload.order_id, e.type === 'catalog.stock.reserved' ? 'approved' : 'cancelled');
		}
		const reservedBy = Object.fromEntries(skus.map((k) => [k, 0]));
		const refs = Object.fromEntries(skus.map((k) => [k, []]));
		let approved = 0;
		for (const [id, lines] of linesOf) {
			const o = await h.getOrder(id);
			assert.ok(o.status === 'approved' || o.status === 'cancelled',
			    `cycle ${cycle}: order ${id} is decided, not ${o.status}`);
			assert.equal(decisions.get(id), o.status, `order ${id}: the catalog's decision`);
			if (o.status === 'cancelled')
				assert.match(o.cancel_reason, /^out-of-stock: /);
			const first = answered.get(id);
			if (first !== undefined && first !== 'created')
				assert.equal(o.status, first, `order ${id} kept what its 201 said`);
			if (o.status === 'approved') {
				approved++;
				for (const l of lines) {
					reservedBy[l.sku] += l.quantity;
					refs[l.sku].push(id);
				}
			}
		}
		for (const sku of skus) {
			const st = await h.stock(sku);
			assert.equal(st.reserved, reservedBy[sku],
			    `cycle ${cycle}: ${sku} reserved is the sum over approved orders`);
			assert.ok(st.available >= 0, `${sku} available ${st.available}`);
			assertLedger(st);
			assert.deepEqual(st.movements.filter((m) => m.reason === 'reservation').map((m) => m.reference).sort(),
			    refs[sku].sort(), `${sku}: one reservation row per approved order line`);
		}
		const dead = await s.request('GET', '/api/v1/events/dead', { token });
		assert.deepEqual(dead.json.data, [], 'no dead letters');
		return { orders: linesOf.size, approved };
	}

	it('loses and doubles nothing over three kill cycles', async (t) => {
		const PER_CYCLE = 36;
		for (let cycle = 1; cycle <= 3; cycle++) {
			const sku = `CRASH-${cycle}-${tag()}`;
			await h.create({ title: `Crash ${cycle}`, status: 'active', variants: [{ sku, on_hand: 12 }] });
			skus.push(sku);
			const prev = skus.length > 1 ? skus.at(-2) : null;
			/* The carts first, so that the stream is only placements. */
			const carts = [];
			for (let i = 0; i < PER_CYCLE; i++) {
				const lines = [{ sku, quantity: 1 + (i % 2) }];
				if (prev && i % 3 === 0)
					lines.push({ sku: prev, quantity: 1 });
				carts.push(await h.cart(lines));
			}
			let done = 0;
			let killed = null;
			const results = await pool(carts, 6, async (c) => {
				if (killed)
					return 'skipped';
				try {
					const r = await h.place(c, { timeoutMs: 3000 * SLOW });
					if (r.status === 201)
						answered.set(r.json.id, r.json.status);
					return r.status;
				} catch (e) {
					return e.code || e.message;
				} finally {
					if (++done === 10)
						killed = s.kill9();
				}
			});
			await (killed ?? s.kill9());
			const ok = results.filter((x) => x === 201).length;
			t.diagnostic(`cycle ${cycle}: ${ok} answered 201, ${results.filter((x) => x !== 201 &&
			    x !== 'skipped').length} failed in the crash, ${results.filter((x) => x === 'skipped').length} not sent`);
			assert.ok(ok >= 5, `cycle ${cycle}: orders went through before the kill`);
			await s.restart();
			token = await s.adminToken();
			const c = await check(cycle);
			t.diagnostic(`cycle ${cycle}: ${c.orders} orders so far, ${c.approved} approved`);
		}
		/* After all that, the server still takes orders and they add up. */
		const o = await h.decided([{ sku: skus[2], quantity: 1 }]);
		answered.set(o.id, o.status);
		await check('final');
	});
});
