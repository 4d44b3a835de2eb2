/*
 * app.js: the admin UI's entry point.  It renders the sign-in page or the
 * shell (header with the shop name, the signed-in user and "Sign out"; a
 * side navigation; the current page) depending on the session kept by
 * api.js, and routes with the URL hash (#/events, #/catalog ...) through
 * nav.js, which also holds back navigation while a page has unsaved edits.
 * The catalog, pricing and orders have sub-pages of their own (#/catalog/products/
 * <id>, #/pricing/groups/<id>, #/orders/<id> ...).  At
 * load it silently restores a session from the refresh cookie.  Loaded as an ES
 * module by index.html; no inline script or style anywhere (strict CSP).
 */
import { html, render, useState, useEffect } from './vendor/preact-htm.js';
import { getSession, onSession, restore, signOut } from './api.js';
import { SignIn } from './pages/signin.js';
import { Dashboard } from './pages/dashboard.js';
import { Events } from './pages/events.js';
import { ModulePage } from './pages/modules.js';
import { Catalog } from './pages/catalog/index.js';
import { Pricing } from './pages/pricing/index.js';
import { Orders } from './pages/orders/index.js';
import { currentHash, onHash } from './nav.js';

const NAV = [
	{ id: 'dashboard', label: 'Dashboard' },
	{ id: 'catalog', label: 'Catalog' },
	{ id: 'pricing', label: 'Pricing' },
	{ id: 'orders', label: 'Orders', hint: 'checkout' },
	{ id: 'loyalty', label: 'Loyalty' },
	{ id: 'content', label: 'Content', hint: 'CMS' },
	{ id: 'events', label: 'Events' },
];

function routeFromHash() {
	const m = /^#\/([a-z]+)/.exec(currentHash());
	const id = m ? m[1] : '';
	return NAV.some((n) => n.id === id) ? id : 'dashboard';
}

function useRoute() {
	const [route, setRoute] = useState(routeFromHash);
	useEffect(() => onHash(() => setRoute(routeFromHash())), []);
	return route;
}

function useSession() {
	const [session, setSession] = useState(getSession);
	useEffect(() => onSession(setSession), []);
	return session;
}

function Page({ route, user }) {
	switch (route) {
	case 'events':
		return html`<${Events} />`;
	case 'catalog':
		return html`<${Catalog} />`;
	case 'pricing':
		return html`<${Pricing} />`;
	case 'orders':
		return html`<${Orders} />`;
	case 'dashboard':
		return html`<${Dashboard} user=${user} />`;
	default:
		return html`<${ModulePage} id=${route} />`;
	}
}

function Header({ user }) {
	const [busy, setBusy] = useState(false);
	async function out() {
		setBusy(true);
		await signOut();
	}
	return html`
		<header class="top">
			<a class="brand" href="#/dashboard">mercato <span class="brand-tag">admin</span></a>
			<div class="who">
				<span class="whoami" data-testid="whoami" title=${user.name || ''}>${user.email}</span>
				<span class="role">${user.role}</span>
				<button class="btn" onClick=${out} disabled=${busy} data-testid="signout">Sign out</button>
			</div>
		</header>`;
}

function Nav({ route }) {
	return html`
		<nav class="side" aria-label="Main">
			<ul>
				${NAV.map((n) => html`
					<li key=${n.id}>
						<a href=${`#/${n.id}`} class=${route === n.id ? 'active' : ''}
							aria-current=${route === n.id ? 'page' : null}
							data-testid=${`nav-${n.id}`}>
							${n.label}${n.hint ? html` <span class="hint">${n.hint}</span>` : null}
						</a>
					</li>`)}
			</ul>
		</nav>`;
}

function Shell({ user }) {
	const route = useRoute();
	useEffect(() => {
		const item = NAV.find((n) => n.id === route);
		document.title = `${item.label} · mercato admin`;
		window.scrollTo(0, 0);
	}, [route]);
	return html`
		<div class="shell">
			<${Header} user=${user} />
			<${Nav} route=${route} />
			<main id="main" class="content" tabindex="-1">
				<${Page} key=${route} route=${route} user=${user} />
			</main>
		</div>`;
}

function App() {
	const session = useSession();
	useEffect(() => {
		restore();
	}, []);
	if (session.state === 'starting')
		return html`<p class="boot" data-testid="boot">Loading…</p>`;
	if (session.state !== 'in')
		return html`<${SignIn} notice=${session.notice} />`;
	return html`<${Shell} user=${session.user} />`;
}

render(html`<${App} />`, document.getElementById('app'));
