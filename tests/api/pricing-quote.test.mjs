/*
 * POST /api/v1/pricing/quote (docs/contracts/pricing-v1.md): prices from
 * pricing's own tables (base price, a group's price list, the country's
 * tax rates and the product's tax category), every condition and action
 * through HTTP with the arithmetic worked by hand in the comments, the
 * stacking rules explained (reason, blocked_by), coupons (any case,
 * expiry, disabled, limits), who may quote for whom, and bad input.
 *
 * Prices exclude tax unless a test says otherwise; Germany is 19%, so a
 * line's tax is round(net * 0.19), half away from zero, per line.  The use
 * counts (first order, promotion and coupon limits) come from real orders
 * placed through checkout, whose checkout.order.created events pricing
 * counts (tests/api/checkout-promotions.test.mjs has the checkout side).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SLOW, assertProblem, register, shippingZone, signIn, startServer, uniqueEmail, waitFor } from './lib/server.mjs';

const Q = '/api/v1/pricing/quote';
const P = '/api/v1/pricing/promotions';
const CP = '/api/v1/pricing/coupons';
const tag = () => randomBytes(3).toString('hex').toUpperCase();

function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	return p.errors.map((e) => e.field);
}

describe('pricing: the quote', () => {
	let s;
	let token;
	let cust;		/* a customer in group VIP */
	let custId;
	let other;		/* another customer */
	let otherId;
	let group;
	let catA;
	let T, M, BK, U, D;	/* SKUs: tee (cat A), mug, book (reduced), unpriced, draft */
	let teeId, mugId;
	let method;		/* checkout's shipping method for DE */

	/*
	 * An order of lines placed through checkout by bearer, once checkout's
	 * copies apply every promotion of want (and the coupon): pricing then
	 * counts it from checkout.order.created.
	 */
	async function order(bearer, lines, want, coupon) {
		const C = '/api/v1/checkout/carts';
		const c = await s.request('POST', C, { token: bearer });
		assert.ok([200, 201].includes(c.status), c.text);
		for (const l of lines)
			assert.equal((await s.request('POST', `${C}/${c.json.id}/lines`, { token: bearer,
				body: l })).status, 200);
		if (coupon)
			assert.equal((await s.request('PUT', `${C}/${c.json.id}/coupon`, { token: bearer,
				body: { code: coupon } })).status, 200);
		await waitFor(async () => {
			/* Setting a quantity prices the cart again from the copies. */
			const r = await s.request('PATCH', `${C}/${c.json.id}/lines/${lines[0].sku}`, { token: bearer,
				body: { quantity: lines[0].quantity } });
			return r.status === 200 && want.every((p) => r.json.promotions.find((x) => x.id === p.id)?.applied) &&
			    (!coupon || r.json.coupon.applied);
		}, { timeoutMs: 5000 * SLOW, message: 'checkout applies the promotions' });
		const o = await s.request('POST', '/api/v1/checkout/orders', { token: bearer,
			headers: { 'idempotency-key': `k-${tag()}${tag()}` }, body: { cart_id: c.json.id,
				email: 'quote@example.com', shipping_method: method, payment_method: 'bank_transfer',
				shipping_address: { name: 'Q', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115',
					country: 'DE' } } });
		assert.equal(o.status, 201, o.text);
		return o.json;
	}

	/* The quote once pricing has counted what fn waits for. */
	async function quoteWhen(body, opts, fn) {
		let q;
		await waitFor(async () => fn(q = await quote(body, opts)), { timeoutMs: 5000 * SLOW,
			message: 'pricing counted the order' });
		return q;
	}

	async function settings(body) {
		const g = await s.request('GET', '/api/v1/pricing/settings', { token });
		const r = await s.request('PUT', '/api/v1/pricing/settings', { token,
			headers: { 'if-match': g.headers.etag }, body });
		assert.equal(r.status, 200, r.text);
	}

	async function product(sku, price, extra = {}) {
		const r = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `P ${sku}`,
			status: 'active', variants: [{ sku }], ...extra } });
		assert.equal(r.status, 201, r.text);
		if (price !== null)
			assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
				body: { amount: price } })).status, 201);
		return r.json.id;
	}

	async function quote(body, opts = { token }) {
		const r = await s.request('POST', Q, { ...opts, body });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	/* Creates the promotions, runs fn with them, deletes them. */
	async function withPromos(defs, fn) {
		const made = [];
		try {
			for (const d of defs) {
				const r = await s.request('POST', P, { token, body: { name: 'p', ...d } });
				assert.equal(r.status, 201, r.text);
				made.push(r.json);
			}
			await fn(made);
		} finally {
			for (const p of made)
				await s.request('DELETE', `${P}/${p.id}`, { token, headers: { 'if-match': '"v1"' } });
		}
	}

	const promo = (q, p) => q.promotions.find((x) => x.id === p.id);
	const line = (q, sku) => q.lines.find((l) => l.sku === sku);

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		for (const [c, k, r] of [['DE', 'standard', 19000], ['DE', 'reduced', 7000], ['FR', 'standard', 20000]])
			assert.ok([200, 201].includes((await s.request('PUT', `/api/v1/pricing/tax-rates/${c}/${k}`, { token,
				body: { rate: r } })).status));
		await settings({ prices_include_tax: false });
		const c = await s.request('POST', '/api/v1/catalog/categories', { token, body: { name: `Tees ${tag()}` } });
		assert.equal(c.status, 201, c.text);
		catA = c.json.id;
		const t = tag();
		[T, M, BK, U, D] = ['T', 'M', 'B', 'U', 'D'].map((x) => `${x}-${t}`);
		teeId = await product(T, 1000, { categories: [catA] });
		mugId = await product(M, 2500);
		const bookId = await product(BK, 1070);
		assert.equal((await s.request('PUT', `/api/v1/pricing/products/${bookId}/tax-category`, { token,
			body: { category: 'reduced' } })).status, 200);
		await product(U, null);
		await product(D, 500, { status: 'draft' });
		const email = uniqueEmail('quote');
		const reg = await register(s, email, 'password-123');
		custId = reg.json.id;
		cust = (await signIn(s, email, 'password-123')).token;
		const email2 = uniqueEmail('quote2');
		otherId = (await register(s, email2, 'password-123')).json.id;
		other = (await signIn(s, email2, 'password-123')).token;
		const g = await s.request('POST', '/api/v1/pricing/groups', { token, body: { name: 'VIP', code: 'vip' } });
		group = g.json.id;
		assert.equal((await s.request('PUT', `/api/v1/pricing/groups/${group}/members/${custId}`, { token })).status, 201);
		assert.equal((await s.request('PUT', `/api/v1/pricing/groups/${group}/prices/${M}`, { token,
			body: { amount: 2000 } })).status, 201);
		method = (await shippingZone(s, token)).method;
	});

	after(async () => {
		await s?.close();
	});

	/* 2 tees at 10.00 and a mug at 25.00 */
	const cart1 = () => [{ sku: T, quantity: 2 }, { sku: M, quantity: 1 }];

	it('prices a cart from base prices and the country\'s rates: 2 x 10.00 + 25.00', async () => {
		const q = await quote({ lines: cart1() }, {});
		/* T: 2000, tax 380; M: 2500, tax 475; total 4500 + 855 = 5355 */
		assert.deepEqual(q.lines.map((l) => [l.sku, l.unit_price, l.subtotal, l.net, l.tax, l.total, l.price_source]),
			[[T, 1000, 2000, 2000, 380, 2380, 'base'], [M, 2500, 2500, 2500, 475, 2975, 'base']]);
		assert.deepEqual(q.totals, { subtotal: 4500, item_discount: 0, order_discount: 0, shipping: 0,
			shipping_discount: 0, shipping_tax: 0, shipping_total: 0, discount: 0, tax: 855, total: 5355 });
		assert.deepEqual([q.currency, q.country, q.prices_include_tax, q.customer_id, q.coupon], ['EUR', 'DE', false, null, null]);
		assert.equal(line(q, T).product_id, teeId);
		assert.equal(line(q, T).tax_rate, 19000);
	});

	it('country and tax category: FR 20%, a reduced-rate book at 7%', async () => {
		/* FR has no reduced rate here: the country is named */
		const bk2 = `B2-${tag()}`;
		const id2 = await product(bk2, 990);
		await s.request('PUT', `/api/v1/pricing/products/${id2}/tax-category`, { token, body: { category: 'reduced' } });
		const bad = await s.request('POST', Q, { body: { lines: [{ sku: BK, quantity: 1 }, { sku: T, quantity: 1 },
			{ sku: bk2, quantity: 1 }, { sku: 'NO-SUCH', quantity: 1 }], country: 'FR' } });
		/* the country is named once, however many lines lack a rate */
		assert.deepEqual(fieldsOf(bad), ['country', 'lines[3].sku']);
		assert.equal(bad.json.errors[0].message, 'has no tax rate for tax category reduced');
		const fr = await quote({ lines: [{ sku: T, quantity: 1 }], country: 'FR' }, {});
		assert.deepEqual([fr.lines[0].tax, fr.totals.total], [200, 1200]);
		/* 10.70 at 7% = 0.749 -> 0.75 */
		const de = await quote({ lines: [{ sku: BK, quantity: 1 }] }, {});
		assert.deepEqual([de.lines[0].tax_category, de.lines[0].tax_rate, de.lines[0].tax, de.totals.total],
			['reduced', 7000, 75, 1145]);
	});

	it('prices including tax: 10.00 holds round(1000 x 19/119) = 1.60 tax', async () => {
		await settings({ prices_include_tax: true });
		try {
			const q = await quote({ lines: [{ sku: T, quantity: 1 }] }, {});
			assert.deepEqual([q.prices_include_tax, q.lines[0].tax, q.totals.total], [true, 160, 1000]);
		} finally {
			await settings({ prices_include_tax: false });
		}
	});

	it('order_percent with min_subtotal: 10% off 45.00 is 4.50, split 2.00 / 2.50', async () => {
		await withPromos([{ conditions: { min_subtotal: 4000 }, action: { type: 'order_percent', rate: 10000 } }], async ([p]) => {
			const q = await quote({ lines: cart1() }, {});
			/* T net 1800 tax 342; M net 2250 tax 427.5 -> 428; 1800+342+2250+428 = 4820 */
			assert.deepEqual(q.lines.map((l) => [l.order_discount, l.net, l.tax, l.total]),
				[[200, 1800, 342, 2142], [250, 2250, 428, 2678]]);
			assert.deepEqual([q.totals.order_discount, q.totals.tax, q.totals.total], [450, 770, 4820]);
			assert.deepEqual(promo(q, p), { id: p.id, name: 'p', trigger: 'automatic', priority: 0, class: 'order',
				applied: true, amount: 450, reason: 'applied', blocked_by: null, applications: 0 });
			const small = await quote({ lines: [{ sku: T, quantity: 1 }] }, {});
			assert.deepEqual([promo(small, p).applied, promo(small, p).reason, small.totals.total], [false, 'min_subtotal', 1190]);
		});
	});

	it('order_fixed with min_quantity: 5.00 over 20.00 / 25.00 by largest remainder is 2.22 / 2.78', async () => {
		await withPromos([{ conditions: { min_quantity: 3 }, action: { type: 'order_fixed', amount: 500 } }], async ([p]) => {
			const q = await quote({ lines: cart1() }, {});
			/* exact 222.2 / 277.8: floors 222 + 277 = 499, the cent left to the larger remainder (M) */
			assert.deepEqual(q.lines.map((l) => [l.order_discount, l.net, l.tax]), [[222, 1778, 338], [278, 2222, 422]]);
			assert.equal(q.totals.total, 4760);
			const two = await quote({ lines: [{ sku: T, quantity: 1 }, { sku: M, quantity: 1 }] }, {});
			assert.equal(promo(two, p).reason, 'min_quantity');
		});
	});

	it('items_percent on SKUs, items_fixed on a category, items_fixed_total on products', async () => {
		await withPromos([{ conditions: { match: { skus: [T] } }, action: { type: 'items_percent', rate: 25000 } }], async ([p]) => {
			const q = await quote({ lines: cart1() }, {});
			/* 25% of 2000 = 500: T net 1500 tax 285 total 1785; M 2975 */
			assert.deepEqual(q.lines.map((l) => [l.item_discount, l.net, l.tax, l.total]), [[500, 1500, 285, 1785], [0, 2500, 475, 2975]]);
			assert.deepEqual([promo(q, p).class, promo(q, p).amount, q.totals.total], ['product', 500, 4760]);
			const none = await quote({ lines: [{ sku: M, quantity: 1 }] }, {});
			assert.equal(promo(none, p).reason, 'no_matching_items');
		});
		await withPromos([{ conditions: { match: { category_ids: [catA] } }, action: { type: 'items_fixed', amount: 150 } }], async ([p]) => {
			const q = await quote({ lines: cart1() }, {});
			/* 1.50 off each of 2 tees = 300: net 1700, tax 323 */
			assert.deepEqual([line(q, T).item_discount, line(q, T).net, line(q, T).tax, promo(q, p).amount], [300, 1700, 323, 300]);
		});
		await withPromos([{ conditions: { match: { product_ids: [teeId, mugId] } }, action: { type: 'items_fixed_total', amount: 300 } }], async ([p]) => {
			const q = await quote({ lines: cart1() }, {});
			/* 3.00 over 20.00 / 25.00: 133.3 / 166.7 -> 133 + 166, the cent to M: 133 / 167; tax 1867 -> 354.73 -> 355, 2333 -> 443.27 -> 443 */
			assert.deepEqual(q.lines.map((l) => [l.item_discount, l.net, l.tax]), [[133, 1867, 355], [167, 2333, 443]]);
			assert.equal(promo(q, p).amount, 300);
		});
	});

	it('buy X get Y: buy 2 tees get 1 free; buy a tee get a mug at half price', async () => {
		await withPromos([{ conditions: { match: { category_ids: [catA] } },
			action: { type: 'buy_x_get_y', buy_qty: 2, get_qty: 1, rate: 100000 } }], async ([p]) => {
			const q = await quote({ lines: [{ sku: T, quantity: 3 }] }, {});
			/* 3 x 10.00, one free: net 2000, tax 380 */
			assert.deepEqual([q.lines[0].item_discount, q.lines[0].net, q.lines[0].tax, promo(q, p).applications, promo(q, p).amount],
				[1000, 2000, 380, 1, 1000]);
			const two = await quote({ lines: [{ sku: T, quantity: 2 }] }, {});
			assert.equal(promo(two, p).reason, 'min_quantity');
		});
		await withPromos([{ conditions: { match: { skus: [T] } },
			action: { type: 'buy_x_get_y', buy_qty: 1, get_qty: 1, rate: 50000, get_match: { skus: [M] } } }], async ([p]) => {
			const q = await quote({ lines: [{ sku: T, quantity: 1 }, { sku: M, quantity: 1 }] }, {});
			/* the mug at 50%: 1250 off, net 1250, tax 237.5 -> 238 */
			assert.deepEqual([line(q, M).item_discount, line(q, M).net, line(q, M).tax, line(q, T).item_discount], [1250, 1250, 238, 0]);
			assert.equal(promo(q, p).applications, 1);
		});
	});

	it('free shipping: a flat 4.90 shipping (tax 0.93) becomes 0', async () => {
		await settings({ shipping_amount: 490 });
		try {
			const q0 = await quote({ lines: cart1() }, {});
			/* 490 x 0.19 = 93.1 -> 93 */
			assert.deepEqual([q0.totals.shipping, q0.totals.shipping_tax, q0.totals.shipping_total, q0.totals.total],
				[490, 93, 583, 5938]);
			await withPromos([{ action: { type: 'free_shipping' } }], async ([p]) => {
				const q = await quote({ lines: cart1() }, {});
				assert.deepEqual([q.totals.shipping_discount, q.totals.shipping_tax, q.totals.shipping_total, q.totals.total],
					[490, 0, 0, 5355]);
				assert.deepEqual([promo(q, p).class, promo(q, p).amount], ['shipping', 490]);
			});
		} finally {
			await settings({ shipping_amount: 0 });
		}
		await withPromos([{ action: { type: 'free_shipping' } }], async ([p]) => {
			const q = await quote({ lines: cart1() }, {});
			assert.equal(promo(q, p).reason, 'nothing_to_discount');
		});
	});

	it('customer group: the group\'s price list and a group-only promotion', async () => {
		await withPromos([{ conditions: { customer_groups: [group] }, action: { type: 'order_percent', rate: 10000 } }], async ([p]) => {
			const mine = await quote({ lines: [{ sku: M, quantity: 1 }] }, { token: cust });
			/* the group's 20.00, 10% off = 18.00, tax 3.42 */
			assert.deepEqual([mine.customer_id, mine.lines[0].unit_price, mine.lines[0].price_source, mine.lines[0].group_id,
				mine.lines[0].net, mine.lines[0].tax, mine.totals.total], [custId, 2000, 'group', group, 1800, 342, 2142]);
			assert.equal(promo(mine, p).applied, true);
			const staff = await quote({ lines: [{ sku: M, quantity: 1 }], customer_id: custId });
			assert.deepEqual(staff.totals, mine.totals);
			const guest = await quote({ lines: [{ sku: M, quantity: 1 }] }, {});
			assert.deepEqual([guest.lines[0].unit_price, promo(guest, p).reason], [2500, 'customer_group']);
			const o = await quote({ lines: [{ sku: M, quantity: 1 }] }, { token: other });
			assert.equal(promo(o, p).reason, 'customer_group');
		});
	});

	it('first order, usage limits: counted from a real order', async () => {
		await withPromos([
			{ name: 'first', conditions: { first_order: true }, action: { type: 'order_fixed', amount: 100 }, combines_with: ['order'] },
			{ name: 'total', usage_limit: 1, action: { type: 'order_fixed', amount: 100 }, combines_with: ['order'] },
			{ name: 'per customer', customer_usage_limit: 1, action: { type: 'order_fixed', amount: 100 }, combines_with: ['order'] },
		], async ([first, total, per]) => {
			let q = await quote({ lines: cart1() }, { token: other });
			assert.deepEqual([first, total, per].map((p) => promo(q, p).reason), ['applied', 'applied', 'applied']);
			assert.equal(q.totals.order_discount, 300);
			/* other's first order uses all three */
			assert.equal((await order(other, cart1(), [first, total, per])).discount, 300);
			q = await quoteWhen({ lines: cart1() }, { token: other }, (x) => promo(x, total).reason !== 'applied');
			assert.deepEqual([first, total, per].map((p) => promo(q, p).reason), ['first_order', 'usage_limit', 'customer_usage_limit']);
			assert.equal(q.totals.order_discount, 0);
			/* a guest counts as a first order; the total limit holds for everyone */
			q = await quote({ lines: cart1() }, {});
			assert.deepEqual([first, total, per].map((p) => promo(q, p).reason), ['applied', 'usage_limit', 'applied']);
			const g = await s.request('GET', `${P}/${total.id}`, { token });
			assert.equal(g.json.uses, 1);
		});
	});

	it('date window: not started, expired', async () => {
		const day = 86400000;
		await withPromos([
			{ starts_at: new Date(Date.now() + day).toISOString(), action: { type: 'order_percent', rate: 10000 } },
			{ starts_at: new Date(Date.now() - 2 * day).toISOString(), ends_at: new Date(Date.now() - day).toISOString(),
				action: { type: 'order_percent', rate: 10000 } },
			{ starts_at: new Date(Date.now() - day).toISOString(), ends_at: new Date(Date.now() + day).toISOString(),
				action: { type: 'order_fixed', amount: 1 } },
		], async ([future, past, now]) => {
			const q = await quote({ lines: cart1() }, {});
			assert.deepEqual([promo(q, future).reason, promo(q, past).reason, promo(q, now).reason], ['not_started', 'expired', 'applied']);
		});
	});

	it('stacking: exclusive, does not combine, combines (compounding), priority sets the order', async () => {
		await withPromos([
			{ priority: 10, exclusive: true, action: { type: 'order_percent', rate: 10000 } },
			{ priority: 5, combines_with: ['product', 'order', 'shipping'], action: { type: 'order_fixed', amount: 100 } },
		], async ([ex, fx]) => {
			const q = await quote({ lines: cart1() }, {});
			assert.deepEqual([promo(q, ex).applied, promo(q, fx).reason, promo(q, fx).blocked_by, q.totals.discount],
				[true, 'exclusive_conflict', ex.id, 450]);
			assert.deepEqual(q.promotions.map((x) => x.id), [ex.id, fx.id], 'in precedence order');
		});
		await withPromos([
			{ priority: 10, action: { type: 'items_percent', rate: 10000 } },
			{ priority: 5, combines_with: ['product'], action: { type: 'order_percent', rate: 10000 } },
		], async ([it10, ord]) => {
			const q = await quote({ lines: cart1() }, {});
			/* the product discount lists no order class: they do not combine */
			assert.deepEqual([promo(q, it10).amount, promo(q, ord).reason, promo(q, ord).blocked_by], [450, 'does_not_combine', it10.id]);
		});
		await withPromos([
			{ priority: 10, combines_with: ['order'], action: { type: 'items_percent', rate: 10000 } },
			{ priority: 5, combines_with: ['product'], action: { type: 'order_percent', rate: 10000 } },
		], async ([it10, ord]) => {
			const q = await quote({ lines: cart1() }, {});
			/* items: 200 + 250; order 10% of 1800 + 2250 = 405 -> 180 / 225; nets 1620 / 2025, tax 307.8 -> 308, 384.75 -> 385 */
			assert.deepEqual([promo(q, it10).amount, promo(q, ord).amount], [450, 405]);
			assert.deepEqual(q.lines.map((l) => [l.item_discount, l.order_discount, l.net, l.tax]),
				[[200, 180, 1620, 308], [250, 225, 2025, 385]]);
			assert.deepEqual([q.totals.discount, q.totals.total], [855, 4338]);
		});
		/* two order discounts that combine: the higher priority goes first */
		let fixedFirst, pctFirst;
		await withPromos([
			{ priority: 10, combines_with: ['order'], action: { type: 'order_fixed', amount: 1000 } },
			{ priority: 5, combines_with: ['order'], action: { type: 'order_percent', rate: 10000 } },
		], async () => { fixedFirst = (await quote({ lines: cart1() }, {})).totals.order_discount; });
		await withPromos([
			{ priority: 5, combines_with: ['order'], action: { type: 'order_fixed', amount: 1000 } },
			{ priority: 10, combines_with: ['order'], action: { type: 'order_percent', rate: 10000 } },
		], async () => { pctFirst = (await quote({ lines: cart1() }, {})).totals.order_discount; });
		/* 1000 then 10% of 3500 = 350 -> 1350; 10% of 4500 = 450 then 1000 -> 1450 */
		assert.deepEqual([fixedFirst, pctFirst], [1350, 1450]);
	});

	it('coupons: any case, explained when they do not apply, 422 when unknown', async () => {
		await withPromos([{ trigger: 'code', action: { type: 'order_fixed', amount: 500 } },
			{ trigger: 'code', conditions: { min_subtotal: 100000 }, action: { type: 'order_fixed', amount: 500 } }], async ([p, big]) => {
			const code = `Save-${tag()}`;
			const mk = async (c, promotion, extra = {}) => assert.equal((await s.request('POST', CP, { token,
				body: { code: c, promotion_id: promotion.id, ...extra } })).status, 201);
			await mk(code, p);
			const q = await quote({ lines: cart1(), coupon: code.toLowerCase() }, {});
			assert.deepEqual(q.coupon, { code: code.toUpperCase(), promotion_id: p.id, applied: true, reason: 'applied' });
			assert.deepEqual([promo(q, p).applied, q.totals.order_discount, q.promotions.length], [true, 500, 1]);
			/* the storefront does not see code promotions nobody entered; staff do */
			const pub = await quote({ lines: cart1() }, {});
			assert.deepEqual([pub.promotions.length, pub.totals.discount], [0, 0]);
			const st = await quote({ lines: cart1() });
			assert.deepEqual([promo(st, p).reason, promo(st, big).reason], ['code_required', 'code_required']);
			/* exists but its promotion's conditions fail: explained, not refused */
			const bigCode = `BIG${tag()}`;
			await mk(bigCode, big);
			const b = await quote({ lines: cart1(), coupon: bigCode }, {});
			assert.deepEqual(b.coupon, { code: bigCode, promotion_id: big.id, applied: false, reason: 'min_subtotal' });
			/* expired, disabled, used up */
			const old = `OLD${tag()}`;
			await mk(old, p, { expires_at: '2020-01-01T00:00:00Z' });
			const e = await quote({ lines: cart1(), coupon: old });
			assert.deepEqual([e.coupon.applied, e.coupon.reason, promo(e, p).reason, e.totals.discount], [false, 'expired', 'code_required', 0]);
			const off = `OFF${tag()}`;
			await mk(off, p);
			await s.request('PATCH', `${CP}/${off}`, { token, headers: { 'if-match': '"v1"' }, body: { status: 'disabled' } });
			assert.equal((await quote({ lines: cart1(), coupon: off }, {})).coupon.reason, 'disabled');
			const once = `ONCE${tag()}`;
			await mk(once, p, { usage_limit: 1, customer_usage_limit: 1 });
			const perc = `PC${tag()}`;
			await mk(perc, p, { customer_usage_limit: 1 });
			/* cust's orders use each once */
			await order(cust, cart1(), [p], once);
			await order(cust, cart1(), [p], perc);
			await quoteWhen({ lines: cart1(), coupon: perc }, { token: cust }, (x) => x.coupon.reason !== 'applied');
			assert.equal((await quote({ lines: cart1(), coupon: once }, {})).coupon.reason, 'usage_limit');
			assert.equal((await quote({ lines: cart1(), coupon: perc }, { token: cust })).coupon.reason, 'customer_usage_limit');
			assert.equal((await quote({ lines: cart1(), coupon: perc }, { token: other })).coupon.reason, 'applied');
			assert.deepEqual(fieldsOf(await s.request('POST', Q, { body: { lines: cart1(), coupon: 'NOSUCH' } })), ['coupon']);
			assert.deepEqual(fieldsOf(await s.request('POST', Q, { body: { lines: cart1(), coupon: 'no such' } })), ['coupon']);
		});
	});

	it('who may quote for whom: a customer for itself only (403), anonymous for nobody (401), staff for anyone', async () => {
		const own = await quote({ lines: cart1(), customer_id: custId }, { token: cust });
		assert.equal(own.customer_id, custId);
		assertProblem(await s.request('POST', Q, { token: cust, body: { lines: cart1(), customer_id: otherId } }), 403, 'forbidden');
		assertProblem(await s.request('POST', Q, { body: { lines: cart1(), customer_id: custId } }), 401, 'unauthorized');
		assertProblem(await s.request('POST', Q, { token: 'not.a.token', body: { lines: cart1() } }), 401, 'invalid-token');
		assert.equal((await quote({ lines: cart1(), customer_id: otherId })).customer_id, otherId);
		assert.deepEqual(fieldsOf(await s.request('POST', Q, { token, body: { lines: cart1(),
			customer_id: 'usr_01JDY2K8M3N4P5Q6R7S8T9V0WX' } })), ['customer_id']);
	});

	it('titles and names are escaped in the answer (quotes, backslash, non-ASCII)', async () => {
		const sku = `ESC-${tag()}`;
		const title = 'Tee "Deluxe" \\ 100% Baumwolle ü ☃';
		const r = await s.request('POST', '/api/v1/catalog/products', { token, body: { title,
			status: 'active', variants: [{ sku }] } });
		assert.equal(r.status, 201, r.text);
		await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token, body: { amount: 100 } });
		await withPromos([{ name: 'Say "hi" \\ é', action: { type: 'order_fixed', amount: 1 } }], async ([p]) => {
			const q = await quote({ lines: [{ sku, quantity: 1 }] }, {});
			assert.equal(q.lines[0].title, title);
			assert.equal(promo(q, p).name, 'Say "hi" \\ é');
		});
	});

	it('bad input: 422 naming the line or field, nothing quoted', async () => {
		const f = async (body, o = {}) => fieldsOf(await s.request('POST', Q, { ...o, body }));
		assert.deepEqual(await f({ lines: [{ sku: T, quantity: 1 }, { sku: 'NOPE-1', quantity: 1 }] }), ['lines[1].sku']);
		const un = await s.request('POST', Q, { body: { lines: [{ sku: U, quantity: 1 }] } });
		assert.deepEqual(fieldsOf(un), ['lines[0].sku']);
		assert.match(un.json.errors[0].message, /no price/);
		assert.deepEqual(await f({ lines: [{ sku: D, quantity: 1 }] }), ['lines[0].sku'], 'a draft is not on sale');
		assert.equal((await quote({ lines: [{ sku: D, quantity: 1 }] })).totals.subtotal, 500, 'staff may quote a draft');
		assert.deepEqual(await f({ lines: [{ sku: T, quantity: 1 }, { sku: T, quantity: 2 }] }), ['lines[1].sku']);
		assert.deepEqual(await f({ lines: [{ sku: T, quantity: 0 }] }), ['lines[0].quantity']);
		assert.deepEqual(await f({ lines: [{ sku: T, quantity: 1.5 }] }), ['lines[0].quantity']);
		assert.deepEqual(await f({ lines: [{ sku: T, quantity: 1, price: 1 }], country: 'de' }), ['country']);
		assert.deepEqual(await f({ lines: [{ sku: T, quantity: 1 }], country: 'US' }), ['country']);
		assert.deepEqual(await f({ lines: [] }), ['lines']);
		assert.deepEqual(await f({}), ['lines']);
		assert.deepEqual(await f({ lines: Array.from({ length: 201 }, (_, i) => ({ sku: `X-${i}`, quantity: 1 })) }), ['lines']);
		assert.deepEqual(await f({ lines: [{ sku: 'bad sku', quantity: 1 }] }), ['lines[0].sku']);
	});
});
