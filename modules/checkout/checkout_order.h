/*
 * Checkout's event-sourced orders, shared inside the checkout module only.
 * An order is the fold of its events (created, approved, paid, prepared,
 * shipped, delivered, cancelled, refunded); checkout_order.c holds the pure
 * fold and the transition guard (no SQLite, no Kore), checkout_order_store.c
 * appends and loads events with snapshots and the list view,
 * checkout_order_replay.c rebuilds and verifies the derived tables, and
 * checkout_order_docs.c keeps the gap-free numbers and idempotency keys,
 * checkout_order_list.c queries the list view and checkout_order_invoice.c
 * prints the invoice.
 * The state table is in docs/contracts/checkout-orders.md.
 */
#ifndef CHECKOUT_ORDER_H
#define CHECKOUT_ORDER_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core_id.h"

#define CHECKOUT_ORDER_MAX_LINES	200
/* A snapshot is written when an order's seq is a multiple of this. */
#define CHECKOUT_ORDER_SNAPSHOT_EVERY	8
#define CHECKOUT_ORDER_REASON_MAX	256

enum checkout_order_state {
	CHECKOUT_ORDER_NONE = 0,	/* no event yet */
	CHECKOUT_ORDER_CREATED,
	CHECKOUT_ORDER_APPROVED,
	CHECKOUT_ORDER_PAID,
	CHECKOUT_ORDER_PREPARED,
	CHECKOUT_ORDER_SHIPPED,
	CHECKOUT_ORDER_DELIVERED,
	CHECKOUT_ORDER_CANCELLED,
	CHECKOUT_ORDER_REFUNDED
};

/* Event types, indexed like the states they lead to (NONE: none). */
enum checkout_order_event {
	CHECKOUT_EV_CREATED = 1,
	CHECKOUT_EV_APPROVED,
	CHECKOUT_EV_PAID,
	CHECKOUT_EV_PREPARED,
	CHECKOUT_EV_SHIPPED,
	CHECKOUT_EV_DELIVERED,
	CHECKOUT_EV_CANCELLED,
	CHECKOUT_EV_REFUNDED,
	CHECKOUT_EV_COUNT
};

/* What the guard says: OK, 409 (wrong state) or 422 (bad payload). */
enum checkout_order_verdict {
	CHECKOUT_ORDER_OK = 0,
	CHECKOUT_ORDER_ILLEGAL,		/* not allowed in the current state */
	CHECKOUT_ORDER_INVALID,		/* allowed, but the payload is wrong */
	CHECKOUT_ORDER_STALE		/* expected version is not the latest */
};

struct checkout_order_line {
	char		sku[65];
	char		title[201];
	int64_t		quantity;
	int64_t		unit_price;	/* before discount */
	int64_t		discount;	/* whole line */
	int64_t		tax;		/* whole line */
	int64_t		total;		/* what the customer pays for it */
	int64_t		refunded_qty;	/* <= quantity */
	int64_t		refunded;	/* <= this line's share of paid */
};

/*
 * The folded order.  Invariants after every apply: 0 <= refunded <= paid
 * <= total; per line refunded_qty <= quantity; shipping_refunded <=
 * shipping.  Lines and addresses are owned (checkout_order_cleanup).
 */
struct checkout_order {
	char				 id[CORE_ID_MAX];
	int64_t				 seq;		/* last applied event */
	enum checkout_order_state	 state;
	int64_t				 number;
	int64_t				 invoice_number;	/* 0: none yet */
	int64_t				 credit_notes;	/* count */
	int64_t				 last_credit_note;
	char				 customer_id[CORE_ID_MAX];
	char				 email[255];
	char				 currency[4];
	int				 prices_include_tax;
	char				 shipping_method[65];
	char				 shipping_method_name[129]; /* "": older */
	char				 payment_method[33];
	cJSON				*shipping_address;
	cJSON				*billing_address;
	int64_t				 subtotal, discount, shipping, tax;
	int64_t				 total;
	int64_t				 paid, refunded;
	int64_t				 shipping_refunded;
	char				 carrier[65];
	char				 tracking[129];
	char				 cancel_reason[256];
	int64_t				 created_at, updated_at;
	int				 nlines;
	struct checkout_order_line	*lines;
};

/* --- the pure fold (checkout_order.c) ------------------------------------ */

/* Empty order (state NONE) with id copied in. */
void		 checkout_order_init(struct checkout_order *, const char *id);
/* Frees lines and addresses; the struct may be init'ed again.  NULL ok. */
void		 checkout_order_cleanup(struct checkout_order *);

/* "created" ... "refunded" <-> enum; 0 / NULL when unknown. */
enum checkout_order_event checkout_order_event_parse(const char *);
const char	*checkout_order_event_name(enum checkout_order_event);
const char	*checkout_order_state_name(enum checkout_order_state);
/* "unpaid", "partially_paid", "paid", "partially_refunded", "refunded". */
const char	*checkout_order_payment_status(const struct checkout_order *);

/*
 * Fills what an event's payload derives from the order so that the event
 * is self-describing: for refunded, each line's amount (pro rata, the last
 * unit takes the remainder, capped at the line's paid share) and the total
 * amount (a "whole" refund names every remaining line and the net paid);
 * for cancelled, "refund_amount" = the net paid.  Fields already present
 * are left for the guard to check.  Returns 0, or -1 on allocation failure.
 */
int		 checkout_order_fill(const struct checkout_order *,
		    enum checkout_order_event, cJSON *payload);

/*
 * The transition guard: may the event with payload be applied to order?
 * OK, or ILLEGAL / INVALID with a sentence in reason that names the
 * order's current state (for the 409/422 problem's detail).  Pure.
 */
enum checkout_order_verdict checkout_order_can(const struct checkout_order *,
		    enum checkout_order_event, const cJSON *payload,
		    char *reason, size_t reasonlen);

/*
 * Events allowed next from the order's state, as a bit per event
 * (1 << CHECKOUT_EV_*), before looking at any payload: what the admin UI
 * offers.
 */
unsigned	 checkout_order_next(const struct checkout_order *);

/*
 * Applies one event (already accepted by the guard, or read back from the
 * log) at ms.  Returns 0, or -1 if the payload does not fit (a broken log:
 * the caller logs it with the order id and seq).
 */
int		 checkout_order_apply(struct checkout_order *,
		    enum checkout_order_event, const cJSON *payload,
		    int64_t at);

/*
 * The state as JSON (a snapshot, and the order in API answers): keys in a
 * fixed order, so equal states print equal.  Caller frees with
 * cJSON_Delete; NULL on allocation failure.
 */
cJSON		*checkout_order_to_json(const struct checkout_order *);
/* The reverse of to_json into an init'ed order.  Returns 0 or -1. */
int		 checkout_order_from_json(struct checkout_order *,
		    const cJSON *);

/*
 * The printable HTML invoice of o (an order confirmation before approval
 * gives it an invoice number), text escaped, print styles in one <style>
 * element.  Returns a malloc'ed string (free it) or NULL.  Pure.
 */
char		*checkout_order_invoice_html(const struct checkout_order *,
		    const char *shop_name);

/* --- storage (checkout_order_store.c) ------------------------------------ */

/*
 * Appends event type to order_id inside the caller's BEGIN IMMEDIATE on
 * checkout's db: loads the fold (snapshot and tail), fills derived fields
 * and document numbers (order number on created, invoice number on
 * approved, a credit-note number on a refund or a cancellation that
 * gives money back), checks expected (the version the caller saw; -1 for
 * any) and the guard, inserts the event, writes a snapshot every
 * CHECKOUT_ORDER_SNAPSHOT_EVERY events, upserts the list row and
 * publishes checkout.order.<type> v1 on the bus.  payload is not consumed
 * (NULL means {}).  out (may be NULL) receives the new fold (cleanup it).
 * Returns OK, a verdict with reason filled, or -1 on a db error (logged;
 * the caller rolls back).
 */
int		 checkout_order_append(sqlite3 *, const char *order_id,
		    const char *type, const cJSON *payload, const char *actor,
		    int64_t expected, struct checkout_order *out,
		    char *reason, size_t reasonlen);

/*
 * Loads order_id: the latest snapshot, then the events after it (with
 * use_snapshots 0, or a snapshot that does not parse, every event from 1).  Returns 0, 1 if the order has no
 * events, -1 on a db error or a broken log (logged).  order is init'ed
 * here; cleanup it on 0.
 */
int		 checkout_order_load(sqlite3 *, const char *order_id,
		    int use_snapshots, struct checkout_order *);

/*
 * The order's events as a JSON array of {seq, type, at (RFC 3339), actor,
 * payload}, oldest first; empty when the order does not exist.  NULL on
 * a db error.  Caller frees.
 */
cJSON		*checkout_order_timeline(sqlite3 *, const char *order_id);

/* Internal to the store and the replay: write the derived rows. */
int		 checkout_order_put_snapshot(sqlite3 *,
		    const struct checkout_order *);
int		 checkout_order_put_row(sqlite3 *, const struct checkout_order *);

/* --- the list view (checkout_order_list.c) ------------------------------- */

/* Filters of the orders list; NULL / 0 fields do not filter. */
struct checkout_order_filter {
	const char	*status;
	const char	*payment_status;
	const char	*queue;		/* "to_fulfil", "unpaid" (as the stats) */
	int64_t		 from_ms, to_ms;	/* created_at in [from, to) */
	const char	*q;		/* an order number, or an email */
	const char	*customer_id;	/* "my orders" */
	int64_t		 after;		/* cursor: numbers below this */
	int		 limit;		/* 0: 50 */
};

/*
 * Orders matching f, newest (highest number) first, at most limit.  *data
 * gets the array of list rows (caller frees); *next the cursor of the
 * next page (the last number shown) or 0 when this is the last.  Returns
 * 0 or -1 (logged).
 */
int		 checkout_order_list(sqlite3 *,
		    const struct checkout_order_filter *, cJSON **data,
		    int64_t *next);

/*
 * Adds "seller" (the invoice settings as now) to an approved payload
 * (checkout_invoice_settings.c): an issued invoice keeps its seller.
 */
int		 checkout_invoice_seller_add(sqlite3 *, cJSON *);

/* --- replay (checkout_order_replay.c) ------------------------------------ */

/*
 * Rebuilds order_snapshots and the orders list view from order_events
 * alone, inside the caller's transaction.  *norders (may be NULL) gets the
 * number of orders folded.  Returns 0 or -1.
 */
int		 checkout_order_rebuild(sqlite3 *, int64_t *norders);

/*
 * Folds every order from its events and compares with what is stored:
 * each snapshot with the fold at its seq, the list row with the final
 * fold, and no derived row without events.  *mismatches gets the count
 * (each one logged).  Read-only.  Returns 0 or -1 on a db error.
 */
int		 checkout_order_verify(sqlite3 *, int64_t *mismatches);

/* --- placing (checkout_orders_http.c), shared with the seed -------------- */

/*
 * The "created" payload from cart as just priced (in the caller's
 * transaction): lines with their snapshots, totals, the body's email,
 * addresses and methods, customer (NULL: a guest).  Returns 0, 1 if the
 * cart is empty, -1 on a db error.
 */
int		 checkout_place_payload(sqlite3 *, const char *cart,
		    const cJSON *body, const char *customer, cJSON **out);

/*
 * Creates the payment of the order just created (o): pending, of its
 * total and currency, its number as the reference, in the placing
 * transaction.  0, or -1 (logged) to roll back.
 */
struct checkout_order;
int		 checkout_place_payment(sqlite3 *,
		    const struct checkout_order *, const char *actor);

/*
 * Seed only (never reachable from HTTP): the time appends stamp on their
 * events, so demo orders can be spread over past days.  0 goes back to
 * the clock.  checkout_order_now is what appends use.
 */
void		 checkout_order_clock_set(int64_t ms);
int64_t		 checkout_order_now(void);

/*
 * The demo orders of a first start (checkout_order_seed.c), inside the
 * seed's transaction, which it commits and opens again between steps so
 * the bus carries each order's stock saga: placed with the shipping
 * method id standard.  0 (also when the catalog is not the demo one) or
 * -1.
 */
int		 checkout_seed_orders(sqlite3 *, const char *standard);

/* --- numbers and idempotency (checkout_order_docs.c) --------------------- */

/*
 * The next number of counter "order", "invoice" or "credit_note", taken
 * inside the caller's transaction: a rollback gives it back, so numbers
 * have no gaps.  Returns 0 or -1.
 */
int		 checkout_order_number_next(sqlite3 *, const char *counter,
		    int64_t *out);

#define CHECKOUT_IDEM_HASH_LEN	32
#define CHECKOUT_IDEM_KEY_MAX	255

/* BLAKE2b-256 of method, path and body (each length-prefixed). */
void		 checkout_idem_hash(unsigned char out[CHECKOUT_IDEM_HASH_LEN],
		    const char *method, const char *path, const void *body,
		    size_t bodylen);

enum checkout_idem_result {
	CHECKOUT_IDEM_NEW = 0,		/* run the request, then store */
	CHECKOUT_IDEM_REPLAY,		/* answer *status / *body again */
	CHECKOUT_IDEM_MISMATCH		/* same key, other request: 422 */
};

/*
 * Looks (scope, key) up; call inside the request's write transaction so
 * concurrent retries serialize on it.  On REPLAY *status and *body (a
 * malloc'ed string, free it) hold the first answer.  Returns a result or
 * -1 on a db error.
 */
int		 checkout_idem_lookup(sqlite3 *, const char *scope,
		    const char *key,
		    const unsigned char hash[CHECKOUT_IDEM_HASH_LEN],
		    int *status, char **body);

/* Stores the answer in the same transaction as its effect.  0 or -1. */
int		 checkout_idem_store(sqlite3 *, const char *scope,
		    const char *key,
		    const unsigned char hash[CHECKOUT_IDEM_HASH_LEN],
		    int status, const char *body);

/* Deletes keys created before cutoff_ms; *n gets how many.  0 or -1. */
int		 checkout_idem_prune(sqlite3 *, int64_t cutoff_ms, int64_t *n);

#endif
