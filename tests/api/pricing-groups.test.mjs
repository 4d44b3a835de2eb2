/*
 * Pricing's customer groups (docs/contracts/pricing-v1.md): CRUD with
 * ETag/If-Match, members (customers known from identity's events), price
 * lists with validity windows, validation, 401/403 and the
 * pricing.group.changed events checkout will keep its copy from.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, feed, register, signIn, startServer, uniqueEmail } from './lib/server.mjs';

const G = '/api/v1/pricing/groups';
const PRODUCTS = '/api/v1/catalog/products';
const GRP_ID = /^grp_[0-9A-HJKMNP-TV-Z]{26}$/;
const tag = () => randomBytes(4).toString('hex');

function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `errors[]: ${res.text}`);
	return p.errors.map((e) => e.field);
}

describe('pricing: customer groups, members and price lists', () => {
	let s;
	let token;
	let customer;		/* a customer's access token */
	let customerId;
	let otherId;
	let sku;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		const email = uniqueEmail('group');
		const reg = await register(s, email, 'password-123', { name: 'Grace Hopper' });
		assert.equal(reg.status, 201, reg.text);
		customerId = reg.json.id;
		customer = (await signIn(s, email, 'password-123')).token;
		const reg2 = await register(s, uniqueEmail('group2'), 'password-123');
		otherId = reg2.json.id;
		sku = `GP-${tag()}`;
		const p = await s.request('POST', PRODUCTS, { token, body: { title: 'Group priced',
			status: 'active', variants: [{ sku }] } });
		assert.equal(p.status, 201, p.text);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
			body: { amount: 5000 } })).status, 201);
	});

	after(async () => {
		await s?.close();
	});

	async function newGroup(code = `g-${tag()}`, name = 'Group') {
		const r = await s.request('POST', G, { token, body: { name, code } });
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	it('POST creates (201, Location, ETag); GET one and the list', async () => {
		const code = `wholesale-${tag()}`;
		const r = await s.request('POST', G, { token, body: { name: 'Wholesale', code } });
		assert.equal(r.status, 201, r.text);
		assert.match(r.json.id, GRP_ID);
		assert.equal(r.headers.location, `${G}/${r.json.id}`);
		assert.equal(r.headers.etag, '"v1"');
		assert.deepEqual({ ...r.json, created_at: 0, updated_at: 0 }, { id: r.json.id, name: 'Wholesale',
			code, members: 0, prices: 0, version: 1, created_at: 0, updated_at: 0 });
		const g = await s.request('GET', `${G}/${r.json.id}`, { token });
		assert.equal(g.status, 200);
		assert.equal(g.headers.etag, '"v1"');
		assert.equal(g.json.code, code);
		await newGroup();
		const seen = [];
		let after = '';
		for (let i = 0; i < 10; i++) {
			const l = await s.request('GET', `${G}?limit=1${after ? `&after=${after}` : ''}`, { token });
			assert.equal(l.status, 200, l.text);
			seen.push(...l.json.data);
			if (l.json.next === null)
				break;
			after = l.json.next;
		}
		assert.ok(seen.length >= 2);
		assert.ok(seen.some((x) => x.id === r.json.id));
		assertProblem(await s.request('GET', `${G}?limit=0`, { token }), 400);
		assertProblem(await s.request('GET', `${G}?after=x`, { token }), 400);
	});

	it('bad input: 422 naming fields; a taken code is 409; unknown ids 404', async () => {
		const cases = [
			[{}, ['name', 'code']],
			[{ name: '', code: 'ok' }, ['name']],
			[{ name: 'x', code: 'Bad Code' }, ['code']],
			[{ name: 'x', code: '1abc' }, ['code']],
			[{ name: 'x'.repeat(101), code: 'ok' }, ['name']],
			[{ name: 5, code: 'ok' }, ['name']],
		];
		for (const [body, fields] of cases) {
			const r = await s.request('POST', G, { token, body });
			assert.deepEqual(fieldsOf(r), fields, JSON.stringify(body));
		}
		const g = await newGroup();
		assertProblem(await s.request('POST', G, { token, body: { name: 'Again', code: g.code } }), 409, 'code-taken');
		for (const id of ['grp_00000000000000000000000000', 'nope'])
			assertProblem(await s.request('GET', `${G}/${id}`, { token }), 404);
	});

	it('PATCH needs If-Match (428, 412), renames, and a taken code is 409', async () => {
		const g = await newGroup();
		const other = await newGroup();
		const url = `${G}/${g.id}`;
		assertProblem(await s.request('PATCH', url, { token, body: { name: 'VIP' } }), 428);
		assertProblem(await s.request('PATCH', url, { token, headers: { 'if-match': '"v9"' },
			body: { name: 'VIP' } }), 412, 'stale-edit');
		const ok = await s.request('PATCH', url, { token, headers: { 'if-match': '"v1"' },
			body: { name: 'VIP', code: `vip-${tag()}` } });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.headers.etag, '"v2"');
		assert.equal(ok.json.name, 'VIP');
		assert.deepEqual(fieldsOf(await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' },
			body: { code: 'NO NO' } })), ['code']);
		assert.deepEqual(fieldsOf(await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' },
			body: {} })), ['body']);
		assertProblem(await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' },
			body: { code: other.code } }), 409, 'code-taken');
		assert.equal((await s.request('GET', url, { token })).json.version, 2, 'nothing written');
	});

	it('members: PUT adds (201, then 200), GET lists with the customer copy, DELETE removes', async () => {
		const g = await newGroup();
		const m = `${G}/${g.id}/members`;
		const a = await s.request('PUT', `${m}/${customerId}`, { token });
		assert.equal(a.status, 201, a.text);
		assert.deepEqual(a.json, { group_id: g.id, customer_id: customerId });
		assert.equal((await s.request('PUT', `${m}/${customerId}`, { token })).status, 200);
		assert.equal((await s.request('PUT', `${m}/${otherId}`, { token })).status, 201);
		const l = await s.request('GET', m, { token });
		assert.equal(l.status, 200, l.text);
		const me = l.json.data.find((x) => x.customer_id === customerId);
		assert.equal(me.name, 'Grace Hopper');
		assert.match(me.email, /^group-/);
		assert.equal(l.json.data.length, 2);
		const p1 = await s.request('GET', `${m}?limit=1`, { token });
		assert.equal(p1.json.data.length, 1);
		assert.equal(p1.json.next, p1.json.data[0].customer_id);
		assert.equal((await s.request('GET', `${G}/${g.id}`, { token })).json.members, 2);
		const d = await s.request('DELETE', `${m}/${otherId}`, { token });
		assert.equal(d.status, 204);
		assertProblem(await s.request('DELETE', `${m}/${otherId}`, { token }), 404, 'not-member');
		assertProblem(await s.request('PUT', `${m}/usr_00000000000000000000000000`, { token }), 404, 'unknown-customer');
		assertProblem(await s.request('PUT', `${G}/grp_00000000000000000000000000/members/${customerId}`, { token }), 404);
		assertProblem(await s.request('GET', `${G}/grp_00000000000000000000000000/members`, { token }), 404);
	});

	it('price list: PUT an override with a window, GET lists it beside the base price, DELETE', async () => {
		const g = await newGroup();
		const url = `${G}/${g.id}/prices/${sku}`;
		const r = await s.request('PUT', url, { token, body: { amount: 4200 } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.etag, '"v1"');
		assert.deepEqual({ ...r.json, updated_at: 0 }, { sku, amount: 4200, currency: 'EUR', starts_at: null,
			ends_at: null, active: true, base_amount: 5000, version: 1, updated_at: 0 });
		const w = await s.request('PUT', url, { token, headers: { 'if-match': '"v1"' }, body: { amount: 3900,
			starts_at: '2030-01-01T00:00:00+01:00', ends_at: '2030-02-01T00:00:00Z' } });
		assert.equal(w.status, 200, w.text);
		assert.equal(w.json.starts_at, '2029-12-31T23:00:00.000Z');
		assert.equal(w.json.ends_at, '2030-02-01T00:00:00.000Z');
		assert.equal(w.json.active, false, 'not yet in its window');
		assertProblem(await s.request('PUT', url, { token, headers: { 'if-match': '"v1"' },
			body: { amount: 1 } }), 412, 'stale-edit');
		const l = await s.request('GET', `${G}/${g.id}/prices`, { token });
		assert.equal(l.status, 200, l.text);
		assert.deepEqual(l.json.data.map((x) => [x.sku, x.amount, x.base_amount]), [[sku, 3900, 5000]]);
		assert.equal(l.json.next, null);
		assert.equal((await s.request('DELETE', url, { token })).status, 204);
		assertProblem(await s.request('DELETE', url, { token }), 404);
		assert.deepEqual((await s.request('GET', `${G}/${g.id}/prices`, { token })).json.data, []);
	});

	it('price list bad input: 422 naming the field; unknown SKU or group is 404', async () => {
		const g = await newGroup();
		const url = `${G}/${g.id}/prices/${sku}`;
		const cases = [
			[{}, ['amount']],
			[{ amount: -1 }, ['amount']],
			[{ amount: 1.5 }, ['amount']],
			[{ amount: 1, starts_at: 'tomorrow' }, ['starts_at']],
			[{ amount: 1, ends_at: '2030-02-30T00:00:00Z' }, ['ends_at']],
			[{ amount: 1, ends_at: 12345 }, ['ends_at']],
			[{ amount: 1, starts_at: '2030-02-01T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' }, ['ends_at']],
			[{ amount: 1, starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' }, ['ends_at']],
		];
		for (const [body, fields] of cases) {
			const r = await s.request('PUT', url, { token, body });
			assert.deepEqual(fieldsOf(r), fields, JSON.stringify(body));
		}
		assertProblem(await s.request('PUT', `${G}/${g.id}/prices/NOPE-${tag()}`, { token, body: { amount: 1 } }),
		    404, 'unknown-sku');
		assertProblem(await s.request('PUT', `${G}/grp_00000000000000000000000000/prices/${sku}`, { token,
			body: { amount: 1 } }), 404, 'not-found');
		assert.equal((await s.request('GET', `${G}/${g.id}`, { token })).json.prices, 0, 'nothing written');
	});

	it('DELETE removes the group with its members and prices', async () => {
		const g = await newGroup();
		assert.equal((await s.request('PUT', `${G}/${g.id}/members/${customerId}`, { token })).status, 201);
		assert.equal((await s.request('PUT', `${G}/${g.id}/prices/${sku}`, { token, body: { amount: 1 } })).status, 201);
		assert.equal((await s.request('DELETE', `${G}/${g.id}`, { token })).status, 204);
		assertProblem(await s.request('GET', `${G}/${g.id}`, { token }), 404);
		assertProblem(await s.request('DELETE', `${G}/${g.id}`, { token }), 404);
	});

	it('pricing.group.changed v1: one event per change with what checkout needs', async () => {
		const g = await newGroup(`ev-${tag()}`, 'Events');
		const m = `${G}/${g.id}/members/${customerId}`;
		await s.request('PUT', m, { token });
		await s.request('PUT', m, { token });		/* no change, no event */
		await s.request('PUT', `${G}/${g.id}/prices/${sku}`, { token, body: { amount: 4000,
			ends_at: '2031-01-01T00:00:00Z' } });
		await s.request('PUT', `${G}/${g.id}/prices/${sku}`, { token, body: { amount: 4000,
			ends_at: '2031-01-01T00:00:00Z' } });	/* no change, no event */
		await s.request('DELETE', `${G}/${g.id}/prices/${sku}`, { token });
		await s.request('DELETE', m, { token });
		await s.request('PATCH', `${G}/${g.id}`, { token, headers: { 'if-match': '"v1"' }, body: { name: 'Renamed' } });
		await s.request('DELETE', `${G}/${g.id}`, { token });
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.aggregate_id === g.id);
		assert.ok(ev.every((e) => e.type === 'pricing.group.changed' && e.version === 1));
		const base = { group_id: g.id, code: g.code };
		assert.deepEqual(ev.map((e) => e.payload), [
			{ ...base, name: 'Events', change: 'created' },
			{ ...base, name: 'Events', change: 'member_added', customer_id: customerId },
			{ ...base, name: 'Events', change: 'price_set', sku, amount: 4000, currency: 'EUR',
				starts_at: null, ends_at: '2031-01-01T00:00:00.000Z' },
			{ ...base, name: 'Events', change: 'price_removed', sku },
			{ ...base, name: 'Events', change: 'member_removed', customer_id: customerId },
			{ ...base, name: 'Renamed', change: 'updated' },
			{ ...base, name: 'Renamed', change: 'deleted' },
		]);
	});

	it('401 without a token, 403 with a customer token', async () => {
		const g = await newGroup();
		const routes = [
			['GET', G], ['POST', G, { name: 'x', code: 'x' }], ['GET', `${G}/${g.id}`],
			['PATCH', `${G}/${g.id}`, { name: 'x' }], ['DELETE', `${G}/${g.id}`],
			['GET', `${G}/${g.id}/members`], ['PUT', `${G}/${g.id}/members/${customerId}`],
			['DELETE', `${G}/${g.id}/members/${customerId}`], ['GET', `${G}/${g.id}/prices`],
			['PUT', `${G}/${g.id}/prices/${sku}`, { amount: 1 }], ['DELETE', `${G}/${g.id}/prices/${sku}`],
		];
		for (const [method, url, body] of routes) {
			assertProblem(await s.request(method, url, { body }), 401, undefined);
			assertProblem(await s.request(method, url, { token: customer, body }), 403, undefined);
		}
		assert.equal((await s.request('GET', `${G}/${g.id}`, { token })).json.members, 0, 'nothing written');
	});
});
