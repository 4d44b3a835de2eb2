/*
 * pages/pricing/prices.js: the base prices of every SKU as a spreadsheet.
 * It pages through GET /prices?all=true (unpriced SKUs too, amount null),
 * 200 rows at a time, and shows product title, SKU, price and compare-at;
 * the two money columns are inputs.  Staff type like in a spreadsheet:
 * Enter and the up/down arrows move along a column (Shift+Enter up),
 * left/right move across at the edge of the text, Tab goes on to the next
 * cell, Escape puts a cell back.  Pasting several lines (a column copied
 * from a spreadsheet, tab-separated columns too) fills the cells downward
 * from the one pasted into.  Changed cells are highlighted; text that is
 * no amount is flagged at once.  Save (or Ctrl+S) sends the changed rows
 * through POST /prices/bulk (all or nothing, 500 rows a request): amounts
 * are the typed decimals turned into minor units by string arithmetic
 * (format.js), and compare-at goes along only when it changed (empty
 * removes it).  A 422 names `prices[i].amount` or `.compare_at`: the page
 * puts each message on the cell it belongs to.  "Price list" switches the
 * sheet to a customer group's list: beside the base price, a column of the
 * group's prices edited the same way, saved cell by cell (PUT
 * /groups/{id}/prices/{sku}, keeping an override's window; an emptied
 * cell DELETEs it).  Unsaved edits hold back navigation (and the switch).
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Notice, Empty } from '../../ui.js';
import { formatMoney, formatTime, plural } from '../../format.js';
import { useLeaveGuard } from '../../nav.js';
import {
	PRICING, useSettings, minorOf, moneyText, parseMoney, useSaveKey, useTitle, Loading, loadAll,
	fieldErrors, problemType,
} from './common.js';

const PAGE = 200;
const BULK_MAX = 500;
const COLS = ['amount', 'compare_at'];

/* The text a cell shows: the edit, else the saved value. */
function cellText(row, edits, col, s) {
	const e = edits[row.sku];
	if (e && e[col] !== undefined)
		return e[col];
	return moneyText(row[col], s);
}

/* Whether a cell's text differs from the saved value. */
function cellChanged(row, edits, col, s) {
	const e = edits[row.sku];
	return !!e && e[col] !== undefined && e[col].trim() !== moneyText(row[col], s);
}

/*
 * A changed row as a bulk row, or { error: { col: message } } when a cell
 * cannot be sent.  null when nothing changed.
 */
export function bulkRow(row, edits, s) {
	const changed = COLS.filter((c) => cellChanged(row, edits, c, s));
	if (changed.length === 0)
		return null;
	const cur = (s && s.currency) || '';
	const errors = {};
	const out = { sku: row.sku };
	const amountText = cellText(row, edits, 'amount', s).trim();
	if (amountText === '') {
		errors.amount = row.amount === null ? 'Set a price first' : 'A price cannot be removed; type one';
	} else {
		const v = parseMoney(amountText, s);
		if (v === null)
			errors.amount = `Not an amount in ${cur || 'the shop currency'}`;
		else
			out.amount = v;
	}
	if (changed.includes('compare_at')) {
		const t = cellText(row, edits, 'compare_at', s).trim();
		const v = t === '' ? null : parseMoney(t, s);
		if (t !== '' && v === null)
			errors.compare_at = `Not an amount in ${cur || 'the shop currency'}`;
		else
			out.compare_at = v;
	}
	return Object.keys(errors).length ? { error: errors } : out;
}

/* A cell's own check, for text typed but not yet saved. */
function localError(row, edits, col, s) {
	if (!cellChanged(row, edits, col, s))
		return '';
	if (col === 'group') {
		const t = cellText(row, edits, col, s).trim();
		return t === '' || parseMoney(t, s) !== null ? '' : `Not an amount in ${(s && s.currency) || 'the shop currency'}`;
	}
	const r = bulkRow(row, edits, s);
	return r && r.error && r.error[col] ? r.error[col] : '';
}

/* Lines of tab-separated values from the clipboard's text. */
export function pastedGrid(text) {
	const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
	if (lines.length > 1 && lines[lines.length - 1] === '')
		lines.pop();
	return lines.map((l) => l.split('\t'));
}

export function Prices() {
	useTitle('Prices');
	const { settings, error: settingsError } = useSettings();
	const [rows, setRows] = useState(null);
	const [next, setNext] = useState(null);
	const [edits, setEdits] = useState({});		/* sku -> { amount?, compare_at? } text */
	const [serverErrors, setServerErrors] = useState({});	/* sku -> { col: message } */
	const [filter, setFilter] = useState('');
	const [error, setError] = useState('');
	const [notice, setNotice] = useState(null);
	const [busy, setBusy] = useState(false);
	const [saving, setSaving] = useState(false);
	const [list, setList] = useState('');		/* '' base prices, else a group id */
	const [groups, setGroups] = useState([]);
	const [gp, setGp] = useState(null);		/* the group's prices by SKU */
	const alive = useRef(true);
	const table = useRef(null);

	/* A group's price list shows as a column "group" beside the base price. */
	const cols = list ? ['group'] : COLS;
	const viewRows = rows && list ? (gp ? rows.map((r) => ({ ...r, group: gp[r.sku] ? gp[r.sku].amount : null,
	    override: gp[r.sku] || null })) : null) : rows;
	const changedRows = viewRows ? viewRows.filter((r) => cols.some((c) => cellChanged(r, edits, c, settings))) : [];
	const dirty = changedRows.length > 0;
	useLeaveGuard(dirty);

	async function fetchPage(after) {
		setBusy(true);
		setError('');
		try {
			const p = new URLSearchParams({ all: 'true', limit: String(PAGE) });
			if (after)
				p.set('after', after);
			const r = await api('GET', `${PRICING}/prices?${p}`);
			if (!alive.current)
				return;
			const data = Array.isArray(r && r.data) ? r.data : [];
			setRows((prev) => (after && prev ? [...prev, ...data] : data));
			setNext(r && r.next != null && data.length === PAGE ? String(r.next) : null);
		} catch (e) {
			if (alive.current)
				setError(e.message);
		} finally {
			if (alive.current)
				setBusy(false);
		}
	}

	useEffect(() => {
		alive.current = true;
		fetchPage(null);
		loadAll(`${PRICING}/groups`).then((g) => alive.current && setGroups(g)).catch(() => {});
		return () => {
			alive.current = false;
		};
	}, []);

	async function loadGroupPrices(id) {
		try {
			const data = await loadAll(`${PRICING}/groups/${encodeURIComponent(id)}/prices`);
			if (alive.current)
				setGp(Object.fromEntries(data.map((p) => [p.sku, p])));
		} catch (e) {
			if (alive.current)
				setError(e.message);
		}
	}

	function pickList(id) {
		setList(id);
		setEdits({});
		setServerErrors({});
		setNotice(null);
		setGp(null);
		if (id)
			loadGroupPrices(id);
	}

	const q = filter.trim().toLowerCase();
	const shown = (viewRows || []).filter((r) => !q || r.sku.toLowerCase().includes(q) ||
	    String(r.title || '').toLowerCase().includes(q));

	function setCell(sku, col, text) {
		setEdits((prev) => ({ ...prev, [sku]: { ...prev[sku], [col]: text } }));
		setServerErrors((prev) => {
			if (!prev[sku] || !prev[sku][col])
				return prev;
			const rest = { ...prev[sku] };
			delete rest[col];
			return { ...prev, [sku]: rest };
		});
		setNotice(null);
	}

	function focusCell(r, c) {
		if (r < 0 || r >= shown.length || c < 0 || c >= cols.length)
			return false;
		const el = table.current && table.current.querySelector(
		    `input[data-row="${r}"][data-col="${c}"]`);
		if (!el)
			return false;
		el.focus();
		el.select();
		return true;
	}

	function onKeyDown(e) {
		const el = e.target;
		if (!el.dataset || el.dataset.row === undefined)
			return;
		const r = Number(el.dataset.row);
		const c = Number(el.dataset.col);
		let to = null;
		if (e.key === 'Enter')
			to = e.shiftKey ? [r - 1, c] : [r + 1, c];
		else if (e.key === 'ArrowDown')
			to = [r + 1, c];
		else if (e.key === 'ArrowUp')
			to = [r - 1, c];
		else if (e.key === 'ArrowLeft' && el.selectionStart === 0 && el.selectionEnd === 0)
			to = [r, c - 1];
		else if (e.key === 'ArrowRight' && el.selectionStart === el.value.length &&
		    el.selectionEnd === el.value.length)
			to = [r, c + 1];
		else if (e.key === 'Escape') {
			const row = shown[r];
			setCell(row.sku, cols[c], moneyText(row[cols[c]], settings));
			e.preventDefault();
			return;
		}
		if (to) {
			e.preventDefault();
			focusCell(to[0], to[1]);
		}
	}

	/* Several lines pasted: fill down (and across) from this cell. */
	function onPaste(e) {
		const el = e.target;
		if (!el.dataset || el.dataset.row === undefined)
			return;
		const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
		if (!/[\n\t]/.test(text.replace(/\r?\n$/, '')))
			return;		/* one value: the input takes it as typed */
		e.preventDefault();
		const grid = pastedGrid(text);
		const r0 = Number(el.dataset.row);
		const c0 = Number(el.dataset.col);
		let lost = 0;
		const next = { ...edits };
		grid.forEach((cells, i) => {
			const row = shown[r0 + i];
			cells.forEach((v, j) => {
				const col = cols[c0 + j];
				if (!row || !col) {
					lost++;
					return;
				}
				next[row.sku] = { ...next[row.sku], [col]: v.trim() };
			});
		});
		setEdits(next);
		setServerErrors({});
		setNotice(lost ? { kind: 'info', text: `${plural(lost, 'pasted value')} did not fit below the cell and ${lost === 1 ? 'was' : 'were'} left out.` } : null);
	}

	async function save() {
		if (saving || !rows || !settings)
			return;
		if (list) {
			saveGroup();
			return;
		}
		const todo = [];
		const local = {};
		for (const row of changedRows) {
			const b = bulkRow(row, edits, settings);
			if (b && b.error)
				local[row.sku] = b.error;
			else if (b)
				todo.push(b);
		}
		if (Object.keys(local).length) {
			setServerErrors(local);
			setNotice({ kind: 'error', text: `${plural(Object.keys(local).length, 'row')} ${Object.keys(local).length === 1 ? 'needs' : 'need'} a change before saving; see the marked cells.` });
			return;
		}
		if (todo.length === 0) {
			setNotice({ kind: 'info', text: 'There is nothing to save.' });
			return;
		}
		setSaving(true);
		setNotice(null);
		setServerErrors({});
		let saved = 0;
		try {
			for (let at = 0; at < todo.length; at += BULK_MAX) {
				const chunk = todo.slice(at, at + BULK_MAX);
				let r;
				try {
					r = await api('POST', `${PRICING}/prices/bulk`, { prices: chunk });
				} catch (e) {
					if (!alive.current)
						return;
					const errs = mapBulkErrors(e, chunk);
					setServerErrors(errs || {});
					const before = saved ? `${plural(saved, 'price')} saved; the next ${chunk.length} were refused. ` : '';
					setNotice({ kind: 'error', text: errs
					    ? `${before}Nothing in this batch was saved: ${plural(Object.keys(errs).length, 'row')} ${Object.keys(errs).length === 1 ? 'needs' : 'need'} a change (see the marked cells).`
					    : `${before}${e.message}` });
					return;
				}
				if (!alive.current)
					return;
				const done = new Map((Array.isArray(r && r.prices) ? r.prices : []).map((p) => [p.sku, p]));
				for (const b of chunk)
					if (!done.has(b.sku))
						done.set(b.sku, b);
				setRows((prev) => prev.map((row) => {
					const p = done.get(row.sku);
					if (!p)
						return row;
					return { ...row, amount: p.amount,
					    compare_at: p.compare_at !== undefined ? p.compare_at : row.compare_at,
					    version: p.version !== undefined ? p.version : row.version };
				}));
				setEdits((prev) => {
					const rest = { ...prev };
					for (const b of chunk)
						delete rest[b.sku];
					return rest;
				});
				saved += chunk.length;
			}
			setNotice({ kind: 'ok', text: `Saved ${plural(saved, 'price')}.` });
		} finally {
			if (alive.current)
				setSaving(false);
		}
	}
	/*
	 * A group's list has no bulk endpoint: each changed cell is a PUT (an
	 * override keeps its window) or, emptied, a DELETE; each cell's error
	 * stays on the cell and the rest are saved.
	 */
	async function saveGroup() {
		const local = {};
		for (const row of changedRows) {
			const msg = localError(row, edits, 'group', settings);
			if (msg)
				local[row.sku] = { group: msg };
		}
		if (Object.keys(local).length) {
			setServerErrors(local);
			setNotice({ kind: 'error', text: 'Some cells are not amounts; see the marked cells.' });
			return;
		}
		setSaving(true);
		setNotice(null);
		const errs = {};
		const done = [];
		const path = (sku) => `${PRICING}/groups/${encodeURIComponent(list)}/prices/${encodeURIComponent(sku)}`;
		for (const row of changedRows) {
			const t = cellText(row, edits, 'group', settings).trim();
			try {
				if (t === '') {
					if (row.override)
						await api('DELETE', path(row.sku));
				} else {
					const body = { amount: parseMoney(t, settings) };
					if (row.override && row.override.starts_at)
						body.starts_at = row.override.starts_at;
					if (row.override && row.override.ends_at)
						body.ends_at = row.override.ends_at;
					await api('PUT', path(row.sku), body);
				}
				done.push(row.sku);
			} catch (e) {
				const fe = fieldErrors(e);
				errs[row.sku] = { group: fe ? Object.values(fe).join('; ')
				    : problemType(e) === 'unknown-sku' ? 'No product in the catalog has this SKU' : e.message };
			}
			if (!alive.current)
				return;
		}
		await loadGroupPrices(list);
		if (!alive.current)
			return;
		setEdits((prev) => {
			const rest = { ...prev };
			for (const sku of done)
				delete rest[sku];
			return rest;
		});
		setServerErrors(errs);
		const bad = Object.keys(errs).length;
		setNotice(bad ? { kind: 'error', text: `${plural(done.length, 'price')} saved; ${plural(bad, 'price')} refused (see the marked cells).` }
		    : { kind: 'ok', text: `Saved ${plural(done.length, 'price')}.` });
		setSaving(false);
	}
	useSaveKey(save);

	function discard() {
		setEdits({});
		setServerErrors({});
		setNotice(null);
	}

	const cur = settings ? settings.currency : '';
	const changedCount = changedRows.length;
	return html`
		<div class="page-head">
			<div>
				<h1>Prices</h1>
				<p class="muted small subtitle">${list ? `The ${(groups.find((g) => g.id === list) || { name: 'group' }).name} price list, in ${cur || '…'}`
				    : `Base price and compare-at ("was") price of every SKU, in ${cur || '…'}`}${settings ? `, ${settings.prices_include_tax ? 'including' : 'excluding'} tax` : ''}.
					Type or paste a column of prices; Enter and the arrow keys move between cells.</p>
			</div>
			<div class="page-actions">
				<span class=${`small ${dirty ? 'dirty' : 'muted'}`} data-testid="prices-dirty">
					${dirty ? `${plural(changedCount, 'changed row')}` : 'No unsaved changes'}</span>
				<button class="btn" disabled=${!dirty || saving} data-testid="prices-discard"
					onClick=${discard}>Discard</button>
				<button class="btn btn-primary" disabled=${!dirty || saving || !settings}
					data-testid="prices-save" title="Save (Ctrl+S)"
					onClick=${save}>${saving ? 'Saving…' : 'Save prices'}</button>
			</div>
		</div>
		<section class="card" aria-label="Prices">
			<div class="toolbar">
				<input type="search" class="grow" placeholder="Filter by product title or SKU"
					aria-label="Filter prices" value=${filter} data-testid="prices-filter"
					onInput=${(e) => setFilter(e.currentTarget.value)} />
				<label class="inline-label">Price list
					<select value=${list} disabled=${dirty || saving} data-testid="prices-list"
						title=${dirty ? 'Save or discard the changes first' : ''}
						onChange=${(e) => pickList(e.currentTarget.value)}>
						<option value="">Base prices</option>
						${groups.map((g) => html`<option key=${g.id} value=${g.id}>Group: ${g.name}</option>`)}
					</select>
				</label>
				${busy ? html`<span class="muted small" aria-live="polite">Loading…</span>` : null}
			</div>
			<${Notice} kind="error" testid="prices-error">${error || settingsError}<//>
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="prices-notice">${notice && notice.text}<//>
			${rows === null || !settings ? (error ? null : html`<${Loading} />`) : null}
			${rows && settings && rows.length === 0 ? html`<${Empty}>No SKUs yet: prices belong to the
				variants of catalog products.<//>` : null}
			${list && !gp && !error ? html`<${Loading} />` : null}
			${list && gp ? html`<p class="muted small">The group's members pay the group price where one is set
				(within its window, if it has one; windows are set on the group's page). Empty a cell to remove
				the group price.</p>` : null}
			${viewRows && settings && rows.length ? html`
				<div class="table-wrap">
				<table class="grid grid-compact sheet" data-testid="prices-table" ref=${table}
					onKeyDown=${onKeyDown} onPaste=${onPaste}>
					<thead><tr>
						<th>Product</th><th>SKU</th>
						${list ? html`<th class="num">Base price (${cur})</th><th class="num">Group price (${cur})</th><th>Window</th>`
						    : html`<th class="num">Price (${cur})</th><th class="num">Compare-at (${cur})</th><th>Updated</th>`}
					</tr></thead>
					<tbody>
						${shown.map((row, i) => html`<${PriceRow} key=${row.sku} row=${row} index=${i}
							sameProduct=${i > 0 && shown[i - 1].product_id === row.product_id}
							edits=${edits} errors=${serverErrors[row.sku]} settings=${settings}
							cols=${cols} onCell=${setCell} />`)}
					</tbody>
				</table>
				</div>
				<div class="table-foot">
					<span class="muted small" data-testid="prices-count">
						${plural(shown.length, 'SKU')} shown${q ? ` of ${rows.length} loaded` : ''}${next ? '' : ', no more'}</span>
					${next ? html`<button class="btn" disabled=${busy} data-testid="prices-more"
						onClick=${() => fetchPage(next)}>Load more</button>` : null}
				</div>` : null}
		</section>`;
}

/* A 422's errors as { sku: { col: message } } for the rows sent; else null. */
function mapBulkErrors(e, sent) {
	const list = e && e.status === 422 && e.problem && Array.isArray(e.problem.errors) ? e.problem.errors : null;
	if (!list)
		return null;
	const out = {};
	for (const item of list) {
		const m = /^prices\[(\d+)\]\.?([a-z_]*)$/.exec(String(item && item.field || ''));
		const b = m ? sent[Number(m[1])] : null;
		if (!b)
			continue;
		const col = m[2] === 'compare_at' ? 'compare_at' : 'amount';
		const msg = String(item.message || 'is not valid');
		const text = m[2] === 'sku' ? `SKU: ${msg}` : msg;
		out[b.sku] = { ...out[b.sku], [col]: out[b.sku] && out[b.sku][col] ? `${out[b.sku][col]}; ${text}` : text };
	}
	return Object.keys(out).length ? out : null;
}

const LABELS = { amount: 'Price', compare_at: 'Compare-at price', group: 'Group price' };

/* "always", "from … until …", with whether it applies now. */
function windowOf(o) {
	if (!o)
		return '';
	const when = o.starts_at || o.ends_at
	    ? `${o.starts_at ? `from ${formatTime(o.starts_at)}` : ''}${o.ends_at ? ` until ${formatTime(o.ends_at)}` : ''}`.trim()
	    : 'always';
	return o.active === false ? `${when} (not now)` : when;
}

function PriceRow({ row, index, sameProduct, edits, errors, settings, cols, onCell }) {
	const group = cols[0] === 'group';
	return html`
		<tr data-testid="price-row" data-sku=${row.sku}>
			<td class=${sameProduct ? 'muted small' : ''}>${sameProduct ? '\u2033' : row.title}</td>
			<td><code>${row.sku}</code></td>
			${group ? html`<td class="num muted" data-testid="cell-base">${row.amount === null ? 'no price'
			    : formatMoney(row.amount, '', minorOf(settings))}</td>` : null}
			${cols.map((col, c) => {
				const changed = cellChanged(row, edits, col, settings);
				const msg = (errors && errors[col]) || localError(row, edits, col, settings);
				const label = `${LABELS[col]} of ${row.sku}`;
				return html`
					<td key=${col} class=${`num sheet-cell ${changed ? 'cell-changed' : ''} ${msg ? 'cell-error' : ''}`}>
						<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
							aria-label=${label} aria-invalid=${msg ? 'true' : null}
							data-row=${index} data-col=${c} data-testid=${`cell-${col}`}
							placeholder=${col === 'amount' ? 'no price' : col === 'group' ? 'base' : ''}
							title=${msg || (changed ? `was ${row[col] === null ? 'empty' : formatMoney(row[col], settings.currency, minorOf(settings))}` : '')}
							value=${cellText(row, edits, col, settings)}
							onInput=${(e) => onCell(row.sku, col, e.currentTarget.value)} />
						${msg ? html`<div class="cell-msg" role="alert" data-testid=${`cell-error-${col}`}>${msg}</div>` : null}
					</td>`;
			})}
			${group ? html`<td class="small muted">${windowOf(row.override)}</td>`
			    : html`<td class="nowrap small muted" title=${row.updated_at || ''}>${row.updated_at ? formatTime(row.updated_at) : '—'}</td>`}
		</tr>`;
}
