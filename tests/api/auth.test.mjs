/*
 * Identity over HTTP: the token endpoint (password and refresh_token
 * grants), bearer-token verification, refresh rotation and revocation, the
 * refresh cookie, registration, staff accounts, roles and sign-in limits.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
	assertProblem, decodeJwt, register, signIn, sleep, startServer, uniqueEmail,
} from './lib/server.mjs';

const TOKEN = '/api/v1/auth/token';
const ME = '/api/v1/auth/me';
const REVOKE = '/api/v1/auth/revoke';
const STAFF = '/api/v1/auth/staff';
const EVENTS = '/api/v1/events?source=identity&limit=1000';

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/* A JWT over header and payload, signed HMAC-SHA256 with key (or unsigned). */
function forge(header, payload, key) {
	const input = `${b64url(header)}.${b64url(payload)}`;
	if (key === undefined)
		return `${input}.`;
	return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/* The problem without the members that differ per request. */
function stable(problem) {
	const { request_id, instance, ...rest } = problem;
	void request_id;
	void instance;
	return rest;
}

function assertTokenResponse(r, role) {
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers['content-type'], /^application\/json/);
	assert.match(r.headers['cache-control'] ?? '', /no-store/);
	assert.equal(r.json.token_type, 'Bearer');
	assert.equal(typeof r.json.access_token, 'string');
	assert.ok(Number.isInteger(r.json.expires_in) && r.json.expires_in > 0 &&
	    r.json.expires_in <= 900, `expires_in ${r.json.expires_in}`);
	assert.equal(typeof r.json.refresh_token, 'string');
	assert.ok(r.json.refresh_token.length >= 32, 'refresh token has enough entropy');
	if (role !== undefined)
		assert.equal(r.json.scope, role);
}

async function eventCount(s) {
	const r = await s.request('GET', EVENTS, { token: await s.adminToken() });
	assert.equal(r.status, 200, r.text);
	return r.json.data.length;
}

let s;			/* the shared server */
let tokenTtl;		/* MERCATO_TOKEN_TTL=1 */
let perAccount;		/* MERCATO_SIGNIN_PER_ACCOUNT=3 */
let perAddress;		/* MERCATO_SIGNIN_PER_ADDRESS=3 */
let customer;		/* { email, password, id, token, refresh } */

before(async () => {
	[s, tokenTtl, perAccount, perAddress] = await Promise.all([
		startServer(),
		startServer({ env: { MERCATO_TOKEN_TTL: '1' } }),
		startServer({ env: { MERCATO_SIGNIN_PER_ACCOUNT: '3', MERCATO_SIGNIN_PER_ADDRESS: '1000' } }),
		startServer({ env: { MERCATO_SIGNIN_PER_ADDRESS: '3' } }),
	]);
	const email = uniqueEmail('cust');
	const password = 'correct horse battery';
	const reg = await register(s, email, password, { name: 'Carla Customer' });
	assert.equal(reg.status, 201, reg.text);
	const si = await signIn(s, email, password);
	assert.equal(si.status, 200, si.text);
	customer = { email, password, id: reg.json.id, token: si.token, refresh: si.refresh };
});

after(async () => {
	await Promise.all([s?.close(), tokenTtl?.close(), perAccount?.close(), perAddress?.close()]);
});

describe('password grant', () => {
	it('form-encoded: 200 with a Bearer token, expiry ≤ 900 s, no-store and a refresh token', async () => {
		const r = await signIn(s, s.adminEmail, s.adminPassword);
		assertTokenResponse(r, 'admin');
	});

	it('JSON body works the same', async () => {
		const r = await s.request('POST', TOKEN, {
			body: { grant_type: 'password', username: customer.email, password: customer.password },
		});
		assertTokenResponse(r, 'customer');
	});

	it('the email is matched case-insensitively', async () => {
		const r = await signIn(s, customer.email.toUpperCase(), customer.password);
		assertTokenResponse(r, 'customer');
		assert.equal(decodeJwt(r.token).payload.sub, customer.id);
	});

	it('the JWT is HS256 with iss, aud, sub, role, iat and exp (exp - iat ≤ 900)', () => {
		const parts = customer.token.split('.');
		assert.equal(parts.length, 3);
		const { header, payload } = decodeJwt(customer.token);
		assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
		for (const k of ['iss', 'aud', 'sub', 'role'])
			assert.equal(typeof payload[k], 'string', `payload.${k}`);
		assert.ok(payload.iss.length > 0 && payload.aud.length > 0);
		assert.equal(payload.sub, customer.id);
		assert.equal(payload.role, 'customer');
		assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp));
		assert.ok(payload.exp > payload.iat && payload.exp - payload.iat <= 900,
		    `exp - iat = ${payload.exp - payload.iat}`);
		assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 120, 'iat is now');
		/* The signature is 32 bytes of HMAC-SHA256. */
		assert.equal(Buffer.from(parts[2], 'base64url').length, 32);
	});

	it('a wrong password → 400 problem+json invalid_grant', async () => {
		const r = await signIn(s, customer.email, 'not the password');
		const p = assertProblem(r, 400);
		assert.equal(p.error, 'invalid_grant');
		assert.equal(r.token, undefined);
		assert.equal(r.json.access_token, undefined);
	});

	it('an unknown user gets exactly the wrong-password answer', async () => {
		const wrong = await signIn(s, customer.email, 'not the password either');
		const unknown = await signIn(s, uniqueEmail('nobody'), 'not the password either');
		assertProblem(unknown, 400);
		assert.equal(unknown.json.error, 'invalid_grant');
		assert.deepEqual(stable(unknown.json), stable(wrong.json));
		assert.equal(unknown.headers['content-type'], wrong.headers['content-type']);
	});

	it('missing grant_type → 400 invalid_request; an unknown grant → 400 unsupported_grant_type', async () => {
		let r = await s.request('POST', TOKEN, { form: { username: customer.email, password: customer.password } });
		assert.equal(assertProblem(r, 400).error, 'invalid_request');

		r = await s.request('POST', TOKEN, { body: {} });
		assert.equal(assertProblem(r, 400).error, 'invalid_request');

		r = await s.request('POST', TOKEN, { form: { grant_type: 'client_credentials' } });
		assert.equal(assertProblem(r, 400).error, 'unsupported_grant_type');

		r = await s.request('POST', TOKEN, { body: { grant_type: 7 } });
		assert.equal(assertProblem(r, 400).error, 'invalid_request');
	});

	it('a password grant without a password → 400 invalid_request', async () => {
		const r = await s.request('POST', TOKEN, { form: { grant_type: 'password', username: customer.email } });
		assert.equal(assertProblem(r, 400).error, 'invalid_request');
	});
});

describe('bearer tokens', () => {
	it('/me with the token → 200 with the own email and role', async () => {
		const r = await s.request('GET', ME, { token: customer.token });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.id, customer.id);
		assert.equal(r.json.email, customer.email);
		assert.equal(r.json.role, 'customer');
		assert.equal(r.json.name, 'Carla Customer');
		assert.equal(r.json.password_hash, undefined, 'no hash leaks');
		assert.equal(r.json.password, undefined);
	});

	it('/me without a token → 401 problem+json with WWW-Authenticate: Bearer', async () => {
		const r = await s.request('GET', ME);
		assertProblem(r, 401);
		assert.match(r.headers['www-authenticate'] ?? '', /^Bearer /);
	});

	it('a scheme other than Bearer → 401', async () => {
		const r = await s.request('GET', ME, { headers: { authorization: `Basic ${b64url('a:b')}` } });
		assertProblem(r, 401);
		assert.match(r.headers['www-authenticate'] ?? '', /^Bearer /);
	});

	it('an expired token → 401 (MERCATO_TOKEN_TTL=1, 2.5 s later)', async () => {
		const si = await signIn(tokenTtl, tokenTtl.adminEmail, tokenTtl.adminPassword);
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.expires_in, 1);
		const { payload } = decodeJwt(si.token);
		assert.equal(payload.exp - payload.iat, 1);
		await sleep(2500);
		const r = await tokenTtl.request('GET', ME, { token: si.token });
		assertProblem(r, 401);
		assert.match(r.headers['www-authenticate'] ?? '', /invalid_token/);
	});

	it('a tampered signature → 401', async () => {
		const [h, p, sig] = customer.token.split('.');
		const i = 10;
		const flipped = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
		const r = await s.request('GET', ME, { token: `${h}.${p}.${flipped}` });
		assertProblem(r, 401);
	});

	it('a tampered payload (role → admin, signature kept) → 401', async () => {
		const [h, , sig] = customer.token.split('.');
		const { payload } = decodeJwt(customer.token);
		const evil = `${h}.${b64url({ ...payload, role: 'admin' })}.${sig}`;
		let r = await s.request('GET', ME, { token: evil });
		assertProblem(r, 401);
		r = await s.request('GET', EVENTS, { token: evil });
		assertProblem(r, 401);
	});

	it('alg "none" with an empty signature → 401', async () => {
		const { payload } = decodeJwt(customer.token);
		for (const header of [{ alg: 'none' }, { alg: 'none', typ: 'JWT' }, { alg: 'None', typ: 'JWT' }]) {
			const r = await s.request('GET', ME, { token: forge(header, { ...payload, role: 'admin' }) });
			assertProblem(r, 401);
		}
	});

	it('algorithm switching (HS512, RS256 headers signed HMAC-SHA256) and a foreign key → 401', async () => {
		const { payload } = decodeJwt(customer.token);
		const keys = [randomBytes(32), Buffer.from('secret'), Buffer.alloc(0)];
		for (const alg of ['HS512', 'RS256', 'HS256']) {
			for (const key of keys) {
				const r = await s.request('GET', ME, { token: forge({ alg, typ: 'JWT' }, payload, key) });
				assertProblem(r, 401);
			}
		}
	});

	it('a malformed token (not three parts, garbage) → 401', async () => {
		for (const t of ['abc', 'a.b', 'a.b.c.d', `${customer.token}.`, '...', 'e30.e30.']) {
			const r = await s.request('GET', ME, { token: t });
			assertProblem(r, 401);
		}
	});
});

describe('refresh tokens', () => {
	it('the refresh grant rotates; reusing the old token revokes the whole family', async () => {
		const si = await signIn(s, customer.email, customer.password);
		assert.equal(si.status, 200, si.text);
		const first = si.refresh;

		const r1 = await s.request('POST', TOKEN, { form: { grant_type: 'refresh_token', refresh_token: first } });
		assertTokenResponse(r1, 'customer');
		const second = r1.json.refresh_token;
		assert.notEqual(second, first, 'a new refresh token');
		assert.equal(decodeJwt(r1.json.access_token).payload.sub, customer.id);
		const me = await s.request('GET', ME, { token: r1.json.access_token });
		assert.equal(me.status, 200);

		const reuse = await s.request('POST', TOKEN, { form: { grant_type: 'refresh_token', refresh_token: first } });
		assert.equal(assertProblem(reuse, 400).error, 'invalid_grant');

		const after = await s.request('POST', TOKEN, { form: { grant_type: 'refresh_token', refresh_token: second } });
		assert.equal(assertProblem(after, 400).error, 'invalid_grant', 'the family is revoked');
	});

	it('the refresh grant with JSON, and with an unknown or missing token', async () => {
		const r = await s.request('POST', TOKEN, { body: { grant_type: 'refresh_token', refresh_token: customer.refresh } });
		assertTokenResponse(r, 'customer');
		customer.refresh = r.json.refresh_token;

		const unknown = await s.request('POST', TOKEN, {
			body: { grant_type: 'refresh_token', refresh_token: randomBytes(32).toString('base64url') },
		});
		assert.equal(assertProblem(unknown, 400).error, 'invalid_grant');

		const missing = await s.request('POST', TOKEN, { body: { grant_type: 'refresh_token' } });
		assert.equal(assertProblem(missing, 400).error, 'invalid_request');
	});

	it('revoke revokes the family; other sign-ins keep theirs', async () => {
		const a = await signIn(s, customer.email, customer.password);
		assert.equal(a.status, 200, a.text);
		const rot = await s.request('POST', TOKEN, { form: { grant_type: 'refresh_token', refresh_token: a.refresh } });
		assert.equal(rot.status, 200, rot.text);

		/* Revoking the first (already rotated) token ends the family. */
		const rv = await s.request('POST', REVOKE, { form: { token: a.refresh } });
		assert.equal(rv.status, 200, rv.text);
		assert.deepEqual(rv.json, {});

		const r = await s.request('POST', TOKEN, {
			form: { grant_type: 'refresh_token', refresh_token: rot.json.refresh_token },
		});
		assert.equal(assertProblem(r, 400).error, 'invalid_grant');

		/* customer.refresh is another family (the before hook's sign-in). */
		const other = await s.request('POST', TOKEN, {
			form: { grant_type: 'refresh_token', refresh_token: customer.refresh },
		});
		assertTokenResponse(other, 'customer');
		customer.refresh = other.json.refresh_token;
	});

	it('revoking an unknown token is not an error (RFC 7009); no token → 400', async () => {
		let r = await s.request('POST', REVOKE, { form: { token: randomBytes(32).toString('base64url') } });
		assert.equal(r.status, 200, r.text);
		r = await s.request('POST', REVOKE, { body: {} });
		assert.equal(assertProblem(r, 400).error, 'invalid_request');
	});

	it('two concurrent refreshes with one token: one wins, the reuse revokes the family', async () => {
		const si = await signIn(s, customer.email, customer.password);
		assert.equal(si.status, 200, si.text);
		const form = { grant_type: 'refresh_token', refresh_token: si.refresh };
		const rs = await Promise.all([
			s.request('POST', TOKEN, { form, fresh: true }),
			s.request('POST', TOKEN, { form, fresh: true }),
		]);
		assert.deepEqual(rs.map((r) => r.status).sort(), [200, 400], rs.map((r) => r.text).join('\n'));
		const winner = rs.find((r) => r.status === 200);
		const r = await s.request('POST', TOKEN, {
			form: { grant_type: 'refresh_token', refresh_token: winner.json.refresh_token },
		});
		assert.equal(assertProblem(r, 400).error, 'invalid_grant');
	});

	it('refresh_cookie: an HttpOnly SameSite=Strict cookie on /api/v1/auth, refresh and revoke by cookie', async () => {
		const si = await signIn(s, customer.email, customer.password, { cookie: true });
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.refresh_token, undefined, 'no refresh token in the body');
		assert.equal(typeof si.json.access_token, 'string');
		const cookies = si.headers['set-cookie'] ?? [];
		assert.equal(cookies.length, 1, `one Set-Cookie: ${cookies}`);
		const c = cookies[0];
		assert.match(c, /^mercato_refresh=[A-Za-z0-9_-]{32,};/);
		assert.match(c, /;\s*HttpOnly(;|$)/i);
		assert.match(c, /;\s*SameSite=Strict(;|$)/i);
		assert.match(c, /;\s*Path=\/api\/v1\/auth(;|$)/);
		const value = c.slice(0, c.indexOf(';'));

		/* The refresh grant with only the cookie. */
		const r = await s.request('POST', TOKEN, {
			form: { grant_type: 'refresh_token', refresh_cookie: 'true' },
			headers: { cookie: value },
		});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.refresh_token, undefined);
		const c2 = r.headers['set-cookie']?.[0] ?? '';
		assert.match(c2, /^mercato_refresh=[A-Za-z0-9_-]{32,};/);
		const value2 = c2.slice(0, c2.indexOf(';'));
		assert.notEqual(value2, value, 'the cookie rotates');
		assert.equal((await s.request('GET', ME, { token: r.json.access_token })).status, 200);

		/* Without refresh_cookie the cookie is not looked at. */
		const ignored = await s.request('POST', TOKEN, {
			form: { grant_type: 'refresh_token' },
			headers: { cookie: value2 },
		});
		assert.equal(assertProblem(ignored, 400).error, 'invalid_request');

		/* Revoke by cookie clears it. */
		const rv = await s.request('POST', REVOKE, {
			body: { refresh_cookie: true },
			headers: { cookie: value2 },
		});
		assert.equal(rv.status, 200, rv.text);
		const cleared = rv.headers['set-cookie']?.[0] ?? '';
		assert.match(cleared, /^mercato_refresh=;/);
		assert.match(cleared, /;\s*Max-Age=0(;|$)/);
		assert.match(cleared, /;\s*Path=\/api\/v1\/auth(;|$)/);

		const dead = await s.request('POST', TOKEN, {
			form: { grant_type: 'refresh_token', refresh_cookie: 'true' },
			headers: { cookie: value2 },
		});
		assert.equal(assertProblem(dead, 400).error, 'invalid_grant');
	});
});

describe('registration', () => {
	it('201 with Location, a usr_ id, role customer and no password in the answer', async () => {
		const email = uniqueEmail('reg');
		const r = await register(s, email, 'long enough pw', { name: 'Rita' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.headers.location, '/api/v1/auth/me');
		assert.match(r.json.id, /^usr_[0-9A-HJKMNP-TV-Z]{26}$/);
		assert.equal(r.json.role, 'customer');
		assert.equal(r.json.email, email);
		assert.equal(r.json.name, 'Rita');
		assert.ok(!Number.isNaN(Date.parse(r.json.created_at)));
		assert.equal(r.json.password, undefined);
		assert.equal(r.json.password_hash, undefined);
	});

	it('a role in the body is ignored: registration always makes a customer', async () => {
		const email = uniqueEmail('sneaky');
		const r = await s.request('POST', '/api/v1/auth/register', {
			body: { email, password: 'long enough pw', role: 'admin' },
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.role, 'customer');
	});

	it('a duplicate email, in any case → 409 problem+json', async () => {
		const r = await register(s, customer.email.toUpperCase(), 'another password');
		assertProblem(r, 409);
		const again = await register(s, customer.email, 'another password');
		assertProblem(again, 409);
		/* The account keeps its password: the second one was not set. */
		const si = await signIn(s, customer.email, 'another password');
		assert.equal(si.status, 400);
	});

	it('two concurrent registrations of one email: one 201, one 409', async () => {
		const email = uniqueEmail('race');
		const rs = await Promise.all([
			register(s, email, 'password one!'),
			register(s, email.toUpperCase(), 'password two!'),
		]);
		assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409], rs.map((r) => r.text).join('\n'));
		assertProblem(rs.find((r) => r.status === 409), 409);
	});

	it('bad input → 422 with errors[] naming each field, and nothing is written', async () => {
		const before = await eventCount(s);
		const cases = [
			{ body: { email: 'not-an-email', password: 'long enough pw' }, fields: ['email'] },
			{ body: { email: uniqueEmail('short'), password: 'short' }, fields: ['password'] },
			{ body: { email: 12345, password: 'long enough pw' }, fields: ['email'] },
			{ body: { email: uniqueEmail('types'), password: 12345678, name: 42 }, fields: ['password', 'name'] },
			{ body: { password: 'long enough pw' }, fields: ['email'] },
			{ body: { email: 'a@b', password: 'x', name: ['n'] }, fields: ['email', 'password', 'name'] },
			{ body: { email: `${'x'.repeat(250)}@example.com`, password: 'long enough pw' }, fields: ['email'] },
			{ body: { email: uniqueEmail('long'), password: 'p'.repeat(257) }, fields: ['password'] },
		];
		for (const c of cases) {
			const r = await s.request('POST', '/api/v1/auth/register', { body: c.body });
			const p = assertProblem(r, 422);
			assert.ok(Array.isArray(p.errors), `errors[] in ${r.text}`);
			assert.deepEqual(p.errors.map((e) => e.field).sort(), [...c.fields].sort(), r.text);
			for (const e of p.errors)
				assert.equal(typeof e.message, 'string');
		}
		/* None of them can sign in. */
		for (const c of cases.slice(0, 2)) {
			const si = await signIn(s, c.body.email, c.body.password);
			assert.equal(si.status, 400, `${c.body.email} must not exist: ${si.text}`);
		}
		assert.equal(await eventCount(s), before, 'no event was published');
	});

	it('a registration publishes identity.customer.registered with the request id as correlation', async () => {
		const email = uniqueEmail('evt');
		const rid = `test-${randomBytes(6).toString('hex')}`;
		const r = await s.request('POST', '/api/v1/auth/register', {
			body: { email, password: 'long enough pw' },
			headers: { 'x-request-id': rid },
		});
		assert.equal(r.status, 201, r.text);
		const feed = await s.request('GET', EVENTS, { token: await s.adminToken() });
		const ev = feed.json.data.find((e) => e.aggregate_id === r.json.id);
		assert.ok(ev, 'the event is in the feed');
		assert.equal(ev.type, 'identity.customer.registered');
		assert.equal(ev.source, 'identity');
		assert.equal(ev.payload.customer_id, r.json.id);
		assert.equal(ev.payload.email, email);
		assert.equal(ev.correlation_id, rid);
		assert.equal(JSON.stringify(ev.payload).includes('password'), false);
	});

	/* Was a bug (fixed in d95b3a0): "abcdefgh\\u0000xyz" registered and signed in as "abcdefgh". */
	it('a NUL (\\u0000) inside the password is refused, not silently cut off', async () => {
		const email = uniqueEmail('nul');
		const r = await s.request('POST', '/api/v1/auth/register', {
			body: '{"email":"' + email + '","password":"abcdefgh\\u0000tail-that-is-lost"}',
			headers: { 'content-type': 'application/json' },
		});
		try {
			/* 400 (malformed body) or 422 (invalid password): either refuses it. */
			assert.ok([400, 422].includes(r.status), `expected 400 or 422, got ${r.status}: ${r.text}`);
			assertProblem(r, r.status);
		} finally {
			if (r.status === 201) {
				const si = await signIn(s, email, 'abcdefgh');
				assert.notEqual(si.status, 200, 'the truncated password must not work');
			}
		}
	});
});

describe('staff accounts and roles', () => {
	let staff;	/* { email, password, token } */

	before(async () => {
		const email = uniqueEmail('staff');
		const password = 'staff password 1';
		const r = await s.request('POST', STAFF, {
			token: await s.adminToken(),
			body: { email, password, role: 'staff', name: 'Sam Staff' },
		});
		assert.equal(r.status, 201, r.text);
		staff = { email, password, created: r };
		const si = await signIn(s, email, password);
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.scope, 'staff');
		staff.token = si.token;
	});

	it('an admin creates a staff user: 201, role staff', () => {
		const r = staff.created;
		assert.equal(r.headers.location, '/api/v1/auth/me');
		assert.match(r.json.id, /^usr_/);
		assert.equal(r.json.role, 'staff');
		assert.equal(r.json.email, staff.email);
		assert.equal(decodeJwt(staff.token).payload.role, 'staff');
	});

	it('a customer token → 403, no token → 401, a staff token → 403 (admins only)', async () => {
		const body = { email: uniqueEmail('x'), password: 'staff password 2', role: 'staff' };
		assertProblem(await s.request('POST', STAFF, { body, token: customer.token }), 403);
		const none = await s.request('POST', STAFF, { body });
		assertProblem(none, 401);
		assert.match(none.headers['www-authenticate'] ?? '', /^Bearer /);
		assertProblem(await s.request('POST', STAFF, { body, token: staff.token }), 403);
		/* None of them was created. */
		const si = await signIn(s, body.email, body.password);
		assert.equal(si.status, 400);
	});

	it('role "customer" (or none, or junk) in the body → 422 naming role', async () => {
		const token = await s.adminToken();
		for (const role of ['customer', undefined, 'root', 3]) {
			const r = await s.request('POST', STAFF, {
				token, body: { email: uniqueEmail('x'), password: 'staff password 3', role },
			});
			const p = assertProblem(r, 422);
			assert.deepEqual(p.errors.map((e) => e.field), ['role'], r.text);
		}
	});

	it('a staff token reads the identity event feed; a customer token → 403', async () => {
		const ok = await s.request('GET', EVENTS, { token: staff.token });
		assert.equal(ok.status, 200, ok.text);
		assert.ok(Array.isArray(ok.json.data));
		assert.ok(ok.json.data.length >= 1);
		assert.ok('next' in ok.json);
		assertProblem(await s.request('GET', EVENTS, { token: customer.token }), 403);
	});

	it("a customer cannot read staff-only endpoints, and /me shows only the caller's account", async () => {
		for (const p of ['/api/v1/events?source=identity', '/api/v1/events/recent',
		    '/api/v1/events/subscriptions', '/api/v1/events/dead']) {
			const r = await s.request('GET', p, { token: customer.token });
			assertProblem(r, 403);
			assert.equal(r.text.includes('identity.customer.registered'), false, 'no event data leaks');
		}
		/* Another customer's /me is their own. */
		const email = uniqueEmail('other');
		const reg = await register(s, email, 'other password');
		assert.equal(reg.status, 201, reg.text);
		const si = await signIn(s, email, 'other password');
		const mine = await s.request('GET', ME, { token: si.token });
		assert.equal(mine.json.id, reg.json.id);
		assert.equal(mine.json.email, email);
		const theirs = await s.request('GET', ME, { token: customer.token });
		assert.equal(theirs.json.id, customer.id);
		assert.notEqual(theirs.json.id, mine.json.id);
		/* /me takes no id from the query or the path. */
		const q = await s.request('GET', `${ME}?id=${encodeURIComponent(reg.json.id)}`, { token: customer.token });
		assert.equal(q.json.id, customer.id);
		assertProblem(await s.request('GET', `${ME}/${reg.json.id}`, { token: customer.token }), 404);
	});
});

describe('sign-in rate limits', () => {
	it('per account: after 3 failures even the right password → 429 with Retry-After; others unaffected', async () => {
		const s1 = perAccount;
		const victim = uniqueEmail('victim');
		const other = uniqueEmail('bystander');
		assert.equal((await register(s1, victim, 'victim password')).status, 201);
		assert.equal((await register(s1, other, 'bystander password')).status, 201);
		for (let i = 0; i < 3; i++) {
			const r = await signIn(s1, victim, `wrong ${i}`);
			assert.equal(r.json.error, 'invalid_grant', r.text);
		}
		const limited = await signIn(s1, victim, 'victim password');
		const p = assertProblem(limited, 429);
		assert.equal(p.error, 'temporarily_unavailable');
		const ra = limited.headers['retry-after'];
		assert.match(ra ?? '', /^[0-9]+$/, `Retry-After ${ra}`);
		assert.ok(Number(ra) > 0 && Number(ra) <= 15 * 60 + 1, `Retry-After ${ra}`);
		assert.equal(limited.json.access_token, undefined);

		/* The limit is on the account, whatever the case of the email. */
		assertProblem(await signIn(s1, victim.toUpperCase(), 'victim password'), 429);

		const ok = await signIn(s1, other, 'bystander password');
		assert.equal(ok.status, 200, ok.text);

		const m = await s1.request('GET', '/metrics');
		assert.match(m.text, /^mercato_signin_attempts_total\{result="limited"\} [1-9]/m);
	});

	it('per account, concurrently: a burst of 8 wrong passwords gets at most 3 verified',
	    async () => {
		const s1 = perAccount;
		const email = uniqueEmail('burst');
		assert.equal((await register(s1, email, 'burst password')).status, 201);
		const rs = await Promise.all(Array.from({ length: 8 },
		    (_, i) => signIn(s1, email, `wrong guess ${i}`)));
		const verified = rs.filter((r) => r.status === 400).length;
		const limited = rs.filter((r) => r.status === 429).length;
		assert.equal(verified + limited, 8, rs.map((r) => r.status).join(' '));
		assert.ok(verified <= 3, `${verified} of 8 guesses were checked against the password (limit 3)`);
	});

	it('per address: after 3 failures on different accounts the next sign-in → 429', async () => {
		const s2 = perAddress;
		for (let i = 0; i < 3; i++) {
			const r = await signIn(s2, uniqueEmail(`nobody${i}`), 'whatever pw');
			assert.equal(r.status, 400, r.text);
		}
		const r = await signIn(s2, s2.adminEmail, s2.adminPassword);
		assertProblem(r, 429);
		assert.match(r.headers['retry-after'] ?? '', /^[1-9][0-9]*$/);
	});
});
