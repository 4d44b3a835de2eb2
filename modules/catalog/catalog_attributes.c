/*
 * Attribute definitions: a code (what a filter names, ?attr.material=),
 * a label, a kind that decides what values look like, a unit for
 * numbers, the choices of a select, and whether the values are facets
 * (filterable) and words in the search index (searchable).  The code and
 * the kind never change: values already stored were checked against them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

static const char catalog_attr_select[] = "SELECT id, code, name, kind, unit,"
    " choices, filterable, searchable, position, version FROM attributes"
    " WHERE code = ?";

static cJSON	*catalog_attr_json(sqlite3_stmt *, int);
static int	 catalog_attr_code_valid(const char *);
static int	 catalog_attr_choices_valid(const cJSON *);
static void	 catalog_attr_validate(const cJSON *, const char *,
		    cJSON **);
static int	 catalog_attr_reindex(sqlite3 *, const char *);
static int	 catalog_attr_answer(struct core_req *, int, const char *);

int
catalog_attr_find(sqlite3 *db, const char *code, struct catalog_attr *a)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(a, 0, sizeof(*a));
	if ((st = core_db_stmt(db, catalog_attr_select)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(a->id, sizeof(a->id), "%s", sqlite3_column_text(st,
		    0));
		snprintf(a->code, sizeof(a->code), "%s",
		    sqlite3_column_text(st, 1));
		snprintf(a->kind, sizeof(a->kind), "%s",
		    sqlite3_column_text(st, 3));
		a->choices = cJSON_Parse((const char *)sqlite3_column_text(st,
		    5));
		a->version = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : core_db_err(db, "find attribute"));
}

void
catalog_attr_cleanup(struct catalog_attr *a)
{
	cJSON_Delete(a->choices);
	a->choices = NULL;
}

/* The row of catalog_attr_select as JSON; version for staff only. */
static cJSON *
catalog_attr_json(sqlite3_stmt *st, int staff)
{
	cJSON	*o, *c;

	o = cJSON_CreateObject();
	catalog_add_text(o, "id", st, 0);
	catalog_add_text(o, "code", st, 1);
	catalog_add_text(o, "name", st, 2);
	catalog_add_text(o, "kind", st, 3);
	catalog_add_text(o, "unit", st, 4);
	c = cJSON_Parse((const char *)sqlite3_column_text(st, 5));
	cJSON_AddItemToObject(o, "choices", c ? c : cJSON_CreateArray());
	cJSON_AddBoolToObject(o, "filterable", sqlite3_column_int(st, 6));
	cJSON_AddBoolToObject(o, "searchable", sqlite3_column_int(st, 7));
	cJSON_AddNumberToObject(o, "position", sqlite3_column_int(st, 8));
	if (staff)
		cJSON_AddNumberToObject(o, "version",
		    (double)sqlite3_column_int64(st, 9));
	return (o);
}

/* Answers status with the attribute code (and its ETag for staff). */
static int
catalog_attr_answer(struct core_req *r, int status, const char *code)
{
	sqlite3_stmt	*st;
	cJSON		*o;
	int		 staff;

	staff = r->who.role >= CORE_ROLE_STAFF;
	if ((st = core_db_stmt(core_db_get("catalog"), catalog_attr_select)) ==
	    NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_http_not_found(r, "not-found",
		    "no such attribute"));
	}
	o = catalog_attr_json(st, staff);
	if (staff)
		core_http_etag(r, sqlite3_column_int64(st, 9));
	sqlite3_reset(st);
	if (status == 201) {
		core_http_location(r, "/api/v1/catalog/attributes/", code);
	}
	core_http_json_take(r, status, o);
	return (KORE_RESULT_OK);
}

static int
catalog_attr_code_valid(const char *s)
{
	size_t	i;

	if (!islower((unsigned char)s[0]) || strlen(s) > CATALOG_ATTR_CODE_MAX)
		return (0);
	for (i = 1; s[i] != '\0'; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return (0);
	return (1);
}

/* 1..200 distinct non-empty strings of at most 100 bytes. */
static int
catalog_attr_choices_valid(const cJSON *c)
{
	const cJSON	*x, *y;

	if (!catalog_strings_valid(c, CATALOG_ATTR_CHOICES_MAX, 100) ||
	    c->child == NULL)
		return (0);
	cJSON_ArrayForEach(x, c) {
		if (*x->valuestring == '\0')
			return (0);
		for (y = c->child; y != x; y = y->next)
			if (strcmp(x->valuestring, y->valuestring) == 0)
				return (0);
	}
	return (1);
}

/*
 * Checks a create body (kind NULL) or a patch body of an attribute of
 * kind; adds to *errors.
 */
static void
catalog_attr_validate(const cJSON *b, const char *kind, cJSON **errors)
{
	const cJSON	*c;
	const char	*s, *k;
	int64_t		 n;
	int		 rc, flag;

	rc = core_json_get_str(b, "code", CATALOG_ATTR_CODE_MAX, &s);
	if (kind == NULL && (rc != CORE_JSON_OK || !catalog_attr_code_valid(s)))
		core_http_field_error(errors, "code", "is required: a lower-case"
		    " letter, then lower-case letters, digits or '_', at most"
		    " 40");
	k = kind;
	rc = core_json_get_str(b, "kind", 16, &s);
	if (kind == NULL) {
		if (rc != CORE_JSON_OK || (strcmp(s, "text") != 0 &&
		    strcmp(s, "number") != 0 && strcmp(s, "boolean") != 0 &&
		    strcmp(s, "select") != 0 && strcmp(s, "multiselect") != 0))
			core_http_field_error(errors, "kind", "is required: "
			    "text, number, boolean, select or multiselect");
		else
			k = s;
	} else if (rc != CORE_JSON_MISSING && (rc != CORE_JSON_OK ||
	    strcmp(s, kind) != 0)) {
		core_http_field_error(errors, "kind", "cannot change; create "
		    "a new attribute");
	}
	rc = core_json_get_str(b, "name", 100, &s);
	if ((kind == NULL && rc != CORE_JSON_OK) || rc == CORE_JSON_WRONG ||
	    (rc == CORE_JSON_OK && *s == '\0'))
		core_http_field_error(errors, "name", "is required: 1 to 100 "
		    "bytes");
	rc = core_json_get_str(b, "unit", CATALOG_ATTR_UNIT_MAX, &s);
	if (rc == CORE_JSON_WRONG)
		core_http_field_error(errors, "unit",
		    "must be a string of at most 20 bytes");
	else if (rc == CORE_JSON_OK && *s != '\0' && k != NULL &&
	    strcmp(k, "number") != 0)
		core_http_field_error(errors, "unit",
		    "is only for attributes of kind number");
	c = cJSON_GetObjectItemCaseSensitive(b, "choices");
	if (k != NULL && (strcmp(k, "select") == 0 ||
	    strcmp(k, "multiselect") == 0)) {
		if ((kind == NULL || c != NULL) && !catalog_attr_choices_valid(c))
			core_http_field_error(errors, "choices", "must be 1 to "
			    "200 distinct strings of 1 to 100 bytes");
	} else if (c != NULL && !(cJSON_IsArray(c) && c->child == NULL)) {
		core_http_field_error(errors, "choices",
		    "are only for select and multiselect attributes");
	}
	if (core_json_get_bool(b, "filterable", &flag) == CORE_JSON_WRONG)
		core_http_field_error(errors, "filterable", "must be a boolean");
	if (core_json_get_bool(b, "searchable", &flag) == CORE_JSON_WRONG)
		core_http_field_error(errors, "searchable", "must be a boolean");
	if (core_json_get_i64(b, "position", 0, 100000, &n) == CORE_JSON_WRONG)
		core_http_field_error(errors, "position",
		    "must be a whole number from 0 to 100000");
}

int
catalog_attributes_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data;
	int		 staff;

	staff = r->who.role >= CORE_ROLE_STAFF;
	if ((st = core_db_stmt(core_db_get("catalog"), "SELECT id, code, name,"
	    " kind, unit, choices, filterable, searchable, position, version"
	    " FROM attributes ORDER BY position, code")) == NULL)
		return (core_http_internal(r));
	data = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(data, catalog_attr_json(st, staff));
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

int
catalog_attributes_get(struct core_req *r)
{
	return (catalog_attr_answer(r, 200, r->params[0]));
}

int
catalog_attributes_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o;
	const char	*code, *name, *kind, *unit;
	char		 id[CORE_ID_MAX], *choices;
	int64_t		 pos, now;
	int		 filterable, searchable, rc;

	db = core_db_get("catalog");
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "code", "is required");
	else
		catalog_attr_validate(r->body, NULL, &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	(void)core_json_get_str(r->body, "code", CATALOG_ATTR_CODE_MAX, &code);
	(void)core_json_get_str(r->body, "name", 100, &name);
	(void)core_json_get_str(r->body, "kind", 16, &kind);
	unit = "";
	if (strcmp(kind, "number") == 0 && core_json_get_str(r->body, "unit",
	    CATALOG_ATTR_UNIT_MAX, &unit) != CORE_JSON_OK)
		unit = "";
	filterable = 0;
	(void)core_json_get_bool(r->body, "filterable", &filterable);
	searchable = 1;
	(void)core_json_get_bool(r->body, "searchable", &searchable);
	pos = 0;
	(void)core_json_get_i64(r->body, "position", 0, 100000, &pos);
	if (strcmp(kind, "select") == 0 || strcmp(kind, "multiselect") == 0)
		choices = cJSON_PrintUnformatted(
		    cJSON_GetObjectItemCaseSensitive(r->body, "choices"));
	else
		choices = NULL;
	core_id_new(id, sizeof(id), "attr");
	now = core_db_now_ms();
	if (core_db_begin(db) == -1) {
		cJSON_free(choices);
		return (core_http_internal(r));
	}
	if ((st = core_db_stmt(db, "INSERT INTO attributes (id, code, name,"
	    " kind, unit, choices, filterable, searchable, position,"
	    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, choices ? choices : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, filterable);
	sqlite3_bind_int(st, 8, searchable);
	sqlite3_bind_int64(st, 9, pos);
	sqlite3_bind_int64(st, 10, now);
	sqlite3_bind_int64(st, 11, now);
	rc = sqlite3_step(st);
	cJSON_free(choices);
	choices = NULL;
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		core_db_rollback(db);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", code);
		core_http_problem_with(r, 409, "code-taken", "Code taken",
		    "another attribute has this code", o);
		return (KORE_RESULT_OK);
	}
	if (rc != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	return (catalog_attr_answer(r, 201, code));
fail:
	cJSON_free(choices);
	core_db_err(db, "create attribute");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/*
 * Rewrites the search row (and the upserted event) of every product with
 * a value of attribute id: its words depend on the unit, the name of a
 * boolean and whether it is searchable.
 */
static int
catalog_attr_reindex(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	int64_t		*rows, *grown;
	size_t		 n, cap, i;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT DISTINCT product FROM"
	    " product_attributes WHERE attribute = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rows = NULL;
	n = cap = 0;
	rc = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(rows, cap * sizeof(*rows))) ==
			    NULL) {
				free(rows);
				sqlite3_reset(st);
				return (-1);
			}
			rows = grown;
		}
		rows[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? 0 : core_db_err(db, "attribute products");
	for (i = 0; i < n && rc == 0; i++)
		rc = catalog_product_changed(db, rows[i]);
	free(rows);
	return (rc);
}

int
catalog_attributes_patch(struct core_req *r)
{
	sqlite3			*db;
	sqlite3_stmt		*st;
	struct catalog_attr	 a;
	cJSON			*errors, *c, *x, *o;
	const char		*s;
	char			*choices;
	int64_t			 n;
	int			 flag, rc, reindex;

	db = core_db_get("catalog");
	if ((rc = catalog_attr_find(db, r->params[0], &a)) != 1) {
		if (rc == -1)
			return (core_http_internal(r));
		return (core_http_not_found(r, "not-found",
		    "no such attribute"));
	}
	choices = NULL;
	if (core_http_if_match(r, a.version, CORE_HTTP_IFM_REQUIRED,
	    "attribute") == -1)
		goto done;
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "body", "is required");
	else {
		catalog_attr_validate(r->body, a.kind, &errors);
		if (core_json_get_str(r->body, "code", 100, &s) !=
		    CORE_JSON_MISSING && (s == NULL || strcmp(s, a.code) != 0))
			core_http_field_error(&errors, "code", "cannot change; "
			    "filters and stored values name it");
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		goto done;
	}
	if (catalog_begin_at(r, db, "SELECT version FROM attributes WHERE"
	    " code = ?", a.code, a.version, "attribute") == -1)
		goto done;
	/* A choice that products hold cannot go: their values would dangle. */
	c = cJSON_GetObjectItemCaseSensitive(r->body, "choices");
	if (c != NULL && cJSON_IsArray(a.choices)) {
		cJSON_ArrayForEach(x, a.choices) {
			if (!cJSON_IsString(x))
				continue;
			if ((st = core_db_stmt(db, "SELECT count(*) FROM"
			    " product_attributes WHERE attribute = ? AND"
			    " value = ?")) == NULL)
				goto fail;
			sqlite3_bind_text(st, 1, a.id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, x->valuestring, -1,
			    SQLITE_STATIC);
			n = sqlite3_step(st) == SQLITE_ROW ?
			    sqlite3_column_int64(st, 0) : 0;
			sqlite3_reset(st);
			if (n == 0)
				continue;
			for (o = c->child; o != NULL; o = o->next)
				if (strcmp(o->valuestring, x->valuestring) == 0)
					break;
			if (o != NULL)
				continue;
			core_db_rollback(db);
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "choice", x->valuestring);
			cJSON_AddNumberToObject(o, "products", (double)n);
			core_http_problem_with(r, 409, "choice-in-use",
			    "Choice in use", "products hold this choice; change "
			    "their values first", o);
			goto done;
		}
		choices = cJSON_PrintUnformatted(c);
	}
	reindex = 0;
	if ((st = core_db_stmt(db, "UPDATE attributes SET"
	    " name = coalesce(?, name), unit = coalesce(?, unit),"
	    " choices = coalesce(?, choices),"
	    " filterable = coalesce(?, filterable),"
	    " searchable = coalesce(?, searchable),"
	    " position = coalesce(?, position), version = version + 1,"
	    " updated_at = ? WHERE id = ?")) == NULL)
		goto fail;
	if (core_json_get_str(r->body, "name", 100, &s) == CORE_JSON_OK) {
		sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
		reindex |= strcmp(a.kind, "boolean") == 0;
	}
	if (core_json_get_str(r->body, "unit", CATALOG_ATTR_UNIT_MAX, &s) ==
	    CORE_JSON_OK) {
		sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
		reindex = 1;
	}
	if (choices != NULL)
		sqlite3_bind_text(st, 3, choices, -1, SQLITE_STATIC);
	if (core_json_get_bool(r->body, "filterable", &flag) == CORE_JSON_OK)
		sqlite3_bind_int(st, 4, flag);
	if (core_json_get_bool(r->body, "searchable", &flag) == CORE_JSON_OK) {
		sqlite3_bind_int(st, 5, flag);
		reindex = 1;
	}
	if (core_json_get_i64(r->body, "position", 0, 100000, &n) ==
	    CORE_JSON_OK)
		sqlite3_bind_int64(st, 6, n);
	sqlite3_bind_int64(st, 7, core_db_now_ms());
	sqlite3_bind_text(st, 8, a.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    (reindex && catalog_attr_reindex(db, a.id) == -1) ||
	    core_db_commit(db) == -1)
		goto fail;
	catalog_attr_answer(r, 200, a.code);
	goto done;
fail:
	core_db_err(db, "patch attribute");
	core_db_rollback(db);
	core_http_internal(r);
done:
	cJSON_free(choices);
	catalog_attr_cleanup(&a);
	return (KORE_RESULT_OK);
}

/*
 * Refused (409) while a product holds a value or a type lists it: removing
 * it would silently change products.  Clear those first.
 */
int
catalog_attributes_delete(struct core_req *r)
{
	sqlite3			*db;
	sqlite3_stmt		*st;
	struct catalog_attr	 a;
	cJSON			*o;
	int64_t			 products, types;
	int			 rc;

	db = core_db_get("catalog");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((rc = catalog_attr_find(db, r->params[0], &a)) != 1) {
		core_db_rollback(db);
		if (rc == -1)
			return (core_http_internal(r));
		return (core_http_not_found(r, "not-found",
		    "no such attribute"));
	}
	catalog_attr_cleanup(&a);
	products = core_db_scalar(db, "SELECT count(DISTINCT product) FROM"
	    " product_attributes WHERE attribute = ?", a.id, 0);
	types = core_db_scalar(db, "SELECT count(*) FROM"
	    " product_type_attributes WHERE attribute = ?", a.id, 0);
	if (products > 0 || types > 0) {
		core_db_rollback(db);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "products", (double)products);
		cJSON_AddNumberToObject(o, "product_types", (double)types);
		core_http_problem_with(r, 409, "attribute-in-use", "In use",
		    "products hold values of this attribute or product types "
		    "list it; remove those first", o);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "DELETE FROM attributes WHERE id = ?")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, a.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete attribute");
	core_db_rollback(db);
	return (core_http_internal(r));
}
