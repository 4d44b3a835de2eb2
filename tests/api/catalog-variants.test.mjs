/*
 * Variants after creation (docs/contracts/catalog-v1.md): add, change and
 * remove a variant, with the product's version moving each time, good and
 * bad input, and who may call.  Shop binary, empty catalog.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, startServer } from './lib/server.mjs';

const P = '/api/v1/catalog/products';
const V = '/api/v1/catalog/variants';
const tag = () => randomBytes(4).toString('hex').toUpperCase();

describe('catalog variants', () => {
	let s;
	let token;
	let customer;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'variants');
	});

	after(async () => {
		await s?.close();
	});

	/* A product with option Size S/M/L and one variant, S. */
	async function product() {
		const sku = `VAR-${tag()}`;
		const r = await s.request('POST', P, { token, body: {
			title: `Variant test ${sku}`, status: 'active',
			options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
			variants: [{ sku: `${sku}-S`, options: ['S'] }],
		} });
		assert.equal(r.status, 201, r.text);
		return { id: r.json.id, sku };
	}

	it('adds a variant: 201, the product has it, the version moved', async () => {
		const p = await product();
		const r = await s.request('POST', `${P}/${p.id}/variants`, { token,
		    body: { sku: `${p.sku}-M`, options: ['M'], on_hand: 4, low_threshold: 1 } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.etag, '"v2"');
		assert.equal(r.json.version, 2);
		const m = r.json.variants.find((v) => v.sku === `${p.sku}-M`);
		assert.deepEqual(m.options, ['M']);
		assert.equal(m.stock.on_hand, 4);
		assert.equal(m.stock.low_threshold, 1);
		const st = await s.request('GET', `/api/v1/catalog/stock/${p.sku}-M`, { token });
		assert.equal(st.json.movements[0].reason, 'adjustment');
		/* The public sees it as in stock. */
		const pub = await s.request('GET', `${P}/${p.id}`);
		assert.equal(pub.json.variants.find((v) => v.sku === `${p.sku}-M`).in_stock, true);
	});

	it('adding refuses bad input and taken SKUs, writing nothing', async () => {
		const p = await product();
		const bad = [
			[{ options: ['M'] }, 'sku'],
			[{ sku: 'has space', options: ['M'] }, 'sku'],
			[{ sku: `${p.sku}-X`, options: ['XL'] }, 'options'],
			[{ sku: `${p.sku}-X`, options: ['M', 'S'] }, 'options'],
			[{ sku: `${p.sku}-X`, options: ['M'], weight_grams: -1 }, 'weight_grams'],
			[{ sku: `${p.sku}-X`, options: ['M'], on_hand: 1.5 }, 'on_hand'],
			[{ sku: `${p.sku}-X`, options: ['M'], track_stock: 'yes' }, 'track_stock'],
		];
		for (const [body, field] of bad) {
			const r = await s.request('POST', `${P}/${p.id}/variants`, { token, body });
			const pb = assertProblem(r, 422, 'validation');
			assert.ok(pb.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
		}
		const taken = await s.request('POST', `${P}/${p.id}/variants`, { token,
		    body: { sku: `${p.sku}-S`, options: ['S'] } });
		assert.equal(assertProblem(taken, 409, 'sku-taken').sku, `${p.sku}-S`);
		const g = await s.request('GET', `${P}/${p.id}`, { token });
		assert.equal(g.json.variants.length, 1, 'nothing was added');
		assert.equal(g.json.version, 1, 'the version did not move');
		const none = await s.request('POST', `${P}/prod_00000000000000000000000000/variants`,
		    { token, body: { sku: 'NOPE-1' } });
		assertProblem(none, 404);
	});

	it('changes a variant: flags, barcode, options, threshold; the SKU and on_hand stay', async () => {
		const p = await product();
		const r = await s.request('PATCH', `${V}/${p.sku}-S`, { token,
		    body: { barcode: '4006381333931', allow_backorder: true, low_threshold: 0, options: ['L'] } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.version, 2);
		const v = r.json.variants[0];
		assert.equal(v.barcode, '4006381333931');
		assert.equal(v.allow_backorder, true);
		assert.equal(v.stock.low_threshold, 0);
		assert.deepEqual(v.options, ['L']);
		for (const body of [{ sku: 'OTHER' }, { on_hand: 3 }, { options: ['XXL'] }, { low_threshold: -1 }]) {
			const b = await s.request('PATCH', `${V}/${p.sku}-S`, { token, body });
			assertProblem(b, 422, 'validation');
		}
		assertProblem(await s.request('PATCH', `${V}/NO-SUCH-SKU`, { token, body: { barcode: 'x' } }), 404);
	});

	it('removes a variant, but never the last one', async () => {
		const p = await product();
		const add = await s.request('POST', `${P}/${p.id}/variants`, { token,
		    body: { sku: `${p.sku}-L`, options: ['L'] } });
		assert.equal(add.status, 201, add.text);
		const del = await s.request('DELETE', `${V}/${p.sku}-L`, { token });
		assert.equal(del.status, 204, del.text);
		assertProblem(await s.request('GET', `/api/v1/catalog/stock/${p.sku}-L`, { token }), 404);
		const last = await s.request('DELETE', `${V}/${p.sku}-S`, { token });
		assertProblem(last, 409, 'last-variant');
		assertProblem(await s.request('DELETE', `${V}/NO-SUCH-SKU`, { token }), 404);
		const g = await s.request('GET', `${P}/${p.id}`, { token });
		assert.equal(g.json.version, 3, 'add and remove each moved the version');
	});

	it('only staff may change variants', async () => {
		const p = await product();
		const calls = [
			['POST', `${P}/${p.id}/variants`, { sku: `${p.sku}-M`, options: ['M'] }],
			['PATCH', `${V}/${p.sku}-S`, { barcode: 'x' }],
			['DELETE', `${V}/${p.sku}-S`, undefined],
		];
		for (const [method, path, body] of calls) {
			assertProblem(await s.request(method, path, { body }), 401);
			assertProblem(await s.request(method, path, { token: customer, body }), 403);
		}
		const g = await s.request('GET', `${P}/${p.id}`, { token });
		assert.equal(g.json.version, 1, 'nothing changed');
	});

	it('the low-stock list shows tracked variants at or below their threshold', async () => {
		const p = await product();
		const add = await s.request('POST', `${P}/${p.id}/variants`, { token,
		    body: { sku: `${p.sku}-M`, options: ['M'], on_hand: 50 } });
		assert.equal(add.status, 201);
		const low = await s.request('GET', '/api/v1/catalog/stock?low=true&limit=200', { token });
		assert.equal(low.status, 200, low.text);
		const skus = low.json.data.map((x) => x.sku);
		assert.ok(skus.includes(`${p.sku}-S`), 'S has 0 available, threshold 5');
		assert.ok(!skus.includes(`${p.sku}-M`), 'M has 50 available');
		for (const x of low.json.data)
			assert.ok(x.available <= x.low_threshold);
		const all = await s.request('GET', '/api/v1/catalog/stock?limit=200', { token });
		assert.ok(all.json.data.some((x) => x.sku === `${p.sku}-M`));
		assertProblem(await s.request('GET', '/api/v1/catalog/stock?low=maybe', { token }), 400);
		assertProblem(await s.request('GET', '/api/v1/catalog/stock'), 401);
		assertProblem(await s.request('GET', '/api/v1/catalog/stock', { token: customer }), 403);
	});
});

describe('catalog bulk status', () => {
	let s;
	let token;
	let customer;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'bulk');
	});

	after(async () => {
		await s?.close();
	});

	async function create(status) {
		const sku = `BULK-${tag()}`;
		const r = await s.request('POST', P, { token, body: { title: `Bulk ${sku}`, status,
		    variants: [{ sku }] } });
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	}

	it('sets several products at once; only changed ones get a new version', async () => {
		const a = await create('active');
		const b = await create('draft');
		const r = await s.request('POST', `${P}/bulk-status`, { token, body: { ids: [a, b], status: 'archived' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.updated, 2);
		assert.deepEqual(r.json.products.map((p) => [p.id, p.status, p.version]),
		    [[a, 'archived', 2], [b, 'archived', 2]]);
		const again = await s.request('POST', `${P}/bulk-status`, { token, body: { ids: [a], status: 'archived' } });
		assert.equal(again.json.updated, 0, 'already archived');
		assert.equal((await s.request('GET', `${P}/${a}`, { token })).json.version, 2);
		/* The public no longer sees them. */
		assertProblem(await s.request('GET', `${P}/${a}`), 404);
		const ev = await s.request('GET', '/api/v1/events?source=catalog&limit=1000', { token });
		const ups = ev.json.data.filter((e) => e.type === 'catalog.product.upserted' && e.aggregate_id === a);
		assert.equal(ups.at(-1).payload.status, 'archived');
	});

	it('is all or nothing: an unknown id changes nothing', async () => {
		const a = await create('active');
		const r = await s.request('POST', `${P}/bulk-status`, { token,
		    body: { ids: [a, 'prod_00000000000000000000000000'], status: 'draft' } });
		const pb = assertProblem(r, 422, 'validation');
		assert.deepEqual(pb.errors.map((e) => e.field), ['ids[1]']);
		assert.equal((await s.request('GET', `${P}/${a}`, { token })).json.status, 'active');
		for (const body of [{ ids: [], status: 'draft' }, { ids: [a], status: 'gone' }, { status: 'draft' },
		    { ids: Array.from({ length: 101 }, () => a), status: 'draft' }, { ids: [a] }])
			assertProblem(await s.request('POST', `${P}/bulk-status`, { token, body }), 422);
	});

	it('only staff may do it', async () => {
		const a = await create('active');
		const body = { ids: [a], status: 'draft' };
		assertProblem(await s.request('POST', `${P}/bulk-status`, { body }), 401);
		assertProblem(await s.request('POST', `${P}/bulk-status`, { token: customer, body }), 403);
		assert.equal((await s.request('GET', `${P}/${a}`, { token })).json.status, 'active');
	});
});
