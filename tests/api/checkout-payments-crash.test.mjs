/*
 * The test provider's payment step under SIGKILL.  A payment the provider
 * answered "later" (an amount ending in 02) is pending when the server is
 * killed; at the restart the worker asks the provider again and captures
 * it: one capture, the order paid its total, and nothing more after a
 * second kill or a late webhook.  Then a stream of card orders with the
 * server killed at random moments: after each restart every order that
 * was approved is paid exactly once (one capture call, one paid event,
 * paid = total), whether the kill fell before, during or after its
 * payment step; the requests it cut off are retried with their key and
 * the server is killed once more so that their "later" answers are taken
 * up too.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SLOW, assertProblem, startServer, waitFor } from './lib/server.mjs';

const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const P = '/api/v1/checkout/payments';
const ADDR = { name: 'K. Ill', line1: 'Weg 9', city: 'Köln', postal_code: '50667', country: 'DE' };
const tag = () => randomBytes(3).toString('hex').toUpperCase();

function sign(secret, body, t = Math.floor(Date.now() / 1000)) {
	const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
	return `t=${t},v1=${mac}`;
}

describe('checkout payments: SIGKILL while a card payment is pending', () => {
	let s, token, method;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		assert.ok([200, 201].includes((await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard', { token,
			body: { rate: 19000 } })).status));
		assert.equal((await s.request('PUT', `${P}/test`, { token, body: { enabled: true } })).status, 200);
		const z = await s.request('POST', '/api/v1/checkout/shipping/zones', { token,
			body: { name: 'DE', countries: ['DE'] } });
		assert.equal(z.status, 201, z.text);
		const m = await s.request('POST', `/api/v1/checkout/shipping/zones/${z.json.id}/methods`, { token,
			body: { name: 'Pickup', kind: 'pickup' } });
		assert.equal(m.status, 201, m.text);
		method = m.json.id;
	});

	after(async () => {
		await s?.close();
	});

	/* A product priced amount (prices include tax, pickup is free): the order's total. */
	async function product(amount, onHand = 100) {
		const sku = `PC-${tag()}`;
		assert.equal((await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `Card ${sku}`,
			status: 'active', variants: [{ sku, on_hand: onHand }] } })).status, 201);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token, body: { amount } })).status, 201);
		return sku;
	}

	async function cart(sku) {
		const r = await s.request('POST', C);
		assert.equal(r.status, 201, r.text);
		const headers = { 'x-cart-token': r.json.token };
		assert.equal((await s.request('POST', `${C}/${r.json.id}/lines`, { headers, body: { sku, quantity: 1 } })).status,
		    200);
		return { id: r.json.id, headers };
	}

	function place(c, key) {
		return s.request('POST', O, { headers: { ...c.headers, 'idempotency-key': key }, timeoutMs: 3000 * SLOW,
			body: { cart_id: c.id, email: 'card@example.com', shipping_address: ADDR, shipping_method: method,
				payment_method: 'test' } });
	}

	async function detail(id) {
		const r = await s.request('GET', `${O}/${id}`, { token });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	/* Paid exactly once: one capture, one paid event, paid = captured = total. */
	function paidOnce(d, what) {
		const captures = d.payment.calls.filter((c) => c.op === 'capture' && c.verdict === 'ok');
		const paid = d.timeline.filter((e) => e.type === 'paid');
		assert.equal(captures.length, 1, `${what}: one capture (${JSON.stringify(d.payment.calls)})`);
		assert.equal(paid.length, 1, `${what}: one paid event`);
		assert.equal(paid[0].payload.amount, d.total, `${what}: the paid event is the total`);
		assert.equal(d.paid, d.total, `${what}: paid = total`);
		assert.equal(d.payment.captured, d.total, `${what}: captured = total`);
		assert.equal(d.payment.state, 'captured');
		assert.equal(d.status, 'paid');
	}

	it('takes up a payment the provider answered "later" at the restart, and captures it once', async () => {
		const sku = await product(5002);
		const r = await place(await cart(sku), `later-${tag()}`);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.status, 'approved');
		assert.equal(r.json.paid, 0);
		const id = r.json.id;
		let d = await detail(id);
		assert.equal(d.payment.state, 'pending');
		assert.deepEqual(d.payment.calls.map((c) => [c.op, c.key, c.state]),
		    [['create', 'place', 'pending'], ['authorize', 'place-authorize', 'pending']]);

		await s.kill9();
		await s.restart();
		token = await s.adminToken();
		d = await waitFor(async () => {
			const x = await detail(id);
			return x.status === 'paid' ? x : null;
		}, { message: 'the pending payment is completed after the restart' });
		paidOnce(d, 'after the restart');
		assert.deepEqual(d.payment.calls.map((c) => `${c.op}:${c.key}`),
		    ['create:place', 'authorize:place-authorize', 'sync:resume-sync', 'capture:resume-capture']);
		const list = await s.request('GET', `${O}?q=${d.number}`, { token });
		assert.equal(list.json.data[0].payment_status, 'paid');
		assert.equal(list.json.data[0].paid, d.total);

		/* Killed again: the next start finds nothing pending and charges nothing. */
		await s.kill9();
		await s.restart();
		token = await s.adminToken();
		paidOnce(await detail(id), 'after a second restart');
		/* The provider's webhook arrives late: nothing pending, nothing written. */
		const secret = (await s.request('GET', `${P}/test`, { token })).json.webhook_secret;
		const body = JSON.stringify({ id: `evt_${tag()}`, type: 'payment.approved', order_id: id });
		const late = await s.request('POST', `${P}/test/webhook`, { body,
			headers: { 'content-type': 'application/json', 'x-mercato-signature': sign(secret, body) } });
		assertProblem(late, 422, 'bad-event');
		paidOnce(await detail(id), 'after a late webhook');
	});

	it('pays every approved card order exactly once over 6 kill cycles', async (t) => {
		const CYCLES = 6;
		const PER = 10;
		const ids = new Set();
		for (let cycle = 1; cycle <= CYCLES; cycle++) {
			const approve = await product(4000 + cycle * 100);
			const later = await product(4002 + cycle * 100);
			const jobs = [];
			for (let i = 0; i < PER; i++)
				jobs.push({ cart: await cart(i % 3 === 0 ? later : approve), key: `kc-${cycle}-${i}-${tag()}` });
			const killAt = 1 + Math.floor(Math.random() * (PER - 2));
			let done = 0;
			let killed = null;
			const results = await Promise.all(jobs.map(async (j) => {
				try {
					const r = await place(j.cart, j.key);
					if (r.status === 201)
						ids.add(r.json.id);
					return r.status;
				} catch {
					return 'cut';
				} finally {
					if (++done === killAt)
						killed = s.kill9();
				}
			}));
			await (killed ?? s.kill9());
			await s.restart();
			token = await s.adminToken();
			/* A request the kill cut off, retried with its key: one order. */
			for (let i = 0; i < jobs.length; i++) {
				if (results[i] === 201)
					continue;
				const r = await place(jobs[i].cart, jobs[i].key);
				assert.equal(r.status, 201, r.text);
				ids.add(r.json.id);
			}
			/* Orders placed since the restart whose provider said "later" wait for the next start. */
			await s.kill9();
			await s.restart();
			token = await s.adminToken();
			for (const id of ids) {
				const d = await waitFor(async () => {
					const x = await detail(id);
					return x.status === 'paid' ? x : null;
				}, { timeoutMs: 10000 * SLOW, message: `cycle ${cycle}: order ${id} paid` });
				paidOnce(d, `cycle ${cycle}, order ${d.number}`);
			}
		}
		t.diagnostic(`${CYCLES} SIGKILL cycles: ${ids.size} card orders, each paid exactly once`);
	});
});
