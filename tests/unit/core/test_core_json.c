/*
 * Unit tests of core/core_json.c: the typed accessors refuse wrong types,
 * non-integral or out-of-range numbers and bad strings instead of coercing
 * them; depth counts nesting; the UTF-8 check refuses overlong forms,
 * surrogates, values past U+10FFFF, NUL and truncated sequences.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/core_json.h"

static cJSON	*json_parse(const char *);

/* Parses text or fails the test.  The caller cJSON_Deletes the result. */
static cJSON *
json_parse(const char *text)
{
	cJSON	*o;

	o = cJSON_Parse(text);
	cr_assert_not_null(o, "test input is not JSON: %s", text);
	return (o);
}

/* --- core_json_get_str ----------------------------------------------- */

Test(core_json, get_str_returns_borrowed_string_up_to_max_bytes)
{
	cJSON		*o;
	const char	*s;

	/* "héllo" is 6 bytes: é is two. */
	o = json_parse("{\"name\":\"h\xc3\xa9llo\",\"empty\":\"\"}");
	cr_assert_eq(core_json_get_str(o, "name", 64, &s), CORE_JSON_OK);
	cr_assert_str_eq(s, "h\xc3\xa9llo");
	cr_assert_eq(s, cJSON_GetObjectItem(o, "name")->valuestring,
	    "borrowed from obj, not copied");
	cr_assert_eq(core_json_get_str(o, "name", 6, &s), CORE_JSON_OK,
	    "exactly max bytes is allowed");
	cr_assert_eq(core_json_get_str(o, "empty", 0, &s), CORE_JSON_OK);
	cr_assert_str_eq(s, "");
	cJSON_Delete(o);
}

Test(core_json, get_str_missing_or_null_is_missing)
{
	cJSON		*o;
	const char	*s;

	o = json_parse("{\"a\":null,\"Name\":\"x\"}");
	s = "junk";
	cr_assert_eq(core_json_get_str(o, "a", 64, &s), CORE_JSON_MISSING);
	cr_assert_null(s, "*out is cleared");
	cr_assert_eq(core_json_get_str(o, "b", 64, &s), CORE_JSON_MISSING);
	/* Keys are case sensitive. */
	cr_assert_eq(core_json_get_str(o, "name", 64, &s), CORE_JSON_MISSING);
	cJSON_Delete(o);
}

Test(core_json, get_str_refuses_other_types_long_strings_and_bad_utf8)
{
	cJSON		*o;
	const char	*s;

	o = json_parse("{\"n\":42,\"b\":true,\"a\":[\"x\"],\"o\":{\"x\":\"y\"},"
	    "\"long\":\"1234567\",\"wide\":\"h\xc3\xa9llo\","
	    "\"overlong\":\"\xc0\xaf\",\"surrogate\":\"\xed\xa0\x80\","
	    "\"high\":\"\xf4\x90\x80\x80\",\"cut\":\"ab\xe2\x82\"}");
	cr_assert_eq(core_json_get_str(o, "n", 64, &s), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "b", 64, &s), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "a", 64, &s), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "o", 64, &s), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "long", 6, &s), CORE_JSON_WRONG);
	/* max counts bytes, not characters: 6 bytes, 5 characters. */
	cr_assert_eq(core_json_get_str(o, "wide", 5, &s), CORE_JSON_WRONG);
	/* cJSON copies raw bytes as they are: the accessor must check. */
	cr_assert_eq(core_json_get_str(o, "overlong", 64, &s),
	    CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "surrogate", 64, &s),
	    CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "high", 64, &s), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_str(o, "cut", 64, &s), CORE_JSON_WRONG);
	cr_assert_null(s, "*out is cleared");
	cJSON_Delete(o);
}

/*
 * Regression: an escaped NUL used to truncate a string silently (cJSON
 * decodes "ad\u0000min" to a d NUL m i n and the accessors see "ad").
 * core_json_parse, which every request body goes through, refuses it; an
 * escaped backslash followed by "u0000" is ordinary text and stays.
 */
Test(core_json, parse_refuses_escaped_nul_instead_of_truncating)
{
	static const char	bad[] = "{\"role\":\"ad\\u0000min\"}";
	static const char	ok[] = "{\"s\":\"a\\\\u0000\"}";
	cJSON			*o;
	const char		*s;

	cr_assert_null(core_json_parse(bad, sizeof(bad) - 1));
	o = core_json_parse(ok, sizeof(ok) - 1);
	cr_assert_not_null(o);
	cr_assert_eq(core_json_get_str(o, "s", 64, &s), CORE_JSON_OK);
	cr_assert_str_eq(s, "a\\u0000");
	cJSON_Delete(o);
}

Test(core_json, parse_refuses_invalid_utf8_and_deep_nesting)
{
	char	deep[200];
	int	i;

	cr_assert_null(core_json_parse("{\"a\":\"\xc3\x28\"}", 10));
	for (i = 0; i < 40; i++)
		deep[i] = '[';
	for (i = 40; i < 80; i++)
		deep[i] = ']';
	cr_assert_null(core_json_parse(deep, 80));
	cr_assert_not_null(core_json_parse("{\"a\":[[1]]}", 11));
}

/* --- core_json_get_i64 ----------------------------------------------- */

Test(core_json, get_i64_reads_integral_numbers_within_range)
{
	cJSON	*o;
	int64_t	v;

	o = json_parse("{\"a\":42,\"neg\":-7,\"zero\":-0,\"exp\":1e2,"
	    "\"big\":9007199254740992,\"lo\":0,\"hi\":100}");
	cr_assert_eq(core_json_get_i64(o, "a", 0, 100, &v), CORE_JSON_OK);
	cr_assert_eq(v, 42);
	cr_assert_eq(core_json_get_i64(o, "neg", -10, 10, &v), CORE_JSON_OK);
	cr_assert_eq(v, -7);
	cr_assert_eq(core_json_get_i64(o, "zero", 0, 0, &v), CORE_JSON_OK);
	cr_assert_eq(v, 0);
	/* 1e2 is the integer 100 written another way. */
	cr_assert_eq(core_json_get_i64(o, "exp", 0, 1000, &v), CORE_JSON_OK);
	cr_assert_eq(v, 100);
	/* 2^53, the largest magnitude a double holds exactly. */
	cr_assert_eq(core_json_get_i64(o, "big", 0, INT64_MAX, &v),
	    CORE_JSON_OK);
	cr_assert_eq(v, 9007199254740992LL);
	/* The bounds are inclusive. */
	cr_assert_eq(core_json_get_i64(o, "lo", 0, 100, &v), CORE_JSON_OK);
	cr_assert_eq(core_json_get_i64(o, "hi", 0, 100, &v), CORE_JSON_OK);
	cJSON_Delete(o);
}

Test(core_json, get_i64_refuses_fractions_huge_values_and_out_of_range)
{
	cJSON	*o;
	int64_t	v;

	o = json_parse("{\"frac\":1.5,\"tiny\":0.0001,\"huge\":1e300,"
	    "\"inf\":1e400,\"past53\":9007199254740994,\"n\":101,\"m\":-1,"
	    "\"s\":\"42\",\"b\":true,\"a\":[1],\"null\":null}");
	v = 7;
	cr_assert_eq(core_json_get_i64(o, "frac", INT64_MIN, INT64_MAX, &v),
	    CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "tiny", INT64_MIN, INT64_MAX, &v),
	    CORE_JSON_WRONG);
	/* Integral as a double, but far past int64 and 2^53. */
	cr_assert_eq(core_json_get_i64(o, "huge", INT64_MIN, INT64_MAX, &v),
	    CORE_JSON_WRONG);
	/* cJSON turns 1e400 into infinity. */
	cr_assert_eq(core_json_get_i64(o, "inf", INT64_MIN, INT64_MAX, &v),
	    CORE_JSON_WRONG);
	/* 2^53 + 2: a double, but neighbours are no longer exact. */
	cr_assert_eq(core_json_get_i64(o, "past53", INT64_MIN, INT64_MAX,
	    &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "n", 0, 100, &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "m", 0, 100, &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "s", 0, 100, &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "b", 0, 100, &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "a", 0, 100, &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "null", 0, 100, &v),
	    CORE_JSON_MISSING);
	cr_assert_eq(core_json_get_i64(o, "absent", 0, 100, &v),
	    CORE_JSON_MISSING);
	cr_assert_eq(v, 7, "*out is left alone on error");
	cJSON_Delete(o);
}

Test(core_json, get_i64_refuses_nan_and_infinity_built_in_code)
{
	cJSON	*o;
	int64_t	v;

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "nan", NAN);
	cJSON_AddNumberToObject(o, "inf", -INFINITY);
	cr_assert_eq(core_json_get_i64(o, "nan", INT64_MIN, INT64_MAX, &v),
	    CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_i64(o, "inf", INT64_MIN, INT64_MAX, &v),
	    CORE_JSON_WRONG);
	cJSON_Delete(o);
}

/* --- core_json_get_bool ---------------------------------------------- */

Test(core_json, get_bool_reads_true_and_false)
{
	cJSON	*o;
	int	v;

	o = json_parse("{\"t\":true,\"f\":false}");
	cr_assert_eq(core_json_get_bool(o, "t", &v), CORE_JSON_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(core_json_get_bool(o, "f", &v), CORE_JSON_OK);
	cr_assert_eq(v, 0);
	cJSON_Delete(o);
}

Test(core_json, get_bool_refuses_numbers_and_strings)
{
	cJSON	*o;
	int	v;

	o = json_parse("{\"one\":1,\"zero\":0,\"s\":\"true\",\"null\":null}");
	v = 7;
	cr_assert_eq(core_json_get_bool(o, "one", &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_bool(o, "zero", &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_bool(o, "s", &v), CORE_JSON_WRONG);
	cr_assert_eq(core_json_get_bool(o, "null", &v), CORE_JSON_MISSING);
	cr_assert_eq(core_json_get_bool(o, "absent", &v), CORE_JSON_MISSING);
	cr_assert_eq(v, 7, "*out is left alone on error");
	cJSON_Delete(o);
}

/* --- core_json_depth ------------------------------------------------- */

Test(core_json, depth_counts_nesting_levels)
{
	cJSON	*o;

	o = json_parse("42");
	cr_assert_eq(core_json_depth(o), 1, "a scalar is 1");
	cJSON_Delete(o);
	o = json_parse("{}");
	cr_assert_eq(core_json_depth(o), 1, "an empty object is 1");
	cJSON_Delete(o);
	o = json_parse("{\"a\":1,\"b\":[1,[2]]}");
	cr_assert_eq(core_json_depth(o), 4, "{ [ [ 2 ] ] }: the deepest path");
	cJSON_Delete(o);
}

Test(core_json, depth_reports_past_max_depth_and_zero_for_null)
{
	char	text[2 * 40 + 1];
	cJSON	*o;
	int	i;

	cr_assert_eq(core_json_depth(NULL), 0);
	/* 40 nested arrays: more than CORE_JSON_MAX_DEPTH, still counted. */
	for (i = 0; i < 40; i++) {
		text[i] = '[';
		text[40 + i] = ']';
	}
	text[80] = '\0';
	o = json_parse(text);
	cr_assert_eq(core_json_depth(o), 40);
	cr_assert_gt(core_json_depth(o), CORE_JSON_MAX_DEPTH);
	cJSON_Delete(o);
}

/* --- core_json_utf8_valid -------------------------------------------- */

#define UTF8_OK(s)	cr_assert_eq(core_json_utf8_valid((s), \
			    sizeof(s) - 1), 1, "refused %s", #s)
#define UTF8_BAD(s)	cr_assert_eq(core_json_utf8_valid((s), \
			    sizeof(s) - 1), 0, "accepted %s", #s)

Test(core_json, utf8_valid_accepts_every_sequence_length_at_its_bounds)
{
	cr_assert_eq(core_json_utf8_valid("", 0), 1, "empty is valid");
	UTF8_OK("plain ASCII ~\x7f");
	UTF8_OK("\xc2\x80");		/* U+0080, first 2-byte */
	UTF8_OK("\xdf\xbf");		/* U+07FF, last 2-byte */
	UTF8_OK("\xe0\xa0\x80");	/* U+0800, first 3-byte */
	UTF8_OK("\xed\x9f\xbf");	/* U+D7FF, just below surrogates */
	UTF8_OK("\xee\x80\x80");	/* U+E000, just above them */
	UTF8_OK("\xef\xbf\xbf");	/* U+FFFF */
	UTF8_OK("\xf0\x90\x80\x80");	/* U+10000, first 4-byte */
	UTF8_OK("\xf4\x8f\xbf\xbf");	/* U+10FFFF, the last code point */
	/* "café € 😀" */
	UTF8_OK("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

Test(core_json, utf8_valid_rejects_overlong_forms)
{
	UTF8_BAD("\xc0\x80");		/* NUL in two bytes */
	UTF8_BAD("\xc0\xaf");		/* '/' in two bytes */
	UTF8_BAD("\xc1\xbf");		/* U+007F in two bytes */
	UTF8_BAD("\xe0\x80\x80");
	UTF8_BAD("\xe0\x9f\xbf");	/* U+07FF in three bytes */
	UTF8_BAD("\xf0\x80\x80\x80");
	UTF8_BAD("\xf0\x8f\xbf\xbf");	/* U+FFFF in four bytes */
}

Test(core_json, utf8_valid_rejects_surrogates_and_values_past_10ffff)
{
	UTF8_BAD("\xed\xa0\x80");	/* U+D800 */
	UTF8_BAD("\xed\xbf\xbf");	/* U+DFFF */
	UTF8_BAD("\xed\xa0\xbd\xed\xb8\x80");	/* CESU-8 pair for 😀 */
	UTF8_BAD("\xf4\x90\x80\x80");	/* U+110000 */
	UTF8_BAD("\xf5\x80\x80\x80");
	UTF8_BAD("\xf7\xbf\xbf\xbf");
	UTF8_BAD("\xf8\x88\x80\x80\x80");	/* old 5-byte form */
	UTF8_BAD("\xfc\x84\x80\x80\x80\x80");	/* old 6-byte form */
	UTF8_BAD("\xfe");
	UTF8_BAD("\xff");
}

Test(core_json, utf8_valid_rejects_nul_stray_and_truncated_sequences)
{
	UTF8_BAD("a\0b");		/* embedded NUL inside len */
	UTF8_BAD("\0");
	UTF8_BAD("\x80");		/* continuation without a lead */
	UTF8_BAD("a\xbf");
	UTF8_BAD("\xc3");		/* lead at the end */
	UTF8_BAD("\xe2\x82");		/* 3-byte cut after 2 */
	UTF8_BAD("\xf0\x9f\x98");	/* 4-byte cut after 3 */
	UTF8_BAD("\xc3\x41");		/* ASCII, not a continuation */
	UTF8_BAD("\xe2\x28\xa1");
	/* len ends inside a sequence that continues in memory. */
	cr_assert_eq(core_json_utf8_valid("\xe2\x82\xac", 2), 0);
	/* ...and bytes past len are not looked at. */
	cr_assert_eq(core_json_utf8_valid("ab\xff", 2), 1);
	cr_assert_eq(core_json_utf8_valid("ab\0cd", 2), 1);
}
