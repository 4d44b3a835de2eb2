/*
 * pages/dashboard.js: the landing page after sign-in.  A short welcome,
 * the shop's sales of the last 30 days and its backlog from
 * GET /api/v1/checkout/stats, and a summary of the event bus' health from
 * /api/v1/events/subscriptions (how many subscriptions there are, how far
 * behind they are in total, which ones lag or fail, with a link to the
 * Events page).
 *
 * Sales are drawn as inline SVG, no chart library: a bar per UTC day for
 * the revenue (left axis, in the shop's currency) and a line for the
 * orders (right axis); every bar has a <title> with the day's figures,
 * the SVG is labelled, and a visually hidden table repeats the figures
 * for screen readers.  The two backlog tiles link to the Orders list
 * filtered in its hash (#/orders?status=…): "Orders to fulfil" to the
 * paid orders (waiting to be prepared) and "Unpaid orders" to the
 * approved ones (waiting for their payment); under each tile every
 * status the count is made of links to its own list, because the list
 * filters one status at a time while a count may span several.
 */
import { html, useState } from '../vendor/preact-htm.js';
import { api } from '../api.js';
import { Section, Notice, Empty, usePolling } from '../ui.js';
import { formatMoney, plural, subscriptionStatus } from '../format.js';
import { ordersHash } from './orders/index.js';

const STATS = '/api/v1/checkout/stats?days=30';
const SETTINGS = '/api/v1/pricing/settings';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/* The chart's geometry, in SVG user units (the SVG scales to its box). */
const W = 760;
const H = 260;
const PAD = { left: 96, right: 44, top: 14, bottom: 34 };

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
			<${Sales} />
			<${Section} title="Event delivery" testid="dashboard-lag"
				actions=${html`<button class="btn" onClick=${reload}>Refresh</button>`}>
				<${Notice} kind="error">${error}<//>
				${subs === null && !error ? html`<p class="muted">Loading…</p>` : null}
				${subs !== null ? html`<${LagSummary} subs=${subs} />` : null}
			<//>
		</div>`;
}

/* ---- sales ---------------------------------------------------------------- */

function Sales() {
	const [stats, setStats] = useState(null);
	const [minor, setMinor] = useState(2);
	const [error, setError] = useState('');

	const reload = usePolling(async (alive) => {
		try {
			/* The currency's minor units come from pricing (JPY has 0). */
			const [r, ps] = await Promise.all([api('GET', STATS),
				api('GET', SETTINGS).catch(() => null)]);
			if (!alive.current)
				return;
			if (ps && ps.currency === r.currency && Number.isInteger(ps.minor_units))
				setMinor(ps.minor_units);
			setStats(r);
			setError('');
		} catch (e) {
			if (alive.current)
				setError(e.message);
		}
	}, 30000);

	return html`
		<${Section} title="Sales, last 30 days" testid="dashboard-sales"
			actions=${html`<button class="btn" onClick=${reload} data-testid="sales-refresh">Refresh</button>`}>
			<${Notice} kind="error" testid="sales-error">${error}<//>
			${stats === null && !error ? html`<p class="muted">Loading…</p>` : null}
			${stats !== null ? html`<${SalesBody} stats=${stats} minor=${minor} />` : null}
		<//>`;
}

function SalesBody({ stats, minor }) {
	const cur = stats.currency || '';
	const days = Array.isArray(stats.days) ? stats.days : [];
	const totals = stats.totals || { orders: 0, revenue: 0 };
	return html`
		<div class="stats">
			<div class="stat"><span class="stat-value" data-testid="sales-revenue">${formatMoney(totals.revenue, cur, minor)}</span>
				<span class="stat-label">revenue, last ${days.length} days</span></div>
			<div class="stat"><span class="stat-value" data-testid="sales-orders">${totals.orders}</span>
				<span class="stat-label">orders, last ${days.length} days</span></div>
			<${Tile} testid="tile-to-fulfil" label="Orders to fulfil" count=${stats.to_fulfil}
				queue="to_fulfil" parts=${stats.to_fulfil_by_status}
				names=${{ approved: 'cash on delivery (approved)' }} warn />
			<${Tile} testid="tile-unpaid" label="Unpaid orders" count=${stats.unpaid}
				queue="unpaid" parts=${stats.unpaid_by_status}
				names=${{ approved: 'awaiting payment' }} />
		</div>
		${totals.orders === 0
			? html`<div data-testid="sales-empty"><${Empty}>No orders in the last ${days.length} days yet:
				the chart appears with the first one.<//></div>`
			: html`<${SalesChart} days=${days} currency=${cur} minor=${minor} />`}
		<p class="muted small">Days in UTC. Revenue is what orders placed that day total, less
			what was refunded of them; cancelled orders are left out.</p>`;
}

/*
 * A backlog tile: the count links to the orders list of its queue (the
 * list's queue filter counts the same orders); parts ({status: n}) each
 * link to the queue's orders of that status, worded by names[status].
 */
function Tile({ testid, label, count, queue, parts, names, warn }) {
	const n = Number(count) || 0;
	const list = Object.entries(parts || {}).filter(([, v]) => v > 0);
	return html`
		<div class=${`stat stat-tile ${n && warn ? 'stat-warn' : ''}`} data-testid=${testid}>
			<a class="stat-link" href=${ordersHash({ queue })} data-testid=${`${testid}-link`}>
				<span class="stat-value" data-testid=${`${testid}-count`}>${n}</span>
				<span class="stat-label">${label}</span></a>
			${list.length ? html`<span class="stat-parts">${list.map(([s, v], i) => html`
				${i ? ' · ' : ''}<a key=${s} href=${ordersHash({ queue, status: s })}
					data-testid=${`${testid}-part`} data-status=${s}>${v} ${names[s] || s}</a>`)}</span>` : null}
		</div>`;
}

/* 1, 2 or 5 times a power of ten, at least x (x > 0). */
function niceStep(x) {
	const p = 10 ** Math.floor(Math.log10(x));
	for (const m of [1, 2, 5, 10])
		if (m * p >= x)
			return m * p;
	return 10 * p;
}

/* Up to four even steps from 0 that reach max (whole numbers only). */
function ticks(max) {
	const step = Math.max(1, niceStep(Math.max(max, 1) / 4));
	const out = [];
	for (let v = 0; out.length < 6; v += step) {
		out.push(v);
		if (v >= max)
			break;
	}
	return out;
}

/* "2026-11-01" -> "Nov 1", read as a UTC date (no time zone shift). */
function dayLabel(date) {
	const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(date || '');
	return m ? `${MONTHS[Number(m[1]) - 1]} ${Number(m[2])}` : String(date || '');
}

function SalesChart({ days, currency, minor }) {
	const n = days.length;
	const rt = ticks(Math.max(...days.map((d) => d.revenue), 0));
	const ot = ticks(Math.max(...days.map((d) => d.orders), 0));
	const rmax = rt[rt.length - 1] || 1;
	const omax = ot[ot.length - 1] || 1;
	const iw = W - PAD.left - PAD.right;
	const ih = H - PAD.top - PAD.bottom;
	const slot = iw / n;
	const bw = Math.max(2, slot * 0.7);
	const x = (i) => PAD.left + i * slot + slot / 2;
	const yr = (v) => PAD.top + ih - (Math.max(v, 0) / rmax) * ih;
	const yo = (v) => PAD.top + ih - (v / omax) * ih;
	const money = (v) => formatMoney(v, currency, minor);
	const label = `Revenue and orders per day from ${days[0].date} to ${days[n - 1].date}, in ${currency}`;
	const line = days.map((d, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${yo(d.orders).toFixed(1)}`).join(' ');
	/* A date label every few days, counted back from today so it has one. */
	const every = Math.ceil(n / 8);
	return html`
		<figure class="sales-chart" data-testid="sales-chart">
			<svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-labelledby="sales-svg-title sales-svg-desc"
				data-testid="sales-svg">
				<title id="sales-svg-title">${label}</title>
				<desc id="sales-svg-desc">Bars: revenue per day (left axis, ${currency}). Line: orders per day
					(right axis). The table below the chart lists the same figures.</desc>
				${rt.map((v) => html`
					<g key=${`r${v}`} class="axis">
						<line class="grid-line" x1=${PAD.left} x2=${W - PAD.right} y1=${yr(v)} y2=${yr(v)} />
						<text x=${PAD.left - 6} y=${yr(v) + 4} text-anchor="end"
							data-testid="sales-axis-money">${money(v)}</text>
					</g>`)}
				${ot.map((v) => html`
					<text key=${`o${v}`} class="axis axis-orders" x=${W - PAD.right + 6}
						y=${yo(v) + 4} text-anchor="start">${v}</text>`)}
				${days.map((d, i) => html`
					<g key=${d.date}>
						<rect class="bar" x=${x(i) - bw / 2} y=${yr(d.revenue)} width=${bw}
							height=${Math.max(0, PAD.top + ih - yr(d.revenue))}
							data-testid="sales-bar" data-date=${d.date} data-revenue=${d.revenue} data-orders=${d.orders}>
							<title>${`${d.date}: ${plural(d.orders, 'order')}, ${money(d.revenue)}`}</title></rect>
						${(n - 1 - i) % every === 0 ? html`<text class="axis" x=${x(i)} y=${H - 12}
							text-anchor="middle">${dayLabel(d.date)}</text>` : null}
					</g>`)}
				<path class="orders-line" d=${line} />
				${days.map((d, i) => d.orders > 0 ? html`<circle key=${`c${d.date}`} class="orders-dot"
					cx=${x(i)} cy=${yo(d.orders)} r="3"><title>${`${d.date}: ${plural(d.orders, 'order')}`}</title></circle>` : null)}
				<line class="axis-base" x1=${PAD.left} x2=${W - PAD.right} y1=${PAD.top + ih} y2=${PAD.top + ih} />
			</svg>
			<figcaption class="chart-legend" aria-hidden="true">
				<span class="legend-bar"></span> revenue (${currency})
				<span class="legend-line"></span> orders
			</figcaption>
			<table class="visually-hidden" data-testid="sales-table">
				<caption>Sales per day (UTC)</caption>
				<thead><tr><th scope="col">Date</th><th scope="col">Orders</th><th scope="col">Revenue</th></tr></thead>
				<tbody>${days.map((d) => html`<tr key=${d.date}><th scope="row">${d.date}</th>
					<td>${d.orders}</td><td>${money(d.revenue)}</td></tr>`)}</tbody>
			</table>
		</figure>`;
}

/* ---- event delivery ------------------------------------------------------- */

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
