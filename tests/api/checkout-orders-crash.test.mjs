/*
 * Placing orders under SIGKILL (issue 5): a stream of real orders (cart ->
 * POST /api/v1/checkout/orders) with the server killed at a random moment,
 * 20 cycles, while staff take a few earlier orders through paid, prepared
 * and shipped. After each restart: every order that answered 201 is there,
 * no order is stuck in "created" (the outboxes finish the saga), each
 * SKU's reserved stock is what the approved, paid and prepared orders hold,
 * its on hand is its initial stock less what the shipped orders took (one
 * "sale" row per shipped order), its ledger adds up, and a request cut
 * off by the crash, retried with its Idempotency-Key, gives one order,
 * never two.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SLOW, allPages, startServer, waitFor } from './lib/server.mjs';

const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const CYCLES = 20;
const PER_CYCLE = 16;
const SHIP_PER_CYCLE = 3;
const ON_HAND = 8;
const HOLDING = ['approved', 'paid', 'prepared'];
const GONE = ['shipped', 'delivered'];
const tag = () => randomBytes(3).toString('hex').toUpperCase();
const ADDR = { name: 'K. Ill', line1: 'Weg 9', city: 'Köln', postal_code: '50667', country: 'DE' };

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

describe('checkout orders: SIGKILL under a stream of orders', () => {
	let s, token, method;
	const answered = new Map();	/* order id -> status in its 201 */
	const moved = new Set();	/* orders staff took towards shipped */
	const skus = [];
	let latest = [];		/* the orders after the last check */

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		assert.ok([200, 201].includes((await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard', { token,
			body: { rate: 19000 } })).status));
		const z = await s.request('POST', '/api/v1/checkout/shipping/zones', { token,
			body: { name: 'DE', countries: ['DE'] } });
		assert.equal(z.status, 201, z.text);
		const m = await s.request('POST', `/api/v1/checkout/shipping/zones/${z.json.id}/methods`, { token,
			body: { name: 'Flat', kind: 'flat', amount: 500 } });
		assert.equal(m.status, 201, m.text);
		method = m.json.id;
	});

	after(async () => {
		await s?.close();
	});

	async function cart(lines) {
		const r = await s.request('POST', C);
		assert.equal(r.status, 201, r.text);
		const headers = { 'x-cart-token': r.json.token };
		for (const l of lines)
			assert.equal((await s.request('POST', `${C}/${r.json.id}/lines`, { headers, body: l })).status, 200);
		return { id: r.json.id, headers };
	}

	function place(c, key) {
		return s.request('POST', O, { headers: { ...c.headers, 'idempotency-key': key }, timeoutMs: 3000 * SLOW,
			body: { cart_id: c.id, email: 'crash@example.com', shipping_address: ADDR, shipping_method: method,
				payment_method: 'bank_transfer' } });
	}

	const allOrders = () => allPages(s, O, token);

	/*
	 * Staff take an approved order to shipped: 'shipped', or the step
	 * that was refused (the kill may cut it anywhere: that throws).
	 */
	async function ship(id) {
		for (const [to, body] of [['paid', {}], ['prepared', {}], ['shipped', { carrier: 'DHL' }]]) {
			const r = await s.request('POST', `${O}/${id}/transitions`, { token, timeoutMs: 3000 * SLOW,
				body: { to, ...body } });
			if (r.status !== 200)
				return `${to} ${id}: ${r.status} ${r.text}`;
		}
		return 'shipped';
	}

	async function check(cycle) {
		/* The sweep finishes what the crash cut off. */
		const orders = await waitFor(async () => {
			const all = await allOrders();
			return all.every((o) => o.status !== 'created') ? all : null;
		}, { timeoutMs: 10000 * SLOW, message: `cycle ${cycle}: no order stuck in created` });
		/* And catalog has taken every shipped order off the shelf. */
		await waitFor(async () => {
			const r = await s.request('GET', '/api/v1/events/subscriptions', { token });
			assert.equal(r.status, 200, r.text);
			return r.json.data.every((x) => x.lag === 0 && x.failing === null);
		}, { timeoutMs: 10000 * SLOW, message: `cycle ${cycle}: every subscription at lag 0` });
		const byId = new Map(orders.map((o) => [o.id, o]));
		for (const [id, first] of answered) {
			assert.ok(byId.has(id), `cycle ${cycle}: order ${id} answered 201 and is there`);
			if (first === 'created')
				continue;
			if (moved.has(id))
				assert.ok(first === 'approved' && [...HOLDING, 'shipped'].includes(byId.get(id).status),
				    `order ${id}: approved, then on its way (${byId.get(id).status})`);
			else
				assert.equal(byId.get(id).status, first, `order ${id} kept what its 201 said`);
		}
		const held = Object.fromEntries(skus.map((k) => [k, 0]));
		const sold = Object.fromEntries(skus.map((k) => [k, 0]));
		const sales = Object.fromEntries(skus.map((k) => [k, []]));
		for (const o of orders) {
			assert.ok([...HOLDING, ...GONE, 'cancelled'].includes(o.status), `order ${o.id}: ${o.status}`);
			if (o.status === 'cancelled')
				continue;
			const d = await s.request('GET', `${O}/${o.id}`, { token });
			for (const l of d.json.lines) {
				if (GONE.includes(o.status)) {
					sold[l.sku] += l.quantity;
					sales[l.sku].push([o.id, -l.quantity, -l.quantity]);
				} else {
					held[l.sku] += l.quantity;
				}
			}
		}
		for (const sku of skus) {
			const st = (await s.request('GET', `/api/v1/catalog/stock/${sku}`, { token })).json;
			assert.equal(st.reserved, held[sku],
			    `cycle ${cycle}: ${sku} reserved = what approved, paid and prepared orders hold`);
			assert.equal(st.on_hand, ON_HAND - sold[sku],
			    `cycle ${cycle}: ${sku} on hand = initial stock less what shipped orders took`);
			assert.ok(st.available >= 0);
			const sum = (k) => st.movements.reduce((a, m) => a + m[k], 0);
			if (st.movements.length < 50) {
				assert.equal(sum('on_hand_delta'), st.on_hand, `${sku}: ledger on_hand`);
				assert.equal(sum('reserved_delta'), st.reserved, `${sku}: ledger reserved`);
				assert.deepEqual(st.movements.filter((m) => m.reason === 'sale')
				    .map((m) => [m.reference, m.on_hand_delta, m.reserved_delta]).sort(), sales[sku].sort(),
				    `${sku}: one sale row per shipped order line`);
			}
		}
		latest = orders;
		return orders;
	}

	it(`loses, doubles and strands nothing over ${CYCLES} kill cycles`, async (t) => {
		const t0 = Date.now();
		let total201 = 0;
		let shippedBeforeKill = 0;
		let cut = 0;
		for (let cycle = 1; cycle <= CYCLES; cycle++) {
			const sku = `K${cycle}-${tag()}`;
			const p = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `Crash ${cycle}`,
				status: 'active', variants: [{ sku, on_hand: ON_HAND }] } });
			assert.equal(p.status, 201, p.text);
			assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
				body: { amount: 900 } })).status, 201);
			skus.push(sku);
			const prev = skus.length > 1 ? skus.at(-2) : null;
			const jobs = [];
			for (let i = 0; i < PER_CYCLE; i++) {
				const lines = [{ sku, quantity: 1 + (i % 2) }];
				if (prev && i % 3 === 0)
					lines.push({ sku: prev, quantity: 1 });
				jobs.push({ cart: await cart(lines), key: `crash-${cycle}-${i}-${tag()}` });
			}
			/* A few earlier approved orders ship alongside the placements. */
			const toShip = latest.filter((o) => o.status === 'approved' && !moved.has(o.id)).slice(0, SHIP_PER_CYCLE);
			toShip.forEach((o, i) => {
				moved.add(o.id);
				jobs.splice(1 + i * 4, 0, { ship: o.id });
			});
			const killAt = 2 + Math.floor(Math.random() * (jobs.length - 4));
			let done = 0;
			let killed = null;
			const results = await pool(jobs, 6, async (j) => {
				if (killed)
					return 'skipped';
				try {
					if (j.ship)
						return await ship(j.ship);
					const r = await place(j.cart, j.key);
					if (r.status === 201)
						answered.set(r.json.id, r.json.status);
					return r.status;
				} catch (e) {
					return 'cut';
				} finally {
					if (++done === killAt)
						killed = s.kill9();
				}
			});
			await (killed ?? s.kill9());
			await s.restart();
			token = await s.adminToken();
			total201 += results.filter((x) => x === 201).length;
			shippedBeforeKill += results.filter((x) => x === 'shipped').length;
			jobs.forEach((j, i) => j.ship && assert.ok(['shipped', 'cut', 'skipped'].includes(results[i]),
			    `a shipment before the kill: ${results[i]}`));
			/* A request the crash cut off, retried with its key: one order. */
			for (let i = 0; i < jobs.length; i++) {
				if (results[i] === 201 || results[i] === 'skipped' || jobs[i].ship)
					continue;
				cut++;
				const r = await place(jobs[i].cart, jobs[i].key);
				if (r.status === 201) {
					answered.set(r.json.id, r.json.status);
					const again = await place(jobs[i].cart, jobs[i].key);
					assert.equal(again.text, r.text, 'the retry answers the first answer');
				} else {
					/* Committed before the kill? Then the retry replays it; else the cart is whole. */
					assert.fail(`retry after the crash: ${r.status} ${r.text}`);
				}
			}
			await check(cycle);
		}
		const orders = await check('final');
		t.diagnostic(`${CYCLES} SIGKILL cycles: ${orders.length} orders, ${total201} answered 201 before the kills,` +
		    ` ${cut} cut off and retried, ${shippedBeforeKill} of ${moved.size} shipments finished before the` +
		    ` kill, ${orders.filter((o) => o.status === 'shipped').length} orders shipped,` +
		    ` ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		assert.ok(orders.some((o) => o.status === 'shipped'), 'some orders shipped');
		assert.equal(new Set(orders.map((o) => o.number)).size, orders.length, 'numbers unique');
		const nums = orders.map((o) => o.number).sort((a, b) => a - b);
		assert.equal(nums.at(-1) - nums[0] + 1, nums.length, 'order numbers without gaps');
	});
});
