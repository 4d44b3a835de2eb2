/*
 * Typed accessors over cJSON (see core_json.h): wrong types and numbers that
 * are not exact integers are refused rather than coerced.
 */
#include <math.h>
#include <string.h>

#include "core/core_json.h"

int
core_json_get_str(const cJSON *obj, const char *key, size_t max,
    const char **out)
{
	const cJSON	*it;
	size_t		 len;

	*out = NULL;
	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (it == NULL || cJSON_IsNull(it))
		return (CORE_JSON_MISSING);
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return (CORE_JSON_WRONG);
	len = strlen(it->valuestring);
	if (len > max || !core_json_utf8_valid(it->valuestring, len))
		return (CORE_JSON_WRONG);
	*out = it->valuestring;
	return (CORE_JSON_OK);
}

int
core_json_get_i64(const cJSON *obj, const char *key, int64_t min,
    int64_t max, int64_t *out)
{
	const cJSON	*it;
	double		 d;

	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (it == NULL || cJSON_IsNull(it))
		return (CORE_JSON_MISSING);
	if (!cJSON_IsNumber(it))
		return (CORE_JSON_WRONG);
	d = it->valuedouble;
	/* 2^53: beyond it a double no longer holds every integer. */
	if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
		return (CORE_JSON_WRONG);
	if ((int64_t)d < min || (int64_t)d > max)
		return (CORE_JSON_WRONG);
	*out = (int64_t)d;
	return (CORE_JSON_OK);
}

int
core_json_get_bool(const cJSON *obj, const char *key, int *out)
{
	const cJSON	*it;

	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (it == NULL || cJSON_IsNull(it))
		return (CORE_JSON_MISSING);
	if (!cJSON_IsBool(it))
		return (CORE_JSON_WRONG);
	*out = cJSON_IsTrue(it) ? 1 : 0;
	return (CORE_JSON_OK);
}

cJSON *
core_json_parse(const char *text, size_t len)
{
	cJSON		*root;
	const char	*end;
	size_t		 i, bs;

	if (!core_json_utf8_valid(text, len))
		return (NULL);
	/* \u0000 is an escape only after an even run of backslashes. */
	bs = 0;
	for (i = 0; i < len; i++) {
		if (text[i] == '\\') {
			bs++;
			continue;
		}
		if (text[i] == 'u' && (bs % 2) == 1 && i + 4 < len &&
		    memcmp(text + i + 1, "0000", 4) == 0)
			return (NULL);
		bs = 0;
	}
	if ((root = cJSON_ParseWithLengthOpts(text, len, &end, 0)) == NULL)
		return (NULL);
	/* Nothing but white space may follow the value. */
	for (; end < text + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\n' &&
		    *end != '\r') {
			cJSON_Delete(root);
			return (NULL);
		}
	}
	if (core_json_depth(root) > CORE_JSON_MAX_DEPTH) {
		cJSON_Delete(root);
		return (NULL);
	}
	return (root);
}

void
core_json_merge(cJSON *to, cJSON *from)
{
	cJSON	*it;

	if (from == NULL)
		return;
	while ((it = from->child) != NULL) {
		cJSON_DetachItemViaPointer(from, it);
		cJSON_AddItemToObject(to, it->string, it);
	}
	cJSON_Delete(from);
}

int
core_json_depth(const cJSON *item)
{
	const cJSON	*c;
	int		 d, max;

	if (item == NULL)
		return (0);
	max = 0;
	for (c = item->child; c != NULL; c = c->next) {
		d = core_json_depth(c);
		if (d > max)
			max = d;
	}
	return (max + 1);
}

int
core_json_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p, *end;
	uint32_t		 cp;
	int			 n, i;

	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		if (*p == 0)
			return (0);
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return (0);
		}
		if (end - p <= n)
			return (0);
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		p += n + 1;
	}
	return (1);
}
