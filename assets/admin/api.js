/*
 * api.js: the admin's only door to the server.  It holds the access token in
 * a module variable (never in localStorage or sessionStorage, never on
 * window), signs in and out, restores a session from the HttpOnly refresh
 * cookie the server sets on /api/v1/auth, refreshes the token shortly before
 * it expires, retries a request once after a 401 and then gives up to the
 * sign-in page.  RFC 9457 problem+json answers become ApiError objects whose
 * message is the server's own detail text.  Pages listen to the session with
 * onSession() and call the API with api(method, path, body), or with
 * apiExchange() when they need request headers (If-Match) or the answer's
 * ETag, or apiFile() for a file download (a Blob).
 */

const AUTH = '/api/v1/auth';
const ADMIN_ROLES = ['staff', 'admin'];
export const NO_ACCESS = 'This account has no access to the admin.';
const ENDED = 'Your session has ended. Please sign in again.';

let accessToken = null;		/* the bearer token, in memory only */
let refreshTimer = 0;
let refreshing = null;		/* the one refresh in flight, shared */
let session = { state: 'starting', user: null, notice: '' };
const listeners = new Set();

/* An answer that was not 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
	constructor(status, problem, retryAfter) {
		super(describe(status, problem, retryAfter));
		this.name = 'ApiError';
		this.status = status;
		this.problem = problem || null;
		this.retryAfter = retryAfter || null;
	}
}

function describe(status, problem, retryAfter) {
	let text = sentence(problem && (problem.detail || problem.title));
	if (status === 0 && !text)
		text = 'The server cannot be reached. Check your connection.';
	if (status === 429) {
		text = text || 'Too many attempts.';
		const secs = /^\d+$/.test(retryAfter || '') ? Number(retryAfter) : 0;
		if (secs > 0) {
			const wait = secs < 90 ? `${secs} seconds` : `${Math.ceil(secs / 60)} minutes`;
			text += ` You can try again in ${wait}.`;
		}
	}
	return text || `The server answered ${status}.`;
}

/* "the email or password is wrong" -> "The email or password is wrong." */
function sentence(text) {
	if (typeof text !== 'string' || text.trim() === '')
		return '';
	const t = text.trim();
	return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/* The current session: { state: starting|out|in, user, notice }. */
export function getSession() {
	return session;
}

/* Calls fn on every session change; returns the unsubscribe function. */
export function onSession(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

function setSession(next) {
	session = next;
	for (const fn of listeners)
		fn(session);
}

/*
 * One HTTP exchange with JSON in and out; throws ApiError unless 2xx.
 * Returns { data, etag }: the parsed body and the ETag header (or null).
 */
async function exchange(method, path, body, token, extra) {
	const headers = { ...extra, Accept: 'application/json' };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (token)
		headers.Authorization = `Bearer ${token}`;
	let res;
	try {
		res = await fetch(path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			cache: 'no-store',
		});
	} catch {
		throw new ApiError(0, null);
	}
	let data = null;
	if (res.status !== 204 && /json/.test(res.headers.get('Content-Type') || '')) {
		try {
			data = await res.json();
		} catch {
			data = null;
		}
	}
	if (!res.ok)
		throw new ApiError(res.status, data, res.headers.get('Retry-After'));
	return { data, etag: res.headers.get('ETag') };
}

async function send(method, path, body, token) {
	return (await exchange(method, path, body, token)).data;
}

/* Asks the token endpoint for an access token and keeps it. */
async function grant(body) {
	const t = await send('POST', `${AUTH}/token`, { ...body, refresh_cookie: true });
	if (!t || typeof t.access_token !== 'string' || t.access_token === '')
		throw new ApiError(0, { detail: 'The server sent no access token.' });
	accessToken = t.access_token;
	schedule(Number(t.expires_in) > 0 ? Number(t.expires_in) : 900);
}

/* Refreshes a minute (or a fifth of the lifetime) before expiry. */
function schedule(seconds) {
	clearTimeout(refreshTimer);
	const lead = Math.min(60, seconds / 5);
	const ms = Math.max(5, seconds - lead) * 1000;
	refreshTimer = setTimeout(() => {
		refresh().catch((e) => {
			if (e.status === 0)
				schedule(60);	/* offline: try again later */
			else
				end(ENDED);
		});
	}, Math.min(ms, 2 ** 31 - 1));
}

/* One refresh at a time: refresh tokens rotate, so never two at once. */
function refresh() {
	if (!refreshing) {
		refreshing = grant({ grant_type: 'refresh_token' }).finally(() => {
			refreshing = null;
		});
	}
	return refreshing;
}

function forget() {
	accessToken = null;
	clearTimeout(refreshTimer);
	refreshTimer = 0;
}

function end(notice) {
	forget();
	if (session.state !== 'out' || notice)
		setSession({ state: 'out', user: null, notice: notice || '' });
}

async function revokeQuietly() {
	try {
		await send('POST', `${AUTH}/revoke`, { refresh_cookie: true }, accessToken);
	} catch {
		/* the token dies with its short lifetime anyway */
	}
}

/* Loads the signed-in user; only staff and admins may stay. */
async function admit() {
	let user;
	try {
		user = await send('GET', `${AUTH}/me`, undefined, accessToken);
	} catch (e) {
		forget();
		throw e;
	}
	if (!user || !ADMIN_ROLES.includes(user.role)) {
		await revokeQuietly();
		forget();
		throw new ApiError(403, { detail: NO_ACCESS });
	}
	setSession({ state: 'in', user, notice: '' });
}

/* Signs in with email and password; throws ApiError with a message to show. */
export async function signIn(email, password) {
	forget();
	await grant({ grant_type: 'password', username: email, password });
	await admit();
}

/* At page load: resumes the session from the refresh cookie, if any. */
export async function restore() {
	try {
		await refresh();
		await admit();
	} catch (e) {
		/* 400/401 just means "no session": no need to say so. */
		const say = e.status === 0 || e.status === 403 || e.status >= 429;
		end(say ? e.message : '');
	}
}

/* Revokes the refresh token (the server clears the cookie) and forgets. */
export async function signOut() {
	await revokeQuietly();
	end('');
}

async function refreshOrEnd() {
	try {
		await refresh();
	} catch (e) {
		if (e.status !== 0)
			end(ENDED);
		throw e;
	}
}

/*
 * Calls the API as the signed-in user.  After a 401 it refreshes once and
 * tries again; a second 401 ends the session.  Returns the parsed JSON.
 */
export async function api(method, path, body) {
	return (await apiExchange(method, path, body)).data;
}

/*
 * The same as api(), with extra request headers (e.g. If-Match), resolving
 * to { data, etag } so a page can keep the version it edits.
 */
export async function apiExchange(method, path, body, headers = {}) {
	return withToken((token) => exchange(method, path, body, token, headers));
}

/*
 * Runs call(token) as the signed-in user: after a 401 it refreshes once and
 * tries again; a second 401 ends the session.
 */
async function withToken(call) {
	if (!accessToken)
		await refreshOrEnd();
	try {
		return await call(accessToken);
	} catch (e) {
		if (e.status !== 401)
			throw e;
	}
	await refreshOrEnd();
	try {
		return await call(accessToken);
	} catch (e) {
		if (e.status === 401)
			end(ENDED);
		throw e;
	}
}

/* One GET whose answer is a file, not JSON; throws ApiError unless 2xx. */
async function fetchFile(path, token) {
	let res;
	try {
		res = await fetch(path, {
			headers: { Authorization: `Bearer ${token}` },
			credentials: 'same-origin',
			cache: 'no-store',
		});
	} catch {
		throw new ApiError(0, null);
	}
	if (!res.ok) {
		let problem = null;
		if (/json/.test(res.headers.get('Content-Type') || '')) {
			try {
				problem = await res.json();
			} catch {
				problem = null;
			}
		}
		throw new ApiError(res.status, problem, res.headers.get('Retry-After'));
	}
	try {
		return await res.blob();
	} catch {
		throw new ApiError(0, null);
	}
}

/*
 * Downloads a file (a CSV export, say) as the signed-in user, with the
 * same refresh-and-retry as api(); resolves to a Blob.
 */
export async function apiFile(path) {
	return withToken((token) => fetchFile(path, token));
}
