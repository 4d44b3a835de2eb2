/*
 * pages/catalog/lowstock.js: variants whose available stock is at or below
 * their low-stock threshold, fewest first.  There is no endpoint for this
 * yet, so the page reads the whole staff product list (GET /products, 100
 * a page, following `next`) and picks the variants itself; variants that
 * do not track stock are left out.  It stops after MAX_PAGES pages and
 * says so.
 */
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { plural } from '../../format.js';
import { CATALOG, StatusBadge, productHref, optionText, Loading, useTitle } from './common.js';

const MAX_PAGES = 50;

/* The low variants of a list of products, sorted by available then SKU. */
export function lowVariants(products) {
	const out = [];
	for (const p of products)
		for (const v of p.variants || []) {
			const s = v.stock;
			if (v.track_stock === false || !s)
				continue;
			if (Number(s.available) <= Number(s.low_threshold))
				out.push({ product: p, variant: v });
		}
	return out.sort((a, b) => a.variant.stock.available - b.variant.stock.available ||
	    a.variant.sku.localeCompare(b.variant.sku));
}

export function LowStock() {
	useTitle('Low stock');
	const [state, setState] = useState({ rows: null, scanned: 0, capped: false });
	const [error, setError] = useState('');
	const [tick, setTick] = useState(0);

	useEffect(() => {
		let alive = true;
		(async () => {
			const products = [];
			let after = null;
			let pages = 0;
			try {
				do {
					const q = after ? `&after=${encodeURIComponent(after)}` : '';
					const r = await api('GET', `${CATALOG}/products?limit=100${q}`);
					products.push(...(Array.isArray(r && r.data) ? r.data : []));
					after = r && r.next != null ? String(r.next) : null;
					pages++;
				} while (after && pages < MAX_PAGES && alive);
				if (alive)
					setState({ rows: lowVariants(products), scanned: products.length, capped: Boolean(after) });
			} catch (e) {
				if (alive)
					setError(e.message);
			}
		})();
		return () => {
			alive = false;
		};
	}, [tick]);

	const { rows, scanned, capped } = state;
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
			intro=${rows ? `${plural(rows.length, 'variant')} found in ${plural(scanned, 'product')}.` : null}>
			<${Notice} kind="error">${error}<//>
			${capped ? html`<${Notice} kind="info">Only the first ${MAX_PAGES * 100} products were read.<//>` : null}
			${rows === null && !error ? html`<${Loading} />` : null}
			${rows && rows.length === 0 ? html`<${Empty}>Nothing is running low.<//>` : null}
			${rows && rows.length ? html`
			<div class="table-wrap">
			<table class="grid" data-testid="low-table">
				<thead><tr>
					<th>SKU</th><th>Product</th><th>Options</th><th>Status</th>
					<th class="num">Available</th><th class="num">Threshold</th>
					<th class="num">On hand</th><th class="num">Reserved</th>
				</tr></thead>
				<tbody>${rows.map(({ product: p, variant: v }) => html`
					<tr key=${v.sku} data-testid="low-row" data-sku=${v.sku}>
						<td><code>${v.sku}</code></td>
						<td><a href=${productHref(p.id)}>${p.title}</a></td>
						<td>${optionText(v.options)}</td>
						<td><${StatusBadge} status=${p.status} /></td>
						<td class=${`num ${v.stock.available <= 0 ? 'warn' : ''}`}>${v.stock.available}</td>
						<td class="num">${v.stock.low_threshold}</td>
						<td class="num">${v.stock.on_hand}</td>
						<td class="num">${v.stock.reserved}</td>
					</tr>`)}
				</tbody>
			</table>
			</div>` : null}
		<//>`;
}
