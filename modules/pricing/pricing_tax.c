/*
 * Tax: categories (standard, reduced, zero and any staff add), a rate per
 * (country, category) in parts per 100,000 (CORE_RULES_RATE_ONE's scale:
 * 19% is 19000), and each product's category (standard unless staff say
 * otherwise).  Every change publishes pricing.tax.changed with what
 * checkout needs to keep its own copy and price a cart through the rules
 * engine.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/core_country.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/pricing/pricing_int.h"

static int	pricing_tax_publish(sqlite3 *, const char *aggregate,
		    cJSON *payload);

int
pricing_code_valid(const char *s)
{
	size_t	i, n;

	n = strlen(s);
	if (n == 0 || n > PRICING_CODE_MAX || !islower((unsigned char)s[0]))
		return (0);
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '_')
		    || !isascii((unsigned char)s[i]))
			return (0);
	return (1);
}

/* Publishes pricing.tax.changed v1 (consumes payload).  0 or -1. */
static int
pricing_tax_publish(sqlite3 *db, const char *aggregate, cJSON *payload)
{
	int	rc;

	rc = core_bus_publish(db, "pricing.tax.changed", 1, aggregate,
	    payload);
	cJSON_Delete(payload);
	return (rc);
}

int
pricing_tax_rate_set(sqlite3 *db, const char *country, const char *category,
    int64_t rate)
{
	sqlite3_stmt	*st;
	cJSON		*ev;
	char		 agg[64];

	if ((st = core_db_stmt(db, "INSERT INTO tax_rates (country, category,"
	    " rate, version, updated_at) VALUES (?1, ?2, ?3, 1, ?4)"
	    " ON CONFLICT (country, category) DO UPDATE SET rate ="
	    " excluded.rate, version = version + 1, updated_at ="
	    " excluded.updated_at WHERE rate <> excluded.rate"
	    " RETURNING version")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, country, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, category, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, rate);
	sqlite3_bind_int64(st, 4, core_db_now_ms());
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		sqlite3_reset(st);
		break;
	case SQLITE_DONE:
		return (0);	/* the same rate again: no change, no event */
	default:
		sqlite3_reset(st);
		return (core_db_err(db, "set tax rate"));
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "change", "rate_set");
	cJSON_AddStringToObject(ev, "country", country);
	cJSON_AddStringToObject(ev, "category", category);
	cJSON_AddNumberToObject(ev, "rate", (double)rate);
	snprintf(agg, sizeof(agg), "%s/%s", country, category);
	return (pricing_tax_publish(db, agg, ev));
}

/* GET /tax-categories: every category, by code (one page). */
int
pricing_tax_categories_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data, *o;

	if ((st = core_db_stmt(core_db_get("pricing"), "SELECT code, name"
	    " FROM tax_categories ORDER BY code")) == NULL)
		return (core_http_internal(r));
	data = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		core_db_add_text(o, "code", st, 0);
		core_db_add_text(o, "name", st, 1);
		cJSON_AddItemToArray(data, o);
	}
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

/* POST /tax-categories {"code", "name"}: 201, or 409 code-taken. */
int
pricing_tax_categories_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o, *ev;
	const char	*code, *name;

	errors = NULL;
	if (r->body == NULL || core_json_get_str(r->body, "code",
	    PRICING_CODE_MAX, &code) != CORE_JSON_OK ||
	    !pricing_code_valid(code))
		core_http_field_error(&errors, "code", "is required: 1 to 40 "
		    "of a-z 0-9 - _, starting with a letter");
	if (r->body == NULL || core_json_get_str(r->body, "name",
	    PRICING_NAME_MAX, &name) != CORE_JSON_OK || *name == '\0')
		core_http_field_error(&errors, "name",
		    "is required: 1 to 100 bytes");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((st = core_db_stmt(db, "INSERT INTO tax_categories (code, name,"
	    " created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "create tax category");
		goto fail;
	}
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		core_http_problem(r, 409, "code-taken", "Code taken",
		    "a tax category with this code exists", NULL);
		return (KORE_RESULT_OK);
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "change", "category_created");
	cJSON_AddStringToObject(ev, "category", code);
	cJSON_AddStringToObject(ev, "name", name);
	if (pricing_tax_publish(db, code, ev) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "name", name);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* One tax rate row as JSON. */
static cJSON *
pricing_rate_json(sqlite3_stmt *st)
{
	cJSON	*o;
	char	 ts[40];

	o = cJSON_CreateObject();
	core_db_add_text(o, "country", st, 0);
	core_db_add_text(o, "category", st, 1);
	core_db_add_int(o, "rate", st, 2);
	core_db_add_int(o, "version", st, 3);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 4));
	cJSON_AddStringToObject(o, "updated_at", ts);
	return (o);
}

/*
 * GET /tax-rates?country=&limit=&after=: by country then category; the
 * cursor is "<country>/<category>" of the last row.
 */
int
pricing_tax_rates_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data, *errors;
	char		 after[64], country[8], next[64];
	int		 limit, n, rc;

	if (core_http_page(r, 100, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if ((rc = core_http_query(r, "country", country, sizeof(country))) ==
	    -1 || (rc == 1 && !core_country_valid(country)))
		core_http_field_error(&errors, "country",
		    "must be an ISO 3166-1 alpha-2 code such as DE");
	if (rc != 1)
		country[0] = '\0';
	if (errors != NULL) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(core_db_get("pricing"), "SELECT country,"
	    " category, rate, version, updated_at FROM tax_rates"
	    " WHERE country || '/' || category > ?1 AND (?2 = '' OR"
	    " country = ?2) ORDER BY country, category LIMIT ?3")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, country, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	data = cJSON_CreateArray();
	n = 0;
	next[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddItemToArray(data, pricing_rate_json(st));
		snprintf(next, sizeof(next), "%s/%s",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}

/*
 * Checks the {country}/{category} path: 1 when both are valid and the
 * category exists, otherwise answers (404) and returns 0; -1 on error.
 */
static int
pricing_rate_path(struct core_req *r, sqlite3 *db)
{
	if (!core_country_valid(r->params[0])) {
		core_http_not_found(r, "unknown-country", "the country must be "
		    "an ISO 3166-1 alpha-2 code in upper case, such as DE");
		return (0);
	}
	if (core_db_scalar(db, "SELECT count(*) FROM tax_categories WHERE"
	    " code = ?", r->params[1], 0) == 0) {
		core_http_not_found(r, "unknown-tax-category",
		    "no tax category "
		    "has this code");
		return (0);
	}
	return (1);
}

/* Answers the rate of (country, category) with status and its ETag. */
static int
pricing_rate_answer(struct core_req *r, sqlite3 *db, int status)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_stmt(db, "SELECT country, category, rate, version,"
	    " updated_at FROM tax_rates WHERE country = ? AND"
	    " category = ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_http_internal(r));
	}
	o = pricing_rate_json(st);
	sqlite3_reset(st);
	core_http_etag(r, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o,
	    "version")));
	core_http_json_take(r, status, o);
	return (KORE_RESULT_OK);
}

/* PUT /tax-rates/{country}/{category} {"rate"}: If-Match optional. */
int
pricing_tax_rates_put(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	int64_t		 rate, version;
	int		 rc;

	db = core_db_get("pricing");
	if ((rc = pricing_rate_path(r, db)) != 1)
		return (rc == -1 ? core_http_internal(r) : KORE_RESULT_OK);
	errors = NULL;
	if (r->body == NULL || core_json_get_i64(r->body, "rate", 0,
	    PRICING_RATE_SCALE, &rate) != CORE_JSON_OK)
		core_http_field_error(&errors, "rate", "is required: a whole "
		    "number of parts per 100,000 from 0 to 100000 (19% is "
		    "19000)");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	version = 0;
	if ((st = core_db_stmt(db, "SELECT version FROM tax_rates WHERE"
	    " country = ? AND category = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (core_http_if_match(r, version, PRICING_IFM_OPTIONAL,
	    "tax rate") == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	if (pricing_tax_rate_set(db, r->params[0], r->params[1], rate) ==
	    -1 || core_db_commit(db) == -1)
		goto fail;
	return (pricing_rate_answer(r, db, version == 0 ? 201 : 200));
fail:
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* DELETE /tax-rates/{country}/{category}: 204, or 404 no-rate. */
int
pricing_tax_rates_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*ev;
	char		 agg[64];
	int		 rc;

	db = core_db_get("pricing");
	if ((rc = pricing_rate_path(r, db)) != 1)
		return (rc == -1 ? core_http_internal(r) : KORE_RESULT_OK);
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((st = core_db_stmt(db, "DELETE FROM tax_rates WHERE country = ?"
	    " AND category = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		return (core_http_not_found(r, "not-found", "this country has "
		    "no rate for this category"));
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "change", "rate_removed");
	cJSON_AddStringToObject(ev, "country", r->params[0]);
	cJSON_AddStringToObject(ev, "category", r->params[1]);
	cJSON_AddNullToObject(ev, "rate");
	snprintf(agg, sizeof(agg), "%s/%s", r->params[0], r->params[1]);
	if (pricing_tax_publish(db, agg, ev) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete tax rate");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* Answers a product's tax category (standard when none was set). */
static int
pricing_product_tax_answer(struct core_req *r, sqlite3 *db, int status)
{
	sqlite3_stmt	*st;
	cJSON		*o;
	int64_t		 version;

	if ((st = core_db_stmt(db, "SELECT category, version FROM product_tax"
	    " WHERE product_id = ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "product_id", r->params[0]);
	if (sqlite3_step(st) == SQLITE_ROW) {
		core_db_add_text(o, "category", st, 0);
		version = sqlite3_column_int64(st, 1);
	} else {
		cJSON_AddStringToObject(o, "category", "standard");
		version = 0;
	}
	sqlite3_reset(st);
	cJSON_AddNumberToObject(o, "version", (double)version);
	if (version > 0)
		core_http_etag(r, version);
	core_http_json_take(r, status, o);
	return (KORE_RESULT_OK);
}

/* 1 if pricing's copy has product id, else answers 404 and returns 0. */
static int
pricing_product_known(struct core_req *r, sqlite3 *db)
{
	if (core_id_valid(r->params[0], "prod") && core_db_scalar(db,
	    "SELECT count(*) FROM products WHERE product_id = ?",
	    r->params[0], 0) > 0)
		return (1);
	core_http_not_found(r, "unknown-product", "no product in the catalog "
	    "has this id");
	return (0);
}

/* GET /products/{product_id}/tax-category: public. */
int
pricing_product_tax_get(struct core_req *r)
{
	sqlite3	*db;

	db = core_db_get("pricing");
	if (!pricing_product_known(r, db))
		return (KORE_RESULT_OK);
	return (pricing_product_tax_answer(r, db, 200));
}

/*
 * PUT /products/{product_id}/tax-category {"category"}: If-Match
 * optional.  Publishes pricing.tax.changed (change product_category).
 */
int
pricing_product_tax_put(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *ev;
	const char	*cat;
	int64_t		 version;

	db = core_db_get("pricing");
	if (!pricing_product_known(r, db))
		return (KORE_RESULT_OK);
	errors = NULL;
	if (r->body == NULL || core_json_get_str(r->body, "category",
	    PRICING_CODE_MAX, &cat) != CORE_JSON_OK ||
	    core_db_scalar(db, "SELECT count(*) FROM tax_categories WHERE"
	    " code = ?", cat, 0) == 0)
		core_http_field_error(&errors, "category",
		    "must be a tax category's code");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	version = core_db_scalar(db, "SELECT version FROM product_tax WHERE"
	    " product_id = ?", r->params[0], 0);
	if (core_http_if_match(r, version, PRICING_IFM_OPTIONAL,
	    "tax category") == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "INSERT INTO product_tax (product_id,"
	    " category, version, updated_at) VALUES (?1, ?2, 1, ?3)"
	    " ON CONFLICT (product_id) DO UPDATE SET category ="
	    " excluded.category, version = version + 1, updated_at ="
	    " excluded.updated_at WHERE category <> excluded.category")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cat, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(db) > 0) {
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "change", "product_category");
		cJSON_AddStringToObject(ev, "product_id", r->params[0]);
		cJSON_AddStringToObject(ev, "category", cat);
		if (pricing_tax_publish(db, r->params[0], ev) == -1)
			goto fail;
	}
	if (core_db_commit(db) == -1)
		goto fail;
	return (pricing_product_tax_answer(r, db, 200));
fail:
	core_db_err(db, "set product tax category");
	core_db_rollback(db);
	return (core_http_internal(r));
}
