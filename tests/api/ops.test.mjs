/*
 * The binary as an operator meets it: the command line, migrations and the
 * schema-version guard, admin creation, online backup and restore, clean
 * shutdown on SIGTERM, the first-start message and a taken port.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	SLOW, freePort, register, runCli, signIn, sleep, startServer, uniqueEmail,
} from './lib/server.mjs';

const BIN = process.env.MERCATO_BIN;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mercato-ops-'));

function sqlite(db, sql) {
	return execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
}

function fileSize(p) {
	try {
		return fs.statSync(p).size;
	} catch {
		return 0;	/* absent counts as empty */
	}
}

let s1;		/* MERCATO_ADMIN_PASSWORD set (by the harness) */
let s2;		/* MERCATO_ADMIN_PASSWORD unset: a generated password */
let restored;

before(async () => {
	[s1, s2] = await Promise.all([
		startServer(),
		startServer({ env: { MERCATO_ADMIN_PASSWORD: undefined } }),
	]);
});

after(async () => {
	await Promise.all([s1?.close(), s2?.close(), restored?.close()]);
	fs.rmSync(tmp, { recursive: true, force: true });
});

describe('command line', () => {
	it('`mercato version` exits 0 and prints "mercato <version>"', async () => {
		const r = await runCli(BIN, ['version']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^mercato [0-9]+\.[0-9]+\.[0-9]+/);
	});

	it('`mercato help` exits 0 with the usage on stdout', async () => {
		const r = await runCli(BIN, ['help']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /usage: mercato/);
		for (const cmd of ['serve', 'migrate', 'backup', 'admin create', 'version'])
			assert.ok(r.stdout.includes(cmd), `help mentions ${cmd}`);
	});

	it('an unknown command or flag exits 2 with the usage on stderr', async () => {
		const data = path.join(tmp, 'never');
		for (const args of [
			['frobnicate'],
			['serve', '--frobnicate', 'x', '--data', data],
			['migrate', '--data'],
			['serve', '--workers', 'many', '--data', data],
			['migrate', '--data', data, 'extra'],
			['backup'],
			['admin', 'create'],
		]) {
			const r = await runCli(BIN, args);
			assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
			assert.match(r.stderr, /usage: mercato/, args.join(' '));
		}
		assert.equal(fs.existsSync(data), false, 'a refused command writes nothing');
	});
});

describe('migrations', () => {
	const dir = path.join(tmp, 'migrate');
	const db = path.join(dir, 'identity.db');

	it('`mercato migrate --data <new dir>` creates identity.db and exits 0', async () => {
		const r = await runCli(BIN, ['migrate', '--data', dir]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.ok(fs.existsSync(db));
		assert.ok(Number(sqlite(db, 'PRAGMA user_version')) >= 1);
		assert.match(sqlite(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"), /\busers\b/);
		assert.equal(sqlite(db, 'PRAGMA journal_mode'), 'wal');
		assert.match(r.stdout, /applied migration/);
	});

	it('running it twice is a no-op', async () => {
		const version = sqlite(db, 'PRAGMA user_version');
		const schema = sqlite(db, 'SELECT sql FROM sqlite_master ORDER BY name');
		const r = await runCli(BIN, ['migrate', '--data', dir]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.doesNotMatch(r.stdout, /applied migration/);
		assert.equal(sqlite(db, 'PRAGMA user_version'), version);
		assert.equal(sqlite(db, 'SELECT sql FROM sqlite_master ORDER BY name'), schema);
	});

	it('a file newer than the binary (user_version 999): migrate and serve refuse, naming the version', async () => {
		sqlite(db, 'PRAGMA user_version=999');
		const m = await runCli(BIN, ['migrate', '--data', dir]);
		assert.notEqual(m.code, 0, 'migrate refuses');
		assert.match(m.stdout + m.stderr, /\b999\b/);

		const port = await freePort();
		const sv = await runCli(BIN, ['serve', '--data', dir, '--port', String(port), '--bind', '127.0.0.1'],
		    { timeoutMs: 15000 * SLOW });
		assert.equal(sv.signal, null, 'serve exits by itself');
		assert.notEqual(sv.code, 0, 'serve refuses');
		assert.match(sv.stdout + sv.stderr, /\b999\b/);
		assert.doesNotMatch(sv.stdout, /listening/);
		assert.equal(sqlite(db, 'PRAGMA user_version'), '999', 'the file is left alone');
	});
});

describe('admin create', () => {
	it('with MERCATO_ADMIN_PASSWORD: the new admin signs in with scope admin', async () => {
		const email = uniqueEmail('admin-env');
		const password = 'admin env password';
		const r = await runCli(BIN, ['admin', 'create', '--email', email, '--data', s1.dataDir],
		    { env: { MERCATO_ADMIN_PASSWORD: password } });
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const si = await signIn(s1, email, password);
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.scope, 'admin');
		const me = await s1.request('GET', '/api/v1/auth/me', { token: si.token });
		assert.equal(me.json.role, 'admin');
		assert.equal(me.json.email, email);
	});

	it('with the password on standard input', async () => {
		const email = uniqueEmail('admin-stdin');
		const password = 'admin stdin password';
		const r = await runCli(BIN, ['admin', 'create', '--data', s1.dataDir, '--email', email],
		    { env: { MERCATO_ADMIN_PASSWORD: undefined }, input: `${password}\n` });
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const si = await signIn(s1, email, password);
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.scope, 'admin');
	});

	it('a duplicate email (any case) or a short password fails non-zero', async () => {
		const dup = await runCli(BIN, ['admin', 'create', '--email', s1.adminEmail.toUpperCase(), '--data', s1.dataDir],
		    { env: { MERCATO_ADMIN_PASSWORD: 'another admin password' } });
		assert.notEqual(dup.code, 0);
		assert.match(dup.stderr, /exists/);
		/* The first admin's password is unchanged. */
		assert.equal((await signIn(s1, s1.adminEmail, 'another admin password')).status, 400);

		const email = uniqueEmail('admin-short');
		const short = await runCli(BIN, ['admin', 'create', '--email', email, '--data', s1.dataDir],
		    { env: { MERCATO_ADMIN_PASSWORD: 'short' } });
		assert.notEqual(short.code, 0);
		assert.match(short.stderr, /password/);
		assert.equal((await signIn(s1, email, 'short')).status, 400);
	});
});

describe('backup, SIGTERM and restore', () => {
	const bk = path.join(tmp, 'bk');
	let cust;	/* { email, password, id, token } */

	it('`mercato backup` of a running server: exit 0, identity.db passes integrity_check', async () => {
		cust = { email: uniqueEmail('backup'), password: 'backup password' };
		const reg = await register(s1, cust.email, cust.password);
		assert.equal(reg.status, 201, reg.text);
		cust.id = reg.json.id;
		cust.token = (await signIn(s1, cust.email, cust.password)).token;

		/* Writes keep going while the copy is taken. */
		const [r, ...writes] = await Promise.all([
			runCli(BIN, ['backup', bk, '--data', s1.dataDir]),
			register(s1, uniqueEmail('during'), 'during backup 1'),
			register(s1, uniqueEmail('during'), 'during backup 2'),
		]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		for (const w of writes)
			assert.equal(w.status, 201, w.text);
		const db = path.join(bk, 'identity.db');
		assert.ok(fs.existsSync(db));
		assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok');
		assert.equal(fileSize(`${db}-wal`), 0, 'the copy is self-contained');
		assert.equal(sqlite(db, `SELECT count(*) FROM users WHERE id = '${cust.id}'`), '1');
		assert.equal(sqlite(db, 'PRAGMA user_version'), sqlite(path.join(s1.dataDir, 'identity.db'), 'PRAGMA user_version'));
	});

	it('SIGTERM: sign-ins in flight get their answer, the server exits 0 within 5 s and leaves no WAL', async () => {
		/* Two sign-ins wait on their Argon2id tasks when the signal comes. */
		const timed = () => signIn(s1, cust.email, cust.password).then((r) => ({ r, at: Date.now() }));
		const inflight = [timed(), timed()];
		await sleep(30);
		const t0 = Date.now();
		const stopped = s1.stop({ signal: 'SIGTERM' });
		const answers = await Promise.all(inflight);
		for (const { r } of answers)
			assert.equal(r.status, 200, r.text);
		assert.ok(answers.some((a) => a.at >= t0), 'a sign-in was still in flight at the signal');
		const res = await stopped;
		const ms = Date.now() - t0;
		assert.equal(res.killed, false, 'it was not SIGKILLed');
		assert.equal(res.signal, null);
		assert.equal(res.code, 0);
		assert.ok(ms < 5000 * SLOW, `took ${ms} ms`);
		assert.equal(res.stragglers, false, 'no worker outlives the parent');
		assert.equal(fileSize(path.join(s1.dataDir, 'identity.db-wal')), 0, 'the WAL is checkpointed');
		assert.equal(fs.existsSync(path.join(s1.dataDir, 'mercato.pid')), false, 'the pid file is gone');
		assert.match(s1.stdout(), /"msg":"mercato stopped"/);
	});

	it('a new server on a copy of the backup (and jwt.key) has the customer and the event', async () => {
		const src = path.join(tmp, 'restore-src');
		fs.cpSync(bk, src, { recursive: true });
		fs.copyFileSync(path.join(s1.dataDir, 'jwt.key'), path.join(src, 'jwt.key'));
		restored = await startServer({ copyFrom: src, env: { MERCATO_ADMIN_PASSWORD: s1.adminPassword } });
		assert.doesNotMatch(restored.stderr(), /first sign-in/, 'an admin exists: nothing to seed');

		const si = await signIn(restored, cust.email, cust.password);
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.scope, 'customer');
		/* Tokens signed before the backup still verify with the copied key. */
		const me = await restored.request('GET', '/api/v1/auth/me', { token: cust.token });
		assert.equal(me.status, 200, me.text);
		assert.equal(me.json.id, cust.id);

		const feed = await restored.request('GET', '/api/v1/events?source=identity&limit=1000',
		    { token: await restored.adminToken() });
		assert.equal(feed.status, 200, feed.text);
		const ev = feed.json.data.find((e) => e.aggregate_id === cust.id);
		assert.ok(ev, 'the registration event survived');
		assert.equal(ev.type, 'identity.customer.registered');
		assert.equal(ev.payload.email, cust.email);
	});
});

describe('backup into the live data dir', () => {
	it('`mercato backup <data dir>` of itself is refused and loses nothing',
	    async () => {
		const x = await startServer();
		try {
			const before = { email: uniqueEmail('kept'), password: 'kept password' };
			const later = { email: uniqueEmail('later'), password: 'later password' };
			assert.equal((await register(x, before.email, before.password)).status, 201);
			const r = await runCli(BIN, ['backup', x.dataDir, '--data', x.dataDir]);
			const r2 = await register(x, later.email, later.password);
			assert.equal(r2.status, 201, r2.text);
			await x.restart();
			assert.equal((await signIn(x, before.email, before.password)).status, 200);
			assert.equal((await signIn(x, later.email, later.password)).status, 200,
			    'a write acknowledged after the backup survives a restart');
			assert.notEqual(r.code, 0, 'backing up a data dir onto itself is refused');
		} finally {
			await x.close();
		}
	});
});

describe('first start and the listener', () => {
	it('the data dir is 0700 and jwt.key a 0600 file of 32 bytes', () => {
		assert.equal(fs.statSync(s2.dataDir).mode & 0o777, 0o700);
		const key = fs.statSync(path.join(s2.dataDir, 'jwt.key'));
		assert.equal(key.mode & 0o777, 0o600);
		assert.equal(key.size, 32);
	});

	let generated;

	it('the first start prints the admin URL, email and a generated password that works', async () => {
		const err = s2.runs[0].stderr;
		assert.ok(err.includes(`http://127.0.0.1:${s2.port}/admin/`), err);
		assert.match(err, /email:\s+admin@example\.com/);
		const m = /password:\s+(\S+)/.exec(err);
		assert.ok(m, err);
		generated = m[1];
		assert.ok(generated.length >= 16, 'a long password');
		assert.doesNotMatch(s2.stdout(), new RegExp(generated), 'not in the JSON log');
		s2.adminPassword = generated;
		const si = await signIn(s2, 'admin@example.com', generated);
		assert.equal(si.status, 200, si.text);
		assert.equal(si.json.scope, 'admin');
	});

	it('a password from MERCATO_ADMIN_PASSWORD is never printed', () => {
		assert.match(s1.runs[0].stderr, /\(from MERCATO_ADMIN_PASSWORD\)/);
		assert.equal(s1.logs().includes(s1.adminPassword), false);
	});

	it('a second server on a taken port refuses to start (non-zero exit, a message)', async () => {
		const r = await runCli(BIN, ['serve', '--data', path.join(tmp, 'port-taken'),
		    '--port', String(s2.port), '--bind', '127.0.0.1'], { timeoutMs: 15000 * SLOW });
		assert.equal(r.signal, null, 'it exits by itself');
		assert.notEqual(r.code, 0);
		assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${s2.port}`));
		/* The running server is unharmed. */
		assert.equal((await s2.request('GET', '/healthz')).status, 200);
	});

	it('a start that fails on a taken port does not announce a ready shop nor spend the one-time password',
	    async () => {
		const dir = path.join(tmp, 'port-taken-2');
		const r = await runCli(BIN, ['serve', '--data', dir, '--port', String(s2.port), '--bind', '127.0.0.1'],
		    { env: { MERCATO_ADMIN_PASSWORD: undefined }, timeoutMs: 15000 * SLOW });
		assert.notEqual(r.code, 0);
		assert.doesNotMatch(r.stderr, /ready for its first sign-in/);
	});

	it('a second start of the same data dir prints nothing about the admin', async () => {
		await s2.restart();
		const err = s2.runs.at(-1).stderr;
		assert.doesNotMatch(err, /password/);
		assert.doesNotMatch(err, /first sign-in/);
		const si = await signIn(s2, 'admin@example.com', generated);
		assert.equal(si.status, 200, 'the generated password still works');
	});
});
