/*
 * Typed accessors over cJSON that refuse wrong types, so handlers never read
 * a number where a string was sent.  cJSON keeps numbers as doubles: the
 * integer accessors check the value is integral and in range, which is what
 * keeps money exact.
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_JSON_MAX_DEPTH	32

/* Results of the accessors. */
#define CORE_JSON_OK		0
#define CORE_JSON_MISSING	1	/* absent or null */
#define CORE_JSON_WRONG		2	/* present, wrong type or out of range */

/*
 * *out = the string at key, borrowed from obj.  Strings longer than max
 * bytes or not valid UTF-8 are CORE_JSON_WRONG.
 */
int	core_json_get_str(const cJSON *obj, const char *key, size_t max,
	    const char **out);

/* *out = the integral number at key within [min, max]. */
int	core_json_get_i64(const cJSON *obj, const char *key, int64_t min,
	    int64_t max, int64_t *out);

/* *out = 0 or 1 for a JSON boolean at key. */
int	core_json_get_bool(const cJSON *obj, const char *key, int *out);

/*
 * Parses len bytes of untrusted JSON: valid UTF-8, no escaped NUL (cJSON
 * would cut the string there silently), at most CORE_JSON_MAX_DEPTH deep.
 * Returns the tree (free with cJSON_Delete) or NULL.
 */
cJSON	*core_json_parse(const char *text, size_t len);

/*
 * Moves every member of the object from into the object to, in order,
 * then frees from.  from is consumed and may be NULL.
 */
void	core_json_merge(cJSON *to, cJSON *from);

/* Nesting depth of item (a scalar is 1). */
int	core_json_depth(const cJSON *item);

/* 1 if the len bytes at s are valid UTF-8 without NUL, else 0. */
int	core_json_utf8_valid(const char *s, size_t len);

#endif
