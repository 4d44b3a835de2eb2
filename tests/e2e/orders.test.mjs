/*
 * tests/e2e/orders.test.mjs: the admin's Orders section in a real browser
 * against the real binary (issue 5's browser check).  An order is placed
 * through the API as a guest would (cart, line, POST /orders with an
 * Idempotency-Key) and paid by the staff payments endpoint; then, signed
 * in as the admin, the list is searched by the order number (the query
 * stays in the URL hash and survives a reload), the order opened, and
 * taken from paid through prepared and shipped (carrier and tracking
 * number) to delivered, each step appearing in the timeline with its
 * actor while only the allowed actions are offered.  A second order is
 * cancelled behind the page's back: cancelling it again in the UI shows
 * the server's 409 in words.  No console error or CSP violation happens
 * beyond that provoked 409.  Last, a partial payment is recorded in the
 * form (10,00 of what is due) and the printable invoice downloads.  And a
 * paid order's line is partly refunded in the refund dialog: the amount
 * shown before confirming is the server's preview, the credit note number
 * and amount show afterwards and the refund is in the timeline.
 * Run: MERCATO_BIN=$PWD/mercato node --test tests/e2e/orders.test.mjs
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminSession } from './session.mjs';

const O = '/api/v1/checkout/orders';
const { adminCall, openPage, placeOrder, sellable, signIn } = adminSession();

let goods = null;

/* A guest order of 2 (bank transfer), approved; the product is made once. */
async function guestOrder(email) {
	goods ??= await sellable('E2E');
	return placeOrder(goods, { email, quantity: 2 });
}

const timelineTypes = (page) => page.getByTestId('timeline-event').evaluateAll(
    (els) => els.map((e) => e.getAttribute('data-type')));

async function waitStatus(page, status) {
	await page.locator(`[data-testid="order-detail-status"]:text-is("${status}")`).waitFor();
}

test('a staff user takes a paid order through prepared and shipped to delivered', { timeout: 120000 }, async (t) => {
	const order = await guestOrder('ada.orders@example.com');
	const pay = await adminCall('POST', `${O}/${order.id}/payments`, { amount: order.total, note: 'bank' });
	assert.ok([200, 201].includes(pay.status), JSON.stringify(pay.body));

	const { page, assertClean } = await openPage(t);
	await signIn(page);
	await page.getByTestId('nav-orders').click();
	await page.getByTestId('page-orders').waitFor();
	await page.getByTestId('order-table').waitFor();

	/* Search by number: the query goes into the hash and survives a reload. */
	await page.getByTestId('order-search').fill(String(order.number));
	await page.getByTestId('order-search-go').click();
	await page.waitForURL(new RegExp(`#/orders\\?q=${order.number}$`));
	await page.locator(`[data-testid="order-table"][data-query="#/orders?q=${order.number}"]`).waitFor();
	assert.equal(await page.getByTestId('order-row').count(), 1);
	await page.getByTestId('order-status-filter').selectOption('paid');
	await page.waitForURL(/status=paid/);
	await page.reload();
	await page.getByTestId('whoami').waitFor();
	await page.locator('[data-testid="order-row"]').first().waitFor();
	assert.equal(await page.getByTestId('order-search').inputValue(), String(order.number));
	assert.equal(await page.getByTestId('order-status-filter').inputValue(), 'paid');
	assert.equal(await page.getByTestId('order-row').count(), 1);
	assert.equal(await page.getByTestId('order-row').getAttribute('data-id'), order.id);
	/* another status filter finds nothing */
	await page.getByTestId('order-status-filter').selectOption('delivered');
	await page.getByText('No order matches these filters.').waitFor();
	await page.getByTestId('order-status-filter').selectOption('paid');
	await page.getByTestId('order-link').click();

	/* The detail: lines, totals, payment, address, timeline; actions of "paid". */
	await page.waitForURL(new RegExp(`#/orders/${order.id}$`));
	await page.getByTestId('order-title').waitFor();
	assert.equal(await page.getByTestId('order-title').innerText(), `Order #${order.number}`);
	await waitStatus(page, 'paid');
	assert.equal(await page.getByTestId('order-line').count(), 1);
	assert.match(await page.getByTestId('order-lines').innerText(), new RegExp(goods.sku));
	assert.equal(await page.getByTestId('order-payment').count(), 1);
	assert.match(await page.getByTestId('order-addresses').innerText(), /Stockholm/);
	assert.deepEqual(await timelineTypes(page), ['created', 'approved', 'paid']);
	assert.equal(await page.getByTestId('order-action-paid').count(), 0, 'fully paid: no payment action');
	assert.equal(await page.getByTestId('order-action-shipped').count(), 0, 'not prepared yet');

	await page.getByTestId('order-action-prepared').click();
	await waitStatus(page, 'prepared');
	assert.deepEqual(await timelineTypes(page), ['created', 'approved', 'paid', 'prepared']);
	assert.equal(await page.getByTestId('order-action-prepared').count(), 0);

	await page.getByTestId('order-action-shipped').click();
	await page.getByTestId('ship-carrier').fill('DHL');
	await page.getByTestId('ship-tracking').fill('00340434161094042557');
	await page.getByTestId('ship-submit').click();
	await waitStatus(page, 'shipped');
	assert.deepEqual(await timelineTypes(page), ['created', 'approved', 'paid', 'prepared', 'shipped']);
	const shipped = page.locator('[data-testid="timeline-event"][data-type="shipped"]');
	assert.match(await shipped.innerText(), /DHL.*00340434161094042557/);

	await page.getByTestId('order-action-delivered').click();
	await waitStatus(page, 'delivered');
	assert.deepEqual(await timelineTypes(page),
	    ['created', 'approved', 'paid', 'prepared', 'shipped', 'delivered']);
	for (const a of ['paid', 'prepared', 'shipped', 'delivered', 'cancelled'])
		assert.equal(await page.getByTestId(`order-action-${a}`).count(), 0, `no ${a} once delivered`);

	const d = await adminCall('GET', `${O}/${order.id}`);
	assert.equal(d.body.status, 'delivered');
	assert.equal(d.body.tracking_number, '00340434161094042557');
	/* each step shows its time and who did it, as the API records them */
	const ev = d.body.timeline.find((e) => e.type === 'shipped');
	assert.ok(ev.actor, 'the shipped event has an actor');
	const text = await shipped.innerText();
	assert.ok(text.includes(`by ${ev.actor}`), `${text} names ${ev.actor}`);
	assert.equal(await shipped.locator('span[title]').getAttribute('title'), ev.at);
	await assertClean();
});

test('an action the order no longer allows is refused in words (409)', { timeout: 60000 }, async (t) => {
	const order = await guestOrder('bob.orders@example.com');
	const { page, assertClean } = await openPage(t, [
		{ status: '409', url: /\/api\/v1\/checkout\/orders\/[^/]+\/transitions$/ },
	]);
	await signIn(page);
	await page.goto(`/admin/#/orders/${order.id}`);
	await waitStatus(page, 'approved');
	await page.getByTestId('order-action-paid').waitFor();
	/* someone else cancels it meanwhile */
	const c = await adminCall('POST', `${O}/${order.id}/transitions`, { to: 'cancelled', reason: 'customer asked' });
	assert.equal(c.status, 200, JSON.stringify(c.body));
	await page.getByTestId('order-action-cancelled').click();
	await page.getByTestId('cancel-reason').fill('duplicate');
	page.once('dialog', (dlg) => dlg.accept());
	await page.getByTestId('cancel-submit').click();
	const err = page.getByTestId('order-action-error');
	await err.waitFor();
	assert.match(await err.innerText(), /Not allowed now: .*cancelled/i);
	await waitStatus(page, 'cancelled');
	await page.getByTestId('order-no-actions').waitFor();
	await assertClean();
});

test('recording a partial payment and downloading the invoice', { timeout: 60000 }, async (t) => {
	const order = await guestOrder('cy.orders@example.com');
	const { page, assertClean } = await openPage(t);
	await signIn(page);
	await page.goto(`/admin/#/orders/${order.id}`);
	await waitStatus(page, 'approved');
	await page.getByTestId('order-action-paid').click();
	const amount = page.getByTestId('payment-amount');
	assert.equal(await amount.inputValue(), (order.total / 100).toFixed(2), 'what is due is suggested');
	await amount.fill('10,00');
	await page.getByTestId('payment-submit').click();
	await page.locator('[data-testid="order-detail-payment"]:text-is("partially paid")').waitFor();
	assert.equal(await page.getByTestId('order-payment').count(), 1);
	await page.getByTestId('order-action-paid').waitFor();	/* the rest is still due */
	const d = await adminCall('GET', `/api/v1/checkout/orders/${order.id}`);
	assert.equal(d.body.paid, 1000);
	assert.equal(await page.getByTestId('order-paid').innerText(), '10.00 EUR');

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByTestId('order-invoice').click(),
	]);
	assert.equal(download.suggestedFilename(), `invoice-${order.number}.html`);
	const fs = await import('node:fs/promises');
	const body = await fs.readFile(await download.path(), 'utf8');
	assert.match(body, /<html/i);
	await assertClean();
});

test('a partial refund of one line through the refund dialog', { timeout: 60000 }, async (t) => {
	const order = await guestOrder('dee.orders@example.com');
	const pay = await adminCall('POST', `${O}/${order.id}/payments`, { amount: order.total, note: 'bank' });
	assert.ok([200, 201].includes(pay.status), JSON.stringify(pay.body));
	/* What the server would refund for one of the line's two units. */
	const expect = await adminCall('POST', `${O}/${order.id}/refunds/preview`, { lines: [{ line: 1, quantity: 1 }] });
	assert.equal(expect.status, 200, JSON.stringify(expect.body));
	const { page, assertClean } = await openPage(t);
	const sent = [];
	page.on('request', (req) => {
		if (/\/refunds(\/preview)?$/.test(req.url()) && req.method() === 'POST')
			sent.push(JSON.parse(req.postData() || '{}'));
	});
	await signIn(page);
	await page.goto(`/admin/#/orders/${order.id}`);
	await waitStatus(page, 'paid');
	await page.getByTestId('order-action-refund').click();
	const dlg = page.getByTestId('refund-dialog');
	await dlg.waitFor();
	assert.equal(await page.getByTestId('refund-confirm').isDisabled(), true, 'nothing chosen: nothing to confirm');
	assert.equal(await page.getByTestId('refund-line').count(), 1);
	await page.getByTestId('refund-qty').fill('1');
	await page.getByTestId('refund-reason').fill('one arrived damaged');
	const amount = page.getByTestId('refund-amount');
	await amount.waitFor();
	const shown = `${(expect.body.amount / 100).toFixed(2)} EUR`;
	assert.equal(await amount.innerText(), shown, 'the server\'s amount is shown before confirming');
	assert.equal(await page.getByTestId('refund-line-amount').innerText(), shown);
	await page.getByTestId('refund-confirm').click();
	const done = page.getByTestId('refund-result');
	await done.waitFor();
	await page.locator('[data-testid="order-detail-payment"]:text-is("partially refunded")').waitFor();
	const d = await adminCall('GET', `${O}/${order.id}`);
	assert.equal(d.body.refunded, expect.body.amount);
	assert.equal(d.body.lines[0].refunded_quantity, 1);
	assert.equal(d.body.payment.refunded, expect.body.amount);
	assert.equal(await done.innerText(), `Credit note ${d.body.last_credit_note}: ${shown} refunded.`);
	assert.deepEqual(await timelineTypes(page), ['created', 'approved', 'paid', 'refunded']);
	const ev = page.locator('[data-testid="timeline-event"][data-type="refunded"]');
	assert.match(await ev.innerText(), new RegExp(`Refunded ${shown.replace('.', '\\.')}, credit note ${d.body.last_credit_note}: one arrived damaged`));
	/* The client chose lines and quantities only: never an amount. */
	assert.ok(sent.length >= 2, 'previewed, then refunded');
	for (const b of sent) {
		assert.equal(b.amount, undefined);
		assert.ok(b.lines.every((l) => l.amount === undefined && l.quantity === 1 && l.line === 1), JSON.stringify(b));
	}
	/* One unit and the rest of the money are still refundable. */
	await page.getByTestId('order-action-refund').waitFor();
	await assertClean();
});
