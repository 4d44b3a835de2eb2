/*
 * pages/pricing/tryit.js: the "Try it on a cart" panel beside a promotion.
 * Staff pick SKUs (a list of every SKU pricing knows, by title) and
 * quantities, and optionally a customer id, a coupon and a country; the
 * panel asks POST /pricing/quote a moment after each change (and when the
 * page says a save happened) and shows the priced lines, the totals and
 * every promotion's explanation: applied and for how much, or why not
 * (the engine's reason in words), or which promotion blocked it.  The
 * promotion being edited is marked.  A 422 puts its message on the line,
 * coupon or country it names.  The cart lives in the module, so it stays
 * while staff move from one promotion to another.  Nothing here computes
 * a price: every figure is the server's.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Notice } from '../../ui.js';
import { formatMoney, plural } from '../../format.js';
import { PRICING, fieldErrors, problemType, useSettings, minorOf, loadAll, percentText } from './common.js';

const QUOTE_PAUSE_MS = 300;

export const REASONS = {
	applied: 'applied',
	not_started: 'has not started yet',
	expired: 'has ended',
	code_required: 'needs its coupon code',
	usage_limit: 'has been used as often as allowed',
	customer_usage_limit: 'this customer has used it as often as allowed',
	customer_group: 'the customer is in none of its groups',
	first_order: 'first orders only, and this customer has ordered before',
	no_matching_items: 'no item in the cart matches it',
	min_quantity: 'too few matching units in the cart',
	min_subtotal: 'the matching items\u2019 subtotal is below its minimum',
	nothing_to_discount: 'there is nothing for it to take off',
	exclusive_conflict: 'an exclusive promotion stands in the way',
	does_not_combine: 'it does not combine with a promotion chosen before it',
	disabled: 'the coupon is disabled',
	promotion_disabled: 'the coupon\u2019s promotion is disabled',
};

/* The cart staff are trying, kept across promotion pages. */
let cart = { lines: [{ sku: '', quantity: '1' }], customer: '', coupon: '', country: '' };

export function TryIt({ focus, refresh }) {
	const { settings } = useSettings();
	const [state, setState] = useState(cart);
	const [skus, setSkus] = useState([]);
	const [quote, setQuote] = useState(null);
	const [errors, setErrors] = useState(null);
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const ticket = useRef(0);

	useEffect(() => {
		let alive = true;
		loadAll(`${PRICING}/prices?all=true`, 1000).then((rows) => alive && setSkus(rows)).catch(() => {});
		return () => {
			alive = false;
			ticket.current++;
		};
	}, []);

	function update(next) {
		cart = next;
		setState(next);
	}

	const lines = state.lines.map((l) => ({ sku: l.sku.trim(), quantity: l.quantity.trim() }))
	    .filter((l) => l.sku !== '');
	const request = { lines: lines.map((l) => ({ sku: l.sku, quantity: /^\d+$/.test(l.quantity) ? Number(l.quantity) : l.quantity })) };
	if (state.customer.trim())
		request.customer_id = state.customer.trim();
	if (state.coupon.trim())
		request.coupon = state.coupon.trim();
	if (state.country.trim())
		request.country = state.country.trim().toUpperCase();
	const key = JSON.stringify(request);

	useEffect(() => {
		if (lines.length === 0) {
			setQuote(null);
			setErrors(null);
			setError('');
			return undefined;
		}
		const mine = ++ticket.current;
		const id = setTimeout(async () => {
			setBusy(true);
			try {
				const q = await api('POST', `${PRICING}/quote`, request);
				if (mine !== ticket.current)
					return;
				setQuote(q);
				setErrors(null);
				setError('');
			} catch (e) {
				if (mine !== ticket.current)
					return;
				setQuote(null);
				const fe = fieldErrors(e);
				setErrors(fe);
				setError(fe ? '' : problemType(e) === 'forbidden' ? 'This customer cannot be quoted for.' : e.message);
			} finally {
				if (mine === ticket.current)
					setBusy(false);
			}
		}, QUOTE_PAUSE_MS);
		return () => clearTimeout(id);
	}, [key, refresh]);

	/* Messages of the 422 for line i (its sku or quantity). */
	const lineError = (i) => {
		if (!errors)
			return '';
		/* request lines skip the empty rows: find this row's index there */
		const sent = state.lines.slice(0, i + 1).filter((l) => l.sku.trim() !== '').length - 1;
		if (state.lines[i].sku.trim() === '')
			return '';
		return Object.keys(errors).filter((k) => k.startsWith(`lines[${sent}]`)).map((k) => errors[k]).join('; ');
	};
	const setLine = (i, k) => (e) => update({ ...state, lines: state.lines.map((l, j) => (j === i ? { ...l, [k]: e.currentTarget.value } : l)) });
	const set = (k) => (e) => update({ ...state, [k]: e.currentTarget.value });
	const money = (v) => formatMoney(v, quote ? quote.currency : settings && settings.currency, minorOf(settings));
	const names = new Map((quote && quote.promotions || []).map((p) => [p.id, p.name]));

	return html`
		<aside class="card tryit" data-testid="tryit" aria-label="Try it on a cart">
			<div class="card-head">
				<h2>Try it on a cart</h2>
				${busy ? html`<span class="muted small" aria-live="polite">Quoting…</span>` : null}
			</div>
			<p class="muted small">Quotes the saved promotions with today\u2019s prices and rates; save to see an edit here.</p>
			<datalist id="tryit-skus">
				${skus.map((s) => html`<option key=${s.sku} value=${s.sku}>${s.title}${s.amount === null ? ' (no price)' : ''}</option>`)}
			</datalist>
			<table class="grid grid-compact tryit-lines">
				<thead><tr><th>SKU</th><th class="num">Qty</th><th></th></tr></thead>
				<tbody>
					${state.lines.map((l, i) => html`
						<tr key=${i} data-testid="tryit-line">
							<td><input type="text" list="tryit-skus" value=${l.sku} aria-label=${`SKU of line ${i + 1}`}
								data-testid="tryit-sku" onInput=${setLine(i, 'sku')} />
								${lineError(i) ? html`<p class="field-error" role="alert" data-testid="tryit-line-error">${lineError(i)}</p>` : null}</td>
							<td class="num"><input type="number" min="1" step="1" value=${l.quantity} aria-label=${`Quantity of line ${i + 1}`}
								data-testid="tryit-qty" onInput=${setLine(i, 'quantity')} /></td>
							<td class="actions"><button class="btn btn-small" aria-label=${`Remove line ${i + 1}`}
								disabled=${state.lines.length === 1} onClick=${() => update({ ...state, lines: state.lines.filter((_, j) => j !== i) })}>\u00d7</button></td>
						</tr>`)}
				</tbody>
			</table>
			<div class="form-actions">
				<button class="btn btn-small" data-testid="tryit-add-line"
					onClick=${() => update({ ...state, lines: [...state.lines, { sku: '', quantity: '1' }] })}>Add line</button>
			</div>
			<div class="form-row">
				<div class="field">
					<label for="ti-customer">Customer id</label>
					<input id="ti-customer" type="text" placeholder="guest" value=${state.customer} data-testid="tryit-customer" onInput=${set('customer')} />
					${errors && errors.customer_id ? html`<p class="field-error" role="alert">${errors.customer_id}</p>` : null}
				</div>
				<div class="field">
					<label for="ti-coupon">Coupon</label>
					<input id="ti-coupon" type="text" value=${state.coupon} data-testid="tryit-coupon" onInput=${set('coupon')} />
					${errors && errors.coupon ? html`<p class="field-error" role="alert" data-testid="tryit-coupon-error">${errors.coupon}</p>` : null}
				</div>
				<div class="field">
					<label for="ti-country">Country</label>
					<input id="ti-country" type="text" maxlength="2" placeholder=${settings && settings.default_country || 'DE'}
						value=${state.country} data-testid="tryit-country" onInput=${set('country')} />
					${errors && errors.country ? html`<p class="field-error" role="alert">${errors.country}</p>` : null}
				</div>
			</div>
			<${Notice} kind="error" testid="tryit-error">${error}<//>
			${lines.length === 0 ? html`<p class="empty">Pick a SKU to see the cart priced.</p>` : null}
			${quote ? html`<${QuoteView} quote=${quote} focus=${focus} money=${money} names=${names} />` : null}
		</aside>`;
}

function QuoteView({ quote, focus, money, names }) {
	const t = quote.totals || {};
	const promos = Array.isArray(quote.promotions) ? quote.promotions : [];
	return html`
		<div data-testid="tryit-result">
			<table class="grid grid-compact" data-testid="tryit-quote-lines">
				<thead><tr><th>Item</th><th class="num">Qty</th><th class="num">Unit</th><th class="num">Discount</th><th class="num">Total</th></tr></thead>
				<tbody>
					${(quote.lines || []).map((l) => html`
						<tr key=${l.sku} data-testid="tryit-quote-line" data-sku=${l.sku}>
							<td>${l.title || l.sku}<div class="muted small"><code>${l.sku}</code>
								${l.price_source === 'group' ? ' · group price' : ''} · tax ${percentText(l.tax_rate)}%</div></td>
							<td class="num">${l.quantity}</td>
							<td class="num">${money(l.unit_price)}</td>
							<td class="num">${l.item_discount + l.order_discount ? `\u2212${money(l.item_discount + l.order_discount)}` : ''}</td>
							<td class="num">${money(l.total)}</td>
						</tr>`)}
				</tbody>
			</table>
			<table class="totals" data-testid="tryit-totals">
				<tbody>
					<tr><td>Subtotal</td><td class="num" data-testid="tryit-subtotal">${money(t.subtotal)}</td></tr>
					${t.item_discount ? html`<tr><td>Item discounts</td><td class="num">\u2212${money(t.item_discount)}</td></tr>` : null}
					${t.order_discount ? html`<tr><td>Order discounts</td><td class="num">\u2212${money(t.order_discount)}</td></tr>` : null}
					${t.shipping || t.shipping_discount ? html`<tr><td>Shipping${t.shipping_discount ? ` (\u2212${money(t.shipping_discount)})` : ''}</td>
						<td class="num">${money(t.shipping_total)}</td></tr>` : null}
					<tr><td>Tax (${quote.prices_include_tax ? 'included' : 'added'}, ${quote.country})</td><td class="num" data-testid="tryit-tax">${money(t.tax)}</td></tr>
					<tr class="grand"><td>Total</td><td class="num" data-testid="tryit-total">${money(t.total)}</td></tr>
				</tbody>
			</table>
			${quote.coupon ? html`
				<p class=${`notice ${quote.coupon.applied ? 'notice-ok' : 'notice-info'}`} data-testid="tryit-coupon-result">
					Coupon <code>${quote.coupon.code}</code>: ${quote.coupon.applied ? 'applied' : REASONS[quote.coupon.reason] || quote.coupon.reason}.</p>` : null}
			<h3 class="subhead">Promotions, in precedence order</h3>
			${promos.length === 0 ? html`<p class="empty">No active promotions.</p>` : html`
				<ul class="explain" data-testid="tryit-explain">
					${promos.map((p) => html`<${Explain} key=${p.id} p=${p} focus=${focus} money=${money} names=${names} />`)}
				</ul>`}
		</div>`;
}

function Explain({ p, focus, money, names }) {
	const blocked = p.reason === 'exclusive_conflict' || p.reason === 'does_not_combine';
	const badge = p.applied ? ['badge-applied', 'applied'] : blocked ? ['badge-blocked', 'blocked'] : ['badge-notapplied', 'not applied'];
	let why = REASONS[p.reason] || p.reason;
	if (blocked && p.blocked_by)
		why = `${p.reason === 'exclusive_conflict' ? 'blocked by the exclusive' : 'does not combine with'} \u201c${names.get(p.blocked_by) || p.blocked_by}\u201d`;
	return html`
		<li data-testid="tryit-promo" data-id=${p.id} data-applied=${p.applied ? 'true' : 'false'} data-reason=${p.reason}
			class=${p.id === focus ? 'explain-focus' : ''}>
			<div class="explain-head">
				<a href=${`#/pricing/promotions/${encodeURIComponent(p.id)}`}>${p.name}</a>
				${p.id === focus ? html` <span class="muted small">(this one)</span>` : null}
				<span class=${`badge ${badge[0]}`}>${badge[1]}</span>
				${p.applied ? html`<strong class="explain-amount" data-testid="tryit-promo-amount">\u2212${money(p.amount)}</strong>` : null}
			</div>
			<div class="why" data-testid="tryit-promo-why">${p.class} discount · priority ${p.priority}
				${p.trigger === 'code' ? ' · by code' : ''}${p.applied ? (p.applications ? ` · ${plural(p.applications, 'application')}` : '') : ` \u2014 ${why}`}</div>
		</li>`;
}
