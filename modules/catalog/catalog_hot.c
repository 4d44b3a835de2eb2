/*
 * Hot words: the match bitsets of the search words that match many
 * products (a common word, a 2-letter prefix), kept per worker so a query
 * ANDs them instead of reading a doclist of 50k-130k rowids from FTS5
 * every time (the "D3 + hot bitmaps" design of
 * ../shared/notes/search-at-scale.md: a common word 5.0 -> 1.8 ms there).
 *
 * Unlike the note's precomputed set, words become hot when first searched
 * and the least recently used of CATALOG_HOT_MAX is dropped.  Every
 * bitset is of one moment of the catalog: all are dropped when
 * listings.seq moves (any product, stock or price write), which a search
 * checks before it asks; a shop with a write every few seconds keeps most
 * of the benefit, one with writes between all searches gets none and pays
 * nothing more than the plain read.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "modules/catalog/catalog_int.h"

#define HOT_KEY_MAX	80

struct hot_word {
	char		 key[HOT_KEY_MAX];	/* the FTS5 phrase: "be"* */
	uint64_t	*bits;
	uint64_t	 used;			/* LRU clock */
};

static struct hot_word	hot[CATALOG_HOT_MAX];
static int64_t		hot_seq = -1;
static uint32_t		hot_nw;
static uint64_t		hot_clock;

static void
hot_clear(void)
{
	int	 i;

	for (i = 0; i < CATALOG_HOT_MAX; i++) {
		free(hot[i].bits);
		memset(&hot[i], 0, sizeof(hot[i]));
	}
}

const uint64_t *
catalog_hot_get(sqlite3 *db, const char *phrase, uint32_t nw, int64_t seq)
{
	sqlite3_stmt	*st;
	struct hot_word	*h;
	int64_t		 id;
	int		 i, victim;

	if (strlen(phrase) >= HOT_KEY_MAX)
		return (NULL);
	if (seq != hot_seq || nw != hot_nw) {
		hot_clear();
		hot_seq = seq;
		hot_nw = nw;
	}
	victim = 0;
	for (i = 0; i < CATALOG_HOT_MAX; i++) {
		if (hot[i].bits != NULL && strcmp(hot[i].key, phrase) == 0) {
			hot[i].used = ++hot_clock;
			return (hot[i].bits);
		}
		if (hot[i].used < hot[victim].used)
			victim = i;
	}
	h = &hot[victim];
	free(h->bits);
	memset(h, 0, sizeof(*h));
	if ((h->bits = calloc(nw ? nw : 1, sizeof(*h->bits))) == NULL)
		return (NULL);
	if ((st = core_db_stmt(db, "SELECT rowid FROM product_search WHERE"
	    " product_search MATCH ?")) == NULL) {
		free(h->bits);
		h->bits = NULL;
		return (NULL);
	}
	sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id >= 0 && (uint64_t)id < (uint64_t)nw * 64)
			h->bits[id >> 6] |= 1ULL << (id & 63);
	}
	sqlite3_reset(st);
	memcpy(h->key, phrase, strlen(phrase) + 1);
	h->used = ++hot_clock;
	return (h->bits);
}

/*
 * The typo rewrite's vocabulary: the indexed words without digits (SKU
 * tokens are most of the term table and no misspelling of a word), by
 * length, in memory per worker for one seq.  Scanning 35k words in memory
 * costs about a quarter of stepping through them in SQL; a write reloads
 * them at the next rewrite (~10 ms at 200k products).
 */
struct hot_term {
	char		*t;
	int64_t		 doc;
	int		 len;		/* characters */
	uint32_t	 mask;		/* catalog_vocab_mask */
};

static struct hot_term	*voc;
static size_t		 nvoc;
static size_t		 voc_start[CATALOG_VOCAB_LEN_MAX + 2];
static int64_t		 voc_seq = -1;

static void
hot_vocab_clear(void)
{
	size_t	 i;

	for (i = 0; i < nvoc; i++)
		free(voc[i].t);
	free(voc);
	voc = NULL;
	nvoc = 0;
	voc_seq = -1;
}

static int
hot_vocab_load(sqlite3 *db, int64_t seq)
{
	sqlite3_stmt	*st;
	struct hot_term	*v;
	size_t		 cap, i;
	int		 len;

	hot_vocab_clear();
	if ((st = core_db_stmt(db, "SELECT term, doc, length(term) FROM"
	    " search_terms WHERE (term GLOB '*[0-9]*') = 0 AND length(term)"
	    " BETWEEN 1 AND ? ORDER BY length(term)")) == NULL)
		return (-1);
	sqlite3_bind_int(st, 1, CATALOG_VOCAB_LEN_MAX);
	cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (nvoc == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((v = realloc(voc, cap * sizeof(*v))) == NULL)
				break;
			voc = v;
		}
		len = sqlite3_column_int(st, 2);
		if ((voc[nvoc].t = strdup((const char *)sqlite3_column_text(st,
		    0))) == NULL)
			break;
		voc[nvoc].len = len;
		voc[nvoc].mask = catalog_vocab_mask(voc[nvoc].t);
		voc[nvoc++].doc = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	/* voc_start[n]: how many words have n characters or fewer. */
	for (len = 0, i = 0; len <= CATALOG_VOCAB_LEN_MAX; len++) {
		while (i < nvoc && voc[i].len <= len)
			i++;
		voc_start[len] = i;
	}
	voc_seq = seq;
	return (0);
}

uint32_t
catalog_vocab_mask(const char *t)
{
	uint32_t	 m;

	for (m = 0; *t != '\0'; t++)
		m |= *t >= 'a' && *t <= 'z' ? 1U << (*t - 'a') : 1U << 26;
	return (m);
}

/* popcount without the popcnt instruction: called a few thousand times. */
static int
hot_bits(uint32_t x)
{
	int	 n;

	for (n = 0; x != 0; x &= x - 1)
		n++;
	return (n);
}

int
catalog_vocab_each(sqlite3 *db, int64_t seq, int lo, int hi, uint32_t mask,
    int maxdiff, void (*fn)(void *, const char *, int64_t), void *arg)
{
	size_t	 i;

	if (voc_seq != seq && hot_vocab_load(db, seq) == -1)
		return (-1);
	if (lo < 1)
		lo = 1;
	if (hi > CATALOG_VOCAB_LEN_MAX)
		hi = CATALOG_VOCAB_LEN_MAX;
	for (i = lo <= hi ? voc_start[lo - 1] : 0;
	    lo <= hi && i < voc_start[hi]; i++)
		if (hot_bits(voc[i].mask ^ mask) <= maxdiff)
			fn(arg, voc[i].t, voc[i].doc);
	return (0);
}
