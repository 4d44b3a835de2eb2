/*
 * The stock saga on the test binary (MERCATO_TEST_BIN): its "checkout"
 * stand-in (tests/modules/orders/orders.c) publishes checkout.order.created
 * and checkout.order.cancelled; catalog reserves every line or none and
 * answers with catalog.stock.reserved / catalog.stock.rejected, which mark
 * the test order approved or rejected.  Delivery is in-process, so the
 * order's 201 normally carries the decision already.
 *
 * Covered: no overselling under concurrency, all or nothing, release on
 * cancel (once), untracked and backorder variants, below-reserved and
 * has-reservations, and a SIGKILL in the middle of a stream of orders
 * (three times) losing or doubling nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SLOW, assertProblem, feed, startServer, waitFor } from './lib/server.mjs';

const BIN = process.env.MERCATO_TEST_BIN;
const SKIP = BIN ? false : 'MERCATO_TEST_BIN is not set';
const P = '/api/v1/catalog/products';
const STOCK = '/api/v1/catalog/stock';
const ORDERS = '/api/v1/test/orders';

const tag = () => randomBytes(4).toString('hex').toUpperCase();

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

/* Shared by the describes: one server's helpers. */
function helpers(get) {
	const h = {
		async create(body) {
			const { s, token } = get();
			const r = await s.request('POST', P, { token, body });
			assert.equal(r.status, 201, `create: ${r.status} ${r.text}`);
			return r.json;
		},
		async stock(sku) {
			const { s, token } = get();
			const r = await s.request('GET', `${STOCK}/${encodeURIComponent(sku)}`, { token });
			assert.equal(r.status, 200, `stock ${sku}: ${r.status} ${r.text}`);
			return r.json;
		},
		async order(lines, opts = {}) {
			const { s } = get();
			const r = await s.request('POST', ORDERS, { body: { lines }, ...opts });
			assert.equal(r.status, 201, `order: ${r.status} ${r.text}`);
			assert.match(r.json.id, /^ord_/);
			return r.json;
		},
		async getOrder(id) {
			const { s } = get();
			const r = await s.request('GET', `${ORDERS}/${id}`);
			assert.equal(r.status, 200, `order ${id}: ${r.status} ${r.text}`);
			return r.json;
		},
		async cancel(id) {
			const { s } = get();
			const r = await s.request('POST', `${ORDERS}/${id}/cancel`);
			assert.equal(r.status, 200, `cancel ${id}: ${r.status} ${r.text}`);
			return r.json;
		},
		/* An order decided at its 201, as in-process delivery promises. */
		async decided(lines) {
			const o = await h.order(lines);
			assert.ok(o.status === 'approved' || o.status === 'rejected',
			    `the 201 carries the decision: ${JSON.stringify(o)}`);
			return o;
		},
	};
	return h;
}

describe('catalog saga: reservations from orders', { skip: SKIP }, () => {
	let s;
	let token;
	const h = helpers(() => ({ s, token }));

	before(async () => {
		s = await startServer({ bin: BIN, env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	it('50 concurrent orders for 5 in stock: exactly 5 approved, 45 rejected, never negative', async (t) => {
		const sku = `HOT-${tag()}`;
		await h.create({ title: 'Hot item', status: 'active', variants: [{ sku, on_hand: 5 }] });
		const posted = await Promise.all(Array.from({ length: 50 }, () => s.request('POST', ORDERS,
		    { body: { lines: [{ sku, quantity: 1 }] }, fresh: true })));
		assert.deepEqual(posted.map((r) => r.status), new Array(50).fill(201));
		const ids = posted.map((r) => r.json.id);
		assert.equal(new Set(ids).size, 50);
		await caughtUp(s, token);
		const orders = await Promise.all(ids.map((id) => h.getOrder(id)));
		/* What the 201 said (when it had decided) is what stays. */
		posted.forEach((r, i) => {
			if (r.json.status !== 'pending')
				assert.equal(r.json.status, orders[i].status, `order ${i}`);
		});
		const approved = orders.filter((o) => o.status === 'approved');
		const rejected = orders.filter((o) => o.status === 'rejected');
		assert.equal(approved.length, 5, 'exactly the stock was sold');
		assert.equal(rejected.length, 45);
		for (const o of approved)
			assert.deepEqual(o.answer, { order_id: o.id, lines: [{ sku, quantity: 1 }] });
		for (const o of rejected)
			assert.deepEqual(o.answer, { order_id: o.id, short: [{ sku, requested: 1, available: 0 }] },
			    'a rejection names the short SKU with requested and available');

		const st = await h.stock(sku);
		assert.deepEqual([st.on_hand, st.reserved, st.available], [5, 5, 0]);
		assertLedger(st);
		const res = st.movements.filter((m) => m.reason === 'reservation');
		assert.equal(res.length, 5);
		assert.deepEqual(res.map((m) => m.reference).sort(), approved.map((o) => o.id).sort(),
		    'one reservation row per approved order, referencing it');
		assert.ok(st.movements.every((m) => m.reserved_after <= m.on_hand_after), 'never oversold');

		const evs = await feed(s, token, 'catalog');
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

		/* Both workers usually take some of the 50 (reported, not asserted). */
		const pids = new Set(s.logLines().filter((l) => l.msg === 'request' && l.path === ORDERS &&
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
		assert.equal(o.status, 'rejected');
		assert.deepEqual(o.answer, { order_id: o.id, short: [{ sku: b, requested: 2, available: 1 }] },
		    'only the short line is named');
		for (const [sku, onHand] of [[a, 10], [b, 1]]) {
			const st = await h.stock(sku);
			assert.deepEqual([st.on_hand, st.reserved, st.available], [onHand, 0, onHand], `${sku} untouched`);
			assert.equal(st.movements.length, 1, `${sku}: no ledger row`);
		}
		/* An unknown SKU is short too, with nothing available. */
		const u = await h.decided([{ sku: a, quantity: 1 }, { sku: `NOPE-${t}`, quantity: 1 }]);
		assert.equal(u.status, 'rejected');
		assert.deepEqual(u.answer.short, [{ sku: `NOPE-${t}`, requested: 1, available: 0 }]);
		assert.equal((await h.stock(a)).reserved, 0);
		/* Two short lines: both named. */
		const two = await h.decided([{ sku: a, quantity: 11 }, { sku: b, quantity: 5 }]);
		assert.equal(two.status, 'rejected');
		assert.deepEqual(two.answer.short, [{ sku: a, requested: 11, available: 10 },
			{ sku: b, requested: 5, available: 1 }]);

		/* When both fit: both reserved, in one answer. */
		const ok = await h.decided([{ sku: a, quantity: 3 }, { sku: b, quantity: 1 }]);
		assert.equal(ok.status, 'approved');
		assert.deepEqual(ok.answer, { order_id: ok.id, lines: [{ sku: a, quantity: 3 }, { sku: b, quantity: 1 }] });
		assert.deepEqual(await h.stock(a).then((x) => [x.reserved, x.available]), [3, 7]);
		assert.deepEqual(await h.stock(b).then((x) => [x.reserved, x.available]), [1, 0]);
		const evs = await feed(s, token, 'catalog');
		const rsv = evs.filter((e) => e.type === 'catalog.stock.reserved' && e.payload.order_id === ok.id);
		assert.equal(rsv.length, 1);
		assert.deepEqual(rsv[0].payload, ok.answer);
		assert.equal(rsv[0].aggregate_id, ok.id);
		const rej = evs.filter((e) => e.type === 'catalog.stock.rejected' && e.payload.order_id === o.id);
		assert.equal(rej.length, 1);
		assert.deepEqual(rej[0].payload, o.answer);
		assertLedger(await h.stock(a));
		assertLedger(await h.stock(b));
	});

	it('lines of one SKU are checked as their sum', async () => {
		const sku = `TWO-${tag()}`;
		await h.create({ title: 'Twice', variants: [{ sku, on_hand: 5 }] });
		/* 3 + 3 > 5: rejected, nothing reserved, nothing left pending. */
		const no = await h.decided([{ sku, quantity: 3 }, { sku, quantity: 3 }]);
		assert.equal(no.status, 'rejected', JSON.stringify(no));
		assert.deepEqual(no.answer.short, [{ sku, requested: 6, available: 5 }]);
		let st = await h.stock(sku);
		assert.deepEqual([st.on_hand, st.reserved], [5, 0]);
		/* 2 + 2 <= 5: approved, 4 reserved. */
		const o = await h.decided([{ sku, quantity: 2 }, { sku, quantity: 2 }]);
		assert.equal(o.status, 'approved');
		assert.equal(o.answer.lines.filter((l) => l.sku === sku).reduce((a, l) => a + l.quantity, 0), 4);
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
		assert.equal(o.status, 'approved');
		assert.deepEqual(await h.stock(a).then((x) => [x.on_hand, x.reserved, x.available]), [4, 4, 0]);
		/* While it holds everything, the next order is short. */
		const short = await h.decided([{ sku: a, quantity: 1 }]);
		assert.equal(short.status, 'rejected');
		assert.deepEqual(short.answer.short, [{ sku: a, requested: 1, available: 0 }]);

		const c = await h.cancel(o.id);
		assert.equal(c.status, 'cancelled');
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

		/* Twice: nothing more is released. */
		await h.cancel(o.id);
		await caughtUp(s, token);
		sa = await h.stock(a);
		sb = await h.stock(b);
		assert.deepEqual([sa.reserved, sb.reserved], [0, 0]);
		assert.equal(sa.movements.filter((m) => m.reason === 'release').length, 1, 'one release row');
		assert.equal(sb.movements.filter((m) => m.reason === 'release').length, 1);
		evs = await feed(s, token, 'catalog');
		rel = evs.filter((e) => e.type === 'catalog.stock.released' && e.payload.order_id === o.id);
		assert.equal(rel.length, 1, 'one released event');
		/* Cancelling a rejected order releases nothing. */
		await h.cancel(short.id);
		await caughtUp(s, token);
		evs = await feed(s, token, 'catalog');
		assert.equal(evs.filter((e) => e.type === 'catalog.stock.released' && e.payload.order_id === short.id).length, 0);
		assert.deepEqual(await h.stock(a).then((x) => [x.on_hand, x.reserved]), [4, 0]);
		/* The stock is sellable again. */
		assert.equal((await h.decided([{ sku: a, quantity: 4 }])).status, 'approved');
	});

	it('reservations crossing the low threshold emit catalog.stock.low once per crossing', async () => {
		const sku = `LOW-${tag()}`;
		await h.create({ title: 'Low', variants: [{ sku, on_hand: 8 }] });
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
			assert.equal(o.status, 'approved', JSON.stringify(o));
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
		await h.create({ title: 'Reserved', variants: [{ sku, on_hand: 5 }] });
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
		const d = await s.request('DELETE', `${P}/${p.id}`, { token });
		assertProblem(d, 409, 'has-reservations');
		assert.equal((await s.request('GET', `${P}/${p.id}`, { token })).status, 200, 'still there');
		assert.equal((await h.stock(sku)).reserved, 1);
		/* Archiving is the way out; the reservation stays. */
		const pt = await s.request('PATCH', `${P}/${p.id}`, { token, headers: { 'if-match': '"v1"' }, body: { status: 'archived' } });
		assert.equal(pt.status, 200, pt.text);
		assertProblem(await s.request('DELETE', `${P}/${p.id}`, { token }), 409, 'has-reservations');
		await h.cancel(o.id);
		const d2 = await s.request('DELETE', `${P}/${p.id}`, { token });
		assert.equal(d2.status, 204, d2.text);
		assertProblem(await s.request('GET', `${STOCK}/${sku}`, { token }), 404);
		/* An order for a deleted SKU is short. */
		const late = await h.decided([{ sku, quantity: 1 }]);
		assert.equal(late.status, 'rejected');
	});

	it('a draft product\'s stock is reserved like any other (the order decides, not the status)', async () => {
		const sku = `DR-${tag()}`;
		await h.create({ title: 'Draft stock', status: 'draft', variants: [{ sku, on_hand: 2 }] });
		const o = await h.decided([{ sku, quantity: 2 }]);
		assert.equal(o.status, 'approved');
		assert.equal((await h.stock(sku)).available, 0);
	});
});

describe('catalog saga: SIGKILL in the middle of a stream of orders', { skip: SKIP }, () => {
	let s;
	let token;
	const h = helpers(() => ({ s, token }));
	/* Every order that answered 201, with its lines and first status. */
	const answered = new Map();
	const skus = [];

	before(async () => {
		s = await startServer({ bin: BIN, env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	async function check(cycle) {
		await caughtUp(s, token);
		const created = (await feed(s, token, 'checkout')).filter((e) => e.type === 'checkout.order.created');
		const linesOf = new Map(created.map((e) => [e.payload.order_id, e.payload.lines]));
		assert.equal(linesOf.size, created.length, 'one created event per order');
		for (const id of answered.keys())
			assert.ok(linesOf.has(id), `cycle ${cycle}: order ${id} answered 201 and is in the log`);
		const decisions = new Map();
		for (const e of await feed(s, token, 'catalog')) {
			if (e.type !== 'catalog.stock.reserved' && e.type !== 'catalog.stock.rejected')
				continue;
			assert.ok(!decisions.has(e.payload.order_id), `order ${e.payload.order_id} decided once`);
			decisions.set(e.payload.order_id, e.type === 'catalog.stock.reserved' ? 'approved' : 'rejected');
		}
		const reservedBy = Object.fromEntries(skus.map((k) => [k, 0]));
		const refs = Object.fromEntries(skus.map((k) => [k, []]));
		let approved = 0;
		for (const [id, lines] of linesOf) {
			const o = await h.getOrder(id);
			assert.ok(o.status === 'approved' || o.status === 'rejected',
			    `cycle ${cycle}: order ${id} is decided, not ${o.status}`);
			assert.equal(decisions.get(id), o.status, `order ${id}: the catalog's decision`);
			const first = answered.get(id);
			if (first !== undefined && first !== 'pending')
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
			let done = 0;
			let killed = null;
			const results = await pool(Array.from({ length: PER_CYCLE }, (_, i) => i), 6, async (i) => {
				if (killed)
					return 'skipped';
				const lines = [{ sku, quantity: 1 + (i % 2) }];
				if (prev && i % 3 === 0)
					lines.push({ sku: prev, quantity: 1 });
				try {
					const r = await s.request('POST', ORDERS, { body: { lines }, timeoutMs: 3000 * SLOW });
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
		assert.ok(o.status === 'approved' || o.status === 'rejected');
		answered.set(o.id, o.status);
		await check('final');
	});
});
