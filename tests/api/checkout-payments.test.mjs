/*
 * Checkout payments (docs/API.md, "Checkout payments"): the methods a
 * storefront may offer, the bank account staff keep for bank transfers,
 * the test provider's webhook secret, and its HMAC-signed webhook: a
 * good signature is received once (a replayed event id is ignored), a
 * bad, missing or expired one is 401 and writes nothing.  Staff record
 * money received for an order, partial amounts allowed, each a paid
 * event; a retry with the same Idempotency-Key pays nothing twice.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, shippingZone, startServer } from './lib/server.mjs';

const P = '/api/v1/checkout/payments';
const DEFAULT_INSTRUCTIONS = 'Transfer the order total to this account with your order number as the ' +
    'reference; the order ships when the money has arrived.';

function sign(secret, body, t = Math.floor(Date.now() / 1000)) {
	const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
	return `t=${t},v1=${mac}`;
}

describe('checkout: payments', () => {
	let s, token, cust, shipM;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		cust = await customerToken(s, 'pay');
	});

	after(async () => {
		await s?.close();
	});

	it('keeps the test provider off until staff switch it on', async () => {
		const r0 = await s.request('GET', `${P}/methods`);
		assert.equal(r0.status, 200, r0.text);
		assert.deepEqual(r0.json.data.map((m) => m.id), ['bank_transfer', 'cod']);
		assert.equal((await s.request('GET', `${P}/test`, { token })).json.enabled, false);
		const on = await s.request('PUT', `${P}/test`, { token, body: { enabled: true } });
		assert.equal(on.status, 200, on.text);
	});

	it('lists the enabled methods to anyone', async () => {
		const r = await s.request('GET', `${P}/methods`);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.data.map((m) => m.id), ['bank_transfer', 'cod', 'test']);
		assert.equal(r.json.next, null);
		const bank = r.json.data[0];
		assert.equal(bank.title, 'Bank transfer');
		assert.match(bank.instructions, /order number/);
		assert.deepEqual(bank.account, { account_holder: '', iban: '', bic: '' });
	});

	it('keeps the bank account for staff only', async () => {
		assertProblem(await s.request('GET', `${P}/bank-transfer`), 401);
		assertProblem(await s.request('GET', `${P}/bank-transfer`, { token: cust }), 403);
		assertProblem(await s.request('PUT', `${P}/bank-transfer`, { token: cust, body: { iban: 'DE89370400440532013000' } }),
		    403);
		const bad = assertProblem(await s.request('PUT', `${P}/bank-transfer`, { token,
			body: { iban: 'de89 nope', enabled: 'yes', bic: 7 } }), 422, 'validation');
		assert.deepEqual(bad.errors.map((e) => e.field).sort(), ['bic', 'enabled', 'iban']);
		/* The refused PUT wrote nothing. */
		assert.equal((await s.request('GET', `${P}/bank-transfer`, { token })).json.iban, '');
		const body = { account_holder: 'Mercato GmbH', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' };
		const r = await s.request('PUT', `${P}/bank-transfer`, { token, body });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { enabled: true, ...body, instructions: DEFAULT_INSTRUCTIONS });
		const m = await s.request('GET', `${P}/methods`);
		assert.deepEqual(m.json.data[0].account, body);
		const off = await s.request('PUT', `${P}/bank-transfer`, { token, body: { enabled: false } });
		assert.equal(off.status, 200, off.text);
		assert.equal(off.json.iban, body.iban);
		assert.deepEqual((await s.request('GET', `${P}/methods`)).json.data.map((x) => x.id), ['cod', 'test']);
		assert.equal((await s.request('PUT', `${P}/bank-transfer`, { token, body: { enabled: true } })).status, 200);
	});

	it('lets staff word the bank transfer instructions, and an empty text brings back the default', async () => {
		assertProblem(await s.request('PUT', `${P}/bank-transfer`, { body: { instructions: 'x' } }), 401);
		assertProblem(await s.request('PUT', `${P}/bank-transfer`, { token: cust, body: { instructions: 'x' } }), 403);
		const before = (await s.request('GET', `${P}/bank-transfer`, { token })).json;
		assert.equal(before.instructions, DEFAULT_INSTRUCTIONS);
		for (const instructions of [7, 'x'.repeat(501)]) {
			const bad = assertProblem(await s.request('PUT', `${P}/bank-transfer`, { token,
				body: { instructions, account_holder: 'Someone Else' } }), 422, 'validation');
			assert.deepEqual(bad.errors.map((e) => e.field), ['instructions']);
		}
		/* The refused PUTs wrote nothing, not even the valid member. */
		assert.deepEqual((await s.request('GET', `${P}/bank-transfer`, { token })).json, before);
		const text = 'Überweisen Sie den Betrag mit der Bestellnummer als Verwendungszweck.';
		const r = await s.request('PUT', `${P}/bank-transfer`, { token, body: { instructions: text } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { ...before, instructions: text });
		const bank = (await s.request('GET', `${P}/methods`)).json.data.find((m) => m.id === 'bank_transfer');
		assert.equal(bank.instructions, text);
		assert.equal(bank.account.instructions, undefined);
		const back = await s.request('PUT', `${P}/bank-transfer`, { token, body: { instructions: '' } });
		assert.equal(back.json.instructions, DEFAULT_INSTRUCTIONS);
		assert.equal((await s.request('GET', `${P}/methods`)).json.data[0].instructions, DEFAULT_INSTRUCTIONS);
	});

	it('shows the webhook secret to staff only', async () => {
		assertProblem(await s.request('GET', `${P}/test`), 401);
		assertProblem(await s.request('GET', `${P}/test`, { token: cust }), 403);
		const r = await s.request('GET', `${P}/test`, { token });
		assert.equal(r.status, 200, r.text);
		assert.match(r.json.webhook_secret, /^whsec_[0-9a-f]{64}$/);
		assert.equal(r.json.outcomes['01'], 'declined');
	});

	it('lets staff switch cash on delivery and the test provider off', async () => {
		for (const pv of ['cod', 'test']) {
			assertProblem(await s.request('PUT', `${P}/${pv}`, { body: { enabled: false } }), 401);
			assertProblem(await s.request('PUT', `${P}/${pv}`, { token: cust, body: { enabled: false } }), 403);
			const bad = assertProblem(await s.request('PUT', `${P}/${pv}`, { token, body: { enabled: 'no' } }), 422,
			    'validation');
			assert.deepEqual(bad.errors.map((e) => e.field), ['enabled']);
		}
		const off = await s.request('PUT', `${P}/test`, { token, body: { enabled: false } });
		assert.equal(off.status, 200, off.text);
		assert.deepEqual(off.json, { id: 'test', enabled: false });
		assert.equal((await s.request('PUT', `${P}/cod`, { token, body: { enabled: false } })).status, 200);
		assert.deepEqual((await s.request('GET', `${P}/methods`)).json.data.map((m) => m.id), ['bank_transfer']);
		assert.equal((await s.request('GET', `${P}/test`, { token })).json.enabled, false);
		for (const pv of ['cod', 'test'])
			assert.equal((await s.request('PUT', `${P}/${pv}`, { token, body: { enabled: true } })).status, 200);
		assert.deepEqual((await s.request('GET', `${P}/methods`)).json.data.map((m) => m.id), ['bank_transfer', 'cod', 'test']);
	});

	it('records money received for an order, partially and idempotently', async () => {
		const tax = await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard', { token, body: { rate: 19000 } });
		assert.ok([200, 201].includes(tax.status), tax.text);
		shipM = (await shippingZone(s, token, { name: 'Pickup', kind: 'pickup' })).method;
		const sku = `PAY-${randomBytes(3).toString('hex')}`;
		assert.equal((await s.request('POST', '/api/v1/catalog/products', { token, body: { title: 'Paid thing',
			status: 'active', variants: [{ sku, on_hand: 10 }] } })).status, 201);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token, body: { amount: 5000 } })).status,
		    201);
		const c = await s.request('POST', '/api/v1/checkout/carts');
		const ct = { 'x-cart-token': c.json.token };
		assert.equal((await s.request('POST', `/api/v1/checkout/carts/${c.json.id}/lines`, { headers: ct,
			body: { sku, quantity: 1 } })).status, 200);
		const o = await s.request('POST', '/api/v1/checkout/orders', { headers: { ...ct, 'idempotency-key': 'place-1' },
			body: { cart_id: c.json.id, email: 'bank@example.com', shipping_method: shipM,
				shipping_address: { name: 'B', line1: 'x', city: 'Berlin', postal_code: '10115', country: 'DE' },
				payment_method: 'bank_transfer' } });
		assert.equal(o.status, 201, o.text);
		assert.equal(o.json.status, 'approved', o.text);
		const total = o.json.total;
		const url = `/api/v1/checkout/orders/${o.json.id}/payments`;

		assertProblem(await s.request('POST', url, { body: { amount: 100 } }), 401);
		assertProblem(await s.request('POST', url, { token: cust, body: { amount: 100 } }), 403);
		const bad = assertProblem(await s.request('POST', url, { token, body: { amount: 1.5, method: 'paypal', note: 3 } }),
		    422, 'validation');
		assert.deepEqual(bad.errors.map((e) => e.field), ['amount', 'method', 'note']);
		assertProblem(await s.request('POST', '/api/v1/checkout/orders/ord_nope/payments', { token, body: { amount: 1 } }),
		    404, 'not-found');
		assertProblem(await s.request('POST', url, { token, body: { amount: total + 1 } }), 422, 'invalid-payment');

		const pay = (amount, k) => s.request('POST', url, { token, headers: { 'idempotency-key': k },
			body: { amount, note: 'seen on the account' } });
		const first = await pay(1000, 'rcv-1');
		assert.equal(first.status, 200, first.text);
		assert.equal(first.json.payment.provider, 'bank_transfer');
		assert.equal(first.json.payment.captured, 1000);
		assert.equal(first.json.payment.reference, String(o.json.number));
		assert.equal(first.json.order.paid, 1000);
		assert.equal(first.json.order.status, 'approved');
		const again = await pay(1000, 'rcv-1');
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(again.json.payment, first.json.payment);
		assert.equal(again.json.order.paid, 1000);
		assertProblem(await pay(999, 'rcv-1'), 422, 'invalid-payment');
		const rest = await pay(total - 1000, 'rcv-2');
		assert.equal(rest.status, 200, rest.text);
		assert.equal(rest.json.payment.state, 'captured');
		assert.equal(rest.json.order.status, 'paid');
		assertProblem(await pay(1, 'rcv-3'), 409, 'illegal-payment');

		const detail = await s.request('GET', `/api/v1/checkout/orders/${o.json.id}`, { token });
		assert.equal(detail.status, 200, detail.text);
		const paid = (detail.json.timeline ?? detail.json.events ?? []).filter((e) => e.type === 'paid');
		assert.deepEqual(paid.map((e) => e.payload.amount), [1000, total - 1000]);
		assert.equal(paid[0].payload.method, 'bank_transfer');
		assert.equal(paid[0].payload.note, 'seen on the account');
	});

	/* A one-line guest cart of a new product priced amount (prices include tax). */
	async function cartOf(amount) {
		const sku = `TST-${randomBytes(3).toString('hex')}`;
		assert.equal((await s.request('POST', '/api/v1/catalog/products', { token, body: { title: 'Test paid',
			status: 'active', variants: [{ sku, on_hand: 10 }] } })).status, 201);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token, body: { amount } })).status,
		    201);
		const c = await s.request('POST', '/api/v1/checkout/carts');
		const ct = { 'x-cart-token': c.json.token };
		assert.equal((await s.request('POST', `/api/v1/checkout/carts/${c.json.id}/lines`, { headers: ct,
			body: { sku, quantity: 1 } })).status, 200);
		return (key, payment_method = 'test') => s.request('POST', '/api/v1/checkout/orders', {
			headers: { ...ct, 'idempotency-key': key },
			body: { cart_id: c.json.id, email: 'card@example.com', shipping_method: shipM,
				shipping_address: { name: 'T', line1: 'x', city: 'Berlin', postal_code: '10115', country: 'DE' },
				payment_method } });
	}

	it('refuses a payment method that is off, and pays an approved test amount at placement', async () => {
		const place = await cartOf(5000);
		assert.equal((await s.request('PUT', `${P}/test`, { token, body: { enabled: false } })).status, 200);
		const off = assertProblem(await place('test-off'), 422, 'validation');
		assert.deepEqual(off.errors.map((e) => e.field), ['payment_method']);
		assert.equal((await s.request('PUT', `${P}/test`, { token, body: { enabled: true } })).status, 200);
		const o = await place('test-ok');
		assert.equal(o.status, 201, o.text);
		assert.equal(o.json.total, 5000);
		assert.equal(o.json.status, 'paid', o.text);
		assert.equal(o.json.paid, 5000);
		const again = await place('test-ok');
		assert.equal(again.status, 201, again.text);
		assert.deepEqual(again.json, o.json);
		const detail = await s.request('GET', `/api/v1/checkout/orders/${o.json.id}`, { token });
		const paid = (detail.json.timeline ?? detail.json.events ?? []).filter((e) => e.type === 'paid');
		assert.deepEqual(paid.map((e) => [e.payload.amount, e.payload.method]), [[5000, 'test']]);
	});

	it('leaves a declined test payment unpaid, and completes a pending one by signed webhook', async () => {
		const secret = (await s.request('GET', `${P}/test`, { token })).json.webhook_secret;
		const hook = (ev) => {
			const body = JSON.stringify(ev);
			return s.request('POST', `${P}/test/webhook`, { body,
				headers: { 'content-type': 'application/json', 'x-mercato-signature': sign(secret, body) } });
		};
		const d = await (await cartOf(5001))('test-declined');
		assert.equal(d.status, 201, d.text);
		assert.equal(d.json.status, 'approved', d.text);
		assert.equal(d.json.paid, 0);
		/* Declined is final: no webhook can approve it. */
		assertProblem(await hook({ id: 'evt_dec_1', type: 'payment.approved', order_id: d.json.id }), 422, 'bad-event');

		const p = await (await cartOf(5002))('test-pending');
		assert.equal(p.status, 201, p.text);
		assert.equal(p.json.status, 'approved', p.text);
		assert.equal(p.json.paid, 0);
		const ok = await hook({ id: 'evt_pend_1', type: 'payment.approved', order_id: p.json.id });
		assert.equal(ok.status, 200, ok.text);
		const after1 = await s.request('GET', `/api/v1/checkout/orders/${p.json.id}`, { token });
		assert.equal(after1.json.status, 'paid', after1.text);
		assert.equal(after1.json.paid, 5002);
		const dup = await hook({ id: 'evt_pend_1', type: 'payment.approved', order_id: p.json.id });
		assert.equal(dup.status, 200, dup.text);
		assert.equal(dup.json.duplicate, true);
		assert.equal((await s.request('GET', `/api/v1/checkout/orders/${p.json.id}`, { token })).json.paid, 5002);
	});

	it('cancelling cancels the pending payment at its provider, and refunds a paid order with a credit note', async () => {
		const O = '/api/v1/checkout/orders';
		const get = async (id) => (await s.request('GET', `${O}/${id}`, { token })).json;
		const tr = (id, body, tk = token) => s.request('POST', `${O}/${id}/transitions`, { token: tk, body });
		const ops = (d) => d.payment.calls.map((c) => `${c.op}:${c.key}:${c.verdict}`);

		/* Unpaid bank transfer: the provider's cancel, nothing refunded, no credit note. */
		const a = await (await cartOf(3000))('cancel-pending', 'bank_transfer');
		assert.equal(a.status, 201, a.text);
		assert.equal((await get(a.json.id)).payment.state, 'pending');
		assertProblem(await tr(a.json.id, { to: 'cancelled' }, cust), 403);
		let r = await tr(a.json.id, { to: 'cancelled', reason: 'customer changed their mind' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'cancelled');
		assert.equal(r.json.refunded, 0);
		assert.equal(r.json.credit_notes, 0);
		assert.equal(r.json.payment.state, 'cancelled');
		assert.deepEqual(ops(r.json), ['create:place:ok', 'cancel:cancel:ok']);
		/* Cancelled is final: a second cancel is 409 naming the state and writes nothing. */
		const again = assertProblem(await tr(a.json.id, { to: 'cancelled' }), 409, 'illegal-transition');
		assert.match(again.detail, /cancelled/);
		assert.deepEqual(ops(await get(a.json.id)), ['create:place:ok', 'cancel:cancel:ok']);

		/* Staff "paid" is money received on the payment, then cancelling refunds all of it. */
		const b = await (await cartOf(4000))('cancel-paid', 'bank_transfer');
		r = await tr(b.json.id, { to: 'paid', note: 'on the account' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'paid');
		assert.equal(r.json.payment.state, 'captured');
		assert.equal(r.json.payment.captured, 4000);
		/* More than was paid: 422, and neither the order nor the payment moves. */
		assertProblem(await s.request('POST', `${O}/${b.json.id}/refunds`, { token, body: { amount: 4001 } }), 422,
		    'invalid-refund');
		const still = await get(b.json.id);
		assert.equal(still.refunded, 0);
		assert.equal(still.payment.refunded, 0);
		assert.equal(still.payment.calls.length, 2);
		r = await tr(b.json.id, { to: 'cancelled', reason: 'out of our hands' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'cancelled');
		assert.equal(r.json.payment_status, 'refunded');
		assert.equal(r.json.refunded, 4000);
		assert.equal(r.json.credit_notes, 1);
		assert.ok(r.json.last_credit_note >= 1);
		const ev = r.json.timeline.at(-1);
		assert.equal(ev.type, 'cancelled');
		assert.equal(ev.payload.refund_amount, 4000);
		assert.equal(ev.payload.credit_note_number, r.json.last_credit_note);
		assert.equal(r.json.payment.state, 'refunded');
		assert.equal(r.json.payment.refunded, 4000);
		assert.deepEqual(ops(r.json).slice(-1), ['refund:cancel-refund:ok']);

		/* Partly refunded, then cancelled: the rest comes back, once. */
		const c = await (await cartOf(6000))('cancel-part', 'bank_transfer');
		assert.equal((await tr(c.json.id, { to: 'paid' })).status, 200);
		r = await s.request('POST', `${O}/${c.json.id}/refunds`, { token, body: { amount: 1000, reason: 'goodwill' } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.payment.refunded, 1000);
		const cn = r.json.last_credit_note;
		assert.ok(ops(r.json).includes(`refund:refund-${cn}:ok`));
		r = await tr(c.json.id, { to: 'cancelled' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.refunded, 6000);
		assert.equal(r.json.last_credit_note, cn + 1);
		assert.equal(r.json.payment.refunded, 6000);
		assert.equal(r.json.payment.state, 'refunded');
		assert.equal(r.json.timeline.at(-1).payload.refund_amount, 5000);

		/* A card payment is captured by its provider only, never marked paid by hand. */
		const d = await (await cartOf(7001))('card-declined');
		assert.equal(d.json.status, 'approved');
		const p = assertProblem(await tr(d.json.id, { to: 'paid' }), 409, 'illegal-transition');
		assert.match(p.detail, /declined/);
		const dd = await get(d.json.id);
		assert.equal(dd.paid, 0);
		assert.equal(dd.payment.captured, 0);
		/* Its cancel leaves the declined payment as the provider left it. */
		r = await tr(d.json.id, { to: 'cancelled' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.payment.state, 'declined');

		/* A card payment taken at placement: a refund goes back through the provider. */
		const e = await (await cartOf(8000))('card-refund');
		assert.equal(e.json.status, 'paid');
		r = await s.request('POST', `${O}/${e.json.id}/refunds`, { token, body: { whole: true } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.status, 'refunded');
		assert.equal(r.json.payment.state, 'refunded');
		assert.equal(r.json.payment.refunded, 8000);
		assert.deepEqual(ops(r.json), ['create:place:ok', 'authorize:place-authorize:ok', 'capture:place-capture:ok',
			`refund:refund-${r.json.last_credit_note}:ok`]);
	});

	it('verifies webhook signatures over the raw body', async () => {
		const secret = (await s.request('GET', `${P}/test`, { token })).json.webhook_secret;
		const hook = (body, sig) => s.request('POST', `${P}/test/webhook`, { body,
			headers: { 'content-type': 'application/json', ...(sig ? { 'x-mercato-signature': sig } : {}) } });
		const body = JSON.stringify({ id: 'evt_api_1', type: 'payment.approved', order_id: 'ord_none' });
		assertProblem(await hook(body), 401, 'bad-signature');
		assertProblem(await hook(body, sign('whsec_other', body)), 401, 'bad-signature');
		/* Ten seconds past the 300 s window: time() on the server is the
		 * coarse clock, which may trail Date.now() across a second. */
		assertProblem(await hook(body, sign(secret, body, Math.floor(Date.now() / 1000) - 310)), 401,
		    'bad-signature');
		/* Signed, then re-serialized with other whitespace: not the signed bytes. */
		assertProblem(await hook(JSON.stringify(JSON.parse(body), null, 1), sign(secret, body)), 401, 'bad-signature');
		/* Well signed, but no pending test payment for that order: 422, nothing kept. */
		const p = assertProblem(await hook(body, sign(secret, body)), 422, 'bad-event');
		assert.match(p.detail, /no pending test payment/);
		const notEvent = '{"hello":1}';
		assertProblem(await hook(notEvent, sign(secret, notEvent)), 422, 'bad-event');
	});
});
