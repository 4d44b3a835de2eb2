/*
 * The search's in-memory facet index, one per worker: a bitset of product
 * rowids for each facet value (category, each value of a filterable
 * attribute, price bucket, in stock, active), the same data as forward
 * arrays (each product's value slots, price, title) for counting small
 * result sets and sorting, all read from listings, product_categories and
 * product_attributes.
 *
 * Every worker keeps its own copy and catches up on what any worker wrote
 * by listings.seq: catalog_index_refresh reads max(seq) (one index probe)
 * and reloads only the products whose listing row moved past what it saw.
 * A change to the attribute definitions (a new filterable attribute, one
 * deleted with its values) rebuilds the whole index.  See
 * ../shared/notes/search-at-scale.md (design D3) for why bitmaps: SQL
 * GROUP BY facets take 24-1131 ms past a few thousand matches.
 *
 * Invariant: bit p of a slot's bitset is set iff product p's slot list
 * holds that slot; live has p iff listing p is 'active'.  Every set a query
 * counts or orders is a subset of live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_log.h"
#include "modules/catalog/catalog_int.h"

#define CIDX_FAM_CATEGORY	0

struct cidx_slot {
	int		 fam;		/* 0 category, 1 + n: attribute n */
	char		*value;		/* category id or attribute value */
	uint64_t	*bits;
	uint32_t	 count;		/* scratch of one query */
};

struct cidx_attr {
	char		 id[48];
	char		 code[CATALOG_FILTER_CODE_MAX + 1];
};

static struct {
	int		  built;
	int64_t		  seq;
	char		  sig[96];	/* the attribute definitions seen */
	uint32_t	  nw;		/* words of every bitset: nw * 64 ids */
	uint64_t	 *live, *stock, *bucket[CATALOG_PRICE_BUCKETS];
	int64_t		 *price;	/* price_min, -1 none */
	char		**title;
	uint32_t	**pslots;	/* [0] = n, then n slot indexes */
	struct cidx_slot *slots;
	uint32_t	  nslots, slotcap;
	uint32_t	 *hash;		/* slot + 1, 0 empty */
	uint32_t	  hashcap;
	struct cidx_attr *attrs;
	int		  nattrs;
} cidx;

/* Lower bounds of the price buckets in minor units; the last is open. */
const int64_t catalog_price_bounds[CATALOG_PRICE_BUCKETS] = {
	0, 2000, 5000, 10000, 20000
};

static int	cidx_grow(uint32_t);
static int	cidx_slot(int, const char *, int);
static void	cidx_product_clear(uint32_t);
static int	cidx_product_set(uint32_t, const char *, const char *, int64_t,
		    int, uint32_t *, uint32_t);
static int	cidx_product_load(sqlite3 *, sqlite3_stmt *);
static int	cidx_build(sqlite3 *);
static void	cidx_free(void);
static int	cidx_attr_fam(const char *);
static int	cidx_attr_fam_code(const char *);
static int	cidx_bucket(int64_t);
static void	cidx_count(const uint64_t *, const int *);
static void	cidx_filter_bits(const struct catalog_filter *, int,
		    const uint64_t *, uint64_t *);
static void	cidx_facets(cJSON *, uint32_t);

/*
 * Counting is popcount over thousands of words a query: without the
 * instruction GCC calls a bit-twiddling libgcc routine, 15% of a search's
 * CPU at 200k products.  x86-64 gets a popcnt clone picked at load time.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CIDX_POPCNT	__attribute__((target_clones("popcnt", "default")))
#else
#define CIDX_POPCNT
#endif

#define BIT_SET(b, i)	((b)[(i) >> 6] |= 1ULL << ((i) & 63))
#define BIT_CLR(b, i)	((b)[(i) >> 6] &= ~(1ULL << ((i) & 63)))
#define BIT_HAS(b, i)	(((b)[(i) >> 6] >> ((i) & 63)) & 1)

uint32_t
catalog_index_words(void)
{
	return (cidx.nw);
}

CIDX_POPCNT uint32_t
catalog_bits_count(const uint64_t *b, uint32_t nw)
{
	uint32_t	 i, n;

	for (i = n = 0; i < nw; i++)
		n += (uint32_t)__builtin_popcountll(b[i]);
	return (n);
}

int
catalog_index_attr_known(const char *code)
{
	int	 i;

	for (i = 0; i < cidx.nattrs; i++)
		if (strcmp(cidx.attrs[i].code, code) == 0)
			return (1);
	return (0);
}

static int
cidx_attr_fam(const char *id)
{
	int	 i;

	for (i = 0; i < cidx.nattrs; i++)
		if (strcmp(cidx.attrs[i].id, id) == 0)
			return (i + 1);
	return (-1);
}

static int
cidx_attr_fam_code(const char *code)
{
	int	 i;

	for (i = 0; i < cidx.nattrs; i++)
		if (strcmp(cidx.attrs[i].code, code) == 0)
			return (i + 1);
	return (-1);
}

static int
cidx_bucket(int64_t price)
{
	int	 i;

	if (price < 0)
		return (-1);
	for (i = CATALOG_PRICE_BUCKETS - 1; i > 0; i--)
		if (price >= catalog_price_bounds[i])
			break;
	return (i);
}

/* Makes room for rowid id in every array and bitset.  0 or -1. */
static int
cidx_grow(uint32_t id)
{
	uint32_t	 nw, i, old;
	void		*p;
	uint64_t	**bs[3 + CATALOG_PRICE_BUCKETS];
	int		 k, nb;

	if (id < cidx.nw * 64)
		return (0);
	nw = cidx.nw ? cidx.nw : 64;
	while (nw * 64 <= id)
		nw *= 2;
	old = cidx.nw;
	nb = 0;
	bs[nb++] = &cidx.live;
	bs[nb++] = &cidx.stock;
	for (k = 0; k < CATALOG_PRICE_BUCKETS; k++)
		bs[nb++] = &cidx.bucket[k];
	for (k = 0; k < nb; k++) {
		if ((p = realloc(*bs[k], nw * 8)) == NULL)
			return (-1);
		*bs[k] = p;
		memset(*bs[k] + old, 0, (nw - old) * 8);
	}
	for (i = 0; i < cidx.nslots; i++) {
		if ((p = realloc(cidx.slots[i].bits, nw * 8)) == NULL)
			return (-1);
		cidx.slots[i].bits = p;
		memset(cidx.slots[i].bits + old, 0, (nw - old) * 8);
	}
	if ((p = realloc(cidx.price, nw * 64 * sizeof(int64_t))) == NULL)
		return (-1);
	cidx.price = p;
	if ((p = realloc(cidx.title, nw * 64 * sizeof(char *))) == NULL)
		return (-1);
	cidx.title = p;
	if ((p = realloc(cidx.pslots, nw * 64 * sizeof(uint32_t *))) == NULL)
		return (-1);
	cidx.pslots = p;
	for (i = old * 64; i < nw * 64; i++) {
		cidx.price[i] = -1;
		cidx.title[i] = NULL;
		cidx.pslots[i] = NULL;
	}
	cidx.nw = nw;
	return (0);
}

static uint32_t
cidx_hash(int fam, const char *v)
{
	uint32_t	 h;

	h = 2166136261u ^ (uint32_t)fam;
	for (; *v != '\0'; v++)
		h = (h ^ (unsigned char)*v) * 16777619u;
	return (h);
}

/* The slot of (fam, value); with create, made when missing.  -1: none. */
static int
cidx_slot(int fam, const char *value, int create)
{
	struct cidx_slot	*s;
	uint32_t		 h, i, *nh, ncap;

	if (cidx.hashcap != 0) {
		h = cidx_hash(fam, value) & (cidx.hashcap - 1);
		for (; cidx.hash[h] != 0; h = (h + 1) & (cidx.hashcap - 1)) {
			s = &cidx.slots[cidx.hash[h] - 1];
			if (s->fam == fam && strcmp(s->value, value) == 0)
				return ((int)cidx.hash[h] - 1);
		}
	}
	if (!create)
		return (-1);
	if (cidx.nslots == cidx.slotcap) {
		cidx.slotcap = cidx.slotcap ? cidx.slotcap * 2 : 64;
		if ((s = realloc(cidx.slots, cidx.slotcap * sizeof(*s))) ==
		    NULL)
			return (-1);
		cidx.slots = s;
	}
	if ((cidx.nslots + 1) * 2 > cidx.hashcap) {
		ncap = cidx.hashcap ? cidx.hashcap * 2 : 256;
		if ((nh = calloc(ncap, sizeof(*nh))) == NULL)
			return (-1);
		for (i = 0; i < cidx.nslots; i++) {
			s = &cidx.slots[i];
			h = cidx_hash(s->fam, s->value) & (ncap - 1);
			while (nh[h] != 0)
				h = (h + 1) & (ncap - 1);
			nh[h] = i + 1;
		}
		free(cidx.hash);
		cidx.hash = nh;
		cidx.hashcap = ncap;
	}
	s = &cidx.slots[cidx.nslots];
	s->fam = fam;
	s->count = 0;
	if ((s->value = strdup(value)) == NULL ||
	    (s->bits = calloc(cidx.nw ? cidx.nw : 1, 8)) == NULL)
		return (-1);
	h = cidx_hash(fam, value) & (cidx.hashcap - 1);
	while (cidx.hash[h] != 0)
		h = (h + 1) & (cidx.hashcap - 1);
	cidx.hash[h] = ++cidx.nslots;
	return ((int)cidx.nslots - 1);
}

static void
cidx_product_clear(uint32_t p)
{
	uint32_t	 i;
	int		 k;

	if (cidx.pslots[p] != NULL) {
		for (i = 1; i <= cidx.pslots[p][0]; i++)
			BIT_CLR(cidx.slots[cidx.pslots[p][i]].bits, p);
		free(cidx.pslots[p]);
		cidx.pslots[p] = NULL;
	}
	BIT_CLR(cidx.live, p);
	BIT_CLR(cidx.stock, p);
	for (k = 0; k < CATALOG_PRICE_BUCKETS; k++)
		BIT_CLR(cidx.bucket[k], p);
	free(cidx.title[p]);
	cidx.title[p] = NULL;
	cidx.price[p] = -1;
}

/* Product p as its listing row says, with its n value slots. */
static int
cidx_product_set(uint32_t p, const char *status, const char *title,
    int64_t price, int in_stock, uint32_t *slots, uint32_t n)
{
	uint32_t	 i;
	int		 b;

	if (cidx_grow(p) == -1)
		return (-1);
	cidx_product_clear(p);
	if (strcmp(status, "deleted") == 0)
		return (0);
	if (strcmp(status, "active") == 0)
		BIT_SET(cidx.live, p);
	if (in_stock)
		BIT_SET(cidx.stock, p);
	cidx.price[p] = price;
	if ((b = cidx_bucket(price)) != -1)
		BIT_SET(cidx.bucket[b], p);
	if ((cidx.title[p] = strdup(title)) == NULL)
		return (-1);
	if (n == 0)
		return (0);
	if ((cidx.pslots[p] = malloc((n + 1) * sizeof(uint32_t))) == NULL)
		return (-1);
	cidx.pslots[p][0] = n;
	for (i = 0; i < n; i++) {
		cidx.pslots[p][i + 1] = slots[i];
		BIT_SET(cidx.slots[slots[i]].bits, p);
	}
	return (0);
}

/*
 * Reloads the product of the listing row st is on (product, status,
 * title, price_min, in_stock), with its categories and filterable values.
 */
static int
cidx_product_load(sqlite3 *db, sqlite3_stmt *row)
{
	sqlite3_stmt	*st;
	uint32_t	 slots[512], n, p;
	int		 s, fam;

	p = (uint32_t)sqlite3_column_int64(row, 0);
	n = 0;
	if ((st = core_db_stmt(db, "SELECT category FROM product_categories"
	    " WHERE product = ?")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, p);
	while (sqlite3_step(st) == SQLITE_ROW && n < 512)
		if ((s = cidx_slot(CIDX_FAM_CATEGORY, (const char *)
		    sqlite3_column_text(st, 0), 1)) != -1)
			slots[n++] = (uint32_t)s;
	sqlite3_reset(st);
	if ((st = core_db_stmt(db, "SELECT attribute, value FROM"
	    " product_attributes WHERE product = ?")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, p);
	while (sqlite3_step(st) == SQLITE_ROW && n < 512) {
		if ((fam = cidx_attr_fam((const char *)sqlite3_column_text(st,
		    0))) == -1)
			continue;
		if ((s = cidx_slot(fam, (const char *)sqlite3_column_text(st,
		    1), 1)) != -1)
			slots[n++] = (uint32_t)s;
	}
	sqlite3_reset(st);
	return (cidx_product_set(p, (const char *)sqlite3_column_text(row, 1),
	    (const char *)sqlite3_column_text(row, 2),
	    sqlite3_column_type(row, 3) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(row, 3), sqlite3_column_int(row, 4), slots,
	    n));
}

static void
cidx_free(void)
{
	uint32_t	 i;
	int		 k;

	for (i = 0; i < cidx.nw * 64; i++) {
		free(cidx.title[i]);
		free(cidx.pslots[i]);
	}
	for (i = 0; i < cidx.nslots; i++) {
		free(cidx.slots[i].value);
		free(cidx.slots[i].bits);
	}
	free(cidx.live);
	free(cidx.stock);
	for (k = 0; k < CATALOG_PRICE_BUCKETS; k++)
		free(cidx.bucket[k]);
	free(cidx.price);
	free(cidx.title);
	free(cidx.pslots);
	free(cidx.slots);
	free(cidx.hash);
	free(cidx.attrs);
	memset(&cidx, 0, sizeof(cidx));
}

/*
 * The whole index from the tables: listing rows in rowid order, then the
 * categories and filterable values of all products in two scans (one
 * query per product would be 400k statements at scale).
 */
static int
cidx_build(sqlite3 *db)
{
	sqlite3_stmt	*st;
	uint32_t	*cnt, *pairs, *pp, n, npairs, cap, p, i;
	int64_t		 maxrow;
	int		 s, fam, rc;

	cidx_free();
	pairs = cnt = NULL;
	rc = -1;
	if ((st = core_db_stmt(db, "SELECT id, code FROM attributes WHERE"
	    " filterable = 1 ORDER BY position, code")) == NULL)
		return (-1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((cidx.attrs = realloc(cidx.attrs, (cidx.nattrs + 1) *
		    sizeof(*cidx.attrs))) == NULL)
			return (-1);
		snprintf(cidx.attrs[cidx.nattrs].id, sizeof(cidx.attrs[0].id),
		    "%s", sqlite3_column_text(st, 0));
		snprintf(cidx.attrs[cidx.nattrs].code,
		    sizeof(cidx.attrs[0].code), "%s",
		    sqlite3_column_text(st, 1));
		cidx.nattrs++;
	}
	sqlite3_reset(st);
	maxrow = core_db_scalar(db, "SELECT coalesce(max(product), 0) FROM"
	    " listings", NULL, 0);
	if (maxrow < 0 || maxrow >= UINT32_MAX / 2 ||
	    cidx_grow((uint32_t)maxrow) == -1)
		return (-1);
	/* (product, slot) pairs of both tables, then one list per product. */
	npairs = 0;
	cap = 1024;
	if ((pairs = malloc(cap * 2 * sizeof(uint32_t))) == NULL)
		goto out;
	if ((st = core_db_stmt(db, "SELECT product, NULL, category FROM"
	    " product_categories UNION ALL SELECT product, attribute, value"
	    " FROM product_attributes")) == NULL)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		p = (uint32_t)sqlite3_column_int64(st, 0);
		fam = sqlite3_column_type(st, 1) == SQLITE_NULL ?
		    CIDX_FAM_CATEGORY : cidx_attr_fam((const char *)
		    sqlite3_column_text(st, 1));
		if (fam == -1 || p >= cidx.nw * 64)
			continue;
		if ((s = cidx_slot(fam, (const char *)sqlite3_column_text(st,
		    2), 1)) == -1)
			break;
		if (npairs == cap) {
			cap *= 2;
			if ((pp = realloc(pairs, cap * 2 * sizeof(uint32_t))) ==
			    NULL)
				break;
			pairs = pp;
		}
		pairs[npairs * 2] = p;
		pairs[npairs * 2 + 1] = (uint32_t)s;
		npairs++;
	}
	sqlite3_reset(st);
	if ((cnt = calloc(cidx.nw * 64, sizeof(uint32_t))) == NULL)
		goto out;
	for (i = 0; i < npairs; i++)
		cnt[pairs[i * 2]]++;
	for (p = 0; p < cidx.nw * 64; p++) {
		if (cnt[p] == 0)
			continue;
		if ((cidx.pslots[p] = malloc((cnt[p] + 1) * sizeof(uint32_t)))
		    == NULL)
			goto out;
		cidx.pslots[p][0] = 0;
	}
	for (i = 0; i < npairs; i++) {
		pp = cidx.pslots[pairs[i * 2]];
		pp[++pp[0]] = pairs[i * 2 + 1];
	}
	/* The listing rows: the lists above are taken over, not reloaded. */
	if ((st = core_db_stmt(db, "SELECT product, status, title, price_min,"
	    " in_stock FROM listings")) == NULL)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		p = (uint32_t)sqlite3_column_int64(st, 0);
		pp = cidx.pslots[p];
		cidx.pslots[p] = NULL;
		n = pp != NULL ? pp[0] : 0;
		if (cidx_product_set(p, (const char *)sqlite3_column_text(st,
		    1), (const char *)sqlite3_column_text(st, 2),
		    sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4),
		    pp != NULL ? pp + 1 : NULL, n) == -1) {
			free(pp);
			sqlite3_reset(st);
			goto out;
		}
		free(pp);
	}
	sqlite3_reset(st);
	/* Values of products without a listing row set no bits. */
	for (p = 0; p < cidx.nw * 64; p++) {
		if (cidx.pslots[p] != NULL && cidx.title[p] == NULL) {
			free(cidx.pslots[p]);
			cidx.pslots[p] = NULL;
		}
	}
	cidx.built = 1;
	rc = 0;
out:
	free(pairs);
	free(cnt);
	if (rc == -1)
		cidx_free();
	return (rc);
}

int
catalog_index_refresh(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int64_t		 seq, t0;
	char		 sig[96];
	int		 n, rc;

	if ((st = core_db_stmt(db, "SELECT coalesce((SELECT max(seq) FROM"
	    " listings), 0), (SELECT count(*) || '/' || coalesce(max(version),"
	    " 0) || '/' || coalesce(sum(version), 0) || '/' ||"
	    " coalesce(sum(filterable), 0) FROM attributes)")) == NULL)
		return (-1);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_db_err(db, "index seq"));
	}
	seq = sqlite3_column_int64(st, 0);
	snprintf(sig, sizeof(sig), "%s", sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	if (cidx.built && strcmp(sig, cidx.sig) == 0 && seq == cidx.seq)
		return (0);
	if (!cidx.built || strcmp(sig, cidx.sig) != 0) {
		t0 = core_db_now_ms();
		if (cidx_build(db) == -1) {
			core_logf("error", "catalog: search index build failed");
			return (-1);
		}
		snprintf(cidx.sig, sizeof(cidx.sig), "%s", sig);
		cidx.seq = seq;
		core_logf("info", "catalog: search index built: %u ids, %u "
		    "values, %lld ms", cidx.nw * 64, cidx.nslots,
		    (long long)(core_db_now_ms() - t0));
		return (0);
	}
	if ((st = core_db_stmt(db, "SELECT product, status, title, price_min,"
	    " in_stock FROM listings WHERE seq > ? ORDER BY seq")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, cidx.seq);
	rc = n = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		rc = cidx_product_load(db, st);
		n++;
	}
	sqlite3_reset(st);
	if (rc == -1) {
		cidx_free();
		return (-1);
	}
	cidx.seq = seq;
	return (0);
}

/* ---- queries ----------------------------------------------------------- */

/*
 * Counts the families want[] names over set: slot counts, and for the
 * price and stock pseudo-families (nattrs + 1, + 2) into the arrays.
 * Each family is counted the cheaper way: walking the members' value lists
 * costs about one step per member, AND + popcount one word op per value
 * per word of the set's range; a family of few values (colour) is
 * popcounted, one of hundreds (brand, category) walked.
 */
static uint32_t	cidx_pcount[CATALOG_PRICE_BUCKETS], cidx_scount;

CIDX_POPCNT static void
cidx_count(const uint64_t *set, const int *want)
{
	uint32_t	 i, j, lo, hi, n, id, *ps, w, *famn;
	uint64_t	 x;
	int		 k, fp, fs, nfam, *walk, any;

	fp = cidx.nattrs + 1;
	fs = cidx.nattrs + 2;
	nfam = cidx.nattrs + 3;
	for (lo = 0; lo < cidx.nw && set[lo] == 0; lo++)
		;
	for (hi = cidx.nw; hi > lo && set[hi - 1] == 0; hi--)
		;
	n = 0;
	for (w = lo; w < hi; w++)
		n += (uint32_t)__builtin_popcountll(set[w]);
	if (n == 0)
		return;
	famn = calloc(nfam, sizeof(*famn));
	walk = calloc(nfam, sizeof(*walk));
	if (famn == NULL || walk == NULL) {
		free(famn);
		free(walk);
		return;
	}
	for (i = 0; i < cidx.nslots; i++)
		famn[cidx.slots[i].fam]++;
	famn[fp] = CATALOG_PRICE_BUCKETS;
	famn[fs] = 1;
	any = 0;
	for (k = 0; k < nfam; k++) {
		walk[k] = want[k] && (uint64_t)n * 16 < (uint64_t)famn[k] *
		    (hi - lo);
		any |= walk[k];
	}
	for (w = lo; any && w < hi; w++) {
		for (x = set[w]; x != 0; x &= x - 1) {
			id = w * 64 + (uint32_t)__builtin_ctzll(x);
			if ((ps = cidx.pslots[id]) != NULL)
				for (j = 1; j <= ps[0]; j++)
					if (walk[cidx.slots[ps[j]].fam])
						cidx.slots[ps[j]].count++;
			if (walk[fp] && (k = cidx_bucket(cidx.price[id])) !=
			    -1)
				cidx_pcount[k]++;
			if (walk[fs] && BIT_HAS(cidx.stock, id))
				cidx_scount++;
		}
	}
	for (i = 0; i < cidx.nslots; i++) {
		if (!want[cidx.slots[i].fam] || walk[cidx.slots[i].fam])
			continue;
		for (w = lo, n = 0; w < hi; w++)
			n += (uint32_t)__builtin_popcountll(set[w] &
			    cidx.slots[i].bits[w]);
		cidx.slots[i].count = n;
	}
	for (k = 0; want[fp] && !walk[fp] && k < CATALOG_PRICE_BUCKETS; k++)
		for (w = lo; w < hi; w++)
			cidx_pcount[k] += (uint32_t)__builtin_popcountll(
			    set[w] & cidx.bucket[k][w]);
	for (w = lo; want[fs] && !walk[fs] && w < hi; w++)
		cidx_scount += (uint32_t)__builtin_popcountll(set[w] &
		    cidx.stock[w]);
	free(famn);
	free(walk);
}

/* The filter of family fam as a bitset into out (cleared first). */
static void
cidx_filter_bits(const struct catalog_filter *f, int fam, const uint64_t *base,
    uint64_t *out)
{
	uint32_t	 w, id;
	uint64_t	 x;
	int		 i, j, s;

	memset(out, 0, cidx.nw * 8);
	if (fam == CIDX_FAM_CATEGORY) {
		if ((s = cidx_slot(fam, f->category, 0)) != -1)
			memcpy(out, cidx.slots[s].bits, cidx.nw * 8);
	} else if (fam == cidx.nattrs + 1) {
		for (w = 0; w < cidx.nw; w++)
			for (x = base[w]; x != 0; x &= x - 1) {
				id = w * 64 + (uint32_t)__builtin_ctzll(x);
				if (cidx.price[id] >= 0 && (f->price_lo < 0 ||
				    cidx.price[id] >= f->price_lo) &&
				    (f->price_hi < 0 ||
				    cidx.price[id] <= f->price_hi))
					BIT_SET(out, id);
			}
	} else if (fam == cidx.nattrs + 2) {
		for (w = 0; w < cidx.nw; w++)
			out[w] = f->in_stock ? cidx.stock[w] : ~cidx.stock[w];
	} else {
		for (i = 0; i < f->nattrs; i++) {
			if (cidx_attr_fam_code(f->attrs[i].code) != fam)
				continue;
			for (j = 0; j < f->attrs[i].nvalues; j++) {
				if ((s = cidx_slot(fam, f->attrs[i].values[j],
				    0)) == -1)
					continue;
				for (w = 0; w < cidx.nw; w++)
					out[w] |= cidx.slots[s].bits[w];
			}
		}
	}
}

/* The facets object from the counts of the last cidx_count calls. */
static void
cidx_facets(cJSON *facets, uint32_t stock_total)
{
	cJSON		*f, *a, *o;
	uint32_t	 i;
	int		 k;

	f = cJSON_AddObjectToObject(facets, "category");
	for (i = 0; i < cidx.nslots; i++)
		if (cidx.slots[i].fam == CIDX_FAM_CATEGORY &&
		    cidx.slots[i].count > 0)
			cJSON_AddNumberToObject(f, cidx.slots[i].value,
			    cidx.slots[i].count);
	f = cJSON_AddObjectToObject(facets, "in_stock");
	cJSON_AddNumberToObject(f, "true", cidx_scount);
	cJSON_AddNumberToObject(f, "false", stock_total - cidx_scount);
	f = cJSON_AddArrayToObject(facets, "price");
	for (k = 0; k < CATALOG_PRICE_BUCKETS; k++) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "min",
		    (double)catalog_price_bounds[k]);
		if (k + 1 < CATALOG_PRICE_BUCKETS)
			cJSON_AddNumberToObject(o, "max",
			    (double)catalog_price_bounds[k + 1]);
		else
			cJSON_AddNullToObject(o, "max");
		cJSON_AddNumberToObject(o, "count", cidx_pcount[k]);
		cJSON_AddItemToArray(f, o);
	}
	a = cJSON_AddObjectToObject(facets, "attributes");
	for (k = 0; k < cidx.nattrs; k++)
		(void)cJSON_AddObjectToObject(a, cidx.attrs[k].code);
	for (i = 0; i < cidx.nslots; i++)
		if (cidx.slots[i].fam != CIDX_FAM_CATEGORY &&
		    cidx.slots[i].count > 0)
			cJSON_AddNumberToObject(cJSON_GetObjectItem(a,
			    cidx.attrs[cidx.slots[i].fam - 1].code),
			    cidx.slots[i].value, cidx.slots[i].count);
}

int
catalog_index_apply(uint64_t *set, const struct catalog_filter *f,
    cJSON *facets)
{
	uint64_t	**fb, *full, *tmp;
	uint32_t	  w, i, stock_total;
	int		 *want, *active, nfam, k, j, rc;

	nfam = cidx.nattrs + 3;
	rc = -1;
	fb = calloc(nfam, sizeof(*fb));
	want = calloc(nfam, sizeof(*want));
	active = calloc(nfam, sizeof(*active));
	full = malloc(cidx.nw * 8);
	tmp = malloc(cidx.nw * 8);
	if (fb == NULL || want == NULL || active == NULL || full == NULL ||
	    tmp == NULL)
		goto out;
	for (w = 0; w < cidx.nw; w++)
		set[w] &= cidx.live[w];
	active[CIDX_FAM_CATEGORY] = f->category != NULL;
	active[cidx.nattrs + 1] = f->price_lo >= 0 || f->price_hi >= 0;
	active[cidx.nattrs + 2] = f->in_stock != -1;
	for (k = 0; k < f->nattrs; k++)
		if ((j = cidx_attr_fam_code(f->attrs[k].code)) != -1)
			active[j] = 1;
	memcpy(full, set, cidx.nw * 8);
	for (k = 0; k < nfam; k++) {
		if (!active[k])
			continue;
		if ((fb[k] = malloc(cidx.nw * 8)) == NULL)
			goto out;
		cidx_filter_bits(f, k, set, fb[k]);
		for (w = 0; w < cidx.nw; w++)
			full[w] &= fb[k][w];
	}
	for (i = 0; i < cidx.nslots; i++)
		cidx.slots[i].count = 0;
	memset(cidx_pcount, 0, sizeof(cidx_pcount));
	cidx_scount = 0;
	/* Facets without a filter of their own count the result set... */
	for (k = 0; k < nfam; k++)
		want[k] = !active[k];
	cidx_count(full, want);
	stock_total = catalog_bits_count(full, cidx.nw);
	/* ...each filtered one the results of every other filter. */
	for (k = 0; k < nfam; k++) {
		if (!active[k])
			continue;
		memcpy(tmp, set, cidx.nw * 8);
		for (j = 0; j < nfam; j++)
			if (j != k && fb[j] != NULL)
				for (w = 0; w < cidx.nw; w++)
					tmp[w] &= fb[j][w];
		memset(want, 0, nfam * sizeof(*want));
		want[k] = 1;
		cidx_count(tmp, want);
		if (k == cidx.nattrs + 2)
			stock_total = catalog_bits_count(tmp, cidx.nw);
	}
	cidx_facets(facets, stock_total);
	memcpy(set, full, cidx.nw * 8);
	rc = 0;
out:
	for (k = 0; fb != NULL && k < nfam; k++)
		free(fb[k]);
	free(fb);
	free(want);
	free(active);
	free(full);
	free(tmp);
	return (rc);
}

int64_t
catalog_index_seq(void)
{
	return (cidx.seq);
}

const char *
catalog_index_title(uint32_t id)
{
	return (id < cidx.nw * 64 && cidx.title[id] != NULL ? cidx.title[id] :
	    "");
}

int64_t
catalog_index_price(uint32_t id)
{
	return (id < cidx.nw * 64 ? cidx.price[id] : -1);
}
