/*
 * pages/catalog/common.js: what the catalog pages share: the API paths,
 * links to a product, the status badge, stock totals, the comma-separated
 * list parser used for tags and option values, and the mapping of a 422
 * answer's errors[] ({field, message}) to a message per form field that
 * FieldError shows under the input it belongs to.  useTitle() names the
 * browser tab after the view (after the shell has named it "Catalog").
 */
import { html, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';

export const CATALOG = '/api/v1/catalog';
export const STATUSES = ['draft', 'active', 'archived'];
export const STOCK_REASONS = ['adjustment', 'return', 'import'];

export function productPath(id) {
	return `${CATALOG}/products/${encodeURIComponent(id)}`;
}

export function productHref(id) {
	return `#/catalog/products/${encodeURIComponent(id)}`;
}

export function StatusBadge({ status }) {
	if (!status)
		return html`<span class="muted">…</span>`;
	return html`<span class=${`badge badge-${status}`} data-testid="status-badge">${status}</span>`;
}

/* "summer, linen,, " -> ["summer", "linen"] */
export function parseList(text) {
	return String(text || '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/* Variant count and the available stock of the variants that track it. */
export function stockTotals(product) {
	const variants = Array.isArray(product && product.variants) ? product.variants : [];
	const tracked = variants.filter((v) => v.track_stock !== false && v.stock);
	return {
		variants: variants.length,
		tracked: tracked.length,
		available: tracked.reduce((n, v) => n + (Number(v.stock.available) || 0), 0),
	};
}

/* "S / Blue" for a variant's option values. */
export function optionText(values) {
	return Array.isArray(values) && values.length ? values.join(' / ') : '—';
}

/*
 * The field errors of a 422 answer as { field: message }, or null when the
 * error is of another kind.  Several messages for one field are joined.
 */
export function fieldErrors(e) {
	const list = e && e.status === 422 && e.problem && e.problem.errors;
	if (!Array.isArray(list))
		return null;
	const out = {};
	for (const item of list) {
		const field = String(item && item.field || '');
		const msg = String(item && item.message || 'is not valid');
		out[field] = out[field] ? `${out[field]}; ${msg}` : msg;
	}
	return out;
}

/* Whether an error's field belongs to a form field ("tags" owns "tags[3]"). */
function owns(field, key) {
	return key === field || key.startsWith(`${field}[`) || key.startsWith(`${field}.`);
}

/* The message(s) for one form field (and its parts unless exact), or ''. */
export function errorFor(errors, field, exact) {
	if (!errors)
		return '';
	return Object.keys(errors).filter((k) => (exact ? k === field : owns(field, k)))
	    .map((k) => errors[k]).join('; ');
}

/* The messages of fields that no input on the form shows. */
export function otherErrors(errors, shown) {
	if (!errors)
		return [];
	return Object.keys(errors).filter((k) => !shown.some((f) => owns(f, k)))
	    .map((k) => `${k || 'request'}: ${errors[k]}`);
}

/* The message under an input; nothing when the field has no error. */
export function FieldError({ errors, field, exact }) {
	const msg = errorFor(errors, field, exact);
	if (!msg)
		return null;
	return html`<p class="field-error" role="alert" data-testid=${`error-${field}`}
		data-field=${field}>${msg}</p>`;
}

/* A labelled form field with its hint and its error. */
export function Field({ id, label, hint, errors, field, children }) {
	return html`
		<div class=${`field ${errorFor(errors, field) ? 'has-error' : ''}`}>
			<label for=${id}>${label}</label>
			${children}
			${hint ? html`<p class="hint-text">${hint}</p>` : null}
			<${FieldError} errors=${errors} field=${field} />
		</div>`;
}

/* The whole category tree, in the server's order (parent, then position). */
export async function loadCategories() {
	const r = await api('GET', `${CATALOG}/categories`);
	return Array.isArray(r && r.data) ? r.data : [];
}

/* The categories as a flat list in tree order, each with its depth. */
export function categoryTree(categories) {
	const byParent = new Map();
	for (const c of categories) {
		const key = c.parent_id || '';
		if (!byParent.has(key))
			byParent.set(key, []);
		byParent.get(key).push(c);
	}
	const ids = new Set(categories.map((c) => c.id));
	const out = [];
	const seen = new Set();
	const walk = (parent, depth) => {
		for (const c of byParent.get(parent) || []) {
			if (seen.has(c.id))
				continue;
			seen.add(c.id);
			out.push({ ...c, depth });
			walk(c.id, depth + 1);
		}
	};
	walk('', 0);
	/* Orphans (a parent we do not know) still show, at the top level. */
	for (const c of categories)
		if (!seen.has(c.id) && !ids.has(c.parent_id)) {
			seen.add(c.id);
			out.push({ ...c, depth: 0 });
			walk(c.id, 1);
		}
	return out;
}

export function Loading() {
	return html`<p class="muted">Loading…</p>`;
}

export function useTitle(text) {
	useEffect(() => {
		const id = setTimeout(() => {
			document.title = `${text} · mercato admin`;
		}, 0);
		return () => clearTimeout(id);
	}, [text]);
}
