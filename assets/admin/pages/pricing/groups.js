/*
 * pages/pricing/groups.js: customer groups.  Groups lists GET /groups
 * (name, code, member and price counts) with a form that creates one
 * (POST /groups; a 409 code-taken lands under the code field).  GroupPage
 * shows one group: its name and code edited with If-Match (Save or
 * Ctrl+S; a 412 offers a reload; unsaved edits hold back navigation),
 * Delete (asks first; members and price list go too), the members (added
 * by customer id, as PUT /groups/{id}/members/{customer_id} takes it,
 * removed one by one) and the group's price list: per SKU an amount that
 * overrides the base price, optionally within [starts, ends), shown beside
 * the base price and whether it applies now.  Amounts are typed in major
 * units and sent as minor units (format.js).
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, apiExchange } from '../../api.js';
import { Section, Notice, StaleNotice, Empty } from '../../ui.js';
import { formatMoney, formatTime, plural } from '../../format.js';
import { useLeaveGuard, navigate } from '../../nav.js';
import {
	PRICING, Field, fieldErrors, otherErrors, problemType, useSettings, minorOf, moneyText,
	parseMoney, isoToLocalInput, localInputToIso, loadAll, useSaveKey, useTitle, Loading,
} from './common.js';

const groupPath = (id) => `${PRICING}/groups/${encodeURIComponent(id)}`;
const groupHref = (id) => `#/pricing/groups/${encodeURIComponent(id)}`;

export function Groups() {
	useTitle('Customer groups');
	const [groups, setGroups] = useState(null);
	const [error, setError] = useState('');
	const [added, setAdded] = useState(null);

	async function reload() {
		try {
			setGroups(await loadAll(`${PRICING}/groups`));
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		reload();
	}, []);

	return html`
		<div class="page-head"><h1>Customer groups</h1></div>
		<div class="detail-grid">
			<${Section} title="Groups" testid="groups"
				intro="Customers in a group pay the group's price for the SKUs on its price list; promotions can be limited to groups.">
				<${Notice} kind="error">${error}<//>
				${groups === null && !error ? html`<${Loading} />` : null}
				${groups && groups.length === 0 ? html`<${Empty}>No customer groups yet.<//>` : null}
				${groups && groups.length ? html`
					<table class="grid" data-testid="groups-table">
						<thead><tr><th>Name</th><th>Code</th><th class="num">Members</th>
							<th class="num">Prices</th><th>Updated</th></tr></thead>
						<tbody>
							${groups.map((g) => html`
								<tr key=${g.id} data-testid="group-row" data-id=${g.id}
									class=${g.id === added ? 'selected' : ''}>
									<td><a href=${groupHref(g.id)} data-testid="group-link">${g.name}</a></td>
									<td><code>${g.code}</code></td>
									<td class="num">${g.members}</td>
									<td class="num">${g.prices}</td>
									<td class="nowrap small muted">${formatTime(g.updated_at)}</td>
								</tr>`)}
						</tbody>
					</table>` : null}
			<//>
			<${NewGroup} onAdded=${(g) => {
				setAdded(g.id);
				reload();
			}} />
		</div>`;
}

/* "Wholesale buyers" -> "wholesale-buyers" (a code must start with a letter). */
function suggestCode(name) {
	return String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, 40);
}

function NewGroup({ onAdded }) {
	const [name, setName] = useState('');
	const [code, setCode] = useState('');
	const [codeTouched, setCodeTouched] = useState(false);
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);

	async function submit(e) {
		e.preventDefault();
		setBusy(true);
		setErrors(null);
		setNotice(null);
		try {
			const g = await api('POST', `${PRICING}/groups`, { name: name.trim(), code: code.trim() });
			setName('');
			setCode('');
			setCodeTouched(false);
			setNotice({ kind: 'ok', text: `Group \u201c${g.name}\u201d created.` });
			onAdded(g);
		} catch (err) {
			const fe = fieldErrors(err);
			if (fe) {
				setErrors(fe);
				const rest = otherErrors(fe, ['name', 'code']);
				if (rest.length)
					setNotice({ kind: 'error', text: rest.join(' ') });
			} else if (problemType(err) === 'code-taken') {
				setErrors({ code: 'Another group has this code' });
			} else {
				setNotice({ kind: 'error', text: err.message });
			}
		} finally {
			setBusy(false);
		}
	}

	return html`
		<form class="card" novalidate data-testid="group-new" onSubmit=${submit}>
			<div class="card-head"><h2>New group</h2></div>
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="group-new-notice">${notice && notice.text}<//>
			<${Field} id="g-name" label="Name" errors=${errors} field="name">
				<input id="g-name" type="text" maxlength="100" value=${name} data-testid="group-new-name"
					onInput=${(e) => {
						setName(e.currentTarget.value);
						if (!codeTouched)
							setCode(suggestCode(e.currentTarget.value));
					}} />
			<//>
			<${Field} id="g-code" label="Code" hint="1–40 of a–z, 0–9, - and _, starting with a letter."
				errors=${errors} field="code">
				<input id="g-code" type="text" maxlength="40" value=${code} data-testid="group-new-code"
					onInput=${(e) => {
						setCode(e.currentTarget.value);
						setCodeTouched(true);
					}} />
			<//>
			<div class="form-actions">
				<button class="btn btn-primary" type="submit" disabled=${busy}
					data-testid="group-create">${busy ? 'Creating…' : 'Create group'}</button>
			</div>
		</form>`;
}

const etagOf = (r) => r.etag || `"v${r.data.version}"`;

export function GroupPage({ id }) {
	const [group, setGroup] = useState(null);
	const [etag, setEtag] = useState(null);
	const [form, setForm] = useState({ name: '', code: '' });
	const [loadError, setLoadError] = useState('');
	const [errors, setErrors] = useState(null);
	const [notice, setNotice] = useState(null);
	const [stale, setStale] = useState(false);
	const [saving, setSaving] = useState(false);
	const alive = useRef(true);
	useTitle(group ? group.name : 'Customer group');

	const dirty = !!group && (form.name !== group.name || form.code !== group.code);
	useLeaveGuard(dirty);

	async function load() {
		setLoadError('');
		try {
			const r = await apiExchange('GET', groupPath(id));
			if (!alive.current)
				return;
			setGroup(r.data);
			setEtag(etagOf(r));
			setForm({ name: r.data.name, code: r.data.code });
			setErrors(null);
			setStale(false);
		} catch (e) {
			if (alive.current)
				setLoadError(e.status === 404 ? 'There is no group with this id; it may have been deleted.' : e.message);
		}
	}
	useEffect(() => {
		alive.current = true;
		load();
		return () => {
			alive.current = false;
		};
	}, [id]);

	/*
	 * After a member or price change: the group's counts and version move,
	 * its name and code do not, so the form keeps what the user typed.
	 */
	async function refresh() {
		try {
			const r = await apiExchange('GET', groupPath(id));
			if (!alive.current)
				return;
			setGroup(r.data);
			setEtag(etagOf(r));
		} catch {
			/* the next save says what is wrong */
		}
	}

	async function save() {
		if (saving || !group)
			return;
		const body = {};
		if (form.name !== group.name)
			body.name = form.name.trim();
		if (form.code !== group.code)
			body.code = form.code.trim();
		if (Object.keys(body).length === 0) {
			setNotice({ kind: 'info', text: 'There is nothing to save.' });
			return;
		}
		setSaving(true);
		setErrors(null);
		setNotice(null);
		try {
			const r = await apiExchange('PATCH', groupPath(id), body, { 'If-Match': etag });
			if (!alive.current)
				return;
			setGroup(r.data);
			setEtag(etagOf(r));
			setForm({ name: r.data.name, code: r.data.code });
			setNotice({ kind: 'ok', text: 'Saved.' });
		} catch (e) {
			if (!alive.current)
				return;
			const fe = fieldErrors(e);
			if (e.status === 412)
				setStale(true);
			else if (fe)
				setErrors(fe);
			else if (problemType(e) === 'code-taken')
				setErrors({ code: 'Another group has this code' });
			else
				setNotice({ kind: 'error', text: e.message });
		} finally {
			if (alive.current)
				setSaving(false);
		}
	}
	useSaveKey(save);

	async function remove() {
		if (!window.confirm(`Delete the group \u201c${group.name}\u201d with its ${plural(group.members, 'member')} and ${plural(group.prices, 'price')}?`))
			return;
		try {
			await apiExchange('DELETE', groupPath(id), undefined, { 'If-Match': etag });
			setForm({ name: group.name, code: group.code });
			setTimeout(() => navigate('#/pricing/groups'), 0);	/* after the clean render */
		} catch (e) {
			if (e.status === 412)
				setStale(true);
			else
				setNotice({ kind: 'error', text: e.message });
		}
	}

	if (loadError)
		return html`<h1>Customer group</h1><${Notice} kind="error" testid="group-load-error">${loadError}<//>
			<p><a href="#/pricing/groups">Back to all groups</a></p>`;
	if (!group)
		return html`<h1>Customer group</h1><${Loading} />`;

	return html`
		<div class="page-head">
			<div>
				<h1 data-testid="group-title">${group.name}</h1>
				<p class="muted small subtitle"><code>${group.id}</code> · version ${group.version}</p>
			</div>
			<div class="page-actions">
				<button class="btn btn-danger" data-testid="group-delete" onClick=${remove}>Delete group</button>
				<a class="btn" href="#/pricing/groups">All groups</a>
			</div>
		</div>
		${stale ? html`<${StaleNotice} what="group" testid="group-stale" onReload=${load} />` : null}
		<${Notice} kind=${notice ? notice.kind : 'info'} testid="group-notice">${notice && notice.text}<//>
		<div class="detail-grid">
			<div>
				<${GroupPrices} id=${id} onChanged=${refresh} />
			</div>
			<div>
				<form class="card" novalidate data-testid="group-form"
					onSubmit=${(e) => { e.preventDefault(); save(); }}>
					<div class="card-head">
						<h2>Group</h2>
						<span class=${`small ${dirty ? 'dirty' : 'muted'}`}>${dirty ? 'Unsaved changes' : 'No unsaved changes'}</span>
					</div>
					<${Field} id="gp-name" label="Name" errors=${errors} field="name">
						<input id="gp-name" type="text" maxlength="100" value=${form.name}
							data-testid="group-name" onInput=${(e) => setForm({ ...form, name: e.currentTarget.value })} />
					<//>
					<${Field} id="gp-code" label="Code" errors=${errors} field="code">
						<input id="gp-code" type="text" maxlength="40" value=${form.code}
							data-testid="group-code" onInput=${(e) => setForm({ ...form, code: e.currentTarget.value })} />
					<//>
					<div class="form-actions">
						<button class="btn btn-primary" type="submit" disabled=${saving || !dirty}
							data-testid="group-save" title="Save (Ctrl+S)">${saving ? 'Saving…' : 'Save'}</button>
					</div>
				</form>
				<${Members} id=${id} onChanged=${refresh} />
			</div>
		</div>`;
}

function Members({ id, onChanged }) {
	const [members, setMembers] = useState(null);
	const [error, setError] = useState('');
	const [customer, setCustomer] = useState('');
	const [addError, setAddError] = useState('');
	const [busy, setBusy] = useState(false);

	async function reload() {
		try {
			setMembers(await loadAll(`${groupPath(id)}/members`));
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		reload();
	}, [id]);

	async function add(e) {
		e.preventDefault();
		const cid = customer.trim();
		if (!cid) {
			setAddError('Type a customer id (usr_…).');
			return;
		}
		setBusy(true);
		setAddError('');
		try {
			await api('PUT', `${groupPath(id)}/members/${encodeURIComponent(cid)}`, {});
			setCustomer('');
			await reload();
			onChanged();
		} catch (err) {
			setAddError(problemType(err) === 'unknown-customer' ? 'No customer account has this id.' : err.message);
		} finally {
			setBusy(false);
		}
	}

	async function remove(m) {
		try {
			await api('DELETE', `${groupPath(id)}/members/${encodeURIComponent(m.customer_id)}`);
			await reload();
			onChanged();
		} catch (err) {
			setError(err.message);
		}
	}

	return html`
		<${Section} title="Members" testid="group-members">
			<${Notice} kind="error">${error}<//>
			${members === null && !error ? html`<${Loading} />` : null}
			${members && members.length === 0 ? html`<${Empty}>No members yet.<//>` : null}
			${members && members.length ? html`
				<table class="grid grid-compact">
					<tbody>
						${members.map((m) => html`
							<tr key=${m.customer_id} data-testid="member-row" data-id=${m.customer_id}>
								<td>${m.name || m.email}<div class="muted small">${m.email} · <code>${m.customer_id}</code></div></td>
								<td class="actions"><button class="btn btn-small" data-testid="member-remove"
									onClick=${() => remove(m)}>Remove</button></td>
							</tr>`)}
					</tbody>
				</table>` : null}
			<form class="inline-form" novalidate onSubmit=${add}>
				<div class=${`field ${addError ? 'has-error' : ''}`}>
					<label for="m-add">Add a customer by id</label>
					<input id="m-add" type="text" placeholder="usr_…" value=${customer}
						data-testid="member-id" onInput=${(e) => setCustomer(e.currentTarget.value)} />
					${addError ? html`<p class="field-error" role="alert" data-testid="member-error">${addError}</p>` : null}
				</div>
				<button class="btn" type="submit" disabled=${busy} data-testid="member-add">Add member</button>
			</form>
		<//>`;
}

const EMPTY_PRICE = { sku: '', amount: '', starts: '', ends: '' };

function GroupPrices({ id, onChanged }) {
	const { settings } = useSettings();
	const [prices, setPrices] = useState(null);
	const [error, setError] = useState('');
	const [form, setForm] = useState(EMPTY_PRICE);
	const [editing, setEditing] = useState(null);	/* the sku being edited, or null */
	const [errors, setErrors] = useState(null);
	const [busy, setBusy] = useState(false);

	async function reload() {
		try {
			setPrices(await loadAll(`${groupPath(id)}/prices`));
			setError('');
		} catch (e) {
			setError(e.message);
		}
	}
	useEffect(() => {
		reload();
	}, [id]);

	function edit(p) {
		setEditing(p.sku);
		setErrors(null);
		setForm({ sku: p.sku, amount: moneyText(p.amount, settings), starts: isoToLocalInput(p.starts_at),
		    ends: isoToLocalInput(p.ends_at) });
	}

	async function submit(e) {
		e.preventDefault();
		const errs = {};
		const sku = form.sku.trim();
		const amount = parseMoney(form.amount, settings);
		if (!sku)
			errs.sku = 'Type a SKU';
		if (amount === null)
			errs.amount = `Type an amount in ${settings ? settings.currency : 'the shop currency'}, e.g. 19.99`;
		if (Object.keys(errs).length) {
			setErrors(errs);
			return;
		}
		setBusy(true);
		setErrors(null);
		try {
			await api('PUT', `${groupPath(id)}/prices/${encodeURIComponent(sku)}`, {
				amount, starts_at: localInputToIso(form.starts), ends_at: localInputToIso(form.ends),
			});
			setForm(EMPTY_PRICE);
			setEditing(null);
			await reload();
			onChanged();
		} catch (err) {
			const fe = fieldErrors(err);
			if (fe)
				setErrors({ ...fe, starts: fe.starts_at, ends: fe.ends_at });
			else if (problemType(err) === 'unknown-sku')
				setErrors({ sku: 'No product in the catalog has this SKU' });
			else
				setError(err.message);
		} finally {
			setBusy(false);
		}
	}

	async function remove(p) {
		try {
			await api('DELETE', `${groupPath(id)}/prices/${encodeURIComponent(p.sku)}`);
			await reload();
			onChanged();
		} catch (err) {
			setError(err.message);
		}
	}

	const cur = settings ? settings.currency : '';
	const money = (v) => (v === null || v === undefined ? '—' : formatMoney(v, cur, minorOf(settings)));
	const window_ = (p) => (p.starts_at || p.ends_at
	    ? `${p.starts_at ? formatTime(p.starts_at) : 'always'} \u2192 ${p.ends_at ? formatTime(p.ends_at) : 'open end'}`
	    : 'always');
	return html`
		<${Section} title="Price list" testid="group-prices"
			intro="Prices this group pays instead of the base price, each optionally within a window (from the start, up to but not including the end).">
			<${Notice} kind="error">${error}<//>
			${prices === null && !error ? html`<${Loading} />` : null}
			${prices && prices.length === 0 ? html`<${Empty}>No group prices yet: members pay the base prices.<//>` : null}
			${prices && prices.length && settings ? html`
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="group-prices-table">
					<thead><tr><th>SKU</th><th class="num">Base</th><th class="num">Group price</th>
						<th>Window</th><th>Now</th><th></th></tr></thead>
					<tbody>
						${prices.map((p) => html`
							<tr key=${p.sku} data-testid="group-price-row" data-sku=${p.sku}>
								<td><code>${p.sku}</code></td>
								<td class="num muted">${money(p.base_amount)}</td>
								<td class="num"><strong>${money(p.amount)}</strong></td>
								<td class="small">${window_(p)}</td>
								<td>${p.active ? html`<span class="badge badge-ok">applies</span>`
								    : html`<span class="badge badge-draft">not now</span>`}</td>
								<td class="actions">
									<button class="btn btn-small" onClick=${() => edit(p)}
										data-testid="group-price-edit">Edit</button>
									<button class="btn btn-small btn-danger" onClick=${() => remove(p)}
										data-testid="group-price-remove">Remove</button>
								</td>
							</tr>`)}
					</tbody>
				</table>
				</div>` : null}
			<form class="inline-form" novalidate data-testid="group-price-form" onSubmit=${submit}>
				<h3 class="subhead">${editing ? `Change the price of ${editing}` : 'Add a group price'}</h3>
				<div class="form-row">
					<${Field} id="gpr-sku" label="SKU" errors=${errors} field="sku">
						<input id="gpr-sku" type="text" value=${form.sku} disabled=${!!editing}
							data-testid="group-price-sku" onInput=${(e) => setForm({ ...form, sku: e.currentTarget.value })} />
					<//>
					<${Field} id="gpr-amount" label=${`Price (${cur})`} errors=${errors} field="amount">
						<input id="gpr-amount" type="text" inputmode="decimal" value=${form.amount}
							data-testid="group-price-amount" onInput=${(e) => setForm({ ...form, amount: e.currentTarget.value })} />
					<//>
				</div>
				<div class="form-row">
					<${Field} id="gpr-starts" label="From (optional)" errors=${errors} field="starts">
						<input id="gpr-starts" type="datetime-local" value=${form.starts}
							data-testid="group-price-starts" onInput=${(e) => setForm({ ...form, starts: e.currentTarget.value })} />
					<//>
					<${Field} id="gpr-ends" label="Until (optional)" errors=${errors} field="ends">
						<input id="gpr-ends" type="datetime-local" value=${form.ends}
							data-testid="group-price-ends" onInput=${(e) => setForm({ ...form, ends: e.currentTarget.value })} />
					<//>
				</div>
				<div class="form-actions">
					<button class="btn btn-primary" type="submit" disabled=${busy || !settings}
						data-testid="group-price-save">${editing ? 'Save price' : 'Add price'}</button>
					${editing ? html`<button type="button" class="btn" onClick=${() => {
						setEditing(null);
						setForm(EMPTY_PRICE);
						setErrors(null);
					}}>Cancel</button>` : null}
				</div>
			</form>
		<//>`;
}
