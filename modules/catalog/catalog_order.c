/*
 * The search's orders over a result bitset (catalog_index.c): newest
 * (rowid descending: the bits from the top), and name, price_asc and
 * price_desc by a bounded heap of the first skip + limit, so a page costs
 * one pass over the results whatever their number.  name is SQLite's
 * NOCASE (ASCII letters folded) then oldest first, as the SQL sort was;
 * products without a price come last either way, ties newest first.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/catalog/catalog_int.h"

static int	order_nocase(const char *, const char *);
static int	order_before(uint32_t, uint32_t);
static int	order_cmp(const void *, const void *);

static int	order_sort;

/* SQLite's NOCASE: ASCII letters folded, other bytes as they are. */
static int
order_nocase(const char *a, const char *b)
{
	int	 ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == 0)
			return (ca - cb);
	}
}

/* 1 if product a comes before b in order_sort's order. */
static int
order_before(uint32_t a, uint32_t b)
{
	int64_t	 pa, pb;
	int	 c;

	switch (order_sort) {
	case CATALOG_SORT_NAME:
		c = order_nocase(catalog_index_title(a),
		    catalog_index_title(b));
		return (c != 0 ? c < 0 : a < b);
	case CATALOG_SORT_PRICE_ASC:
	case CATALOG_SORT_PRICE_DESC:
		pa = catalog_index_price(a);
		pb = catalog_index_price(b);
		/* No price yet: last either way. */
		if ((pa < 0) != (pb < 0))
			return (pb < 0);
		if (pa != pb)
			return (order_sort == CATALOG_SORT_PRICE_ASC ?
			    pa < pb : pa > pb);
		return (a > b);
	default:
		return (a > b);
	}
}

static int
order_cmp(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (x == y)
		return (0);
	return (order_before(x, y) ? -1 : 1);
}

size_t
catalog_index_order(const uint64_t *set, int sort, size_t skip, size_t limit,
    int64_t *out)
{
	uint32_t	*h, id, t, w, nw;
	uint64_t	 x;
	size_t		 k, n, i, c, m;

	nw = catalog_index_words();
	k = skip + limit;
	n = 0;
	if (sort == CATALOG_SORT_NEWEST || sort == CATALOG_SORT_RELEVANCE) {
		for (w = nw; w > 0 && n < k; w--) {
			for (x = set[w - 1]; x != 0 && n < k;
			    x &= ~(1ULL << (63 - __builtin_clzll(x)))) {
				id = (w - 1) * 64 + 63 - __builtin_clzll(x);
				if (n++ >= skip)
					out[n - 1 - skip] = id;
			}
		}
		return (n > skip ? n - skip : 0);
	}
	/* The best k by a heap whose top is the worst of them. */
	order_sort = sort;
	if (k == 0 || (h = malloc(k * sizeof(*h))) == NULL)
		return (0);
	for (w = 0; w < nw; w++) {
		for (x = set[w]; x != 0; x &= x - 1) {
			id = w * 64 + (uint32_t)__builtin_ctzll(x);
			if (n < k) {
				for (i = n++; i > 0; i = (i - 1) / 2) {
					if (!order_before(h[(i - 1) / 2], id))
						break;
					h[i] = h[(i - 1) / 2];
				}
				h[i] = id;
				continue;
			}
			if (!order_before(id, h[0]))
				continue;
			for (i = 0;; i = m) {
				c = 2 * i + 1;
				if (c >= n)
					break;
				m = c;
				if (c + 1 < n && order_before(h[c], h[c + 1]))
					m = c + 1;
				if (!order_before(id, h[m]))
					break;
				t = h[m];
				h[i] = t;
			}
			h[i] = id;
		}
	}
	qsort(h, n, sizeof(*h), order_cmp);
	for (i = skip; i < n; i++)
		out[i - skip] = h[i];
	free(h);
	return (n > skip ? n - skip : 0);
}
