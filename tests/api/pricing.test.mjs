/*
 * The pricing module's prices (docs/contracts/pricing-v1.md), black box on
 * the shop binary with an empty shop (MERCATO_SEED=0): PUT/GET of a SKU's
 * base price with ETag/If-Match, the staff list, bulk edit, validation,
 * 401/403, pricing.price.changed reaching catalog's search summaries, and
 * catalog CSV imports becoming prices.  Settings, groups and tax are in
 * pricing-groups.test.mjs and pricing-tax.test.mjs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, feed, startServer, waitFor } from './lib/server.mjs';

const PRICES = '/api/v1/pricing/prices';
const PRODUCTS = '/api/v1/catalog/products';
const tag = () => randomBytes(4).toString('hex').toUpperCase();

/* The field names of a 422 validation problem. */
function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `errors[]: ${res.text}`);
	return p.errors.map((e) => e.field);
}

describe('pricing: base prices', () => {
	let s;
	let token;
	let customer;
	let shirt;	/* an active product with two SKUs */
	let draft;	/* a draft product */
	let t;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'pricing');
		t = tag();
		const a = await s.request('POST', PRODUCTS, { token, body: {
			title: `Pricing shirt ${t}`, status: 'active',
			options: [{ name: 'Size', values: ['S', 'M'] }],
			variants: [{ sku: `PS-${t}-S`, options: ['S'] }, { sku: `PS-${t}-M`, options: ['M'] }],
		} });
		assert.equal(a.status, 201, a.text);
		shirt = a.json;
		const d = await s.request('POST', PRODUCTS, { token, body: {
			title: `Pricing draft ${t}`, variants: [{ sku: `PD-${t}` }] } });
		assert.equal(d.status, 201, d.text);
		draft = d.json;
	});

	after(async () => {
		await s?.close();
	});

	it('PUT {"amount"} sets a price (201), GET shows it publicly and to staff', async () => {
		const sku = `PS-${t}-S`;
		const r = await s.request('PUT', `${PRICES}/${sku}`, { token, body: { amount: 1999 } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.etag, '"v1"');
		assert.equal(r.json.sku, sku);
		assert.equal(r.json.amount, 1999);
		assert.equal(r.json.compare_at, null);
		assert.equal(r.json.currency, 'EUR');
		assert.equal(r.json.product_id, shirt.id);
		assert.equal(r.json.title, `Pricing shirt ${t}`);
		assert.equal(r.json.origin, 'staff');
		assert.equal(r.json.version, 1);
		const pub = await s.request('GET', `${PRICES}/${sku}`);
		assert.equal(pub.status, 200, pub.text);
		assert.deepEqual(pub.json, { sku, amount: 1999, compare_at: null, currency: 'EUR',
			product_id: shirt.id });
		const staff = await s.request('GET', `${PRICES}/${sku}`, { token });
		assert.equal(staff.status, 200);
		assert.equal(staff.headers.etag, '"v1"');
		assert.equal(staff.json.version, 1);
	});

	it('PUT again with compare_at and a matching If-Match (200, v2); a stale If-Match is 412', async () => {
		const sku = `PS-${t}-M`;
		const a = await s.request('PUT', `${PRICES}/${sku}`, { token, body: { amount: 3900 } });
		assert.equal(a.status, 201, a.text);
		const b = await s.request('PUT', `${PRICES}/${sku}`, { token, headers: { 'if-match': '"v1"' },
			body: { amount: 3900, compare_at: 4900 } });
		assert.equal(b.status, 200, b.text);
		assert.equal(b.headers.etag, '"v2"');
		assert.equal(b.json.compare_at, 4900);
		const stale = await s.request('PUT', `${PRICES}/${sku}`, { token, headers: { 'if-match': '"v1"' },
			body: { amount: 1 } });
		assertProblem(stale, 412, 'stale-edit');
		assert.equal(stale.headers.etag, '"v2"');
		/* Nothing was written by the refused edit. */
		const g = await s.request('GET', `${PRICES}/${sku}`);
		assert.equal(g.json.amount, 3900);
		assert.equal(g.json.compare_at, 4900);
		/* The same price again is no change: same version, no event. */
		const before = (await feed(s, token, 'pricing')).length;
		const same = await s.request('PUT', `${PRICES}/${sku}`, { token, body: { amount: 3900, compare_at: 4900 } });
		assert.equal(same.status, 200);
		assert.equal(same.headers.etag, '"v2"');
		assert.equal((await feed(s, token, 'pricing')).length, before);
		/* compare_at: null removes it. */
		const rm = await s.request('PUT', `${PRICES}/${sku}`, { token, body: { amount: 3900, compare_at: null } });
		assert.equal(rm.status, 200);
		assert.equal(rm.json.compare_at, null);
		assert.equal(rm.headers.etag, '"v3"');
	});

	it('bad bodies are 422 naming the field, and write nothing', async () => {
		const sku = `PS-${t}-S`;
		const bad = [
			[{}, ['amount']],
			[{ amount: -1 }, ['amount']],
			[{ amount: 19.99 }, ['amount']],
			[{ amount: '1999' }, ['amount']],
			[{ amount: 1e16 }, ['amount']],
			[{ amount: 100, compare_at: 100 }, ['compare_at']],
			[{ amount: 100, compare_at: 50 }, ['compare_at']],
			[{ amount: 100, compare_at: 'x' }, ['compare_at']],
		];
		for (const [body, fields] of bad) {
			const r = await s.request('PUT', `${PRICES}/${sku}`, { token, body });
			assert.deepEqual(fieldsOf(r), fields, JSON.stringify(body));
		}
		assertProblem(await s.request('PUT', `${PRICES}/${sku}`, { token, body: '[1]',
			headers: { 'content-type': 'application/json' } }), 400);
		const g = await s.request('GET', `${PRICES}/${sku}`);
		assert.equal(g.json.amount, 1999, 'unchanged');
	});

	it('a SKU pricing has not seen is 404 unknown-sku', async () => {
		for (const sku of [`NOPE-${t}`, 'bad%20sku']) {
			const r = await s.request('PUT', `${PRICES}/${sku}`, { token, body: { amount: 100 } });
			assertProblem(r, 404, 'unknown-sku');
		}
		assertProblem(await s.request('GET', `${PRICES}/NOPE-${t}`), 404, 'not-found');
	});

	it('a draft product\'s price is staff-only; GET of a SKU without price is 404', async () => {
		const sku = `PD-${t}`;
		assertProblem(await s.request('GET', `${PRICES}/${sku}`, { token }), 404);
		const r = await s.request('PUT', `${PRICES}/${sku}`, { token, body: { amount: 500 } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.product_id, draft.id);
		assertProblem(await s.request('GET', `${PRICES}/${sku}`), 404);
		assert.equal((await s.request('GET', `${PRICES}/${sku}`, { token })).status, 200);
	});

	it('POST /prices/bulk sets a column of prices in one go; unchanged rows keep their version', async () => {
		const u = tag();
		const skus = [1, 2, 3].map((i) => `BK-${u}-${i}`);
		const p = await s.request('POST', PRODUCTS, { token, body: { title: `Bulk ${u}`,
			variants: skus.map((sku) => ({ sku })) } });
		assert.equal(p.status, 201, p.text);
		const r = await s.request('POST', `${PRICES}/bulk`, { token, body: { prices: [
			{ sku: skus[0], amount: 100 }, { sku: skus[1], amount: 200, compare_at: 250 },
			{ sku: skus[2], amount: 300 }] } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { updated: 3, prices: [
			{ sku: skus[0], amount: 100, compare_at: null, version: 1 },
			{ sku: skus[1], amount: 200, compare_at: 250, version: 1 },
			{ sku: skus[2], amount: 300, compare_at: null, version: 1 }] });
		const again = await s.request('POST', `${PRICES}/bulk`, { token, body: { prices: [
			{ sku: skus[0], amount: 100 }, { sku: skus[1], amount: 210 }] } });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.json.updated, 1);
		assert.deepEqual(again.json.prices.map((x) => x.version), [1, 2]);
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.price.changed' &&
		    skus.includes(e.aggregate_id));
		assert.equal(ev.length, 4, 'one event per changed price');
	});

	it('bulk is all or nothing: one bad row is a 422 naming prices[i].<field>', async () => {
		const u = tag();
		const p = await s.request('POST', PRODUCTS, { token, body: { title: `Bulk bad ${u}`,
			variants: [{ sku: `BB-${u}-1` }, { sku: `BB-${u}-2` }] } });
		assert.equal(p.status, 201, p.text);
		const cases = [
			[{ prices: [{ sku: `BB-${u}-1`, amount: 100 }, { sku: `BB-${u}-2`, amount: -5 }] }, ['prices[1].amount']],
			[{ prices: [{ sku: `BB-${u}-1`, amount: 100, compare_at: 90 }] }, ['prices[0].compare_at']],
			[{ prices: [{ sku: `BB-${u}-1`, amount: 100 }, { sku: `NOPE-${u}`, amount: 5 }] }, ['prices[1].sku']],
			[{ prices: [{ sku: `BB-${u}-1`, amount: 1 }, { sku: `BB-${u}-1`, amount: 2 }] }, ['prices[1].sku']],
			[{ prices: [{ amount: 1 }, 7] }, ['prices[0].sku', 'prices[1]']],
			[{ prices: [] }, ['prices']],
			[{ prices: 'x' }, ['prices']],
			[{}, ['prices']],
			[{ prices: Array.from({ length: 501 }, (_, i) => ({ sku: `BB-${u}-1`, amount: i })) }, ['prices']],
		];
		for (const [body, fields] of cases) {
			const r = await s.request('POST', `${PRICES}/bulk`, { token, body });
			assert.deepEqual(fieldsOf(r), fields, JSON.stringify(body).slice(0, 200));
		}
		assertProblem(await s.request('GET', `${PRICES}/BB-${u}-1`, { token }), 404, 'not-found');
	});

	it('the product copy follows catalog: a rename shows in titles, a deleted product\'s SKU is unknown', async () => {
		const u = tag();
		const p = await s.request('POST', PRODUCTS, { token, body: { title: `Copy ${u}`, variants: [{ sku: `CP-${u}` }] } });
		assert.equal(p.status, 201, p.text);
		assert.equal((await s.request('PUT', `${PRICES}/CP-${u}`, { token, body: { amount: 700 } })).status, 201);
		const ren = await s.request('PATCH', `${PRODUCTS}/${p.json.id}`, { token, headers: { 'if-match': '"v1"' },
			body: { title: `Renamed ${u}` } });
		assert.equal(ren.status, 200, ren.text);
		assert.equal((await s.request('GET', `${PRICES}/CP-${u}`, { token })).json.title, `Renamed ${u}`);
		assert.equal((await s.request('DELETE', `${PRODUCTS}/${p.json.id}`, { token })).status, 204);
		assertProblem(await s.request('PUT', `${PRICES}/CP-${u}`, { token, body: { amount: 800 } }), 404, 'unknown-sku');
		/* The price is pricing's decision and stays, without its product. */
		const g = await s.request('GET', `${PRICES}/CP-${u}`, { token });
		assert.equal(g.status, 200, g.text);
		assert.equal(g.json.amount, 700);
		assert.equal(g.json.product_id, null);
		assertProblem(await s.request('GET', `${PRICES}/CP-${u}`), 404, 'not-found');
	});

	it('401 without a token, 403 with a customer token on staff routes', async () => {
		const sku = `PS-${t}-S`;
		assertProblem(await s.request('PUT', `${PRICES}/${sku}`, { body: { amount: 1 } }), 401);
		assertProblem(await s.request('PUT', `${PRICES}/${sku}`, { token: customer, body: { amount: 1 } }), 403);
		assertProblem(await s.request('GET', PRICES), 401);
		assertProblem(await s.request('GET', PRICES, { token: customer }), 403);
		assertProblem(await s.request('POST', `${PRICES}/bulk`, { body: { prices: [] } }), 401);
		assertProblem(await s.request('POST', `${PRICES}/bulk`, { token: customer, body: { prices: [] } }), 403);
		/* The public GET works for customers too; a bad token is 401 anywhere. */
		assert.equal((await s.request('GET', `${PRICES}/${sku}`, { token: customer })).status, 200);
		assertProblem(await s.request('GET', `${PRICES}/${sku}`, { token: 'x.y.z' }), 401);
	});

	it('GET /prices pages in SKU order with titles, filters by product_id', async () => {
		const seen = [];
		let after = '';
		for (let i = 0; i < 10; i++) {
			const r = await s.request('GET', `${PRICES}?limit=1${after ? `&after=${encodeURIComponent(after)}` : ''}`, { token });
			assert.equal(r.status, 200, r.text);
			seen.push(...r.json.data);
			if (r.json.next === null)
				break;
			after = r.json.next;
		}
		const skus = seen.map((p) => p.sku);
		assert.deepEqual(skus, [...skus].sort());
		assert.ok(skus.includes(`PS-${t}-S`) && skus.includes(`PD-${t}`), skus.join());
		const one = seen.find((p) => p.sku === `PS-${t}-S`);
		assert.equal(one.title, `Pricing shirt ${t}`);
		assert.equal(one.currency, 'EUR');
		const f = await s.request('GET', `${PRICES}?product_id=${shirt.id}`, { token });
		assert.equal(f.status, 200);
		assert.deepEqual(f.json.data.map((p) => p.sku), [`PS-${t}-M`, `PS-${t}-S`]);
		assertProblem(await s.request('GET', `${PRICES}?product_id=nope`, { token }), 400);
		assertProblem(await s.request('GET', `${PRICES}?all=yes`, { token }), 400);
		/* all=true: every SKU pricing knows, the unpriced with amount null. */
		const u = tag();
		const np = await s.request('POST', PRODUCTS, { token, body: { title: `Unpriced ${u}`,
			variants: [{ sku: `UP-${u}-1` }, { sku: `UP-${u}-2` }] } });
		assert.equal(np.status, 201, np.text);
		assert.equal((await s.request('PUT', `${PRICES}/UP-${u}-2`, { token, body: { amount: 42 } })).status, 201);
		const only = await s.request('GET', `${PRICES}?product_id=${np.json.id}`, { token });
		assert.deepEqual(only.json.data.map((p) => p.sku), [`UP-${u}-2`]);
		const all = await s.request('GET', `${PRICES}?product_id=${np.json.id}&all=true`, { token });
		assert.equal(all.status, 200, all.text);
		assert.deepEqual(all.json.data.map((p) => [p.sku, p.amount, p.version, p.title]),
		    [[`UP-${u}-1`, null, 0, `Unpriced ${u}`], [`UP-${u}-2`, 42, 1, `Unpriced ${u}`]]);
		assert.equal(all.json.data[0].updated_at, null);
		const a1 = await s.request('GET', `${PRICES}?product_id=${np.json.id}&all=true&limit=1`, { token });
		assert.equal(a1.json.next, `UP-${u}-1`);
		assertProblem(await s.request('GET', `${PRICES}?limit=0`, { token }), 400);
		assertProblem(await s.request('GET', `${PRICES}?limit=1000`, { token }), 400);
	});

	it('pricing.price.changed v1 carries sku, amount, compare_at, currency, product_id', async () => {
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.price.changed' &&
		    e.aggregate_id === `PS-${t}-M`);
		assert.deepEqual(ev.map((e) => e.version), [1, 1, 1]);
		assert.deepEqual(ev.map((e) => e.payload), [
			{ sku: `PS-${t}-M`, amount: 3900, compare_at: null, currency: 'EUR', product_id: shirt.id },
			{ sku: `PS-${t}-M`, amount: 3900, compare_at: 4900, currency: 'EUR', product_id: shirt.id },
			{ sku: `PS-${t}-M`, amount: 3900, compare_at: null, currency: 'EUR', product_id: shirt.id },
		]);
	});

	it('the price reaches catalog: a product created and priced shows price in search', async () => {
		const u = tag();
		const p = await s.request('POST', PRODUCTS, { token, body: {
			title: `Zebrawood bowl${u}`, status: 'active',
			variants: [{ sku: `ZB-${u}-1` }, { sku: `ZB-${u}-2` }] } });
		assert.equal(p.status, 201, p.text);
		const q = `/api/v1/catalog/search?q=zebrawood`;
		const find = async () => (await s.request('GET', q)).json.data.find((x) => x.id === p.json.id);
		assert.equal((await find()).price, null);
		await waitFor(async () => (await s.request('PUT', `${PRICES}/ZB-${u}-1`, { token,
		    body: { amount: 2450 } })).status === 201, { message: 'pricing knows the SKU' });
		const r2 = await s.request('PUT', `${PRICES}/ZB-${u}-2`, { token, body: { amount: 2990, compare_at: 3500 } });
		assert.equal(r2.status, 201, r2.text);
		const hit = await waitFor(async () => {
			const h = await find();
			return h.price && h.price.max === 2990 ? h : null;
		}, { message: 'price in the search summary' });
		assert.deepEqual(hit.price, { min: 2450, max: 2990, currency: 'EUR' });
	});

	it('a catalog CSV import becomes pricing prices (origin import) and events', async () => {
		const u = tag();
		const cols = ['Handle', 'Title', 'Status', 'Variant SKU', 'Variant Price', 'Variant Compare At Price'];
		const csv = [cols.join(','),
			`csv-${u.toLowerCase()},CSV lamp ${u},active,CSV-${u}-A,12.50,15.00`,
			`csv-${u.toLowerCase()},,,CSV-${u}-B,9.99,`].join('\r\n') + '\r\n';
		let r = await s.request('POST', '/api/v1/catalog/imports', { token, body: { csv } });
		assert.ok([201, 202].includes(r.status), r.text);
		if (r.status === 202) {
			/* A background job: poll what Location names until it is done. */
			const loc = r.headers.location;
			r = await waitFor(async () => {
				const j = await s.request('GET', loc, { token });
				return j.json && ['done', 'failed'].includes(j.json.state) ? j : null;
			}, { timeoutMs: 20000, message: 'import job' });
		}
		assert.deepEqual(r.json.errors, [], r.text);
		const a = await waitFor(async () => {
			const g = await s.request('GET', `${PRICES}/CSV-${u}-A`, { token });
			return g.status === 200 ? g : null;
		}, { message: 'imported price' });
		assert.equal(a.json.amount, 1250);
		assert.equal(a.json.compare_at, 1500);
		assert.equal(a.json.origin, 'import');
		const b = await s.request('GET', `${PRICES}/CSV-${u}-B`, { token });
		assert.equal(b.status, 200, b.text);
		assert.equal(b.json.amount, 999);
		assert.equal(b.json.compare_at, null);
		assert.equal(b.json.product_id, a.json.product_id);
		assert.match(a.json.product_id, /^prod_/);
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.price.changed' &&
		    e.aggregate_id === `CSV-${u}-A`);
		assert.equal(ev.length, 1);
		assert.equal(ev[0].payload.amount, 1250);
		assert.equal(ev[0].payload.currency, 'EUR');
		/* A staff edit after the import wins; the import is not re-applied. */
		const e = await s.request('PUT', `${PRICES}/CSV-${u}-A`, { token, body: { amount: 1100 } });
		assert.equal(e.status, 200, e.text);
		assert.equal(e.json.origin, 'staff');
	});
});
