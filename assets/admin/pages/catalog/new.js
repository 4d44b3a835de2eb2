/*
 * pages/catalog/new.js: the new-product form.  Up to three options (a name
 * and comma-separated values) make the variant matrix, every combination
 * one row with its SKU (suggested from the title and the values until the
 * user edits it) and its initial on-hand count; without options there is
 * one variant.  Submit POSTs /products; a 422's errors[] land next to
 * their input (variants[2].sku under row 3's SKU), a 409 names the SKU or
 * slug that is taken, and a 201 opens the new product's page.  A product
 * type and attribute values (attrfields.js) may be set before creating.
 */
import { html, useState, useRef, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Notice } from '../../ui.js';
import { navigate, useLeaveGuard } from '../../nav.js';
import { plural } from '../../format.js';
import {
	CATALOG, STATUSES, Field, FieldError, parseList, fieldErrors, otherErrors, productHref, useTitle,
} from './common.js';
import { AttributeFields, attrValues, loadAttributeDefs } from './attrfields.js';

const MAX_OPTIONS = 3;
const MAX_VARIANTS = 100;

/* Every combination of the options' values, in order: [["S","Red"], ...]. */
export function combinations(options) {
	return options.reduce((acc, o) => acc.flatMap((c) => o.values.map((v) => [...c, v])), [[]]);
}

/* "Linen shirt", ["S"] -> "LINEN-SHIRT-S" (only what a SKU may hold). */
export function suggestSku(title, values) {
	const part = (s) => String(s).normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
	    .toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
	return [title, ...values].map(part).filter(Boolean).join('-').slice(0, 64).replace(/-+$/, '');
}

const keyOf = (values) => values.join('\u0000');

/* { "variants[3].sku": "..." } for each SKU that an earlier row has, or null. */
function duplicateSkus(variants) {
	const seen = new Map();
	const out = {};
	variants.forEach((v, i) => {
		const sku = v.sku.trim();
		if (sku !== '' && seen.has(sku))
			out[`variants[${i}].sku`] = `the same SKU as variant ${seen.get(sku) + 1}`;
		else if (sku !== '')
			seen.set(sku, i);
	});
	return Object.keys(out).length ? out : null;
}
const BLANK_OPTION = { name: '', values: '' };

export function NewProduct() {
	useTitle('New product');
	const [form, setForm] = useState({ title: '', status: 'draft', description: '' });
	const [options, setOptions] = useState([]);
	const [rows, setRows] = useState({});	/* key -> { sku?, on_hand } as edited */
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState('');
	const [busy, setBusy] = useState(false);
	const [defs, setDefs] = useState(null);
	const [typeId, setTypeId] = useState('');
	const [attrs, setAttrs] = useState({});
	const done = useRef(false);

	useEffect(() => {
		let alive = true;
		loadAttributeDefs().then((d) => alive && setDefs(d))
		    .catch(() => alive && setDefs({ attrs: [], types: [] }));
		return () => {
			alive = false;
		};
	}, []);
	const kinds = Object.fromEntries((defs ? defs.attrs : []).map((a) => [a.code, a.kind]));
	const values = attrValues(attrs, kinds);

	const used = options.map((o) => ({ name: o.name.trim(), values: parseList(o.values) }))
	    .filter((o) => o.name !== '' && o.values.length > 0);
	const combos = combinations(used);
	const variants = combos.map((values) => {
		const r = rows[keyOf(values)] || {};
		return { values, sku: r.sku !== undefined ? r.sku : suggestSku(form.title, values),
		    on_hand: r.on_hand !== undefined ? r.on_hand : '0' };
	});
	const dirty = !done.current && (form.title !== '' || form.description !== '' || options.length > 0 ||
	    typeId !== '' || Object.keys(values).length > 0);
	const leaving = useLeaveGuard(dirty);

	const setField = (f) => (e) => setForm({ ...form, [f]: e.currentTarget.value });
	const setOption = (i, f, value) => setOptions(options.map((o, k) => (k === i ? { ...o, [f]: value } : o)));
	const setRow = (values, f, value) => setRows({ ...rows, [keyOf(values)]: { ...rows[keyOf(values)], [f]: value } });

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		const twice = duplicateSkus(variants);
		if (twice) {
			setErrors(twice);
			setNotice('Every variant needs its own SKU.');
			return;
		}
		setBusy(true);
		setErrors(null);
		setNotice('');
		const body = {
			title: form.title.trim(),
			status: form.status,
			variants: variants.map((v) => ({
				sku: v.sku.trim(),
				options: v.values,
				on_hand: /^\d+$/.test(String(v.on_hand).trim()) ? Number(v.on_hand) : v.on_hand,
			})),
		};
		if (form.description.trim())
			body.description = form.description;
		if (used.length)
			body.options = used;
		if (typeId)
			body.type_id = typeId;
		if (Object.keys(values).length)
			body.attributes = values;
		try {
			const p = await api('POST', `${CATALOG}/products`, body);
			done.current = true;
			leaving.current = false;	/* saved: nothing to lose */
			navigate(productHref(p.id));
			return;
		} catch (e) {
			const fe = fieldErrors(e);
			const kind = String(e.problem && e.problem.type || '').replace(/^.*\//, '');
			if (fe) {
				setErrors(fe);
				const shown = ['title', 'status', 'description', 'variants', 'type_id', 'attributes',
				    ...used.map((o, i) => `options[${i}]`)];
				const rest = otherErrors(fe, shown);
				setNotice(rest.length ? rest.join(' ') : 'Some fields need a change; see the messages below them.');
			} else if (e.status === 409 && kind === 'sku-taken' && e.problem.sku) {
				const i = variants.findIndex((v) => v.sku.trim() === e.problem.sku);
				setNotice(`The SKU ${e.problem.sku} is already used by another product; every variant needs its own.`);
				if (i >= 0)
					setErrors({ [`variants[${i}].sku`]: `${e.problem.sku} is taken` });
			} else if (e.status === 409 && kind === 'slug-taken') {
				setNotice(`${e.message} (${e.problem.slug || 'slug'})`);
			} else {
				setNotice(e.message);
			}
		}
		setBusy(false);
	}

	const tooMany = combos.length > MAX_VARIANTS;
	return html`
		<div class="page-head">
			<h1>New product</h1>
			<div class="page-actions"><a class="btn" href="#/catalog">Cancel</a></div>
		</div>
		<form class="card form-narrow" novalidate onSubmit=${submit} data-testid="new-product-form">
			<${Notice} kind="error" testid="new-product-error">${notice}<//>
			<${Field} id="n-title" label="Title" errors=${errors} field="title">
				<input id="n-title" type="text" maxlength="200" value=${form.title}
					data-testid="new-title" onInput=${setField('title')} />
			<//>
			<${Field} id="n-status" label="Status" errors=${errors} field="status"
				hint="Only active products are shown in the shop.">
				<select id="n-status" value=${form.status} data-testid="new-status" onChange=${setField('status')}>
					${STATUSES.map((s) => html`<option key=${s} value=${s}>${s}</option>`)}
				</select>
			<//>
			<${Field} id="n-desc" label="Description (HTML)" errors=${errors} field="description">
				<textarea id="n-desc" rows="4" value=${form.description}
					data-testid="new-description" onInput=${setField('description')}></textarea>
			<//>
			<${AttributeFields} defs=${defs} typeId=${typeId} form=${attrs} errors=${errors}
				onType=${setTypeId} onValue=${(code, v) => setAttrs({ ...attrs, [code]: v })} />
			<h2 class="form-section">Options</h2>
			<p class="muted small">Sizes, colours…: each combination of values becomes a variant.
				Without options the product has a single variant.</p>
			${options.map((o, i) => html`
				<div class="form-row option-row" key=${i} data-testid="new-option">
					<${Field} id=${`n-on-${i}`} label=${`Option ${i + 1} name`} errors=${errors} field=${`options[${i}].name`}>
						<input id=${`n-on-${i}`} type="text" maxlength="50" value=${o.name} placeholder="Size"
							data-testid="new-option-name" onInput=${(e) => setOption(i, 'name', e.currentTarget.value)} />
					<//>
					<${Field} id=${`n-ov-${i}`} label="Values, comma separated" errors=${errors} field=${`options[${i}].values`}>
						<input id=${`n-ov-${i}`} type="text" value=${o.values} placeholder="S, M, L"
							data-testid="new-option-values" onInput=${(e) => setOption(i, 'values', e.currentTarget.value)} />
					<//>
					<button type="button" class="btn btn-small" data-testid="new-option-remove"
						onClick=${() => setOptions(options.filter((_, k) => k !== i))}>Remove</button>
				</div>`)}
			<${FieldError} errors=${errors} field="options" exact />
			${options.length < MAX_OPTIONS ? html`<p><button type="button" class="btn btn-small"
				data-testid="new-option-add" onClick=${() => setOptions([...options, BLANK_OPTION])}>
				Add an option</button></p>` : null}
			<h2 class="form-section">Variants <span class="muted small">${plural(combos.length, 'variant')}</span></h2>
			${tooMany ? html`<${Notice} kind="error">A product has at most ${MAX_VARIANTS} variants; remove some values.<//>` : null}
			<${FieldError} errors=${errors} field="variants" exact />
			<${VariantMatrix} names=${used.map((o) => o.name)} variants=${variants} errors=${errors} setRow=${setRow} />
			<div class="form-actions">
				<button type="submit" class="btn btn-primary" disabled=${busy || tooMany}
					data-testid="new-save">${busy ? 'Creating…' : 'Create product'}</button>
			</div>
		</form>`;
}

function VariantMatrix({ names, variants, errors, setRow }) {
	if (variants.length > MAX_VARIANTS)
		return null;
	return html`
		<div class="table-wrap">
		<table class="grid grid-form" data-testid="new-variants">
			<thead><tr>
				${names.map((n) => html`<th key=${n}>${n}</th>`)}
				<th>SKU</th><th>Initial on hand</th>
			</tr></thead>
			<tbody>${variants.map((v, i) => html`
				<tr key=${keyOf(v.values)} data-testid="new-variant-row">
					${v.values.map((val, k) => html`<td key=${k}>${val}</td>`)}
					<td>
						<input type="text" maxlength="64" value=${v.sku} aria-label=${`SKU of variant ${i + 1}`}
							data-testid="new-variant-sku" onInput=${(e) => setRow(v.values, 'sku', e.currentTarget.value)} />
						<${FieldError} errors=${errors} field=${`variants[${i}].sku`} />
						<${FieldError} errors=${errors} field=${`variants[${i}].options`} />
					</td>
					<td>
						<input type="number" min="0" step="1" value=${v.on_hand} aria-label=${`Initial on hand of variant ${i + 1}`}
							data-testid="new-variant-on-hand" onInput=${(e) => setRow(v.values, 'on_hand', e.currentTarget.value)} />
						<${FieldError} errors=${errors} field=${`variants[${i}].on_hand`} />
					</td>
				</tr>`)}
			</tbody>
		</table>
		</div>`;
}
