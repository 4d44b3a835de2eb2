/*
 * pages/pricing/tax.js: tax and the shop's pricing settings.  The rates
 * grid has a row per country and a column per tax category; each cell is
 * the rate in percent ("19", "5.5"; parts per 100,000 on the wire, turned
 * by string arithmetic), empty for no rate.  Staff edit cells (Enter and
 * the arrows move like in the price sheet), add a country row, and Save
 * (or Ctrl+S) sends each changed cell: PUT /tax-rates/{country}/{category}
 * for a rate, DELETE for a cell emptied.  Each cell's error stays on the
 * cell.  Categories are listed with a form to add one (POST
 * /tax-categories), and products get theirs (a filter over pricing's copy of
 * the catalog; PUT /products/{id}/tax-category).  Settings (currency, whether prices include tax,
 * shipping tax, and the quote's default country and flat shipping when
 * the server has them) are saved with If-Match; 409 currency-in-use is
 * explained.  Unsaved edits of the grid or the settings hold back
 * navigation.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, apiExchange } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { plural } from '../../format.js';
import { useLeaveGuard } from '../../nav.js';
import {
	PRICING, Field, fieldErrors, otherErrors, problemType, percentText, parsePercent, loadAll,
	useSaveKey, useTitle, Loading, settingsChanged, moneyText, parseMoney,
} from './common.js';

const key = (country, category) => `${country}/${category}`;
const ratePath = (country, category) => `${PRICING}/tax-rates/${encodeURIComponent(country)}/${encodeURIComponent(category)}`;

export function Tax() {
	useTitle('Tax & settings');
	const [cats, setCats] = useState(null);
	const [rates, setRates] = useState(null);	/* "DE/standard" -> rate */
	const [extraCountries, setExtraCountries] = useState([]);
	const [edits, setEdits] = useState({});		/* "DE/standard" -> text */
	const [cellErrors, setCellErrors] = useState({});
	const [error, setError] = useState('');
	const [notice, setNotice] = useState(null);
	const [saving, setSaving] = useState(false);
	const [settingsDirty, setSettingsDirty] = useState(false);
	const [newCountry, setNewCountry] = useState('');
	const [countryError, setCountryError] = useState('');
	const grid = useRef(null);

	async function load() {
		try {
			const [c, r] = await Promise.all([loadAll(`${PRICING}/tax-categories`), loadAll(`${PRICING}/tax-rates`)]);
			setCats(c);
			setRates(Object.fromEntries(r.map((x) => [key(x.country, x.category), x.rate])));
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		load();
	}, []);

	const countries = rates ? [...new Set([...Object.keys(rates).map((k) => k.split('/')[0]), ...extraCountries])].sort() : [];
	const textOf = (k) => (edits[k] !== undefined ? edits[k] : percentText(rates[k]));
	const changedKeys = rates ? Object.keys(edits).filter((k) => edits[k].trim() !== percentText(rates[k])) : [];
	const gridDirty = changedKeys.length > 0;
	useLeaveGuard(gridDirty || settingsDirty);

	function cellError(k) {
		if (cellErrors[k])
			return cellErrors[k];
		if (!changedKeys.includes(k) || edits[k].trim() === '')
			return '';
		return parsePercent(edits[k]) === null ? 'Not a rate: 0 to 100 %, at most 3 decimals' : '';
	}

	async function saveRates() {
		if (saving || !rates)
			return;
		if (changedKeys.length === 0) {
			setNotice({ kind: 'info', text: 'There is nothing to save.' });
			return;
		}
		if (changedKeys.some((k) => cellError(k))) {
			setNotice({ kind: 'error', text: 'Some rates are not valid; see the marked cells.' });
			return;
		}
		setSaving(true);
		setNotice(null);
		const errs = {};
		const done = {};
		for (const k of changedKeys) {
			const [country, category] = k.split('/');
			const t = edits[k].trim();
			try {
				if (t === '') {
					if (rates[k] !== undefined)
						await api('DELETE', ratePath(country, category));
					done[k] = undefined;
				} else {
					const r = await api('PUT', ratePath(country, category), { rate: parsePercent(t) });
					done[k] = r && Number.isInteger(r.rate) ? r.rate : parsePercent(t);
				}
			} catch (e) {
				const fe = fieldErrors(e);
				const t2 = problemType(e);
				errs[k] = fe ? Object.values(fe).join('; ')
				    : t2 === 'unknown-country' ? 'Not an ISO 3166 country code' : e.message;
			}
		}
		setRates((prev) => {
			const next = { ...prev };
			for (const k of Object.keys(done)) {
				if (done[k] === undefined)
					delete next[k];
				else
					next[k] = done[k];
			}
			return next;
		});
		setEdits((prev) => {
			const next = { ...prev };
			for (const k of Object.keys(done))
				delete next[k];
			return next;
		});
		setCellErrors(errs);
		const n = Object.keys(done).length;
		const bad = Object.keys(errs).length;
		setNotice(bad ? { kind: 'error', text: `${plural(n, 'rate')} saved; ${plural(bad, 'rate')} refused (see the marked cells).` }
		    : { kind: 'ok', text: `Saved ${plural(n, 'rate')}.` });
		setSaving(false);
	}
	useSaveKey(saveRates);

	function addCountry(e) {
		e.preventDefault();
		const c = newCountry.trim().toUpperCase();
		if (!/^[A-Z]{2}$/.test(c)) {
			setCountryError('Two letters, ISO 3166-1 (e.g. BE)');
			return;
		}
		if (!countries.includes(c))
			setExtraCountries([...extraCountries, c]);
		setNewCountry('');
		setCountryError('');
		setTimeout(() => {
			const el = grid.current && grid.current.querySelector(`input[data-country="${c}"]`);
			if (el)
				el.focus();
		}, 0);
	}

	function onKeyDown(e) {
		const el = e.target;
		if (!el.dataset || el.dataset.r === undefined)
			return;
		let r = Number(el.dataset.r);
		let c = Number(el.dataset.c);
		if (e.key === 'Enter' || e.key === 'ArrowDown')
			r += e.key === 'Enter' && e.shiftKey ? -1 : 1;
		else if (e.key === 'ArrowUp')
			r--;
		else if (e.key === 'ArrowLeft' && el.selectionStart === 0 && el.selectionEnd === 0)
			c--;
		else if (e.key === 'ArrowRight' && el.selectionStart === el.value.length)
			c++;
		else
			return;
		const to = grid.current.querySelector(`input[data-r="${r}"][data-c="${c}"]`);
		if (to) {
			e.preventDefault();
			to.focus();
			to.select();
		}
	}

	return html`
		<div class="page-head"><h1>Tax & settings</h1></div>
		<${Notice} kind="error">${error}<//>
		<div class="detail-grid">
			<div>
				<${Section} title="Tax rates" testid="tax-rates"
					intro="Rates in percent per country (rows) and tax category (columns); an empty cell is no rate, and a quote for that country refuses a product of that category."
					actions=${html`
						<span class=${`small ${gridDirty ? 'dirty' : 'muted'}`} data-testid="rates-dirty">
							${gridDirty ? plural(changedKeys.length, 'changed rate') : 'No unsaved changes'}</span>
						<button class="btn" disabled=${!gridDirty || saving} onClick=${() => {
							setEdits({});
							setCellErrors({});
						}}>Discard</button>
						<button class="btn btn-primary" disabled=${!gridDirty || saving} data-testid="rates-save"
							title="Save (Ctrl+S)" onClick=${saveRates}>${saving ? 'Saving…' : 'Save rates'}</button>`}>
					<${Notice} kind=${notice ? notice.kind : 'info'} testid="rates-notice">${notice && notice.text}<//>
					${rates === null || cats === null ? (error ? null : html`<${Loading} />`) : html`
						<div class="table-wrap">
						<table class="grid grid-compact sheet" data-testid="rates-table" ref=${grid} onKeyDown=${onKeyDown}>
							<thead><tr><th>Country</th>${cats.map((c) => html`<th key=${c.code} class="num">${c.name}<div class="muted small"><code>${c.code}</code></div></th>`)}</tr></thead>
							<tbody>
								${countries.map((country, r) => html`
									<tr key=${country} data-testid="rate-row" data-country=${country}>
										<th scope="row">${country}</th>
										${cats.map((cat, c) => {
											const k = key(country, cat.code);
											const changed = changedKeys.includes(k);
											const msg = cellError(k);
											return html`<td key=${cat.code} class=${`num sheet-cell ${changed ? 'cell-changed' : ''} ${msg ? 'cell-error' : ''}`}>
												<span class="cell-unit">
												<input type="text" inputmode="decimal" autocomplete="off"
													aria-label=${`${cat.name} rate in ${country}, percent`}
													aria-invalid=${msg ? 'true' : null}
													data-r=${r} data-c=${c} data-country=${country} data-category=${cat.code}
													data-testid="rate-cell" value=${textOf(k)} placeholder="—"
													onInput=${(e) => {
														const v = e.currentTarget.value;
														setEdits((prev) => ({ ...prev, [k]: v }));
														setCellErrors((prev) => ({ ...prev, [k]: '' }));
													}} />%</span>
												${msg ? html`<div class="cell-msg" role="alert">${msg}</div>` : null}
											</td>`;
										})}
									</tr>`)}
							</tbody>
						</table>
						</div>
						${countries.length === 0 ? html`<${Empty}>No rates yet.<//>` : null}
						<form class="toolbar form-add-country" novalidate onSubmit=${addCountry}>
							<label class="inline-label" for="tax-country">Add a country
								<input id="tax-country" type="text" maxlength="2" size="3" value=${newCountry}
									data-testid="rate-country" placeholder="BE"
									onInput=${(e) => setNewCountry(e.currentTarget.value)} /></label>
							<button class="btn" type="submit" data-testid="rate-country-add">Add row</button>
							${countryError ? html`<span class="field-error" role="alert">${countryError}</span>` : null}
						</form>`}
				<//>
				<${Categories} cats=${cats} onAdded=${load} />
				<${ProductTax} cats=${cats} />
			</div>
			<${Settings} cats=${cats || []} onDirty=${setSettingsDirty} />
		</div>`;
}

function Categories({ cats, onAdded }) {
	const [form, setForm] = useState({ code: '', name: '' });
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);

	async function submit(e) {
		e.preventDefault();
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			const c = await api('POST', `${PRICING}/tax-categories`, { code: form.code.trim(), name: form.name.trim() });
			setForm({ code: '', name: '' });
			setNotice({ kind: 'ok', text: `Category \u201c${c.name || form.name}\u201d added: give it a rate per country above.` });
			onAdded();
		} catch (err) {
			const fe = fieldErrors(err);
			if (fe)
				setErrors(fe);
			else if (problemType(err) === 'code-taken')
				setErrors({ code: 'A category has this code already' });
			else
				setNotice({ kind: 'error', text: err.message });
		} finally {
			setBusy(false);
		}
	}

	return html`
		<${Section} title="Tax categories" testid="tax-categories"
			intro="Each product has a category (standard until set on the product); the rate comes from its column above.">
			${cats ? html`<ul class="plain">${cats.map((c) => html`<li key=${c.code}>${c.name} <code class="small">${c.code}</code></li>`)}</ul>` : null}
			<form class="inline-form" novalidate data-testid="tax-category-new" onSubmit=${submit}>
				<${Notice} kind=${notice ? notice.kind : 'info'}>${notice && notice.text}<//>
				<div class="form-row">
					<${Field} id="tc-code" label="Code" errors=${errors} field="code">
						<input id="tc-code" type="text" maxlength="40" value=${form.code} placeholder="super-reduced"
							data-testid="tax-category-code" onInput=${(e) => setForm({ ...form, code: e.currentTarget.value })} />
					<//>
					<${Field} id="tc-name" label="Name" errors=${errors} field="name">
						<input id="tc-name" type="text" maxlength="100" value=${form.name}
							data-testid="tax-category-name" onInput=${(e) => setForm({ ...form, name: e.currentTarget.value })} />
					<//>
				</div>
				<button class="btn" type="submit" disabled=${busy} data-testid="tax-category-add">Add category</button>
			</form>
		<//>`;
}

const PRODUCTS_SHOWN = 20;

/*
 * Products' tax categories.  Pricing's own copy of the catalog (the
 * product ids and titles GET /prices?all=true carries) gives the list;
 * the first 20 matching the filter show with their category (GET
 * /products/{id}/tax-category each) and a select that PUTs a new one.
 */
function ProductTax({ cats }) {
	const [products, setProducts] = useState(null);
	const [filter, setFilter] = useState('');
	const [current, setCurrent] = useState({});	/* product id -> category */
	const [rowMsg, setRowMsg] = useState({});	/* product id -> { kind, text } */
	const [error, setError] = useState('');

	useEffect(() => {
		loadAll(`${PRICING}/prices?all=true`).then((rows) => {
			const seen = new Map();
			for (const r of rows)
				if (r.product_id && !seen.has(r.product_id))
					seen.set(r.product_id, { id: r.product_id, title: r.title || r.product_id });
			setProducts([...seen.values()].sort((a, b) => a.title.localeCompare(b.title)));
		}).catch((e) => setError(e.message));
	}, []);

	const q = filter.trim().toLowerCase();
	const matching = (products || []).filter((p) => !q || p.title.toLowerCase().includes(q) || p.id.toLowerCase() === q);
	const shown = matching.slice(0, PRODUCTS_SHOWN);
	const shownKey = shown.map((p) => p.id).join(' ');

	useEffect(() => {
		let alive = true;
		for (const p of shown) {
			if (current[p.id] !== undefined)
				continue;
			api('GET', `${PRICING}/products/${encodeURIComponent(p.id)}/tax-category`)
			    .then((r) => alive && setCurrent((prev) => ({ ...prev, [p.id]: r.category })))
			    .catch(() => alive && setCurrent((prev) => ({ ...prev, [p.id]: '' })));
		}
		return () => {
			alive = false;
		};
	}, [shownKey]);

	async function change(p, category) {
		const was = current[p.id];
		setCurrent((prev) => ({ ...prev, [p.id]: category }));
		setRowMsg((prev) => ({ ...prev, [p.id]: null }));
		try {
			const r = await api('PUT', `${PRICING}/products/${encodeURIComponent(p.id)}/tax-category`, { category });
			setCurrent((prev) => ({ ...prev, [p.id]: r && r.category ? r.category : category }));
			setRowMsg((prev) => ({ ...prev, [p.id]: { kind: 'ok', text: 'saved' } }));
		} catch (e) {
			setCurrent((prev) => ({ ...prev, [p.id]: was }));
			const fe = fieldErrors(e);
			setRowMsg((prev) => ({ ...prev, [p.id]: { kind: 'error', text: fe ? Object.values(fe).join('; ') : e.message } }));
		}
	}

	return html`
		<${Section} title="Products’ tax categories" testid="product-tax"
			intro="A product is taxed at its category's rate; new products are standard.">
			<${Notice} kind="error">${error}<//>
			<input type="search" placeholder="Filter products by title" aria-label="Filter products"
				value=${filter} data-testid="product-tax-filter" onInput=${(e) => setFilter(e.currentTarget.value)} />
			${products === null && !error ? html`<${Loading} />` : null}
			${products && matching.length === 0 ? html`<${Empty}>No product matches.<//>` : null}
			${shown.length ? html`
				<table class="grid grid-compact">
					<tbody>
						${shown.map((p) => html`
							<tr key=${p.id} data-testid="product-tax-row" data-id=${p.id}>
								<td>${p.title}</td>
								<td class="nowrap">
									<select aria-label=${`Tax category of ${p.title}`} data-testid="product-tax-category"
										class="select-inline" value=${current[p.id] || ''} disabled=${current[p.id] === undefined}
										onChange=${(e) => change(p, e.currentTarget.value)}>
										${current[p.id] === undefined ? html`<option value="">…</option>` : null}
										${(cats || []).map((c) => html`<option key=${c.code} value=${c.code}>${c.name}</option>`)}
									</select>
									${rowMsg[p.id] ? html`<span class=${`small ${rowMsg[p.id].kind === 'error' ? 'error-text' : 'ok-line'}`}
										role=${rowMsg[p.id].kind === 'error' ? 'alert' : 'status'}
										data-testid="product-tax-msg"> ${rowMsg[p.id].text}</span>` : null}
								</td>
							</tr>`)}
					</tbody>
				</table>
				${matching.length > shown.length ? html`<p class="muted small">${plural(matching.length - shown.length, 'more product')}: narrow the filter.</p>` : null}` : null}
		<//>`;
}

/* The settings form's values from the server's settings. */
function formOf(s) {
	return {
		currency: s.currency || '',
		prices_include_tax: !!s.prices_include_tax,
		shipping_taxable: !!s.shipping_taxable,
		shipping_tax_category: s.shipping_tax_category || 'standard',
		default_country: s.default_country || '',
		shipping_amount: moneyText(s.shipping_amount, s),
	};
}

function Settings({ cats, onDirty }) {
	const [s, setS] = useState(null);
	const [etag, setEtag] = useState(null);
	const [form, setForm] = useState(null);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);

	async function load() {
		try {
			const r = await apiExchange('GET', `${PRICING}/settings`);
			setS(r.data);
			setEtag(r.etag || `"v${r.data.version}"`);
			setForm(formOf(r.data));
			setErrors(null);
		} catch (e) {
			setNotice({ kind: 'error', text: e.message });
		}
	}
	useEffect(() => {
		load();
	}, []);

	const base = s ? formOf(s) : null;
	const changed = form && base ? Object.keys(form).filter((k) => form[k] !== base[k]) : [];
	useEffect(() => {
		onDirty(changed.length > 0);
	}, [changed.length > 0]);

	async function save(e) {
		e.preventDefault();
		if (!s || changed.length === 0)
			return;
		const body = {};
		for (const k of changed) {
			if (k === 'shipping_amount') {
				const v = parseMoney(form.shipping_amount, s);
				if (v === null) {
					setErrors({ shipping_amount: `Type an amount in ${s.currency}, e.g. 4.90` });
					return;
				}
				body.shipping_amount = v;
			} else if (k === 'currency' || k === 'default_country') {
				body[k] = form[k].trim().toUpperCase();
			} else {
				body[k] = form[k];
			}
		}
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			const r = await apiExchange('PUT', `${PRICING}/settings`, body, { 'If-Match': etag });
			setS(r.data);
			setEtag(r.etag || `"v${r.data.version}"`);
			setForm(formOf(r.data));
			settingsChanged(r.data);
			setNotice({ kind: 'ok', text: 'Settings saved.' });
		} catch (err) {
			const fe = fieldErrors(err);
			const t = problemType(err);
			if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, Object.keys(form));
				if (rest.length)
					setNotice({ kind: 'error', text: rest.join(' ') });
			} else if (t === 'currency-in-use') {
				setErrors({ currency: 'The currency cannot change while prices are set: their amounts would change meaning.' });
			} else if (err.status === 412) {
				setNotice({ kind: 'error', text: 'The settings changed since you opened them; they are reloaded, make your change again.' });
				load();
			} else {
				setNotice({ kind: 'error', text: err.message });
			}
		} finally {
			setBusy(false);
		}
	}

	if (!form)
		return html`<section class="card"><h2>Settings</h2><${Notice} kind="error">${notice && notice.text}<//>${notice ? null : html`<${Loading} />`}</section>`;
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
	return html`
		<form class="card" novalidate data-testid="pricing-settings" onSubmit=${save}>
			<div class="card-head">
				<h2>Shop pricing settings</h2>
				<span class=${`small ${changed.length ? 'dirty' : 'muted'}`}>${changed.length ? 'Unsaved changes' : ''}</span>
			</div>
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="settings-notice">${notice && notice.text}<//>
			<${Field} id="st-currency" label="Currency" hint=${`ISO 4217 code; ${s.minor_units} decimal${s.minor_units === 1 ? '' : 's'} for ${s.currency}.`}
				errors=${errors} field="currency">
				<input id="st-currency" type="text" maxlength="3" value=${form.currency}
					data-testid="settings-currency" onInput=${set('currency')} />
			<//>
			<label class="check"><input type="checkbox" checked=${form.prices_include_tax}
				data-testid="settings-include-tax" onChange=${set('prices_include_tax')} />
				Prices are entered including tax</label>
			<label class="check"><input type="checkbox" checked=${form.shipping_taxable}
				data-testid="settings-shipping-taxable" onChange=${set('shipping_taxable')} />
				Shipping is taxable</label>
			<${Field} id="st-shipcat" label="Shipping tax category" errors=${errors} field="shipping_tax_category">
				<select id="st-shipcat" value=${form.shipping_tax_category} disabled=${!form.shipping_taxable}
					onChange=${set('shipping_tax_category')}>
					${(cats.length ? cats : [{ code: form.shipping_tax_category, name: form.shipping_tax_category }])
					    .map((c) => html`<option key=${c.code} value=${c.code}>${c.name}</option>`)}
				</select>
			<//>
			${s.default_country !== undefined ? html`
				<${Field} id="st-country" label="Default country" hint="Where quotes are taxed when the cart names no country."
					errors=${errors} field="default_country">
					<input id="st-country" type="text" maxlength="2" value=${form.default_country}
						onInput=${set('default_country')} />
				<//>` : null}
			${s.shipping_amount !== undefined ? html`
				<${Field} id="st-ship" label=${`Flat shipping for quotes (${s.currency})`} errors=${errors} field="shipping_amount">
					<input id="st-ship" type="text" inputmode="decimal" value=${form.shipping_amount}
						onInput=${set('shipping_amount')} />
				<//>` : null}
			<div class="form-actions">
				<button class="btn btn-primary" type="submit" disabled=${busy || changed.length === 0}
					data-testid="settings-save">${busy ? 'Saving…' : 'Save settings'}</button>
			</div>
		</form>`;
}
