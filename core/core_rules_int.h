/*
 * What core_rules.c (validation, selection, tax, totals) and
 * core_rules_apply.c (the discount actions) share.  Included nowhere else.
 */
#ifndef CORE_RULES_INT_H
#define CORE_RULES_INT_H

#include <stdint.h>

#include "core/core_rules.h"

#define CORE_RULES_MASK_WORDS	((CORE_RULES_MAX_LINES + 63) / 64)

/*
 * The working state of one quote, on the caller's stack.  Lines are held
 * by canonical position (SKU order): pos -> line[pos] is the input index.
 * Invariant: 0 <= left[pos] <= subtotal[pos] at all times, and
 * subtotal[pos] - left[pos] is the discounts applied so far.
 */
struct core_rules_ctx {
	const struct core_rules_input	*in;
	struct core_rules_result	*out;
	int				 nlines;
	int				 line[CORE_RULES_MAX_LINES];
	int64_t				 subtotal[CORE_RULES_MAX_LINES];
	int64_t				 left[CORE_RULES_MAX_LINES];
	int64_t				 item_disc[CORE_RULES_MAX_LINES];
	int64_t				 order_disc[CORE_RULES_MAX_LINES];
	int64_t				 rate[CORE_RULES_MAX_LINES];
	int64_t				 ship_left;
	int				 npromos;
	int				 promo[CORE_RULES_MAX_PROMOS];
	/*
	 * By input promotion index, a bit per line position: xmask, the
	 * line is in the promotion's match; ymask, in its Y set (buy X get
	 * Y: get_match, or match when that is empty).  Matching compares
	 * strings, so it is done once per quote, not in every pass.
	 */
	uint64_t			 xmask[CORE_RULES_MAX_PROMOS]
					    [CORE_RULES_MASK_WORDS];
	uint64_t			 ymask[CORE_RULES_MAX_PROMOS]
					    [CORE_RULES_MASK_WORDS];
};

/*
 * One action's effect: disc[pos] off each line (or ship off shipping),
 * amount in all, applications for buy X get Y.  Computed from left[] and
 * ship_left without changing them, so the same code serves the dry run
 * that decides "nothing_to_discount" and the real application (a dry run
 * needs only amount and applications, and skips splitting order amounts).
 */
struct core_rules_effect {
	int64_t	disc[CORE_RULES_MAX_LINES];
	int64_t	ship;
	int64_t	amount;
	int64_t	applications;
};

typedef int (*core_rules_cmp)(const struct core_rules_ctx *, const void *,
		    int, int);

/* 1 if line position pos is in promotion pi's match (X) or Y set. */
#define CORE_RULES_IN_X(ctx, pi, pos)					\
	((int)(((ctx)->xmask[pi][(pos) / 64] >> ((pos) % 64)) & 1))
#define CORE_RULES_IN_Y(ctx, pi, pos)					\
	((int)(((ctx)->ymask[pi][(pos) / 64] >> ((pos) % 64)) & 1))

/* The class of an action; inline, the selection asks for it per pair. */
static inline unsigned
core_rules_class(enum core_rules_action action)
{
	switch (action) {
	case CORE_RULES_ORDER_PERCENT:
	case CORE_RULES_ORDER_FIXED:
		return (CORE_RULES_CLASS_ORDER);
	case CORE_RULES_FREE_SHIPPING:
		return (CORE_RULES_CLASS_SHIPPING);
	default:
		return (CORE_RULES_CLASS_PRODUCT);
	}
}

int		core_rules_match_empty(const struct core_rules_match *);
int		core_rules_matches(const struct core_rules_match *,
		    const struct core_rules_line *);
void		core_rules_sort(const struct core_rules_ctx *, const void *,
		    int *, int, core_rules_cmp);
void		core_rules_masks(struct core_rules_ctx *);
int		core_rules_effect(struct core_rules_effect *,
		    const struct core_rules_ctx *, int, const int64_t *, int64_t,
		    int);

#endif
