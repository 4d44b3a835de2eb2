/*
 * make bench: orders per second end to end on a freshly seeded mercato.
 *
 * Each lane repeats: POST a guest cart, POST one or two lines (the cart is
 * priced on every change), POST the order with an Idempotency-Key and wait
 * for the answer, which carries the saga's decision (approved or cancelled).
 * Lanes run for BENCH_SECONDS (default 10) or until BENCH_ORDERS orders
 * (default 20000), whichever comes first; keep-alive connections, one per
 * lane.  Prints orders/s, the order placement and cart line latencies
 * (client side, p50/p99/max), and how many were approved.
 *
 * Usage: node bench/orders.mjs BASE_URL EMAIL PASSWORD [LANES]
 *        node bench/orders.mjs BASE_URL EMAIL PASSWORD setup
 * The second form only prepares the shop and prints "METHOD SKU ..." for
 * bench/orders.lua (wrk, a lighter client than node for the top rate).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const [base, email, password, lanesArg] = process.argv.slice(2);
const LANES = Number(lanesArg || 8);
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const MAX_ORDERS = Number(process.env.BENCH_ORDERS || 20000);
const url = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: LANES + 2 });

function call(method, path, { body, token, headers = {}, form } = {}) {
	return new Promise((resolve, reject) => {
		let data = null;
		const h = { ...headers };
		if (body !== undefined) {
			data = form ? new URLSearchParams(body).toString() : JSON.stringify(body);
			h['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
			h['content-length'] = Buffer.byteLength(data);
		}
		if (token)
			h.authorization = `Bearer ${token}`;
		const req = http.request({ host: url.hostname, port: url.port, path, method,
			headers: h, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString();
				let json = null;
				try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
				resolve({ status: res.statusCode, json, text });
			});
		});
		req.on('error', reject);
		if (data !== null)
			req.write(data);
		req.end();
	});
}

function must(r, ok, what) {
	if (!ok.includes(r.status))
		throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
	return r.json;
}

function pct(xs, p) {
	if (xs.length === 0)
		return 0;
	const s = Float64Array.from(xs).sort();
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const ms = (x) => x.toFixed(2);

async function setup() {
	const tok = must(await call('POST', '/api/v1/auth/token', { form: true, body:
		{ grant_type: 'password', username: email, password } }), [200], 'sign in').access_token;
	/* Ten active demo SKUs with prices, each given plenty of stock. */
	const found = must(await call('GET', '/api/v1/catalog/search?limit=20'), [200], 'search').data;
	const skus = [];
	for (const p of found) {
		const d = must(await call('GET', `/api/v1/catalog/products/${p.id}`, { token: tok }),
		    [200], 'product');
		for (const v of d.variants || []) {
			if (skus.length >= 10)
				break;
			const q = await call('GET', `/api/v1/pricing/prices/${encodeURIComponent(v.sku)}`);
			if (q.status !== 200)
				continue;
			const st = must(await call('GET', `/api/v1/catalog/stock/${encodeURIComponent(v.sku)}`,
			    { token: tok }), [200], 'stock');
			must(await call('POST', `/api/v1/catalog/stock/${encodeURIComponent(v.sku)}/adjust`,
			    { token: tok, body: { expected: st.on_hand, on_hand: st.on_hand + 1000000,
			    reason: 'adjustment' } }), [200], 'adjust');
			skus.push(v.sku);
		}
	}
	if (skus.length < 2)
		throw new Error('the demo catalog has too few priced SKUs');
	const m = must(await call('GET', '/api/v1/checkout/shipping/methods?country=DE'), [200],
	    'shipping methods').data.find((x) => x.kind === 'flat' && x.available);
	if (!m)
		throw new Error('no flat-rate shipping method for DE');
	return { tok, skus, method: m.id };
}

async function lane(id, skus, method, stop, out) {
	let n = 0;
	while (!stop.done) {
		const t0 = performance.now();
		const c = must(await call('POST', '/api/v1/checkout/carts'), [200, 201], 'cart');
		const headers = { 'x-cart-token': c.token };
		const lines = 1 + (n % 2);
		for (let i = 0; i < lines; i++) {
			const l0 = performance.now();
			must(await call('POST', `/api/v1/checkout/carts/${c.id}/lines`, { headers,
			    body: { sku: skus[(id + n + i) % skus.length], quantity: 1 + i } }), [200], 'line');
			out.line.push(performance.now() - l0);
		}
		const p0 = performance.now();
		const o = must(await call('POST', '/api/v1/checkout/orders', { headers: { ...headers,
		    'idempotency-key': `bench-${randomBytes(8).toString('hex')}` }, body: { cart_id: c.id,
		    email: 'bench@example.com', shipping_address: { name: 'Bench Buyer',
		    line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' },
		    shipping_method: method, payment_method: 'bank_transfer' } }), [201], 'order');
		const t1 = performance.now();
		out.place.push(t1 - p0);
		out.order.push(t1 - t0);
		out.status[o.status] = (out.status[o.status] || 0) + 1;
		n++;
		if (++out.count >= MAX_ORDERS)
			stop.done = true;
	}
}

const { skus, method } = await setup();
if (lanesArg === 'setup') {
	console.log([method, ...skus].join(' '));
	agent.destroy();
	process.exit(0);
}
const out = { line: [], place: [], order: [], status: {}, count: 0 };
const stop = { done: false };
const timer = setTimeout(() => { stop.done = true; }, SECONDS * 1000);
const t0 = performance.now();
await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i, skus, method, stop, out)));
const secs = (performance.now() - t0) / 1000;
clearTimeout(timer);
agent.destroy();

console.log(`orders: ${out.count} in ${secs.toFixed(1)} s with ${LANES} lanes = ` +
    `${(out.count / secs).toFixed(0)} orders/s (${Object.entries(out.status)
    .map(([k, v]) => `${v} ${k}`).join(', ')})`);
console.log(`  new cart -> lines -> order answered: p50 ${ms(pct(out.order, 50))} ms, ` +
    `p99 ${ms(pct(out.order, 99))} ms, max ${ms(pct(out.order, 100))} ms`);
console.log(`  POST /orders (placement + stock saga): p50 ${ms(pct(out.place, 50))} ms, ` +
    `p99 ${ms(pct(out.place, 99))} ms`);
console.log(`  POST /carts/{id}/lines (cart priced): p50 ${ms(pct(out.line, 50))} ms, ` +
    `p99 ${ms(pct(out.line, 99))} ms (${out.line.length} changes)`);
