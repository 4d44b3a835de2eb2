/*
 * The rules for product input, shared by the API (create, patch) and the
 * CSV import: what a field may hold, never whether the database agrees
 * (taken SKUs and slugs are found when writing).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

static int	catalog_sku_repeated(const cJSON *, const cJSON *, const char *);
static void	catalog_field_error(cJSON **, const char *, int, const char *);

const char *const catalog_text_fields[CATALOG_TEXT_FIELDS][2] = {
	/* name, max bytes */
	{ "vendor", "200" }, { "product_type", "200" },
	{ "seo_title", "200" }, { "seo_description", "500" },
};

int
catalog_slug_valid(const char *s)
{
	size_t	i, n;

	n = strlen(s);
	if (n == 0 || n > 100 || s[0] == '-' || s[n - 1] == '-')
		return (0);
	for (i = 0; i < n; i++) {
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-'))
			return (0);
		if (s[i] == '-' && s[i + 1] == '-')
			return (0);
	}
	return (1);
}

int
catalog_sku_valid(const char *s)
{
	size_t	i, n;

	n = strlen(s);
	if (n == 0 || n > CATALOG_SKU_MAX)
		return (0);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._/-", s[i]) ==
		    NULL)
			return (0);
	return (1);
}

/* An array of at most max strings of at most len bytes, or missing. */
int
catalog_strings_valid(const cJSON *a, int max, size_t len)
{
	const cJSON	*it;
	int		 n;

	if (!cJSON_IsArray(a))
		return (0);
	n = 0;
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it) || strlen(it->valuestring) > len ||
		    ++n > max)
			return (0);
	}
	return (1);
}

/* 1 if each value in vals is among the values of the matching option. */
int
catalog_option_values_known(const cJSON *opts, const cJSON *vals)
{
	const cJSON	*o, *v, *it;
	int		 found;

	o = opts ? opts->child : NULL;
	for (v = vals->child; v != NULL; v = v->next, o = o ? o->next : NULL) {
		if (o == NULL)
			return (0);
		found = 0;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o,
		    "values"))
			if (cJSON_IsString(it) &&
			    strcmp(it->valuestring, v->valuestring) == 0)
				found = 1;
		if (!found)
			return (0);
	}
	return (1);
}

/* 1 if a variant before v in vars has the same sku. */
static int
catalog_sku_repeated(const cJSON *vars, const cJSON *v, const char *sku)
{
	const cJSON	*w;
	const char	*s;

	for (w = vars->child; w != NULL && w != v; w = w->next)
		if (core_json_get_str(w, "sku", CATALOG_SKU_MAX, &s) ==
		    CORE_JSON_OK && strcmp(s, sku) == 0)
			return (1);
	return (0);
}

static void
catalog_field_error(cJSON **errors, const char *fmt, int i, const char *msg)
{
	char	field[64];

	snprintf(field, sizeof(field), fmt, i);
	core_http_field_error(errors, field, msg);
}

void
catalog_product_validate(sqlite3 *db, const cJSON *b, int create, cJSON **errors)
{
	const cJSON	*it, *opts, *vars, *v, *x;
	const char	*s;
	size_t		 i;
	int		 rc, n, k, nopts;
	int64_t		 num;

	rc = core_json_get_str(b, "title", CATALOG_TITLE_MAX, &s);
	if ((create && rc != CORE_JSON_OK) || rc == CORE_JSON_WRONG ||
	    (rc == CORE_JSON_OK && *s == '\0'))
		core_http_field_error(errors, "title", "is required: 1 to 200 "
		    "characters");
	rc = core_json_get_str(b, "status", 16, &s);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    strcmp(s, "draft") != 0 && strcmp(s, "active") != 0 &&
	    strcmp(s, "archived") != 0))
		core_http_field_error(errors, "status",
		    "must be draft, active or archived");
	rc = core_json_get_str(b, "slug", 100, &s);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    !catalog_slug_valid(s)))
		core_http_field_error(errors, "slug", "must be lower-case "
		    "letters and digits in words joined by '-', at most 100");
	if (core_json_get_str(b, "description", CATALOG_DESC_MAX, &s) ==
	    CORE_JSON_WRONG)
		core_http_field_error(errors, "description",
		    "must be a string of at most 20000 bytes");
	for (i = 0; i < sizeof(catalog_text_fields) /
	    sizeof(catalog_text_fields[0]); i++) {
		if (core_json_get_str(b, catalog_text_fields[i][0],
		    (size_t)atoi(catalog_text_fields[i][1]), &s) ==
		    CORE_JSON_WRONG)
			core_http_field_error(errors, catalog_text_fields[i][0],
			    "is not a string of the allowed length");
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(b, "tags")) != NULL &&
	    !catalog_strings_valid(it, 50, 50))
		core_http_field_error(errors, "tags",
		    "must be at most 50 strings of at most 50 bytes");
	if ((it = cJSON_GetObjectItemCaseSensitive(b, "images")) != NULL) {
		n = 0;
		if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) > 50)
			core_http_field_error(errors, "images",
			    "must be an array of at most 50 images");
		x = cJSON_IsArray(it) ? it->child : NULL;
		for (; x != NULL && cJSON_GetArraySize(it) <= 50; x = x->next) {
			if (core_json_get_str(x, "url", 2000, &s) !=
			    CORE_JSON_OK || (strncmp(s, "https://", 8) != 0 &&
			    strncmp(s, "http://", 7) != 0 && s[0] != '/'))
				catalog_field_error(errors, "images[%d].url", n,
				    "must be an http(s) URL or a path");
			if (core_json_get_str(x, "alt", 500, &s) ==
			    CORE_JSON_WRONG)
				catalog_field_error(errors, "images[%d].alt", n,
				    "must be a string of at most 500 bytes");
			n++;
		}
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(b, "categories")) != NULL) {
		if (!catalog_strings_valid(it, 50, 40)) {
			core_http_field_error(errors, "categories",
			    "must be at most 50 category ids");
		} else {
			n = 0;
			cJSON_ArrayForEach(x, it) {
				if (core_db_scalar(db, "SELECT count(*) FROM"
				    " categories WHERE id = ?", x->valuestring,
				    0) == 0)
					catalog_field_error(errors,
					    "categories[%d]", n,
					    "is not a category");
				n++;
			}
		}
	}
	rc = core_json_get_str(b, "primary_category", 40, &s);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK && core_db_scalar(db,
	    "SELECT count(*) FROM categories WHERE id = ?", s, 0) == 0))
		core_http_field_error(errors, "primary_category",
		    "is not a category");

	nopts = 0;
	opts = cJSON_GetObjectItemCaseSensitive(b, "options");
	if (opts != NULL && !create)
		core_http_field_error(errors, "options",
		    "cannot change after creation yet");
	else if (opts != NULL) {
		if (!cJSON_IsArray(opts) || (nopts = cJSON_GetArraySize(opts)) >
		    CATALOG_OPTIONS_MAX) {
			core_http_field_error(errors, "options",
			    "must be an array of at most 3 options");
			nopts = 0;
		}
		for (x = nopts > 0 ? opts->child : NULL; x != NULL;
		    x = x->next) {
			if (core_json_get_str(x, "name", 50, &s) !=
			    CORE_JSON_OK || *s == '\0' || !catalog_strings_valid(
			    cJSON_GetObjectItemCaseSensitive(x, "values"), 100,
			    100)) {
				core_http_field_error(errors, "options",
				    "each needs a name (1-50) and values "
				    "(at most 100 strings)");
				break;
			}
		}
	}
	vars = cJSON_GetObjectItemCaseSensitive(b, "variants");
	if (!create) {
		if (vars != NULL)
			core_http_field_error(errors, "variants", "are changed "
			    "through their own endpoints");
		return;
	}
	if (!cJSON_IsArray(vars) || (n = cJSON_GetArraySize(vars)) < 1 ||
	    n > CATALOG_VARIANTS_MAX) {
		core_http_field_error(errors, "variants",
		    "must be an array of 1 to 100 variants");
		return;
	}
	k = 0;
	cJSON_ArrayForEach(v, vars) {
		if (!cJSON_IsObject(v)) {
			catalog_field_error(errors, "variants[%d]", k,
			    "must be an object");
		} else {
			if (core_json_get_str(v, "sku", CATALOG_SKU_MAX, &s) !=
			    CORE_JSON_OK || !catalog_sku_valid(s))
				catalog_field_error(errors, "variants[%d].sku",
				    k, "is required: 1 to 64 of A-Z a-z 0-9 "
				    ". _ / -");
			if (core_json_get_str(v, "barcode", 64, &s) ==
			    CORE_JSON_WRONG)
				catalog_field_error(errors,
				    "variants[%d].barcode", k,
				    "must be a string of at most 64 bytes");
			x = cJSON_GetObjectItemCaseSensitive(v, "options");
			if ((x != NULL || nopts > 0) && (x == NULL ||
			    !catalog_strings_valid(x, 3, 100) ||
			    cJSON_GetArraySize(x) != nopts ||
			    !catalog_option_values_known(opts, x)))
				catalog_field_error(errors,
				    "variants[%d].options", k, "must give one "
				    "of the option's values for each product "
				    "option");
			if (core_json_get_str(v, "sku", CATALOG_SKU_MAX, &s) ==
			    CORE_JSON_OK && catalog_sku_repeated(vars, v, s))
				catalog_field_error(errors, "variants[%d].sku",
				    k, "is used by another variant of this "
				    "product");
			if (core_json_get_i64(v, "weight_grams", 0, 10000000,
			    &num) == CORE_JSON_WRONG)
				catalog_field_error(errors,
				    "variants[%d].weight_grams", k,
				    "must be a whole number of grams");
			if (core_json_get_i64(v, "on_hand", 0,
			    CATALOG_STOCK_MAX, &num) == CORE_JSON_WRONG)
				catalog_field_error(errors,
				    "variants[%d].on_hand", k,
				    "must be a whole number from 0");
			if (core_json_get_bool(v, "track_stock", &rc) ==
			    CORE_JSON_WRONG)
				catalog_field_error(errors,
				    "variants[%d].track_stock", k,
				    "must be a boolean");
			if (core_json_get_bool(v, "allow_backorder", &rc) ==
			    CORE_JSON_WRONG)
				catalog_field_error(errors,
				    "variants[%d].allow_backorder", k,
				    "must be a boolean");
		}
		k++;
	}
}
