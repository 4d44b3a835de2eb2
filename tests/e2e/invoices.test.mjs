/*
 * tests/e2e/invoices.test.mjs: the Invoices tab of the admin's Orders
 * section in a real browser against the real (demo-seeded) binary.  Staff
 * open the tab from the Orders page, find the demo seller, set the seller
 * name (with characters HTML would take for markup) and the VAT id, save,
 * and the newest order's invoice, fetched through "Preview" as the
 * signed-in user, names them, escaped, for an order approved after the
 * change (one issued before keeps the demo seller).  A VAT id the server refuses shows
 * its 422 under the field and nothing is saved; an edit made elsewhere
 * meanwhile is a 412 the page explains and reloads.  No console error or
 * CSP violation happens beyond the answers provoked on purpose.
 * Run: MERCATO_BIN=$PWD/mercato node --test --test-concurrency=1 tests/e2e/invoices.test.mjs
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminSession } from './session.mjs';

const S = '/api/v1/checkout/invoice-settings';
const { adminCall, adminToken, call, openPage, placeOrder, sellable, signIn } = adminSession();

test('staff set the seller name and VAT id, and the invoice shows them', { timeout: 60000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [{ status: '422', url: /\/invoice-settings$/ }]);
	await signIn(page);
	await page.goto('/admin/#/orders');
	await page.getByTestId('orders-tab-invoices').click();
	await page.getByTestId('page-invoices').waitFor();
	assert.match(page.url(), /#\/orders\/invoices$/);
	const name = page.getByTestId('invoice-seller-name');
	assert.equal(await name.inputValue(), 'Mercato Demo Store GmbH', 'the demo seller');
	assert.equal(await page.getByTestId('invoice-vat-id').inputValue(), 'DE123456789');

	/* A refused VAT id: the server's reason under the field, nothing saved. */
	await page.getByTestId('invoice-vat-id').fill('SE<556>');
	await page.getByTestId('invoice-save').click();
	await page.getByTestId('error-vat_id').waitFor();
	assert.match(await page.getByTestId('error-vat_id').innerText(), /letters, digits/);
	assert.equal((await adminCall('GET', S)).body.vat_id, 'DE123456789');

	await name.fill('Nordic Threads & Co <AB>');
	await page.getByTestId('invoice-vat-id').fill('SE556677889901');
	await page.getByTestId('invoice-seller-address').fill('Storgatan 9\n111 22 Stockholm\nSweden');
	await page.getByTestId('invoice-save').click();
	await page.locator('[data-testid="invoice-notice"]:has-text("Saved")').waitFor();
	const saved = (await adminCall('GET', S)).body;
	assert.equal(saved.seller_name, 'Nordic Threads & Co <AB>');
	assert.equal(saved.vat_id, 'SE556677889901');
	assert.equal(saved.seller_address, 'Storgatan 9\n111 22 Stockholm\nSweden');

	/*
	 * An invoice keeps the seller it was issued by: the demo orders keep
	 * the demo seller, and an order approved now gets the new one.
	 */
	const issued = (await adminCall('GET', '/api/v1/checkout/orders?limit=1')).body.data[0];
	const old = await (await call(`/api/v1/checkout/orders/${issued.id}/invoice`, { headers:
		{ authorization: `Bearer ${await adminToken()}` } })).text();
	assert.ok(old.includes('<h1>Mercato Demo Store GmbH</h1>'), 'an issued invoice keeps its seller');
	assert.ok(!old.includes('Nordic Threads'));
	const newest = await placeOrder(await sellable('INV'));
	await page.goto('/admin/#/orders');
	await page.getByTestId('orders-tab-invoices').click();
	await page.getByTestId('page-invoices').waitFor();
	const link = page.getByTestId('invoice-preview-link');
	await page.locator(`[data-testid="invoice-preview-link"]:has-text("order #${newest.number}")`).waitFor();
	assert.match(await link.innerText(), new RegExp(`order #${newest.number}$`));
	const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
	assert.equal(download.suggestedFilename(), `invoice-${newest.number}.html`);
	const fs = await import('node:fs/promises');
	const body = await fs.readFile(await download.path(), 'utf8');
	assert.ok(body.includes('<h1>Nordic Threads &amp; Co &lt;AB&gt;</h1>'), body.slice(0, 2000));
	assert.ok(body.includes('VAT ID: <span class="vat">SE556677889901</span>'));
	assert.ok(body.includes('Storgatan 9<br>111 22 Stockholm<br>Sweden'));
	assert.ok(body.includes(`<tr><th>Order number</th><td>${newest.number}</td></tr>`));
	await assertClean();
});

test('an edit made elsewhere meanwhile is explained, not overwritten', { timeout: 60000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [{ status: '412', url: /\/invoice-settings$/ }]);
	await signIn(page);
	await page.goto('/admin/#/orders/invoices');
	const name = page.getByTestId('invoice-seller-name');
	await page.getByTestId('invoice-form').waitFor();
	const before = (await adminCall('GET', S));
	const r = await adminCall('PUT', S, { seller_name: 'Changed Elsewhere Ltd' }, { 'If-Match': before.etag });
	assert.equal(r.status, 200, JSON.stringify(r.body));
	await name.fill('My Edit Ltd');
	await page.getByTestId('invoice-save').click();
	await page.locator('[data-testid="invoice-notice"]:has-text("Someone else changed")').waitFor();
	assert.equal((await adminCall('GET', S)).body.seller_name, 'Changed Elsewhere Ltd', 'not overwritten');
	await page.getByTestId('invoice-reload').click();
	await page.waitForFunction(() => document.querySelector('[data-testid="invoice-seller-name"]').value
	    === 'Changed Elsewhere Ltd');
	await assertClean();
});
