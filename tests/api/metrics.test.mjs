/*
 * /metrics: the Prometheus text format (0.0.4), request counters summed
 * over Kore's worker processes, cumulative histograms, bus and db gauges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { register, signIn, sleep, startServer, uniqueEmail, waitFor } from './lib/server.mjs';

const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN)';
/* name{labels} value [timestamp] */
const SAMPLE = new RegExp(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?[0-9]+)?$`);
const COMMENT = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/;

function parseLabels(s) {
	const out = {};
	if (!s)
		return out;
	const re = new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, 'g');
	for (const m of s.matchAll(re))
		out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
	return out;
}

/* Parses the exposition; asserts the format line by line. */
function parse(text) {
	const samples = [];
	const types = new Map();
	const seen = new Set();
	const lines = text.split('\n');
	assert.equal(lines.at(-1), '', 'the text ends with a newline');
	for (const line of lines.slice(0, -1)) {
		if (line.startsWith('#')) {
			const m = COMMENT.exec(line);
			assert.ok(m, `bad comment line: ${line}`);
			if (m[1] === 'TYPE') {
				assert.match(m[3], /^(counter|gauge|histogram|summary|untyped)$/, line);
				assert.equal(types.has(m[2]), false, `TYPE twice for ${m[2]}`);
				types.set(m[2], m[3]);
			}
			continue;
		}
		const m = SAMPLE.exec(line);
		assert.ok(m, `not Prometheus text format: ${JSON.stringify(line)}`);
		assert.equal(seen.has(`${m[1]}{${m[2] ?? ''}}`), false, `duplicate series: ${line}`);
		seen.add(`${m[1]}{${m[2] ?? ''}}`);
		const family = [m[1], m[1].replace(/_(bucket|sum|count)$/, '')].find((n) => types.has(n));
		assert.ok(family, `sample before (or without) its TYPE: ${line}`);
		samples.push({ name: m[1], labels: parseLabels(m[2]), value: Number(m[3]), line });
	}
	return { samples, types };
}

function value(parsed, name, labels = {}) {
	const hit = parsed.samples.find((x) => x.name === name &&
	    Object.entries(labels).every(([k, v]) => x.labels[k] === v));
	return hit?.value;
}

let s;

before(async () => {
	s = await startServer({ workers: 2 });
});

after(async () => {
	await s?.close();
});

async function scrape() {
	const r = await s.request('GET', '/metrics');
	assert.equal(r.status, 200);
	return { r, m: parse(r.text) };
}

describe('/metrics', () => {
	it('is text/plain; version=0.0.4 and every line is valid exposition format', async () => {
		await s.request('GET', '/healthz');
		await s.request('GET', '/no/such/path');
		const { r, m } = await scrape();
		assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
		assert.ok(m.samples.length > 5);
		assert.equal(m.types.get('mercato_http_requests_total'), 'counter');
		assert.equal(m.types.get('mercato_http_request_duration_seconds'), 'histogram');
		for (const x of m.samples)
			assert.ok(Number.isFinite(x.value) || x.labels.le === '+Inf', x.line);
	});

	it('counts requests by route and status, summed over the workers', async () => {
		const before = value((await scrape()).m, 'mercato_http_requests_total',
		    { route: '/healthz', status: '200' }) ?? 0;
		const lines = () => s.logLines().filter((o) => o.msg === 'request' && o.route === '/healthz');
		const pids = () => new Set(lines().map((o) => o.pid));
		const logged0 = lines().length;

		const batch = () => Promise.all(Array.from({ length: 10 },
		    () => s.request('GET', '/healthz', { fresh: true })));
		for (const r of await batch())
			assert.equal(r.status, 200);
		/*
		 * Kore hands new connections to whichever worker holds the accept
		 * lock, usually the same one.  So that a second process surely
		 * counts, SIGKILL the worker that answered (Kore starts a new one;
		 * the counters live in memory shared with the parent).
		 */
		/* The access log is buffered (flushed every 100 ms): wait for it. */
		await waitFor(() => lines().length >= logged0 + 10, { message: 'the access log of the first 10' });
		const served = pids();
		for (const pid of served)
			process.kill(pid, 'SIGKILL');
		await sleep(300);
		await waitFor(async () => (await s.request('GET', '/readyz', { fresh: true }).catch(() => ({}))).status === 200,
		    { message: 'a worker answering again' });
		for (const r of await batch())
			assert.equal(r.status, 200);

		const after = value((await scrape()).m, 'mercato_http_requests_total',
		    { route: '/healthz', status: '200' });
		assert.ok(after - before >= 20, `counted ${after - before} of 20 requests`);
		await waitFor(() => pids().size >= 2, { message: 'two worker pids in the log' });
		/* Exactly what the access log (all workers) says. */
		await waitFor(() => lines().filter((o) => o.status === 200).length >= after,
		    { message: `${after} access-log lines for /healthz` });
		assert.equal(lines().filter((o) => o.status === 200).length, after);
	});

	it('counts errors under their status', async () => {
		await s.request('GET', '/api/v1/auth/me');
		const { m } = await scrape();
		assert.ok(value(m, 'mercato_http_requests_total', { route: '/api/v1/auth/me', status: '401' }) >= 1);
	});

	it('histogram buckets are cumulative and end with le="+Inf" equal to _count', async () => {
		const { m } = await scrape();
		const routes = new Set(m.samples.filter((x) => x.name === 'mercato_http_request_duration_seconds_bucket')
		    .map((x) => x.labels.route));
		assert.ok(routes.has('/healthz'), 'a histogram for /healthz');
		for (const route of routes) {
			const buckets = m.samples.filter((x) => x.name === 'mercato_http_request_duration_seconds_bucket' &&
			    x.labels.route === route);
			assert.equal(buckets.at(-1).labels.le, '+Inf', `${route}: last bucket is +Inf`);
			let prevLe = -Infinity;
			let prev = 0;
			for (const b of buckets) {
				const le = b.labels.le === '+Inf' ? Infinity : Number(b.labels.le);
				assert.ok(le > prevLe, `${route}: le ascending (${b.line})`);
				assert.ok(b.value >= prev, `${route}: cumulative (${b.line})`);
				prevLe = le;
				prev = b.value;
			}
			const count = value(m, 'mercato_http_request_duration_seconds_count', { route });
			const sum = value(m, 'mercato_http_request_duration_seconds_sum', { route });
			assert.equal(buckets.at(-1).value, count, `${route}: +Inf == _count`);
			assert.ok(sum >= 0 && Number.isFinite(sum), `${route}: _sum ${sum}`);
			/* Each request is counted once in the histogram and once by status. */
			const total = m.samples.filter((x) => x.name === 'mercato_http_requests_total' && x.labels.route === route)
			    .reduce((a, x) => a + x.value, 0);
			assert.equal(total, count, `${route}: requests by status vs histogram count`);
		}
	});

	it('mercato_db_file_bytes{file="identity"} > 0', async () => {
		const { m } = await scrape();
		assert.equal(m.types.get('mercato_db_file_bytes'), 'gauge');
		assert.ok(value(m, 'mercato_db_file_bytes', { file: 'identity' }) > 0);
	});

	it('mercato_bus_events_published_total goes up after a registration', async () => {
		const before = value((await scrape()).m, 'mercato_bus_events_published_total');
		assert.ok(Number.isInteger(before));
		const r = await register(s, uniqueEmail('metrics'), 'long enough pw');
		assert.equal(r.status, 201, r.text);
		const after = await waitFor(async () => {
			const v = value((await scrape()).m, 'mercato_bus_events_published_total');
			return v > before && v;
		}, { message: 'the published counter to move' });
		assert.ok(after >= before + 1);
	});

	it('sign-in attempts are counted by result', async () => {
		const v = (m, result) => value(m, 'mercato_signin_attempts_total', { result });
		const { m: m0 } = await scrape();
		await s.request('POST', '/api/v1/auth/token', {
			form: { grant_type: 'password', username: s.adminEmail, password: 'wrong password' },
		});
		assert.equal((await signIn(s, s.adminEmail, s.adminPassword)).status, 200);
		const { m: m1 } = await scrape();
		assert.equal(v(m1, 'failed'), v(m0, 'failed') + 1);
		assert.equal(v(m1, 'ok'), v(m0, 'ok') + 1);
	});

	it('stdout stays JSON lines when Kore reports a worker death',
	    () => {
		for (const l of s.stdout().split('\n').filter((x) => x !== ''))
			assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
	});
});
