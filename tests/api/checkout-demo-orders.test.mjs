/*
 * The demo orders of a fresh demo shop (modules/checkout/checkout_order_seed.c):
 * a dozen guest orders placed through the real order path over the last
 * four weeks, in the states a shop sees: awaiting a bank transfer, paid,
 * prepared, shipped with tracking, delivered (by bank transfer and cash
 * on delivery), cancelled by staff (unpaid, and paid with its refund),
 * cancelled by catalog for want of stock, and one partly refunded.
 * Numbers have no gaps, approved orders have invoice numbers, every
 * payment agrees with its order, catalog's reservations are exactly what
 * the orders not yet shipped (nor cancelled) hold, and what the shipped
 * and delivered ones took is off the shelf, one "sale" per line.  A
 * restart does not seed again, and a shop started with MERCATO_SEED=0 has
 * no orders.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startServer } from './lib/server.mjs';

const O = '/api/v1/checkout/orders';
const DAY = 24 * 3600 * 1000;

describe('checkout: demo orders of a fresh demo shop', () => {
	let s, token, list;
	const details = new Map();

	before(async () => {
		s = await startServer();
		token = await s.adminToken();
		const r = await s.request('GET', `${O}?limit=200`, { token });
		assert.equal(r.status, 200, r.text);
		list = r.json.data;
		for (const o of list)
			details.set(o.id, (await s.request('GET', `${O}/${o.id}`, { token })).json);
	});

	after(async () => {
		await s?.close();
	});

	const find = (fn) => [...details.values()].filter(fn);

	it('has orders in every state a shop sees', () => {
		assert.equal(list.length, 12);
		const awaiting = find((o) => o.status === 'approved' && o.payment_method === 'bank_transfer' && o.paid === 0);
		assert.ok(awaiting.length >= 1, 'awaiting a bank transfer');
		assert.ok(awaiting.every((o) => o.next_actions.includes('paid')));
		assert.equal(find((o) => o.status === 'paid').length, 1);
		const prepared = find((o) => o.status === 'prepared');
		assert.equal(prepared.length, 1);
		assert.equal(prepared[0].payment_method, 'cod', 'cash on delivery is prepared before it is paid');
		const shipped = find((o) => o.status === 'shipped');
		assert.equal(shipped.length, 1);
		assert.equal(shipped[0].carrier, 'DHL');
		assert.match(shipped[0].tracking_number, /^\d{20}$/);
		const delivered = find((o) => o.status === 'delivered');
		assert.equal(delivered.length, 4);
		assert.ok(delivered.some((o) => o.payment_method === 'cod' && o.paid === o.total));
		const stock = find((o) => o.status === 'cancelled' && o.cancel_reason.startsWith('out-of-stock:'));
		assert.equal(stock.length, 1, 'cancelled by catalog for want of stock');
		assert.match(stock[0].cancel_reason, /SHI-00-S \(requested 1, available 0\)/);
		assert.equal(stock[0].invoice_number, 0);
		assert.equal(stock[0].payment.state, 'cancelled');
		const staff = find((o) => o.status === 'cancelled' && !o.cancel_reason.startsWith('out-of-stock:'));
		assert.equal(staff.length, 2, 'cancelled by staff');
		const refundedOnCancel = staff.find((o) => o.paid > 0);
		assert.equal(refundedOnCancel.refunded, refundedOnCancel.paid);
		assert.equal(refundedOnCancel.payment.state, 'refunded');
		assert.equal(staff.find((o) => o.paid === 0).payment.state, 'cancelled');
		const part = find((o) => o.payment_status === 'partially_refunded');
		assert.equal(part.length, 1);
		assert.equal(part[0].lines[0].refunded_quantity, 1);
		assert.ok(part[0].refunded > 0 && part[0].refunded < part[0].paid);
		assert.equal(part[0].timeline.at(-1).type, 'refunded');
		assert.equal(part[0].timeline.at(-1).payload.credit_note_number, part[0].last_credit_note);
	});

	it('placed them over the last four weeks, each step after the one before', () => {
		const now = Date.now();
		const days = new Set();
		for (const o of list) {
			const at = Date.parse(o.created_at);
			assert.ok(at <= now && at > now - 30 * DAY, `order ${o.number} placed in the last 30 days`);
			days.add(o.created_at.slice(0, 10));
		}
		assert.ok(days.size >= 10, `spread over ${days.size} days`);
		const oldest = Math.min(...list.map((o) => Date.parse(o.created_at)));
		assert.ok(oldest < now - 20 * DAY, 'the oldest is weeks old');
		for (const d of details.values()) {
			const ats = d.timeline.map((e) => Date.parse(e.at));
			assert.deepEqual(ats, [...ats].sort((a, b) => a - b), `order ${d.number}: steps in time order`);
			assert.ok(ats.at(-1) <= now, `order ${d.number}: nothing in the future`);
			assert.equal(ats[0], d.created_at, `order ${d.number}: placed when created`);
		}
		/* The list filters by the placed time like any other order. */
		return s.request('GET', `${O}?from=${new Date(now - 7 * DAY).toISOString()}`, { token }).then((r) => {
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.data.length, list.filter((o) => Date.parse(o.created_at) >= now - 7 * DAY).length);
			assert.ok(r.json.data.length > 0 && r.json.data.length < 12);
		});
	});

	it('numbers them without gaps, with invoices and payments that agree', () => {
		const nums = list.map((o) => o.number).sort((a, b) => a - b);
		assert.equal(nums.at(-1) - nums[0] + 1, 12);
		const invoices = find((o) => o.invoice_number > 0).map((o) => o.invoice_number);
		assert.equal(invoices.length, 11, 'every approved order has an invoice number');
		assert.equal(new Set(invoices).size, 11);
		for (const d of details.values()) {
			assert.equal(d.payment.provider, d.payment_method);
			assert.equal(d.payment.amount, d.total);
			assert.equal(d.payment.captured, d.paid, `order ${d.number}: captured = paid`);
			assert.equal(d.payment.refunded, d.refunded, `order ${d.number}: refunded agrees`);
			assert.equal(d.timeline.filter((e) => e.type === 'paid').reduce((a, e) => a + e.payload.amount, 0), d.paid);
		}
	});

	it('holds what unshipped orders hold; shipped ones took their units off the shelf, once', async () => {
		const shipped = (d) => d.timeline.some((e) => e.type === 'shipped');
		const held = new Map();
		const sold = new Map();
		const add = (m, sku, q) => m.set(sku, (m.get(sku) ?? 0) + q);
		for (const d of details.values()) {
			assert.equal(shipped(d), ['shipped', 'delivered'].includes(d.status),
			    `order ${d.number}: shipped or delivered is what went out`);
			for (const l of d.lines) {
				add(held, l.sku, d.status === 'cancelled' || shipped(d) ? 0 : l.quantity);
				add(sold, l.sku, shipped(d) ? l.quantity : 0);
			}
		}
		assert.ok([...sold.values()].reduce((a, q) => a + q, 0) >= 5, 'the demo shipped goods');
		for (const [sku, qty] of held) {
			const st = (await s.request('GET', `/api/v1/catalog/stock/${sku}`, { token })).json;
			assert.ok(st.movements.length < 50, `${sku}: the whole ledger is shown`);
			assert.equal(st.reserved, qty, `${sku}: reserved = what the approved, paid and prepared orders hold`);
			assert.equal(st.available, st.on_hand - st.reserved);
			const sum = (k, ms = st.movements) => ms.reduce((a, m) => a + m[k], 0);
			assert.equal(sum('reserved_delta'), st.reserved, `${sku}: the ledger adds up`);
			assert.equal(sum('on_hand_delta'), st.on_hand);
			/* On hand: what came in (initial stock, staff), less what shipped. */
			const orderRows = st.movements.filter((m) => m.reference.startsWith('ord_'));
			const intake = st.movements.filter((m) => !m.reference.startsWith('ord_'));
			assert.ok(intake.every((m) => m.reserved_delta === 0 && m.reason !== 'sale'));
			assert.equal(st.on_hand, sum('on_hand_delta', intake) - sold.get(sku),
			    `${sku}: on hand dropped by what shipped and delivered orders hold`);
			/* One sale row per shipped line, nothing else from orders moves on hand. */
			const sales = orderRows.filter((m) => m.reason === 'sale');
			const want = [...details.values()].filter(shipped).flatMap((d) => d.lines
			    .filter((l) => l.sku === sku).map((l) => [d.id, -l.quantity, -l.quantity]));
			assert.deepEqual(sales.map((m) => [m.reference, m.on_hand_delta, m.reserved_delta]).sort(), want.sort(),
			    `${sku}: one sale row per shipped order line`);
			assert.ok(orderRows.every((m) => m.reason === 'sale' || m.on_hand_delta === 0),
			    `${sku}: only a sale moves on hand`);
		}
	});

	it('seeds a fresh shop only: a restart adds nothing, MERCATO_SEED=0 has none', async () => {
		await s.restart();
		token = await s.adminToken();
		const r = await s.request('GET', `${O}?limit=200`, { token });
		assert.deepEqual(r.json.data.map((o) => o.id), list.map((o) => o.id));
		const bare = await startServer({ env: { MERCATO_SEED: '0' } });
		try {
			const t = await bare.adminToken();
			assert.deepEqual((await bare.request('GET', O, { token: t })).json.data, []);
		} finally {
			await bare.close();
		}
	});
});
