/*
 * tests/e2e/dashboard.test.mjs: the dashboard's sales section in a real
 * browser against the real binary.  Signed in as the admin, the section
 * shows the figures the API gives (its empty state on a shop without
 * orders); two orders are placed through the API as a guest would (one
 * then paid by the staff payments endpoint, one left waiting for its
 * bank transfer); after a refresh the SVG chart is there, labelled, with
 * 30 bars whose last (today, UTC) grew by both orders and their revenue,
 * money axis labels in the shop's currency, a visually hidden table of
 * the same figures, and the tiles one higher each.  "Orders to fulfil"
 * lands on the orders list filtered to paid orders (the new paid one
 * first), "Unpaid orders" on the approved ones (the other first).  No
 * console error or CSP violation.  Figures are read relative to what the
 * shop had before, so demo orders from the seed do not matter.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/dashboard.test.mjs
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminSession } from './session.mjs';

const O = '/api/v1/checkout/orders';
const { adminCall, openPage, placeOrder, sellable, signIn } = adminSession();

test('the dashboard charts the sales and links its tiles to the filtered orders', { timeout: 120000 }, async (t) => {
	const before = await adminCall('GET', '/api/v1/checkout/stats');
	assert.equal(before.status, 200, JSON.stringify(before.body));
	const currency = before.body.currency;
	const day0 = before.body.days[before.body.days.length - 1];

	const { page, assertClean } = await openPage(t);
	await signIn(page);
	await page.getByTestId('page-dashboard').waitFor();
	if (before.body.totals.orders === 0) {
		await page.getByTestId('sales-empty').waitFor();
		assert.equal(await page.getByTestId('sales-chart').count(), 0);
	} else {
		await page.getByTestId('sales-chart').waitFor();
	}
	await page.locator(`[data-testid="tile-to-fulfil-count"]:text-is("${before.body.to_fulfil}")`).waitFor();
	assert.equal(await page.getByTestId('dashboard-lag').count(), 1, 'event delivery is still there');

	const goods = await sellable('DASH');
	const paid = await placeOrder(goods, { email: 'ada.dash@example.com', quantity: 2 });
	const pay = await adminCall('POST', `${O}/${paid.id}/payments`, { amount: paid.total, note: 'bank' });
	assert.ok([200, 201].includes(pay.status), JSON.stringify(pay.body));
	const waiting = await placeOrder(goods, { email: 'ada.dash@example.com' });
	const stats = (await adminCall('GET', '/api/v1/checkout/stats')).body;
	const today = stats.days[stats.days.length - 1];
	assert.equal(today.date, day0.date, 'the test did not cross midnight (UTC)');
	assert.equal(today.orders, day0.orders + 2);
	assert.equal(today.revenue, day0.revenue + paid.total + waiting.total);

	await page.getByTestId('sales-refresh').click();
	await page.locator(`[data-testid="sales-orders"]:text-is("${stats.totals.orders}")`).waitFor();
	const svg = page.getByTestId('sales-svg');
	assert.equal(await svg.getAttribute('role'), 'img');
	assert.match(await svg.locator('title').first().textContent(), /Revenue and orders per day/);
	assert.equal(await page.getByTestId('sales-bar').count(), 30);
	const bar = page.locator(`[data-testid="sales-bar"][data-date="${today.date}"]`);
	assert.equal(await bar.getAttribute('data-orders'), String(today.orders));
	assert.equal(await bar.getAttribute('data-revenue'), String(today.revenue));
	assert.match(await bar.locator('title').textContent(), new RegExp(`^${today.date}: ${today.orders} orders, .* ${currency}$`));
	assert.ok(Number(await bar.getAttribute('height')) > 0, 'today has a visible bar');
	const axis = await page.getByTestId('sales-axis-money').allTextContents();
	assert.ok(axis.length >= 2 && axis.every((s) => s.endsWith(` ${currency}`)), axis.join(' | '));
	assert.match(await page.getByTestId('sales-revenue').innerText(), new RegExp(`${currency}$`));
	/* The hidden table: one row per day, today's figures. */
	const table = page.getByTestId('sales-table');
	assert.equal(await table.locator('tbody tr').count(), 30);
	assert.match(await table.locator('tbody tr').last().textContent(), new RegExp(`^${today.date}${today.orders}`));
	assert.equal(stats.to_fulfil, before.body.to_fulfil + 1);
	assert.equal(stats.unpaid, before.body.unpaid + 1);
	assert.equal(await page.getByTestId('tile-to-fulfil-count').innerText(), String(stats.to_fulfil));
	assert.equal(await page.getByTestId('tile-unpaid-count').innerText(), String(stats.unpaid));

	/* Each tile opens exactly the orders it counts (the list's queue). */
	await page.getByTestId('tile-to-fulfil-link').click();
	await page.waitForURL(/#\/orders\?queue=to_fulfil$/);
	await page.locator('[data-testid="order-table"][data-query="#/orders?queue=to_fulfil"]').waitFor();
	assert.equal(await page.getByTestId('order-queue-filter').inputValue(), 'to_fulfil');
	assert.equal(await page.getByTestId('order-row').first().getAttribute('data-id'), paid.id);
	assert.equal(await page.getByTestId('order-row').count(), stats.to_fulfil);
	for (const st of await page.getByTestId('order-status').allTextContents())
		assert.ok(['paid', 'prepared', 'approved'].includes(st), st);

	await page.getByTestId('nav-dashboard').click();
	await page.getByTestId('tile-unpaid-link').click();
	await page.waitForURL(/#\/orders\?queue=unpaid$/);
	await page.locator('[data-testid="order-table"][data-query="#/orders?queue=unpaid"]').waitFor();
	assert.equal(await page.getByTestId('order-row').first().getAttribute('data-id'), waiting.id);
	assert.equal(await page.getByTestId('order-row').count(), stats.unpaid);
	await assertClean();
});
