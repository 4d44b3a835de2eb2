/*
 * tests/e2e/catalog-attributes.test.mjs: the Catalog "Attributes" tab and
 * the product editor's attribute inputs in a real browser against the real
 * binary, on a fresh (seeded) data dir.  Signed in as the admin it defines
 * a select attribute and a number attribute with a unit, makes a product
 * type of them (the select required), edits the attribute's choices in
 * place, then opens a product, picks the new type, sees the required
 * attribute refused while empty (the 422 under its input), sets the values
 * (and a demo multiselect), saves with Ctrl+S, and finds the values after
 * a reload and through the API; last it creates a product of the type with
 * its values from the New product form.  No console error or CSP violation may
 * happen beyond the 422 it provokes.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/catalog-attributes.test.mjs
 * A screenshot of the product page is left in build/e2e-catalog-attributes.png.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { adminSession } from './session.mjs';

const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));
const SCREENSHOT = `${BUILD_DIR}e2e-catalog-attributes.png`;
const CATALOG = '/api/v1/catalog';

const { adminCall, openPage, signIn } = adminSession();

const tag = Date.now() % 100000;
const WEAVE = `weave_${tag}`;
const WIDTH = `width_${tag}`;
const TYPE = `Scarf ${tag}`;

test('define attributes and a type, set values in the product editor', { timeout: 120000 }, async (t) => {
	const { page, assertClean } = await openPage(t, [
		{ status: '422', url: /\/api\/v1\/catalog\/products\/[^/]+$/ },
	]);
	await signIn(page);
	await page.getByTestId('nav-catalog').click();
	await page.getByTestId('catalog-tab-attributes').click();
	await page.waitForURL(/#\/catalog\/attributes$/);

	/* The demo attributes are listed. */
	const table = page.getByTestId('attribute-table');
	await table.locator('[data-testid="attribute-row"][data-code="material"]').waitFor();

	/* A select attribute. */
	const form = page.getByTestId('attribute-form');
	await form.getByTestId('attribute-code').fill(WEAVE);
	await form.getByTestId('attribute-name').fill('Weave');
	await form.getByTestId('attribute-kind').selectOption('select');
	await form.getByTestId('attribute-choices').fill('Twill, Plain');
	await form.getByTestId('attribute-filterable').check();
	await form.getByTestId('attribute-save').click();
	await table.locator(`[data-testid="attribute-row"][data-code="${WEAVE}"]`).waitFor();

	/* A number with a unit. */
	await form.getByTestId('attribute-code').fill(WIDTH);
	await form.getByTestId('attribute-name').fill('Width');
	await form.getByTestId('attribute-kind').selectOption('number');
	await form.getByTestId('attribute-unit').fill('cm');
	await form.getByTestId('attribute-save').click();
	await table.locator(`[data-testid="attribute-row"][data-code="${WIDTH}"]`).waitFor();

	/* Edit in place: one more choice. */
	const row = table.locator(`[data-testid="attribute-row"][data-code="${WEAVE}"]`);
	await row.getByTestId('attribute-edit').click();
	const edit = page.getByTestId('attribute-edit-form');
	assert.equal(await edit.getByTestId('attribute-code').isDisabled(), true, 'the code is fixed');
	await edit.getByTestId('attribute-choices').fill('Twill, Plain, Herringbone');
	await edit.getByTestId('attribute-save').click();
	await page.waitForFunction((code) => {
		const r = document.querySelector(`[data-testid="attribute-row"][data-code="${code}"]`);
		return r && /Herringbone/.test(r.textContent);
	}, WEAVE);
	const def = await adminCall('GET', `${CATALOG}/attributes/${WEAVE}`);
	assert.deepEqual(def.body.choices, ['Twill', 'Plain', 'Herringbone']);
	assert.equal(def.body.filterable, true);

	/* A product type: weave required, width and the demo colour optional. */
	const tf = page.getByTestId('type-form');
	await tf.getByTestId('type-name').fill(TYPE);
	for (const code of [WEAVE, WIDTH, 'colour'])
		await tf.locator(`[data-testid="type-attr"][data-code="${code}"]`).getByTestId('type-attr-use').check();
	await tf.locator(`[data-testid="type-attr"][data-code="${WEAVE}"]`).getByTestId('type-attr-required').check();
	await tf.getByTestId('type-save').click();
	await page.getByTestId('type-list').getByText(TYPE).waitFor();
	const types = (await adminCall('GET', `${CATALOG}/product-types`)).body.data;
	const type = types.find((x) => x.name === TYPE);
	assert.ok(type, 'the type exists');
	/* In the table's order: position, then code (the demo colour is 2nd). */
	assert.deepEqual(type.attributes, [{ code: WEAVE, required: true }, { code: WIDTH, required: false },
	    { code: 'colour', required: false }]);

	/* A demo bag: give it the new type. */
	const bag = (await adminCall('GET', `${CATALOG}/products?limit=100`)).body.data
	    .find((p) => /Tote Bag/.test(p.title));
	await page.goto(`/admin/#/catalog/products/${encodeURIComponent(bag.id)}`);
	const pform = page.getByTestId('product-form');
	await pform.getByTestId('product-attributes').waitFor();
	await pform.getByTestId('field-type_id').selectOption(type.id);
	await pform.locator(`[data-testid="attr-field"][data-code="${WEAVE}"]`).waitFor();
	assert.match(await page.getByTestId('product-dirty').innerText(), /Unsaved changes/);

	/* Saving without the required weave: the message sits under it. */
	await pform.getByTestId('product-save').click();
	const err = pform.locator(`[data-testid="error-attributes.${WEAVE}"]`);
	await err.waitFor();
	assert.match(await err.innerText(), /required/);

	/* The values, then Ctrl+S. */
	await pform.getByTestId(`attr-input-${WEAVE}`).selectOption('Herringbone');
	await pform.getByTestId(`attr-input-${WIDTH}`).fill('72.5');
	await pform.getByTestId('attr-input-colour-Navy').check();
	await page.keyboard.press('Control+s');
	await page.getByTestId('product-notice').getByText('Saved.').waitFor();
	assert.match(await page.getByTestId('product-dirty').innerText(), /No unsaved changes/);

	/* After a reload the values are there, in the inputs and the API. */
	await page.reload();
	await pform.getByTestId('product-attributes').waitFor();
	await page.waitForFunction((id) => {
		const s = document.querySelector('[data-testid="field-type_id"]');
		return s && s.value === id;
	}, type.id);
	assert.equal(await pform.getByTestId(`attr-input-${WEAVE}`).inputValue(), 'Herringbone');
	assert.equal(await pform.getByTestId(`attr-input-${WIDTH}`).inputValue(), '72.5');
	assert.equal(await pform.getByTestId('attr-input-colour-Navy').isChecked(), true);
	assert.match(await pform.locator(`[data-testid="attr-field"][data-code="${WIDTH}"]`).innerText(), /cm/);
	const saved = (await adminCall('GET', `${CATALOG}/products/${bag.id}`)).body;
	assert.equal(saved.type_id, type.id);
	assert.equal(saved.attributes[WEAVE], 'Herringbone');
	assert.equal(saved.attributes[WIDTH], 72.5);
	assert.ok(saved.attributes.colour.includes('Navy'));
	assert.equal(saved.attributes.material, bag.attributes.material, 'the demo material stays');

	await mkdir(BUILD_DIR, { recursive: true });
	await page.screenshot({ path: SCREENSHOT, fullPage: true });

	/* A new product of the type, with its values, from the New form. */
	await page.goto('/admin/#/catalog/new');
	const nf = page.getByTestId('new-product-form');
	await nf.getByTestId('new-title').fill(`Scarf ${tag}`);
	await nf.getByTestId('field-type_id').selectOption(type.id);
	await nf.getByTestId(`attr-input-${WEAVE}`).selectOption('Twill');
	await nf.getByTestId(`attr-input-${WIDTH}`).fill('30');
	await nf.getByTestId('new-save').click();
	await page.waitForURL(/#\/catalog\/products\/prod_/);
	const nid = decodeURIComponent(/products\/([^/?#]+)$/.exec(page.url())[1]);
	await page.getByTestId('product-attributes').waitFor();
	const made = (await adminCall('GET', `${CATALOG}/products/${nid}`)).body;
	assert.equal(made.type_id, type.id);
	assert.deepEqual(made.attributes, { [WEAVE]: 'Twill', [WIDTH]: 30 });
	await assertClean();
});
