/*
 * Promotions: staff CRUD with ETag/If-Match, every change published as
 * pricing.promotion.changed with the whole definition (checkout keeps its
 * own copy and prices orders with the same engine), and the per-worker
 * cache of active promotions the quote hands the rules engine.  The
 * definition is checked in pricing_promo_def.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/pricing/pricing_int.h"

static cJSON	*pricing_promo_json(sqlite3 *, const char *id, int full);
static cJSON	*pricing_promo_json_full(sqlite3 *, const char *id);
static int	 pricing_promo_publish(sqlite3 *, const char *id,
		    const char *change);
static int	 pricing_promo_bump(sqlite3 *);
static int	 pricing_promo_too_many(sqlite3 *);
static void	 pricing_promo_add_json(cJSON *, const char *,
		    sqlite3_stmt *, int);
static int64_t	 pricing_promo_version(sqlite3 *, const char *id);
static void	 pricing_promo_bind(sqlite3_stmt *,
		    const struct pricing_promo_def *);

/* The worker's parsed active promotions (see pricing_promos_active). */
static struct pricing_promo	pricing_cache[PRICING_PROMO_ACTIVE_MAX];
static int			pricing_ncache;
static int64_t			pricing_cache_gen;

static int64_t
pricing_promo_version(sqlite3 *db, const char *id)
{
	if (!core_id_valid(id, "promo"))
		return (0);
	return (core_db_scalar(db, "SELECT version FROM promotions WHERE"
	    " id = ?", id, 0));
}

static void
pricing_promo_add_json(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char	*s;
	cJSON		*v;

	s = (const char *)sqlite3_column_text(st, col);
	if (s == NULL || (v = cJSON_Parse(s)) == NULL)
		v = cJSON_CreateNull();
	cJSON_AddItemToObject(o, key, v);
}

/*
 * The promotion as the API answers it (full: with uses and its coupon
 * count) or as events carry it, or NULL.
 */
static cJSON *
pricing_promo_json(sqlite3 *db, const char *id, int full)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_row(db, "SELECT id, name, description, status,"
	    " trigger_kind, starts_at, ends_at, priority, is_exclusive,"
	    " combines_with, conditions_json, action_json, usage_limit,"
	    " customer_usage_limit, version, created_at, updated_at,"
	    " (SELECT coalesce(sum(uses), 0) FROM promotion_uses u WHERE"
	    " u.promotion_id = p.id),"
	    " (SELECT count(*) FROM coupons c WHERE c.promotion_id = p.id)"
	    " FROM promotions p WHERE id = ?", id)) == NULL)
		return (NULL);
	o = cJSON_CreateObject();
	core_db_add_text(o, "id", st, 0);
	core_db_add_text(o, "name", st, 1);
	core_db_add_text(o, "description", st, 2);
	core_db_add_text(o, "status", st, 3);
	core_db_add_text(o, "trigger", st, 4);
	core_db_add_time(o, "starts_at", st, 5);
	core_db_add_time(o, "ends_at", st, 6);
	core_db_add_int(o, "priority", st, 7);
	cJSON_AddBoolToObject(o, "exclusive", sqlite3_column_int(st, 8));
	pricing_promo_add_json(o, "combines_with", st, 9);
	pricing_promo_add_json(o, "conditions", st, 10);
	pricing_promo_add_json(o, "action", st, 11);
	core_db_add_int(o, "usage_limit", st, 12);
	core_db_add_int(o, "customer_usage_limit", st, 13);
	if (full) {
		core_db_add_int(o, "uses", st, 17);
		core_db_add_int(o, "coupons", st, 18);
		core_db_add_int(o, "version", st, 14);
		core_db_add_time(o, "created_at", st, 15);
		core_db_add_time(o, "updated_at", st, 16);
	}
	sqlite3_reset(st);
	return (o);
}

/* The staff view of promotion id, for pricing_page_by_rowid. */
static cJSON *
pricing_promo_json_full(sqlite3 *db, const char *id)
{
	return (pricing_promo_json(db, id, 1));
}

/* pricing.promotion.changed v1; a deleted one carries promotion null. */
static int
pricing_promo_publish(sqlite3 *db, const char *id, const char *change)
{
	cJSON	*ev, *p;
	int	 rc;

	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "promotion_id", id);
	cJSON_AddStringToObject(ev, "change", change);
	if (strcmp(change, "deleted") != 0 &&
	    (p = pricing_promo_json(db, id, 0)) != NULL)
		cJSON_AddItemToObject(ev, "promotion", p);
	else
		cJSON_AddNullToObject(ev, "promotion");
	rc = core_bus_publish(db, "pricing.promotion.changed", 1, id, ev);
	cJSON_Delete(ev);
	return (rc);
}

/* Tells every worker's cache to read the promotions again. */
static int
pricing_promo_bump(sqlite3 *db)
{
	return (core_db_exec(db, "UPDATE promotion_state SET generation ="
	    " generation + 1 WHERE id = 1"));
}

/* 1 if more promotions are active than the engine takes. */
static int
pricing_promo_too_many(sqlite3 *db)
{
	return (core_db_scalar(db, "SELECT count(*) FROM promotions WHERE"
	    " status = 'active'", NULL, 0) > PRICING_PROMO_ACTIVE_MAX);
}

/* Binds def to ?1..?13 of an insert or update. */
static void
pricing_promo_bind(sqlite3_stmt *st, const struct pricing_promo_def *d)
{
	sqlite3_bind_text(st, 1, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, d->description, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, d->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, d->trigger, -1, SQLITE_TRANSIENT);
	if (d->starts_at >= 0)
		sqlite3_bind_int64(st, 5, d->starts_at);
	if (d->ends_at >= 0)
		sqlite3_bind_int64(st, 6, d->ends_at);
	sqlite3_bind_int64(st, 7, d->priority);
	sqlite3_bind_int(st, 8, d->exclusive);
	sqlite3_bind_text(st, 9, d->combines_with, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, d->conditions, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, d->action, -1, SQLITE_TRANSIENT);
	if (d->usage_limit > 0)
		sqlite3_bind_int64(st, 12, d->usage_limit);
	if (d->customer_usage_limit > 0)
		sqlite3_bind_int64(st, 13, d->customer_usage_limit);
}

int
pricing_promo_insert(sqlite3 *db, const struct pricing_promo_def *d,
    char *id, size_t idlen)
{
	sqlite3_stmt	*st;
	int64_t		 now;

	core_id_new(id, idlen, "promo");
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO promotions (name, description,"
	    " status, trigger_kind, starts_at, ends_at, priority,"
	    " is_exclusive, combines_with, conditions_json, action_json,"
	    " usage_limit, customer_usage_limit, id, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?15)")) == NULL)
		return (-1);
	pricing_promo_bind(st, d);
	sqlite3_bind_text(st, 14, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 15, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "insert promotion"));
	if (pricing_promo_too_many(db))
		return (1);
	if (pricing_promo_bump(db) == -1)
		return (-1);
	return (pricing_promo_publish(db, id, "created"));
}

static int
pricing_promo_conflict(struct core_req *r)
{
	core_http_problem(r, 409, "too-many-active", "Too many active "
	    "promotions", "at most 100 promotions may be active at once; "
	    "disable one first", NULL);
	return (KORE_RESULT_OK);
}

/* POST /promotions: 201 + Location + ETag. */
int
pricing_promotions_create(struct core_req *r)
{
	struct pricing_promo_def	 d;
	sqlite3				*db;
	cJSON				*errors, *o;
	char				 id[CORE_ID_MAX];
	int				 rc;

	errors = NULL;
	db = core_db_get("pricing");
	if (!cJSON_IsObject(r->body)) {
		core_http_field_error(&errors, "body", "is required: a "
		    "promotion object");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (pricing_promo_def_check(db, r->body, &d, &errors) == -1) {
		pricing_promo_def_cleanup(&d);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1) {
		pricing_promo_def_cleanup(&d);
		return (core_http_internal(r));
	}
	rc = pricing_promo_insert(db, &d, id, sizeof(id));
	pricing_promo_def_cleanup(&d);
	if (rc == 1) {
		core_db_rollback(db);
		return (pricing_promo_conflict(r));
	}
	if (rc == -1 || core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (core_http_internal(r));
	}
	if ((o = pricing_promo_json(db, id, 1)) == NULL)
		return (core_http_internal(r));
	core_http_location(r, "/api/v1/pricing/promotions/", id);
	core_http_etag(r, 1);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
}

/* GET /promotions?limit=&after=&status=&trigger=: oldest first. */
int
pricing_promotions_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	char		 after[24], status[16], trig[16];
	int64_t		 from;
	int		 limit;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	(void)core_http_cursor_rowid(after, 0, &from, &errors);
	if (core_http_query(r, "status", status, sizeof(status)) != 0 &&
	    strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0)
		core_http_field_error(&errors, "status",
		    "must be active or disabled");
	if (core_http_query(r, "trigger", trig, sizeof(trig)) != 0 &&
	    strcmp(trig, "automatic") != 0 && strcmp(trig, "code") != 0)
		core_http_field_error(&errors, "trigger",
		    "must be automatic or code");
	if (errors != NULL) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	if (core_http_query(r, "status", status, sizeof(status)) != 1)
		status[0] = '\0';
	if (core_http_query(r, "trigger", trig, sizeof(trig)) != 1)
		trig[0] = '\0';
	db = core_db_get("pricing");
	if ((st = core_db_stmt(db, "SELECT id, rowid FROM promotions WHERE"
	    " rowid > ?1 AND (?2 = '' OR status = ?2) AND (?3 = '' OR"
	    " trigger_kind = ?3) ORDER BY rowid LIMIT ?4")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, trig, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, limit);
	return (pricing_page_by_rowid(r, db, st, limit,
	    pricing_promo_json_full));
}

/* GET /promotions/{id} */
int
pricing_promotions_get(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;
	int64_t	 version;

	db = core_db_get("pricing");
	if ((version = pricing_promo_version(db, r->params[0])) == 0 ||
	    (o = pricing_promo_json(db, r->params[0], 1)) == NULL)
		return (core_http_not_found(r, "not-found",
		    "no such promotion"));
	core_http_etag(r, version);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * PATCH /promotions/{id}: the members sent replace the current ones
 * (conditions and action whole) and the result is checked like a new
 * promotion.  If-Match required.
 */
int
pricing_promotions_patch(struct core_req *r)
{
	static const char *const ro[] = { "id", "uses", "coupons", "version",
	    "created_at", "updated_at", NULL };
	struct pricing_promo_def	 d;
	sqlite3				*db;
	sqlite3_stmt			*st;
	cJSON				*cur, *errors, *it, *o, *dup;
	int64_t				 version;
	int				 i;

	db = core_db_get("pricing");
	if ((version = pricing_promo_version(db, r->params[0])) == 0)
		return (core_http_not_found(r, "not-found",
		    "no such promotion"));
	if (core_http_if_match(r, version, PRICING_IFM_REQUIRED,
	    "promotion") == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if (!cJSON_IsObject(r->body) || r->body->child == NULL) {
		core_http_field_error(&errors, "body", "give the members to "
		    "change");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if ((cur = pricing_promo_json(db, r->params[0], 0)) == NULL)
		return (core_http_internal(r));
	cJSON_ArrayForEach(it, r->body) {
		for (i = 0; ro[i] != NULL; i++)
			if (strcmp(it->string, ro[i]) == 0)
				break;
		if (ro[i] != NULL)
			continue;
		dup = cJSON_Duplicate(it, 1);
		/* A member the promotion does not have changes nothing. */
		if (!cJSON_ReplaceItemInObjectCaseSensitive(cur, it->string,
		    dup))
			cJSON_Delete(dup);
	}
	if (pricing_promo_def_check(db, cur, &d, &errors) == -1) {
		pricing_promo_def_cleanup(&d);
		cJSON_Delete(cur);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (pricing_begin_at(r, db, version, pricing_promo_version,
	    r->params[0], "promotion") == -1) {
		pricing_promo_def_cleanup(&d);
		cJSON_Delete(cur);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "UPDATE promotions SET name = ?1,"
	    " description = ?2, status = ?3, trigger_kind = ?4, starts_at = ?5,"
	    " ends_at = ?6, priority = ?7, is_exclusive = ?8,"
	    " combines_with = ?9, conditions_json = ?10, action_json = ?11,"
	    " usage_limit = ?12, customer_usage_limit = ?13,"
	    " version = version + 1, updated_at = ?14 WHERE id = ?15")) ==
	    NULL)
		goto fail;
	pricing_promo_bind(st, &d);
	sqlite3_bind_int64(st, 14, core_db_now_ms());
	sqlite3_bind_text(st, 15, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (pricing_promo_too_many(db)) {
		core_db_rollback(db);
		pricing_promo_def_cleanup(&d);
		cJSON_Delete(cur);
		return (pricing_promo_conflict(r));
	}
	/*
	 * A code promotion made automatic keeps its coupons: they name it
	 * still, and entering one does no harm.
	 */
	if (pricing_promo_bump(db) == -1 || pricing_promo_publish(db,
	    r->params[0], "updated") == -1 || core_db_commit(db) == -1)
		goto fail;
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(cur);
	if ((o = pricing_promo_json(db, r->params[0], 1)) == NULL)
		return (core_http_internal(r));
	core_http_etag(r, version + 1);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "patch promotion");
	core_db_rollback(db);
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(cur);
	return (core_http_internal(r));
}

/*
 * DELETE /promotions/{id}: If-Match required.  Its coupons and batches
 * go with it; each coupon publishes its own deletion first so checkout's
 * copy of coupons never names a promotion it no longer has.
 */
int
pricing_promotions_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*ev;
	int64_t		 version;
	int		 rc;

	db = core_db_get("pricing");
	if ((version = pricing_promo_version(db, r->params[0])) == 0)
		return (core_http_not_found(r, "not-found",
		    "no such promotion"));
	if (core_http_if_match(r, version, PRICING_IFM_REQUIRED,
	    "promotion") == -1)
		return (KORE_RESULT_OK);
	if (pricing_begin_at(r, db, version, pricing_promo_version,
	    r->params[0], "promotion") == -1)
		return (KORE_RESULT_OK);
	if ((st = core_db_stmt(db, "SELECT code, batch_id FROM coupons"
	    " WHERE promotion_id = ? ORDER BY code")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	rc = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		ev = cJSON_CreateObject();
		core_db_add_text(ev, "code", st, 0);
		cJSON_AddStringToObject(ev, "change", "deleted");
		cJSON_AddStringToObject(ev, "promotion_id", r->params[0]);
		core_db_add_text(ev, "batch_id", st, 1);
		rc = core_bus_publish(db, "pricing.coupon.changed", 1,
		    (const char *)sqlite3_column_text(st, 0), ev);
		cJSON_Delete(ev);
	}
	sqlite3_reset(st);
	if (rc == -1 || pricing_promo_publish(db, r->params[0], "deleted") ==
	    -1)
		goto fail;
	if ((st = core_db_stmt(db, "DELETE FROM promotions WHERE id = ?")) ==
	    NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || pricing_promo_bump(db) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete promotion");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* ---- the active promotions, for the quote -------------------------------- */

static void
pricing_cache_clear(void)
{
	int	i;

	for (i = 0; i < pricing_ncache; i++) {
		cJSON_Delete(pricing_cache[i].conditions);
		cJSON_Delete(pricing_cache[i].action);
	}
	pricing_ncache = 0;
}

int
pricing_promos_active(sqlite3 *db, const struct pricing_promo **out)
{
	struct pricing_promo	*pp;
	sqlite3_stmt		*st;
	cJSON			*cw, *it;
	int64_t			 gen;
	int			 n;

	*out = pricing_cache;
	gen = core_db_scalar(db, "SELECT generation FROM promotion_state"
	    " WHERE id = 1", NULL, -1);
	if (gen == -1)
		return (-1);
	if (gen == pricing_cache_gen)
		return (pricing_ncache);
	pricing_cache_clear();
	if ((st = core_db_stmt(db, "SELECT id, name, trigger_kind, starts_at,"
	    " ends_at, priority, is_exclusive, combines_with, conditions_json,"
	    " action_json, usage_limit, customer_usage_limit FROM promotions"
	    " WHERE status = 'active' ORDER BY priority DESC, id LIMIT ?")) ==
	    NULL)
		return (-1);
	sqlite3_bind_int(st, 1, PRICING_PROMO_ACTIVE_MAX);
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		pp = &pricing_cache[n];
		memset(pp, 0, sizeof(*pp));
		snprintf(pp->id, sizeof(pp->id), "%s",
		    sqlite3_column_text(st, 0));
		snprintf(pp->name, sizeof(pp->name), "%s",
		    sqlite3_column_text(st, 1));
		pp->code = strcmp((const char *)sqlite3_column_text(st, 2),
		    "code") == 0;
		pp->p.id = pp->id;
		pp->p.starts_at = sqlite3_column_int64(st, 3);
		pp->p.ends_at = sqlite3_column_int64(st, 4);
		pp->p.priority = sqlite3_column_int(st, 5);
		pp->p.exclusive = sqlite3_column_int(st, 6);
		if ((cw = cJSON_Parse((const char *)sqlite3_column_text(st,
		    7))) != NULL) {
			cJSON_ArrayForEach(it, cw) {
				if (!cJSON_IsString(it))
					continue;
				if (strcmp(it->valuestring, "product") == 0)
					pp->p.combines_with |=
					    CORE_RULES_CLASS_PRODUCT;
				else if (strcmp(it->valuestring, "order") == 0)
					pp->p.combines_with |=
					    CORE_RULES_CLASS_ORDER;
				else if (strcmp(it->valuestring,
				    "shipping") == 0)
					pp->p.combines_with |=
					    CORE_RULES_CLASS_SHIPPING;
			}
			cJSON_Delete(cw);
		}
		pp->conditions = cJSON_Parse((const char *)
		    sqlite3_column_text(st, 8));
		pp->action = cJSON_Parse((const char *)sqlite3_column_text(st,
		    9));
		pp->p.usage_limit = sqlite3_column_int64(st, 10);
		pp->p.customer_limit = sqlite3_column_int64(st, 11);
		n++;
		pricing_ncache = n;
		if (pp->conditions == NULL || pp->action == NULL ||
		    pricing_promo_engine(pp) == -1) {
			sqlite3_reset(st);
			core_logf("error", "promotion %s: stored definition "
			    "unreadable", pp->id);
			pricing_cache_clear();
			return (-1);
		}
		if (n == PRICING_PROMO_ACTIVE_MAX)
			break;
	}
	sqlite3_reset(st);
	pricing_cache_gen = gen;
	return (n);
}
