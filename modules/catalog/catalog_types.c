/*
 * Product types: a named list of attributes ("Shirt": material, fit,
 * colour), each either required or optional.  A product of the type must
 * carry its required attributes whenever its type or values are written;
 * the admin editor offers the type's attributes as inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

#define CATALOG_TYPE_ATTRS_MAX	100

static cJSON	*catalog_type_json(sqlite3 *, const char *, int);
static void	 catalog_type_validate(sqlite3 *, const cJSON *, int,
		    cJSON **);
static int	 catalog_type_set_attrs(sqlite3 *, const char *,
		    const cJSON *);
static int	 catalog_type_answer(struct core_req *, int, const char *);

/* The type with id as JSON (version for staff), or NULL if none. */
static cJSON *
catalog_type_json(sqlite3 *db, const char *id, int staff)
{
	sqlite3_stmt	*st;
	cJSON		*o, *attrs, *a;

	if ((st = core_db_row(db, "SELECT id, name, version FROM product_types"
	    " WHERE id = ?", id)) == NULL)
		return (NULL);
	o = cJSON_CreateObject();
	catalog_add_text(o, "id", st, 0);
	catalog_add_text(o, "name", st, 1);
	if (staff)
		cJSON_AddNumberToObject(o, "version",
		    (double)sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	attrs = cJSON_AddArrayToObject(o, "attributes");
	if ((st = core_db_stmt(db, "SELECT a.code, t.required FROM"
	    " product_type_attributes t JOIN attributes a ON a.id ="
	    " t.attribute WHERE t.type = ? ORDER BY t.position")) == NULL)
		return (o);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		a = cJSON_CreateObject();
		catalog_add_text(a, "code", st, 0);
		cJSON_AddBoolToObject(a, "required", sqlite3_column_int(st, 1));
		cJSON_AddItemToArray(attrs, a);
	}
	sqlite3_reset(st);
	return (o);
}

/* Answers status with the type id, its ETag for staff; 404 if none. */
static int
catalog_type_answer(struct core_req *r, int status, const char *id)
{
	cJSON	*o;
	int	 staff;

	staff = r->who.role >= CORE_ROLE_STAFF;
	if ((o = catalog_type_json(core_db_get("catalog"), id, staff)) ==
	    NULL)
		return (core_http_not_found(r, "not-found",
		    "no such product type"));
	if (staff)
		core_http_etag(r, (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(o, "version")));
	if (status == 201) {
		core_http_location(r, "/api/v1/catalog/product-types/", id);
	}
	core_http_json_take(r, status, o);
	return (KORE_RESULT_OK);
}

static void
catalog_type_validate(sqlite3 *db, const cJSON *b, int create,
    cJSON **errors)
{
	const cJSON	*attrs, *x, *y;
	const char	*s, *t;
	char		 field[64];
	int		 rc, i, flag;

	rc = core_json_get_str(b, "name", 100, &s);
	if ((create && rc != CORE_JSON_OK) || rc == CORE_JSON_WRONG ||
	    (rc == CORE_JSON_OK && *s == '\0'))
		core_http_field_error(errors, "name", "is required: 1 to 100 "
		    "bytes");
	if ((attrs = cJSON_GetObjectItemCaseSensitive(b, "attributes")) ==
	    NULL)
		return;
	if (!cJSON_IsArray(attrs) || cJSON_GetArraySize(attrs) >
	    CATALOG_TYPE_ATTRS_MAX) {
		core_http_field_error(errors, "attributes",
		    "must be an array of at most 100 {code, required}");
		return;
	}
	i = 0;
	cJSON_ArrayForEach(x, attrs) {
		snprintf(field, sizeof(field), "attributes[%d].code", i);
		if (core_json_get_str(x, "code", CATALOG_ATTR_CODE_MAX, &s) !=
		    CORE_JSON_OK || core_db_scalar(db, "SELECT count(*) FROM"
		    " attributes WHERE code = ?", s, 0) == 0) {
			core_http_field_error(errors, field,
			    "is not an attribute");
		} else {
			for (y = attrs->child; y != x; y = y->next)
				if (core_json_get_str(y, "code",
				    CATALOG_ATTR_CODE_MAX, &t) ==
				    CORE_JSON_OK && strcmp(s, t) == 0)
					break;
			if (y != x)
				core_http_field_error(errors, field,
				    "is listed twice");
		}
		snprintf(field, sizeof(field), "attributes[%d].required", i);
		if (core_json_get_bool(x, "required", &flag) == CORE_JSON_WRONG)
			core_http_field_error(errors, field,
			    "must be a boolean");
		i++;
	}
}

/* Replaces the attribute list of type id with attrs (in tx). */
static int
catalog_type_set_attrs(sqlite3 *db, const char *id, const cJSON *attrs)
{
	sqlite3_stmt	*st;
	const cJSON	*x;
	const char	*code;
	int		 pos, req;

	if ((st = core_db_stmt(db, "DELETE FROM product_type_attributes WHERE"
	    " type = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "clear type attributes"));
	pos = 0;
	cJSON_ArrayForEach(x, attrs) {
		(void)core_json_get_str(x, "code", CATALOG_ATTR_CODE_MAX,
		    &code);
		req = 0;
		(void)core_json_get_bool(x, "required", &req);
		if ((st = core_db_stmt(db, "INSERT INTO product_type_attributes"
		    " (type, attribute, position, required) SELECT ?, id, ?, ?"
		    " FROM attributes WHERE code = ?")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, pos++);
		sqlite3_bind_int(st, 3, req);
		sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "set type attribute"));
	}
	return (0);
}

int
catalog_types_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *o;
	char		**ids;
	size_t		 n, cap, i;
	int		 staff;

	db = core_db_get("catalog");
	staff = r->who.role >= CORE_ROLE_STAFF;
	if ((st = core_db_stmt(db, "SELECT id FROM product_types ORDER BY"
	    " name")) == NULL)
		return (core_http_internal(r));
	/* Ids first: the JSON builder reuses statements. */
	ids = NULL;
	n = cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			ids = kore_realloc(ids, cap * sizeof(*ids));
		}
		ids[n++] = kore_strdup((const char *)sqlite3_column_text(st,
		    0));
	}
	sqlite3_reset(st);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if ((o = catalog_type_json(db, ids[i], staff)) != NULL)
			cJSON_AddItemToArray(data, o);
		kore_free(ids[i]);
	}
	kore_free(ids);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

int
catalog_types_get(struct core_req *r)
{
	return (catalog_type_answer(r, 200, r->params[0]));
}

int
catalog_types_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	const cJSON	*attrs;
	const char	*name;
	char		 id[CORE_ID_MAX];
	int64_t		 now;
	int		 rc;

	db = core_db_get("catalog");
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "name", "is required");
	else
		catalog_type_validate(db, r->body, 1, &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	(void)core_json_get_str(r->body, "name", 100, &name);
	attrs = cJSON_GetObjectItemCaseSensitive(r->body, "attributes");
	core_id_new(id, sizeof(id), "ptype");
	now = core_db_now_ms();
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((st = core_db_stmt(db, "INSERT INTO product_types (id, name,"
	    " created_at, updated_at) VALUES (?, ?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		core_db_rollback(db);
		core_http_problem(r, 409, "name-taken", "Name taken",
		    "another product type has this name", NULL);
		return (KORE_RESULT_OK);
	}
	if (rc != SQLITE_DONE || catalog_type_set_attrs(db, id, attrs) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	return (catalog_type_answer(r, 201, id));
fail:
	core_db_err(db, "create product type");
	core_db_rollback(db);
	return (core_http_internal(r));
}

int
catalog_types_patch(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	const cJSON	*attrs;
	const char	*name;
	int64_t		 version;
	int		 rc;

	db = core_db_get("catalog");
	if ((version = core_db_scalar(db, "SELECT version FROM product_types"
	    " WHERE id = ?", r->params[0], -1)) == -1)
		return (core_http_not_found(r, "not-found",
		    "no such product type"));
	if (core_http_if_match(r, version, CORE_HTTP_IFM_REQUIRED,
	    "product type") == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "body", "is required");
	else
		catalog_type_validate(db, r->body, 0, &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (catalog_begin_at(r, db, "SELECT version FROM product_types WHERE"
	    " id = ?", r->params[0], version, "product type") == -1)
		return (KORE_RESULT_OK);
	if ((st = core_db_stmt(db, "UPDATE product_types SET name ="
	    " coalesce(?, name), version = version + 1, updated_at = ? WHERE"
	    " id = ?")) == NULL)
		goto fail;
	if (core_json_get_str(r->body, "name", 100, &name) == CORE_JSON_OK)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, core_db_now_ms());
	sqlite3_bind_text(st, 3, r->params[0], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		core_db_rollback(db);
		core_http_problem(r, 409, "name-taken", "Name taken",
		    "another product type has this name", NULL);
		return (KORE_RESULT_OK);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	attrs = cJSON_GetObjectItemCaseSensitive(r->body, "attributes");
	if ((attrs != NULL && catalog_type_set_attrs(db, r->params[0],
	    attrs) == -1) || core_db_commit(db) == -1)
		goto fail;
	return (catalog_type_answer(r, 200, r->params[0]));
fail:
	core_db_err(db, "patch product type");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/*
 * Refused (409) while products have the type: clearing their type_id
 * behind their backs would skip their versions and events.
 */
int
catalog_types_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*o;
	int64_t		 n;

	db = core_db_get("catalog");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if (core_db_scalar(db, "SELECT count(*) FROM product_types WHERE"
	    " id = ?", r->params[0], 0) == 0) {
		core_db_rollback(db);
		return (core_http_not_found(r, "not-found",
		    "no such product type"));
	}
	if ((n = core_db_scalar(db, "SELECT count(*) FROM products WHERE"
	    " type_id = ?", r->params[0], 0)) > 0) {
		core_db_rollback(db);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "products", (double)n);
		core_http_problem_with(r, 409, "type-in-use", "In use",
		    "products have this type; change their type first", o);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "DELETE FROM product_types WHERE id = ?")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete product type");
	core_db_rollback(db);
	return (core_http_internal(r));
}
