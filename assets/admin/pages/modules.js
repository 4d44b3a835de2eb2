/*
 * pages/modules.js: the pages of business modules that have not landed in
 * the admin yet.  Each says in a sentence or two what will live there, so a
 * shop owner finds their way around today; when a module lands, its real
 * page replaces the entry here and the route in app.js points at it.
 */
import { html } from '../vendor/preact-htm.js';

export const MODULE_PAGES = {
	loyalty: {
		title: 'Loyalty',
		text: 'Customers\u2019 points accounts, tiers, earning rules and the ' +
		    'rewards they can redeem.',
	},
	content: {
		title: 'Content',
		text: 'The shop\u2019s pages, blocks and menus, and the media library, ' +
		    'from the CMS module.',
	},
};

export function ModulePage({ id }) {
	const page = MODULE_PAGES[id];
	return html`
		<div data-testid=${`page-${id}`}>
			<h1>${page.title}</h1>
			<section class="card placeholder">
				<p>${page.text}</p>
				<p class="muted">This page arrives with its module.</p>
			</section>
		</div>`;
}
