/*
 * HTTP conventions every endpoint shares: request ids and the JSON-lines
 * access log, body parsing and its limits, problem+json errors, 404/405,
 * CORS, health, and the embedded static files.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { assertProblem, startServer, uniqueEmail } from './lib/server.mjs';

const REGISTER = '/api/v1/auth/register';
const REQ_ID = /^req_[0-9A-HJKMNP-TV-Z]{26}$/;

let s;		/* no CORS configured */
let cors;	/* MERCATO_CORS_ORIGINS=https://shop.example */

before(async () => {
	[s, cors] = await Promise.all([
		startServer(),
		startServer({ env: { MERCATO_CORS_ORIGINS: 'https://shop.example' } }),
	]);
});

after(async () => {
	await Promise.all([s?.close(), cors?.close()]);
});

/* Sends raw bytes on a new connection; resolves everything read until close. */
function rawRequest(server, bytes) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		/*
		 * write, not end: a half-close makes Kore drop the connection at
		 * once, and on a slow (sanitizer) build before it has answered.
		 * The request says Connection: close, so the server closes.
		 */
		const sock = net.connect(server.port, '127.0.0.1', () => sock.write(bytes));
		sock.setTimeout(10000, () => sock.destroy(new Error('no answer in 10 s')));
		sock.on('data', (c) => chunks.push(c));
		sock.on('error', reject);
		sock.on('close', () => resolve(Buffer.concat(chunks)));
	});
}

/* A raw JSON (or other) body to /api/v1/auth/register. */
function post(body, contentType = 'application/json', server = s) {
	return server.request('POST', REGISTER, { body, headers: { 'content-type': contentType } });
}

describe('request ids and the access log', () => {
	it('an id req_ + 26 characters is made when none is sent, new for each request', async () => {
		const a = await s.request('GET', '/healthz');
		const b = await s.request('GET', '/healthz');
		assert.match(a.headers['x-request-id'], REQ_ID);
		assert.match(b.headers['x-request-id'], REQ_ID);
		assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
	});

	it('a valid X-Request-Id is echoed (up to 64 characters)', async () => {
		for (const id of ['trace-1234', 'a.b:c_d-e', 'x'.repeat(64)]) {
			const r = await s.request('GET', '/healthz', { headers: { 'x-request-id': id } });
			assert.equal(r.headers['x-request-id'], id);
		}
	});

	it('an invalid one (spaces, 100 characters, markup) is replaced', async () => {
		for (const id of ['has spaces in it', 'y'.repeat(100), 'z'.repeat(65), '<script>', 'a"b']) {
			const r = await s.request('GET', '/healthz', { headers: { 'x-request-id': id } });
			assert.match(r.headers['x-request-id'], REQ_ID, `for ${JSON.stringify(id)}`);
		}
	});

	it('the id is in the JSON access-log line with method, path, route, status and duration_us', async () => {
		const id = `log-check-${Date.now()}`;
		const r = await s.request('GET', '/healthz?probe=1', { headers: { 'x-request-id': id } });
		assert.equal(r.status, 200);
		const line = await s.accessLog(id);
		assert.equal(line.method, 'GET');
		assert.equal(line.path, '/healthz');
		assert.equal(line.route, '/healthz');
		assert.equal(line.status, 200);
		assert.ok(Number.isInteger(line.duration_us) && line.duration_us >= 0, `duration_us ${line.duration_us}`);
		assert.equal(line.level, 'info');
		assert.ok(!Number.isNaN(Date.parse(line.ts)));

		/* Errors are logged too, with the pattern as route and the id made up. */
		const nf = await s.request('GET', '/api/v1/no/such/thing');
		const l2 = await s.accessLog(nf.headers['x-request-id']);
		assert.equal(l2.status, 404);
		assert.equal(l2.path, '/api/v1/no/such/thing');
		assert.equal(typeof l2.route, 'string');
	});

	it('a signed-in request is logged with its subject, never with the token', async () => {
		const token = await s.adminToken();
		const r = await s.request('GET', '/api/v1/auth/me', { token });
		assert.equal(r.status, 200);
		const line = await s.accessLog(r.headers['x-request-id']);
		assert.equal(line.sub, r.json.id);
		assert.equal(s.logs().includes(token), false, 'the access token is not in the logs');
		assert.equal(s.logs().includes(s.adminPassword), false, 'the password is not in the logs');
	});
});

describe('request bodies', () => {
	it('malformed JSON → 400 problem+json malformed-body', async () => {
		for (const b of ['{"email": ', '{email: 1}', 'nul', '{"a":1,}', "{'a':1}", '{"a":tru}'])
			assertProblem(await post(b), 400, 'malformed-body');
	});

	it('content after the JSON value → 400 (not a silently accepted prefix)',
	    async () => {
		const email = uniqueEmail('trailing');
		const r = await post(`{"email":"${email}","password":"long enough pw"} trailing garbage`);
		const r2 = await post('{"a":1}}');
		assertProblem(r, 400, 'malformed-body');
		assertProblem(r2, 400, 'malformed-body');
	});

	it('a JSON array, string or number as the body → 400', async () => {
		for (const b of ['[1,2]', '[]', '"text"', '42', 'null'])
			assertProblem(await post(b), 400, 'malformed-body');
	});

	it('nesting deeper than 32 → 400; 31 levels still reach validation (422)', async () => {
		const nest = (n) => `{"email":${'['.repeat(n)}${']'.repeat(n)}}`;
		assertProblem(await post(nest(32)), 400, 'malformed-body');
		assertProblem(await post(nest(1000)), 400, 'malformed-body');
		assertProblem(await post(nest(30)), 422, 'validation');
	});

	it('a content type other than JSON or a form (text/plain) → 415', async () => {
		assertProblem(await post('{"email":"a@example.com"}', 'text/plain'), 415);
		assertProblem(await post('<a/>', 'application/xml'), 415);
		/* No content type at all. */
		const r = await s.request('POST', REGISTER, { body: '{}' });
		assertProblem(r, 415);
	});

	it("a body over the endpoint's limit (9000 bytes to register, 8192 allowed) → 413", async () => {
		const big = JSON.stringify({ email: uniqueEmail('big'), password: 'long enough pw', name: 'n'.repeat(8950) });
		assert.ok(Buffer.byteLength(big) > 8192 && Buffer.byteLength(big) < 9100);
		assertProblem(await post(big), 413, 'body-too-large');
		/* Limits differ per endpoint: 9000 bytes of JSON is fine on none of
		 * the 8 KiB ones, but the error names the body, not a field. */
		assertProblem(await s.request('POST', '/api/v1/auth/token', { body: big, headers: { 'content-type': 'application/json' } }), 413);
	});

	it('invalid UTF-8 in a JSON string → 400', async () => {
		const bad = [
			Buffer.from([0xff]),			/* never valid */
			Buffer.from([0xc0, 0xaf]),		/* overlong "/" */
			Buffer.from([0xed, 0xa0, 0x80]),	/* a surrogate */
			Buffer.from([0xe2, 0x82]),		/* truncated */
		];
		for (const b of bad) {
			const body = Buffer.concat([Buffer.from('{"email":"a'), b, Buffer.from('@example.com","password":"long enough pw"}')]);
			assertProblem(await post(body), 400, 'malformed-body');
		}
		/* And in a form body. */
		const form = await s.request('POST', '/api/v1/auth/token', {
			body: 'grant_type=password&username=%FF%FE&password=x',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		assertProblem(form, 400, 'malformed-body');
	});

	it('valid multi-byte UTF-8 is accepted', async () => {
		const r = await s.request('POST', REGISTER, {
			body: { email: uniqueEmail('utf8'), password: 'pässwörd-✓-𝄞', name: 'Zoë 😀 Ünïcode' },
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.name, 'Zoë 😀 Ünïcode');
	});
});

describe('errors', () => {
	it('an unknown path → 404 problem+json (API, admin and elsewhere)', async () => {
		for (const p of ['/api/v1/nope', '/nope', '/admin/no-such-file.js', '/api/v1/auth/me/extra', '/api/v1/auth']) {
			const r = await s.request('GET', p);
			assertProblem(r, 404, 'not-found');
			assert.equal(r.json.instance, p);
		}
	});

	it('a wrong method (GET /api/v1/auth/token) → 405 problem+json', async () => {
		assertProblem(await s.request('GET', '/api/v1/auth/token'), 405, 'method-not-allowed');
		assertProblem(await s.request('DELETE', '/healthz'), 405, 'method-not-allowed');
		assertProblem(await s.request('POST', '/api/v1/auth/me', { body: {} }), 405, 'method-not-allowed');
		const st = await s.request('POST', '/admin/', { body: {} });
		assertProblem(st, 405, 'method-not-allowed');
		assert.equal(st.headers.allow, 'GET, HEAD');
	});

	it('a 405 names the allowed methods in Allow (RFC 9110 §15.5.6)', async () => {
		let r = await s.request('GET', '/api/v1/auth/token');
		assert.equal(r.status, 405);
		assert.equal(r.headers.allow, 'POST');
		r = await s.request('DELETE', '/api/v1/auth/me');
		assert.equal(r.status, 405);
		assert.equal(r.headers.allow, 'GET, HEAD');
	});

	it('OPTIONS without CORS configured is refused as problem+json too',
	    async () => {
		const r = await s.request('OPTIONS', '/api/v1/auth/token');
		assertProblem(r, 405);
		assert.ok(r.headers.allow, 'Allow header');
	});

	it('every error has content-type application/problem+json and type, title, status, detail, request_id', async () => {
		const token = await s.adminToken();
		const cases = [
			['GET', '/api/v1/auth/me', {}, 401],
			['GET', '/api/v1/auth/me', { token: 'x.y.z' }, 401],
			['GET', '/api/v1/events', { token }, 422],
			['GET', '/api/v1/events?source=identity&limit=0', { token }, 400],
			['POST', REGISTER, { body: { email: 'x' } }, 422],
			['POST', '/api/v1/auth/token', { form: { grant_type: 'password', username: 'a@b.c', password: 'x' } }, 400],
			['GET', '/nowhere', {}, 404],
			['PUT', '/healthz', { body: {} }, 405],
		];
		for (const [method, p, opts, status] of cases) {
			const r = await s.request(method, p, opts);
			const pb = assertProblem(r, status);
			assert.match(pb.type, /^https?:\/\//, 'type is a URI');
			assert.equal(/<html/i.test(r.text), false, 'never an HTML page');
			assert.equal(r.headers['x-content-type-options'], 'nosniff');
		}
	});

	it('a path with bytes that are not UTF-8 still gets a valid UTF-8 JSON problem',
	    async () => {
		const raw = await rawRequest(s, Buffer.concat([
			Buffer.from('GET /x'), Buffer.from([0xff, 0xfe]),
			Buffer.from(' HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'),
		]));
		const sep = raw.indexOf('\r\n\r\n');
		assert.ok(sep > 0, 'an HTTP answer');
		assert.match(raw.subarray(0, sep).toString('latin1'), /^HTTP\/1\.1 4[0-9][0-9] /);
		const body = raw.subarray(sep + 4);
		let text;
		assert.doesNotThrow(() => { text = new TextDecoder('utf-8', { fatal: true }).decode(body); },
		    'the body is valid UTF-8');
		assert.doesNotThrow(() => JSON.parse(text));
	});

	it('HEAD answers like GET without a body', async () => {
		const r = await s.request('HEAD', '/healthz');
		assert.equal(r.status, 200);
		assert.equal(r.body.length, 0);
	});
});

describe('CORS', () => {
	const ORIGIN = 'https://shop.example';

	it('an allowed Origin is echoed, with Vary: Origin', async () => {
		const r = await cors.request('GET', '/healthz', { headers: { origin: ORIGIN } });
		assert.equal(r.status, 200);
		assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
		assert.match(r.headers.vary ?? '', /Origin/i);
		/* Errors carry it too, or a browser app cannot read them. */
		const e = await cors.request('GET', '/api/v1/auth/me', { headers: { origin: ORIGIN } });
		assert.equal(e.status, 401);
		assert.equal(e.headers['access-control-allow-origin'], ORIGIN);
	});

	it('another origin (including look-alikes) gets no CORS headers', async () => {
		for (const o of ['https://evil.example', 'https://shop.example.evil', 'https://shop.exampl',
		    'http://shop.example', 'null']) {
			const r = await cors.request('GET', '/healthz', { headers: { origin: o } });
			assert.equal(r.status, 200);
			assert.equal(r.headers['access-control-allow-origin'], undefined, `for ${o}`);
		}
	});

	it('an OPTIONS preflight → 204 with allow-methods and allow-headers', async () => {
		const r = await cors.request('OPTIONS', '/api/v1/auth/token', {
			headers: {
				origin: ORIGIN,
				'access-control-request-method': 'POST',
				'access-control-request-headers': 'content-type, authorization',
			},
		});
		assert.equal(r.status, 204);
		assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
		assert.match(r.headers['access-control-allow-methods'] ?? '', /\bPOST\b/);
		const allowHeaders = (r.headers['access-control-allow-headers'] ?? '').toLowerCase();
		assert.match(allowHeaders, /\bauthorization\b/);
		assert.match(allowHeaders, /\bcontent-type\b/);
		/* what a storefront on another origin sends for carts and orders */
		assert.match(allowHeaders, /\bx-cart-token\b/);
		assert.match(allowHeaders, /\bidempotency-key\b/);
		assert.equal(r.body.length, 0);
	});

	it('a preflight from another origin gets no allow headers', async () => {
		const r = await cors.request('OPTIONS', '/api/v1/auth/token', {
			headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
		});
		assert.equal(r.headers['access-control-allow-origin'], undefined);
		assert.equal(r.headers['access-control-allow-methods'], undefined);
	});

	it('without MERCATO_CORS_ORIGINS there are no CORS headers at all', async () => {
		const g = await s.request('GET', '/healthz', { headers: { origin: ORIGIN } });
		const o = await s.request('OPTIONS', '/api/v1/auth/token', {
			headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
		});
		for (const r of [g, o]) {
			for (const h of Object.keys(r.headers))
				assert.equal(h.startsWith('access-control-'), false, `unexpected ${h}`);
		}
		assert.notEqual(o.status, 204);
	});
});

describe('health', () => {
	it('/healthz → 200 {"status":"ok"}', async () => {
		const r = await s.request('GET', '/healthz');
		assert.equal(r.status, 200);
		assert.match(r.headers['content-type'], /^application\/json/);
		assert.deepEqual(r.json, { status: 'ok' });
	});

	it('/readyz → 200 with files.identity "ok"', async () => {
		const r = await s.request('GET', '/readyz');
		assert.equal(r.status, 200);
		assert.equal(r.json.status, 'ready');
		assert.equal(r.json.files.identity, 'ok');
		for (const [f, v] of Object.entries(r.json.files))
			assert.equal(v, 'ok', `file ${f}`);
	});
});

describe('static files', () => {
	it('/ → 302 to /admin/', async () => {
		const r = await s.request('GET', '/');
		assert.equal(r.status, 302);
		assert.equal(r.headers.location, '/admin/');
	});

	it('/admin/ → 200 HTML with a CSP allowing only own scripts, and no inline scripts', async () => {
		const r = await s.request('GET', '/admin/');
		assert.equal(r.status, 200);
		assert.match(r.headers['content-type'], /^text\/html/);
		const csp = r.headers['content-security-policy'] ?? '';
		assert.match(csp, /script-src 'self'/);
		const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
		assert.equal(/unsafe-inline|unsafe-eval/.test(scriptSrc), false, `script-src: ${scriptSrc}`);
		assert.match(csp, /frame-ancestors 'none'/);
		assert.match(r.text, /<html/i);
		/* Every <script> names a src: nothing inline for the CSP to block. */
		for (const tag of r.text.match(/<script\b[^>]*>/gi) ?? [])
			assert.match(tag, /\bsrc=/, `inline script: ${tag}`);
		assert.equal((await s.request('GET', '/admin')).status, 200);
	});

	it('If-None-Match with the ETag → 304', async () => {
		const r = await s.request('GET', '/admin/');
		const etag = r.headers.etag;
		assert.ok(etag, 'an ETag');
		const again = await s.request('GET', '/admin/', { headers: { 'if-none-match': etag } });
		assert.equal(again.status, 304);
		assert.equal(again.body.length, 0);
		assert.equal(again.headers.etag, etag);
		const other = await s.request('GET', '/admin/', { headers: { 'if-none-match': '"something-else"' } });
		assert.equal(other.status, 200);
	});

	it('/api/openapi.json → 200 valid JSON, OpenAPI 3.1', async () => {
		const r = await s.request('GET', '/api/openapi.json');
		assert.equal(r.status, 200);
		assert.match(r.headers['content-type'], /json/);
		const doc = JSON.parse(r.text);
		assert.match(doc.openapi, /^3\.1/);
		assert.equal(typeof doc.info?.title, 'string');
		assert.equal(typeof doc.paths, 'object');
		assert.ok(doc.paths['/api/v1/auth/token'], 'the token endpoint is documented');
	});

	it('/api/docs → 200 HTML', async () => {
		const r = await s.request('GET', '/api/docs');
		assert.equal(r.status, 200);
		assert.match(r.headers['content-type'], /^text\/html/);
		assert.match(r.text, /<html/i);
		assert.match(r.headers['content-security-policy'] ?? '', /script-src 'self'/);
	});
});

describe('the log', () => {
	it('every stdout line is valid JSON with ts, level and msg', async () => {
		const lines = s.stdout().split('\n').filter((l) => l !== '');
		assert.ok(lines.length > 10, `${lines.length} lines`);
		for (const l of lines) {
			let o;
			assert.doesNotThrow(() => { o = JSON.parse(l); }, `not JSON: ${l}`);
			assert.equal(typeof o.ts, 'string', l);
			assert.equal(typeof o.level, 'string', l);
			assert.equal(typeof o.msg, 'string', l);
		}
	});
});
