/*
 * pages/catalog/categories.js: the category tree from GET /categories
 * (one flat list; parent_id makes the tree, position orders siblings) and
 * a small form to add a category under any other through POST
 * /categories.  The new category is highlighted once the tree reloads.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { CATALOG, Field, fieldErrors, otherErrors, loadCategories, categoryTree, Loading, useTitle } from './common.js';

export function Categories() {
	useTitle('Categories');
	const [cats, setCats] = useState(null);
	const [error, setError] = useState('');
	const [added, setAdded] = useState(null);

	async function reload() {
		try {
			setCats(await loadCategories());
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		reload();
	}, []);

	const tree = cats ? categoryTree(cats) : [];
	return html`
		<div class="page-head"><h1>Categories</h1></div>
		<div class="detail-grid">
			<${Section} title="Category tree" testid="category-tree"
				intro=${cats ? `${cats.length} ${cats.length === 1 ? 'category' : 'categories'}, subcategories under their parent.` : null}>
				<${Notice} kind="error">${error}<//>
				${cats === null && !error ? html`<${Loading} />` : null}
				${cats && cats.length === 0 ? html`<${Empty}>No categories yet.<//>` : null}
				${cats && cats.length ? html`<${Tree} cats=${cats} parent=${null} added=${added} />` : null}
			<//>
			<${AddCategory} tree=${tree} onAdded=${(c) => {
				setAdded(c.id);
				reload();
			}} />
		</div>`;
}

function Tree({ cats, parent, added }) {
	const known = new Set(cats.map((c) => c.id));
	const children = cats.filter((c) => (parent === null
	    ? !c.parent_id || !known.has(c.parent_id) : c.parent_id === parent));
	if (children.length === 0)
		return null;
	return html`
		<ul class=${parent === null ? 'tree' : 'tree-sub'}>
			${children.map((c) => html`
				<li key=${c.id} data-testid="category-node" data-id=${c.id}>
					<span class=${`tree-item ${c.id === added ? 'tree-new' : ''}`}>
						<strong>${c.name}</strong>
						<code class="id small">${c.slug}</code>
						${c.id === added ? html`<span class="badge badge-ok">new</span>` : null}
					</span>
					<${Tree} cats=${cats} parent=${c.id} added=${added} />
				</li>`)}
		</ul>`;
}

function AddCategory({ tree, onAdded }) {
	const [name, setName] = useState('');
	const [parent, setParent] = useState('');
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		setBusy(true);
		setErrors(null);
		setNotice(null);
		const body = { name: name.trim() };
		if (parent)
			body.parent_id = parent;
		try {
			const c = await api('POST', `${CATALOG}/categories`, body);
			setName('');
			setNotice({ kind: 'ok', text: `Category \u201c${c.name}\u201d added.` });
			onAdded(c);
		} catch (e) {
			const fe = fieldErrors(e);
			setErrors(fe);
			const rest = fe ? otherErrors(fe, ['name', 'parent_id']) : [e.message];
			setNotice(rest.length ? { kind: 'error', text: rest.join(' ') } : null);
		}
		setBusy(false);
	}

	return html`
		<form class="card" novalidate onSubmit=${submit} data-testid="category-form" aria-label="Add a category">
			<div class="card-head"><h2>Add a category</h2></div>
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="category-notice">${notice && notice.text}<//>
			<${Field} id="c-name" label="Name" errors=${errors} field="name">
				<input id="c-name" type="text" maxlength="100" value=${name} data-testid="category-name"
					onInput=${(e) => setName(e.currentTarget.value)} />
			<//>
			<${Field} id="c-parent" label="Parent" errors=${errors} field="parent_id">
				<select id="c-parent" value=${parent} data-testid="category-parent"
					onChange=${(e) => setParent(e.currentTarget.value)}>
					<option value="">(none: a top-level category)</option>
					${tree.map((c) => html`<option key=${c.id} value=${c.id}>
						${'\u00a0\u00a0'.repeat(c.depth)}${c.name}</option>`)}
				</select>
			<//>
			<div class="form-actions">
				<button type="submit" class="btn btn-primary" disabled=${busy}
					data-testid="category-add">${busy ? 'Adding…' : 'Add category'}</button>
			</div>
		</form>`;
}
