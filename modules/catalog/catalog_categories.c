/*
 * Categories: a tree (parent_id), each with a unique slug, listed whole for
 * navigation and filters.  Products point at them through
 * product_categories.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

static const char catalog_category_slug_taken[] =
    "SELECT count(*) FROM categories WHERE slug = ?";

static cJSON *
catalog_category_json(sqlite3_stmt *st)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	catalog_add_text(o, "id", st, 0);
	catalog_add_text(o, "name", st, 1);
	catalog_add_text(o, "slug", st, 2);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL)
		cJSON_AddNullToObject(o, "parent_id");
	else
		catalog_add_text(o, "parent_id", st, 3);
	cJSON_AddNumberToObject(o, "position", sqlite3_column_int(st, 4));
	return (o);
}

int
catalog_categories_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o;
	const char	*name, *slug, *parent;
	char		 id[CORE_ID_MAX], slugbuf[128];
	int64_t		 pos, now;
	int		 rc, prc;

	db = core_db_get("catalog");
	errors = NULL;
	if (r->body == NULL || core_json_get_str(r->body, "name", 100, &name) !=
	    CORE_JSON_OK || *name == '\0')
		core_http_field_error(&errors, "name", "is required: 1 to 100 "
		    "characters");
	rc = r->body ? core_json_get_str(r->body, "slug", 100, &slug) :
	    CORE_JSON_MISSING;
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    !catalog_slug_valid(slug)))
		core_http_field_error(&errors, "slug", "must be lower-case "
		    "words joined by '-'");
	prc = r->body ? core_json_get_str(r->body, "parent_id", 40, &parent) :
	    CORE_JSON_MISSING;
	if (prc == CORE_JSON_WRONG || (prc == CORE_JSON_OK && core_db_scalar(db,
	    "SELECT count(*) FROM categories WHERE id = ?", parent, 0) == 0))
		core_http_field_error(&errors, "parent_id", "is not a category");
	pos = 0;
	if (r->body && core_json_get_i64(r->body, "position", 0, 100000,
	    &pos) == CORE_JSON_WRONG)
		core_http_field_error(&errors, "position",
		    "must be a whole number from 0");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (rc == CORE_JSON_OK) {
		snprintf(slugbuf, sizeof(slugbuf), "%s", slug);
	} else {
		catalog_slug_make(db, catalog_category_slug_taken, name,
		    slugbuf, sizeof(slugbuf));
	}
	core_id_new(id, sizeof(id), "cat");
	now = core_db_now_ms();
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((st = core_db_stmt(db, "INSERT INTO categories (id, parent_id,"
	    " name, slug, position, created_at, updated_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (prc == CORE_JSON_OK)
		sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, slugbuf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pos);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		core_db_rollback(db);
		core_http_problem(r, 409, "slug-taken", "Slug taken",
		    "another category has this slug", NULL);
		return (KORE_RESULT_OK);
	}
	if (rc != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "SELECT id, name, slug, parent_id, position"
	    " FROM categories WHERE id = ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_http_internal(r));
	}
	o = catalog_category_json(st);
	sqlite3_reset(st);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "create category");
	core_db_rollback(db);
	return (core_http_internal(r));
}

int
catalog_categories_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data;

	if ((st = core_db_stmt(core_db_get("catalog"), "SELECT id, name, slug,"
	    " parent_id, position FROM categories ORDER BY"
	    " coalesce(parent_id, ''), position, name")) == NULL)
		return (core_http_internal(r));
	data = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(data, catalog_category_json(st));
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}
