/*
 * tests/e2e/deadletter.test.mjs: a dead letter seen and retried from the
 * admin UI.  Runs the bus test binary (MERCATO_TEST_BIN: the shop binary
 * plus the test-only probe and tally modules): a "poison" note makes tally's
 * handler fail until it is healed, so the event is dead-lettered.  The test
 * sees the failing subscription and the dead letter on the Events page,
 * clicks Retry while the handler still fails (an error shows, the letter
 * stays), heals tally, clicks Retry again and sees the letter gone and the
 * subscription caught up.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generatePassword, launchBrowser, startServer } from './server.mjs';

const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = generatePassword();
const WAIT = 10000;
const bin = process.env.MERCATO_TEST_BIN;

let server;
let browser;
let token;

before(async () => {
	if (!bin)
		return;
	server = await startServer({
		bin,
		env: {
			MERCATO_ADMIN_EMAIL: ADMIN_EMAIL,
			MERCATO_ADMIN_PASSWORD: ADMIN_PASSWORD,
			MERCATO_BUS_BACKOFF_MS: '20',
			MERCATO_BUS_MAX_ATTEMPTS: '3',
		},
	});
	browser = await launchBrowser();
	const res = await api('/api/v1/auth/token', {
		grant_type: 'password', username: ADMIN_EMAIL, password: ADMIN_PASSWORD,
	});
	assert.equal(res.status, 200);
	token = res.json.access_token;
}, { timeout: 60000 });

after(async () => {
	if (browser)
		await browser.close().catch(() => {});
	if (server)
		await server.stop();
}, { timeout: 30000 });

async function api(path, body, method = body ? 'POST' : 'GET') {
	const headers = { 'Content-Type': 'application/json' };
	if (token)
		headers.Authorization = `Bearer ${token}`;
	const res = await fetch(server.url + path, {
		method, headers, body: body ? JSON.stringify(body) : undefined,
		signal: AbortSignal.timeout(WAIT),
	});
	const text = await res.text();
	return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function until(what, fn, ms = WAIT) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			assert.fail(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

test('a dead letter is retried from the Events page', { skip: !bin && 'MERCATO_TEST_BIN is not set', timeout: 90000 }, async (t) => {
	assert.equal((await api('/api/v1/probe/notes', { text: 'fine' })).status, 201);
	assert.equal((await api('/api/v1/probe/notes', { text: 'poison-ui' })).status, 201);
	await until('the poison note to be dead-lettered',
	    async () => (await api('/api/v1/events/dead')).json.data.length === 1);

	const context = await browser.newContext({ baseURL: server.url });
	t.after(() => context.close().catch(() => {}));
	const page = await context.newPage();
	page.setDefaultTimeout(WAIT);
	const uncaught = [];
	page.on('pageerror', (err) => uncaught.push(err.message));

	await page.goto('/admin/');
	await page.getByTestId('signin-email').fill(ADMIN_EMAIL);
	await page.getByTestId('signin-password').fill(ADMIN_PASSWORD);
	await page.getByTestId('signin-submit').click();
	await page.getByTestId('whoami').waitFor();
	await page.getByTestId('nav-events').click();

	const subs = page.getByTestId('subscription-row');
	await subs.first().waitFor();
	assert.ok(await subs.count() >= 2, 'tally subscribes to probe and identity');
	const dead = page.getByTestId('dead-row');
	await dead.first().waitFor();
	assert.equal(await dead.count(), 1);
	assert.match(await dead.first().innerText(), /probe\.note\.created/);
	assert.match(await dead.first().innerText(), /poisoned note/);

	/* Still poisoned: the retry fails and the dead letter stays. */
	await page.getByTestId('dead-retry').first().click();
	await until('the failed retry to be reported', async () =>
	    /fail/i.test(await page.getByTestId('page-events').innerText()));
	assert.equal((await api('/api/v1/events/dead')).json.data.length, 1);

	/* Healed: the retry applies the event and the letter is gone. */
	assert.equal((await api('/api/v1/tally/heal', {})).status, 200);
	await page.getByTestId('dead-retry').first().click();
	await until('the dead letter to disappear', async () =>
	    await page.getByTestId('dead-row').count() === 0);
	const tally = (await api('/api/v1/tally')).json;
	assert.equal(tally.counts['probe.note.created'], 2);
	assert.deepEqual((await api('/api/v1/events/dead')).json.data, []);
	assert.deepEqual(uncaught, []);
});
