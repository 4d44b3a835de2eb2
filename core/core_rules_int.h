/*
 * What core_rules.c (validation, selection, tax, totals) and
 * core_rules_apply.c (the discount actions) share.  Included nowhere else.
 */
#ifndef CORE_RULES_INT_H
#define CORE_RULES_INT_H

#include <stdint.h>

#include "core/core_rules.h"

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
};

/*
 * One action's effect: disc[pos] off each line (or ship off shipping),
 * amount in all, applications for buy X get Y.  Computed from left[] and
 * ship_left without changing them, so the same code serves the dry run
 * that decides "nothing_to_discount" and the real application.
 */
struct core_rules_effect {
	int64_t	disc[CORE_RULES_MAX_LINES];
	int64_t	ship;
	int64_t	amount;
	int64_t	applications;
};

typedef int (*core_rules_cmp)(const struct core_rules_ctx *, const void *,
		    int, int);

unsigned	core_rules_class(enum core_rules_action);
int		core_rules_match_empty(const struct core_rules_match *);
int		core_rules_matches(const struct core_rules_match *,
		    const struct core_rules_line *);
void		core_rules_sort(const struct core_rules_ctx *, const void *,
		    int *, int, core_rules_cmp);
int		core_rules_effect(struct core_rules_effect *,
		    const struct core_rules_ctx *, const struct core_rules_promo *,
		    const int64_t *, int64_t);

#endif
