/*
 * pages/catalog/product.js: one product in the staff view.  It loads GET
 * /products/{id} and keeps the answer's ETag; the Details form edits title,
 * status, description (the stored, sanitized HTML as plain text in a
 * textarea: nothing here renders it), tags, vendor and type, and Save (or
 * Ctrl+S) PATCHes only what changed with If-Match.  A 412 means someone
 * saved in between: the page says so and offers Reload; a 422 puts each
 * message under its field.  Unsaved edits hold back navigation (nav.js).
 * Categories, images and the variants with their stock (variants.js) show
 * below and beside the form.  Adding, changing or removing a variant bumps
 * the product's version: the page then takes the new product and ETag
 * (refresh) and keeps the user's unsaved edits of the details form.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { apiExchange } from '../../api.js';
import { Section, Notice, StaleNotice } from '../../ui.js';
import { formatTime } from '../../format.js';
import { useLeaveGuard } from '../../nav.js';
import {
	STATUSES, StatusBadge, Field, productPath, parseList, fieldErrors, otherErrors,
	loadCategories, Loading, useTitle,
} from './common.js';
import { Variants } from './variants.js';
import { AttributeFields, attrFormOf, attrChanges, loadAttributeDefs } from './attrfields.js';

const FIELDS = ['title', 'status', 'description', 'tags', 'vendor', 'product_type'];

function formOf(p) {
	return {
		title: p.title || '',
		status: p.status || 'draft',
		description: p.description || '',
		tags: (p.tags || []).join(', '),
		vendor: p.vendor || '',
		product_type: p.product_type || '',
		type_id: p.type_id || '',
		attrs: attrFormOf(p),
	};
}

/*
 * The members of the form that differ from the product, ready to PATCH;
 * kinds (code -> kind) lets typed numbers go out as numbers.
 */
function changes(form, p, kinds = {}) {
	const base = formOf(p);
	const out = {};
	for (const f of FIELDS) {
		if (f === 'tags') {
			const tags = parseList(form.tags);
			if (tags.join('\n') !== (p.tags || []).join('\n'))
				out.tags = tags;
		} else if (form[f] !== base[f]) {
			out[f] = form[f];
		}
	}
	return { ...out, ...attrChanges(form.type_id, form.attrs, p, kinds) };
}

const etagOf = (r) => r.etag || `"v${r.data.version}"`;

/* The form on a newer product: fields the user left alone follow it. */
function rebase(form, was, now) {
	const before = formOf(was);
	const after = formOf(now);
	const out = {};
	for (const f of FIELDS)
		out[f] = form[f] === before[f] ? after[f] : form[f];
	out.type_id = form.type_id === before.type_id ? after.type_id : form.type_id;
	out.attrs = JSON.stringify(form.attrs) === JSON.stringify(before.attrs) ? after.attrs : form.attrs;
	return out;
}

export function ProductPage({ id }) {
	const [product, setProduct] = useState(null);
	const [etag, setEtag] = useState(null);
	const [form, setForm] = useState(null);
	const [cats, setCats] = useState(null);
	const [defs, setDefs] = useState(null);
	const [loadError, setLoadError] = useState('');
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [stale, setStale] = useState(false);
	const [saving, setSaving] = useState(false);
	const alive = useRef(true);
	const current = useRef(null);
	current.current = product;

	const kinds = Object.fromEntries((defs ? defs.attrs : []).map((a) => [a.code, a.kind]));
	const diff = product && form ? changes(form, product, kinds) : {};
	const dirty = Object.keys(diff).length > 0;
	useLeaveGuard(dirty);
	useTitle(product ? product.title : 'Product');

	async function load() {
		setLoadError('');
		try {
			const r = await apiExchange('GET', productPath(id));
			if (!alive.current)
				return;
			setProduct(r.data);
			setEtag(etagOf(r));
			setForm(formOf(r.data));
			setErrors(null);
			setStale(false);
			setNotice(null);
		} catch (e) {
			if (alive.current)
				setLoadError(e.status === 404 ? 'There is no product with this id; it may have been deleted.' : e.message);
		}
	}

	async function save() {
		if (saving || !product)
			return;
		const body = changes(form, product, kinds);
		if (Object.keys(body).length === 0) {
			setNotice({ kind: 'info', text: 'There is nothing to save.' });
			return;
		}
		setSaving(true);
		setErrors(null);
		setNotice(null);
		setStale(false);
		try {
			const r = await apiExchange('PATCH', productPath(id), body, { 'If-Match': etag });
			if (!alive.current)
				return;
			setProduct(r.data);
			setEtag(etagOf(r));
			setForm(formOf(r.data));
			setNotice({ kind: 'ok', text: 'Saved.' });
		} catch (e) {
			if (!alive.current)
				return;
			const fe = fieldErrors(e);
			if (e.status === 412) {
				setStale(true);
			} else if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, [...FIELDS, 'type_id', 'attributes']);
				setNotice({ kind: 'error', text: rest.length ? rest.join(' ')
				    : 'Some fields need a change; see the messages below them.' });
			} else {
				setNotice({ kind: 'error', text: e.message });
			}
		} finally {
			if (alive.current)
				setSaving(false);
		}
	}

	const saveRef = useRef(save);
	saveRef.current = save;
	useEffect(() => {
		alive.current = true;
		load();
		loadCategories().then((c) => alive.current && setCats(c))
		    .catch(() => alive.current && setCats([]));
		loadAttributeDefs().then((d) => alive.current && setDefs(d))
		    .catch(() => alive.current && setDefs({ attrs: [], types: [] }));
		const onKey = (e) => {
			if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 's' || e.key === 'S')) {
				e.preventDefault();
				saveRef.current();
			}
		};
		window.addEventListener('keydown', onKey);
		return () => {
			alive.current = false;
			window.removeEventListener('keydown', onKey);
		};
	}, [id]);

	/*
	 * After a variant change: the product (and ETag) from the answer, or
	 * loaded afresh when the answer has none (DELETE is a 204).
	 */
	async function refresh(r) {
		let next = r && r.data ? r : null;
		if (!next) {
			try {
				next = await apiExchange('GET', productPath(id));
			} catch (e) {
				if (alive.current)
					setNotice({ kind: 'error', text: `The product could not be reloaded: ${e.message}` });
				return;
			}
		}
		if (!alive.current)
			return;
		const was = current.current;
		setProduct(next.data);
		setEtag(etagOf(next));
		setForm((f) => (f && was ? rebase(f, was, next.data) : formOf(next.data)));
	}

	/* Stock changes come from variants.js; the product's version stays. */
	function onStock(sku, stock) {
		setProduct((p) => ({ ...p, variants: p.variants.map((v) => (v.sku === sku
		    ? { ...v, stock: { ...v.stock, ...stock } } : v)) }));
	}

	if (loadError)
		return html`<h1>Product</h1><${Notice} kind="error" testid="product-load-error">${loadError}<//>
			<p><a href="#/catalog">Back to all products</a></p>`;
	if (!product)
		return html`<h1>Product</h1><${Loading} />`;

	const set = (f) => (e) => setForm({ ...form, [f]: e.currentTarget.value });
	return html`
		<div class="page-head">
			<div>
				<h1 data-testid="product-title">${product.title}</h1>
				<p class="muted small subtitle"><code>${product.id}</code> · version ${product.version}</p>
			</div>
			<div class="page-actions">
				<${StatusBadge} status=${product.status} />
				<a class="btn" href="#/catalog">All products</a>
			</div>
		</div>
		${stale ? html`<${StaleNotice} what="product" testid="product-stale" reloadTestid="product-reload" onReload=${load} />` : null}
		<${Notice} kind=${notice ? notice.kind : 'info'} testid="product-notice">${notice && notice.text}<//>
		<div class="detail-grid">
			<form class="card" novalidate data-testid="product-form"
				onSubmit=${(e) => { e.preventDefault(); save(); }}>
				<div class="card-head">
					<h2>Details</h2>
					<span class=${`small ${dirty ? 'dirty' : 'muted'}`} data-testid="product-dirty">
						${dirty ? 'Unsaved changes' : 'No unsaved changes'}</span>
				</div>
				<${Field} id="p-title" label="Title" errors=${errors} field="title">
					<input id="p-title" type="text" maxlength="200" value=${form.title}
						data-testid="field-title" onInput=${set('title')} />
				<//>
				<div class="form-row">
					<${Field} id="p-status" label="Status" errors=${errors} field="status">
						<select id="p-status" value=${form.status} data-testid="field-status"
							onChange=${set('status')}>
							${STATUSES.map((s) => html`<option key=${s} value=${s}>${s}</option>`)}
						</select>
					<//>
					<${Field} id="p-vendor" label="Vendor" errors=${errors} field="vendor">
						<input id="p-vendor" type="text" maxlength="200" value=${form.vendor}
							data-testid="field-vendor" onInput=${set('vendor')} />
					<//>
					<${Field} id="p-type" label="Product type" errors=${errors} field="product_type">
						<input id="p-type" type="text" maxlength="200" value=${form.product_type}
							data-testid="field-product_type" onInput=${set('product_type')} />
					<//>
				</div>
				<${Field} id="p-tags" label="Tags" hint="Comma separated, e.g. summer, linen."
					errors=${errors} field="tags">
					<input id="p-tags" type="text" value=${form.tags}
						data-testid="field-tags" onInput=${set('tags')} />
				<//>
				<${Field} id="p-desc" label="Description" errors=${errors} field="description"
					hint="HTML. Only p, br, strong, em, b, i, u, lists, h2\u2013h4, blockquote and links are kept; the rest is dropped and its text kept.">
					<textarea id="p-desc" rows="7" value=${form.description}
						data-testid="field-description" onInput=${set('description')}></textarea>
				<//>
				<${AttributeFields} defs=${defs} typeId=${form.type_id} form=${form.attrs} errors=${errors}
					held=${Object.keys(product.attributes || {})}
					onType=${(v) => setForm({ ...form, type_id: v })}
					onValue=${(code, v) => setForm({ ...form, attrs: { ...form.attrs, [code]: v } })} />
				<div class="form-actions">
					<button type="submit" class="btn btn-primary" disabled=${saving}
						data-testid="product-save">${saving ? 'Saving…' : 'Save'}</button>
					<button type="button" class="btn" disabled=${!dirty || saving}
						data-testid="product-discard"
						onClick=${() => { setForm(formOf(product)); setErrors(null); }}>Discard changes</button>
					<span class="muted small">Ctrl+S saves.</span>
				</div>
			</form>
			<div>
				<${Overview} product=${product} cats=${cats} />
				<${Images} images=${product.images || []} />
			</div>
		</div>
		<${Variants} product=${product} onStock=${onStock} onChanged=${refresh} />`;
}

function Overview({ product, cats }) {
	const names = new Map((cats || []).map((c) => [c.id, c.name]));
	const ids = product.categories || [];
	return html`
		<${Section} title="Overview" testid="product-overview">
			<dl class="meta">
				<dt>slug</dt><dd><code data-testid="product-slug">${product.slug}</code></dd>
				<dt>status</dt><dd>${product.status}</dd>
				<dt>tags</dt><dd>${(product.tags || []).length ? product.tags.join(', ') : '—'}</dd>
				<dt>categories</dt>
				<dd data-testid="product-categories">${ids.length === 0 ? '—' : ids.map((cid, i) => html`
					${i ? ', ' : ''}<span key=${cid} title=${cid}>${cats === null ? '…' : names.get(cid) || cid}</span>${cid === product.primary_category ? html` <span class="muted">(primary)</span>` : null}`)}</dd>
				<dt>created</dt><dd>${formatTime(product.created_at)}</dd>
				<dt>updated</dt><dd data-testid="product-updated">${formatTime(product.updated_at)}</dd>
			</dl>
		<//>`;
}

/* The CSP lets the admin load images from this origin only (and data:). */
function Images({ images }) {
	return html`
		<${Section} title="Images" testid="product-images">
			${images.length === 0 ? html`<p class="empty">No images.</p>` : html`
			<ul class="thumbs">
				${images.map((im, i) => {
					const local = typeof im.url === 'string' && im.url.startsWith('/') && !im.url.startsWith('//');
					return html`<li key=${i} class=${local ? '' : 'thumb-remote'}>
						${local ? html`<img src=${im.url} alt=${im.alt || ''} class="thumb" />`
						    : html`<code class="url">${im.url}</code>
							<span class="muted small">not shown: the admin loads only this shop's images</span>`}
						<span class="small">${im.alt ? im.alt : html`<span class="muted">no alt text</span>`}</span>
					</li>`;
				})}
			</ul>`}
		<//>`;
}
