/*
 * Variants after a product exists: add one, change one, remove one.  Each
 * change bumps the product's version (its ETag), rewrites its search row
 * and publishes catalog.product.upserted in the same transaction.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

/* Checks the variant fields of body (create: sku required). */
static void
catalog_variant_validate(const cJSON *b, const cJSON *opts, int create,
    cJSON **errors)
{
	const cJSON	*x;
	const char	*s;
	int64_t		 num;
	int		 rc, flag;

	rc = core_json_get_str(b, "sku", CATALOG_SKU_MAX, &s);
	if (create && (rc != CORE_JSON_OK || !catalog_sku_valid(s)))
		core_http_field_error(errors, "sku", "is required: 1 to 64 of "
		    "A-Z a-z 0-9 . _ / -");
	if (!create && rc != CORE_JSON_MISSING)
		core_http_field_error(errors, "sku", "cannot change; add a new "
		    "variant instead");
	if (core_json_get_str(b, "barcode", 64, &s) == CORE_JSON_WRONG)
		core_http_field_error(errors, "barcode",
		    "must be a string of at most 64 bytes");
	x = cJSON_GetObjectItemCaseSensitive(b, "options");
	if ((x != NULL || (create && cJSON_GetArraySize(opts) > 0)) &&
	    (x == NULL || !catalog_strings_valid(x, 3, 100) ||
	    cJSON_GetArraySize(x) != cJSON_GetArraySize(opts) ||
	    !catalog_option_values_known(opts, x)))
		core_http_field_error(errors, "options", "must give one of the "
		    "option's values for each product option");
	if (core_json_get_i64(b, "weight_grams", 0, 10000000, &num) ==
	    CORE_JSON_WRONG)
		core_http_field_error(errors, "weight_grams",
		    "must be a whole number of grams");
	if (core_json_get_i64(b, "low_threshold", 0, CATALOG_STOCK_MAX,
	    &num) == CORE_JSON_WRONG)
		core_http_field_error(errors, "low_threshold",
		    "must be a whole number from 0");
	if (core_json_get_i64(b, "on_hand", 0, CATALOG_STOCK_MAX, &num) ==
	    CORE_JSON_WRONG || (!create && cJSON_GetObjectItemCaseSensitive(b,
	    "on_hand") != NULL))
		core_http_field_error(errors, "on_hand", create ?
		    "must be a whole number from 0" :
		    "changes through the stock adjust endpoint");
	if (core_json_get_bool(b, "track_stock", &flag) == CORE_JSON_WRONG)
		core_http_field_error(errors, "track_stock",
		    "must be a boolean");
	if (core_json_get_bool(b, "allow_backorder", &flag) == CORE_JSON_WRONG)
		core_http_field_error(errors, "allow_backorder",
		    "must be a boolean");
}

/* The product's options array (parsed), or an empty array. */
static cJSON *
catalog_variant_options(sqlite3 *db, int64_t product)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	o = NULL;
	if ((st = core_db_stmt(db, "SELECT options FROM products WHERE"
	    " rowid = ?")) != NULL) {
		sqlite3_bind_int64(st, 1, product);
		if (sqlite3_step(st) == SQLITE_ROW)
			o = cJSON_Parse((const char *)sqlite3_column_text(st,
			    0));
		sqlite3_reset(st);
	}
	return (o != NULL ? o : cJSON_CreateArray());
}

/* Bumps the product's version and republishes it.  In a transaction. */
static int
catalog_variant_touch(sqlite3 *db, int64_t product)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "UPDATE products SET version = version + 1,"
	    " updated_at = ? WHERE rowid = ?")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, core_db_now_ms());
	sqlite3_bind_int64(st, 2, product);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "touch product"));
	return (catalog_product_changed(db, product));
}

/* Answers with the product after a variant change. */
static int
catalog_variant_reply(struct core_req *r, sqlite3 *db, int64_t product,
    int status)
{
	sqlite3_stmt	*st;
	int64_t		 version;

	version = 0;
	if ((st = core_db_stmt(db, "SELECT version FROM products WHERE"
	    " rowid = ?")) != NULL) {
		sqlite3_bind_int64(st, 1, product);
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	core_http_etag(r, version);
	core_http_json_take(r, status, catalog_product_json(db, product, 1));
	return (KORE_RESULT_OK);
}

int
catalog_variants_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *opts, *o;
	const char	*sku, *s;
	char		 id[CORE_ID_MAX];
	int64_t		 product, num, vrow;
	int		 i, flag, rc;

	db = core_db_get("catalog");
	if ((product = catalog_product_find(db, r->params[0], NULL, NULL, 0)) ==
	    -1)
		return (core_http_not_found(r, "not-found", "no such product"));
	opts = catalog_variant_options(db, product);
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "sku", "is required");
	else
		catalog_variant_validate(r->body, opts, 1, &errors);
	cJSON_Delete(opts);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	(void)core_json_get_str(r->body, "sku", CATALOG_SKU_MAX, &sku);
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	core_id_new(id, sizeof(id), "var");
	if ((st = core_db_stmt(db, "INSERT INTO variants (id, product, sku,"
	    " barcode, option1, option2, option3, weight_grams, track_stock,"
	    " allow_backorder, low_threshold, position) VALUES (?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(position), -1) + 1 FROM"
	    " variants WHERE product = ?2))")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, product);
	sqlite3_bind_text(st, 3, sku, -1, SQLITE_STATIC);
	s = "";
	(void)core_json_get_str(r->body, "barcode", 64, &s);
	sqlite3_bind_text(st, 4, s ? s : "", -1, SQLITE_STATIC);
	o = cJSON_GetObjectItemCaseSensitive(r->body, "options");
	for (i = 0; i < 3; i++) {
		s = cJSON_GetStringValue(cJSON_GetArrayItem(o, i));
		sqlite3_bind_text(st, 5 + i, s ? s : "", -1, SQLITE_STATIC);
	}
	num = 0;
	(void)core_json_get_i64(r->body, "weight_grams", 0, 10000000, &num);
	sqlite3_bind_int64(st, 8, num);
	flag = 1;
	(void)core_json_get_bool(r->body, "track_stock", &flag);
	sqlite3_bind_int(st, 9, flag);
	flag = 0;
	(void)core_json_get_bool(r->body, "allow_backorder", &flag);
	sqlite3_bind_int(st, 10, flag);
	num = 5;
	(void)core_json_get_i64(r->body, "low_threshold", 0, CATALOG_STOCK_MAX,
	    &num);
	sqlite3_bind_int64(st, 11, num);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		core_db_rollback(db);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "sku", sku);
		core_http_problem_with(r, 409, "sku-taken", "SKU taken",
		    "a variant with this SKU exists", o);
		return (KORE_RESULT_OK);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	vrow = sqlite3_last_insert_rowid(db);
	num = 0;
	(void)core_json_get_i64(r->body, "on_hand", 0, CATALOG_STOCK_MAX, &num);
	if (num > 0 && catalog_stock_move(db, vrow, num, 0, "adjustment",
	    r->who.sub, "initial stock") == -1)
		goto fail;
	if (catalog_variant_touch(db, product) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	return (catalog_variant_reply(r, db, product, 201));
fail:
	core_db_err(db, "add variant");
	core_db_rollback(db);
	return (core_http_internal(r));
}

int
catalog_variants_patch(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *opts, *o;
	const char	*s;
	int64_t		 product, on_hand, reserved, num;
	int		 flag, i, track, backorder;
	static const char *const sql_text[] = {
		"UPDATE variants SET option1 = ? WHERE sku = ?",
		"UPDATE variants SET option2 = ? WHERE sku = ?",
		"UPDATE variants SET option3 = ? WHERE sku = ?",
	};

	db = core_db_get("catalog");
	if ((st = core_db_stmt(db, "SELECT product, on_hand, reserved,"
	    " track_stock, allow_backorder FROM variants WHERE sku = ?")) ==
	    NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_http_not_found(r, "not-found",
		    "no variant has this SKU"));
	}
	product = sqlite3_column_int64(st, 0);
	on_hand = sqlite3_column_int64(st, 1);
	reserved = sqlite3_column_int64(st, 2);
	track = sqlite3_column_int(st, 3);
	backorder = sqlite3_column_int(st, 4);
	sqlite3_reset(st);
	opts = catalog_variant_options(db, product);
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "body", "is required");
	else
		catalog_variant_validate(r->body, opts, 0, &errors);
	cJSON_Delete(opts);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	(void)core_json_get_bool(r->body, "track_stock", &track);
	(void)core_json_get_bool(r->body, "allow_backorder", &backorder);
	if (track && !backorder && reserved > on_hand) {
		core_http_problem(r, 409, "below-reserved", "Below reserved",
		    "open orders hold more than is on hand; backorder must stay "
		    "allowed until stock comes in", NULL);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if (core_json_get_str(r->body, "barcode", 64, &s) == CORE_JSON_OK) {
		if ((st = core_db_stmt(db, "UPDATE variants SET barcode = ?"
		    " WHERE sku = ?")) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	if ((o = cJSON_GetObjectItemCaseSensitive(r->body, "options")) != NULL) {
		for (i = 0; i < 3; i++) {
			s = cJSON_GetStringValue(cJSON_GetArrayItem(o, i));
			if ((st = core_db_stmt(db, sql_text[i])) == NULL)
				goto fail;
			sqlite3_bind_text(st, 1, s ? s : "", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, r->params[0], -1,
			    SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto fail;
		}
	}
	num = -1;
	(void)core_json_get_i64(r->body, "weight_grams", 0, 10000000, &num);
	flag = -1;
	if (cJSON_GetObjectItemCaseSensitive(r->body, "low_threshold") == NULL)
		flag = 0;
	if ((st = core_db_stmt(db, "UPDATE variants SET weight_grams ="
	    " CASE WHEN ?1 >= 0 THEN ?1 ELSE weight_grams END, track_stock = ?2,"
	    " allow_backorder = ?3, low_threshold = CASE WHEN ?4 >= 0 THEN ?4"
	    " ELSE low_threshold END WHERE sku = ?5")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, num);
	sqlite3_bind_int(st, 2, track);
	sqlite3_bind_int(st, 3, backorder);
	num = -1;
	if (flag != 0)
		(void)core_json_get_i64(r->body, "low_threshold", 0,
		    CATALOG_STOCK_MAX, &num);
	sqlite3_bind_int64(st, 4, num);
	sqlite3_bind_text(st, 5, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (catalog_variant_touch(db, product) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	return (catalog_variant_reply(r, db, product, 200));
fail:
	core_db_err(db, "change variant");
	core_db_rollback(db);
	return (core_http_internal(r));
}

int
catalog_variants_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 product;

	db = core_db_get("catalog");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	product = core_db_scalar(db, "SELECT product FROM variants WHERE"
	    " sku = ?", r->params[0], -1);
	if (product == -1) {
		core_db_rollback(db);
		return (core_http_not_found(r, "not-found",
		    "no variant has this SKU"));
	}
	if (core_db_scalar(db, "SELECT count(*) FROM reservations r JOIN"
	    " variants v ON v.rowid = r.variant WHERE v.sku = ? AND"
	    " r.state = 'held'", r->params[0], 0) > 0) {
		core_db_rollback(db);
		core_http_problem(r, 409, "has-reservations", "In use",
		    "open orders hold stock of this variant", NULL);
		return (KORE_RESULT_OK);
	}
	if (core_db_scalar(db, "SELECT count(*) FROM variants WHERE product ="
	    " (SELECT product FROM variants WHERE sku = ?)", r->params[0],
	    0) <= 1) {
		core_db_rollback(db);
		core_http_problem(r, 409, "last-variant", "Last variant",
		    "a product keeps at least one variant; delete the product "
		    "instead", NULL);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "DELETE FROM variants WHERE sku = ?")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    catalog_variant_touch(db, product) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete variant");
	core_db_rollback(db);
	return (core_http_internal(r));
}
