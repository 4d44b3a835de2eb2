/*
 * Unit tests of core/core_id.c: the shape of public ids (prefix, '_', 26
 * Crockford base32 characters), their time order and uniqueness, the
 * validator, and RFC 3339 formatting of millisecond timestamps.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/core_id.h"

#define ID_MANY		10000

static const char	id_crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int		id_cmp(const void *, const void *);
static long long	id_time_ms(const char *);
static long long	id_now_ms(void);

static int
id_cmp(const void *a, const void *b)
{
	return (strcmp((const char *)a, (const char *)b));
}

/* The millisecond timestamp held by the first 10 characters of body. */
static long long
id_time_ms(const char *body)
{
	long long	ms;
	int		i;

	ms = 0;
	for (i = 0; i < 10; i++)
		ms = ms * 32 + (strchr(id_crockford, body[i]) - id_crockford);
	return (ms);
}

static long long
id_now_ms(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return ((long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/* --- core_id_new ----------------------------------------------------- */

Test(core_id, new_writes_prefix_underscore_and_26_crockford_chars)
{
	char		 id[CORE_ID_MAX];
	long long	 before, after, t;

	before = id_now_ms();
	cr_assert_eq(core_id_new(id, sizeof(id), "usr"), id);
	after = id_now_ms();
	cr_assert_eq(strlen(id), 3 + 1 + CORE_ID_LEN, "%s", id);
	cr_assert_eq(strncmp(id, "usr_", 4), 0, "%s", id);
	cr_assert_eq(strspn(id + 4, id_crockford), CORE_ID_LEN, "%s", id);
	/* The first 10 characters are the creation time in ms. */
	t = id_time_ms(id + 4);
	cr_assert(t >= before && t <= after, "time %lld not in [%lld, %lld]",
	    t, before, after);

	/* The longest prefix the buffer is sized for. */
	core_id_new(id, sizeof(id), "abcdefghijklmnop");
	cr_assert_eq(strlen(id), 16 + 1 + CORE_ID_LEN);
}

Test(core_id, new_ids_made_2ms_apart_sort_in_creation_order)
{
	struct timespec	ts = { 0, 2 * 1000 * 1000 };
	char		a[CORE_ID_MAX], b[CORE_ID_MAX];
	int		i;

	for (i = 0; i < 20; i++) {
		core_id_new(a, sizeof(a), "evt");
		nanosleep(&ts, NULL);
		core_id_new(b, sizeof(b), "evt");
		cr_assert_lt(strcmp(a, b), 0, "%s made before %s", a, b);
	}
}

Test(core_id, new_10000_ids_are_unique)
{
	char	(*ids)[CORE_ID_MAX];
	int	i;

	ids = calloc(ID_MANY, sizeof(*ids));
	cr_assert_not_null(ids);
	for (i = 0; i < ID_MANY; i++)
		core_id_new(ids[i], sizeof(ids[i]), "ord");
	qsort(ids, ID_MANY, sizeof(*ids), id_cmp);
	for (i = 1; i < ID_MANY; i++)
		cr_assert_neq(strcmp(ids[i - 1], ids[i]), 0, "duplicate %s",
		    ids[i]);
	free(ids);
}

Test(core_id, new_truncates_into_a_short_buffer_without_overflow)
{
	char	buf[16];

	memset(buf, 'x', sizeof(buf));
	core_id_new(buf, 8, "usr");
	cr_assert_eq(strlen(buf), 7, "7 chars and the NUL: %s", buf);
	cr_assert_eq(strncmp(buf, "usr_", 4), 0, "%s", buf);
	cr_assert_eq(buf[8], 'x', "nothing written past len");
}

/* --- core_id_valid --------------------------------------------------- */

Test(core_id, valid_accepts_fresh_ids_and_every_crockford_char)
{
	char	id[CORE_ID_MAX];
	int	i;

	for (i = 0; i < 100; i++) {
		core_id_new(id, sizeof(id), "usr");
		cr_assert_eq(core_id_valid(id, "usr"), 1, "%s", id);
	}
	cr_assert_eq(core_id_valid("usr_0123456789ABCDEFGHJKMNPQRS", "usr"),
	    1);
	cr_assert_eq(core_id_valid("usr_TVWXYZ00000000000000000000", "usr"),
	    1);
}

Test(core_id, valid_rejects_wrong_prefix_length_and_characters)
{
	static const char *bad[] = {
		"ord_01J0000000000000000000000A",	/* other prefix */
		"usrx_01J00000000000000000000000",	/* longer prefix */
		"us_01J0000000000000000000000A",	/* shorter prefix */
		"usr-01J0000000000000000000000A",	/* no underscore */
		"usr01J0000000000000000000000AB",
		"_01J0000000000000000000000ABC",
		"usr_",
		"usr_01J000000000000000000000A",	/* 25 chars */
		"usr_01J00000000000000000000000A",	/* 27 chars */
		"usr_01J000000000000000000000aA",	/* lower case */
		"usr_01J000000000000000000000IA",	/* I: not Crockford */
		"usr_01J000000000000000000000LA",	/* nor L */
		"usr_01J000000000000000000000OA",	/* nor O */
		"usr_01J000000000000000000000UA",	/* nor U */
		"usr_01J000000000000000000000-A",
		"usr_01J000000000000000000000 A",
		"",
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(core_id_valid(bad[i], "usr"), 0, "accepted %s",
		    bad[i]);
}

/* --- core_time_rfc3339 ----------------------------------------------- */

Test(core_id, rfc3339_formats_utc_with_milliseconds)
{
	char	buf[32];

	core_time_rfc3339(buf, sizeof(buf), 0);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
	core_time_rfc3339(buf, sizeof(buf), 999);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00.999Z");
	core_time_rfc3339(buf, sizeof(buf), 86400000LL + 61001);
	cr_assert_str_eq(buf, "1970-01-02T00:01:01.001Z");

	/*
	 * 1795696562123 ms: 1795696562 s = 20783 days + 45362 s.
	 * 45362 s = 12 h 36 min 2 s.  Day 20783: 1970..2025 is 56 years
	 * with 14 leap days = 20454 days, leaving day 329 (from 0) of 2026,
	 * and Jan..Oct hold 304 days, so November 26.
	 */
	core_time_rfc3339(buf, sizeof(buf), 1795696562123LL);
	cr_assert_str_eq(buf, "2026-11-26T12:36:02.123Z");

	/* 2000-02-29: 10957 days to 2000-01-01, then 31 + 28. */
	core_time_rfc3339(buf, sizeof(buf), (10957LL + 59) * 86400000LL);
	cr_assert_str_eq(buf, "2000-02-29T00:00:00.000Z");
}

Test(core_id, rfc3339_truncates_into_a_short_buffer)
{
	char	buf[16];

	memset(buf, 'x', sizeof(buf));
	core_time_rfc3339(buf, 11, 0);
	cr_assert_str_eq(buf, "1970-01-01");
	cr_assert_eq(buf[11], 'x', "nothing written past len");
}

/*
 * Regression (was a bug, now fixed): times before the epoch.  ms / 1000 and ms % 1000 truncate toward
 * zero, so -1 ms (1969-12-31T23:59:59.999Z) comes out as
 * "1970-01-01T00:00:00.-01Z": the wrong second and a malformed fraction.
 * Today's callers pass the current time only.
 */
Test(core_id, rfc3339_formats_times_before_the_epoch)
{
	char	buf[32];

	core_time_rfc3339(buf, sizeof(buf), -1);
	cr_assert_str_eq(buf, "1969-12-31T23:59:59.999Z");
	core_time_rfc3339(buf, sizeof(buf), -86400000LL);
	cr_assert_str_eq(buf, "1969-12-31T00:00:00.000Z");
}
