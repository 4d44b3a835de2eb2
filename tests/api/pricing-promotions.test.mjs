/*
 * Pricing's promotions and coupons (docs/contracts/pricing-v1.md): CRUD
 * with ETag/If-Match, validation naming each field, the 100-active limit,
 * coupons (case-insensitive, unique, limits, expiry), generated batches
 * and their CSV export, 401/403, the events checkout will keep its copies
 * from, and the demo promotions and prices of a first start.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, feed, startServer } from './lib/server.mjs';

const P = '/api/v1/pricing/promotions';
const CP = '/api/v1/pricing/coupons';
const B = '/api/v1/pricing/coupon-batches';
const PROMO_ID = /^promo_[0-9A-HJKMNP-TV-Z]{26}$/;
const tag = () => randomBytes(4).toString('hex').toUpperCase();

function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `errors[]: ${res.text}`);
	return p.errors.map((e) => e.field);
}

describe('pricing: promotions and coupons', () => {
	let s;
	let token;
	let customer;
	let group;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'promo');
		const g = await s.request('POST', '/api/v1/pricing/groups', { token,
			body: { name: 'VIP', code: `vip-${tag().toLowerCase()}` } });
		assert.equal(g.status, 201, g.text);
		group = g.json.id;
	});

	after(async () => {
		await s?.close();
	});

	async function newPromo(body) {
		const r = await s.request('POST', P, { token, body: { name: 'Promo', action: { type: 'order_percent', rate: 10000 }, ...body } });
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	it('POST creates with defaults (201, Location, ETag); GET one and the list', async () => {
		const r = await s.request('POST', P, { token, body: { name: '10% off over 100',
			conditions: { min_subtotal: 10000 }, action: { type: 'order_percent', rate: 10000 } } });
		assert.equal(r.status, 201, r.text);
		assert.match(r.json.id, PROMO_ID);
		assert.equal(r.headers.location, `${P}/${r.json.id}`);
		assert.equal(r.headers.etag, '"v1"');
		const { id, created_at: c, updated_at: u, ...rest } = r.json;
		assert.ok(c && u);
		assert.deepEqual(rest, { name: '10% off over 100', description: '', status: 'active',
			trigger: 'automatic', starts_at: null, ends_at: null, priority: 0, exclusive: false,
			combines_with: [], conditions: { min_subtotal: 10000, min_quantity: null,
				match: { skus: [], product_ids: [], category_ids: [] }, customer_groups: [],
				first_order: false },
			action: { type: 'order_percent', rate: 10000 }, usage_limit: null,
			customer_usage_limit: null, uses: 0, coupons: 0, version: 1 });
		const g = await s.request('GET', `${P}/${id}`, { token });
		assert.equal(g.status, 200);
		assert.equal(g.headers.etag, '"v1"');
		assert.deepEqual(g.json, r.json);
		await newPromo({ status: 'disabled' });
		const seen = [];
		let after = '';
		for (let i = 0; i < 10; i++) {
			const l = await s.request('GET', `${P}?limit=1${after ? `&after=${after}` : ''}`, { token });
			assert.equal(l.status, 200, l.text);
			seen.push(...l.json.data);
			if (l.json.next === null)
				break;
			after = l.json.next;
		}
		assert.ok(seen.some((x) => x.id === id));
		const dis = await s.request('GET', `${P}?status=disabled`, { token });
		assert.ok(dis.json.data.length >= 1 && dis.json.data.every((x) => x.status === 'disabled'));
		assertProblem(await s.request('GET', `${P}?status=maybe`, { token }), 400, 'bad-query');
	});

	it('every action and condition is stored in its canonical form', async () => {
		const t = tag();
		const full = await newPromo({ name: 'Everything', description: 'all fields',
			trigger: 'code', starts_at: '2026-12-01T01:00:00+01:00', ends_at: '2027-01-01T00:00:00Z',
			priority: 7, exclusive: true, combines_with: ['shipping', 'product'],
			conditions: { min_subtotal: 500, min_quantity: 2,
				match: { skus: [`S-${t}`], category_ids: ['cat_01JDY2J0A1B2C3D4E5F6G7H8JM'] },
				customer_groups: [group], first_order: true },
			action: { type: 'buy_x_get_y', buy_qty: 2, get_qty: 1, rate: 50000, max_applications: 3,
				get_match: { product_ids: ['prod_01JDY2K8M3N4P5Q6R7S8T9V0WX'] } },
			usage_limit: 100, customer_usage_limit: 1 });
		assert.equal(full.starts_at, '2026-12-01T00:00:00.000Z');
		assert.equal(full.ends_at, '2027-01-01T00:00:00.000Z');
		assert.deepEqual(full.combines_with, ['product', 'shipping']);
		assert.deepEqual(full.conditions, { min_subtotal: 500, min_quantity: 2,
			match: { skus: [`S-${t}`], product_ids: [], category_ids: ['cat_01JDY2J0A1B2C3D4E5F6G7H8JM'] },
			customer_groups: [group], first_order: true });
		assert.deepEqual(full.action, { type: 'buy_x_get_y', rate: 50000, buy_qty: 2, get_qty: 1,
			max_applications: 3, get_match: { skus: [], product_ids: ['prod_01JDY2K8M3N4P5Q6R7S8T9V0WX'], category_ids: [] } });
		assert.deepEqual([full.exclusive, full.priority, full.usage_limit, full.customer_usage_limit, full.trigger],
			[true, 7, 100, 1, 'code']);
		for (const [action, want] of [
			[{ type: 'order_fixed', amount: 500 }, { type: 'order_fixed', amount: 500 }],
			[{ type: 'items_percent', rate: 12500 }, { type: 'items_percent', rate: 12500 }],
			[{ type: 'items_fixed', amount: 150 }, { type: 'items_fixed', amount: 150 }],
			[{ type: 'items_fixed_total', amount: 999 }, { type: 'items_fixed_total', amount: 999 }],
			[{ type: 'free_shipping' }, { type: 'free_shipping' }],
		]) {
			const p = await newPromo({ action });
			assert.deepEqual(p.action, want);
			await s.request('DELETE', `${P}/${p.id}`, { token, headers: { 'if-match': '"v1"' } });
		}
	});

	it('bad input is 422 naming each field, and nothing is written', async () => {
		const before = (await feed(s, token, 'pricing')).length;
		let f = fieldsOf(await s.request('POST', P, { token, body: {} }));
		assert.deepEqual(f.sort(), ['action', 'name']);
		f = fieldsOf(await s.request('POST', P, { token, body: { name: 'x', status: 'on', trigger: 'auto',
			priority: 5000, exclusive: 'yes', combines_with: ['everything'], starts_at: 'tomorrow',
			usage_limit: 0, customer_usage_limit: -1,
			action: { type: 'order_percent', rate: 100001 } } }));
		assert.deepEqual(f.sort(), ['action.rate', 'combines_with', 'customer_usage_limit', 'exclusive',
			'priority', 'starts_at', 'status', 'trigger', 'usage_limit'].sort());
		f = fieldsOf(await s.request('POST', P, { token, body: { name: 'x',
			starts_at: '2027-01-01T00:00:00Z', ends_at: '2026-01-01T00:00:00Z',
			conditions: { min_subtotal: 1.5, match: { skus: ['bad sku!'], category_ids: ['nope'] },
				customer_groups: ['grp_01JDY2K8M3N4P5Q6R7S8T9V0WX'], first_order: 1, colour: 'red' },
			action: { type: 'buy_x_get_y', rate: 100000, get_qty: 0 } } }));
		assert.deepEqual(f.sort(), ['action.buy_qty', 'action.get_qty', 'conditions.colour',
			'conditions.customer_groups[0]', 'conditions.first_order', 'conditions.match.category_ids[0]',
			'conditions.match.skus[0]', 'conditions.min_subtotal', 'ends_at'].sort());
		f = fieldsOf(await s.request('POST', P, { token, body: { name: 'x', action: { type: 'half_off' } } }));
		assert.deepEqual(f, ['action.type']);
		f = fieldsOf(await s.request('POST', P, { token, body: { name: 'x', action: { type: 'order_fixed' } } }));
		assert.deepEqual(f, ['action.amount']);
		assert.equal((await feed(s, token, 'pricing')).length, before, 'nothing was published');
	});

	it('PATCH needs If-Match (428, 412), replaces members and is checked whole', async () => {
		const p = await newPromo({ priority: 1 });
		const url = `${P}/${p.id}`;
		assertProblem(await s.request('PATCH', url, { token, body: { priority: 2 } }), 428, 'precondition-required');
		const stale = await s.request('PATCH', url, { token, headers: { 'if-match': '"v9"' }, body: { priority: 2 } });
		assertProblem(stale, 412, 'stale-edit');
		assert.equal(stale.headers.etag, '"v1"');
		const r = await s.request('PATCH', url, { token, headers: { 'if-match': '"v1"' },
			body: { priority: 2, status: 'disabled', action: { type: 'free_shipping' }, uses: 99 } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.etag, '"v2"');
		assert.deepEqual([r.json.priority, r.json.status, r.json.action, r.json.uses, r.json.name],
			[2, 'disabled', { type: 'free_shipping' }, 0, 'Promo']);
		assert.deepEqual(fieldsOf(await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' },
			body: { ends_at: '1999-01-01T00:00:00Z', starts_at: '2000-01-01T00:00:00Z' } })), ['ends_at']);
		assert.deepEqual(fieldsOf(await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' },
			body: {} })), ['body']);
		assertProblem(await s.request('PATCH', `${P}/promo_01JDY2K8M3N4P5Q6R7S8T9V0WX`, { token,
			headers: { 'if-match': '"v1"' }, body: { priority: 1 } }), 404, 'not-found');
	});

	it('DELETE needs If-Match and takes the coupons along', async () => {
		const p = await newPromo({ trigger: 'code' });
		const code = `DEL${tag()}`;
		assert.equal((await s.request('POST', CP, { token, body: { code, promotion_id: p.id } })).status, 201);
		const url = `${P}/${p.id}`;
		assertProblem(await s.request('DELETE', url, { token }), 428, 'precondition-required');
		assertProblem(await s.request('DELETE', url, { token, headers: { 'if-match': '"v2"' } }), 412, 'stale-edit');
		const d = await s.request('DELETE', url, { token, headers: { 'if-match': '"v1"' } });
		assert.equal(d.status, 204);
		assertProblem(await s.request('GET', url, { token }), 404, 'not-found');
		assertProblem(await s.request('GET', `${CP}/${code}`, { token }), 404, 'not-found');
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.aggregate_id === code || e.aggregate_id === p.id);
		assert.deepEqual(ev.map((e) => `${e.type}:${e.payload.change}`), ['pricing.promotion.changed:created',
			'pricing.coupon.changed:created', 'pricing.coupon.changed:deleted', 'pricing.promotion.changed:deleted']);
		assert.equal(ev[3].payload.promotion, null);
	});

	it('at most 100 promotions are active: the 101st is 409 too-many-active', async () => {
		const active = (await s.request('GET', `${P}?status=active&limit=200`, { token })).json.data.length;
		const made = [];
		for (let i = active; i < 100; i++)
			made.push(await newPromo({ name: `Bulk ${i}` }));
		assertProblem(await s.request('POST', P, { token, body: { name: 'one too many',
			action: { type: 'free_shipping' } } }), 409, 'too-many-active');
		const off = await newPromo({ name: 'disabled is fine', status: 'disabled' });
		assertProblem(await s.request('PATCH', `${P}/${off.id}`, { token, headers: { 'if-match': '"v1"' },
			body: { status: 'active' } }), 409, 'too-many-active');
		for (const p of made)
			assert.equal((await s.request('DELETE', `${P}/${p.id}`, { token, headers: { 'if-match': '"v1"' } })).status, 204);
	});

	it('events: pricing.promotion.changed carries the whole definition', async () => {
		const p = await newPromo({ name: 'Evented', priority: 3, conditions: { min_quantity: 2 } });
		await s.request('PATCH', `${P}/${p.id}`, { token, headers: { 'if-match': '"v1"' }, body: { name: 'Renamed' } });
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.aggregate_id === p.id);
		assert.deepEqual(ev.map((e) => e.payload.change), ['created', 'updated']);
		assert.equal(ev[0].type, 'pricing.promotion.changed');
		assert.equal(ev[0].version, 1);
		const { uses, coupons, version, created_at: c, updated_at: u, ...def } = p;
		assert.deepEqual(ev[0].payload.promotion, def);
		assert.equal(ev[1].payload.promotion.name, 'Renamed');
	});

	it('coupons: created upper-case, found in any case, unique in any case (409)', async () => {
		const p = await newPromo({ trigger: 'code' });
		const code = `Welcome-${tag()}`;
		const r = await s.request('POST', CP, { token, body: { code, promotion_id: p.id,
			expires_at: '2030-01-01T00:00:00Z', usage_limit: 10, customer_usage_limit: 1 } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.etag, '"v1"');
		const upper = code.toUpperCase();
		assert.equal(r.headers.location, `${CP}/${upper}`);
		assert.deepEqual({ ...r.json, created_at: 0, updated_at: 0 }, { code: upper, promotion_id: p.id,
			batch_id: null, status: 'active', expires_at: '2030-01-01T00:00:00.000Z', usage_limit: 10,
			customer_usage_limit: 1, uses: 0, version: 1, created_at: 0, updated_at: 0 });
		const g = await s.request('GET', `${CP}/${code.toLowerCase()}`, { token });
		assert.equal(g.status, 200);
		assert.equal(g.json.code, upper);
		assertProblem(await s.request('POST', CP, { token, body: { code: code.toLowerCase(), promotion_id: p.id } }),
			409, 'code-taken');
		const auto = await newPromo({});
		assert.deepEqual(fieldsOf(await s.request('POST', CP, { token, body: { code: 'OK-CODE', promotion_id: auto.id } })),
			['promotion_id']);
		assert.deepEqual(fieldsOf(await s.request('POST', CP, { token, body: { code: 'no spaces', promotion_id: p.id,
			expires_at: 'soon', usage_limit: 0 } })).sort(), ['code', 'expires_at', 'usage_limit']);
		assert.deepEqual(fieldsOf(await s.request('POST', CP, { token, body: { code: 'AB', promotion_id: p.id } })), ['code']);
		const l = await s.request('GET', `${CP}?promotion_id=${p.id}`, { token });
		assert.deepEqual(l.json.data.map((c) => c.code), [upper]);
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.aggregate_id === upper);
		assert.deepEqual(ev.map((e) => e.payload), [{ code: upper, change: 'created', promotion_id: p.id,
			batch_id: null, status: 'active', expires_at: '2030-01-01T00:00:00.000Z', usage_limit: 10,
			customer_usage_limit: 1 }]);
	});

	it('coupons: PATCH (If-Match) disables, clears limits; DELETE', async () => {
		const p = await newPromo({ trigger: 'code' });
		const code = `PATCH${tag()}`;
		await s.request('POST', CP, { token, body: { code, promotion_id: p.id, usage_limit: 5 } });
		const url = `${CP}/${code.toLowerCase()}`;
		assertProblem(await s.request('PATCH', url, { token, body: { status: 'disabled' } }), 428, 'precondition-required');
		assertProblem(await s.request('PATCH', url, { token, headers: { 'if-match': '"v7"' }, body: { status: 'disabled' } }),
			412, 'stale-edit');
		assert.deepEqual(fieldsOf(await s.request('PATCH', url, { token, headers: { 'if-match': '"v1"' },
			body: { status: 'gone' } })), ['status']);
		const r = await s.request('PATCH', url, { token, headers: { 'if-match': '"v1"' },
			body: { status: 'disabled', usage_limit: null, expires_at: '2031-02-03T04:05:06Z' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual([r.json.status, r.json.usage_limit, r.json.expires_at, r.json.version],
			['disabled', null, '2031-02-03T04:05:06.000Z', 2]);
		assertProblem(await s.request('DELETE', url, { token }), 428, 'precondition-required');
		assert.equal((await s.request('DELETE', url, { token, headers: { 'if-match': '"v2"' } })).status, 204);
		assertProblem(await s.request('GET', url, { token }), 404, 'not-found');
	});

	it('batches: count codes of prefix + alphabet without look-alikes, single-use, CSV export', async () => {
		const p = await newPromo({ trigger: 'code' });
		const t0 = Date.now();
		const r = await s.request('POST', B, { token, body: { promotion_id: p.id, prefix: 'xmas-', count: 2000, length: 8,
			expires_at: '2030-12-31T23:00:00Z' } });
		const ms = Date.now() - t0;
		assert.equal(r.status, 201, r.text);
		assert.match(r.json.id, /^cpb_[0-9A-HJKMNP-TV-Z]{26}$/);
		assert.deepEqual({ ...r.json, id: 0, created_at: 0 }, { id: 0, promotion_id: p.id, prefix: 'XMAS-', count: 2000,
			length: 8, expires_at: '2030-12-31T23:00:00.000Z', usage_limit: 1, customer_usage_limit: null, created_at: 0 });
		console.log(`# a batch of 2000 codes took ${ms} ms over HTTP`);
		const csv = await s.request('GET', `${B}/${r.json.id}/codes.csv`, { token });
		assert.equal(csv.status, 200);
		assert.match(csv.headers['content-type'], /^text\/csv/);
		assert.match(csv.headers['content-disposition'], /attachment; filename=".*\.csv"/);
		const rows = csv.text.split('\r\n');
		assert.equal(rows.at(-1), '');
		assert.equal(rows[0], 'code,promotion_id,expires_at,usage_limit,customer_usage_limit,uses,status');
		const body = rows.slice(1, -1).map((l) => l.split(','));
		assert.equal(body.length, 2000);
		const codes = new Set(body.map((c) => c[0]));
		assert.equal(codes.size, 2000, 'codes are unique');
		for (const c of body) {
			assert.match(c[0], /^XMAS-[2-9A-HJKMNP-Z]{8}$/);
			assert.doesNotMatch(c[0].slice(5), /[01OIL]/);
			assert.deepEqual(c.slice(1), [p.id, '2030-12-31T23:00:00.000Z', '1', '', '0', 'active']);
		}
		/* every character of the alphabet turns up in 16000 draws */
		assert.equal(new Set([...body.map((c) => c[0].slice(5)).join('')]).size, 31);
		const one = [...codes][0];
		const g = await s.request('GET', `${CP}/${one.toLowerCase()}`, { token });
		assert.equal(g.json.batch_id, r.json.id);
		const l = await s.request('GET', `${B}?promotion_id=${p.id}`, { token });
		assert.deepEqual(l.json.data.map((b) => b.id), [r.json.id]);
		assert.equal((await s.request('GET', `${B}/${r.json.id}`, { token })).json.count, 2000);
		const list = await s.request('GET', `${CP}?batch_id=${r.json.id}&limit=200`, { token });
		assert.equal(list.json.data.length, 200);
		assert.ok(list.json.next);
		const ev = (await feed(s, token, 'pricing')).filter((e) => e.type === 'pricing.coupon.changed' &&
			e.payload.batch_id === r.json.id);
		assert.equal(ev.length, 2000, 'one event per code');
	});

	it('batches: the largest (10,000) works; bad input is 422 naming fields', async () => {
		const p = await newPromo({ trigger: 'code' });
		const t0 = Date.now();
		const r = await s.request('POST', B, { token, body: { promotion_id: p.id, count: 10000 } });
		console.log(`# a batch of 10000 codes took ${Date.now() - t0} ms over HTTP`);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.length, 8);
		const csv = await s.request('GET', `${B}/${r.json.id}/codes.csv`, { token });
		assert.equal(csv.text.split('\r\n').length, 10002);
		assert.deepEqual(fieldsOf(await s.request('POST', B, { token, body: { promotion_id: p.id, count: 10001 } })), ['count']);
		assert.deepEqual(fieldsOf(await s.request('POST', B, { token, body: { promotion_id: 'promo_x', count: 0,
			length: 5, prefix: '-=CMD' } })).sort(), ['count', 'length', 'prefix', 'promotion_id']);
		assert.deepEqual(fieldsOf(await s.request('POST', B, { token, body: { promotion_id: p.id, count: 1,
			prefix: 'ABCDEFGHIJKL', length: 21 } })), ['length']);
		assert.deepEqual(fieldsOf(await s.request('POST', B, { token, body: { promotion_id: p.id, count: 1,
			prefix: 'ABCDEFGHIJKLMN' } })), ['prefix']);
		assertProblem(await s.request('GET', `${B}/cpb_01JDY2K8M3N4P5Q6R7S8T9V0WX/codes.csv`, { token }), 404, 'not-found');
	});

	it('401 without a token, 403 for a customer, on every endpoint', async () => {
		const p = await newPromo({ trigger: 'code' });
		const b = await s.request('POST', B, { token, body: { promotion_id: p.id, count: 1 } });
		const calls = [['GET', P], ['POST', P, { name: 'x' }], ['GET', `${P}/${p.id}`],
			['PATCH', `${P}/${p.id}`, { name: 'y' }], ['DELETE', `${P}/${p.id}`], ['GET', CP],
			['POST', CP, { code: 'XYZ', promotion_id: p.id }], ['GET', `${CP}/XYZ`], ['PATCH', `${CP}/XYZ`, {}],
			['DELETE', `${CP}/XYZ`], ['GET', B], ['POST', B, { promotion_id: p.id, count: 1 }],
			['GET', `${B}/${b.json.id}`], ['GET', `${B}/${b.json.id}/codes.csv`]];
		for (const [m, url, body] of calls) {
			assertProblem(await s.request(m, url, { body }), 401, 'unauthorized');
			assertProblem(await s.request(m, url, { token: customer, body }), 403, 'forbidden');
		}
	});
});

describe('pricing: demo promotions, coupon and prices on a first start', () => {
	let s;
	let token;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '1' } });
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	it('seeds two automatic promotions, a code promotion with WELCOME10, and prices every demo SKU', async () => {
		const l = await s.request('GET', `${P}?limit=200`, { token });
		assert.deepEqual(l.json.data.map((p) => [p.name, p.trigger, p.action.type]).sort(), [
			['10% off orders over 100', 'automatic', 'order_percent'],
			['Buy 2, get 1 free', 'automatic', 'buy_x_get_y'],
			['Welcome 10%', 'code', 'order_percent']]);
		const c = await s.request('GET', `${CP}/welcome10`, { token });
		assert.equal(c.status, 200);
		assert.equal(c.json.promotion_id, l.json.data.find((p) => p.name === 'Welcome 10%').id);
		const all = await s.request('GET', '/api/v1/pricing/prices?all=true&limit=200', { token });
		assert.ok(all.json.data.length > 0);
		for (const p of all.json.data) {
			assert.ok(Number.isInteger(p.amount), `${p.sku} has a price`);
			assert.ok(p.amount >= 1990 && p.amount <= 9890 && p.amount % 100 === 90, `${p.sku}: ${p.amount}`);
		}
		/* a product's variants share a price */
		const byProduct = new Map();
		for (const p of all.json.data) {
			if (byProduct.has(p.product_id))
				assert.equal(p.amount, byProduct.get(p.product_id));
			byProduct.set(p.product_id, p.amount);
		}
	});
});
