/*
 * tests/e2e/catalog.test.mjs: the admin's Catalog pages in a real browser
 * against the real binary, on a fresh data dir that the first start seeds
 * with 48 demo products.  Signed in as the admin it checks: the product
 * list and its paging, that searching "shirt" lists only (active) shirts,
 * a product's page, renaming it (the new title survives a reload), the
 * 412 message when someone else saved in between (an API call between load
 * and save), the unsaved-changes prompt, adjusting a variant's stock (and
 * the stale-count retry), the stock history, creating a product whose
 * option Size S,M makes two variants, adding a variant on a product page
 * (an option value, the suggested SKU, an initial count), editing its
 * low-stock threshold and removing it (and the 409 for the last variant),
 * the category tree and the low-stock list with its links to products,
 * setting two products to draft and back to active from the list's bulk
 * status bar (and its "select all on this page" checkbox); and
 * that no console error or CSP violation happens beyond the answers the
 * test provokes on purpose.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/catalog.test.mjs
 * A screenshot of a product page is left in build/e2e-catalog.png.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WAIT, adminSession } from './session.mjs';

const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));
const SCREENSHOT = `${BUILD_DIR}e2e-catalog.png`;
const CATALOG = '/api/v1/catalog';

const { call, adminToken, adminCall, openPage, signIn } = adminSession();

/* The titles in the product table once it shows the given query. */
async function listedTitles(page, query) {
	const table = page.locator(`[data-testid="product-table"][data-query="${query}"]`);
	await table.waitFor();
	return table.getByTestId('product-link').allInnerTexts();
}

test('list, search, edit, stale edit, stock, new product', { timeout: 180000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '412', url: /\/api\/v1\/catalog\/products\/[^/]+$/ },
		{ status: '409', url: /\/api\/v1\/catalog\/stock\/[^/]+\/adjust$/ },
	]);
	await signIn(page);

	/* The list: the 48 demo products fit in the first page of 50. */
	await page.getByTestId('nav-catalog').click();
	await page.getByTestId('page-catalog').waitFor();
	const all = await listedTitles(page, '');
	assert.equal(all.length, 48, `demo products: ${all.length}`);
	assert.equal(await page.getByTestId('product-more').count(), 0, 'no next page');
	const draftCount = (await adminCall('GET', `${CATALOG}/products?limit=100&status=draft`)).body.data.length;
	await page.getByTestId('product-status-filter').selectOption('draft');
	await page.locator('[data-testid="product-table"][data-status="draft"]').waitFor();
	assert.equal(await page.getByTestId('product-row').count(), draftCount);
	for (const badge of await page.getByTestId('status-badge').allInnerTexts())
		assert.equal(badge.trim(), 'draft');
	await page.getByTestId('product-status-filter').selectOption('');
	await page.locator('[data-testid="product-table"][data-status=""]').waitFor();

	/* Search: only shirts, active ones, and the page says so. */
	await page.getByTestId('product-search').fill('shirt');
	const shirts = await listedTitles(page, 'shirt');
	assert.ok(shirts.length > 0, 'shirts found');
	for (const title of shirts)
		assert.match(title, /shirt/i);
	await page.getByTestId('search-note').waitFor();
	assert.match(await page.getByTestId('search-note').innerText(), /active products only/);
	assert.equal(await page.getByTestId('product-status-filter').isDisabled(), true);
	for (const badge of await page.getByTestId('status-badge').allInnerTexts())
		assert.equal(badge.trim(), 'active');

	/* A product's page. */
	await page.getByTestId('product-link').first().click();
	await page.waitForURL(/#\/catalog\/products\/prod_/);
	const id = decodeURIComponent(/products\/([^/?#]+)$/.exec(page.url())[1]);
	const title = page.getByTestId('product-title');
	await title.waitFor();
	assert.match(await title.innerText(), /shirt/i);
	assert.ok(await page.getByTestId('variant-row').count() >= 2, 'shirts come in sizes');
	assert.match(await page.getByTestId('product-categories').innerText(), /Shirts/);
	await page.locator('[data-testid="product-images"] img.thumb').first().waitFor();

	/* Rename with Ctrl+S; the new title is there after a reload. */
	const renamed = `Renamed shirt ${Date.now() % 100000}`;
	await page.getByTestId('field-title').fill(renamed);
	await page.getByTestId('product-dirty').filter({ hasText: 'Unsaved' }).waitFor();
	await page.keyboard.press('Control+s');
	await page.getByTestId('product-notice').filter({ hasText: 'Saved' }).waitFor();
	assert.equal((await title.innerText()).trim(), renamed);
	await page.reload();
	await title.waitFor();
	assert.equal((await title.innerText()).trim(), renamed);
	assert.equal(await page.getByTestId('field-title').inputValue(), renamed);

	/* Unsaved edits hold back navigation until the user agrees. */
	await page.getByTestId('field-vendor').fill('left unsaved');
	const asked = new Promise((resolve) => page.once('dialog', async (d) => {
		resolve(d.message());
		await d.dismiss();
	}));
	await page.getByTestId('nav-events').click();
	assert.match(await asked, /unsaved changes/);
	await page.waitForTimeout(200);
	assert.match(page.url(), /#\/catalog\/products\//);
	assert.equal(await page.getByTestId('field-vendor').inputValue(), 'left unsaved');
	await page.getByTestId('product-discard').click();

	/* Someone saves in between: the save is refused with a 412 message. */
	const now = await adminCall('GET', `${CATALOG}/products/${encodeURIComponent(id)}`);
	const other = await adminCall('PATCH', `${CATALOG}/products/${encodeURIComponent(id)}`,
	    { vendor: 'changed elsewhere' }, { 'If-Match': now.etag });
	assert.equal(other.status, 200, JSON.stringify(other.body));
	await page.getByTestId('field-title').fill(`${renamed} (mine)`);
	await page.getByTestId('product-save').click();
	const stale = page.getByTestId('product-stale');
	await stale.waitFor();
	assert.match(await stale.innerText(), /This product changed since you opened it \u2014 reload/);
	await page.getByTestId('product-reload').click();
	await stale.waitFor({ state: 'detached' });
	assert.equal(await page.getByTestId('field-vendor').inputValue(), 'changed elsewhere');
	assert.equal(await page.getByTestId('field-title').inputValue(), renamed);

	/* Adjust a variant's stock. */
	const row = page.getByTestId('variant-row').first();
	const sku = await row.getAttribute('data-sku');
	const before = Number(await row.getByTestId('variant-on-hand').innerText());
	const target = before + 5;
	await row.getByTestId('variant-adjust').click();
	await row.getByTestId('adjust-on-hand').fill(String(target));
	await row.getByTestId('adjust-reason').selectOption('return');
	await row.getByTestId('adjust-note').fill('e2e recount');
	await row.getByTestId('adjust-save').click();
	await page.getByTestId('variant-flash').filter({ hasText: `on hand is now ${target}` }).waitFor();
	assert.equal((await row.getByTestId('variant-on-hand').innerText()).trim(), String(target));

	/* A count that moved meanwhile: 409, the new count is shown, retry works. */
	const moved = await adminCall('POST', `${CATALOG}/stock/${encodeURIComponent(sku)}/adjust`,
	    { expected: target, on_hand: target + 1, reason: 'adjustment' });
	assert.equal(moved.status, 200, JSON.stringify(moved.body));
	await row.getByTestId('variant-adjust').click();
	await row.getByTestId('adjust-on-hand').fill('3');
	await row.getByTestId('adjust-save').click();
	await row.getByTestId('adjust-stale').filter({ hasText: `on hand is now ${target + 1}` }).waitFor();
	assert.equal((await row.getByTestId('adjust-expected').innerText()).trim(), String(target + 1));
	await row.getByTestId('adjust-save').click();
	await page.getByTestId('variant-flash').filter({ hasText: 'on hand is now 3' }).waitFor();
	assert.equal((await row.getByTestId('variant-on-hand').innerText()).trim(), '3');

	/* The history lists the movements, newest first. */
	await row.getByTestId('variant-history').click();
	const moves = row.getByTestId('stock-movement');
	await moves.first().waitFor();
	assert.ok(await moves.count() >= 4, `movements: ${await moves.count()}`);
	assert.match(await moves.first().innerText(), /adjustment/);

	await mkdir(BUILD_DIR, { recursive: true });
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: WAIT });

	/* A new product with an option Size S,M: two variants. */
	await page.getByTestId('catalog-tab-list').click();
	await page.getByTestId('product-new').click();
	await page.getByTestId('new-product-form').waitFor();
	const stamp = Date.now() % 100000;
	await page.getByTestId('new-title').fill(`E2E tee ${stamp}`);
	assert.equal(await page.getByTestId('new-variant-row').count(), 1, 'one variant without options');
	await page.getByTestId('new-option-add').click();
	await page.getByTestId('new-option-name').fill('Size');
	await page.getByTestId('new-option-values').fill('S,M');
	const rows = page.getByTestId('new-variant-row');
	await rows.nth(1).waitFor();
	assert.equal(await rows.count(), 2);
	assert.equal(await rows.nth(0).getByTestId('new-variant-sku').inputValue(), `E2E-TEE-${stamp}-S`);
	assert.equal(await rows.nth(1).getByTestId('new-variant-sku').inputValue(), `E2E-TEE-${stamp}-M`);
	await rows.nth(1).getByTestId('new-variant-on-hand').fill('7');
	await page.getByTestId('new-save').click();
	await page.waitForURL(/#\/catalog\/products\/prod_/);
	await title.filter({ hasText: `E2E tee ${stamp}` }).waitFor();
	const variants = page.getByTestId('variant-row');
	assert.equal(await variants.count(), 2);
	assert.equal(await variants.nth(1).getAttribute('data-sku'), `E2E-TEE-${stamp}-M`);
	assert.equal((await variants.nth(1).getByTestId('variant-on-hand').innerText()).trim(), '7');

	await assertClean();
});

test('new product: a taken SKU is named next to its row', { timeout: 60000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '409|422', url: /\/api\/v1\/catalog\/products$/ },
	]);
	await signIn(page);
	await page.goto('/admin/#/catalog/new');
	await page.getByTestId('new-title').fill('Clash');
	await page.getByTestId('new-option-add').click();
	await page.getByTestId('new-option-name').fill('Size');
	await page.getByTestId('new-option-values').fill('S, M');
	await page.getByTestId('new-variant-sku').nth(1).fill('SHI-00-S');	/* a demo SKU */
	await page.getByTestId('new-save').click();
	const err = page.locator('[data-testid="error-variants[1].sku"]');
	await err.waitFor();
	assert.match(await err.innerText(), /SHI-00-S/);
	/* A bad SKU: the 422's errors[] land under the row they name. */
	await page.getByTestId('new-variant-sku').nth(1).fill('has space');
	await page.getByTestId('new-save').click();
	await err.filter({ hasText: /A-Z/ }).waitFor();
	assert.match(page.url(), /#\/catalog\/new$/);
	await assertClean();
});

test('variants: add, edit the threshold, remove', { timeout: 90000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '409', url: /\/api\/v1\/catalog\/variants\/[^/]+$/ },
	]);
	const stamp = Date.now() % 100000;
	const made = await adminCall('POST', `${CATALOG}/products`, {
		title: `E2E sock ${stamp}`,
		options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
		variants: [{ sku: `E2E-SOCK-${stamp}-S`, options: ['S'], on_hand: 3 }],
	});
	assert.equal(made.status, 201, JSON.stringify(made.body));
	const id = made.body.id;
	await signIn(page);
	await page.goto(`/admin/#/catalog/products/${encodeURIComponent(id)}`);
	await page.getByTestId('product-title').filter({ hasText: `E2E sock ${stamp}` }).waitFor();
	const rows = page.getByTestId('variant-row');
	assert.equal(await rows.count(), 1);
	const subtitle = page.locator('.subtitle');
	assert.match(await subtitle.innerText(), /version 1\b/);

	/* Add: pick L, the SKU follows the choice, set the count. */
	const form = page.getByTestId('add-variant-form');
	const sku = `E2E-SOCK-${stamp}-L`;
	await form.getByTestId('add-variant-option').selectOption('L');
	assert.equal(await form.getByTestId('add-variant-sku').inputValue(), sku);
	await form.getByTestId('add-variant-on-hand').fill('4');
	await form.getByTestId('add-variant-save').click();
	await page.getByTestId('variant-flash').filter({ hasText: `${sku}: added` }).waitFor();
	const added = page.locator(`[data-testid="variant-row"][data-sku="${sku}"]`);
	await added.waitFor();
	assert.equal(await rows.count(), 2);
	assert.equal((await added.getByTestId('variant-on-hand').innerText()).trim(), '4');
	assert.match(await added.innerText(), /Size:\s*L/);
	assert.match(await subtitle.innerText(), /version 2\b/);

	/* Edit the low-stock threshold: 4 available is now at or below 6. */
	await added.getByTestId('variant-edit').click();
	await added.getByTestId('edit-threshold').fill('6');
	await added.getByTestId('edit-save').click();
	await page.getByTestId('variant-flash').filter({ hasText: `${sku}: saved` }).waitFor();
	assert.equal((await added.getByTestId('variant-threshold').innerText()).trim(), '6');
	assert.match(await added.getByTestId('variant-available').getAttribute('class'), /\bwarn\b/);
	assert.equal(await added.getByTestId('edit-form').count(), 0, 'the form closed');
	const api = await adminCall('GET', `${CATALOG}/products/${encodeURIComponent(id)}`);
	assert.equal(api.body.variants.find((v) => v.sku === sku).stock.low_threshold, 6);

	/* The details form still saves: its If-Match follows the variant changes. */
	await page.getByTestId('field-vendor').fill('Sock maker');
	await page.getByTestId('product-save').click();
	await page.getByTestId('product-notice').filter({ hasText: 'Saved' }).waitFor();

	/* Remove it, after confirming. */
	const confirmed = new Promise((resolve) => page.once('dialog', async (d) => {
		resolve(d.message());
		await d.accept();
	}));
	await added.getByTestId('variant-remove').click();
	assert.match(await confirmed, new RegExp(`Remove the variant ${sku}`));
	await page.getByTestId('variant-flash').filter({ hasText: `${sku}: removed` }).waitFor();
	await added.waitFor({ state: 'detached' });
	assert.equal(await rows.count(), 1);

	/* The last variant stays: the 409 is explained. */
	page.once('dialog', (d) => d.accept());
	await rows.first().getByTestId('variant-remove').click();
	const last = page.getByTestId('variant-remove-last-variant');
	await last.waitFor();
	assert.match(await last.innerText(), /last variant/);
	assert.equal(await rows.count(), 1);
	await assertClean();
});

test('categories tree and the low-stock list', { timeout: 60000 }, async (t) => {
	const { page, assertClean } = await openPage(t);
	await signIn(page);
	await page.getByTestId('nav-catalog').click();
	await page.getByTestId('catalog-tab-categories').click();
	const nodes = page.getByTestId('category-node');
	await nodes.first().waitFor();
	const count = await nodes.count();
	assert.ok(count >= 4, `categories: ${count}`);
	await page.getByTestId('category-name').fill('Linen shirts');
	await page.getByTestId('category-parent').selectOption({ label: 'Shirts' });
	await page.getByTestId('category-add').click();
	const child = page.locator('[data-testid="category-node"] [data-testid="category-node"]')
	    .filter({ hasText: 'Linen shirts' });
	await child.waitFor();
	const parentText = await page.getByTestId('category-node').filter({
		has: page.getByTestId('category-node').filter({ hasText: 'Linen shirts' }),
	}).first().innerText();
	assert.match(parentText, /^Shirts/);

	await page.getByTestId('catalog-tab-low-stock').click();
	const low = page.getByTestId('low-row');
	await low.first().waitFor();
	const avail = await low.locator('td:nth-child(5)').allInnerTexts();
	const nums = avail.map(Number);
	assert.deepEqual(nums, [...nums].sort((a, b) => a - b), 'sorted by available');
	const limits = (await low.locator('td:nth-child(6)').allInnerTexts()).map(Number);
	nums.forEach((n, i) => assert.ok(n <= limits[i], `row ${i}: ${n} <= ${limits[i]}`));
	const skus = await low.evaluateAll((els) => els.map((e) => e.dataset.sku));
	const order = skus.map((s, i) => [nums[i], s]);
	assert.deepEqual(order, [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)),
	    'sorted by available, then SKU');

	/* Each row links to its product. */
	const first = low.first();
	const productId = await first.getAttribute('data-product');
	const firstSku = await first.getAttribute('data-sku');
	await first.getByTestId('low-product').click();
	await page.waitForURL((u) => u.hash === `#/catalog/products/${encodeURIComponent(productId)}`);
	await page.locator(`[data-testid="variant-row"][data-sku="${firstSku}"]`).waitFor();
	await assertClean();
});

test('products list: bulk status change', { timeout: 90000 }, async (t) => {
	const { page, assertClean } = await openPage(t);
	const stamp = Date.now() % 100000;
	const ids = [];
	for (const name of ['A', 'B']) {
		const made = await adminCall('POST', `${CATALOG}/products`, {
			title: `E2E bulk ${name} ${stamp}`,
			status: 'active',
			variants: [{ sku: `E2E-BULK-${name}-${stamp}`, on_hand: 1 }],
		});
		assert.equal(made.status, 201, JSON.stringify(made.body));
		ids.push(made.body.id);
	}
	const statusOf = async (id) =>
		(await adminCall('GET', `${CATALOG}/products/${encodeURIComponent(id)}`)).body.status;
	const row = (id) => page.locator(`[data-testid="product-row"][data-id="${id}"]`);

	await signIn(page);
	await page.getByTestId('nav-catalog').click();
	await page.locator('[data-testid="product-table"][data-status=""]').waitFor();
	for (const id of ids)
		await row(id).waitFor();
	const bar = page.getByTestId('bulk-bar');
	assert.equal(await bar.count(), 0, 'no bar without a selection');

	/* "Select all" selects every row shown, and clears them again. */
	const shown = await page.getByTestId('product-row').count();
	await page.getByTestId('bulk-select-all').check();
	await bar.filter({ hasText: `${shown} selected` }).waitFor();
	assert.equal(await page.locator('[data-testid="bulk-select"]:checked').count(), shown);
	await page.getByTestId('bulk-select-all').uncheck();
	await bar.waitFor({ state: 'detached' });

	/* Two products to draft, then back to active, through the same bar. */
	for (const [to, from] of [['draft', 'active'], ['active', 'draft']]) {
		for (const id of ids) {
			assert.equal((await row(id).getByTestId('status-badge').innerText()).trim(), from);
			const box = row(id).getByTestId('bulk-select');
			assert.equal(await box.getAttribute('value'), id);
			await box.check();
		}
		await bar.filter({ hasText: '2 selected' }).waitFor();
		await page.getByTestId('bulk-status').selectOption(to);
		await page.getByTestId('bulk-apply').click();
		await page.getByTestId('bulk-result').filter({ hasText: `2 products set to ${to}` }).waitFor();
		await bar.waitFor({ state: 'detached' });
		for (const id of ids) {
			await row(id).getByTestId('status-badge').filter({ hasText: to }).waitFor();
			assert.equal(await row(id).getByTestId('bulk-select').isChecked(), false);
			assert.equal(await statusOf(id), to);
		}
	}
	await assertClean();
});
