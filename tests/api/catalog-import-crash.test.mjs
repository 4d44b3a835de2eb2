/*
 * Crash during a CSV import: a job of 3000 rows (1500 products, two
 * variants each, with stock quantities and prices) is started, and the
 * whole server is SIGKILLed three times while rows_done is part way, each
 * time restarted on the same data dir.  The job resumes from its last
 * committed slice and finishes; then every product and variant exists
 * exactly once, every SKU's ledger sums to its on_hand and reserved, each
 * SKU has exactly one stock movement, one catalog.stock.changed and one
 * catalog.price.imported event (none doubled, none lost), and the job's
 * counters agree with the file.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { IMPORT, bigCsv, waitJob } from './lib/catalog-csv.mjs';
import { feed, startServer } from './lib/server.mjs';

const P = '/api/v1/catalog/products';
const N = 1500;

describe('catalog: SIGKILL during an import', () => {
	let s;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
	});

	after(async () => {
		await s?.close();
	});

	it('resumes after each kill; ledger, stock and price events agree, nothing doubled', { timeout: 120000 }, async (t) => {
		const tg = randomBytes(4).toString('hex');
		const { csv, products, rows } = bigCsv(tg, N);
		let token = await s.adminToken();
		const r = await s.request('POST', IMPORT, { token, body: { csv, filename: 'crash.csv' } });
		assert.equal(r.status, 202, r.text);
		const id = r.json.id;
		const kills = [];
		for (const frac of [0.15, 0.4, 0.65]) {
			const job = await waitJob(s, token, id, (j) => j.rows_done > rows * frac || j.state === 'done',
			    { intervalMs: 5 });
			assert.ok(job.rows_done < rows, `still running at the kill (${job.rows_done}/${rows})`);
			await s.kill9();
			kills.push(job.rows_done);
			await s.restart();
			token = await s.adminToken();
			const back = await s.request('GET', `${IMPORT}/${id}`, { token });
			assert.equal(back.status, 200);
			assert.ok(back.json.rows_done >= job.rows_done, 'no committed progress was lost');
			assert.ok(['queued', 'running'].includes(back.json.state), back.json.state);
		}
		t.diagnostic(`killed at rows_done ${kills.join(', ')} of ${rows}`);
		const job = await waitJob(s, token, id, (j) => j.state === 'done');
		assert.deepEqual(job.summary, { rows, products: N, created: N, updated: 0, errors: 0 });
		assert.equal(job.rows_done, rows);
		assert.equal(job.products_done, N);
		assert.deepEqual(job.errors, []);

		/* Every product once, with its two variants and their stock. */
		const seen = new Map();
		let afterCursor = '';
		for (;;) {
			const page = await s.request('GET', `${P}?limit=100${afterCursor ? `&after=${afterCursor}` : ''}`, { token });
			assert.equal(page.status, 200, page.text);
			for (const p of page.json.data) {
				assert.ok(!seen.has(p.slug), `${p.slug} listed once`);
				seen.set(p.slug, p);
			}
			if (page.json.next === null)
				break;
			afterCursor = page.json.next;
		}
		assert.equal(seen.size, N, 'exactly the file\'s products');
		for (const want of products) {
			const p = seen.get(want.handle);
			assert.ok(p, `${want.handle} exists`);
			assert.deepEqual(p.variants.map((v) => [v.sku, v.stock.on_hand, v.stock.reserved]),
			    want.skus.map((x) => [x.sku, x.qty, 0]), `${want.handle}'s variants`);
		}

		/* The ledger of every SKU sums to its figures: one movement each. */
		const skus = products.flatMap((p) => p.skus);
		for (let i = 0; i < skus.length; i += 50) {
			await Promise.all(skus.slice(i, i + 50).map(async (x) => {
				const st = await s.request('GET', `/api/v1/catalog/stock/${x.sku}`, { token });
				assert.equal(st.status, 200, st.text);
				const sum = (k) => st.json.movements.reduce((a, m) => a + m[k], 0);
				assert.equal(st.json.movements.length, 1, `${x.sku}: one import movement`);
				assert.equal(sum('on_hand_delta'), st.json.on_hand, `${x.sku}: ledger = on_hand`);
				assert.equal(sum('reserved_delta'), st.json.reserved, `${x.sku}: ledger = reserved`);
				assert.equal(st.json.on_hand, x.qty);
			}));
		}

		/* The event log: one price and one stock event per SKU. */
		const events = await feed(s, token, 'catalog');
		const count = (type) => {
			const m = new Map();
			for (const e of events)
				if (e.type === type && e.payload.sku.startsWith(`BULK-${tg}-`))
					m.set(e.payload.sku, (m.get(e.payload.sku) ?? 0) + 1);
			return m;
		};
		const prices = count('catalog.price.imported');
		const stock = count('catalog.stock.changed');
		assert.equal(prices.size, skus.length, 'a price event for every SKU');
		assert.equal(stock.size, skus.length, 'a stock event for every SKU');
		for (const x of skus) {
			assert.equal(prices.get(x.sku), 1, `${x.sku}: price event not doubled`);
			assert.equal(stock.get(x.sku), 1, `${x.sku}: stock event not doubled`);
		}
		const amounts = new Map(events.filter((e) => e.type === 'catalog.price.imported')
		    .map((e) => [e.payload.sku, e.payload.amount]));
		for (const x of skus)
			assert.equal(amounts.get(x.sku), x.amount, `${x.sku}: the file's price`);
		const upserts = events.filter((e) => e.type === 'catalog.product.upserted' &&
		    e.payload.slug?.startsWith(`bulk-${tg}-`));
		assert.equal(new Set(upserts.map((e) => e.payload.slug)).size, N);
		assert.equal(upserts.length, N, 'one catalog.product.upserted per product');
	});
});
