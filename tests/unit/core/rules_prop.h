/*
 * The random cases the pricing rules engine's property tests share: a
 * fixed-seed splitmix64, a generator of valid carts and promotion sets, and
 * the checker of the invariants every result must hold.
 */
#ifndef RULES_PROP_H
#define RULES_PROP_H

#include <stdint.h>

#include "core/core_rules.h"

#define PROP_SKUS	120
#define PROP_PRODUCTS	12
#define PROP_CATS	6
#define PROP_CODES	4
#define PROP_NRATES	9

struct prop_case {
	struct core_rules_input	 in;
	struct core_rules_line	 lines[CORE_RULES_MAX_LINES];
	struct core_rules_promo	 promos[CORE_RULES_MAX_PROMOS];
	/* Per-line and per-promotion lists, pointing into the pools. */
	const char		*line_cats[CORE_RULES_MAX_LINES][3];
	const char		*lists[CORE_RULES_MAX_PROMOS][6][3];
	const char		*codes[2];
};

extern uint64_t				prop_state;
extern char				prop_skus[PROP_SKUS][24];
extern const struct core_rules_tax_rate	prop_rates[PROP_NRATES];

/* The next 64 random bits; a value in [lo, hi]. */
uint64_t	prop_rng(void);
int64_t		prop_range(int64_t lo, int64_t hi);
/* Fills the name pools (SKUs, product ids, promotion ids). */
void		prop_pools(void);
/* A random valid case into *c (all its pointers point into c or pools). */
void		prop_gen(struct prop_case *c);
/* Fisher-Yates shuffle of v[0..n). */
void		prop_shuffle(int *v, int n);
/* The engine's matching rule, restated independently. */
int		prop_matches(const struct core_rules_match *,
		    const struct core_rules_line *);
/* Asserts every invariant of result r of input in; k names the case. */
void		prop_check(int k, const struct core_rules_input *in,
		    const struct core_rules_result *r);

#endif
