/*
 * The catalog's first slice (docs/contracts/catalog-v1.md), black box on the
 * shop binary with an empty catalog (MERCATO_SEED=0): products and their
 * validation, the public and staff views, ETag/If-Match, delete, categories,
 * stock and its ledger, and the catalog.* events.  Orders (reservations,
 * below-reserved, has-reservations) are in catalog-saga.test.mjs; search in
 * catalog-search.test.mjs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { assertProblem, feed, register, signIn, startServer, uniqueEmail } from './lib/server.mjs';

const P = '/api/v1/catalog/products';
const C = '/api/v1/catalog/categories';
const STOCK = '/api/v1/catalog/stock';
const PROD_ID = /^prod_[0-9A-HJKMNP-TV-Z]{26}$/;
const VAR_ID = /^var_[0-9A-HJKMNP-TV-Z]{26}$/;
const CAT_ID = /^cat_[0-9A-HJKMNP-TV-Z]{26}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const tag = () => randomBytes(4).toString('hex').toUpperCase();

/* The field names of a 422 validation problem. */
function fieldsOf(res) {
	const p = assertProblem(res, 422, 'validation');
	assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `errors[]: ${res.text}`);
	for (const e of p.errors) {
		assert.equal(typeof e.field, 'string');
		assert.equal(typeof e.message, 'string');
	}
	return p.errors.map((e) => e.field);
}

/* Asserts the ledger adds up to the figures (only while it has < 50 rows). */
function assertLedger(st) {
	assert.ok(st.movements.length < 50, 'the whole ledger is shown');
	const sum = (k) => st.movements.reduce((a, m) => a + m[k], 0);
	assert.equal(sum('on_hand_delta'), st.on_hand, 'sum of on_hand_delta is on_hand');
	assert.equal(sum('reserved_delta'), st.reserved, 'sum of reserved_delta is reserved');
	assert.equal(st.available, st.on_hand - st.reserved);
	if (st.movements.length > 0) {
		assert.equal(st.movements[0].on_hand_after, st.on_hand, 'newest row is the current on_hand');
		assert.equal(st.movements[0].reserved_after, st.reserved);
	}
	/* Newest first: each row's after = the older row's after + its delta. */
	for (let i = 0; i + 1 < st.movements.length; i++) {
		const m = st.movements[i];
		const older = st.movements[i + 1];
		assert.equal(m.on_hand_after, older.on_hand_after + m.on_hand_delta, `row ${i} on_hand chain`);
		assert.equal(m.reserved_after, older.reserved_after + m.reserved_delta, `row ${i} reserved chain`);
	}
}

describe('catalog: products, categories and stock', () => {
	let s;
	let token;
	let customer;
	let catA;
	let catB;

	before(async () => {
		s = await startServer({ env: { MERCATO_SEED: '0' } });
		token = await s.adminToken();
		const email = uniqueEmail('catalog');
		assert.equal((await register(s, email, 'password-123')).status, 201);
		const si = await signIn(s, email, 'password-123');
		assert.equal(si.status, 200, si.text);
		customer = si.token;
		const a = await s.request('POST', C, { token, body: { name: `Shirts ${tag()}` } });
		assert.equal(a.status, 201, a.text);
		const b = await s.request('POST', C, { token, body: { name: `Bags ${tag()}` } });
		assert.equal(b.status, 201, b.text);
		catA = a.json.id;
		catB = b.json.id;
	});

	after(async () => {
		await s?.close();
	});

	async function create(body) {
		const r = await s.request('POST', P, { token, body });
		assert.equal(r.status, 201, `create: ${r.status} ${r.text}`);
		return r;
	}

	async function stockOf(sku) {
		const r = await s.request('GET', `${STOCK}/${encodeURIComponent(sku)}`, { token });
		assert.equal(r.status, 200, `stock ${sku}: ${r.status} ${r.text}`);
		return r.json;
	}

	async function adjust(sku, body) {
		return s.request('POST', `${STOCK}/${encodeURIComponent(sku)}/adjust`, { token, body });
	}

	it('the minimal create call from the issue: 201, Location, ETag "v1", defaults', async () => {
		const sku = `MIN-${tag()}`;
		const title = `Minimal Tee ${tag()}`;
		const r = await s.request('POST', P, {
			token, body: { title, status: 'active', variants: [{ sku }] },
		});
		assert.equal(r.status, 201, r.text);
		assert.match(r.headers['content-type'], /^application\/json/);
		assert.equal(r.headers.etag, '"v1"');
		const p = r.json;
		assert.match(p.id, PROD_ID);
		assert.equal(r.headers.location, `${P}/${p.id}`);
		assert.equal(p.title, title);
		assert.equal(p.slug, title.toLowerCase().replace(/ /g, '-'), 'slug made from the title');
		assert.equal(p.status, 'active');
		assert.equal(p.version, 1);
		assert.equal(p.description, '');
		assert.deepEqual([p.vendor, p.product_type, p.seo_title, p.seo_description], ['', '', '', '']);
		assert.deepEqual([p.tags, p.options, p.images, p.categories], [[], [], [], []]);
		assert.equal(p.primary_category, null);
		assert.match(p.created_at, RFC3339);
		assert.match(p.updated_at, RFC3339);
		assert.equal(p.variants.length, 1);
		const v = p.variants[0];
		assert.match(v.id, VAR_ID);
		assert.equal(v.sku, sku);
		assert.equal(v.barcode, '');
		assert.deepEqual(v.options, []);
		assert.equal(v.weight_grams, 0);
		assert.equal(v.track_stock, true, 'tracked by default');
		assert.equal(v.allow_backorder, false, 'no backorder by default');
		assert.deepEqual(v.stock, { on_hand: 0, reserved: 0, available: 0, low_threshold: 5 });

		/* The Location answers with the same product and ETag. */
		const g = await s.request('GET', r.headers.location, { token });
		assert.equal(g.status, 200, g.text);
		assert.equal(g.headers.etag, '"v1"');
		assert.deepEqual(g.json, p);
		/* No status: a draft. */
		const d = await create({ title: `Draft ${tag()}`, variants: [{ sku: `MIN-${tag()}` }] });
		assert.equal(d.json.status, 'draft');
	});

	it('create: every field round-trips in the staff view', async () => {
		const sku = `FULL-${tag()}`;
		const body = {
			title: 'Full Linen Shirt',
			slug: `full-linen-shirt-${tag().toLowerCase()}`,
			status: 'active',
			description: '<p>Soft <strong>linen</strong></p>',
			vendor: 'Acme', product_type: 'Shirt',
			seo_title: 'Buy linen', seo_description: 'A linen shirt',
			tags: ['summer', 'linen'],
			options: [{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Blue'] }],
			images: [{ url: 'https://cdn.example/a.jpg', alt: 'Front' }, { url: '/static/b.jpg', alt: '' }],
			categories: [catA, catB],
			primary_category: catA,
			variants: [
				{ sku: `${sku}-S`, barcode: '4006381333931', options: ['S', 'Blue'], weight_grams: 210,
					on_hand: 7 },
				{ sku: `${sku}-M`, options: ['M', 'Blue'], weight_grams: 220, track_stock: false },
				{ sku: `${sku}-L.x_1/2`, options: ['M', 'Blue'], allow_backorder: true },
			],
		};
		const r = await create(body);
		const p = r.json;
		for (const k of ['title', 'slug', 'status', 'description', 'vendor', 'product_type', 'seo_title',
		    'seo_description', 'tags', 'options', 'images', 'primary_category'])
			assert.deepEqual(p[k], body[k], k);
		assert.deepEqual(p.categories, [catA, catB].sort());
		assert.deepEqual(p.variants.map((v) => v.sku), body.variants.map((v) => v.sku), 'variants keep their order');
		assert.deepEqual(p.variants.map((v) => v.options), body.variants.map((v) => v.options));
		assert.equal(p.variants[0].barcode, '4006381333931');
		assert.deepEqual(p.variants.map((v) => v.weight_grams), [210, 220, 0]);
		assert.deepEqual(p.variants.map((v) => v.track_stock), [true, false, true]);
		assert.deepEqual(p.variants.map((v) => v.allow_backorder), [false, false, true]);
		assert.deepEqual(p.variants[0].stock, { on_hand: 7, reserved: 0, available: 7, low_threshold: 5 });
		assert.equal(new Set(p.variants.map((v) => v.id)).size, 3);

		/* The same title again gets a new slug of its own. */
		const t = `Twin Title ${tag()}`;
		const one = await create({ title: t, variants: [{ sku: `TW1-${tag()}` }] });
		const two = await create({ title: t, variants: [{ sku: `TW2-${tag()}` }] });
		assert.notEqual(one.json.slug, two.json.slug);
		assert.equal(two.json.slug, `${one.json.slug}-2`);
		assert.match(two.json.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/);
		/* A title without a letter or digit still gets a valid slug. */
		const odd = await create({ title: '!!! 🙂 ???', variants: [{ sku: `ODD-${tag()}` }] });
		assert.match(odd.json.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/);
	});

	it('create: each bad field is a 422 naming it, and nothing is written', async () => {
		const listAll = async () => {
			const ids = [];
			let url = `${P}?limit=100`;
			for (;;) {
				const r = await s.request('GET', url, { token });
				assert.equal(r.status, 200, r.text);
				ids.push(...r.json.data.map((p) => p.id));
				if (r.json.next === null)
					return ids;
				url = `${P}?limit=100&after=${r.json.next}`;
			}
		};
		const before = await listAll();
		const ok = () => ({ title: 'Valid', variants: [{ sku: `V-${tag()}` }] });
		const v0 = (extra) => ({ title: 'Valid', variants: [{ sku: `V-${tag()}`, ...extra }] });
		const cases = [
			['missing title', { variants: [{ sku: `V-${tag()}` }] }, 'title'],
			['empty title', { ...ok(), title: '' }, 'title'],
			['title too long', { ...ok(), title: 'x'.repeat(201) }, 'title'],
			['title a number', { ...ok(), title: 5 }, 'title'],
			['missing variants', { title: 'Valid' }, 'variants'],
			['empty variants', { ...ok(), variants: [] }, 'variants'],
			['variants not an array', { ...ok(), variants: { sku: 'X' } }, 'variants'],
			['variant not an object', { ...ok(), variants: [5] }, 'variants[0]'],
			['missing sku', { ...ok(), variants: [{}] }, 'variants[0].sku'],
			['sku with a space', { ...ok(), variants: [{ sku: 'A B' }] }, 'variants[0].sku'],
			['sku with @', { ...ok(), variants: [{ sku: 'OK-1' }, { sku: 'B@D' }] }, 'variants[1].sku'],
			['sku with a semicolon', { ...ok(), variants: [{ sku: 'A;B' }] }, 'variants[0].sku'],
			['sku not ASCII', { ...ok(), variants: [{ sku: 'ÄPFEL' }] }, 'variants[0].sku'],
			['sku too long', { ...ok(), variants: [{ sku: 'X'.repeat(65) }] }, 'variants[0].sku'],
			['sku a number', { ...ok(), variants: [{ sku: 12345 }] }, 'variants[0].sku'],
			['bad status', { ...ok(), status: 'published' }, 'status'],
			['status a number', { ...ok(), status: 1 }, 'status'],
			['bad slug', { ...ok(), slug: 'Bad Slug' }, 'slug'],
			['slug with a double dash', { ...ok(), slug: 'a--b' }, 'slug'],
			['description a number', { ...ok(), description: 5 }, 'description'],
			['description too long', { ...ok(), description: 'x'.repeat(20001) }, 'description'],
			['vendor an object', { ...ok(), vendor: {} }, 'vendor'],
			['seo_description too long', { ...ok(), seo_description: 'x'.repeat(501) }, 'seo_description'],
			['tags a string', { ...ok(), tags: 'summer' }, 'tags'],
			['tags with a number', { ...ok(), tags: ['a', 1] }, 'tags'],
			['51 tags', { ...ok(), tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
			['unknown category', { ...ok(), categories: ['cat_01ZZZZZZZZZZZZZZZZZZZZZZZZ'] }, 'categories[0]'],
			['unknown second category', { ...ok(), categories: [catA, 'cat_nope'] }, 'categories[1]'],
			['categories a string', { ...ok(), categories: catA }, 'categories'],
			['unknown primary_category', { ...ok(), primary_category: 'cat_nope' }, 'primary_category'],
			['image url javascript:', { ...ok(), images: [{ url: 'javascript:alert(1)' }] }, 'images[0].url'],
			['image url JavaScript: in caps', { ...ok(), images: [{ url: 'JavaScript:alert(1)' }] },
				'images[0].url'],
			['image url data:', { ...ok(), images: [{ url: 'data:image/png;base64,AAAA' }] }, 'images[0].url'],
			['image without url', { ...ok(), images: [{ url: 'https://x.example/a.png' }, { alt: 'x' }] },
				'images[1].url'],
			['images not an array', { ...ok(), images: 'https://x.example/a.png' }, 'images'],
			['image alt a number', { ...ok(), images: [{ url: '/a.png', alt: 5 }] }, 'images[0].alt'],
			['weight a string', v0({ weight_grams: '200' }), 'variants[0].weight_grams'],
			['weight negative', v0({ weight_grams: -1 }), 'variants[0].weight_grams'],
			['weight a fraction', v0({ weight_grams: 1.5 }), 'variants[0].weight_grams'],
			['weight too big', v0({ weight_grams: 10000001 }), 'variants[0].weight_grams'],
			['on_hand negative', v0({ on_hand: -1 }), 'variants[0].on_hand'],
			['on_hand a string', v0({ on_hand: '5' }), 'variants[0].on_hand'],
			['on_hand too big', v0({ on_hand: 1000000001 }), 'variants[0].on_hand'],
			['track_stock a string', v0({ track_stock: 'yes' }), 'variants[0].track_stock'],
			['allow_backorder a number', v0({ allow_backorder: 1 }), 'variants[0].allow_backorder'],
			['barcode a number', v0({ barcode: 4006381333931 }), 'variants[0].barcode'],
			['barcode too long', v0({ barcode: '1'.repeat(65) }), 'variants[0].barcode'],
			['variant options missing', { ...ok(), options: [{ name: 'Size', values: ['S'] }] },
				'variants[0].options'],
			['variant options too many', { ...ok(), options: [{ name: 'Size', values: ['S'] }],
				variants: [{ sku: `V-${tag()}`, options: ['S', 'M'] }] }, 'variants[0].options'],
			['options not an array', { ...ok(), options: 'Size' }, 'options'],
			['4 options', { ...ok(), options: ['A', 'B', 'C', 'D'].map((n) => ({ name: n, values: ['x'] })) },
				'options'],
			['101 variants', { title: 'Valid', variants: Array.from({ length: 101 },
				(_, i) => ({ sku: `MANY-${i}` })) }, 'variants'],
		];
		for (const [what, body, field] of cases) {
			const r = await s.request('POST', P, { token, body });
			const fields = fieldsOf(r);
			assert.ok(fields.includes(field), `${what}: errors name ${field}, got ${JSON.stringify(fields)}`);
		}
		/* Several at once: each is named. */
		const many = await s.request('POST', P, {
			token, body: { title: '', status: 'x', variants: [{ sku: 'a b' }, { sku: 'ok', weight_grams: -5 }] },
		});
		const fields = fieldsOf(many);
		for (const f of ['title', 'status', 'variants[0].sku', 'variants[1].weight_grams'])
			assert.ok(fields.includes(f), `${f} in ${JSON.stringify(fields)}`);
		assert.deepEqual(await listAll(), before, 'no product was created');
		const st = await s.request('GET', `${STOCK}/MANY-0`, { token });
		assertProblem(st, 404);
	});

	it('create: 100 variants is the most', async () => {
		const t = tag();
		const r = await create({ title: `Hundred ${t}`, variants: Array.from({ length: 100 },
		    (_, i) => ({ sku: `H${t}-${i}` })) });
		assert.equal(r.json.variants.length, 100);
	});

	it('create: a taken SKU is 409 sku-taken naming it; a taken slug is 409', async () => {
		const sku = `TAKEN-${tag()}`;
		const slug = `taken-slug-${tag().toLowerCase()}`;
		await create({ title: 'Owner', slug, variants: [{ sku, on_hand: 3 }] });

		const r = await s.request('POST', P, { token, body: { title: 'Other', variants: [{ sku }] } });
		const p = assertProblem(r, 409, 'sku-taken');
		assert.equal(p.sku, sku);
		/* The second of two variants: still named, nothing written. */
		const other = `OTHER-${tag()}`;
		const r2 = await s.request('POST', P, {
			token, body: { title: 'Other two', variants: [{ sku: other }, { sku }] },
		});
		assert.equal(assertProblem(r2, 409, 'sku-taken').sku, sku);
		assertProblem(await s.request('GET', `${STOCK}/${other}`, { token }), 404);
		/* The same SKU twice in one body: a 422 on the repeat. */
		const twice = `TWICE-${tag()}`;
		const r3 = await s.request('POST', P, {
			token, body: { title: 'Twice', variants: [{ sku: twice }, { sku: `${twice}-B` }, { sku: twice }] },
		});
		assert.deepEqual(fieldsOf(r3), ['variants[2].sku']);
		assertProblem(await s.request('GET', `${STOCK}/${twice}`, { token }), 404);
		/* The owner's stock is untouched. */
		assert.equal((await stockOf(sku)).on_hand, 3);

		const r4 = await s.request('POST', P, {
			token, body: { title: 'Slug clash', slug, variants: [{ sku: `SL-${tag()}` }] },
		});
		assert.equal(assertProblem(r4, 409, 'slug-taken').slug, slug, 'slug-taken names the slug');
	});

	it('a malformed body is 400, a body that is not JSON 415', async () => {
		assertProblem(await s.request('POST', P, { token, body: '{"title":', headers: { 'content-type': 'application/json' } }), 400);
		assertProblem(await s.request('POST', P, { token, body: [{ title: 'x' }] }), 400);
		assertProblem(await s.request('POST', P, { token, body: 'title=x', headers: { 'content-type': 'text/plain' } }), 415);
		/* No body at all: the title is missing. */
		assert.ok(fieldsOf(await s.request('POST', P, { token })).includes('title'));
	});

	it('description HTML is sanitized', async () => {
		const description = '<p onclick="steal()">Hello <script>alert("xss")</script>world</p>' +
		    '<SCRIPT type="text/javascript">document.cookie</SCRIPT>' +
		    '<a href="javascript:alert(1)">bad link</a> ' +
		    '<a href="JavaScript:alert(2)" onmouseover="x()">bad two</a> ' +
		    '<a href="https://example.com/page" target="_blank" onclick="y()">good link</a> ' +
		    '<a href="/local/page">local</a>' +
		    '<img src="x" onerror="alert(3)"><iframe src="https://evil.example">framed</iframe>' +
		    '<style>body{display:none}</style><ul><li><em>kept</em></li></ul>';
		const r = await create({ title: 'Sanitized', variants: [{ sku: `SAN-${tag()}` }], description });
		const d = r.json.description;
		assert.doesNotMatch(d, /<script/i, 'no script tag');
		assert.doesNotMatch(d, /alert\("xss"\)|document\.cookie/, 'script content removed too');
		assert.doesNotMatch(d, /onclick|onmouseover|onerror/i, 'no event handler attributes');
		assert.doesNotMatch(d, /javascript:/i, 'no javascript: URL');
		assert.doesNotMatch(d, /<img|<iframe|<style|display:none/i, 'dropped tags (style with content)');
		assert.match(d, /<p>Hello world<\/p>/, 'paragraph kept without its attribute');
		assert.match(d, /<a>bad link<\/a>/, 'the link text stays, the bad href goes');
		assert.match(d, /<a href="https:\/\/example\.com\/page" rel="nofollow[^"]*">good link<\/a>/,
		    'https href kept with rel nofollow');
		assert.doesNotMatch(d, /target=/);
		assert.match(d, /<a href="\/local\/page" rel="nofollow[^"]*">local<\/a>/, 'relative href kept');
		assert.match(d, /framed/, 'text of a dropped tag is kept');
		assert.match(d, /<ul><li><em>kept<\/em><\/li><\/ul>/);
		/* The public sees the same sanitized text. */
		await s.request('PATCH', `${P}/${r.json.id}`, { token, headers: { 'if-match': '"v1"' }, body: { status: 'active' } });
		const g = await s.request('GET', `${P}/${r.json.id}`);
		assert.equal(g.status, 200);
		assert.equal(g.json.description, d);
	});

	it('description: sanitizing what was already sanitized changes nothing (an edit round trip)', async () => {
		const d0 = '<p>Fish &amp; chips &lt;3 "quoted" <a href="https://ok.example/?a=1&b=2">q</a></p>';
		const r = await create({ title: 'Round trip', variants: [{ sku: `RT-${tag()}` }], description: d0 });
		const d1 = r.json.description;
		assert.match(d1, /href="https:\/\/ok\.example\/\?a=1&amp;b=2"/, 'the & in the href is escaped once');
		assert.match(d1, /Fish &amp; chips &lt;3/);
		let d = d1;
		for (let v = 1; v <= 2; v++) {
			const p = await s.request('PATCH', `${P}/${r.json.id}`, { token, headers: { 'if-match': `"v${v}"` },
				body: { description: d } });
			assert.equal(p.status, 200, p.text);
			assert.equal(p.json.description, d1, `save ${v} of the unchanged description keeps it as it was`);
			d = p.json.description;
		}
	});

	it('images: http(s) and paths are accepted', async () => {
		const images = [{ url: 'https://cdn.example/a.jpg', alt: 'A' }, { url: 'http://cdn.example/b.jpg' },
			{ url: '/static/c.svg', alt: 'C' }];
		const r = await create({ title: 'Pictured', variants: [{ sku: `IMG-${tag()}` }], images });
		assert.deepEqual(r.json.images.map((i) => i.url), images.map((i) => i.url));
		assert.equal(r.json.images[0].alt, 'A');
	});

	it('staff endpoints: 401 without a token, 403 with a customer token', async () => {
		const sku = `AUTH-${tag()}`;
		const r = await create({ title: 'Guarded', status: 'active', variants: [{ sku, on_hand: 5 }] });
		const id = r.json.id;
		const calls = [
			['POST', P, { title: 'x', variants: [{ sku: `AX-${tag()}` }] }],
			['PATCH', `${P}/${id}`, { title: 'hacked' }],
			['DELETE', `${P}/${id}`, undefined],
			['POST', C, { name: 'Hacked' }],
			['GET', `${STOCK}/${sku}`, undefined],
			['POST', `${STOCK}/${sku}/adjust`, { expected: 5, on_hand: 0, reason: 'adjustment' }],
		];
		for (const [method, path, body] of calls) {
			const headers = method === 'PATCH' ? { 'if-match': '"v1"' } : {};
			const u = await s.request(method, path, { body, headers });
			assertProblem(u, 401, 'unauthorized');
			assert.match(u.headers['www-authenticate'] ?? '', /^Bearer/);
			assertProblem(await s.request(method, path, { body, headers, token: customer }), 403, 'forbidden');
			assertProblem(await s.request(method, path, { body, headers, token: 'not.a.token' }), 401);
		}
		/* Nothing changed. */
		const g = await s.request('GET', `${P}/${id}`, { token });
		assert.equal(g.json.title, 'Guarded');
		assert.equal(g.json.version, 1);
		assert.equal((await stockOf(sku)).on_hand, 5);
	});

	it('the public and customers see active products only', async () => {
		const t = tag();
		const active = await create({ title: `Visible ${t}`, status: 'active', variants: [{ sku: `VIS-${t}` }] });
		const draft = await create({ title: `Hidden ${t}`, status: 'draft', variants: [{ sku: `HID-${t}` }] });
		const archived = await create({ title: `Old ${t}`, status: 'archived', variants: [{ sku: `OLD-${t}` }] });

		for (const who of [undefined, customer]) {
			const a = await s.request('GET', `${P}/${active.json.id}`, { token: who });
			assert.equal(a.status, 200, a.text);
			for (const hidden of [draft, archived])
				assertProblem(await s.request('GET', `${P}/${hidden.json.id}`, { token: who }), 404, 'not-found');
		}
		for (const p of [active, draft, archived]) {
			const g = await s.request('GET', `${P}/${p.json.id}`, { token });
			assert.equal(g.status, 200, 'staff see every status');
			assert.equal(g.json.status, p.json.status);
		}
		assertProblem(await s.request('GET', `${P}/prod_01ZZZZZZZZZZZZZZZZZZZZZZZZ`, { token }), 404);

		const all = async (who, query = '') => {
			const out = [];
			let url = `${P}?limit=100${query}`;
			for (let i = 0; i < 50; i++) {
				const r = await s.request('GET', url, { token: who });
				assert.equal(r.status, 200, r.text);
				out.push(...r.json.data);
				if (r.json.next === null)
					return out;
				url = `${P}?limit=100${query}&after=${r.json.next}`;
			}
			throw new Error('the list never ends');
		};
		for (const who of [undefined, customer]) {
			const list = await all(who);
			assert.ok(list.length > 0);
			assert.ok(list.every((p) => p.status === 'active'), 'public list: active only');
			const ids = list.map((p) => p.id);
			assert.ok(ids.includes(active.json.id));
			assert.ok(!ids.includes(draft.json.id) && !ids.includes(archived.json.id));
			assert.ok(list.every((p) => !('version' in p)), 'no version in the public list');
			/* The status filter is staff-only. */
			for (const st of ['draft', 'active', 'archived']) {
				const r = await s.request('GET', `${P}?status=${st}`, { token: who });
				const prob = assertProblem(r, 400);
				assert.ok(prob.errors.some((e) => e.field === 'status'), r.text);
			}
		}
		const staffAll = await all(token);
		const staffIds = staffAll.map((p) => p.id);
		for (const p of [active, draft, archived])
			assert.ok(staffIds.includes(p.json.id), 'staff list has every status');
		for (const st of ['draft', 'active', 'archived']) {
			const list = await all(token, `&status=${st}`);
			assert.ok(list.length > 0 && list.every((p) => p.status === st), `status=${st}`);
		}
		const bad = await s.request('GET', `${P}?status=bogus`, { token });
		assert.ok(assertProblem(bad, 400).errors.some((e) => e.field === 'status'));
	});

	it('the public view: variants[].in_stock, no stock figures, no version', async () => {
		const t = tag();
		const r = await create({
			title: `Stocky ${t}`, status: 'active', seo_title: 'SEO kept',
			variants: [
				{ sku: `ST-${t}-IN`, on_hand: 3 },
				{ sku: `ST-${t}-OUT`, on_hand: 0 },
				{ sku: `ST-${t}-UNTR`, on_hand: 0, track_stock: false },
				{ sku: `ST-${t}-BO`, on_hand: 0, allow_backorder: true },
			],
		});
		for (const who of [undefined, customer]) {
			const g = await s.request('GET', `${P}/${r.json.id}`, { token: who });
			assert.equal(g.status, 200);
			assert.ok(!('version' in g.json), 'no version');
			assert.equal(g.json.seo_title, 'SEO kept', 'seo fields kept');
			assert.deepEqual(g.json.variants.map((v) => v.in_stock), [true, false, true, true]);
			for (const v of g.json.variants) {
				assert.ok(!('stock' in v), 'no stock object');
				for (const k of ['on_hand', 'reserved', 'available', 'low_threshold'])
					assert.ok(!(k in v), `no ${k}`);
			}
			const { variants, ...rest } = g.json;
			const { variants: sv, version, ...staffRest } = r.json;
			assert.deepEqual(rest, staffRest, 'otherwise the same as the staff view');
			assert.deepEqual(variants.map(({ in_stock, ...v }) => v), sv.map(({ stock, ...v }) => v));
		}
		/* Staff see figures instead. */
		const g = await s.request('GET', `${P}/${r.json.id}`, { token });
		assert.ok(g.json.variants.every((v) => !('in_stock' in v) && typeof v.stock.on_hand === 'number'));
		/* Selling out flips in_stock. */
		const a = await adjust(`ST-${t}-IN`, { expected: 3, on_hand: 0, reason: 'adjustment' });
		assert.equal(a.status, 200, a.text);
		const g2 = await s.request('GET', `${P}/${r.json.id}`);
		assert.deepEqual(g2.json.variants.map((v) => v.in_stock), [false, false, true, true]);
	});

	it('list: limit and next visit every product once; bad paging is 400', async () => {
		const full = [];
		let url = `${P}?limit=100`;
		for (;;) {
			const r = await s.request('GET', url, { token });
			full.push(...r.json.data.map((p) => p.id));
			if (r.json.next === null)
				break;
			url = `${P}?limit=100&after=${r.json.next}`;
		}
		assert.ok(full.length >= 5);
		const paged = [];
		url = `${P}?limit=2`;
		for (let i = 0; i <= full.length; i++) {
			const r = await s.request('GET', url, { token });
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.data.length <= 2);
			paged.push(...r.json.data.map((p) => p.id));
			if (r.json.next === null)
				break;
			assert.equal(typeof r.json.next, 'string');
			url = `${P}?limit=2&after=${r.json.next}`;
		}
		assert.deepEqual(paged, full, 'every product once, in the same order');
		const def = await s.request('GET', P, { token });
		assert.equal(def.json.data.length, Math.min(20, full.length), 'default limit 20');
		for (const q of ['limit=0', 'limit=101', 'limit=x', 'after=abc', 'after=-3']) {
			const r = await s.request('GET', `${P}?${q}`);
			const p = assertProblem(r, 400);
			assert.ok(Array.isArray(p.errors) && p.errors.length > 0, `${q}: ${r.text}`);
			assert.ok(p.errors.some((e) => e.field === q.split('=')[0]), `${q} names its field: ${r.text}`);
		}
	});

	it('PATCH: 428 without If-Match, 412 when stale (unchanged), 200 and a new ETag when current', async () => {
		const r = await create({ title: 'Patchable', status: 'active', variants: [{ sku: `PA-${tag()}` }] });
		const id = r.json.id;
		const url = `${P}/${id}`;
		assertProblem(await s.request('PATCH', url, { token, body: { title: 'No match' } }), 428);
		for (const etag of ['"v2"', '"v0"', 'v1', '"1"', 'W/"v1"']) {
			const x = await s.request('PATCH', url, { token, headers: { 'if-match': etag }, body: { title: 'Stale' } });
			assertProblem(x, 412);
		}
		let g = await s.request('GET', url, { token });
		assert.equal(g.json.title, 'Patchable', 'unchanged');
		assert.equal(g.json.version, 1);
		assert.equal(g.headers.etag, '"v1"');

		const ok = await s.request('PATCH', url, {
			token, headers: { 'if-match': '"v1"' },
			body: { title: 'Patched', tags: ['new'], vendor: 'Acme', categories: [catB], primary_category: catB,
				description: '<p>Now <b>bold</b><script>x()</script></p>', images: [{ url: '/i.png', alt: 'i' }] },
		});
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.headers.etag, '"v2"');
		assert.equal(ok.json.version, 2);
		assert.equal(ok.json.title, 'Patched');
		assert.deepEqual(ok.json.tags, ['new']);
		assert.equal(ok.json.vendor, 'Acme');
		assert.deepEqual(ok.json.categories, [catB]);
		assert.equal(ok.json.primary_category, catB);
		assert.equal(ok.json.description, '<p>Now <b>bold</b></p>');
		assert.deepEqual(ok.json.images, [{ url: '/i.png', alt: 'i' }]);
		assert.equal(ok.json.slug, r.json.slug, 'fields not sent stay');
		assert.equal(ok.json.created_at, r.json.created_at);
		assert.ok(Date.parse(ok.json.updated_at) >= Date.parse(r.json.updated_at));
		g = await s.request('GET', url, { token });
		assert.equal(g.headers.etag, '"v2"');
		assert.deepEqual(g.json, ok.json);
		/* The old ETag is stale now. */
		assertProblem(await s.request('PATCH', url, { token, headers: { 'if-match': '"v1"' }, body: { title: 'x' } }), 412);
		const ok3 = await s.request('PATCH', url, { token, headers: { 'if-match': '"v2"' }, body: { status: 'draft' } });
		assert.equal(ok3.status, 200, ok3.text);
		assert.equal(ok3.headers.etag, '"v3"');
		assertProblem(await s.request('GET', url), 404, 'not-found');
	});

	it('PATCH: validation, taken slug, unknown product', async () => {
		const one = await create({ title: 'Patch one', variants: [{ sku: `PV-${tag()}` }] });
		const two = await create({ title: 'Patch two', variants: [{ sku: `PV-${tag()}` }] });
		const url = `${P}/${two.json.id}`;
		const h = { 'if-match': '"v1"' };
		const cases = [
			[{ title: '' }, 'title'],
			[{ title: 7 }, 'title'],
			[{ status: 'gone' }, 'status'],
			[{ slug: 'Not A Slug' }, 'slug'],
			[{ categories: ['cat_nope'] }, 'categories[0]'],
			[{ primary_category: 'cat_nope' }, 'primary_category'],
			[{ images: [{ url: 'javascript:alert(1)' }] }, 'images[0].url'],
			[{ tags: [1] }, 'tags'],
			[{ variants: [{ sku: 'X' }] }, 'variants'],
			[{ options: [] }, 'options'],
		];
		for (const [body, field] of cases) {
			const r = await s.request('PATCH', url, { token, headers: h, body });
			assert.ok(fieldsOf(r).includes(field), `${JSON.stringify(body)} names ${field}: ${r.text}`);
		}
		const taken = await s.request('PATCH', url, { token, headers: h, body: { slug: one.json.slug } });
		assertProblem(taken, 409, 'slug-taken');
		const g = await s.request('GET', url, { token });
		assert.equal(g.json.version, 1, 'no failed PATCH changed the product');
		assert.equal(g.json.slug, two.json.slug);
		assert.equal(g.json.title, 'Patch two');
		assertProblem(await s.request('PATCH', `${P}/prod_01ZZZZZZZZZZZZZZZZZZZZZZZZ`,
		    { token, headers: h, body: { title: 'x' } }), 404);
	});

	it('PATCH: two at once with the same If-Match: exactly one 200, one 412', async () => {
		for (let round = 0; round < 6; round++) {
			const r = await create({ title: `Race ${round}`, variants: [{ sku: `RACE-${tag()}` }] });
			const url = `${P}/${r.json.id}`;
			const both = await Promise.all(['A', 'B'].map((who) => s.request('PATCH', url, {
				token, fresh: true, headers: { 'if-match': '"v1"' }, body: { title: `Winner ${who}` },
			})));
			const codes = both.map((x) => x.status).sort();
			assert.deepEqual(codes, [200, 412], `round ${round}: ${both.map((x) => x.text).join(' | ')}`);
			const win = both.find((x) => x.status === 200);
			assertProblem(both.find((x) => x.status === 412), 412);
			const g = await s.request('GET', url, { token });
			assert.equal(g.json.version, 2);
			assert.equal(g.json.title, win.json.title, 'the winner\'s edit is what stays');
		}
	});

	it('DELETE: 204, then 404 everywhere; the SKU is free again; catalog.product.deleted', async () => {
		const t = tag();
		const skus = [`DEL-${t}-A`, `DEL-${t}-B`];
		const r = await create({ title: `Doomed ${t}`, status: 'active', variants: skus.map((sku) => ({ sku, on_hand: 4 })) });
		const id = r.json.id;
		const d = await s.request('DELETE', `${P}/${id}`, { token });
		assert.equal(d.status, 204, d.text);
		assert.equal(d.body.length, 0);
		assertProblem(await s.request('GET', `${P}/${id}`, { token }), 404);
		assertProblem(await s.request('GET', `${P}/${id}`), 404);
		for (const sku of skus)
			assertProblem(await s.request('GET', `${STOCK}/${sku}`, { token }), 404);
		const list = await s.request('GET', `${P}?limit=100`, { token });
		assert.ok(!list.json.data.some((p) => p.id === id));
		assertProblem(await s.request('DELETE', `${P}/${id}`, { token }), 404, 'not-found');
		assertProblem(await s.request('PATCH', `${P}/${id}`, { token, headers: { 'if-match': '"v1"' }, body: { title: 'x' } }), 404);

		const evs = await feed(s, token, 'catalog');
		const del = evs.filter((e) => e.type === 'catalog.product.deleted' && e.payload.product_id === id);
		assert.equal(del.length, 1);
		assert.equal(del[0].version, 1);
		assert.equal(del[0].aggregate_id, id);
		assert.deepEqual(del[0].payload, { product_id: id, skus });

		/* The SKUs and the slug can be used again. */
		const again = await create({ title: `Doomed ${t}`, variants: [{ sku: skus[0] }] });
		assert.equal(again.json.slug, r.json.slug);
		assert.deepEqual(await stockOf(skus[0]).then((x) => [x.on_hand, x.movements.length]), [0, 0],
		    'a fresh ledger for the reused SKU');
	});

	it('categories: create, list, validation, taken slug, access', async () => {
		const t = tag().toLowerCase();
		const parent = await s.request('POST', C, { token, body: { name: `Clothing ${t}`, slug: `clothing-${t}`, position: 2 } });
		assert.equal(parent.status, 201, parent.text);
		assert.match(parent.json.id, CAT_ID);
		assert.deepEqual({ ...parent.json, id: 'x' },
		    { id: 'x', name: `Clothing ${t}`, slug: `clothing-${t}`, parent_id: null, position: 2 });
		const c2 = await s.request('POST', C, { token, body: { name: `Knitwear ${t}`, parent_id: parent.json.id, position: 1 } });
		assert.equal(c2.status, 201, c2.text);
		assert.equal(c2.json.parent_id, parent.json.id);
		assert.equal(c2.json.slug, `knitwear-${t}`, 'slug made from the name');
		const c1 = await s.request('POST', C, { token, body: { name: `Coats ${t}`, parent_id: parent.json.id } });
		assert.equal(c1.json.position, 0);

		for (const who of [undefined, customer, token]) {
			const l = await s.request('GET', C, { token: who });
			assert.equal(l.status, 200, l.text);
			assert.equal(l.json.next, null);
			const ids = l.json.data.map((c) => c.id);
			for (const c of [parent, c1, c2, { json: { id: catA } }])
				assert.ok(ids.includes(c.json.id));
			const kids = l.json.data.filter((c) => c.parent_id === parent.json.id).map((c) => c.id);
			assert.deepEqual(kids, [c1.json.id, c2.json.id], 'children ordered by position');
			const roots = l.json.data.filter((c) => c.parent_id === null);
			assert.ok(l.json.data.indexOf(roots.at(-1)) < l.json.data.findIndex((c) => c.parent_id !== null),
			    'top-level categories first');
			assert.deepEqual(roots.map((c) => c.position), roots.map((c) => c.position).sort((a, b) => a - b));
		}

		const cases = [
			[{}, 'name'],
			[{ name: '' }, 'name'],
			[{ name: 5 }, 'name'],
			[{ name: 'x'.repeat(101) }, 'name'],
			[{ name: 'Ok', slug: 'Bad Slug' }, 'slug'],
			[{ name: 'Ok', parent_id: 'cat_nope' }, 'parent_id'],
			[{ name: 'Ok', position: -1 }, 'position'],
			[{ name: 'Ok', position: 'first' }, 'position'],
		];
		for (const [body, field] of cases)
			assert.ok(fieldsOf(await s.request('POST', C, { token, body })).includes(field), JSON.stringify(body));
		assertProblem(await s.request('POST', C, { token, body: { name: 'Again', slug: `clothing-${t}` } }), 409, 'slug-taken');
		/* The same name twice still gets a slug of its own. */
		const same = await s.request('POST', C, { token, body: { name: `Clothing ${t}` } });
		assert.equal(same.status, 201, same.text);
		assert.notEqual(same.json.slug, parent.json.slug);
	});

	it('stock: figures and ledger, adjust with compare-and-swap, errors', async () => {
		const sku = `STK-${tag()}`;
		await create({ title: 'Stocked', variants: [{ sku, on_hand: 12 }] });
		let st = await stockOf(sku);
		assert.deepEqual({ ...st, movements: undefined },
		    { sku, on_hand: 12, reserved: 0, available: 12, low_threshold: 5, movements: undefined });
		assert.equal(st.movements.length, 1);
		const m0 = st.movements[0];
		assert.equal(m0.reason, 'adjustment', 'initial stock is an adjustment');
		assert.deepEqual([m0.on_hand_delta, m0.reserved_delta, m0.on_hand_after, m0.reserved_after], [12, 0, 12, 0]);
		assert.equal(typeof m0.reference, 'string');
		assert.equal(typeof m0.note, 'string');
		assert.match(m0.at, RFC3339);
		assertLedger(st);

		const a = await adjust(sku, { expected: 12, on_hand: 20, reason: 'import', note: 'delivery 42' });
		assert.equal(a.status, 200, a.text);
		assert.deepEqual(a.json, { sku, on_hand: 20, reserved: 0, available: 20 });
		st = await stockOf(sku);
		assert.equal(st.movements.length, 2);
		assert.equal(st.movements[0].reason, 'import');
		assert.equal(st.movements[0].note, 'delivery 42');
		assert.equal(st.movements[0].on_hand_delta, 8);
		assert.equal(st.movements[0].on_hand_after, 20);
		assert.notEqual(st.movements[0].reference, '', 'the staff member is the reference');
		assertLedger(st);

		const stale = await adjust(sku, { expected: 12, on_hand: 1, reason: 'adjustment' });
		const p = assertProblem(stale, 409, 'stale-stock');
		assert.equal(p.current_on_hand, 20);
		assert.equal((await stockOf(sku)).on_hand, 20, 'unchanged after a stale adjust');

		const ret = await adjust(sku, { expected: 20, on_hand: 21, reason: 'return' });
		assert.equal(ret.status, 200, ret.text);
		const down = await adjust(sku, { expected: 21, on_hand: 0, reason: 'adjustment' });
		assert.equal(down.status, 200, down.text);
		assert.deepEqual(down.json, { sku, on_hand: 0, reserved: 0, available: 0 });
		st = await stockOf(sku);
		assert.deepEqual(st.movements.map((m) => m.reason), ['adjustment', 'return', 'import', 'adjustment'],
		    'newest first');
		assertLedger(st);

		const bad = [
			[{ expected: 0, on_hand: 1, reason: 'theft' }, 'reason'],
			[{ expected: 0, on_hand: 1, reason: 'sale' }, 'reason'],
			[{ expected: 0, on_hand: 1, reason: 'reservation' }, 'reason'],
			[{ expected: 0, on_hand: 1 }, 'reason'],
			[{ on_hand: 1, reason: 'adjustment' }, 'expected'],
			[{ expected: '0', on_hand: 1, reason: 'adjustment' }, 'expected'],
			[{ expected: 0, reason: 'adjustment' }, 'on_hand'],
			[{ expected: 0, on_hand: -1, reason: 'adjustment' }, 'on_hand'],
			[{ expected: 0, on_hand: 1.5, reason: 'adjustment' }, 'on_hand'],
			[{ expected: 0, on_hand: 1000000001, reason: 'adjustment' }, 'on_hand'],
			[{ expected: 0, on_hand: 1, reason: 'adjustment', note: 5 }, 'note'],
		];
		for (const [body, field] of bad)
			assert.ok(fieldsOf(await adjust(sku, body)).includes(field), `${JSON.stringify(body)} names ${field}`);
		st = await stockOf(sku);
		assert.equal(st.movements.length, 4, 'refused adjustments leave no ledger row');

		assertProblem(await s.request('GET', `${STOCK}/NO-SUCH-${tag()}`, { token }), 404, 'not-found');
		assertProblem(await adjust(`NO-SUCH-${tag()}`, { expected: 0, on_hand: 1, reason: 'adjustment' }), 404, 'not-found');
	});

	it('stock: two adjusts with the same expected at once: one 200, one 409 stale-stock', async () => {
		for (let round = 0; round < 5; round++) {
			const sku = `CAS-${tag()}`;
			await create({ title: 'Contended', variants: [{ sku, on_hand: 10 }] });
			const both = await Promise.all([7, 13].map((n) => s.request('POST',
			    `${STOCK}/${sku}/adjust`, { token, fresh: true, body: { expected: 10, on_hand: n, reason: 'adjustment' } })));
			assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => r.text).join(' | '));
			const win = both.find((r) => r.status === 200);
			const lose = assertProblem(both.find((r) => r.status === 409), 409, 'stale-stock');
			assert.equal(lose.current_on_hand, win.json.on_hand, 'the loser is told the winner\'s figure');
			const st = await stockOf(sku);
			assert.equal(st.on_hand, win.json.on_hand);
			assert.equal(st.movements.length, 2, 'one ledger row for the one adjust');
			assertLedger(st);
		}
	});

	it('categories: generated slugs are unique among categories only', async () => {
		const name = `Same ${tag()}`;
		const base = name.toLowerCase().replace(' ', '-');
		const made = [];
		for (let i = 0; i < 3; i++) {
			const r = await s.request('POST', C, { token, body: { name } });
			assert.equal(r.status, 201, r.text);
			made.push(r.json.slug);
		}
		assert.deepEqual(made, [base, `${base}-2`, `${base}-3`]);
		const taken = await s.request('POST', C, { token, body: { name: 'Squatter', slug: `${base}-4` } });
		assert.equal(taken.status, 201, taken.text);
		const next = await s.request('POST', C, { token, body: { name } });
		assert.equal(next.status, 201, next.text);
		assert.equal(next.json.slug, `${base}-5`, 'a taken suffix is skipped');
		/* A product's slug does not push a category's aside. */
		const t = `Shared ${tag()}`;
		const p = await create({ title: t, variants: [{ sku: `SH-${tag()}` }] });
		const c = await s.request('POST', C, { token, body: { name: t } });
		assert.equal(c.status, 201, c.text);
		assert.equal(c.json.slug, p.json.slug);
	});

	it('create: a variant\'s option values are the product option\'s values', async () => {
		const options = [{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Red', 'Blue'] }];
		const bad = [
			[['XXL', 'Red'], 'variants[0].options'],
			[['S', 'Green'], 'variants[0].options'],
			[['Red', 'S'], 'variants[0].options'],	/* in the wrong order */
			[['s', 'Red'], 'variants[0].options'],	/* case matters */
		];
		for (const [vals, field] of bad) {
			const r = await s.request('POST', P, { token, body: { title: 'Sized', options,
				variants: [{ sku: `OPT-${tag()}`, options: vals }] } });
			assert.deepEqual(fieldsOf(r), [field], JSON.stringify(vals));
		}
		const ok = await create({ title: 'Sized', options, variants: [
			{ sku: `OPT-${tag()}`, options: ['S', 'Red'] }, { sku: `OPT-${tag()}`, options: ['M', 'Blue'] }] });
		assert.deepEqual(ok.json.variants.map((v) => v.options), [['S', 'Red'], ['M', 'Blue']]);
	});

	it('stock list: tracked variants, fewest available first; ?low=true those at or below the threshold', async () => {
		const t = tag();
		const p = await create({ title: `Listed ${t}`, variants: [
			{ sku: `LST-${t}-A`, on_hand: 2 }, { sku: `LST-${t}-B`, on_hand: 50 },
			{ sku: `LST-${t}-U`, on_hand: 0, track_stock: false }] });
		const listAll = async (q, limit) => {
			const out = [];
			let url = `${STOCK}?limit=${limit}${q}`;
			for (let i = 0; i < 500; i++) {
				const r = await s.request('GET', url, { token });
				assert.equal(r.status, 200, r.text);
				assert.ok(r.json.data.length <= limit);
				out.push(...r.json.data);
				if (r.json.next === null)
					return out;
				url = `${STOCK}?limit=${limit}${q}&after=${r.json.next}`;
			}
			throw new Error('the list never ends');
		};
		const all = await listAll('', 200);
		assert.deepEqual(await listAll('', 7), all, 'paging visits every variant once, in order');
		const skus = all.map((x) => x.sku);
		assert.equal(new Set(skus).size, skus.length);
		for (let i = 0; i + 1 < all.length; i++) {
			const [a, b] = [all[i], all[i + 1]];
			assert.ok(a.available < b.available || (a.available === b.available && a.sku < b.sku),
			    `fewest available first, then by SKU: ${a.sku} ${a.available} / ${b.sku} ${b.available}`);
		}
		assert.ok(!skus.includes(`LST-${t}-U`), 'an untracked variant is not listed');
		const a = all.find((x) => x.sku === `LST-${t}-A`);
		assert.deepEqual(a, { sku: `LST-${t}-A`, product_id: p.json.id, title: `Listed ${t}`, on_hand: 2, reserved: 0,
			available: 2, low_threshold: 5 });
		for (const x of all)
			assert.equal(x.available, x.on_hand - x.reserved);
		const low = await listAll('&low=true', 200);
		assert.deepEqual(low, all.filter((x) => x.available <= x.low_threshold), 'low=true: at or below the threshold');
		assert.ok(low.some((x) => x.sku === `LST-${t}-A`) && !low.some((x) => x.sku === `LST-${t}-B`));
		assert.deepEqual(await listAll('&low=false', 200), all);
		for (const q of ['low=yes', 'low=1', 'limit=0', 'limit=201', 'after=x', 'after=0']) {
			const r = await s.request('GET', `${STOCK}?${q}`, { token });
			assert.ok(assertProblem(r, 400).errors.some((e) => e.field === q.split('=')[0]), `${q}: ${r.text}`);
		}
		assertProblem(await s.request('GET', STOCK), 401);
		assertProblem(await s.request('GET', `${STOCK}?low=true`, { token: customer }), 403);
	});

	it('stock: an untracked variant may go to any figure; its ledger still adds up', async () => {
		const sku = `UNTR-${tag()}`;
		await create({ title: 'Untracked', variants: [{ sku, track_stock: false }] });
		const a = await adjust(sku, { expected: 0, on_hand: 3, reason: 'adjustment' });
		assert.equal(a.status, 200, a.text);
		assertLedger(await stockOf(sku));
	});

	it('events: product.upserted on create and patch, stock.changed, stock.low once per crossing', async () => {
		const t = tag();
		const sku = `EVT-${t}`;
		const r = await create({
			title: `Evented ${t}`, status: 'active', categories: [catA],
			options: [{ name: 'Size', values: ['S', 'M'] }],
			variants: [{ sku, options: ['S'], weight_grams: 250, on_hand: 10 },
				{ sku: `${sku}-M`, options: ['M'], weight_grams: 260 }],
		});
		const id = r.json.id;
		let evs = await feed(s, token, 'catalog');
		const ups = evs.filter((e) => e.type === 'catalog.product.upserted' && e.payload.product_id === id);
		assert.equal(ups.length, 1, 'one upserted event per create');
		const up = ups[0];
		assert.equal(up.source, 'catalog');
		assert.equal(up.version, 1);
		assert.equal(up.aggregate_id, id);
		assert.deepEqual(up.payload, {
			product_id: id, status: 'active', title: `Evented ${t}`, slug: r.json.slug, category_ids: [catA],
			type_id: null, attributes: {},
			variants: r.json.variants.map((v) => ({ variant_id: v.id, sku: v.sku, options: v.options,
				weight_grams: v.weight_grams })),
		});
		assert.deepEqual(up.payload.variants.map((v) => [v.sku, v.options, v.weight_grams]),
		    [[sku, ['S'], 250], [`${sku}-M`, ['M'], 260]]);
		/* The initial stock is a stock change too. */
		const init = evs.filter((e) => e.type === 'catalog.stock.changed' && e.payload.sku === sku);
		assert.equal(init.length, 1);
		assert.deepEqual(init[0].payload, { sku, on_hand: 10, reserved: 0, available: 10, reason: 'adjustment' });
		assert.ok(init[0].seq < up.seq, 'in the order they were written');

		const pt = await s.request('PATCH', `${P}/${id}`, { token, headers: { 'if-match': '"v1"' },
			body: { title: `Renamed ${t}`, status: 'archived', categories: [] } });
		assert.equal(pt.status, 200, pt.text);
		evs = await feed(s, token, 'catalog');
		const ups2 = evs.filter((e) => e.type === 'catalog.product.upserted' && e.payload.product_id === id);
		assert.equal(ups2.length, 2);
		assert.equal(ups2[1].payload.title, `Renamed ${t}`);
		assert.equal(ups2[1].payload.status, 'archived');
		assert.deepEqual(ups2[1].payload.category_ids, []);

		/* Down through the threshold (5) and on: one low event. */
		const steps = [[10, 8], [8, 6], [6, 5], [5, 3], [3, 1], [1, 0]];
		for (const [from, to] of steps) {
			const a = await adjust(sku, { expected: from, on_hand: to, reason: 'adjustment' });
			assert.equal(a.status, 200, a.text);
		}
		evs = await feed(s, token, 'catalog');
		const changed = evs.filter((e) => e.type === 'catalog.stock.changed' && e.payload.sku === sku);
		assert.deepEqual(changed.map((e) => e.payload.on_hand), [10, 8, 6, 5, 3, 1, 0]);
		assert.deepEqual(changed.at(-1).payload, { sku, on_hand: 0, reserved: 0, available: 0, reason: 'adjustment' });
		assert.ok(changed.every((e) => e.aggregate_id === sku && e.version === 1));
		let low = evs.filter((e) => e.type === 'catalog.stock.low' && e.payload.sku === sku);
		assert.equal(low.length, 1, 'low once while it stays low');
		assert.deepEqual(low[0].payload, { sku, available: 5, threshold: 5 });
		/* Back up and down again: a new crossing, a new event. */
		assert.equal((await adjust(sku, { expected: 0, on_hand: 30, reason: 'import' })).status, 200);
		assert.equal((await adjust(sku, { expected: 30, on_hand: 2, reason: 'adjustment' })).status, 200);
		evs = await feed(s, token, 'catalog');
		low = evs.filter((e) => e.type === 'catalog.stock.low' && e.payload.sku === sku);
		assert.equal(low.length, 2);
		assert.deepEqual(low[1].payload, { sku, available: 2, threshold: 5 });
		/* An adjust to the same figure changes nothing and says nothing. */
		const n = evs.length;
		assert.equal((await adjust(sku, { expected: 2, on_hand: 2, reason: 'adjustment' })).status, 200);
		assert.equal((await feed(s, token, 'catalog')).length, n);
		/* The other variant never had stock: never low. */
		assert.equal(evs.filter((e) => e.type === 'catalog.stock.low' && e.payload.sku === `${sku}-M`).length, 0);
		assertLedger(await stockOf(sku));
	});

	it('the feed of catalog events is for staff only', async () => {
		assertProblem(await s.request('GET', '/api/v1/events?source=catalog'), 401);
		assertProblem(await s.request('GET', '/api/v1/events?source=catalog', { token: customer }), 403);
	});

	it('a SKU with "/" (allowed) is addressed percent-encoded', async () => {
		const sku = `SL/${tag()}.x_y`;
		await create({ title: 'Slashed', variants: [{ sku, on_hand: 2 }] });
		const st = await stockOf(sku);
		assert.equal(st.sku, sku);
		assert.equal(st.on_hand, 2);
		const a = await adjust(sku, { expected: 2, on_hand: 4, reason: 'adjustment' });
		assert.equal(a.status, 200, a.text);
		assert.equal(a.json.sku, sku);
		assertLedger(await stockOf(sku));
	});
});
