/*
 * pages/catalog/lowstock.js: variants whose available stock is at or below
 * their low-stock threshold, fewest first, from GET /stock?low=true (200 a
 * page, following `next`; the server leaves out variants that do not track
 * stock).  Each row links to its product.  It stops after MAX_PAGES pages
 * and says so.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { plural } from '../../format.js';
import { CATALOG, productHref, Loading, useTitle } from './common.js';

const PAGE = 200;
const MAX_PAGES = 50;

/* Sorted by available, then SKU (the server's order; SKUs are ASCII). */
export function byAvailable(rows) {
	return [...rows].sort((a, b) => Number(a.available) - Number(b.available) ||
	    (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

export function LowStock() {
	useTitle('Low stock');
	const [state, setState] = useState({ rows: null, capped: false });
	const [error, setError] = useState('');
	const [tick, setTick] = useState(0);

	useEffect(() => {
		let alive = true;
		(async () => {
			const rows = [];
			let after = null;
			let pages = 0;
			try {
				do {
					const p = new URLSearchParams({ low: 'true', limit: String(PAGE) });
					if (after)
						p.set('after', after);
					const r = await api('GET', `${CATALOG}/stock?${p}`);
					rows.push(...(Array.isArray(r && r.data) ? r.data : []));
					after = r && r.next != null ? String(r.next) : null;
					pages++;
				} while (after && pages < MAX_PAGES && alive);
				if (alive)
					setState({ rows: byAvailable(rows), capped: Boolean(after) });
			} catch (e) {
				if (alive)
					setError(e.message);
			}
		})();
		return () => {
			alive = false;
		};
	}, [tick]);

	const { rows, capped } = state;
	const products = rows ? new Set(rows.map((r) => r.product_id)).size : 0;
	return html`
		<div class="page-head">
			<h1>Low stock</h1>
			<div class="page-actions">
				<button class="btn" data-testid="low-refresh"
					onClick=${() => { setError(''); setTick(tick + 1); }}>Refresh</button>
			</div>
		</div>
		<p class="lead">Variants whose available stock (on hand less reserved) is at or below
			their low-stock threshold, fewest first. Variants that do not track stock are left out.</p>
		<${Section} title="Running low" testid="low-stock"
			intro=${rows ? `${plural(rows.length, 'variant')} of ${plural(products, 'product')}.` : null}>
			<${Notice} kind="error">${error}<//>
			${capped ? html`<${Notice} kind="info">Only the first ${MAX_PAGES * PAGE} variants were read.<//>` : null}
			${rows === null && !error ? html`<${Loading} />` : null}
			${rows && rows.length === 0 ? html`<${Empty}>Nothing is running low.<//>` : null}
			${rows && rows.length ? html`
			<div class="table-wrap">
			<table class="grid" data-testid="low-table">
				<thead><tr>
					<th>SKU</th><th>Product</th><th class="num">On hand</th><th class="num">Reserved</th>
					<th class="num">Available</th><th class="num">Threshold</th>
				</tr></thead>
				<tbody>${rows.map((v) => html`
					<tr key=${v.sku} data-testid="low-row" data-sku=${v.sku} data-product=${v.product_id}>
						<td><code>${v.sku}</code></td>
						<td><a href=${productHref(v.product_id)} data-testid="low-product">${v.title}</a></td>
						<td class="num">${v.on_hand}</td>
						<td class="num">${v.reserved}</td>
						<td class=${`num ${v.available <= 0 ? 'warn' : ''}`} data-testid="low-available">${v.available}</td>
						<td class="num" data-testid="low-threshold">${v.low_threshold}</td>
					</tr>`)}
				</tbody>
			</table>
			</div>` : null}
		<//>`;
}
