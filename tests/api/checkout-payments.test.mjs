/*
 * Checkout payments (docs/API.md, "Checkout payments"): the methods a
 * storefront may offer, the bank account staff keep for bank transfers,
 * the test provider's webhook secret, and its HMAC-signed webhook: a
 * good signature is received once (a replayed event id is ignored), a
 * bad, missing or expired one is 401 and writes nothing.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, startServer } from './lib/server.mjs';

const P = '/api/v1/checkout/payments';

function sign(secret, body, t = Math.floor(Date.now() / 1000)) {
	const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
	return `t=${t},v1=${mac}`;
}

describe('checkout: payments', () => {
	let s, token, cust;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		cust = await customerToken(s, 'pay');
	});

	after(async () => {
		await s?.close();
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
		assert.deepEqual(r.json, { enabled: true, ...body });
		const m = await s.request('GET', `${P}/methods`);
		assert.deepEqual(m.json.data[0].account, body);
		const off = await s.request('PUT', `${P}/bank-transfer`, { token, body: { enabled: false } });
		assert.equal(off.status, 200, off.text);
		assert.equal(off.json.iban, body.iban);
		assert.deepEqual((await s.request('GET', `${P}/methods`)).json.data.map((x) => x.id), ['cod', 'test']);
		assert.equal((await s.request('PUT', `${P}/bank-transfer`, { token, body: { enabled: true } })).status, 200);
	});

	it('shows the webhook secret to staff only', async () => {
		assertProblem(await s.request('GET', `${P}/test`), 401);
		assertProblem(await s.request('GET', `${P}/test`, { token: cust }), 403);
		const r = await s.request('GET', `${P}/test`, { token });
		assert.equal(r.status, 200, r.text);
		assert.match(r.json.webhook_secret, /^whsec_[0-9a-f]{64}$/);
		assert.equal(r.json.outcomes['01'], 'declined');
	});

	it('verifies webhook signatures over the raw body', async () => {
		const secret = (await s.request('GET', `${P}/test`, { token })).json.webhook_secret;
		const hook = (body, sig) => s.request('POST', `${P}/test/webhook`, { body,
			headers: { 'content-type': 'application/json', ...(sig ? { 'x-mercato-signature': sig } : {}) } });
		const body = JSON.stringify({ id: 'evt_api_1', type: 'payment.approved', order_id: 'ord_none' });
		assertProblem(await hook(body), 401, 'bad-signature');
		assertProblem(await hook(body, sign('whsec_other', body)), 401, 'bad-signature');
		assertProblem(await hook(body, sign(secret, body, Math.floor(Date.now() / 1000) - 301)), 401,
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
