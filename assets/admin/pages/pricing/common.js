/*
 * pages/pricing/common.js: what the pricing pages share: the API path,
 * the shop's pricing settings (currency and its minor units, which every
 * money input needs) loaded once and refreshed when staff change them,
 * tax rates shown and typed as percentages (parts per 100,000 on the wire:
 * "5.5" is 5500, by the same string arithmetic as money), RFC 3339 times
 * to and from a datetime-local input, a loader that follows `next`
 * cursors, and useSaveKey() for Ctrl+S.  Form fields and 422 mapping come
 * from the catalog pages, so both sections read alike.
 */
import { useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { formatMinor, parseMajor } from '../../format.js';

export {
	Field, FieldError, fieldErrors, otherErrors, errorFor, Loading, useTitle,
} from '../catalog/common.js';

export const PRICING = '/api/v1/pricing';
export const RATE_ONE = 100000;

/* "unknown-sku" from a problem's type URI, or ''. */
export function problemType(e) {
	return String(e && e.problem && e.problem.type || '').replace(/^.*\//, '');
}

let settingsCache = null;		/* a promise of the settings */
const settingsListeners = new Set();

/* The pricing settings, loaded once per page load (public endpoint). */
export function loadSettings(fresh) {
	if (!settingsCache || fresh) {
		settingsCache = api('GET', `${PRICING}/settings`);
		settingsCache.catch(() => {
			settingsCache = null;
		});
	}
	return settingsCache;
}

/* After a save of the settings: every page showing money follows. */
export function settingsChanged(s) {
	settingsCache = Promise.resolve(s);
	for (const fn of settingsListeners)
		fn(s);
}

/* { currency, minor_units, … } once loaded, else null; error in .error. */
export function useSettings() {
	const [s, setS] = useState(null);
	const [error, setError] = useState('');
	useEffect(() => {
		let alive = true;
		loadSettings().then((v) => alive && setS(v)).catch((e) => alive && setError(e.message));
		settingsListeners.add(setS);
		return () => {
			alive = false;
			settingsListeners.delete(setS);
		};
	}, []);
	return { settings: s, error };
}

export const minorOf = (s) => (s && Number.isInteger(s.minor_units) ? s.minor_units : 2);

/* A money input's text for an amount ('' for none). */
export const moneyText = (amount, s) => (amount === null || amount === undefined
    ? '' : formatMinor(amount, minorOf(s)));

/* Typed text as minor units; null when it is not an amount (>= 0). */
export function parseMoney(text, s) {
	const v = parseMajor(text, minorOf(s));
	return v === null || v < 0 ? null : v;
}

/* 19000 -> "19", 5500 -> "5.5", 8875 -> "8.875". */
export function percentText(rate) {
	if (rate === null || rate === undefined)
		return '';
	return formatMinor(rate, 3).replace(/\.?0+$/, '');
}

/* "5.5" (or "5,5 %") -> 5500; null unless 0..100 with at most 3 decimals. */
export function parsePercent(text) {
	const t = String(text || '').replace(/%/g, '').trim();
	const v = parseMajor(t, 3, RATE_ONE);
	return v === null || v < 0 ? null : v;
}

const pad = (n) => String(n).padStart(2, '0');

/* RFC 3339 -> "2026-12-01T09:30" in local time, for datetime-local. */
export function isoToLocalInput(iso) {
	if (!iso)
		return '';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return '';
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
	    `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/* A datetime-local value (local time) -> RFC 3339 in UTC, or null. */
export function localInputToIso(value) {
	if (!value)
		return null;
	const d = new Date(value);
	return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/* Every row of a paged list (data + next cursor), up to max rows. */
export async function loadAll(path, max = 5000) {
	const out = [];
	let after = null;
	for (;;) {
		const sep = path.includes('?') ? '&' : '?';
		const r = await api('GET', `${path}${sep}limit=200${after ? `&after=${encodeURIComponent(after)}` : ''}`);
		const data = Array.isArray(r && r.data) ? r.data : [];
		out.push(...data);
		if (!r || r.next === null || r.next === undefined || data.length === 0 || out.length >= max)
			return out;
		after = String(r.next);
	}
}

/* Calls save() on Ctrl+S (Cmd+S) while the component is mounted. */
export function useSaveKey(save) {
	const ref = useRef(save);
	ref.current = save;
	useEffect(() => {
		const onKey = (e) => {
			if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 's' || e.key === 'S')) {
				e.preventDefault();
				ref.current();
			}
		};
		window.addEventListener('keydown', onKey);
		return () => window.removeEventListener('keydown', onKey);
	}, []);
}
