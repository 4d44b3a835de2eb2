/*
 * Orders after placing: staff list and detail (order, timeline, allowed
 * next actions) and guarded transitions; a customer's own orders.  A
 * customer asking for another customer's order gets a 404, never a 403
 * that would confirm it exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

static int	checkout_orders_page(struct core_req *, const char *customer);
static cJSON	*checkout_order_detail(sqlite3 *, const char *id,
		    const char *customer, int staff);
static int	checkout_orders_pay(struct core_req *, sqlite3 *,
		    const struct checkout_order *, cJSON *payload);
static int	checkout_orders_refused(struct core_req *, int verdict,
		    const char *reason);

/*
 * The order id as API JSON: the fold, plus for staff the timeline, the
 * payment with its provider calls and next actions.  customer, when not NULL, must own it.  NULL when there
 * is no such order (or it is not the customer's) or on an error (*err).
 */
static cJSON *
checkout_order_detail(sqlite3 *db, const char *id, const char *customer,
    int staff)
{
	struct checkout_order	 o;
	cJSON			*j, *next, *tl;
	unsigned		 bits;
	int			 e;

	if (checkout_order_load(db, id, 1, &o) != 0)
		return (NULL);
	if (customer != NULL && strcmp(o.customer_id, customer) != 0) {
		checkout_order_cleanup(&o);
		return (NULL);
	}
	j = checkout_order_to_json(&o);
	bits = checkout_order_next(&o);
	checkout_order_cleanup(&o);
	if (j == NULL)
		return (NULL);
	if (!staff)
		return (j);
	next = cJSON_AddArrayToObject(j, "next_actions");
	for (e = CHECKOUT_EV_CREATED; e < CHECKOUT_EV_COUNT; e++)
		if (bits & (1u << e))
			cJSON_AddItemToArray(next, cJSON_CreateString(
			    checkout_order_event_name(e)));
	if ((tl = checkout_order_timeline(db, id)) == NULL) {
		cJSON_Delete(j);
		return (NULL);
	}
	cJSON_AddItemToObject(j, "timeline", tl);
	if ((tl = checkout_pay_order_json(db, id)) == NULL) {
		cJSON_Delete(j);
		return (NULL);
	}
	cJSON_AddItemToObject(j, "payment", tl);
	return (j);
}

/* GET /orders/{id} (staff) */
int
checkout_orders_get(struct core_req *r)
{
	cJSON	*j;

	if ((j = checkout_order_detail(core_db_get("checkout"), r->params[0],
	    NULL, 1)) == NULL)
		return (checkout_not_found(r, "not-found", "no such order"));
	core_http_json_take(r, 200, j);
	return (KORE_RESULT_OK);
}

/* GET /me/orders/{id} (customer): only the customer's own. */
int
checkout_my_order_get(struct core_req *r)
{
	cJSON	*j;

	if ((j = checkout_order_detail(core_db_get("checkout"), r->params[0],
	    r->who.sub, 0)) == NULL)
		return (checkout_not_found(r, "not-found", "no such order"));
	http_response_header(r->http, "cache-control", "no-store");
	core_http_json_take(r, 200, j);
	return (KORE_RESULT_OK);
}

/*
 * A page of the list view: staff filters (status, payment_status, queue,
 * from, to, q) unless customer is set, which shows only theirs.
 */
static int
checkout_orders_page(struct core_req *r, const char *customer)
{
	struct checkout_order_filter	 f;
	cJSON				*errors, *data;
	char				 after[32], status[32], pay[32];
	char				 queue[16];
	char				 from[40], to[40], q[256], next[32];
	int64_t				 nx;
	int				 limit, rc;

	memset(&f, 0, sizeof(f));
	errors = NULL;
	if (core_http_page(r, 50, CHECKOUT_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	f.limit = limit;
	if (core_http_cursor_rowid(after, 0, &f.after, &errors) == -1) {
		core_http_bad_query(r, "paging", errors);
		return (KORE_RESULT_OK);
	}
	f.customer_id = customer;
	if (customer == NULL) {
		if (core_http_query(r, "status", status, sizeof(status)) == 1) {
			if (strcmp(status, "created") != 0 &&
			    checkout_order_event_parse(status) == 0)
				core_http_field_error(&errors, "status",
				    "is not an order status");
			f.status = status;
		}
		if (core_http_query(r, "payment_status", pay, sizeof(pay)) ==
		    1) {
			if (strcmp(pay, "unpaid") != 0 && strcmp(pay,
			    "partially_paid") != 0 && strcmp(pay, "paid") !=
			    0 && strcmp(pay, "partially_refunded") != 0 &&
			    strcmp(pay, "refunded") != 0)
				core_http_field_error(&errors,
				    "payment_status", "is not a payment"
				    " status");
			f.payment_status = pay;
		}
		if ((rc = core_http_query(r, "queue", queue,
		    sizeof(queue))) != 0) {
			if (rc == -1 || (strcmp(queue, "to_fulfil") != 0 &&
			    strcmp(queue, "unpaid") != 0))
				core_http_field_error(&errors, "queue",
				    "is not a queue: to_fulfil or unpaid");
			f.queue = queue;
		}
		if (core_http_query(r, "from", from, sizeof(from)) == 1 &&
		    checkout_time_parse(from, &f.from_ms) == -1)
			core_http_field_error(&errors, "from", "is not a time"
			    " (YYYY-MM-DDTHH:MM:SS.mmmZ)");
		if (core_http_query(r, "to", to, sizeof(to)) == 1 &&
		    checkout_time_parse(to, &f.to_ms) == -1)
			core_http_field_error(&errors, "to", "is not a time"
			    " (YYYY-MM-DDTHH:MM:SS.mmmZ)");
		if (core_http_query(r, "q", q, sizeof(q)) == 1 && q[0] != '\0')
			f.q = q;
	}
	if (errors != NULL) {
		core_http_bad_query(r, "filter", errors);
		return (KORE_RESULT_OK);
	}
	if (checkout_order_list(core_db_get("checkout"), &f, &data, &nx) ==
	    -1)
		return (checkout_internal(r));
	snprintf(next, sizeof(next), "%lld", (long long)nx);
	http_response_header(r->http, "cache-control", "no-store");
	core_http_json_take(r, 200, core_http_page_body(data, nx > 0 ? next :
	    NULL));
	return (KORE_RESULT_OK);
}

/* GET /orders (staff) */
int
checkout_orders_list(struct core_req *r)
{
	return (checkout_orders_page(r, NULL));
}

/* GET /me/orders (customer) */
int
checkout_my_orders_list(struct core_req *r)
{
	return (checkout_orders_page(r, r->who.sub));
}

/*
 * A problem for a refused order event or payment call: 409 naming the
 * state, 422 for a bad payload or amount.  Returns KORE_RESULT_OK.
 */
static int
checkout_orders_refused(struct core_req *r, int invalid, const char *reason)
{
	if (invalid)
		core_http_problem(r, 422, "invalid-transition",
		    "Invalid transition", reason, NULL);
	else
		core_http_problem(r, 409, "illegal-transition",
		    "Illegal transition", reason, NULL);
	return (KORE_RESULT_OK);
}

/*
 * Staff marking o paid: money received is recorded on the payment (a
 * capture under a key of the order's version, so a double click pays
 * once), which appends the paid event; a card payment is captured only
 * through its provider, never by hand.  A verdict, reason in the
 * request's problem already answered when not OK; -1 on a db error.
 */
static int
checkout_orders_pay(struct core_req *r, sqlite3 *db,
    const struct checkout_order *o, cJSON *p)
{
	struct checkout_pay_record	 rec;
	const char			*note;
	char				 key[48], reason[CHECKOUT_PAY_REASON_MAX];
	int64_t				 amount;
	int				 rc;

	/* The order's guard first: its 409 names the order's state. */
	if ((rc = checkout_order_can(o, CHECKOUT_EV_PAID, p, reason,
	    sizeof(reason))) != CHECKOUT_ORDER_OK) {
		checkout_orders_refused(r, rc == CHECKOUT_ORDER_INVALID, reason);
		return (CHECKOUT_PAY_ILLEGAL);
	}
	if (core_json_get_i64(p, "amount", 1, CORE_MONEY_MAX, &amount) !=
	    CORE_JSON_OK)
		return (-1);	/* the guard checked it */
	if (core_json_get_str(p, "note", 500, &note) != CORE_JSON_OK)
		note = NULL;
	snprintf(key, sizeof(key), "transition-paid-%lld", (long long)o->seq);
	rc = checkout_pay_record_payment(db, o->id, amount, NULL, note, key,
	    r->who.sub, &rec, reason, sizeof(reason));
	if (rc == -1 || rc == CHECKOUT_PAY_OK)
		return (rc);
	checkout_orders_refused(r, rc == CHECKOUT_PAY_INVALID, reason);
	return (rc);
}

/*
 * POST /orders/{id}/transitions {"to", ...}: the rest of the body is the
 * event's payload ("paid" without an amount pays what is due, recorded
 * on the payment).  Cancelling cancels the payment at its provider, and
 * gives back money received (a refund with a credit note).  Illegal in
 * the current state: 409 naming it; a bad payload: 422.
 */
int
checkout_orders_transition(struct core_req *r)
{
	struct checkout_order	 o;
	sqlite3			*db;
	cJSON			*p, *j;
	const char		*to;
	char			 reason[CHECKOUT_ORDER_REASON_MAX];
	enum checkout_order_event ev;
	int			 rc;

	to = NULL;
	if (!cJSON_IsObject(r->body) || core_json_get_str(r->body, "to", 16,
	    &to) != CORE_JSON_OK || ((ev = checkout_order_event_parse(to)) !=
	    CHECKOUT_EV_PAID && ev != CHECKOUT_EV_PREPARED && ev !=
	    CHECKOUT_EV_SHIPPED && ev != CHECKOUT_EV_DELIVERED && ev !=
	    CHECKOUT_EV_CANCELLED)) {
		core_http_problem(r, 422, "validation", "Validation failed",
		    "to must be paid, prepared, shipped, delivered or"
		    " cancelled", NULL);
		return (KORE_RESULT_OK);
	}
	if ((p = cJSON_Duplicate(r->body, 1)) == NULL)
		return (checkout_internal(r));
	cJSON_DeleteItemFromObjectCaseSensitive(p, "to");
	db = core_db_get("checkout");
	if (core_db_begin(db) == -1) {
		cJSON_Delete(p);
		return (checkout_internal(r));
	}
	if ((rc = checkout_order_load(db, r->params[0], 1, &o)) != 0) {
		cJSON_Delete(p);
		core_db_rollback(db);
		if (rc == -1)
			return (checkout_internal(r));
		return (checkout_not_found(r, "not-found", "no such order"));
	}
	if (ev == CHECKOUT_EV_PAID && cJSON_GetObjectItemCaseSensitive(p,
	    "amount") == NULL && o.total > o.paid)
		cJSON_AddNumberToObject(p, "amount", (double)(o.total - o.paid));
	if (ev == CHECKOUT_EV_CANCELLED && cJSON_GetObjectItemCaseSensitive(p,
	    "reason") == NULL)
		cJSON_AddStringToObject(p, "reason", "cancelled by staff");
	if (ev == CHECKOUT_EV_PAID) {
		rc = checkout_orders_pay(r, db, &o, p);
		checkout_order_cleanup(&o);
		cJSON_Delete(p);
		if (rc != CHECKOUT_PAY_OK) {
			core_db_rollback(db);
			return (rc == -1 ? checkout_internal(r) :
			    KORE_RESULT_OK);
		}
		goto done;
	}
	checkout_order_cleanup(&o);
	rc = checkout_order_append(db, r->params[0], to, p, r->who.sub, -1,
	    NULL, reason, sizeof(reason));
	cJSON_Delete(p);
	if (rc == CHECKOUT_ORDER_OK && ev == CHECKOUT_EV_CANCELLED &&
	    (rc = checkout_pay_on_cancel(db, r->params[0], r->who.sub, reason,
	    sizeof(reason))) != CHECKOUT_PAY_OK && rc != -1)
		rc = rc == CHECKOUT_PAY_INVALID ? CHECKOUT_ORDER_INVALID :
		    CHECKOUT_ORDER_ILLEGAL;
	if (rc == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (rc != CHECKOUT_ORDER_OK) {
		core_db_rollback(db);
		return (checkout_orders_refused(r, rc == CHECKOUT_ORDER_INVALID,
		    reason));
	}
done:
	if (core_db_commit(db) == -1)
		return (checkout_internal(r));
	if ((j = checkout_order_detail(db, r->params[0], NULL, 1)) == NULL)
		return (checkout_internal(r));
	core_http_json_take(r, 200, j);
	return (KORE_RESULT_OK);
}

/*
 * What a refund would be, as the server computes it: the refunded
 * event's payload read back inside the transaction the caller rolls
 * back, without the credit-note number it would take.  NULL on error.
 */
static cJSON *
checkout_refund_preview(sqlite3 *db, const char *id, const char *currency)
{
	cJSON	*tl, *last, *p;

	if ((tl = checkout_order_timeline(db, id)) == NULL)
		return (NULL);
	last = cJSON_GetArrayItem(tl, cJSON_GetArraySize(tl) - 1);
	p = cJSON_DetachItemFromObjectCaseSensitive(last, "payload");
	cJSON_Delete(tl);
	if (p == NULL)
		return (NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "credit_note_number");
	if (cJSON_GetObjectItemCaseSensitive(p, "lines") == NULL)
		cJSON_AddArrayToObject(p, "lines");
	if (cJSON_GetObjectItemCaseSensitive(p, "shipping") == NULL)
		cJSON_AddNumberToObject(p, "shipping", 0);
	cJSON_AddStringToObject(p, "currency", currency);
	return (p);
}

/*
 * POST /orders/{id}/refunds (staff): {"whole": true} or {"lines": [{line,
 * quantity, amount?}], "shipping"?, "amount"?, "reason"?}: appends
 * "refunded" (amounts filled pro rata, a credit-note number) and refunds
 * that amount through the payment's provider in the same transaction;
 * more than is paid or left is 422, an order with nothing paid 409.
 * With preview (POST /orders/{id}/refunds/preview) everything runs and
 * is rolled back: 200 with the amounts the refund would have.
 */
static int
checkout_orders_refund_run(struct core_req *r, int preview)
{
	struct checkout_order	 o;
	sqlite3			*db;
	cJSON			*j;
	char			 reason[CHECKOUT_ORDER_REASON_MAX];
	char			 currency[4];
	int64_t			 before;
	int			 rc;

	if (!cJSON_IsObject(r->body)) {
		core_http_problem(r, 422, "validation", "Validation failed",
		    "the body must be a JSON object", NULL);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	if (core_db_scalar(db, "SELECT count(*) FROM orders WHERE id = ?",
	    r->params[0], 0) == 0) {
		core_db_rollback(db);
		return (checkout_not_found(r, "not-found", "no such order"));
	}
	before = core_db_scalar(db, "SELECT refunded FROM orders WHERE id = ?",
	    r->params[0], 0);
	rc = checkout_order_append(db, r->params[0], "refunded", r->body,
	    r->who.sub, -1, &o, reason, sizeof(reason));
	if (rc == CHECKOUT_ORDER_OK) {
		rc = checkout_pay_on_refund(db, r->params[0], o.refunded - before,
		    o.last_credit_note, r->who.sub, reason, sizeof(reason));
		snprintf(currency, sizeof(currency), "%s", o.currency);
		checkout_order_cleanup(&o);
		if (rc != CHECKOUT_PAY_OK && rc != -1)
			rc = rc == CHECKOUT_PAY_INVALID ?
			    CHECKOUT_ORDER_INVALID : CHECKOUT_ORDER_ILLEGAL;
	}
	if (rc == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (rc != CHECKOUT_ORDER_OK) {
		core_db_rollback(db);
		if (rc == CHECKOUT_ORDER_INVALID)
			core_http_problem(r, 422, "invalid-refund",
			    "Invalid refund", reason, NULL);
		else
			core_http_problem(r, 409, "illegal-transition",
			    "Illegal transition", reason, NULL);
		return (KORE_RESULT_OK);
	}
	if (preview) {
		j = checkout_refund_preview(db, r->params[0], currency);
		core_db_rollback(db);
		if (j == NULL)
			return (checkout_internal(r));
		http_response_header(r->http, "cache-control", "no-store");
		core_http_json_take(r, 200, j);
		return (KORE_RESULT_OK);
	}
	if (core_db_commit(db) == -1)
		return (checkout_internal(r));
	if ((j = checkout_order_detail(db, r->params[0], NULL, 1)) == NULL)
		return (checkout_internal(r));
	core_http_json_take(r, 201, j);
	return (KORE_RESULT_OK);
}

int
checkout_orders_refund(struct core_req *r)
{
	return (checkout_orders_refund_run(r, 0));
}

/* POST /orders/{id}/refunds/preview (staff): the refund, not written. */
int
checkout_orders_refund_preview(struct core_req *r)
{
	return (checkout_orders_refund_run(r, 1));
}

/*
 * GET /orders/{id}/invoice (staff): the printable HTML invoice with the
 * seller from the invoice settings (checkout_invoice_settings.c).
 */
int
checkout_orders_invoice(struct core_req *r)
{
	return (checkout_invoice_answer(r, NULL));
}
