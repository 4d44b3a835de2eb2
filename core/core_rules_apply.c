/*
 * The discount actions of the pricing rules engine (see core_rules.h):
 * what one promotion takes off each line or off shipping, given what the
 * lines still cost.  Also the small helpers both engine files use: line
 * matching and a sort that needs no heap.
 */
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules_int.h"

static int	rules_in_list(const char *, const char *const *, int);
static int	rules_cmp_cheapest(const struct core_rules_ctx *, const void *,
		    int, int);
static int	rules_spread(struct core_rules_effect *,
		    const struct core_rules_ctx *, int, const int64_t *, int);
static int	rules_bxgy(struct core_rules_effect *,
		    const struct core_rules_ctx *, int, const int64_t *);

int
core_rules_match_empty(const struct core_rules_match *m)
{
	return (m->nskus == 0 && m->nproducts == 0 && m->ncategories == 0);
}

static int
rules_in_list(const char *s, const char *const *list, int n)
{
	int	i;

	if (s == NULL)
		return (0);
	for (i = 0; i < n; i++)
		if (list[i] != NULL && strcmp(s, list[i]) == 0)
			return (1);
	return (0);
}

/* 1 if line is in the set m (an empty set holds every line). */
int
core_rules_matches(const struct core_rules_match *m,
    const struct core_rules_line *line)
{
	int	i;

	if (core_rules_match_empty(m))
		return (1);
	if (rules_in_list(line->sku, m->skus, m->nskus) ||
	    rules_in_list(line->product_id, m->products, m->nproducts))
		return (1);
	for (i = 0; i < line->ncategories; i++)
		if (rules_in_list(line->categories[i], m->categories,
		    m->ncategories))
			return (1);
	return (0);
}

/*
 * Sorts v[0..n) (n <= CORE_RULES_MAX_LINES) by cmp(ctx, arg, a, b),
 * stably: a bottom-up
 * merge sort into a stack buffer, because qsort() passes no context and
 * the ties must break the same way on every platform.
 */
void
core_rules_sort(const struct core_rules_ctx *ctx, const void *arg, int *v,
    int n, core_rules_cmp cmp)
{
	int	tmp[CORE_RULES_MAX_LINES];
	int	width, lo, mid, hi, i, j, k;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			i = lo;
			j = mid;
			for (k = lo; k < hi; k++) {
				if (i < mid && (j >= hi ||
				    cmp(ctx, arg, v[i], v[j]) <= 0))
					tmp[k] = v[i++];
				else
					tmp[k] = v[j++];
			}
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
}

/* Positions by what one unit still costs, then by SKU order. */
static int
rules_cmp_cheapest(const struct core_rules_ctx *ctx, const void *arg, int a,
    int b)
{
	const struct core_rules_line	*la, *lb;
	const int64_t			*left = arg;
	__int128			 ua, ub;

	la = &ctx->in->lines[ctx->line[a]];
	lb = &ctx->in->lines[ctx->line[b]];
	/* left[a] / qa < left[b] / qb, without division. */
	ua = (__int128)left[a] * lb->quantity;
	ub = (__int128)left[b] * la->quantity;
	if (ua != ub)
		return (ua < ub ? -1 : 1);
	return (a < b ? -1 : a > b);
}

/*
 * Fills ctx->xmask and ymask (see core_rules_int.h) for every promotion,
 * once lines are in canonical order.
 */
void
core_rules_masks(struct core_rules_ctx *ctx)
{
	const struct core_rules_promo	*p;
	const struct core_rules_match	*ym;
	const struct core_rules_line	*l;
	int				 pi, pos;

	for (pi = 0; pi < ctx->npromos; pi++) {
		p = &ctx->in->promos[pi];
		ym = p->action == CORE_RULES_BUY_X_GET_Y &&
		    !core_rules_match_empty(&p->get_match) ? &p->get_match :
		    &p->match;
		memset(ctx->xmask[pi], 0, sizeof(ctx->xmask[pi]));
		memset(ctx->ymask[pi], 0, sizeof(ctx->ymask[pi]));
		for (pos = 0; pos < ctx->nlines; pos++) {
			l = &ctx->in->lines[ctx->line[pos]];
			if (core_rules_matches(&p->match, l))
				ctx->xmask[pi][pos / 64] |= 1ULL << (pos % 64);
			if (ym == &p->match ? CORE_RULES_IN_X(ctx, pi, pos) :
			    core_rules_matches(ym, l))
				ctx->ymask[pi][pos / 64] |= 1ULL << (pos % 64);
		}
	}
}

/*
 * Computes what promotion pi (input index) takes off when the lines still
 * cost left[] and shipping still costs ship_left, into *e.  Changes
 * nothing else.  A dry run fills amount and applications only.  Returns
 * 0, or CORE_RULES_ERR_OVERFLOW (which the input limits rule out, but
 * core_money says so and we do not ignore it).
 */
int
core_rules_effect(struct core_rules_effect *e, const struct core_rules_ctx *ctx,
    int pi, const int64_t *left, int64_t ship_left, int dry)
{
	const struct core_rules_promo	*p = &ctx->in->promos[pi];
	const struct core_rules_line	*l;
	__int128			 off;
	int				 pos;

	memset(e->disc, 0, ctx->nlines * sizeof(e->disc[0]));
	e->ship = e->amount = e->applications = 0;

	switch (p->action) {
	case CORE_RULES_ORDER_PERCENT:
	case CORE_RULES_ORDER_FIXED:
	case CORE_RULES_ITEMS_FIXED_TOTAL:
		if (rules_spread(e, ctx, pi, left, dry) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
		return (0);
	case CORE_RULES_BUY_X_GET_Y:
		if (rules_bxgy(e, ctx, pi, left) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
		return (0);
	case CORE_RULES_FREE_SHIPPING:
		e->ship = e->amount = ship_left;
		return (0);
	case CORE_RULES_ITEMS_PERCENT:
	case CORE_RULES_ITEMS_FIXED:
		break;
	}

	/* Off each matching line, each rounded on its own. */
	for (pos = 0; pos < ctx->nlines; pos++) {
		if (!CORE_RULES_IN_X(ctx, pi, pos))
			continue;
		l = &ctx->in->lines[ctx->line[pos]];
		if (p->action == CORE_RULES_ITEMS_PERCENT) {
			if (core_money_ratio(&e->disc[pos], left[pos], p->value,
			    CORE_RULES_RATE_ONE) == -1)
				return (CORE_RULES_ERR_OVERFLOW);
		} else {
			off = (__int128)p->value * l->quantity;
			e->disc[pos] = off < left[pos] ? (int64_t)off :
			    left[pos];
		}
		e->amount += e->disc[pos];
	}
	return (0);
}

/*
 * Order discounts, and a fixed amount off matching items together: a rate
 * of, or a fixed amount capped at, what the lines (for items, the matching
 * lines) still cost, split over them by largest remainder in proportion to
 * it.  The parts cannot pass left[pos]: each is at most the ceiling of
 * amount * left[pos] / base with amount <= base, and a line outside the
 * set weighs 0 and gets 0.
 */
static int
rules_spread(struct core_rules_effect *e, const struct core_rules_ctx *ctx,
    int pi, const int64_t *left, int dry)
{
	const struct core_rules_promo	*p = &ctx->in->promos[pi];
	int64_t				 weight[CORE_RULES_MAX_LINES];
	int64_t				 base;
	int				 pos, items;

	items = p->action == CORE_RULES_ITEMS_FIXED_TOTAL;
	base = 0;
	for (pos = 0; pos < ctx->nlines; pos++) {
		weight[pos] = items && !CORE_RULES_IN_X(ctx, pi, pos) ? 0 :
		    left[pos];
		base += weight[pos];	/* <= the subtotal, checked on entry */
	}
	if (base == 0)
		return (0);
	if (p->action == CORE_RULES_ORDER_PERCENT) {
		if (core_money_ratio(&e->amount, base, p->value,
		    CORE_RULES_RATE_ONE) == -1)
			return (-1);
	} else
		e->amount = p->value < base ? p->value : base;
	if (e->amount == 0 || dry)
		return (0);
	return (core_money_allocate(e->disc, e->amount, weight, ctx->nlines));
}

/*
 * Buy X get Y.  Units are of three kinds: X only (a of them), Y only (b),
 * both (c).  k applications need k * get_qty Y units and k * buy_qty X
 * units, disjoint; using Y-only units as Y first leaves the most for X, so
 * k is feasible iff k * get <= b + c and
 * a + c - max(0, k * get - b) >= k * buy.  That only gets harder as k
 * grows, so the largest k is found by bisection.  The Y units are then the
 * cheapest (by what a unit still costs, ties in SKU order) such that at
 * most a + c - k * buy of them are "both" units: a greedy pick by price
 * under that one cap gives the cheapest such set.
 */
static int
rules_bxgy(struct core_rules_effect *e, const struct core_rules_ctx *ctx,
    int pi, const int64_t *left)
{
	const struct core_rules_promo	*p = &ctx->in->promos[pi];
	const struct core_rules_line	*l;
	int				 ys[CORE_RULES_MAX_LINES];
	int64_t				 a, b, c, q, kmax, lo, hi, mid, need;
	int64_t				 units, take, cap;
	int				 pos, n, i, inx;

	a = b = c = 0;
	n = 0;
	for (pos = 0; pos < ctx->nlines; pos++) {
		q = ctx->in->lines[ctx->line[pos]].quantity;
		inx = CORE_RULES_IN_X(ctx, pi, pos);
		if (CORE_RULES_IN_Y(ctx, pi, pos)) {
			ys[n++] = pos;
			if (inx)
				c += q;
			else
				b += q;
		} else if (inx)
			a += q;
	}
	kmax = (b + c) / p->get_qty;
	if ((a + c) / p->buy_qty < kmax)
		kmax = (a + c) / p->buy_qty;
	if (p->max_applications > 0 && p->max_applications < kmax)
		kmax = p->max_applications;
	lo = 0;
	hi = kmax;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		need = mid * p->get_qty - b;	/* "both" units used as Y */
		if (need < 0)
			need = 0;
		if (a + c - need >= mid * p->buy_qty)
			lo = mid;
		else
			hi = mid - 1;
	}
	if ((e->applications = lo) == 0)
		return (0);

	core_rules_sort(ctx, left, ys, n, rules_cmp_cheapest);
	units = lo * p->get_qty;
	cap = a + c - lo * p->buy_qty;
	for (i = 0; i < n && units > 0; i++) {
		pos = ys[i];
		l = &ctx->in->lines[ctx->line[pos]];
		take = l->quantity < units ? l->quantity : units;
		if (CORE_RULES_IN_X(ctx, pi, pos)) {
			if (take > cap)
				take = cap;
			cap -= take;
		}
		if (take == 0)
			continue;
		units -= take;
		/* take units' share of what the line still costs, off by value */
		if (core_money_ratio(&e->disc[pos], left[pos],
		    take * p->value, l->quantity * CORE_RULES_RATE_ONE) == -1)
			return (-1);
		e->amount += e->disc[pos];
	}
	return (0);
}
