/*
 * format.js: small pure helpers the pages share to turn API values into
 * text: timestamps in the reader's local time, a subscription's health,
 * counts with their noun.  No DOM and no state here, so they are easy to
 * reason about and to reuse on new module pages.
 */

const pad = (n, w = 2) => String(n).padStart(w, '0');

/* "2026-11-26 13:00:00" in local time, or the raw text if unparsable. */
export function formatTime(iso) {
	if (!iso)
		return '';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return String(iso);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
	    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/* "OK" or "retrying seq 13 (attempts 2): error text". */
export function subscriptionStatus(sub) {
	const f = sub && sub.failing;
	if (!f)
		return 'OK';
	return `retrying seq ${f.seq} (attempts ${f.attempts}): ${f.error || 'unknown error'}`;
}

/* "1 event", "3 events". */
export function plural(n, noun) {
	return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/* Pretty JSON for a <pre>; the caller renders it as text (escaped). */
export function prettyJson(value) {
	try {
		return JSON.stringify(value === undefined ? null : value, null, 2);
	} catch {
		return String(value);
	}
}
