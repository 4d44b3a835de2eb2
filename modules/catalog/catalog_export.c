/*
 * Products out as CSV in Shopify's layout (the columns import reads, one
 * row per variant, the first row of a product carrying its own fields),
 * filtered like the admin products list: by status, by category and by
 * words of text.  Prices come from the price copy.  Cells a spreadsheet
 * would run as a formula are neutralised with an apostrophe, which import
 * takes off again.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "modules/catalog/catalog_int.h"

#define CATALOG_EXPORT_WORDS_MAX	8

static void	catalog_export_field(struct kore_buf *, const char *, int);
static void	catalog_export_money(struct kore_buf *, sqlite3_stmt *, int);
static void	catalog_export_product(struct kore_buf *, sqlite3 *,
		    const cJSON *);
static int	catalog_export_words(char *, char **, int);
static int	catalog_export_match(const char *, char **, int);

/* Appends s as one CSV field, after a comma unless it is the first. */
static void
catalog_export_field(struct kore_buf *b, const char *s, int first)
{
	int	formula;

	/* the worst case: a comma, quotes, an apostrophe, every " doubled */
	core_buf_reserve(b, s == NULL ? 1 : 2 * strlen(s) + 4);
	if (!first)
		kore_buf_append(b, ",", 1);
	if (s == NULL)
		return;
	/* CSV injection: a spreadsheet would run "=..." as a formula. */
	formula = s[0] != '\0' && strchr("=+-@", s[0]) != NULL;
	if (!catalog_csv_quote_needed(s)) {
		if (formula)
			kore_buf_append(b, "'", 1);
		kore_buf_append(b, s, strlen(s));
		return;
	}
	kore_buf_append(b, formula ? "\"'" : "\"", formula ? 2 : 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			kore_buf_append(b, "\"", 1);
		kore_buf_append(b, s, 1);
	}
	kore_buf_append(b, "\"", 1);
}

/* Column col of st (minor units or NULL) as ",19.99" or ",". */
static void
catalog_export_money(struct kore_buf *b, sqlite3_stmt *st, int col)
{
	int64_t	v;

	if (st == NULL || sqlite3_column_type(st, col) == SQLITE_NULL) {
		kore_buf_append(b, ",", 1);
		return;
	}
	v = sqlite3_column_int64(st, col);
	kore_buf_appendf(b, ",%lld.%02lld", (long long)(v / 100),
	    (long long)(v % 100));
}

/* The rows of product p (staff JSON): one per variant, then images. */
static void
catalog_export_product(struct kore_buf *b, sqlite3 *db, const cJSON *p)
{
	const cJSON	*vars, *imgs, *opts, *v, *img, *stock;
	sqlite3_stmt	*st;
	cJSON		*tag;
	char		 num[32];
	const char	*sep;
	struct kore_buf	*tags;
	int		 i, k, nv, ni, nopts, rows;

	vars = cJSON_GetObjectItem(p, "variants");
	imgs = cJSON_GetObjectItem(p, "images");
	opts = cJSON_GetObjectItem(p, "options");
	nv = cJSON_GetArraySize(vars);
	ni = cJSON_GetArraySize(imgs);
	nopts = cJSON_GetArraySize(opts);
	rows = nv > ni ? nv : ni;
	if (rows == 0)
		rows = 1;
	tags = kore_buf_alloc(128);
	sep = "";
	cJSON_ArrayForEach(tag, cJSON_GetObjectItem(p, "tags")) {
		kore_buf_appendf(tags, "%s%s", sep, tag->valuestring);
		sep = ", ";
	}
	for (i = 0; i < rows; i++) {
		v = i < nv ? cJSON_GetArrayItem(vars, i) : NULL;
		img = i < ni ? cJSON_GetArrayItem(imgs, i) : NULL;
		catalog_export_field(b, cJSON_GetStringValue(
		    cJSON_GetObjectItem(p, "slug")), 1);
		if (i == 0) {
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "title")), 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "description")), 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "vendor")), 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "product_type")), 0);
			catalog_export_field(b, kore_buf_stringify(tags, NULL),
			    0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "status")), 0);
		} else {
			kore_buf_append(b, ",,,,,,", 6);
		}
		for (k = 0; k < CATALOG_OPTIONS_MAX; k++) {
			/* Shopify's way of saying "no options". */
			if (k == 0 && nopts == 0) {
				catalog_export_field(b, i == 0 ? "Title" : NULL,
				    0);
				catalog_export_field(b, v ? "Default Title" :
				    NULL, 0);
				continue;
			}
			catalog_export_field(b, i == 0 && k < nopts ?
			    cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetArrayItem(opts, k), "name")) : NULL, 0);
			catalog_export_field(b, v ? cJSON_GetStringValue(
			    cJSON_GetArrayItem(cJSON_GetObjectItem(v,
			    "options"), k)) : NULL, 0);
		}
		if (v != NULL) {
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(v, "sku")), 0);
			kore_buf_appendf(b, ",%lld", (long long)
			    cJSON_GetNumberValue(cJSON_GetObjectItem(v,
			    "weight_grams")));
			st = core_db_stmt(db, "SELECT amount, compare_at FROM"
			    " variant_prices WHERE sku = ?");
			if (st != NULL) {
				sqlite3_bind_text(st, 1, cJSON_GetStringValue(
				    cJSON_GetObjectItem(v, "sku")), -1,
				    SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_ROW) {
					sqlite3_reset(st);
					st = NULL;
				}
			}
			catalog_export_money(b, st, 0);
			catalog_export_money(b, st, 1);
			if (st != NULL)
				sqlite3_reset(st);
			stock = cJSON_GetObjectItem(v, "stock");
			kore_buf_appendf(b, ",%lld", (long long)
			    cJSON_GetNumberValue(cJSON_GetObjectItem(stock,
			    "on_hand")));
		} else {
			kore_buf_append(b, ",,,,,", 5);
		}
		if (img != NULL) {
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(img, "url")), 0);
			snprintf(num, sizeof(num), "%d", i + 1);
			catalog_export_field(b, num, 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(img, "alt")), 0);
		} else {
			kore_buf_append(b, ",,,", 3);
		}
		kore_buf_append(b, "\r\n", 2);
	}
	kore_buf_free(tags);
}

/*
 * Splits q (lower-cased in place) into at most max words at spaces.
 * Returns the number of words, or -1 when there are more.
 */
static int
catalog_export_words(char *q, char **words, int max)
{
	char	*p;
	int	 n;

	for (p = q; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	n = 0;
	for (p = strtok(q, " \t"); p != NULL; p = strtok(NULL, " \t")) {
		if (n == max)
			return (-1);
		words[n++] = p;
	}
	return (n);
}

/* 1 if every word occurs in text (already lower-cased). */
static int
catalog_export_match(const char *text, char **words, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (text == NULL || strstr(text, words[i]) == NULL)
			return (0);
	return (1);
}

/*
 * GET /api/v1/catalog/exports/products.csv?status=&category=&q=
 * status: draft, active or archived; category: a category id (its
 * products, primary or not); q: words that must each occur in the title,
 * handle, description, vendor, tags or a SKU (ASCII case ignored).
 */
int
catalog_export_http(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct kore_buf	*b;
	cJSON		*errors, *p;
	char		 status[16], category[64], q[256];
	char		*words[CATALOG_EXPORT_WORDS_MAX];
	int64_t		*rows, *nr;
	size_t		 n, cap, i;
	int		 rc, c, nwords;

	errors = NULL;
	rc = core_http_query(r, "status", status, sizeof(status));
	if (rc == -1 || (rc == 1 && strcmp(status, "draft") != 0 &&
	    strcmp(status, "active") != 0 && strcmp(status, "archived") != 0))
		core_http_field_error(&errors, "status",
		    "must be draft, active or archived");
	if (rc != 1)
		status[0] = '\0';
	rc = core_http_query(r, "category", category, sizeof(category));
	if (rc == -1)
		core_http_field_error(&errors, "category", "is too long");
	if (rc != 1)
		category[0] = '\0';
	rc = core_http_query(r, "q", q, sizeof(q));
	if (rc != 1)
		q[0] = '\0';
	nwords = rc == -1 ? -1 : catalog_export_words(q, words,
	    CATALOG_EXPORT_WORDS_MAX);
	if (nwords == -1)
		core_http_field_error(&errors, "q", "must be at most 255 bytes "
		    "and 8 words");
	if (errors != NULL) {
		core_http_bad_query(r, "export", errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("catalog");
	if ((st = core_db_stmt(db, "SELECT p.rowid, CASE WHEN ?3 THEN"
	    " lower(p.title || ' ' || p.slug || ' ' || p.description || ' ' ||"
	    " p.vendor || ' ' || p.tags || ' ' || coalesce((SELECT"
	    " group_concat(v.sku, ' ') FROM variants v WHERE v.product ="
	    " p.rowid), '')) END FROM products p"
	    " WHERE (?1 = '' OR p.status = ?1)"
	    " AND (?2 = '' OR p.primary_category = ?2 OR EXISTS (SELECT 1"
	    " FROM product_categories c WHERE c.product = p.rowid AND"
	    " c.category = ?2)) ORDER BY p.rowid")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, category, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, nwords > 0);
	/* Collect the rowids first: the JSON builder reuses statements. */
	rows = NULL;
	n = cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nwords > 0 && !catalog_export_match((const char *)
		    sqlite3_column_text(st, 1), words, nwords))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nr = realloc(rows, cap * sizeof(*rows))) == NULL)
				break;
			rows = nr;
		}
		rows[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(rows);
		return (core_http_internal(r));
	}
	b = kore_buf_alloc(65536);
	for (c = 0; c < CATALOG_CSV_NCOLS; c++)
		catalog_export_field(b, catalog_csv_columns[c], c == 0);
	kore_buf_append(b, "\r\n", 2);
	for (i = 0; i < n; i++) {
		if ((p = catalog_product_json(db, rows[i], 1)) == NULL)
			continue;
		catalog_export_product(b, db, p);
		cJSON_Delete(p);
	}
	free(rows);
	http_response_header(r->http, "content-type",
	    "text/csv; charset=utf-8");
	http_response_header(r->http, "content-disposition",
	    "attachment; filename=\"products.csv\"");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, 200, b->data, b->offset);
	kore_buf_free(b);
	return (KORE_RESULT_OK);
}
