/*
 * Coupons: codes that switch on a "code" promotion, typed in by hand or
 * generated in batches (pricing_batches.c), case-insensitive (stored
 * upper-case), with an expiry and use limits of their own.  Every
 * code created, changed or deleted publishes pricing.coupon.changed, one
 * event per code, which is what checkout keeps its copy from.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

static cJSON	*pricing_coupon_json(sqlite3 *, const char *code, int full);
static int	 pricing_coupon_publish(sqlite3 *, const char *code,
		    const char *change);

int
pricing_coupon_norm(char *out, size_t len, const char *s)
{
	size_t	i, n;

	n = strlen(s);
	if (n < 3 || n > PRICING_COUPON_MAX || n >= len)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return (-1);
		out[i] = (char)toupper((unsigned char)s[i]);
	}
	out[n] = '\0';
	return (0);
}

/* 1 if id is a promotion with trigger "code". */
int
pricing_code_promo(sqlite3 *db, const char *id)
{
	if (!core_id_valid(id, "promo"))
		return (0);
	return (core_db_scalar(db, "SELECT count(*) FROM promotions WHERE"
	    " id = ? AND trigger_kind = 'code'", id, 0) == 1);
}

/* The version of coupon code, 0 when there is none. */
static int64_t
pricing_coupon_version(sqlite3 *db, const char *code)
{
	return (core_db_scalar(db, "SELECT version FROM coupons WHERE"
	    " code = ?", code, 0));
}

/* The coupon (full: with uses, version and times), or NULL. */
static cJSON *
pricing_coupon_json(sqlite3 *db, const char *code, int full)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_stmt(db, "SELECT code, promotion_id, batch_id,"
	    " status, expires_at, usage_limit, customer_usage_limit, version,"
	    " created_at, updated_at, coalesce((SELECT uses FROM coupon_uses u"
	    " WHERE u.code = c.code), 0) FROM coupons c WHERE code = ?")) ==
	    NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	core_db_add_text(o, "code", st, 0);
	core_db_add_text(o, "promotion_id", st, 1);
	core_db_add_text(o, "batch_id", st, 2);
	core_db_add_text(o, "status", st, 3);
	core_db_add_time(o, "expires_at", st, 4);
	core_db_add_int(o, "usage_limit", st, 5);
	core_db_add_int(o, "customer_usage_limit", st, 6);
	if (full) {
		core_db_add_int(o, "uses", st, 10);
		core_db_add_int(o, "version", st, 7);
		core_db_add_time(o, "created_at", st, 8);
		core_db_add_time(o, "updated_at", st, 9);
	}
	sqlite3_reset(st);
	return (o);
}

/* pricing.coupon.changed v1 for a coupon that still exists. */
static int
pricing_coupon_publish(sqlite3 *db, const char *code, const char *change)
{
	cJSON	*c, *ev;
	int	 rc;

	if ((c = pricing_coupon_json(db, code, 0)) == NULL)
		return (-1);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", code);
	cJSON_AddStringToObject(ev, "change", change);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "code");
	core_json_merge(ev, c);
	rc = core_bus_publish(db, "pricing.coupon.changed", 1, code, ev);
	cJSON_Delete(ev);
	return (rc);
}

int
pricing_coupon_insert(sqlite3 *db, const char *code, const char *promo,
    const char *batch, int64_t expires, int64_t limit, int64_t climit)
{
	sqlite3_stmt	*st;
	cJSON		*ev;
	char		 ts[40];
	int64_t		 now;
	int		 rc;

	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO coupons (code, promotion_id,"
	    " batch_id, expires_at, usage_limit, customer_usage_limit,"
	    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	    " ON CONFLICT (code) DO NOTHING")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, promo, -1, SQLITE_TRANSIENT);
	if (batch != NULL)
		sqlite3_bind_text(st, 3, batch, -1, SQLITE_TRANSIENT);
	if (expires >= 0)
		sqlite3_bind_int64(st, 4, expires);
	if (limit > 0)
		sqlite3_bind_int64(st, 5, limit);
	if (climit > 0)
		sqlite3_bind_int64(st, 6, climit);
	sqlite3_bind_int64(st, 7, now);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		return (core_db_err(db, "insert coupon"));
	if (sqlite3_changes(db) == 0)
		return (1);
	/*
	 * The event from what was just written, not read back: a batch of
	 * 10,000 publishes 10,000 of them in one request.  Same members as
	 * pricing_coupon_publish.
	 */
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", code);
	cJSON_AddStringToObject(ev, "change", "created");
	cJSON_AddStringToObject(ev, "promotion_id", promo);
	if (batch != NULL)
		cJSON_AddStringToObject(ev, "batch_id", batch);
	else
		cJSON_AddNullToObject(ev, "batch_id");
	cJSON_AddStringToObject(ev, "status", "active");
	if (expires >= 0) {
		core_time_rfc3339(ts, sizeof(ts), expires);
		cJSON_AddStringToObject(ev, "expires_at", ts);
	} else {
		cJSON_AddNullToObject(ev, "expires_at");
	}
	if (limit > 0)
		cJSON_AddNumberToObject(ev, "usage_limit", (double)limit);
	else
		cJSON_AddNullToObject(ev, "usage_limit");
	if (climit > 0)
		cJSON_AddNumberToObject(ev, "customer_usage_limit",
		    (double)climit);
	else
		cJSON_AddNullToObject(ev, "customer_usage_limit");
	rc = core_bus_publish(db, "pricing.coupon.changed", 1, code, ev);
	cJSON_Delete(ev);
	return (rc);
}

/*
 * expires_at, usage_limit and customer_usage_limit of o (each optional;
 * *limit gets dlimit when absent).  Adds errors and returns -1 when bad.
 */
int
pricing_coupon_limits(const cJSON *o, int64_t *expires, int64_t *limit,
    int64_t *climit, int64_t dlimit, cJSON **errors)
{
	const char	*s;
	int		 rc, bad;

	bad = 0;
	*expires = -1;
	*limit = dlimit;
	*climit = -1;
	rc = core_json_get_str(o, "expires_at", 64, &s);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    pricing_time_parse(s, expires) == -1)) {
		core_http_field_error(errors, "expires_at",
		    "must be an RFC 3339 time or null");
		bad = 1;
	}
	rc = core_json_get_i64(o, "usage_limit", 1, CORE_MONEY_MAX, limit);
	if (rc == CORE_JSON_WRONG) {
		core_http_field_error(errors, "usage_limit",
		    "must be a positive integer or null");
		bad = 1;
	} else if (rc == CORE_JSON_MISSING) {
		*limit = cJSON_GetObjectItemCaseSensitive(o, "usage_limit") ==
		    NULL ? dlimit : -1;
	}
	rc = core_json_get_i64(o, "customer_usage_limit", 1, CORE_MONEY_MAX,
	    climit);
	if (rc == CORE_JSON_WRONG) {
		core_http_field_error(errors, "customer_usage_limit",
		    "must be a positive integer or null");
		bad = 1;
	} else if (rc == CORE_JSON_MISSING) {
		*climit = -1;
	}
	return (bad ? -1 : 0);
}

/* POST /coupons {"code","promotion_id",...}: 201; 409 code-taken. */
int
pricing_coupons_create(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*errors, *o;
	const char	*code, *promo;
	char		 norm[PRICING_COUPON_MAX + 1];
	int64_t		 expires, limit, climit;
	int		 rc;

	errors = NULL;
	db = core_db_get("pricing");
	code = promo = NULL;
	if (!cJSON_IsObject(r->body)) {
		core_http_field_error(&errors, "body", "is required");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_json_get_str(r->body, "code", 64, &code) != CORE_JSON_OK ||
	    pricing_coupon_norm(norm, sizeof(norm), code) == -1)
		core_http_field_error(&errors, "code", "is required: 3 to 32 "
		    "of A-Z 0-9 - _ (any case)");
	if (core_json_get_str(r->body, "promotion_id", 64, &promo) !=
	    CORE_JSON_OK || !pricing_code_promo(db, promo))
		core_http_field_error(&errors, "promotion_id", "must be the "
		    "id of a promotion with trigger code");
	(void)pricing_coupon_limits(r->body, &expires, &limit, &climit, -1,
	    &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	rc = pricing_coupon_insert(db, norm, promo, NULL, expires, limit,
	    climit);
	if (rc == 1) {
		core_db_rollback(db);
		core_http_problem(r, 409, "code-taken", "Code taken",
		    "another coupon has this code (codes ignore case)", NULL);
		return (KORE_RESULT_OK);
	}
	if (rc == -1 || core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (core_http_internal(r));
	}
	if ((o = pricing_coupon_json(db, norm, 1)) == NULL)
		return (core_http_internal(r));
	core_http_location(r, "/api/v1/pricing/coupons/", norm);
	core_http_etag(r, 1);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
}

/* GET /coupons?promotion_id=&batch_id=&limit=&after=: by code. */
int
pricing_coupons_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *o;
	char		 after[PRICING_COUPON_MAX + 8], next[PRICING_COUPON_MAX + 8];
	char		 promo[CORE_ID_MAX + 8], batch[CORE_ID_MAX + 8];
	char		 codes[PRICING_PAGE_MAX][PRICING_COUPON_MAX + 1];
	int		 limit, n, i;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	if (core_http_query(r, "promotion_id", promo, sizeof(promo)) != 1)
		promo[0] = '\0';
	if (core_http_query(r, "batch_id", batch, sizeof(batch)) != 1)
		batch[0] = '\0';
	db = core_db_get("pricing");
	if ((st = core_db_stmt(db, "SELECT code FROM coupons WHERE code > ?1"
	    " AND (?2 = '' OR promotion_id = ?2) AND (?3 = '' OR"
	    " batch_id = ?3) ORDER BY code LIMIT ?4")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, promo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, batch, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, limit);
	n = 0;
	while (n < limit && sqlite3_step(st) == SQLITE_ROW)
		snprintf(codes[n++], sizeof(codes[0]), "%s",
		    sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		if ((o = pricing_coupon_json(db, codes[i], 1)) != NULL)
			cJSON_AddItemToArray(data, o);
	snprintf(next, sizeof(next), "%s", n > 0 ? codes[n - 1] : "");
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}

/* GET /coupons/{code}: any case. */
int
pricing_coupons_get(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;
	char	 code[PRICING_COUPON_MAX + 1];

	db = core_db_get("pricing");
	if (pricing_coupon_norm(code, sizeof(code), r->params[0]) == -1 ||
	    (o = pricing_coupon_json(db, code, 1)) == NULL)
		return (core_http_not_found(r, "not-found", "no such coupon"));
	core_http_etag(r, (int64_t)cJSON_GetObjectItem(o,
	    "version")->valuedouble);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * PATCH /coupons/{code} {"status"?, "expires_at"?, "usage_limit"?,
 * "customer_usage_limit"?}: If-Match required; null clears a limit or
 * the expiry.
 */
int
pricing_coupons_patch(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o;
	const char	*status;
	char		 code[PRICING_COUPON_MAX + 1];
	int64_t		 version, expires, limit, climit;
	int		 rc;

	db = core_db_get("pricing");
	if (pricing_coupon_norm(code, sizeof(code), r->params[0]) == -1 ||
	    (version = pricing_coupon_version(db, code)) == 0)
		return (core_http_not_found(r, "not-found", "no such coupon"));
	if (core_http_if_match(r, version, PRICING_IFM_REQUIRED,
	    "coupon") == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	status = NULL;
	if (!cJSON_IsObject(r->body) || r->body->child == NULL) {
		core_http_field_error(&errors, "body", "give the members to "
		    "change");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	rc = core_json_get_str(r->body, "status", 16, &status);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0))
		core_http_field_error(&errors, "status",
		    "must be active or disabled");
	(void)pricing_coupon_limits(r->body, &expires, &limit, &climit, -2,
	    &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (pricing_begin_at(r, db, version, pricing_coupon_version, code,
	    "coupon") == -1)
		return (KORE_RESULT_OK);
	/* ?5 .. ?7 say whether the member was sent at all. */
	if ((st = core_db_stmt(db, "UPDATE coupons SET"
	    " status = coalesce(?1, status),"
	    " expires_at = CASE WHEN ?5 THEN ?2 ELSE expires_at END,"
	    " usage_limit = CASE WHEN ?6 THEN ?3 ELSE usage_limit END,"
	    " customer_usage_limit = CASE WHEN ?7 THEN ?4 ELSE"
	    " customer_usage_limit END, version = version + 1,"
	    " updated_at = ?8 WHERE code = ?9")) == NULL)
		goto fail;
	if (status != NULL)
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (expires >= 0)
		sqlite3_bind_int64(st, 2, expires);
	if (limit > 0)
		sqlite3_bind_int64(st, 3, limit);
	if (climit > 0)
		sqlite3_bind_int64(st, 4, climit);
	sqlite3_bind_int(st, 5, cJSON_GetObjectItemCaseSensitive(r->body,
	    "expires_at") != NULL);
	sqlite3_bind_int(st, 6, limit != -2);
	sqlite3_bind_int(st, 7, cJSON_GetObjectItemCaseSensitive(r->body,
	    "customer_usage_limit") != NULL);
	sqlite3_bind_int64(st, 8, core_db_now_ms());
	sqlite3_bind_text(st, 9, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    pricing_coupon_publish(db, code, "updated") == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	if ((o = pricing_coupon_json(db, code, 1)) == NULL)
		return (core_http_internal(r));
	core_http_etag(r, version + 1);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "patch coupon");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* DELETE /coupons/{code}: If-Match required. */
int
pricing_coupons_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 code[PRICING_COUPON_MAX + 1];
	int64_t		 version;

	db = core_db_get("pricing");
	if (pricing_coupon_norm(code, sizeof(code), r->params[0]) == -1 ||
	    (version = pricing_coupon_version(db, code)) == 0)
		return (core_http_not_found(r, "not-found", "no such coupon"));
	if (core_http_if_match(r, version, PRICING_IFM_REQUIRED,
	    "coupon") == -1)
		return (KORE_RESULT_OK);
	if (pricing_begin_at(r, db, version, pricing_coupon_version, code,
	    "coupon") == -1)
		return (KORE_RESULT_OK);
	if (pricing_coupon_publish(db, code, "deleted") == -1 ||
	    (st = core_db_stmt(db, "DELETE FROM coupons WHERE code = ?")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete coupon");
	core_db_rollback(db);
	return (core_http_internal(r));
}
