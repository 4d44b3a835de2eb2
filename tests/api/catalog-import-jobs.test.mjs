/*
 * CSV imports as background jobs, black box on the shop binary with an
 * empty catalog: POST /imports answers 202 with the job and its Location,
 * GET /imports/{id} shows the progress moving (rows done of total, errors
 * so far) while the server keeps answering, then the summary and the row
 * errors; GET /imports lists recent jobs with paging; bad input, unknown
 * ids, 401 and 403; the limit of unfinished jobs; and the CLI's import,
 * which is a job too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { IMPORT, bigCsv, toCsv, waitJob } from './lib/catalog-csv.mjs';
import { assertProblem, customerToken, runCli, startServer } from './lib/server.mjs';

const tag = () => randomBytes(4).toString('hex');
const JOB_KEYS = ['created', 'created_at', 'created_by', 'errors_count', 'failure', 'filename',
	'finished_at', 'id', 'products_done', 'products_total', 'rows_done', 'rows_total', 'state',
	'summary', 'updated', 'updated_at'];

describe('catalog: import jobs', () => {
	let s;
	let token;
	let customer;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'jobs');
	});

	after(async () => {
		await s?.close();
	});

	const post = (csv, extra = {}) => s.request('POST', IMPORT, { token, body: { csv, ...extra } });

	it('202 with the job; its progress moves while the server answers; then the summary', async (t) => {
		const tg = tag();
		const { csv, products, rows } = bigCsv(tg, 1500, { bad: 100 });
		const started = Date.now();
		const r = await post(csv, { filename: 'big.csv' });
		assert.equal(r.status, 202, r.text);
		assert.equal(r.headers.location, `${IMPORT}/${r.json.id}`);
		assert.match(r.json.id, /^imp_/);
		assert.deepEqual(Object.keys(r.json).sort(), [...JOB_KEYS, 'errors'].sort());
		assert.ok(['queued', 'running'].includes(r.json.state), r.json.state);
		assert.equal(r.json.filename, 'big.csv');
		assert.equal(r.json.rows_total, rows);
		assert.equal(r.json.products_total, products.length);
		assert.equal(r.json.summary, null);
		assert.equal(r.json.finished_at, null);
		/* Poll: rows_done only grows, and is seen between 0 and the total. */
		const seen = [];
		let health = 0;
		const job = await waitJob(s, token, r.json.id, (j) => {
			seen.push(j);
			return j.state === 'done';
		}, { intervalMs: 20 });
		for (let i = 1; i < seen.length; i++) {
			assert.ok(seen[i].rows_done >= seen[i - 1].rows_done, 'rows_done never goes back');
			assert.ok(seen[i].errors_count >= seen[i - 1].errors_count, 'errors never go back');
		}
		const between = new Set(seen.filter((j) => j.rows_done > 0 && j.rows_done < rows)
		    .map((j) => j.rows_done));
		assert.ok(between.size >= 3, `progress seen moving: ${[...between].join(', ')}`);
		assert.ok(seen.some((j) => j.state === 'running' && j.errors_count > 0 && j.rows_done < rows),
		    'errors so far are visible before the end');
		const mid = seen.find((j) => j.rows_done > 0 && j.rows_done < rows && j.errors.length > 0);
		assert.ok(mid, 'the errors themselves are visible while it runs');
		/* The server answered other requests meanwhile (each poll did). */
		health = (await s.request('GET', '/healthz')).status;
		assert.equal(health, 200);
		const secs = (Date.parse(job.finished_at) - Date.parse(job.created_at)) / 1000;
		t.diagnostic(`${rows} rows in ${secs.toFixed(2)} s: ${Math.round(rows / secs)} rows/s` +
		    ` (${Date.now() - started} ms to observe)`);
		assert.equal(job.rows_done, rows);
		assert.equal(job.products_done, products.length);
		const nbad = products.filter((p) => p.bad).length;
		assert.equal(nbad, 15);
		assert.deepEqual(job.summary, { rows, products: products.length,
			created: products.length - nbad, updated: 0, errors: nbad });
		assert.equal(job.errors_count, nbad);
		assert.equal(job.errors.length, nbad);
		const badIdx = products.map((p, i) => (p.bad ? i : -1)).filter((i) => i >= 0);
		/* Line of product i's L row: header is line 1, two rows per product. */
		assert.deepEqual(job.errors.map((e) => [e.line, e.handle, e.field]),
		    badIdx.map((i) => [2 * i + 3, products[i].handle, 'Variant Price']));
		assert.equal(job.created_by.length > 0, true);
		assert.equal(job.failure, null);
		/* A skipped product wrote nothing; a good one is there. */
		const miss = await s.request('GET', `/api/v1/catalog/stock/${products[badIdx[0]].skus[0].sku}`, { token });
		assert.equal(miss.status, 404);
		const hit = await s.request('GET', `/api/v1/catalog/stock/${products[0].skus[1].sku}`, { token });
		assert.equal(hit.status, 200);
		assert.equal(hit.json.on_hand, products[0].skus[1].qty);
	});

	it('re-importing the same file updates by handle and SKU and moves no stock', async () => {
		const tg = tag();
		const { csv, products } = bigCsv(tg, 20);
		const first = await post(csv);
		assert.equal(first.status, 202, first.text);
		await waitJob(s, token, first.json.id, (j) => j.state === 'done');
		const again = await post(csv);
		assert.equal(again.status, 202, again.text);
		const job = await waitJob(s, token, again.json.id, (j) => j.state === 'done');
		assert.deepEqual(job.summary, { rows: 40, products: 20, created: 0, updated: 20, errors: 0 });
		const st = await s.request('GET', `/api/v1/catalog/stock/${products[3].skus[0].sku}`, { token });
		assert.equal(st.json.movements.length, 1, 'the same quantity moves nothing');
	});

	it('GET /imports lists recent jobs, newest first, with paging', async () => {
		const ids = [];
		for (let i = 0; i < 3; i++) {
			const r = await post(toCsv([{ Handle: `list-${tag()}`, Title: 'L', 'Variant SKU': `L-${tag()}` }]),
			    { filename: `f${i}.csv` });
			assert.equal(r.status, 202, r.text);
			ids.push(r.json.id);
		}
		const all = await s.request('GET', `${IMPORT}?limit=100`, { token });
		assert.equal(all.status, 200, all.text);
		assert.match(all.headers['cache-control'], /no-store/);
		assert.deepEqual(all.json.data.slice(0, 3).map((j) => j.id), ids.reverse());
		for (const j of all.json.data) {
			assert.deepEqual(Object.keys(j).sort(), JOB_KEYS.sort(), 'no errors array in the list');
		}
		assert.equal(all.json.next, null);
		const p1 = await s.request('GET', `${IMPORT}?limit=2`, { token });
		assert.equal(p1.json.data.length, 2);
		assert.equal(typeof p1.json.next, 'string');
		const p2 = await s.request('GET', `${IMPORT}?limit=2&after=${p1.json.next}`, { token });
		assert.equal(p2.status, 200);
		assert.equal(p2.json.data[0].id, all.json.data[2].id);
		assertProblem(await s.request('GET', `${IMPORT}?after=xyz`, { token }), 400, 'bad-query');
		assertProblem(await s.request('GET', `${IMPORT}?limit=0`, { token }), 400);
		for (const id of ids)
			await waitJob(s, token, id, (j) => j.state === 'done');
	});

	it('bad input: 422 and no job; unknown id 404; 401 and 403', async () => {
		const before = (await s.request('GET', `${IMPORT}?limit=100`, { token })).json.data.length;
		assertProblem(await post('Title,Vendor\nx,y\n'), 422, 'invalid-csv');
		assertProblem(await post('Handle\n"open\n'), 422, 'invalid-csv');
		assertProblem(await post(toCsv([]), { filename: 42 }), 422, 'validation');
		assertProblem(await post(toCsv([]), { filename: 'x'.repeat(201) }), 422, 'validation');
		assertProblem(await s.request('POST', IMPORT, { token, body: {} }), 422, 'validation');
		assertProblem(await s.request('POST', `${IMPORT}?dry_run=1`, { token, body: { csv: 'Handle\n' } }), 400);
		const now = (await s.request('GET', `${IMPORT}?limit=100`, { token })).json.data.length;
		assert.equal(now, before, 'no job was created');
		assertProblem(await s.request('GET', `${IMPORT}/imp_nope`, { token }), 404, 'not-found');
		const r = await post(toCsv([]));
		assert.equal(r.status, 202, 'a header alone is an empty job');
		const empty = await waitJob(s, token, r.json.id, (j) => j.state === 'done');
		assert.deepEqual(empty.summary, { rows: 0, products: 0, created: 0, updated: 0, errors: 0 });
		for (const [m, p] of [['GET', IMPORT], ['GET', `${IMPORT}/${r.json.id}`], ['POST', IMPORT]]) {
			const body = m === 'POST' ? { csv: toCsv([]) } : undefined;
			assertProblem(await s.request(m, p, { body }), 401);
			assertProblem(await s.request(m, p, { body, token: customer }), 403);
		}
	});

	it('at most 5 unfinished imports: the 6th is 409 imports-busy', async () => {
		const { csv } = bigCsv(tag(), 400);
		const rs = await Promise.all(Array.from({ length: 6 }, () => post(csv)));
		const busy = rs.filter((r) => r.status === 409);
		const ok = rs.filter((r) => r.status === 202);
		assert.equal(busy.length, 1, rs.map((r) => r.status).join(','));
		assertProblem(busy[0], 409, 'imports-busy');
		for (const r of ok)
			await waitJob(s, token, r.json.id, (j) => j.state === 'done');
		/* Jobs run one at a time in order: each later one only updates. */
		const jobs = await Promise.all(ok.map((r) => waitJob(s, token, r.json.id, () => true)));
		assert.equal(jobs.filter((j) => j.summary.created === 400).length, 1);
		assert.equal(jobs.filter((j) => j.summary.updated === 400).length, 4);
	});

	it('the CLI import is a job the server lists, with a plain summary off a terminal', async () => {
		const tg = tag();
		const file = path.join(s.dir, `cli-${tg}.csv`);
		const { csv, products } = bigCsv(tg, 50);
		fs.writeFileSync(file, csv);
		const started = Date.now();
		const w = await runCli(process.env.MERCATO_BIN, ['import', 'products', file, '--data', s.dataDir]);
		assert.equal(w.code, 0, w.stderr);
		const out = JSON.parse(w.stdout);
		assert.match(out.job, /^imp_/);
		assert.deepEqual({ ...out, job: undefined }, { job: undefined, rows: 100, products: 50,
			created: 50, updated: 0, errors: [] });
		assert.match(w.stderr, /^imported: 100 rows, 50 created, 0 updated, 0 errors$/m);
		assert.doesNotMatch(w.stderr, /\r/, 'no progress bar off a terminal');
		const job = await s.request('GET', `${IMPORT}/${out.job}`, { token });
		assert.equal(job.status, 200);
		assert.equal(job.json.state, 'done');
		assert.equal(job.json.created_by, 'cli');
		assert.equal(job.json.filename, `cli-${tg}.csv`);
		const st = await s.request('GET', `/api/v1/catalog/stock/${products[7].skus[1].sku}`, { token });
		assert.equal(st.json.on_hand, products[7].skus[1].qty);
		console.log(`# CLI import of 100 rows: ${Date.now() - started} ms`);
	});
});
