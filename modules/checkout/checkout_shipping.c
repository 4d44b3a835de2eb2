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

#include "core/core_country.h"
#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"

#define CHECKOUT_GRAMS_MAX	1000000000LL	/* a tonne */

static cJSON	*checkout_method_json(sqlite3_stmt *);
static cJSON	*checkout_zone_json(sqlite3 *, const char *id);
static int	checkout_zone_exists(sqlite3 *, const char *id);
static int	checkout_in_zone(sqlite3 *, const char *country,
		    const char *zone);
struct checkout_mdef;
static int	checkout_method_check(const cJSON *, struct checkout_mdef *,
		    cJSON **errors);
static int	checkout_method_answer(struct core_req *, sqlite3 *,
		    const char *id, int status);

#define CHECKOUT_METHOD_COLS	"id, zone_id, name, kind, amount," \
	" min_subtotal, brackets, created_at"

int
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
		if (!cJSON_IsString(it) || !core_country_valid(
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

/*
 * PATCH /shipping/zones/{id} {"name"?, "countries"?}: countries replaces
 * the list.  Carts shipping to a country that left see it on their next
 * change (their method is dropped).
 */
int
checkout_zones_patch(struct core_req *r)
{
	sqlite3		*db;
	const cJSON	*list, *it;
	const char	*name, *z;
	cJSON		*errors, *o;
	char		 f[40], msg[96];
	int		 i, n, rc;

	errors = NULL;
	name = NULL;
	db = core_db_get("checkout");
	if (!checkout_zone_exists(db, r->params[0]))
		return (checkout_not_found(r, "not-found",
		    "no shipping zone has this id"));
	rc = cJSON_IsObject(r->body) ? core_json_get_str(r->body, "name",
	    CHECKOUT_NAME_MAX, &name) : CORE_JSON_WRONG;
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK && *name == '\0'))
		core_http_field_error(&errors, "name", "must be 1 to 100 "
		    "bytes");
	list = cJSON_IsObject(r->body) ? cJSON_GetObjectItemCaseSensitive(
	    r->body, "countries") : NULL;
	n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	if (list != NULL && (n < 1 || n > CHECKOUT_ZONE_COUNTRIES)) {
		core_http_field_error(&errors, "countries", "must be 1 to 250 "
		    "ISO 3166-1 alpha-2 codes such as DE");
		list = NULL;
	}
	i = 0;
	cJSON_ArrayForEach(it, list) {
		snprintf(f, sizeof(f), "countries[%d]", i++);
		if (!cJSON_IsString(it) || !core_country_valid(
		    it->valuestring)) {
			core_http_field_error(&errors, f, "must be an ISO "
			    "3166-1 alpha-2 code such as DE");
			continue;
		}
		z = it->valuestring;
		if (checkout_ships_to(db, z) && !checkout_in_zone(db, z,
		    r->params[0])) {
			snprintf(msg, sizeof(msg), "%s is already in another "
			    "zone", z);
			core_http_field_error(&errors, f, msg);
		}
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	if (name != NULL && checkout_exec2(db, "UPDATE shipping_zones SET"
	    " name = ?2 WHERE id = ?1", r->params[0], name) == -1)
		goto fail;
	if (list != NULL && checkout_exec2(db, "DELETE FROM"
	    " shipping_zone_countries WHERE zone_id = ?", r->params[0],
	    NULL) == -1)
		goto fail;
	cJSON_ArrayForEach(it, list)
		if (checkout_exec2(db, "INSERT OR IGNORE INTO"
		    " shipping_zone_countries (country, zone_id) VALUES"
		    " (?1, ?2)", it->valuestring, r->params[0]) == -1)
			goto fail;
	if (core_db_commit(db) == -1)
		goto fail;
	if ((o = checkout_zone_json(db, r->params[0])) == NULL)
		return (checkout_internal(r));
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	return (checkout_internal(r));
}

/* 1 if country belongs to zone. */
static int
checkout_in_zone(sqlite3 *db, const char *country, const char *zone)
{
	sqlite3_stmt	*st;
	int		 in;

	if ((st = core_db_stmt(db, "SELECT 1 FROM shipping_zone_countries"
	    " WHERE country = ?1 AND zone_id = ?2")) == NULL)
		return (0);
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	in = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return (in);
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

/* A method's definition as checked from a request. */
struct checkout_mdef {
	const char	*name, *kind;		/* borrowed from the body */
	int64_t		 amount, min_subtotal;
	char		*brackets;		/* canonical JSON, owned */
};

/*
 * Checks o (a create body, or the stored method with a patch laid over
 * it) into *d: flat takes amount; weight takes brackets
 * [{"max_grams","amount"}] with max_grams rising; free_above takes
 * min_subtotal; pickup takes nothing.  Returns 0, or -1 with *errors
 * naming every bad field; d->brackets is to be freed either way.
 */
static int
checkout_method_check(const cJSON *o, struct checkout_mdef *d, cJSON **errors)
{
	const cJSON	*br, *it;
	cJSON		*canon, *x;
	char		 f[48];
	int64_t		 max, prev, v;
	int		 i, n;

	memset(d, 0, sizeof(*d));
	if (!cJSON_IsObject(o) || core_json_get_str(o, "name",
	    CHECKOUT_NAME_MAX, &d->name) != CORE_JSON_OK || *d->name == '\0')
		core_http_field_error(errors, "name",
		    "is required: 1 to 100 bytes");
	if (!cJSON_IsObject(o) || core_json_get_str(o, "kind", 16,
	    &d->kind) != CORE_JSON_OK || (strcmp(d->kind, "flat") != 0 &&
	    strcmp(d->kind, "weight") != 0 && strcmp(d->kind,
	    "free_above") != 0 && strcmp(d->kind, "pickup") != 0)) {
		core_http_field_error(errors, "kind", "is required: flat, "
		    "weight, free_above or pickup");
		return (-1);
	}
	if (strcmp(d->kind, "flat") == 0 && core_json_get_i64(o, "amount",
	    0, CORE_MONEY_MAX, &d->amount) != CORE_JSON_OK)
		core_http_field_error(errors, "amount", "is required: minor "
		    "units from 0 to 10^15");
	if (strcmp(d->kind, "free_above") == 0 && core_json_get_i64(o,
	    "min_subtotal", 0, CORE_MONEY_MAX, &d->min_subtotal) !=
	    CORE_JSON_OK)
		core_http_field_error(errors, "min_subtotal", "is required: "
		    "minor units from 0 to 10^15");
	canon = cJSON_CreateArray();
	if (strcmp(d->kind, "weight") == 0) {
		br = cJSON_GetObjectItemCaseSensitive(o, "brackets");
		n = cJSON_IsArray(br) ? cJSON_GetArraySize(br) : 0;
		if (n < 1 || n > CHECKOUT_BRACKETS_MAX) {
			core_http_field_error(errors, "brackets", "is "
			    "required: 1 to 20 of {max_grams, amount}");
			br = NULL;
		}
		prev = -1;
		i = 0;
		cJSON_ArrayForEach(it, br) {
			if (core_json_get_i64(it, "max_grams", 1,
			    CHECKOUT_GRAMS_MAX, &max) != CORE_JSON_OK ||
			    max <= prev) {
				snprintf(f, sizeof(f), "brackets[%d].max_grams",
				    i);
				core_http_field_error(errors, f, "is "
				    "required: grams, 1 to 10^9, rising from "
				    "bracket to bracket");
			}
			if (core_json_get_i64(it, "amount", 0, CORE_MONEY_MAX,
			    &v) != CORE_JSON_OK) {
				snprintf(f, sizeof(f), "brackets[%d].amount",
				    i);
				core_http_field_error(errors, f, "is "
				    "required: minor units from 0 to 10^15");
			} else {
				x = cJSON_CreateObject();
				cJSON_AddNumberToObject(x, "max_grams",
				    (double)max);
				cJSON_AddNumberToObject(x, "amount", (double)v);
				cJSON_AddItemToArray(canon, x);
			}
			prev = max;
			i++;
		}
	}
	d->brackets = cJSON_PrintUnformatted(canon);
	cJSON_Delete(canon);
	return (*errors != NULL ? -1 : 0);
}

/* Answers method id (of zone) as JSON with status. */
static int
checkout_method_answer(struct core_req *r, sqlite3 *db, const char *id,
    int status)
{
	sqlite3_stmt	*st;
	cJSON		*o;

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
	core_http_json_take(r, status, o);
	return (KORE_RESULT_OK);
}

/* POST /shipping/zones/{id}/methods {"name","kind",...} */
int
checkout_methods_create(struct core_req *r)
{
	struct checkout_mdef	 d;
	sqlite3			*db;
	sqlite3_stmt		*st;
	cJSON			*errors;
	char			 id[CORE_ID_MAX];

	errors = NULL;
	db = core_db_get("checkout");
	if (!checkout_zone_exists(db, r->params[0]))
		return (checkout_not_found(r, "not-found",
		    "no shipping zone has this id"));
	if (checkout_method_check(r->body, &d, &errors) == -1) {
		cJSON_free(d.brackets);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		goto fail;
	core_id_new(id, sizeof(id), "shm");
	if ((st = core_db_stmt(db, "INSERT INTO shipping_methods (id, zone_id,"
	    " name, kind, amount, min_subtotal, brackets, created_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d.kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, d.amount);
	sqlite3_bind_int64(st, 6, d.min_subtotal);
	sqlite3_bind_text(st, 7, d.brackets, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "method insert");
		goto fail;
	}
	if (core_db_commit(db) == -1)
		goto fail;
	cJSON_free(d.brackets);
	return (checkout_method_answer(r, db, id, 201));
fail:
	cJSON_free(d.brackets);
	core_db_rollback(db);
	return (checkout_internal(r));
}

/*
 * PATCH /shipping/zones/{id}/methods/{method_id}: any of name, amount,
 * min_subtotal, brackets laid over the method; its kind stays.  Carts
 * that chose it see the new amount on their next change.
 */
int
checkout_methods_patch(struct core_req *r)
{
	struct checkout_mdef	 d;
	sqlite3			*db;
	sqlite3_stmt		*st;
	const cJSON		*it;
	const char		*kind;
	cJSON			*cur, *errors;

	errors = NULL;
	memset(&d, 0, sizeof(d));
	db = core_db_get("checkout");
	if ((st = core_db_stmt(db, "SELECT " CHECKOUT_METHOD_COLS " FROM"
	    " shipping_methods WHERE id = ?2 AND zone_id = ?1")) == NULL)
		return (checkout_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (checkout_not_found(r, "not-found",
		    "the zone has no method with this id"));
	}
	cur = checkout_method_json(st);
	sqlite3_reset(st);
	if (!cJSON_IsObject(r->body)) {
		core_http_field_error(&errors, "name", "send an object with "
		    "name, amount, min_subtotal and/or brackets");
		goto invalid;
	}
	if (core_json_get_str(r->body, "kind", 16, &kind) != CORE_JSON_MISSING &&
	    (kind == NULL || strcmp(kind, cJSON_GetObjectItemCaseSensitive(cur,
	    "kind")->valuestring) != 0)) {
		core_http_field_error(&errors, "kind", "cannot change: "
		    "delete the method and add another");
		goto invalid;
	}
	cJSON_ArrayForEach(it, r->body) {
		if (strcmp(it->string, "name") == 0 ||
		    strcmp(it->string, "amount") == 0 ||
		    strcmp(it->string, "min_subtotal") == 0 ||
		    strcmp(it->string, "brackets") == 0)
			cJSON_ReplaceItemInObjectCaseSensitive(cur, it->string,
			    cJSON_Duplicate(it, 1));
		else if (strcmp(it->string, "kind") != 0)
			core_http_field_error(&errors, "body", "has a member "
			    "a method does not have");
	}
	if (errors != NULL)
		goto invalid;
	if (checkout_method_check(cur, &d, &errors) == -1)
		goto invalid;
	if (core_db_begin(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "UPDATE shipping_methods SET name = ?2,"
	    " amount = ?3, min_subtotal = ?4, brackets = ?5 WHERE id = ?1")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d.name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d.amount);
	sqlite3_bind_int64(st, 4, d.min_subtotal);
	sqlite3_bind_text(st, 5, d.brackets, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "method update");
		goto fail;
	}
	if (core_db_commit(db) == -1)
		goto fail;
	cJSON_free(d.brackets);
	cJSON_Delete(cur);
	return (checkout_method_answer(r, db, r->params[1], 200));
invalid:
	cJSON_free(d.brackets);
	cJSON_Delete(cur);
	core_http_invalid(r, errors);
	return (KORE_RESULT_OK);
fail:
	cJSON_free(d.brackets);
	cJSON_Delete(cur);
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
	    !core_country_valid(country))
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
