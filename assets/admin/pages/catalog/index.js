/*
 * pages/catalog/index.js: the Catalog section and its own little router.
 * app.js shows it for every #/catalog… hash; it reads the rest of the hash
 * and shows the product list (#/catalog), a product (#/catalog/products/
 * <id>), the new-product form (#/catalog/new), the category tree
 * (#/catalog/categories), attributes and product types
 * (#/catalog/attributes), the low-stock list (#/catalog/low-stock) or CSV
 * import and export (#/catalog/import), under a row of tabs.  Each view is
 * keyed by its hash, so it starts afresh.
 */
import { html, useEffect } from '../../vendor/preact-htm.js';
import { useHash } from '../../nav.js';
import { ProductList } from './list.js';
import { ProductPage } from './product.js';
import { NewProduct } from './new.js';
import { Categories } from './categories.js';
import { LowStock } from './lowstock.js';
import { ImportExport } from './importexport.js';
import { Attributes } from './attributes.js';

const TABS = [
	{ view: 'list', hash: '#/catalog', label: 'Products' },
	{ view: 'categories', hash: '#/catalog/categories', label: 'Categories' },
	{ view: 'attributes', hash: '#/catalog/attributes', label: 'Attributes' },
	{ view: 'low-stock', hash: '#/catalog/low-stock', label: 'Low stock' },
	{ view: 'import', hash: '#/catalog/import', label: 'Import / export' },
];

export function parseCatalogHash(hash) {
	const rest = String(hash || '').replace(/^#\/catalog\/?/, '').replace(/\/$/, '');
	if (rest === '' || rest === 'products')
		return { view: 'list' };
	if (rest === 'new' || rest === 'categories' || rest === 'attributes' || rest === 'low-stock' ||
	    rest === 'import')
		return { view: rest };
	const m = /^products\/([^/]+)$/.exec(rest);
	if (m) {
		try {
			return { view: 'product', id: decodeURIComponent(m[1]) };
		} catch {
			/* a malformed escape: fall through to "not found" */
		}
	}
	return { view: 'missing' };
}

function View({ where }) {
	switch (where.view) {
	case 'list':
		return html`<${ProductList} />`;
	case 'product':
		return html`<${ProductPage} id=${where.id} />`;
	case 'new':
		return html`<${NewProduct} />`;
	case 'categories':
		return html`<${Categories} />`;
	case 'attributes':
		return html`<${Attributes} />`;
	case 'low-stock':
		return html`<${LowStock} />`;
	case 'import':
		return html`<${ImportExport} />`;
	default:
		return html`
			<h1>Not found</h1>
			<p class="lead">There is no such catalog page. <a href="#/catalog">See all products</a>.</p>`;
	}
}

export function Catalog() {
	const hash = useHash();
	const where = parseCatalogHash(hash);
	useEffect(() => {
		window.scrollTo(0, 0);
	}, [hash]);
	const tab = where.view === 'product' || where.view === 'new' ? 'list' : where.view;
	return html`
		<div data-testid="page-catalog">
			<nav class="tabs" aria-label="Catalog">
				${TABS.map((t) => html`
					<a key=${t.view} href=${t.hash} class=${tab === t.view ? 'active' : ''}
						aria-current=${tab === t.view ? 'page' : null}
						data-testid=${`catalog-tab-${t.view}`}>${t.label}</a>`)}
			</nav>
			<${View} key=${hash} where=${where} />
		</div>`;
}
