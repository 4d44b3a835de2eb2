/*
 * tests/e2e/catalog-import.test.mjs: the Catalog "Import / export" tab in a
 * real browser against the real binary, on a fresh (seeded) data dir.
 * Signed in as the admin it sees a file over 4 MiB refused before sending,
 * uploads a small Shopify-layout CSV with two new products and a bad row,
 * checks the column preview (known and ignored columns) and the first rows,
 * runs the dry run and sees the error for the bad line (and that nothing
 * was written), then uploads the good file (1500 generated products and
 * the two of the test, 1503 rows), checks and imports it: the import is a
 * background job, and the live progress bar shows rows done of total and
 * the errors so far part way (the browser's polls are held until the
 * server's job is part way), then the summary; the job is listed under
 * Recent imports.  It finds the new product in the product list and in
 * search, exports what the searched list shows (that product, not the
 * other), and downloads the "active" export, which starts with the Handle
 * header and holds the new product.  No console error or CSP violation
 * may happen on the way.
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
/* Bulk products first, so the test's two are the newest. */
const BULK = 1500;
const BULK_ROWS = Array.from({ length: BULK }, (_, i) =>
    `e2e-bulk-${tag}-${i},Bulk ${tag} ${i},,,,,draft,Title,Default Title,E2E-BULK-${tag}-${i},5.00,${i % 9},`);
const GOOD_CSV = [HEADER, ...BULK_ROWS, ...GOOD_ROWS].join('\n') + '\n';
const GOOD_TOTAL = BULK + GOOD_ROWS.length;

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
	/*
	 * The import is a job: hold the browser's polls of it until the
	 * server's job is part way, so the bar is seen between 0 and the total.
	 */
	let release;
	const held = new Promise((r) => { release = r; });
	await page.route(/\/api\/v1\/catalog\/imports\/imp_[^/?]+$/, async (route) => {
		await held;
		await route.continue();
	});
	const [posted] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST' &&
		    /\/api\/v1\/catalog\/imports$/.test(r.url())),
		page.getByTestId('import-run').click(),
	]);
	assert.equal(posted.status(), 202);
	const jobId = (await posted.json()).id;
	const progress = page.getByTestId('import-progress');
	await progress.waitFor();
	assert.equal(await progress.getAttribute('data-total'), String(GOOD_TOTAL));
	for (;;) {
		const res = await adminCall('GET', `${CATALOG}/imports/${jobId}`);
		assert.equal(res.status, 200);
		const j = res.body;
		assert.notEqual(j.state, 'done', 'caught the job part way');
		if (j.rows_done > 0)
			break;
		await new Promise((r) => setTimeout(r, 5));
	}
	release();
	const partWay = page.locator('[data-testid="import-progress"][data-state="running"]');
	await partWay.waitFor();
	const done = Number(await partWay.getAttribute('data-done'));
	assert.ok(done > 0 && done < GOOD_TOTAL, `part way: ${done} of ${GOOD_TOTAL}`);
	assert.match(await page.getByTestId('import-progress-text').innerText(),
	    new RegExp(`^[\\d,]+ of ${GOOD_TOTAL.toLocaleString('en')} rows, 0 errors so far$`));
	assert.equal(await progress.locator('progress').getAttribute('max'), String(GOOD_TOTAL));
	const final = page.locator('[data-testid="import-report"][data-dry-run="false"]');
	await final.waitFor({ timeout: 60000 });
	assert.equal(await page.getByTestId('import-progress').count(), 0, 'the bar gives way to the summary');
	assert.match(await page.getByTestId('import-summary').innerText(), /Import done/);
	assert.equal(await page.getByTestId('report-rows').innerText(), String(GOOD_TOTAL));
	assert.equal(await page.getByTestId('report-products').innerText(), String(BULK + 2));
	assert.equal(await page.getByTestId('report-created').innerText(), String(BULK + 2));
	assert.equal(await page.getByTestId('report-updated').innerText(), '0');
	/* Recent imports lists the job, done. */
	await page.locator(`[data-testid="import-job-row"][data-id="${jobId}"][data-state="done"]`).waitFor();
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
	/* The list's export keeps its search: the scarf, not the cap. */
	const [shown] = await Promise.all([
		page.waitForEvent('download'),
		page.getByTestId('product-export').click(),
	]);
	const shownCsv = await readFile(await shown.path(), 'utf8');
	assert.ok(shownCsv.includes(SCARF), 'the searched product is exported');
	assert.ok(!shownCsv.includes(CAP), 'a product the search does not show is not');

	await assertClean();
});
