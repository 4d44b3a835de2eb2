/*
 * tests/api/lib/catalog-csv.mjs: product CSV files for the import tests,
 * in Shopify's layout, and a way to wait for an import job.
 *
 *   const { csv, products } = bigCsv('tag', 1500);   // 2 variants each
 *   const job = await waitJob(s, token, id, (j) => j.state === 'done');
 */
import assert from 'node:assert/strict';

import { waitFor } from './server.mjs';

export const IMPORT = '/api/v1/catalog/imports';
export const COLUMNS = ['Handle', 'Title', 'Body (HTML)', 'Vendor', 'Type', 'Tags', 'Status',
	'Option1 Name', 'Option1 Value', 'Option2 Name', 'Option2 Value',
	'Option3 Name', 'Option3 Value', 'Variant SKU', 'Variant Grams',
	'Variant Price', 'Variant Compare At Price', 'Variant Inventory Qty',
	'Image Src', 'Image Position', 'Image Alt Text'];

/* Rows of objects (header -> value) into CSV text. */
export function toCsv(objs, columns = COLUMNS) {
	const esc = (v) => {
		const s = v === undefined || v === null ? '' : String(v);
		return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	return [columns.join(','), ...objs.map((o) => columns.map((c) => esc(o[c])).join(','))]
	    .join('\r\n') + '\r\n';
}

/*
 * n products of two variants (S, L) each, with stock quantities and
 * prices: {csv, products: [{handle, skus: [{sku, qty, price}]}], rows}.
 * Every bad-th product (0: none) has an unreadable price on its L row.
 */
export function bigCsv(t, n, { bad = 0 } = {}) {
	const rows = [];
	const products = [];
	for (let i = 0; i < n; i++) {
		const handle = `bulk-${t}-${i}`;
		const p = { handle, skus: [], bad: bad > 0 && i % bad === bad - 1 };
		for (const [j, size] of ['S', 'L'].entries()) {
			const sku = `BULK-${t}-${i}-${size}`;
			const qty = (i * 7 + j * 3) % 50 + 1;
			const price = `${10 + (i % 90)}.${j ? '50' : '00'}`;
			rows.push({ Handle: handle, ...(j === 0 ? {
				Title: `Bulk item ${t} ${i}`, Vendor: 'Bulk Co', Status: 'active',
				Tags: 'bulk', 'Option1 Name': 'Size',
			} : {}), 'Option1 Value': size, 'Variant SKU': sku, 'Variant Grams': '100',
			'Variant Price': p.bad && j ? 'twelve' : price, 'Variant Inventory Qty': String(qty) });
			p.skus.push({ sku, qty, amount: Math.round(Number(price) * 100) });
		}
		products.push(p);
	}
	return { csv: toCsv(rows), products, rows: rows.length };
}

/* Polls GET /imports/{id} until pred(job) holds; resolves the job. */
export function waitJob(s, token, id, pred, opts = {}) {
	return waitFor(async () => {
		const r = await s.request('GET', `${IMPORT}/${id}`, { token });
		assert.equal(r.status, 200, r.text);
		return pred(r.json) ? r.json : null;
	}, { timeoutMs: 60000, intervalMs: 25, message: `import ${id}`, ...opts });
}
