/*
 * Unit tests of modules/catalog/catalog_index.c and catalog_listing.c on a
 * migrated catalog file: the in-memory facet index against a brute-force
 * count over the same rows (random catalogs, random filters), incremental
 * catch-up by listings.seq, the orders, and the term table kept equal to
 * what FTS5's own vocabulary says through product writes and deletes.
 */
#include <criterion/criterion.h>

#include <stdarg.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "modules/catalog/catalog_int.h"
#include "tests/unit/unit_fixture.h"

#define IDX_PRODUCTS	300
#define IDX_CATS	5
#define IDX_ROUNDS	200

static uint64_t	idx_rng_state = 0x9e3779b97f4a7c15ULL;

static char idx_colours[4][8] = { "Red", "Blue", "White", "Black" };

struct idx_product {
	int		 active, stock, cat;
	int64_t		 price;			/* -1: none */
	int		 colours;		/* bit per idx_colours */
};

static struct idx_product	idx_p[IDX_PRODUCTS + 1];

static uint64_t
idx_rng(void)
{
	idx_rng_state ^= idx_rng_state >> 12;
	idx_rng_state ^= idx_rng_state << 25;
	idx_rng_state ^= idx_rng_state >> 27;
	return (idx_rng_state * 2685821657736338717ULL);
}

static void
idx_exec(sqlite3 *db, const char *fmt, ...)
{
	char	 sql[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
}

static sqlite3 *
idx_open(void)
{
	sqlite3	*db;
	int	 c;

	unit_data_setup();
	cr_assert_not_null(db = core_db_open("catalog", 1, 1));
	idx_exec(db, "INSERT INTO attributes (id, code, name, kind, filterable,"
	    " created_at, updated_at) VALUES ('attr_c', 'colour', 'Colour',"
	    " 'multiselect', 1, 0, 0), ('attr_n', 'note', 'Note', 'text', 0,"
	    " 0, 0)");
	for (c = 0; c < IDX_CATS; c++)
		idx_exec(db, "INSERT INTO categories (id, name, slug, created_at,"
		    " updated_at) VALUES ('cat_%d', 'C%d', 'c%d', 0, 0)", c, c, c);
	return (db);
}

/* Writes product i as idx_p[i] says: product, category, values, listing. */
static void
idx_write(sqlite3 *db, int i, int64_t seq)
{
	struct idx_product	*p = &idx_p[i];
	char			 price[32];
	int			 c;

	idx_exec(db, "INSERT OR IGNORE INTO products (rowid, id, title, slug,"
	    " created_at, updated_at) VALUES (%d, 'prod_%d', 't%d', 's%d', 0,"
	    " 0)", i, i, i, i);
	idx_exec(db, "DELETE FROM product_categories WHERE product = %d", i);
	idx_exec(db, "DELETE FROM product_attributes WHERE product = %d", i);
	idx_exec(db, "INSERT INTO product_categories VALUES (%d, 'cat_%d')", i,
	    p->cat);
	for (c = 0; c < 4; c++)
		if (p->colours & (1 << c))
			idx_exec(db, "INSERT INTO product_attributes (product,"
			    " attribute, value) VALUES (%d, 'attr_c', '%s')", i,
			    idx_colours[c]);
	idx_exec(db, "INSERT INTO product_attributes (product, attribute,"
	    " value) VALUES (%d, 'attr_n', 'x')", i);
	if (p->price < 0)
		snprintf(price, sizeof(price), "NULL");
	else
		snprintf(price, sizeof(price), "%lld", (long long)p->price);
	idx_exec(db, "INSERT OR REPLACE INTO listings (product, id, status,"
	    " title, slug, price_min, price_max, in_stock, created_at, seq)"
	    " VALUES (%d, 'prod_%d', '%s', 'Title %03d', 's%d', %s, %s, %d, 0,"
	    " %lld)", i, i, p->active ? "active" : "draft",
	    (IDX_PRODUCTS - i) % 97, i, price, price, p->stock,
	    (long long)seq);
}

static void
idx_random(int i)
{
	idx_p[i].active = idx_rng() % 5 != 0;
	idx_p[i].stock = idx_rng() % 3 != 0;
	idx_p[i].cat = (int)(idx_rng() % IDX_CATS);
	idx_p[i].price = idx_rng() % 6 == 0 ? -1 :
	    (int64_t)(idx_rng() % 30000);
	idx_p[i].colours = (int)(idx_rng() % 16);
}

static int
idx_bucket(int64_t price)
{
	int	 k;

	if (price < 0)
		return (-1);
	for (k = CATALOG_PRICE_BUCKETS - 1; k > 0; k--)
		if (price >= catalog_price_bounds[k])
			break;
	return (k);
}

/* 1 if product i passes f, leaving out the family skip names. */
static int
idx_passes(int i, int cat, int stock, int64_t lo, int64_t hi, int colours,
    const char *skip)
{
	struct idx_product	*p = &idx_p[i];

	if (!p->active)
		return (0);
	if (strcmp(skip, "category") != 0 && cat >= 0 && p->cat != cat)
		return (0);
	if (strcmp(skip, "stock") != 0 && stock >= 0 && p->stock != stock)
		return (0);
	if (strcmp(skip, "price") != 0 && (lo >= 0 || hi >= 0) &&
	    (p->price < 0 || (lo >= 0 && p->price < lo) ||
	    (hi >= 0 && p->price > hi)))
		return (0);
	if (strcmp(skip, "colour") != 0 && colours != 0 &&
	    (p->colours & colours) == 0)
		return (0);
	return (1);
}

static int
idx_num(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItem(o, key);

	return (v == NULL ? 0 : (int)v->valuedouble);
}

/* The index's answer to one random filter equals the brute-force count. */
static void
idx_check(int round)
{
	struct catalog_filter	 f;
	uint64_t		*set, *cand;
	cJSON			*facets, *cf, *pf, *af, *sf;
	char			 cat[16], key[16];
	int64_t			 lo, hi;
	uint32_t		 nw;
	int			 ccat, stock, colours, i, c, k, in;
	int			 cnt[IDX_CATS], pc[CATALOG_PRICE_BUCKETS];
	int			 col[4], st[2];

	memset(&f, 0, sizeof(f));
	ccat = idx_rng() % 3 == 0 ? (int)(idx_rng() % IDX_CATS) : -1;
	stock = idx_rng() % 3 == 0 ? (int)(idx_rng() % 2) : -1;
	lo = idx_rng() % 3 == 0 ? (int64_t)(idx_rng() % 20000) : -1;
	hi = idx_rng() % 3 == 0 ? (lo < 0 ? 0 : lo) +
	    (int64_t)(idx_rng() % 20000) : -1;
	colours = idx_rng() % 3 == 0 ? (int)(idx_rng() % 16) : 0;
	snprintf(cat, sizeof(cat), "cat_%d", ccat);
	f.category = ccat >= 0 ? cat : NULL;
	f.in_stock = stock;
	f.price_lo = lo;
	f.price_hi = hi;
	if (colours != 0) {
		f.nattrs = 1;
		snprintf(f.attrs[0].code, sizeof(f.attrs[0].code), "colour");
		for (c = 0; c < 4; c++)
			if (colours & (1 << c))
				f.attrs[0].values[f.attrs[0].nvalues++] =
				    idx_colours[c];
	}
	nw = catalog_index_words();
	cr_assert_not_null(set = calloc(nw, sizeof(*set)));
	cr_assert_not_null(cand = calloc(nw, sizeof(*cand)));
	/* Candidates: all, or a random half (as a match set would be). */
	for (i = 1; i <= IDX_PRODUCTS; i++)
		if (round % 4 == 0 || idx_rng() % 2 == 0)
			cand[i >> 6] |= 1ULL << (i & 63);
	memcpy(set, cand, nw * sizeof(*set));
	facets = cJSON_CreateObject();
	cr_assert_eq(catalog_index_apply(set, &f, facets), 0);

	memset(cnt, 0, sizeof(cnt));
	memset(pc, 0, sizeof(pc));
	memset(col, 0, sizeof(col));
	memset(st, 0, sizeof(st));
	for (i = 1; i <= IDX_PRODUCTS; i++) {
		in = (cand[i >> 6] >> (i & 63)) & 1;
		cr_assert_eq((int)((set[i >> 6] >> (i & 63)) & 1), in &&
		    idx_passes(i, ccat, stock, lo, hi, colours, ""),
		    "round %d: product %d", round, i);
		if (!in)
			continue;
		if (idx_passes(i, ccat, stock, lo, hi, colours, "category"))
			cnt[idx_p[i].cat]++;
		if (idx_passes(i, ccat, stock, lo, hi, colours, "stock"))
			st[idx_p[i].stock]++;
		if (idx_passes(i, ccat, stock, lo, hi, colours, "price") &&
		    (k = idx_bucket(idx_p[i].price)) != -1)
			pc[k]++;
		for (c = 0; c < 4; c++)
			if (idx_passes(i, ccat, stock, lo, hi, colours,
			    "colour") && (idx_p[i].colours & (1 << c)))
				col[c]++;
	}
	cf = cJSON_GetObjectItem(facets, "category");
	for (c = 0; c < IDX_CATS; c++) {
		snprintf(key, sizeof(key), "cat_%d", c);
		cr_assert_eq(idx_num(cf, key), cnt[c], "round %d: %s", round,
		    key);
	}
	sf = cJSON_GetObjectItem(facets, "in_stock");
	cr_assert_eq(idx_num(sf, "true"), st[1], "round %d: in stock", round);
	cr_assert_eq(idx_num(sf, "false"), st[0], "round %d: out", round);
	pf = cJSON_GetObjectItem(facets, "price");
	cr_assert_eq(cJSON_GetArraySize(pf), CATALOG_PRICE_BUCKETS);
	for (k = 0; k < CATALOG_PRICE_BUCKETS; k++)
		cr_assert_eq(idx_num(cJSON_GetArrayItem(pf, k), "count"),
		    pc[k], "round %d: bucket %d", round, k);
	af = cJSON_GetObjectItem(facets, "attributes");
	cr_assert_eq(cJSON_GetArraySize(af), 1, "only the filterable one");
	for (c = 0; c < 4; c++)
		cr_assert_eq(idx_num(cJSON_GetObjectItem(af, "colour"),
		    idx_colours[c]), col[c], "round %d: %s", round,
		    idx_colours[c]);
	cJSON_Delete(facets);
	free(set);
	free(cand);
}

Test(catalog_index, facets_and_results_match_a_brute_force_count,
    .fini = unit_data_teardown)
{
	sqlite3	*db;
	int64_t	 seq;
	int	 i, r;

	db = idx_open();
	for (i = 1; i <= IDX_PRODUCTS; i++) {
		idx_random(i);
		idx_write(db, i, i);
	}
	cr_assert_eq(catalog_index_refresh(db), 0);
	for (r = 0; r < IDX_ROUNDS; r++)
		idx_check(r);
	/* Changes after the build are picked up by seq, a few at a time. */
	seq = IDX_PRODUCTS;
	for (r = 0; r < 20; r++) {
		for (i = 0; i < 5; i++) {
			int	 p = 1 + (int)(idx_rng() % IDX_PRODUCTS);

			idx_random(p);
			idx_write(db, p, ++seq);
		}
		cr_assert_eq(catalog_index_refresh(db), 0);
		idx_check(r);
	}
}

static int	idx_sort;

static int
idx_cmp(const void *a, const void *b)
{
	int		 x = *(const int *)a, y = *(const int *)b;
	int64_t		 px = idx_p[x].price, py = idx_p[y].price;
	int		 tx = (IDX_PRODUCTS - x) % 97, ty = (IDX_PRODUCTS - y) % 97;

	if (idx_sort == CATALOG_SORT_NAME)
		return (tx != ty ? tx - ty : x - y);
	if ((px < 0) != (py < 0))
		return (px < 0 ? 1 : -1);
	if (px != py)
		return (idx_sort == CATALOG_SORT_PRICE_ASC ? (px < py ? -1 : 1) :
		    (px > py ? -1 : 1));
	return (y - x);
}

Test(catalog_index, orders_equal_a_full_sort, .fini = unit_data_teardown)
{
	sqlite3		*db;
	struct catalog_filter f;
	uint64_t	*set;
	int64_t		 out[IDX_PRODUCTS];
	int		 want[IDX_PRODUCTS], n, i, s, skip;
	size_t		 got;
	static const int sorts[] = { CATALOG_SORT_NAME, CATALOG_SORT_PRICE_ASC,
	    CATALOG_SORT_PRICE_DESC, CATALOG_SORT_NEWEST };

	db = idx_open();
	for (i = 1; i <= IDX_PRODUCTS; i++) {
		idx_random(i);
		idx_write(db, i, i);
	}
	cr_assert_eq(catalog_index_refresh(db), 0);
	memset(&f, 0, sizeof(f));
	f.in_stock = -1;
	f.price_lo = f.price_hi = -1;
	for (s = 0; s < 4; s++) {
		idx_sort = sorts[s];
		for (i = 1, n = 0; i <= IDX_PRODUCTS; i++)
			if (idx_p[i].active)
				want[n++] = i;
		if (idx_sort == CATALOG_SORT_NEWEST) {
			for (i = 0; i < n / 2; i++) {
				int t = want[i];

				want[i] = want[n - 1 - i];
				want[n - 1 - i] = t;
			}
		} else
			qsort(want, n, sizeof(*want), idx_cmp);
		for (skip = 0; skip < n; skip += 37) {
			cr_assert_not_null(set = calloc(catalog_index_words(),
			    8));
			memset(set, 0xff, catalog_index_words() * 8);
			cJSON *facets = cJSON_CreateObject();
			cr_assert_eq(catalog_index_apply(set, &f, facets), 0);
			cJSON_Delete(facets);
			got = catalog_index_order(set, idx_sort, (size_t)skip,
			    50, out);
			cr_assert_eq(got, (size_t)(n - skip < 50 ? n - skip :
			    50), "sort %d skip %d", idx_sort, skip);
			for (i = 0; i < (int)got; i++)
				cr_assert_eq(out[i], want[skip + i],
				    "sort %d at %d", idx_sort, skip + i);
			free(set);
		}
	}
}

/* search_terms equals what FTS5's vocabulary table counts. */
static void
idx_terms_equal(sqlite3 *db)
{
	cr_assert_eq(core_db_scalar(db, "SELECT count(*) FROM (SELECT term,"
	    " doc FROM search_terms EXCEPT SELECT term, doc FROM"
	    " product_search_vocab)", NULL, -1), 0);
	cr_assert_eq(core_db_scalar(db, "SELECT count(*) FROM (SELECT term,"
	    " doc FROM product_search_vocab EXCEPT SELECT term, doc FROM"
	    " search_terms)", NULL, -1), 0);
}

Test(catalog_listing, term_table_follows_the_search_rows,
    .fini = unit_data_teardown)
{
	sqlite3		*db;
	char		 w[8][16];
	int		 i, r, p, k;
	char		 text[256];
	size_t		 n;

	db = idx_open();
	for (k = 0; k < 8; k++)
		snprintf(w[k], sizeof(w[k]), "w%c%cé", 'a' + k, 'a' + k % 3);
	for (r = 0; r < 300; r++) {
		p = 1 + (int)(idx_rng() % 20);
		cr_assert_eq(core_db_begin(db), 0);
		cr_assert_eq(catalog_listing_unindex(db, p), 0);
		idx_exec(db, "DELETE FROM product_search WHERE rowid = %d", p);
		if (idx_rng() % 4 != 0) {
			n = 0;
			text[0] = '\0';
			for (i = 0; i < 5; i++)
				n += snprintf(text + n, sizeof(text) - n,
				    "%s%s", i ? " " : "", w[idx_rng() % 8]);
			idx_exec(db, "INSERT INTO product_search (rowid, title,"
			    " description, tags, skus, attributes) VALUES (%d,"
			    " 'Café %s', '%s', 'SKU-%d', 'A%d-1', '')", p,
			    w[idx_rng() % 8], text, p % 3, p);
			cr_assert_eq(catalog_listing_indexed(db, p), 0);
		}
		cr_assert_eq(core_db_commit(db), 0);
		if (r % 25 == 0)
			idx_terms_equal(db);
	}
	idx_terms_equal(db);
	/* The fold is the index's own: case and diacritics. */
	cr_assert_eq(catalog_listing_fold(db, "CAFÉ", text, sizeof(text)), 0);
	cr_assert_str_eq(text, "cafe");
	cr_assert_eq(catalog_listing_fold(db, "a-b", text, sizeof(text)), -1,
	    "two tokens");
}
