/*
 * Unit tests of core/core_money.c: overflow-checked add and mul, ratios
 * rounded half away from zero, currency codes, and largest-remainder
 * allocation (exact sums, proportional within one unit, deterministic).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "core/core_money.h"

#define ALLOC_CASES	10000
#define ALLOC_NMAX	12

static uint64_t	money_rng_state;

static uint64_t	money_rng(void);
static int64_t	money_rng_range(int64_t, int64_t);
static void	money_check_allocation(const int64_t *, int64_t,
		    const int64_t *, int);

/* xorshift64*: a fixed seed, so a failing case is the same on every run. */
static uint64_t
money_rng(void)
{
	money_rng_state ^= money_rng_state >> 12;
	money_rng_state ^= money_rng_state << 25;
	money_rng_state ^= money_rng_state >> 27;
	return (money_rng_state * 2685821657736338717ULL);
}

/* A value in [lo, hi]. */
static int64_t
money_rng_range(int64_t lo, int64_t hi)
{
	return (lo + (int64_t)(money_rng() % (uint64_t)(hi - lo + 1)));
}

/*
 * The allocation invariants: the parts sum to total, each part is within
 * one unit of its exact share total * w / sum, a zero weight gets 0.
 */
static void
money_check_allocation(const int64_t *parts, int64_t total,
    const int64_t *weights, int n)
{
	__int128	sum, given, exact_num, diff;
	int		i;

	sum = given = 0;
	for (i = 0; i < n; i++) {
		sum += weights[i];
		given += parts[i];
	}
	cr_assert(given == total, "parts sum to %lld, not total %lld",
	    (long long)given, (long long)total);
	for (i = 0; i < n; i++) {
		if (weights[i] == 0)
			cr_assert_eq(parts[i], 0, "zero weight %d got %lld", i,
			    (long long)parts[i]);
		/* |part - total*w/sum| < 1  <=>  |part*sum - total*w| < sum */
		exact_num = (__int128)total * weights[i];
		diff = (__int128)parts[i] * sum - exact_num;
		if (diff < 0)
			diff = -diff;
		cr_assert(diff < sum, "part %d = %lld is not within one unit "
		    "of %lld * %lld / sum", i, (long long)parts[i],
		    (long long)total, (long long)weights[i]);
	}
}

/* --- core_money_add -------------------------------------------------- */

Test(core_money, add_sums_values_up_to_money_max)
{
	int64_t	r;

	cr_assert_eq(core_money_add(&r, 1999, 1), 0);
	cr_assert_eq(r, 2000);
	cr_assert_eq(core_money_add(&r, -500, 200), 0);
	cr_assert_eq(r, -300);
	/* The bounds themselves are allowed. */
	cr_assert_eq(core_money_add(&r, CORE_MONEY_MAX - 1, 1), 0);
	cr_assert_eq(r, CORE_MONEY_MAX);
	cr_assert_eq(core_money_add(&r, -CORE_MONEY_MAX + 1, -1), 0);
	cr_assert_eq(r, -CORE_MONEY_MAX);
}

Test(core_money, add_refuses_results_past_money_max_and_int64_overflow)
{
	int64_t	r;

	r = 42;
	cr_assert_eq(core_money_add(&r, CORE_MONEY_MAX, 1), -1);
	cr_assert_eq(core_money_add(&r, -CORE_MONEY_MAX, -1), -1);
	/* Wraps in int64 arithmetic: must be caught, not wrapped. */
	cr_assert_eq(core_money_add(&r, INT64_MAX, 1), -1);
	cr_assert_eq(core_money_add(&r, INT64_MIN, -1), -1);
	cr_assert_eq(r, 42, "*out is left alone on overflow");
}

/* --- core_money_mul -------------------------------------------------- */

Test(core_money, mul_multiplies_quantities_up_to_money_max)
{
	int64_t	r;

	cr_assert_eq(core_money_mul(&r, 1999, 3), 0);
	cr_assert_eq(r, 5997);
	cr_assert_eq(core_money_mul(&r, -250, 4), 0);
	cr_assert_eq(r, -1000);
	cr_assert_eq(core_money_mul(&r, 123, 0), 0);
	cr_assert_eq(r, 0);
	cr_assert_eq(core_money_mul(&r, CORE_MONEY_MAX, 1), 0);
	cr_assert_eq(r, CORE_MONEY_MAX);
}

Test(core_money, mul_refuses_results_past_money_max_and_int64_overflow)
{
	int64_t	r;

	r = 42;
	cr_assert_eq(core_money_mul(&r, CORE_MONEY_MAX, 2), -1);
	/* 10^8 * 10^8 = 10^16: fits int64, but is past 10^15. */
	cr_assert_eq(core_money_mul(&r, 100000000LL, 100000000LL), -1);
	cr_assert_eq(core_money_mul(&r, -CORE_MONEY_MAX, 2), -1);
	cr_assert_eq(core_money_mul(&r, INT64_MAX, 2), -1);
	cr_assert_eq(core_money_mul(&r, INT64_MIN, -1), -1);
	cr_assert_eq(r, 42, "*out is left alone on overflow");
}

/* --- core_money_ratio ------------------------------------------------ */

Test(core_money, ratio_rounds_half_away_from_zero)
{
	static const struct {
		int64_t	amount, num, den, want;
	} c[] = {
		{ 5, 1, 2, 3 },		/* 2.5 -> 3 */
		{ -5, 1, 2, -3 },	/* -2.5 -> -3, not -2 */
		{ 5, -1, 2, -3 },	/* sign from num works the same */
		{ 1, 1, 2, 1 },		/* 0.5 -> 1 */
		{ -1, 1, 2, -1 },	/* -0.5 -> -1 */
		{ 4, 1, 2, 2 },		/* exact */
		{ 7, 1, 3, 2 },		/* 2.33 -> 2 */
		{ 8, 1, 3, 3 },		/* 2.67 -> 3 */
		{ -7, 1, 3, -2 },	/* -2.33 -> -2 */
		{ -8, 1, 3, -3 },	/* -2.67 -> -3 */
		{ 1, 1, 3, 0 },		/* 0.33 -> 0 */
		{ 1999, 1500, 10000, 300 },	/* 15% of 19.99 = 299.85 */
		{ 1999, 2000, 10000, 400 },	/* 20% of 19.99 = 399.8 */
		{ 1250, 2000, 10000, 250 },	/* exact */
		{ 25, 1000, 10000, 3 },		/* 10% of 25: 2.5 -> 3 */
		{ -25, 1000, 10000, -3 },	/* -2.5 -> -3 */
		{ 0, 1234, 10000, 0 },
		/* amount * num overflows int64 but the quotient fits. */
		{ CORE_MONEY_MAX, 10000, 10000, CORE_MONEY_MAX },
		{ CORE_MONEY_MAX, INT64_MAX, INT64_MAX, CORE_MONEY_MAX },
	};
	int64_t	r;
	size_t	i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(core_money_ratio(&r, c[i].amount, c[i].num,
		    c[i].den), 0, "case %zu", i);
		cr_assert_eq(r, c[i].want, "%lld * %lld / %lld = %lld, want "
		    "%lld", (long long)c[i].amount, (long long)c[i].num,
		    (long long)c[i].den, (long long)r, (long long)c[i].want);
	}
}

Test(core_money, ratio_refuses_non_positive_den_and_results_past_max)
{
	int64_t	r;

	r = 42;
	cr_assert_eq(core_money_ratio(&r, 100, 1, 0), -1);
	cr_assert_eq(core_money_ratio(&r, 100, 1, -2), -1);
	cr_assert_eq(core_money_ratio(&r, CORE_MONEY_MAX, 2, 1), -1);
	cr_assert_eq(core_money_ratio(&r, -CORE_MONEY_MAX, 2, 1), -1);
	/* 10^15 * 3 / 2 rounds to 1.5 * 10^15. */
	cr_assert_eq(core_money_ratio(&r, CORE_MONEY_MAX, 3, 2), -1);
	cr_assert_eq(r, 42, "*out is left alone on error");
}

/* --- core_money_currency_valid --------------------------------------- */

Test(core_money, currency_valid_accepts_three_upper_case_letters)
{
	cr_assert_eq(core_money_currency_valid("EUR"), 1);
	cr_assert_eq(core_money_currency_valid("USD"), 1);
	cr_assert_eq(core_money_currency_valid("AAA"), 1);
	cr_assert_eq(core_money_currency_valid("ZZZ"), 1);
}

Test(core_money, currency_valid_rejects_case_length_and_other_chars)
{
	static const char *bad[] = {
		"", "E", "EU", "EURO", "eur", "Eur", "EUr", "E1R", "EU ",
		" EU", "E-R", "@UR", "EU[", "\xc3\x89UR",	/* "ÉUR" */
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(core_money_currency_valid(bad[i]), 0,
		    "\"%s\" accepted", bad[i]);
}

/* --- core_money_allocate --------------------------------------------- */

Test(core_money, allocate_gives_leftover_units_to_largest_remainders)
{
	static const int64_t	w3[] = { 1, 1, 1 };
	static const int64_t	w4[] = { 1, 2, 3, 0 };
	static const int64_t	w1[] = { 7 };
	int64_t			parts[4];

	/* 100 over 1:1:1 = 33.33 each; the tie goes to the earliest. */
	cr_assert_eq(core_money_allocate(parts, 100, w3, 3), 0);
	cr_assert_eq(parts[0], 34);
	cr_assert_eq(parts[1], 33);
	cr_assert_eq(parts[2], 33);

	/*
	 * 100 over 1:2:3:0 = 16.67, 33.33, 50, 0: truncation gives 16+33+50
	 * = 99; remainders 4/6, 2/6, 0, 0, so the unit goes to the first.
	 */
	cr_assert_eq(core_money_allocate(parts, 100, w4, 4), 0);
	cr_assert_eq(parts[0], 17);
	cr_assert_eq(parts[1], 33);
	cr_assert_eq(parts[2], 50);
	cr_assert_eq(parts[3], 0);

	/* A refund: -100 over 1:1:1 is -34, -33, -33. */
	cr_assert_eq(core_money_allocate(parts, -100, w3, 3), 0);
	cr_assert_eq(parts[0], -34);
	cr_assert_eq(parts[1], -33);
	cr_assert_eq(parts[2], -33);

	/* One weight takes everything. */
	cr_assert_eq(core_money_allocate(parts, 1999, w1, 1), 0);
	cr_assert_eq(parts[0], 1999);
}

Test(core_money, allocate_refuses_zero_weight_sum_no_parts_and_negatives)
{
	static const int64_t	zeros[] = { 0, 0, 0 };
	static const int64_t	neg[] = { 5, -1, 3 };
	int64_t			parts[3];

	cr_assert_eq(core_money_allocate(parts, 100, zeros, 3), -1);
	cr_assert_eq(core_money_allocate(parts, 0, zeros, 3), -1);
	cr_assert_eq(core_money_allocate(parts, 100, zeros, 0), -1);
	cr_assert_eq(core_money_allocate(parts, 100, neg, 3), -1);
}

/*
 * 10000 seeded random cases: 1..12 weights (about a third of them zero),
 * small and huge weights, totals of either sign up to CORE_MONEY_MAX.
 */
Test(core_money, allocate_random_cases_sum_exactly_and_stay_proportional)
{
	int64_t	weights[ALLOC_NMAX], parts[ALLOC_NMAX];
	int64_t	again[ALLOC_NMAX];
	int64_t	total, wmax, sum;
	int	k, i, n, rc;

	money_rng_state = 0x6d65726361746fULL;	/* "mercato" */
	for (k = 0; k < ALLOC_CASES; k++) {
		n = (int)money_rng_range(1, ALLOC_NMAX);
		wmax = (k % 4 == 0) ? 1000000000000LL : 1000;
		total = (k % 3 == 0) ?
		    money_rng_range(-CORE_MONEY_MAX, CORE_MONEY_MAX) :
		    money_rng_range(-100000, 100000);
		sum = 0;
		for (i = 0; i < n; i++) {
			weights[i] = money_rng() % 3 == 0 ? 0 :
			    money_rng_range(1, wmax);
			sum += weights[i];
		}
		rc = core_money_allocate(parts, total, weights, n);
		if (sum == 0) {
			cr_assert_eq(rc, -1, "case %d: all-zero weights", k);
			continue;
		}
		cr_assert_eq(rc, 0, "case %d", k);
		money_check_allocation(parts, total, weights, n);
		/* Deterministic: the same input gives the same split. */
		cr_assert_eq(core_money_allocate(again, total, weights, n), 0);
		cr_assert_eq(memcmp(parts, again, n * sizeof(parts[0])), 0,
		    "case %d: two runs differ", k);
	}
}

/*
 * Past 256 parts the remainders are recomputed instead of kept on the
 * stack: the same rules must hold there.  1000 over 300 equal weights is
 * 3.33 each: 900 by truncation, the 100 left go to the first 100.  Then
 * 300 parts whose largest remainders sit past index 256.
 */
Test(core_money, allocate_many_parts_without_the_stack_buffer)
{
	static int64_t	weights[300], parts[300];
	int		i;

	for (i = 0; i < 300; i++)
		weights[i] = 1;
	cr_assert_eq(core_money_allocate(parts, 1000, weights, 300), 0);
	for (i = 0; i < 300; i++)
		cr_assert_eq(parts[i], i < 100 ? 4 : 3, "part %d", i);

	/*
	 * Weights 1 before 260, 2 after (sum 340), 80 to split: every share
	 * truncates to 0; the 40 weight-2 parts (0.47) get one first, then
	 * the 40 left go to the earliest weight-1 parts (0.235).
	 */
	for (i = 0; i < 300; i++)
		weights[i] = i < 260 ? 1 : 2;
	cr_assert_eq(core_money_allocate(parts, 80, weights, 300), 0);
	money_check_allocation(parts, 80, weights, 300);
	for (i = 0; i < 300; i++)
		cr_assert_eq(parts[i], i < 40 || i >= 260 ? 1 : 0, "part %d",
		    i);

	money_rng_state = 0x5eed;
	for (i = 0; i < 300; i++)
		weights[i] = money_rng_range(0, 1000000);
	cr_assert_eq(core_money_allocate(parts, -987654321, weights, 300), 0);
	money_check_allocation(parts, -987654321, weights, 300);
}
