/*
 * The event bus, end to end, on the bus test binary (MERCATO_TEST_BIN: the
 * shop plus the test-only probe and tally modules).  probe publishes
 * probe.note.created with each note (or, with "fail", neither; with "crash",
 * both and then dies before delivery); tally subscribes to probe.* and
 * identity.customer.registered and lists every event it applied, without
 * uniqueness, so a double application shows.  A note whose text starts with
 * "poison" fails in tally until POST /api/v1/tally/heal.
 *
 * Covered: change and event commit atomically; in-process delivery inside
 * the request; retry with backoff, dead letter and retry on demand; a crash
 * between commit and delivery loses nothing; several workers never apply an
 * event twice; replay rebuilds the same read model and publishes nothing;
 * the feed's paging and validation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SLOW, assertProblem, feed, register, runCli, signIn, sleep, startServer, uniqueEmail, waitFor } from './lib/server.mjs';

const BIN = process.env.MERCATO_TEST_BIN;
const SKIP = BIN ? false : 'MERCATO_TEST_BIN is not set';
const NOTE = 'probe.note.created';
const REG = 'identity.customer.registered';
const EVT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
const NOTE_ID = /^note_[0-9A-HJKMNP-TV-Z]{26}$/;
const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const tag = () => randomBytes(4).toString('hex');

async function getJson(s, token, p) {
	const r = await s.request('GET', p, { token });
	assert.equal(r.status, 200, `GET ${p}: ${r.status} ${r.text}`);
	return r.json;
}

const tally = (s, token) => getJson(s, token, '/api/v1/tally');
const subs = async (s, token) => (await getJson(s, token, '/api/v1/events/subscriptions')).data;
const deadLetters = async (s, token) => (await getJson(s, token, '/api/v1/events/dead')).data;
const notes = async (s, token) => (await getJson(s, token, '/api/v1/probe/notes')).data;

async function postNote(s, token, body, headers = {}) {
	return s.request('POST', '/api/v1/probe/notes', { token, body, headers });
}

/* Waits until every subscription has caught up and none is failing. */
function caughtUp(s, token) {
	return waitFor(async () => {
		const all = await subs(s, token);
		return all.every((x) => x.lag === 0 && x.failing === null) ? all : null;
	}, { timeoutMs: 10000 * SLOW, message: 'every subscription at lag 0' });
}

/* A sample's value from /metrics (no labels). */
async function metric(s, name) {
	const r = await s.request('GET', '/metrics');
	assert.equal(r.status, 200);
	const m = new RegExp(`^${name} ([0-9.eE+]+)$`, 'm').exec(r.text);
	assert.ok(m, `${name} in /metrics`);
	return Number(m[1]);
}

/* Asserts tally's applied list is exactly the feeds' events, once each. */
function assertExactlyOnce(applied, feeds) {
	const want = new Map();
	for (const ev of feeds)
		want.set(ev.id, ev);
	const seen = new Map();
	for (const a of applied)
		seen.set(a.event_id, (seen.get(a.event_id) ?? 0) + 1);
	const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
	assert.deepEqual(twice, [], 'no event applied twice');
	const missing = [...want.keys()].filter((id) => !seen.has(id));
	assert.deepEqual(missing, [], 'every event of the logs applied');
	const extra = [...seen.keys()].filter((id) => !want.has(id));
	assert.deepEqual(extra, [], 'nothing applied that is not in a log');
	for (const a of applied) {
		const ev = want.get(a.event_id);
		assert.deepEqual([a.source, a.seq, a.type], [ev.source, ev.seq, ev.type],
		    `applied ${a.event_id} matches its log entry`);
	}
}

/* Asserts each source's entries in list come in strictly ascending seq. */
function assertPerSourceAscending(list, what) {
	const last = {};
	for (const a of list) {
		assert.ok(a.seq > (last[a.source] ?? 0),
		    `${what}: ${a.source} #${a.seq} after #${last[a.source]}`);
		last[a.source] = a.seq;
	}
}

function countsOf(list) {
	const c = {};
	for (const ev of list)
		c[ev.type] = (c[ev.type] ?? 0) + 1;
	return c;
}

/* Runs fn over items with at most n in flight. */
async function pool(items, n, fn) {
	const out = new Array(items.length);
	let next = 0;
	async function lane() {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i], i);
		}
	}
	await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
	return out;
}

describe('bus: one server, in order', { skip: SKIP }, () => {
	const MAX_ATTEMPTS = 4;
	let s;
	let token;
	let customerToken;

	before(async () => {
		s = await startServer({
			bin: BIN,
			env: {
				MERCATO_BUS_BACKOFF_MS: '20',
				MERCATO_BUS_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
			},
		});
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	it('a change and its event commit together or not at all', async () => {
		const N = 6;
		const sent = [];
		for (let i = 0; i < N; i++) {
			const rid = `bus-t1-${i}-${tag()}`;
			const text = `note ${i} ${tag()}`;
			const t0 = Date.now();
			const r = await postNote(s, token, { text }, { 'x-request-id': rid });
			assert.equal(r.status, 201, r.text);
			assert.match(r.json.id, NOTE_ID);
			assert.equal(r.json.text, text);
			assert.equal(r.headers['x-request-id'], rid);
			sent.push({ id: r.json.id, text, rid, t0, t1: Date.now() });
		}
		const evs = await feed(s, token, 'probe');
		assert.equal(evs.length, N, 'one event per note');
		assert.deepEqual(evs.map((e) => e.seq), Array.from({ length: N }, (_, i) => i + 1),
		    'seq 1..N, no gaps');
		assert.equal(new Set(evs.map((e) => e.id)).size, N, 'event ids are unique');
		evs.forEach((e, i) => {
			const n = sent[i];
			assert.deepEqual(Object.keys(e).sort(), ['aggregate_id', 'correlation_id', 'id',
			    'occurred_at', 'payload', 'seq', 'source', 'type', 'version']);
			assert.match(e.id, EVT_ID);
			assert.equal(e.source, 'probe');
			assert.equal(e.type, NOTE);
			assert.equal(e.version, 1);
			assert.equal(e.aggregate_id, n.id);
			assert.match(e.occurred_at, RFC3339_MS);
			const at = Date.parse(e.occurred_at);
			assert.ok(at >= n.t0 - 1000 && at <= n.t1 + 1000,
			    `occurred_at ${e.occurred_at} is when the note was posted`);
			assert.equal(e.correlation_id, n.rid, 'correlation_id is the request id');
			assert.deepEqual(e.payload, { note_id: n.id, text: n.text });
		});
		const listed = await notes(s, token);
		assert.deepEqual(listed.map((x) => x.id).sort(), sent.map((x) => x.id).sort());

		const before = { notes: listed, tally: await tally(s, token) };

		/* Published, then rolled back: neither the note nor the event. */
		const failText = `fail ${tag()}`;
		const f = await postNote(s, token, { text: failText, fail: true });
		assertProblem(f, 409, 'injected');
		/* A validation error writes nothing either. */
		const v = await postNote(s, token, { fail: false });
		const p = assertProblem(v, 422, 'validation');
		assert.equal(p.errors[0].field, 'text');

		assert.deepEqual(await feed(s, token, 'probe'), evs, 'the feed is unchanged');
		assert.deepEqual(await notes(s, token), before.notes, 'no note was added');
		assert.deepEqual(await tally(s, token), before.tally, 'nothing was delivered');

		/* The next good note takes the next seq: the rollback left no gap. */
		const r = await postNote(s, token, { text: `after the failure ${tag()}` });
		assert.equal(r.status, 201, r.text);
		const again = await feed(s, token, 'probe');
		assert.equal(again.length, N + 1);
		assert.equal(again.at(-1).seq, N + 1);
		assert.equal(again.at(-1).aggregate_id, r.json.id);
	});

	it('delivers in process: the read model has the event when the 201 arrives', async () => {
		for (let i = 0; i < 5; i++) {
			const r = await postNote(s, token, { text: `inline ${i} ${tag()}` });
			assert.equal(r.status, 201, r.text);
			const t = await tally(s, token);	/* no waiting */
			const evs = await feed(s, token, 'probe');
			const ev = evs.find((e) => e.aggregate_id === r.json.id);
			assert.ok(ev, 'the note has its event');
			assert.equal(t.applied.filter((a) => a.event_id === ev.id).length, 1,
			    'tally applied the event before the response');
		}
		/* identity's events too: a registration is in tally on its 201. */
		const reg = await register(s, uniqueEmail('inline'), 'password-123');
		assert.equal(reg.status, 201, reg.text);
		const t = await tally(s, token);
		const ids = (await feed(s, token, 'identity'))
		    .filter((e) => e.aggregate_id === reg.json.id).map((e) => e.id);
		assert.equal(ids.length, 1);
		assert.equal(t.applied.filter((a) => a.event_id === ids[0]).length, 1);
		assert.equal(t.counts[REG], 1);
		const all = (await caughtUp(s, token)).filter((x) => x.subscriber === 'tally');
		assert.deepEqual(all.map((x) => x.source).sort(), ['identity', 'probe'],
		    'tally subscribes to probe and identity');
	});

	it('retries a failing handler, then dead-letters it; retry on demand', async () => {
		const poisonText = `poison-1 ${tag()}`;
		const afterText = `after-1 ${tag()}`;
		const failures0 = await metric(s, 'mercato_bus_delivery_failures_total');

		const p = await postNote(s, token, { text: poisonText });
		assert.equal(p.status, 201, p.text);
		const a = await postNote(s, token, { text: afterText });
		assert.equal(a.status, 201, a.text);
		const evs = await feed(s, token, 'probe');
		const pev = evs.find((e) => e.aggregate_id === p.json.id);
		const aev = evs.find((e) => e.aggregate_id === a.json.id);
		assert.equal(aev.seq, pev.seq + 1);

		/* Order per source is kept: the failing event blocks the next one. */
		let t = await tally(s, token);
		const appliedIds = () => new Set(t.applied.map((x) => x.event_id));
		assert.equal(appliedIds().has(pev.id), false, 'the poison note is not applied');
		assert.equal(appliedIds().has(aev.id), false, 'the note after it waits');
		const sub = (await subs(s, token)).find((x) => x.subscriber === 'tally' && x.source === 'probe');
		assert.equal(sub.cursor, pev.seq - 1);
		assert.equal(sub.head, aev.seq);
		assert.equal(sub.lag, 2);
		assert.ok(sub.failing, `the subscription is failing: ${JSON.stringify(sub)}`);
		assert.equal(sub.failing.seq, pev.seq);
		assert.ok(sub.failing.attempts >= 1 && sub.failing.attempts < MAX_ATTEMPTS,
		    `attempts ${sub.failing.attempts}`);
		assert.equal(sub.failing.error, 'poisoned note');
		assert.match(sub.failing.next_at, RFC3339_MS);

		/* After MAX_ATTEMPTS tries it is parked, and the next one goes through. */
		const dead = await waitFor(async () => {
			const d = await deadLetters(s, token);
			t = await tally(s, token);
			return d.length === 1 && appliedIds().has(aev.id) ? d : null;
		}, { timeoutMs: 5000 * SLOW, message: 'the dead letter and after-1 applied' });
		const dl = dead[0];
		assert.equal(dl.subscriber, 'tally');
		assert.equal(dl.source, 'probe');
		assert.equal(dl.seq, pev.seq);
		assert.equal(dl.type, NOTE);
		assert.equal(dl.attempts, MAX_ATTEMPTS);
		assert.equal(dl.error, 'poisoned note');
		assert.match(dl.dead_at, RFC3339_MS);
		assert.ok(Number.isInteger(dl.id) && dl.id > 0);
		assert.deepEqual(dl.envelope, pev, 'the dead letter keeps the whole envelope');
		assert.equal(appliedIds().has(pev.id), false);
		assert.equal(t.applied.filter((x) => x.event_id === aev.id).length, 1);
		const sub2 = (await subs(s, token)).find((x) => x.subscriber === 'tally' && x.source === 'probe');
		assert.equal(sub2.lag, 0, 'the cursor moved past the dead letter');
		assert.equal(sub2.failing, null);

		assert.ok(await metric(s, 'mercato_bus_events_dead_lettered_total') >= 1);
		assert.ok(await metric(s, 'mercato_bus_delivery_failures_total') - failures0 >= MAX_ATTEMPTS,
		    'every attempt counted as a failure');

		/* Retrying while the handler still fails: 409, the letter stays. */
		const retry = `/api/v1/events/dead/tally/${dl.id}/retry`;
		const r1 = await s.request('POST', retry, { token });
		assertProblem(r1, 409, 'retry-failed');
		const still = await deadLetters(s, token);
		assert.equal(still.length, 1);
		assert.equal(still[0].id, dl.id);
		assert.ok(still[0].attempts > MAX_ATTEMPTS, 'the failed retry is counted');
		t = await tally(s, token);
		assert.equal(appliedIds().has(pev.id), false);

		const h = await s.request('POST', '/api/v1/tally/heal', { token });
		assert.equal(h.status, 200, h.text);
		const countBefore = t.counts[NOTE];
		const r2 = await s.request('POST', retry, { token });
		assert.equal(r2.status, 200, r2.text);
		assert.deepEqual(r2.json, { retried: true });
		t = await tally(s, token);
		assert.equal(t.applied.filter((x) => x.event_id === pev.id).length, 1,
		    'the retried event is applied once');
		assert.equal(t.counts[NOTE], countBefore + 1);
		assert.deepEqual(await deadLetters(s, token), []);

		const r3 = await s.request('POST', retry, { token });
		assertProblem(r3, 404, 'not-found');
		const r4 = await s.request('POST', '/api/v1/events/dead/nosuchmodule/1/retry', { token });
		assertProblem(r4, 404);
		t = await tally(s, token);
		assert.equal(t.applied.filter((x) => x.event_id === pev.id).length, 1);
	});

	it('replay rebuilds a read model identical to the live one and publishes nothing', async () => {
		for (let i = 0; i < 3; i++) {
			const reg = await register(s, uniqueEmail('replay'), 'password-123');
			assert.equal(reg.status, 201, reg.text);
		}
		await caughtUp(s, token);
		const probeLog = await feed(s, token, 'probe');
		const identityLog = await feed(s, token, 'identity');
		const live = await tally(s, token);
		assertExactlyOnce(live.applied, [...probeLog, ...identityLog]);
		assert.deepEqual(live.counts, countsOf([...probeLog, ...identityLog]));
		/* The retried dead letter was applied after later events. */
		assert.throws(() => assertPerSourceAscending(live.applied, 'live'),
		    'the live list has the retried dead letter out of order');

		const r = await runCli(BIN, ['replay', 'tally', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay failed: ${r.stderr}`);

		const rebuilt = await tally(s, token);
		assert.deepEqual(rebuilt.counts, live.counts, 'the same counts');
		assertExactlyOnce(rebuilt.applied, [...probeLog, ...identityLog]);
		assert.deepEqual(new Set(rebuilt.applied.map((a) => a.event_id)),
		    new Set(live.applied.map((a) => a.event_id)), 'the same events');
		assertPerSourceAscending(rebuilt.applied, 'replayed');
		/* It was rebuilt, not left alone: the retried letter is back in order. */
		assert.notDeepEqual(rebuilt.applied, live.applied);

		assert.deepEqual(await feed(s, token, 'probe'), probeLog, 'replay published nothing to probe');
		assert.deepEqual(await feed(s, token, 'identity'), identityLog,
		    'replay published nothing to identity');
		assert.deepEqual(await deadLetters(s, token), []);
		const all = await subs(s, token);
		assert.ok(all.every((x) => x.lag === 0 && x.failing === null), JSON.stringify(all));
	});

	it('feed: pages follow next, validates its arguments, is for staff only', async () => {
		const all = await feed(s, token, 'probe');
		assert.ok(all.length >= 10);
		const head = all.at(-1).seq;
		const paged = [];
		let url = '/api/v1/events?source=probe&limit=2';
		for (let pages = 0; ; pages++) {
			assert.ok(pages <= all.length, 'paging ends');
			const r = await s.request('GET', url, { token });
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.data.length <= 2, 'at most limit events per page');
			paged.push(...r.json.data);
			if (r.json.next === null)
				break;
			assert.equal(r.json.next, String(r.json.data.at(-1).seq), 'next is the last seq');
			url = `/api/v1/events?source=probe&limit=2&after=${r.json.next}`;
		}
		assert.deepEqual(paged, all, 'every event once, in order');

		const mid = await s.request('GET', `/api/v1/events?source=probe&after=3&limit=4`, { token });
		assert.deepEqual(mid.json.data.map((e) => e.seq), [4, 5, 6, 7]);
		assert.equal(mid.json.next, '7');

		const end = await s.request('GET', `/api/v1/events?source=probe&after=${head}`, { token });
		assert.equal(end.status, 200);
		assert.deepEqual(end.json, { data: [], next: null });

		const idf = await feed(s, token, 'identity');
		assert.ok(idf.length >= 4);
		assert.ok(idf.every((e) => e.source === 'identity' && e.type === REG));

		let p = assertProblem(await s.request('GET', '/api/v1/events', { token }), 422, 'validation');
		assert.equal(p.errors[0].field, 'source');
		p = assertProblem(await s.request('GET', '/api/v1/events?source=nosuchmodule', { token }), 422);
		assert.equal(p.errors[0].field, 'source');
		p = assertProblem(await s.request('GET', '/api/v1/events?source=probe&after=abc', { token }), 422);
		assert.equal(p.errors[0].field, 'after');
		p = assertProblem(await s.request('GET', '/api/v1/events?source=probe&after=-1', { token }), 422);
		assert.equal(p.errors[0].field, 'after');
		for (const limit of ['0', '5000', 'x'])
			assertProblem(await s.request('GET', `/api/v1/events?source=probe&limit=${limit}`, { token }), 400);

		const email = uniqueEmail('feed');
		assert.equal((await register(s, email, 'password-123')).status, 201);
		const si = await signIn(s, email, 'password-123');
		assert.equal(si.status, 200, si.text);
		customerToken = si.token;
		for (const path of ['/api/v1/events?source=probe', '/api/v1/events/subscriptions',
		    '/api/v1/events/dead', '/api/v1/tally']) {
			assertProblem(await s.request('GET', path, { token: customerToken }), 403);
			assertProblem(await s.request('GET', path), 401);
		}
		assertProblem(await s.request('POST', '/api/v1/events/dead/tally/1/retry',
		    { token: customerToken }), 403);
	});
});

describe('bus: a crash between commit and delivery', { skip: SKIP }, () => {
	let s;
	/* What each crash looked like, for the last test. */
	const crashes = [];

	before(async () => {
		/* One worker: nothing but a restart can deliver the crashed event. */
		s = await startServer({ bin: BIN, workers: 1 });
	});

	after(async () => {
		await s?.close();
	});

	it('loses nothing: after a restart every committed event is applied once', async () => {
		let token = await s.adminToken();
		const committed = [];
		const good = async (text) => {
			const r = await postNote(s, token, { text });
			assert.equal(r.status, 201, r.text);
			committed.push(r.json.id);
		};
		await good(`before ${tag()}`);
		for (let cycle = 1; cycle <= 3; cycle++) {
			const text = `crash-${cycle} ${tag()}`;
			const seen = { cycle };
			const t0 = Date.now();
			await assert.rejects(s.request('POST', '/api/v1/probe/notes', {
				token, body: { text, crash: true }, fresh: true, timeoutMs: 1000 * SLOW,
			}).then((r) => { seen.status = r.status; }, (e) => {
				seen.error = e.code || e.message;
				throw e;
			}), 'the crash request gets no answer');
			seen.answerMs = Date.now() - t0;
			/* The whole server should be gone by itself. */
			seen.exited = await waitFor(() => !s.running(), { timeoutMs: 1000 * SLOW,
			    message: 'the server to exit' }).then(() => true, () => false);
			crashes.push(seen);
			/* Make sure every process of the group is gone (a crash). */
			await s.kill9();
			await s.restart();
			token = await s.adminToken();

			const found = await waitFor(async () => {
				const n = (await notes(s, token)).find((x) => x.text === text);
				if (!n)
					return null;
				const ev = (await feed(s, token, 'probe')).find((e) => e.aggregate_id === n.id);
				const t = await tally(s, token);
				return ev && t.applied.some((a) => a.event_id === ev.id) ? { n, ev, t } : null;
			}, { timeoutMs: 5000 * SLOW, message: `${text}: the note and its event applied` });
			committed.push(found.n.id);
			assert.equal(found.t.applied.filter((a) => a.event_id === found.ev.id).length, 1,
			    'applied exactly once');
			await good(`between-${cycle}a ${tag()}`);
			await good(`between-${cycle}b ${tag()}`);
		}
		await caughtUp(s, token);
		const log = await feed(s, token, 'probe');
		assert.deepEqual(log.map((e) => e.seq), Array.from({ length: log.length }, (_, i) => i + 1));
		assert.deepEqual(log.map((e) => e.aggregate_id).sort(), committed.sort(),
		    'one event per committed note');
		assert.deepEqual((await notes(s, token)).map((n) => n.id).sort(), committed.sort());
		const t = await tally(s, token);
		assertExactlyOnce(t.applied, log);
		assertPerSourceAscending(t.applied, 'tally');
		assert.deepEqual(t.counts, { [NOTE]: log.length });
	});

	it('"crash": true drops the connection and takes the whole server down', () => {
		assert.equal(crashes.length, 3, 'the crash cycles ran');
		for (const c of crashes) {
			assert.equal(c.status, undefined);
			assert.notEqual(c.error, undefined);
			assert.ok(c.exited, `crash ${c.cycle}: the server exited by itself ` +
			    `(request error ${c.error} after ${c.answerMs} ms)`);
			assert.doesNotMatch(c.error, /no answer/, `crash ${c.cycle}: the connection ` +
			    `dropped, not a client timeout (${c.error} after ${c.answerMs} ms)`);
		}
	});
});

describe('bus: several workers', { skip: SKIP }, () => {
	let s;

	before(async () => {
		s = await startServer({
			bin: BIN,
			workers: 4,
			env: { MERCATO_BUS_BACKOFF_MS: '20', MERCATO_BUS_MAX_ATTEMPTS: '100' },
		});
	});

	after(async () => {
		await s?.close();
	});

	it('never apply an event twice, and keep each source in order', async (t) => {
		const token = await s.adminToken();
		const api = async (method, p, body, auth = true) => {
			const res = await fetch(s.url + p, {
				method,
				headers: {
					'content-type': 'application/json',
					...(auth ? { authorization: `Bearer ${token}` } : {}),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(20000 * SLOW),
			});
			return { status: res.status, json: await res.json() };
		};
		/*
		 * A poison note first blocks tally's probe subscription, so a
		 * backlog builds up while the notes pour in; healing half-way
		 * lets every worker's sweep and every request's in-process
		 * delivery race for the same backlog.
		 */
		const poison = await api('POST', '/api/v1/probe/notes', { text: `poison ${tag()}` });
		assert.equal(poison.status, 201);
		const blocked = (await subs(s, token)).find((x) => x.source === 'probe');
		assert.equal(blocked.failing?.seq, 1, 'the poison note blocks the subscription');

		const N = 200;
		const R = 10;
		let healed = null;
		const [posted, regs] = await Promise.all([
			pool(Array.from({ length: N }, (_, i) => i), 16, async (i) => {
				if (i === N / 2)
					healed = await api('POST', '/api/v1/tally/heal');
				return api('POST', '/api/v1/probe/notes', { text: `load ${i} ${tag()}` });
			}),
			Promise.all(Array.from({ length: R }, () => api('POST', '/api/v1/auth/register',
			    { email: uniqueEmail('load'), password: 'password-123' }, false))),
		]);
		assert.equal(healed?.status, 200);
		assert.deepEqual(posted.map((r) => r.status), new Array(N).fill(201));
		assert.deepEqual(regs.map((r) => r.status), new Array(R).fill(201));

		await caughtUp(s, token);
		const probeLog = await feed(s, token, 'probe');
		const identityLog = await feed(s, token, 'identity');
		assert.equal(probeLog.length, N + 1);
		assert.equal(identityLog.length, R);
		assert.deepEqual(probeLog.map((e) => e.seq), Array.from({ length: N + 1 }, (_, i) => i + 1));
		assert.deepEqual(probeLog.map((e) => e.aggregate_id).sort(),
		    [poison.json.id, ...posted.map((r) => r.json.id)].sort());
		assert.deepEqual(identityLog.map((e) => e.aggregate_id).sort(),
		    regs.map((r) => r.json.id).sort());

		const tl = await tally(s, token);
		assert.equal(tl.applied.length, N + 1 + R);
		assertExactlyOnce(tl.applied, [...probeLog, ...identityLog]);
		assertPerSourceAscending(tl.applied, 'tally');
		assert.deepEqual(tl.counts, { [NOTE]: N + 1, [REG]: R });
		assert.deepEqual(await deadLetters(s, token), []);
		assert.ok(await metric(s, 'mercato_bus_delivery_failures_total') >= 1);

		/*
		 * Kore's accept lock stays with one worker until it is busy, so
		 * the requests may all land on one worker; the other three still
		 * sweep the backlog concurrently.  Reported, not asserted.
		 */
		const pids = new Set(s.logLines().filter((o) => o.msg === 'request' &&
		    o.path === '/api/v1/probe/notes').map((o) => o.pid));
		t.diagnostic(`notes were posted through ${pids.size} worker(s); 4 workers sweep`);
	});
});
