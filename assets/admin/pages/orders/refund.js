/*
 * pages/orders/refund.js: the order page's Refund action.  It is offered
 * only when the order's next_actions allow "refunded" (money was paid and
 * not all of it given back).  The dialog refunds the whole order or
 * chosen quantities of chosen lines; the client never sends an amount:
 * every change asks POST /orders/{id}/refunds/preview, and the amounts
 * shown (per line, shipping, total) are the server's, so what is
 * confirmed is what the server will refund.  Afterwards the credit note
 * number and amount are shown, and the order page reloads so the refund
 * appears in the totals, the payment and the timeline.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Notice } from '../../ui.js';
import { formatMoney } from '../../format.js';

const base = (id) => `/api/v1/checkout/orders/${encodeURIComponent(id)}`;

/* The request body: the whole order, or lines by quantity; never an amount. */
export function refundBody(mode, qty, reason = '') {
	const body = mode === 'whole' ? { whole: true } : {
		lines: Object.entries(qty).filter(([, q]) => q > 0)
		    .map(([line, q]) => ({ line: Number(line), quantity: q })),
	};
	if (reason.trim())
		body.reason = reason.trim();
	return body;
}

/* The refunded event of a refund's answer: its amount and credit note. */
function lastRefund(order) {
	const tl = Array.isArray(order && order.timeline) ? order.timeline : [];
	const ev = [...tl].reverse().find((e) => e.type === 'refunded');
	return ev && ev.payload ? { number: ev.payload.credit_note_number, amount: ev.payload.amount } : null;
}

export function Refund({ order, onDone }) {
	const o = order;
	const lines = Array.isArray(o.lines) ? o.lines : [];
	const allowed = Array.isArray(o.next_actions) && o.next_actions.includes('refunded');
	const dialog = useRef(null);
	const ticket = useRef(0);
	const [open, setOpen] = useState(false);
	const [mode, setMode] = useState('lines');
	const [qty, setQty] = useState({});
	const [reason, setReason] = useState('');
	const [preview, setPreview] = useState(null);
	const [checking, setChecking] = useState(false);
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const [result, setResult] = useState(null);
	const money = (n) => formatMoney(n, o.currency);
	const body = refundBody(mode, qty);
	const key = JSON.stringify(body);
	const nothing = mode === 'lines' && body.lines.length === 0;

	useEffect(() => {
		const d = dialog.current;
		if (!d)
			return;
		if (open && !d.open)
			d.showModal();
		else if (!open && d.open)
			d.close();
	}, [open]);

	/* The server's amounts for what is chosen, a moment after each change. */
	useEffect(() => {
		const mine = ++ticket.current;
		setPreview(null);
		setError('');
		if (!open || nothing) {
			setChecking(false);
			return undefined;
		}
		setChecking(true);
		const t = setTimeout(async () => {
			try {
				const p = await api('POST', `${base(o.id)}/refunds/preview`, body);
				if (mine === ticket.current)
					setPreview(p);
			} catch (e) {
				if (mine === ticket.current)
					setError(e.message);
			} finally {
				if (mine === ticket.current)
					setChecking(false);
			}
		}, 150);
		return () => clearTimeout(t);
	}, [open, key]);

	function start() {
		setMode('lines');
		setQty({});
		setReason('');
		setResult(null);
		setOpen(true);
	}

	async function confirm(e) {
		e.preventDefault();
		if (!preview || busy)
			return;
		setBusy(true);
		setError('');
		try {
			const r = await api('POST', `${base(o.id)}/refunds`, refundBody(mode, qty, reason));
			setResult(lastRefund(r));
			setOpen(false);
			if (onDone)
				onDone(r);
		} catch (err) {
			setError(err.status === 409 ? `Not allowed now: ${err.message}` : err.message);
		} finally {
			setBusy(false);
		}
	}

	const amountOf = (i) => {
		const l = preview && Array.isArray(preview.lines) ? preview.lines.find((x) => x.line === i + 1) : null;
		return l ? money(l.amount) : '\u2014';
	};
	return html`
		${result ? html`<${Notice} kind="ok" testid="refund-result">${
			`Credit note ${result.number}: ${money(result.amount)} refunded.`}<//>` : null}
		${allowed ? html`<div class="form-actions"><button type="button" class="btn" data-testid="order-action-refund"
			onClick=${start}>Refund</button></div>` : null}
		<dialog ref=${dialog} class="dialog" aria-labelledby="refund-title" data-testid="refund-dialog"
			onClose=${() => setOpen(false)}>
			<form onSubmit=${confirm}>
				<h2 id="refund-title">Refund order #${o.number}</h2>
				<p class="muted small">Paid ${money(o.paid)}${o.refunded ? `, ${money(o.refunded)} refunded already` : ''}.
					The amounts are computed by the shop from what was paid.</p>
				<fieldset class="refund-mode">
					<legend>What to refund</legend>
					<label><input type="radio" name="refund-mode" value="lines" checked=${mode === 'lines'}
						data-testid="refund-mode-lines" onChange=${() => setMode('lines')} /> Chosen lines</label>
					<label><input type="radio" name="refund-mode" value="whole" checked=${mode === 'whole'}
						data-testid="refund-mode-whole" onChange=${() => setMode('whole')} /> The whole order</label>
				</fieldset>
				${mode === 'lines' ? html`
					<div class="table-wrap"><table class="grid">
						<thead><tr><th>Product</th><th class="num">Ordered</th><th class="num">Refunded</th>
							<th class="num">Line total</th><th class="num">Refund qty</th><th class="num">Amount</th></tr></thead>
						<tbody>${lines.map((l, i) => {
							const left = l.quantity - (l.refunded_quantity || 0);
							return html`<tr key=${i} data-testid="refund-line">
								<td>${l.title || l.sku}<br /><span class="muted small">${l.sku}</span></td>
								<td class="num">${l.quantity}</td><td class="num">${l.refunded_quantity || 0}</td>
								<td class="num nowrap">${money(l.total)}</td>
								<td class="num"><input type="number" min="0" max=${left} step="1" class="qty"
									aria-label=${`Units of ${l.sku} to refund`} disabled=${left <= 0}
									value=${qty[i + 1] || 0} data-testid="refund-qty"
									onInput=${(e) => {
										const n = Math.max(0, Math.min(left, Math.trunc(Number(e.currentTarget.value) || 0)));
										setQty({ ...qty, [i + 1]: n });
									}} /></td>
								<td class="num nowrap" data-testid="refund-line-amount">${amountOf(i)}</td>
							</tr>`;
						})}</tbody>
					</table></div>` : null}
				<label class="field">Reason (on the credit note)
					<input value=${reason} maxlength="255" data-testid="refund-reason"
						onInput=${(e) => setReason(e.currentTarget.value)} /></label>
				<p class="refund-total" aria-live="polite">
					${nothing ? html`<span class="muted">Choose the units to refund.</span>`
					    : checking ? html`<span class="muted">Computing\u2026</span>`
					    : preview ? html`Refund <strong data-testid="refund-amount">${money(preview.amount)}</strong>
						${preview.shipping ? html`<span class="muted small"> (shipping ${money(preview.shipping)})</span>` : null}`
					    : null}
				</p>
				<${Notice} kind="error" testid="refund-error">${error}<//>
				<div class="form-actions">
					<button class="btn btn-danger" disabled=${!preview || busy} data-testid="refund-confirm">
						${preview ? `Refund ${money(preview.amount)}` : 'Refund'}</button>
					<button type="button" class="btn" data-testid="refund-cancel" onClick=${() => setOpen(false)}>Keep the money</button>
				</div>
			</form>
		</dialog>`;
}
