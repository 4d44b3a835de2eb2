/*
 * pages/catalog/variants.js: a product's variants with their stock, one
 * row each (SKU, option values, on hand, reserved, available).  "Adjust
 * stock" opens an inline form that sets a new on-hand count through POST
 * /stock/{sku}/adjust, naming the count shown as `expected`: when someone
 * changed it in between (409 stale-stock) the row is refreshed and the
 * form says what the count is now, so the user can check and retry; a
 * count below the reserved quantity (409 below-reserved) is explained.
 * "History" shows the SKU's stock movements from GET /stock/{sku}.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { formatTime } from '../../format.js';
import { CATALOG, STOCK_REASONS, Field, fieldErrors, otherErrors, Loading } from './common.js';

const stockPath = (sku) => `${CATALOG}/stock/${encodeURIComponent(sku)}`;
const problemType = (e) => String(e && e.problem && e.problem.type || '').replace(/^.*\//, '');

export function Variants({ product, onStock }) {
	const [open, setOpen] = useState({});		/* sku -> 'adjust' | 'history' */
	const [flash, setFlash] = useState('');
	const names = (product.options || []).map((o) => o.name);
	const toggle = (sku, what) => setOpen((o) => ({ ...o, [sku]: o[sku] === what ? null : what }));
	const variants = product.variants || [];

	function adjusted(v, r) {
		onStock(v.sku, { on_hand: r.on_hand, reserved: r.reserved, available: r.available });
		setOpen((o) => ({ ...o, [v.sku]: null }));
		setFlash(`${v.sku}: on hand is now ${r.on_hand} (available ${r.available}).`);
	}

	return html`
		<${Section} title="Variants and stock" testid="product-variants"
			intro="One row per SKU. Stock counts are set here; orders reserve and release stock on their own.">
			<${Notice} kind="ok" testid="variant-flash">${flash}<//>
			${variants.length === 0 ? html`<${Empty}>This product has no variants.<//>` : html`
			<div class="table-wrap">
			<table class="grid">
				<thead><tr>
					<th>SKU</th><th>Options</th><th class="num">On hand</th>
					<th class="num">Reserved</th><th class="num">Available</th><th></th>
				</tr></thead>
				${variants.map((v) => html`
					<${VariantRows} key=${v.sku} v=${v} names=${names} mode=${open[v.sku] || null}
						onToggle=${(what) => { setFlash(''); toggle(v.sku, what); }}
						onAdjusted=${(r) => adjusted(v, r)} onStock=${onStock} />`)}
			</table>
			</div>`}
		<//>`;
}

function optionsCell(values, names) {
	if (!Array.isArray(values) || values.length === 0)
		return html`<span class="muted">—</span>`;
	return values.map((val, i) => html`${i ? ', ' : ''}<span key=${i}>
		${names[i] ? html`<span class="muted">${names[i]}:</span> ` : null}${val}</span>`);
}

function VariantRows({ v, names, mode, onToggle, onAdjusted, onStock }) {
	const s = v.stock || {};
	const tracked = v.track_stock !== false;
	const low = tracked && Number(s.available) <= Number(s.low_threshold);
	return html`
		<tbody class=${mode ? 'open' : ''} data-testid="variant-row" data-sku=${v.sku}>
			<tr>
				<td><code>${v.sku}</code></td>
				<td>${optionsCell(v.options, names)}</td>
				<td class="num" data-testid="variant-on-hand">${s.on_hand}</td>
				<td class="num">${s.reserved}</td>
				<td class=${`num ${low ? 'warn' : ''}`} data-testid="variant-available"
					title=${low ? `at or below the low-stock threshold of ${s.low_threshold}` : ''}>
					${tracked ? s.available : html`<span class="muted">not tracked</span>`}</td>
				<td class="actions">
					<button class="btn btn-small" aria-expanded=${mode === 'adjust' ? 'true' : 'false'}
						data-testid="variant-adjust" onClick=${() => onToggle('adjust')}>Adjust stock</button>
					${' '}
					<button class="btn btn-small" aria-expanded=${mode === 'history' ? 'true' : 'false'}
						data-testid="variant-history" onClick=${() => onToggle('history')}>History</button>
				</td>
			</tr>
			${mode ? html`<tr class="detail"><td colspan="6">
				${mode === 'adjust'
				    ? html`<${AdjustForm} v=${v} onAdjusted=${onAdjusted} onStock=${onStock}
					onCancel=${() => onToggle('adjust')} />`
				    : html`<${History} sku=${v.sku} at=${`${s.on_hand}/${s.reserved}`} />`}
			</td></tr>` : null}
		</tbody>`;
}

function AdjustForm({ v, onAdjusted, onStock, onCancel }) {
	const shown = v.stock ? v.stock.on_hand : 0;	/* what the user sees: expected */
	const [onHand, setOnHand] = useState(String(shown));
	const [reason, setReason] = useState('adjustment');
	const [note, setNote] = useState('');
	const [busy, setBusy] = useState(false);
	const [errors, setErrors] = useState(null);
	const [problem, setProblem] = useState(null);
	const id = `adj-${v.sku}`;

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		if (!/^\d+$/.test(onHand.trim())) {
			setErrors({ on_hand: 'Enter the new count: a whole number, 0 or more.' });
			return;
		}
		setBusy(true);
		setErrors(null);
		setProblem(null);
		const body = { expected: shown, on_hand: Number(onHand.trim()), reason };
		if (note.trim())
			body.note = note.trim();
		try {
			const r = await api('POST', `${stockPath(v.sku)}/adjust`, body);
			onAdjusted(r);
			return;
		} catch (e) {
			const kind = problemType(e);
			if (e.status === 409 && kind === 'stale-stock') {
				const now = e.problem.current_on_hand;
				setProblem({ testid: 'adjust-stale', text: `Someone changed this count while you ` +
				    `were editing: on hand is now ${now}, not ${shown}. Check your count and save again.` });
				try {
					const st = await api('GET', stockPath(v.sku));
					onStock(v.sku, { on_hand: st.on_hand, reserved: st.reserved, available: st.available });
				} catch {
					onStock(v.sku, { on_hand: now });
				}
			} else if (e.status === 409 && kind === 'below-reserved') {
				setProblem({ testid: 'adjust-below-reserved', text: `${e.message} ` +
				    `${v.stock.reserved} are reserved by open orders.` });
			} else if (fieldErrors(e)) {
				const fe = fieldErrors(e);
				setErrors(fe);
				const rest = otherErrors(fe, ['on_hand', 'reason', 'note']);
				if (rest.length)
					setProblem({ testid: 'adjust-error', text: rest.join(' ') });
			} else {
				setProblem({ testid: 'adjust-error', text: e.message });
			}
		}
		setBusy(false);
	}

	return html`
		<form class="inline-form" novalidate onSubmit=${submit} data-testid="adjust-form">
			<p class="small">Now on hand: <strong data-testid="adjust-expected">${shown}</strong>,
				reserved ${v.stock ? v.stock.reserved : 0}.</p>
			${problem ? html`<p class="notice notice-error" role="alert" data-testid=${problem.testid}>
				${problem.text}</p>` : null}
			<div class="form-row">
				<${Field} id=${`${id}-n`} label="New on hand" errors=${errors} field="on_hand">
					<input id=${`${id}-n`} type="number" min="0" step="1" value=${onHand}
						data-testid="adjust-on-hand" onInput=${(e) => setOnHand(e.currentTarget.value)} />
				<//>
				<${Field} id=${`${id}-r`} label="Reason" errors=${errors} field="reason">
					<select id=${`${id}-r`} value=${reason} data-testid="adjust-reason"
						onChange=${(e) => setReason(e.currentTarget.value)}>
						${STOCK_REASONS.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}
					</select>
				<//>
				<${Field} id=${`${id}-note`} label="Note (optional)" errors=${errors} field="note">
					<input id=${`${id}-note`} type="text" maxlength="500" value=${note}
						data-testid="adjust-note" onInput=${(e) => setNote(e.currentTarget.value)} />
				<//>
			</div>
			<div class="form-actions">
				<button type="submit" class="btn btn-primary btn-small" disabled=${busy}
					data-testid="adjust-save">${busy ? 'Saving…' : 'Save count'}</button>
				<button type="button" class="btn btn-small" onClick=${onCancel}>Cancel</button>
			</div>
		</form>`;
}

function History({ sku, at }) {
	const [data, setData] = useState(null);
	const [error, setError] = useState('');
	useEffect(() => {
		let alive = true;
		api('GET', stockPath(sku)).then((r) => alive && setData(r))
		    .catch((e) => alive && setError(e.message));
		return () => {
			alive = false;
		};
	}, [sku, at]);
	if (error)
		return html`<${Notice} kind="error">${error}<//>`;
	if (!data)
		return html`<${Loading} />`;
	const moves = Array.isArray(data.movements) ? data.movements : [];
	const signed = (n) => (Number(n) > 0 ? `+${n}` : String(n));
	return html`
		<div data-testid="stock-history">
			<p class="small muted">The latest ${moves.length} movements of <code>${sku}</code>,
				newest first. Low-stock threshold: ${data.low_threshold}.</p>
			${moves.length === 0 ? html`<${Empty}>No movements yet.<//>` : html`
			<table class="grid grid-compact">
				<thead><tr>
					<th>When</th><th class="num">On hand</th><th class="num">Reserved</th>
					<th>Reason</th><th>Reference</th><th>Note</th>
				</tr></thead>
				<tbody>${moves.map((m, i) => html`
					<tr key=${i} data-testid="stock-movement">
						<td class="nowrap" title=${m.at}>${formatTime(m.at)}</td>
						<td class="num">${signed(m.on_hand_delta)} \u2192 ${m.on_hand_after}</td>
						<td class="num">${signed(m.reserved_delta)} \u2192 ${m.reserved_after}</td>
						<td>${m.reason}</td>
						<td>${m.reference ? html`<code>${m.reference}</code>` : ''}</td>
						<td>${m.note}</td>
					</tr>`)}
				</tbody>
			</table>`}
		</div>`;
}
