/*
 * pages/orders/index.js: the Orders section (checkout, issue 5).  #/orders
 * is the list (filters by the dashboard's queues, status, payment status
 * and a date range, search by order number or email; the filters live in
 * the hash as a query, #/orders?status=paid&q=…, so a reload or a shared
 * link keeps them;
 * "Load more" follows the next cursor).  #/orders/<id> is one order: its
 * lines, totals, payments (its paid events), addresses, the event
 * timeline (oldest first, with time and actor), and only the actions the
 * API's next_actions allow: record a payment, prepare, ship (carrier and
 * tracking number), deliver, cancel (after a confirmation).  A refused
 * action (409 naming the state) is shown in words above the actions.  The
 * invoice is fetched as the staff user and opened as a file.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, apiFile } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { formatTime, formatMoney, parseMajor, plural } from '../../format.js';
import { useHash, navigate } from '../../nav.js';
import { Shipping } from './shipping.js';
import { Payments } from './payments.js';
import { Invoices } from './invoices.js';
import { Refund } from './refund.js';

const O = '/api/v1/checkout/orders';
const PAGE = 50;
export const ORDER_STATUSES = ['created', 'approved', 'paid', 'prepared', 'shipped', 'delivered',
	'cancelled', 'refunded'];
export const PAYMENT_STATUSES = ['unpaid', 'partially_paid', 'paid', 'partially_refunded', 'refunded'];
const FILTER_KEYS = ['queue', 'status', 'payment_status', 'from', 'to', 'q'];

/* The dashboard's queues (GET /checkout/orders?queue=, as /checkout/stats counts). */
const QUEUES = { to_fulfil: 'to fulfil', unpaid: 'unpaid' };

const orderPath = (id) => `${O}/${encodeURIComponent(id)}`;
const orderHref = (id) => `#/orders/${encodeURIComponent(id)}`;
const money = (n, o) => formatMoney(n, o && o.currency);
const paidOf = (o) => Number(o.paid ?? o.paid_total ?? 0);

/* The section's tabs: shipping zones and payment methods live beside the orders. */
const TABS = [
	{ view: 'list', hash: '#/orders', label: 'Orders' },
	{ view: 'shipping', hash: '#/orders/shipping', label: 'Shipping' },
	{ view: 'payments', hash: '#/orders/payments', label: 'Payments' },
	{ view: 'invoices', hash: '#/orders/invoices', label: 'Invoices' },
];

/* "#/orders?status=paid" -> { view: 'list', filters }; "#/orders/ord_1" -> detail. */
export function parseOrdersHash(hash) {
	const h = String(hash || '').replace(/^#\/orders/, '');
	const [path, query] = h.split('?');
	const rest = path.replace(/^\//, '').replace(/\/$/, '');
	if (rest === 'shipping' || rest === 'payments' || rest === 'invoices')
		return { view: rest };
	if (rest === '') {
		const p = new URLSearchParams(query || '');
		const filters = {};
		for (const k of FILTER_KEYS)
			filters[k] = p.get(k) || '';
		return { view: 'list', filters };
	}
	try {
		if (!rest.includes('/'))
			return { view: 'order', id: decodeURIComponent(rest) };
	} catch {
		/* a malformed escape */
	}
	return { view: 'missing' };
}

export function ordersHash(filters) {
	const p = new URLSearchParams();
	for (const k of FILTER_KEYS)
		if (filters[k])
			p.set(k, filters[k]);
	const q = p.toString();
	return `#/orders${q ? `?${q}` : ''}`;
}

/* A local date "2026-11-26" as the API's UTC time at its start or end. */
/* The built-in payment methods by the names shop owners know them by. */
const METHOD_TITLES = { bank_transfer: 'Bank transfer', cod: 'Cash on delivery', test: 'Test provider' };

function methodTitle(m) {
	return METHOD_TITLES[m] || m;
}

function dayBound(day, end) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
	if (!m)
		return '';
	const d = end ? new Date(+m[1], +m[2] - 1, +m[3], 23, 59, 59, 999) : new Date(+m[1], +m[2] - 1, +m[3]);
	return d.toISOString();
}

function listPath(f, after) {
	const p = new URLSearchParams();
	p.set('limit', String(PAGE));
	if (f.queue)
		p.set('queue', f.queue);
	if (f.status)
		p.set('status', f.status);
	if (f.payment_status)
		p.set('payment_status', f.payment_status);
	if (f.from)
		p.set('from', dayBound(f.from, false));
	if (f.to)
		p.set('to', dayBound(f.to, true));
	if (f.q)
		p.set('q', f.q.trim().replace(/^#/, ''));
	if (after)
		p.set('after', after);
	return `${O}?${p}`;
}

function Badge({ value, testid }) {
	return html`<span class=${`badge badge-order-${value}`} data-testid=${testid}>${String(value || '').replace('_', ' ')}</span>`;
}

export function Orders() {
	const hash = useHash();
	const where = parseOrdersHash(hash);
	useEffect(() => {
		document.title = 'Orders · mercato admin';
	}, [hash]);
	let view;
	if (where.view === 'list')
		view = html`<${OrderList} filters=${where.filters} />`;
	else if (where.view === 'order')
		view = html`<${OrderPage} key=${where.id} id=${where.id} />`;
	else if (where.view === 'shipping')
		view = html`<${Shipping} />`;
	else if (where.view === 'payments')
		view = html`<${Payments} />`;
	else if (where.view === 'invoices')
		view = html`<${Invoices} />`;
	else
		view = html`<h1>Not found</h1><p class="lead">There is no such page. <a href="#/orders">See all orders</a>.</p>`;
	const tab = ['shipping', 'payments', 'invoices'].includes(where.view) ? where.view : 'list';
	return html`<div data-testid="page-orders">
		<nav class="tabs" aria-label="Orders">${TABS.map((t) => html`
			<a key=${t.view} href=${t.hash} class=${tab === t.view ? 'active' : ''}
				aria-current=${tab === t.view ? 'page' : null} data-testid=${`orders-tab-${t.view}`}>${t.label}</a>`)}
		</nav>
		${view}</div>`;
}

function OrderList({ filters }) {
	const [search, setSearch] = useState(filters.q);
	const [rows, setRows] = useState(null);
	const [next, setNext] = useState(null);
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const ticket = useRef(0);
	const key = ordersHash(filters);

	function set(k, v) {
		navigate(ordersHash({ ...filters, [k]: v }));
	}

	async function fetchPage(after) {
		const mine = ++ticket.current;
		setBusy(true);
		setError('');
		try {
			const r = await api('GET', listPath(filters, after));
			if (mine !== ticket.current)
				return;
			const data = Array.isArray(r && r.data) ? r.data : [];
			setRows((prev) => (after && prev ? [...prev, ...data] : data));
			setNext(r && r.next != null ? String(r.next) : null);
		} catch (e) {
			if (mine === ticket.current)
				setError(e.message);
		} finally {
			if (mine === ticket.current)
				setBusy(false);
		}
	}
	useEffect(() => {
		setSearch(filters.q);
		fetchPage(null);
	}, [key]);
	useEffect(() => () => {
		ticket.current++;
	}, []);

	const any = FILTER_KEYS.some((k) => filters[k]);
	return html`
		<div class="page-head"><h1>Orders</h1></div>
		<section class="card" aria-label="Orders">
			<form class="toolbar" data-testid="order-filters"
				onSubmit=${(e) => { e.preventDefault(); set('q', search.trim()); }}>
				<input type="search" class="grow" placeholder="Order number or email" aria-label="Search orders"
					value=${search} data-testid="order-search"
					onInput=${(e) => setSearch(e.currentTarget.value)} />
				<button class="btn" type="submit" data-testid="order-search-go">Search</button>
				<label class="inline-label">Queue
					<select value=${filters.queue} data-testid="order-queue-filter"
						onChange=${(e) => set('queue', e.currentTarget.value)}>
						<option value="">all</option>
						${Object.entries(QUEUES).map(([k, v]) => html`<option key=${k} value=${k}>${v}</option>`)}
					</select></label>
				<label class="inline-label">Status
					<select value=${filters.status} data-testid="order-status-filter"
						onChange=${(e) => set('status', e.currentTarget.value)}>
						<option value="">all</option>
						${ORDER_STATUSES.map((s) => html`<option key=${s} value=${s}>${s}</option>`)}
					</select></label>
				<label class="inline-label">Payment
					<select value=${filters.payment_status} data-testid="order-payment-filter"
						onChange=${(e) => set('payment_status', e.currentTarget.value)}>
						<option value="">all</option>
						${PAYMENT_STATUSES.map((s) => html`<option key=${s} value=${s}>${s.replace('_', ' ')}</option>`)}
					</select></label>
				<label class="inline-label">From
					<input type="date" value=${filters.from} data-testid="order-from"
						onChange=${(e) => set('from', e.currentTarget.value)} /></label>
				<label class="inline-label">To
					<input type="date" value=${filters.to} data-testid="order-to"
						onChange=${(e) => set('to', e.currentTarget.value)} /></label>
				${any ? html`<a class="btn" href="#/orders" data-testid="order-clear">Clear</a>` : null}
				${busy ? html`<span class="muted small" aria-live="polite">Loading…</span>` : null}
			</form>
			<${Notice} kind="error" testid="order-list-error">${error}<//>
			${rows === null ? html`<p class="muted">Loading…</p>` : rows.length === 0
			    ? html`<${Empty}>${any ? 'No order matches these filters.' : 'No orders yet.'}<//>` : html`
				<div class="table-wrap">
				<table class="grid" data-testid="order-table" data-query=${key}>
					<thead><tr><th>Order</th><th>Placed</th><th>Email</th><th>Status</th>
						<th>Payment</th><th class="num">Total</th></tr></thead>
					<tbody>${rows.map((o) => html`
						<tr key=${o.id} data-testid="order-row" data-id=${o.id} data-number=${o.number}>
							<td><a href=${orderHref(o.id)} data-testid="order-link">#${o.number}</a></td>
							<td class="nowrap">${formatTime(o.created_at)}</td>
							<td>${o.email}</td>
							<td><${Badge} value=${o.status} testid="order-status" /></td>
							<td><${Badge} value=${o.payment_status} /></td>
							<td class="num">${money(o.total, o)}</td>
						</tr>`)}</tbody>
				</table>
				</div>
				<div class="table-foot">
					<span class="muted small" data-testid="order-count">${plural(rows.length, 'order')} shown${next ? '' : ', no more'}</span>
					${next ? html`<button class="btn" disabled=${busy} data-testid="order-more"
						onClick=${() => fetchPage(next)}>Load more</button>` : null}
				</div>`}
		</section>`;
}

const ACTION_LABELS = {
	paid: 'Record payment', prepared: 'Mark prepared', shipped: 'Ship', delivered: 'Mark delivered',
	cancelled: 'Cancel order',
};

function describeEvent(ev, o) {
	const p = ev.payload || {};
	switch (ev.type) {
	case 'created':
		return `Order #${p.number || o.number} placed, ${money(p.total, o)}`;
	case 'approved':
		return `Stock reserved${p.invoice_number ? `, invoice ${p.invoice_number}` : ''}`;
	case 'paid':
		return `Payment of ${money(p.amount, o)}${p.method ? ` by ${p.method}` : ''}${p.reference ? ` (${p.reference})` : ''}`;
	case 'prepared':
		return 'Prepared for shipping';
	case 'shipped':
		return `Shipped with ${p.carrier || '?'}${p.tracking_number ? `, tracking ${p.tracking_number}` : ''}`;
	case 'delivered':
		return 'Delivered';
	case 'cancelled':
		return `Cancelled: ${p.reason || ''}${p.refund_amount ? `, ${money(p.refund_amount, o)} to refund` : ''}`;
	case 'refunded':
		return `Refunded ${money(p.amount, o)}${p.credit_note_number ? `, credit note ${p.credit_note_number}` : ''}${p.reason ? `: ${p.reason}` : ''}`;
	default:
		return ev.type;
	}
}

function actorText(a) {
	if (!a)
		return 'system';
	if (typeof a === 'string')
		return a;
	return a.email || a.name || a.id || a.sub || JSON.stringify(a);
}

function Address({ a }) {
	if (!a)
		return html`<span class="muted">—</span>`;
	const parts = [a.name, a.company, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '),
		a.region, a.country, a.phone].filter(Boolean);
	return html`<address>${parts.map((x, i) => html`<span key=${i}>${x}<br /></span>`)}</address>`;
}

function OrderPage({ id }) {
	const [o, setO] = useState(null);
	const [loadError, setLoadError] = useState('');
	const [error, setError] = useState('');
	const [done, setDone] = useState('');
	const [busy, setBusy] = useState(false);
	const [form, setForm] = useState('');	/* '', 'paid', 'shipped', 'cancelled' */
	const [carrier, setCarrier] = useState('');
	const [tracking, setTracking] = useState('');
	const [amount, setAmount] = useState('');
	const [note, setNote] = useState('');
	const [reason, setReason] = useState('');
	const alive = useRef(true);
	useEffect(() => () => {
		alive.current = false;
	}, []);

	async function load() {
		try {
			const r = await api('GET', orderPath(id));
			if (alive.current)
				setO(r);
		} catch (e) {
			if (alive.current)
				setLoadError(e.status === 404 ? 'There is no such order.' : e.message);
		}
	}
	useEffect(() => {
		load();
	}, [id]);

	async function act(path, body, what) {
		setBusy(true);
		setError('');
		setDone('');
		try {
			await api('POST', path, body);
			if (!alive.current)
				return;
			setForm('');
			setDone(what);
		} catch (e) {
			if (alive.current)
				setError(e.status === 409 ? `Not allowed now: ${e.message}` : e.message);
		} finally {
			if (alive.current) {
				setBusy(false);
				await load();
			}
		}
	}
	const transition = (to, extra = {}, what) => act(`${orderPath(id)}/transitions`, { to, ...extra }, what);

	function onAction(to) {
		setError('');
		setDone('');
		if (to === 'paid') {
			setAmount(o ? String(formatMoney(Math.max(0, o.total - (paidOf(o))))).replace(/,/g, '') : '');
			setForm('paid');
		} else if (to === 'shipped' || to === 'cancelled') {
			setForm(to);
		} else {
			transition(to, {}, `Order marked ${to}.`);
		}
	}

	function submitPayment(e) {
		e.preventDefault();
		const minor = parseMajor(amount, 2);
		if (minor === null || minor <= 0) {
			setError('Type the amount received, e.g. 19.99.');
			return;
		}
		const body = { amount: minor };
		if (note.trim())
			body.note = note.trim();
		act(`${orderPath(id)}/payments`, body, `Payment of ${money(minor, o)} recorded.`);
	}
	function submitShip(e) {
		e.preventDefault();
		if (!carrier.trim()) {
			setError('Name the carrier.');
			return;
		}
		const extra = { carrier: carrier.trim() };
		if (tracking.trim())
			extra.tracking_number = tracking.trim();
		transition('shipped', extra, 'Order shipped.');
	}
	function submitCancel(e) {
		e.preventDefault();
		if (!window.confirm(`Cancel order #${o.number}? Its stock is released; this cannot be undone.`))
			return;
		transition('cancelled', reason.trim() ? { reason: reason.trim() } : {}, 'Order cancelled.');
	}

	async function invoice() {
		setError('');
		try {
			const blob = await apiFile(`${orderPath(id)}/invoice`);
			const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
			const a = document.createElement('a');
			a.href = url;
			a.download = `invoice-${o.number}.html`;
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 10000);
		} catch (e) {
			if (alive.current)
				setError(e.message);
		}
	}

	if (loadError)
		return html`<h1>Order</h1><${Notice} kind="error" testid="order-load-error">${loadError}<//>
			<p><a href="#/orders">All orders</a></p>`;
	if (!o)
		return html`<p class="muted">Loading…</p>`;
	const next = (Array.isArray(o.next_actions) ? o.next_actions : []).filter((a) => ACTION_LABELS[a]);
	const timeline = Array.isArray(o.timeline) ? [...o.timeline].sort((a, b) => (a.seq || 0) - (b.seq || 0)) : [];
	const payments = timeline.filter((e) => e.type === 'paid');
	const lines = Array.isArray(o.lines) ? o.lines : [];
	return html`
		<p class="small"><a href="#/orders" data-testid="order-back">\u2190 All orders</a></p>
		<div class="page-head">
			<h1 data-testid="order-title">Order #${o.number}</h1>
			<div class="page-actions">
				<${Badge} value=${o.status} testid="order-detail-status" />
				<${Badge} value=${o.payment_status} testid="order-detail-payment" />
				<button class="btn" data-testid="order-invoice" onClick=${invoice}
					title="Download the printable HTML invoice">Invoice</button>
			</div>
		</div>
		<${Section} title="Actions" testid="order-actions">
			<${Notice} kind="error" testid="order-action-error">${error}<//>
			<${Notice} kind="ok" testid="order-action-done">${done}<//>
			${next.length === 0 && !(o.next_actions || []).includes('refunded') ? html`<p class="muted" data-testid="order-no-actions">Nothing more can happen to this order.</p>` : html`
				<div class="form-actions">
					${next.map((a) => html`<button key=${a} type="button" disabled=${busy}
						class=${`btn ${a === 'cancelled' ? 'btn-danger' : 'btn-primary'}`}
						data-testid=${`order-action-${a}`} onClick=${() => onAction(a)}>${ACTION_LABELS[a]}</button>`)}
				</div>`}
			${form === 'paid' ? html`
				<form class="form-row form-section" data-testid="payment-form" onSubmit=${submitPayment}>
					<label class="field">Amount received (${o.currency})
						<input value=${amount} data-testid="payment-amount" inputmode="decimal"
							onInput=${(e) => setAmount(e.currentTarget.value)} /></label>
					<label class="field">Note
						<input value=${note} data-testid="payment-note" onInput=${(e) => setNote(e.currentTarget.value)} /></label>
					<div class="form-actions">
						<button class="btn btn-primary" disabled=${busy} data-testid="payment-submit">Record payment</button>
						<button type="button" class="btn" onClick=${() => setForm('')}>Close</button></div>
				</form>` : null}
			${form === 'shipped' ? html`
				<form class="form-row form-section" data-testid="ship-form" onSubmit=${submitShip}>
					<label class="field">Carrier
						<input value=${carrier} data-testid="ship-carrier" onInput=${(e) => setCarrier(e.currentTarget.value)} /></label>
					<label class="field">Tracking number
						<input value=${tracking} data-testid="ship-tracking" onInput=${(e) => setTracking(e.currentTarget.value)} /></label>
					<div class="form-actions">
						<button class="btn btn-primary" disabled=${busy} data-testid="ship-submit">Ship</button>
						<button type="button" class="btn" onClick=${() => setForm('')}>Close</button></div>
				</form>` : null}
			${form === 'cancelled' ? html`
				<form class="form-row form-section" data-testid="cancel-form" onSubmit=${submitCancel}>
					<label class="field">Reason
						<input value=${reason} data-testid="cancel-reason" onInput=${(e) => setReason(e.currentTarget.value)} /></label>
					<div class="form-actions">
						<button class="btn btn-danger" disabled=${busy} data-testid="cancel-submit">Cancel the order</button>
						<button type="button" class="btn" onClick=${() => setForm('')}>Keep it</button></div>
				</form>` : null}
			<${Refund} order=${o} onDone=${load} />
		<//>
		<${Section} title="Lines" testid="order-lines">
			<div class="table-wrap"><table class="grid">
				<thead><tr><th>SKU</th><th>Product</th><th class="num">Qty</th><th class="num">Unit price</th>
					<th class="num">Discount</th><th class="num">Tax</th><th class="num">Total</th></tr></thead>
				<tbody>${lines.map((l, i) => html`<tr key=${i} data-testid="order-line">
					<td>${l.sku}</td><td>${l.title}</td><td class="num">${l.quantity}</td>
					<td class="num">${money(l.unit_price, o)}</td><td class="num">${money(l.discount || 0, o)}</td>
					<td class="num">${money(l.tax || 0, o)}</td><td class="num">${money(l.total, o)}</td></tr>`)}</tbody>
			</table></div>
			<dl class="meta" data-testid="order-totals">
				<dt>Subtotal</dt><dd>${money(o.subtotal, o)}</dd>
				<dt>Discount</dt><dd>${money(o.discount || 0, o)}</dd>
				<dt>Shipping</dt><dd>${money(o.shipping, o)}</dd>
				<dt>Tax</dt><dd>${money(o.tax, o)}</dd>
				<dt>Total</dt><dd data-testid="order-total"><strong>${money(o.total, o)}</strong></dd>
				<dt>Paid</dt><dd data-testid="order-paid">${money(paidOf(o), o)}</dd>
				${o.refunded ? html`<dt>Refunded</dt><dd>${money(o.refunded, o)}</dd>` : null}
			</dl>
		<//>
		<${Section} title="Payments" testid="order-payments">
			<p class="muted small">Method: ${methodTitle(o.payment_method)}</p>
			${payments.length === 0 ? html`<${Empty}>No payment received yet.<//>` : html`
				<ul>${payments.map((e) => html`<li key=${e.seq} data-testid="order-payment">
					${formatTime(e.at)}: ${money(e.payload && e.payload.amount, o)}
					${e.payload && e.payload.method ? ` by ${methodTitle(e.payload.method)}` : ''}</li>`)}</ul>`}
		<//>
		<${Section} title="Customer and addresses" testid="order-addresses">
			<dl class="meta">
				<dt>Email</dt><dd data-testid="order-email">${o.email}</dd>
				<dt>Customer</dt><dd>${o.customer_id || 'guest'}</dd>
				<dt>Shipping method</dt><dd title=${o.shipping_method}>${o.shipping_method_name || o.shipping_method}</dd>
				<dt>Ship to</dt><dd><${Address} a=${o.shipping_address} /></dd>
				<dt>Bill to</dt><dd>${o.billing_address ? html`<${Address} a=${o.billing_address} />` : 'same as shipping'}</dd>
				${o.tracking_number || o.carrier ? html`<dt>Shipment</dt><dd>${o.carrier || ''} ${o.tracking_number || ''}</dd>` : null}
				${o.cancel_reason ? html`<dt>Cancelled</dt><dd>${o.cancel_reason}</dd>` : null}
			</dl>
		<//>
		<${Section} title="Timeline" testid="order-timeline">
			<ol class="timeline">${timeline.map((e) => html`
				<li key=${e.seq} data-testid="timeline-event" data-type=${e.type}>
					<span class="nowrap muted small" title=${e.at || ''}>${formatTime(e.at)}</span>
					<strong> ${e.type}</strong> \u2014 ${describeEvent(e, o)}
					<span class="muted small"> by ${actorText(e.actor)}</span>
				</li>`)}</ol>
		<//>`;
}
