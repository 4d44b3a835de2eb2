/*
 * tests/e2e/server.mjs: runs a real mercato binary for a black-box test.
 * startServer() makes a fresh temp dir, picks a free port on 127.0.0.1,
 * spawns `$MERCATO_BIN serve --data <tmp>/data --port P --bind 127.0.0.1`
 * in its own process group (so Kore's workers go with it), waits until
 * GET /readyz answers 200 and returns { url, port, dataDir, output(), stop() }.
 * stop() sends SIGTERM, then SIGKILL to the group after 5 s, and removes the
 * temp dir (kept when MERCATO_E2E_KEEP=1, for a post-mortem).  MERCATO_*
 * variables of the caller's environment are not passed on: a test states
 * the configuration it wants in `env`.
 */
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const OUTPUT_MAX = 256 * 1024;
const running = new Set();

/* Last resort if the test process dies with servers still running. */
process.on('exit', () => {
	for (const p of running)
		killGroup(p, 'SIGKILL');
});

function killGroup(proc, signal) {
	try {
		process.kill(-proc.pid, signal);
	} catch {
		/* already gone */
	}
}

/* One helper for free ports, shared with the API tests. */
export { freePort } from '../api/lib/server.mjs';
import { freePort } from '../api/lib/server.mjs';

/* A random password of 24 URL-safe characters. */
export function generatePassword() {
	return randomBytes(18).toString('base64url');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function exited(proc) {
	return proc.exitCode !== null || proc.signalCode !== null;
}

/* Resolves true when proc exits within ms, false otherwise. */
function waitExit(proc, ms) {
	if (exited(proc))
		return Promise.resolve(true);
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			proc.off('exit', onExit);
			resolve(false);
		}, ms);
		function onExit() {
			clearTimeout(timer);
			resolve(true);
		}
		proc.once('exit', onExit);
	});
}

export async function startServer({
	bin = process.env.MERCATO_BIN,
	env = {},
	args = [],
	readyTimeoutMs = 15000,
} = {}) {
	if (!bin || !path.isAbsolute(bin))
		throw new Error('set MERCATO_BIN to the absolute path of the built mercato binary');

	const tmp = await mkdtemp(path.join(tmpdir(), 'mercato-e2e-'));
	const dataDir = path.join(tmp, 'data');
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;

	const childEnv = {};
	for (const [k, v] of Object.entries(process.env))
		if (!k.startsWith('MERCATO_'))
			childEnv[k] = v;
	Object.assign(childEnv, env);

	let out = '';
	const keep = (chunk) => {
		out += chunk.toString('utf8');
		if (out.length > OUTPUT_MAX)
			out = out.slice(-OUTPUT_MAX);
	};

	const proc = spawn(bin, ['serve', '--data', dataDir, '--port', String(port),
	    '--bind', '127.0.0.1', ...args], {
		cwd: tmp,
		env: childEnv,
		detached: true,		/* own process group: workers included */
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	running.add(proc);
	proc.stdout.on('data', keep);
	proc.stderr.on('data', keep);
	const spawned = new Promise((resolve, reject) => {
		proc.once('spawn', resolve);
		proc.once('error', reject);
	});

	let stopped = null;
	async function stop() {
		if (!stopped) {
			stopped = (async () => {
				if (!exited(proc)) {
					killGroup(proc, 'SIGTERM');
					if (!(await waitExit(proc, 5000))) {
						killGroup(proc, 'SIGKILL');
						await waitExit(proc, 5000);
					}
				}
				running.delete(proc);
				if (process.env.MERCATO_E2E_KEEP !== '1')
					await rm(tmp, { recursive: true, force: true });
			})();
		}
		return stopped;
	}

	const server = { url, port, tmp, dataDir, proc, output: () => out, stop };

	try {
		await spawned;
		const deadline = Date.now() + readyTimeoutMs;
		let last = 'no answer';
		for (;;) {
			if (exited(proc))
				throw new Error(`mercato exited early (code ${proc.exitCode}, ` +
				    `signal ${proc.signalCode})`);
			try {
				const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
				await res.arrayBuffer();
				if (res.status === 200)
					break;
				last = `status ${res.status}`;
			} catch (e) {
				last = e.cause ? e.cause.code || e.cause.message : e.message;
			}
			if (Date.now() > deadline)
				throw new Error(`mercato not ready after ${readyTimeoutMs} ms (${last})`);
			await sleep(100);
		}
	} catch (e) {
		await stop();
		e.message += `\n--- mercato output ---\n${out.slice(-8000)}`;
		throw e;
	}
	return server;
}

/*
 * Debian's Chromium, headless, with everything that would reach for the
 * network switched off (this machine has none but the package registries).
 */
export function launchBrowser() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
		timeout: 30000,
	});
}
