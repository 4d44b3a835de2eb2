/*
 * Payments: the registry of built-in providers, the rules they share
 * (bounded partial captures and refunds), and the storage of the one
 * payment record per order with every call kept under its idempotency
 * key.  A capture that moves money appends the order's `paid` event in
 * the same transaction, so the payment record and the order's fold never
 * disagree.  Tables: migrations/checkout/0003_payments.sql.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

static const struct checkout_pay_provider *const checkout_pay_providers[] = {
	&checkout_pay_bank,
	&checkout_pay_cod,
	&checkout_pay_test,
};

static const char *const checkout_pay_states[] = {
	"pending", "authorized", "captured", "declined", "cancelled",
	"refunded"
};

static const char *const checkout_pay_ops[] = {
	"create", "authorize", "capture", "refund", "cancel", "sync"
};

static int	checkout_pay_from_json(struct checkout_pay_record *,
		    const cJSON *);
static int	checkout_pay_replay(sqlite3 *, const char *order_id,
		    enum checkout_pay_op, const struct checkout_pay_call *,
		    struct checkout_pay_record *, char *, size_t);
static int	checkout_pay_store_call(sqlite3 *, const char *order_id,
		    enum checkout_pay_op, const struct checkout_pay_call *,
		    int verdict, const struct checkout_pay_record *,
		    const char *reason);
static int	checkout_pay_sp(sqlite3 *, const char *);

const struct checkout_pay_provider *
checkout_pay_provider_get(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(checkout_pay_providers) /
	    sizeof(checkout_pay_providers[0]); i++)
		if (strcmp(checkout_pay_providers[i]->name, name) == 0)
			return (checkout_pay_providers[i]);
	return (NULL);
}

const struct checkout_pay_provider *
checkout_pay_provider_at(int i)
{
	if (i < 0 || (size_t)i >= sizeof(checkout_pay_providers) /
	    sizeof(checkout_pay_providers[0]))
		return (NULL);
	return (checkout_pay_providers[i]);
}

const char *
checkout_pay_state_name(enum checkout_pay_state s)
{
	return (checkout_pay_states[s]);
}

const char *
checkout_pay_op_name(enum checkout_pay_op op)
{
	return (checkout_pay_ops[op]);
}

int
checkout_pay_op_parse(const char *s)
{
	int	i;

	for (i = 0; i < CHECKOUT_PAY_OP_COUNT; i++)
		if (strcmp(checkout_pay_ops[i], s) == 0)
			return (i);
	return (-1);
}

/* ---- the shared rules (pure) --------------------------------------------- */

enum checkout_pay_verdict
checkout_pay_std_create(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	if (call->amount < 0 || call->amount > CORE_MONEY_MAX) {
		snprintf(reason, len, "the amount must be 0 to %lld",
		    (long long)CORE_MONEY_MAX);
		return (CHECKOUT_PAY_INVALID);
	}
	if (call->currency == NULL || strlen(call->currency) != 3) {
		snprintf(reason, len, "the currency must be an ISO 4217 code");
		return (CHECKOUT_PAY_INVALID);
	}
	rec->state = CHECKOUT_PAYST_PENDING;
	snprintf(rec->currency, sizeof(rec->currency), "%s", call->currency);
	rec->amount = call->amount;
	rec->authorized = rec->captured = rec->refunded = 0;
	snprintf(rec->reference, sizeof(rec->reference), "%s",
	    call->reference != NULL ? call->reference : "");
	return (CHECKOUT_PAY_OK);
}

/* The amount and currency of a money-moving call against rec. */
static enum checkout_pay_verdict
checkout_pay_check_money(const struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, int64_t max, const char *what,
    char *reason, size_t len)
{
	if (call->currency == NULL || strcmp(call->currency, rec->currency)) {
		snprintf(reason, len, "the payment is in %s", rec->currency);
		return (CHECKOUT_PAY_INVALID);
	}
	if (max <= 0) {
		snprintf(reason, len, "the payment is %s: nothing is left to"
		    " %s", checkout_pay_state_name(rec->state), what);
		return (CHECKOUT_PAY_ILLEGAL);
	}
	if (call->amount < 1 || call->amount > max) {
		snprintf(reason, len, "the amount to %s must be 1 to %lld",
		    what, (long long)max);
		return (CHECKOUT_PAY_INVALID);
	}
	return (CHECKOUT_PAY_OK);
}

enum checkout_pay_verdict
checkout_pay_std_capture(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	enum checkout_pay_verdict	v;
	int64_t				max;

	if (rec->state != CHECKOUT_PAYST_PENDING &&
	    rec->state != CHECKOUT_PAYST_AUTHORIZED) {
		snprintf(reason, len, "the payment is %s: it cannot be"
		    " captured", checkout_pay_state_name(rec->state));
		return (CHECKOUT_PAY_ILLEGAL);
	}
	max = rec->state == CHECKOUT_PAYST_AUTHORIZED ? rec->authorized :
	    rec->amount;
	max -= rec->captured;
	if ((v = checkout_pay_check_money(rec, call, max, "capture", reason,
	    len)) != CHECKOUT_PAY_OK)
		return (v);
	rec->captured += call->amount;
	if (rec->captured == rec->amount)
		rec->state = CHECKOUT_PAYST_CAPTURED;
	return (CHECKOUT_PAY_OK);
}

enum checkout_pay_verdict
checkout_pay_std_refund(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	enum checkout_pay_verdict	v;

	if ((v = checkout_pay_check_money(rec, call, rec->captured -
	    rec->refunded, "refund", reason, len)) != CHECKOUT_PAY_OK)
		return (v);
	rec->refunded += call->amount;
	if (rec->refunded == rec->captured && (rec->state ==
	    CHECKOUT_PAYST_CAPTURED || rec->captured == rec->amount))
		rec->state = CHECKOUT_PAYST_REFUNDED;
	return (CHECKOUT_PAY_OK);
}

enum checkout_pay_verdict
checkout_pay_std_cancel(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	(void)call;
	if ((rec->state != CHECKOUT_PAYST_PENDING &&
	    rec->state != CHECKOUT_PAYST_AUTHORIZED) ||
	    rec->captured > rec->refunded) {
		snprintf(reason, len, "the payment is %s%s: refund it instead",
		    checkout_pay_state_name(rec->state),
		    rec->captured > rec->refunded ? " with money captured" :
		    "");
		return (CHECKOUT_PAY_ILLEGAL);
	}
	rec->state = CHECKOUT_PAYST_CANCELLED;
	rec->authorized = 0;
	return (CHECKOUT_PAY_OK);
}

enum checkout_pay_verdict
checkout_pay_unsupported(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	(void)call;
	snprintf(reason, len, "%s payments have no such operation",
	    rec->provider);
	return (CHECKOUT_PAY_ILLEGAL);
}

/* ---- storage -------------------------------------------------------------- */

static enum checkout_pay_state
checkout_pay_state_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof(checkout_pay_states) /
	    sizeof(checkout_pay_states[0]); i++)
		if (strcmp(checkout_pay_states[i], s) == 0)
			return ((enum checkout_pay_state)i);
	return (CHECKOUT_PAYST_PENDING);
}

int
checkout_pay_load(sqlite3 *db, const char *order_id,
    struct checkout_pay_record *rec)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(rec, 0, sizeof(*rec));
	if ((st = core_db_stmt(db, "SELECT provider, state, currency, amount,"
	    " authorized, captured, refunded, reference FROM payments"
	    " WHERE order_id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (rc == SQLITE_DONE ? 1 : core_db_err(db, "pay load"));
	}
	snprintf(rec->order_id, sizeof(rec->order_id), "%s", order_id);
	snprintf(rec->provider, sizeof(rec->provider), "%s",
	    sqlite3_column_text(st, 0));
	rec->state = checkout_pay_state_parse((const char *)
	    sqlite3_column_text(st, 1));
	snprintf(rec->currency, sizeof(rec->currency), "%s",
	    sqlite3_column_text(st, 2));
	rec->amount = sqlite3_column_int64(st, 3);
	rec->authorized = sqlite3_column_int64(st, 4);
	rec->captured = sqlite3_column_int64(st, 5);
	rec->refunded = sqlite3_column_int64(st, 6);
	snprintf(rec->reference, sizeof(rec->reference), "%s",
	    sqlite3_column_text(st, 7));
	sqlite3_reset(st);
	return (0);
}

int
checkout_pay_save(sqlite3 *db, const struct checkout_pay_record *rec)
{
	sqlite3_stmt	*st;
	int64_t		 now;

	if ((st = core_db_stmt(db, "INSERT INTO payments (order_id, provider,"
	    " state, currency, amount, authorized, captured, refunded,"
	    " reference, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?10) ON CONFLICT (order_id) DO UPDATE SET"
	    " state = ?3, authorized = ?6, captured = ?7, refunded = ?8,"
	    " updated_at = ?10")) == NULL)
		return (-1);
	now = checkout_order_now();
	sqlite3_bind_text(st, 1, rec->order_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, checkout_pay_state_name(rec->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rec->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, rec->amount);
	sqlite3_bind_int64(st, 6, rec->authorized);
	sqlite3_bind_int64(st, 7, rec->captured);
	sqlite3_bind_int64(st, 8, rec->refunded);
	sqlite3_bind_text(st, 9, rec->reference, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "pay save"));
	return (0);
}

cJSON *
checkout_pay_to_json(const struct checkout_pay_record *rec)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	cJSON_AddStringToObject(o, "order_id", rec->order_id);
	cJSON_AddStringToObject(o, "provider", rec->provider);
	cJSON_AddStringToObject(o, "state",
	    checkout_pay_state_name(rec->state));
	cJSON_AddStringToObject(o, "currency", rec->currency);
	cJSON_AddNumberToObject(o, "amount", (double)rec->amount);
	cJSON_AddNumberToObject(o, "authorized", (double)rec->authorized);
	cJSON_AddNumberToObject(o, "captured", (double)rec->captured);
	cJSON_AddNumberToObject(o, "refunded", (double)rec->refunded);
	cJSON_AddStringToObject(o, "reference", rec->reference);
	return (o);
}

/* The reverse of to_json (a stored call result).  0 or -1. */
static int
checkout_pay_from_json(struct checkout_pay_record *rec, const cJSON *o)
{
	const char	*s;
	int64_t		 v[4];
	static const char *const keys[] = { "amount", "authorized",
	    "captured", "refunded" };
	int		 i;

	memset(rec, 0, sizeof(*rec));
	if (core_json_get_str(o, "order_id", CORE_ID_MAX - 1, &s))
		return (-1);
	snprintf(rec->order_id, sizeof(rec->order_id), "%s", s);
	if (core_json_get_str(o, "provider", sizeof(rec->provider) - 1, &s))
		return (-1);
	snprintf(rec->provider, sizeof(rec->provider), "%s", s);
	if (core_json_get_str(o, "state", 20, &s))
		return (-1);
	rec->state = checkout_pay_state_parse(s);
	if (core_json_get_str(o, "currency", 3, &s))
		return (-1);
	snprintf(rec->currency, sizeof(rec->currency), "%s", s);
	if (core_json_get_str(o, "reference", CHECKOUT_PAY_REF_MAX, &s))
		return (-1);
	snprintf(rec->reference, sizeof(rec->reference), "%s", s);
	for (i = 0; i < 4; i++)
		if (core_json_get_i64(o, keys[i], 0, CORE_MONEY_MAX, &v[i]))
			return (-1);
	rec->amount = v[0];
	rec->authorized = v[1];
	rec->captured = v[2];
	rec->refunded = v[3];
	return (0);
}

/*
 * A call seen before: CHECKOUT_PAY_* of the first answer with *out and
 * reason as they were; 0x100 when the key is new; -1 on a db error.
 */
static int
checkout_pay_replay(sqlite3 *db, const char *order_id, enum checkout_pay_op op,
    const struct checkout_pay_call *call, struct checkout_pay_record *out,
    char *reason, size_t len)
{
	sqlite3_stmt	*st;
	cJSON		*res;
	const char	*s;
	int		 rc, verdict;
	int64_t		 amount;

	if ((st = core_db_stmt(db, "SELECT verdict, result, amount FROM"
	    " payment_calls WHERE order_id = ? AND op = ? AND key = ?")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, checkout_pay_op_name(op), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, call->key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (rc == SQLITE_DONE ? 0x100 : core_db_err(db,
		    "pay replay"));
	}
	verdict = sqlite3_column_int(st, 0);
	amount = sqlite3_column_int64(st, 2);
	res = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	if (amount != call->amount) {
		cJSON_Delete(res);
		snprintf(reason, len, "this idempotency key was used for an"
		    " amount of %lld", (long long)amount);
		return (CHECKOUT_PAY_INVALID);
	}
	if (res == NULL || checkout_pay_from_json(out, cJSON_GetObjectItem(res,
	    "payment")) == -1) {
		cJSON_Delete(res);
		return (core_db_err(db, "pay replay: stored result unreadable"));
	}
	if (core_json_get_str(res, "reason", CHECKOUT_PAY_REASON_MAX, &s) ==
	    CORE_JSON_OK)
		snprintf(reason, len, "%s", s);
	cJSON_Delete(res);
	return (verdict);
}

static int
checkout_pay_store_call(sqlite3 *db, const char *order_id,
    enum checkout_pay_op op, const struct checkout_pay_call *call,
    int verdict, const struct checkout_pay_record *rec, const char *reason)
{
	sqlite3_stmt	*st;
	cJSON		*res;
	char		*s;
	int		 rc;

	res = cJSON_CreateObject();
	cJSON_AddItemToObject(res, "payment", checkout_pay_to_json(rec));
	cJSON_AddStringToObject(res, "reason", reason);
	s = cJSON_PrintUnformatted(res);
	cJSON_Delete(res);
	if (s == NULL)
		return (-1);
	rc = -1;
	if ((st = core_db_stmt(db, "INSERT INTO payment_calls (order_id, op,"
	    " key, amount, verdict, result, created_at) VALUES (?, ?, ?, ?,"
	    " ?, ?, ?)")) != NULL) {
		sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, checkout_pay_op_name(op), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 3, call->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, call->amount);
		sqlite3_bind_int(st, 5, verdict);
		sqlite3_bind_text(st, 6, s, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, checkout_order_now());
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 :
		    core_db_err(db, "pay store call");
		sqlite3_reset(st);
	}
	cJSON_free(s);
	return (rc);
}

/* Runs a fixed SAVEPOINT statement. */
static int
checkout_pay_sp(sqlite3 *db, const char *sql)
{
	return (core_db_exec(db, sql));
}

/* The order's `paid` event of amount.  A verdict or -1. */
static int
checkout_pay_paid(sqlite3 *db, const struct checkout_pay_record *rec,
    int64_t amount, const char *note, const char *actor, char *reason,
    size_t len)
{
	cJSON	*p;
	int	 rc;

	p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "amount", (double)amount);
	cJSON_AddStringToObject(p, "method", rec->provider);
	if (rec->reference[0] != '\0')
		cJSON_AddStringToObject(p, "reference", rec->reference);
	if (note != NULL && note[0] != '\0')
		cJSON_AddStringToObject(p, "note", note);
	rc = checkout_order_append(db, rec->order_id, "paid", p, actor, -1,
	    NULL, reason, len);
	cJSON_Delete(p);
	if (rc == CHECKOUT_ORDER_OK)
		return (CHECKOUT_PAY_OK);
	if (rc == CHECKOUT_ORDER_INVALID)
		return (CHECKOUT_PAY_INVALID);
	return (rc == -1 ? -1 : CHECKOUT_PAY_ILLEGAL);
}

int
checkout_pay_run(sqlite3 *db, const char *provider, enum checkout_pay_op op,
    const char *order_id, const struct checkout_pay_call *call,
    const char *actor, struct checkout_pay_record *out, char *reason,
    size_t len)
{
	const struct checkout_pay_provider	*pv;
	struct checkout_pay_record		 rec, before;
	int					 rc, v;

	reason[0] = '\0';
	if ((pv = checkout_pay_provider_get(provider)) == NULL) {
		snprintf(reason, len, "no payment provider is named %s",
		    provider);
		return (CHECKOUT_PAY_INVALID);
	}
	if (call->key == NULL || call->key[0] == '\0' ||
	    strlen(call->key) > CHECKOUT_PAY_KEY_MAX) {
		snprintf(reason, len, "an idempotency key of 1 to %d bytes is"
		    " required", CHECKOUT_PAY_KEY_MAX);
		return (CHECKOUT_PAY_INVALID);
	}
	rc = checkout_pay_replay(db, order_id, op, call, &rec, reason, len);
	if (rc != 0x100) {
		if (rc >= 0 && out != NULL)
			*out = rec;
		return (rc);
	}
	if ((rc = checkout_pay_load(db, order_id, &rec)) == -1)
		return (-1);
	if (op == CHECKOUT_PAY_CREATE && rc == 0) {
		snprintf(reason, len, "the order has a %s payment already",
		    rec.provider);
		return (CHECKOUT_PAY_ILLEGAL);
	}
	if (op != CHECKOUT_PAY_CREATE && (rc == 1 ||
	    strcmp(rec.provider, provider) != 0)) {
		snprintf(reason, len, "the order has no %s payment", provider);
		return (CHECKOUT_PAY_ILLEGAL);
	}
	if (op == CHECKOUT_PAY_CREATE) {
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.order_id, sizeof(rec.order_id), "%s", order_id);
		snprintf(rec.provider, sizeof(rec.provider), "%s", provider);
	}
	before = rec;
	if (pv->ops[op] == NULL)
		v = checkout_pay_unsupported(&rec, call, reason, len);
	else
		v = pv->ops[op](&rec, call, reason, len);
	if (v == CHECKOUT_PAY_ILLEGAL || v == CHECKOUT_PAY_INVALID)
		return (v);
	/* A paid event the order refuses undoes the whole call. */
	if (checkout_pay_sp(db, "SAVEPOINT checkout_pay") == -1)
		return (-1);
	rc = 0;
	if (checkout_pay_save(db, &rec) == -1)
		rc = -1;
	if (rc == 0 && rec.captured > before.captured)
		rc = checkout_pay_paid(db, &rec, rec.captured -
		    before.captured, call->note, actor, reason, len);
	if (rc == 0 && checkout_pay_store_call(db, order_id, op, call, v,
	    &rec, reason) == -1)
		rc = -1;
	if (rc != 0) {
		if (checkout_pay_sp(db, "ROLLBACK TO checkout_pay") == -1 ||
		    checkout_pay_sp(db, "RELEASE checkout_pay") == -1)
			return (-1);
		return (rc);
	}
	if (checkout_pay_sp(db, "RELEASE checkout_pay") == -1)
		return (-1);
	if (out != NULL)
		*out = rec;
	return (v);
}

int
checkout_pay_record_payment(sqlite3 *db, const char *order_id,
    int64_t amount, const char *method, const char *note, const char *key,
    const char *actor,
    struct checkout_pay_record *out, char *reason, size_t len)
{
	struct checkout_order		o;
	struct checkout_pay_record	rec;
	struct checkout_pay_call	call;
	char				num[24];
	int				rc;

	reason[0] = '\0';
	if ((rc = checkout_order_load(db, order_id, 1, &o)) != 0) {
		if (rc == 1)
			snprintf(reason, len, "no such order");
		return (rc == 1 ? CHECKOUT_PAY_NOT_FOUND : -1);
	}
	if ((rc = checkout_pay_load(db, order_id, &rec)) == -1)
		goto out;
	if (method == NULL)
		method = rc == 0 ? rec.provider : o.payment_method;
	if (rc == 1) {
		memset(&call, 0, sizeof(call));
		call.amount = o.total;
		call.currency = o.currency;
		call.key = key;
		snprintf(num, sizeof(num), "%lld", (long long)o.number);
		call.reference = num;
		rc = checkout_pay_run(db, method, CHECKOUT_PAY_CREATE,
		    order_id, &call, actor, NULL, reason, len);
		if (rc != CHECKOUT_PAY_OK)
			goto out;
	}
	memset(&call, 0, sizeof(call));
	call.amount = amount;
	call.currency = o.currency;
	call.key = key;
	call.note = note;
	rc = checkout_pay_run(db, method, CHECKOUT_PAY_CAPTURE, order_id,
	    &call, actor, out, reason, len);
out:
	checkout_order_cleanup(&o);
	return (rc);
}

int
checkout_pay_setting(sqlite3 *db, const char *name, char *out, size_t len)
{
	sqlite3_stmt	*st;

	out[0] = '\0';
	if ((st = core_db_row(db, "SELECT value FROM payment_settings WHERE"
	    " name = ?", name)) == NULL)
		return (0);
	snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return (0);
}

int
checkout_pay_setting_put(sqlite3 *db, const char *name, const char *value)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "INSERT INTO payment_settings (name,"
	    " value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET"
	    " value = excluded.value")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "pay setting put"));
	return (0);
}
