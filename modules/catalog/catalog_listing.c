/*
 * The storefront listing row and the search term table, both kept current
 * inside the write transaction of whatever changed them.
 *
 * listings holds what a shopper sees of a product in a list (title, slug,
 * first image, price range, in stock), so a search
 * page is one query; its seq rises with every write so each worker's
 * in-memory index (catalog_index.c) can catch up on what changed.
 * search_terms holds how many searchable products carry each word, for the
 * search plan's estimate and the typo rewrite: the words of a product's
 * search row are taken off before the row is replaced and added after,
 * split by FTS5's own tokenizer (the one product_search uses), so the
 * counts are exactly what product_search_vocab would say without walking
 * doclists to say it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "modules/catalog/catalog_int.h"

/*
 * The price range, stock and image of one product.  Pricing publishes
 * every price in the shop currency; should a product's copies ever hold
 * two (the shop changed currency and pricing is still re-publishing), the
 * listing shows the currency most of its priced SKUs have.
 */
/*
 * The price range in the currency most of the product's priced variants
 * have (there is one shop currency; this only settles a switch half-way).
 * One grouped pass over the product's variants, filtered by f: a
 * correlated currency sub-query per variant made a 100-variant product's
 * listing cost 10,000 lookups.
 */
#define LISTING_PRICES(f) \
    " LEFT JOIN (SELECT product AS pp, currency AS cur, lo, hi, ca FROM" \
    " (SELECT v.product AS product, vp.currency AS currency, min(vp.amount)" \
    " AS lo, max(vp.amount) AS hi, max(vp.compare_at) AS ca, row_number()" \
    " OVER (PARTITION BY v.product ORDER BY count(*) DESC, vp.currency)" \
    " AS rn FROM variants v JOIN variant_prices vp ON vp.sku = v.sku" \
    " WHERE " f " GROUP BY v.product, vp.currency) WHERE rn = 1) pr" \
    " ON pr.pp = p.rowid"
#define LISTING_SELECT(f) \
    "SELECT p.rowid, p.id, p.status, p.title, p.slug," \
    " json_extract(p.images, '$[0].url'), json_extract(p.images," \
    " '$[0].alt'), pr.lo, pr.hi, pr.ca, pr.cur, " \
    CATALOG_IN_STOCK("p.rowid") ", p.created_at," \
    " (SELECT coalesce(max(seq), 0) + 1 FROM listings) FROM products p" \
    LISTING_PRICES(f)
#define LISTING_UPSERT \
    "INSERT INTO listings (product, id, status, title, slug, image," \
    " image_alt, price_min, price_max, compare_at_max, currency, in_stock," \
    " created_at, seq) "
#define LISTING_CONFLICT \
    " ON CONFLICT (product) DO UPDATE SET id = excluded.id, status =" \
    " excluded.status, title = excluded.title, slug = excluded.slug," \
    " image = excluded.image, image_alt = excluded.image_alt, price_min =" \
    " excluded.price_min, price_max = excluded.price_max, compare_at_max =" \
    " excluded.compare_at_max, currency = excluded.currency, in_stock =" \
    " excluded.in_stock, created_at = excluded.created_at, seq =" \
    " excluded.seq"

#define LISTING_TERMS_MAX	4096	/* distinct words of one product */

struct listing_terms {
	char		**v;
	size_t		  n, cap;
};

static int	listing_tokenizer(sqlite3 *);
static int	listing_token(void *, int, const char *, int, int, int);
static int	listing_cmp(const void *, const void *);
static int	listing_terms_read(sqlite3 *, int64_t, struct listing_terms *);
static int	listing_terms_apply(sqlite3 *, int64_t, int);
static void	listing_terms_cleanup(struct listing_terms *);

/* The unicode61 tokenizer of the connection it was made for. */
static sqlite3		*listing_tok_db;
static fts5_tokenizer	 listing_tok_api;
static Fts5Tokenizer	*listing_tok;

int
catalog_listing_write(sqlite3 *db, int64_t rowid)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, LISTING_UPSERT
	    LISTING_SELECT("v.product = ?1") " WHERE p.rowid = ?1"
	    LISTING_CONFLICT)) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "write listing"));
	return (0);
}

int
catalog_listing_unindex(sqlite3 *db, int64_t rowid)
{
	return (listing_terms_apply(db, rowid, -1));
}

int
catalog_listing_indexed(sqlite3 *db, int64_t rowid)
{
	if (listing_terms_apply(db, rowid, 1) == -1)
		return (-1);
	return (catalog_listing_write(db, rowid));
}

int
catalog_listing_deleted(sqlite3 *db, int64_t rowid)
{
	sqlite3_stmt	*st;

	if (listing_terms_apply(db, rowid, -1) == -1)
		return (-1);
	if ((st = core_db_stmt(db, "UPDATE listings SET status = 'deleted',"
	    " seq = (SELECT max(seq) + 1 FROM listings) WHERE product = ?"))
	    == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "delete listing"));
	return (0);
}

int
catalog_listing_stock(sqlite3 *db, int64_t variant)
{
	sqlite3_stmt	*st;

	/* Written only when the flag flips: most moves do not. */
	if ((st = core_db_stmt(db, "UPDATE listings SET in_stock = NOT"
	    " in_stock, seq = (SELECT max(seq) + 1 FROM listings) WHERE"
	    " product = (SELECT product FROM variants WHERE rowid = ?) AND"
	    " in_stock <> " CATALOG_IN_STOCK("listings.product"))) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, variant);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "listing stock"));
	return (0);
}

int
catalog_listing_price(sqlite3 *db, const char *sku)
{
	sqlite3_stmt	*st;
	int64_t		 product;

	if ((st = core_db_stmt(db, "SELECT product FROM variants WHERE"
	    " sku = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
	product = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	/* A price that arrives before its SKU is picked up at creation. */
	if (product == -1)
		return (0);
	return (catalog_listing_write(db, product));
}

int
catalog_listing_rebuild(sqlite3 *db, int terms)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, LISTING_UPSERT
	    LISTING_SELECT("true") " WHERE true" LISTING_CONFLICT)) == NULL)
		return (-1);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "rebuild listings"));
	if (!terms)
		return (0);
	if (core_db_exec(db, "DELETE FROM search_terms") == -1 ||
	    core_db_exec(db, "INSERT INTO search_terms (term, doc) SELECT"
	    " term, doc FROM product_search_vocab") == -1)
		return (-1);
	return (0);
}

int
catalog_listing_backfill(sqlite3 *db)
{
	int64_t	 missing, terms;

	missing = core_db_scalar(db, "SELECT (SELECT count(*) FROM products)"
	    " <> (SELECT count(*) FROM listings WHERE status <> 'deleted')",
	    NULL, 0);
	terms = core_db_scalar(db, "SELECT NOT EXISTS (SELECT 1 FROM"
	    " search_terms) AND EXISTS (SELECT 1 FROM product_search)", NULL,
	    0);
	if (!missing && !terms)
		return (0);
	/* Another worker may have done it meanwhile: the write is the same. */
	if (core_db_begin(db) == -1)
		return (-1);
	if (catalog_listing_rebuild(db, (int)terms) == -1) {
		core_db_rollback(db);
		return (-1);
	}
	return (core_db_commit(db));
}

/* ---- the term table ------------------------------------------------------- */

/*
 * FTS5's own unicode61 tokenizer with product_search's options, made once
 * per connection.  Returns 0 or -1.
 */
static int
listing_tokenizer(sqlite3 *db)
{
	sqlite3_stmt	*st;
	fts5_api	*api;
	void		*ud;
	const char	*args[] = { "remove_diacritics", "2" };

	if (listing_tok != NULL && listing_tok_db == db)
		return (0);
	if (listing_tok != NULL)
		listing_tok_api.xDelete(listing_tok);
	listing_tok = NULL;
	api = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return (core_db_err(db, "fts5 api"));
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	(void)sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->xFindTokenizer(api, "unicode61", &ud,
	    &listing_tok_api) != SQLITE_OK ||
	    listing_tok_api.xCreate(ud, args, 2, &listing_tok) != SQLITE_OK) {
		listing_tok = NULL;
		return (core_db_err(db, "fts5 tokenizer"));
	}
	listing_tok_db = db;
	return (0);
}

static int
listing_token(void *ctx, int flags, const char *tok, int ntok, int start,
    int end)
{
	struct listing_terms	*t = ctx;
	char			**v;

	(void)flags;
	(void)start;
	(void)end;
	if (ntok <= 0)
		return (SQLITE_OK);
	if (t->n == t->cap) {
		if (t->cap >= LISTING_TERMS_MAX * 16)
			return (SQLITE_OK);
		t->cap = t->cap ? t->cap * 2 : 64;
		if ((v = realloc(t->v, t->cap * sizeof(*v))) == NULL)
			return (SQLITE_NOMEM);
		t->v = v;
	}
	if ((t->v[t->n] = strndup(tok, (size_t)ntok)) == NULL)
		return (SQLITE_NOMEM);
	t->n++;
	return (SQLITE_OK);
}

static int
listing_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* The distinct words of product rowid's search row (none if it has none). */
static int
listing_terms_read(sqlite3 *db, int64_t rowid, struct listing_terms *t)
{
	sqlite3_stmt	*st;
	const char	*text;
	size_t		 i, j;
	int		 c, ncol, rc;

	if (listing_tokenizer(db) == -1)
		return (-1);
	if ((st = core_db_stmt(db, "SELECT * FROM product_search WHERE"
	    " rowid = ?")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		ncol = sqlite3_column_count(st);
		for (c = 0; c < ncol && rc == 0; c++) {
			if ((text = (const char *)sqlite3_column_text(st, c)) ==
			    NULL)
				continue;
			if (listing_tok_api.xTokenize(listing_tok, t,
			    FTS5_TOKENIZE_DOCUMENT, text, (int)strlen(text),
			    listing_token) != SQLITE_OK)
				rc = -1;
		}
	}
	sqlite3_reset(st);
	if (rc == -1 || t->n == 0)
		return (rc);
	qsort(t->v, t->n, sizeof(*t->v), listing_cmp);
	for (i = 1, j = 0; i < t->n; i++) {
		if (strcmp(t->v[i], t->v[j]) == 0)
			free(t->v[i]);
		else
			t->v[++j] = t->v[i];
	}
	t->n = j + 1;
	return (0);
}

int
catalog_listing_fold(sqlite3 *db, const char *word, char *out, size_t len)
{
	struct listing_terms	 t;
	int			 rc;

	memset(&t, 0, sizeof(t));
	if (listing_tokenizer(db) == -1)
		return (-1);
	rc = -1;
	if (listing_tok_api.xTokenize(listing_tok, &t, FTS5_TOKENIZE_QUERY,
	    word, (int)strlen(word), listing_token) == SQLITE_OK && t.n == 1 &&
	    strlen(t.v[0]) < len) {
		snprintf(out, len, "%s", t.v[0]);
		rc = 0;
	}
	listing_terms_cleanup(&t);
	return (rc);
}

/* Adds (delta 1) or takes off (-1) product rowid's words from the counts. */
static int
listing_terms_apply(sqlite3 *db, int64_t rowid, int delta)
{
	struct listing_terms	 t;
	sqlite3_stmt		*st, *del;
	size_t			 i;
	int			 rc;

	memset(&t, 0, sizeof(t));
	rc = -1;
	if (listing_terms_read(db, rowid, &t) == -1)
		goto out;
	if ((st = core_db_stmt(db, "INSERT INTO search_terms (term, doc)"
	    " VALUES (?1, ?2) ON CONFLICT (term) DO UPDATE SET doc = doc +"
	    " ?2")) == NULL || (del = core_db_stmt(db, "DELETE FROM"
	    " search_terms WHERE term = ? AND doc <= 0")) == NULL)
		goto out;
	for (i = 0; i < t.n; i++) {
		sqlite3_bind_text(st, 1, t.v[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, delta);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "search terms");
			goto out;
		}
		sqlite3_reset(st);
		if (delta > 0)
			continue;
		sqlite3_bind_text(del, 1, t.v[i], -1, SQLITE_STATIC);
		if (sqlite3_step(del) != SQLITE_DONE) {
			core_db_err(db, "search terms");
			goto out;
		}
		sqlite3_reset(del);
	}
	rc = 0;
out:
	listing_terms_cleanup(&t);
	return (rc);
}

static void
listing_terms_cleanup(struct listing_terms *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
