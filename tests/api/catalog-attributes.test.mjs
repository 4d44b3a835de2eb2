/*
 * Product types and typed attributes (docs/contracts/catalog-v1.md):
 * attribute definitions and product types (CRUD, ETag/If-Match, who may
 * call), product values of each kind with their validation, required
 * attributes of a type, merge on PATCH, the search row and the event.
 * Shop binary, empty catalog.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, feed, startServer } from './lib/server.mjs';

const A = '/api/v1/catalog/attributes';
const T = '/api/v1/catalog/product-types';
const P = '/api/v1/catalog/products';
const tag = () => randomBytes(4).toString('hex');

describe('catalog attributes and product types', () => {
	let s;
	let token;
	let customer;
	let shirt;		/* a product type: material required, fit optional */

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'attributes');
		const defs = [
			{ code: 'material', name: 'Material', kind: 'select', choices: ['Linen', 'Cotton', 'Wool'], filterable: true },
			{ code: 'fit', name: 'Fit', kind: 'select', choices: ['Slim', 'Regular'], filterable: true },
			{ code: 'colour', name: 'Colour', kind: 'multiselect', choices: ['Red', 'Blue', 'White'], filterable: true },
			{ code: 'length', name: 'Length', kind: 'number', unit: 'cm' },
			{ code: 'organic', name: 'Organic', kind: 'boolean', filterable: true },
			{ code: 'care', name: 'Care', kind: 'text', searchable: false },
		];
		for (const d of defs) {
			const r = await s.request('POST', A, { token, body: d });
			assert.equal(r.status, 201, r.text);
		}
		const t = await s.request('POST', T, { token, body: {
			name: 'Shirt', attributes: [{ code: 'material', required: true }, { code: 'fit' }, { code: 'colour' }],
		} });
		assert.equal(t.status, 201, t.text);
		shirt = t.json.id;
	});

	after(async () => {
		await s?.close();
	});

	async function product(extra = {}) {
		const sku = `ATTR-${tag()}`;
		const r = await s.request('POST', P, { token, body: {
			title: `Attribute test ${sku}`, status: 'active', variants: [{ sku }], ...extra,
		} });
		return r;
	}

	it('creates attributes of each kind and lists them publicly', async () => {
		const r = await s.request('POST', A, { token, body: {
			code: `waist_${tag()}`, name: 'Waist', kind: 'number', unit: 'in', position: 3,
		} });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.etag, '"v1"');
		assert.match(r.headers.location, /\/api\/v1\/catalog\/attributes\/waist_/);
		assert.match(r.json.id, /^attr_/);
		assert.equal(r.json.kind, 'number');
		assert.equal(r.json.unit, 'in');
		assert.deepEqual(r.json.choices, []);
		assert.equal(r.json.filterable, false, 'not a facet unless asked');
		assert.equal(r.json.searchable, true, 'searchable by default');
		assert.equal(r.json.position, 3);
		assert.equal(r.json.version, 1);
		const pub = await s.request('GET', A);
		assert.equal(pub.status, 200, pub.text);
		assert.equal(pub.json.next, null);
		const m = pub.json.data.find((x) => x.code === 'material');
		assert.deepEqual(m.choices, ['Linen', 'Cotton', 'Wool']);
		assert.equal(m.filterable, true);
		assert.equal(m.version, undefined, 'the public list has no versions');
		const one = await s.request('GET', `${A}/colour`);
		assert.equal(one.status, 200);
		assert.equal(one.json.kind, 'multiselect');
		assertProblem(await s.request('GET', `${A}/nope`), 404, 'not-found');
	});

	it('refuses bad attribute definitions and taken codes, writing nothing', async () => {
		const bad = [
			[{ name: 'X', kind: 'text' }, 'code'],
			[{ code: 'Bad-Code', name: 'X', kind: 'text' }, 'code'],
			[{ code: '1abc', name: 'X', kind: 'text' }, 'code'],
			[{ code: 'x'.repeat(41), name: 'X', kind: 'text' }, 'code'],
			[{ code: 'okcode', kind: 'text' }, 'name'],
			[{ code: 'okcode', name: 'X', kind: 'date' }, 'kind'],
			[{ code: 'okcode', name: 'X', kind: 'select' }, 'choices'],
			[{ code: 'okcode', name: 'X', kind: 'select', choices: [] }, 'choices'],
			[{ code: 'okcode', name: 'X', kind: 'select', choices: ['a', 'a'] }, 'choices'],
			[{ code: 'okcode', name: 'X', kind: 'multiselect', choices: ['a', 3] }, 'choices'],
			[{ code: 'okcode', name: 'X', kind: 'number', choices: ['a'] }, 'choices'],
			[{ code: 'okcode', name: 'X', kind: 'text', unit: 'cm' }, 'unit'],
			[{ code: 'okcode', name: 'X', kind: 'number', unit: 'x'.repeat(21) }, 'unit'],
			[{ code: 'okcode', name: 'X', kind: 'text', filterable: 'yes' }, 'filterable'],
			[{ code: 'okcode', name: 'X', kind: 'text', position: -1 }, 'position'],
		];
		for (const [body, field] of bad) {
			const r = await s.request('POST', A, { token, body });
			const pb = assertProblem(r, 422, 'validation');
			assert.ok(pb.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
		}
		assertProblem(await s.request('GET', `${A}/okcode`), 404);
		const taken = await s.request('POST', A, { token, body: { code: 'material', name: 'M', kind: 'text' } });
		assert.equal(assertProblem(taken, 409, 'code-taken').code, 'material');
	});

	it('changes an attribute with If-Match: 428 without, 412 when stale; code and kind stay', async () => {
		const code = `note_${tag()}`;
		const c = await s.request('POST', A, { token, body: { code, name: 'Note', kind: 'select', choices: ['a', 'b'] } });
		assert.equal(c.status, 201, c.text);
		assertProblem(await s.request('PATCH', `${A}/${code}`, { token, body: { name: 'N' } }), 428, 'precondition-required');
		const stale = await s.request('PATCH', `${A}/${code}`, { token, headers: { 'if-match': '"v9"' }, body: { name: 'N' } });
		assertProblem(stale, 412, 'stale-edit');
		assert.equal(stale.headers.etag, '"v1"');
		const ok = await s.request('PATCH', `${A}/${code}`, { token, headers: { 'if-match': '"v1"' },
		    body: { name: 'Notes', choices: ['a', 'b', 'c'], filterable: true, code, kind: 'select' } });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.headers.etag, '"v2"');
		assert.equal(ok.json.name, 'Notes');
		assert.deepEqual(ok.json.choices, ['a', 'b', 'c']);
		assert.equal(ok.json.filterable, true);
		for (const body of [{ code: 'other' }, { kind: 'text' }, { choices: [] }, { name: '' }, { unit: 'cm' }]) {
			const r = await s.request('PATCH', `${A}/${code}`, { token, headers: { 'if-match': '"v2"' }, body });
			assertProblem(r, 422, 'validation');
		}
		assertProblem(await s.request('PATCH', `${A}/nope`, { token, headers: { 'if-match': '"v1"' }, body: { name: 'x' } }), 404);
		const del = await s.request('DELETE', `${A}/${code}`, { token });
		assert.equal(del.status, 204, del.text);
		assertProblem(await s.request('DELETE', `${A}/${code}`, { token }), 404);
	});

	it('product types: create, read, change with If-Match, refuse bad input', async () => {
		const name = `Trousers ${tag()}`;
		const c = await s.request('POST', T, { token, body: { name, attributes: [{ code: 'length', required: true }, { code: 'fit', required: false }] } });
		assert.equal(c.status, 201, c.text);
		assert.match(c.json.id, /^ptype_/);
		assert.equal(c.headers.etag, '"v1"');
		assert.deepEqual(c.json.attributes, [{ code: 'length', required: true }, { code: 'fit', required: false }]);
		const pub = await s.request('GET', `${T}/${c.json.id}`);
		assert.equal(pub.status, 200);
		assert.equal(pub.json.name, name);
		assert.equal(pub.json.version, undefined);
		const list = await s.request('GET', T);
		assert.ok(list.json.data.some((x) => x.id === c.json.id && x.attributes.length === 2));
		const bad = [
			[{}, 'name'],
			[{ name: '' }, 'name'],
			[{ name: 'X', attributes: 'material' }, 'attributes'],
			[{ name: 'X', attributes: [{ code: 'nope' }] }, 'attributes[0].code'],
			[{ name: 'X', attributes: [{ code: 'fit' }, { code: 'fit' }] }, 'attributes[1].code'],
			[{ name: 'X', attributes: [{ code: 'fit', required: 'yes' }] }, 'attributes[0].required'],
		];
		for (const [body, field] of bad) {
			const r = await s.request('POST', T, { token, body });
			const pb = assertProblem(r, 422, 'validation');
			assert.ok(pb.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
		}
		assertProblem(await s.request('POST', T, { token, body: { name } }), 409, 'name-taken');
		const u = `${T}/${c.json.id}`;
		assertProblem(await s.request('PATCH', u, { token, body: { name: 'Y' } }), 428);
		assertProblem(await s.request('PATCH', u, { token, headers: { 'if-match': '"v7"' }, body: { name: 'Y' } }), 412);
		const p = await s.request('PATCH', u, { token, headers: { 'if-match': '"v1"' },
		    body: { attributes: [{ code: 'fit', required: true }] } });
		assert.equal(p.status, 200, p.text);
		assert.equal(p.headers.etag, '"v2"');
		assert.equal(p.json.name, name, 'the name stays');
		assert.deepEqual(p.json.attributes, [{ code: 'fit', required: true }]);
		assertProblem(await s.request('PATCH', u, { token, headers: { 'if-match': '"v2"' }, body: { name: 'Shirt' } }), 409, 'name-taken');
		assertProblem(await s.request('GET', `${T}/ptype_nope`), 404);
		const del = await s.request('DELETE', u, { token });
		assert.equal(del.status, 204, del.text);
		assertProblem(await s.request('GET', u), 404);
	});

	it('a product carries a type and values of every kind, staff and public', async () => {
		const r = await product({ type_id: shirt, attributes: {
			material: 'Linen', fit: 'Slim', colour: ['White', 'Blue'], length: 72.5, organic: true, care: 'Wash cold',
		} });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.type_id, shirt);
		assert.deepEqual(r.json.attributes, {
			care: 'Wash cold', colour: ['Blue', 'White'], fit: 'Slim', length: 72.5, material: 'Linen', organic: true,
		});
		const pub = await s.request('GET', `${P}/${r.json.id}`);
		assert.equal(pub.json.type_id, shirt);
		assert.equal(pub.json.attributes.length, 72.5);
		assert.deepEqual(pub.json.attributes.colour, ['Blue', 'White']);
		/* Without a type, attributes are optional and type_id is null. */
		const plain = await product();
		assert.equal(plain.status, 201, plain.text);
		assert.equal(plain.json.type_id, null);
		assert.deepEqual(plain.json.attributes, {});
		const ints = await product({ attributes: { length: 120, organic: false } });
		assert.deepEqual(ints.json.attributes, { length: 120, organic: false });
	});

	it('refuses bad values with attributes.<code> errors and writes nothing', async () => {
		const bad = [
			[{ attributes: { nope: 'x' } }, 'attributes.nope'],
			[{ attributes: 'material' }, 'attributes'],
			[{ attributes: { material: 'Silk' } }, 'attributes.material'],
			[{ attributes: { material: ['Linen'] } }, 'attributes.material'],
			[{ attributes: { colour: 'Red' } }, 'attributes.colour'],
			[{ attributes: { colour: ['Red', 'Green'] } }, 'attributes.colour'],
			[{ attributes: { colour: ['Red', 'Red'] } }, 'attributes.colour'],
			[{ attributes: { length: '72' } }, 'attributes.length'],
			[{ attributes: { length: 1.2345 } }, 'attributes.length'],
			[{ attributes: { length: 1e10 } }, 'attributes.length'],
			[{ attributes: { organic: 'yes' } }, 'attributes.organic'],
			[{ attributes: { organic: 1 } }, 'attributes.organic'],
			[{ attributes: { care: 5 } }, 'attributes.care'],
			[{ attributes: { care: '' } }, 'attributes.care'],
			[{ attributes: { care: 'é'.repeat(201) } }, 'attributes.care'],
			[{ type_id: 'ptype_nope' }, 'type_id'],
			[{ type_id: shirt, attributes: { fit: 'Slim' } }, 'attributes.material'],
			[{ type_id: shirt, attributes: { material: null } }, 'attributes.material'],
		];
		for (const [extra, field] of bad) {
			const r = await product(extra);
			const pb = assertProblem(r, 422, 'validation');
			assert.ok(pb.errors.some((e) => e.field === field), `${JSON.stringify(extra)}: ${r.text}`);
		}
		/* 200 characters of two bytes each is still fine. */
		const long = await product({ attributes: { care: 'é'.repeat(200) } });
		assert.equal(long.status, 201, long.text);
		const all = await s.request('GET', `${P}?limit=100`, { token });
		assert.equal(all.json.data.filter((p) => p.attributes.material === 'Silk').length, 0);
	});

	it('PATCH merges values per code, null removes one, and the version moves', async () => {
		const c = await product({ type_id: shirt, attributes: { material: 'Cotton', fit: 'Regular', colour: ['Red'] } });
		assert.equal(c.status, 201, c.text);
		const u = `${P}/${c.json.id}`;
		const p = await s.request('PATCH', u, { token, headers: { 'if-match': '"v1"' },
		    body: { attributes: { fit: null, colour: ['Blue', 'Red'], length: 0.125 } } });
		assert.equal(p.status, 200, p.text);
		assert.equal(p.headers.etag, '"v2"');
		assert.deepEqual(p.json.attributes, { colour: ['Blue', 'Red'], length: 0.125, material: 'Cotton' });
		/* The required material cannot go while the type stays. */
		const req = await s.request('PATCH', u, { token, headers: { 'if-match': '"v2"' }, body: { attributes: { material: null } } });
		assert.ok(assertProblem(req, 422, 'validation').errors.some((e) => e.field === 'attributes.material'));
		/* An empty multiselect removes it; dropping the type lets material go. */
		const q = await s.request('PATCH', u, { token, headers: { 'if-match': '"v2"' },
		    body: { type_id: null, attributes: { material: null, colour: [] } } });
		assert.equal(q.status, 200, q.text);
		assert.equal(q.json.type_id, null);
		assert.deepEqual(q.json.attributes, { length: 0.125 });
		/* Other fields leave the values alone. */
		const t = await s.request('PATCH', u, { token, headers: { 'if-match': '"v3"' }, body: { title: 'Renamed' } });
		assert.equal(t.status, 200, t.text);
		assert.deepEqual(t.json.attributes, { length: 0.125 });
		const bad = await s.request('PATCH', u, { token, headers: { 'if-match': '"v4"' }, body: { attributes: { length: 'x' } } });
		assertProblem(bad, 422, 'validation');
		assert.equal((await s.request('GET', u, { token })).json.version, 4, 'a refused patch moves nothing');
	});

	it('a held choice cannot be removed; a used attribute or type cannot be deleted', async () => {
		const code = `size_${tag()}`;
		const c = await s.request('POST', A, { token, body: { code, name: 'Size', kind: 'select', choices: ['S', 'M', 'L'] } });
		assert.equal(c.status, 201, c.text);
		const t = await s.request('POST', T, { token, body: { name: `Sized ${tag()}`, attributes: [{ code }] } });
		const p = await product({ type_id: t.json.id, attributes: { [code]: 'M' } });
		assert.equal(p.status, 201, p.text);
		const rm = await s.request('PATCH', `${A}/${code}`, { token, headers: { 'if-match': '"v1"' }, body: { choices: ['S', 'L'] } });
		assert.equal(assertProblem(rm, 409, 'choice-in-use').choice, 'M');
		const ok = await s.request('PATCH', `${A}/${code}`, { token, headers: { 'if-match': '"v1"' }, body: { choices: ['M', 'XL'] } });
		assert.equal(ok.status, 200, ok.text);
		const d = assertProblem(await s.request('DELETE', `${A}/${code}`, { token }), 409, 'attribute-in-use');
		assert.equal(d.products, 1);
		assert.equal(d.product_types, 1);
		assertProblem(await s.request('DELETE', `${T}/${t.json.id}`, { token }), 409, 'type-in-use');
		const un = await s.request('PATCH', `${P}/${p.json.id}`, { token, headers: { 'if-match': '"v1"' },
		    body: { type_id: null, attributes: { [code]: null } } });
		assert.equal(un.status, 200, un.text);
		assert.equal((await s.request('DELETE', `${T}/${t.json.id}`, { token })).status, 204);
		assert.equal((await s.request('DELETE', `${A}/${code}`, { token })).status, 204);
	});

	it('search finds a product by its attribute words; the event carries the values', async () => {
		const word = `zq${tag().replace(/\d/g, 'x')}`;
		const code = `weave_${tag()}`;
		assert.equal((await s.request('POST', A, { token, body: { code, name: 'Weave', kind: 'text' } })).status, 201);
		const p = await product({ attributes: { [code]: `${word} twill`, length: 120, care: 'handwash' } });
		assert.equal(p.status, 201, p.text);
		const r = await s.request('GET', `/api/v1/catalog/search?q=${word}`);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.data.map((x) => x.id), [p.json.id]);
		/* care is not searchable. */
		const care = await s.request('GET', '/api/v1/catalog/search?q=handwash');
		assert.equal(care.json.data.length, 0);
		/* Renaming the unit rewrites the search rows that hold the number. */
		const unit = `u${tag().replace(/\d/g, 'y')}`;
		const len = await s.request('GET', `${A}/length`, { token });
		const up = await s.request('PATCH', `${A}/length`, { token, headers: { 'if-match': len.headers.etag }, body: { unit } });
		assert.equal(up.status, 200, up.text);
		const byUnit = await s.request('GET', `/api/v1/catalog/search?q=${unit}`);
		assert.ok(byUnit.json.data.some((x) => x.id === p.json.id), byUnit.text);
		const events = await feed(s, token, 'catalog');
		const ev = events.filter((e) => e.type === 'catalog.product.upserted' && e.aggregate_id === p.json.id)[0];
		assert.equal(ev.payload.type_id, null);
		assert.equal(ev.payload.attributes.length, 120);
		assert.equal(ev.payload.attributes[code], `${word} twill`);
	});

	it('writes need staff: 401 without a token, 403 for a customer', async () => {
		const calls = [
			['POST', A, { code: 'zz', name: 'Z', kind: 'text' }],
			['PATCH', `${A}/material`, { name: 'M' }],
			['DELETE', `${A}/material`],
			['POST', T, { name: 'Z' }],
			['PATCH', `${T}/${shirt}`, { name: 'Z' }],
			['DELETE', `${T}/${shirt}`],
		];
		for (const [method, url, body] of calls) {
			assertProblem(await s.request(method, url, { body }), 401);
			assertProblem(await s.request(method, url, { token: customer, body }), 403);
		}
		assert.equal((await s.request('GET', `${A}/material`)).status, 200, 'the material is still there');
		assert.equal((await s.request('GET', `${T}/${shirt}`)).status, 200);
	});
});
