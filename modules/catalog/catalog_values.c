/*
 * A product's type and its typed attribute values: the checks a create or
 * patch body must pass, storage in product_attributes (one row per value,
 * a multiselect one row per choice), the JSON view and the words the search
 * row gets.  Any defined attribute may be set on any product; the type
 * says which ones its products must carry (and which the editor offers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

static const char	*catalog_value_check(const struct catalog_attr *,
			    const cJSON *);
static int		 catalog_value_number(double, int64_t *);
static void		 catalog_value_numtext(int64_t, char *, size_t);
static int		 catalog_value_empty(const cJSON *);
static int		 catalog_value_insert(sqlite3 *, int64_t, const char *,
			    const char *, const int64_t *);

/* The value times 1000 into *num if it has at most 3 decimals: 0 or -1. */
static int
catalog_value_number(double v, int64_t *num)
{
	double	x, r;

	if (!(v >= -CATALOG_ATTR_NUM_MAX && v <= CATALOG_ATTR_NUM_MAX))
		return (-1);
	x = v * 1000.0;
	r = (double)(int64_t)(x + (x >= 0 ? 0.5 : -0.5));
	/* 0.1 * 1000 is not exactly 100: allow the binary fraction's error. */
	if (x - r > 1e-6 || r - x > 1e-6)
		return (-1);
	*num = (int64_t)r;
	return (0);
}

/* num (value times 1000) as the shortest decimal text: "72.5", "-3". */
static void
catalog_value_numtext(int64_t num, char *out, size_t len)
{
	int64_t	a;
	char	frac[8];
	int	n;

	a = num < 0 ? -num : num;
	if (a % 1000 == 0) {
		snprintf(out, len, "%s%lld", num < 0 ? "-" : "",
		    (long long)(a / 1000));
		return;
	}
	snprintf(frac, sizeof(frac), "%03lld", (long long)(a % 1000));
	for (n = 2; n > 0 && frac[n] == '0'; n--)
		frac[n] = '\0';
	snprintf(out, len, "%s%lld.%s", num < 0 ? "-" : "",
	    (long long)(a / 1000), frac);
}

/* 1 if s is one of the strings in choices. */
static int
catalog_value_choice(const cJSON *choices, const char *s)
{
	const cJSON	*c;

	cJSON_ArrayForEach(c, choices)
		if (cJSON_IsString(c) && strcmp(c->valuestring, s) == 0)
			return (1);
	return (0);
}

/* Characters (not bytes) of UTF-8 s. */
static size_t
catalog_value_chars(const char *s)
{
	size_t	n;

	for (n = 0; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
}

/* NULL if v is a valid value of a, else what is wrong with it. */
static const char *
catalog_value_check(const struct catalog_attr *a, const cJSON *v)
{
	const cJSON	*x, *y;
	int64_t		 num;

	if (strcmp(a->kind, "text") == 0) {
		if (!cJSON_IsString(v))
			return ("must be a string");
		if (*v->valuestring == '\0')
			return ("must not be empty; send null to remove it");
		if (catalog_value_chars(v->valuestring) > CATALOG_ATTR_TEXT_MAX)
			return ("must be at most 200 characters");
	} else if (strcmp(a->kind, "number") == 0) {
		if (!cJSON_IsNumber(v))
			return ("must be a number");
		if (catalog_value_number(v->valuedouble, &num) == -1)
			return ("must be a number of at most 3 decimals "
			    "between -1000000000 and 1000000000");
	} else if (strcmp(a->kind, "boolean") == 0) {
		if (!cJSON_IsBool(v))
			return ("must be true or false");
	} else if (strcmp(a->kind, "select") == 0) {
		if (!cJSON_IsString(v))
			return ("must be a string, one of the choices");
		if (!catalog_value_choice(a->choices, v->valuestring))
			return ("is not one of the attribute's choices");
	} else {
		if (!cJSON_IsArray(v))
			return ("must be an array of the attribute's choices");
		cJSON_ArrayForEach(x, v) {
			if (!cJSON_IsString(x) ||
			    !catalog_value_choice(a->choices, x->valuestring))
				return ("holds a value that is not one of the "
				    "attribute's choices");
			for (y = v->child; y != x; y = y->next)
				if (strcmp(y->valuestring, x->valuestring) == 0)
					return ("names a choice twice");
		}
	}
	return (NULL);
}

/* 1 if v removes the value: null or an empty multiselect. */
static int
catalog_value_empty(const cJSON *v)
{
	return (v == NULL || cJSON_IsNull(v) ||
	    (cJSON_IsArray(v) && v->child == NULL));
}

void
catalog_values_validate(sqlite3 *db, const cJSON *b, int64_t rowid,
    cJSON **errors)
{
	sqlite3_stmt		*st;
	struct catalog_attr	 a;
	const cJSON		*tid, *attrs, *v;
	const char		*type, *msg, *code;
	char			 field[96], cur[48];
	int			 n, rc;

	tid = cJSON_GetObjectItemCaseSensitive(b, "type_id");
	attrs = cJSON_GetObjectItemCaseSensitive(b, "attributes");
	if (rowid != -1 && tid == NULL && attrs == NULL)
		return;
	type = NULL;
	if (tid != NULL && !cJSON_IsNull(tid)) {
		if (!cJSON_IsString(tid) || strlen(tid->valuestring) > 40 ||
		    core_db_scalar(db, "SELECT count(*) FROM product_types"
		    " WHERE id = ?", tid->valuestring, 0) == 0)
			core_http_field_error(errors, "type_id",
			    "is not a product type");
		else
			type = tid->valuestring;
	}
	if (attrs != NULL && !cJSON_IsObject(attrs)) {
		core_http_field_error(errors, "attributes",
		    "must be an object of attribute codes and values");
		attrs = NULL;
	}
	n = 0;
	cJSON_ArrayForEach(v, attrs) {
		snprintf(field, sizeof(field), "attributes.%.*s",
		    CATALOG_ATTR_CODE_MAX + 8, v->string);
		if (++n > 100) {
			core_http_field_error(errors, "attributes",
			    "may hold at most 100 attributes");
			break;
		}
		if ((rc = catalog_attr_find(db, v->string, &a)) != 1) {
			core_http_field_error(errors, field, rc == 0 ?
			    "is not an attribute" : "could not be checked");
			continue;
		}
		if (!cJSON_IsNull(v) && (msg = catalog_value_check(&a, v)) !=
		    NULL)
			core_http_field_error(errors, field, msg);
		catalog_attr_cleanup(&a);
	}

	/* The type the product will have, and its required attributes. */
	if (tid == NULL && rowid != -1) {
		if ((st = core_db_stmt(db, "SELECT type_id FROM products WHERE"
		    " rowid = ? AND type_id IS NOT NULL")) == NULL)
			return;
		sqlite3_bind_int64(st, 1, rowid);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(cur, sizeof(cur), "%s",
			    sqlite3_column_text(st, 0));
			type = cur;
		}
		sqlite3_reset(st);
	}
	if (type == NULL)
		return;
	if ((st = core_db_stmt(db, "SELECT a.code, (SELECT count(*) FROM"
	    " product_attributes pa WHERE pa.product = ? AND pa.attribute ="
	    " a.id) FROM product_type_attributes t JOIN attributes a ON a.id ="
	    " t.attribute WHERE t.type = ? AND t.required = 1 ORDER BY"
	    " t.position")) == NULL)
		return;
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		code = (const char *)sqlite3_column_text(st, 0);
		v = attrs ? cJSON_GetObjectItemCaseSensitive(attrs, code) :
		    NULL;
		if (v != NULL ? !catalog_value_empty(v) :
		    sqlite3_column_int64(st, 1) > 0)
			continue;
		snprintf(field, sizeof(field), "attributes.%s", code);
		core_http_field_error(errors, field,
		    "is required by the product type");
	}
	sqlite3_reset(st);
}

static int
catalog_value_insert(sqlite3 *db, int64_t rowid, const char *attr,
    const char *value, const int64_t *num)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "INSERT OR IGNORE INTO product_attributes"
	    " (product, attribute, value, num) VALUES (?, ?, ?, ?)")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_text(st, 2, attr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
	if (num != NULL)
		sqlite3_bind_int64(st, 4, *num);
	else
		sqlite3_bind_null(st, 4);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "insert attribute value"));
	return (0);
}

int
catalog_values_write(sqlite3 *db, int64_t rowid, const cJSON *b)
{
	sqlite3_stmt		*st;
	struct catalog_attr	 a;
	const cJSON		*tid, *v, *x;
	char			 text[48];
	int64_t			 num;
	int			 rc;

	if ((tid = cJSON_GetObjectItemCaseSensitive(b, "type_id")) != NULL) {
		if ((st = core_db_stmt(db, "UPDATE products SET type_id = ?"
		    " WHERE rowid = ?")) == NULL)
			return (-1);
		if (cJSON_IsString(tid))
			sqlite3_bind_text(st, 1, tid->valuestring, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 1);
		sqlite3_bind_int64(st, 2, rowid);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "set product type"));
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(b,
	    "attributes")) {
		if (catalog_attr_find(db, v->string, &a) != 1)
			return (-1);
		rc = -1;
		if ((st = core_db_stmt(db, "DELETE FROM product_attributes"
		    " WHERE product = ? AND attribute = ?")) == NULL)
			goto next;
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, a.id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "clear attribute value");
			goto next;
		}
		rc = 0;
		if (cJSON_IsNumber(v)) {
			(void)catalog_value_number(v->valuedouble, &num);
			catalog_value_numtext(num, text, sizeof(text));
			rc = catalog_value_insert(db, rowid, a.id, text, &num);
		} else if (cJSON_IsBool(v)) {
			rc = catalog_value_insert(db, rowid, a.id,
			    cJSON_IsTrue(v) ? "true" : "false", NULL);
		} else if (cJSON_IsString(v)) {
			rc = catalog_value_insert(db, rowid, a.id,
			    v->valuestring, NULL);
		} else if (cJSON_IsArray(v)) {
			cJSON_ArrayForEach(x, v)
				if (rc == 0)
					rc = catalog_value_insert(db, rowid,
					    a.id, x->valuestring, NULL);
		}
next:
		catalog_attr_cleanup(&a);
		if (rc == -1)
			return (-1);
	}
	return (0);
}

void
catalog_values_json(sqlite3 *db, int64_t rowid, cJSON *o)
{
	sqlite3_stmt	*st;
	cJSON		*attrs, *arr;
	const char	*code, *kind, *value;

	if ((st = core_db_stmt(db, "SELECT type_id FROM products WHERE"
	    " rowid = ?")) == NULL)
		return;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		catalog_add_text(o, "type_id", st, 0);
	else
		cJSON_AddNullToObject(o, "type_id");
	sqlite3_reset(st);
	attrs = cJSON_AddObjectToObject(o, "attributes");
	if ((st = core_db_stmt(db, "SELECT a.code, a.kind, pa.value, pa.num"
	    " FROM product_attributes pa JOIN attributes a ON a.id ="
	    " pa.attribute WHERE pa.product = ? ORDER BY a.position, a.code,"
	    " pa.value")) == NULL)
		return;
	sqlite3_bind_int64(st, 1, rowid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		code = (const char *)sqlite3_column_text(st, 0);
		kind = (const char *)sqlite3_column_text(st, 1);
		value = (const char *)sqlite3_column_text(st, 2);
		if (strcmp(kind, "number") == 0) {
			cJSON_AddNumberToObject(attrs, code,
			    (double)sqlite3_column_int64(st, 3) / 1000.0);
		} else if (strcmp(kind, "boolean") == 0) {
			cJSON_AddBoolToObject(attrs, code,
			    strcmp(value, "true") == 0);
		} else if (strcmp(kind, "multiselect") == 0) {
			if ((arr = cJSON_GetObjectItemCaseSensitive(attrs,
			    code)) == NULL)
				arr = cJSON_AddArrayToObject(attrs, code);
			cJSON_AddItemToArray(arr, cJSON_CreateString(value));
		} else {
			cJSON_AddStringToObject(attrs, code, value);
		}
	}
	sqlite3_reset(st);
}

/*
 * Text, choices and "120 cm" of searchable attributes; a boolean that is
 * true adds the attribute's name ("Organic"), a false one nothing.
 */
char *
catalog_values_text(sqlite3 *db, int64_t rowid)
{
	sqlite3_stmt	*st;
	struct kore_buf	*buf;
	const char	*kind, *name, *unit, *value, *sep;
	char		*s;

	buf = kore_buf_alloc(128);
	sep = "";
	if ((st = core_db_stmt(db, "SELECT a.kind, a.name, a.unit, pa.value"
	    " FROM product_attributes pa JOIN attributes a ON a.id ="
	    " pa.attribute WHERE pa.product = ? AND a.searchable = 1 ORDER BY"
	    " a.position, a.code, pa.value")) != NULL) {
		sqlite3_bind_int64(st, 1, rowid);
		while (sqlite3_step(st) == SQLITE_ROW) {
			kind = (const char *)sqlite3_column_text(st, 0);
			name = (const char *)sqlite3_column_text(st, 1);
			unit = (const char *)sqlite3_column_text(st, 2);
			value = (const char *)sqlite3_column_text(st, 3);
			if (strcmp(kind, "boolean") == 0) {
				if (strcmp(value, "true") != 0)
					continue;
				value = name;
			}
			kore_buf_appendf(buf, "%s%s", sep, value);
			if (strcmp(kind, "number") == 0 && *unit != '\0')
				kore_buf_appendf(buf, " %s", unit);
			sep = " ";
		}
		sqlite3_reset(st);
	}
	s = strdup(kore_buf_stringify(buf, NULL));
	kore_buf_free(buf);
	return (s);
}
