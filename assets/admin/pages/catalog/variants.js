/*
 * pages/catalog/variants.js: a product's variants with their stock, one
 * row each (SKU, option values, on hand, reserved, available, low-stock
 * threshold).  "Adjust stock" opens an inline form that sets a new on-hand
 * count through POST /stock/{sku}/adjust, naming the count shown as
 * `expected`: when someone changed it in between (409 stale-stock) the row
 * is refreshed and the form says what the count is now, so the user can
 * check and retry; a count below the reserved quantity (409 below-reserved)
 * is explained.  "History" shows the SKU's stock movements from GET
 * /stock/{sku}.  "Edit" opens a form for the barcode, weight, threshold and
 * the stock flags (PATCH /variants/{sku}); "Remove" asks first and then
 * DELETEs the variant (409: open orders hold its stock, or it is the last
 * one).  Under the table, "Add variant" picks one value per product option,
 * suggests a SKU from the title and the values, and POSTs
 * /products/{id}/variants with an initial on-hand count.  After each of
 * these changes the page reloads the product (onChanged), so its version
 * and ETag stay right for the details form.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, apiExchange } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { formatTime } from '../../format.js';
import { CATALOG, STOCK_REASONS, Field, FieldError, fieldErrors, otherErrors, productPath, Loading } from './common.js';
import { suggestSku } from './new.js';

const stockPath = (sku) => `${CATALOG}/stock/${encodeURIComponent(sku)}`;
const variantPath = (sku) => `${CATALOG}/variants/${encodeURIComponent(sku)}`;
const problemType = (e) => String(e && e.problem && e.problem.type || '').replace(/^.*\//, '');
const WHOLE = /^\d+$/;

/*
 * onChanged(r) after a variant was added, changed or removed: r is the
 * answer ({ data, etag }) when it carries the product, else null and the
 * page loads the product itself.
 */
export function Variants({ product, onStock, onChanged }) {
	const [open, setOpen] = useState({});		/* sku -> 'adjust' | 'history' | 'edit' */
	const [flash, setFlash] = useState('');
	const [problem, setProblem] = useState(null);
	const [removing, setRemoving] = useState(null);
	const names = (product.options || []).map((o) => o.name);
	const toggle = (sku, what) => setOpen((o) => ({ ...o, [sku]: o[sku] === what ? null : what }));
	const variants = product.variants || [];

	function say(text) {
		setProblem(null);
		setFlash(text);
	}

	function adjusted(v, r) {
		onStock(v.sku, { on_hand: r.on_hand, reserved: r.reserved, available: r.available });
		setOpen((o) => ({ ...o, [v.sku]: null }));
		say(`${v.sku}: on hand is now ${r.on_hand} (available ${r.available}).`);
	}

	async function edited(v, r) {
		setOpen((o) => ({ ...o, [v.sku]: null }));
		await onChanged(r);
		say(`${v.sku}: saved.`);
	}

	async function remove(v) {
		if (removing)
			return;
		if (!window.confirm(`Remove the variant ${v.sku}? Its stock count and history go with it.`))
			return;
		setFlash('');
		setProblem(null);
		setRemoving(v.sku);
		try {
			await api('DELETE', variantPath(v.sku));
			setOpen((o) => ({ ...o, [v.sku]: null }));
			await onChanged(null);
			say(`${v.sku}: removed.`);
		} catch (e) {
			const kind = problemType(e);
			let text = e.message;
			if (e.status === 409 && kind === 'has-reservations')
				text = `${v.sku} cannot be removed: open orders hold stock of it. ${e.message}`;
			else if (e.status === 409 && kind === 'last-variant')
				text = `${v.sku} cannot be removed: it is this product\u2019s last variant. ` +
				    'A product keeps at least one; delete the product instead.';
			setProblem({ testid: `variant-remove-${e.status === 409 && kind ? kind : 'error'}`, text });
		} finally {
			setRemoving(null);
		}
	}

	return html`
		<${Section} title="Variants and stock" testid="product-variants"
			intro="One row per SKU. Stock counts are set here; orders reserve stock when placed, release it when cancelled and take it off the shelf when shipped, on their own.">
			<${Notice} kind="ok" testid="variant-flash">${flash}<//>
			${problem ? html`<p class="notice notice-error" role="alert" data-testid=${problem.testid}>
				${problem.text}</p>` : null}
			${variants.length === 0 ? html`<${Empty}>This product has no variants.<//>` : html`
			<div class="table-wrap">
			<table class="grid">
				<thead><tr>
					<th>SKU</th><th>Options</th><th class="num">On hand</th>
					<th class="num">Reserved</th><th class="num">Available</th>
					<th class="num">Low at</th><th></th>
				</tr></thead>
				${variants.map((v) => html`
					<${VariantRows} key=${v.sku} v=${v} names=${names} mode=${open[v.sku] || null}
						removing=${removing === v.sku}
						onToggle=${(what) => { setFlash(''); setProblem(null); toggle(v.sku, what); }}
						onAdjusted=${(r) => adjusted(v, r)} onStock=${onStock}
						onEdited=${(r) => edited(v, r)} onRemove=${() => remove(v)} />`)}
			</table>
			</div>`}
			<${AddVariant} product=${product} onAdded=${async (r, sku) => {
				await onChanged(r);
				say(`${sku}: added.`);
			}} />
		<//>`;
}

function optionsCell(values, names) {
	if (!Array.isArray(values) || values.length === 0)
		return html`<span class="muted">—</span>`;
	return values.map((val, i) => html`${i ? ', ' : ''}<span key=${i}>
		${names[i] ? html`<span class="muted">${names[i]}:</span> ` : null}${val}</span>`);
}

function VariantRows({ v, names, mode, removing, onToggle, onAdjusted, onStock, onEdited, onRemove }) {
	const s = v.stock || {};
	const tracked = v.track_stock !== false;
	const low = tracked && Number(s.available) <= Number(s.low_threshold);
	let detail = null;
	if (mode === 'adjust')
		detail = html`<${AdjustForm} v=${v} onAdjusted=${onAdjusted} onStock=${onStock}
			onCancel=${() => onToggle('adjust')} />`;
	else if (mode === 'history')
		detail = html`<${History} sku=${v.sku} at=${`${s.on_hand}/${s.reserved}`} />`;
	else if (mode === 'edit')
		detail = html`<${EditForm} v=${v} onEdited=${onEdited} onCancel=${() => onToggle('edit')} />`;
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
				<td class="num" data-testid="variant-threshold">${s.low_threshold}</td>
				<td class="actions">
					<button class="btn btn-small" aria-expanded=${mode === 'adjust' ? 'true' : 'false'}
						data-testid="variant-adjust" onClick=${() => onToggle('adjust')}>Adjust stock</button>
					${' '}
					<button class="btn btn-small" aria-expanded=${mode === 'history' ? 'true' : 'false'}
						data-testid="variant-history" onClick=${() => onToggle('history')}>History</button>
					${' '}
					<button class="btn btn-small" aria-expanded=${mode === 'edit' ? 'true' : 'false'}
						data-testid="variant-edit" onClick=${() => onToggle('edit')}>Edit</button>
					${' '}
					<button class="btn btn-small btn-danger" disabled=${removing}
						data-testid="variant-remove" onClick=${onRemove}>${removing ? 'Removing…' : 'Remove'}</button>
				</td>
			</tr>
			${detail ? html`<tr class="detail"><td colspan="7">${detail}</td></tr>` : null}
		</tbody>`;
}

function editFormOf(v) {
	return {
		barcode: v.barcode || '',
		weight_grams: String(v.weight_grams != null ? v.weight_grams : 0),
		low_threshold: String(v.stock && v.stock.low_threshold != null ? v.stock.low_threshold : 0),
		track_stock: v.track_stock !== false,
		allow_backorder: Boolean(v.allow_backorder),
	};
}

function EditForm({ v, onEdited, onCancel }) {
	const [form, setForm] = useState(() => editFormOf(v));
	const [busy, setBusy] = useState(false);
	const [errors, setErrors] = useState(null);
	const [problem, setProblem] = useState(null);
	const id = `edit-${v.sku}`;
	const text = (f) => (e) => setForm({ ...form, [f]: e.currentTarget.value });
	const flag = (f) => (e) => setForm({ ...form, [f]: e.currentTarget.checked });

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		const bad = {};
		for (const f of ['weight_grams', 'low_threshold'])
			if (!WHOLE.test(form[f].trim()))
				bad[f] = 'Enter a whole number, 0 or more.';
		setProblem(null);
		if (Object.keys(bad).length) {
			setErrors(bad);
			return;
		}
		const base = editFormOf(v);
		const body = {};
		if (form.barcode.trim() !== base.barcode)
			body.barcode = form.barcode.trim();
		for (const f of ['weight_grams', 'low_threshold'])
			if (Number(form[f].trim()) !== Number(base[f]))
				body[f] = Number(form[f].trim());
		for (const f of ['track_stock', 'allow_backorder'])
			if (form[f] !== base[f])
				body[f] = form[f];
		if (Object.keys(body).length === 0) {
			setErrors(null);
			setProblem({ kind: 'info', testid: 'edit-nothing', text: 'There is nothing to save.' });
			return;
		}
		setBusy(true);
		setErrors(null);
		try {
			const r = await apiExchange('PATCH', variantPath(v.sku), body);
			await onEdited(r);
			return;
		} catch (e) {
			const fe = fieldErrors(e);
			if (e.status === 409 && problemType(e) === 'below-reserved') {
				setProblem({ testid: 'edit-below-reserved', text: `${e.message} Reserved: ` +
				    `${v.stock ? v.stock.reserved : 0}, on hand: ${v.stock ? v.stock.on_hand : 0}.` });
			} else if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, ['barcode', 'weight_grams', 'low_threshold', 'track_stock', 'allow_backorder']);
				setProblem({ testid: 'edit-error', text: rest.length ? rest.join(' ')
				    : 'Some fields need a change; see the messages below them.' });
			} else {
				setProblem({ testid: 'edit-error', text: e.message });
			}
		}
		setBusy(false);
	}

	return html`
		<form class="inline-form" novalidate onSubmit=${submit} data-testid="edit-form">
			${problem ? html`<p class=${`notice notice-${problem.kind || 'error'}`}
				role=${problem.kind ? 'status' : 'alert'} data-testid=${problem.testid}>${problem.text}</p>` : null}
			<div class="form-row">
				<${Field} id=${`${id}-b`} label="Barcode" errors=${errors} field="barcode">
					<input id=${`${id}-b`} type="text" maxlength="64" value=${form.barcode}
						data-testid="edit-barcode" onInput=${text('barcode')} />
				<//>
				<${Field} id=${`${id}-w`} label="Weight (g)" errors=${errors} field="weight_grams">
					<input id=${`${id}-w`} type="number" min="0" step="1" value=${form.weight_grams}
						data-testid="edit-weight" onInput=${text('weight_grams')} />
				<//>
				<${Field} id=${`${id}-t`} label="Low-stock threshold" errors=${errors} field="low_threshold">
					<input id=${`${id}-t`} type="number" min="0" step="1" value=${form.low_threshold}
						data-testid="edit-threshold" onInput=${text('low_threshold')} />
				<//>
			</div>
			<div class="form-row">
				<div class="field">
					<label class="check"><input type="checkbox" checked=${form.track_stock}
						data-testid="edit-track" onChange=${flag('track_stock')} /> Track stock</label>
					<${FieldError} errors=${errors} field="track_stock" />
				</div>
				<div class="field">
					<label class="check"><input type="checkbox" checked=${form.allow_backorder}
						data-testid="edit-backorder" onChange=${flag('allow_backorder')} /> Allow backorder</label>
					<${FieldError} errors=${errors} field="allow_backorder" />
				</div>
			</div>
			<div class="form-actions">
				<button type="submit" class="btn btn-primary btn-small" disabled=${busy}
					data-testid="edit-save">${busy ? 'Saving…' : 'Save variant'}</button>
				<button type="button" class="btn btn-small" onClick=${onCancel}>Cancel</button>
			</div>
		</form>`;
}

/* The first combination of option values that no variant has yet. */
function freeCombination(options, variants) {
	const taken = new Set(variants.map((v) => (v.options || []).join('\u0000')));
	let combos = [[]];
	for (const o of options)
		combos = combos.flatMap((c) => (o.values || []).map((val) => [...c, val]));
	return combos.find((c) => !taken.has(c.join('\u0000'))) || combos[0] || [];
}

function AddVariant({ product, onAdded }) {
	const options = (product.options || []).filter((o) => Array.isArray(o.values) && o.values.length);
	const variants = product.variants || [];
	const [values, setValues] = useState(() => freeCombination(options, variants));
	const [sku, setSku] = useState(null);		/* null: the suggestion */
	const [onHand, setOnHand] = useState('0');
	const [busy, setBusy] = useState(false);
	const [errors, setErrors] = useState(null);
	const [problem, setProblem] = useState('');
	const shownSku = sku !== null ? sku : suggestSku(product.title, values);
	const twin = variants.find((v) => (v.options || []).join('\u0000') === values.join('\u0000'));

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		setProblem('');
		const bad = {};
		if (shownSku.trim() === '')
			bad.sku = 'Enter a SKU.';
		if (!WHOLE.test(onHand.trim()))
			bad.on_hand = 'Enter a whole number, 0 or more.';
		if (Object.keys(bad).length) {
			setErrors(bad);
			return;
		}
		setBusy(true);
		setErrors(null);
		const body = { sku: shownSku.trim(), options: values, on_hand: Number(onHand.trim()) };
		try {
			const r = await apiExchange('POST', `${productPath(product.id)}/variants`, body);
			setSku(null);
			setOnHand('0');
			setBusy(false);
			const now = r.data && Array.isArray(r.data.variants) ? r.data.variants : [...variants, body];
			setValues(freeCombination(options, now));
			await onAdded(r, body.sku);
			return;
		} catch (e) {
			const fe = fieldErrors(e);
			if (e.status === 409 && problemType(e) === 'sku-taken') {
				setErrors({ sku: `${e.problem.sku || body.sku} is taken; every variant needs its own SKU.` });
			} else if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, ['sku', 'options', 'on_hand']);
				setProblem(rest.length ? rest.join(' ') : '');
			} else {
				setProblem(e.message);
			}
		}
		setBusy(false);
	}

	return html`
		<form class="inline-form form-section" novalidate onSubmit=${submit} data-testid="add-variant-form"
			aria-label="Add a variant">
			<h3>Add variant</h3>
			<${Notice} kind="error" testid="add-variant-error">${problem}<//>
			<div class="form-row">
				${options.map((o, i) => html`
					<${Field} key=${o.name} id=${`add-opt-${i}`} label=${o.name} errors=${errors}
						field=${i === 0 ? 'options' : `options[${i}]`}>
						<select id=${`add-opt-${i}`} value=${values[i]} data-testid="add-variant-option"
							data-option=${o.name}
							onChange=${(e) => {
								const next = [...values];
								next[i] = e.currentTarget.value;
								setValues(next);
							}}>
							${o.values.map((val) => html`<option key=${val} value=${val}>${val}</option>`)}
						</select>
					<//>`)}
				<${Field} id="add-sku" label="SKU" errors=${errors} field="sku">
					<input id="add-sku" type="text" maxlength="64" value=${shownSku}
						data-testid="add-variant-sku" onInput=${(e) => setSku(e.currentTarget.value)} />
				<//>
				<${Field} id="add-on-hand" label="Initial on hand" errors=${errors} field="on_hand">
					<input id="add-on-hand" type="number" min="0" step="1" value=${onHand}
						data-testid="add-variant-on-hand" onInput=${(e) => setOnHand(e.currentTarget.value)} />
				<//>
			</div>
			${twin ? html`<p class="hint-text" data-testid="add-variant-twin">
				<code>${twin.sku}</code> has these option values already.</p>` : null}
			<div class="form-actions">
				<button type="submit" class="btn btn-primary btn-small" disabled=${busy}
					data-testid="add-variant-save">${busy ? 'Adding…' : 'Add variant'}</button>
			</div>
		</form>`;
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
