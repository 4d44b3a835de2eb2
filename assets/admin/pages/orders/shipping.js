/*
 * pages/orders/shipping.js: shipping zones and their methods
 * (#/orders/shipping, a tab of the Orders section).  A zone is a name and
 * the countries it covers (ISO 3166-1 alpha-2 codes, typed as "BE, NL,
 * LU"; the page upper-cases them and refuses anything that is not two
 * letters before asking the server, which also refuses a country another
 * zone has).  Each zone lists its methods, and a form per kind adds or
 * edits one: a flat rate, weight brackets (an editable table of "up to
 * this many grams costs this much", rising), free shipping offered from a
 * subtotal on, and store pickup.  Money is typed in the shop's currency
 * ("4.95") and sent as integer minor units through parseMoney() of the
 * pricing pages (string arithmetic, no float).  The zone and method
 * resources have no ETag, so there is no If-Match here.  A 422's errors
 * show under the field they name (a bracket's under its cell); other
 * errors above the form.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { formatMoney, plural } from '../../format.js';
import { useLeaveGuard } from '../../nav.js';
import {
	Field, FieldError, fieldErrors, otherErrors, errorFor, Loading, useTitle, useSettings, moneyText,
	parseMoney, minorOf,
} from '../pricing/common.js';

const S = '/api/v1/checkout/shipping/zones';
const zonePath = (id) => `${S}/${encodeURIComponent(id)}`;
const methodPath = (zone, id) => `${zonePath(zone)}/methods${id ? `/${encodeURIComponent(id)}` : ''}`;
const GRAMS_MAX = 1000000000;

export const KINDS = [
	{ kind: 'flat', label: 'Flat rate' },
	{ kind: 'weight', label: 'Weight brackets' },
	{ kind: 'free_above', label: 'Free above a subtotal' },
	{ kind: 'pickup', label: 'Store pickup' },
];
const kindLabel = (k) => (KINDS.find((x) => x.kind === k) || { label: k }).label;

/* "be, NL;lu" -> { codes: ['BE','NL','LU'], bad: [] }; bad keeps what is not two letters. */
export function parseCountries(text) {
	const codes = [];
	const bad = [];
	for (const raw of String(text || '').split(/[\s,;]+/)) {
		if (raw === '')
			continue;
		const c = raw.toUpperCase();
		if (!/^[A-Z]{2}$/.test(c))
			bad.push(raw);
		else if (!codes.includes(c))
			codes.push(c);
	}
	return { codes, bad };
}

/* A method's price in words, in the shop's currency. */
function describeMethod(m, s) {
	const cur = s && s.currency;
	const minor = minorOf(s);
	const money = (n) => formatMoney(n, cur, minor);
	switch (m.kind) {
	case 'flat':
		return money(m.amount);
	case 'weight':
		return (Array.isArray(m.brackets) ? m.brackets : [])
		    .map((b) => `up to ${b.max_grams} g: ${money(b.amount)}`).join('; ');
	case 'free_above':
		return `free, offered from a subtotal of ${money(m.min_subtotal)}`;
	case 'pickup':
		return 'free, collected at the store';
	default:
		return m.kind;
	}
}

/* The 422 errors of a zone form, countries[i] named by its code. */
function zoneErrors(e, sent) {
	const fe = fieldErrors(e);
	if (!fe)
		return null;
	const out = {};
	for (const [k, msg] of Object.entries(fe)) {
		const m = /^countries\[(\d+)\]$/.exec(k);
		const code = m ? sent[Number(m[1])] : null;
		const text = code && !msg.startsWith(code) ? `${code} ${msg}` : msg;
		const key = m ? 'countries' : k;
		out[key] = out[key] ? `${out[key]}; ${text}` : text;
	}
	return out;
}

export function Shipping() {
	useTitle('Shipping');
	const { settings, error: settingsError } = useSettings();
	const [zones, setZones] = useState(null);
	const [error, setError] = useState('');
	const [adding, setAdding] = useState(false);
	const [dirty, setDirty] = useState({});
	const alive = useRef(true);
	useEffect(() => () => {
		alive.current = false;
	}, []);
	useLeaveGuard(Object.values(dirty).some(Boolean));
	const markDirty = (k, v) => setDirty((d) => (!!d[k] === v ? d : { ...d, [k]: v }));

	async function load() {
		try {
			const r = await api('GET', S);
			if (alive.current) {
				setZones(Array.isArray(r && r.data) ? r.data : []);
				setError('');
			}
		} catch (e) {
			if (alive.current)
				setError(e.message);
		}
	}
	useEffect(() => {
		load();
	}, []);

	const ready = zones !== null && (settings !== null || settingsError);
	return html`
		<div data-testid="page-shipping">
			<div class="page-head"><h1>Shipping</h1>
				<div class="page-actions">
					<button class="btn btn-primary" data-testid="zone-new" disabled=${adding || !ready}
						onClick=${() => setAdding(true)}>New zone</button>
				</div>
			</div>
			<p class="lead muted">A zone is a group of countries (a country belongs to one zone at most);
				its methods are what a cart shipping there can choose. Prices are in
				${settings ? ` ${settings.currency}` : ' the shop currency'}.</p>
			<${Notice} kind="error" testid="shipping-error">${error || settingsError}<//>
			${adding ? html`
				<${Section} title="New zone" testid="zone-new-card">
					<${ZoneForm} onDirty=${(v) => markDirty('new', v)}
						onCancel=${() => { setAdding(false); markDirty('new', false); }}
						onSaved=${() => { setAdding(false); markDirty('new', false); load(); }} />
				<//>` : null}
			${!ready ? (error ? null : html`<${Loading} />`) : zones.length === 0
			    ? html`<${Empty}>No shipping zones yet: carts cannot choose a country to ship to until one exists.<//>`
			    : zones.map((z) => html`<${Zone} key=${z.id} zone=${z} settings=${settings}
				markDirty=${markDirty} onChanged=${load} />`)}
		</div>`;
}

/* Create (zone undefined) or edit a zone's name and countries. */
function ZoneForm({ zone, onSaved, onCancel, onDirty }) {
	const initial = { name: zone ? zone.name : '', countries: zone ? zone.countries.join(', ') : '' };
	const [form, setForm] = useState(initial);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState('');
	const [busy, setBusy] = useState(false);
	const idp = zone ? `zone-${zone.id}` : 'zone-new';
	const changed = form.name !== initial.name || form.countries !== initial.countries;
	useEffect(() => {
		onDirty(changed);
	}, [changed]);

	async function submit(e) {
		e.preventDefault();
		const errs = {};
		const name = form.name.trim();
		const { codes, bad } = parseCountries(form.countries);
		if (name === '')
			errs.name = 'Give the zone a name';
		if (bad.length)
			errs.countries = `Not an ISO 3166-1 alpha-2 code: ${bad.join(', ')} (two letters, such as NL)`;
		else if (codes.length === 0)
			errs.countries = 'List at least one country code, such as NL';
		if (Object.keys(errs).length) {
			setErrors(errs);
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice('');
		try {
			const body = { name, countries: codes };
			await api(zone ? 'PATCH' : 'POST', zone ? zonePath(zone.id) : S, body);
			onDirty(false);
			onSaved();
		} catch (err) {
			const fe = zoneErrors(err, codes);
			if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, ['name', 'countries']);
				setNotice(rest.join('; '));
			} else {
				setNotice(err.status === 404 ? 'This zone was deleted meanwhile: reload the page.' : err.message);
			}
		} finally {
			setBusy(false);
		}
	}

	return html`
		<form class="inline-form" novalidate data-testid="zone-form" onSubmit=${submit}>
			<${Notice} kind="error" testid="zone-form-error">${notice}<//>
			<div class="form-row">
				<${Field} id=${`${idp}-name`} label="Name" errors=${errors} field="name">
					<input id=${`${idp}-name`} type="text" maxlength="100" value=${form.name}
						data-testid="zone-name" placeholder="Benelux"
						onInput=${(e) => setForm({ ...form, name: e.currentTarget.value })} />
				<//>
				<${Field} id=${`${idp}-countries`} label="Countries" errors=${errors} field="countries"
					hint="ISO 3166-1 alpha-2 codes, separated by commas: BE, NL, LU">
					<input id=${`${idp}-countries`} type="text" value=${form.countries}
						data-testid="zone-countries" placeholder="BE, NL, LU" autocomplete="off"
						aria-invalid=${errorFor(errors, 'countries') ? 'true' : null}
						onInput=${(e) => setForm({ ...form, countries: e.currentTarget.value })} />
				<//>
			</div>
			<div class="form-actions">
				<button class="btn btn-primary" type="submit" disabled=${busy} data-testid="zone-save">
					${zone ? 'Save zone' : 'Create zone'}</button>
				<button class="btn" type="button" onClick=${onCancel} data-testid="zone-cancel">Cancel</button>
			</div>
		</form>`;
}

function Zone({ zone, settings, markDirty, onChanged }) {
	const [editing, setEditing] = useState(false);
	const [methodForm, setMethodForm] = useState(null);	/* null, 'new' or a method id */
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const methods = Array.isArray(zone.methods) ? zone.methods : [];

	async function removeZone() {
		if (!window.confirm(`Delete the zone \u201c${zone.name}\u201d with its ${plural(methods.length, 'method')}? ` +
		    'Carts that chose one of them lose it.'))
			return;
		setBusy(true);
		setError('');
		try {
			await api('DELETE', zonePath(zone.id));
			onChanged();
		} catch (e) {
			setError(e.message);
			setBusy(false);
		}
	}
	async function removeMethod(m) {
		if (!window.confirm(`Delete the method \u201c${m.name}\u201d of ${zone.name}?`))
			return;
		setError('');
		try {
			await api('DELETE', methodPath(zone.id, m.id));
			onChanged();
		} catch (e) {
			setError(e.message);
		}
	}
	const closeMethod = () => {
		setMethodForm(null);
		markDirty(`m-${zone.id}`, false);
	};

	return html`
		<${Section} title=${zone.name} testid="zone-card"
			actions=${html`<span class="btn-row">
				<button class="btn btn-small" disabled=${editing || busy} data-testid="zone-edit"
					onClick=${() => setEditing(true)}>Edit zone</button>
				<button class="btn btn-small btn-danger" disabled=${busy} data-testid="zone-delete"
					onClick=${removeZone}>Delete zone</button></span>`}>
			<div data-zone-name=${zone.name} data-zone-id=${zone.id}>
			<${Notice} kind="error" testid="zone-error">${error}<//>
			${editing ? html`<${ZoneForm} zone=${zone} onDirty=${(v) => markDirty(`z-${zone.id}`, v)}
				onCancel=${() => { setEditing(false); markDirty(`z-${zone.id}`, false); }}
				onSaved=${() => { setEditing(false); markDirty(`z-${zone.id}`, false); onChanged(); }} />` : html`
				<p data-testid="zone-countries-text"><span class="muted">Countries: </span>${zone.countries.join(', ')}</p>`}
			<h3 class="subhead">Methods</h3>
			${methods.length === 0 ? html`<${Empty}>No methods yet: carts shipping here have nothing to choose.<//>` : html`
				<div class="table-wrap"><table class="grid" data-testid="method-table">
					<thead><tr><th>Name</th><th>Kind</th><th>Price</th><th></th></tr></thead>
					<tbody>${methods.map((m) => html`
						<tr key=${m.id} data-testid="method-row" data-name=${m.name} data-kind=${m.kind}>
							<td>${m.name}</td><td>${kindLabel(m.kind)}</td>
							<td data-testid="method-price">${describeMethod(m, settings)}</td>
							<td class="actions"><span class="btn-row">
								<button class="btn btn-small" data-testid="method-edit" disabled=${methodForm !== null}
									onClick=${() => setMethodForm(m.id)}>Edit</button>
								<button class="btn btn-small btn-danger" data-testid="method-delete"
									onClick=${() => removeMethod(m)}>Delete</button></span>
							</td>
						</tr>`)}</tbody>
				</table></div>`}
			${methodForm === null ? html`
				<div class="form-actions form-section">
					<button class="btn" data-testid="method-add" onClick=${() => setMethodForm('new')}>Add a method</button>
				</div>` : html`
				<${MethodForm} key=${methodForm} zone=${zone} settings=${settings}
					method=${methods.find((m) => m.id === methodForm)}
					onDirty=${(v) => markDirty(`m-${zone.id}`, v)} onCancel=${closeMethod}
					onSaved=${() => { closeMethod(); onChanged(); }} />`}
			</div>
		<//>`;
}

/* The form's values from a method (or the defaults of a new one). */
function formOfMethod(m, s) {
	const brackets = m && Array.isArray(m.brackets) && m.brackets.length
	    ? m.brackets.map((b) => ({ grams: String(b.max_grams), amount: moneyText(b.amount, s) }))
	    : [{ grams: '', amount: '' }];
	return {
		kind: m ? m.kind : 'flat',
		name: m ? m.name : '',
		amount: m && m.kind === 'flat' ? moneyText(m.amount, s) : '',
		min_subtotal: m && m.kind === 'free_above' ? moneyText(m.min_subtotal, s) : '',
		brackets,
	};
}

/* Checks the form into a request body; returns { body } or { errors }. */
function methodBody(f, s, creating) {
	const errs = {};
	const body = { name: f.name.trim() };
	if (creating)
		body.kind = f.kind;
	if (body.name === '')
		errs.name = 'Give the method a name';
	const money = (text, field) => {
		const v = parseMoney(text, s);
		if (v === null)
			errs[field] = `Type an amount such as ${moneyText(495, s)}`;
		return v;
	};
	if (f.kind === 'flat')
		body.amount = money(f.amount, 'amount');
	if (f.kind === 'free_above')
		body.min_subtotal = money(f.min_subtotal, 'min_subtotal');
	if (f.kind === 'weight') {
		let prev = 0;
		body.brackets = f.brackets.map((b, i) => {
			const t = b.grams.trim();
			const g = /^\d+$/.test(t) ? Number(t) : NaN;
			if (!(g >= 1 && g <= GRAMS_MAX))
				errs[`brackets[${i}].max_grams`] = 'Whole grams, 1 to 1,000,000,000';
			else if (g <= prev)
				errs[`brackets[${i}].max_grams`] = 'More grams than the bracket above';
			else
				prev = g;
			return { max_grams: g, amount: money(b.amount, `brackets[${i}].amount`) };
		});
		if (f.brackets.length === 0)
			errs.brackets = 'Add at least one bracket';
	}
	return Object.keys(errs).length ? { errors: errs } : { body };
}

function MethodForm({ zone, method, settings, onSaved, onCancel, onDirty }) {
	const initial = formOfMethod(method, settings);
	const [f, setF] = useState(initial);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState('');
	const [busy, setBusy] = useState(false);
	const cur = settings ? settings.currency : '';
	const idp = `m-${zone.id}-${method ? method.id : 'new'}`;
	const changed = JSON.stringify(f) !== JSON.stringify(initial);
	useEffect(() => {
		onDirty(changed);
	}, [changed]);

	const set = (k, v) => setF((p) => ({ ...p, [k]: v }));
	const setBracket = (i, k, v) => setF((p) => ({
		...p, brackets: p.brackets.map((b, j) => (j === i ? { ...b, [k]: v } : b)),
	}));

	async function submit(e) {
		e.preventDefault();
		const { body, errors: errs } = methodBody(f, settings, !method);
		if (errs) {
			setErrors(errs);
			setNotice('');
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice('');
		try {
			await api(method ? 'PATCH' : 'POST', methodPath(zone.id, method && method.id), body);
			onDirty(false);
			onSaved();
		} catch (err) {
			const fe = fieldErrors(err);
			if (fe) {
				setErrors(fe);
				setNotice(otherErrors(fe, ['name', 'kind', 'amount', 'min_subtotal', 'brackets']).join('; '));
			} else {
				setNotice(err.status === 404 ? 'This zone or method was deleted meanwhile: reload the page.' : err.message);
			}
		} finally {
			setBusy(false);
		}
	}

	return html`
		<form class="inline-form form-section" novalidate data-testid="method-form" data-kind=${f.kind} onSubmit=${submit}>
			<h3>${method ? `Edit \u201c${method.name}\u201d` : `New method for ${zone.name}`}</h3>
			<${Notice} kind="error" testid="method-form-error">${notice}<//>
			<div class="form-row">
				<${Field} id=${`${idp}-kind`} label="Kind" errors=${errors} field="kind"
					hint=${method ? 'A method keeps its kind: delete it and add another to change it.' : ''}>
					<select id=${`${idp}-kind`} value=${f.kind} disabled=${!!method} data-testid="method-kind"
						onChange=${(e) => { set('kind', e.currentTarget.value); setErrors(null); }}>
						${KINDS.map((k) => html`<option key=${k.kind} value=${k.kind}>${k.label}</option>`)}
					</select>
				<//>
				<${Field} id=${`${idp}-name`} label="Name (what the customer sees)" errors=${errors} field="name">
					<input id=${`${idp}-name`} type="text" maxlength="100" value=${f.name} data-testid="method-name"
						placeholder=${f.kind === 'pickup' ? 'Pick up in the shop' : 'Standard post'}
						onInput=${(e) => set('name', e.currentTarget.value)} />
				<//>
				${f.kind === 'flat' ? html`
					<${Field} id=${`${idp}-amount`} label=${`Price (${cur})`} errors=${errors} field="amount">
						<input id=${`${idp}-amount`} type="text" inputmode="decimal" value=${f.amount}
							data-testid="method-amount" placeholder=${moneyText(495, settings)}
							onInput=${(e) => set('amount', e.currentTarget.value)} />
					<//>` : null}
				${f.kind === 'free_above' ? html`
					<${Field} id=${`${idp}-min`} label=${`Offered from a subtotal of (${cur})`} errors=${errors}
						field="min_subtotal" hint="Below it, the method is not offered.">
						<input id=${`${idp}-min`} type="text" inputmode="decimal" value=${f.min_subtotal}
							data-testid="method-min-subtotal" placeholder=${moneyText(5000, settings)}
							onInput=${(e) => set('min_subtotal', e.currentTarget.value)} />
					<//>` : null}
			</div>
			${f.kind === 'weight' ? html`
				<p class="hint-text">The first bracket whose weight holds the cart's weight gives the price;
					a heavier cart than the last bracket cannot choose this method.</p>
				<table class="grid grid-compact grid-form" data-testid="bracket-table">
					<thead><tr><th>Up to (grams)</th><th>Price (${cur})</th><th></th></tr></thead>
					<tbody>${f.brackets.map((b, i) => html`
						<tr key=${i} data-testid="bracket-row">
							<td>
								<input type="text" inputmode="numeric" value=${b.grams} data-testid="bracket-grams"
									aria-label=${`Bracket ${i + 1}: up to how many grams`}
									onInput=${(e) => setBracket(i, 'grams', e.currentTarget.value)} />
								<${FieldError} errors=${errors} field=${`brackets[${i}].max_grams`} exact=${true} />
							</td>
							<td>
								<input type="text" inputmode="decimal" value=${b.amount} data-testid="bracket-amount"
									aria-label=${`Bracket ${i + 1}: price in ${cur}`}
									onInput=${(e) => setBracket(i, 'amount', e.currentTarget.value)} />
								<${FieldError} errors=${errors} field=${`brackets[${i}].amount`} exact=${true} />
							</td>
							<td class="actions">
								<button type="button" class="btn btn-small" data-testid="bracket-remove"
									disabled=${f.brackets.length < 2}
									onClick=${() => set('brackets', f.brackets.filter((_, j) => j !== i))}>Remove</button>
							</td>
						</tr>`)}</tbody>
				</table>
				<${FieldError} errors=${errors} field="brackets" exact=${true} />
				<div class="form-actions form-section">
					<button type="button" class="btn btn-small" data-testid="bracket-add" disabled=${f.brackets.length >= 20}
						onClick=${() => set('brackets', [...f.brackets, { grams: '', amount: '' }])}>Add a bracket</button>
				</div>` : null}
			<div class="form-actions form-section">
				<button class="btn btn-primary" type="submit" disabled=${busy} data-testid="method-save">
					${method ? 'Save method' : 'Add method'}</button>
				<button class="btn" type="button" onClick=${onCancel} data-testid="method-cancel">Cancel</button>
			</div>
		</form>`;
}
