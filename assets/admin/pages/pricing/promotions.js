/*
 * pages/pricing/promotions.js: promotions.  Promotions lists GET
 * /promotions (name, trigger, what it does, priority, status, window,
 * uses, coupons).  PromotionPage edits one (or a new one, id "new") beside
 * the live try-it panel (tryit.js).  The editor holds every member of the
 * contract: name and description, status, trigger (automatic or by
 * coupon code), the action (its type and the fields it needs: a rate typed
 * in percent, an amount typed in major units, buy X get Y's quantities
 * and what Y is), the conditions (minimum subtotal and quantity, which
 * SKUs, products or categories match, customer groups, first order),
 * stacking (priority, exclusive, combines with product / order / shipping
 * discounts), limits and the window.  Percentages and money go out as
 * integers by string arithmetic (format.js), never through a float.  Save
 * (or Ctrl+S) POSTs a new promotion (and, for a code promotion, its first
 * coupon when one was typed) or PATCHes the members that changed with
 * If-Match; a 422 puts each message under its field (`action.rate`,
 * `conditions.match.skus[2]` …), a 412 offers a reload.  Unsaved edits
 * hold back navigation.  The try-it panel quotes the saved promotions: it
 * quotes again after every save.  Coupons and batches (coupons.js) show
 * under a code promotion.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, apiExchange } from '../../api.js';
import { Section, Notice, StaleNotice, Empty } from '../../ui.js';
import { formatMoney, formatTime, plural } from '../../format.js';
import { useLeaveGuard, navigate } from '../../nav.js';
import {
	PRICING, Field, FieldError, fieldErrors, otherErrors, problemType, useSettings, minorOf,
	moneyText, parseMoney, percentText, parsePercent, isoToLocalInput, localInputToIso, loadAll,
	useSaveKey, useTitle, Loading,
} from './common.js';
import { loadCategories, categoryTree } from '../catalog/common.js';
import { TryIt } from './tryit.js';
import { Coupons } from './coupons.js';

const promoPath = (id) => `${PRICING}/promotions/${encodeURIComponent(id)}`;
export const promoHref = (id) => `#/pricing/promotions/${encodeURIComponent(id)}`;

export const ACTIONS = [
	{ type: 'order_percent', label: 'Percent off the order', cls: 'order', uses: ['rate'] },
	{ type: 'order_fixed', label: 'Fixed amount off the order', cls: 'order', uses: ['amount'] },
	{ type: 'items_percent', label: 'Percent off matching items', cls: 'product', uses: ['rate'] },
	{ type: 'items_fixed', label: 'Fixed amount off each matching unit', cls: 'product', uses: ['amount'] },
	{ type: 'items_fixed_total', label: 'Fixed amount off the matching items together', cls: 'product', uses: ['amount'] },
	{ type: 'buy_x_get_y', label: 'Buy X, get Y free or discounted', cls: 'product', uses: ['rate', 'bxgy'] },
	{ type: 'free_shipping', label: 'Free shipping', cls: 'shipping', uses: [] },
];
const CLASSES = ['product', 'order', 'shipping'];
const actionOf = (type) => ACTIONS.find((a) => a.type === type) || ACTIONS[0];

/* "SHIRT-S, SHIRT-M" -> ["SHIRT-S", "SHIRT-M"] */
const list = (text) => String(text || '').split(/[,\s]+/).map((s) => s.trim()).filter((s) => s !== '');
const numText = (v) => (v === null || v === undefined ? '' : String(v));

/* One line of what a promotion does: "10% off the order", "Buy 2, get 1 free". */
export function describeAction(a, s) {
	if (!a)
		return '';
	const money = (v) => formatMoney(v, s ? s.currency : '', minorOf(s));
	switch (a.type) {
	case 'order_percent': return `${percentText(a.rate)}% off the order`;
	case 'order_fixed': return `${money(a.amount)} off the order`;
	case 'items_percent': return `${percentText(a.rate)}% off matching items`;
	case 'items_fixed': return `${money(a.amount)} off each matching unit`;
	case 'items_fixed_total': return `${money(a.amount)} off matching items together`;
	case 'buy_x_get_y': return `Buy ${a.buy_qty}, get ${a.get_qty} ${a.rate === 100000 ? 'free' : `${percentText(a.rate)}% off`}`;
	case 'free_shipping': return 'Free shipping';
	default: return a.type;
	}
}

/* "over 100.00 EUR · 3 SKUs · first orders" — the conditions in short. */
export function describeConditions(c, s) {
	if (!c)
		return '';
	const out = [];
	const m = c.match || {};
	if (c.min_subtotal)
		out.push(`from ${formatMoney(c.min_subtotal, s ? s.currency : '', minorOf(s))}`);
	if (c.min_quantity)
		out.push(`from ${plural(c.min_quantity, 'unit')}`);
	if (m.skus && m.skus.length)
		out.push(m.skus.length === 1 ? m.skus[0] : plural(m.skus.length, 'SKU'));
	if (m.product_ids && m.product_ids.length)
		out.push(plural(m.product_ids.length, 'product'));
	if (m.category_ids && m.category_ids.length)
		out.push(m.category_ids.length === 1 ? '1 category' : `${m.category_ids.length} categories`);
	if (c.customer_groups && c.customer_groups.length)
		out.push(plural(c.customer_groups.length, 'group'));
	if (c.first_order)
		out.push('first orders');
	return out.join(' · ');
}

const EMPTY_MATCH = { skus: [], product_ids: [], category_ids: [] };

/* The editor's form (text for every input) from a promotion. */
function formOf(p, s) {
	const c = p.conditions || {};
	const m = c.match || EMPTY_MATCH;
	const a = p.action || { type: 'order_percent' };
	const gm = a.get_match || EMPTY_MATCH;
	return {
		name: p.name || '',
		description: p.description || '',
		status: p.status || 'active',
		trigger: p.trigger || 'automatic',
		starts: isoToLocalInput(p.starts_at),
		ends: isoToLocalInput(p.ends_at),
		priority: numText(p.priority === undefined ? 0 : p.priority),
		exclusive: !!p.exclusive,
		combines_with: CLASSES.filter((k) => (p.combines_with || []).includes(k)),
		min_subtotal: moneyText(c.min_subtotal, s),
		min_quantity: numText(c.min_quantity),
		skus: (m.skus || []).join(', '),
		product_ids: (m.product_ids || []).join(', '),
		category_ids: [...(m.category_ids || [])],
		customer_groups: [...(c.customer_groups || [])],
		first_order: !!c.first_order,
		type: a.type,
		rate: percentText(a.rate),
		amount: moneyText(a.amount, s),
		buy_qty: numText(a.buy_qty),
		get_qty: numText(a.get_qty),
		max_applications: a.max_applications ? String(a.max_applications) : '',
		get_skus: (gm.skus || []).join(', '),
		get_categories: [...(gm.category_ids || [])],
		get_products: (gm.product_ids || []).join(', '),	/* kept, not edited here */
		usage_limit: numText(p.usage_limit),
		customer_usage_limit: numText(p.customer_usage_limit),
		coupon: '',
	};
}

const NEW_PROMO = {
	name: '', description: '', status: 'active', trigger: 'automatic', priority: 0, exclusive: false,
	combines_with: [], conditions: {}, action: { type: 'order_percent' },
};

/*
 * The request body a form stands for, as { body, errors }: errors maps the
 * contract's field names to messages for what cannot be sent as typed.
 */
function bodyOf(f, s) {
	const errors = {};
	const cur = s ? s.currency : 'the shop currency';
	const whole = (text, field, min) => {
		const t = String(text).trim();
		if (t === '')
			return null;
		if (!/^-?\d+$/.test(t) || Number(t) < min || !Number.isSafeInteger(Number(t))) {
			errors[field] = `a whole number${min > 0 ? ` from ${min}` : min === 0 ? ', 0 or more' : ''}`;
			return null;
		}
		return Number(t);
	};
	const money = (text, field) => {
		if (String(text).trim() === '')
			return null;
		const v = parseMoney(text, s);
		if (v === null)
			errors[field] = `an amount in ${cur}, e.g. 19.99`;
		return v;
	};
	const match = (skus, cats, products) => ({ skus: list(skus), product_ids: list(products), category_ids: [...cats] });
	const act = actionOf(f.type);
	const action = { type: f.type };
	if (act.uses.includes('rate')) {
		const v = parsePercent(f.rate);
		if (v === null || v === 0)
			errors['action.rate'] = 'a percentage above 0 and up to 100, at most 3 decimals';
		action.rate = v;
	}
	if (act.uses.includes('amount')) {
		const v = money(f.amount, 'action.amount');
		if (v === null && !errors['action.amount'])
			errors['action.amount'] = `an amount in ${cur}, e.g. 5.00`;
		action.amount = v;
	}
	if (act.uses.includes('bxgy')) {
		action.buy_qty = whole(f.buy_qty, 'action.buy_qty', 1);
		action.get_qty = whole(f.get_qty, 'action.get_qty', 1);
		if (action.buy_qty === null && !errors['action.buy_qty'])
			errors['action.buy_qty'] = 'how many units to buy';
		if (action.get_qty === null && !errors['action.get_qty'])
			errors['action.get_qty'] = 'how many units get the discount';
		action.max_applications = whole(f.max_applications, 'action.max_applications', 0);
		action.get_match = match(f.get_skus, f.get_categories, f.get_products);
	}
	const body = {
		name: f.name.trim(),
		description: f.description,
		status: f.status,
		trigger: f.trigger,
		starts_at: localInputToIso(f.starts),
		ends_at: localInputToIso(f.ends),
		priority: whole(f.priority, 'priority', -1000) || 0,
		exclusive: f.exclusive,
		combines_with: CLASSES.filter((k) => f.combines_with.includes(k)),
		conditions: {
			min_subtotal: money(f.min_subtotal, 'conditions.min_subtotal'),
			min_quantity: whole(f.min_quantity, 'conditions.min_quantity', 1),
			match: match(f.skus, f.category_ids, f.product_ids),
			customer_groups: [...f.customer_groups],
			first_order: f.first_order,
		},
		action,
		usage_limit: whole(f.usage_limit, 'usage_limit', 1),
		customer_usage_limit: whole(f.customer_usage_limit, 'customer_usage_limit', 1),
	};
	return { body, errors };
}

/* The top-level members whose value differs between two bodies. */
function changedMembers(a, b) {
	return Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

export function Promotions() {
	useTitle('Promotions');
	const { settings } = useSettings();
	const [promos, setPromos] = useState(null);
	const [error, setError] = useState('');

	useEffect(() => {
		loadAll(`${PRICING}/promotions`).then(setPromos).catch((e) => setError(e.message));
	}, []);

	const sorted = promos ? [...promos].sort((a, b) => (b.priority - a.priority) || (a.id < b.id ? -1 : 1)) : [];
	return html`
		<div class="page-head">
			<h1>Promotions</h1>
			<div class="page-actions">
				<a class="btn btn-primary" href="#/pricing/promotions/new" data-testid="promo-new">New promotion</a>
			</div>
		</div>
		<section class="card" aria-label="Promotions">
			<p class="muted">In precedence order: higher priority is chosen and applied first. Open a promotion to edit it
				and try it on a cart; code promotions have their coupons there.</p>
			<${Notice} kind="error">${error}<//>
			${promos === null && !error ? html`<${Loading} />` : null}
			${promos && promos.length === 0 ? html`<${Empty}>No promotions yet.<//>` : null}
			${promos && promos.length ? html`
				<div class="table-wrap">
				<table class="grid" data-testid="promo-table">
					<thead><tr><th>Name</th><th>What</th><th>Trigger</th><th class="num">Priority</th>
						<th>Status</th><th>Window</th><th class="num">Uses</th><th class="num">Coupons</th></tr></thead>
					<tbody>
						${sorted.map((p) => html`
							<tr key=${p.id} data-testid="promo-row" data-id=${p.id}>
								<td><a href=${promoHref(p.id)} data-testid="promo-link">${p.name}</a>
									${p.exclusive ? html` <span class="badge badge-blocked">exclusive</span>` : null}</td>
								<td>${describeAction(p.action, settings)}
									${describeConditions(p.conditions, settings) ? html`<div class="muted small">${describeConditions(p.conditions, settings)}</div>` : null}</td>
								<td>${p.trigger === 'code' ? 'coupon code' : 'automatic'}</td>
								<td class="num">${p.priority}</td>
								<td><span class=${`badge ${p.status === 'active' ? 'badge-active' : 'badge-draft'}`}>${p.status}</span></td>
								<td class="small nowrap">${windowText(p)}</td>
								<td class="num">${p.uses}${p.usage_limit ? ` / ${p.usage_limit}` : ''}</td>
								<td class="num">${p.trigger === 'code' ? p.coupons : '—'}</td>
							</tr>`)}
					</tbody>
				</table>
				</div>` : null}
		</section>`;
}

export function windowText(p) {
	if (!p.starts_at && !p.ends_at)
		return 'always';
	return `${p.starts_at ? formatTime(p.starts_at) : 'now'} \u2192 ${p.ends_at ? formatTime(p.ends_at) : 'open end'}`;
}

const etagOf = (r) => r.etag || `"v${r.data.version}"`;

export function PromotionPage({ id }) {
	const isNew = id === 'new';
	const { settings } = useSettings();
	const [promo, setPromo] = useState(isNew ? NEW_PROMO : null);
	const [etag, setEtag] = useState(null);
	const [form, setForm] = useState(null);
	const [loadError, setLoadError] = useState('');
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [stale, setStale] = useState(false);
	const [saving, setSaving] = useState(false);
	const [created, setCreated] = useState(null);
	const [quoteKey, setQuoteKey] = useState(0);	/* bumps after each save */
	const [groups, setGroups] = useState([]);
	const [cats, setCats] = useState([]);
	const alive = useRef(true);
	useTitle(isNew ? 'New promotion' : promo ? promo.name : 'Promotion');

	const base = promo && settings ? bodyOf(formOf(promo, settings), settings).body : null;
	const now = form && settings ? bodyOf(form, settings) : null;
	const changed = base && now ? changedMembers(now.body, base) : [];
	const dirty = !created && (changed.length > 0 || !!(form && form.coupon.trim()));
	useLeaveGuard(dirty);

	async function load() {
		if (isNew)
			return;
		setLoadError('');
		try {
			const r = await apiExchange('GET', promoPath(id));
			if (!alive.current)
				return;
			setPromo(r.data);
			setEtag(etagOf(r));
			setForm(null);
			setErrors(null);
			setStale(false);
		} catch (e) {
			if (alive.current)
				setLoadError(e.status === 404 ? 'There is no promotion with this id; it may have been deleted.' : e.message);
		}
	}
	useEffect(() => {
		alive.current = true;
		load();
		loadAll(`${PRICING}/groups`).then((g) => alive.current && setGroups(g)).catch(() => {});
		loadCategories().then((c) => alive.current && setCats(categoryTree(c))).catch(() => {});
		return () => {
			alive.current = false;
		};
	}, [id]);
	/* The form follows the promotion once both it and the settings are here. */
	useEffect(() => {
		if (promo && settings && !form)
			setForm(formOf(promo, settings));
	}, [promo, settings, form]);
	useEffect(() => {
		if (created)
			navigate(promoHref(created));
	}, [created]);

	async function save() {
		if (saving || !form || !settings)
			return;
		const { body, errors: local } = bodyOf(form, settings);
		if (!body.name)
			local.name = 'a name staff will recognise';
		if (Object.keys(local).length) {
			setErrors(local);
			setNotice({ kind: 'error', text: 'Some fields need a change; see the messages below them.' });
			return;
		}
		const send = isNew ? body : Object.fromEntries(changed.map((k) => [k, body[k]]));
		const coupon = form.trigger === 'code' ? form.coupon.trim() : '';
		if (!isNew && Object.keys(send).length === 0 && !coupon) {
			setNotice({ kind: 'info', text: 'There is nothing to save.' });
			return;
		}
		setSaving(true);
		setErrors(null);
		setNotice(null);
		setStale(false);
		try {
			let r = null;
			if (isNew)
				r = await apiExchange('POST', `${PRICING}/promotions`, send);
			else if (Object.keys(send).length)
				r = await apiExchange('PATCH', promoPath(id), send, { 'If-Match': etag });
			const pid = r ? r.data.id : id;
			let couponNote = '';
			if (coupon) {
				try {
					await api('POST', `${PRICING}/coupons`, { code: coupon, promotion_id: pid });
					couponNote = ` Coupon ${coupon.toUpperCase()} created.`;
				} catch (e) {
					couponNote = ` The coupon was not created: ${e.message}`;
				}
			}
			if (!alive.current)
				return;
			if (isNew) {
				setCreated(pid);
				return;
			}
			if (r) {
				setPromo(r.data);
				setEtag(etagOf(r));
				setForm(formOf(r.data, settings));
			} else {
				setForm({ ...form, coupon: '' });
			}
			setQuoteKey((k) => k + 1);
			setNotice({ kind: couponNote.includes('not created') ? 'error' : 'ok', text: `Saved.${couponNote}` });
		} catch (e) {
			if (!alive.current)
				return;
			const fe = fieldErrors(e);
			if (e.status === 412) {
				setStale(true);
			} else if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, SHOWN_FIELDS);
				setNotice({ kind: 'error', text: rest.length ? rest.join(' ')
				    : 'Some fields need a change; see the messages below them.' });
			} else if (problemType(e) === 'too-many-active') {
				setNotice({ kind: 'error', text: `${e.message} Disable another promotion first, or save this one as disabled.` });
			} else {
				setNotice({ kind: 'error', text: e.message });
			}
		} finally {
			if (alive.current)
				setSaving(false);
		}
	}
	useSaveKey(save);

	async function remove() {
		if (!window.confirm(`Delete the promotion \u201c${promo.name}\u201d${promo.trigger === 'code' ? ' and all its coupons' : ''}?`))
			return;
		try {
			await apiExchange('DELETE', promoPath(id), undefined, { 'If-Match': etag });
			setCreated(null);
			setForm(formOf(promo, settings));
			setTimeout(() => navigate('#/pricing/promotions'), 0);
		} catch (e) {
			if (e.status === 412)
				setStale(true);
			else
				setNotice({ kind: 'error', text: e.message });
		}
	}

	if (loadError)
		return html`<h1>Promotion</h1><${Notice} kind="error" testid="promo-load-error">${loadError}<//>
			<p><a href="#/pricing/promotions">Back to all promotions</a></p>`;
	if (!promo || !form || !settings)
		return html`<h1>${isNew ? 'New promotion' : 'Promotion'}</h1><${Loading} />`;

	return html`
		<div class="page-head">
			<div>
				<h1 data-testid="promo-title">${isNew ? 'New promotion' : promo.name}</h1>
				${isNew ? null : html`<p class="muted small subtitle"><code>${promo.id}</code> · version ${promo.version}
					· used ${plural(promo.uses || 0, 'time')}</p>`}
			</div>
			<div class="page-actions">
				<span class=${`small ${dirty ? 'dirty' : 'muted'}`} data-testid="promo-dirty">
					${dirty ? 'Unsaved changes' : 'No unsaved changes'}</span>
				${isNew ? null : html`<button class="btn btn-danger" onClick=${remove} data-testid="promo-delete">Delete</button>`}
				<a class="btn" href="#/pricing/promotions">All promotions</a>
				<button class="btn btn-primary" disabled=${saving} onClick=${save} data-testid="promo-save"
					title="Save (Ctrl+S)">${saving ? 'Saving…' : isNew ? 'Create promotion' : 'Save'}</button>
			</div>
		</div>
		${stale ? html`<${StaleNotice} what="promotion" testid="promo-stale" onReload=${load} />` : null}
		<${Notice} kind=${notice ? notice.kind : 'info'} testid="promo-notice">${notice && notice.text}<//>
		<div class="promo-grid">
			<div>
				<${PromoForm} form=${form} setForm=${setForm} errors=${errors} settings=${settings}
					groups=${groups} cats=${cats} isNew=${isNew} onSubmit=${save} />
				${!isNew && promo.trigger === 'code' ? html`<${Coupons} promo=${promo} />` : null}
			</div>
			<${TryIt} focus=${isNew ? null : promo.id} refresh=${quoteKey} />
		</div>`;
}

const SHOWN_FIELDS = ['name', 'description', 'status', 'trigger', 'starts_at', 'ends_at', 'priority',
	'exclusive', 'combines_with', 'conditions', 'action', 'usage_limit', 'customer_usage_limit'];

function PromoForm({ form, setForm, errors, settings, groups, cats, isNew, onSubmit }) {
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
	const toggleIn = (k, v) => (e) => {
		const on = e.currentTarget.checked;
		setForm({ ...form, [k]: on ? [...form[k].filter((x) => x !== v), v] : form[k].filter((x) => x !== v) });
	};
	const pickMany = (k) => (e) => setForm({ ...form, [k]: [...e.currentTarget.selectedOptions].map((o) => o.value) });
	const act = actionOf(form.type);
	const cur = settings.currency;
	return html`
		<form class="card" novalidate data-testid="promo-form" onSubmit=${(e) => { e.preventDefault(); onSubmit(); }}>
			<div class="card-head"><h2>Promotion</h2></div>
			<${Field} id="pr-name" label="Name" errors=${errors} field="name">
				<input id="pr-name" type="text" maxlength="100" value=${form.name} data-testid="promo-name" onInput=${set('name')} />
			<//>
			<${Field} id="pr-desc" label="Description (optional)" errors=${errors} field="description">
				<input id="pr-desc" type="text" maxlength="1000" value=${form.description} onInput=${set('description')} />
			<//>
			<div class="form-row">
				<${Field} id="pr-status" label="Status" errors=${errors} field="status">
					<select id="pr-status" value=${form.status} data-testid="promo-status" onChange=${set('status')}>
						<option value="active">active</option><option value="disabled">disabled</option>
					</select>
				<//>
				<${Field} id="pr-trigger" label="Applies" errors=${errors} field="trigger">
					<select id="pr-trigger" value=${form.trigger} data-testid="promo-trigger" onChange=${set('trigger')}>
						<option value="automatic">automatically</option>
						<option value="code">with a coupon code</option>
					</select>
				<//>
			</div>
			${form.trigger === 'code' ? html`
				<${Field} id="pr-coupon" label=${isNew ? 'Coupon code (optional)' : 'Add a coupon code (optional)'}
					hint="3–32 of A–Z, 0–9, - and _; case does not matter. Batches of codes are generated once the promotion is saved."
					errors=${errors} field="coupon">
					<input id="pr-coupon" type="text" maxlength="32" value=${form.coupon} data-testid="promo-coupon"
						onInput=${set('coupon')} />
				<//>` : null}

			<h3 class="subhead">Action</h3>
			<${Field} id="pr-type" label="Discount" errors=${errors} field="action.type">
				<select id="pr-type" value=${form.type} data-testid="promo-type" onChange=${set('type')}>
					${ACTIONS.map((a) => html`<option key=${a.type} value=${a.type}>${a.label}</option>`)}
				</select>
			<//>
			<div class="form-row">
				${act.uses.includes('bxgy') ? html`
					<${Field} id="pr-buy" label="Buy (units)" errors=${errors} field="action.buy_qty">
						<input id="pr-buy" type="text" inputmode="numeric" value=${form.buy_qty} data-testid="promo-buy" onInput=${set('buy_qty')} />
					<//>
					<${Field} id="pr-get" label="Get (units)" errors=${errors} field="action.get_qty">
						<input id="pr-get" type="text" inputmode="numeric" value=${form.get_qty} data-testid="promo-get" onInput=${set('get_qty')} />
					<//>` : null}
				${act.uses.includes('rate') ? html`
					<${Field} id="pr-rate" label=${act.uses.includes('bxgy') ? 'Off each Y unit (%; 100 = free)' : 'Percent off'}
						errors=${errors} field="action.rate">
						<input id="pr-rate" type="text" inputmode="decimal" value=${form.rate} data-testid="promo-rate"
							placeholder="10" onInput=${set('rate')} />
					<//>` : null}
				${act.uses.includes('amount') ? html`
					<${Field} id="pr-amount" label=${`Amount (${cur})`} errors=${errors} field="action.amount">
						<input id="pr-amount" type="text" inputmode="decimal" value=${form.amount} data-testid="promo-amount"
							placeholder="5.00" onInput=${set('amount')} />
					<//>` : null}
			</div>
			${act.uses.includes('bxgy') ? html`
				<div class="form-row">
					<${Field} id="pr-maxapp" label="At most (applications; empty = no limit)" errors=${errors} field="action.max_applications">
						<input id="pr-maxapp" type="text" inputmode="numeric" value=${form.max_applications} onInput=${set('max_applications')} />
					<//>
					<${Field} id="pr-getskus" label="Y: SKUs (empty = the matching items)" errors=${errors} field="action.get_match">
						<input id="pr-getskus" type="text" value=${form.get_skus} onInput=${set('get_skus')} />
					<//>
				</div>
				${cats.length ? html`<${Field} id="pr-getcats" label="Y: categories" errors=${errors} field="action.get_match.category_ids">
					<select id="pr-getcats" multiple size="4" onChange=${pickMany('get_categories')}>
						${cats.map((c) => html`<option key=${c.id} value=${c.id} selected=${form.get_categories.includes(c.id)}>${'\u00a0\u00a0'.repeat(c.depth)}${c.name}</option>`)}
					</select>
				<//>` : null}` : null}

			<h3 class="subhead">Conditions <span class="muted small">(empty = no condition)</span></h3>
			<${Field} id="pr-skus" label=${act.cls === 'product' ? 'Matching items: SKUs (these are discounted; empty = every item)' : 'The cart holds one of these SKUs'}
				hint="Separated by commas or spaces." errors=${errors} field="conditions.match.skus">
				<input id="pr-skus" type="text" value=${form.skus} data-testid="promo-skus" onInput=${set('skus')} />
			<//>
			${cats.length ? html`
				<${Field} id="pr-cats" label="… or in these categories" errors=${errors} field="conditions.match.category_ids">
					<select id="pr-cats" multiple size="5" data-testid="promo-categories" onChange=${pickMany('category_ids')}>
						${cats.map((c) => html`<option key=${c.id} value=${c.id} selected=${form.category_ids.includes(c.id)}>${'\u00a0\u00a0'.repeat(c.depth)}${c.name}</option>`)}
					</select>
				<//>` : null}
			<${Field} id="pr-products" label="… or of these product ids" errors=${errors} field="conditions.match.product_ids">
				<input id="pr-products" type="text" value=${form.product_ids} placeholder="prod_…" onInput=${set('product_ids')} />
			<//>
			<div class="form-row">
				<${Field} id="pr-minsub" label=${`Minimum subtotal of those items (${cur})`} errors=${errors} field="conditions.min_subtotal">
					<input id="pr-minsub" type="text" inputmode="decimal" value=${form.min_subtotal} data-testid="promo-min-subtotal"
						onInput=${set('min_subtotal')} />
				<//>
				<${Field} id="pr-minqty" label="Minimum quantity of those items" errors=${errors} field="conditions.min_quantity">
					<input id="pr-minqty" type="text" inputmode="numeric" value=${form.min_quantity} onInput=${set('min_quantity')} />
				<//>
			</div>
			${groups.length ? html`
				<fieldset class="attr-fields">
					<legend>Customer groups (none ticked = everyone)</legend>
					<div class="checks">
						${groups.map((g) => html`<label key=${g.id} class="check"><input type="checkbox"
							checked=${form.customer_groups.includes(g.id)} onChange=${toggleIn('customer_groups', g.id)} />${g.name}</label>`)}
					</div>
					<${FieldError} errors=${errors} field="conditions.customer_groups" />
				</fieldset>` : null}
			<label class="check check-tight"><input type="checkbox" checked=${form.first_order} onChange=${set('first_order')} />
				First orders only</label>

			<h3 class="subhead">Stacking</h3>
			<div class="form-row">
				<${Field} id="pr-prio" label="Priority (−1000 to 1000; higher first)" errors=${errors} field="priority">
					<input id="pr-prio" type="text" inputmode="numeric" value=${form.priority} data-testid="promo-priority" onInput=${set('priority')} />
				<//>
				<label class="check"><input type="checkbox" checked=${form.exclusive} data-testid="promo-exclusive"
					onChange=${set('exclusive')} />Exclusive: nothing else applies with it</label>
			</div>
			<fieldset class="attr-fields">
				<legend>Combines with</legend>
				<div class="checks">
					${CLASSES.map((k) => html`<label key=${k} class="check"><input type="checkbox" data-testid=${`promo-combines-${k}`}
						checked=${form.combines_with.includes(k)} onChange=${toggleIn('combines_with', k)} />${k} discounts</label>`)}
				</div>
				<p class="hint-text">This is a ${act.cls} discount. Two promotions stack only when each lists the other's class.</p>
				<${FieldError} errors=${errors} field="combines_with" />
			</fieldset>

			<h3 class="subhead">Limits and window</h3>
			<div class="form-row">
				<${Field} id="pr-limit" label="Total uses (empty = no limit)" errors=${errors} field="usage_limit">
					<input id="pr-limit" type="text" inputmode="numeric" value=${form.usage_limit} onInput=${set('usage_limit')} />
				<//>
				<${Field} id="pr-climit" label="Uses per customer" errors=${errors} field="customer_usage_limit">
					<input id="pr-climit" type="text" inputmode="numeric" value=${form.customer_usage_limit} onInput=${set('customer_usage_limit')} />
				<//>
			</div>
			<div class="form-row">
				<${Field} id="pr-starts" label="Starts (empty = now)" errors=${errors} field="starts_at">
					<input id="pr-starts" type="datetime-local" value=${form.starts} onInput=${set('starts')} />
				<//>
				<${Field} id="pr-ends" label="Ends before (empty = open end)" errors=${errors} field="ends_at">
					<input id="pr-ends" type="datetime-local" value=${form.ends} onInput=${set('ends')} />
				<//>
			</div>
		</form>`;
}
