/*
 * Rebuilding and verifying what checkout derives from its order log.  The
 * snapshots and the orders list view are caches of the fold; rebuild
 * throws them away and folds every order's events again (writing a
 * snapshot at every CHECKOUT_ORDER_SNAPSHOT_EVERY-th event, as a live
 * append does), and verify folds without writing and names every
 * snapshot or row that differs from the fold.  Both read the events in
 * one pass per order, never through the snapshots they check.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_log.h"
#include "modules/checkout/checkout_order.h"

static const char checkout_replay_sql_ids[] =
    "SELECT DISTINCT order_id FROM order_events ORDER BY order_id";
static const char checkout_replay_sql_events[] =
    "SELECT seq, type, payload, at FROM order_events WHERE order_id = ?1"
    " ORDER BY seq";
static const char checkout_replay_sql_snap_at[] =
    "SELECT state FROM order_snapshots WHERE order_id = ?1 AND seq = ?2";
static const char checkout_replay_sql_row[] =
    "SELECT json_object('id', id, 'number', number, 'customer_id',"
    " customer_id, 'email', email, 'status', status, 'payment_status',"
    " payment_status, 'payment_method', payment_method, 'shipping_method',"
    " shipping_method, 'currency', currency, 'subtotal', subtotal,"
    " 'discount', discount, 'shipping', shipping, 'tax', tax, 'total',"
    " total, 'paid', paid, 'refunded', refunded, 'line_count', line_count,"
    " 'item_count', item_count, 'invoice_number', invoice_number, 'seq',"
    " seq, 'created_at', created_at, 'updated_at', updated_at)"
    " FROM orders WHERE id = ?1";
/* Derived rows whose order has no events, or snapshots past its end. */
static const char checkout_replay_sql_orphans[] =
    "SELECT (SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1"
    " FROM order_events e WHERE e.order_id = o.id)) + (SELECT count(*)"
    " FROM order_snapshots s WHERE NOT EXISTS (SELECT 1 FROM order_events e"
    " WHERE e.order_id = s.order_id AND e.seq = s.seq))";

/* Called after each event of a fold, and once at the end (last = 1). */
typedef int	(*checkout_replay_cb)(sqlite3 *, const struct checkout_order *,
		    int, void *);

static int	checkout_replay_each(sqlite3 *, checkout_replay_cb, void *,
		    int64_t *);
static int	checkout_replay_fold(sqlite3 *, const char *,
		    checkout_replay_cb, void *);
static int	checkout_replay_write(sqlite3 *,
		    const struct checkout_order *, int, void *);
static int	checkout_replay_check(sqlite3 *,
		    const struct checkout_order *, int, void *);
static cJSON	*checkout_replay_row_json(const struct checkout_order *);
static int	checkout_replay_same(sqlite3 *, const char *, const char *,
		    int64_t, const cJSON *, int *);

int
checkout_order_rebuild(sqlite3 *db, int64_t *norders)
{
	if (core_db_exec(db, "DELETE FROM order_snapshots") == -1 ||
	    core_db_exec(db, "DELETE FROM orders") == -1)
		return (-1);
	return (checkout_replay_each(db, checkout_replay_write, NULL,
	    norders));
}

int
checkout_order_verify(sqlite3 *db, int64_t *mismatches)
{
	int64_t	n, orphans;

	*mismatches = 0;
	if (checkout_replay_each(db, checkout_replay_check, mismatches,
	    &n) == -1)
		return (-1);
	if ((orphans = core_db_scalar(db, checkout_replay_sql_orphans, NULL,
	    -1)) < 0)
		return (-1);
	if (orphans > 0)
		core_logf("warn", "checkout: %lld derived order rows without"
		    " events", (long long)orphans);
	*mismatches += orphans;
	return (0);
}

/* Folds every order in id order, calling cb as the fold goes. */
static int
checkout_replay_each(sqlite3 *db, checkout_replay_cb cb, void *arg,
    int64_t *norders)
{
	sqlite3_stmt	*st;
	char		 id[CORE_ID_MAX];
	int64_t		 n = 0;
	int		 rc;

	if ((st = core_db_stmt(db, checkout_replay_sql_ids)) == NULL)
		return (-1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) >= (int)sizeof(id)) {
			sqlite3_reset(st);
			core_logf("error", "checkout: an order id too long");
			return (-1);
		}
		memcpy(id, sqlite3_column_text(st, 0),
		    sqlite3_column_bytes(st, 0) + 1);
		if (checkout_replay_fold(db, id, cb, arg) == -1) {
			sqlite3_reset(st);
			return (-1);
		}
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (core_db_err(db, "order ids"));
	if (norders != NULL)
		*norders = n;
	return (0);
}

static int
checkout_replay_fold(sqlite3 *db, const char *id, checkout_replay_cb cb,
    void *arg)
{
	struct checkout_order		 o;
	sqlite3_stmt			*st;
	cJSON				*p;
	enum checkout_order_event	 ev;
	int				 rc, bad = 0;

	if ((st = core_db_stmt(db, checkout_replay_sql_events)) == NULL)
		return (-1);
	checkout_order_init(&o, id);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev = checkout_order_event_parse((const char *)
		    sqlite3_column_text(st, 1));
		p = cJSON_ParseWithLength((const char *)
		    sqlite3_column_text(st, 2), sqlite3_column_bytes(st, 2));
		if (sqlite3_column_int64(st, 0) != o.seq + 1 || ev == 0 ||
		    p == NULL || checkout_order_apply(&o, ev, p,
		    sqlite3_column_int64(st, 3)) == -1) {
			core_logf("error", "checkout: order %s: event %lld does"
			    " not fold", id, (long long)(o.seq + 1));
			bad = 1;
		} else if (cb(db, &o, 0, arg) == -1)
			bad = 1;
		cJSON_Delete(p);
	}
	sqlite3_reset(st);
	if (!bad && rc != SQLITE_DONE)
		bad = core_db_err(db, "order events");
	if (!bad && cb(db, &o, 1, arg) == -1)
		bad = 1;
	checkout_order_cleanup(&o);
	return (bad ? -1 : 0);
}

static int
checkout_replay_write(sqlite3 *db, const struct checkout_order *o, int last,
    void *arg)
{
	if (last)
		return (checkout_order_put_row(db, o));
	if (o->seq % CHECKOUT_ORDER_SNAPSHOT_EVERY == 0)
		return (checkout_order_put_snapshot(db, o));
	return (0);
}

static int
checkout_replay_check(sqlite3 *db, const struct checkout_order *o, int last,
    void *arg)
{
	int64_t	*mismatches = arg;
	cJSON	*want;
	int	 same, rc;

	if (!last && o->seq % CHECKOUT_ORDER_SNAPSHOT_EVERY != 0)
		return (0);
	want = last ? checkout_replay_row_json(o) : checkout_order_to_json(o);
	if (want == NULL)
		return (-1);
	rc = checkout_replay_same(db, last ? checkout_replay_sql_row :
	    checkout_replay_sql_snap_at, o->id, o->seq, want, &same);
	cJSON_Delete(want);
	if (rc == -1)
		return (-1);
	if (!same) {
		core_logf("warn", "checkout: order %s: stored %s at seq %lld"
		    " differs from its events", o->id, last ? "list row" :
		    "snapshot", (long long)o->seq);
		(*mismatches)++;
	}
	return (0);
}

/* *same = the one JSON column sql selects equals want (absent: no). */
static int
checkout_replay_same(sqlite3 *db, const char *sql, const char *id,
    int64_t seq, const cJSON *want, int *same)
{
	sqlite3_stmt	*st;
	cJSON		*got = NULL;
	int		 rc;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sql == checkout_replay_sql_snap_at)
		sqlite3_bind_int64(st, 2, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		got = cJSON_ParseWithLength((const char *)
		    sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (core_db_err(db, "order verify"));
	*same = got != NULL && cJSON_Compare(got, want, 1);
	cJSON_Delete(got);
	return (0);
}

/* The list row the fold implies, keyed like checkout_replay_sql_row. */
static cJSON *
checkout_replay_row_json(const struct checkout_order *o)
{
	cJSON	*j;
	int64_t	 items = 0;
	int	 i, bad = 0;

	for (i = 0; i < o->nlines; i++)
		items += o->lines[i].quantity;
	if ((j = cJSON_CreateObject()) == NULL)
		return (NULL);
	bad |= cJSON_AddStringToObject(j, "id", o->id) == NULL;
	bad |= cJSON_AddNumberToObject(j, "number", (double)o->number) == NULL;
	bad |= (o->customer_id[0] != '\0' ? cJSON_AddStringToObject(j,
	    "customer_id", o->customer_id) : cJSON_AddNullToObject(j,
	    "customer_id")) == NULL;
	bad |= cJSON_AddStringToObject(j, "email", o->email) == NULL;
	bad |= cJSON_AddStringToObject(j, "status",
	    checkout_order_state_name(o->state)) == NULL;
	bad |= cJSON_AddStringToObject(j, "payment_status",
	    checkout_order_payment_status(o)) == NULL;
	bad |= cJSON_AddStringToObject(j, "payment_method",
	    o->payment_method) == NULL;
	bad |= cJSON_AddStringToObject(j, "shipping_method",
	    o->shipping_method) == NULL;
	bad |= cJSON_AddStringToObject(j, "currency", o->currency) == NULL;
	bad |= cJSON_AddNumberToObject(j, "subtotal", (double)o->subtotal) ==
	    NULL;
	bad |= cJSON_AddNumberToObject(j, "discount", (double)o->discount) ==
	    NULL;
	bad |= cJSON_AddNumberToObject(j, "shipping", (double)o->shipping) ==
	    NULL;
	bad |= cJSON_AddNumberToObject(j, "tax", (double)o->tax) == NULL;
	bad |= cJSON_AddNumberToObject(j, "total", (double)o->total) == NULL;
	bad |= cJSON_AddNumberToObject(j, "paid", (double)o->paid) == NULL;
	bad |= cJSON_AddNumberToObject(j, "refunded", (double)o->refunded) ==
	    NULL;
	bad |= cJSON_AddNumberToObject(j, "line_count", o->nlines) == NULL;
	bad |= cJSON_AddNumberToObject(j, "item_count", (double)items) == NULL;
	bad |= (o->invoice_number > 0 ? cJSON_AddNumberToObject(j,
	    "invoice_number", (double)o->invoice_number) :
	    cJSON_AddNullToObject(j, "invoice_number")) == NULL;
	bad |= cJSON_AddNumberToObject(j, "seq", (double)o->seq) == NULL;
	bad |= cJSON_AddNumberToObject(j, "created_at",
	    (double)o->created_at) == NULL;
	bad |= cJSON_AddNumberToObject(j, "updated_at",
	    (double)o->updated_at) == NULL;
	if (bad) {
		cJSON_Delete(j);
		return (NULL);
	}
	return (j);
}
