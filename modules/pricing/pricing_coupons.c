/*
 * Coupons: codes that switch on a "code" promotion, typed in by hand or
 * generated in batches (prefix + random characters without look-alikes,
 * drawn with libsodium), case-insensitive (stored upper-case), with an
 * expiry and use limits of their own, and a batch's CSV export.  Every
 * code created, changed or deleted publishes pricing.coupon.changed, one
 * event per code, which is what checkout keeps its copy from.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

/* No 0/O, 1/I/L: a code read aloud or off paper is typed right. */
static const char	pricing_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

#define PRICING_BATCH_MAX	10000
#define PRICING_PREFIX_MAX	12

static cJSON	*pricing_coupon_json(sqlite3 *, const char *code, int full);
static int	 pricing_coupon_publish(sqlite3 *, const char *code,
		    const char *change);
static int	 pricing_coupon_limits(const cJSON *, int64_t *expires,
		    int64_t *limit, int64_t *climit, int64_t dlimit,
		    cJSON **errors);
static int	 pricing_code_promo(sqlite3 *, const char *id);
static cJSON	*pricing_batch_json(sqlite3 *, const char *id);
static void	 pricing_csv_cell(struct kore_buf *, const char *, int last);
static void	 pricing_code_draw(char *, size_t);

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
static int
pricing_code_promo(sqlite3 *db, const char *id)
{
	if (!core_id_valid(id, "promo"))
		return (0);
	return (core_db_scalar(db, "SELECT count(*) FROM promotions WHERE"
	    " id = ? AND trigger_kind = 'code'", id, 0) == 1);
}

static void
pricing_coupon_add_time(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	char	ts[40];

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, col));
	cJSON_AddStringToObject(o, key, ts);
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
	pricing_add_text(o, "code", st, 0);
	pricing_add_text(o, "promotion_id", st, 1);
	pricing_add_text(o, "batch_id", st, 2);
	pricing_add_text(o, "status", st, 3);
	pricing_coupon_add_time(o, "expires_at", st, 4);
	pricing_add_int(o, "usage_limit", st, 5);
	pricing_add_int(o, "customer_usage_limit", st, 6);
	if (full) {
		pricing_add_int(o, "uses", st, 10);
		pricing_add_int(o, "version", st, 7);
		pricing_coupon_add_time(o, "created_at", st, 8);
		pricing_coupon_add_time(o, "updated_at", st, 9);
	}
	sqlite3_reset(st);
	return (o);
}

/* pricing.coupon.changed v1 for a coupon that still exists. */
static int
pricing_coupon_publish(sqlite3 *db, const char *code, const char *change)
{
	cJSON	*c, *ev, *it;
	int	 rc;

	if ((c = pricing_coupon_json(db, code, 0)) == NULL)
		return (-1);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "code", code);
	cJSON_AddStringToObject(ev, "change", change);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "code");
	while ((it = c->child) != NULL) {
		cJSON_DetachItemViaPointer(c, it);
		cJSON_AddItemToObject(ev, it->string, it);
	}
	cJSON_Delete(c);
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
static int
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
	char		 norm[PRICING_COUPON_MAX + 1], loc[96];
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
		return (pricing_internal(r));
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
		return (pricing_internal(r));
	}
	if ((o = pricing_coupon_json(db, norm, 1)) == NULL)
		return (pricing_internal(r));
	snprintf(loc, sizeof(loc), "/api/v1/pricing/coupons/%s", norm);
	http_response_header(r->http, "location", loc);
	pricing_etag(r, 1);
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
		return (pricing_internal(r));
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
		return (pricing_not_found(r, "not-found", "no such coupon"));
	pricing_etag(r, (int64_t)cJSON_GetObjectItem(o,
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
	    (version = core_db_scalar(db, "SELECT version FROM coupons WHERE"
	    " code = ?", code, 0)) == 0)
		return (pricing_not_found(r, "not-found", "no such coupon"));
	if (pricing_if_match(r, version, 1, "coupon") == -1)
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
	if (core_db_begin(db) == -1)
		return (pricing_internal(r));
	if (core_db_scalar(db, "SELECT version FROM coupons WHERE code = ?",
	    code, 0) != version) {
		core_db_rollback(db);
		(void)pricing_if_match(r, core_db_scalar(db, "SELECT version"
		    " FROM coupons WHERE code = ?", code, 0), 1, "coupon");
		return (KORE_RESULT_OK);
	}
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
		return (pricing_internal(r));
	pricing_etag(r, version + 1);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "patch coupon");
	core_db_rollback(db);
	return (pricing_internal(r));
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
	    (version = core_db_scalar(db, "SELECT version FROM coupons WHERE"
	    " code = ?", code, 0)) == 0)
		return (pricing_not_found(r, "not-found", "no such coupon"));
	if (pricing_if_match(r, version, 1, "coupon") == -1)
		return (KORE_RESULT_OK);
	if (core_db_begin(db) == -1)
		return (pricing_internal(r));
	if (core_db_scalar(db, "SELECT version FROM coupons WHERE code = ?",
	    code, 0) != version) {
		core_db_rollback(db);
		(void)pricing_if_match(r, core_db_scalar(db, "SELECT version"
		    " FROM coupons WHERE code = ?", code, 0), 1, "coupon");
		return (KORE_RESULT_OK);
	}
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
	return (pricing_internal(r));
}

/* ---- batches --------------------------------------------------------------- */

static cJSON *
pricing_batch_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_stmt(db, "SELECT id, promotion_id, prefix, count,"
	    " length, expires_at, usage_limit, customer_usage_limit,"
	    " created_at FROM coupon_batches WHERE id = ?")) == NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	pricing_add_text(o, "id", st, 0);
	pricing_add_text(o, "promotion_id", st, 1);
	pricing_add_text(o, "prefix", st, 2);
	pricing_add_int(o, "count", st, 3);
	pricing_add_int(o, "length", st, 4);
	pricing_coupon_add_time(o, "expires_at", st, 5);
	pricing_add_int(o, "usage_limit", st, 6);
	pricing_add_int(o, "customer_usage_limit", st, 7);
	pricing_coupon_add_time(o, "created_at", st, 8);
	sqlite3_reset(st);
	return (o);
}

/*
 * len characters of the alphabet into out, each uniform and independent.
 * One randombytes_uniform(31^6) gives six base-31 digits at once (31^6 <
 * 2^32): a call is a getrandom() system call, and one per character was a
 * fifth of a 10,000-code batch.
 */
static void
pricing_code_draw(char *out, size_t len)
{
	const uint32_t	 base = sizeof(pricing_alphabet) - 1;
	uint32_t	 v, bound;
	size_t		 i, k;

	while (len > 0) {
		k = len < 6 ? len : 6;
		for (bound = 1, i = 0; i < k; i++)
			bound *= base;
		v = randombytes_uniform(bound);
		for (i = 0; i < k; i++) {
			*out++ = pricing_alphabet[v % base];
			v /= base;
		}
		len -= k;
	}
}

/*
 * POST /coupon-batches {"promotion_id","prefix"?,"count","length"?,...}:
 * count codes of prefix + length random characters, all or nothing.  A
 * code that exists already is drawn again; with 31^6 or more codes per
 * prefix a batch of 10,000 needs a handful of redraws at most, and 100
 * in a row mean the prefix's space is used up (409).
 */
int
pricing_batches_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o;
	const char	*promo, *prefix;
	char		 pfx[PRICING_PREFIX_MAX + 1], id[CORE_ID_MAX];
	char		 code[PRICING_COUPON_MAX + 1], loc[96];
	int64_t		 count, length, expires, limit, climit, i, tries;
	size_t		 j, plen;
	int		 rc;

	errors = NULL;
	db = core_db_get("pricing");
	promo = prefix = NULL;
	if (!cJSON_IsObject(r->body)) {
		core_http_field_error(&errors, "body", "is required");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_json_get_str(r->body, "promotion_id", 64, &promo) !=
	    CORE_JSON_OK || !pricing_code_promo(db, promo))
		core_http_field_error(&errors, "promotion_id", "must be the "
		    "id of a promotion with trigger code");
	pfx[0] = '\0';
	rc = core_json_get_str(r->body, "prefix", PRICING_PREFIX_MAX, &prefix);
	if (rc == CORE_JSON_WRONG)
		core_http_field_error(&errors, "prefix",
		    "must be 0 to 12 of A-Z 0-9 - _, starting with a letter "
		    "or digit");
	for (j = 0; rc == CORE_JSON_OK && prefix[j] != '\0'; j++) {
		if ((!isalnum((unsigned char)prefix[j]) && (j == 0 ||
		    (prefix[j] != '-' && prefix[j] != '_')))) {
			core_http_field_error(&errors, "prefix",
			    "must be 0 to 12 of A-Z 0-9 - _, starting with a "
			    "letter or digit");
			break;
		}
		pfx[j] = (char)toupper((unsigned char)prefix[j]);
		pfx[j + 1] = '\0';
	}
	if (core_json_get_i64(r->body, "count", 1, PRICING_BATCH_MAX,
	    &count) != CORE_JSON_OK)
		core_http_field_error(&errors, "count",
		    "is required: 1 to 10000");
	rc = core_json_get_i64(r->body, "length", 6, 20, &length);
	if (rc == CORE_JSON_MISSING)
		length = 8;
	else if (rc == CORE_JSON_WRONG)
		core_http_field_error(&errors, "length",
		    "must be 6 to 20 (random characters after the prefix)");
	(void)pricing_coupon_limits(r->body, &expires, &limit, &climit, 1,
	    &errors);
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	plen = strlen(pfx);
	if (plen + (size_t)length > PRICING_COUPON_MAX || plen +
	    (size_t)length < 3) {
		core_http_field_error(&errors, "length", "prefix and length "
		    "together must make 3 to 32 characters");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (pricing_internal(r));
	core_id_new(id, sizeof(id), "cpb");
	if ((st = core_db_stmt(db, "INSERT INTO coupon_batches (id,"
	    " promotion_id, prefix, count, length, expires_at, usage_limit,"
	    " customer_usage_limit, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, promo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pfx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, count);
	sqlite3_bind_int64(st, 5, length);
	if (expires >= 0)
		sqlite3_bind_int64(st, 6, expires);
	if (limit > 0)
		sqlite3_bind_int64(st, 7, limit);
	if (climit > 0)
		sqlite3_bind_int64(st, 8, climit);
	sqlite3_bind_int64(st, 9, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	memcpy(code, pfx, plen);
	code[plen + length] = '\0';
	for (i = 0; i < count; i++) {
		for (tries = 0; tries < 100; tries++) {
			pricing_code_draw(code + plen, (size_t)length);
			if ((rc = pricing_coupon_insert(db, code, promo, id,
			    expires, limit, climit)) != 1)
				break;
		}
		if (rc == -1)
			goto fail;
		if (rc == 1) {
			core_db_rollback(db);
			core_http_problem(r, 409, "codes-exhausted",
			    "Codes exhausted", "this prefix and length have "
			    "too few free codes left; use a longer length",
			    NULL);
			return (KORE_RESULT_OK);
		}
	}
	if (core_db_commit(db) == -1)
		goto fail;
	if ((o = pricing_batch_json(db, id)) == NULL)
		return (pricing_internal(r));
	snprintf(loc, sizeof(loc), "/api/v1/pricing/coupon-batches/%s", id);
	http_response_header(r->http, "location", loc);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "create coupon batch");
	core_db_rollback(db);
	return (pricing_internal(r));
}

/* GET /coupon-batches?promotion_id=&limit=&after=: oldest first. */
int
pricing_batches_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *o;
	char		 after[CORE_ID_MAX + 8], promo[CORE_ID_MAX + 8];
	char		 ids[PRICING_PAGE_MAX][CORE_ID_MAX];
	int		 limit, n, i;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	if (core_http_query(r, "promotion_id", promo, sizeof(promo)) != 1)
		promo[0] = '\0';
	db = core_db_get("pricing");
	/* Batch ids sort by creation time (ULID-like), enough for a cursor. */
	if ((st = core_db_stmt(db, "SELECT id FROM coupon_batches WHERE"
	    " id > ?1 AND (?2 = '' OR promotion_id = ?2) ORDER BY id"
	    " LIMIT ?3")) == NULL)
		return (pricing_internal(r));
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, promo, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	n = 0;
	while (n < limit && sqlite3_step(st) == SQLITE_ROW)
		snprintf(ids[n++], CORE_ID_MAX, "%s",
		    sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		if ((o = pricing_batch_json(db, ids[i])) != NULL)
			cJSON_AddItemToArray(data, o);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? ids[n - 1] : NULL));
	return (KORE_RESULT_OK);
}

/* GET /coupon-batches/{id} */
int
pricing_batches_get(struct core_req *r)
{
	cJSON	*o;

	if ((o = pricing_batch_json(core_db_get("pricing"), r->params[0])) ==
	    NULL)
		return (pricing_not_found(r, "not-found", "no such batch"));
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * One CSV cell.  A cell a spreadsheet would read as a formula (= + - @,
 * tab, CR) gets a leading apostrophe; quotes are doubled inside quotes.
 */
static void
pricing_csv_cell(struct kore_buf *b, const char *s, int last)
{
	const char	*p;

	if (s == NULL)
		s = "";
	pricing_buf_reserve(b, 2 * strlen(s) + 8);
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		kore_buf_append(b, "'", 1);
	if (strpbrk(s, ",\"\r\n") != NULL) {
		kore_buf_append(b, "\"", 1);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				kore_buf_append(b, "\"", 1);
			kore_buf_append(b, p, 1);
		}
		kore_buf_append(b, "\"", 1);
	} else {
		kore_buf_append(b, s, strlen(s));
	}
	kore_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

/* GET /coupon-batches/{id}/codes.csv: every code of the batch. */
int
pricing_batches_csv(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct kore_buf	*b;
	char		 ts[40], n[24], disp[96];
	int		 i;

	db = core_db_get("pricing");
	if (!core_id_valid(r->params[0], "cpb") || core_db_scalar(db,
	    "SELECT count(*) FROM coupon_batches WHERE id = ?", r->params[0],
	    0) == 0)
		return (pricing_not_found(r, "not-found", "no such batch"));
	if ((st = core_db_stmt(db, "SELECT c.code, c.promotion_id,"
	    " c.expires_at, c.usage_limit, c.customer_usage_limit,"
	    " coalesce(u.uses, 0), c.status FROM coupons c LEFT JOIN"
	    " coupon_uses u ON u.code = c.code WHERE c.batch_id = ?"
	    " ORDER BY c.code")) == NULL)
		return (pricing_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	b = kore_buf_alloc(65536);
	kore_buf_appendf(b, "code,promotion_id,expires_at,usage_limit,"
	    "customer_usage_limit,uses,status\r\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < 7; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				pricing_csv_cell(b, "", i == 6);
			} else if (i == 2) {
				core_time_rfc3339(ts, sizeof(ts),
				    sqlite3_column_int64(st, i));
				pricing_csv_cell(b, ts, 0);
			} else if (i >= 3 && i <= 5) {
				snprintf(n, sizeof(n), "%lld", (long long)
				    sqlite3_column_int64(st, i));
				pricing_csv_cell(b, n, 0);
			} else {
				pricing_csv_cell(b, (const char *)
				    sqlite3_column_text(st, i), i == 6);
			}
		}
	}
	sqlite3_reset(st);
	http_response_header(r->http, "content-type",
	    "text/csv; charset=utf-8");
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.csv\"",
	    r->params[0]);
	http_response_header(r->http, "content-disposition", disp);
	http_response(r->http, 200, b->data, b->offset);
	kore_buf_free(b);
	return (KORE_RESULT_OK);
}
