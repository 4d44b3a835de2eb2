/*
 * Products and their variants: storage, ETag/If-Match on updates, and the
 * search row and catalog.product.* events written in the same transaction
 * as the change.  The JSON views are in catalog_product_read.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_html.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/catalog/catalog_int.h"

static const char catalog_product_slug_taken[] =
    "SELECT count(*) FROM products WHERE slug = ?";

/* ---- writing --------------------------------------------------------------- */

/*
 * A slug for title into out (at least 112 bytes), made unique against the
 * query taken (one text parameter, answers a count).
 */
void
catalog_slug_make(sqlite3 *db, const char *taken, const char *title,
    char *out, size_t len)
{
	char	base[96];
	size_t	i, n;
	int	k;

	n = 0;
	for (i = 0; title[i] != '\0' && n < 80; i++) {
		if (isalnum((unsigned char)title[i]))
			base[n++] = (char)tolower((unsigned char)title[i]);
		else if (n > 0 && base[n - 1] != '-')
			base[n++] = '-';
	}
	while (n > 0 && base[n - 1] == '-')
		n--;
	base[n] = '\0';
	if (n == 0)
		snprintf(base, sizeof(base), "item");
	snprintf(out, len, "%s", base);
	for (k = 2; core_db_scalar(db, taken, out, 0) > 0; k++)
		snprintf(out, len, "%s-%d", base, k);
}

/* The JSON text of item, or def when it is missing. */
static char *
catalog_json_text(const cJSON *b, const char *key, const char *def)
{
	const cJSON	*it;

	if ((it = cJSON_GetObjectItemCaseSensitive(b, key)) == NULL)
		return (strdup(def));
	return (cJSON_PrintUnformatted(it));
}

static int
catalog_set_categories(sqlite3 *db, int64_t rowid, const cJSON *cats)
{
	sqlite3_stmt	*st;
	const cJSON	*x;

	if ((st = core_db_stmt(db, "DELETE FROM product_categories WHERE"
	    " product = ?")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "clear categories"));
	cJSON_ArrayForEach(x, cats) {
		if ((st = core_db_stmt(db, "INSERT OR IGNORE INTO"
		    " product_categories (product, category) VALUES (?, ?)")) ==
		    NULL)
			return (-1);
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, x->valuestring, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "set category"));
	}
	return (0);
}

/* Inserts the variants of a create body.  1 on a taken SKU (named). */
static int
catalog_insert_variants(sqlite3 *db, int64_t rowid, const cJSON *vars,
    char *taken, size_t takenlen)
{
	sqlite3_stmt	*st;
	const cJSON	*v, *opts;
	const char	*sku, *s;
	char		 id[CORE_ID_MAX];
	int64_t		 num, vrow;
	int		 pos, i, b, rc;

	pos = 0;
	cJSON_ArrayForEach(v, vars) {
		(void)core_json_get_str(v, "sku", CATALOG_SKU_MAX, &sku);
		core_id_new(id, sizeof(id), "var");
		if ((st = core_db_stmt(db, "INSERT INTO variants (id, product,"
		    " sku, barcode, option1, option2, option3, weight_grams,"
		    " track_stock, allow_backorder, position) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, rowid);
		sqlite3_bind_text(st, 3, sku, -1, SQLITE_STATIC);
		s = "";
		(void)core_json_get_str(v, "barcode", 64, &s);
		sqlite3_bind_text(st, 4, s ? s : "", -1, SQLITE_STATIC);
		opts = cJSON_GetObjectItemCaseSensitive(v, "options");
		for (i = 0; i < 3; i++) {
			s = cJSON_GetStringValue(cJSON_GetArrayItem(opts, i));
			sqlite3_bind_text(st, 5 + i, s ? s : "", -1,
			    SQLITE_STATIC);
		}
		num = 0;
		(void)core_json_get_i64(v, "weight_grams", 0, 10000000, &num);
		sqlite3_bind_int64(st, 8, num);
		b = 1;
		(void)core_json_get_bool(v, "track_stock", &b);
		sqlite3_bind_int(st, 9, b);
		b = 0;
		(void)core_json_get_bool(v, "allow_backorder", &b);
		sqlite3_bind_int(st, 10, b);
		sqlite3_bind_int(st, 11, pos++);
		rc = sqlite3_step(st);
		if (rc == SQLITE_CONSTRAINT_UNIQUE) {
			snprintf(taken, takenlen, "%s", sku);
			return (1);
		}
		if (rc != SQLITE_DONE)
			return (core_db_err(db, "insert variant"));
		vrow = sqlite3_last_insert_rowid(db);
		num = 0;
		(void)core_json_get_i64(v, "on_hand", 0, CATALOG_STOCK_MAX,
		    &num);
		if (num > 0 && catalog_stock_move(db, vrow, num, 0, "adjustment",
		    "", "initial stock") == -1)
			return (-1);
	}
	return (0);
}

int
catalog_product_changed(sqlite3 *db, int64_t rowid)
{
	sqlite3_stmt	*st;
	cJSON		*p, *ev, *cats, *vars, *v, *it;
	char		*text, *tags, *attrs;
	const char	*sep;
	struct kore_buf	*skus;
	int		 rc;

	if ((p = catalog_product_json(db, rowid, 1)) == NULL)
		return (-1);
	attrs = catalog_values_text(db, rowid);
	/* The search row: title, description text, tags and SKUs. */
	text = core_html_text(cJSON_GetStringValue(cJSON_GetObjectItem(p,
	    "description")));
	skus = kore_buf_alloc(256);
	sep = "";
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(p, "tags")) {
		kore_buf_appendf(skus, "%s%s", sep, it->valuestring);
		sep = " ";
	}
	tags = kore_buf_stringify(skus, NULL);
	tags = strdup(tags);
	kore_buf_reset(skus);
	sep = "";
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(p, "variants")) {
		kore_buf_appendf(skus, "%s%s", sep,
		    cJSON_GetStringValue(cJSON_GetObjectItem(v, "sku")));
		sep = " ";
	}
	rc = -1;
	if (catalog_listing_unindex(db, rowid) == -1 ||
	    (st = core_db_stmt(db, "DELETE FROM product_search WHERE"
	    " rowid = ?")) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	/*
	 * Only active products are searchable: a draft's words must not
	 * show through results or the typo rewrite's vocabulary.
	 */
	if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "status")),
	    "active") != 0)
		goto event;
	if ((st = core_db_stmt(db, "INSERT INTO product_search (rowid, title,"
	    " description, tags, skus, attributes) VALUES (?, ?, ?, ?, ?,"
	    " ?)")) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_text(st, 2, cJSON_GetStringValue(cJSON_GetObjectItem(p,
	    "title")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text ? text : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tags ? tags : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kore_buf_stringify(skus, NULL), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 6, attrs ? attrs : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "index product");
		goto out;
	}

event:
	if (catalog_listing_indexed(db, rowid) == -1)
		goto out;
	/* What pricing and checkout need for their own copies. */
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "product_id",
	    cJSON_GetStringValue(cJSON_GetObjectItem(p, "id")));
	cJSON_AddItemToObject(ev, "status", cJSON_Duplicate(
	    cJSON_GetObjectItem(p, "status"), 1));
	cJSON_AddItemToObject(ev, "title", cJSON_Duplicate(
	    cJSON_GetObjectItem(p, "title"), 1));
	cJSON_AddItemToObject(ev, "slug", cJSON_Duplicate(
	    cJSON_GetObjectItem(p, "slug"), 1));
	cats = cJSON_Duplicate(cJSON_GetObjectItem(p, "categories"), 1);
	cJSON_AddItemToObject(ev, "category_ids", cats);
	cJSON_AddItemToObject(ev, "type_id", cJSON_Duplicate(
	    cJSON_GetObjectItem(p, "type_id"), 1));
	cJSON_AddItemToObject(ev, "attributes", cJSON_Duplicate(
	    cJSON_GetObjectItem(p, "attributes"), 1));
	vars = cJSON_AddArrayToObject(ev, "variants");
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(p, "variants")) {
		it = cJSON_CreateObject();
		cJSON_AddItemToObject(it, "variant_id", cJSON_Duplicate(
		    cJSON_GetObjectItem(v, "id"), 1));
		cJSON_AddItemToObject(it, "sku", cJSON_Duplicate(
		    cJSON_GetObjectItem(v, "sku"), 1));
		cJSON_AddItemToObject(it, "options", cJSON_Duplicate(
		    cJSON_GetObjectItem(v, "options"), 1));
		cJSON_AddItemToObject(it, "weight_grams", cJSON_Duplicate(
		    cJSON_GetObjectItem(v, "weight_grams"), 1));
		cJSON_AddItemToArray(vars, it);
	}
	rc = core_bus_publish(db, "catalog.product.upserted", 1,
	    cJSON_GetStringValue(cJSON_GetObjectItem(p, "id")), ev);
	cJSON_Delete(ev);
out:
	free(text);
	free(tags);
	free(attrs);
	kore_buf_free(skus);
	cJSON_Delete(p);
	return (rc);
}

/* ---- handlers ------------------------------------------------------------ */

int
catalog_products_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o;
	const char	*title, *slug, *s, *status;
	char		 id[CORE_ID_MAX], slugbuf[128], taken[80];
	char		*desc, *tags, *opts, *imgs;
	int64_t		 rowid, now;
	size_t		 i;
	int		 rc;

	db = core_db_get("catalog");
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "title", "is required");
	else
		catalog_product_validate(db, r->body, 1, &errors);
	if (r->body != NULL)
		catalog_values_validate(db, r->body, -1, &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	(void)core_json_get_str(r->body, "title", CATALOG_TITLE_MAX, &title);
	status = "draft";
	(void)core_json_get_str(r->body, "status", 16, &status);
	if (status == NULL)
		status = "draft";
	s = "";
	(void)core_json_get_str(r->body, "description", CATALOG_DESC_MAX, &s);
	if ((desc = core_html_sanitize(s ? s : "")) == NULL)
		return (core_http_internal(r));
	tags = catalog_json_text(r->body, "tags", "[]");
	opts = catalog_json_text(r->body, "options", "[]");
	imgs = catalog_json_text(r->body, "images", "[]");
	core_id_new(id, sizeof(id), "prod");
	now = core_db_now_ms();
	if (core_db_begin(db) == -1)
		goto fail;
	if (core_json_get_str(r->body, "slug", 100, &slug) == CORE_JSON_OK) {
		if (core_db_scalar(db, "SELECT count(*) FROM products WHERE"
		    " slug = ?", slug, 0) > 0) {
			core_db_rollback(db);
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "slug", slug);
			core_http_problem_with(r, 409, "slug-taken",
			    "Slug taken", "another product has this slug", o);
			goto done;
		}
		snprintf(slugbuf, sizeof(slugbuf), "%s", slug);
	} else {
		catalog_slug_make(db, catalog_product_slug_taken, title,
		    slugbuf, sizeof(slugbuf));
	}
	if ((st = core_db_stmt(db, "INSERT INTO products (id, title, slug,"
	    " description, status, vendor, product_type, seo_title,"
	    " seo_description, tags, options, images, primary_category,"
	    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, slugbuf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, desc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
	for (i = 0; i < 4; i++) {
		s = "";
		(void)core_json_get_str(r->body, catalog_text_fields[i][0], 500,
		    &s);
		sqlite3_bind_text(st, 6 + (int)i, s ? s : "", -1,
		    SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 10, tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, opts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, imgs, -1, SQLITE_STATIC);
	if (core_json_get_str(r->body, "primary_category", 40, &s) ==
	    CORE_JSON_OK)
		sqlite3_bind_text(st, 13, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 13);
	sqlite3_bind_int64(st, 14, now);
	sqlite3_bind_int64(st, 15, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "insert product");
		goto fail;
	}
	rowid = sqlite3_last_insert_rowid(db);
	if (cJSON_GetObjectItemCaseSensitive(r->body, "categories") != NULL &&
	    catalog_set_categories(db, rowid, cJSON_GetObjectItemCaseSensitive(
	    r->body, "categories")) == -1)
		goto fail;
	if (catalog_values_write(db, rowid, r->body) == -1)
		goto fail;
	rc = catalog_insert_variants(db, rowid,
	    cJSON_GetObjectItemCaseSensitive(r->body, "variants"), taken,
	    sizeof(taken));
	if (rc == 1) {
		core_db_rollback(db);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "sku", taken);
		core_http_problem_with(r, 409, "sku-taken", "SKU taken",
		    "a variant with this SKU exists", o);
		goto done;
	}
	if (rc == -1 || catalog_product_changed(db, rowid) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	o = catalog_product_json(db, rowid, 1);
	core_http_location(r, "/api/v1/catalog/products/", id);
	core_http_etag(r, 1);
	core_http_json_take(r, 201, o);
	goto done;
fail:
	core_db_rollback(db);
	core_http_internal(r);
done:
	free(desc);
	cJSON_free(tags);
	cJSON_free(opts);
	cJSON_free(imgs);
	return (KORE_RESULT_OK);
}

int
catalog_products_get(struct core_req *r)
{
	sqlite3		*db;
	char		 status[16];
	int64_t		 rowid, version;
	int		 staff;

	db = core_db_get("catalog");
	staff = r->who.role >= CORE_ROLE_STAFF;
	rowid = catalog_product_find(db, r->params[0], &version, status,
	    sizeof(status));
	if (rowid == -1 || (!staff && strcmp(status, "active") != 0))
		return (core_http_not_found(r, "not-found", "no such product"));
	if (staff)
		core_http_etag(r, version);
	core_http_json_take(r, 200, catalog_product_json(db, rowid, staff));
	return (KORE_RESULT_OK);
}

int
catalog_products_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *errors;
	char		 after[24], status[16], next[24];
	int64_t		 from, last;
	int		 limit, n, staff, rc;

	if (core_http_page(r, 20, CATALOG_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	staff = r->who.role >= CORE_ROLE_STAFF;
	(void)core_http_cursor_rowid(after, INT64_MAX, &from, &errors);
	rc = core_http_query(r, "status", status, sizeof(status));
	if (rc == 1 && (!staff || (strcmp(status, "draft") != 0 &&
	    strcmp(status, "active") != 0 && strcmp(status, "archived") != 0)))
		core_http_field_error(&errors, "status", staff ?
		    "must be draft, active or archived" :
		    "only staff may filter by status");
	if (rc == -1)
		core_http_field_error(&errors, "status", "is too long");
	if (errors != NULL) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	if (!staff)
		snprintf(status, sizeof(status), "active");
	else if (rc != 1)
		status[0] = '\0';
	db = core_db_get("catalog");
	if ((st = core_db_stmt(db, "SELECT rowid FROM products WHERE"
	    " rowid < ? AND (? = '' OR status = ?) ORDER BY rowid DESC"
	    " LIMIT ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, limit);
	/* Collect the rowids first: the JSON builder reuses statements. */
	{
		int64_t	rows[CATALOG_PAGE_MAX];
		int	i;

		n = 0;
		while (n < limit && sqlite3_step(st) == SQLITE_ROW)
			rows[n++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		data = cJSON_CreateArray();
		last = 0;
		for (i = 0; i < n; i++) {
			cJSON_AddItemToArray(data, catalog_product_json(db,
			    rows[i], staff));
			last = rows[i];
		}
	}
	snprintf(next, sizeof(next), "%lld", (long long)last);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}

int
catalog_products_patch(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *it;
	const char	*s;
	char		*val;
	int64_t		 rowid, version;
	size_t		 i;
	int		 rc;
	/* Column names never come from the request: one statement each. */
	static const char *const text_cols[] = {
		"title", "slug", "status", "vendor", "product_type",
		"seo_title", "seo_description", "primary_category", NULL
	};
	static const char *const text_sql[] = {
		"UPDATE products SET title = ? WHERE rowid = ?",
		"UPDATE products SET slug = ? WHERE rowid = ?",
		"UPDATE products SET status = ? WHERE rowid = ?",
		"UPDATE products SET vendor = ? WHERE rowid = ?",
		"UPDATE products SET product_type = ? WHERE rowid = ?",
		"UPDATE products SET seo_title = ? WHERE rowid = ?",
		"UPDATE products SET seo_description = ? WHERE rowid = ?",
		"UPDATE products SET primary_category = ? WHERE rowid = ?",
	};
	static const char *const json_cols[] = { "tags", "images", NULL };
	static const char *const json_sql[] = {
		"UPDATE products SET tags = ? WHERE rowid = ?",
		"UPDATE products SET images = ? WHERE rowid = ?",
	};

	db = core_db_get("catalog");
	if ((rowid = catalog_product_find(db, r->params[0], &version, NULL,
	    0)) == -1)
		return (core_http_not_found(r, "not-found", "no such product"));
	if (core_http_if_match(r, version, CORE_HTTP_IFM_REQUIRED,
	    "product") == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "body", "is required");
	else
		catalog_product_validate(db, r->body, 0, &errors);
	if (r->body != NULL)
		catalog_values_validate(db, r->body, rowid, &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (catalog_begin_at(r, db, "SELECT version FROM products WHERE"
	    " id = ?", r->params[0], version, "product") == -1)
		return (KORE_RESULT_OK);
	for (i = 0; text_cols[i] != NULL; i++) {
		if (core_json_get_str(r->body, text_cols[i], 500, &s) !=
		    CORE_JSON_OK)
			continue;
		if ((st = core_db_stmt(db, text_sql[i])) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rowid);
		rc = sqlite3_step(st);
		if (rc == SQLITE_CONSTRAINT_UNIQUE) {
			sqlite3_reset(st);
			core_db_rollback(db);
			core_http_problem(r, 409, "slug-taken", "Slug taken",
			    "another product has this slug", NULL);
			return (KORE_RESULT_OK);
		}
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (core_json_get_str(r->body, "description", CATALOG_DESC_MAX, &s) ==
	    CORE_JSON_OK) {
		if ((val = core_html_sanitize(s)) == NULL ||
		    (st = core_db_stmt(db, "UPDATE products SET description = ?"
		    " WHERE rowid = ?")) == NULL) {
			free(val);
			goto fail;
		}
		sqlite3_bind_text(st, 1, val, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, rowid);
		rc = sqlite3_step(st);
		free(val);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	for (i = 0; json_cols[i] != NULL; i++) {
		if ((it = cJSON_GetObjectItemCaseSensitive(r->body,
		    json_cols[i])) == NULL)
			continue;
		if ((st = core_db_stmt(db, json_sql[i])) == NULL)
			goto fail;
		val = cJSON_PrintUnformatted(it);
		sqlite3_bind_text(st, 1, val, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, rowid);
		rc = sqlite3_step(st);
		cJSON_free(val);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(r->body, "categories")) !=
	    NULL && catalog_set_categories(db, rowid, it) == -1)
		goto fail;
	if (catalog_values_write(db, rowid, r->body) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "UPDATE products SET version = version + 1,"
	    " updated_at = ? WHERE rowid = ?")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, core_db_now_ms());
	sqlite3_bind_int64(st, 2, rowid);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    catalog_product_changed(db, rowid) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	core_http_etag(r, version + 1);
	core_http_json_take(r, 200, catalog_product_json(db, rowid, 1));
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "patch product");
	core_db_rollback(db);
	return (core_http_internal(r));
}

int
catalog_products_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*ev, *skus;
	int64_t		 rowid;

	db = core_db_get("catalog");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((rowid = catalog_product_find(db, r->params[0], NULL, NULL, 0)) ==
	    -1) {
		core_db_rollback(db);
		return (core_http_not_found(r, "not-found", "no such product"));
	}
	if (core_db_scalar(db, "SELECT count(*) FROM reservations r JOIN"
	    " variants v ON v.rowid = r.variant WHERE r.state = 'held' AND"
	    " v.product = (SELECT rowid FROM products WHERE id = ?)",
	    r->params[0], 0) > 0) {
		core_db_rollback(db);
		core_http_problem(r, 409, "has-reservations", "In use",
		    "open orders hold stock of this product; archive it "
		    "instead", NULL);
		return (KORE_RESULT_OK);
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "product_id", r->params[0]);
	skus = cJSON_AddArrayToObject(ev, "skus");
	if ((st = core_db_stmt(db, "SELECT sku FROM variants WHERE product = ?"
	    " ORDER BY position")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, rowid);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(skus, cJSON_CreateString(
		    (const char *)sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	if (catalog_listing_deleted(db, rowid) == -1 ||
	    (st = core_db_stmt(db, "DELETE FROM product_search WHERE"
	    " rowid = ?")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if ((st = core_db_stmt(db, "DELETE FROM products WHERE rowid = ?")) ==
	    NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, rowid);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    core_bus_publish(db, "catalog.product.deleted", 1, r->params[0],
	    ev) == -1 || core_db_commit(db) == -1)
		goto fail;
	cJSON_Delete(ev);
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	cJSON_Delete(ev);
	core_db_err(db, "delete product");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/*
 * POST /products/bulk-status {"ids": [...], "status": "..."}: all or
 * nothing in one transaction; each product whose status changes gets a
 * new version, search row and catalog.product.upserted.
 */
int
catalog_products_bulk_status(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *ids, *it, *out, *list, *o;
	const char	*status;
	char		 field[32];
	int64_t		 rowid, version;
	int		 i, n, updated;

	errors = NULL;
	ids = r->body ? cJSON_GetObjectItemCaseSensitive(r->body, "ids") : NULL;
	if (!cJSON_IsArray(ids) || (n = cJSON_GetArraySize(ids)) < 1 ||
	    n > CATALOG_PAGE_MAX)
		core_http_field_error(&errors, "ids",
		    "must be an array of 1 to 100 product ids");
	if (r->body == NULL || core_json_get_str(r->body, "status", 16,
	    &status) != CORE_JSON_OK || (strcmp(status, "draft") != 0 &&
	    strcmp(status, "active") != 0 && strcmp(status, "archived") != 0))
		core_http_field_error(&errors, "status",
		    "must be draft, active or archived");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("catalog");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	i = 0;
	cJSON_ArrayForEach(it, ids) {
		if (!cJSON_IsString(it) || catalog_product_find(db,
		    it->valuestring, NULL, NULL, 0) == -1) {
			snprintf(field, sizeof(field), "ids[%d]", i);
			core_http_field_error(&errors, field,
			    "is not a product");
		}
		i++;
	}
	if (errors != NULL) {
		core_db_rollback(db);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	out = cJSON_CreateObject();
	list = cJSON_CreateArray();
	updated = 0;
	cJSON_ArrayForEach(it, ids) {
		rowid = catalog_product_find(db, it->valuestring, &version,
		    NULL, 0);
		if ((st = core_db_stmt(db, "UPDATE products SET status = ?,"
		    " version = version + 1, updated_at = ? WHERE rowid = ? AND"
		    " status <> ?")) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, core_db_now_ms());
		sqlite3_bind_int64(st, 3, rowid);
		sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		if (sqlite3_changes(db) > 0) {
			version++;
			updated++;
			if (catalog_product_changed(db, rowid) == -1)
				goto fail;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", it->valuestring);
		cJSON_AddStringToObject(o, "status", status);
		cJSON_AddNumberToObject(o, "version", (double)version);
		cJSON_AddItemToArray(list, o);
	}
	if (core_db_commit(db) == -1)
		goto fail;
	cJSON_AddNumberToObject(out, "updated", updated);
	cJSON_AddItemToObject(out, "products", list);
	core_http_json_take(r, 200, out);
	return (KORE_RESULT_OK);
fail:
	cJSON_Delete(out);
	cJSON_Delete(list);
	core_db_err(db, "bulk status");
	core_db_rollback(db);
	return (core_http_internal(r));
}
