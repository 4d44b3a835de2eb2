/*
 * Storefront search: FTS5 over the text of active products (title,
 * description, tags, SKUs, attribute words), every word a prefix, a typo
 * rewrite for words that match nothing, filters (category, attributes,
 * price, in stock), sorts, and exact facet counts, the design measured in
 * ../shared/notes/search-at-scale.md for 200k products and 1M SKUs:
 *
 * - the match set is read from FTS5 into a bitset; filters and facets are
 *   bitset work on the worker's in-memory index (catalog_index.c);
 * - relevance is BM25 (title 10x, SKUs 5x, tags 3x) over the whole match
 *   set when the term table's estimate says it is small (<= 5000), else
 *   over the 200 most popular matches, which come first re-ranked, then
 *   the rest by popularity.  Popular means newest until sales data exists;
 * - search_terms (catalog_listing.c) gives the estimate and the words the
 *   typo rewrite chooses from; the page's summaries are listing rows, read
 *   with one query.
 *
 * One read transaction covers the index catch-up and every query, so the
 * index, the match set and the summaries are of the same moment.
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
#define SEARCH_OFFSET_MAX	10000
#define SEARCH_BM25_ALL		5000	/* estimate up to which all are scored */
#define SEARCH_WINDOW		200	/* else: the most popular, re-ranked */
#define SEARCH_PRICE_MAX	1000000000000LL
#define SEARCH_SCORE \
    "bm25(product_search, 10.0, 1.0, 3.0, 5.0)"

/* The words of q as FTS5 phrases, with their estimates (-1: unknown). */
struct search_words {
	int		 n;
	char		 phrase[SEARCH_WORDS_MAX][SEARCH_WORD_MAX + 4];
	int64_t		 est[SEARCH_WORDS_MAX];
};

struct search_hit {
	int64_t		 rowid;
	double		 score;
};

static const char *const search_sorts[] = {
	"relevance", "newest", "name", "price_asc", "price_desc"
};
#define SEARCH_SORTS	5

static int	search_backfilled;

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

/* The upper bound of the terms starting with prefix: prefix, last byte + 1. */
static void
search_prefix_end(const char *prefix, char *out, size_t len)
{
	size_t	 n;

	snprintf(out, len, "%s", prefix);
	if ((n = strlen(out)) > 0)
		out[n - 1] = (char)((unsigned char)out[n - 1] + 1);
}

/* The best candidate so far of a typo rewrite. */
struct search_typo {
	const char	*word;
	int		 cap, bestd;
	int64_t		 bestdoc;
	char		 best[SEARCH_WORD_MAX + 1];
};

static void
search_typo_try(void *arg, const char *t, int64_t doc)
{
	struct search_typo	*ty = arg;
	int			 d;

	d = search_osa(ty->word, t, ty->cap);
	if (d < ty->bestd || (d == ty->bestd && doc > ty->bestdoc)) {
		ty->bestd = d;
		ty->bestdoc = doc;
		snprintf(ty->best, sizeof(ty->best), "%s", t);
	}
}

/*
 * Replaces word (in place) with the closest indexed term when no term
 * starts with it: within 1 edit for words of 3 or 4 letters, else 2 (words
 * of 1 or 2 letters are left alone); the most common term wins a tie.
 * Words without digits are compared with the worker's copy of the
 * vocabulary, others with the term table's words with digits.  Returns 1
 * if it rewrote the word.
 */
static int
search_fix_typo(sqlite3 *db, char *word, size_t len)
{
	sqlite3_stmt		*st;
	struct search_typo	 ty;
	char			 t0[SEARCH_WORD_MAX + 1];
	char			 end[SEARCH_WORD_MAX + 1];
	int			 found, n;

	if (catalog_listing_fold(db, word, t0, sizeof(t0)) == -1)
		return (0);
	search_prefix_end(t0, end, sizeof(end));
	if ((st = core_db_stmt(db, "SELECT 1 FROM search_terms WHERE"
	    " term >= ?1 AND term < ?2 LIMIT 1")) == NULL)
		return (0);
	sqlite3_bind_text(st, 1, t0, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	/* Two letters are too few to guess from: "lt" is not "it". */
	if (found || strlen(t0) < 3)
		return (0);
	memset(&ty, 0, sizeof(ty));
	ty.word = t0;
	ty.cap = strlen(t0) <= 4 ? 1 : 2;
	ty.bestd = ty.cap + 1;
	ty.bestdoc = -1;
	n = (int)strlen(t0);
	if (strpbrk(t0, "0123456789") == NULL) {
		if (catalog_vocab_each(db, catalog_index_seq(), n - ty.cap,
		    n + ty.cap, catalog_vocab_mask(t0), 2 * ty.cap,
		    search_typo_try, &ty) == -1)
			return (0);
	} else {
		if ((st = core_db_stmt(db, "SELECT term, doc FROM search_terms"
		    " WHERE (term GLOB '*[0-9]*') = 1 AND length(term) BETWEEN"
		    " ?1 AND ?2")) == NULL)
			return (0);
		sqlite3_bind_int(st, 1, n - ty.cap);
		sqlite3_bind_int(st, 2, n + ty.cap);
		while (sqlite3_step(st) == SQLITE_ROW)
			search_typo_try(&ty, (const char *)sqlite3_column_text(
			    st, 0), sqlite3_column_int64(st, 1));
		sqlite3_reset(st);
	}
	if (ty.bestd > ty.cap || ty.best[0] == '\0')
		return (0);
	snprintf(word, len, "%s", ty.best);
	return (1);
}

/*
 * An upper bound of how many products match word as a prefix: the sum of
 * the document counts of the terms it starts (a product holding two of
 * them counts twice); -1 when the word folds to no single token.  *exact
 * is set when the only term it starts is the word itself: FTS5 then reads
 * one doclist instead of merging a prefix range (4 ms instead of 10 for
 * 77k matches; words of 2 and 3 letters have a prefix index already).
 */
static int64_t
search_estimate(sqlite3 *db, const char *word, int *exact)
{
	sqlite3_stmt	*st;
	char		 t0[SEARCH_WORD_MAX + 1], end[SEARCH_WORD_MAX + 1];
	int64_t		 n;

	*exact = 0;
	if (catalog_listing_fold(db, word, t0, sizeof(t0)) == -1)
		return (-1);
	search_prefix_end(t0, end, sizeof(end));
	if ((st = core_db_stmt(db, "SELECT coalesce(sum(doc), 0), count(*),"
	    " min(term) FROM search_terms WHERE term >= ?1 AND term < ?2")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, t0, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	n = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		*exact = strlen(t0) > 3 && strcmp(word, t0) == 0 &&
		    sqlite3_column_int64(st, 1) == 1 && strcmp((const char *)
		    sqlite3_column_text(st, 2), t0) == 0;
	}
	sqlite3_reset(st);
	return (n);
}

/*
 * Turns q into an FTS5 query of quoted prefix terms ("shi"* "blu"*) in
 * out; words are letters and digits (any non-ASCII byte counts as a
 * letter), lower-cased, each also as a phrase in sw.  *est gets the
 * smallest estimate over the words (-1: unknown).  Returns the number of
 * words.
 */
static int
search_build(sqlite3 *db, const char *q, char *out, size_t outlen,
    cJSON *rewrites, int64_t *est, struct search_words *sw)
{
	char		 word[SEARCH_WORD_MAX + 1], orig[SEARCH_WORD_MAX + 1];
	const char	*p;
	size_t		 n, off;
	int64_t		 e;
	int		 words, exact;

	out[0] = '\0';
	off = 0;
	words = 0;
	*est = -1;
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
		if (search_fix_typo(db, word, sizeof(word)))
			cJSON_AddStringToObject(rewrites, orig, word);
		if ((e = search_estimate(db, word, &exact)) != -1 &&
		    (*est == -1 || e < *est))
			*est = e;
		snprintf(sw->phrase[words], sizeof(sw->phrase[0]), "\"%s\"%s",
		    word, exact ? "" : "*");
		sw->est[words] = e;
		sw->n = words + 1;
		off += snprintf(out + off, outlen - off, "%s%s",
		    words ? " " : "", sw->phrase[words]);
		if (off >= outlen)
			return (0);
		words++;
	}
	return (words);
}

/* The ?attr.<code>=v1,v2 arguments into f; bad ones into *errors. */
static void
search_attr_args(struct core_req *r, struct catalog_filter *f, cJSON **errors)
{
	const char	*q, *end, *eq;
	char		 name[CATALOG_FILTER_CODE_MAX + 8], field[64];
	char		 val[CATALOG_FILTER_VALUES * (CATALOG_FILTER_VALUE_MAX + 1)];
	char		*v, *comma;
	size_t		 nlen;
	int		 i, rc;

	if ((q = r->http->query_string) == NULL)
		return;
	for (; *q != '\0'; q = *end ? end + 1 : end) {
		if ((end = strchr(q, '&')) == NULL)
			end = q + strlen(q);
		if (strncmp(q, "attr.", 5) != 0)
			continue;
		if ((eq = memchr(q, '=', end - q)) == NULL)
			eq = end;
		nlen = (size_t)(eq - q);
		snprintf(field, sizeof(field), "%.*s", (int)(nlen < 60 ? nlen :
		    60), q);
		if (nlen - 5 == 0 || nlen - 5 > CATALOG_FILTER_CODE_MAX ||
		    strspn(q + 5, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    nlen - 5) {
			core_http_field_error(errors, field,
			    "is not a filterable attribute");
			continue;
		}
		memcpy(name, q, nlen);
		name[nlen] = '\0';
		for (i = 0; i < f->nattrs; i++)
			if (strcmp(f->attrs[i].code, name + 5) == 0)
				break;
		if (i < f->nattrs) {
			core_http_field_error(errors, field, "is given twice");
			continue;
		}
		if (!catalog_index_attr_known(name + 5)) {
			core_http_field_error(errors, field,
			    "is not a filterable attribute");
			continue;
		}
		if (f->nattrs == CATALOG_FILTER_ATTRS) {
			core_http_field_error(errors, field,
			    "is one attribute filter too many (at most 8)");
			continue;
		}
		i = f->nattrs;
		rc = core_http_query(r, name, val, sizeof(val));
		if (rc != 1 || val[0] == '\0' ||
		    !core_json_utf8_valid(val, strlen(val))) {
			core_http_field_error(errors, field, "must be one or "
			    "more values separated by commas");
			continue;
		}
		memcpy(f->attrs[i].code, name + 5, nlen - 4);	/* with NUL */
		f->attrs[i].nvalues = 0;
		for (v = val; v != NULL; v = comma) {
			if ((comma = strchr(v, ',')) != NULL)
				*comma++ = '\0';
			if (*v == '\0' || strlen(v) > CATALOG_FILTER_VALUE_MAX ||
			    f->attrs[i].nvalues == CATALOG_FILTER_VALUES) {
				core_http_field_error(errors, field, "must be 1 "
				    "to 16 non-empty values separated by "
				    "commas");
				break;
			}
			f->attrs[i].values[f->attrs[i].nvalues++] = strdup(v);
		}
		f->nattrs++;
	}
}

static void
search_filter_cleanup(struct catalog_filter *f)
{
	int	 i, j;

	for (i = 0; i < f->nattrs; i++)
		for (j = 0; j < f->attrs[i].nvalues; j++)
			free(f->attrs[i].values[j]);
	f->nattrs = 0;
}

/* A minor-unit amount argument: 1 given, 0 absent, -1 bad (in *errors). */
static int
search_amount(struct core_req *r, const char *name, int64_t *out,
    cJSON **errors)
{
	char		 buf[24], *end;
	long long	 v;
	int		 rc;

	if ((rc = core_http_query(r, name, buf, sizeof(buf))) == 0)
		return (0);
	if (rc == 1 && buf[0] >= '0' && buf[0] <= '9') {
		v = strtoll(buf, &end, 10);
		if (*end == '\0' && v >= 0 && v <= SEARCH_PRICE_MAX) {
			*out = v;
			return (1);
		}
	}
	core_http_field_error(errors, name, "must be a whole amount in minor "
	    "units (cents), 0 to 10^12");
	return (-1);
}

static int
search_hit_cmp(const void *a, const void *b)
{
	const struct search_hit	*x = a, *y = b;

	if (x->score != y->score)
		return (x->score < y->score ? -1 : 1);
	return (x->rowid > y->rowid ? -1 : x->rowid < y->rowid);
}

/*
 * Reads the FTS5 matches of match into set; with hits, their BM25 scores
 * too (a growing array the caller frees).  Returns the count or -1.
 */
static long
search_matches(sqlite3 *db, const char *match, uint64_t *set, uint32_t nw,
    struct search_hit **hits)
{
	sqlite3_stmt	*st;
	struct search_hit *h;
	int64_t		 id;
	long		 n, cap;

	st = hits != NULL ? core_db_stmt(db, "SELECT rowid, " SEARCH_SCORE
	    " FROM product_search WHERE product_search MATCH ?") :
	    core_db_stmt(db, "SELECT rowid FROM product_search WHERE"
	    " product_search MATCH ?");
	if (st == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	n = cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id < 0 || (uint64_t)id >= (uint64_t)nw * 64)
			continue;
		set[id >> 6] |= 1ULL << (id & 63);
		if (hits != NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				if ((h = realloc(*hits, cap * sizeof(*h))) ==
				    NULL)
					break;
				*hits = h;
			}
			(*hits)[n].rowid = id;
			(*hits)[n].score = sqlite3_column_double(st, 1);
		}
		n++;
	}
	sqlite3_reset(st);
	return (n);
}

/*
 * The match set of sw into set (zeroed): the bitsets of hot words (an
 * estimate of CATALOG_HOT_MIN or more) ANDed, the other words read from
 * FTS5 as one query and ANDed in.  0 or -1.
 */
static int
search_match_set(sqlite3 *db, const struct search_words *sw, uint64_t *set,
    uint32_t nw)
{
	char		 cold[1024];
	const uint64_t	*b;
	uint64_t	*tmp;
	size_t		 off;
	uint32_t	 w;
	int		 i, nhot;

	off = 0;
	nhot = 0;
	cold[0] = '\0';
	for (i = 0; i < sw->n; i++) {
		if (sw->est[i] >= CATALOG_HOT_MIN && (b = catalog_hot_get(db,
		    sw->phrase[i], nw, catalog_index_seq())) != NULL) {
			if (nhot++ == 0)
				memcpy(set, b, nw * sizeof(*set));
			else
				for (w = 0; w < nw; w++)
					set[w] &= b[w];
			continue;
		}
		off += snprintf(cold + off, sizeof(cold) - off, "%s%s",
		    off ? " " : "", sw->phrase[i]);
		if (off >= sizeof(cold))
			return (-1);
	}
	if (nhot == 0)
		return (search_matches(db, cold, set, nw, NULL) == -1 ? -1 : 0);
	if (off == 0)
		return (0);
	if ((tmp = calloc(nw, sizeof(*tmp))) == NULL)
		return (-1);
	if (search_matches(db, cold, tmp, nw, NULL) == -1) {
		free(tmp);
		return (-1);
	}
	for (w = 0; w < nw; w++)
		set[w] &= tmp[w];
	free(tmp);
	return (0);
}

/*
 * The relevance page: all hits ranked (hits given), or the SEARCH_WINDOW
 * most popular of set re-ranked by BM25, then the rest by popularity.
 */
static size_t
search_relevance(sqlite3 *db, const char *match, const uint64_t *set,
    struct search_hit *hits, long nhits, size_t offset, size_t limit,
    int64_t *rows)
{
	sqlite3_stmt	*st;
	struct search_hit win[SEARCH_WINDOW];
	int64_t		 ids[SEARCH_WINDOW], id;
	size_t		 n, nwin, i, lo, hi, mid;
	long		 k;

	n = 0;
	if (hits != NULL) {
		for (k = 0, nwin = 0; k < nhits; k++)
			if ((set[hits[k].rowid >> 6] >> (hits[k].rowid & 63)) &
			    1)
				hits[nwin++] = hits[k];
		qsort(hits, nwin, sizeof(*hits), search_hit_cmp);
		for (i = offset; i < nwin && n < limit; i++)
			rows[n++] = hits[i].rowid;
		return (n);
	}
	nwin = catalog_index_order(set, CATALOG_SORT_NEWEST, 0, SEARCH_WINDOW,
	    ids);
	if (offset < nwin) {
		for (i = 0; i < nwin; i++) {
			win[i].rowid = ids[i];
			win[i].score = 0;
		}
		/* Scores of the window only: FTS5 seeks the rowid range. */
		if ((st = core_db_stmt(db, "SELECT rowid, " SEARCH_SCORE
		    " FROM product_search WHERE product_search MATCH ?1 AND"
		    " rowid BETWEEN ?2 AND ?3")) == NULL)
			return (0);
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ids[nwin - 1]);
		sqlite3_bind_int64(st, 3, ids[0]);
		while (sqlite3_step(st) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			/* ids run downwards */
			for (lo = 0, hi = nwin; lo < hi;) {
				mid = (lo + hi) / 2;
				if (ids[mid] > id)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < nwin && ids[lo] == id)
				win[lo].score = sqlite3_column_double(st, 1);
		}
		sqlite3_reset(st);
		qsort(win, nwin, sizeof(*win), search_hit_cmp);
		for (i = offset; i < nwin && n < limit; i++)
			rows[n++] = win[i].rowid;
	}
	if (n < limit)
		n += catalog_index_order(set, CATALOG_SORT_NEWEST,
		    (offset > nwin ? offset : nwin), limit - n, rows + n);
	return (n);
}

/* The summaries of rows, in their order, from one query of listing rows. */
static cJSON *
search_summaries(sqlite3 *db, const int64_t *rows, size_t n)
{
	sqlite3_stmt	*st;
	cJSON		*data, *ids, *o, *price, *items[SEARCH_LIMIT_MAX];
	char		*json;
	int64_t		 id;
	size_t		 i;

	data = cJSON_CreateArray();
	if (n == 0)
		return (data);
	ids = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)rows[i]));
		items[i] = NULL;
	}
	json = cJSON_PrintUnformatted(ids);
	cJSON_Delete(ids);
	if (json == NULL || (st = core_db_stmt(db, "SELECT product, id, title,"
	    " slug, image, price_min, price_max, currency, in_stock FROM"
	    " listings WHERE product IN (SELECT value FROM json_each(?))")) ==
	    NULL) {
		cJSON_free(json);
		return (data);
	}
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		for (i = 0; i < n && rows[i] != id; i++)
			;
		if (i == n || items[i] != NULL)
			continue;
		o = items[i] = cJSON_CreateObject();
		catalog_add_text(o, "id", st, 1);
		catalog_add_text(o, "title", st, 2);
		catalog_add_text(o, "slug", st, 3);
		if (sqlite3_column_type(st, 4) == SQLITE_NULL)
			cJSON_AddNullToObject(o, "image");
		else
			catalog_add_text(o, "image", st, 4);
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
		cJSON_AddBoolToObject(o, "in_stock", sqlite3_column_int(st, 8));
	}
	sqlite3_reset(st);
	cJSON_free(json);
	for (i = 0; i < n; i++)
		if (items[i] != NULL)
			cJSON_AddItemToArray(data, items[i]);
	return (data);
}

/*
 * First use in this worker: a file from before listings existed gets its
 * rows; the page cache grows from SQLite's 2 MB to 64 MB, which holds the
 * hot doclists of a 200k-product index (the measured design ran with it;
 * each worker has its own).  0 or -1.
 */
static int
search_first_use(sqlite3 *db)
{
	if (search_backfilled)
		return (0);
	if (catalog_listing_backfill(db) == -1 ||
	    core_db_exec(db, "PRAGMA cache_size = -65536") == -1)
		return (-1);
	search_backfilled = 1;
	return (0);
}

void
catalog_search_warm(sqlite3 *db)
{
	if (search_first_use(db) == -1 || core_db_exec(db, "BEGIN") == -1)
		return;
	(void)catalog_index_refresh(db);
	(void)core_db_exec(db, "COMMIT");
}

int
catalog_search(struct core_req *r)
{
	struct catalog_filter	 f;
	struct search_hit	*hits;
	struct search_words	 sw;
	sqlite3			*db;
	cJSON			*errors, *body, *data, *facets, *rewrites;
	char			 q[512], match[1024], category[48], stock[8];
	char			 sort[16], after[16], next[16];
	int64_t			 rows[SEARCH_LIMIT_MAX], est;
	uint64_t		*set = NULL;
	uint32_t		 nw, total;
	long			 offset, nhits;
	size_t			 n;
	int			 limit, si, rc, words;
	char			*end;

	if (core_http_page(r, 20, SEARCH_LIMIT_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	memset(&f, 0, sizeof(f));
	errors = NULL;
	q[0] = category[0] = '\0';
	if (core_http_query(r, "q", q, sizeof(q)) == -1 ||
	    !core_json_utf8_valid(q, strlen(q)))
		core_http_field_error(&errors, "q", "must be UTF-8 text of at "
		    "most 511 bytes");
	if (core_http_query(r, "category", category, sizeof(category)) == -1)
		core_http_field_error(&errors, "category", "is not a category "
		    "id");
	f.category = category[0] != '\0' ? category : NULL;
	f.in_stock = -1;
	if ((rc = core_http_query(r, "in_stock", stock, sizeof(stock))) == 1) {
		if (strcmp(stock, "true") == 0)
			f.in_stock = 1;
		else if (strcmp(stock, "false") == 0)
			f.in_stock = 0;
		else
			core_http_field_error(&errors, "in_stock",
			    "must be true or false");
	} else if (rc == -1)
		core_http_field_error(&errors, "in_stock",
		    "must be true or false");
	si = 0;
	if ((rc = core_http_query(r, "sort", sort, sizeof(sort))) == 1) {
		for (si = 0; si < SEARCH_SORTS; si++)
			if (strcmp(sort, search_sorts[si]) == 0)
				break;
	}
	if (rc == -1 || si == SEARCH_SORTS)
		core_http_field_error(&errors, "sort", "must be relevance, "
		    "newest, name, price_asc or price_desc");
	f.price_lo = f.price_hi = -1;
	(void)search_amount(r, "price_min", &f.price_lo, &errors);
	(void)search_amount(r, "price_max", &f.price_hi, &errors);
	if (f.price_lo >= 0 && f.price_hi >= 0 && f.price_lo > f.price_hi)
		core_http_field_error(&errors, "price_max",
		    "must not be below price_min");
	offset = 0;
	if (after[0] != '\0') {
		offset = strtol(after, &end, 10);
		if (*end != '\0' || offset <= 0 || offset > SEARCH_OFFSET_MAX)
			core_http_field_error(&errors, "after",
			    "is not a cursor from this search");
	}
	db = core_db_get("catalog");
	if (search_first_use(db) == -1)
		return (core_http_internal(r));
	/* One snapshot for the index catch-up and every read below. */
	if (core_db_exec(db, "BEGIN") == -1)
		return (core_http_internal(r));
	if (catalog_index_refresh(db) == -1) {
		(void)core_db_exec(db, "ROLLBACK");
		cJSON_Delete(errors);
		return (core_http_internal(r));
	}
	search_attr_args(r, &f, &errors);
	if (errors != NULL) {
		(void)core_db_exec(db, "ROLLBACK");
		search_filter_cleanup(&f);
		core_http_bad_query(r, "search", errors);
		return (KORE_RESULT_OK);
	}

	rewrites = cJSON_CreateObject();
	facets = cJSON_CreateObject();
	hits = NULL;
	nhits = 0;
	memset(&sw, 0, sizeof(sw));
	words = search_build(db, q, match, sizeof(match), rewrites, &est, &sw);
	nw = catalog_index_words();
	if ((set = calloc(nw ? nw : 1, sizeof(*set))) == NULL)
		goto fail;
	if (words == 0) {
		memset(set, 0xff, nw * sizeof(*set));
	} else if (si == 0 && est != -1 && est <= SEARCH_BM25_ALL) {
		/* Small sets are scored as they are read, in one pass. */
		if ((nhits = search_matches(db, match, set, nw, &hits)) == -1)
			goto fail;
	} else if (search_match_set(db, &sw, set, nw) == -1)
		goto fail;
	if (catalog_index_apply(set, &f, facets) == -1)
		goto fail;
	total = catalog_bits_count(set, nw);
	if (si == CATALOG_SORT_RELEVANCE && words > 0)
		n = search_relevance(db, match, set, hits, nhits,
		    (size_t)offset, (size_t)limit, rows);
	else
		n = catalog_index_order(set, si, (size_t)offset,
		    (size_t)limit, rows);
	data = search_summaries(db, rows, n);
	(void)core_db_exec(db, "COMMIT");
	free(set);
	free(hits);
	search_filter_cleanup(&f);
	snprintf(next, sizeof(next), "%ld", offset + (long)n);
	body = core_http_page_body(data, (uint32_t)offset + n < total &&
	    offset + (long)n < SEARCH_OFFSET_MAX ? next : NULL);
	cJSON_AddItemToObject(body, "facets", facets);
	cJSON_AddItemToObject(body, "rewrites", rewrites);
	core_http_json_take(r, 200, body);
	return (KORE_RESULT_OK);
fail:
	(void)core_db_exec(db, "ROLLBACK");
	free(set);
	free(hits);
	search_filter_cleanup(&f);
	cJSON_Delete(rewrites);
	cJSON_Delete(facets);
	return (core_http_internal(r));
}
