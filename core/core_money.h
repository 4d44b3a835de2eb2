/*
 * Money: an integer count of minor units and an ISO 4217 code.  No floating
 * point anywhere; arithmetic refuses to overflow.
 */
#ifndef CORE_MONEY_H
#define CORE_MONEY_H

#include <stdint.h>

/* Largest amount we accept anywhere: 10^15 minor units. */
#define CORE_MONEY_MAX	1000000000000000LL

/* *out = a + b; returns 0, or -1 on overflow past CORE_MONEY_MAX. */
int	core_money_add(int64_t *out, int64_t a, int64_t b);

/* *out = a * n; returns 0, or -1 on overflow past CORE_MONEY_MAX. */
int	core_money_mul(int64_t *out, int64_t a, int64_t n);

/*
 * *out = amount * num / den rounded half away from zero (den > 0).
 * Percentages in basis points are (amount, bp, 10000).  Returns 0 or -1.
 */
int	core_money_ratio(int64_t *out, int64_t amount, int64_t num, int64_t den);

/* 1 if code is three upper-case ASCII letters, else 0. */
int	core_money_currency_valid(const char *code);

/*
 * Splits total over n weights by largest remainder: the parts are
 * proportional to the weights and sum exactly to total.  Ties go to the
 * earlier index.  Returns 0, or -1 if the weights sum to 0, a weight is
 * negative or n is 0.  Allocates nothing.
 */
int	core_money_allocate(int64_t *parts, int64_t total,
	    const int64_t *weights, int n);

#endif
