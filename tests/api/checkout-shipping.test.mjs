/*
 * Checkout shipping (docs/contracts/checkout-v1.md): staff keep zones and
 * their methods (flat, weight brackets, free from a subtotal, store
 * pickup); a storefront lists what a country can choose; a cart's method
 * puts its amount into the rules engine, taxed per pricing's settings.
 * Prices exclude tax here; Germany is 19%.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, startServer } from './lib/server.mjs';

const Z = '/api/v1/checkout/shipping/zones';
const C = '/api/v1/checkout/carts';
const tag = () => randomBytes(3).toString('hex').toUpperCase();

function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	return p.errors.map((e) => e.field);
}

describe('checkout: shipping', () => {
	let s, token, cust, zone, flat, weight, free, pickup, W;

	async function method(body) {
		const r = await s.request('POST', `${Z}/${zone}/methods`, { token, body });
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		cust = await customerToken(s, 'ship');
		for (const c of ['DE', 'AT'])
			assert.ok([200, 201].includes((await s.request('PUT', `/api/v1/pricing/tax-rates/${c}/standard`, { token,
				body: { rate: c === 'DE' ? 19000 : 20000 } })).status));
		const g = await s.request('GET', '/api/v1/pricing/settings', { token });
		assert.equal((await s.request('PUT', '/api/v1/pricing/settings', { token,
			headers: { 'if-match': g.headers.etag }, body: { prices_include_tax: false } })).status, 200);
		W = `W-${tag()}`;
		const p = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: 'Heavy',
			status: 'active', variants: [{ sku: W, weight_grams: 600 }] } });
		assert.equal(p.status, 201, p.text);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${W}`, { token, body: { amount: 2000 } })).status, 201);
	});

	after(async () => {
		await s?.close();
	});

	it('keeps zones and methods for staff only', async () => {
		const body = { name: 'DACH', countries: ['DE', 'AT'] };
		assertProblem(await s.request('POST', Z, { body }), 401);
		assertProblem(await s.request('POST', Z, { token: cust, body }), 403);
		assertProblem(await s.request('GET', Z, { token: cust }), 403);
		assert.deepEqual(fieldsOf(await s.request('POST', Z, { token, body: { countries: ['DE'] } })), ['name']);
		assert.deepEqual(fieldsOf(await s.request('POST', Z, { token, body: { name: 'x', countries: [] } })),
		    ['countries']);
		assert.deepEqual(fieldsOf(await s.request('POST', Z, { token, body: { name: 'x', countries: ['de', 'DEU'] } })),
		    ['countries[0]', 'countries[1]']);
		/* Shaped like a code, but no country: ISO 3166-1 has no ZZ, and the UK is GB. */
		assert.deepEqual(fieldsOf(await s.request('POST', Z, { token, body: { name: 'x', countries: ['ZZ', 'UK'] } })),
		    ['countries[0]', 'countries[1]']);
		const r = await s.request('POST', Z, { token, body });
		assert.equal(r.status, 201, r.text);
		zone = r.json.id;
		assert.match(zone, /^shz_/);
		assert.deepEqual(r.json.countries, ['AT', 'DE']);
		assert.deepEqual(r.json.methods, []);
		const dup = assertProblem(await s.request('POST', Z, { token, body: { name: 'y', countries: ['FR', 'DE'] } }),
		    422, 'validation');
		assert.deepEqual(dup.errors.map((e) => e.field), ['countries[1]']);
		assertProblem(await s.request('POST', `${Z}/${zone}/methods`, { token: cust, body: { name: 'x', kind: 'pickup' } }),
		    403);
		assertProblem(await s.request('POST', `${Z}/shz_nope/methods`, { token, body: { name: 'x', kind: 'pickup' } }),
		    404, 'not-found');
		const m = (b) => s.request('POST', `${Z}/${zone}/methods`, { token, body: b });
		assert.deepEqual(fieldsOf(await m({ name: 'x', kind: 'drone' })), ['kind']);
		assert.deepEqual(fieldsOf(await m({ name: 'x', kind: 'flat' })), ['amount']);
		assert.deepEqual(fieldsOf(await m({ name: 'x', kind: 'flat', amount: 4.9 })), ['amount']);
		assert.deepEqual(fieldsOf(await m({ name: 'x', kind: 'free_above' })), ['min_subtotal']);
		assert.deepEqual(fieldsOf(await m({ name: 'x', kind: 'weight', brackets: [] })), ['brackets']);
		assert.deepEqual(fieldsOf(await m({ name: 'x', kind: 'weight', brackets: [{ max_grams: 1000, amount: 500 },
			{ max_grams: 1000, amount: 900 }] })), ['brackets[1].max_grams']);
		assert.deepEqual(fieldsOf(await m({ kind: 'pickup' })), ['name']);
		flat = await method({ name: 'Standard', kind: 'flat', amount: 490 });
		weight = await method({ name: 'By weight', kind: 'weight', brackets: [{ max_grams: 1000, amount: 500 },
			{ max_grams: 5000, amount: 900 }] });
		free = await method({ name: 'Free', kind: 'free_above', min_subtotal: 10000 });
		pickup = await method({ name: 'Pickup', kind: 'pickup' });
		assert.deepEqual(weight.brackets, [{ max_grams: 1000, amount: 500 }, { max_grams: 5000, amount: 900 }]);
		const z = await s.request('GET', `${Z}/${zone}`, { token });
		assert.equal(z.status, 200);
		assert.deepEqual(z.json.methods.map((x) => x.id), [flat.id, weight.id, free.id, pickup.id]);
		const l = await s.request('GET', `${Z}/${zone}/methods`, { token });
		assert.equal(l.json.data.length, 4);
		assert.ok((await s.request('GET', Z, { token })).json.data.some((x) => x.id === zone));
		assertProblem(await s.request('GET', `${Z}/shz_nope`, { token }), 404, 'not-found');
	});

	it('lists what a country can choose, by weight and subtotal', async () => {
		const get = (q) => s.request('GET', `/api/v1/checkout/shipping/methods?${q}`);
		let r = await get('country=DE&weight_grams=1200&subtotal=5000');
		assert.equal(r.status, 200, r.text);
		const by = (id) => r.json.data.find((x) => x.id === id);
		assert.deepEqual([by(flat.id).amount, by(weight.id).amount, by(free.id).amount, by(pickup.id).amount],
		    [490, 900, null, 0]);
		assert.equal(by(free.id).available, false);
		r = await get('country=AT&weight_grams=800&subtotal=10000');
		assert.deepEqual([by(weight.id).amount, by(free.id).amount], [500, 0]);
		r = await get('country=AT&weight_grams=5001');
		assert.equal(by(weight.id).available, false);
		r = await get('country=US');
		assert.deepEqual(r.json.data, []);
		assert.deepEqual(fieldsOf(await get('country=de')), ['country']);
		assert.deepEqual(fieldsOf(await get('')), ['country']);
		assert.deepEqual(fieldsOf(await get('country=DE&weight_grams=-1&subtotal=x')), ['weight_grams', 'subtotal']);
	});

	it('puts the chosen method into the cart\'s price, taxed', async () => {
		const cart = (await s.request('POST', C)).json;
		const h = { headers: { 'x-cart-token': cart.token } };
		let r = await s.request('POST', `${C}/${cart.id}/lines`, { ...h, body: { sku: W, quantity: 2 } });
		assert.equal(r.json.weight_grams, 1200);
		const ship = (body) => s.request('PUT', `${C}/${cart.id}/shipping`, { ...h, body });
		r = await ship({ country: 'DE', method: weight.id });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.shipping, { country: 'DE', method_id: weight.id, name: 'By weight', amount: 900 });
		assert.equal(r.json.totals.shipping, 900);
		assert.equal(r.json.totals.shipping_tax, 171);
		assert.equal(r.json.totals.total, 4000 + 760 + 900 + 171);
		r = await ship({ country: 'AT', method: flat.id });
		assert.equal(r.json.totals.shipping_tax, 98);
		assert.equal(r.json.lines[0].tax, 800, 'Austria taxes the lines at 20%');
		assert.deepEqual(fieldsOf(await ship({ country: 'DE', method: free.id })), ['method']);
		assert.deepEqual(fieldsOf(await ship({ country: 'FR', method: flat.id })), ['country']);
		assert.deepEqual(fieldsOf(await ship({ country: 'DE', method: 'shm_nope' })), ['method']);
		assert.deepEqual(fieldsOf(await ship({})), ['country']);
		assert.deepEqual(fieldsOf(await ship({ country: 'DE', method: 5 })), ['method']);
		assert.equal((await s.request('GET', `${C}/${cart.id}`, h)).json.shipping.method_id, flat.id,
		    'a refused change writes nothing');
		/* Five units reach the free method's 100.00. */
		r = await s.request('PATCH', `${C}/${cart.id}/lines/${W}`, { ...h, body: { quantity: 5 } });
		r = await ship({ country: 'DE', method: free.id });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.totals.shipping, 0);
		r = await ship({ country: 'DE', method: weight.id });
		assert.equal(r.json.totals.shipping, 900);
		/* Ten units weigh 6 kg: the weight method is no longer offered and drops. */
		r = await s.request('PATCH', `${C}/${cart.id}/lines/${W}`, { ...h, body: { quantity: 10 } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.shipping.method_id, null);
		assert.equal(r.json.totals.shipping, 0);
		r = await ship({ country: 'DE', method: pickup.id });
		assert.equal(r.json.shipping.amount, 0);
	});

	it('changes zones and methods', async () => {
		const other = await s.request('POST', Z, { token, body: { name: 'Benelux', countries: ['NL', 'BE'] } });
		assert.equal(other.status, 201, other.text);
		const pz = (body, id = zone) => s.request('PATCH', `${Z}/${id}`, { token, body });
		let r = await pz({ name: 'DACH+', countries: ['DE', 'AT', 'CH'] });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.name, 'DACH+');
		assert.deepEqual(r.json.countries, ['AT', 'CH', 'DE']);
		assert.deepEqual(fieldsOf(await pz({ countries: ['DE', 'NL'] })), ['countries[1]']);
		assert.deepEqual(fieldsOf(await pz({ name: '' })), ['name']);
		assert.deepEqual(fieldsOf(await pz({ countries: [] })), ['countries']);
		assertProblem(await pz({ name: 'x' }, 'shz_nope'), 404, 'not-found');
		r = await pz({ countries: ['DE', 'AT'] });
		assert.deepEqual(r.json.countries, ['AT', 'DE']);
		assert.equal(r.json.name, 'DACH+');
		assert.equal((await s.request('DELETE', `${Z}/${other.json.id}`, { token })).status, 204);
		const pm = (id, body) => s.request('PATCH', `${Z}/${zone}/methods/${id}`, { token, body });
		r = await pm(flat.id, { amount: 590 });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.amount, 590);
		assert.equal(r.json.name, 'Standard');
		assert.deepEqual(fieldsOf(await pm(flat.id, { kind: 'pickup' })), ['kind']);
		assert.deepEqual(fieldsOf(await pm(flat.id, { amount: -1 })), ['amount']);
		assert.deepEqual(fieldsOf(await pm(flat.id, { price: 1 })), ['body']);
		assert.deepEqual(fieldsOf(await pm(weight.id, { brackets: [{ max_grams: 10, amount: 1 },
			{ max_grams: 5, amount: 2 }] })), ['brackets[1].max_grams']);
		assertProblem(await pm('shm_nope', { amount: 1 }), 404, 'not-found');
		r = await pm(flat.id, { amount: 490, name: 'Standard' });
		assert.equal(r.json.amount, 490);
	});

	it('answers 401 and 403 on every staff route', async () => {
		const routes = [['GET', Z], ['POST', Z], ['GET', `${Z}/${zone}`], ['DELETE', `${Z}/${zone}`],
			['GET', `${Z}/${zone}/methods`], ['POST', `${Z}/${zone}/methods`],
			['DELETE', `${Z}/${zone}/methods/${flat.id}`], ['PATCH', `${Z}/${zone}`],
			['PATCH', `${Z}/${zone}/methods/${flat.id}`]];
		for (const [m, url] of routes) {
			assertProblem(await s.request(m, url, { body: ['POST', 'PATCH'].includes(m) ? {} : undefined }), 401);
			assertProblem(await s.request(m, url, { token: cust, body: ['POST', 'PATCH'].includes(m) ? {} : undefined }), 403);
		}
		assertProblem(await s.request('GET', `${Z}/${zone}`, { token: 'not-a-token' }), 401);
		assert.equal((await s.request('GET', `${Z}/${zone}`, { token })).json.methods.length, 4, 'nothing changed');
	});

	it('prices shipping as the quote does, and a free-shipping promotion takes it off', async () => {
		const g = await s.request('GET', '/api/v1/pricing/settings', { token });
		assert.equal((await s.request('PUT', '/api/v1/pricing/settings', { token,
			headers: { 'if-match': g.headers.etag }, body: { shipping_amount: 490 } })).status, 200);
		const cart = (await s.request('POST', C)).json;
		const h = { headers: { 'x-cart-token': cart.token } };
		await s.request('POST', `${C}/${cart.id}/lines`, { ...h, body: { sku: W, quantity: 3 } });
		let r = await s.request('PUT', `${C}/${cart.id}/shipping`, { ...h, body: { country: 'DE', method: flat.id } });
		assert.equal(r.status, 200, r.text);
		const q = await s.request('POST', '/api/v1/pricing/quote', { body: { lines: [{ sku: W, quantity: 3 }], country: 'DE' } });
		assert.equal(q.status, 200, q.text);
		assert.deepEqual(r.json.totals, q.json.totals);
		assert.equal(r.json.totals.shipping_total, 490 + 93);
		const p = await s.request('POST', '/api/v1/pricing/promotions', { token, body: { name: 'Free shipping',
			action: { type: 'free_shipping' }, conditions: { min_subtotal: 5000 } } });
		assert.equal(p.status, 201, p.text);
		r = await s.request('PATCH', `${C}/${cart.id}/lines/${W}`, { ...h, body: { quantity: 2 } });
		assert.equal(r.json.totals.shipping_discount, 0);
		assert.equal(r.json.promotions.find((x) => x.id === p.json.id).reason, 'min_subtotal');
		r = await s.request('PATCH', `${C}/${cart.id}/lines/${W}`, { ...h, body: { quantity: 3 } });
		assert.equal(r.json.totals.shipping_discount, 490);
		assert.equal(r.json.totals.shipping_total, 0);
		assert.equal(r.json.totals.total, 6000 + 1140);
		await s.request('DELETE', `/api/v1/pricing/promotions/${p.json.id}`, { token, headers: { 'if-match': '"v1"' } });
	});

	it('deletes methods and zones', async () => {
		assertProblem(await s.request('DELETE', `${Z}/${zone}/methods/${flat.id}`, { token: cust }), 403);
		assert.equal((await s.request('DELETE', `${Z}/${zone}/methods/${flat.id}`, { token })).status, 204);
		assertProblem(await s.request('DELETE', `${Z}/${zone}/methods/${flat.id}`, { token }), 404, 'not-found');
		assertProblem(await s.request('DELETE', Z + '/' + zone, {}), 401);
		assert.equal((await s.request('DELETE', `${Z}/${zone}`, { token })).status, 204);
		assertProblem(await s.request('DELETE', `${Z}/${zone}`, { token }), 404, 'not-found');
		const r = await s.request('GET', '/api/v1/checkout/shipping/methods?country=DE');
		assert.deepEqual(r.json.data, []);
	});
});

describe('checkout: demo shipping', () => {
	let s;

	before(async () => {
		s = await startServer();
	});

	after(async () => {
		await s?.close();
	});

	it('ships to DE, AT, NL and FR: flat rate, free above 100.00, pickup', async () => {
		for (const c of ['DE', 'AT', 'NL', 'FR']) {
			const r = await s.request('GET', `/api/v1/checkout/shipping/methods?country=${c}&subtotal=10000`);
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json.data.map((m) => [m.kind, m.amount]), [['flat', 490], ['free_above', 0],
				['pickup', 0]]);
		}
		const r = await s.request('GET', '/api/v1/checkout/shipping/methods?country=DE&subtotal=9999');
		assert.equal(r.json.data[1].available, false);
	});
});
