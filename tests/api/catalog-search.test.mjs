/*
 * Storefront search (GET /api/v1/catalog/search, docs/contracts/catalog-v1.md)
 * on the shop binary: prefixes, typo rewrites, SKUs, filters, facets that
 * agree with the results, sorts, paging, drafts never shown, bad
 * arguments; and the demo data of a default first start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertProblem, runCli, startServer } from './lib/server.mjs';

const P = '/api/v1/catalog/products';
const C = '/api/v1/catalog/categories';
const S = '/api/v1/catalog/search';

/* One page of search. */
async function search(s, query = '', opts = {}) {
	const r = await s.request('GET', `${S}${query ? `?${query}` : ''}`, opts);
	assert.equal(r.status, 200, `search ${query}: ${r.status} ${r.text}`);
	assert.match(r.headers['content-type'], /^application\/json/);
	return r.json;
}

/* Every result of a search, following `next` with the given page size. */
async function searchAll(s, query = '', limit = 50) {
	const out = [];
	const seen = new Set();
	const base = `${query}${query ? '&' : ''}limit=${limit}`;
	let url = base;
	let first;
	for (let pages = 0; pages < 200; pages++) {
		const j = await search(s, url);
		first ??= j;
		assert.ok(j.data.length <= limit, `at most ${limit} per page`);
		for (const x of j.data) {
			assert.ok(!seen.has(x.id), `${x.title} seen once while paging ${query}`);
			seen.add(x.id);
		}
		out.push(...j.data);
		if (j.next === null)
			return { data: out, facets: first.facets, rewrites: first.rewrites, pages: pages + 1 };
		assert.equal(typeof j.next, 'string');
		url = `${base}&after=${encodeURIComponent(j.next)}`;
	}
	throw new Error('paging never ends');
}

/* The price facet's fixed buckets, in minor units; max is exclusive. */
const BUCKETS = [[0, 2000], [2000, 5000], [5000, 10000], [10000, 20000], [20000, null]];

/* The whole facets object: price buckets all zero unless counts are given. */
function facetsOf(category, inStock, price = [0, 0, 0, 0, 0], attributes = {}) {
	return { category, in_stock: inStock, attributes,
		price: BUCKETS.map(([min, max], i) => ({ min, max, count: price[i] })) };
}

const titles = (list) => list.map((x) => x.title);
const idsOf = (list) => list.map((x) => x.id).sort();

describe('catalog search', () => {
	let s;
	let token;
	let tops;
	let bags;
	let home;
	const prod = {};

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		const cat = async (name) => {
			const r = await s.request('POST', C, { token, body: { name } });
			assert.equal(r.status, 201, r.text);
			return r.json.id;
		};
		tops = await cat('Tops');
		bags = await cat('Bags');
		home = await cat('Home');
		/* In this order: the last created (Hemp Cap) is the newest. */
		const specs = [
			['linen', { title: 'Linen Shirt', status: 'active', categories: [tops], tags: ['summer'],
				description: '<p>Breezy <em>woven</em> flax</p>',
				images: [{ url: 'https://cdn.example/linen.jpg', alt: 'Linen' }],
				variants: [{ sku: 'LS-100', on_hand: 10 }] }],
			['runner', { title: 'Table Runner', status: 'active', categories: [home],
				description: '<p>Pure linen, hemmed by hand</p>', variants: [{ sku: 'TR-900', on_hand: 3 }] }],
			['denim', { title: 'Denim Jacket', status: 'active', categories: [tops], tags: ['winter'],
				variants: [{ sku: 'DJ-200', on_hand: 4 }] }],
			['canvas', { title: 'Canvas Tote', status: 'active', categories: [bags],
				variants: [{ sku: 'CT-300', on_hand: 0 }] }],
			['draft', { title: 'Secret Shirtdress', status: 'draft', categories: [tops],
				description: 'Prototype for autumn', variants: [{ sku: 'SD-500', on_hand: 5 }] }],
			['archived', { title: 'Retired Shirt', status: 'archived', categories: [tops],
				variants: [{ sku: 'RS-600', on_hand: 5 }] }],
			['wool', { title: 'wool Scarf', status: 'active', categories: [bags],
				variants: [{ sku: 'WS-400', on_hand: 0, track_stock: false }] }],
			['hemp', { title: 'Hemp Cap', status: 'active', categories: [bags],
				variants: [{ sku: 'HC-700', on_hand: 0 }, { sku: 'HC-701', on_hand: 2 }] }],
		];
		for (const [k, body] of specs) {
			const r = await s.request('POST', P, { token, body });
			assert.equal(r.status, 201, r.text);
			prod[k] = r.json;
		}
	});

	after(async () => {
		await s?.close();
	});

	const ACTIVE = ['linen', 'runner', 'denim', 'canvas', 'wool', 'hemp'];
	const ids = (keys) => keys.map((k) => prod[k].id).sort();

	it('no q: every active product, with summaries', async () => {
		const all = await searchAll(s);
		assert.deepEqual(idsOf(all.data), ids(ACTIVE));
		const j = await search(s);
		assert.deepEqual(Object.keys(j).sort(), ['data', 'facets', 'next', 'rewrites']);
		assert.equal(j.next, null);
		assert.deepEqual(j.rewrites, {});
		const linen = j.data.find((x) => x.id === prod.linen.id);
		assert.deepEqual(linen, { id: prod.linen.id, title: 'Linen Shirt', slug: prod.linen.slug,
			image: 'https://cdn.example/linen.jpg', price: null, in_stock: true });
		const tote = j.data.find((x) => x.id === prod.canvas.id);
		assert.equal(tote.image, null);
		assert.equal(tote.in_stock, false);
		assert.equal(j.data.find((x) => x.id === prod.wool.id).in_stock, true, 'untracked is in stock');
		assert.equal(j.data.find((x) => x.id === prod.hemp.id).in_stock, true, 'one variant in stock is enough');
		/* Customers and staff search the same storefront. */
		assert.deepEqual(idsOf((await search(s, '', { token })).data), ids(ACTIVE));
	});

	it('each word is a prefix: q=shi finds the shirt', async () => {
		for (const q of ['shi', 'SHI', 'shirt', 'Shirt', 'sh', 'lin%20shi', 'linen+shirt', 'shirt%20linen']) {
			const j = await search(s, `q=${q}`);
			assert.deepEqual(titles(j.data), ['Linen Shirt'], `q=${q}`);
			assert.deepEqual(j.rewrites, {}, `q=${q} needs no rewrite`);
		}
		/* Tags and description text count too, markup does not. */
		assert.deepEqual(titles((await search(s, 'q=summ')).data), ['Linen Shirt']);
		assert.deepEqual(titles((await search(s, 'q=woven')).data), ['Linen Shirt']);
		assert.deepEqual(titles((await search(s, 'q=flax')).data), ['Linen Shirt']);
		assert.deepEqual(titles((await search(s, 'q=wint')).data), ['Denim Jacket']);
		/* All words must match. */
		assert.deepEqual((await search(s, 'q=linen%20jacket')).data, []);
		assert.deepEqual(titles((await search(s, 'q=ja')).data), ['Denim Jacket']);
	});

	it('a word that matches nothing is rewritten to the closest indexed word', async () => {
		const cases = [
			['shrit', 'shirt', 'Linen Shirt'],		/* transposition */
			['tshirt', 'shirt', 'Linen Shirt'],	/* one letter too many */
			['shrt', 'shirt', 'Linen Shirt'],		/* four letters, one missing */
			['shirtt', 'shirt', 'Linen Shirt'],
			['jakcet', 'jacket', 'Denim Jacket'],
			['scraf', 'scarf', 'wool Scarf'],
			['lnien', 'linen', ['Linen Shirt', 'Table Runner']],
		];
		for (const [typo, word, title] of cases) {
			const j = await search(s, `q=${typo}`);
			assert.deepEqual(j.rewrites, { [typo]: word }, `q=${typo}: ${JSON.stringify(j.rewrites)}`);
			assert.deepEqual(titles(j.data), [title].flat(), `q=${typo}`);
		}
		/* Case does not matter; two words, one of them rewritten. */
		const two = await search(s, 'q=LINEN%20Shrit');
		assert.deepEqual(two.rewrites, { shrit: 'shirt' });
		assert.deepEqual(titles(two.data), ['Linen Shirt']);
		/* Too far away: no rewrite, nothing found, facets all zero. */
		for (const q of ['xyzzy', 'shxxxt', 'qq']) {
			const j = await search(s, `q=${q}`);
			assert.deepEqual(j.rewrites, {}, `q=${q}`);
			assert.deepEqual(j.data, [], `q=${q}`);
			assert.deepEqual(j.facets, facetsOf({}, { true: 0, false: 0 }));
			assert.equal(j.next, null);
		}
	});

	it('q matches SKUs', async () => {
		assert.deepEqual(titles((await search(s, 'q=DJ-200')).data), ['Denim Jacket']);
		assert.deepEqual(titles((await search(s, 'q=dj')).data), ['Denim Jacket']);
		assert.deepEqual(titles((await search(s, 'q=ct-300')).data), ['Canvas Tote']);
		assert.deepEqual(titles((await search(s, 'q=HC-701')).data), ['Hemp Cap'], 'any variant\'s SKU');
		assert.deepEqual(titles((await search(s, 'q=LS%20100')).data), ['Linen Shirt']);
	});

	it('filters: category and in_stock', async () => {
		assert.deepEqual(idsOf((await searchAll(s, `category=${tops}`)).data), ids(['linen', 'denim']));
		assert.deepEqual(idsOf((await searchAll(s, `category=${bags}`)).data), ids(['canvas', 'wool', 'hemp']));
		assert.deepEqual((await search(s, 'category=cat_01ZZZZZZZZZZZZZZZZZZZZZZZZ')).data, []);
		assert.deepEqual(idsOf((await searchAll(s, 'in_stock=true')).data), ids(['linen', 'runner', 'denim', 'wool', 'hemp']));
		assert.deepEqual(titles((await search(s, `q=linen&category=${home}`)).data), ['Table Runner']);
		assert.deepEqual(idsOf((await searchAll(s, 'in_stock=false')).data), ids(['canvas']));
		assert.deepEqual(idsOf((await searchAll(s, `in_stock=true&category=${bags}`)).data), ids(['wool', 'hemp']));
		assert.deepEqual(idsOf((await searchAll(s, `q=t&category=${bags}`)).data), ids(['canvas']), 'tote');
		const all = await searchAll(s, 'in_stock=true');
		assert.ok(all.data.every((x) => x.in_stock === true));
		assert.ok((await searchAll(s, 'in_stock=false')).data.every((x) => x.in_stock === false));
	});

	it('facet counts agree with the results', async () => {
		const j = await search(s);
		assert.deepEqual(j.facets, facetsOf({ [tops]: 2, [bags]: 3, [home]: 1 }, { true: 5, false: 1 }));
		/* Each product has one category: the category facet sums to the results. */
		const queries = ['', 'q=s', 'q=shi', 'q=t', 'q=c', 'in_stock=true', 'in_stock=false', 'q=e&in_stock=true',
			`category=${tops}`, `category=${bags}`, `q=c&category=${bags}`, 'q=xyzzy', 'q=shrit'];
		for (const q of queries) {
			const res = await searchAll(s, q);
			const f = res.facets;
			const withoutCategory = q.includes('category=') ?
			    await searchAll(s, q.replace(/&?category=[^&]*/, '')) : res;
			const withoutStock = q.includes('in_stock=') ?
			    await searchAll(s, q.replace(/&?in_stock=[^&]*/, '')) : res;
			const catSum = Object.values(f.category).reduce((a, n) => a + n, 0);
			assert.equal(catSum, withoutCategory.data.length, `${q}: category facets sum to the results (without the category filter)`);
			assert.equal(f.in_stock.true + f.in_stock.false, withoutStock.data.length,
			    `${q}: in_stock true + false is the results without the in_stock filter`);
			/* And each count is exact. */
			for (const [cid, n] of Object.entries(f.category)) {
				const narrowed = await searchAll(s, `${q.replace(/&?category=[^&]*/, '')}${q.replace(/&?category=[^&]*/, '') ? '&' : ''}category=${cid}`);
				assert.equal(narrowed.data.length, n, `${q}: facet ${cid}`);
			}
			const t = withoutStock.data.filter((x) => x.in_stock).length;
			assert.deepEqual(f.in_stock, { true: t, false: withoutStock.data.length - t }, `${q}: in_stock facet`);
		}
	});

	it('sort=name is alphabetical, sort=newest puts the last created first', async () => {
		const byName = await searchAll(s, 'sort=name');
		assert.deepEqual(titles(byName.data), ['Canvas Tote', 'Denim Jacket', 'Hemp Cap', 'Linen Shirt', 'Table Runner', 'wool Scarf'],
		    'alphabetical, case-insensitive');
		const newest = await searchAll(s, 'sort=newest');
		assert.deepEqual(titles(newest.data), ['Hemp Cap', 'wool Scarf', 'Canvas Tote', 'Denim Jacket', 'Table Runner', 'Linen Shirt']);
		const r = await s.request('POST', P, { token, body: { title: 'Alpaca Cardigan', status: 'active', categories: [bags],
			variants: [{ sku: 'AB-800', on_hand: 1 }] } });
		assert.equal(r.status, 201, r.text);
		try {
			const again = await search(s, 'sort=newest&limit=1');
			assert.deepEqual(titles(again.data), ['Alpaca Cardigan'], 'the last created comes first');
			assert.deepEqual(titles((await search(s, 'sort=name&limit=1')).data), ['Alpaca Cardigan']);
			assert.deepEqual(titles((await search(s, 'q=c&sort=name')).data), ['Alpaca Cardigan', 'Canvas Tote', 'Hemp Cap']);
		} finally {
			assert.equal((await s.request('DELETE', `${P}/${r.json.id}`, { token })).status, 204);
		}
		assert.deepEqual((await search(s, 'q=alpaca')).data, [], 'a deleted product is gone from search');
		/* relevance is the default; with words it ranks, without it is a valid order too. */
		assert.deepEqual(idsOf((await searchAll(s, 'sort=relevance')).data), ids(ACTIVE));
		assert.deepEqual(titles((await search(s, 'q=shirt&sort=relevance')).data), ['Linen Shirt']);
		/* A title match ranks above a description match, whatever was created first. */
		assert.deepEqual(titles((await search(s, 'q=linen')).data), ['Linen Shirt', 'Table Runner']);
		assert.deepEqual(titles((await search(s, 'q=linen&sort=relevance')).data), ['Linen Shirt', 'Table Runner']);
		assert.deepEqual(titles((await search(s, 'q=linen&sort=newest')).data), ['Table Runner', 'Linen Shirt']);
		assert.deepEqual(titles((await search(s, 'q=hem')).data), ['Hemp Cap', 'Table Runner'],
		    'hem: the title word "hemp" before the description word "hemmed"');
	});

	it('paging with limit=1 and next visits every result once, in order', async () => {
		for (const q of ['', 'sort=name', 'sort=newest', 'q=s', 'q=c&sort=name', 'in_stock=true', `category=${bags}`]) {
			const whole = await searchAll(s, q, 50);
			assert.equal(whole.pages, 1);
			const paged = await searchAll(s, q, 1);
			assert.deepEqual(paged.data.map((x) => x.id), whole.data.map((x) => x.id), `${q}: same results, same order`);
			assert.ok(paged.pages >= whole.data.length, `${q}: one page each`);
			const two = await searchAll(s, q, 2);
			assert.deepEqual(two.data.map((x) => x.id), whole.data.map((x) => x.id), `${q}: limit=2`);
		}
	});

	it('drafts and archived products never appear', async () => {
		const hidden = [prod.draft.id, prod.archived.id];
		for (const q of ['', 'q=secret', 'q=shirtdress', 'q=shi', 'q=prototype', 'q=retired', 'q=SD-500', 'q=rs',
			`category=${tops}`, 'in_stock=true', 'sort=newest', 'sort=name']) {
			const res = await searchAll(s, q);
			assert.ok(!res.data.some((x) => hidden.includes(x.id)), `${q}: ${titles(res.data)}`);
		}
		for (const q of ['q=secret', 'q=shirtdress', 'q=prototype', 'q=retired']) {
			const j = await search(s, q);
			assert.deepEqual(j.data, [], q);
			assert.deepEqual(j.facets, facetsOf({}, { true: 0, false: 0 }), `${q}: not counted either`);
		}
		/* Activated, it is found; back to draft, gone again. */
		const url = `${P}/${prod.draft.id}`;
		let r = await s.request('PATCH', url, { token, headers: { 'if-match': '"v1"' }, body: { status: 'active' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(titles((await search(s, 'q=shirtdress')).data), ['Secret Shirtdress']);
		assert.deepEqual(titles((await search(s, 'q=shi&sort=name')).data), ['Linen Shirt', 'Secret Shirtdress']);
		r = await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' }, body: { status: 'draft' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual((await search(s, 'q=shirtdress')).data, []);
		assert.deepEqual(titles((await search(s, 'q=shi')).data), ['Linen Shirt']);
		/* A renamed product is found by its new title only. */
		const d = `${P}/${prod.denim.id}`;
		r = await s.request('PATCH', d, { token, headers: { 'if-match': '"v1"' }, body: { title: 'Denim Overshirt' } });
		assert.equal(r.status, 200, r.text);
		try {
			assert.deepEqual(titles((await search(s, 'q=overshirt')).data), ['Denim Overshirt']);
			assert.deepEqual((await search(s, 'q=jacket')).data, []);
		} finally {
			r = await s.request('PATCH', d, { token, headers: { 'if-match': '"v2"' }, body: { title: 'Denim Jacket' } });
			assert.equal(r.status, 200, r.text);
		}
	});

	it('a draft\'s words are not given away by the typo rewrite', async () => {
		const leak = async () => {
			for (const q of ['secrte', 'prototyp3', 'shirtdres', 'retird', 'atumn']) {
				const j = await search(s, `q=${q}`);
				assert.deepEqual(j.data, [], q);
				assert.deepEqual(j.rewrites, {}, `q=${q} rewrites to a hidden product's word: ${JSON.stringify(j.rewrites)}`);
			}
		};
		await leak();
		/* Active for a while, then a draft again: its words go with it. */
		const url = `${P}/${prod.draft.id}`;
		const g = await s.request('GET', url, { token });
		let r = await s.request('PATCH', url, { token, headers: { 'if-match': g.headers.etag }, body: { status: 'active' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual((await search(s, 'q=secrte')).rewrites, { secrte: 'secret' }, 'active: its words are indexed');
		r = await s.request('PATCH', url, { token, headers: { 'if-match': r.headers.etag }, body: { status: 'draft' } });
		assert.equal(r.status, 200, r.text);
		await leak();
	});

	it('search syntax in q is just text', async () => {
		for (const q of ['"', '"shi"*', 'shirt OR jacket', 'NEAR(shirt jacket)', '*', 'title:shirt', '-', '(', 'AND',
			'^shi', 'shi*', 'ü', '😀', 'x'.repeat(300)]) {
			const r = await s.request('GET', `${S}?q=${encodeURIComponent(q)}`);
			assert.equal(r.status, 200, `q=${q}: ${r.status} ${r.text}`);
			assert.ok(Array.isArray(r.json.data));
		}
		assert.deepEqual(titles((await search(s, `q=${encodeURIComponent('"shi"*')}`)).data), ['Linen Shirt']);
		assert.deepEqual(titles((await search(s, `q=${encodeURIComponent('title:shirt')}`)).data), [],
		    'title:shirt is two words, not a column filter');
		/* Only punctuation: no words, the whole storefront. */
		assert.deepEqual(idsOf((await searchAll(s, `q=${encodeURIComponent('-')}`)).data), ids(ACTIVE));
	});

	it('bad arguments are 400 problems naming the field', async () => {
		const cases = [
			['sort=bogus', 'sort'], ['sort=', 'sort'], ['sort=NAME', 'sort'],
			['in_stock=maybe', 'in_stock'], ['in_stock=1', 'in_stock'], ['in_stock=TRUE', 'in_stock'],
			['limit=0', 'limit'], ['limit=51', 'limit'], ['limit=-1', 'limit'], ['limit=ten', 'limit'],
			['after=abc', 'after'], ['after=0', 'after'], ['after=-5', 'after'], ['after=10001', 'after'],
			[`q=${'x'.repeat(600)}`, 'q'], ['q=%ZZ', 'q'], ['q=%FF%FE', 'q'],
		];
		for (const [q, field] of cases) {
			const r = await s.request('GET', `${S}?${q}`);
			const p = assertProblem(r, 400);
			assert.ok(Array.isArray(p.errors), `${q}: errors[] in ${r.text}`);
			assert.ok(p.errors.some((e) => e.field === field), `${q} names ${field}: ${r.text}`);
		}
		const r = await s.request('GET', `${S}?sort=bogus&in_stock=maybe`);
		const fields = assertProblem(r, 400).errors.map((e) => e.field);
		assert.ok(fields.includes('sort') && fields.includes('in_stock'), 'both named');
	});

	it('description text is indexed as text: entities are characters, not words', async () => {
		const r = await s.request('POST', P, { token, body: { title: 'Serving Bowl', status: 'active', categories: [home],
			description: '<p>Fish &amp; chips, caf&eacute; style &lt;3 &quot;big&quot;</p>', variants: [{ sku: 'SB-950', on_hand: 1 }] } });
		assert.equal(r.status, 201, r.text);
		try {
			for (const q of ['amp', 'eacute', 'quot', 'lt'])
				assert.deepEqual(titles((await search(s, `q=${q}`)).data), [], `q=${q} is not a word of the text`);
			const cafe = await search(s, `q=${encodeURIComponent('café')}`);
			assert.deepEqual(titles(cafe.data), ['Serving Bowl']);
			assert.deepEqual(cafe.rewrites, {}, 'café is an indexed word');
		} finally {
			assert.equal((await s.request('DELETE', `${P}/${r.json.id}`, { token })).status, 204);
		}
	});
});

describe('catalog demo data (default seed)', () => {
	let s;
	let token;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: undefined } });
		token = await s.adminToken();
	});

	after(async () => {
		await s?.close();
	});

	it('4 categories, 48 products of which 44 active; search shows the active ones only', async () => {
		const cats = await s.request('GET', C);
		assert.equal(cats.status, 200, cats.text);
		assert.equal(cats.json.data.length, 4);
		assert.deepEqual(cats.json.data.map((c) => c.name), ['Shirts', 'Trousers', 'Shoes', 'Accessories']);
		assert.equal(cats.json.next, null);

		const pub = await s.request('GET', `${P}?limit=100`);
		assert.equal(pub.status, 200, pub.text);
		assert.equal(pub.json.data.length, 44);
		assert.equal(pub.json.next, null);
		assert.ok(pub.json.data.every((p) => p.status === 'active' && !('version' in p)));
		const staff = await s.request('GET', `${P}?limit=100`, { token });
		assert.equal(staff.json.data.length, 48);
		const drafts = staff.json.data.filter((p) => p.status !== 'active').map((p) => p.id);
		assert.equal(drafts.length, 4);

		const all = await searchAll(s);
		assert.equal(all.data.length, 44);
		assert.deepEqual(idsOf(all.data), idsOf(pub.json.data), 'search without q is the active catalog');
		assert.ok(!all.data.some((x) => drafts.includes(x.id)));
		const catSum = Object.values(all.facets.category).reduce((a, n) => a + n, 0);
		assert.equal(catSum, 44);
		assert.deepEqual(Object.keys(all.facets.category).sort(), cats.json.data.map((c) => c.id).sort());
		assert.equal(all.facets.in_stock.true + all.facets.in_stock.false, 44);
		assert.equal(all.facets.in_stock.true, all.data.filter((x) => x.in_stock).length);
		/* Default page size 20, pages of it cover the 44. */
		const first = await search(s);
		assert.equal(first.data.length, 20);
		assert.equal(typeof first.next, 'string');
		assert.equal((await searchAll(s, '', 20)).data.length, 44);
		/* Words of the demo titles are found. */
		const shirts = await searchAll(s, 'q=shirt');
		assert.ok(shirts.data.length > 0 && shirts.data.every((x) => /shirt/i.test(x.title)), titles(shirts.data).join());
		const rw = await search(s, 'q=sneakres');
		assert.deepEqual(rw.rewrites, { sneakres: 'sneakers' });
		assert.ok(rw.data.length > 0);
	});
});

describe('catalog search: listing rows, prices, attributes, two workers', () => {
	let s;
	let token;
	let cat;
	const prod = {};
	const A = '/api/v1/catalog/attributes';
	const PRICE = '/api/v1/pricing/prices';
	const STOCK = '/api/v1/catalog/stock';

	/* Prices reach catalog as pricing.price.changed events, delivered in the request. */
	async function setPrice(sku, amount, compareAt) {
		const body = compareAt === undefined ? { amount } : { amount, compare_at: compareAt };
		const r = await s.request('PUT', `${PRICE}/${sku}`, { token, body });
		assert.ok(r.status === 200 || r.status === 201, `price ${sku}: ${r.status} ${r.text}`);
	}

	async function patch(key, body) {
		const url = `${P}/${prod[key].id}`;
		const g = await s.request('GET', url, { token });
		const r = await s.request('PATCH', url, { token, headers: { 'if-match': g.headers.etag }, body });
		assert.equal(r.status, 200, r.text);
		return r.json;
	}

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' }, workers: 2 });
		token = await s.adminToken();
		const c = await s.request('POST', C, { token, body: { name: 'Shirts' } });
		assert.equal(c.status, 201, c.text);
		cat = c.json.id;
		for (const d of [
			{ code: 'material', name: 'Material', kind: 'select', choices: ['Linen', 'Cotton', 'Wool'], filterable: true },
			{ code: 'colour', name: 'Colour', kind: 'multiselect', choices: ['Red', 'Blue', 'White'], filterable: true },
			{ code: 'care', name: 'Care', kind: 'text' },
		]) {
			const r = await s.request('POST', A, { token, body: d });
			assert.equal(r.status, 201, r.text);
		}
		const specs = [
			['a', 'Alpha Shirt', { material: 'Linen', colour: ['Red'] }, [['PA-1', 2], ['PA-2', 0]]],
			['b', 'Beta Shirt', { material: 'Cotton', colour: ['Blue', 'Red'] }, [['PB-1', 1]]],
			['c', 'Gamma Shirt', { material: 'Linen', colour: ['White'] }, [['PC-1', 5]]],
			['d', 'Delta Shirt', { material: 'Wool', care: 'hand wash' }, [['PD-1', 3]]],
			['e', 'Epsilon Shirt', {}, [['PE-1', 1]]],
		];
		for (const [k, title, attributes, vars] of specs) {
			const r = await s.request('POST', P, { token, body: { title, status: 'active', categories: [cat],
				attributes, variants: vars.map(([sku, on_hand]) => ({ sku, on_hand })) } });
			assert.equal(r.status, 201, r.text);
			prod[k] = r.json;
		}
		await setPrice('PA-1', 1500);
		await setPrice('PA-2', 2500, 3000);
		await setPrice('PB-1', 4999);
		await setPrice('PC-1', 7500, 9000);
		await setPrice('PD-1', 25000);
	});

	after(async () => {
		await s?.close();
	});

	const ids = (keys) => keys.map((k) => prod[k].id);

	it('summaries carry the price range from pricing events; buckets count products by their lowest price', async () => {
		const j = await search(s, 'q=shirt&limit=50');
		const a = j.data.find((x) => x.id === prod.a.id);
		assert.deepEqual(a.price, { min: 1500, max: 2500, currency: 'EUR' });
		assert.equal(j.data.find((x) => x.id === prod.e.id).price, null, 'no price yet');
		assert.deepEqual(j.facets.price, facetsOf({}, {}, [1, 1, 1, 0, 1]).price);
		/* A new price moves the range and the bucket. */
		await setPrice('PA-1', 2100);
		const k = await search(s, 'q=alpha');
		assert.deepEqual(k.data[0].price, { min: 2100, max: 2500, currency: 'EUR' });
		assert.deepEqual(k.facets.price.map((b) => b.count), [0, 1, 0, 0, 0]);
		await setPrice('PA-1', 1500);
	});

	it('price_min and price_max filter on the lowest price; the price facet ignores its own filter', async () => {
		const cases = [
			['price_min=2000', ['b', 'c', 'd']],
			['price_max=5000', ['a', 'b']],
			['price_min=2000&price_max=8000', ['b', 'c']],
			['price_min=1500&price_max=1500', ['a']],
			['price_min=30000', []],
		];
		for (const [q, want] of cases) {
			const res = await searchAll(s, q);
			assert.deepEqual(idsOf(res.data), ids(want).sort(), q);
			assert.deepEqual(res.facets.price.map((b) => b.count), [1, 1, 1, 0, 1], `${q}: price facet`);
			assert.deepEqual(res.facets.category, want.length ? { [cat]: want.length } : {}, `${q}: category facet`);
		}
		for (const [q, field] of [['price_min=abc', 'price_min'], ['price_min=-1', 'price_min'],
			['price_max=1.5', 'price_max'], ['price_min=5&price_max=4', 'price_max'],
			['price_max=99999999999999', 'price_max']]) {
			const p = assertProblem(await s.request('GET', `${S}?${q}`), 400);
			assert.ok(p.errors.some((e) => e.field === field), `${q}: ${JSON.stringify(p.errors)}`);
		}
	});

	it('sort=price_asc and price_desc: products without a price come last, paging keeps the order', async () => {
		const asc = await searchAll(s, 'sort=price_asc');
		assert.deepEqual(asc.data.map((x) => x.id), ids(['a', 'b', 'c', 'd', 'e']));
		const desc = await searchAll(s, 'q=shirt&sort=price_desc');
		assert.deepEqual(desc.data.map((x) => x.id), ids(['d', 'c', 'b', 'a', 'e']));
		for (const q of ['sort=price_asc', 'sort=price_desc', 'q=sh&sort=price_asc']) {
			const one = await searchAll(s, q, 1);
			assert.deepEqual(one.data.map((x) => x.id), (await searchAll(s, q)).data.map((x) => x.id), q);
		}
		const r = await s.request('GET', `${S}?sort=price`);
		assert.ok(assertProblem(r, 400).errors.some((e) => e.field === 'sort'));
	});

	it('attribute facets: each count is the number of results with that value; filters OR within, AND across', async () => {
		const j = await search(s, 'limit=50');
		assert.deepEqual(j.facets.attributes, {
			material: { Linen: 2, Cotton: 1, Wool: 1 },
			colour: { Red: 2, Blue: 1, White: 1 },
		}, 'filterable attributes only');
		for (const base of ['', 'q=shirt', 'in_stock=true', 'price_max=8000', 'attr.colour=Red']) {
			const res = await searchAll(s, base);
			for (const [code, values] of Object.entries(res.facets.attributes)) {
				if (base.startsWith(`attr.${code}=`))
					continue;
				for (const [v, n] of Object.entries(values)) {
					const narrowed = await searchAll(s, `${base}${base ? '&' : ''}attr.${code}=${encodeURIComponent(v)}`);
					assert.equal(narrowed.data.length, n, `${base}: ${code}=${v}`);
				}
			}
		}
		const cases = [
			['attr.material=Linen', ['a', 'c']],
			['attr.material=Linen,Cotton', ['a', 'b', 'c']],
			['attr.material=Linen&attr.colour=Red', ['a']],
			['attr.colour=Red,White&attr.material=Linen', ['a', 'c']],
			['attr.colour=Blue&q=beta', ['b']],
			['attr.material=Silk', []],
		];
		for (const [q, want] of cases)
			assert.deepEqual(idsOf((await searchAll(s, q)).data), ids(want).sort(), q);
		/* Each attribute's facet ignores its own filter, not the others'. */
		const f = (await search(s, 'attr.material=Linen&attr.colour=Red')).facets.attributes;
		assert.deepEqual(f.material, { Linen: 1, Cotton: 1 }, 'material: the Red products');
		assert.deepEqual(f.colour, { Red: 1, White: 1 }, 'colour: the Linen products');
		for (const [q, field] of [['attr.care=x', 'attr.care'], ['attr.nope=x', 'attr.nope'],
			['attr.material=', 'attr.material'], ['attr.Material=Linen', 'attr.Material'],
			['attr.=x', 'attr.'], ['attr.material=Linen&attr.material=Wool', 'attr.material']]) {
			const p = assertProblem(await s.request('GET', `${S}?${q}`), 400);
			assert.ok(p.errors.some((e) => e.field === field), `${q}: ${JSON.stringify(p.errors)}`);
		}
	});

	it('the listing row follows stock, status, prices and deletion', async () => {
		const inStock = async (k) => (await search(s, `q=${prod[k].title.split(' ')[0]}`)).data[0]?.in_stock;
		assert.equal(await inStock('c'), true);
		let r = await s.request('POST', `${STOCK}/PC-1/adjust`, { token, body: { expected: 5, on_hand: 0, reason: 'adjustment' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(await inStock('c'), false, 'sold out');
		assert.ok(!(await searchAll(s, 'in_stock=true')).data.some((x) => x.id === prod.c.id));
		assert.deepEqual((await search(s)).facets.in_stock, { true: 4, false: 1 });
		r = await s.request('POST', `${STOCK}/PC-1/adjust`, { token, body: { expected: 0, on_hand: 2, reason: 'adjustment' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(await inStock('c'), true, 'back in stock');

		await patch('b', { status: 'archived' });
		assert.deepEqual((await search(s, 'q=beta')).data, []);
		assert.equal((await search(s)).facets.category[cat], 4, 'not counted');
		await patch('b', { status: 'active', title: 'Beta Overshirt' });
		assert.deepEqual(titles((await search(s, 'q=overshirt')).data), ['Beta Overshirt']);

		r = await s.request('DELETE', `${P}/${prod.e.id}`, { token });
		assert.equal(r.status, 204, r.text);
		assert.deepEqual((await search(s, 'q=epsilon')).data, []);
		assert.equal((await searchAll(s)).data.length, 4);
		assert.deepEqual((await search(s, 'q=epsilln')).rewrites, {}, 'its words are gone from the term table');
	});

	it('a change made through one worker shows in searches answered by the other', async () => {
		const builtBy = () => new Set(s.logLines().filter((l) => /search index built/.test(l.msg)).map((l) => l.pid));
		/*
		 * Fresh connections, many at once (Kore hands a batch of up to 16
		 * to one worker), until both workers have built their index.
		 */
		for (let i = 0; i < 50 && builtBy().size < 2; i++)
			await Promise.all(Array.from({ length: 40 }, () => s.request('GET', `${S}?q=shirt`, { fresh: true })));
		const pids = new Set(s.logLines().filter((l) => l.msg === 'request').map((l) => l.pid));
		assert.equal(builtBy().size, 2, `both workers built an index (requests answered by ${[...pids]})`);
		/*
		 * Change, then search from fresh connections, until both workers
		 * have answered after a change (which worker accepts is up to
		 * Kore and the machine's load, so keep going for a while).
		 */
		const served = new Set();
		const answeredBy = async () => {
			/* Access lines are flushed every 100 ms. */
			await new Promise((resolve) => setTimeout(resolve, 300));
			return new Set(s.logLines().filter((l) => l.msg === 'request' && served.has(l.request_id))
			    .map((l) => l.pid));
		};
		let after = new Set();
		for (let round = 1; round <= 25 && (round <= 4 || after.size < 2); round++) {
			const title = `Delta Shirt ${round}`;
			await patch('d', { title });
			await setPrice('PD-1', 25000 + round);
			const rs = await Promise.all(Array.from({ length: 40 }, () =>
				s.request('GET', `${S}?q=delta`, { fresh: true })));
			for (const r of rs) {
				assert.equal(r.status, 200, r.text);
				assert.deepEqual(r.json.data.map((x) => [x.title, x.price.min]), [[title, 25000 + round]],
				    `round ${round}: ${r.headers['x-request-id']}`);
				served.add(r.headers['x-request-id']);
			}
			after = await answeredBy();
		}
		assert.equal(after.size, 2, 'both workers answered after the changes');
	});

	it('mercato replay catalog rebuilds the listing prices from pricing\'s log', async () => {
		const before = (await searchAll(s, 'sort=price_asc')).data;
		assert.ok(before.filter((x) => x.price !== null).length >= 4, 'prices to rebuild');
		await s.stop();
		const r = await runCli(process.env.MERCATO_BIN, ['replay', 'catalog', '--data', s.dataDir]);
		assert.equal(r.code, 0, `replay: ${r.stderr}`);
		await s.restart();
		assert.deepEqual((await searchAll(s, 'sort=price_asc')).data, before);
		assert.deepEqual((await search(s)).facets.price.map((b) => b.count), [1, 1, 1, 0, 1]);
	});
});
