/*
 * tests/e2e/admin.test.mjs: the admin UI in a real browser against the real
 * binary.  Starts mercato on a fresh data dir with a generated admin
 * password, drives Debian's Chromium through playwright-core and checks:
 * the CSP header on /admin/, a wrong password's error, that a customer is
 * turned away, the rate-limit message, sign-in, the Events page showing a freshly registered
 * customer's identity.customer.registered event, that a reload keeps the
 * session (refresh cookie), sign-out, that no console error or CSP
 * violation happens, and that /api/docs renders the OpenAPI document.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/
 * A screenshot of the Events page is left in build/e2e-events.png.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generatePassword, launchBrowser, startServer } from './server.mjs';

const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = generatePassword();
const SHOPPER = { email: 'shopper@example.com', password: 'correct horse battery', name: 'Shopper' };
const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));
const SCREENSHOT = `${BUILD_DIR}e2e-events.png`;
const WAIT = 10000;		/* default for every browser wait */

let server;
let browser;

before(async () => {
	server = await startServer({
		env: { MERCATO_ADMIN_EMAIL: ADMIN_EMAIL, MERCATO_ADMIN_PASSWORD: ADMIN_PASSWORD },
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

let shopper = null;
/* Registers the shopper once (which publishes identity.customer.registered). */
function ensureShopper() {
	if (!shopper) {
		shopper = (async () => {
			const res = await call('/api/v1/auth/register', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(SHOPPER),
			});
			const body = await res.text();
			assert.equal(res.status, 201, `register: ${body}`);
		})();
	}
	return shopper;
}

/*
 * Chromium logs every non-2xx fetch as a console error ("Failed to load
 * resource").  Two are part of normal use: the silent session restore at
 * page load when there is no refresh cookie, and a refused sign-in.  Both
 * hit the token endpoint with 400/401 (or 429); nothing else is forgiven.
 */
function expectedNetworkError(msg) {
	const loc = msg.location();
	return /^Failed to load resource: the server responded with a status of (400|401|429)\b/
	    .test(msg.text()) && /\/api\/v1\/auth\/token$/.test(loc.url || '');
}

/* A fresh browser context (no cookies) and page that records problems. */
async function openPage(t) {
	const context = await browser.newContext({ baseURL: server.url });
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
		if (msg.type() === 'error' && !expectedNetworkError(msg))
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

async function signIn(page, email, password) {
	await page.getByTestId('signin-email').fill(email);
	await page.getByTestId('signin-password').fill(password);
	await page.getByTestId('signin-submit').click();
}

test('/admin/ is served with a strict Content-Security-Policy', async () => {
	for (const path of ['/admin/', '/admin', '/admin/index.html']) {
		const res = await call(path);
		const body = await res.text();
		assert.equal(res.status, 200, path);
		assert.match(res.headers.get('content-type') || '', /^text\/html/, path);
		const csp = res.headers.get('content-security-policy') || '';
		assert.match(csp, /default-src 'self'/, `${path} CSP: ${csp}`);
		assert.match(csp, /script-src 'self'(;|$)/, `${path} CSP: ${csp}`);
		assert.match(csp, /frame-ancestors 'none'/, `${path} CSP: ${csp}`);
		assert.doesNotMatch(csp, /unsafe-(inline|eval)/, `${path} CSP: ${csp}`);
		assert.match(body, /<script type="module" src="\/admin\/app\.js"><\/script>/, path);
	}
	for (const path of ['/admin/app.js', '/admin/vendor/preact-htm.js']) {
		const res = await call(path);
		await res.arrayBuffer();
		assert.equal(res.status, 200, path);
		assert.match(res.headers.get('content-type') || '', /javascript/, path);
	}
});

test('a wrong password shows the server\'s error', { timeout: 60000 }, async (t) => {
	const { page, assertClean } = await openPage(t);
	await page.goto('/admin/');
	await signIn(page, ADMIN_EMAIL, `${ADMIN_PASSWORD}-wrong`);
	const error = page.getByTestId('signin-error');
	await error.waitFor({ state: 'visible' });
	assert.notEqual((await error.innerText()).trim(), '');
	assert.equal(await page.getByTestId('whoami').count(), 0);
	assert.equal(await page.getByTestId('signin-password').inputValue(), '');
	await assertClean();
});

test('a customer account is turned away from the admin', { timeout: 60000 }, async (t) => {
	await ensureShopper();
	const { page, assertClean } = await openPage(t);
	await page.goto('/admin/');
	await signIn(page, SHOPPER.email, SHOPPER.password);
	const error = page.getByTestId('signin-error');
	await error.waitFor({ state: 'visible' });
	assert.match(await error.innerText(), /no access to the admin/);
	assert.equal(await page.getByTestId('whoami').count(), 0);
	/* Turned away for good: a reload does not sign the customer in. */
	await page.reload();
	await page.getByTestId('signin-email').waitFor();
	assert.equal(await page.getByTestId('whoami').count(), 0);
	await assertClean();
});

test('a rate-limited sign-in says when to try again', { timeout: 60000 }, async (t) => {
	/* Ten failures lock an account (known or not) for a while. */
	const username = 'locked-out@example.com';
	let last = 0;
	for (let i = 0; i < 12 && last !== 429; i++) {
		const res = await call('/api/v1/auth/token', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ grant_type: 'password', username, password: 'not-it' }),
		});
		await res.arrayBuffer();
		last = res.status;
	}
	assert.equal(last, 429, 'sign-in is rate-limited');

	const { page, assertClean } = await openPage(t);
	await page.goto('/admin/');
	await signIn(page, username, 'not-it-either');
	const error = page.getByTestId('signin-error');
	await error.waitFor({ state: 'visible' });
	assert.match(await error.innerText(), /try again/i);
	assert.equal(await page.getByTestId('whoami').count(), 0);
	await assertClean();
});

test('staff sign in, see events, stay signed in on reload, sign out', { timeout: 120000 }, async (t) => {
	await ensureShopper();
	const { context, page, assertClean } = await openPage(t);

	const answer = await page.goto('/admin/');
	assert.match(answer.headers()['content-security-policy'] || '', /script-src 'self'/);
	await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
	const whoami = page.getByTestId('whoami');
	await whoami.waitFor();
	assert.equal((await whoami.innerText()).trim(), ADMIN_EMAIL);
	await page.getByTestId('page-dashboard').waitFor();
	await page.getByTestId('dashboard-lag').waitFor();

	/* The tokens are out of reach of scripts. */
	assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
	const cookies = (await context.cookies()).filter((c) => c.path.startsWith('/api/v1/auth'));
	assert.equal(cookies.length, 1, `refresh cookie: ${JSON.stringify(await context.cookies())}`);
	assert.equal(cookies[0].httpOnly, true, 'refresh cookie is HttpOnly');
	assert.equal(cookies[0].sameSite, 'Strict', 'refresh cookie is SameSite=Strict');

	/* Every module page exists. */
	for (const id of ['catalog', 'pricing', 'orders', 'loyalty', 'content']) {
		await page.getByTestId(`nav-${id}`).click();
		await page.getByTestId(`page-${id}`).waitFor();
	}

	await page.getByTestId('nav-events').click();
	await page.waitForURL(/#\/events$/);
	const recent = page.getByTestId('events-recent');
	await recent.waitFor();
	const row = recent.getByTestId('event-row')
	    .filter({ hasText: 'identity.customer.registered' }).first();
	await row.waitFor({ timeout: 15000 });	/* auto-refresh is every 5 s */
	await row.click();
	const payload = recent.getByTestId('event-payload').first();
	await payload.waitFor();
	const text = await payload.innerText();
	assert.doesNotThrow(() => JSON.parse(text), `payload is JSON: ${text}`);
	await page.getByTestId('events-subscriptions').waitFor();
	await page.getByTestId('events-dead').waitFor();
	await mkdir(BUILD_DIR, { recursive: true });
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: WAIT });

	/* A reload keeps the session: the refresh cookie brings it back. */
	await page.reload();
	await whoami.waitFor();
	assert.equal((await whoami.innerText()).trim(), ADMIN_EMAIL);
	await recent.waitFor();
	assert.equal(await page.getByTestId('signin-email').count(), 0);

	/* Sign-out returns to the form, and a reload does not undo it. */
	await page.getByTestId('signout').click();
	await page.getByTestId('signin-email').waitFor();
	assert.equal(await whoami.count(), 0);
	await page.reload();
	await page.getByTestId('signin-email').waitFor();
	assert.equal(await whoami.count(), 0);

	await assertClean();
});

test('/api/docs renders the OpenAPI document', { timeout: 60000 }, async (t) => {
	const res = await call('/api/openapi.json');
	if (res.status === 404) {
		await res.arrayBuffer();
		t.skip('/api/openapi.json is 404 for now');
		return;
	}
	assert.equal(res.status, 200);
	const doc = await res.json();
	const paths = Object.keys(doc.paths || {});
	assert.ok(paths.length > 0, 'the document has paths');
	const path = paths.includes('/api/v1/auth/token') ? '/api/v1/auth/token' : paths[0];

	const { page, assertClean } = await openPage(t);
	const answer = await page.goto('/api/docs');
	assert.equal(answer.status(), 200);
	/* Swagger UI puts zero-width spaces into the shown path; match data-path. */
	await page.locator(`.opblock-summary-path[data-path="${path}"]`).first()
	    .waitFor({ timeout: 20000 });
	await assertClean();
});
