/*
 * tests/e2e/session.mjs: what the admin-UI browser tests share.  adminSession()
 * registers the file's before/after hooks (a fresh seeded server with a
 * generated admin password, and Debian's Chromium) and hands back helpers:
 * call() and adminCall() for the API behind the browser's back, openPage()
 * for a fresh context whose console errors, failed requests and CSP
 * violations fail the test (except the answers a test says it provokes),
 * and signIn() for the admin.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { generatePassword, launchBrowser, startServer } from './server.mjs';

export const ADMIN_EMAIL = 'admin@example.com';
export const WAIT = 10000;		/* default for every browser wait */
export const SHOPPER = { name: 'Ada Buyer', line1: 'Storgatan 1', city: 'Stockholm', postal_code: '11122',
	country: 'SE' };

/*
 * Chromium logs every non-2xx fetch as a console error ("Failed to load
 * resource").  Forgiven: the silent session restore at page load (400/401
 * from the token endpoint), and what a test provokes on purpose, named as
 * { status: '409|412', url: /regex/ } when it opens its page.
 */
const RESTORE = { status: '400|401', url: /\/api\/v1\/auth\/token$/ };

function expectedNetworkError(msg, expected) {
	const url = msg.location().url || '';
	return expected.some((x) => new RegExp('^Failed to load resource: the server ' +
	    `responded with a status of (${x.status})\\b`).test(msg.text()) && x.url.test(url));
}

export function adminSession() {
	const password = generatePassword();
	let server;
	let browser;
	let token = null;

	before(async () => {
		server = await startServer({
			env: { MERCATO_ADMIN_EMAIL: ADMIN_EMAIL, MERCATO_ADMIN_PASSWORD: password },
		});
		browser = await launchBrowser();
	}, { timeout: 60000 });

	after(async () => {
		if (browser)
			await browser.close().catch(() => {});
		if (server)
			await server.stop();
	}, { timeout: 30000 });

	/* fetch() against the server with a time limit. */
	function call(path, init = {}) {
		return fetch(server.url + path, { signal: AbortSignal.timeout(WAIT), ...init });
	}

	/* The admin's access token for API calls made behind the browser's back. */
	async function adminToken() {
		if (!token) {
			const res = await call('/api/v1/auth/token', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ grant_type: 'password', username: ADMIN_EMAIL, password }),
			});
			const body = await res.json();
			assert.equal(res.status, 200, `token: ${JSON.stringify(body)}`);
			token = body.access_token;
		}
		return token;
	}

	/* One JSON call as the admin; returns { status, etag, body }. */
	async function adminCall(method, path, body, headers = {}) {
		const res = await call(path, {
			method,
			headers: {
				Authorization: `Bearer ${await adminToken()}`,
				...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : null };
	}

	/* A fresh browser context (no cookies) and page that records problems. */
	async function openPage(t, provoked = []) {
		const expected = [RESTORE, ...provoked];
		const context = await browser.newContext({
			baseURL: server.url, viewport: { width: 1280, height: 900 }, acceptDownloads: true,
		});
		t.after(() => context.close().catch(() => {}));
		await context.addInitScript(() => {
			window.__cspViolations = [];
			document.addEventListener('securitypolicyviolation', (e) => {
				window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
			});
		});
		const page = await context.newPage();
		page.setDefaultTimeout(WAIT);
		page.setDefaultNavigationTimeout(15000);
		const problems = [];
		page.on('console', (msg) => {
			if (msg.type() === 'error' && !expectedNetworkError(msg, expected))
				problems.push(`console: ${msg.text()} (${msg.location().url})`);
		});
		page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
		page.on('requestfailed', (req) => {
			/* A reload cancels the page's polls in flight (net::ERR_ABORTED). */
			const why = req.failure()?.errorText || '';
			if (why !== 'net::ERR_ABORTED')
				problems.push(`request failed: ${req.url()} ${why}`);
		});
		async function assertClean() {
			const csp = await page.evaluate(() => window.__cspViolations || []);
			assert.deepEqual([...problems, ...csp.map((v) => `CSP: ${v}`)], []);
		}
		return { context, page, problems, assertClean };
	}

	/* Signs the admin in on page and waits for the layout. */
	async function signIn(page) {
		await page.goto('/admin/');
		await page.getByTestId('signin-email').fill(ADMIN_EMAIL);
		await page.getByTestId('signin-password').fill(password);
		await page.getByTestId('signin-submit').click();
		await page.getByTestId('whoami').waitFor();
	}

	/*
	 * The storefront behind the browser's back: sellable(prefix) makes a
	 * product with stock and a price, Sweden's tax rate and a shipping
	 * method once, and returns { sku, method }; placeOrder places a guest
	 * order of it (bank transfer) and returns the approved order.
	 */
	let swedishPost = null;

	async function sellable(prefix) {
		const sku = `${prefix}-${randomBytes(3).toString('hex').toUpperCase()}`;
		let r = await adminCall('POST', '/api/v1/catalog/products', { title: `${prefix} ${sku}`,
			status: 'active', variants: [{ sku, on_hand: 100 }] });
		assert.equal(r.status, 201, JSON.stringify(r.body));
		r = await adminCall('PUT', `/api/v1/pricing/prices/${sku}`, { amount: 1250 });
		assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));
		if (!swedishPost) {
			r = await adminCall('PUT', '/api/v1/pricing/tax-rates/SE/standard', { rate: 25000 });
			assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));
			r = await adminCall('POST', '/api/v1/checkout/shipping/zones', { name: 'Sweden', countries: ['SE'] });
			assert.equal(r.status, 201, JSON.stringify(r.body));
			const m = await adminCall('POST', `/api/v1/checkout/shipping/zones/${r.body.id}/methods`,
			    { name: 'Post', kind: 'flat', amount: 500 });
			assert.equal(m.status, 201, JSON.stringify(m.body));
			swedishPost = m.body.id;
		}
		return { sku, method: swedishPost };
	}

	async function shopperCall(method, path, body, headers = {}) {
		const res = await call(path, { method, headers: { 'Content-Type': 'application/json', ...headers },
			body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await res.text();
		return { status: res.status, body: text ? JSON.parse(text) : null };
	}

	async function placeOrder({ sku, method }, { email = 'ada@example.com', quantity = 1 } = {}) {
		const c = await shopperCall('POST', '/api/v1/checkout/carts');
		assert.ok([200, 201].includes(c.status), JSON.stringify(c.body));
		const h = { 'x-cart-token': c.body.token };
		const l = await shopperCall('POST', `/api/v1/checkout/carts/${c.body.id}/lines`, { sku, quantity }, h);
		assert.equal(l.status, 200, JSON.stringify(l.body));
		const o = await shopperCall('POST', '/api/v1/checkout/orders', { cart_id: c.body.id, email,
			shipping_address: SHOPPER, shipping_method: method, payment_method: 'bank_transfer' },
		    { ...h, 'idempotency-key': `k-${randomBytes(8).toString('hex')}` });
		assert.equal(o.status, 201, JSON.stringify(o.body));
		assert.equal(o.body.status, 'approved');
		return o.body;
	}

	return { call, adminToken, adminCall, openPage, signIn, sellable, placeOrder, server: () => server };
}
