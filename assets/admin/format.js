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

/*
 * Money is an integer count of minor units (1999 is 19.99 EUR); the admin
 * turns it into text and back with string arithmetic only, never through a
 * float: formatMinor(1999, 2) is "19.99", parseMajor("19.99", 2) is 1999.
 */

/* "1999" -> "19.99" for minor = 2 (no grouping: fits an input). */
export function formatMinor(amount, minor = 2) {
	if (amount === null || amount === undefined || amount === '')
		return '';
	const neg = Number(amount) < 0;
	let digits = String(Math.abs(Math.trunc(Number(amount))));
	if (minor <= 0)
		return (neg ? '-' : '') + digits;
	digits = digits.padStart(minor + 1, '0');
	return `${neg ? '-' : ''}${digits.slice(0, -minor)}.${digits.slice(-minor)}`;
}

/* "1,234.50 EUR" for 123450 minor units of EUR (2 minor units). */
export function formatMoney(amount, currency = '', minor = 2) {
	if (amount === null || amount === undefined)
		return '';
	const text = formatMinor(amount, minor);
	const [whole, frac] = text.replace(/^-/, '').split('.');
	const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	const sign = text.startsWith('-') ? '-' : '';
	return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}${currency ? ` ${currency}` : ''}`;
}

/*
 * A typed or pasted decimal as an integer of minor units, or null when it
 * is not one: "19.99", "19,99", "1,234.50", "1.234,50", "€ 19.9", "20".
 * The last "." or "," is the decimal point unless the same separator
 * comes earlier too (then all of them group thousands).  More decimals
 * than the currency has (unless zeros) are refused, not rounded.
 */
export function parseMajor(text, minor = 2, max = 1e15) {
	let t = String(text === null || text === undefined ? '' : text).trim();
	t = t.replace(/^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$/g, '').replace(/[\s\u00a0\u202f'€$£¥]/g, '');
	const neg = t.startsWith('-');
	if (neg)
		t = t.slice(1);
	if (!/^[\d.,]+$/.test(t) || !/\d/.test(t))
		return null;
	let whole = t;
	let frac = '';
	const at = Math.max(t.lastIndexOf('.'), t.lastIndexOf(','));
	if (at >= 0) {
		const sep = t[at];
		const before = t.slice(0, at);
		const after = t.slice(at + 1);
		const other = sep === '.' ? ',' : '.';
		/*
		 * "1,23", "0,500", "1.234,5" are decimal; "1,234,567" groups.  A
		 * lone separator before three digits ("19.999") could be either,
		 * so it is refused rather than guessed.
		 */
		const lone = !before.includes(sep) && !before.includes(other);
		if (lone && after.length === 3 && minor < 3 && !/^0*$/.test(before))
			return null;
		const decimal = before.includes(other) || lone;
		if (decimal) {
			whole = before;
			frac = after;
		}
	}
	if (/[.,]/.test(whole) && !/^\d{1,3}(\.\d{3})*$|^\d{1,3}(,\d{3})*$/.test(whole))
		return null;
	if (!/^\d*$/.test(frac))
		return null;
	whole = whole.replace(/[.,]/g, '');
	if (frac.length > minor) {
		if (!/^0*$/.test(frac.slice(minor)))
			return null;
		frac = frac.slice(0, minor);
	}
	const digits = `${whole}${frac.padEnd(minor, '0')}`.replace(/^0+(?=\d)/, '');
	if (digits.length > 16)
		return null;
	const n = Number(digits);
	if (!Number.isSafeInteger(n) || n > max)
		return null;
	return neg ? (n === 0 ? 0 : -n) : n;
}
