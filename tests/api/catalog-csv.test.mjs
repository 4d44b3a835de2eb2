/*
 * Product CSV import and export in Shopify's layout, black box on the shop
 * binary with an empty catalog (MERCATO_SEED=0): export parses back with
 * the documented columns, an export re-imports unchanged, a new file
 * creates products (stock, ledger, search, price events), row errors carry
 * their line and write nothing of their product, access, bad bodies, and
 * the `mercato import products` command.  A real import is a background
 * job (202, then polled: catalog-import-jobs.test.mjs covers the job
 * endpoints); here it is awaited and read back as the dry run's report.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { allPages, assertProblem, customerToken, runCli, startServer, waitFor } from './lib/server.mjs';

const P = '/api/v1/catalog/products';
const IMPORT = '/api/v1/catalog/imports';
const EXPORT = '/api/v1/catalog/exports/products.csv';
const COLUMNS = ['Handle', 'Title', 'Body (HTML)', 'Vendor', 'Type', 'Tags', 'Status',
	'Option1 Name', 'Option1 Value', 'Option2 Name', 'Option2 Value',
	'Option3 Name', 'Option3 Value', 'Variant SKU', 'Variant Grams',
	'Variant Price', 'Variant Compare At Price', 'Variant Inventory Qty',
	'Image Src', 'Image Position', 'Image Alt Text'];

const tag = () => randomBytes(4).toString('hex');

/* RFC 4180 into rows of strings (the test's own, independent reader). */
function parseCsv(text) {
	const rows = [];
	let row = [];
	let f = '';
	let q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') {
				f += '"';
				i++;
			} else if (c === '"') {
				q = false;
			} else {
				f += c;
			}
		} else if (c === '"') {
			q = true;
		} else if (c === ',') {
			row.push(f);
			f = '';
		} else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
			if (c === '\r')
				i++;
			row.push(f);
			rows.push(row);
			row = [];
			f = '';
		} else {
			f += c;
		}
	}
	if (f !== '' || row.length > 0) {
		row.push(f);
		rows.push(row);
	}
	return rows;
}

/* Rows of objects (header -> value) into CSV text. */
function toCsv(objs, columns = COLUMNS) {
	const esc = (v) => {
		const s = v === undefined || v === null ? '' : String(v);
		return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	return [columns.join(','), ...objs.map((o) => columns.map((c) => esc(o[c])).join(','))]
	    .join('\r\n') + '\r\n';
}

describe('catalog: product CSV import and export', () => {
	let s;
	let token;
	let customer;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		customer = await customerToken(s, 'csv');
	});

	after(async () => {
		await s?.close();
	});

	/*
	 * A dry run answers its report; a real import answers 202 with a job,
	 * which is polled until done and turned into the same report shape.
	 */
	async function importCsv(csv, dry) {
		const r = await s.request('POST', `${IMPORT}?dry_run=${dry}`, { token, body: { csv } });
		if (dry || r.status !== 202)
			return r;
		assert.equal(r.headers.location, `${IMPORT}/${r.json.id}`);
		const job = await waitFor(async () => {
			const g = await s.request('GET', r.headers.location, { token });
			assert.equal(g.status, 200, g.text);
			return g.json.state === 'done' ? g.json : null;
		}, { message: `import ${r.json.id} done` });
		assert.equal(job.rows_done, job.rows_total);
		assert.equal(job.products_done, job.products_total);
		assert.equal(job.errors_count, job.errors.length);
		return { status: 201, text: JSON.stringify(job), json: {
			rows: job.summary.rows, products: job.summary.products,
			created: job.summary.created, updated: job.summary.updated,
			errors: job.errors } };
	}

	async function exportCsv(query = '') {
		const r = await s.request('GET', `${EXPORT}${query}`, { token });
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers['content-type'], /^text\/csv; charset=utf-8/);
		assert.match(r.headers['content-disposition'], /^attachment/);
		return r.text;
	}

	const allProducts = () => allPages(s, P, token, 100);

	const bySlug = async (slug) => (await allProducts()).find((p) => p.slug === slug);

	/* The product without what an import may legitimately change. */
	const stable = ({ version, updated_at, ...rest }) => rest;

	it('export: the documented columns, one row per variant, quoting that parses back', async () => {
		const t = tag();
		const r = await s.request('POST', P, { token, body: {
			title: `Linen, "shirt" ${t}`, status: 'active', vendor: 'Acme',
			description: '<p>Soft\nlinen</p>', tags: ['summer', 'linen'],
			options: [{ name: 'Size', values: ['S', 'M'] }],
			images: [{ url: 'https://example.com/a.jpg', alt: 'Front' }],
			variants: [{ sku: `LIN-S-${t}`, options: ['S'], on_hand: 4, weight_grams: 200 },
				{ sku: `LIN-M-${t}`, options: ['M'] }],
		} });
		assert.equal(r.status, 201, r.text);
		const rows = parseCsv(await exportCsv());
		assert.deepEqual(rows[0], COLUMNS);
		const mine = rows.filter((x) => x[0] === r.json.slug);
		assert.equal(mine.length, 2, 'one row per variant');
		const o = Object.fromEntries(COLUMNS.map((c, i) => [c, mine[0][i]]));
		assert.equal(o.Title, `Linen, "shirt" ${t}`);
		assert.equal(o['Body (HTML)'], r.json.description);
		assert.equal(o.Tags, 'summer, linen');
		assert.equal(o.Status, 'active');
		assert.equal(o['Option1 Name'], 'Size');
		assert.equal(o['Option1 Value'], 'S');
		assert.equal(o['Variant SKU'], `LIN-S-${t}`);
		assert.equal(o['Variant Grams'], '200');
		assert.equal(o['Variant Price'], '', 'no price known yet');
		assert.equal(o['Variant Inventory Qty'], '4');
		assert.equal(o['Image Src'], 'https://example.com/a.jpg');
		assert.equal(o['Image Position'], '1');
		assert.equal(mine[1][1], '', 'product fields only on the first row');
		assert.equal(mine[1][13], `LIN-M-${t}`);
		/* ?status= filters like the list. */
		const drafts = parseCsv(await exportCsv('?status=draft'));
		assert.ok(!drafts.some((x) => x[0] === r.json.slug));
		assertProblem(await s.request('GET', `${EXPORT}?status=gone`, { token }), 400);
	});

	it('export honours the list filters: status, category and q together', async () => {
		const t = tag();
		const cat = await s.request('POST', '/api/v1/catalog/categories', { token, body: { name: `Hats ${t}` } });
		assert.equal(cat.status, 201, cat.text);
		const mk = async (title, status, categories, sku) => {
			const r = await s.request('POST', P, { token, body: { title, status, categories,
				tags: [`flt${t}`], variants: [{ sku }] } });
			assert.equal(r.status, 201, r.text);
			return r.json.slug;
		};
		const felt = await mk(`Felt hat ${t}`, 'active', [cat.json.id], `FLT-A-${t}`);
		const straw = await mk(`Straw hat ${t}`, 'draft', [cat.json.id], `FLT-B-${t}`);
		const scarf = await mk(`Felt scarf ${t}`, 'active', [], `FLT-C-${t}`);
		const handles = async (query) => parseCsv(await exportCsv(query)).slice(1).map((x) => x[0])
		    .filter((h) => [felt, straw, scarf].includes(h)).sort();
		assert.deepEqual(await handles(`?category=${cat.json.id}`), [felt, straw].sort());
		assert.deepEqual(await handles(`?category=${cat.json.id}&status=active`), [felt]);
		assert.deepEqual(await handles(`?q=${encodeURIComponent(`FELT flt${t}`)}`), [felt, scarf].sort());
		assert.deepEqual(await handles(`?q=flt-b-${t}`), [straw], 'a SKU matches, case ignored');
		assert.deepEqual(await handles(`?q=felt+flt${t}&category=${cat.json.id}&status=active`), [felt]);
		assert.deepEqual(await handles('?category=cat_none'), []);
		const header = parseCsv(await exportCsv('?q=nothing-matches-this'));
		assert.deepEqual(header, [COLUMNS], 'no match: the header alone');
		assertProblem(await s.request('GET', `${EXPORT}?q=${'a '.repeat(9)}`, { token }), 400, 'bad-query');
		assertProblem(await s.request('GET', `${EXPORT}?category=${'c'.repeat(80)}`, { token }), 400, 'bad-query');
	});

	it('round trip: export -> dry run (0 created, all updated) -> import keeps everything', async () => {
		const before = await allProducts();
		const csv = await exportCsv();
		const dry = await importCsv(csv, true);
		assert.equal(dry.status, 200, dry.text);
		assert.deepEqual(dry.json, { rows: parseCsv(csv).length - 1, products: before.length,
			created: 0, updated: before.length, errors: [] });
		const real = await importCsv(csv, false);
		assert.equal(real.status, 201, real.text);
		assert.equal(real.json.updated, before.length);
		assert.deepEqual(real.json.errors, []);
		const afterAll = await allProducts();
		assert.deepEqual(afterAll.map(stable), before.map(stable), 'nothing changed');
		assert.equal(await exportCsv(), csv, 'the export is the same');
	});

	it('a new 3-product file creates them: stock, ledger, search, price events', async () => {
		const t = tag();
		const rows = [];
		for (let i = 0; i < 3; i++) {
			for (const [j, size] of ['S', 'L'].entries()) {
				rows.push({ Handle: `imp-${t}-${i}`, ...(j === 0 ? {
					Title: `Imported widget${t} ${i}`, 'Body (HTML)': '<p>From a CSV</p>',
					Vendor: 'CSV Co', Type: 'Widget', Tags: 'csv, import', Status: 'active',
					'Option1 Name': 'Size', 'Image Src': `https://example.com/${i}.jpg`,
					'Image Alt Text': 'Pic',
				} : {}), 'Option1 Value': size, 'Variant SKU': `IMP-${t}-${i}-${size}`,
				'Variant Grams': '150', 'Variant Price': '19.9', 'Variant Compare At Price': j ? '25.00' : '',
				'Variant Inventory Qty': String(3 + j) });
			}
		}
		const csv = toCsv(rows);
		const dry = await importCsv(csv, true);
		assert.equal(dry.status, 200, dry.text);
		assert.deepEqual(dry.json, { rows: 6, products: 3, created: 3, updated: 0, errors: [] });
		assert.equal(await bySlug(`imp-${t}-0`), undefined, 'a dry run writes nothing');
		const r = await importCsv(csv, false);
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, { rows: 6, products: 3, created: 3, updated: 0, errors: [] });
		for (let i = 0; i < 3; i++) {
			const p = await bySlug(`imp-${t}-${i}`);
			assert.ok(p, `product ${i} exists`);
			const g = await s.request('GET', `${P}/${p.id}`, { token });
			assert.equal(g.status, 200);
			assert.equal(g.json.title, `Imported widget${t} ${i}`);
			assert.equal(g.json.status, 'active');
			assert.deepEqual(g.json.tags, ['csv', 'import']);
			assert.deepEqual(g.json.options, [{ name: 'Size', values: ['S', 'L'] }]);
			assert.deepEqual(g.json.images, [{ url: `https://example.com/${i}.jpg`, alt: 'Pic' }]);
			assert.deepEqual(g.json.variants.map((v) => [v.sku, v.options, v.weight_grams, v.stock.on_hand]),
			    [[`IMP-${t}-${i}-S`, ['S'], 150, 3], [`IMP-${t}-${i}-L`, ['L'], 150, 4]]);
		}
		const st = await s.request('GET', `/api/v1/catalog/stock/IMP-${t}-0-L`, { token });
		assert.equal(st.status, 200);
		assert.equal(st.json.movements[0].reason, 'import');
		assert.equal(st.json.movements[0].on_hand_delta, 4);
		const q = await s.request('GET', `/api/v1/catalog/search?q=widget${t}`);
		assert.equal(q.status, 200);
		assert.equal(q.json.data.length, 3, 'search finds them');
		const ev = await s.request('GET', '/api/v1/events?source=catalog&after=0&limit=1000', { token });
		assert.equal(ev.status, 200, ev.text);
		const prices = ev.json.data.filter((e) => e.type === 'catalog.price.imported' &&
		    e.payload.sku.startsWith(`IMP-${t}-0-`));
		assert.deepEqual(prices.map((e) => e.payload).sort((a, b) => a.sku.localeCompare(b.sku)), [
			{ sku: `IMP-${t}-0-L`, amount: 1990, compare_at: 2500 },
			{ sku: `IMP-${t}-0-S`, amount: 1990, compare_at: null },
		]);
		/* Re-import with a new quantity moves stock once, reason import. */
		rows[1]['Variant Inventory Qty'] = '9';
		const again = await importCsv(toCsv(rows.slice(0, 2)), false);
		assert.equal(again.status, 201, again.text);
		assert.deepEqual(again.json, { rows: 2, products: 1, created: 0, updated: 1, errors: [] });
		const st2 = await s.request('GET', `/api/v1/catalog/stock/IMP-${t}-0-L`, { token });
		assert.equal(st2.json.on_hand, 9);
		assert.equal(st2.json.movements.length, 2);
	});

	it('row errors carry their CSV line and nothing of their product is written', async () => {
		const t = tag();
		const other = await s.request('POST', P, { token, body: { title: `Other ${t}`,
			variants: [{ sku: `OTHER-${t}` }] } });
		assert.equal(other.status, 201);
		const row = (h, sku, extra = {}) => ({ Handle: h, 'Variant SKU': sku, ...extra });
		const rows = [
			row(`ok-${t}`, `OK-${t}`, { Title: 'Fine' }),				/* line 2 */
			row(`bad-sku-${t}`, 'BAD SKU!', { Title: 'Bad sku' }),		/* 3 */
			row(`neg-${t}`, `NEG-${t}`, { Title: 'Neg', 'Variant Price': '-1.00' }),	/* 4 */
			row(`dec-${t}`, `DEC-${t}`, { Title: 'Dec', 'Variant Price': '1.999' }),	/* 5 */
			row(`notitle-${t}`, `NT-${t}`),					/* 6 */
			row(`taken-${t}`, `TK1-${t}`, { Title: 'Taken' }),			/* 7 */
			row(`taken-${t}`, `OTHER-${t}`),					/* 8 */
		];
		const csv = toCsv(rows);
		for (const dry of [true, false]) {
			const r = await importCsv(csv, dry);
			assert.equal(r.status, dry ? 200 : 201, r.text);
			assert.equal(r.json.created, 1);
			assert.equal(r.json.products, 6);
			const got = r.json.errors.map((e) => [e.line, e.handle, e.field]);
			assert.deepEqual(got, [
				[3, `bad-sku-${t}`, 'Variant SKU'],
				[4, `neg-${t}`, 'Variant Price'],
				[5, `dec-${t}`, 'Variant Price'],
				[6, `notitle-${t}`, 'Title'],
				[8, `taken-${t}`, 'Variant SKU'],
			]);
			for (const e of r.json.errors)
				assert.equal(typeof e.message, 'string');
		}
		const all = await allProducts();
		for (const h of ['bad-sku', 'neg', 'dec', 'notitle', 'taken'])
			assert.ok(!all.some((p) => p.slug === `${h}-${t}`), `${h} not written`);
		const stk = await s.request('GET', `/api/v1/catalog/stock/TK1-${t}`, { token });
		assert.equal(stk.status, 404, 'no variant of a skipped product');
		assert.ok(all.some((p) => p.slug === `ok-${t}`));

		/* An unbalanced quote: the file cannot be read, with its line. */
		const broken = `${COLUMNS.join(',')}\nq-${t},Fine,,,,,,,,,,,,Q-${t}\nq2-${t},"open,,,\nmore\n`;
		const b = await importCsv(broken, true);
		const pb = assertProblem(b, 422, 'invalid-csv');
		assert.equal(pb.errors[0].line, 3);
		assert.equal((await importCsv(broken, false)).status, 422);
		assert.equal(await bySlug(`q-${t}`), undefined);
	});

	it('access: 401 without a token, 403 for a customer', async () => {
		for (const [m, p, body] of [['POST', `${IMPORT}?dry_run=true`, { csv: 'Handle\n' }], ['GET', EXPORT]]) {
			assertProblem(await s.request(m, p, { body }), 401);
			assertProblem(await s.request(m, p, { body, token: customer }), 403);
		}
	});

	it('bad bodies: text/csv, no csv member, garbage, bad dry_run are 4xx problems', async () => {
		assertProblem(await s.request('POST', IMPORT, { token, body: 'Handle\nx\n',
			headers: { 'content-type': 'text/csv' } }), 415);
		assertProblem(await s.request('POST', IMPORT, { token, body: { file: 'x' } }), 422, 'validation');
		assertProblem(await s.request('POST', IMPORT, { token, body: { csv: 42 } }), 422, 'validation');
		assertProblem(await importCsv('\u0001garbage "with, quotes', true), 422, 'invalid-csv');
		assertProblem(await importCsv('Title,Vendor\nx,y\n', true), 422, 'invalid-csv');
		assertProblem(await s.request('POST', `${IMPORT}?dry_run=maybe`, { token, body: { csv: 'Handle\n' } }), 400);
	});

	it('CLI: mercato import products FILE dry-run prints the report; exit 1 on errors', async () => {
		const t = tag();
		const good = path.join(s.dir, 'good.csv');
		const bad = path.join(s.dir, 'bad.csv');
		fs.writeFileSync(good, '\ufeff' + toCsv([{ Handle: `cli-${t}`, Title: 'CLI', 'Variant SKU': `CLI-${t}`,
			'Variant Inventory Qty': '2' }]));
		fs.writeFileSync(bad, toCsv([{ Handle: `cli-bad-${t}`, 'Variant SKU': `CLIB-${t}` }]));
		const bin = process.env.MERCATO_BIN;
		const d = await runCli(bin, ['import', 'products', good, 'dry-run', '--data', s.dataDir]);
		assert.equal(d.code, 0, d.stderr);
		assert.deepEqual(JSON.parse(d.stdout), { rows: 1, products: 1, created: 1, updated: 0, errors: [] });
		assert.equal(await bySlug(`cli-${t}`), undefined, 'dry run');
		const e = await runCli(bin, ['import', 'products', bad, 'dry-run', '--data', s.dataDir]);
		assert.equal(e.code, 1);
		assert.equal(JSON.parse(e.stdout).errors[0].line, 2);
		const w = await runCli(bin, ['import', 'products', good, '--data', s.dataDir]);
		assert.equal(w.code, 0, w.stderr);
		const p = await bySlug(`cli-${t}`);
		assert.ok(p, 'written by the CLI, seen by the server');
		assert.equal(p.variants[0].stock.on_hand, 2);
	});
});
