/*
 * pages/orders/payments.js: the built-in payment providers
 * (#/orders/payments, a tab of the Orders section), each with whether the
 * storefront offers it and its settings, saved through the staff PUTs:
 * bank transfer (the account holder, IBAN, BIC and the instructions the
 * customer reads; PUT /payments/bank-transfer), cash on delivery (PUT
 * /payments/cod; there is no staff GET for it, so whether it is on is read
 * from the public list of enabled methods) and the test provider (PUT
 * /payments/test), which approves payments without money changing hands:
 * the page says so, says it is off by default and asks before switching
 * it on.  Its webhook secret is shown (hidden until asked) because the
 * staff GET /payments/test has it.  The resources have no ETag, so no
 * If-Match.  A 422's errors show under their fields.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { useLeaveGuard } from '../../nav.js';
import { Field, fieldErrors, otherErrors, Loading, useTitle } from '../pricing/common.js';

const P = '/api/v1/checkout/payments';
const BANK_FIELDS = ['account_holder', 'iban', 'bic', 'instructions'];

export function Payments() {
	useTitle('Payments');
	const [bank, setBank] = useState(null);
	const [test, setTest] = useState(null);
	const [cod, setCod] = useState(null);
	const [error, setError] = useState('');
	const [dirty, setDirty] = useState({});
	useLeaveGuard(Object.values(dirty).some(Boolean));
	const markDirty = (k) => (v) => setDirty((d) => (!!d[k] === v ? d : { ...d, [k]: v }));

	useEffect(() => {
		let alive = true;
		Promise.all([api('GET', `${P}/bank-transfer`), api('GET', `${P}/test`), api('GET', `${P}/methods`)])
		    .then(([b, t, m]) => {
			if (!alive)
				return;
			setBank(b);
			setTest(t);
			setCod((Array.isArray(m && m.data) ? m.data : []).some((x) => x.id === 'cod'));
		}).catch((e) => alive && setError(e.message));
		return () => {
			alive = false;
		};
	}, []);

	return html`
		<div data-testid="page-payments">
			<div class="page-head"><h1>Payments</h1></div>
			<p class="lead muted">The payment methods a customer can choose at checkout. A method that is
				switched off is not offered; orders already placed with it keep it.</p>
			<${Notice} kind="error" testid="payments-error">${error}<//>
			${bank === null ? (error ? null : html`<${Loading} />`) : html`
				<${BankTransfer} initial=${bank} onDirty=${markDirty('bank')} />
				<${Toggle} provider="cod" title="Cash on delivery" initial=${cod} onDirty=${markDirty('cod')}
					intro="The customer pays the carrier in cash. The order may be prepared unpaid; record the cash on the order when the carrier has brought it." />
				<${TestProvider} initial=${test} onDirty=${markDirty('test')} />`}
		</div>`;
}

const bankForm = (b) => ({
	enabled: !!b.enabled,
	account_holder: b.account_holder || '',
	iban: b.iban || '',
	bic: b.bic || '',
	instructions: b.instructions || '',
});

function BankTransfer({ initial, onDirty }) {
	const [saved, setSaved] = useState(bankForm(initial));
	const [form, setForm] = useState(saved);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);
	const changed = JSON.stringify(form) !== JSON.stringify(saved);
	useEffect(() => {
		onDirty(changed);
	}, [changed]);
	const set = (k) => (e) => {
		const v = e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value;
		setForm((f) => ({ ...f, [k]: v }));
		setNotice(null);
	};

	async function submit(e) {
		e.preventDefault();
		const body = {
			enabled: form.enabled,
			account_holder: form.account_holder.trim(),
			iban: form.iban.trim().toUpperCase(),
			bic: form.bic.trim().toUpperCase(),
			instructions: form.instructions.trim(),
		};
		if (body.enabled && body.iban === '') {
			setErrors({ iban: 'Customers need an IBAN to pay to while bank transfer is offered' });
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			const r = await api('PUT', `${P}/bank-transfer`, body);
			const next = bankForm(r);
			setSaved(next);
			setForm(next);
			setNotice({ kind: 'ok', text: `Saved. Bank transfer is ${next.enabled ? 'offered' : 'not offered'}.` });
		} catch (err) {
			const fe = fieldErrors(err);
			setErrors(fe);
			const rest = fe ? otherErrors(fe, ['enabled', ...BANK_FIELDS]) : [err.message];
			setNotice(rest.length ? { kind: 'error', text: rest.join('; ') } : null);
		} finally {
			setBusy(false);
		}
	}

	return html`
		<${Section} title="Bank transfer" testid="pay-bank"
			intro="The customer transfers the total to your account with the order number as the reference; record the money on the order when it arrives.">
			<form class="inline-form" novalidate data-testid="bank-form" onSubmit=${submit}>
				<${Notice} kind=${notice ? notice.kind : 'info'} testid="bank-notice">${notice && notice.text}<//>
				<label class="check check-tight"><input type="checkbox" checked=${form.enabled}
					data-testid="bank-enabled" onChange=${set('enabled')} /> Offer bank transfer at checkout</label>
				<div class="form-row">
					<${Field} id="bank-holder" label="Account holder" errors=${errors} field="account_holder">
						<input id="bank-holder" type="text" maxlength="100" value=${form.account_holder}
							data-testid="bank-holder" onInput=${set('account_holder')} />
					<//>
					<${Field} id="bank-iban" label="IBAN" errors=${errors} field="iban" hint="Spaces are fine.">
						<input id="bank-iban" type="text" maxlength="42" value=${form.iban} autocomplete="off"
							data-testid="bank-iban" placeholder="DE89 3704 0044 0532 0130 00" onInput=${set('iban')} />
					<//>
					<${Field} id="bank-bic" label="BIC" errors=${errors} field="bic">
						<input id="bank-bic" type="text" maxlength="100" value=${form.bic} autocomplete="off"
							data-testid="bank-bic" onInput=${set('bic')} />
					<//>
				</div>
				<${Field} id="bank-instructions" label="Instructions for the customer" errors=${errors} field="instructions"
					hint="Shown with the account at checkout; at most 500 bytes. Empty it to get the default text back.">
					<textarea id="bank-instructions" rows="3" maxlength="500" value=${form.instructions}
						data-testid="bank-instructions" onInput=${set('instructions')}></textarea>
				<//>
				<div class="form-actions">
					<button class="btn btn-primary" type="submit" disabled=${busy || !changed} data-testid="bank-save">
						${busy ? 'Saving…' : 'Save bank transfer'}</button>
					<span class=${`small ${changed ? 'dirty' : 'muted'}`}>${changed ? 'Unsaved changes' : 'No unsaved changes'}</span>
				</div>
			</form>
		<//>`;
}

/* A provider whose only setting is whether it is offered. */
function Toggle({ provider, title, intro, initial, onDirty, confirmOn, children }) {
	const [saved, setSaved] = useState(!!initial);
	const [on, setOn] = useState(!!initial);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);
	useEffect(() => {
		onDirty(on !== saved);
	}, [on !== saved]);

	async function submit(e) {
		e.preventDefault();
		if (on && !saved && confirmOn && !window.confirm(confirmOn))
			return;
		setBusy(true);
		setNotice(null);
		try {
			const r = await api('PUT', `${P}/${provider}`, { enabled: on });
			setSaved(!!r.enabled);
			setOn(!!r.enabled);
			setNotice({ kind: 'ok', text: `Saved. ${title} is ${r.enabled ? 'offered' : 'not offered'}.` });
		} catch (err) {
			const fe = fieldErrors(err);
			setNotice({ kind: 'error', text: fe ? Object.values(fe).join('; ') : err.message });
		} finally {
			setBusy(false);
		}
	}

	return html`
		<${Section} title=${title} testid=${`pay-${provider}`} intro=${intro}>
			${children}
			<form class="inline-form" novalidate data-testid=${`${provider}-form`} onSubmit=${submit}>
				<${Notice} kind=${notice ? notice.kind : 'info'} testid=${`${provider}-notice`}>${notice && notice.text}<//>
				<label class="check check-tight"><input type="checkbox" checked=${on} data-testid=${`${provider}-enabled`}
					onChange=${(e) => { setOn(e.currentTarget.checked); setNotice(null); }} /> Offer ${title.toLowerCase()} at checkout</label>
				<div class="form-actions">
					<button class="btn btn-primary" type="submit" disabled=${busy || on === saved}
						data-testid=${`${provider}-save`}>${busy ? 'Saving…' : 'Save'}</button>
					<span class="small muted" data-testid=${`${provider}-state`}>Now: ${saved ? 'offered' : 'not offered'}</span>
				</div>
			</form>
		<//>`;
}

function TestProvider({ initial, onDirty }) {
	const [shown, setShown] = useState(false);
	const outcomes = initial && initial.outcomes ? Object.entries(initial.outcomes) : [];
	return html`
		<${Toggle} provider="test" title="Test provider" initial=${initial && initial.enabled} onDirty=${onDirty}
			confirmOn="Offer the test provider? Customers could then place orders that count as paid without paying anything. Only do this in a test shop.">
			<div class="notice notice-error" role="note" data-testid="test-warning">
				<strong>For testing only.</strong> It approves payments without any money changing hands, so a
				live shop must not offer it. It is off by default.</div>
			<dl class="meta">
				<dt>Outcome by the amount's last two digits</dt>
				<dd>${outcomes.length ? html`<ul class="plain-list">${outcomes.map(([k, v]) => html`
					<li key=${k}><code>${k}</code>: ${v}</li>`)}</ul>` : html`<${Empty}>—<//>`}</dd>
				${initial && initial.webhook_secret ? html`
					<dt>Webhook secret</dt>
					<dd><code class="url" data-testid="test-secret">${shown ? initial.webhook_secret : '\u2022'.repeat(16)}</code>${' '}
						<button type="button" class="btn btn-small" data-testid="test-secret-toggle"
							onClick=${() => setShown(!shown)}>${shown ? 'Hide' : 'Show'}</button></dd>` : null}
				${initial && initial.signature_header ? html`
					<dt>Signature header</dt><dd><code class="url">${initial.signature_header}</code></dd>` : null}
			</dl>
		<//>`;
}
