/*
 * pages/catalog/attributes.js: the Attributes tab.  Attribute definitions
 * (GET /attributes) in a table, each editable in place (PATCH with
 * If-Match from its version; code and kind are fixed once made), a form
 * to define one (POST /attributes), and the product types (GET
 * /product-types) with a form that creates or edits one: its name and,
 * for each attribute, whether the type has it and whether it is required.
 * A 412 (someone saved in between) reloads the lists and says so.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, apiExchange } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { CATALOG, Field, fieldErrors, otherErrors, parseList, Loading, useTitle } from './common.js';
import { KINDS, loadAttributeDefs } from './attrfields.js';

const attrPath = (code) => `${CATALOG}/attributes/${encodeURIComponent(code)}`;
const typePath = (id) => `${CATALOG}/product-types/${encodeURIComponent(id)}`;
const hasChoices = (kind) => kind === 'select' || kind === 'multiselect';

export function Attributes() {
	useTitle('Attributes');
	const [defs, setDefs] = useState(null);
	const [error, setError] = useState('');

	async function reload() {
		try {
			setDefs(await loadAttributeDefs());
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		reload();
	}, []);

	return html`
		<div class="page-head"><h1>Attributes and product types</h1></div>
		<${Notice} kind="error">${error}<//>
		${defs === null && !error ? html`<${Loading} />` : null}
		${defs ? html`
			<div class="detail-grid">
				<${AttributeTable} attrs=${defs.attrs} onChanged=${reload} />
				<${AttributeForm} onSaved=${reload} />
			</div>
			<div class="detail-grid">
				<${TypeList} defs=${defs} onChanged=${reload} />
				<${TypeForm} key="new" attrs=${defs.attrs} onSaved=${reload} />
			</div>` : null}`;
}

function AttributeTable({ attrs, onChanged }) {
	const [editing, setEditing] = useState(null);
	return html`
		<${Section} title="Attributes" testid="attribute-table"
			intro="Filterable attributes are search facets; searchable ones put their values in the search index.">
			${attrs.length === 0 ? html`<${Empty}>No attributes yet.<//>` : html`
			<table class="grid">
				<thead><tr><th>Code</th><th>Name</th><th>Kind</th><th>Choices / unit</th><th>Flags</th><th></th></tr></thead>
				<tbody>
					${attrs.map((a) => html`
						<tr key=${a.code} data-testid="attribute-row" data-code=${a.code}>
							<td><code>${a.code}</code></td>
							<td>${a.name}</td>
							<td>${a.kind}</td>
							<td class="small">${hasChoices(a.kind) ? a.choices.join(', ') : a.unit || '—'}</td>
							<td class="small">${[a.filterable ? 'filterable' : '', a.searchable ? 'searchable' : '']
							    .filter(Boolean).join(', ') || '—'}</td>
							<td><button type="button" class="btn btn-small" data-testid="attribute-edit"
								onClick=${() => setEditing(editing === a.code ? null : a.code)}>
								${editing === a.code ? 'Close' : 'Edit'}</button></td>
						</tr>
						${editing === a.code ? html`
						<tr key=${`${a.code}-edit`}><td colspan="6">
							<${AttributeForm} attr=${a} onSaved=${() => {
								setEditing(null);
								onChanged();
							}} />
						</td></tr>` : null}`)}
				</tbody>
			</table>`}
		<//>`;
}

function formOf(a) {
	return {
		code: a ? a.code : '',
		name: a ? a.name : '',
		kind: a ? a.kind : 'text',
		unit: a ? a.unit : '',
		choices: a ? a.choices.join(', ') : '',
		filterable: a ? a.filterable : false,
		searchable: a ? a.searchable : true,
	};
}

/* Defines an attribute, or changes attr when given. */
function AttributeForm({ attr, onSaved }) {
	const [form, setForm] = useState(formOf(attr));
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);
	const edit = Boolean(attr);
	const p = edit ? `a-${attr.code}` : 'a-new';

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		const body = { name: form.name.trim(), filterable: form.filterable, searchable: form.searchable };
		if (!edit) {
			body.code = form.code.trim();
			body.kind = form.kind;
		}
		if (form.kind === 'number')
			body.unit = form.unit.trim();
		if (hasChoices(form.kind))
			body.choices = parseList(form.choices);
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			if (edit)
				await apiExchange('PATCH', attrPath(attr.code), body, { 'If-Match': `"v${attr.version}"` });
			else
				await api('POST', `${CATALOG}/attributes`, body);
			if (!edit)
				setForm(formOf(null));
			setNotice({ kind: 'ok', text: edit ? 'Saved.' : `Attribute \u201c${body.name}\u201d added.` });
			setBusy(false);
			onSaved();
			return;
		} catch (e) {
			const fe = fieldErrors(e);
			setErrors(fe);
			const rest = fe ? otherErrors(fe, ['code', 'name', 'kind', 'unit', 'choices']) : [
			    e.status === 412 ? 'Someone changed this attribute meanwhile; close and edit it again.' : e.message];
			setNotice(rest.length ? { kind: 'error', text: rest.join(' ') } : null);
		}
		setBusy(false);
	}

	const set = (f) => (e) => setForm({ ...form, [f]: e.currentTarget.value });
	const flag = (f) => (e) => setForm({ ...form, [f]: e.currentTarget.checked });
	return html`
		<form class=${edit ? 'inline-form' : 'card'} novalidate onSubmit=${submit}
			data-testid=${edit ? 'attribute-edit-form' : 'attribute-form'}
			aria-label=${edit ? `Edit ${attr.code}` : 'Add an attribute'}>
			${edit ? null : html`<div class="card-head"><h2>Add an attribute</h2></div>`}
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="attribute-notice">${notice && notice.text}<//>
			<div class="form-row">
				<${Field} id=${`${p}-code`} label="Code" errors=${errors} field="code"
					hint=${edit ? 'Fixed: filters and stored values name it.' : 'e.g. material; lower-case, digits, _'}>
					<input id=${`${p}-code`} type="text" maxlength="40" value=${form.code} disabled=${edit}
						data-testid="attribute-code" onInput=${set('code')} />
				<//>
				<${Field} id=${`${p}-name`} label="Name" errors=${errors} field="name">
					<input id=${`${p}-name`} type="text" maxlength="100" value=${form.name}
						data-testid="attribute-name" onInput=${set('name')} />
				<//>
				<${Field} id=${`${p}-kind`} label="Kind" errors=${errors} field="kind">
					<select id=${`${p}-kind`} value=${form.kind} disabled=${edit}
						data-testid="attribute-kind" onChange=${set('kind')}>
						${KINDS.map((k) => html`<option key=${k} value=${k}>${k}</option>`)}
					</select>
				<//>
			</div>
			${form.kind === 'number' ? html`
				<${Field} id=${`${p}-unit`} label="Unit" errors=${errors} field="unit" hint="e.g. cm, g">
					<input id=${`${p}-unit`} type="text" maxlength="20" value=${form.unit}
						data-testid="attribute-unit" onInput=${set('unit')} />
				<//>` : null}
			${hasChoices(form.kind) ? html`
				<${Field} id=${`${p}-choices`} label="Choices" errors=${errors} field="choices"
					hint="Comma separated, e.g. Linen, Cotton, Wool.">
					<input id=${`${p}-choices`} type="text" value=${form.choices}
						data-testid="attribute-choices" onInput=${set('choices')} />
				<//>` : null}
			<div class="form-row">
				<label class="check"><input type="checkbox" checked=${form.filterable}
					data-testid="attribute-filterable" onChange=${flag('filterable')} /> Filterable (a search facet)</label>
				<label class="check"><input type="checkbox" checked=${form.searchable}
					data-testid="attribute-searchable" onChange=${flag('searchable')} /> Searchable</label>
			</div>
			<div class="form-actions">
				<button type="submit" class="btn btn-primary" disabled=${busy} data-testid="attribute-save">
					${busy ? 'Saving…' : edit ? 'Save attribute' : 'Add attribute'}</button>
			</div>
		</form>`;
}

function TypeList({ defs, onChanged }) {
	const [editing, setEditing] = useState(null);
	const names = new Map(defs.attrs.map((a) => [a.code, a.name]));
	return html`
		<${Section} title="Product types" testid="type-list"
			intro="A type lists the attributes its products carry; the product editor shows them as inputs.">
			${defs.types.length === 0 ? html`<${Empty}>No product types yet.<//>` : html`
			<ul class="plain-list">
				${defs.types.map((t) => html`
					<li key=${t.id} data-testid="type-row" data-id=${t.id}>
						<strong>${t.name}</strong>
						<span class="small muted"> ${t.attributes.map((a) => `${names.get(a.code) || a.code}${a.required ? '*' : ''}`).join(', ') || 'no attributes'}</span>
						<button type="button" class="btn btn-small" data-testid="type-edit"
							onClick=${() => setEditing(editing === t.id ? null : t.id)}>
							${editing === t.id ? 'Close' : 'Edit'}</button>
						${editing === t.id ? html`<${TypeForm} type=${t} attrs=${defs.attrs} onSaved=${() => {
							setEditing(null);
							onChanged();
						}} />` : null}
					</li>`)}
			</ul>
			<p class="small muted">* required</p>`}
		<//>`;
}

/* Creates a product type, or changes type when given. */
function TypeForm({ type, attrs, onSaved }) {
	const init = () => {
		const m = {};
		for (const a of type ? type.attributes : [])
			m[a.code] = a.required ? 'required' : 'optional';
		return m;
	};
	const [name, setName] = useState(type ? type.name : '');
	const [use, setUse] = useState(init);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);
	const edit = Boolean(type);
	const p = edit ? `t-${type.id}` : 't-new';

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		/* The type's order first, then newly ticked ones in table order. */
		const order = [...(type ? type.attributes.map((a) => a.code) : []),
		    ...attrs.map((a) => a.code)];
		const codes = order.filter((c, i) => order.indexOf(c) === i && use[c]);
		const body = { name: name.trim(), attributes: codes.map((c) => ({ code: c, required: use[c] === 'required' })) };
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			if (edit)
				await apiExchange('PATCH', typePath(type.id), body, { 'If-Match': `"v${type.version}"` });
			else
				await api('POST', `${CATALOG}/product-types`, body);
			if (!edit) {
				setName('');
				setUse({});
			}
			setNotice({ kind: 'ok', text: edit ? 'Saved.' : `Product type \u201c${body.name}\u201d added.` });
			setBusy(false);
			onSaved();
			return;
		} catch (e) {
			const fe = fieldErrors(e);
			setErrors(fe);
			const rest = fe ? otherErrors(fe, ['name']) : [
			    e.status === 412 ? 'Someone changed this type meanwhile; close and edit it again.' : e.message];
			setNotice(rest.length ? { kind: 'error', text: rest.join(' ') } : null);
		}
		setBusy(false);
	}

	return html`
		<form class=${edit ? 'inline-form' : 'card'} novalidate onSubmit=${submit}
			data-testid=${edit ? 'type-edit-form' : 'type-form'}
			aria-label=${edit ? `Edit ${type.name}` : 'Add a product type'}>
			${edit ? null : html`<div class="card-head"><h2>Add a product type</h2></div>`}
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="type-notice">${notice && notice.text}<//>
			<${Field} id=${`${p}-name`} label="Name" errors=${errors} field="name">
				<input id=${`${p}-name`} type="text" maxlength="100" value=${name}
					data-testid="type-name" onInput=${(e) => setName(e.currentTarget.value)} />
			<//>
			${attrs.length === 0 ? html`<p class="muted small">Define attributes first.</p>` : html`
			<fieldset class="field">
				<legend>Attributes</legend>
				${attrs.map((a) => html`
					<div key=${a.code} class="form-row" data-testid="type-attr" data-code=${a.code}>
						<label class="check"><input type="checkbox" checked=${Boolean(use[a.code])}
							data-testid="type-attr-use"
							onChange=${(e) => setUse({ ...use, [a.code]: e.currentTarget.checked ? 'optional' : '' })} />
							${a.name} <code class="small">${a.code}</code></label>
						<label class="check"><input type="checkbox" checked=${use[a.code] === 'required'}
							disabled=${!use[a.code]} data-testid="type-attr-required"
							onChange=${(e) => setUse({ ...use, [a.code]: e.currentTarget.checked ? 'required' : 'optional' })} />
							required</label>
					</div>`)}
			</fieldset>`}
			<div class="form-actions">
				<button type="submit" class="btn btn-primary" disabled=${busy} data-testid="type-save">
					${busy ? 'Saving…' : edit ? 'Save type' : 'Add type'}</button>
			</div>
		</form>`;
}
