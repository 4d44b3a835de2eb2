/*
 * Pricing's shop settings and tax (docs/contracts/pricing-v1.md): the
 * currency and tax mode with If-Match and the currency-in-use rule, tax
 * categories, rates per country (parts per 100,000), a product's tax
 * category, their events, the demo data of a first start, and
 * `mercato replay pricing` rebuilding the copies without touching prices.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, feed, runCli, signIn, startServer, uniqueEmail } from './lib/server.mjs';

const SET = '/api/v1/pricing/settings';
const CATS = '/api/v1/pricing/tax-categories';
const RATES = '/api/v1/pricing/tax-rates';
const PRODUCTS = '/api/v1/catalog/products';
const tag = () => randomBytes(4).toString('hex');

function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `errors[]: ${res.text}`);
	return p.errors.map((e) => e.field);
}

describe('pricing: settings and tax (empty shop)', () => {
	let s;
	let token;
	let customer;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'tax');
	});

	after(async () => {
		await s?.close();
	});

	it('GET /settings is public: EUR, prices include tax, shipping taxed at standard', async () => {
		const r = await s.request('GET', SET);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.etag, '"v1"');
		assert.deepEqual({ ...r.json, updated_at: 0 }, { currency: 'EUR', minor_units: 2,
			prices_include_tax: true, shipping_taxable: true, shipping_tax_category: 'standard',
			default_country: 'DE', shipping_amount: 0, version: 1, updated_at: 0 });
	});

	it('PUT /settings needs If-Match, validates, changes the currency while no price exists', async () => {
		assertProblem(await s.request('PUT', SET, { token, body: { currency: 'USD' } }), 428);
		assertProblem(await s.request('PUT', SET, { token, headers: { 'if-match': '"v7"' },
			body: { currency: 'USD' } }), 412, 'stale-edit');
		const bad = [
			[{ currency: 'usd' }, ['currency']],
			[{ currency: 'XYZ' }, ['currency']],
			[{ currency: 'EURO' }, ['currency']],
			[{ prices_include_tax: 'yes' }, ['prices_include_tax']],
			[{ shipping_taxable: 1 }, ['shipping_taxable']],
			[{ shipping_tax_category: 'luxury' }, ['shipping_tax_category']],
			[{ default_country: 'de' }, ['default_country']],
			[{ default_country: 'DEU' }, ['default_country']],
			[{ default_country: 'ZZ' }, ['default_country']],
			[{ shipping_amount: -1 }, ['shipping_amount']],
			[{ shipping_amount: 4.5 }, ['shipping_amount']],
		];
		for (const [body, fields] of bad) {
			const r = await s.request('PUT', SET, { token, headers: { 'if-match': '"v1"' }, body });
			assert.deepEqual(fieldsOf(r), fields, JSON.stringify(body));
		}
		const r = await s.request('PUT', SET, { token, headers: { 'if-match': '"v1"' }, body: {
			currency: 'JPY', prices_include_tax: false, shipping_taxable: false,
			shipping_tax_category: 'reduced' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.etag, '"v2"');
		assert.equal(r.json.currency, 'JPY');
		assert.equal(r.json.minor_units, 0);
		assert.equal(r.json.prices_include_tax, false);
		const back = await s.request('PUT', SET, { token, headers: { 'if-match': '"v2"' }, body: {
			currency: 'EUR', prices_include_tax: true } });
		assert.equal(back.status, 200, back.text);
		assert.equal(back.json.shipping_taxable, false, 'members left out keep their value');
		const noop = await s.request('PUT', SET, { token, headers: { 'if-match': '"v3"' }, body: {
			currency: 'EUR', shipping_taxable: false } });
		assert.equal(noop.status, 200, noop.text);
		assert.equal(noop.headers.etag, '"v3"', 'nothing differs: same version, no event');
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.settings.changed');
		assert.deepEqual(ev.map((e) => e.payload), [
			{ currency: 'JPY', minor_units: 0, prices_include_tax: false, shipping_taxable: false,
				shipping_tax_category: 'reduced', default_country: 'DE', shipping_amount: 0 },
			{ currency: 'EUR', minor_units: 2, prices_include_tax: true, shipping_taxable: false,
				shipping_tax_category: 'reduced', default_country: 'DE', shipping_amount: 0 },
		]);
	});

	it('changing the currency while prices exist is 409 currency-in-use', async () => {
		const sku = `CUR-${tag()}`;
		assert.equal((await s.request('POST', PRODUCTS, { token, body: { title: 'Currency',
			variants: [{ sku }] } })).status, 201);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
			body: { amount: 100 } })).status, 201);
		const v = (await s.request('GET', SET)).headers.etag;
		const r = await s.request('PUT', SET, { token, headers: { 'if-match': v }, body: { currency: 'USD' } });
		const p = assertProblem(r, 409, 'currency-in-use');
		assert.equal(p.currency, 'EUR');
		assert.equal(p.prices, 1);
		/* The same currency is no change of currency. */
		const same = await s.request('PUT', SET, { token, headers: { 'if-match': v }, body: { currency: 'EUR' } });
		assert.equal(same.status, 200, same.text);
	});

	it('tax categories: three seeded by the schema; POST adds one (201, 409 when taken)', async () => {
		const l = await s.request('GET', CATS);
		assert.equal(l.status, 200, l.text);
		assert.deepEqual(l.json.data.map((c) => c.code), ['reduced', 'standard', 'zero']);
		assert.equal(l.json.next, null);
		const code = `books-${tag()}`;
		const r = await s.request('POST', CATS, { token, body: { code, name: 'Books' } });
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, { code, name: 'Books' });
		assertProblem(await s.request('POST', CATS, { token, body: { code, name: 'Again' } }), 409, 'code-taken');
		for (const [body, fields] of [[{}, ['code', 'name']], [{ code: 'Bad!', name: 'x' }, ['code']],
		    [{ code: 'ok', name: '' }, ['name']]])
			assert.deepEqual(fieldsOf(await s.request('POST', CATS, { token, body })), fields);
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.tax.changed' &&
		    e.aggregate_id === code);
		assert.deepEqual(ev.map((e) => e.payload), [{ change: 'category_created', category: code, name: 'Books' }]);
	});

	it('tax rates: PUT sets (201, then 200), If-Match, GET lists and filters, DELETE removes', async () => {
		const url = `${RATES}/DE/standard`;
		const r = await s.request('PUT', url, { token, body: { rate: 19000 } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.etag, '"v1"');
		assert.deepEqual({ ...r.json, updated_at: 0 }, { country: 'DE', category: 'standard', rate: 19000,
			version: 1, updated_at: 0 });
		const same = await s.request('PUT', url, { token, body: { rate: 19000 } });
		assert.equal(same.status, 200);
		assert.equal(same.json.version, 1, 'the same rate is no change');
		assertProblem(await s.request('PUT', url, { token, headers: { 'if-match': '"v5"' },
			body: { rate: 16000 } }), 412, 'stale-edit');
		const ch = await s.request('PUT', url, { token, headers: { 'if-match': '"v1"' }, body: { rate: 16000 } });
		assert.equal(ch.status, 200, ch.text);
		assert.equal(ch.json.rate, 16000);
		assert.equal((await s.request('PUT', `${RATES}/FR/reduced`, { token, body: { rate: 5500 } })).status, 201);
		assert.equal((await s.request('PUT', `${RATES}/DE/zero`, { token, body: { rate: 0 } })).status, 201);
		const all = await s.request('GET', RATES);
		assert.equal(all.status, 200, all.text);
		assert.deepEqual(all.json.data.map((x) => [x.country, x.category, x.rate]),
		    [['DE', 'standard', 16000], ['DE', 'zero', 0], ['FR', 'reduced', 5500]]);
		const p1 = await s.request('GET', `${RATES}?limit=2`);
		assert.equal(p1.json.next, 'DE/zero');
		const p2 = await s.request('GET', `${RATES}?limit=2&after=${encodeURIComponent(p1.json.next)}`);
		assert.deepEqual(p2.json.data.map((x) => x.country), ['FR']);
		assert.equal(p2.json.next, null);
		const fr = await s.request('GET', `${RATES}?country=FR`);
		assert.deepEqual(fr.json.data.map((x) => x.category), ['reduced']);
		assertProblem(await s.request('GET', `${RATES}?country=fr`), 400);
		assert.equal((await s.request('DELETE', `${RATES}/DE/zero`, { token })).status, 204);
		assertProblem(await s.request('DELETE', `${RATES}/DE/zero`, { token }), 404, 'not-found');
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.tax.changed' &&
		    e.aggregate_id.startsWith('DE/'));
		assert.deepEqual(ev.map((e) => e.payload), [
			{ change: 'rate_set', country: 'DE', category: 'standard', rate: 19000 },
			{ change: 'rate_set', country: 'DE', category: 'standard', rate: 16000 },
			{ change: 'rate_set', country: 'DE', category: 'zero', rate: 0 },
			{ change: 'rate_removed', country: 'DE', category: 'zero', rate: null },
		]);
	});

	it('tax rates bad input: 422 for the rate, 404 for an unknown country form or category', async () => {
		for (const body of [{}, { rate: -1 }, { rate: 100001 }, { rate: 19.5 }, { rate: '19000' }])
			assert.deepEqual(fieldsOf(await s.request('PUT', `${RATES}/AT/standard`, { token, body })), ['rate']);
		assertProblem(await s.request('PUT', `${RATES}/de/standard`, { token, body: { rate: 1 } }), 404, 'unknown-country');
		assertProblem(await s.request('PUT', `${RATES}/DEU/standard`, { token, body: { rate: 1 } }), 404, 'unknown-country');
		assertProblem(await s.request('PUT', `${RATES}/ZZ/standard`, { token, body: { rate: 1 } }), 404, 'unknown-country');
		assertProblem(await s.request('PUT', `${RATES}/AT/luxury`, { token, body: { rate: 1 } }), 404,
		    'unknown-tax-category');
		assertProblem(await s.request('DELETE', `${RATES}/AT/luxury`, { token }), 404, 'unknown-tax-category');
		assert.ok(!(await s.request('GET', `${RATES}?country=AT`)).json.data.length, 'nothing written');
	});

	it('a product\'s tax category: standard by default, PUT changes it, events, bad input', async () => {
		const p = await s.request('POST', PRODUCTS, { token, body: { title: 'Book', variants: [{ sku: `BK-${tag()}` }] } });
		assert.equal(p.status, 201, p.text);
		const url = `/api/v1/pricing/products/${p.json.id}/tax-category`;
		const g = await s.request('GET', url);
		assert.equal(g.status, 200, g.text);
		assert.deepEqual(g.json, { product_id: p.json.id, category: 'standard', version: 0 });
		const r = await s.request('PUT', url, { token, body: { category: 'reduced' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { product_id: p.json.id, category: 'reduced', version: 1 });
		assert.equal(r.headers.etag, '"v1"');
		assertProblem(await s.request('PUT', url, { token, headers: { 'if-match': '"v3"' },
			body: { category: 'zero' } }), 412);
		assert.equal((await s.request('PUT', url, { token, body: { category: 'reduced' } })).json.version, 1);
		for (const body of [{}, { category: 'luxury' }, { category: 7 }])
			assert.deepEqual(fieldsOf(await s.request('PUT', url, { token, body })), ['category']);
		assertProblem(await s.request('PUT', '/api/v1/pricing/products/prod_00000000000000000000000000/tax-category',
		    { token, body: { category: 'zero' } }), 404, 'unknown-product');
		assertProblem(await s.request('GET', '/api/v1/pricing/products/nope/tax-category'), 404, 'unknown-product');
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.tax.changed' &&
		    e.aggregate_id === p.json.id);
		assert.deepEqual(ev.map((e) => e.payload), [{ change: 'product_category', product_id: p.json.id,
			category: 'reduced' }]);
	});

	it('a staff (not admin) account may change settings and tax', async () => {
		const email = uniqueEmail('pricing-staff');
		const made = await s.request('POST', '/api/v1/auth/staff', { token,
			body: { email, password: 'staff password 1', role: 'staff' } });
		assert.equal(made.status, 201, made.text);
		const staff = (await signIn(s, email, 'staff password 1')).token;
		const v = (await s.request('GET', SET)).headers.etag;
		const r = await s.request('PUT', SET, { token: staff, headers: { 'if-match': v },
			body: { shipping_taxable: true } });
		assert.equal(r.status, 200, r.text);
		const t = await s.request('PUT', `${RATES}/BE/standard`, { token: staff, body: { rate: 21000 } });
		assert.equal(t.status, 201, t.text);
	});

	it('401 without a token (or a bad one on public routes), 403 with a customer token', async () => {
		const p = await s.request('POST', PRODUCTS, { token, body: { title: 'Auth', variants: [{ sku: `AU-${tag()}` }] } });
		const staffRoutes = [
			['PUT', SET, { currency: 'EUR' }], ['POST', CATS, { code: 'x', name: 'x' }],
			['PUT', `${RATES}/DE/standard`, { rate: 1 }], ['DELETE', `${RATES}/DE/standard`],
			['PUT', `/api/v1/pricing/products/${p.json.id}/tax-category`, { category: 'zero' }],
		];
		for (const [method, url, body] of staffRoutes) {
			assertProblem(await s.request(method, url, { body }), 401);
			assertProblem(await s.request(method, url, { token: customer, body }), 403);
		}
		for (const url of [SET, CATS, RATES, `/api/v1/pricing/products/${p.json.id}/tax-category`]) {
			assert.equal((await s.request('GET', url, { token: customer })).status, 200, url);
			assertProblem(await s.request('GET', url, { token: 'not.a.token' }), 401);
		}
		assert.equal((await s.request('GET', `${RATES}/../${RATES}`)).status !== 500, true);
	});
});

describe('pricing: demo data and replay', () => {
	let s;
	let token;

	before(async () => {
		s = await startServer();
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	it('a first start seeds tax rates for DE, FR, NL, AT and the Wholesale and VIP groups', async () => {
		const r = await s.request('GET', `${RATES}?limit=200`);
		assert.equal(r.status, 200, r.text);
		const got = Object.fromEntries(r.json.data.map((x) => [`${x.country}/${x.category}`, x.rate]));
		assert.deepEqual(got, {
			'AT/reduced': 10000, 'AT/standard': 20000, 'AT/zero': 0,
			'DE/reduced': 7000, 'DE/standard': 19000, 'DE/zero': 0,
			'FR/reduced': 5500, 'FR/standard': 20000, 'FR/zero': 0,
			'NL/reduced': 9000, 'NL/standard': 21000, 'NL/zero': 0,
		});
		const g = await s.request('GET', '/api/v1/pricing/groups', { token });
		assert.deepEqual(g.json.data.map((x) => [x.name, x.code]), [['Wholesale', 'wholesale'], ['VIP', 'vip']]);
		const ev = await feed(s, token, 'pricing');
		assert.equal(ev.filter((e) => e.type === 'pricing.tax.changed').length, 12);
		assert.equal(ev.filter((e) => e.type === 'pricing.group.changed').length, 2);
	});

	it('replay rebuilds the product and customer copies, keeps prices and groups, publishes nothing', async () => {
		const t = tag().toUpperCase();
		const email = `replay-${t}@example.com`.toLowerCase();
		const reg = await s.request('POST', '/api/v1/auth/register', { body: { email, password: 'password-123' } });
		assert.equal(reg.status, 201, reg.text);
		const groups = (await s.request('GET', '/api/v1/pricing/groups', { token })).json.data;
		const vip = groups.find((x) => x.code === 'vip');
		assert.equal((await s.request('PUT', `/api/v1/pricing/groups/${vip.id}/members/${reg.json.id}`,
		    { token })).status, 201);
		const csv = ['Handle,Title,Status,Variant SKU,Variant Price',
			`rp-${t.toLowerCase()},Replay ${t},active,RP-${t},10.00`].join('\r\n') + '\r\n';
		const imp = await s.request('POST', '/api/v1/catalog/imports', { token, body: { csv } });
		assert.ok([201, 202].includes(imp.status), imp.text);
		const { waitFor } = await import('./lib/server.mjs');
		await waitFor(async () => (await s.request('GET', `/api/v1/pricing/prices/RP-${t}`, { token })).status === 200,
		    { message: 'imported price' });
		/* A staff edit after the import: replay must not put 1000 back. */
		const e = await s.request('PUT', `/api/v1/pricing/prices/RP-${t}`, { token, body: { amount: 1234 } });
		assert.equal(e.status, 200, e.text);
		const before = (await s.request('GET', '/api/v1/pricing/prices?limit=200', { token })).json.data;
		const log = await feed(s, token, 'pricing');

		const r = await runCli(process.env.MERCATO_BIN, ['replay', 'pricing', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay failed: ${r.stderr}`);

		const afterList = (await s.request('GET', '/api/v1/pricing/prices?limit=200', { token })).json.data;
		assert.deepEqual(afterList, before, 'prices and their product titles are as before');
		assert.equal(afterList.find((x) => x.sku === `RP-${t}`).amount, 1234);
		assert.deepEqual(await feed(s, token, 'pricing'), log, 'replay published nothing');
		/* The copies are back: the customer and the SKU are known again. */
		const m = await s.request('GET', `/api/v1/pricing/groups/${vip.id}/members`, { token });
		assert.equal(m.json.data.find((x) => x.customer_id === reg.json.id).email, email);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/RP-${t}`, { token,
			body: { amount: 1300 } })).status, 200);
	});
});
