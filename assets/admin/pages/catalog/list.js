/*
 * pages/catalog/list.js: the product list.  Without search text it pages
 * through GET /products (50 at a time, newest first; "Load more" follows
 * the next cursor) with a status filter.  With search text it asks GET
 * /search, which finds active products only (the page says so), and then
 * loads each hit's staff view, a few at a time, so the table can still
 * show status, variants and stock: the search summary carries none of them.
 * A checkbox per row (and one for every row shown) selects products; with
 * a selection a bar sets their status at once through POST
 * /products/bulk-status (at most 100 ids, all or nothing), then reloads the
 * list.  A 422 names the ids it refused as errors[] fields "ids[i]", which
 * the page maps back to the titles of the rows it sent.  "Export CSV"
 * downloads what the list shows: its search text and status filter go to
 * GET /exports/products.csv (a search shows active products only).
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Notice, Empty } from '../../ui.js';
import { formatTime, plural } from '../../format.js';
import { CATALOG, STATUSES, StatusBadge, productHref, productPath, stockTotals, useTitle } from './common.js';
import { downloadCsv } from './importexport.js';

const PAGE = 50;
const SEARCH_PAGE = 20;
const HYDRATE_AT_ONCE = 6;
const TYPING_PAUSE_MS = 250;
const BULK_MAX = 100;
const BULK_PATH = `${CATALOG}/products/bulk-status`;

function listPath(q, status, after) {
	const p = new URLSearchParams();
	if (q) {
		p.set('q', q);
		p.set('limit', String(SEARCH_PAGE));
	} else {
		p.set('limit', String(PAGE));
		if (status)
			p.set('status', status);
	}
	if (after)
		p.set('after', after);
	return `${CATALOG}/${q ? 'search' : 'products'}?${p}`;
}

/*
 * The messages of a refused bulk change: the problem's detail, then one
 * line per error, with "ids[3]" turned into the title of the product sent.
 */
function bulkProblem(e, ids, rows) {
	const lines = [];
	const list = e && e.problem && Array.isArray(e.problem.errors) ? e.problem.errors : [];
	for (const item of list) {
		const field = String(item && item.field || '');
		const msg = String(item && item.message || 'is not valid');
		const m = /^ids\[(\d+)\]$/.exec(field);
		const id = m ? ids[Number(m[1])] : undefined;
		if (id !== undefined) {
			const row = rows.find((p) => p.id === id);
			lines.push(`${row && row.title ? `${row.title} (${id})` : id}: ${msg}`);
		} else {
			lines.push(`${field || 'request'}: ${msg}`);
		}
	}
	return { message: e.message, lines };
}

/* The staff view of each search hit; a hit that fails keeps its summary. */
async function hydrate(hits) {
	const out = hits.map((h) => ({ ...h, partial: true }));
	let i = 0;
	async function worker() {
		while (i < hits.length) {
			const k = i++;
			try {
				out[k] = await api('GET', productPath(hits[k].id));
			} catch {
				/* keep the summary: its title and link still work */
			}
		}
	}
	await Promise.all(Array.from({ length: Math.min(HYDRATE_AT_ONCE, hits.length) }, worker));
	return out;
}

export function ProductList() {
	useTitle('Products');
	const [query, setQuery] = useState('');
	const [status, setStatus] = useState('');
	const [rows, setRows] = useState(null);
	const [shown, setShown] = useState(null);	/* what rows are for */
	const [next, setNext] = useState(null);
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const [selected, setSelected] = useState([]);	/* product ids, in row order */
	const [bulkStatus, setBulkStatus] = useState('draft');
	const [applying, setApplying] = useState(false);
	const [bulkResult, setBulkResult] = useState('');
	const [bulkError, setBulkError] = useState(null);	/* { message, lines } */
	const [exporting, setExporting] = useState(false);
	const ticket = useRef(0);
	const alive = useRef(true);
	const q = query.trim();

	/* The list's own filter: a search lists active products only. */
	async function exportShown() {
		setExporting(true);
		setError('');
		try {
			await downloadCsv({ q, status: q ? 'active' : status });
		} catch (e) {
			if (alive.current)
				setError(e.message);
		} finally {
			if (alive.current)
				setExporting(false);
		}
	}

	async function fetchPage(after) {
		const mine = ++ticket.current;
		setBusy(true);
		setError('');
		try {
			const r = await api('GET', listPath(q, status, after));
			let data = Array.isArray(r && r.data) ? r.data : [];
			if (q)
				data = await hydrate(data);
			if (mine !== ticket.current)
				return;
			if (!after) {
				/* a new first page: keep only the selected rows still listed */
				const listed = new Set(data.map((p) => p.id));
				setSelected((prev) => prev.filter((id) => listed.has(id)));
			}
			setRows((prev) => (after && prev ? [...prev, ...data] : data));
			setNext(r && r.next != null ? String(r.next) : null);
			setShown({ q, status: q ? 'active' : status });
		} catch (e) {
			if (mine === ticket.current)
				setError(e.message);
		} finally {
			if (mine === ticket.current)
				setBusy(false);
		}
	}

	useEffect(() => {
		setSelected([]);
		setBulkResult('');
		setBulkError(null);
		const id = setTimeout(() => fetchPage(null), q ? TYPING_PAUSE_MS : 0);
		return () => clearTimeout(id);
	}, [q, status]);
	useEffect(() => () => {
		alive.current = false;
		ticket.current++;	/* unmounted: drop answers in flight */
	}, []);

	const listed = rows || [];
	function toggle(id, on) {
		setBulkError(null);	/* it was about the selection that was sent */
		setSelected((prev) => {
			const set = new Set(prev);
			if (on)
				set.add(id);
			else
				set.delete(id);
			return listed.map((p) => p.id).filter((x) => set.has(x));
		});
	}
	function toggleAll(on) {
		setBulkError(null);
		setSelected(on ? listed.map((p) => p.id) : []);
	}

	async function applyBulk() {
		const ids = selected.slice();
		const to = bulkStatus;
		if (ids.length === 0 || ids.length > BULK_MAX || applying)
			return;
		setApplying(true);
		setBulkResult('');
		setBulkError(null);
		try {
			const r = await api('POST', BULK_PATH, { ids, status: to });
			if (!alive.current)
				return;
			const changed = new Map((Array.isArray(r && r.products) ? r.products : [])
			    .map((p) => [p.id, p]));
			/* show the new statuses at once; the reload below confirms them */
			setRows((prev) => (prev ? prev.map((p) => (changed.has(p.id)
			    ? { ...p, status: changed.get(p.id).status || to, version: changed.get(p.id).version } : p))
			    : prev));
			const n = Number.isFinite(Number(r && r.updated)) ? Number(r.updated) : ids.length;
			setBulkResult(`${plural(n, 'product')} set to ${to}`);
			setSelected([]);
			fetchPage(null);
		} catch (e) {
			if (alive.current)
				setBulkError(bulkProblem(e, ids, listed));
		} finally {
			if (alive.current)
				setApplying(false);
		}
	}

	return html`
		<div class="page-head">
			<h1>Products</h1>
			<div class="page-actions">
				<button class="btn" data-testid="product-export" disabled=${exporting}
					title="Download the products this list shows as CSV"
					onClick=${exportShown}>${exporting ? 'Exporting…' : 'Export CSV'}</button>
				<a class="btn btn-primary" href="#/catalog/new" data-testid="product-new">New product</a>
			</div>
		</div>
		<section class="card" aria-label="Products">
			<div class="toolbar">
				<input type="search" class="grow" placeholder="Search titles, descriptions, tags and SKUs"
					aria-label="Search products" value=${query} data-testid="product-search"
					onInput=${(e) => setQuery(e.currentTarget.value)} />
				<label class="inline-label">Status
					<select value=${q ? 'active' : status} disabled=${q !== ''}
						data-testid="product-status-filter"
						onChange=${(e) => setStatus(e.currentTarget.value)}>
						<option value="">all</option>
						${STATUSES.map((s) => html`<option key=${s} value=${s}>${s}</option>`)}
					</select>
				</label>
				${busy ? html`<span class="muted small" aria-live="polite">Loading…</span>` : null}
			</div>
			${q ? html`<${Notice} kind="info" testid="search-note">Search finds active products
				only. Clear the search box to see drafts and archived products too.<//>` : null}
			<${Notice} kind="error" testid="product-list-error">${error}<//>
			${selected.length ? html`<${BulkBar} count=${selected.length} status=${bulkStatus}
				applying=${applying} onStatus=${setBulkStatus} onApply=${applyBulk}
				onClear=${() => toggleAll(false)} />` : null}
			<${Notice} kind="ok" testid="bulk-result">${bulkResult}<//>
			${bulkError ? html`<div class="notice notice-error" role="alert" data-testid="bulk-error">
				${bulkError.message}
				${bulkError.lines.length ? html`<ul class="bulk-errors">
					${bulkError.lines.map((l, i) => html`<li key=${i}>${l}</li>`)}</ul>` : null}
			</div>` : null}
			<${ProductTable} rows=${rows} shown=${shown} selected=${selected}
				disabled=${applying} onToggle=${toggle} onToggleAll=${toggleAll} />
			${rows && rows.length ? html`
				<div class="table-foot">
					<span class="muted small" data-testid="product-count">
						${plural(rows.length, 'product')} shown${next ? '' : ', no more'}</span>
					${next ? html`<button class="btn" disabled=${busy} data-testid="product-more"
						onClick=${() => fetchPage(next)}>Load more</button>` : null}
				</div>` : null}
		</section>`;
}

/* "N selected — set status: [draft|active|archived] [Apply]" */
function BulkBar({ count, status, applying, onStatus, onApply, onClear }) {
	const tooMany = count > BULK_MAX;
	return html`
		<div class="bulk-bar" data-testid="bulk-bar" role="region" aria-label="Selected products">
			<strong data-testid="bulk-count">${count} selected</strong>
			<span aria-hidden="true">\u2014</span>
			<label class="inline-label">set status:
				<select value=${status} disabled=${applying} data-testid="bulk-status"
					onChange=${(e) => onStatus(e.currentTarget.value)}>
					${STATUSES.map((s) => html`<option key=${s} value=${s}>${s}</option>`)}
				</select>
			</label>
			<button class="btn btn-primary" disabled=${applying || tooMany} data-testid="bulk-apply"
				onClick=${onApply}>${applying ? 'Applying…' : 'Apply'}</button>
			<button class="btn" disabled=${applying} data-testid="bulk-clear"
				onClick=${onClear}>Clear selection</button>
			${tooMany ? html`<span class="muted small">At most ${BULK_MAX} products at a time.</span>` : null}
		</div>`;
}

function ProductTable({ rows, shown, selected, disabled, onToggle, onToggleAll }) {
	if (rows === null)
		return html`<p class="muted">Loading…</p>`;
	if (rows.length === 0) {
		const what = shown.q ? `No active product matches \u201c${shown.q}\u201d.`
		    : shown.status ? `No ${shown.status} products.` : 'No products yet.';
		return html`<${Empty}>${what}<//>`;
	}
	const chosen = new Set(selected);
	const some = rows.some((p) => chosen.has(p.id));
	const all = rows.every((p) => chosen.has(p.id));
	return html`
		<div class="table-wrap">
		<table class="grid" data-testid="product-table" data-query=${shown.q}
			data-status=${shown.status}>
			<thead><tr>
				<th class="select-cell"><input type="checkbox" data-testid="bulk-select-all"
					aria-label="Select all products on this page" checked=${all}
					indeterminate=${some && !all} disabled=${disabled}
					onChange=${(e) => onToggleAll(e.currentTarget.checked)} /></th>
				<th>Title</th><th>Status</th><th class="num">Variants</th>
				<th class="num">Available</th><th>Updated</th>
			</tr></thead>
			<tbody>
				${rows.map((p) => html`<${ProductRow} key=${p.id} p=${p} checked=${chosen.has(p.id)}
					disabled=${disabled} onToggle=${onToggle} />`)}
			</tbody>
		</table>
		</div>`;
}

function ProductRow({ p, checked, disabled, onToggle }) {
	const t = stockTotals(p);
	let available = html`<span class="muted">…</span>`;
	if (!p.partial)
		available = t.tracked ? t.available : html`<span class="muted">not tracked</span>`;
	return html`
		<tr data-testid="product-row" data-id=${p.id} class=${checked ? 'selected' : ''}>
			<td class="select-cell"><input type="checkbox" data-testid="bulk-select" value=${p.id}
				aria-label=${`Select ${p.title || p.id}`} checked=${checked} disabled=${disabled}
				onChange=${(e) => onToggle(p.id, e.currentTarget.checked)} /></td>
			<td><a href=${productHref(p.id)} data-testid="product-link">${p.title}</a>
				${p.slug ? html`<div class="muted small">${p.slug}</div>` : null}</td>
			<td><${StatusBadge} status=${p.partial ? 'active' : p.status} /></td>
			<td class="num">${p.partial ? '…' : t.variants}</td>
			<td class=${`num ${!p.partial && t.tracked && t.available === 0 ? 'warn' : ''}`}>${available}</td>
			<td class="nowrap" title=${p.updated_at || ''}>${formatTime(p.updated_at)}</td>
		</tr>`;
}
