/*
 * Base prices: one amount and an optional compare-at ("was") price per
 * SKU, in minor units of the shop currency.  Staff set them one by one
 * (PUT, If-Match optional) or a column at a time (bulk, all or nothing);
 * catalog's CSV imports set them through events (pricing_copies.c).  Every
 * change publishes pricing.price.changed in its transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

/* Validated input of one price. */
struct pricing_price_in {
	const char	*sku;
	int64_t		 amount;
	int64_t		 compare_at;	/* -1: none */
};

static void	pricing_price_check(const cJSON *, const char *prefix,
		    struct pricing_price_in *, cJSON **errors);
static cJSON	*pricing_price_json(sqlite3 *, const char *sku, int staff);
static int	pricing_sku_known(sqlite3 *, const char *sku);

/*
 * Reads amount and compare_at of o into in; each problem is added to
 * *errors as prefix + field ("prices[3].amount").
 */
static void
pricing_price_check(const cJSON *o, const char *prefix,
    struct pricing_price_in *in, cJSON **errors)
{
	char	field[48];
	int	rc;

	in->compare_at = -1;
	if (core_json_get_i64(o, "amount", 0, CORE_MONEY_MAX, &in->amount) !=
	    CORE_JSON_OK) {
		snprintf(field, sizeof(field), "%samount", prefix);
		core_http_field_error(errors, field, "is required: a whole "
		    "number of minor units from 0 to 10^15");
		return;
	}
	rc = core_json_get_i64(o, "compare_at", 0, CORE_MONEY_MAX,
	    &in->compare_at);
	if (rc == CORE_JSON_MISSING) {
		in->compare_at = -1;
	} else if (rc == CORE_JSON_WRONG || in->compare_at <= in->amount) {
		snprintf(field, sizeof(field), "%scompare_at", prefix);
		core_http_field_error(errors, field, "must be a whole number "
		    "of minor units above amount, or null");
	}
}

/* 1 if pricing's copy of the catalog has sku, 0 if not, -1 on error. */
static int
pricing_sku_known(sqlite3 *db, const char *sku)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT 1 FROM product_skus WHERE"
	    " sku = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : -1);
}

int
pricing_price_write(sqlite3 *db, const char *sku, int64_t amount,
    int64_t compare_at, const char *origin, int64_t *version)
{
	sqlite3_stmt	*st;
	cJSON		*ev;
	char		 cur[4];
	int64_t		 v;
	int		 rc;

	/* An unchanged price keeps its version and publishes nothing. */
	if ((st = core_db_stmt(db, "SELECT version FROM prices WHERE sku = ?1"
	    " AND amount = ?2 AND compare_at IS ?3")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, amount);
	if (compare_at >= 0)
		sqlite3_bind_int64(st, 3, compare_at);
	else
		sqlite3_bind_null(st, 3);
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		if (version != NULL)
			*version = v;
		return (0);
	}
	if ((st = core_db_stmt(db, "INSERT INTO prices (sku, amount,"
	    " compare_at, origin, version, updated_at) VALUES (?1, ?2, ?3, ?4,"
	    " 1, ?5) ON CONFLICT (sku) DO UPDATE SET amount = excluded.amount,"
	    " compare_at = excluded.compare_at, origin = excluded.origin,"
	    " version = version + 1, updated_at = excluded.updated_at"
	    " RETURNING version")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, amount);
	if (compare_at >= 0)
		sqlite3_bind_int64(st, 3, compare_at);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_db_err(db, "write price"));
	}
	v = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "write price"));
	if (version != NULL)
		*version = v;

	pricing_currency(db, cur);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "sku", sku);
	cJSON_AddNumberToObject(ev, "amount", (double)amount);
	if (compare_at >= 0)
		cJSON_AddNumberToObject(ev, "compare_at", (double)compare_at);
	else
		cJSON_AddNullToObject(ev, "compare_at");
	cJSON_AddStringToObject(ev, "currency", cur);
	if ((st = core_db_stmt(db, "SELECT product_id FROM product_skus WHERE"
	    " sku = ?")) == NULL) {
		cJSON_Delete(ev);
		return (-1);
	}
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddStringToObject(ev, "product_id",
		    (const char *)sqlite3_column_text(st, 0));
	else
		cJSON_AddNullToObject(ev, "product_id");
	sqlite3_reset(st);
	rc = core_bus_publish(db, "pricing.price.changed", 1, sku, ev);
	cJSON_Delete(ev);
	return (rc);
}

/*
 * The price of sku as JSON, or NULL when it has none.  The public view
 * only shows prices of SKUs of active products.
 */
static cJSON *
pricing_price_json(sqlite3 *db, const char *sku, int staff)
{
	sqlite3_stmt	*st;
	cJSON		*o;
	char		 cur[4], ts[40];
	const char	*status;

	pricing_currency(db, cur);
	if ((st = core_db_row(db, "SELECT p.sku, p.amount, p.compare_at,"
	    " s.product_id, pr.title, pr.status, p.origin, p.version,"
	    " p.updated_at FROM prices p LEFT JOIN product_skus s ON"
	    " s.sku = p.sku LEFT JOIN products pr ON pr.product_id ="
	    " s.product_id WHERE p.sku = ?", sku)) == NULL)
		return (NULL);
	status = (const char *)sqlite3_column_text(st, 5);
	if (!staff && (status == NULL || strcmp(status, "active") != 0)) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	core_db_add_text(o, "sku", st, 0);
	core_db_add_int(o, "amount", st, 1);
	core_db_add_int(o, "compare_at", st, 2);
	cJSON_AddStringToObject(o, "currency", cur);
	core_db_add_text(o, "product_id", st, 3);
	if (staff) {
		core_db_add_text(o, "title", st, 4);
		core_db_add_text(o, "origin", st, 6);
		core_db_add_int(o, "version", st, 7);
		core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 8));
		cJSON_AddStringToObject(o, "updated_at", ts);
	}
	sqlite3_reset(st);
	return (o);
}

/* PUT /prices/{sku} {"amount", "compare_at"?}: If-Match optional. */
int
pricing_prices_put(struct core_req *r)
{
	sqlite3			*db;
	sqlite3_stmt		*st;
	cJSON			*errors, *o;
	struct pricing_price_in	 in;
	int64_t			 version, now_version;
	int			 known;

	errors = NULL;
	if (r->body == NULL)
		core_http_field_error(&errors, "amount", "is required");
	else
		pricing_price_check(r->body, "", &in, &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	known = pricing_sku_valid(r->params[0]) ?
	    pricing_sku_known(db, r->params[0]) : 0;
	if (known != 1) {
		core_db_rollback(db);
		if (known == -1)
			return (core_http_internal(r));
		return (core_http_not_found(r, "unknown-sku",
		    "no product in the "
		    "catalog has this SKU"));
	}
	version = 0;
	if ((st = core_db_stmt(db, "SELECT version FROM prices WHERE"
	    " sku = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* Checked under the write lock: the ETag decides, not the race. */
	if (core_http_if_match(r, version, PRICING_IFM_OPTIONAL,
	    "price") == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	if (pricing_price_write(db, r->params[0], in.amount, in.compare_at,
	    "staff", &now_version) == -1 || core_db_commit(db) == -1)
		goto fail;
	if ((o = pricing_price_json(db, r->params[0], 1)) == NULL)
		return (core_http_internal(r));
	core_http_etag(r, now_version);
	core_http_json_take(r, version == 0 ? 201 : 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* GET /prices/{sku}: public (active products) or staff (any, ETag). */
int
pricing_prices_get(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;
	int	 staff;

	db = core_db_get("pricing");
	staff = r->who.role >= CORE_ROLE_STAFF;
	if ((o = pricing_price_json(db, r->params[0], staff)) == NULL)
		return (core_http_not_found(r, "not-found", "this SKU has no "
		    "price"));
	if (staff)
		core_http_etag(r, (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(o, "version")));
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * GET /prices?after=&limit=&product_id=&all=: staff, every price in SKU
 * order with the product's title from pricing's copy.  all=true adds the
 * SKUs pricing knows without a price (amount null, version 0): the
 * admin's price column lists every variant, priced or not.
 */
int
pricing_prices_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *o, *errors;
	char		 after[PRICING_SKU_MAX + 1], pid[64], cur[4], ts[40];
	char		 next[PRICING_SKU_MAX + 1], all[8];
	int		 limit, n, rc, withall;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if ((rc = core_http_query(r, "product_id", pid, sizeof(pid))) == -1 ||
	    (rc == 1 && !core_id_valid(pid, "prod")))
		core_http_field_error(&errors, "product_id",
		    "must be a product id (prod_...)");
	if (rc != 1)
		pid[0] = '\0';
	withall = 0;
	if ((rc = core_http_query(r, "all", all, sizeof(all))) == -1 ||
	    (rc == 1 && strcmp(all, "true") != 0 && strcmp(all, "false") != 0))
		core_http_field_error(&errors, "all", "must be true or false");
	else if (rc == 1)
		withall = strcmp(all, "true") == 0;
	if (errors != NULL) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	pricing_currency(db, cur);
	if ((st = core_db_stmt(db, "SELECT k.sku, p.amount, p.compare_at,"
	    " s.product_id, pr.title, p.origin, coalesce(p.version, 0),"
	    " p.updated_at FROM (SELECT sku FROM prices UNION SELECT sku FROM"
	    " product_skus WHERE ?4) k LEFT JOIN prices p ON p.sku = k.sku"
	    " LEFT JOIN product_skus s ON s.sku = k.sku"
	    " LEFT JOIN products pr ON pr.product_id = s.product_id"
	    " WHERE k.sku > ?1 AND (?2 = '' OR s.product_id = ?2)"
	    " ORDER BY k.sku LIMIT ?3")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_int(st, 4, withall);
	data = cJSON_CreateArray();
	n = 0;
	next[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		core_db_add_text(o, "sku", st, 0);
		core_db_add_int(o, "amount", st, 1);
		core_db_add_int(o, "compare_at", st, 2);
		cJSON_AddStringToObject(o, "currency", cur);
		core_db_add_text(o, "product_id", st, 3);
		core_db_add_text(o, "title", st, 4);
		core_db_add_text(o, "origin", st, 5);
		core_db_add_int(o, "version", st, 6);
		if (sqlite3_column_type(st, 7) == SQLITE_NULL) {
			cJSON_AddNullToObject(o, "updated_at");
		} else {
			core_time_rfc3339(ts, sizeof(ts),
			    sqlite3_column_int64(st, 7));
			cJSON_AddStringToObject(o, "updated_at", ts);
		}
		cJSON_AddItemToArray(data, o);
		snprintf(next, sizeof(next), "%s", sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}

/*
 * POST /prices/bulk {"prices": [{"sku", "amount", "compare_at"?}, ...]}:
 * the admin's column edit.  At most PRICING_BULK_MAX rows, all or nothing
 * in one transaction: any bad row is a 422 naming prices[i].<field> and
 * nothing is written.  Unchanged rows keep their version.
 */
int
pricing_prices_bulk(struct core_req *r)
{
	sqlite3			*db;
	cJSON			*errors, *list, *out, *o;
	const cJSON		*it;
	struct pricing_price_in	*in;
	char			 prefix[32], field[48];
	const char		*sku;
	int64_t			 before, version;
	int			 i, j, n, known, updated;

	errors = NULL;
	list = r->body ? cJSON_GetObjectItemCaseSensitive(r->body, "prices") :
	    NULL;
	if (!cJSON_IsArray(list) || (n = cJSON_GetArraySize(list)) < 1 ||
	    n > PRICING_BULK_MAX) {
		core_http_field_error(&errors, "prices",
		    "must be an array of 1 to 500 prices");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if ((in = calloc((size_t)n, sizeof(*in))) == NULL)
		return (core_http_internal(r));
	i = 0;
	cJSON_ArrayForEach(it, list) {
		snprintf(prefix, sizeof(prefix), "prices[%d].", i);
		snprintf(field, sizeof(field), "prices[%d].sku", i);
		in[i].sku = NULL;
		if (!cJSON_IsObject(it)) {
			snprintf(field, sizeof(field), "prices[%d]", i);
			core_http_field_error(&errors, field,
			    "must be an object");
			i++;
			continue;
		}
		if (core_json_get_str(it, "sku", PRICING_SKU_MAX, &sku) !=
		    CORE_JSON_OK || !pricing_sku_valid(sku)) {
			core_http_field_error(&errors, field, "is required: "
			    "1 to 64 of A-Z a-z 0-9 . _ / -");
		} else {
			in[i].sku = sku;
			for (j = 0; j < i; j++)
				if (in[j].sku != NULL &&
				    strcmp(in[j].sku, sku) == 0)
					break;
			if (j < i)
				core_http_field_error(&errors, field,
				    "appears twice in the list");
		}
		pricing_price_check(it, prefix, &in[i], &errors);
		i++;
	}
	if (errors != NULL) {
		free(in);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	if (core_db_begin(db) == -1) {
		free(in);
		return (core_http_internal(r));
	}
	for (i = 0; i < n; i++) {
		if ((known = pricing_sku_known(db, in[i].sku)) == -1)
			goto fail;
		if (known == 0) {
			snprintf(field, sizeof(field), "prices[%d].sku", i);
			core_http_field_error(&errors, field,
			    "no product in the catalog has this SKU");
		}
	}
	if (errors != NULL) {
		core_db_rollback(db);
		free(in);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	out = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(out, "prices");
	updated = 0;
	for (i = 0; i < n; i++) {
		before = core_db_scalar(db, "SELECT version FROM prices WHERE"
		    " sku = ?", in[i].sku, 0);
		if (pricing_price_write(db, in[i].sku, in[i].amount,
		    in[i].compare_at, "staff", &version) == -1) {
			cJSON_Delete(out);
			goto fail;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "sku", in[i].sku);
		cJSON_AddNumberToObject(o, "amount", (double)in[i].amount);
		if (in[i].compare_at >= 0)
			cJSON_AddNumberToObject(o, "compare_at",
			    (double)in[i].compare_at);
		else
			cJSON_AddNullToObject(o, "compare_at");
		cJSON_AddNumberToObject(o, "version", (double)version);
		cJSON_AddItemToArray(list, o);
		updated += version != before;
	}
	if (core_db_commit(db) == -1) {
		cJSON_Delete(out);
		goto fail;
	}
	free(in);
	cJSON_AddNumberToObject(out, "updated", updated);
	core_http_json_take(r, 200, out);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	free(in);
	return (core_http_internal(r));
}
