/*
 * tests/e2e/pricing.test.mjs: the admin's Pricing section in a real browser
 * against the real binary, on a fresh seeded data dir.  Signed in as the
 * admin it checks the price spreadsheet: typing a price, Enter moving down
 * the column, pasting a column of three values from a spreadsheet (they
 * fill downward, in both "20,00" and "21.5" notation), text that is no
 * amount flagged at once, a compare-at below the price refused by the
 * server's 422 and shown on that very cell, Ctrl+S saving the rest all at
 * once, the unsaved-changes prompt, and the prices (in minor units, by
 * API) still there after a reload.  The VIP group's price list as the
 * sheet's column: typed, pasted, saved, a cell emptied removes it.  And
 * the check: staff create a
 * promotion in the editor (25% off one SKU) and the try-it panel, quoting
 * two of that SKU, says it applied and the total dropped by the
 * hand-checked amount (and the other promotions say why not); before
 * that, an unknown SKU in the panel and a bad rate in the editor are each
 * named where they were typed.  Last, a
 * code promotion gets a batch of five codes whose CSV downloads with the
 * prefix and the look-alike-free alphabet.  Customer groups: one created
 * (its code suggested from the name), an unknown customer id refused in
 * words, a member added, a group price typed with a decimal comma and a
 * start yesterday (1550 minor units, "applies", and the member's quote
 * uses it), a rename by Ctrl+S after those changes.  Tax: rates edited in
 * the grid (19.25%, a cell emptied removes the rate), a country row added,
 * a bad cell refused before sending, a product's category changed, the 409 currency-in-use under the
 * currency field, the tax mode saved.  Last, the money and percent
 * readers as the browser loads them (exact integers or a refusal).  No
 * console error or CSP violation happens beyond
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

test('a group price list edited as a column of the sheet', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t);
	await signIn(page);
	const groups = (await adminCall('GET', `${PRICING}/groups`)).body.data;
	const vip = groups.find((g) => g.code === 'vip');
	await page.goto('/admin/#/pricing');
	await page.getByTestId('prices-table').waitFor();
	const skus = await page.getByTestId('price-row').evaluateAll((rows) => rows.map((r) => r.dataset.sku));
	await page.getByTestId('prices-list').selectOption(vip.id);
	await page.locator('[data-testid="prices-table"] [data-testid="cell-group"]').first().waitFor();
	assert.equal(await cell(page, 0, 0).inputValue(), '', 'no VIP prices yet');
	assert.equal(await cell(page, 0, 1).count(), 0, 'one editable column');

	await cell(page, 0, 0).fill('9.99');
	await page.keyboard.press('Enter');
	await paste(page, '8,50\n7\n');
	await page.getByTestId('prices-dirty').filter({ hasText: '3 changed rows' }).waitFor();
	assert.equal(await page.getByTestId('prices-list').isDisabled(), true, 'no switching with unsaved edits');
	await page.keyboard.press('Control+s');
	await page.getByTestId('prices-notice').filter({ hasText: 'Saved 3 prices' }).waitFor();
	const list = async () => Object.fromEntries((await adminCall('GET', `${PRICING}/groups/${vip.id}/prices`)).body.data
	    .map((p) => [p.sku, p.amount]));
	assert.deepEqual(await list(), { [skus[0]]: 999, [skus[1]]: 850, [skus[2]]: 700 });

	/* An emptied cell removes that group price. */
	await cell(page, 1, 0).fill('');
	await page.keyboard.press('Control+s');
	await page.getByTestId('prices-notice').filter({ hasText: 'Saved 1 price' }).waitFor();
	assert.deepEqual(await list(), { [skus[0]]: 999, [skus[2]]: 700 });
	assert.equal(await page.getByTestId('prices-list').isDisabled(), false);
	await assertClean();
});

test('a promotion made in the editor applies in the try-it panel; coupon batch CSV', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '422', url: /\/api\/v1\/pricing\/quote$/ },
	]);
	await signIn(page);

	/* A SKU at 20.00 (prices include tax in the demo shop, DE 19%). */
	const all = (await adminCall('GET', `${PRICING}/prices?all=true&limit=200`)).body.data;
	const sku = all[all.length - 1].sku;
	const put = await adminCall('PUT', `${PRICING}/prices/${encodeURIComponent(sku)}`, { amount: 2000 });
	assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));

	/* The cart first: 2 x 20.00 = 40.00, below every demo promotion's bar. */
	await page.goto('/admin/#/pricing/promotions');
	await page.getByTestId('promo-table').waitFor();
	await page.getByTestId('promo-new').click();
	await page.getByTestId('promo-form').waitFor();
	const panel = page.getByTestId('tryit');
	await panel.getByTestId('tryit-sku').first().fill(sku);
	await panel.getByTestId('tryit-qty').first().fill('2');
	await panel.getByTestId('tryit-total').filter({ hasText: '40.00 EUR' }).waitFor();
	assert.equal(await panel.locator('[data-testid="tryit-promo"][data-applied="true"]').count(), 0,
	    'no demo promotion applies to this cart');

	/* A SKU the catalog does not have is named on its line. */
	await panel.getByTestId('tryit-add-line').click();
	await panel.getByTestId('tryit-sku').nth(1).fill('NO-SUCH-SKU');
	await panel.getByTestId('tryit-line-error').waitFor();
	await panel.getByTestId('tryit-line').nth(1).getByRole('button').click();
	await panel.getByTestId('tryit-total').filter({ hasText: '40.00 EUR' }).waitFor();

	/* What cannot be sent as typed is said under the field. */
	await page.getByTestId('promo-type').selectOption('items_percent');
	await page.getByTestId('promo-rate').fill('12,5%x');
	await page.getByTestId('promo-save').click();
	await page.locator('[data-testid="error-name"]').waitFor();
	assert.match(await page.locator('[data-testid="error-action.rate"]').innerText(), /percentage/);

	/* The promotion: 25% off that SKU, made in the editor. */
	await page.getByTestId('promo-name').fill('Quarter off one SKU');
	await page.getByTestId('promo-rate').fill('25');
	await page.getByTestId('promo-skus').fill(sku);
	await page.getByTestId('promo-dirty').filter({ hasText: 'Unsaved' }).waitFor();
	await page.getByTestId('promo-save').click();
	await page.waitForURL(/#\/pricing\/promotions\/promo_/);
	const id = decodeURIComponent(/promotions\/([^/?#]+)$/.exec(page.url())[1]);
	const saved = (await adminCall('GET', `${PRICING}/promotions/${encodeURIComponent(id)}`)).body;
	assert.deepEqual(saved.action, { ...saved.action, type: 'items_percent', rate: 25000 });
	assert.deepEqual(saved.conditions.match.skus, [sku]);

	/*
	 * The panel quotes the same cart again: 25% of 40.00 is 10.00 off, so
	 * the total drops from 40.00 to 30.00, of which tax is 30.00 x 19/119
	 * = 4.789... -> 4.79.
	 */
	const mine = panel.locator(`[data-testid="tryit-promo"][data-id="${id}"]`);
	await panel.locator(`[data-testid="tryit-promo"][data-id="${id}"][data-applied="true"]`).waitFor();
	assert.match(await mine.innerText(), /applied/);
	assert.equal((await mine.getByTestId('tryit-promo-amount').innerText()).trim(), '\u221210.00 EUR');
	await panel.getByTestId('tryit-total').filter({ hasText: '30.00 EUR' }).waitFor();
	assert.equal((await panel.getByTestId('tryit-subtotal').innerText()).trim(), '40.00 EUR');
	assert.equal((await panel.getByTestId('tryit-tax').innerText()).trim(), '4.79 EUR');
	/* The others say why not. */
	for (const other of await panel.locator('[data-testid="tryit-promo"][data-applied="false"]').all())
		assert.match(await other.getByTestId('tryit-promo-why').innerText(), /\u2014 \S/);

	/* A code promotion's batch of codes, downloaded as CSV. */
	await page.getByTestId('pricing-tab-promotions').click();
	const codeRow = page.getByTestId('promo-row').filter({ hasText: 'coupon code' }).first();
	await codeRow.getByTestId('promo-link').click();
	await page.getByTestId('coupons').waitFor();
	await page.getByTestId('batch-prefix').fill('E2E-');
	await page.getByTestId('batch-count').fill('5');
	await page.getByTestId('batch-generate').click();
	await page.getByTestId('coupons-flash').filter({ hasText: '5 codes generated' }).waitFor();
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByTestId('batch-row').filter({ hasText: 'E2E-' }).getByTestId('batch-csv').click(),
	]);
	const path = await download.path();
	const { readFile } = await import('node:fs/promises');
	const rows = (await readFile(path, 'utf8')).trim().split(/\r\n/);
	assert.match(rows[0], /^code,promotion_id,/);
	assert.equal(rows.length, 6, rows.join('|'));
	for (const r of rows.slice(1))
		assert.match(r, /^E2E-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8},promo_/);
	await assertClean();
});

/* A datetime-local value for a Date, in the browser's (and our) local time. */
function localInput(d) {
	const p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

test('customer groups: create, members, price list with a window', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '404', url: /\/api\/v1\/pricing\/groups\/[^/]+\/members\/[^/]+$/ },
	]);
	const reg = await adminCall('POST', '/api/v1/auth/register',
	    { email: 'trade@example.com', password: 'a long enough password', name: 'Trade Buyer' });
	assert.equal(reg.status, 201, JSON.stringify(reg.body));
	const customer = reg.body.id;
	const sku = (await adminCall('GET', `${PRICING}/prices?limit=1`)).body.data[0].sku;

	await signIn(page);
	await page.goto('/admin/#/pricing/groups');
	await page.getByTestId('groups-table').waitFor();
	await page.getByTestId('group-new-name').fill('Trade buyers');
	assert.equal(await page.getByTestId('group-new-code').inputValue(), 'trade-buyers', 'code suggested');
	await page.getByTestId('group-create').click();
	await page.getByTestId('group-new-notice').filter({ hasText: 'created' }).waitFor();
	await page.getByTestId('group-link').filter({ hasText: 'Trade buyers' }).click();
	await page.getByTestId('group-title').filter({ hasText: 'Trade buyers' }).waitFor();
	const gid = decodeURIComponent(/groups\/([^/?#]+)$/.exec(page.url())[1]);

	/* Members: an unknown id is refused in words, a real one is added. */
	await page.getByTestId('member-id').fill('usr_nobody');
	await page.getByTestId('member-add').click();
	await page.getByTestId('member-error').filter({ hasText: 'No customer account has this id' }).waitFor();
	await page.getByTestId('member-id').fill(customer);
	await page.getByTestId('member-add').click();
	await page.getByTestId('member-row').filter({ hasText: 'trade@example.com' }).waitFor();

	/* A group price from yesterday on, typed with a decimal comma. */
	await page.getByTestId('group-price-sku').fill(sku);
	await page.getByTestId('group-price-amount').fill('15,5');
	await page.getByTestId('group-price-starts').fill(localInput(new Date(Date.now() - 86400000)));
	await page.getByTestId('group-price-save').click();
	const row = page.locator(`[data-testid="group-price-row"][data-sku="${sku}"]`);
	await row.waitFor();
	assert.match(await row.innerText(), /15\.50 EUR/);
	assert.match(await row.innerText(), /applies/);
	const listed = (await adminCall('GET', `${PRICING}/groups/${gid}/prices`)).body.data;
	assert.equal(listed.length, 1);
	assert.equal(listed[0].amount, 1550);
	assert.ok(listed[0].starts_at, 'the window has a start');

	/* The quote for the member uses the group price. */
	const q = await adminCall('POST', `${PRICING}/quote`, { lines: [{ sku, quantity: 1 }], customer_id: customer });
	assert.equal(q.status, 200, JSON.stringify(q.body));
	assert.equal(q.body.lines[0].unit_price, 1550);

	/* Rename with Ctrl+S: the member add above did not cost the ETag. */
	await page.getByTestId('group-name').fill('Trade');
	await page.keyboard.press('Control+s');
	await page.getByTestId('group-notice').filter({ hasText: 'Saved' }).waitFor();
	assert.equal((await adminCall('GET', `${PRICING}/groups/${gid}`)).body.name, 'Trade');
	await assertClean();
});

test('tax: rates grid edited and saved, a country added, settings', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '409', url: /\/api\/v1\/pricing\/settings$/ },
	]);
	await signIn(page);
	await page.goto('/admin/#/pricing/tax');
	await page.getByTestId('rates-table').waitFor();
	const rate = (c, k) => page.locator(`[data-testid="rate-cell"][data-country="${c}"][data-category="${k}"]`);
	assert.equal(await rate('DE', 'standard').inputValue(), '19');
	assert.equal(await rate('FR', 'reduced').inputValue(), '5.5');

	await rate('DE', 'standard').fill('19.25');
	await rate('NL', 'reduced').fill('');
	await page.getByTestId('rate-country').fill('be');
	await page.getByTestId('rate-country-add').click();
	await rate('BE', 'standard').waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.dataset.country), 'BE');
	await rate('BE', 'reduced').fill('6');
	await rate('BE', 'standard').fill('21');
	await rate('BE', 'zero').fill('abc');
	await page.locator('td.cell-error').filter({ hasText: 'Not a rate' }).waitFor();
	await page.getByTestId('rates-save').click();
	await page.getByTestId('rates-notice').filter({ hasText: 'not valid' }).waitFor();
	await rate('BE', 'zero').fill('0');
	await page.keyboard.press('Control+s');
	await page.getByTestId('rates-notice').filter({ hasText: 'Saved 5 rates' }).waitFor();

	const rates = Object.fromEntries((await adminCall('GET', `${PRICING}/tax-rates?limit=200`)).body.data
	    .map((r) => [`${r.country}/${r.category}`, r.rate]));
	assert.equal(rates['DE/standard'], 19250);
	assert.equal(rates['BE/standard'], 21000);
	assert.equal(rates['BE/reduced'], 6000);
	assert.equal(rates['BE/zero'], 0);
	assert.equal(rates['NL/reduced'], undefined, 'an emptied cell removes the rate');
	await page.reload();
	await page.getByTestId('rates-table').waitFor();
	assert.equal(await rate('DE', 'standard').inputValue(), '19.25');
	assert.equal(await rate('NL', 'reduced').inputValue(), '');

	/* A product's tax category, picked from the filtered list. */
	const first = (await adminCall('GET', `${PRICING}/prices?limit=1`)).body.data[0];
	await page.getByTestId('product-tax-filter').fill(first.title);
	const prow = page.locator(`[data-testid="product-tax-row"][data-id="${first.product_id}"]`);
	await prow.getByTestId('product-tax-category').and(page.locator(':enabled')).waitFor();
	assert.equal(await prow.getByTestId('product-tax-category').inputValue(), 'standard');
	await prow.getByTestId('product-tax-category').selectOption('reduced');
	await prow.getByTestId('product-tax-msg').filter({ hasText: 'saved' }).waitFor();
	const tc = await adminCall('GET', `${PRICING}/products/${first.product_id}/tax-category`);
	assert.equal(tc.body.category, 'reduced');

	/* Settings: the currency cannot change while prices exist; the tax mode can. */
	await page.getByTestId('settings-currency').fill('USD');
	await page.getByTestId('settings-save').click();
	await page.locator('[data-testid="error-currency"]').filter({ hasText: 'cannot change while prices are set' }).waitFor();
	await page.getByTestId('settings-currency').fill('EUR');
	await page.getByTestId('settings-include-tax').uncheck();
	await page.getByTestId('settings-save').click();
	await page.getByTestId('settings-notice').filter({ hasText: 'Settings saved' }).waitFor();
	assert.equal((await adminCall('GET', `${PRICING}/settings`)).body.prices_include_tax, false);
	await assertClean();
});

/*
 * The admin's money and percent readers, as the browser loads them from
 * the binary: what staff type becomes exact minor units (or is refused),
 * never a float's neighbour.
 */
test('typed money and rates become exact integers', { timeout: 60000 }, async (t) => {
	const { page, assertClean } = await openPage(t);
	await page.goto('/admin/');
	const got = await page.evaluate(async () => {
		const f = await import('/admin/format.js');
		const c = await import('/admin/pages/pricing/common.js');
		const money = [['19.99', 2], ['19,99', 2], ['0.29', 2], ['1.005', 2], ['1,234.50', 2],
			['1.234,50', 2], ['€ 19.9', 2], ['EUR 3', 2], ['1,234', 2], ['19.999', 2], ['1.2.3', 2],
			['abc', 2], ['', 2], ['100', 0], ['1.5', 0], ['1.234', 3], ['9999999999999.99', 2],
			['10000000000000.01', 2], ['1,00', 2], ['-5', 2]];
		return {
			parse: money.map(([t, m]) => f.parseMajor(t, m)),
			format: [f.formatMinor(5, 2), f.formatMinor(1999, 2), f.formatMinor(100, 0),
				f.formatMoney(123456789, 'EUR', 2), f.formatMinor(1234, 3)],
			percent: ['19', '5.5', '8,875', '100', '100.001', '0', '12.3456', '7 %'].map((t) => c.parsePercent(t)),
			shown: [19000, 5500, 8875, 100000, 0].map((r) => c.percentText(r)),
		};
	});
	/* 0.29 is 0.28999999999999998 as a double: 29 here, by string arithmetic. */
	assert.deepEqual(got.parse, [1999, 1999, 29, null, 123450, 123450, 1990, 300, null, null, null,
		null, null, 100, null, 1234, 999999999999999, null, 100, -500]);
	assert.deepEqual(got.format, ['0.05', '19.99', '100', '1,234,567.89 EUR', '1.234']);
	assert.deepEqual(got.percent, [19000, 5500, 8875, 100000, null, 0, null, 7000]);
	assert.deepEqual(got.shown, ['19', '5.5', '8.875', '100', '0']);
	await assertClean();
});
