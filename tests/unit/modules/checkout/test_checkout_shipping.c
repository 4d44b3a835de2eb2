/*
 * Unit tests of checkout's pure rules (modules/checkout/checkout.c,
 * checkout_shipping.c): the reader of the times pricing publishes, round
 * tripped through core_time_rfc3339 (what pricing writes them with) over
 * random instants, and what each kind of shipping method costs a cart at
 * and around its limits.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core_id.h"
#include "modules/checkout/checkout_int.h"

#define SHIP_TIME_CASES	20000

static uint64_t	ship_rng_state = 0x2545f4914f6cdd1dULL;

/* xorshift64*: a fixed seed, so a failing case is the same on every run. */
static uint64_t
ship_rng(void)
{
	ship_rng_state ^= ship_rng_state >> 12;
	ship_rng_state ^= ship_rng_state << 25;
	ship_rng_state ^= ship_rng_state >> 27;
	return (ship_rng_state * 2685821657736338717ULL);
}

Test(checkout_time, round_trips_what_pricing_writes)
{
	char	ts[40];
	int64_t	ms, back;
	int	i;

	for (i = 0; i < SHIP_TIME_CASES; i++) {
		/* 1970 to about 2248, every millisecond equally likely. */
		ms = (int64_t)(ship_rng() % 8800000000000ULL);
		if (i < 4)
			ms = (int64_t[]){ 0, 951782400000LL, 4107542400000LL,
			    1798761599999LL }[i];
		core_time_rfc3339(ts, sizeof(ts), ms);
		cr_assert_eq(checkout_time_parse(ts, &back), 0, "%s", ts);
		cr_assert_eq(back, ms, "%s: %lld, not %lld", ts,
		    (long long)back, (long long)ms);
	}
}

Test(checkout_time, refuses_other_forms)
{
	static const char *const bad[] = { "", "2026-11-26", "2026-11-26T12:00:00Z",
	    "2026-11-26T12:00:00.000+01:00", "2026-13-26T12:00:00.000Z",
	    "2026-11-26T24:00:00.000Z", "2026-11-26 12:00:00.000Z",
	    "1969-12-31T23:59:59.999Z", "2026-11-26T12:00:00.00xZ", NULL };
	int64_t	ms;
	int	i;

	for (i = 0; bad[i] != NULL; i++)
		cr_assert_eq(checkout_time_parse(bad[i], &ms), -1, "%s",
		    bad[i]);
}

Test(checkout_shipping, flat_and_pickup_always_offered)
{
	int64_t	v;

	cr_assert_eq(checkout_method_amount("flat", 490, 0, "[]", 0, 0, &v),
	    0);
	cr_assert_eq(v, 490);
	cr_assert_eq(checkout_method_amount("flat", 490, 0, "[]", 999999,
	    123456789, &v), 0);
	cr_assert_eq(v, 490);
	cr_assert_eq(checkout_method_amount("pickup", 0, 0, "[]", 5000, 1,
	    &v), 0);
	cr_assert_eq(v, 0);
}

Test(checkout_shipping, free_above_from_its_subtotal_on)
{
	int64_t	v;

	cr_assert_eq(checkout_method_amount("free_above", 0, 10000, "[]", 0,
	    9999, &v), 1);
	cr_assert_eq(checkout_method_amount("free_above", 0, 10000, "[]", 0,
	    10000, &v), 0);
	cr_assert_eq(v, 0);
}

Test(checkout_shipping, weight_takes_the_first_bracket_that_holds)
{
	static const char *br = "[{\"max_grams\":1000,\"amount\":500},"
	    "{\"max_grams\":5000,\"amount\":900}]";
	static const struct {
		int64_t	grams;
		int	rc;
		int64_t	amount;
	} cases[] = {
		{ 0, 0, 500 }, { 1000, 0, 500 }, { 1001, 0, 900 },
		{ 5000, 0, 900 }, { 5001, 1, 0 },
	};
	int64_t	v;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(checkout_method_amount("weight", 0, 0, br,
		    cases[i].grams, 0, &v), cases[i].rc, "%lld g",
		    (long long)cases[i].grams);
		if (cases[i].rc == 0)
			cr_assert_eq(v, cases[i].amount, "%lld g",
			    (long long)cases[i].grams);
	}
	cr_assert_eq(checkout_method_amount("weight", 0, 0, "not json", 10, 0,
	    &v), 1);
}
