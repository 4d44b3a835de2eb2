/*
 * tests/e2e/shipping-payments.test.mjs: the Orders section's Shipping and
 * Payments tabs in a real browser against the real binary.  Signed in as
 * the admin, a zone "Benelux" is made from the typed codes "be, NL; LU":
 * a code that is not two letters is refused by the page, and the server's
 * 422 (the demo shop's zone has NL already) shows next to the countries
 * in words; the demo zone is edited to let NL go and Benelux is created.
 * It gets a flat rate typed as "4.95" (after "4.955" is refused) and a
 * weight-bracket method (a bracket out of order is refused in the page),
 * then a bracket is edited ("6,25" and a new weight) and both are listed
 * with their prices; free shipping from "75" is added, and a store pickup
 * added and deleted after a confirmation; the API holds exactly those
 * minor units.  On the Payments tab cash on
 * delivery (switched off behind the page's back) is switched on again,
 * the test provider is shown as for testing and off, a bad IBAN gets the
 * server's words under the field, and the bank transfer instructions are
 * reworded.  Last, through the API as a shopper: a cart of 1.2 kg going
 * to NL lists the new methods at the right prices and takes the weight
 * method's bracket; the bank transfer shows the new instructions.
 * Run: MERCATO_BIN=$PWD/mercato node --test --test-concurrency=1 tests/e2e/shipping-payments.test.mjs
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { adminSession } from './session.mjs';

const Z = '/api/v1/checkout/shipping/zones';
const PAY = '/api/v1/checkout/payments';
const { call, adminCall, openPage, signIn } = adminSession();
const INSTRUCTIONS = 'Please pay within 7 days, with the order number as the reference.';

async function json(method, path, body, headers = {}) {
	const res = await call(path, { method, headers: { 'Content-Type': 'application/json', ...headers },
		body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null };
}

const zoneCard = (page, name) => page.locator(`section[data-testid="zone-card"][aria-label="${name}"]`);

async function zonesByName() {
	const r = await adminCall('GET', Z);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	return Object.fromEntries(r.body.data.map((z) => [z.name, z]));
}

test('staff keep shipping zones, methods and payment methods in the admin', { timeout: 180000 }, async (t) => {
	const settings = (await json('GET', '/api/v1/pricing/settings')).body;
	const cur = settings.currency;
	assert.equal(settings.minor_units, 2, 'the demo shop counts cents');
	const before = await zonesByName();
	const demo = Object.values(before).find((z) => z.countries.includes('NL'));
	assert.ok(demo, 'the demo shop ships to NL');
	/* Cash on delivery is on in the demo shop: switch it off behind the page's back. */
	assert.equal((await adminCall('PUT', `${PAY}/cod`, { enabled: false })).status, 200);

	const { page, assertClean } = await openPage(t, [
		{ status: '422', url: /\/api\/v1\/checkout\/shipping\/zones$/ },
		{ status: '422', url: /\/api\/v1\/checkout\/payments\/bank-transfer$/ },
	]);
	await signIn(page);
	await page.getByTestId('nav-orders').click();
	await page.getByTestId('orders-tab-shipping').click();
	await page.waitForURL(/#\/orders\/shipping$/);
	await page.getByTestId('page-shipping').waitFor();
	await zoneCard(page, demo.name).waitFor();

	/* A code that is not two letters never reaches the server. */
	await page.getByTestId('zone-new').click();
	const form = page.getByTestId('zone-new-card').getByTestId('zone-form');
	await form.getByTestId('zone-name').fill('Benelux');
	await form.getByTestId('zone-countries').fill('be, NL; LU, NLD');
	await form.getByTestId('zone-save').click();
	await form.getByTestId('error-countries').waitFor();
	assert.match(await form.getByTestId('error-countries').innerText(), /Not an ISO 3166-1 alpha-2 code: NLD/);
	assert.deepEqual(Object.keys(await zonesByName()).sort(), Object.keys(before).sort(), 'nothing was sent');

	/* The server refuses NL, which the demo zone has: said next to the countries. */
	await form.getByTestId('zone-countries').fill('be, NL; LU');
	await form.getByTestId('zone-save').click();
	await form.locator('[data-testid="error-countries"]:has-text("NL is already in another zone")').waitFor();
	assert.equal((await zonesByName()).Benelux, undefined);

	/* Let the demo zone give NL up, then create Benelux. */
	const demoCard = zoneCard(page, demo.name);
	await demoCard.getByTestId('zone-edit').click();
	const rest = demo.countries.filter((c) => c !== 'NL');
	await demoCard.getByTestId('zone-countries').fill(rest.join(', '));
	await demoCard.getByTestId('zone-save').click();
	await demoCard.locator(`[data-testid="zone-countries-text"]:has-text("${[...rest].sort().join(', ')}")`).waitFor();
	await form.getByTestId('zone-save').click();
	const card = zoneCard(page, 'Benelux');
	await card.getByTestId('zone-countries-text').waitFor();
	assert.match(await card.getByTestId('zone-countries-text').innerText(), /BE, LU, NL/);
	const zone = (await zonesByName()).Benelux;
	assert.deepEqual(zone.countries, ['BE', 'LU', 'NL']);
	assert.deepEqual((await zonesByName())[demo.name].countries, [...rest].sort());

	/* A flat rate typed as the shop's money. */
	await card.getByTestId('method-add').click();
	let mf = card.getByTestId('method-form');
	await mf.getByTestId('method-kind').selectOption('flat');
	await mf.getByTestId('method-name').fill('Benelux post');
	await mf.getByTestId('method-amount').fill('4.955');
	await mf.getByTestId('method-save').click();
	await mf.locator('[data-testid="error-amount"]:has-text("Type an amount such as 4.95")').waitFor();
	await mf.getByTestId('method-amount').fill('4.95');
	await mf.getByTestId('method-save').click();
	await card.locator('[data-testid="method-row"][data-name="Benelux post"]').waitFor();
	assert.equal(await card.locator('[data-testid="method-row"][data-name="Benelux post"] [data-testid="method-price"]')
	    .innerText(), `4.95 ${cur}`);

	/* Weight brackets: one out of order is refused in the page, then fixed. */
	await card.getByTestId('method-add').click();
	mf = card.getByTestId('method-form');
	await mf.getByTestId('method-kind').selectOption('weight');
	await mf.getByTestId('method-name').fill('By weight');
	await mf.getByTestId('bracket-grams').first().fill('1000');
	await mf.getByTestId('bracket-amount').first().fill('5.50');
	await mf.getByTestId('bracket-add').click();
	await mf.getByTestId('bracket-grams').nth(1).fill('500');
	await mf.getByTestId('bracket-amount').nth(1).fill('9.95');
	await mf.getByTestId('method-save').click();
	await mf.getByText('More grams than the bracket above').waitFor();
	await mf.getByTestId('bracket-grams').nth(1).fill('5000');
	await mf.getByTestId('method-save').click();
	const weightRow = card.locator('[data-testid="method-row"][data-name="By weight"]');
	await weightRow.waitFor();
	assert.equal(await weightRow.getByTestId('method-price').innerText(),
	    `up to 1000 g: 5.50 ${cur}; up to 5000 g: 9.95 ${cur}`);

	/* Edit a bracket: a comma as the decimal point, and a lower top weight. */
	await weightRow.getByTestId('method-edit').click();
	mf = card.getByTestId('method-form');
	assert.equal(await mf.getByTestId('method-kind').isDisabled(), true, 'a method keeps its kind');
	assert.equal(await mf.getByTestId('bracket-amount').first().inputValue(), '5.50');
	await mf.getByTestId('bracket-amount').first().fill('6,25');
	await mf.getByTestId('bracket-grams').nth(1).fill('3000');
	await mf.getByTestId('method-save').click();
	await card.locator(`[data-testid="method-price"]:text-is("up to 1000 g: 6.25 ${cur}; up to 3000 g: 9.95 ${cur}")`)
	    .waitFor();
	assert.equal(await card.getByTestId('method-row').count(), 2);

	/* Free above a subtotal, and a pickup that is added and deleted again. */
	await card.getByTestId('method-add').click();
	mf = card.getByTestId('method-form');
	await mf.getByTestId('method-kind').selectOption('free_above');
	await mf.getByTestId('method-name').fill('Free over 75');
	await mf.getByTestId('method-min-subtotal').fill('75');
	await mf.getByTestId('method-save').click();
	await card.locator(`[data-testid="method-price"]:text-is("free, offered from a subtotal of 75.00 ${cur}")`).waitFor();
	await card.getByTestId('method-add').click();
	mf = card.getByTestId('method-form');
	await mf.getByTestId('method-kind').selectOption('pickup');
	await mf.getByTestId('method-name').fill('Pick up in Utrecht');
	await mf.getByTestId('method-save').click();
	const pickup = card.locator('[data-testid="method-row"][data-name="Pick up in Utrecht"]');
	await pickup.waitFor();
	const asked = new Promise((resolve) => page.once('dialog', async (d) => {
		resolve(d.message());
		await d.accept();
	}));
	await pickup.getByTestId('method-delete').click();
	assert.match(await asked, /Delete the method .Pick up in Utrecht. of Benelux/);
	await pickup.waitFor({ state: 'detached' });
	assert.equal(await card.getByTestId('method-row').count(), 3);
	const methods = Object.fromEntries((await zonesByName()).Benelux.methods.map((m) => [m.name, m]));
	assert.equal(methods['Benelux post'].kind, 'flat');
	assert.equal(methods['Benelux post'].amount, 495);
	assert.equal(methods['By weight'].kind, 'weight');
	assert.deepEqual(methods['By weight'].brackets, [{ max_grams: 1000, amount: 625 }, { max_grams: 3000, amount: 995 }]);
	assert.equal(methods['Free over 75'].min_subtotal, 7500);
	assert.deepEqual(Object.keys(methods).sort(), ['Benelux post', 'By weight', 'Free over 75']);

	/* Payments: cash on delivery on again; the test provider plainly for testing and off. */
	await page.getByTestId('orders-tab-payments').click();
	await page.waitForURL(/#\/orders\/payments$/);
	await page.getByTestId('page-payments').waitFor();
	assert.equal(await page.getByTestId('cod-enabled').isChecked(), false);
	assert.match(await page.getByTestId('test-warning').innerText(), /For testing only[\s\S]*off by default/);
	assert.equal(await page.getByTestId('test-enabled').isChecked(), false);
	assert.equal(await page.getByTestId('test-state').innerText(), 'Now: not offered');
	await page.getByTestId('cod-enabled').check();
	await page.getByTestId('cod-save').click();
	await page.locator('[data-testid="cod-notice"]:has-text("Cash on delivery is offered")').waitFor();
	assert.equal(await page.getByTestId('cod-state').innerText(), 'Now: offered');

	/* Bank transfer: the server's words for a bad IBAN, then the new instructions. */
	const bank = page.getByTestId('bank-form');
	await bank.getByTestId('bank-holder').fill('Mercato B.V.');
	await bank.getByTestId('bank-iban').fill('NL91-ABNA-0417');
	await bank.getByTestId('bank-save').click();
	await bank.locator('[data-testid="error-iban"]:has-text("must be an IBAN in capitals")').waitFor();
	assert.equal((await adminCall('GET', `${PAY}/bank-transfer`)).body.account_holder, '', 'the 422 wrote nothing');
	await bank.getByTestId('bank-iban').fill('nl91 abna 0417 1643 00');
	await bank.getByTestId('bank-instructions').fill(INSTRUCTIONS);
	await bank.getByTestId('bank-save').click();
	await page.locator('[data-testid="bank-notice"]:has-text("Saved")').waitFor();
	assert.equal(await bank.getByTestId('bank-iban').inputValue(), 'NL91 ABNA 0417 1643 00');
	await page.reload();
	await page.getByTestId('bank-instructions').waitFor();
	assert.equal(await page.getByTestId('bank-instructions').inputValue(), INSTRUCTIONS);
	assert.equal(await page.getByTestId('cod-enabled').isChecked(), true);

	/* As a shopper: what NL sees, and a 1.2 kg cart takes the 3000 g bracket. */
	const pm = await json('GET', `${PAY}/methods`);
	assert.deepEqual(pm.body.data.map((m) => m.id), ['bank_transfer', 'cod']);
	assert.equal(pm.body.data[0].instructions, INSTRUCTIONS);
	assert.deepEqual(pm.body.data[0].account, { account_holder: 'Mercato B.V.', iban: 'NL91 ABNA 0417 1643 00', bic: '' });

	const sku = `SHIP-${randomBytes(3).toString('hex').toUpperCase()}`;
	let r = await adminCall('POST', '/api/v1/catalog/products', { title: `Parcel ${sku}`, status: 'active',
		variants: [{ sku, on_hand: 50, weight_grams: 600 }] });
	assert.equal(r.status, 201, JSON.stringify(r.body));
	r = await adminCall('PUT', `/api/v1/pricing/prices/${sku}`, { amount: 2000 });
	assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));
	r = await adminCall('PUT', '/api/v1/pricing/tax-rates/NL/standard', { rate: 21000 });
	assert.ok([200, 201].includes(r.status), JSON.stringify(r.body));

	const list = await json('GET', '/api/v1/checkout/shipping/methods?country=NL&weight_grams=1200&subtotal=4000');
	assert.equal(list.status, 200, JSON.stringify(list.body));
	assert.deepEqual(list.body.data.map((m) => [m.name, m.kind, m.amount, m.available]),
	    [['Benelux post', 'flat', 495, true], ['By weight', 'weight', 995, true], ['Free over 75', 'free_above', null, false]]);
	const heavy = await json('GET', '/api/v1/checkout/shipping/methods?country=BE&weight_grams=3001&subtotal=7500');
	assert.deepEqual(heavy.body.data.map((m) => [m.name, m.amount, m.available]),
	    [['Benelux post', 495, true], ['By weight', null, false], ['Free over 75', 0, true]]);

	const c = await json('POST', '/api/v1/checkout/carts');
	assert.ok([200, 201].includes(c.status), JSON.stringify(c.body));
	const h = { 'x-cart-token': c.body.token };
	r = await json('POST', `/api/v1/checkout/carts/${c.body.id}/lines`, { sku, quantity: 2 }, h);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	r = await json('PUT', `/api/v1/checkout/carts/${c.body.id}/shipping`, { country: 'NL', method: methods['By weight'].id }, h);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	assert.deepEqual(r.body.shipping, { country: 'NL', method_id: methods['By weight'].id, name: 'By weight', amount: 995 });
	r = await json('PUT', `/api/v1/checkout/carts/${c.body.id}/shipping`, { country: 'NL', method: methods['Benelux post'].id }, h);
	assert.equal(r.status, 200, JSON.stringify(r.body));
	assert.equal(r.body.shipping.amount, 495);

	await assertClean();
});
