/*
 * tests/e2e/catalog-import.test.mjs: the Catalog "Import / export" tab in a
 * real browser against the real binary, on a fresh (seeded) data dir.
 * Signed in as the admin it sees a file over 4 MiB refused before sending,
 * uploads a small Shopify-layout CSV with two new products and a bad row,
 * checks the column preview (known and ignored columns) and the first rows,
 * runs the dry run and sees the error for the bad line (and that nothing
 * was written), then uploads the good file, checks and imports it (the
 * progress bar shows while the answer is held), finds the new product in
 * the product list and in search, and downloads the "active" export, which
 * starts with the Handle header and holds the new product.  No console
 * error or CSP violation may happen on the way.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/catalog-import.test.mjs
 * A screenshot of the report is left in build/e2e-catalog-import.png.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WAIT, adminSession } from './session.mjs';

const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));
const SCREENSHOT = `${BUILD_DIR}e2e-catalog-import.png`;
const CATALOG = '/api/v1/catalog';

const { call, adminToken, adminCall, openPage, signIn } = adminSession();

/* The staff product list (first 100), newest first. */
async function productHandles() {
	const res = await call(`${CATALOG}/products?limit=100`, {
		headers: { Authorization: `Bearer ${await adminToken()}` },
	});
	const body = await res.json();
	assert.equal(res.status, 200, JSON.stringify(body));
	return body.data.map((p) => p.slug);
}

const tag = Date.now() % 100000;
const SCARF = `e2e-alpaca-scarf-${tag}`;
const CAP = `e2e-linen-cap-${tag}`;
const SCARF_TITLE = `Alpaca scarf ${tag}, grey`;
const HEADER = 'Handle,Title,Body (HTML),Vendor,Type,Tags,Status,Option1 Name,Option1 Value,' +
    'Variant SKU,Variant Price,Variant Inventory Qty,Google Shopping / Gender';
const GOOD_ROWS = [
	`${SCARF},"${SCARF_TITLE}","<p>Soft ""alpaca"" wool,
two lines</p>",Mercato,Scarves,"winter, wool",active,Size,S,E2E-SCARF-${tag}-S,39.00,5,`,
	`${SCARF},,,,,,,,M,E2E-SCARF-${tag}-M,39.00,3,`,
	`${CAP},Linen cap ${tag},,Mercato,Hats,summer,active,Title,Default Title,E2E-CAP-${tag},19.50,10,unisex`,
];
const BAD_ROW = `e2e-bad-sock-${tag},Bad sock ${tag},,,,,active,,,E2E-SOCK-${tag},not-a-price,1,`;
const BAD_CSV = [HEADER, ...GOOD_ROWS, BAD_ROW].join('\r\n') + '\r\n';
const GOOD_CSV = [HEADER, ...GOOD_ROWS].join('\n') + '\n';

function upload(page, name, text) {
	return page.getByTestId('import-file').setInputFiles({
		name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8'),
	});
}

test('import preview, dry run errors, import, export', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t);
	await signIn(page);
	await page.getByTestId('nav-catalog').click();
	await page.getByTestId('catalog-tab-import').click();
	await page.waitForURL(/#\/catalog\/import$/);
	await page.getByTestId('import').waitFor();

	/* A file over the 4 MiB body limit is refused before sending. */
	const big = `${HEADER}\n${'x'.repeat(4 * 1024 * 1024)}\n`;
	await upload(page, 'big.csv', big);
	await page.getByTestId('import-read-error').filter({ hasText: /4 MiB/ }).waitFor();
	assert.equal(await page.getByTestId('import-check').count(), 0);

	/* The preview: known columns marked, the extra one ignored, the rows. */
	await upload(page, 'bad.csv', BAD_CSV);
	await page.getByTestId('import-preview').waitFor();
	const cols = page.getByTestId('import-column');
	assert.equal(await cols.count(), 13);
	assert.equal(await page.locator('[data-testid="import-column"][data-known="true"]').count(), 12);
	const ignored = page.locator('[data-testid="import-column"][data-known="false"]');
	assert.match(await ignored.innerText(), /Google Shopping \/ Gender/);
	assert.equal(await page.getByTestId('import-file-info').innerText(), `bad.csv: 4 data rows, ${Buffer.byteLength(BAD_CSV)} bytes.`);
	const rows = page.getByTestId('import-row');
	assert.equal(await rows.count(), 4);
	/* Quotes: the comma and the doubled quote and the line break stay in one cell. */
	const cells = rows.first().locator('td');
	assert.equal(await cells.nth(1).innerText(), SCARF_TITLE);
	assert.match(await cells.nth(2).textContent(), /^<p>Soft "alpaca" wool,\ntwo lines<\/p>$/);
	assert.equal(await page.getByTestId('import-run').isDisabled(), true, 'Import waits for a check');

	/* The dry run: one error, for the bad sock, nothing written. */
	await page.getByTestId('import-check').click();
	const report = page.locator('[data-testid="import-report"][data-dry-run="true"]');
	await report.waitFor();
	const errRows = page.getByTestId('import-error-row');
	assert.equal(await errRows.count(), 1);
	const err = await errRows.first().innerText();
	assert.match(err, new RegExp(`e2e-bad-sock-${tag}`));
	assert.match(err, /Variant Price/);
	/* Line 6: the header, the scarf's first row spans two lines, then 2 more rows. */
	assert.equal(await errRows.first().getAttribute('data-line'), '6');
	assert.equal(await page.getByTestId('report-rows').innerText(), '4');
	assert.equal(await page.getByTestId('report-created').innerText(), '2');
	assert.equal(await page.getByTestId('import-progress').count(), 0);
	const before = await productHandles();
	assert.ok(!before.includes(SCARF), 'a dry run writes nothing');

	/* The good file: check, then import. */
	await upload(page, 'good.csv', GOOD_CSV);
	await page.getByTestId('import-preview').waitFor();
	assert.equal(await page.getByTestId('import-report').count(), 0, 'a new file starts afresh');
	await page.getByTestId('import-check').click();
	await report.waitFor();
	assert.equal(await page.getByTestId('import-error-row').count(), 0);
	/* Hold the import's answer a moment so the progress bar can be seen. */
	let release;
	const held = new Promise((r) => { release = r; });
	await page.route('**/api/v1/catalog/imports?dry_run=false', async (route) => {
		await held;
		await route.continue();
	});
	await page.getByTestId('import-run').click();
	const progress = page.getByTestId('import-progress');
	await progress.waitFor();
	assert.match(await progress.innerText(), /Importing 3 rows…/);
	assert.equal(await progress.locator('progress').count(), 1);
	release();
	const final = page.locator('[data-testid="import-report"][data-dry-run="false"]');
	await final.waitFor();
	assert.match(await page.getByTestId('import-summary').innerText(), /Import done/);
	assert.equal(await page.getByTestId('report-rows').innerText(), '3');
	assert.equal(await page.getByTestId('report-products').innerText(), '2');
	assert.equal(await page.getByTestId('report-created').innerText(), '2');
	assert.equal(await page.getByTestId('report-updated').innerText(), '0');
	await mkdir(BUILD_DIR, { recursive: true });
	await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: WAIT });
	const afterImport = await productHandles();
	assert.ok(afterImport.includes(SCARF) && afterImport.includes(CAP), 'both imported');
	assert.ok(!afterImport.includes(`e2e-bad-sock-${tag}`));

	/* The export of active products: a download starting with the header. */
	await page.getByTestId('export-status').selectOption('active');
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByTestId('export-download').click(),
	]);
	assert.equal(download.suggestedFilename(), 'products.csv');
	const csv = await readFile(await download.path(), 'utf8');
	assert.match(csv.replace(/^\uFEFF/, ''), /^Handle,/);
	assert.ok(csv.includes(SCARF), 'the new product is in the export');
	await page.getByTestId('export-done').waitFor();

	/* The products list (newest first) and search find the new product. */
	await page.getByTestId('catalog-tab-list').click();
	const list = page.locator('[data-testid="product-table"][data-query=""]');
	await list.waitFor();
	await list.getByTestId('product-link').filter({ hasText: SCARF_TITLE }).waitFor();
	await page.getByTestId('product-search').fill(`alpaca ${tag}`);
	const found = page.locator(`[data-testid="product-table"][data-query="alpaca ${tag}"]`);
	await found.waitFor();
	await found.getByTestId('product-link').filter({ hasText: SCARF_TITLE }).waitFor();

	await assertClean();
});
