/*
 * pages/orders/invoices.js: the seller every printed invoice names
 * (#/orders/invoices, a tab of the Orders section): the shop's name, its
 * address in a few lines, the VAT or tax id and a footer note (bank
 * details, terms), saved with PUT /checkout/invoice-settings under
 * If-Match with the ETag the page read, so two people editing at once do
 * not overwrite each other (a 412 says so and offers to reload).  A 422's
 * errors show under their fields.  "Preview" fetches the newest order's
 * invoice as the signed-in user and saves it as an HTML file to open or
 * print: the invoice needs the bearer token, which a plain link cannot
 * carry, and the admin's CSP would strip its print styles in a tab.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, apiExchange, apiFile } from '../../api.js';
import { Section, Notice } from '../../ui.js';
import { useLeaveGuard } from '../../nav.js';
import { Field, fieldErrors, otherErrors, Loading, useTitle } from '../pricing/common.js';

const S = '/api/v1/checkout/invoice-settings';
const O = '/api/v1/checkout/orders';
const FIELDS = ['seller_name', 'seller_address', 'vat_id', 'footer'];

const formOf = (s) => Object.fromEntries(FIELDS.map((k) => [k, (s && s[k]) || '']));

export function Invoices() {
	useTitle('Invoices');
	const [saved, setSaved] = useState(null);
	const [etag, setEtag] = useState(null);
	const [form, setForm] = useState(null);
	const [newest, setNewest] = useState(undefined);	/* undefined: loading; null: no orders */
	const [loadError, setLoadError] = useState('');
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);
	const alive = useRef(true);
	const changed = !!form && !!saved && JSON.stringify(form) !== JSON.stringify(saved);
	useLeaveGuard(changed);

	async function load() {
		try {
			const r = await apiExchange('GET', S);
			if (!alive.current)
				return;
			const f = formOf(r.data);
			setSaved(f);
			setForm(f);
			setEtag(r.etag);
			setErrors(null);
		} catch (e) {
			if (alive.current)
				setLoadError(e.message);
		}
	}
	useEffect(() => {
		load();
		api('GET', `${O}?limit=1`).then((r) => {
			if (alive.current)
				setNewest(Array.isArray(r && r.data) && r.data.length ? r.data[0] : null);
		}).catch(() => alive.current && setNewest(null));
		return () => {
			alive.current = false;
		};
	}, []);

	const set = (k) => (e) => {
		const v = e.currentTarget.value;
		setForm((f) => ({ ...f, [k]: v }));
		setNotice(null);
	};

	async function submit(e) {
		e.preventDefault();
		const body = Object.fromEntries(FIELDS.map((k) => [k, form[k].trim()]));
		if (body.seller_name === '') {
			setErrors({ seller_name: 'The invoice must name the seller' });
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			const r = await apiExchange('PUT', S, body, { 'If-Match': etag || '*' });
			if (!alive.current)
				return;
			const f = formOf(r.data);
			setSaved(f);
			setForm(f);
			setEtag(r.etag);
			setNotice({ kind: 'ok', text: 'Saved. Every invoice printed from now on shows these details.' });
		} catch (err) {
			if (!alive.current)
				return;
			if (err.status === 412) {
				setNotice({ kind: 'error', text: 'Someone else changed these settings since you opened them. Reload to see theirs, then make your change again.', stale: true });
				return;
			}
			const fe = fieldErrors(err);
			setErrors(fe);
			const rest = fe ? otherErrors(fe, FIELDS) : [err.message];
			setNotice(rest.length ? { kind: 'error', text: rest.join('; ') } : null);
		} finally {
			if (alive.current)
				setBusy(false);
		}
	}

	async function preview() {
		setNotice(null);
		try {
			const blob = await apiFile(`${O}/${encodeURIComponent(newest.id)}/invoice`);
			const url = URL.createObjectURL(new Blob([blob], { type: 'text/html' }));
			const a = document.createElement('a');
			a.href = url;
			a.download = `invoice-${newest.number}.html`;
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 10000);
		} catch (err) {
			if (alive.current)
				setNotice({ kind: 'error', text: err.message });
		}
	}

	return html`
		<div data-testid="page-invoices">
			<div class="page-head"><h1>Invoices</h1></div>
			<p class="lead muted">Who the invoices name as the seller. An order gets its invoice number when it is
				accepted; until then its printout is an order confirmation.</p>
			<${Notice} kind="error" testid="invoices-load-error">${loadError}<//>
			${form === null ? (loadError ? null : html`<${Loading} />`) : html`
			<${Section} title="Seller on the invoice" testid="invoice-settings">
				<form class="inline-form" novalidate data-testid="invoice-form" onSubmit=${submit}>
					<${Notice} kind=${notice ? notice.kind : 'info'} testid="invoice-notice">${notice && notice.text}<//>
					${notice && notice.stale ? html`<p><button type="button" class="btn" data-testid="invoice-reload"
						onClick=${() => { setNotice(null); load(); }}>Reload the settings</button></p>` : null}
					<div class="form-row">
						<${Field} id="inv-name" label="Seller name" errors=${errors} field="seller_name"
							hint="Your shop's or company's name, as it must appear on an invoice.">
							<input id="inv-name" type="text" maxlength="100" value=${form.seller_name} required
								data-testid="invoice-seller-name" onInput=${set('seller_name')} />
						<//>
						<${Field} id="inv-vat" label="VAT ID" errors=${errors} field="vat_id"
							hint="Optional. Letters, digits, spaces, dots, hyphens and slashes.">
							<input id="inv-vat" type="text" maxlength="32" value=${form.vat_id} autocomplete="off"
								data-testid="invoice-vat-id" placeholder="DE123456789" onInput=${set('vat_id')} />
						<//>
					</div>
					<${Field} id="inv-address" label="Seller address" errors=${errors} field="seller_address"
						hint="At most 8 lines, printed as you type them.">
						<textarea id="inv-address" rows="4" maxlength="400" value=${form.seller_address}
							data-testid="invoice-seller-address" onInput=${set('seller_address')}></textarea>
					<//>
					<${Field} id="inv-footer" label="Footer note" errors=${errors} field="footer"
						hint="Optional, at the foot of every invoice: bank details, payment terms. At most 12 lines.">
						<textarea id="inv-footer" rows="3" maxlength="1000" value=${form.footer}
							data-testid="invoice-footer" onInput=${set('footer')}></textarea>
					<//>
					<div class="form-actions">
						<button class="btn btn-primary" type="submit" disabled=${busy || !changed}
							data-testid="invoice-save">${busy ? 'Saving…' : 'Save'}</button>
						<span class=${`small ${changed ? 'dirty' : 'muted'}`}>${changed ? 'Unsaved changes' : 'No unsaved changes'}</span>
					</div>
				</form>
			<//>`}
			<${Section} title="Preview" testid="invoice-preview"
				intro="The newest order's invoice as a customer gets it, with the details saved above.">
				${newest === undefined ? html`<${Loading} />` : newest === null
				    ? html`<p class="muted" data-testid="invoice-no-orders">No orders yet: the preview appears with the first order.</p>`
				    : html`<p>
					<button type="button" class="btn" data-testid="invoice-preview-link" onClick=${preview}
						disabled=${changed} title=${changed ? 'Save first: the preview shows the saved details' : 'Download the printable HTML invoice'}>
						Preview ${newest.invoice_number > 0 ? 'invoice' : 'order confirmation'} of order #${newest.number}</button>
					${' '}<a href=${`#/orders/${encodeURIComponent(newest.id)}`} data-testid="invoice-preview-order">Open the order</a></p>`}
			<//>
		</div>`;
}
