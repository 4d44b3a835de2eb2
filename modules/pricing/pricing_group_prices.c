/*
 * A customer group's price list: per-SKU overrides of the base price,
 * each with an optional validity window [starts_at, ends_at).  Every
 * change publishes pricing.group.changed (price_set / price_removed) with
 * the override, so checkout's copy can pick the price a member pays.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

/* Adds ms as RFC 3339 (or null when < 0) to o under key. */
static void
pricing_add_ms(cJSON *o, const char *key, int64_t ms)
{
	char	ts[40];

	if (ms < 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	core_time_rfc3339(ts, sizeof(ts), ms);
	cJSON_AddStringToObject(o, key, ts);
}

/*
 * A row of group_prices (group_id, sku, amount, starts_at, ends_at,
 * version, updated_at, base amount) as JSON.
 */
static cJSON *
pricing_group_price_json(sqlite3_stmt *st, const char *cur, int64_t now)
{
	cJSON	*o;
	int	 active;

	o = cJSON_CreateObject();
	core_db_add_text(o, "sku", st, 1);
	core_db_add_int(o, "amount", st, 2);
	cJSON_AddStringToObject(o, "currency", cur);
	core_db_add_time(o, "starts_at", st, 3);
	core_db_add_time(o, "ends_at", st, 4);
	active = (sqlite3_column_type(st, 3) == SQLITE_NULL ||
	    sqlite3_column_int64(st, 3) <= now) &&
	    (sqlite3_column_type(st, 4) == SQLITE_NULL ||
	    now < sqlite3_column_int64(st, 4));
	cJSON_AddBoolToObject(o, "active", active);
	core_db_add_int(o, "base_amount", st, 7);
	core_db_add_int(o, "version", st, 5);
	core_db_add_time(o, "updated_at", st, 6);
	return (o);
}

static const char pricing_group_price_sql[] =
    "SELECT g.group_id, g.sku, g.amount, g.starts_at, g.ends_at,"
    " g.version, g.updated_at, p.amount FROM group_prices g"
    " LEFT JOIN prices p ON p.sku = g.sku"
    " WHERE g.group_id = ? AND g.sku = ?";

/* Reads an optional RFC 3339 member into *ms (-1 when absent or null). */
static void
pricing_time_member(const cJSON *body, const char *key, int64_t *ms,
    cJSON **errors)
{
	const char	*s;
	int		 rc;

	*ms = -1;
	rc = core_json_get_str(body, key, 64, &s);
	if (rc == CORE_JSON_MISSING)
		return;
	if (rc != CORE_JSON_OK || pricing_time_parse(s, ms) == -1) {
		*ms = -1;
		core_http_field_error(errors, key, "must be an RFC 3339 time "
		    "such as 2026-12-01T00:00:00Z, or null");
	}
}

int
pricing_group_price_write(sqlite3 *db, const char *group, const char *sku,
    int64_t amount, int64_t starts, int64_t ends)
{
	sqlite3_stmt	*st;
	cJSON		*x;
	char		 cur[4];

	if ((st = core_db_stmt(db, "INSERT INTO group_prices (group_id, sku,"
	    " amount, starts_at, ends_at, version, updated_at) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, 1, ?6) ON CONFLICT (group_id, sku) DO"
	    " UPDATE SET amount = excluded.amount, starts_at ="
	    " excluded.starts_at, ends_at = excluded.ends_at, version ="
	    " version + 1, updated_at = excluded.updated_at WHERE amount <>"
	    " excluded.amount OR starts_at IS NOT excluded.starts_at OR"
	    " ends_at IS NOT excluded.ends_at")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, amount);
	if (starts >= 0)
		sqlite3_bind_int64(st, 4, starts);
	if (ends >= 0)
		sqlite3_bind_int64(st, 5, ends);
	sqlite3_bind_int64(st, 6, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "write group price"));
	if (sqlite3_changes(db) == 0)
		return (0);		/* the same override: no event */
	pricing_currency(db, cur);
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "sku", sku);
	cJSON_AddNumberToObject(x, "amount", (double)amount);
	cJSON_AddStringToObject(x, "currency", cur);
	pricing_add_ms(x, "starts_at", starts);
	pricing_add_ms(x, "ends_at", ends);
	return (pricing_group_publish(db, group, "price_set", x));
}

/* Answers the override of params (group, sku) with status and ETag. */
static int
pricing_group_price_answer(struct core_req *r, sqlite3 *db, int status)
{
	sqlite3_stmt	*st;
	cJSON		*o;
	char		 cur[4];

	pricing_currency(db, cur);
	if ((st = core_db_stmt(db, pricing_group_price_sql)) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_http_internal(r));
	}
	o = pricing_group_price_json(st, cur, core_db_now_ms());
	core_http_etag(r, sqlite3_column_int64(st, 5));
	sqlite3_reset(st);
	core_http_json_take(r, status, o);
	return (KORE_RESULT_OK);
}

/*
 * PUT /groups/{id}/prices/{sku} {"amount", "starts_at"?, "ends_at"?}:
 * If-Match optional.  201 for a new override, 200 after a change.
 */
int
pricing_group_prices_put(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	int64_t		 amount, starts, ends, version;

	errors = NULL;
	starts = ends = -1;
	if (r->body == NULL || core_json_get_i64(r->body, "amount", 0,
	    CORE_MONEY_MAX, &amount) != CORE_JSON_OK)
		core_http_field_error(&errors, "amount", "is required: a whole "
		    "number of minor units from 0 to 10^15");
	if (r->body != NULL) {
		pricing_time_member(r->body, "starts_at", &starts, &errors);
		pricing_time_member(r->body, "ends_at", &ends, &errors);
		if (starts >= 0 && ends >= 0 && starts >= ends)
			core_http_field_error(&errors, "ends_at",
			    "must be after starts_at");
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	if (pricing_group_begin(r, db) == -1)
		return (KORE_RESULT_OK);
	if (!pricing_sku_valid(r->params[1]) || core_db_scalar(db,
	    "SELECT count(*) FROM product_skus WHERE sku = ?", r->params[1],
	    0) == 0) {
		core_db_rollback(db);
		return (core_http_not_found(r, "unknown-sku",
		    "no product in the "
		    "catalog has this SKU"));
	}
	version = 0;
	if ((st = core_db_stmt(db, "SELECT version FROM group_prices"
	    " WHERE group_id = ? AND sku = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (core_http_if_match(r, version, PRICING_IFM_OPTIONAL,
	    "group price") == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	if (pricing_group_price_write(db, r->params[0], r->params[1], amount,
	    starts, ends) == -1 || core_db_commit(db) == -1)
		goto fail;
	return (pricing_group_price_answer(r, db, version == 0 ? 201 : 200));
fail:
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* DELETE /groups/{id}/prices/{sku}: 204, or 404. */
int
pricing_group_prices_delete(struct core_req *r)
{
	static const struct pricing_group_row prices = {
		"DELETE FROM group_prices WHERE group_id = ? AND sku = ?",
		"sku", "price_removed", "not-found",
		"this group has no price for this SKU", "delete group price"
	};

	return (pricing_group_row_delete(r, &prices));
}

/*
 * GET /groups/{id}/prices?limit=&after=: the price list in SKU order,
 * each with the base price beside it and whether it is in its window now.
 */
int
pricing_group_prices_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data;
	char		 after[PRICING_SKU_MAX + 1], next[PRICING_SKU_MAX + 1];
	char		 cur[4];
	int64_t		 now;
	int		 limit, n;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	db = core_db_get("pricing");
	if (pricing_group_version(db, r->params[0]) == 0)
		return (core_http_not_found(r, "not-found", "no such group"));
	pricing_currency(db, cur);
	if ((st = core_db_stmt(db, "SELECT g.group_id, g.sku, g.amount,"
	    " g.starts_at, g.ends_at, g.version, g.updated_at, p.amount"
	    " FROM group_prices g LEFT JOIN prices p ON p.sku = g.sku"
	    " WHERE g.group_id = ? AND g.sku > ? ORDER BY g.sku"
	    " LIMIT ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	now = core_db_now_ms();
	data = cJSON_CreateArray();
	n = 0;
	next[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddItemToArray(data, pricing_group_price_json(st, cur,
		    now));
		snprintf(next, sizeof(next), "%s", sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}
