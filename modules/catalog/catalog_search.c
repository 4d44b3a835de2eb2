/*
 * Storefront search: SQLite FTS5 over title, description text, tags and
 * SKUs with BM25 relevance, every word a prefix, a typo rewrite for words
 * that match nothing, filters (category, in stock), sorts, and facet
 * counts that agree with the result set.
 *
 * Facets are counted with SQL here, which is right for shops up to tens of
 * thousands of products; the million-SKU design (in-memory facet bitmaps,
 * a term table for the typo rewrite) is in ../shared/notes/search-at-scale.md
 * and replaces catalog_search_facets when the catalog grows past that.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

#define SEARCH_WORDS_MAX	8
#define SEARCH_WORD_MAX		64
#define SEARCH_LIMIT_MAX	50

/*
 * The product filter shared by every query: ?2 category (or ''), ?3 in
 * stock (1, 0 or -1 for either).  With words, the FTS5 match (?1) is a
 * join evaluated once; without, it is left out (binding ?1 is harmless).
 */
#define SEARCH_IN_STOCK(p) "(EXISTS (SELECT 1 FROM variants v WHERE" \
    " v.product = " p ".rowid AND (v.track_stock = 0 OR v.allow_backorder = 1" \
    " OR v.on_hand > v.reserved)))"
#define SEARCH_MATCH \
    " JOIN (SELECT rowid AS r, bm25(product_search, 10.0, 1.0, 3.0, 5.0)" \
    " AS score FROM product_search WHERE product_search MATCH ?1) m" \
    " ON m.r = p.rowid"
#define SEARCH_WHERE \
    " WHERE p.status = 'active'" \
    " AND (?2 = '' OR EXISTS (SELECT 1 FROM product_categories c WHERE" \
    " c.product = p.rowid AND c.category = ?2))" \
    " AND (?3 = -1 OR " SEARCH_IN_STOCK("p") " = ?3)"
#define SEARCH_PAGE " LIMIT ?4 OFFSET ?5"

/* [with words][sort] */
static const char *const search_sql[2][3] = {
	{
		"SELECT p.rowid FROM products p" SEARCH_WHERE
		" ORDER BY p.rowid DESC" SEARCH_PAGE,
		"SELECT p.rowid FROM products p" SEARCH_WHERE
		" ORDER BY p.rowid DESC" SEARCH_PAGE,
		"SELECT p.rowid FROM products p" SEARCH_WHERE
		" ORDER BY p.title COLLATE NOCASE, p.rowid" SEARCH_PAGE,
	}, {
		/* relevance: bm25, title weighted most, then SKUs, tags */
		"SELECT p.rowid FROM products p" SEARCH_MATCH SEARCH_WHERE
		" ORDER BY m.score, p.rowid DESC" SEARCH_PAGE,
		"SELECT p.rowid FROM products p" SEARCH_MATCH SEARCH_WHERE
		" ORDER BY p.rowid DESC" SEARCH_PAGE,
		"SELECT p.rowid FROM products p" SEARCH_MATCH SEARCH_WHERE
		" ORDER BY p.title COLLATE NOCASE, p.rowid" SEARCH_PAGE,
	}
};
static const char *const search_sorts[] = { "relevance", "newest", "name" };

static const char *const search_facet_category[2] = {
	"SELECT c.category, count(*) FROM products p JOIN product_categories c"
	" ON c.product = p.rowid" SEARCH_WHERE " GROUP BY c.category",
	"SELECT c.category, count(*) FROM products p" SEARCH_MATCH
	" JOIN product_categories c ON c.product = p.rowid" SEARCH_WHERE
	" GROUP BY c.category",
};
static const char *const search_facet_stock[2] = {
	"SELECT " SEARCH_IN_STOCK("p") " AS s, count(*) FROM products p"
	SEARCH_WHERE " GROUP BY s",
	"SELECT " SEARCH_IN_STOCK("p") " AS s, count(*) FROM products p"
	SEARCH_MATCH SEARCH_WHERE " GROUP BY s",
};

/* Optimal string alignment distance, capped: returns cap + 1 when above. */
static int
search_osa(const char *a, const char *b, int cap)
{
	int	d[SEARCH_WORD_MAX + 1][SEARCH_WORD_MAX + 1];
	int	i, j, la, lb, cost, v, rowmin;

	la = (int)strlen(a);
	lb = (int)strlen(b);
	if (la > SEARCH_WORD_MAX || lb > SEARCH_WORD_MAX ||
	    abs(la - lb) > cap)
		return (cap + 1);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		rowmin = cap + 1;
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > cap)
			return (cap + 1);
	}
	return (d[la][lb]);
}

/*
 * Replaces word (in place) with the closest indexed term when nothing
 * starts with it: within 1 edit for words of 3 or 4 letters, else 2 (words
 * of 1 or 2 letters are left alone); the most common term wins a tie.
 * Returns 1 if it rewrote the word.
 */
static int
search_fix_typo(sqlite3 *db, char *word, size_t len)
{
	sqlite3_stmt	*st;
	char		 prefix[SEARCH_WORD_MAX + 4];
	char		 best[SEARCH_WORD_MAX + 1];
	int		 cap, d, bestd;
	int64_t		 doc, bestdoc;
	const char	*t;

	/* The index answers "does anything start with it" at once. */
	snprintf(prefix, sizeof(prefix), "\"%s\"*", word);
	if ((st = core_db_stmt(db, "SELECT 1 FROM product_search WHERE"
	    " product_search MATCH ? LIMIT 1")) == NULL)
		return (0);
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	d = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (d)
		return (0);
	/* Two letters are too few to guess from: "lt" is not "it". */
	if (strlen(word) < 3)
		return (0);
	cap = strlen(word) <= 4 ? 1 : 2;
	bestd = cap + 1;
	bestdoc = -1;
	best[0] = '\0';
	if ((st = core_db_stmt(db, "SELECT term, doc FROM product_search_vocab"
	    " WHERE length(term) BETWEEN ? AND ?")) == NULL)
		return (0);
	sqlite3_bind_int(st, 1, (int)strlen(word) - cap);
	sqlite3_bind_int(st, 2, (int)strlen(word) + cap);
	while (sqlite3_step(st) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		doc = sqlite3_column_int64(st, 1);
		d = search_osa(word, t, cap);
		if (d < bestd || (d == bestd && doc > bestdoc)) {
			bestd = d;
			bestdoc = doc;
			snprintf(best, sizeof(best), "%s", t);
		}
	}
	sqlite3_reset(st);
	if (bestd > cap || best[0] == '\0')
		return (0);
	snprintf(word, len, "%s", best);
	return (1);
}

/*
 * Turns q into an FTS5 query of quoted prefix terms ("shi"* "blu"*) in
 * out; words are letters and digits (any non-ASCII byte counts as a
 * letter), lower-cased.  Returns the number of words.
 */
static int
search_build(sqlite3 *db, const char *q, char *out, size_t outlen,
    cJSON *rewrites)
{
	char		 word[SEARCH_WORD_MAX + 1], orig[SEARCH_WORD_MAX + 1];
	const char	*p;
	size_t		 n, off;
	int		 words;

	out[0] = '\0';
	off = 0;
	words = 0;
	for (p = q; *p != '\0' && words < SEARCH_WORDS_MAX;) {
		while (*p != '\0' && !isalnum((unsigned char)*p) &&
		    (unsigned char)*p < 0x80)
			p++;
		n = 0;
		while (*p != '\0' && (isalnum((unsigned char)*p) ||
		    (unsigned char)*p >= 0x80)) {
			if (n < SEARCH_WORD_MAX)
				word[n++] = (char)tolower((unsigned char)*p);
			p++;
		}
		if (n == 0)
			continue;
		word[n] = '\0';
		snprintf(orig, sizeof(orig), "%s", word);
		if (search_fix_typo(db, word, sizeof(word)) &&
		    rewrites != NULL)
			cJSON_AddStringToObject(rewrites, orig, word);
		off += snprintf(out + off, outlen - off, "%s\"%s\"*",
		    words ? " " : "", word);
		if (off >= outlen)
			return (0);
		words++;
	}
	return (words);
}

static void
search_bind(sqlite3_stmt *st, const char *match, const char *category,
    int in_stock)
{
	if (match[0] != '\0')
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, category, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, in_stock);
}

static cJSON *
search_summary(sqlite3 *db, int64_t rowid)
{
	sqlite3_stmt	*st;
	cJSON		*o, *imgs, *price;
	const char	*url;

	if ((st = core_db_stmt(db, "SELECT id, title, slug, images," SEARCH_IN_STOCK("p")
	    ", (SELECT min(vp.amount) FROM variants v JOIN variant_prices vp ON"
	    " vp.sku = v.sku WHERE v.product = p.rowid), (SELECT max(vp.amount)"
	    " FROM variants v JOIN variant_prices vp ON vp.sku = v.sku WHERE"
	    " v.product = p.rowid), (SELECT vp.currency FROM variants v JOIN"
	    " variant_prices vp ON vp.sku = v.sku WHERE v.product = p.rowid"
	    " LIMIT 1) FROM products p WHERE p.rowid = ?")) == NULL)
		return (NULL);
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	catalog_add_text(o, "id", st, 0);
	catalog_add_text(o, "title", st, 1);
	catalog_add_text(o, "slug", st, 2);
	imgs = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
	url = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(imgs,
	    0), "url"));
	if (url != NULL)
		cJSON_AddStringToObject(o, "image", url);
	else
		cJSON_AddNullToObject(o, "image");
	cJSON_Delete(imgs);
	if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, "price");
	} else {
		price = cJSON_AddObjectToObject(o, "price");
		cJSON_AddNumberToObject(price, "min",
		    (double)sqlite3_column_int64(st, 5));
		cJSON_AddNumberToObject(price, "max",
		    (double)sqlite3_column_int64(st, 6));
		catalog_add_text(price, "currency", st, 7);
	}
	cJSON_AddBoolToObject(o, "in_stock", sqlite3_column_int(st, 4));
	sqlite3_reset(st);
	return (o);
}

int
catalog_search(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *body, *data, *facets, *f, *rewrites;
	char		 q[512], match[1024], category[48], stock[8], sort[16];
	char		 after[16], next[16];
	int64_t		 rows[SEARCH_LIMIT_MAX];
	long		 offset;
	int		 limit, in_stock, si, n, i, rc, has;
	char		*end;

	if (core_http_page(r, 20, SEARCH_LIMIT_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	q[0] = category[0] = '\0';
	if (core_http_query(r, "q", q, sizeof(q)) == -1 ||
	    !core_json_utf8_valid(q, strlen(q)))
		core_http_field_error(&errors, "q", "must be UTF-8 text of at "
		    "most 511 bytes");
	if (core_http_query(r, "category", category, sizeof(category)) == -1)
		core_http_field_error(&errors, "category", "is not a category "
		    "id");
	in_stock = -1;
	if ((rc = core_http_query(r, "in_stock", stock, sizeof(stock))) == 1) {
		if (strcmp(stock, "true") == 0)
			in_stock = 1;
		else if (strcmp(stock, "false") == 0)
			in_stock = 0;
		else
			core_http_field_error(&errors, "in_stock",
			    "must be true or false");
	} else if (rc == -1)
		core_http_field_error(&errors, "in_stock",
		    "must be true or false");
	si = 0;
	if ((rc = core_http_query(r, "sort", sort, sizeof(sort))) == 1) {
		for (si = 0; si < 3; si++)
			if (strcmp(sort, search_sorts[si]) == 0)
				break;
		if (si == 3)
			core_http_field_error(&errors, "sort",
			    "must be relevance, newest or name");
	} else if (rc == -1)
		core_http_field_error(&errors, "sort",
		    "must be relevance, newest or name");
	offset = 0;
	if (after[0] != '\0') {
		offset = strtol(after, &end, 10);
		if (*end != '\0' || offset <= 0 || offset > 10000)
			core_http_field_error(&errors, "after",
			    "is not a cursor from this search");
	}
	if (errors != NULL) {
		core_http_problem(r, 400, "bad-query", "Bad query",
		    "the search arguments are not valid", errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("catalog");
	rewrites = cJSON_CreateObject();
	if (search_build(db, q, match, sizeof(match), rewrites) == 0)
		match[0] = '\0';

	has = match[0] != '\0';
	if ((st = core_db_stmt(db, search_sql[has][si])) == NULL)
		goto fail;
	search_bind(st, match, category, in_stock);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int64(st, 5, offset);
	n = 0;
	while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rows[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(data, search_summary(db, rows[i]));

	facets = cJSON_CreateObject();
	f = cJSON_AddObjectToObject(facets, "category");
	if ((st = core_db_stmt(db, search_facet_category[has])) != NULL) {
		search_bind(st, match, "", in_stock);
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddNumberToObject(f,
			    (const char *)sqlite3_column_text(st, 0),
			    sqlite3_column_int(st, 1));
		sqlite3_reset(st);
	}
	f = cJSON_AddObjectToObject(facets, "in_stock");
	cJSON_AddNumberToObject(f, "true", 0);
	cJSON_AddNumberToObject(f, "false", 0);
	if ((st = core_db_stmt(db, search_facet_stock[has])) != NULL) {
		search_bind(st, match, category, -1);
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_SetNumberValue(cJSON_GetObjectItem(f,
			    sqlite3_column_int(st, 0) ? "true" : "false"),
			    sqlite3_column_int(st, 1));
		sqlite3_reset(st);
	}
	snprintf(next, sizeof(next), "%ld", offset + n);
	body = core_http_page_body(data, n == limit ? next : NULL);
	cJSON_AddItemToObject(body, "facets", facets);
	cJSON_AddItemToObject(body, "rewrites", rewrites);
	core_http_json_take(r, 200, body);
	return (KORE_RESULT_OK);
fail:
	cJSON_Delete(rewrites);
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}
