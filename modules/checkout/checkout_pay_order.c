/*
 * The payment side of an order's life: the test provider's turn once the
 * order is approved (and again after a restart), the provider's cancel
 * and refund when staff cancel or refund, and the payment as the order
 * views show it.  Every provider call goes through checkout_pay_run under
 * a fixed idempotency key, so whatever runs twice (a retried request, a
 * saga answer delivered again, two workers resuming at once) is answered
 * from the first call and moves no money twice.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_http.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

static int	checkout_pay_call_run(sqlite3 *, const char *provider,
		    enum checkout_pay_op, const char *order_id,
		    const struct checkout_pay_record *, int64_t amount,
		    const char *key, const char *actor,
		    struct checkout_pay_record *, char *, size_t);
static int	checkout_pay_was_asked(sqlite3 *, const char *order_id);

/* One call of amount in rec's currency under key.  A verdict or -1. */
static int
checkout_pay_call_run(sqlite3 *db, const char *provider,
    enum checkout_pay_op op, const char *order_id,
    const struct checkout_pay_record *rec, int64_t amount, const char *key,
    const char *actor, struct checkout_pay_record *out, char *reason,
    size_t len)
{
	struct checkout_pay_call	call;

	memset(&call, 0, sizeof(call));
	call.amount = amount;
	call.currency = rec->currency;
	call.key = key;
	return (checkout_pay_run(db, provider, op, order_id, &call, actor, out,
	    reason, len));
}

int
checkout_pay_settle_tx(sqlite3 *db, const char *order_id)
{
	struct checkout_order		o;
	struct checkout_pay_record	rec;
	char				reason[CHECKOUT_PAY_REASON_MAX];
	int				rc, go;

	if ((rc = checkout_order_load(db, order_id, 1, &o)) != 0)
		return (rc == 1 ? 0 : -1);
	go = o.state == CHECKOUT_ORDER_APPROVED &&
	    strcmp(o.payment_method, "test") == 0;
	checkout_order_cleanup(&o);
	if (!go)
		return (0);
	if ((rc = checkout_pay_load(db, order_id, &rec)) != 0)
		return (rc == 1 ? 0 : -1);
	if (rec.state != CHECKOUT_PAYST_PENDING || rec.amount < 1)
		return (0);
	rc = checkout_pay_call_run(db, "test", CHECKOUT_PAY_AUTHORIZE,
	    order_id, &rec, rec.amount, "place-authorize", "test", &rec,
	    reason, sizeof(reason));
	if (rc == CHECKOUT_PAY_OK && rec.state == CHECKOUT_PAYST_AUTHORIZED)
		rc = checkout_pay_call_run(db, "test", CHECKOUT_PAY_CAPTURE,
		    order_id, &rec, rec.amount, "place-capture", "test", &rec,
		    reason, sizeof(reason));
	if (rc == -1)
		return (-1);
	/* A refusal is the provider's answer, kept; it is not an error. */
	if (rc != CHECKOUT_PAY_OK && rc != CHECKOUT_PAY_DECLINED)
		core_logf("warn", "checkout: order %s: test payment: %s",
		    order_id, reason);
	return (0);
}

void
checkout_pay_settle(sqlite3 *db, const char *order_id)
{
	if (core_db_begin(db) == -1)
		return;
	if (checkout_pay_settle_tx(db, order_id) == -1) {
		core_db_rollback(db);
		return;
	}
	if (core_db_commit(db) == -1)
		core_db_rollback(db);
}

/* 1 if the provider was asked to authorize order_id's payment. */
static int
checkout_pay_was_asked(sqlite3 *db, const char *order_id)
{
	return (core_db_scalar(db, "SELECT count(*) FROM payment_calls WHERE"
	    " order_id = ? AND op = 'authorize'", order_id, 0) > 0);
}

int
checkout_pay_resume(sqlite3 *db)
{
	struct checkout_pay_record	 rec;
	sqlite3_stmt			*st;
	char				 ids[64][CORE_ID_MAX];
	char				 reason[CHECKOUT_PAY_REASON_MAX];
	int				 n, i, rc, done = 0;
	int64_t				 after = 0;

	/* Pages of 64 by the order number, so no statement stays open. */
	do {
		if ((st = core_db_stmt(db, "SELECT o.id, o.number FROM orders o"
		    " JOIN payments p ON p.order_id = o.id WHERE o.status ="
		    " 'approved' AND p.provider = 'test' AND p.state ="
		    " 'pending' AND o.number > ? ORDER BY o.number LIMIT 64"))
		    == NULL)
			return (-1);
		sqlite3_bind_int64(st, 1, after);
		n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(ids[n++], CORE_ID_MAX, "%s",
			    sqlite3_column_text(st, 0));
			after = sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
		for (i = 0; i < n; i++) {
			if (core_db_begin(db) == -1)
				return (-1);
			/* Answered "later" before the restart: ask again. */
			rc = 0;
			if (checkout_pay_was_asked(db, ids[i]) &&
			    checkout_pay_load(db, ids[i], &rec) == 0 &&
			    rec.state == CHECKOUT_PAYST_PENDING) {
				rc = checkout_pay_call_run(db, "test",
				    CHECKOUT_PAY_SYNC, ids[i], &rec, rec.amount,
				    "resume-sync", "test", &rec, reason,
				    sizeof(reason));
				if (rc == CHECKOUT_PAY_OK && rec.state ==
				    CHECKOUT_PAYST_AUTHORIZED)
					rc = checkout_pay_call_run(db, "test",
					    CHECKOUT_PAY_CAPTURE, ids[i], &rec,
					    rec.amount, "resume-capture",
					    "test", &rec, reason,
					    sizeof(reason));
			}
			if (rc != -1)
				rc = checkout_pay_settle_tx(db, ids[i]);
			if (rc == -1 || core_db_commit(db) == -1) {
				core_db_rollback(db);
				return (-1);
			}
			done++;
		}
	} while (n == 64);
	if (done > 0)
		core_logf("info", "checkout: %d pending test payment(s) taken"
		    " up again", done);
	return (done);
}

int
checkout_pay_start(sqlite3 *db)
{
	/* Commands such as replay open the files too: no provider calls. */
	if (worker == NULL)
		return (0);
	if (checkout_pay_resume(db) == -1)
		core_logf("error", "checkout: pending test payments not taken"
		    " up; the next start tries again");
	return (0);
}

int
checkout_pay_on_cancel(sqlite3 *db, const char *order_id, const char *actor,
    char *reason, size_t len)
{
	struct checkout_pay_record	rec;
	int				rc;

	reason[0] = '\0';
	if ((rc = checkout_pay_load(db, order_id, &rec)) != 0)
		return (rc == 1 ? CHECKOUT_PAY_OK : -1);
	if (rec.captured > rec.refunded) {
		rc = checkout_pay_call_run(db, rec.provider, CHECKOUT_PAY_REFUND,
		    order_id, &rec, rec.captured - rec.refunded,
		    "cancel-refund", actor, &rec, reason, len);
		if (rc != CHECKOUT_PAY_OK)
			return (rc);
	}
	if (rec.state != CHECKOUT_PAYST_PENDING &&
	    rec.state != CHECKOUT_PAYST_AUTHORIZED)
		return (CHECKOUT_PAY_OK);
	return (checkout_pay_call_run(db, rec.provider, CHECKOUT_PAY_CANCEL,
	    order_id, &rec, 0, "cancel", actor, NULL, reason, len));
}

int
checkout_pay_on_refund(sqlite3 *db, const char *order_id, int64_t amount,
    int64_t credit_note, const char *actor, char *reason, size_t len)
{
	struct checkout_pay_record	rec;
	char				key[48];
	int				rc;

	reason[0] = '\0';
	if ((rc = checkout_pay_load(db, order_id, &rec)) != 0) {
		if (rc == 1)
			snprintf(reason, len, "the order has no payment to"
			    " refund");
		return (rc == 1 ? CHECKOUT_PAY_ILLEGAL : -1);
	}
	snprintf(key, sizeof(key), "refund-%lld", (long long)credit_note);
	return (checkout_pay_call_run(db, rec.provider, CHECKOUT_PAY_REFUND,
	    order_id, &rec, amount, key, actor, NULL, reason, len));
}

cJSON *
checkout_pay_order_json(sqlite3 *db, const char *order_id)
{
	struct checkout_pay_record	 rec;
	sqlite3_stmt			*st;
	cJSON				*j, *calls, *c, *res;
	const cJSON			*pay;
	const char			*s;
	char				 at[32];
	int				 rc;

	if ((rc = checkout_pay_load(db, order_id, &rec)) != 0)
		return (rc == 1 ? cJSON_CreateNull() : NULL);
	if ((j = checkout_pay_to_json(&rec)) == NULL)
		return (NULL);
	calls = cJSON_AddArrayToObject(j, "calls");
	if ((st = core_db_stmt(db, "SELECT op, key, amount, verdict, result,"
	    " created_at FROM payment_calls WHERE order_id = ? ORDER BY"
	    " created_at, instr('create authorize sync capture refund"
	    " cancel', op)")) == NULL) {
		cJSON_Delete(j);
		return (NULL);
	}
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c = cJSON_CreateObject();
		cJSON_AddItemToArray(calls, c);
		cJSON_AddStringToObject(c, "op",
		    (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(c, "key",
		    (const char *)sqlite3_column_text(st, 1));
		cJSON_AddNumberToObject(c, "amount",
		    (double)sqlite3_column_int64(st, 2));
		switch (sqlite3_column_int(st, 3)) {
		case CHECKOUT_PAY_OK:
			s = "ok";
			break;
		case CHECKOUT_PAY_DECLINED:
			s = "declined";
			break;
		default:
			s = "refused";
			break;
		}
		cJSON_AddStringToObject(c, "verdict", s);
		res = cJSON_Parse((const char *)sqlite3_column_text(st, 4));
		pay = cJSON_GetObjectItemCaseSensitive(res, "payment");
		s = NULL;
		if (core_json_get_str(pay, "state", 20, &s) != CORE_JSON_OK)
			s = "";
		cJSON_AddStringToObject(c, "state", s);
		cJSON_Delete(res);
		core_time_rfc3339(at, sizeof(at), sqlite3_column_int64(st, 5));
		cJSON_AddStringToObject(c, "at", at);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		core_db_err(db, "payment calls");
		cJSON_Delete(j);
		return (NULL);
	}
	return (j);
}
