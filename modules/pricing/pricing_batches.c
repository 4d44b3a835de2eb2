/*
 * Coupon batches: count codes of a prefix and random characters from an
 * alphabet without look-alikes, drawn with libsodium, made all or nothing
 * in one transaction (one pricing.coupon.changed per code), and a batch's
 * codes exported as CSV for a mailing or a printer.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/pricing/pricing_int.h"

/* No 0/O, 1/I/L: a code read aloud or off paper is typed right. */
static const char	pricing_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

#define PRICING_BATCH_MAX	10000
#define PRICING_PREFIX_MAX	12

static cJSON	*pricing_batch_json(sqlite3 *, const char *id);
static void	 pricing_csv_cell(struct kore_buf *, const char *, int last);
static void	 pricing_code_draw(char *, size_t);

static cJSON *
pricing_batch_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_row(db, "SELECT id, promotion_id, prefix, count,"
	    " length, expires_at, usage_limit, customer_usage_limit,"
	    " created_at FROM coupon_batches WHERE id = ?", id)) == NULL)
		return (NULL);
	o = cJSON_CreateObject();
	core_db_add_text(o, "id", st, 0);
	core_db_add_text(o, "promotion_id", st, 1);
	core_db_add_text(o, "prefix", st, 2);
	core_db_add_int(o, "count", st, 3);
	core_db_add_int(o, "length", st, 4);
	core_db_add_time(o, "expires_at", st, 5);
	core_db_add_int(o, "usage_limit", st, 6);
	core_db_add_int(o, "customer_usage_limit", st, 7);
	core_db_add_time(o, "created_at", st, 8);
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
	char		 code[PRICING_COUPON_MAX + 1];
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
		return (core_http_internal(r));
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
		return (core_http_internal(r));
	core_http_location(r, "/api/v1/pricing/coupon-batches/", id);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "create coupon batch");
	core_db_rollback(db);
	return (core_http_internal(r));
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
		return (core_http_internal(r));
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
		return (core_http_not_found(r, "not-found", "no such batch"));
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
	core_buf_reserve(b, 2 * strlen(s) + 8);
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
		return (core_http_not_found(r, "not-found", "no such batch"));
	if ((st = core_db_stmt(db, "SELECT c.code, c.promotion_id,"
	    " c.expires_at, c.usage_limit, c.customer_usage_limit,"
	    " coalesce(u.uses, 0), c.status FROM coupons c LEFT JOIN"
	    " coupon_uses u ON u.code = c.code WHERE c.batch_id = ?"
	    " ORDER BY c.code")) == NULL)
		return (core_http_internal(r));
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
