/*
 * tests/api/lib/server.mjs: runs a real mercato binary for black-box API
 * tests (auth, http, metrics, ops, and the bus tests).
 *
 *   const s = await startServer({ bin, env, args, workers });
 *   const r = await s.request('POST', '/api/v1/auth/register',
 *       { body: { email, password } });            // -> {status, headers, json, text, body}
 *   const t = await s.adminToken();                  // password grant, cached
 *   await s.stop();                                  // SIGTERM, SIGKILL after 5 s
 *   await s.restart();                               // same data dir and port
 *   await s.close();                                 // stop + remove the temp dir
 *
 * startServer() makes a fresh temp dir (fs.mkdtempSync under os.tmpdir()),
 * picks a free 127.0.0.1 port, spawns
 *   <bin> serve --data <dir>/data --port <port> --bind 127.0.0.1 [--workers N] [...args]
 * in its own process group with env {...process.env, MERCATO_ADMIN_EMAIL,
 * MERCATO_ADMIN_PASSWORD (random), ...env} (an env value of undefined removes
 * the variable), collects stdout (JSON lines) and stderr, and waits for
 * GET /readyz 200 (every 50 ms, up to 15 s, 3x that under MERCATO_ASAN=1).
 * It fails with the captured output when the server never gets ready or exits.
 *
 * MERCATO_ASAN=1 (AddressSanitizer/UBSan build): every stop() and kill9()
 * asserts that the run's stderr has no "ERROR: AddressSanitizer" and no
 * "runtime error:", so each test file gets that check from its after hook.
 *
 * Call close() in an after hook: it stops the server and removes the temp
 * dir.  A process exit handler SIGKILLs and removes whatever is left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ASAN = process.env.MERCATO_ASAN === '1';
/* Multiplier for every time budget: sanitizer builds are slower. */
export const SLOW = ASAN ? 3 : 1;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const live = new Set();

process.on('exit', () => {
	for (const s of live) {
		try {
			process.kill(-s.proc.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
		try {
			fs.rmSync(s.dir, { recursive: true, force: true });
		} catch {
			/* best effort */
		}
	}
});

/* A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/* n random characters from [A-Za-z0-9]. */
export function randomPassword(n = 20) {
	const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	let s = '';
	while (s.length < n) {
		for (const b of randomBytes(n)) {
			if (b < 248 && s.length < n)	/* 248 = 62 * 4: no modulo bias */
				s += alpha[b % 62];
		}
	}
	return s;
}

/*
 * Polls fn (sync or async) every intervalMs until it returns a truthy value,
 * which it resolves with; rejects with message after timeoutMs.
 */
export async function waitFor(fn, { timeoutMs = 5000 * SLOW, intervalMs = 50, message = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
		await sleep(intervalMs);
	}
}

/* A unique, valid email address for a test user. */
export function uniqueEmail(tag = 'user') {
	return `${tag}-${randomBytes(5).toString('hex')}@example.com`;
}

/* The decoded header and payload of a JWT (no verification). */
export function decodeJwt(token) {
	const [h, p, sig] = token.split('.');
	return {
		header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
		payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
		signature: sig,
	};
}

/* Builds the child's environment: undefined values remove a variable. */
function childEnv(extra) {
	const e = { ...process.env, ...extra };
	for (const k of Object.keys(e))
		if (e[k] === undefined)
			delete e[k];
	return e;
}

/*
 * Runs the binary to completion (CLI commands).  Resolves with
 * {code, signal, stdout, stderr}; kills it after timeoutMs.
 */
export function runCli(bin, args, { env = {}, input, cwd, timeoutMs = 20000 * SLOW } = {}) {
	return new Promise((resolve, reject) => {
		const proc = spawn(bin, args, {
			cwd,
			env: childEnv(env),
			stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		proc.stdout.on('data', (c) => { stdout += c; });
		proc.stderr.on('data', (c) => { stderr += c; });
		const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
		proc.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		proc.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal, stdout, stderr });
		});
		if (input !== undefined) {
			proc.stdin.on('error', () => {});
			proc.stdin.end(input);
		}
	});
}

/* The sanitizers' verdict on one run's stderr. */
export function assertNoSanitizerReports(stderr, what = 'mercato') {
	assert.doesNotMatch(stderr, /ERROR: AddressSanitizer/,
	    `${what}: AddressSanitizer reported an error:\n${stderr.slice(-8000)}`);
	assert.doesNotMatch(stderr, /runtime error:/,
	    `${what}: UndefinedBehaviorSanitizer reported an error:\n${stderr.slice(-8000)}`);
}

/*
 * One HTTP request with node:http (full control over bytes and headers).
 *   body: an object/array is sent as JSON (content-type application/json
 *         unless headers say otherwise); a string or Buffer is sent raw.
 *   form: an object sent as application/x-www-form-urlencoded.
 *   token: adds Authorization: Bearer <token>.
 *   fresh: a new connection (Connection: close) instead of keep-alive.
 * Resolves {status, headers (lower-case keys; set-cookie is an array),
 * json (parsed when the content-type is JSON, else undefined), text, body}.
 */
export function httpRequest(baseUrl, method, urlPath, {
	body, form, token, headers = {}, fresh = false, timeoutMs = 10000 * SLOW,
} = {}) {
	const h = {};
	for (const [k, v] of Object.entries(headers))
		h[k.toLowerCase()] = v;
	let payload;
	if (form !== undefined) {
		payload = Buffer.from(new URLSearchParams(form).toString());
		h['content-type'] ??= 'application/x-www-form-urlencoded';
	} else if (body !== undefined) {
		if (Buffer.isBuffer(body) || typeof body === 'string') {
			payload = Buffer.from(body);
		} else {
			payload = Buffer.from(JSON.stringify(body));
			h['content-type'] ??= 'application/json';
		}
	}
	if (token !== undefined)
		h.authorization = `Bearer ${token}`;
	if (payload !== undefined)
		h['content-length'] = String(payload.length);
	else if (['POST', 'PUT', 'PATCH'].includes(method))
		h['content-length'] ??= '0';
	if (fresh)
		h.connection = 'close';
	const url = new URL(urlPath, baseUrl);
	return new Promise((resolve, reject) => {
		const req = http.request(url, {
			method,
			headers: h,
			agent: fresh ? false : undefined,
			timeout: timeoutMs,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const buf = Buffer.concat(chunks);
				const text = buf.toString('utf8');
				let json;
				const ct = res.headers['content-type'] || '';
				if (/json/i.test(ct) && text.length > 0) {
					try {
						json = JSON.parse(text);
					} catch {
						json = undefined;
					}
				}
				resolve({ status: res.statusCode, headers: res.headers, json, text, body: buf });
			});
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(payload);
	});
}

function exited(proc) {
	return proc.exitCode !== null || proc.signalCode !== null;
}

/* Resolves true once proc has exited and its pipes closed, false after ms. */
function waitClose(proc, ms) {
	return new Promise((resolve) => {
		if (exited(proc) && proc.stdout.closed && proc.stderr.closed)
			return resolve(true);
		const timer = setTimeout(() => {
			proc.off('close', done);
			resolve(exited(proc));
		}, ms);
		function done() {
			clearTimeout(timer);
			resolve(true);
		}
		proc.once('close', done);
	});
}

/* Whether a live (not zombie) process is left in the group. */
function groupAlive(pgid) {
	let entries;
	try {
		entries = fs.readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d));
	} catch {
		try {
			process.kill(-pgid, 0);
			return true;
		} catch {
			return false;
		}
	}
	for (const pid of entries) {
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue;
		}
		/* pid (comm) state ppid pgrp ...; comm may hold spaces. */
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X')
			return true;
	}
	return false;
}

function killGroup(pgid, signal) {
	try {
		process.kill(-pgid, signal);
	} catch {
		/* gone */
	}
}

/*
 * Starts mercato; see the top of this file.  Options:
 *   bin       the binary (default $MERCATO_BIN), an absolute path
 *   env       extra environment (undefined removes a variable)
 *   args      extra arguments after the standard ones
 *   workers   --workers N
 *   copyFrom  copy this directory into <tmp>/data first (e.g. a backup)
 *   readyTimeoutMs  default 15 s (x3 with MERCATO_ASAN=1)
 */
export async function startServer({
	bin = process.env.MERCATO_BIN,
	env = {},
	args = [],
	workers,
	copyFrom,
	readyTimeoutMs = 15000 * SLOW,
} = {}) {
	if (!bin || !path.isAbsolute(bin))
		throw new Error('set MERCATO_BIN to the absolute path of the mercato binary');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mercato-api-'));
	const adminEmail = 'admin@example.com';
	const adminPassword = randomPassword(20);
	const baseEnv = {
		MERCATO_ADMIN_EMAIL: adminEmail,
		MERCATO_ADMIN_PASSWORD: adminPassword,
		...env,
	};

	const s = {
		url: '',
		port: 0,
		dir,
		dataDir: path.join(dir, 'data'),
		proc: null,
		adminEmail: baseEnv.MERCATO_ADMIN_EMAIL,
		adminPassword: baseEnv.MERCATO_ADMIN_PASSWORD,
		/* One entry per start: {stdout, stderr, code, signal}. */
		runs: [],
		closed: false,
	};
	let tokenPromise = null;
	let stopping = null;

	function spawnOnce(extraEnv) {
		const run = { stdout: '', stderr: '', code: null, signal: null };
		s.runs.push(run);
		const argv = ['serve', '--data', s.dataDir, '--port', String(s.port),
		    '--bind', '127.0.0.1'];
		if (workers !== undefined)
			argv.push('--workers', String(workers));
		argv.push(...args);
		const proc = spawn(bin, argv, {
			cwd: dir,
			env: childEnv({ ...baseEnv, ...extraEnv }),
			detached: true,		/* own process group: workers included */
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		proc.stdout.setEncoding('utf8');
		proc.stderr.setEncoding('utf8');
		proc.stdout.on('data', (c) => { run.stdout += c; s._all += c; });
		proc.stderr.on('data', (c) => { run.stderr += c; s._all += c; });
		proc.on('exit', (code, signal) => {
			run.code = code;
			run.signal = signal;
		});
		proc.on('error', (e) => { run.stderr += `spawn error: ${e.message}\n`; });
		s.proc = proc;
		stopping = null;
		live.add(s);
		return run;
	}

	async function waitReady(run) {
		const proc = s.proc;
		const deadline = Date.now() + readyTimeoutMs;
		const ours = new RegExp(`:${s.port}(?![0-9])`);
		let last = 'no answer';
		let okSince = 0;
		for (;;) {
			if (exited(proc) || proc.pid === undefined) {
				await waitClose(proc, 1000);
				return { ok: false, why: `mercato exited early (code ${proc.exitCode}, signal ${proc.signalCode})` };
			}
			try {
				const r = await httpRequest(s.url, 'GET', '/readyz', { timeoutMs: 1000 * SLOW, fresh: true });
				last = `status ${r.status}`;
				if (r.status === 200) {
					/*
					 * The "listening on ...:port" log line proves the
					 * port is ours, not another test's server; without
					 * it, 1 s of answers while ours is alive will do.
					 */
					okSince ||= Date.now();
					if (ours.test(run.stdout) || Date.now() - okSince > 1000)
						return { ok: true };
				}
			} catch (e) {
				last = e.code || e.message;
				okSince = 0;
			}
			if (Date.now() > deadline)
				return { ok: false, why: `mercato not ready after ${readyTimeoutMs} ms (${last})` };
			await sleep(50);
		}
	}

	async function start(extraEnv = {}, tries = 1) {
		for (let attempt = 1; ; attempt++) {
			const run = spawnOnce(extraEnv);
			const res = await waitReady(run);
			if (res.ok)
				return;
			await s.kill9().catch(() => {});
			/* Lost a race for the port with another process: new port. */
			if (attempt < tries && /cannot listen/.test(run.stderr + run.stdout)) {
				s.port = await freePort();
				s.url = `http://127.0.0.1:${s.port}`;
				continue;
			}
			throw new Error(`${res.why}\n--- stdout ---\n${run.stdout.slice(-6000)}` +
			    `\n--- stderr ---\n${run.stderr.slice(-6000)}`);
		}
	}

	/* Waits for the whole group; SIGKILLs it after ms.  Returns the run's result. */
	async function reap(proc, run, ms) {
		const clean = await waitClose(proc, ms);
		if (!clean) {
			killGroup(proc.pid, 'SIGKILL');
			await waitClose(proc, 5000 * SLOW);
		}
		/* Workers must leave with their parent (give init time to reap). */
		let stragglers = groupAlive(proc.pid);
		for (let i = 0; stragglers && i < 20; i++) {
			await sleep(50);
			stragglers = groupAlive(proc.pid);
		}
		if (stragglers) {
			killGroup(proc.pid, 'SIGKILL');
			await sleep(100);
		}
		live.delete(s);
		return { code: run.code, signal: run.signal, killed: !clean, stragglers };
	}

	s._all = '';
	s.logs = () => s._all;
	s.stdout = () => s.runs.map((r) => r.stdout).join('');
	s.stderr = () => s.runs.map((r) => r.stderr).join('');
	/* stdout's lines, parsed; a line that is not JSON becomes {_raw: line}. */
	s.logLines = () => s.stdout().split('\n').filter((l) => l !== '').map((l) => {
		try {
			return JSON.parse(l);
		} catch {
			return { _raw: l };
		}
	});
	/* The access-log line of the request with that id (waits for it). */
	s.accessLog = (requestId, opts) => waitFor(() => s.logLines()
	    .find((o) => o.msg === 'request' && o.request_id === requestId),
	{ message: `the access log line of ${requestId}`, ...opts });
	s.running = () => s.proc !== null && !exited(s.proc);

	/*
	 * Sends signal (default SIGTERM) to the parent; SIGKILL to the group
	 * after timeoutMs (5 s).  Resolves {code, signal, killed, stragglers}
	 * and asserts the sanitizers stayed quiet.
	 */
	s.stop = ({ signal = 'SIGTERM', timeoutMs = 5000 * SLOW } = {}) => {
		if (stopping)
			return stopping;
		const proc = s.proc;
		const run = s.runs.at(-1);
		stopping = (async () => {
			if (!exited(proc)) {
				try {
					process.kill(proc.pid, signal);
				} catch {
					/* already gone */
				}
			}
			const res = await reap(proc, run, timeoutMs);
			assertNoSanitizerReports(run.stderr);
			return res;
		})();
		return stopping;
	};

	/* SIGKILL to the whole group at once (a crash). */
	s.kill9 = () => {
		if (stopping)
			return stopping;
		const proc = s.proc;
		const run = s.runs.at(-1);
		stopping = (async () => {
			killGroup(proc.pid, 'SIGKILL');
			const res = await reap(proc, run, 5000 * SLOW);
			assertNoSanitizerReports(run.stderr);
			return res;
		})();
		return stopping;
	};

	/* Stops if running, then starts again on the same data dir and port. */
	s.restart = async ({ env: extraEnv = {} } = {}) => {
		if (s.running())
			await s.stop();
		else if (s.proc)
			await (stopping ?? s.stop());
		tokenPromise = null;
		await start(extraEnv, 1);
		return s;
	};

	/* Stops (if needed) and removes the temp dir.  For after hooks. */
	s.close = async () => {
		if (s.closed)
			return;
		s.closed = true;
		try {
			if (s.proc && !stopping)
				await s.stop();
			else if (stopping)
				await stopping;
		} finally {
			live.delete(s);
			if (process.env.MERCATO_TEST_KEEP !== '1')
				fs.rmSync(dir, { recursive: true, force: true });
		}
	};

	s.request = (method, urlPath, opts) => httpRequest(s.url, method, urlPath, opts);

	/* The admin's access token (password grant), cached per start. */
	s.adminToken = () => {
		tokenPromise ??= signIn(s, s.adminEmail, s.adminPassword).then((r) => {
			if (r.status !== 200) {
				tokenPromise = null;
				throw new Error(`admin sign-in failed: ${r.status} ${r.text}`);
			}
			return r.token;
		});
		return tokenPromise;
	};

	s.port = await freePort();
	s.url = `http://127.0.0.1:${s.port}`;
	try {
		if (copyFrom !== undefined)
			fs.cpSync(copyFrom, s.dataDir, { recursive: true });
		await start({}, 3);
	} catch (e) {
		live.delete(s);
		fs.rmSync(dir, { recursive: true, force: true });
		throw e;
	}
	return s;
}

/*
 * POST /api/v1/auth/register.  Resolves the response ({status, json, ...});
 * json is the new user on 201.
 */
export function register(server, email, password, { name } = {}) {
	const body = { email, password };
	if (name !== undefined)
		body.name = name;
	return server.request('POST', '/api/v1/auth/register', { body });
}

/*
 * Password grant (form-encoded).  Resolves the response with .token (the
 * access token, undefined unless 200) and .refresh (the refresh token).
 */
export async function signIn(server, email, password, { cookie = false, headers } = {}) {
	const form = { grant_type: 'password', username: email, password };
	if (cookie)
		form.refresh_cookie = 'true';
	const r = await server.request('POST', '/api/v1/auth/token', { form, headers });
	r.token = r.status === 200 ? r.json?.access_token : undefined;
	r.refresh = r.status === 200 ? r.json?.refresh_token : undefined;
	return r;
}

/* Asserts an RFC 9457 problem+json answer with the given status. */
export function assertProblem(res, status, typeSuffix) {
	assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
	assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/,
	    `content-type of a ${status}`);
	assert.ok(res.json && typeof res.json === 'object', `problem body is JSON: ${res.text}`);
	for (const k of ['type', 'title', 'detail', 'request_id'])
		assert.equal(typeof res.json[k], 'string', `problem member ${k}: ${res.text}`);
	assert.equal(res.json.status, status, 'problem status matches the HTTP status');
	assert.equal(res.json.request_id, res.headers['x-request-id'], 'problem request_id is the X-Request-Id');
	if (typeSuffix !== undefined)
		assert.ok(res.json.type.endsWith(`/${typeSuffix}`), `type ${res.json.type} ends with /${typeSuffix}`);
	return res.json;
}

/* Every event of source's log, following `next` (staff token). */
export async function feed(s, token, source) {
	const out = [];
	let after = '0';
	for (let pages = 0; pages < 100; pages++) {
		const r = await s.request('GET',
		    `/api/v1/events?source=${source}&after=${after}&limit=1000`, { token });
		assert.equal(r.status, 200, r.text);
		out.push(...r.json.data);
		if (r.json.next === null)
			return out;
		after = r.json.next;
	}
	throw new Error('the feed never ends');
}

/*
 * Every row of a paged list (path has no query, or ends in one without
 * limit/after), following `next`, as token.
 */
export async function allPages(s, path, token, limit = 200) {
	const out = [];
	const sep = path.includes('?') ? '&' : '?';
	let after = '';
	for (let pages = 0; pages < 1000; pages++) {
		const r = await s.request('GET', `${path}${sep}limit=${limit}${after ? `&after=${after}` : ''}`,
		    { token });
		assert.equal(r.status, 200, r.text);
		out.push(...r.json.data);
		if (!r.json.next)
			return out;
		after = r.json.next;
	}
	throw new Error(`${path} never ends`);
}

/*
 * A shipping zone (Germany by default) with one method (a flat 4.90 by
 * default), as staff; returns { zone, method }, their ids.
 */
export async function shippingZone(s, token, method = { name: 'Standard', kind: 'flat', amount: 490 },
    zone = { name: 'Germany', countries: ['DE'] }) {
	const z = await s.request('POST', '/api/v1/checkout/shipping/zones', { token, body: zone });
	assert.equal(z.status, 201, z.text);
	const m = await s.request('POST', `/api/v1/checkout/shipping/zones/${z.json.id}/methods`, { token,
		body: method });
	assert.equal(m.status, 201, m.text);
	return { zone: z.json.id, method: m.json.id };
}

/* Registers a fresh customer on s and returns its access token. */
export async function customerToken(s, tag = 'customer') {
	const email = uniqueEmail(tag);
	const reg = await register(s, email, 'password-123');
	assert.equal(reg.status, 201, reg.text);
	const si = await signIn(s, email, 'password-123');
	assert.equal(si.status, 200, si.text);
	return si.token;
}
