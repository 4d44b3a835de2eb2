/*
 * nav.js: the hash router's single hashchange listener, and the guard that
 * keeps unsaved edits from being lost.  useHash() gives a component the
 * current location hash; useLeaveGuard(dirty) makes every in-app
 * navigation ask "Leave without saving?" while dirty is true (declining
 * puts the old hash back and nothing re-renders) and arms the browser's
 * own beforeunload prompt for reloads and closing the tab.
 */
import { useState, useEffect, useRef } from './vendor/preact-htm.js';

const listeners = new Set();
let current = window.location.hash;
let guard = null;		/* () => true to allow leaving */

window.addEventListener('hashchange', () => {
	const next = window.location.hash;
	if (next === current)
		return;
	if (guard && !guard()) {
		const { pathname, search } = window.location;
		window.history.replaceState(window.history.state, '', `${pathname}${search}${current}`);
		return;
	}
	current = next;
	for (const fn of listeners)
		fn(next);
});

/* The current hash, e.g. "#/catalog/products/prod_1". */
export function currentHash() {
	return current;
}

/* Calls fn(hash) after every accepted navigation; returns the unsubscribe. */
export function onHash(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

/* Goes to a hash as a link would (the leave guard applies). */
export function navigate(hash) {
	window.location.hash = hash;
}

export function useHash() {
	const [hash, setHash] = useState(current);
	useEffect(() => onHash(setHash), []);
	return hash;
}

export const LEAVE_QUESTION = 'You have unsaved changes. Leave this page without saving them?';

/* While dirty, navigating away asks first; so do reload and tab close. */
export function useLeaveGuard(dirty) {
	const dirtyRef = useRef(dirty);
	dirtyRef.current = dirty;
	useEffect(() => {
		const mine = () => !dirtyRef.current || window.confirm(LEAVE_QUESTION);
		guard = mine;
		const onUnload = (e) => {
			if (dirtyRef.current) {
				e.preventDefault();
				e.returnValue = '';
			}
		};
		window.addEventListener('beforeunload', onUnload);
		return () => {
			if (guard === mine)
				guard = null;
			window.removeEventListener('beforeunload', onUnload);
		};
	}, []);
	return dirtyRef;
}
