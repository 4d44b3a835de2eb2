/*
 * Shipping: zones (a name and the countries they cover; a country is in
 * at most one zone) and their methods: a flat rate, weight brackets
 * (the first bracket whose max_grams holds the cart's weight), free
 * shipping offered from a subtotal on, and store pickup.  Staff keep them
 * under /shipping/zones; storefronts list what a country can choose; a
 * cart's chosen method gives the shipping amount the rules engine prices
 * (shipping promotions, tax on shipping per pricing's settings).
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"

#define CHECKOUT_GRAMS_MAX	1000000000LL	/* a tonne */

static int	checkout_method_amount(const char *kind, int64_t amount,
		    int64_t min_subtotal, const char *brackets, int64_t weight,
		    int64_t subtotal, int64_t *out);
static cJSON	*checkout_method_json(sqlite3_stmt *);
static cJSON	*checkout_zone_json(sqlite3 *, const char *id);
static int	checkout_zone_exists(sqlite3 *, const char *id);

#define CHECKOUT_METHOD_COLS	"id, zone_id, name, kind, amount," \
	" min_subtotal, brackets, created_at"

/*
 * What a method costs a cart of weight grams and subtotal: 0 and *out, or
 * 1 when it is not offered to that cart.
 */
static int
checkout_method_amount(const char *kind, int64_t amount, int64_t min_subtotal,
    const char *brackets, int64_t weight, int64_t subtotal, int64_t *out)
{
	cJSON		*b, *it;
	int64_t		 max, v;
	int		 rc;

	*out = 0;
	if (strcmp(kind, "pickup") == 0)
		return (0);
	if (strcmp(kind, "flat") == 0) {
		*out = amount;
		return (0);
	}
	if (strcmp(kind, "free_above") == 0)
		return (subtotal >= min_subtotal ? 0 : 1);
	rc = 1;
	if ((b = cJSON_Parse(brackets)) == NULL)
		return (1);
	cJSON_ArrayForEach(it, b) {
		if (core_json_get_i64(it, "max_grams", 0, CHECKOUT_GRAMS_MAX,
		    &max) != CORE_JSON_OK || core_json_get_i64(it, "amount",
		    0, CORE_MONEY_MAX, &v) != CORE_JSON_OK)
			break;
		if (weight <= max) {
			*out = v;
			rc = 0;
			break;
		}
	}
	cJSON_Delete(b);
	return (rc);
}

int
checkout_shipping_quote(sqlite3 *db, const char *method, const char *country,
    int64_t weight, int64_t subtotal, int64_t *amount, char *name,
    size_t namelen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT m.name, m.kind, m.amount,"
	    " m.min_subtotal, m.brackets FROM shipping_methods m JOIN"
	    " shipping_zone_countries z ON z.zone_id = m.zone_id WHERE"
	    " m.id = ?1 AND z.country = ?2")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, country, -1, SQLITE_STATIC);
	rc = 1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(name, namelen, "%s", sqlite3_column_text(st, 0));
		rc = checkout_method_amount((const char *)
		    sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
		    sqlite3_column_int64(st, 3), (const char *)
		    sqlite3_column_text(st, 4), weight, subtotal, amount);
	}
	sqlite3_reset(st);
	return (rc);
}

int
checkout_ships_to(sqlite3 *db, const char *country)
{
	return (core_db_scalar(db, "SELECT count(*) FROM"
	    " shipping_zone_countries WHERE country = ?", country, 0) > 0);
}

static int
checkout_zone_exists(sqlite3 *db, const char *id)
{
	return (core_db_scalar(db, "SELECT count(*) FROM shipping_zones"
	    " WHERE id = ?", id, 0) > 0);
}

/* A row of CHECKOUT_METHOD_COLS as JSON. */
static cJSON *
checkout_method_json(sqlite3_stmt *st)
{
	cJSON	*o;
	char	 ts[40];

	o = cJSON_CreateObject();
	checkout_add_text(o, "id", st, 0);
	checkout_add_text(o, "zone_id", st, 1);
	checkout_add_text(o, "name", st, 2);
	checkout_add_text(o, "kind", st, 3);
	checkout_add_int(o, "amount", st, 4);
	checkout_add_int(o, "min_subtotal", st, 5);
	checkout_add_json(o, "brackets", st, 6);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 7));
	cJSON_AddStringToObject(o, "created_at", ts);
	return (o);
}

/* Zone id with its countries and methods, or NULL. */
static cJSON *
checkout_zone_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o, *a;
	char		 ts[40];

	if ((st = core_db_stmt(db, "SELECT id, name, created_at FROM"
	    " shipping_zones WHERE id = ?")) == NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	checkout_add_text(o, "id", st, 0);
	checkout_add_text(o, "name", st, 1);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 2));
	cJSON_AddStringToObject(o, "created_at", ts);
	sqlite3_reset(st);
	a = cJSON_AddArrayToObject(o, "countries");
	if ((st = core_db_stmt(db, "SELECT country FROM"
	    " shipping_zone_countries WHERE zone_id = ? ORDER BY country")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(a, cJSON_CreateString((const char *)
		    sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	a = cJSON_AddArrayToObject(o, "methods");
	if ((st = core_db_stmt(db, "SELECT " CHECKOUT_METHOD_COLS " FROM"
	    " shipping_methods WHERE zone_id = ? ORDER BY created_at, id")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(a, checkout_method_json(st));
	sqlite3_reset(st);
	return (o);
fail:
	cJSON_Delete(o);
	return (NULL);
}

/* GET /shipping/zones: every zone (a shop has a handful). */
int
checkout_zones_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *z;
	char		 ids[64][CORE_ID_MAX];
	int		 i, n;

	db = core_db_get("checkout");
	if ((st = core_db_stmt(db, "SELECT id FROM shipping_zones ORDER BY"
	    " name, id LIMIT 64")) == NULL)
		return (checkout_internal(r));
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(ids[n++], CORE_ID_MAX, "%s",
		    sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if ((z = checkout_zone_json(db, ids[i])) == NULL) {
			cJSON_Delete(data);
			return (checkout_internal(r));
		}
		cJSON_AddItemToArray(data, z);
	}
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

/* POST /shipping/zones {"name","countries"} */
int
checkout_zones_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	const cJSON	*list, *it;
	const char	*name;
	cJSON		*errors, *o;
	char		 id[CORE_ID_MAX], f[40], msg[96];
	int		 i, n;

	errors = NULL;
	if (!cJSON_IsObject(r->body) || core_json_get_str(r->body, "name",
	    CHECKOUT_NAME_MAX, &name) != CORE_JSON_OK || *name == '\0')
		core_http_field_error(&errors, "name",
		    "is required: 1 to 100 bytes");
	list = cJSON_IsObject(r->body) ? cJSON_GetObjectItemCaseSensitive(
	    r->body, "countries") : NULL;
	n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	if (n < 1 || n > CHECKOUT_ZONE_COUNTRIES)
		core_http_field_error(&errors, "countries", "is required: 1 to "
		    "250 ISO 3166-1 alpha-2 codes such as DE");
	db = core_db_get("checkout");
	i = 0;
	if (n == 0)
		list = NULL;
	cJSON_ArrayForEach(it, list) {
		snprintf(f, sizeof(f), "countries[%d]", i++);
		if (!cJSON_IsString(it) || !checkout_country_valid(
		    it->valuestring))
			core_http_field_error(&errors, f, "must be an ISO "
			    "3166-1 alpha-2 code such as DE");
		else if (checkout_ships_to(db, it->valuestring)) {
			snprintf(msg, sizeof(msg), "%s is already in another "
			    "zone", it->valuestring);
			core_http_field_error(&errors, f, msg);
		}
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	core_id_new(id, sizeof(id), "shz");
	if ((st = core_db_stmt(db, "INSERT INTO shipping_zones (id, name,"
	    " created_at) VALUES (?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "zone insert");
		goto fail;
	}
	cJSON_ArrayForEach(it, list) {
		/* A country listed twice is one country. */
		if (checkout_exec2(db, "INSERT OR IGNORE INTO"
		    " shipping_zone_countries (country, zone_id) VALUES"
		    " (?1, ?2)", it->valuestring, id) == -1)
			goto fail;
	}
	if (core_db_commit(db) == -1)
		goto fail;
	if ((o = checkout_zone_json(db, id)) == NULL)
		return (checkout_internal(r));
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	return (checkout_internal(r));
}

/* GET /shipping/zones/{id} */
int
checkout_zones_get(struct core_req *r)
{
	cJSON	*o;

	if ((o = checkout_zone_json(core_db_get("checkout"), r->params[0])) ==
	    NULL)
		return (checkout_not_found(r, "not-found",
		    "no shipping zone has this id"));
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/* DELETE /shipping/zones/{id}: with its methods; carts drop them. */
int
checkout_zones_delete(struct core_req *r)
{
	sqlite3	*db;

	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	if (checkout_exec2(db, "DELETE FROM shipping_zones WHERE id = ?",
	    r->params[0], NULL) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		return (checkout_not_found(r, "not-found",
		    "no shipping zone has this id"));
	}
	if (core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
}

/* GET /shipping/zones/{id}/methods */
int
checkout_methods_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data;

	db = core_db_get("checkout");
	if (!checkout_zone_exists(db, r->params[0]))
		return (checkout_not_found(r, "not-found",
		    "no shipping zone has this id"));
	if ((st = core_db_stmt(db, "SELECT " CHECKOUT_METHOD_COLS " FROM"
	    " shipping_methods WHERE zone_id = ? ORDER BY created_at, id")) ==
	    NULL)
		return (checkout_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	data = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(data, checkout_method_json(st));
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

/*
 * POST /shipping/zones/{id}/methods {"name","kind",...}: flat takes
 * amount; weight takes brackets [{"max_grams","amount"}] with max_grams
 * rising; free_above takes min_subtotal; pickup takes nothing.
 */
int
checkout_methods_create(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	const cJSON	*br, *it;
	const char	*name, *kind;
	cJSON		*errors, *canon, *o;
	char		 id[CORE_ID_MAX], f[48], *btext;
	int64_t		 amount, minsub, max, prev, v;
	int		 i, n;

	errors = NULL;
	amount = minsub = 0;
	kind = NULL;
	db = core_db_get("checkout");
	if (!checkout_zone_exists(db, r->params[0]))
		return (checkout_not_found(r, "not-found",
		    "no shipping zone has this id"));
	if (!cJSON_IsObject(r->body) || core_json_get_str(r->body, "name",
	    CHECKOUT_NAME_MAX, &name) != CORE_JSON_OK || *name == '\0')
		core_http_field_error(&errors, "name",
		    "is required: 1 to 100 bytes");
	if (!cJSON_IsObject(r->body) || core_json_get_str(r->body, "kind",
	    16, &kind) != CORE_JSON_OK || (strcmp(kind, "flat") != 0 &&
	    strcmp(kind, "weight") != 0 && strcmp(kind, "free_above") != 0 &&
	    strcmp(kind, "pickup") != 0)) {
		core_http_field_error(&errors, "kind", "is required: flat, "
		    "weight, free_above or pickup");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	canon = cJSON_CreateArray();
	if (strcmp(kind, "flat") == 0 && core_json_get_i64(r->body, "amount",
	    0, CORE_MONEY_MAX, &amount) != CORE_JSON_OK)
		core_http_field_error(&errors, "amount", "is required: minor "
		    "units from 0 to 10^15");
	if (strcmp(kind, "free_above") == 0 && core_json_get_i64(r->body,
	    "min_subtotal", 0, CORE_MONEY_MAX, &minsub) != CORE_JSON_OK)
		core_http_field_error(&errors, "min_subtotal", "is required: "
		    "minor units from 0 to 10^15");
	if (strcmp(kind, "weight") == 0) {
		br = cJSON_GetObjectItemCaseSensitive(r->body, "brackets");
		n = cJSON_IsArray(br) ? cJSON_GetArraySize(br) : 0;
		if (n < 1 || n > CHECKOUT_BRACKETS_MAX)
			core_http_field_error(&errors, "brackets", "is "
			    "required: 1 to 20 of {max_grams, amount}");
		prev = -1;
		i = 0;
		if (n == 0)
			br = NULL;
		cJSON_ArrayForEach(it, br) {
			if (core_json_get_i64(it, "max_grams", 1,
			    CHECKOUT_GRAMS_MAX, &max) != CORE_JSON_OK ||
			    max <= prev) {
				snprintf(f, sizeof(f), "brackets[%d].max_grams",
				    i);
				core_http_field_error(&errors, f, "is "
				    "required: grams, 1 to 10^9, rising from "
				    "bracket to bracket");
			}
			if (core_json_get_i64(it, "amount", 0, CORE_MONEY_MAX,
			    &v) != CORE_JSON_OK) {
				snprintf(f, sizeof(f), "brackets[%d].amount",
				    i);
				core_http_field_error(&errors, f, "is "
				    "required: minor units from 0 to 10^15");
			} else {
				o = cJSON_CreateObject();
				cJSON_AddNumberToObject(o, "max_grams",
				    (double)max);
				cJSON_AddNumberToObject(o, "amount", (double)v);
				cJSON_AddItemToArray(canon, o);
			}
			prev = max;
			i++;
		}
	}
	if (errors != NULL) {
		cJSON_Delete(canon);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	btext = cJSON_PrintUnformatted(canon);
	cJSON_Delete(canon);
	if (core_db_begin(db) == -1) {
		cJSON_free(btext);
		return (checkout_internal(r));
	}
	core_id_new(id, sizeof(id), "shm");
	if ((st = core_db_stmt(db, "INSERT INTO shipping_methods (id, zone_id,"
	    " name, kind, amount, min_subtotal, brackets, created_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, amount);
	sqlite3_bind_int64(st, 6, minsub);
	sqlite3_bind_text(st, 7, btext, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "method insert");
		goto fail;
	}
	if (core_db_commit(db) == -1)
		goto fail;
	cJSON_free(btext);
	if ((st = core_db_stmt(db, "SELECT " CHECKOUT_METHOD_COLS " FROM"
	    " shipping_methods WHERE id = ?")) == NULL)
		return (checkout_internal(r));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (checkout_internal(r));
	}
	o = checkout_method_json(st);
	sqlite3_reset(st);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	cJSON_free(btext);
	core_db_rollback(db);
	return (checkout_internal(r));
}

/* DELETE /shipping/zones/{id}/methods/{method_id} */
int
checkout_methods_delete(struct core_req *r)
{
	sqlite3	*db;

	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	if (checkout_exec2(db, "DELETE FROM shipping_methods WHERE id = ?2"
	    " AND zone_id = ?1", r->params[0], r->params[1]) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		return (checkout_not_found(r, "not-found",
		    "the zone has no method with this id"));
	}
	if (core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
}

/*
 * GET /shipping/methods?country=DE[&weight_grams=&subtotal=]: the methods
 * of country's zone, each with what it costs for that weight and subtotal
 * (0 when not given) or available false.
 */
int
checkout_methods_public(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *data, *o, *m;
	char		 country[8], num[24], *end;
	int64_t		 weight, sub, amount;
	int		 avail;

	errors = NULL;
	weight = sub = 0;
	if (core_http_query(r, "country", country, sizeof(country)) != 1 ||
	    !checkout_country_valid(country))
		core_http_field_error(&errors, "country", "is required: an "
		    "ISO 3166-1 alpha-2 code such as DE");
	if (core_http_query(r, "weight_grams", num, sizeof(num)) != 0 &&
	    ((weight = strtoll(num, &end, 10)) < 0 || *end != '\0' ||
	    end == num || weight > CHECKOUT_GRAMS_MAX))
		core_http_field_error(&errors, "weight_grams",
		    "must be grams from 0 to 10^9");
	if (core_http_query(r, "subtotal", num, sizeof(num)) != 0 &&
	    ((sub = strtoll(num, &end, 10)) < 0 || *end != '\0' ||
	    end == num || sub > CORE_MONEY_MAX))
		core_http_field_error(&errors, "subtotal",
		    "must be minor units from 0 to 10^15");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	if ((st = core_db_stmt(db, "SELECT " CHECKOUT_METHOD_COLS " FROM"
	    " shipping_methods WHERE zone_id = (SELECT zone_id FROM"
	    " shipping_zone_countries WHERE country = ?) ORDER BY"
	    " created_at, id")) == NULL)
		return (checkout_internal(r));
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	data = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		m = checkout_method_json(st);
		avail = checkout_method_amount((const char *)
		    sqlite3_column_text(st, 3), sqlite3_column_int64(st, 4),
		    sqlite3_column_int64(st, 5), (const char *)
		    sqlite3_column_text(st, 6), weight, sub, &amount) == 0;
		cJSON_AddBoolToObject(m, "available", avail);
		cJSON_ReplaceItemInObjectCaseSensitive(m, "amount", avail ?
		    cJSON_CreateNumber((double)amount) : cJSON_CreateNull());
		cJSON_AddItemToArray(data, m);
	}
	sqlite3_reset(st);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "country", country);
	cJSON_AddNumberToObject(o, "weight_grams", (double)weight);
	cJSON_AddNumberToObject(o, "subtotal", (double)sub);
	cJSON_AddItemToObject(o, "data", data);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}
