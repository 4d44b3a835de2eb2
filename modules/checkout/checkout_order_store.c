/*
 * Storage of checkout's event-sourced orders in checkout.db: order_events
 * is the log, order_snapshots and the orders list view are derived from
 * it in the same transaction as every append.  Appends run inside the
 * caller's BEGIN IMMEDIATE, so the load-guard-insert sequence is not raced
 * by another writer; the (order_id, seq) key would refuse a second event
 * at the same version anyway.  The bus event checkout.order.<type> is
 * published in that transaction too: it exists if and only if the order
 * event does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_bus.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/checkout/checkout_order.h"

static const char checkout_order_sql_snap[] =
    "SELECT state FROM order_snapshots WHERE order_id = ?1"
    " ORDER BY seq DESC LIMIT 1";
static const char checkout_order_sql_tail[] =
    "SELECT seq, type, payload, at FROM order_events"
    " WHERE order_id = ?1 AND seq > ?2 ORDER BY seq";
static const char checkout_order_sql_insert[] =
    "INSERT INTO order_events (order_id, seq, type, payload, at, actor)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char checkout_order_sql_put_snap[] =
    "INSERT OR REPLACE INTO order_snapshots (order_id, seq, state)"
    " VALUES (?1, ?2, ?3)";
static const char checkout_order_sql_put_row[] =
    "INSERT OR REPLACE INTO orders (id, number, customer_id, email, status,"
    " payment_status, payment_method, shipping_method, currency, subtotal,"
    " discount, shipping, tax, total, paid, refunded, line_count,"
    " item_count, invoice_number, seq, created_at, updated_at) VALUES"
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
static const char checkout_order_sql_timeline[] =
    "SELECT seq, type, payload, at, actor FROM order_events"
    " WHERE order_id = ?1 ORDER BY seq";

/* Set only by the demo seed in the parent, before any worker exists. */
static int64_t	checkout_order_clock;

static int	checkout_order_fold_tail(sqlite3 *, struct checkout_order *);
static int	checkout_order_numbers(sqlite3 *, enum checkout_order_event,
		    cJSON *, int);
static int	checkout_order_publish(sqlite3 *,
		    const struct checkout_order *, enum checkout_order_event,
		    const cJSON *);

void
checkout_order_clock_set(int64_t ms)
{
	checkout_order_clock = ms;
}

int64_t
checkout_order_now(void)
{
	return (checkout_order_clock > 0 ? checkout_order_clock :
	    core_db_now_ms());
}

int
checkout_order_load(sqlite3 *db, const char *id, int use_snapshots,
    struct checkout_order *o)
{
	sqlite3_stmt	*st;
	cJSON		*j;
	int		 rc;

	checkout_order_init(o, id);
	if (use_snapshots) {
		if ((st = core_db_stmt(db, checkout_order_sql_snap)) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			j = cJSON_ParseWithLength((const char *)
			    sqlite3_column_text(st, 0),
			    sqlite3_column_bytes(st, 0));
			rc = j == NULL ? -1 : checkout_order_from_json(o, j);
			cJSON_Delete(j);
			sqlite3_reset(st);
			if (rc == -1) {
				/* A cache, not the truth: fold from seq 1. */
				core_logf("warn", "checkout: order %s: bad"
				    " snapshot, folding every event", id);
				checkout_order_cleanup(o);
				checkout_order_init(o, id);
			}
		} else {
			sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				return (core_db_err(db, "order snapshot"));
		}
	}
	if (checkout_order_fold_tail(db, o) == -1) {
		checkout_order_cleanup(o);
		return (-1);
	}
	if (o->seq == 0) {
		checkout_order_cleanup(o);
		return (1);
	}
	return (0);
}

/* Applies the events after o->seq.  Returns 0 or -1 (logged). */
static int
checkout_order_fold_tail(sqlite3 *db, struct checkout_order *o)
{
	sqlite3_stmt			*st;
	cJSON				*p;
	enum checkout_order_event	 ev;
	int64_t				 seq;
	int				 rc, bad;

	if ((st = core_db_stmt(db, checkout_order_sql_tail)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, o->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, o->seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		ev = checkout_order_event_parse((const char *)
		    sqlite3_column_text(st, 1));
		p = cJSON_ParseWithLength((const char *)
		    sqlite3_column_text(st, 2), sqlite3_column_bytes(st, 2));
		bad = seq != o->seq + 1 || ev == 0 || p == NULL ||
		    checkout_order_apply(o, ev, p,
		    sqlite3_column_int64(st, 3)) == -1;
		cJSON_Delete(p);
		if (bad) {
			sqlite3_reset(st);
			core_logf("error", "checkout: order %s: event %lld does"
			    " not fold", o->id, (long long)seq);
			return (-1);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (core_db_err(db, "order events"));
	return (0);
}

/*
 * Document numbers the event carries: set to a placeholder for the guard
 * (alloc 0), then taken from the counters once the guard said yes
 * (alloc 1), so a refused event never consumes a number.
 */
static int
checkout_order_numbers(sqlite3 *db, enum checkout_order_event ev, cJSON *p,
    int alloc)
{
	const char	*key = NULL, *counter = NULL;
	int64_t		 n = 1, refund;

	switch (ev) {
	case CHECKOUT_EV_CREATED:
		key = "number";
		counter = "order";
		break;
	case CHECKOUT_EV_APPROVED:
		key = "invoice_number";
		counter = "invoice";
		break;
	case CHECKOUT_EV_REFUNDED:
		key = "credit_note_number";
		counter = "credit_note";
		break;
	case CHECKOUT_EV_CANCELLED:
		if (core_json_get_i64(p, "refund_amount", 1, INT64_MAX,
		    &refund) != CORE_JSON_OK)
			return (0);
		key = "credit_note_number";
		counter = "credit_note";
		break;
	default:
		return (0);
	}
	if (alloc && checkout_order_number_next(db, counter, &n) == -1)
		return (-1);
	/* An issued invoice keeps the seller it was issued by. */
	if (alloc && ev == CHECKOUT_EV_APPROVED &&
	    checkout_invoice_seller_add(db, p) == -1)
		return (-1);
	cJSON_DeleteItemFromObjectCaseSensitive(p, key);
	return (cJSON_AddNumberToObject(p, key, (double)n) == NULL ? -1 : 0);
}

int
checkout_order_append(sqlite3 *db, const char *id, const char *type,
    const cJSON *payload, const char *actor, int64_t expected,
    struct checkout_order *out, char *reason, size_t rlen)
{
	struct checkout_order		 o;
	enum checkout_order_event	 ev;
	sqlite3_stmt			*st;
	cJSON				*p = NULL;
	char				*text = NULL;
	int				 rc = -1, v;

	if ((ev = checkout_order_event_parse(type)) == 0) {
		(void)snprintf(reason, rlen, "unknown order event");
		return (CHECKOUT_ORDER_INVALID);
	}
	if ((v = checkout_order_load(db, id, 1, &o)) == -1)
		return (-1);
	if (v == 1 && ev == CHECKOUT_EV_CREATED && !core_id_valid(id, "ord")) {
		(void)snprintf(reason, rlen, "order ids are ord_ ids");
		return (CHECKOUT_ORDER_INVALID);
	}
	if (v == 1)
		checkout_order_init(&o, id);
	if (expected >= 0 && o.seq != expected) {
		(void)snprintf(reason, rlen, "the order is %s at version %lld,"
		    " not %lld", checkout_order_state_name(o.state),
		    (long long)o.seq, (long long)expected);
		rc = CHECKOUT_ORDER_STALE;
		goto out;
	}
	p = payload != NULL ? cJSON_Duplicate(payload, 1) : cJSON_CreateObject();
	if (p == NULL || checkout_order_fill(&o, ev, p) == -1 ||
	    checkout_order_numbers(db, ev, p, 0) == -1)
		goto out;
	if ((rc = checkout_order_can(&o, ev, p, reason, rlen)) !=
	    CHECKOUT_ORDER_OK)
		goto out;
	rc = -1;
	if (checkout_order_numbers(db, ev, p, 1) == -1)
		goto out;
	if (checkout_order_apply(&o, ev, p, checkout_order_now()) == -1) {
		core_logf("error", "checkout: order %s: accepted %s does not"
		    " fold", id, type);
		goto out;
	}
	if ((text = cJSON_PrintUnformatted(p)) == NULL ||
	    (st = core_db_stmt(db, checkout_order_sql_insert)) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o.seq);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, o.updated_at);
	sqlite3_bind_text(st, 6, actor != NULL ? actor : "system", -1,
	    SQLITE_STATIC);
	v = sqlite3_step(st);
	sqlite3_reset(st);
	if (v != SQLITE_DONE) {
		core_db_err(db, "order event insert");
		goto out;
	}
	if ((o.seq % CHECKOUT_ORDER_SNAPSHOT_EVERY == 0 &&
	    checkout_order_put_snapshot(db, &o) == -1) ||
	    checkout_order_put_row(db, &o) == -1 ||
	    checkout_order_publish(db, &o, ev, p) == -1)
		goto out;
	rc = CHECKOUT_ORDER_OK;
out:
	free(text);
	cJSON_Delete(p);
	if (rc == CHECKOUT_ORDER_OK && out != NULL)
		*out = o;
	else
		checkout_order_cleanup(&o);
	return (rc);
}

/*
 * checkout.order.<type> v1: the event's payload plus what every consumer
 * needs without folding (order id and number, customer, currency, the
 * status after it and the money so far).
 */
static int
checkout_order_publish(sqlite3 *db, const struct checkout_order *o,
    enum checkout_order_event ev, const cJSON *p)
{
	cJSON	*b;
	char	 type[64];
	int	 rc = -1, bad = 0;

	if ((b = cJSON_Duplicate(p, 1)) == NULL)
		return (-1);
	cJSON_DeleteItemFromObjectCaseSensitive(b, "order_id");
	bad |= cJSON_AddStringToObject(b, "order_id", o->id) == NULL;
	if (ev != CHECKOUT_EV_CREATED) {
		bad |= cJSON_AddNumberToObject(b, "number",
		    (double)o->number) == NULL;
		bad |= (o->customer_id[0] != '\0' ?
		    cJSON_AddStringToObject(b, "customer_id", o->customer_id) :
		    cJSON_AddNullToObject(b, "customer_id")) == NULL;
		bad |= cJSON_AddStringToObject(b, "currency",
		    o->currency) == NULL;
		bad |= cJSON_AddNumberToObject(b, "order_total",
		    (double)o->total) == NULL;
	}
	bad |= cJSON_AddStringToObject(b, "status",
	    checkout_order_state_name(o->state)) == NULL;
	bad |= cJSON_AddNumberToObject(b, "paid_total", (double)o->paid) ==
	    NULL;
	bad |= cJSON_AddNumberToObject(b, "refunded_total",
	    (double)o->refunded) == NULL;
	(void)snprintf(type, sizeof(type), "checkout.order.%s",
	    checkout_order_event_name(ev));
	if (!bad)
		rc = core_bus_publish(db, type, 1, o->id, b);
	cJSON_Delete(b);
	return (rc);
}

int
checkout_order_put_snapshot(sqlite3 *db, const struct checkout_order *o)
{
	sqlite3_stmt	*st;
	cJSON		*j;
	char		*text;
	int		 rc;

	if ((j = checkout_order_to_json(o)) == NULL)
		return (-1);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (text == NULL)
		return (-1);
	if ((st = core_db_stmt(db, checkout_order_sql_put_snap)) == NULL) {
		free(text);
		return (-1);
	}
	sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o->seq);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(text);
	return (rc == SQLITE_DONE ? 0 : core_db_err(db, "order snapshot put"));
}

int
checkout_order_put_row(sqlite3 *db, const struct checkout_order *o)
{
	sqlite3_stmt	*st;
	int64_t		 items = 0;
	int		 i, rc;

	if ((st = core_db_stmt(db, checkout_order_sql_put_row)) == NULL)
		return (-1);
	for (i = 0; i < o->nlines; i++)
		items += o->lines[i].quantity;
	sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, o->number);
	if (o->customer_id[0] != '\0')
		sqlite3_bind_text(st, 3, o->customer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, checkout_order_state_name(o->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 6, checkout_order_payment_status(o), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 7, o->payment_method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, o->shipping_method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, o->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, o->subtotal);
	sqlite3_bind_int64(st, 11, o->discount);
	sqlite3_bind_int64(st, 12, o->shipping);
	sqlite3_bind_int64(st, 13, o->tax);
	sqlite3_bind_int64(st, 14, o->total);
	sqlite3_bind_int64(st, 15, o->paid);
	sqlite3_bind_int64(st, 16, o->refunded);
	sqlite3_bind_int(st, 17, o->nlines);
	sqlite3_bind_int64(st, 18, items);
	if (o->invoice_number > 0)
		sqlite3_bind_int64(st, 19, o->invoice_number);
	sqlite3_bind_int64(st, 20, o->seq);
	sqlite3_bind_int64(st, 21, o->created_at);
	sqlite3_bind_int64(st, 22, o->updated_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : core_db_err(db, "order row put"));
}

cJSON *
checkout_order_timeline(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*arr, *e, *p;
	char		 at[32];
	int		 rc, bad = 0;

	if ((arr = cJSON_CreateArray()) == NULL)
		return (NULL);
	if ((st = core_db_stmt(db, checkout_order_sql_timeline)) == NULL) {
		cJSON_Delete(arr);
		return (NULL);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		core_time_rfc3339(at, sizeof(at), sqlite3_column_int64(st, 3));
		p = cJSON_ParseWithLength((const char *)
		    sqlite3_column_text(st, 2), sqlite3_column_bytes(st, 2));
		if ((e = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, e)) {
			cJSON_Delete(e);
			cJSON_Delete(p);
			bad = 1;
			break;
		}
		bad |= cJSON_AddNumberToObject(e, "seq",
		    (double)sqlite3_column_int64(st, 0)) == NULL;
		bad |= cJSON_AddStringToObject(e, "type",
		    (const char *)sqlite3_column_text(st, 1)) == NULL;
		bad |= cJSON_AddStringToObject(e, "at", at) == NULL;
		bad |= cJSON_AddStringToObject(e, "actor",
		    (const char *)sqlite3_column_text(st, 4)) == NULL;
		bad |= p == NULL || !cJSON_AddItemToObject(e, "payload", p);
	}
	sqlite3_reset(st);
	if (bad || rc != SQLITE_DONE) {
		if (!bad)
			core_db_err(db, "order timeline");
		cJSON_Delete(arr);
		return (NULL);
	}
	return (arr);
}
