/*
 * Invoices (modules/checkout/checkout_invoice_settings.c and
 * checkout_order_invoice.c): staff set the seller the invoice names (name,
 * address lines, VAT id, footer note) through GET/PUT
 * /api/v1/checkout/invoice-settings with ETag / If-Match; text is cleaned
 * of control characters and checked per field (422 problem+json that
 * writes nothing).  The printed invoice shows the seller, escaped, the
 * buyer, the invoice and order numbers; only an approved order (it has an
 * invoice number) is headed "Invoice".  A customer prints only their own
 * order's invoice: another customer's, a guest's or an unknown id are all
 * 404.  A fresh demo shop names a believable demo seller.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, customerToken, shippingZone, startServer } from './lib/server.mjs';

const S = '/api/v1/checkout/invoice-settings';
const C = '/api/v1/checkout/carts';
const O = '/api/v1/checkout/orders';
const ME = '/api/v1/checkout/me/orders';
const tag = () => randomBytes(3).toString('hex').toUpperCase();
const key = () => `k-${randomBytes(8).toString('hex')}`;
const ADDR = { name: 'Ada Buyer', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' };

describe('checkout: invoice settings and invoices', () => {
	let s, token, cust, cust2, method, T, SOLD_OUT;

	async function product(sku, price, onHand) {
		const r = await s.request('POST', '/api/v1/catalog/products', { token, body: { title: `P ${sku}`,
			status: 'active', variants: [{ sku, on_hand: onHand }] } });
		assert.equal(r.status, 201, r.text);
		assert.equal((await s.request('PUT', `/api/v1/pricing/prices/${sku}`, { token,
			body: { amount: price } })).status, 201);
	}

	/* An order of sku placed by bearer (a customer), or by a guest. */
	async function order(sku, bearer, extra = {}) {
		const c = await s.request('POST', C, bearer ? { token: bearer } : {});
		assert.ok([200, 201].includes(c.status), c.text);
		const opts = bearer ? { token: bearer } : { headers: { 'x-cart-token': c.json.token } };
		const l = await s.request('POST', `${C}/${c.json.id}/lines`, { ...opts, body: { sku, quantity: 1 } });
		assert.equal(l.status, 200, l.text);
		const r = await s.request('POST', O, { ...opts, headers: { ...(opts.headers || {}), 'idempotency-key': key() },
			body: { cart_id: c.json.id, email: 'ada@example.com', shipping_address: ADDR,
				shipping_method: method, payment_method: 'bank_transfer', ...extra } });
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	async function settings() {
		const r = await s.request('GET', S, { token });
		assert.equal(r.status, 200, r.text);
		return r;
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		cust = await customerToken(s, 'inv1');
		cust2 = await customerToken(s, 'inv2');
		assert.ok([200, 201].includes((await s.request('PUT', '/api/v1/pricing/tax-rates/DE/standard',
		    { token, body: { rate: 19000 } })).status));
		method = (await shippingZone(s, token)).method;
		T = `INV-${tag()}`;
		SOLD_OUT = `INV0-${tag()}`;
		await product(T, 1000, 1000);
		await product(SOLD_OUT, 500, 0);
	});

	after(async () => {
		await s?.close();
	});

	it('starts as "My shop" with nothing else, versioned', async () => {
		const r = await settings();
		assert.equal(r.headers.etag, '"v1"');
		assert.match(r.headers['cache-control'], /no-store/);
		assert.equal(r.json.seller_name, 'My shop');
		assert.equal(r.json.seller_address, '');
		assert.equal(r.json.vat_id, '');
		assert.equal(r.json.footer, '');
		assert.equal(r.json.version, 1);
		assert.match(r.json.updated_at, /^\d{4}-\d{2}-\d{2}T/);
	});

	it('refuses anyone but staff', async () => {
		assertProblem(await s.request('GET', S), 401);
		assertProblem(await s.request('PUT', S, { body: { seller_name: 'X' }, headers: { 'if-match': '*' } }), 401);
		assertProblem(await s.request('GET', S, { token: cust }), 403);
		assertProblem(await s.request('PUT', S, { token: cust, body: { seller_name: 'X' },
			headers: { 'if-match': '*' } }), 403);
		assert.equal((await settings()).json.seller_name, 'My shop', 'nothing written');
	});

	it('refuses bad input per field, writing nothing', async () => {
		const put = (body, h = { 'if-match': '*' }) => s.request('PUT', S, { token, body, headers: h });
		let p = assertProblem(await put({
			seller_name: ' \u0007 ',
			seller_address: Array.from({ length: 9 }, (_, i) => `Line ${i + 1}`).join('\n'),
			vat_id: 'DE<123>',
			footer: 42,
		}), 422, 'validation');
		assert.deepEqual(p.errors.map((e) => e.field).sort(), ['footer', 'seller_address', 'seller_name', 'vat_id']);
		assert.match(p.errors.find((e) => e.field === 'seller_name').message, /empty/);
		assert.match(p.errors.find((e) => e.field === 'seller_address').message, /8 lines/);
		p = assertProblem(await put({ seller_name: 'x'.repeat(101), vat_id: 'D'.repeat(33),
			seller_address: 'a'.repeat(401), footer: 'f'.repeat(1001) }), 422, 'validation');
		assert.deepEqual(p.errors.map((e) => e.field).sort(), ['footer', 'seller_address', 'seller_name', 'vat_id']);
		/* 100 characters of two bytes each is within the limit: characters count, not bytes. */
		p = assertProblem(await put({ seller_name: 'ä'.repeat(100), vat_id: ['DE1'] }), 422, 'validation');
		assert.deepEqual(p.errors.map((e) => e.field), ['vat_id']);
		assertProblem(await put([1, 2]), 400, 'malformed-body');
		assertProblem(await put({ seller_name: 'No header' }, {}), 428, 'precondition-required');
		const stale = assertProblem(await put({ seller_name: 'Stale' }, { 'if-match': '"v99"' }), 412, 'stale-edit');
		assert.ok(stale);
		const r = await settings();
		assert.equal(r.json.version, 1, 'nothing was written');
		assert.equal(r.json.seller_name, 'My shop');
	});

	it('saves cleaned text with If-Match, keeps what is left out, and bumps the version only on a change', async () => {
		const g = await settings();
		let r = await s.request('PUT', S, { token, headers: { 'if-match': g.headers.etag }, body: {
			seller_name: '  Tom\u0007 & Jerry\'s\t<b>Shop</b>\u0085 ',
			seller_address: ' Main St. 5  \r\n\r\n\u001b 12345 Springfield \n',
			vat_id: 'DE 123/456.789',
			footer: 'IBAN DE89 3704 0044 0532 0130 00\nPay within 14 days <script>alert(1)</script>',
		} });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.seller_name, 'Tom & Jerry\'s <b>Shop</b>', 'control characters dropped, blanks tidied');
		assert.equal(r.json.seller_address, 'Main St. 5\n\n12345 Springfield');
		assert.equal(r.json.vat_id, 'DE 123/456.789');
		assert.equal(r.json.version, 2);
		assert.equal(r.headers.etag, '"v2"');
		r = await s.request('PUT', S, { token, headers: { 'if-match': '"v2"' }, body: { seller_name: 'Tom & Jerry\'s <b>Shop</b>' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.version, 2, 'the same values are no change');
		r = await s.request('PUT', S, { token, headers: { 'if-match': '"v2"' }, body: { footer: null } });
		assert.equal(r.json.footer, 'IBAN DE89 3704 0044 0532 0130 00\nPay within 14 days <script>alert(1)</script>',
		    'null keeps it');
		assertProblem(await s.request('PUT', S, { token, headers: { 'if-match': '"v1"' }, body: { vat_id: '' } }),
		    412, 'stale-edit');
		assert.equal((await settings()).json.vat_id, 'DE 123/456.789');
	});

	it('prints the seller on the invoice, escaped, with the buyer and the numbers', async () => {
		const o = await order(T, cust, { billing_address: { name: 'Bill <Payer>', line1: 'Rechnungsweg 2',
			city: 'Hamburg', postal_code: '20095', country: 'DE' } });
		assert.equal(o.status, 'approved');
		assert.ok(o.invoice_number > 0);
		const r = await s.request('GET', `${O}/${o.id}/invoice`, { token });
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers['content-type'], /^text\/html; charset=utf-8/);
		assert.match(r.headers['content-security-policy'], /default-src 'none'/);
		const h = r.text;
		assert.ok(h.includes('<h1>Tom &amp; Jerry&#39;s &lt;b&gt;Shop&lt;/b&gt;</h1>'), h);
		assert.ok(!h.includes('<b>Shop'), 'the name is escaped');
		assert.ok(h.includes('Main St. 5<br><br>12345 Springfield'), 'address lines');
		assert.ok(h.includes('VAT ID: <span class="vat">DE 123/456.789</span>'));
		assert.ok(h.includes('<footer>IBAN DE89 3704 0044 0532 0130 00<br>Pay within 14 days'
		    + ' &lt;script&gt;alert(1)&lt;/script&gt;</footer>'));
		assert.ok(!h.includes('<script'), 'no script at all');
		assert.ok(h.includes('<h2>Invoice</h2>'));
		assert.ok(h.includes(`<title>Invoice ${o.invoice_number}</title>`));
		assert.ok(h.includes(`<tr><th>Invoice number</th><td>${o.invoice_number}</td></tr>`));
		assert.ok(h.includes(`<tr><th>Order number</th><td>${o.number}</td></tr>`));
		assert.match(h, /<tr><th>Invoice date<\/th><td>\d{4}-\d{2}-\d{2}<\/td><\/tr>/);
		assert.ok(h.includes('<h3>Bill to</h3>Bill &lt;Payer&gt;<br>Rechnungsweg 2<br>'), 'billing address first');
		assert.ok(h.includes('<h3>Ship to</h3>Ada Buyer<br>Hauptstr. 1<br>'));
		assert.ok(h.includes(`<td>${T}</td><td>P ${T}</td><td>1</td><td>10.00 EUR</td>`), 'the line');
		assert.match(h, /<th colspan="6">Tax( included)?<\/th><td>\d+\.\d\d EUR<\/td>/, 'tax');
		assert.ok(h.includes(`<th colspan="6">Total</th><td>${(o.total / 100).toFixed(2)} EUR</td>`), 'total');
		assert.ok(!h.includes('not an invoice'));
	});

	it('keeps an issued invoice\'s seller when the settings change later', async () => {
		const before = await settings();
		const issued = await order(T, cust);
		assert.ok(issued.invoice_number > 0);
		const r = await s.request('PUT', S, { token, headers: { 'if-match': '*' }, body: {
			seller_name: 'Renamed Shop AG', vat_id: 'CHE-123.456.789' } });
		assert.equal(r.status, 200, r.text);
		const old = (await s.request('GET', `${O}/${issued.id}/invoice`, { token })).text;
		assert.ok(old.includes(`<h1>${before.json.seller_name.replace(/&/g, '&amp;').replace(/'/g, '&#39;')
		    .replace(/</g, '&lt;').replace(/>/g, '&gt;')}</h1>`), 'the seller it was issued by');
		assert.ok(!old.includes('Renamed Shop AG') && !old.includes('CHE-123.456.789'));
		const later = await order(T, cust);
		const fresh = (await s.request('GET', `${O}/${later.id}/invoice`, { token })).text;
		assert.ok(fresh.includes('<h1>Renamed Shop AG</h1>') && fresh.includes('CHE-123.456.789'),
		    'a later invoice has the new seller');
		const back = await s.request('PUT', S, { token, headers: { 'if-match': '*' }, body: {
			seller_name: before.json.seller_name, vat_id: before.json.vat_id } });
		assert.equal(back.status, 200, back.text);
	});

	it('calls an order without an invoice number an order confirmation', async () => {
		const o = await order(SOLD_OUT, null);
		assert.equal(o.status, 'cancelled', 'no stock: cancelled before approval');
		assert.equal(o.invoice_number, 0, 'no invoice number');
		const r = await s.request('GET', `${O}/${o.id}/invoice`, { token });
		assert.equal(r.status, 200, r.text);
		assert.ok(r.text.includes('<h2>Order confirmation</h2>'));
		assert.ok(r.text.includes(`<title>Order confirmation ${o.number}</title>`));
		assert.ok(!r.text.includes('<h2>Invoice</h2>'));
		assert.ok(!r.text.includes('Invoice number'));
		assert.ok(r.text.includes('not an invoice'));
		assert.ok(r.text.includes('Tom &amp; Jerry&#39;s'), 'the seller still heads it');
		assertProblem(await s.request('GET', `${O}/ord_nope/invoice`, { token }), 404, 'not-found');
	});

	it('gives a customer their own invoice, and 404 for anyone else\'s', async () => {
		const mine = await order(T, cust);
		const theirs = await order(T, cust2);
		const guest = await order(T, null);
		const r = await s.request('GET', `${ME}/${mine.id}/invoice`, { token: cust });
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers['content-type'], /^text\/html/);
		assert.equal(r.headers['cache-control'], 'no-store');
		assert.match(r.headers['content-security-policy'], /default-src 'none'/);
		assert.ok(r.text.includes(`<title>Invoice ${mine.invoice_number}</title>`));
		assert.ok(r.text.includes('VAT ID: <span class="vat">DE 123/456.789</span>'));
		const staff = await s.request('GET', `${O}/${mine.id}/invoice`, { token });
		assert.equal(r.text, staff.text, 'the same document staff print');
		const a = assertProblem(await s.request('GET', `${ME}/${theirs.id}/invoice`, { token: cust }), 404, 'not-found');
		const b = assertProblem(await s.request('GET', `${ME}/${guest.id}/invoice`, { token: cust }), 404, 'not-found');
		const c = assertProblem(await s.request('GET', `${ME}/ord_01JDY3A0B1C2D3E4F5G6H7J8K9/invoice`, { token: cust }),
		    404, 'not-found');
		assert.equal(a.detail, c.detail, 'another customer\'s order looks like no order');
		assert.equal(b.detail, c.detail);
		assertProblem(await s.request('GET', `${ME}/${guest.id}/invoice`, { token }), 404, 'not-found');
		assertProblem(await s.request('GET', `${ME}/${mine.id}/invoice`), 401);
		assertProblem(await s.request('GET', `${ME}/${mine.id}/invoice`, { token: 'not.a.token' }), 401);
	});
});

describe('checkout: the demo shop\'s seller', () => {
	let s, token;

	before(async () => {
		s = await startServer();
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	it('names a believable demo seller, and its demo invoices show it', async () => {
		const g = await s.request('GET', S, { token });
		assert.equal(g.status, 200, g.text);
		assert.equal(g.json.seller_name, 'Mercato Demo Store GmbH');
		assert.equal(g.json.seller_address, 'Musterstraße 12\n10115 Berlin\nGermany');
		assert.equal(g.json.vat_id, 'DE123456789');
		assert.match(g.json.footer, /IBAN/);
		const list = (await s.request('GET', `${O}?limit=200`, { token })).json.data;
		const inv = list.find((o) => o.invoice_number > 0);
		assert.ok(inv, 'a demo order with an invoice number');
		const r = await s.request('GET', `${O}/${inv.id}/invoice`, { token });
		assert.equal(r.status, 200, r.text);
		assert.ok(r.text.includes('<h1>Mercato Demo Store GmbH</h1>'));
		assert.ok(r.text.includes('Musterstraße 12<br>10115 Berlin<br>Germany'));
		assert.ok(r.text.includes('DE123456789'));
	});
});
