/*
 * pages/catalog/list.js: the product list.  Without search text it pages
 * through GET /products (50 at a time, newest first; "Load more" follows
 * the next cursor) with a status filter.  With search text it asks GET
 * /search, which finds active products only (the page says so), and then
 * loads each hit's staff view, a few at a time, so the table can still
 * show status, variants and stock: the search summary carries none of them.
 */
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Notice, Empty } from '../../ui.js';
import { formatTime, plural } from '../../format.js';
import { CATALOG, STATUSES, StatusBadge, productHref, productPath, stockTotals, useTitle } from './common.js';

const PAGE = 50;
const SEARCH_PAGE = 20;
const HYDRATE_AT_ONCE = 6;
const TYPING_PAUSE_MS = 250;

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
	const ticket = useRef(0);
	const q = query.trim();

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
		const id = setTimeout(() => fetchPage(null), q ? TYPING_PAUSE_MS : 0);
		return () => clearTimeout(id);
	}, [q, status]);
	useEffect(() => () => {
		ticket.current++;	/* unmounted: drop answers in flight */
	}, []);

	return html`
		<div class="page-head">
			<h1>Products</h1>
			<div class="page-actions">
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
			<${ProductTable} rows=${rows} shown=${shown} />
			${rows && rows.length ? html`
				<div class="table-foot">
					<span class="muted small" data-testid="product-count">
						${plural(rows.length, 'product')} shown${next ? '' : ', no more'}</span>
					${next ? html`<button class="btn" disabled=${busy} data-testid="product-more"
						onClick=${() => fetchPage(next)}>Load more</button>` : null}
				</div>` : null}
		</section>`;
}

function ProductTable({ rows, shown }) {
	if (rows === null)
		return html`<p class="muted">Loading…</p>`;
	if (rows.length === 0) {
		const what = shown.q ? `No active product matches \u201c${shown.q}\u201d.`
		    : shown.status ? `No ${shown.status} products.` : 'No products yet.';
		return html`<${Empty}>${what}<//>`;
	}
	return html`
		<div class="table-wrap">
		<table class="grid" data-testid="product-table" data-query=${shown.q}
			data-status=${shown.status}>
			<thead><tr>
				<th>Title</th><th>Status</th><th class="num">Variants</th>
				<th class="num">Available</th><th>Updated</th>
			</tr></thead>
			<tbody>
				${rows.map((p) => html`<${ProductRow} key=${p.id} p=${p} />`)}
			</tbody>
		</table>
		</div>`;
}

function ProductRow({ p }) {
	const t = stockTotals(p);
	let available = html`<span class="muted">…</span>`;
	if (!p.partial)
		available = t.tracked ? t.available : html`<span class="muted">not tracked</span>`;
	return html`
		<tr data-testid="product-row" data-id=${p.id}>
			<td><a href=${productHref(p.id)} data-testid="product-link">${p.title}</a>
				${p.slug ? html`<div class="muted small">${p.slug}</div>` : null}</td>
			<td><${StatusBadge} status=${p.partial ? 'active' : p.status} /></td>
			<td class="num">${p.partial ? '…' : t.variants}</td>
			<td class=${`num ${!p.partial && t.tracked && t.available === 0 ? 'warn' : ''}`}>${available}</td>
			<td class="nowrap" title=${p.updated_at || ''}>${formatTime(p.updated_at)}</td>
		</tr>`;
}
