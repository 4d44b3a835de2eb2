/*
 * Unit tests of checkout's payment providers on a real, migrated
 * checkout.db (modules/checkout/checkout_pay*.c): bank transfer with
 * partial amounts becoming the order's paid events, cash on delivery
 * captured after delivery, the test provider's amount-driven outcomes and
 * its signed webhook (good, bad, expired, replayed), idempotent calls,
 * and refusals that write nothing.
 */
#include <criterion/criterion.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"
#include "tests/unit/modules/checkout/checkout_order_fixture.h"
#include "tests/unit/unit_fixture.h"

static sqlite3	*cp_db;

static void
cp_setup(void)
{
	unit_data_setup();
	cr_assert_not_null(cp_db = core_db_open("checkout", 1, 1));
}

static void
cp_teardown(void)
{
	unit_data_teardown();
}

TestSuite(checkout_pay, .init = cp_setup, .fini = cp_teardown);

/* An approved order of one line of unit (tax included), no shipping. */
static void
cp_order(char *id, int64_t unit, const char *pm)
{
	char	reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON	*p;

	core_id_new(id, CORE_ID_MAX, "ord");
	p = cof_created_priced(1, unit, 0, pm);
	cr_assert_eq(core_db_begin(cp_db), 0);
	cr_assert_eq(checkout_order_append(cp_db, id, "created", p, "t", -1,
	    NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK, "%s", reason);
	cr_assert_eq(checkout_order_append(cp_db, id, "approved", NULL, "t",
	    -1, NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK, "%s",
	    reason);
	cr_assert_eq(core_db_commit(cp_db), 0);
	cJSON_Delete(p);
}

static void
cp_fold(const char *id, struct checkout_order *o)
{
	cr_assert_eq(checkout_order_load(cp_db, id, 1, o), 0);
}

static int64_t
cp_count(const char *sql, const char *arg)
{
	return (core_db_scalar(cp_db, sql, arg, -1));
}

/* record_payment in its own transaction (rolled back unless OK). */
static int
cp_record(const char *id, int64_t amount, const char *key,
    struct checkout_pay_record *out, char *reason)
{
	int	rc;

	cr_assert_eq(core_db_begin(cp_db), 0);
	rc = checkout_pay_record_payment(cp_db, id, amount, NULL, NULL, key,
	    "usr_s", out, reason, CHECKOUT_PAY_REASON_MAX);
	cr_assert_neq(rc, -1);
	cr_assert_eq(core_db_commit(cp_db), 0);
	return (rc);
}

static int
cp_run(const char *pv, enum checkout_pay_op op, const char *id,
    int64_t amount, const char *key, struct checkout_pay_record *out,
    char *reason)
{
	struct checkout_pay_call	call;
	int				rc;

	memset(&call, 0, sizeof(call));
	call.amount = amount;
	call.currency = "EUR";
	call.key = key;
	call.reference = "1001";
	cr_assert_eq(core_db_begin(cp_db), 0);
	rc = checkout_pay_run(cp_db, pv, op, id, &call, "usr_s", out, reason,
	    CHECKOUT_PAY_REASON_MAX);
	cr_assert_neq(rc, -1);
	cr_assert_eq(core_db_commit(cp_db), 0);
	return (rc);
}

#define PAID_EVENTS	"SELECT count(*) FROM order_events WHERE type = 'paid'" \
	" AND order_id = ?"

Test(checkout_pay, bank_partial_amounts_become_paid_events)
{
	struct checkout_pay_record	rec;
	struct checkout_order		o;
	char				id[CORE_ID_MAX], why[256];

	cp_order(id, 5000, "bank_transfer");
	cr_assert_eq(cp_record(id, 2000, "k1", &rec, why), CHECKOUT_PAY_OK,
	    "%s", why);
	cr_assert_str_eq(rec.provider, "bank_transfer");
	cr_assert_eq(rec.captured, 2000);
	cr_assert_eq(rec.amount, 5000);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_PENDING);
	cp_fold(id, &o);
	cr_assert_eq(o.paid, 2000);
	cr_assert_eq(o.state, CHECKOUT_ORDER_APPROVED);
	cr_assert_str_eq(checkout_order_payment_status(&o), "partially_paid");
	checkout_order_cleanup(&o);

	/* The same key again: the first answer, no second event. */
	cr_assert_eq(cp_record(id, 2000, "k1", &rec, why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.captured, 2000);
	cr_assert_eq(cp_count(PAID_EVENTS, id), 1);
	/* The same key with another amount is refused. */
	cr_assert_eq(cp_record(id, 2500, "k1", &rec, why),
	    CHECKOUT_PAY_INVALID);
	cr_assert(strstr(why, "2000") != NULL, "%s", why);

	/* More than is due: refused, nothing written. */
	cr_assert_eq(cp_record(id, 3001, "k2", &rec, why),
	    CHECKOUT_PAY_INVALID);
	cr_assert_eq(cp_count("SELECT count(*) FROM payment_calls WHERE"
	    " order_id = ?", id), 2);	/* create + the first capture */

	cr_assert_eq(cp_record(id, 3000, "k3", &rec, why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CAPTURED);
	cp_fold(id, &o);
	cr_assert_eq(o.paid, 5000);
	cr_assert_eq(o.state, CHECKOUT_ORDER_PAID);
	checkout_order_cleanup(&o);
	cr_assert_eq(cp_count(PAID_EVENTS, id), 2);
	cr_assert_eq(cp_count("SELECT count(*) FROM order_events WHERE"
	    " order_id = ? AND json_extract(payload, '$.reference') = '1001'"
	    " AND json_extract(payload, '$.method') = 'bank_transfer'", id),
	    2);

	/* Nothing is due any more. */
	cr_assert_eq(cp_record(id, 1, "k4", &rec, why), CHECKOUT_PAY_ILLEGAL);
	cr_assert(strstr(why, "captured") != NULL, "%s", why);
}

Test(checkout_pay, a_refused_paid_event_undoes_the_capture)
{
	struct checkout_pay_record	rec;
	char				id[CORE_ID_MAX], why[256];
	cJSON				*p;

	cp_order(id, 4000, "bank_transfer");
	cr_assert_eq(cp_run("bank_transfer", CHECKOUT_PAY_CREATE, id, 4000,
	    "c", &rec, why), CHECKOUT_PAY_OK);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "reason", "customer asked");
	cr_assert_eq(core_db_begin(cp_db), 0);
	cr_assert_eq(checkout_order_append(cp_db, id, "cancelled", p, "t", -1,
	    NULL, why, sizeof(why)), CHECKOUT_ORDER_OK);
	cr_assert_eq(core_db_commit(cp_db), 0);
	cJSON_Delete(p);
	cr_assert_eq(cp_record(id, 1000, "k", &rec, why),
	    CHECKOUT_PAY_ILLEGAL);
	cr_assert(strstr(why, "cancelled") != NULL, "%s", why);
	cr_assert_eq(checkout_pay_load(cp_db, id, &rec), 0);
	cr_assert_eq(rec.captured, 0);
	cr_assert_eq(cp_count("SELECT count(*) FROM payment_calls WHERE"
	    " op = 'capture' AND order_id = ?", id), 0);
	cr_assert_eq(cp_count(PAID_EVENTS, id), 0);
}

Test(checkout_pay, cod_is_captured_on_delivery_and_refunded_within_bounds)
{
	struct checkout_pay_record	rec;
	struct checkout_order		o;
	char				id[CORE_ID_MAX], why[256];
	const char			*steps[] = { "prepared", "delivered" };
	cJSON				*p;

	cp_order(id, 3000, "cod");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "carrier", "DHL");
	cr_assert_eq(core_db_begin(cp_db), 0);
	cr_assert_eq(checkout_order_append(cp_db, id, steps[0], NULL, "t", -1,
	    NULL, why, sizeof(why)), CHECKOUT_ORDER_OK, "%s", why);
	cr_assert_eq(checkout_order_append(cp_db, id, "shipped", p, "t", -1,
	    NULL, why, sizeof(why)), CHECKOUT_ORDER_OK, "%s", why);
	cr_assert_eq(checkout_order_append(cp_db, id, steps[1], NULL, "t", -1,
	    NULL, why, sizeof(why)), CHECKOUT_ORDER_OK, "%s", why);
	cr_assert_eq(core_db_commit(cp_db), 0);
	cJSON_Delete(p);

	cr_assert_eq(cp_record(id, 3000, "cash", &rec, why), CHECKOUT_PAY_OK,
	    "%s", why);
	cr_assert_str_eq(rec.provider, "cod");
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CAPTURED);
	cp_fold(id, &o);
	cr_assert_eq(o.state, CHECKOUT_ORDER_DELIVERED);
	cr_assert_str_eq(checkout_order_payment_status(&o), "paid");
	checkout_order_cleanup(&o);

	cr_assert_eq(cp_run("cod", CHECKOUT_PAY_CANCEL, id, 0, "x", &rec, why),
	    CHECKOUT_PAY_ILLEGAL);
	cr_assert_eq(cp_run("cod", CHECKOUT_PAY_AUTHORIZE, id, 10, "a", &rec,
	    why), CHECKOUT_PAY_ILLEGAL);
	cr_assert_eq(cp_run("cod", CHECKOUT_PAY_REFUND, id, 3001, "r", &rec,
	    why), CHECKOUT_PAY_INVALID);
	cr_assert_eq(cp_run("cod", CHECKOUT_PAY_REFUND, id, 1000, "r", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.refunded, 1000);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CAPTURED);
	cr_assert_eq(cp_run("cod", CHECKOUT_PAY_REFUND, id, 2000, "r2", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_REFUNDED);
	/* Another provider's call on this order. */
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_REFUND, id, 1, "r3", &rec,
	    why), CHECKOUT_PAY_ILLEGAL);
	cr_assert_eq(cp_run("paypal", CHECKOUT_PAY_REFUND, id, 1, "r3", &rec,
	    why), CHECKOUT_PAY_INVALID);
}

Test(checkout_pay, test_provider_outcome_follows_the_amount)
{
	struct checkout_pay_record	rec;
	struct checkout_order		o;
	char				a[CORE_ID_MAX], d[CORE_ID_MAX];
	char				why[256];

	cr_assert_eq(checkout_pay_test_outcome(1000), CHECKOUT_PAYST_AUTHORIZED);
	cr_assert_eq(checkout_pay_test_outcome(1001), CHECKOUT_PAYST_DECLINED);
	cr_assert_eq(checkout_pay_test_outcome(1002), CHECKOUT_PAYST_PENDING);
	cr_assert_eq(checkout_pay_test_outcome(1099), CHECKOUT_PAYST_AUTHORIZED);

	cp_order(a, 1000, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, a, 1000, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, a, 1000, "c2", &rec,
	    why), CHECKOUT_PAY_ILLEGAL);
	/* A card is captured only after it was authorized. */
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CAPTURE, a, 1000, "early",
	    &rec, why), CHECKOUT_PAY_ILLEGAL);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, a, 1000, "au",
	    &rec, why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_AUTHORIZED);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, a, 1000, "au2",
	    &rec, why), CHECKOUT_PAY_ILLEGAL);

	cp_order(d, 1001, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, d, 1001, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, d, 1001, "au",
	    &rec, why), CHECKOUT_PAY_DECLINED);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_DECLINED);
	/* The decline is the stored answer of that key. */
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, d, 1001, "au",
	    &rec, why), CHECKOUT_PAY_DECLINED);
	cr_assert(strstr(why, "01") != NULL, "%s", why);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CAPTURE, d, 1001, "cap",
	    &rec, why), CHECKOUT_PAY_ILLEGAL);
	cp_fold(d, &o);
	cr_assert_eq(o.paid, 0);
	checkout_order_cleanup(&o);
}

Test(checkout_pay, test_provider_authorize_capture_cancel)
{
	struct checkout_pay_record	rec;
	struct checkout_order		o;
	char				a[CORE_ID_MAX], b[CORE_ID_MAX];
	char				why[256];

	cp_order(a, 2500, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, a, 2500, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, a, 2500, "au",
	    &rec, why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_AUTHORIZED);
	cr_assert_eq(rec.authorized, 2500);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CAPTURE, a, 2501, "cap",
	    &rec, why), CHECKOUT_PAY_INVALID);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CAPTURE, a, 2500, "cap",
	    &rec, why), CHECKOUT_PAY_OK, "%s", why);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CAPTURED);
	cp_fold(a, &o);
	cr_assert_eq(o.state, CHECKOUT_ORDER_PAID);
	checkout_order_cleanup(&o);

	cp_order(b, 2500, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, b, 2500, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, b, 2500, "au",
	    &rec, why), CHECKOUT_PAY_OK);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CANCEL, b, 0, "x", &rec, why),
	    CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CANCELLED);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CAPTURE, b, 2500, "cap",
	    &rec, why), CHECKOUT_PAY_ILLEGAL);
}

Test(checkout_pay, signature_good_bad_expired)
{
	const char	*body = "{\"id\":\"evt_1\"}";
	char		 h[160], bad[160];
	int64_t		 now;

	now = (int64_t)time(NULL);
	cr_assert_eq(checkout_pay_test_sign("whsec_x", body, strlen(body), now,
	    h, sizeof(h)), 0);
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body), h,
	    now), 0);
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body), h,
	    now + 300), 0);
	/* Expired, and from the future. */
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body), h,
	    now + 301), -1);
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body), h,
	    now - 301), -1);
	/* Another secret, another body, one flipped hex digit. */
	cr_assert_eq(checkout_pay_test_verify("whsec_y", body, strlen(body), h,
	    now), -1);
	cr_assert_eq(checkout_pay_test_verify("whsec_x", "{}", 2, h, now), -1);
	snprintf(bad, sizeof(bad), "%s", h);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body),
	    bad, now), -1);
	/* Malformed headers. */
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body),
	    NULL, now), -1);
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body),
	    "v1=00", now), -1);
	cr_assert_lt(strlen(h) + 2, sizeof(bad));
	memcpy(bad, h, strlen(h));
	memcpy(bad + strlen(h), "00", 3);
	cr_assert_eq(checkout_pay_test_verify("whsec_x", body, strlen(body),
	    bad, now), -1);
	cr_assert_eq(checkout_pay_test_verify("", body, strlen(body), h, now),
	    -1);
}

/* The webhook in its own transaction, committed when applied. */
static int
cp_hook(const char *body, const char *sig, char *why)
{
	int	rc;

	cr_assert_eq(core_db_begin(cp_db), 0);
	rc = checkout_pay_test_webhook(cp_db, body, strlen(body), sig,
	    (int64_t)time(NULL), why, CHECKOUT_PAY_REASON_MAX);
	if (rc == 0)
		cr_assert_eq(core_db_commit(cp_db), 0);
	else
		core_db_rollback(cp_db);
	return (rc);
}

Test(checkout_pay, webhook_approves_a_pending_payment_once)
{
	struct checkout_pay_record	rec;
	struct checkout_order		o;
	char				id[CORE_ID_MAX], why[256], secret[128];
	char				body[256], sig[160];
	int64_t				now;

	cr_assert_eq(checkout_pay_setting(cp_db, "test.webhook_secret",
	    secret, sizeof(secret)), 0);
	cr_assert_eq(strncmp(secret, "whsec_", 6), 0);
	cr_assert_eq(strlen(secret), 6 + 64);

	cp_order(id, 1002, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, id, 1002, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_AUTHORIZE, id, 1002, "au",
	    &rec, why), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_PENDING);

	snprintf(body, sizeof(body), "{\"id\":\"evt_a\",\"type\":"
	    "\"payment.approved\",\"order_id\":\"%s\"}", id);
	now = (int64_t)time(NULL);

	/* Bad and expired signatures write nothing. */
	cr_assert_eq(checkout_pay_test_sign("whsec_wrong", body, strlen(body),
	    now, sig, sizeof(sig)), 0);
	cr_assert_eq(cp_hook(body, sig, why), -2);
	cr_assert_eq(checkout_pay_test_sign(secret, body, strlen(body),
	    now - 600, sig, sizeof(sig)), 0);
	cr_assert_eq(cp_hook(body, sig, why), -2);
	cr_assert_eq(cp_count("SELECT count(*) FROM payment_webhook_events",
	    NULL), 0);

	cr_assert_eq(checkout_pay_test_sign(secret, body, strlen(body), now,
	    sig, sizeof(sig)), 0);
	cr_assert_eq(cp_hook(body, sig, why), 0, "%s", why);
	cr_assert_eq(checkout_pay_load(cp_db, id, &rec), 0);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CAPTURED);
	cr_assert_eq(rec.captured, 1002);
	cp_fold(id, &o);
	cr_assert_eq(o.state, CHECKOUT_ORDER_PAID);
	checkout_order_cleanup(&o);

	/* Replayed: ignored. */
	cr_assert_eq(cp_hook(body, sig, why), 1);
	cr_assert_eq(cp_count(PAID_EVENTS, id), 1);
	/* A new event id for a payment no longer pending. */
	snprintf(body, sizeof(body), "{\"id\":\"evt_b\",\"type\":"
	    "\"payment.declined\",\"order_id\":\"%s\"}", id);
	cr_assert_eq(checkout_pay_test_sign(secret, body, strlen(body), now,
	    sig, sizeof(sig)), 0);
	cr_assert_eq(cp_hook(body, sig, why), -3);
	/* A well-signed body that is not an event. */
	cr_assert_eq(checkout_pay_test_sign(secret, "{}", 2, now, sig,
	    sizeof(sig)), 0);
	cr_assert_eq(cp_hook("{}", sig, why), -3);
}

Test(checkout_pay, webhook_declines_a_pending_payment)
{
	struct checkout_pay_record	rec;
	char				id[CORE_ID_MAX], why[256], secret[128];
	char				body[256], sig[160];

	cr_assert_eq(checkout_pay_setting(cp_db, "test.webhook_secret",
	    secret, sizeof(secret)), 0);
	cp_order(id, 702, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, id, 702, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	snprintf(body, sizeof(body), "{\"id\":\"evt_d\",\"type\":"
	    "\"payment.declined\",\"order_id\":\"%s\"}", id);
	cr_assert_eq(checkout_pay_test_sign(secret, body, strlen(body),
	    (int64_t)time(NULL), sig, sizeof(sig)), 0);
	cr_assert_eq(cp_hook(body, sig, why), 0, "%s", why);
	cr_assert_eq(checkout_pay_load(cp_db, id, &rec), 0);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_DECLINED);
	cr_assert_eq(cp_count(PAID_EVENTS, id), 0);
}

Test(checkout_pay, record_payment_names_a_missing_order_and_keeps_the_note)
{
	struct checkout_pay_record	rec;
	char				id[CORE_ID_MAX], why[256];

	cr_assert_eq(cp_record("ord_nope", 100, "k", &rec, why),
	    CHECKOUT_PAY_NOT_FOUND);
	cr_assert_eq(cp_count("SELECT count(*) FROM payments", NULL), 0);
	cp_order(id, 900, "bank_transfer");
	cr_assert_eq(core_db_begin(cp_db), 0);
	cr_assert_eq(checkout_pay_record_payment(cp_db, id, 400, "cod",
	    "cash at the counter", "n1", "usr_s", &rec, why, sizeof(why)),
	    CHECKOUT_PAY_OK, "%s", why);
	cr_assert_eq(core_db_commit(cp_db), 0);
	cr_assert_str_eq(rec.provider, "cod");
	cr_assert_eq(cp_count("SELECT count(*) FROM order_events WHERE"
	    " order_id = ? AND json_extract(payload, '$.note') ="
	    " 'cash at the counter' AND json_extract(payload, '$.method') ="
	    " 'cod'", id), 1);
	/* The payment is cod now: another provider is refused. */
	cr_assert_eq(core_db_begin(cp_db), 0);
	cr_assert_eq(checkout_pay_record_payment(cp_db, id, 100,
	    "bank_transfer", NULL, "n2", "usr_s", &rec, why, sizeof(why)),
	    CHECKOUT_PAY_ILLEGAL);
	core_db_rollback(cp_db);
}

Test(checkout_pay, webhook_for_a_cancelled_order_writes_nothing)
{
	struct checkout_pay_record	rec;
	char				id[CORE_ID_MAX], why[256], secret[128];
	char				body[256], sig[160];
	cJSON				*p;

	cr_assert_eq(checkout_pay_setting(cp_db, "test.webhook_secret",
	    secret, sizeof(secret)), 0);
	cp_order(id, 1202, "test");
	cr_assert_eq(cp_run("test", CHECKOUT_PAY_CREATE, id, 1202, "c", &rec,
	    why), CHECKOUT_PAY_OK);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "reason", "gave up");
	cr_assert_eq(core_db_begin(cp_db), 0);
	cr_assert_eq(checkout_order_append(cp_db, id, "cancelled", p, "t", -1,
	    NULL, why, sizeof(why)), CHECKOUT_ORDER_OK);
	cr_assert_eq(core_db_commit(cp_db), 0);
	cJSON_Delete(p);
	snprintf(body, sizeof(body), "{\"id\":\"evt_c\",\"type\":"
	    "\"payment.approved\",\"order_id\":\"%s\"}", id);
	cr_assert_eq(checkout_pay_test_sign(secret, body, strlen(body),
	    (int64_t)time(NULL), sig, sizeof(sig)), 0);
	cr_assert_eq(cp_hook(body, sig, why), -3);
	cr_assert(strstr(why, "cancelled") != NULL, "%s", why);
	cr_assert_eq(checkout_pay_load(cp_db, id, &rec), 0);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_PENDING);
	cr_assert_eq(cp_count("SELECT count(*) FROM payment_webhook_events",
	    NULL), 0);
	cr_assert_eq(cp_count(PAID_EVENTS, id), 0);
}
