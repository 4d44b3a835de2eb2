/*
 * Customer groups ("Wholesale", "VIP") and who is in them.  Customers are
 * those pricing knows from identity.customer.registered.  Every change
 * publishes pricing.group.changed, one event per change, carrying the
 * group's id, code and name, so checkout can keep its own copy of the
 * groups, their members and their price lists (pricing_group_prices.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/pricing/pricing_int.h"

static cJSON	*pricing_group_json(sqlite3 *, const char *id);
static int	 pricing_group_input(struct core_req *, int create,
		    const char **name, const char **code);

int64_t
pricing_group_version(sqlite3 *db, const char *id)
{
	if (!core_id_valid(id, "grp"))
		return (0);
	return (core_db_scalar(db, "SELECT version FROM customer_groups WHERE"
	    " id = ?", id, 0));
}

int
pricing_group_publish(sqlite3 *db, const char *id, const char *change,
    cJSON *extra)
{
	sqlite3_stmt	*st;
	cJSON		*ev;
	int		 rc;

	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "group_id", id);
	if ((st = core_db_stmt(db, "SELECT code, name FROM customer_groups"
	    " WHERE id = ?")) == NULL) {
		cJSON_Delete(ev);
		cJSON_Delete(extra);
		return (-1);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		core_db_add_text(ev, "code", st, 0);
		core_db_add_text(ev, "name", st, 1);
	}
	sqlite3_reset(st);
	cJSON_AddStringToObject(ev, "change", change);
	core_json_merge(ev, extra);
	rc = core_bus_publish(db, "pricing.group.changed", 1, id, ev);
	cJSON_Delete(ev);
	return (rc);
}

int
pricing_group_begin(struct core_req *r, sqlite3 *db)
{
	if (core_db_begin(db) == -1) {
		(void)core_http_internal(r);
		return (-1);
	}
	if (pricing_group_version(db, r->params[0]) == 0) {
		core_db_rollback(db);
		(void)core_http_not_found(r, "not-found", "no such group");
		return (-1);
	}
	return (0);
}

int
pricing_group_row_delete(struct core_req *r, const struct pricing_group_row *g)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*x;

	db = core_db_get("pricing");
	if (pricing_group_begin(r, db) == -1)
		return (KORE_RESULT_OK);
	if ((st = core_db_stmt(db, g->delete_sql)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		return (core_http_not_found(r, g->type, g->detail));
	}
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, g->key, r->params[1]);
	if (pricing_group_publish(db, r->params[0], g->change, x) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, g->what);
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* The group as JSON with its member and price counts, or NULL. */
static cJSON *
pricing_group_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o;
	char		 ts[40];

	if ((st = core_db_row(db, "SELECT g.id, g.name, g.code, g.version,"
	    " g.created_at, g.updated_at,"
	    " (SELECT count(*) FROM group_members m WHERE m.group_id = g.id),"
	    " (SELECT count(*) FROM group_prices p WHERE p.group_id = g.id)"
	    " FROM customer_groups g WHERE g.id = ?", id)) == NULL)
		return (NULL);
	o = cJSON_CreateObject();
	core_db_add_text(o, "id", st, 0);
	core_db_add_text(o, "name", st, 1);
	core_db_add_text(o, "code", st, 2);
	core_db_add_int(o, "members", st, 6);
	core_db_add_int(o, "prices", st, 7);
	core_db_add_int(o, "version", st, 3);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 4));
	cJSON_AddStringToObject(o, "created_at", ts);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 5));
	cJSON_AddStringToObject(o, "updated_at", ts);
	sqlite3_reset(st);
	return (o);
}

/*
 * name and code of a create (both required) or patch (either) body;
 * answers 422 and returns -1 when bad.
 */
static int
pricing_group_input(struct core_req *r, int create, const char **name,
    const char **code)
{
	cJSON	*errors;
	int	 rc;

	errors = NULL;
	*name = *code = NULL;
	if (r->body == NULL) {
		core_http_field_error(&errors, create ? "name" : "body",
		    "is required");
		core_http_invalid(r, errors);
		return (-1);
	}
	rc = core_json_get_str(r->body, "name", PRICING_NAME_MAX, name);
	if ((rc == CORE_JSON_MISSING && create) || rc == CORE_JSON_WRONG ||
	    (rc == CORE_JSON_OK && **name == '\0'))
		core_http_field_error(&errors, "name",
		    "is required: 1 to 100 bytes");
	rc = core_json_get_str(r->body, "code", PRICING_CODE_MAX, code);
	if ((rc == CORE_JSON_MISSING && create) || rc == CORE_JSON_WRONG ||
	    (rc == CORE_JSON_OK && !pricing_code_valid(*code)))
		core_http_field_error(&errors, "code", "is required: 1 to 40 "
		    "of a-z 0-9 - _, starting with a letter");
	if (!create && errors == NULL && *name == NULL && *code == NULL)
		core_http_field_error(&errors, "body",
		    "give name, code or both");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (-1);
	}
	return (0);
}

int
pricing_group_insert(sqlite3 *db, const char *name, const char *code,
    char *id, size_t idlen)
{
	sqlite3_stmt	*st;
	int64_t		 now;
	int		 rc;

	core_id_new(id, idlen, "grp");
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO customer_groups (id, name,"
	    " code, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT)
		return (1);
	if (rc != SQLITE_DONE)
		return (core_db_err(db, "insert group"));
	return (pricing_group_publish(db, id, "created", NULL));
}

/* POST /groups {"name", "code"}: 201 + Location + ETag. */
int
pricing_groups_create(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*o;
	const char	*name, *code;
	char		 id[CORE_ID_MAX];
	int		 rc;

	if (pricing_group_input(r, 1, &name, &code) == -1)
		return (KORE_RESULT_OK);
	db = core_db_get("pricing");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	if ((rc = pricing_group_insert(db, name, code, id, sizeof(id))) ==
	    1) {
		core_db_rollback(db);
		core_http_problem(r, 409, "code-taken", "Code taken",
		    "another group has this code", NULL);
		return (KORE_RESULT_OK);
	}
	if (rc == -1 || core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (core_http_internal(r));
	}
	if ((o = pricing_group_json(db, id)) == NULL)
		return (core_http_internal(r));
	core_http_location(r, "/api/v1/pricing/groups/", id);
	core_http_etag(r, 1);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
}

/* GET /groups?limit=&after=: oldest first; the cursor is a row number. */
int
pricing_groups_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	char		 after[24];
	int64_t		 from;
	int		 limit;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if (core_http_cursor_rowid(after, 0, &from, &errors) == -1) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	/* Ids made in one millisecond do not sort by creation: rowids do. */
	if ((st = core_db_stmt(db, "SELECT id, rowid FROM customer_groups"
	    " WHERE rowid > ? ORDER BY rowid LIMIT ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int(st, 2, limit);
	return (pricing_page_by_rowid(r, db, st, limit, pricing_group_json));
}

/* GET /groups/{id} */
int
pricing_groups_get(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;
	int64_t	 version;

	db = core_db_get("pricing");
	if ((version = pricing_group_version(db, r->params[0])) == 0 ||
	    (o = pricing_group_json(db, r->params[0])) == NULL)
		return (core_http_not_found(r, "not-found", "no such group"));
	core_http_etag(r, version);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/* PATCH /groups/{id} {"name"?, "code"?}: If-Match required. */
int
pricing_groups_patch(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*o;
	const char	*name, *code;
	int64_t		 version;
	int		 rc;

	db = core_db_get("pricing");
	if ((version = pricing_group_version(db, r->params[0])) == 0)
		return (core_http_not_found(r, "not-found", "no such group"));
	if (core_http_if_match(r, version, PRICING_IFM_REQUIRED,
	    "group") == -1 ||
	    pricing_group_input(r, 0, &name, &code) == -1)
		return (KORE_RESULT_OK);
	if (pricing_begin_at(r, db, version, pricing_group_version,
	    r->params[0], "group") == -1)
		return (KORE_RESULT_OK);
	if ((st = core_db_stmt(db, "UPDATE customer_groups SET"
	    " name = coalesce(?1, name), code = coalesce(?2, code),"
	    " version = version + 1, updated_at = ?3 WHERE id = ?4")) == NULL)
		goto fail;
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (code != NULL)
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, core_db_now_ms());
	sqlite3_bind_text(st, 4, r->params[0], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT) {
		core_db_rollback(db);
		core_http_problem(r, 409, "code-taken", "Code taken",
		    "another group has this code", NULL);
		return (KORE_RESULT_OK);
	}
	if (rc != SQLITE_DONE || pricing_group_publish(db, r->params[0],
	    "updated", NULL) == -1 || core_db_commit(db) == -1)
		goto fail;
	if ((o = pricing_group_json(db, r->params[0])) == NULL)
		return (core_http_internal(r));
	core_http_etag(r, version + 1);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "patch group");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/*
 * DELETE /groups/{id}: the group, its members and its price list go in
 * one transaction; one event (change deleted) tells checkout to drop all
 * three.
 */
int
pricing_groups_delete(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	db = core_db_get("pricing");
	if (pricing_group_begin(r, db) == -1)
		return (KORE_RESULT_OK);
	/* Published first: the event names the group's code and name. */
	if (pricing_group_publish(db, r->params[0], "deleted", NULL) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "DELETE FROM customer_groups WHERE"
	    " id = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	http_response(r->http, 204, NULL, 0);
	return (KORE_RESULT_OK);
fail:
	core_db_err(db, "delete group");
	core_db_rollback(db);
	return (core_http_internal(r));
}

/* ---- members --------------------------------------------------------------- */

int
pricing_member_add(sqlite3 *db, const char *group, const char *customer)
{
	sqlite3_stmt	*st;
	cJSON		*x;

	if ((st = core_db_stmt(db, "INSERT INTO group_members (group_id,"
	    " customer_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO"
	    " NOTHING")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, customer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "add member"));
	if (sqlite3_changes(db) == 0)
		return (1);
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "customer_id", customer);
	return (pricing_group_publish(db, group, "member_added", x));
}

/* PUT /groups/{id}/members/{customer_id}: 201 added, 200 already in. */
int
pricing_members_put(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;
	int	 rc;

	db = core_db_get("pricing");
	if (pricing_group_begin(r, db) == -1)
		return (KORE_RESULT_OK);
	if (core_db_scalar(db, "SELECT count(*) FROM customers WHERE"
	    " customer_id = ?", r->params[1], 0) == 0) {
		core_db_rollback(db);
		return (core_http_not_found(r, "unknown-customer",
		    "no customer "
		    "account has this id"));
	}
	if ((rc = pricing_member_add(db, r->params[0], r->params[1])) == -1 ||
	    core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (core_http_internal(r));
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "group_id", r->params[0]);
	cJSON_AddStringToObject(o, "customer_id", r->params[1]);
	core_http_json_take(r, rc == 1 ? 200 : 201, o);
	return (KORE_RESULT_OK);
}

/* DELETE /groups/{id}/members/{customer_id}: 204, or 404 not-member. */
int
pricing_members_delete(struct core_req *r)
{
	static const struct pricing_group_row members = {
		"DELETE FROM group_members WHERE group_id = ? AND"
		    " customer_id = ?",
		"customer_id", "member_removed", "not-member",
		"this customer is not in this group", "remove member"
	};

	return (pricing_group_row_delete(r, &members));
}

/* GET /groups/{id}/members?limit=&after=: by customer id. */
int
pricing_members_list(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*data, *o;
	char		 after[CORE_ID_MAX + 16], next[CORE_ID_MAX + 16];
	char		 ts[40];
	int		 limit, n;

	if (core_http_page(r, 50, PRICING_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	db = core_db_get("pricing");
	if (pricing_group_version(db, r->params[0]) == 0)
		return (core_http_not_found(r, "not-found", "no such group"));
	if ((st = core_db_stmt(db, "SELECT m.customer_id, c.email, c.name,"
	    " m.added_at FROM group_members m LEFT JOIN customers c ON"
	    " c.customer_id = m.customer_id WHERE m.group_id = ? AND"
	    " m.customer_id > ? ORDER BY m.customer_id LIMIT ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit);
	data = cJSON_CreateArray();
	n = 0;
	next[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		core_db_add_text(o, "customer_id", st, 0);
		core_db_add_text(o, "email", st, 1);
		core_db_add_text(o, "name", st, 2);
		core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 3));
		cJSON_AddStringToObject(o, "added_at", ts);
		cJSON_AddItemToArray(data, o);
		snprintf(next, sizeof(next), "%s", sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}
