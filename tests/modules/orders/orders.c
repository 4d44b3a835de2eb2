/*
 * A test-only stand-in for checkout's side of the stock saga, compiled
 * only into the bus test binary until the real checkout module lands
 * (issue 5).  It is named "checkout" so its events come from that source:
 * POST /api/v1/test/orders {"lines":[{"sku","quantity"}]} publishes
 * checkout.order.created; POST /api/v1/test/orders/{id}/cancel publishes
 * checkout.order.cancelled; it consumes catalog.stock.reserved/rejected to
 * mark the order approved or rejected, and GET /api/v1/test/orders/{id}
 * answers with that state.  Delivery is in-process, so the POST's answer
 * already carries the outcome in the normal case.
 */
#include <string.h>

#include "core/core_bus.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_module.h"

static int	orders_init(sqlite3 *);
static int	orders_post(struct core_req *);
static int	orders_get(struct core_req *);
static int	orders_cancel(struct core_req *);
static int	orders_on_answer(sqlite3 *, const struct core_event *);

static const struct core_route orders_routes[] = {
	{ HTTP_METHOD_POST, "/api/v1/test/orders", orders_post,
	    CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/api/v1/test/orders/{id}", orders_get,
	    CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_POST, "/api/v1/test/orders/{id}/cancel", orders_cancel,
	    CORE_ACCESS_PUBLIC, 0 },
	{ 0, NULL, NULL, 0, 0 }
};

static const struct core_sub orders_subs[] = {
	{ "catalog", "catalog.stock.reserved", orders_on_answer, 0 },
	{ "catalog", "catalog.stock.rejected", orders_on_answer, 0 },
	{ NULL, NULL, NULL, 0 }
};

const struct core_module orders_module = {
	.name = "checkout",
	.sync_full = 1,
	.init = orders_init,
	.routes = orders_routes,
	.subs = orders_subs,
};

static int
orders_init(sqlite3 *db)
{
	return (core_db_exec(db, "CREATE TABLE IF NOT EXISTS test_orders ("
	    " id TEXT PRIMARY KEY, status TEXT NOT NULL, answer TEXT)"));
}

static cJSON *
orders_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_stmt(db, "SELECT status, answer FROM test_orders"
	    " WHERE id = ?")) == NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	o = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "status",
		    (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			cJSON_AddItemToObject(o, "answer", cJSON_Parse(
			    (const char *)sqlite3_column_text(st, 1)));
	}
	sqlite3_reset(st);
	return (o);
}

static int
orders_post(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*p, *o;
	char		 id[CORE_ID_MAX];

	if (r->body == NULL || !cJSON_IsArray(cJSON_GetObjectItem(r->body,
	    "lines"))) {
		core_http_problem(r, 422, "validation", "Validation failed",
		    "lines is required", NULL);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	core_id_new(id, sizeof(id), "ord");
	if (core_db_begin(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "INSERT INTO test_orders (id, status)"
	    " VALUES (?, 'pending')")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "order_id", id);
	cJSON_AddItemToObject(p, "lines", cJSON_Duplicate(
	    cJSON_GetObjectItem(r->body, "lines"), 1));
	if (core_bus_publish(db, "checkout.order.created", 1, id, p) == -1) {
		cJSON_Delete(p);
		goto fail;
	}
	cJSON_Delete(p);
	if (core_db_commit(db) == -1)
		goto fail;
	o = orders_json(db, id);
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}

static int
orders_get(struct core_req *r)
{
	cJSON	*o;

	if ((o = orders_json(core_db_get("checkout"), r->params[0])) == NULL) {
		core_http_problem(r, 404, "not-found", "Not found", NULL, NULL);
		return (KORE_RESULT_OK);
	}
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

static int
orders_cancel(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*p;

	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "UPDATE test_orders SET status ="
	    " 'cancelled' WHERE id = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "order_id", r->params[0]);
	cJSON_AddStringToObject(p, "reason", "test");
	if (core_bus_publish(db, "checkout.order.cancelled", 1, r->params[0],
	    p) == -1) {
		cJSON_Delete(p);
		goto fail;
	}
	cJSON_Delete(p);
	if (core_db_commit(db) == -1)
		goto fail;
	core_http_json_take(r, 200, orders_json(db, r->params[0]));
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}

static int
orders_on_answer(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*order;
	char		*answer;
	int		 rc;

	if (core_json_get_str(ev->payload, "order_id", 64, &order) !=
	    CORE_JSON_OK)
		return (-1);
	if ((st = core_db_stmt(db, "UPDATE test_orders SET status = ?,"
	    " answer = ? WHERE id = ? AND status = 'pending'")) == NULL)
		return (-1);
	answer = cJSON_PrintUnformatted(ev->payload);
	sqlite3_bind_text(st, 1, strcmp(ev->type, "catalog.stock.reserved") ==
	    0 ? "approved" : "rejected", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, answer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, order, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	cJSON_free(answer);
	return (rc);
}
