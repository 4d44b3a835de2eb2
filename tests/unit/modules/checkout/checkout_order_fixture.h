/*
 * Helpers shared by the checkout order tests: a created payload whose
 * totals add up, and a small fixed-seed PRNG.
 */
#ifndef CHECKOUT_ORDER_FIXTURE_H
#define CHECKOUT_ORDER_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdint.h>

/*
 * A created payload with nlines lines (line i: quantity i + 1, unit price
 * 1000 * (i + 1), discount 100 on the first line, tax 19% included),
 * shipping 500, payment method pm.  Caller frees.
 */
cJSON		*cof_created(int nlines, const char *pm);

/* The same with explicit unit price and shipping (all lines qty 1). */
cJSON		*cof_created_priced(int nlines, int64_t unit, int64_t shipping,
		    const char *pm);

/* {"key": v} */
cJSON		*cof_obj_i64(const char *key, int64_t v);

uint64_t	 cof_rng(void);
void		 cof_rng_seed(uint64_t);

#endif
