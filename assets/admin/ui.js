/*
 * ui.js: the few building blocks every admin page uses, so the pages stay
 * short and look alike: a titled card section, a notice line for errors and
 * confirmations, the notice of a stale edit (412), an empty-state line, useExpanded() for table rows that
 * open a detail row on click or Enter, and usePolling(), a hook that runs a
 * loader now and then every few seconds while the page is shown (skipping
 * ticks while the browser tab is hidden or a load is still running).
 */
import { html, useEffect, useRef, useCallback, useState } from './vendor/preact-htm.js';

/* A card with a heading, optional actions on the right and a body. */
export function Section({ title, testid, actions, intro, children }) {
	return html`
		<section class="card" data-testid=${testid} aria-label=${title}>
			<div class="card-head">
				<h2>${title}</h2>
				${actions ? html`<div class="card-actions">${actions}</div>` : null}
			</div>
			${intro ? html`<p class="muted">${intro}</p>` : null}
			${children}
		</section>`;
}

/* A one-line message: kind is "error", "ok" or "info". */
export function Notice({ kind = 'info', testid, children }) {
	if (!children)
		return null;
	return html`<p class=${`notice notice-${kind}`} role=${kind === 'error' ? 'alert' : 'status'}
		data-testid=${testid}>${children}</p>`;
}

/*
 * An edit page's answer to a 412: the `what` changed since the page read
 * it, with a Reload button (onReload).  testid names the notice,
 * reloadTestid (optional) the button.
 */
export function StaleNotice({ what, testid, reloadTestid, onReload }) {
	return html`
		<div class="notice notice-error notice-row" role="alert" data-testid=${testid}>
			<span>This ${what} changed since you opened it \u2014 reload it to see the
				current version, then make your change again.</span>
			<button type="button" class="btn btn-small" onClick=${onReload}
				data-testid=${reloadTestid}>Reload</button>
		</div>`;
}

export function Empty({ children }) {
	return html`<p class="empty">${children}</p>`;
}

/*
 * Calls load() at once and every `ms` while mounted.  Returns a function
 * that loads now; calls made during a load run once more after it.
 */
export function usePolling(load, ms) {
	const busy = useRef(false);
	const again = useRef(false);
	const alive = useRef(true);
	const latest = useRef(load);
	latest.current = load;

	const run = useCallback(async () => {
		if (busy.current) {
			again.current = true;
			return;
		}
		busy.current = true;
		try {
			do {
				again.current = false;
				await latest.current(alive);
			} while (again.current && alive.current);
		} finally {
			busy.current = false;
		}
	}, []);

	useEffect(() => {
		alive.current = true;
		run();
		const id = ms ? setInterval(() => {
			if (!document.hidden)
				run();
		}, ms) : 0;
		return () => {
			alive.current = false;
			clearInterval(id);
		};
	}, [run, ms]);
	return run;
}

/*
 * Which rows of a table are open.  rowProps(key) gives a <tr> what it needs
 * to open and close on click, Enter or Space, and to say so to assistive
 * technology; isOpen(key) tells whether to render its detail row.
 */
export function useExpanded() {
	const [open, setOpen] = useState(() => new Set());
	const toggle = (key) => setOpen((prev) => {
		const next = new Set(prev);
		if (next.has(key))
			next.delete(key);
		else
			next.add(key);
		return next;
	});
	const isOpen = (key) => open.has(key);
	const rowProps = (key) => ({
		class: 'clickable',
		tabindex: '0',
		'aria-expanded': open.has(key) ? 'true' : 'false',
		onClick: (e) => {
			if (!e.target.closest('button, a, summary'))
				toggle(key);
		},
		onKeyDown: (e) => {
			if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) {
				e.preventDefault();
				toggle(key);
			}
		},
	});
	return { isOpen, rowProps };
}

/* The caret shown in the first cell of an expandable row. */
export function Caret({ open }) {
	return html`<span class="caret" aria-hidden="true">${open ? '\u25be' : '\u25b8'}</span>`;
}
