/*
 * Checkout carts (docs/contracts/checkout-v1.md): guest carts reached by
 * their token, customer carts by the customer's token, nobody else's
 * (404); lines, coupon and merge; every cart priced from checkout's own
 * copies through the shared rules engine, so a cart equals pricing's
 * quote of the same lines; unit prices are snapshots taken when a line
 * is added or its quantity changes, so a price change reaches a line only
 * when that line is touched.
 *
 * Prices exclude tax here; Germany is 19%, so a line's tax is
 * round(net * 0.19), half away from zero.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertProblem, register, runCli, signIn, startServer, uniqueEmail } from './lib/server.mjs';

const C = '/api/v1/checkout/carts';
const tag = () => randomBytes(3).toString('hex').toUpperCase();

function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	return p.errors.map((e) => e.field);
}

/* The money members a cart and a quote share, per line and in total. */
function money(x) {
	return {
		lines: x.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unit_price: l.unit_price,
			subtotal: l.subtotal, item_discount: l.item_discount, order_discount: l.order_discount,
			net: l.net, tax: l.tax, total: l.total, tax_rate: l.tax_rate, price_source: l.price_source })),
		totals: x.totals,
		promotions: x.promotions.map((p) => ({ id: p.id, applied: p.applied, amount: p.amount,
			reason: p.reason })),
	};
}

describe('checkout: carts', () => {
	let s, token, cust, custId, other;
	let T, M, U, D;
	let group;

	async function product(sku, price, extra = {}) {
		const r = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `P ${sku}`,
			status: 'active', variants: [{ sku }], ...extra } });
		assert.equal(r.status, 201, r.text);
		if (price !== null)
			assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
				body: { amount: price } })).status, 201);
		return r.json.id;
	}

	async function guest() {
		const r = await s.request('POST', C);
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	const as = (cart) => ({ headers: { 'x-cart-token': cart.token } });

	async function add(cart, sku, quantity, opts = as(cart)) {
		const r = await s.request('POST', `${C}/${cart.id}/lines`, { ...opts, body: { sku, quantity } });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	async function quote(body, opts = {}) {
		const r = await s.request('POST', '/api/v1/pricing/quote', { ...opts, body });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		for (const [c, k, r] of [['DE', 'standard', 19000], ['FR', 'standard', 20000]])
			assert.ok([200, 201].includes((await s.request('PUT', `/api/v1/pricing/tax-rates/${c}/${k}`, { token,
				body: { rate: r } })).status));
		const g = await s.request('GET', '/api/v1/pricing/settings', { token });
		assert.equal((await s.request('PUT', '/api/v1/pricing/settings', { token,
			headers: { 'if-match': g.headers.etag }, body: { prices_include_tax: false } })).status, 200);
		const t = tag();
		[T, M, U, D] = ['T', 'M', 'U', 'D'].map((x) => `${x}-${t}`);
		await product(T, 1000);
		await product(M, 2500);
		await product(U, null);
		await product(D, 500, { status: 'draft' });
		const email = uniqueEmail('cart');
		custId = (await register(s, email, 'password-123')).json.id;
		cust = (await signIn(s, email, 'password-123')).token;
		const email2 = uniqueEmail('cart2');
		await register(s, email2, 'password-123');
		other = (await signIn(s, email2, 'password-123')).token;
		const gr = await s.request('POST', '/api/v1/pricing/groups', { token, body: { name: 'VIP', code: 'vip' } });
		group = gr.json.id;
		assert.equal((await s.request('PUT', `/api/v1/pricing/groups/${group}/members/${custId}`, { token })).status, 201);
		assert.equal((await s.request('PUT', `/api/v1/pricing/groups/${group}/prices/${M}`, { token,
			body: { amount: 2000 } })).status, 201);
	});

	after(async () => {
		await s?.close();
	});

	it('a guest cart is reached with its token only', async () => {
		const cart = await guest();
		assert.match(cart.id, /^cart_/);
		assert.match(cart.token, /^ct_[A-Za-z0-9_-]{43}$/);
		assert.equal(cart.kind, 'guest');
		assert.equal(cart.customer_id, null);
		assert.deepEqual(cart.lines, []);
		assert.equal(cart.totals.total, 0);
		assertProblem(await s.request('GET', `${C}/${cart.id}`), 404, 'not-found');
		assertProblem(await s.request('GET', `${C}/${cart.id}`, { headers: { 'x-cart-token': `${cart.token}x` } }),
		    404, 'not-found');
		const other2 = await guest();
		assertProblem(await s.request('GET', `${C}/${cart.id}`, as(other2)), 404, 'not-found');
		assertProblem(await s.request('GET', `${C}/${cart.id}`, { token: cust }), 404, 'not-found');
		assertProblem(await s.request('GET', `${C}/${cart.id}`, { token }), 404, 'not-found');
		const r = await s.request('GET', `${C}/${cart.id}`, as(cart));
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.token, undefined, 'the token is shown once');
		assert.equal(r.headers.etag, `"v${r.json.version}"`);
		const q = await s.request('GET', `${C}/${cart.id}?token=${cart.token}`);
		assert.equal(q.status, 200, q.text);
		/* Changing someone else's cart is a 404 too, and writes nothing. */
		assertProblem(await s.request('POST', `${C}/${cart.id}/lines`, { ...as(other2), body: { sku: T, quantity: 1 } }),
		    404, 'not-found');
		assertProblem(await s.request('PUT', `${C}/${cart.id}/coupon`, { token: cust, body: { code: 'NOPE1' } }),
		    404, 'not-found');
		assertProblem(await s.request('DELETE', `${C}/${cart.id}/coupon`, as(other2)), 404, 'not-found');
		assertProblem(await s.request('PUT', `${C}/${cart.id}/shipping`, { ...as(other2), body: { country: 'DE' } }),
		    404, 'not-found');
		assertProblem(await s.request('GET', `${C}/${cart.id}`, { token: 'not-a-token', headers: as(cart).headers }),
		    401);
		assertProblem(await s.request('DELETE', `${C}/nope_1`, as(cart)), 405);
		assert.equal((await s.request('GET', `${C}/${cart.id}`, as(cart))).json.version, r.json.version);
	});

	it('prices lines as pricing quotes them, adding to a line already there', async () => {
		const cart = await guest();
		await add(cart, T, 2);
		let c = await add(cart, M, 1);
		c = await add(cart, T, 1);
		assert.deepEqual(c.lines.map((l) => [l.sku, l.quantity]), [[T, 3], [M, 1]]);
		const t = c.lines[0];
		assert.equal(t.unit_price, 1000);
		assert.equal(t.subtotal, 3000);
		assert.equal(t.tax, 570);
		assert.equal(t.total, 3570);
		assert.equal(c.totals.total, 3570 + 2975);
		assert.equal(c.currency, 'EUR');
		assert.equal(c.country, 'DE');
		const q = await quote({ lines: [{ sku: T, quantity: 3 }, { sku: M, quantity: 1 }] });
		assert.deepEqual(money(c), money(q));
	});

	it('refuses bad lines with 422 naming the field, and writes nothing', async () => {
		const cart = await guest();
		await add(cart, T, 1);
		const v = (await s.request('GET', `${C}/${cart.id}`, as(cart))).json.version;
		const post = (body) => s.request('POST', `${C}/${cart.id}/lines`, { ...as(cart), body });
		assert.deepEqual(fieldsOf(await post({ quantity: 1 })), ['sku']);
		assert.deepEqual(fieldsOf(await post({ sku: T })), ['quantity']);
		assert.deepEqual(fieldsOf(await post({ sku: T, quantity: 0 })), ['quantity']);
		assert.deepEqual(fieldsOf(await post({ sku: T, quantity: 1001 })), ['quantity']);
		assert.deepEqual(fieldsOf(await post({ sku: T, quantity: '2' })), ['quantity']);
		assert.deepEqual(fieldsOf(await post({ sku: T, quantity: 1.5 })), ['quantity']);
		assert.deepEqual(fieldsOf(await post({ sku: 'bad sku!', quantity: 1 })), ['sku']);
		for (const [sku, msg] of [[`NO-${tag()}`, /not a SKU/], [D, /not on sale/], [U, /no price/]]) {
			const p = assertProblem(await post({ sku, quantity: 1 }), 422, 'validation');
			assert.equal(p.errors[0].field, 'sku');
			assert.match(p.errors[0].message, msg);
		}
		assert.deepEqual(fieldsOf(await s.request('PATCH', `${C}/${cart.id}/lines/${T}`, { ...as(cart),
			body: { quantity: 0 } })), ['quantity']);
		assertProblem(await s.request('PATCH', `${C}/${cart.id}/lines/${M}`, { ...as(cart),
			body: { quantity: 2 } }), 404, 'not-found');
		assertProblem(await s.request('DELETE', `${C}/${cart.id}/lines/${M}`, as(cart)), 404, 'not-found');
		const g = (await s.request('GET', `${C}/${cart.id}`, as(cart))).json;
		assert.equal(g.version, v);
		assert.deepEqual(g.lines.map((l) => [l.sku, l.quantity]), [[T, 1]]);
	});

	it('sets and removes lines', async () => {
		const cart = await guest();
		await add(cart, T, 1);
		await add(cart, M, 1);
		let r = await s.request('PATCH', `${C}/${cart.id}/lines/${T}`, { ...as(cart), body: { quantity: 4 } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.lines[0].quantity, 4);
		assert.equal(r.json.totals.subtotal, 4000 + 2500);
		r = await s.request('DELETE', `${C}/${cart.id}/lines/${M}`, as(cart));
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.lines.map((l) => l.sku), [T]);
		assert.equal(r.json.totals.total, 4760);
	});

	it('gives a customer one cart, at their group price, and nobody else', async () => {
		const r = await s.request('POST', C, { token: cust });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.kind, 'customer');
		assert.equal(r.json.customer_id, custId);
		assert.equal(r.json.token, null);
		const again = await s.request('POST', C, { token: cust });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.json.id, r.json.id);
		const mine = { token: cust };
		const c = await add(r.json, M, 2, mine);
		assert.equal(c.lines[0].unit_price, 2000);
		assert.equal(c.lines[0].price_source, 'group');
		assert.equal(c.lines[0].group_id, group);
		assert.deepEqual(money(c), money(await quote({ lines: [{ sku: M, quantity: 2 }] }, { token: cust })));
		for (const opts of [{}, { token: other }, { token }])
			assertProblem(await s.request('GET', `${C}/${r.json.id}`, opts), 404, 'not-found');
		assertProblem(await s.request('POST', `${C}/${r.json.id}/lines`, { token: other, body: { sku: T, quantity: 1 } }),
		    404, 'not-found');
		assertProblem(await s.request('DELETE', `${C}/${r.json.id}/lines/${M}`, { token: other }), 404, 'not-found');
		assertProblem(await s.request('PATCH', `${C}/${r.json.id}/lines/${M}`, { token: other, body: { quantity: 1 } }),
		    404, 'not-found');
		assertProblem(await s.request('PUT', `${C}/${r.json.id}/shipping`, { token: other, body: { country: 'DE' } }),
		    404, 'not-found');
		const g = await s.request('GET', `${C}/${r.json.id}`, mine);
		assert.equal(g.status, 200);
		assert.deepEqual(g.json.lines.map((l) => [l.sku, l.quantity]), [[M, 2]]);
		await s.request('DELETE', `${C}/${r.json.id}/lines/${M}`, mine);
	});

	it('keeps a line\'s unit price until that line changes', async () => {
		const P = `P-${tag()}`;
		await product(P, 1000);
		const cart = await guest();
		await add(cart, P, 1);
		await add(cart, T, 1);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${P}`, { token,
			body: { amount: 1200 } })).status, 200);
		let g = (await s.request('GET', `${C}/${cart.id}`, as(cart))).json;
		assert.equal(g.lines[0].unit_price, 1000, 'reading never reprices');
		/* Another line changes: the totals are worked out again, P keeps 10.00. */
		g = await add(cart, T, 1);
		assert.equal(g.lines[0].unit_price, 1000);
		assert.equal(g.lines[0].total, 1190);
		/* P itself changes: it takes the new price. */
		const r = await s.request('PATCH', `${C}/${cart.id}/lines/${P}`, { ...as(cart), body: { quantity: 2 } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.lines[0].unit_price, 1200);
		assert.equal(r.json.lines[0].total, 2856);
		assert.deepEqual(money(r.json), money(await quote({ lines: [{ sku: P, quantity: 2 }, { sku: T, quantity: 2 }] })));
	});

	it('applies and explains a coupon, as the quote does', async () => {
		const pr = await s.request('POST', '/api/v1/pricing/promotions', { token, body: { name: '10% code',
			trigger: 'code', action: { type: 'order_percent', rate: 10000 }, conditions: { min_subtotal: 5000 } } });
		assert.equal(pr.status, 201, pr.text);
		const code = `SAVE${tag()}`;
		assert.equal((await s.request('POST', '/api/v1/pricing/coupons', { token,
			body: { code, promotion_id: pr.json.id } })).status, 201);
		const cart = await guest();
		await add(cart, T, 2);
		let r = await s.request('PUT', `${C}/${cart.id}/coupon`, { ...as(cart), body: { code: code.toLowerCase() } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.coupon, { code, promotion_id: pr.json.id, applied: false, reason: 'min_subtotal',
			amount: 0 });
		r = await s.request('PATCH', `${C}/${cart.id}/lines/${T}`, { ...as(cart), body: { quantity: 6 } });
		assert.equal(r.json.coupon.applied, true);
		assert.equal(r.json.coupon.amount, 600);
		assert.equal(r.json.totals.order_discount, 600);
		assert.equal(r.json.totals.total, Math.round(5400 * 1.19));
		const p = r.json.promotions.find((x) => x.id === pr.json.id);
		assert.equal(p.applied, true);
		assert.equal(p.reason, 'applied');
		assert.deepEqual(money(r.json), money(await quote({ lines: [{ sku: T, quantity: 6 }], coupon: code })));
		assert.deepEqual(fieldsOf(await s.request('PUT', `${C}/${cart.id}/coupon`, { ...as(cart),
			body: { code: 'NOSUCH' } })), ['code']);
		assert.deepEqual(fieldsOf(await s.request('PUT', `${C}/${cart.id}/coupon`, { ...as(cart),
			body: { code: 'x!' } })), ['code']);
		assert.deepEqual(fieldsOf(await s.request('PUT', `${C}/${cart.id}/coupon`, { ...as(cart),
			body: {} })), ['code']);
		r = await s.request('DELETE', `${C}/${cart.id}/coupon`, as(cart));
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.coupon, null);
		assert.equal(r.json.totals.order_discount, 0);
		assert.equal(r.json.promotions.find((x) => x.id === pr.json.id), undefined,
		    'a code promotion is not shown without its code');
		await s.request('DELETE', `/api/v1/pricing/promotions/${pr.json.id}`, { token, headers: { 'if-match': '"v1"' } });
	});

	it('merges a guest cart into the customer\'s cart on sign-in', async () => {
		const email = uniqueEmail('merge');
		await register(s, email, 'password-123');
		const me = (await signIn(s, email, 'password-123')).token;
		const mine = (await s.request('POST', C, { token: me })).json;
		await add(mine, T, 1, { token: me });
		const cart = await guest();
		await add(cart, T, 2);
		await add(cart, M, 1);
		const url = `${C}/${cart.id}/merge`;
		assertProblem(await s.request('POST', url, as(cart)), 401);
		assertProblem(await s.request('POST', url, { token, headers: as(cart).headers }), 403, 'forbidden');
		assertProblem(await s.request('POST', url, { token: me }), 404, 'not-found');
		assertProblem(await s.request('POST', `${C}/${mine.id}/merge`, { token: me }), 404, 'not-found');
		const r = await s.request('POST', url, { token: me, headers: as(cart).headers });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.id, mine.id);
		assert.deepEqual(r.json.lines.map((l) => [l.sku, l.quantity]), [[T, 3], [M, 1]]);
		assert.deepEqual(money(r.json), money(await quote({ lines: [{ sku: T, quantity: 3 }, { sku: M, quantity: 1 }] },
		    { token: me })));
		assertProblem(await s.request('GET', `${C}/${cart.id}`, as(cart)), 404, 'not-found');
		/* A customer can only merge a guest cart whose token they hold. */
		const c2 = await guest();
		assertProblem(await s.request('POST', `${C}/${c2.id}/merge`, { token: other,
			headers: { 'x-cart-token': cart.token } }), 404, 'not-found');
	});
	it('deletes guest carts untouched for 30 days as new ones are made; keeps customers\' carts', async () => {
		const db = path.join(s.dataDir, 'checkout.db');
		const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q]).toString().trim();
		const old = await guest();
		await add(old, T, 1);
		const fresh = await guest();
		const mine = (await s.request('POST', C, { token: other })).json;
		const day = 24 * 3600 * 1000;
		/* Aged behind the server's back: 31 days, 29 days, and the customer's 90. */
		sql(`UPDATE carts SET updated_at = updated_at - ${31 * day} WHERE id = '${old.id}'`);
		sql(`UPDATE carts SET updated_at = updated_at - ${29 * day} WHERE id = '${fresh.id}'`);
		sql(`UPDATE carts SET updated_at = updated_at - ${90 * day} WHERE id = '${mine.id}'`);
		assert.equal((await s.request('GET', `${C}/${old.id}`, as(old))).status, 200, 'nothing runs on a read');
		await guest();
		assertProblem(await s.request('GET', `${C}/${old.id}`, as(old)), 404, 'not-found');
		assert.equal(sql(`SELECT count(*) FROM cart_lines WHERE cart_id = '${old.id}'`), '0', 'its lines went too');
		assert.equal((await s.request('GET', `${C}/${fresh.id}`, as(fresh))).status, 200, '29 days: kept');
		assert.equal((await s.request('GET', `${C}/${mine.id}`, { token: other })).status, 200, 'a customer\'s: kept');
	});

	it('replay rebuilds the same copies', async () => {
		const tables = ['products', 'variants', 'prices', 'price_groups', 'group_members', 'group_prices',
			'tax_rates', 'product_tax', 'settings', 'promotions', 'coupons'];
		const dump = () => tables.map((t) => execFileSync('sqlite3', ['-cmd', '.timeout 5000',
			path.join(s.dataDir, 'checkout.db'), `SELECT * FROM ${t} ORDER BY 1, 2`]).toString());
		const live = dump();
		assert.ok(live[0].includes('P ') && live[2].length > 0 && live[5].length > 0, 'the copies are filled');
		const r = await runCli(process.env.MERCATO_BIN, ['replay', 'checkout', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay failed: ${r.stderr}`);
		assert.deepEqual(dump(), live);
	});
});
