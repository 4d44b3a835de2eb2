/*
 * Checkout's payment providers, shared inside the checkout module only.
 * A provider is a table of operations (create, authorize, capture,
 * refund, cancel, webhook) over one payment record per order.  The
 * operations are pure: they judge a call against the record and change
 * the copy they are given; checkout_pay.c loads and stores the record,
 * keeps every call under its idempotency key (a repeat answers the first
 * result and changes nothing) and appends the order's `paid` events.
 * Built in: bank transfer (checkout_pay_bank.c), cash on delivery
 * (checkout_pay_cod.c) and the test provider (checkout_pay_test.c).
 */
#ifndef CHECKOUT_PAY_H
#define CHECKOUT_PAY_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core_id.h"

#define CHECKOUT_PAY_REF_MAX		64
#define CHECKOUT_PAY_REASON_MAX		256
#define CHECKOUT_PAY_KEY_MAX		255
/* A signed webhook older or newer than this is refused. */
#define CHECKOUT_PAY_WEBHOOK_TOLERANCE	300	/* seconds */

enum checkout_pay_state {
	CHECKOUT_PAYST_PENDING = 0,
	CHECKOUT_PAYST_AUTHORIZED,
	CHECKOUT_PAYST_CAPTURED,
	CHECKOUT_PAYST_DECLINED,
	CHECKOUT_PAYST_CANCELLED,
	CHECKOUT_PAYST_REFUNDED
};

enum checkout_pay_op {
	CHECKOUT_PAY_CREATE = 0,
	CHECKOUT_PAY_AUTHORIZE,
	CHECKOUT_PAY_CAPTURE,
	CHECKOUT_PAY_REFUND,
	CHECKOUT_PAY_CANCEL,
	CHECKOUT_PAY_SYNC,		/* ask the provider what became of it */
	CHECKOUT_PAY_OP_COUNT
};

/* What a call gives: OK, refused by the provider, 409 or 422. */
enum checkout_pay_verdict {
	CHECKOUT_PAY_OK = 0,
	CHECKOUT_PAY_DECLINED,		/* the provider said no (402) */
	CHECKOUT_PAY_ILLEGAL,		/* not in the record's state (409) */
	CHECKOUT_PAY_INVALID,		/* bad amount or currency (422) */
	CHECKOUT_PAY_NOT_FOUND		/* no such order (404) */
};

/*
 * The payment of one order.  Invariants: refunded <= captured <=
 * amount; captured <= authorized for providers that authorize.
 */
struct checkout_pay_record {
	char			order_id[CORE_ID_MAX];
	char			provider[33];
	enum checkout_pay_state	state;
	char			currency[4];
	int64_t			amount;		/* what is due */
	int64_t			authorized, captured, refunded;
	char			reference[CHECKOUT_PAY_REF_MAX + 1];
};

/* One call: its amount, currency and idempotency key. */
struct checkout_pay_call {
	int64_t		 amount;
	const char	*currency;
	const char	*key;
	const char	*reference;	/* create: e.g. the order number */
	const char	*note;		/* capture: kept in the paid event */
};

/*
 * An operation judges call against rec; on OK (and on DECLINED, which
 * records the decline) it has changed rec.  On ILLEGAL or INVALID rec is
 * unchanged.  reason says why when it is not OK.  A provider leaves an
 * operation it does not have NULL (refused as ILLEGAL).
 */
typedef enum checkout_pay_verdict (*checkout_pay_fn)(
    struct checkout_pay_record *rec, const struct checkout_pay_call *call,
    char *reason, size_t reasonlen);

struct checkout_pay_provider {
	const char		*name;		/* bank_transfer, cod, test */
	const char		*title;		/* for the storefront */
	checkout_pay_fn		 ops[CHECKOUT_PAY_OP_COUNT];
	/*
	 * Verifies and applies a webhook (raw body, signature header) at
	 * now (unix seconds) in the caller's transaction; NULL when the
	 * provider has none.  See checkout_pay_test_webhook.
	 */
	int			(*webhook)(sqlite3 *, const char *body,
				    size_t len, const char *signature,
				    int64_t now, char *reason, size_t reasonlen);
};

extern const struct checkout_pay_provider checkout_pay_bank;
extern const struct checkout_pay_provider checkout_pay_cod;
extern const struct checkout_pay_provider checkout_pay_test;

/* --- the registry and shared rules (checkout_pay.c) ---------------------- */

/* The provider named name, or NULL.  Borrowed, static. */
const struct checkout_pay_provider *checkout_pay_provider_get(const char *);
/* The i-th provider, or NULL past the last. */
const struct checkout_pay_provider *checkout_pay_provider_at(int);

const char	*checkout_pay_state_name(enum checkout_pay_state);
const char	*checkout_pay_op_name(enum checkout_pay_op);
/* "create" ... "sync" -> op; -1 when unknown. */
int		 checkout_pay_op_parse(const char *);

/*
 * Building blocks the providers share (pure).  create: a fresh pending
 * record of amount and currency.  capture: up to what is still due
 * (partial allowed), from pending or authorized (bounded by the
 * authorization when one exists); the record is captured when nothing
 * is due.  refund: up to captured - refunded; refunded when all is back.
 * cancel: only while no captured money is kept (nothing captured, or all
 * of it refunded): what is still due is no longer asked for.
 */
enum checkout_pay_verdict checkout_pay_std_create(struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
enum checkout_pay_verdict checkout_pay_std_capture(struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
enum checkout_pay_verdict checkout_pay_std_refund(struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
enum checkout_pay_verdict checkout_pay_std_cancel(struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
/* Refuses: the provider has no such operation (ILLEGAL). */
enum checkout_pay_verdict checkout_pay_unsupported(struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);

/* --- storage (checkout_pay.c) -------------------------------------------- */

/*
 * Loads the payment of order_id into rec.  Returns 0, 1 when the order
 * has none, -1 on a db error (logged).
 */
int		 checkout_pay_load(sqlite3 *, const char *order_id,
		    struct checkout_pay_record *);

/*
 * Runs op of provider on order_id's payment inside the caller's
 * BEGIN IMMEDIATE.  A call whose (order, op, key) was seen answers the
 * stored verdict and *out again and changes nothing (the same key with
 * another amount is INVALID).  ILLEGAL and INVALID write nothing (a
 * savepoint undoes a refused paid event); OK and DECLINED are stored.  create needs no
 * record (and refuses when one exists); the others need one of
 * provider.  A capture that moves money appends the order's `paid`
 * event of that amount (actor) through checkout_order_append, so an
 * order that cannot take it (cancelled, nothing due) refuses the whole
 * call.  out (may be NULL) gets the record after the call.  Returns a
 * verdict with reason filled, or -1 on a db error (the caller rolls
 * back).
 */
int		 checkout_pay_run(sqlite3 *, const char *provider,
		    enum checkout_pay_op, const char *order_id,
		    const struct checkout_pay_call *, const char *actor,
		    struct checkout_pay_record *out, char *reason,
		    size_t reasonlen);

/*
 * Staff record money received for order_id (bank transfer, cash on
 * delivery): creates the payment with the order's payment method (or
 * method), total and currency when there is none, then captures amount
 * under key (note, may be NULL, goes into the paid event).  Same result
 * and transaction rules as checkout_pay_run; NOT_FOUND when there is no
 * such order.
 */
int		 checkout_pay_record_payment(sqlite3 *, const char *order_id,
		    int64_t amount, const char *method, const char *note,
		    const char *key,
		    const char *actor, struct checkout_pay_record *out,
		    char *reason, size_t reasonlen);

/* Inserts or replaces rec with updated_at now, in the caller's tx. */
int		 checkout_pay_save(sqlite3 *, const struct checkout_pay_record *);

/* The record as JSON (caller frees), NULL on allocation failure. */
cJSON		*checkout_pay_to_json(const struct checkout_pay_record *);

/* A setting of payment_settings into out ("" when absent).  0 or -1. */
int		 checkout_pay_setting(sqlite3 *, const char *name, char *out,
		    size_t len);
int		 checkout_pay_setting_put(sqlite3 *, const char *name,
		    const char *value);

/* --- the payment side of an order's life (checkout_pay_order.c) ---------- */

/*
 * Runs the test provider for order_id once it is approved, inside the
 * caller's transaction: authorize the due amount by its amount rule
 * (key "place-authorize") and capture it when authorized
 * ("place-capture"), which appends the order's paid event.  Anything
 * but an approved order with a pending test payment is left alone; the
 * fixed keys make every repeat (a retried request, the saga's answer
 * delivered again, a restart) answer the first result and charge
 * nothing twice.  Returns 0, or -1 on a db error (roll back).
 */
int		 checkout_pay_settle_tx(sqlite3 *, const char *order_id);

/* checkout_pay_settle_tx in its own transaction; failures are logged. */
void		 checkout_pay_settle(sqlite3 *, const char *order_id);

/*
 * At a worker's start: every approved order whose test payment is still
 * pending is taken up again.  One the provider was never asked about
 * (a crash between approval and the call) is settled as at placement;
 * one it answered "later" is asked again (sync, key "resume-sync") and
 * captured when the provider has approved it ("resume-capture").  Safe
 * in every worker at once: the write lock serializes them and the keys
 * make the second a replay.  Returns the number taken up, or -1.
 */
int		 checkout_pay_resume(sqlite3 *);

/* The module's per-worker init hook: checkout_pay_resume, logged. */
int		 checkout_pay_start(sqlite3 *);

/*
 * The payment side of cancelling order_id, in the caller's transaction
 * after its cancelled event: money captured and kept is refunded through
 * the provider (key "cancel-refund") and what is still open is cancelled
 * ("cancel").  No payment, or one already declined or cancelled, is left
 * as it is.  A verdict (reason filled), or -1 on a db error.
 */
int		 checkout_pay_on_cancel(sqlite3 *, const char *order_id,
		    const char *actor, char *reason, size_t reasonlen);

/*
 * The payment side of refund credit_note of amount on order_id, in the
 * caller's transaction after its refunded event: the provider refunds
 * amount (key "refund-<credit note>").  A verdict or -1.
 */
int		 checkout_pay_on_refund(sqlite3 *, const char *order_id,
		    int64_t amount, int64_t credit_note, const char *actor,
		    char *reason, size_t reasonlen);

/*
 * The payment of order_id for the order views: the record with its
 * provider calls, oldest first ({op, key, amount, verdict, state, at});
 * JSON null when the order has none.  NULL on a db error.
 */
cJSON		*checkout_pay_order_json(sqlite3 *, const char *order_id);

/* --- the test provider (checkout_pay_test.c) ----------------------------- */

/*
 * What the test provider answers for amount: the last two minor digits
 * 01 decline, 02 pending (approved later by a webhook, or found approved
 * when the shop asks again with sync), anything else approve.
 */
enum checkout_pay_state checkout_pay_test_outcome(int64_t amount);

/*
 * Checks header ("t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">") with
 * secret at now: 0 good; -1 malformed, wrong or outside the tolerance.
 * Constant-time compare.
 */
int		 checkout_pay_test_verify(const char *secret, const char *body,
		    size_t len, const char *header, int64_t now)
		    __attribute__((warn_unused_result));

/* The header for body signed at t (tests and docs): into out. */
int		 checkout_pay_test_sign(const char *secret, const char *body,
		    size_t len, int64_t t, char *out, size_t outlen);

/*
 * The test provider's webhook in the caller's transaction: 0 applied,
 * 1 a replayed event id (ignored), -2 a bad signature (401, nothing
 * written), -3 a bad event (422, reason), -1 on a db error.
 */
int		 checkout_pay_test_webhook(sqlite3 *, const char *body,
		    size_t len, const char *signature, int64_t now,
		    char *reason, size_t reasonlen);

/* --- HTTP handlers (checkout_pay_http.c) -------------------------------- */

struct core_req;
int		 checkout_pay_methods(struct core_req *);
int		 checkout_pay_bank_get(struct core_req *);
int		 checkout_pay_bank_put(struct core_req *);
int		 checkout_pay_test_get(struct core_req *);
int		 checkout_pay_toggle_put(struct core_req *);
int		 checkout_pay_test_hook(struct core_req *);
int		 checkout_pay_record_http(struct core_req *);

#endif
