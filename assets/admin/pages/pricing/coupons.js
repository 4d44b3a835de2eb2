/*
 * pages/pricing/coupons.js: the coupons of a code promotion, under its
 * editor.  It lists the promotion's single codes (GET /coupons?
 * promotion_id=, the first 200; batch codes are counted, not listed) and
 * batches (GET /coupon-batches?promotion_id=), adds a single code (POST
 * /coupons: code, optional expiry and limits; 409 code-taken under the
 * code), enables or disables a code (PATCH with If-Match), generates a
 * batch (POST /coupon-batches: prefix, count, length, expiry, limits;
 * single-use unless said otherwise) and downloads a batch's codes as CSV
 * (GET /coupon-batches/{id}/codes.csv through a Blob, as the catalog
 * export does).
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, apiExchange, apiFile } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { formatTime, plural } from '../../format.js';
import { PRICING, Field, fieldErrors, otherErrors, problemType, localInputToIso, Loading } from './common.js';

const whole = (t) => (String(t).trim() === '' ? null : /^\d+$/.test(String(t).trim()) ? Number(t) : NaN);

/* Saves a batch's codes as <prefix or id>.csv. */
async function downloadBatch(b) {
	const blob = await apiFile(`${PRICING}/coupon-batches/${encodeURIComponent(b.id)}/codes.csv`);
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = `coupons-${(b.prefix || '').replace(/[^A-Za-z0-9_-]/g, '') || b.id}.csv`;
	a.hidden = true;
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

export function Coupons({ promo }) {
	const [coupons, setCoupons] = useState(null);
	const [batches, setBatches] = useState(null);
	const [error, setError] = useState('');
	const [flash, setFlash] = useState('');

	async function reload() {
		try {
			const q = `promotion_id=${encodeURIComponent(promo.id)}`;
			const [c, b] = await Promise.all([
				api('GET', `${PRICING}/coupons?${q}&limit=200`),
				api('GET', `${PRICING}/coupon-batches?${q}&limit=200`),
			]);
			setCoupons(Array.isArray(c && c.data) ? c.data : []);
			setBatches(Array.isArray(b && b.data) ? b.data : []);
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		reload();
	}, [promo.id, promo.version]);

	async function toggle(c) {
		try {
			const r = await apiExchange('GET', `${PRICING}/coupons/${encodeURIComponent(c.code)}`);
			await apiExchange('PATCH', `${PRICING}/coupons/${encodeURIComponent(c.code)}`,
			    { status: c.status === 'active' ? 'disabled' : 'active' }, { 'If-Match': r.etag || `"v${r.data.version}"` });
			reload();
		} catch (e) {
			setError(e.message);
		}
	}

	async function download(b) {
		setError('');
		try {
			await downloadBatch(b);
		} catch (e) {
			setError(e.message);
		}
	}

	const single = (coupons || []).filter((c) => !c.batch_id);
	return html`
		<${Section} title="Coupons" testid="coupons"
			intro="Codes that unlock this promotion. A coupon's own expiry and limits narrow the promotion's.">
			<${Notice} kind="error">${error}<//>
			<${Notice} kind="ok" testid="coupons-flash">${flash}<//>
			${coupons === null && !error ? html`<${Loading} />` : null}
			${coupons && single.length === 0 ? html`<${Empty}>No single codes.<//>` : null}
			${single.length ? html`
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="coupon-table">
					<thead><tr><th>Code</th><th>Status</th><th>Expires</th><th class="num">Uses</th><th></th></tr></thead>
					<tbody>
						${single.map((c) => html`
							<tr key=${c.code} data-testid="coupon-row" data-code=${c.code}>
								<td><code>${c.code}</code></td>
								<td><span class=${`badge ${c.status === 'active' ? 'badge-active' : 'badge-draft'}`}>${c.status}</span></td>
								<td class="small">${c.expires_at ? formatTime(c.expires_at) : 'never'}</td>
								<td class="num">${c.uses}${c.usage_limit ? ` / ${c.usage_limit}` : ''}</td>
								<td class="actions"><button class="btn btn-small" onClick=${() => toggle(c)}>
									${c.status === 'active' ? 'Disable' : 'Enable'}</button></td>
							</tr>`)}
					</tbody>
				</table>
				</div>` : null}
			<${NewCoupon} promo=${promo} onAdded=${(c) => {
				setFlash(`Coupon ${c.code} created.`);
				reload();
			}} />
			<h3 class="subhead">Batches</h3>
			${batches && batches.length === 0 ? html`<${Empty}>No batches yet.<//>` : null}
			${batches && batches.length ? html`
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="batch-table">
					<thead><tr><th>Prefix</th><th class="num">Codes</th><th>Expires</th><th class="num">Uses each</th><th></th></tr></thead>
					<tbody>
						${batches.map((b) => html`
							<tr key=${b.id} data-testid="batch-row" data-id=${b.id} title=${`created ${formatTime(b.created_at)}`}>
								<td><code>${b.prefix || '—'}</code></td>
								<td class="num nowrap">${b.count} × ${b.length}</td>
								<td class="small">${b.expires_at ? formatTime(b.expires_at) : 'never'}</td>
								<td class="num">${b.usage_limit === null || b.usage_limit === undefined ? 'any' : b.usage_limit}</td>
								<td class="actions"><button class="btn btn-small" data-testid="batch-csv"
									onClick=${() => download(b)}>CSV</button></td>
							</tr>`)}
					</tbody>
				</table>
				</div>` : null}
			<${NewBatch} promo=${promo} onAdded=${(b) => {
				setFlash(`${plural(b.count, 'code')} generated.`);
				reload();
			}} />
		<//>`;
}

function limitsOf(form, errs) {
	const out = {};
	for (const k of ['usage_limit', 'customer_usage_limit']) {
		const v = whole(form[k]);
		if (Number.isNaN(v) || v === 0)
			errs[k] = 'a whole number from 1, or empty for no limit';
		else if (v !== null)
			out[k] = v;
	}
	if (form.expires)
		out.expires_at = localInputToIso(form.expires);
	return out;
}

function NewCoupon({ promo, onAdded }) {
	const [form, setForm] = useState({ code: '', expires: '', usage_limit: '', customer_usage_limit: '' });
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState('');
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });

	async function submit(e) {
		e.preventDefault();
		const errs = {};
		const body = { code: form.code.trim(), promotion_id: promo.id, ...limitsOf(form, errs) };
		if (Object.keys(errs).length) {
			setErrors(errs);
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice('');
		try {
			const c = await api('POST', `${PRICING}/coupons`, body);
			setForm({ code: '', expires: '', usage_limit: '', customer_usage_limit: '' });
			onAdded(c);
		} catch (err) {
			const fe = fieldErrors(err);
			if (fe) {
				setErrors({ ...fe, expires: fe.expires_at });
				const rest = otherErrors(fe, ['code', 'expires_at', 'usage_limit', 'customer_usage_limit']);
				setNotice(rest.join(' '));
			} else if (problemType(err) === 'code-taken') {
				setErrors({ code: 'This code exists already (codes ignore case)' });
			} else {
				setNotice(err.message);
			}
		} finally {
			setBusy(false);
		}
	}

	return html`
		<form class="inline-form" novalidate data-testid="coupon-new" onSubmit=${submit}>
			<h3 class="subhead">Add a code</h3>
			<${Notice} kind="error">${notice}<//>
			<div class="form-row">
				<${Field} id="cp-code" label="Code" hint="3–32 of A–Z, 0–9, - and _." errors=${errors} field="code">
					<input id="cp-code" type="text" maxlength="32" value=${form.code} data-testid="coupon-code" onInput=${set('code')} />
				<//>
				<${Field} id="cp-exp" label="Expires (optional)" errors=${errors} field="expires">
					<input id="cp-exp" type="datetime-local" value=${form.expires} onInput=${set('expires')} />
				<//>
			</div>
			<div class="form-row">
				<${Field} id="cp-lim" label="Total uses (empty = no limit)" errors=${errors} field="usage_limit">
					<input id="cp-lim" type="text" inputmode="numeric" value=${form.usage_limit} onInput=${set('usage_limit')} />
				<//>
				<${Field} id="cp-clim" label="Uses per customer" errors=${errors} field="customer_usage_limit">
					<input id="cp-clim" type="text" inputmode="numeric" value=${form.customer_usage_limit} onInput=${set('customer_usage_limit')} />
				<//>
			</div>
			<button class="btn" type="submit" disabled=${busy} data-testid="coupon-add">Add code</button>
		</form>`;
}

function NewBatch({ promo, onAdded }) {
	const blank = { prefix: '', count: '100', length: '8', expires: '', usage_limit: '1', customer_usage_limit: '' };
	const [form, setForm] = useState(blank);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState('');
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });

	async function submit(e) {
		e.preventDefault();
		const errs = {};
		const count = whole(form.count);
		const length = whole(form.length);
		if (count === null || Number.isNaN(count) || count < 1 || count > 10000)
			errs.count = 'from 1 to 10,000 codes';
		if (Number.isNaN(length) || (length !== null && (length < 6 || length > 20)))
			errs.length = 'from 6 to 20 characters';
		const body = { promotion_id: promo.id, count, ...limitsOf(form, errs) };
		if (length !== null)
			body.length = length;
		if (form.prefix.trim())
			body.prefix = form.prefix.trim();
		if (whole(form.usage_limit) === null)
			body.usage_limit = null;	/* empty: no limit (the server's default is 1) */
		if (Object.keys(errs).length) {
			setErrors(errs);
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice('');
		try {
			const b = await api('POST', `${PRICING}/coupon-batches`, body);
			setForm(blank);
			onAdded(b);
		} catch (err) {
			const fe = fieldErrors(err);
			if (fe) {
				setErrors({ ...fe, expires: fe.expires_at });
				const rest = otherErrors(fe, ['prefix', 'count', 'length', 'expires_at', 'usage_limit', 'customer_usage_limit']);
				setNotice(rest.join(' '));
			} else {
				setNotice(err.message);
			}
		} finally {
			setBusy(false);
		}
	}

	return html`
		<form class="inline-form" novalidate data-testid="batch-new" onSubmit=${submit}>
			<h3 class="subhead">Generate a batch</h3>
			<p class="hint-text">Random codes from 23456789ABCDEFGHJKMNPQRSTUVWXYZ (no look-alikes), after the prefix.</p>
			<${Notice} kind="error">${notice}<//>
			<div class="form-row">
				<${Field} id="cb-prefix" label="Prefix (optional)" errors=${errors} field="prefix">
					<input id="cb-prefix" type="text" maxlength="12" value=${form.prefix} placeholder="XMAS-"
						data-testid="batch-prefix" onInput=${set('prefix')} />
				<//>
				<${Field} id="cb-count" label="How many" errors=${errors} field="count">
					<input id="cb-count" type="text" inputmode="numeric" value=${form.count} data-testid="batch-count" onInput=${set('count')} />
				<//>
				<${Field} id="cb-length" label="Length" errors=${errors} field="length">
					<input id="cb-length" type="text" inputmode="numeric" value=${form.length} data-testid="batch-length" onInput=${set('length')} />
				<//>
			</div>
			<div class="form-row">
				<${Field} id="cb-exp" label="Expires (optional)" errors=${errors} field="expires">
					<input id="cb-exp" type="datetime-local" value=${form.expires} onInput=${set('expires')} />
				<//>
				<${Field} id="cb-lim" label="Uses per code (empty = no limit)" errors=${errors} field="usage_limit">
					<input id="cb-lim" type="text" inputmode="numeric" value=${form.usage_limit} onInput=${set('usage_limit')} />
				<//>
				<${Field} id="cb-clim" label="Per customer" errors=${errors} field="customer_usage_limit">
					<input id="cb-clim" type="text" inputmode="numeric" value=${form.customer_usage_limit} onInput=${set('customer_usage_limit')} />
				<//>
			</div>
			<button class="btn" type="submit" disabled=${busy} data-testid="batch-generate">Generate codes</button>
		</form>`;
}
