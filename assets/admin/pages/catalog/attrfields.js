/*
 * pages/catalog/attrfields.js: a product's type and attribute values in
 * the product editor.  The form keeps each value as its input holds it
 * (text, the number as typed, true/false/null, a choice, a list of
 * choices); valuesOf() turns them into the API's JSON, and attrChanges()
 * gives what a PATCH must send: type_id when it changed, and per code the
 * new value or null to remove it.  The inputs shown are the chosen type's
 * attributes, in its order, then any other value the product holds.
 */
import { html } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { CATALOG, Field, FieldError } from './common.js';

export const KINDS = ['text', 'number', 'boolean', 'select', 'multiselect'];

/* The attribute definitions and the product types, for the editors. */
export async function loadAttributeDefs() {
	const [a, t] = await Promise.all([api('GET', `${CATALOG}/attributes`),
	    api('GET', `${CATALOG}/product-types`)]);
	return {
		attrs: Array.isArray(a && a.data) ? a.data : [],
		types: Array.isArray(t && t.data) ? t.data : [],
	};
}

/* The product's stored values as form values. */
export function attrFormOf(p) {
	const out = {};
	for (const [code, v] of Object.entries(p.attributes || {}))
		out[code] = typeof v === 'number' ? String(v) : Array.isArray(v) ? [...v] : v;
	return out;
}

/* One form value as API JSON: null when empty (which removes it). */
function valueOf(v) {
	if (v === null || v === undefined || v === '')
		return null;
	if (Array.isArray(v))
		return v.length ? [...v].sort() : null;
	if (typeof v === 'boolean')
		return v;
	return v;
}

/* A number typed in an input is sent as a number (or as text, for a 422). */
function jsonOf(kind, v) {
	const x = valueOf(v);
	if (kind === 'number' && typeof x === 'string' && x.trim() !== '' &&
	    Number.isFinite(Number(x)))
		return Number(x);
	return x;
}

/*
 * What to PATCH for the type and the values: {type_id?, attributes?}.
 * kinds maps a code to its kind.
 */
export function attrChanges(typeId, form, p, kinds) {
	const out = {};
	if ((typeId || null) !== (p.type_id || null))
		out.type_id = typeId || null;
	const before = attrFormOf(p);
	const attrs = {};
	for (const code of new Set([...Object.keys(before), ...Object.keys(form)])) {
		const a = jsonOf(kinds[code], form[code]);
		const b = jsonOf(kinds[code], before[code]);
		if (JSON.stringify(a) !== JSON.stringify(b))
			attrs[code] = a;
	}
	if (Object.keys(attrs).length)
		out.attributes = attrs;
	return out;
}

/* The values of a new product: only the filled ones. */
export function attrValues(form, kinds) {
	const out = {};
	for (const code of Object.keys(form)) {
		const v = jsonOf(kinds[code], form[code]);
		if (v !== null)
			out[code] = v;
	}
	return out;
}

/*
 * The attributes to show: the type's (in order), then codes the product
 * held (held) or the form holds, so clearing one does not hide it.
 */
function shown(defs, typeId, form, held) {
	const byCode = new Map(defs.attrs.map((a) => [a.code, a]));
	const type = defs.types.find((t) => t.id === typeId);
	const out = [];
	for (const ta of type ? type.attributes : [])
		if (byCode.has(ta.code))
			out.push({ def: byCode.get(ta.code), required: ta.required });
	for (const code of new Set([...held, ...Object.keys(form)]))
		if (byCode.has(code) && !out.some((x) => x.def.code === code) &&
		    (held.includes(code) || valueOf(form[code]) !== null))
			out.push({ def: byCode.get(code), required: false, other: true });
	return out;
}

function Input({ def, value, onChange }) {
	const id = `attr-${def.code}`;
	const tid = `attr-input-${def.code}`;
	switch (def.kind) {
	case 'number':
		return html`<span class="input-unit">
			<input id=${id} type="text" inputmode="decimal" value=${value ?? ''} data-testid=${tid}
				onInput=${(e) => onChange(e.currentTarget.value)} />
			${def.unit ? html`<span class="muted">${def.unit}</span>` : null}</span>`;
	case 'boolean':
		return html`<label class="check"><input id=${id} type="checkbox" checked=${value === true}
			data-testid=${tid} onChange=${(e) => onChange(e.currentTarget.checked)} /> ${def.name}</label>`;
	case 'select':
		return html`<select id=${id} value=${value ?? ''} data-testid=${tid}
			onChange=${(e) => onChange(e.currentTarget.value)}>
			<option value="">—</option>
			${def.choices.map((c) => html`<option key=${c} value=${c}>${c}</option>`)}
		</select>`;
	case 'multiselect': {
		const set = new Set(Array.isArray(value) ? value : []);
		return html`<div class="checks" id=${id} data-testid=${tid}>
			${def.choices.map((c) => html`<label key=${c} class="check"><input type="checkbox"
				checked=${set.has(c)} data-testid=${`${tid}-${c}`} onChange=${(e) => {
					const next = new Set(set);
					if (e.currentTarget.checked)
						next.add(c);
					else
						next.delete(c);
					onChange(def.choices.filter((x) => next.has(x)));
				}} /> ${c}</label>`)}
		</div>`;
	}
	default:
		return html`<input id=${id} type="text" maxlength="200" value=${value ?? ''} data-testid=${tid}
			onInput=${(e) => onChange(e.currentTarget.value)} />`;
	}
}

/*
 * The type select and one input per attribute.  onType(id) and
 * onValue(code, value) report edits; errors are the form's field errors;
 * held lists the codes the stored product has values for.
 */
export function AttributeFields({ defs, typeId, form, held = [], errors, onType, onValue }) {
	if (!defs)
		return html`<p class="muted small">Loading attributes…</p>`;
	const list = shown(defs, typeId, form, held);
	return html`
		<fieldset class="attr-fields" data-testid="product-attributes">
			<legend>Attributes</legend>
			<${Field} id="p-type-id" label="Type" errors=${errors} field="type_id"
				hint=${defs.types.length ? null : 'No product types yet: define them on the Attributes tab.'}>
				<select id="p-type-id" value=${typeId || ''} data-testid="field-type_id"
					onChange=${(e) => onType(e.currentTarget.value)}>
					<option value="">(no type)</option>
					${defs.types.map((t) => html`<option key=${t.id} value=${t.id}>${t.name}</option>`)}
				</select>
			<//>
			${list.map(({ def, required, other }) => html`
				<div key=${def.code} class="field" data-testid="attr-field" data-code=${def.code}>
					${def.kind === 'boolean' ? null : html`<label for=${`attr-${def.code}`}>${def.name}${required ? ' *' : ''}${other ? html` <span class="muted small">(not in this type)</span>` : null}</label>`}
					<${Input} def=${def} value=${form[def.code]} onChange=${(v) => onValue(def.code, v)} />
					<${FieldError} errors=${errors} field=${`attributes.${def.code}`} exact=${true} />
				</div>`)}
			${list.some((x) => x.required) ? html`<p class="small muted">* required by the type</p>` : null}
		</fieldset>`;
}
