/*
 * Reading products: the staff and public JSON of one product (with its
 * categories, variants, type and attribute values), the lookup of a
 * product by public id, and the small helpers every catalog handler uses
 * (a text column into JSON, the ETag header, the 500 answer).
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/catalog/catalog_int.h"

static void
catalog_add_json_column(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	cJSON	*v;

	v = cJSON_Parse((const char *)sqlite3_column_text(st, col));
	cJSON_AddItemToObject(o, key, v ? v : cJSON_CreateArray());
}

cJSON *
catalog_product_json(sqlite3 *db, int64_t rowid, int staff)
{
	sqlite3_stmt	*st;
	cJSON		*o, *cats, *vars, *v, *opts, *stock;
	char		 ts[40];
	int64_t		 on_hand, reserved;
	int		 i, tracked, backorder;
	const char	*s;

	if ((st = core_db_stmt(db, "SELECT id, title, slug, description,"
	    " status, vendor, product_type, seo_title, seo_description, tags,"
	    " options, images, primary_category, version, created_at,"
	    " updated_at FROM products WHERE rowid = ?")) == NULL)
		return (NULL);
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	catalog_add_text(o, "id", st, 0);
	catalog_add_text(o, "title", st, 1);
	catalog_add_text(o, "slug", st, 2);
	catalog_add_text(o, "description", st, 3);
	catalog_add_text(o, "status", st, 4);
	catalog_add_text(o, "vendor", st, 5);
	catalog_add_text(o, "product_type", st, 6);
	catalog_add_text(o, "seo_title", st, 7);
	catalog_add_text(o, "seo_description", st, 8);
	catalog_add_json_column(o, "tags", st, 9);
	catalog_add_json_column(o, "options", st, 10);
	catalog_add_json_column(o, "images", st, 11);
	if (sqlite3_column_type(st, 12) == SQLITE_NULL)
		cJSON_AddNullToObject(o, "primary_category");
	else
		catalog_add_text(o, "primary_category", st, 12);
	if (staff)
		cJSON_AddNumberToObject(o, "version",
		    (double)sqlite3_column_int64(st, 13));
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 14));
	cJSON_AddStringToObject(o, "created_at", ts);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 15));
	cJSON_AddStringToObject(o, "updated_at", ts);
	sqlite3_reset(st);
	catalog_values_json(db, rowid, o);

	cats = cJSON_AddArrayToObject(o, "categories");
	if ((st = core_db_stmt(db, "SELECT category FROM product_categories"
	    " WHERE product = ? ORDER BY category")) != NULL) {
		sqlite3_bind_int64(st, 1, rowid);
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddItemToArray(cats, cJSON_CreateString(
			    (const char *)sqlite3_column_text(st, 0)));
		sqlite3_reset(st);
	}
	vars = cJSON_AddArrayToObject(o, "variants");
	if ((st = core_db_stmt(db, "SELECT id, sku, barcode, option1, option2,"
	    " option3, weight_grams, track_stock, allow_backorder, on_hand,"
	    " reserved, low_threshold FROM variants WHERE product = ?"
	    " ORDER BY position, rowid")) == NULL)
		return (o);
	sqlite3_bind_int64(st, 1, rowid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		v = cJSON_CreateObject();
		catalog_add_text(v, "id", st, 0);
		catalog_add_text(v, "sku", st, 1);
		catalog_add_text(v, "barcode", st, 2);
		opts = cJSON_AddArrayToObject(v, "options");
		for (i = 0; i < 3; i++) {
			s = (const char *)sqlite3_column_text(st, 3 + i);
			if (s != NULL && *s != '\0')
				cJSON_AddItemToArray(opts,
				    cJSON_CreateString(s));
		}
		cJSON_AddNumberToObject(v, "weight_grams",
		    (double)sqlite3_column_int64(st, 6));
		tracked = sqlite3_column_int(st, 7);
		backorder = sqlite3_column_int(st, 8);
		on_hand = sqlite3_column_int64(st, 9);
		reserved = sqlite3_column_int64(st, 10);
		cJSON_AddBoolToObject(v, "track_stock", tracked);
		cJSON_AddBoolToObject(v, "allow_backorder", backorder);
		if (staff) {
			stock = cJSON_AddObjectToObject(v, "stock");
			cJSON_AddNumberToObject(stock, "on_hand",
			    (double)on_hand);
			cJSON_AddNumberToObject(stock, "reserved",
			    (double)reserved);
			cJSON_AddNumberToObject(stock, "available",
			    (double)(on_hand - reserved));
			cJSON_AddNumberToObject(stock, "low_threshold",
			    (double)sqlite3_column_int64(st, 11));
		} else {
			cJSON_AddBoolToObject(v, "in_stock", !tracked ||
			    backorder || on_hand - reserved > 0);
		}
		cJSON_AddItemToArray(vars, v);
	}
	sqlite3_reset(st);
	return (o);
}

/* rowid, version and status of the product with public id, or -1. */
int64_t
catalog_product_find(sqlite3 *db, const char *id, int64_t *version,
    char *status, size_t slen)
{
	sqlite3_stmt	*st;
	int64_t		 rowid;

	if ((st = core_db_stmt(db, "SELECT rowid, version, status FROM"
	    " products WHERE id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rowid = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rowid = sqlite3_column_int64(st, 0);
		if (version != NULL)
			*version = sqlite3_column_int64(st, 1);
		if (status != NULL)
			snprintf(status, slen, "%s",
			    sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	return (rowid);
}

void
catalog_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char	*s;

	s = (const char *)sqlite3_column_text(st, col);
	cJSON_AddStringToObject(o, key, s != NULL ? s : "");
}

int
catalog_begin_at(struct core_req *r, sqlite3 *db, const char *sql,
    const char *id, int64_t version, const char *what)
{
	char	detail[128];

	if (core_db_begin(db) == -1) {
		(void)core_http_internal(r);
		return (-1);
	}
	/* Re-check inside the write lock: the ETag decides, not the race. */
	if (core_db_scalar(db, sql, id, -1) != version) {
		core_db_rollback(db);
		snprintf(detail, sizeof(detail), "the %s changed since you "
		    "read it; reload it", what);
		core_http_problem(r, 412, "stale-edit", "Precondition failed",
		    detail, NULL);
		return (-1);
	}
	return (0);
}
