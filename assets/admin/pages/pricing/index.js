/*
 * pages/pricing/index.js: the Pricing section and its own little router,
 * like the catalog's.  app.js shows it for every #/pricing… hash; it reads
 * the rest of the hash and shows the price spreadsheet (#/pricing), the
 * customer groups (#/pricing/groups) and one group (#/pricing/groups/<id>),
 * tax categories, rates and the shop's pricing settings (#/pricing/tax),
 * the promotions (#/pricing/promotions), a promotion with its try-it panel
 * (#/pricing/promotions/<id>, #/pricing/promotions/new), under a row of
 * tabs.  Each view is keyed by its hash, so it starts afresh.
 */
import { html, useEffect } from '../../vendor/preact-htm.js';
import { useHash } from '../../nav.js';
import { Prices } from './prices.js';
import { Groups, GroupPage } from './groups.js';
import { Tax } from './tax.js';
import { Promotions, PromotionPage } from './promotions.js';

const TABS = [
	{ view: 'prices', hash: '#/pricing', label: 'Prices' },
	{ view: 'groups', hash: '#/pricing/groups', label: 'Customer groups' },
	{ view: 'tax', hash: '#/pricing/tax', label: 'Tax & settings' },
	{ view: 'promotions', hash: '#/pricing/promotions', label: 'Promotions & coupons' },
];

export function parsePricingHash(hash) {
	const rest = String(hash || '').replace(/^#\/pricing\/?/, '').replace(/\/$/, '');
	if (rest === '' || rest === 'prices')
		return { view: 'prices' };
	if (rest === 'groups' || rest === 'tax' || rest === 'promotions')
		return { view: rest };
	const m = /^(groups|promotions)\/([^/]+)$/.exec(rest);
	if (m) {
		try {
			return { view: m[1] === 'groups' ? 'group' : 'promotion', id: decodeURIComponent(m[2]) };
		} catch {
			/* a malformed escape: fall through to "not found" */
		}
	}
	return { view: 'missing' };
}

function View({ where }) {
	switch (where.view) {
	case 'prices':
		return html`<${Prices} />`;
	case 'groups':
		return html`<${Groups} />`;
	case 'group':
		return html`<${GroupPage} id=${where.id} />`;
	case 'tax':
		return html`<${Tax} />`;
	case 'promotions':
		return html`<${Promotions} />`;
	case 'promotion':
		return html`<${PromotionPage} id=${where.id} />`;
	default:
		return html`
			<h1>Not found</h1>
			<p class="lead">There is no such pricing page. <a href="#/pricing">See all prices</a>.</p>`;
	}
}

export function Pricing() {
	const hash = useHash();
	const where = parsePricingHash(hash);
	useEffect(() => {
		window.scrollTo(0, 0);
	}, [hash]);
	const tab = where.view === 'group' ? 'groups' : where.view === 'promotion' ? 'promotions' : where.view;
	return html`
		<div data-testid="page-pricing">
			<nav class="tabs" aria-label="Pricing">
				${TABS.map((t) => html`
					<a key=${t.view} href=${t.hash} class=${tab === t.view ? 'active' : ''}
						aria-current=${tab === t.view ? 'page' : null}
						data-testid=${`pricing-tab-${t.view}`}>${t.label}</a>`)}
			</nav>
			<${View} key=${hash} where=${where} />
		</div>`;
}
