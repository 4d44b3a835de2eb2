/*
 * Unit tests of the pricing module's pure input rules
 * (modules/pricing/pricing.c, pricing_settings.c, pricing_tax.c): the
 * RFC 3339 reader of price-list windows, checked against glibc's timegm
 * over thousands of random times, the ISO 4217 table with its minor
 * units, and the SKU and code rules.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modules/pricing/pricing_int.h"

#define PARSE_CASES	20000

static uint64_t	parse_rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a fixed seed, so a failing case is the same on every run. */
static uint64_t
parse_rng(void)
{
	parse_rng_state ^= parse_rng_state >> 12;
	parse_rng_state ^= parse_rng_state << 25;
	parse_rng_state ^= parse_rng_state >> 27;
	return (parse_rng_state * 2685821657736338717ULL);
}

static int64_t
parse_ms(const char *s)
{
	int64_t	ms;

	cr_assert_eq(pricing_time_parse(s, &ms), 0, "%s parses", s);
	return (ms);
}

Test(pricing_time, worked_examples)
{
	/* 2026-12-01T00:00:00Z: 20788 days after the epoch (by hand). */
	cr_assert_eq(parse_ms("2026-12-01T00:00:00Z"), 20788LL * 86400000);
	cr_assert_eq(parse_ms("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(parse_ms("1970-01-01T00:00:00.5Z"), 500);
	cr_assert_eq(parse_ms("1970-01-01T00:00:00.123456789Z"), 123);
	cr_assert_eq(parse_ms("1970-01-01t00:00:01z"), 1000);
	/* An offset east of UTC is earlier in UTC. */
	cr_assert_eq(parse_ms("1970-01-01T01:00:00+01:00"), 0);
	cr_assert_eq(parse_ms("1970-01-01T00:00:00-00:30"), 1800000);
}

Test(pricing_time, leap_days)
{
	int64_t	ms;

	cr_assert_eq(pricing_time_parse("2028-02-29T12:00:00Z", &ms), 0);
	cr_assert_eq(pricing_time_parse("2000-02-29T12:00:00Z", &ms), 0);
	cr_assert_eq(pricing_time_parse("2027-02-29T12:00:00Z", &ms), -1);
	cr_assert_eq(pricing_time_parse("2100-02-29T12:00:00Z", &ms), -1);
	cr_assert_eq(pricing_time_parse("2026-04-31T00:00:00Z", &ms), -1);
}

Test(pricing_time, refuses_what_is_not_rfc3339)
{
	static const char *const bad[] = {
		"", "tomorrow", "2026-12-01", "2026-12-01T00:00:00",
		"2026-12-01 00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-12-00T00:00:00Z", "2026-12-01T24:00:00Z",
		"2026-12-01T00:60:00Z", "2026-12-01T00:00:60Z",
		"2026-12-01T00:00:00.Z", "2026-12-01T00:00:00+1:00",
		"2026-12-01T00:00:00+01:60", "2026-12-01T00:00:00Zjunk",
		"+2026-12-01T00:00:00Z", "1969-12-31T23:59:59Z",
		"2026-12-01T00:00:00.1234567890Z", "2O26-12-01T00:00:00Z",
	};
	size_t	i;
	int64_t	ms;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(pricing_time_parse(bad[i], &ms), -1, "%s", bad[i]);
}

/* Random UTC times 1970-2399 agree with timegm, with any offset. */
Test(pricing_time, agrees_with_timegm)
{
	struct tm	tm;
	char		s[64];
	int64_t		want, got;
	time_t		t;
	int		i, off, frac;

	for (i = 0; i < PARSE_CASES; i++) {
		t = (time_t)(parse_rng() % 13569465600ULL);	/* to 2400 */
		gmtime_r(&t, &tm);
		frac = (int)(parse_rng() % 1000);
		off = (int)(parse_rng() % (2 * 14 * 60 + 1)) - 14 * 60;
		/* The local time at offset off of instant t. */
		t += (time_t)off * 60;
		gmtime_r(&t, &tm);
		snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c"
		    "%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, frac, off < 0 ? '-' : '+',
		    (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
		if (tm.tm_year + 1900 < 1970)
			continue;
		want = ((int64_t)timegm(&tm) - (int64_t)off * 60) * 1000 +
		    frac;
		cr_assert_eq(pricing_time_parse(s, &got), 0, "%s", s);
		cr_assert_eq(got, want, "%s: %lld != %lld", s, (long long)got,
		    (long long)want);
	}
}

Test(pricing_currency, iso4217_minor_units)
{
	cr_assert_eq(pricing_currency_minor("EUR"), 2);
	cr_assert_eq(pricing_currency_minor("USD"), 2);
	cr_assert_eq(pricing_currency_minor("JPY"), 0);
	cr_assert_eq(pricing_currency_minor("KRW"), 0);
	cr_assert_eq(pricing_currency_minor("KWD"), 3);
	cr_assert_eq(pricing_currency_minor("BHD"), 3);
	cr_assert_eq(pricing_currency_minor("CHF"), 2);
	cr_assert_eq(pricing_currency_minor("XYZ"), -1);
	cr_assert_eq(pricing_currency_minor("eur"), -1);
	cr_assert_eq(pricing_currency_minor("EU"), -1);
	cr_assert_eq(pricing_currency_minor("EURO"), -1);
	/* Three letters that straddle two entries of the packed table. */
	cr_assert_eq(pricing_currency_minor("D2A"), -1);
	cr_assert_eq(pricing_currency_minor("2AF"), -1);
}

Test(pricing_rules, sku_and_code)
{
	cr_assert(pricing_sku_valid("SHIRT-S"));
	cr_assert(pricing_sku_valid("a.b_c/d-1"));
	cr_assert(!pricing_sku_valid(""));
	cr_assert(!pricing_sku_valid("BAD SKU"));
	cr_assert(!pricing_sku_valid("sku%20"));
	cr_assert(pricing_sku_valid("0123456789012345678901234567890123456789"
	    "012345678901234567890123"));
	cr_assert(!pricing_sku_valid("0123456789012345678901234567890123456789"
	    "0123456789012345678901234"));
	cr_assert(pricing_code_valid("wholesale"));
	cr_assert(pricing_code_valid("vip-2_b"));
	cr_assert(!pricing_code_valid("VIP"));
	cr_assert(!pricing_code_valid("1vip"));
	cr_assert(!pricing_code_valid("-vip"));
	cr_assert(!pricing_code_valid(""));
	cr_assert(!pricing_code_valid("caf\xc3\xa9"));
}
