/*
 * pages/events.js: the event bus seen from the admin.  Three sections:
 * the most recent events of every module (click a row for its payload),
 * the subscriptions with their cursor, head, lag and retry state, and the
 * dead letters (events a subscriber gave up on) with a Retry button each.
 * All three reload together every 5 seconds while the page is shown, on
 * "Refresh", and after a retry.
 */
import { html, useState } from '../vendor/preact-htm.js';
import { api } from '../api.js';
import { Section, Notice, Empty, Caret, usePolling, useExpanded } from '../ui.js';
import { formatTime, subscriptionStatus, prettyJson, plural } from '../format.js';

const SOURCES = {
	recent: '/api/v1/events/recent?limit=50',
	subs: '/api/v1/events/subscriptions',
	dead: '/api/v1/events/dead?limit=50',
};

export function Events() {
	const [lists, setLists] = useState({ recent: null, subs: null, dead: null });
	const [errors, setErrors] = useState({});
	const [loadedAt, setLoadedAt] = useState(null);
	const [notice, setNotice] = useState(null);
	const [retrying, setRetrying] = useState(null);

	const reload = usePolling(async (alive) => {
		const keys = Object.keys(SOURCES);
		const got = await Promise.allSettled(keys.map((k) => api('GET', SOURCES[k])));
		if (!alive.current)
			return;
		const next = {};
		const errs = {};
		got.forEach((r, i) => {
			if (r.status === 'fulfilled')
				next[keys[i]] = Array.isArray(r.value && r.value.data) ? r.value.data : [];
			else
				errs[keys[i]] = r.reason.message;
		});
		setLists((prev) => ({ ...prev, ...next }));
		setErrors(errs);
		setLoadedAt(new Date().toISOString());
	}, 5000);

	async function retry(d) {
		setRetrying(`${d.subscriber}/${d.id}`);
		setNotice(null);
		const path = `/api/v1/events/dead/${encodeURIComponent(d.subscriber)}/` +
		    `${encodeURIComponent(d.id)}/retry`;
		try {
			await api('POST', path, {});
			setNotice({ kind: 'ok', text: `Dead letter ${d.id} (${d.type}) was delivered to ${d.subscriber}.` });
		} catch (e) {
			setNotice({ kind: 'error', text: `Retry of dead letter ${d.id} failed: ${e.message}` });
		} finally {
			setRetrying(null);
			reload();
		}
	}

	return html`
		<div data-testid="page-events">
			<div class="page-head">
				<h1>Events</h1>
				<div class="page-actions">
					${loadedAt ? html`<span class="muted small" data-testid="events-updated">
						Updated ${formatTime(loadedAt)}</span>` : null}
					<button class="btn" onClick=${reload} data-testid="events-refresh">Refresh</button>
				</div>
			</div>
			<p class="lead">Every change a module makes is published as an event; other
				modules keep their own copies up to date by subscribing to them.</p>
			<${Notice} kind=${notice ? notice.kind : 'info'} testid="events-notice">${notice && notice.text}<//>
			<${Section} title="Recent events" testid="events-recent"
				intro="The latest 50 events of all modules, newest first. Click a row to see its payload.">
				<${Notice} kind="error">${errors.recent}<//>
				<${RecentTable} events=${lists.recent} />
			<//>
			<${Section} title="Subscriptions" testid="events-subscriptions"
				intro="Each subscriber's position in each module's event log.">
				<${Notice} kind="error">${errors.subs}<//>
				<${SubscriptionTable} subs=${lists.subs} />
			<//>
			<${Section} title="Dead letters" testid="events-dead"
				intro="Events a subscriber failed to handle after all its retries.">
				<${Notice} kind="error">${errors.dead}<//>
				<${DeadTable} dead=${lists.dead} retrying=${retrying} onRetry=${retry} />
			<//>
		</div>`;
}

function Loading() {
	return html`<p class="muted">Loading…</p>`;
}

function RecentTable({ events }) {
	const { isOpen, rowProps } = useExpanded();
	if (events === null)
		return html`<${Loading} />`;
	if (events.length === 0)
		return html`<${Empty}>No events yet.<//>`;
	return html`
		<div class="table-wrap">
		<table class="grid">
			<thead><tr>
				<th>Time</th><th>Source</th><th class="num">Seq</th><th>Type</th><th>Aggregate</th>
			</tr></thead>
			${events.map((ev) => {
				const open = isOpen(ev.id);
				return html`
				<tbody key=${ev.id} class=${open ? 'open' : ''}>
					<tr ...${rowProps(ev.id)} data-testid="event-row" data-type=${ev.type}>
						<td class="nowrap" title=${ev.occurred_at}>${formatTime(ev.occurred_at)}</td>
						<td>${ev.source}</td>
						<td class="num">${ev.seq}</td>
						<td class="nowrap"><${Caret} open=${open} /> <code>${ev.type}</code></td>
						<td><code class="id">${ev.aggregate_id}</code></td>
					</tr>
					${open ? html`<tr class="detail"><td colspan="5">
						<dl class="meta">
							<dt>id</dt><dd><code>${ev.id}</code></dd>
							<dt>version</dt><dd>${ev.version}</dd>
							<dt>occurred at</dt><dd><code>${ev.occurred_at}</code></dd>
							<dt>correlation</dt><dd><code>${ev.correlation_id || '\u2014'}</code></dd>
						</dl>
						<pre data-testid="event-payload">${prettyJson(ev.payload)}</pre>
					</td></tr>` : null}
				</tbody>`;
			})}
		</table>
		</div>`;
}

function SubscriptionTable({ subs }) {
	if (subs === null)
		return html`<${Loading} />`;
	if (subs.length === 0)
		return html`<${Empty}>No subscriptions yet: modules subscribe as they land.<//>`;
	return html`
		<div class="table-wrap">
		<table class="grid">
			<thead><tr>
				<th>Subscriber</th><th>Source</th><th class="num">Cursor</th><th class="num">Head</th>
				<th class="num">Lag</th><th>Status</th>
			</tr></thead>
			<tbody>
			${subs.map((s) => html`
				<tr key=${`${s.subscriber}/${s.source}`} data-testid="subscription-row">
					<td>${s.subscriber}</td>
					<td>${s.source}</td>
					<td class="num">${s.cursor}</td>
					<td class="num">${s.head}</td>
					<td class=${`num ${Number(s.lag) > 0 ? 'warn' : ''}`}>${s.lag}</td>
					<td>${s.failing
						? html`<span class="badge badge-bad" title=${s.failing.next_at
							? `next attempt ${formatTime(s.failing.next_at)}` : ''}>${subscriptionStatus(s)}</span>`
						: html`<span class="badge badge-ok">OK</span>`}</td>
				</tr>`)}
			</tbody>
		</table>
		</div>`;
}

function DeadTable({ dead, retrying, onRetry }) {
	const { isOpen, rowProps } = useExpanded();
	if (dead === null)
		return html`<${Loading} />`;
	if (dead.length === 0)
		return html`<${Empty}>No dead letters. Every event was handled.<//>`;
	return html`
		<p class="muted small">${plural(dead.length, 'dead letter')}. Click a row for the
			error and the event.</p>
		<div class="table-wrap">
		<table class="grid">
			<thead><tr>
				<th>Dead since</th><th>Subscriber</th><th>Type</th><th class="num">Seq</th>
				<th class="num">Attempts</th><th>Error</th><th></th>
			</tr></thead>
			${dead.map((d) => {
				const key = `${d.subscriber}/${d.id}`;
				const open = isOpen(key);
				return html`
				<tbody key=${key} class=${open ? 'open' : ''}>
					<tr ...${rowProps(key)} data-testid="dead-row">
						<td class="nowrap" title=${d.dead_at}>${formatTime(d.dead_at)}</td>
						<td>${d.subscriber}</td>
						<td class="nowrap"><${Caret} open=${open} /> <code>${d.type}</code></td>
						<td class="num" title=${`${d.source} #${d.seq}`}>${d.seq}</td>
						<td class="num">${d.attempts}</td>
						<td class="error-text clip" title=${d.error}>${d.error}</td>
						<td class="actions"><button class="btn btn-small" data-testid="dead-retry"
							disabled=${retrying !== null}
							onClick=${() => onRetry(d)}>${retrying === key ? 'Retrying\u2026' : 'Retry'}</button></td>
					</tr>
					${open ? html`<tr class="detail"><td colspan="7">
						<dl class="meta">
							<dt>source</dt><dd>${d.source}, seq ${d.seq}</dd>
							<dt>dead letter</dt><dd>${d.id}</dd>
							<dt>error</dt><dd class="error-text">${d.error}</dd>
						</dl>
						<pre data-testid="dead-envelope">${prettyJson(d.envelope)}</pre>
					</td></tr>` : null}
				</tbody>`;
			})}
		</table>
		</div>`;
}
