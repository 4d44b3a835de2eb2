/*
 * pages/dashboard.js: the landing page after sign-in.  A short welcome and
 * a summary of the event bus' health from /api/v1/events/subscriptions:
 * how many subscriptions there are, how far behind they are in total, and
 * which ones lag or fail, with a link to the Events page for the details.
 */
import { html, useState } from '../vendor/preact-htm.js';
import { api } from '../api.js';
import { Section, Notice, Empty, usePolling } from '../ui.js';
import { plural, subscriptionStatus } from '../format.js';

export function Dashboard({ user }) {
	const [subs, setSubs] = useState(null);
	const [error, setError] = useState('');

	const reload = usePolling(async (alive) => {
		try {
			const r = await api('GET', '/api/v1/events/subscriptions');
			if (!alive.current)
				return;
			setSubs(Array.isArray(r && r.data) ? r.data : []);
			setError('');
		} catch (e) {
			if (alive.current)
				setError(e.message);
		}
	}, 10000);

	const who = user && (user.name || user.email);
	return html`
		<div data-testid="page-dashboard">
			<h1>Welcome${who ? `, ${who}` : ''}</h1>
			<p class="lead">This is the back office of your shop. Use the menu on the
				left to reach each part of it; the Events page shows how the parts
				keep each other up to date.</p>
			<${Section} title="Event delivery" testid="dashboard-lag"
				actions=${html`<button class="btn" onClick=${reload}>Refresh</button>`}>
				<${Notice} kind="error">${error}<//>
				${subs === null && !error ? html`<p class="muted">Loading…</p>` : null}
				${subs !== null ? html`<${LagSummary} subs=${subs} />` : null}
			<//>
		</div>`;
}

function LagSummary({ subs }) {
	if (subs.length === 0)
		return html`<${Empty}>No subscriptions yet: modules subscribe as they land.<//>`;
	const lag = subs.reduce((n, s) => n + (Number(s.lag) || 0), 0);
	const failing = subs.filter((s) => s.failing);
	const behind = subs.filter((s) => s.failing || Number(s.lag) > 0);
	return html`
		<div class="stats">
			<div class="stat"><span class="stat-value">${subs.length}</span>
				<span class="stat-label">subscriptions</span></div>
			<div class=${`stat ${lag ? 'stat-warn' : ''}`}><span class="stat-value">${lag}</span>
				<span class="stat-label">events waiting</span></div>
			<div class=${`stat ${failing.length ? 'stat-bad' : ''}`}>
				<span class="stat-value">${failing.length}</span>
				<span class="stat-label">failing</span></div>
		</div>
		${behind.length === 0
			? html`<p class="ok-line">All subscribers are up to date.</p>`
			: html`<ul class="plain">
				${behind.map((s) => html`<li key=${`${s.subscriber}/${s.source}`}>
					<strong>${s.subscriber}</strong> ← ${s.source}:
					${plural(Number(s.lag) || 0, 'event')} behind; ${subscriptionStatus(s)}</li>`)}
			</ul>`}
		<p><a href="#/events">See all events and dead letters</a></p>`;
}
