/*
 * Unit tests of the payment side of an order's life on a real, migrated
 * checkout.db (modules/checkout/checkout_pay_order.c): the test
 * provider's sync for a payment it answered "later", the start-up
 * resume that captures exactly once however often it runs, and the
 * provider calls of a cancellation (a refund of what was kept, a cancel
 * of what is open).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"
#include "tests/unit/modules/checkout/checkout_order_fixture.h"
#include "tests/unit/unit_fixture.h"

static sqlite3	*po_db;

static void
po_setup(void)
{
	unit_data_setup();
	cr_assert_not_null(po_db = core_db_open("checkout", 1, 1));
}

static void
po_teardown(void)
{
	unit_data_teardown();
}

TestSuite(checkout_pay_order, .init = po_setup, .fini = po_teardown);

/* An approved order of one line of unit with its pending payment. */
static void
po_order(char *id, int64_t unit, const char *pm)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	core_id_new(id, CORE_ID_MAX, "ord");
	p = cof_created_priced(1, unit, 0, pm);
	cr_assert_eq(core_db_begin(po_db), 0);
	cr_assert_eq(checkout_order_append(po_db, id, "created", p, "t", -1,
	    &o, reason, sizeof(reason)), CHECKOUT_ORDER_OK, "%s", reason);
	cr_assert_eq(checkout_place_payment(po_db, &o, "t"), 0);
	checkout_order_cleanup(&o);
	cr_assert_eq(checkout_order_append(po_db, id, "approved", NULL, "t",
	    -1, NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK, "%s",
	    reason);
	cr_assert_eq(core_db_commit(po_db), 0);
	cJSON_Delete(p);
}

static int
po_run(const char *pv, enum checkout_pay_op op, const char *id,
    int64_t amount, const char *key, struct checkout_pay_record *out)
{
	struct checkout_pay_call	call;
	char				why[CHECKOUT_PAY_REASON_MAX];
	int				rc;

	memset(&call, 0, sizeof(call));
	call.amount = amount;
	call.currency = "EUR";
	call.key = key;
	cr_assert_eq(core_db_begin(po_db), 0);
	rc = checkout_pay_run(po_db, pv, op, id, &call, "t", out, why,
	    sizeof(why));
	cr_assert_neq(rc, -1);
	cr_assert_eq(core_db_commit(po_db), 0);
	return (rc);
}

static int64_t
po_count(const char *sql, const char *arg)
{
	return (core_db_scalar(po_db, sql, arg, -1));
}

#define CAPTURES	"SELECT count(*) FROM payment_calls WHERE op = 'capture'" \
	" AND verdict = 0 AND order_id = ?"
#define PAID_EVENTS	"SELECT count(*) FROM order_events WHERE type = 'paid'" \
	" AND order_id = ?"

Test(checkout_pay_order, sync_finds_a_later_payment_approved)
{
	struct checkout_pay_record	rec;
	char				a[CORE_ID_MAX], b[CORE_ID_MAX];

	po_order(a, 5002, "test");
	cr_assert_eq(po_run("test", CHECKOUT_PAY_AUTHORIZE, a, 5002, "au",
	    &rec), CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_PENDING);
	cr_assert_eq(po_run("test", CHECKOUT_PAY_SYNC, a, 5001, "s1", &rec),
	    CHECKOUT_PAY_INVALID);
	cr_assert_eq(po_run("test", CHECKOUT_PAY_SYNC, a, 5002, "s1", &rec),
	    CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_AUTHORIZED);
	cr_assert_eq(rec.authorized, 5002);
	/* Known already: answered as it stands, nothing changes. */
	cr_assert_eq(po_run("test", CHECKOUT_PAY_SYNC, a, 5002, "s2", &rec),
	    CHECKOUT_PAY_OK);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_AUTHORIZED);

	/* Bank transfer has no gateway to ask. */
	po_order(b, 3000, "bank_transfer");
	cr_assert_eq(po_run("bank_transfer", CHECKOUT_PAY_SYNC, b, 3000, "s",
	    &rec), CHECKOUT_PAY_ILLEGAL);
}

Test(checkout_pay_order, resume_captures_once_however_often_it_runs)
{
	struct checkout_pay_record	rec;
	struct checkout_order		o;
	char				later[CORE_ID_MAX], never[CORE_ID_MAX];
	char				bank[CORE_ID_MAX];

	/* Answered "later" before the crash. */
	po_order(later, 4002, "test");
	cr_assert_eq(core_db_begin(po_db), 0);
	cr_assert_eq(checkout_pay_settle_tx(po_db, later), 0);
	cr_assert_eq(core_db_commit(po_db), 0);
	cr_assert_eq(checkout_pay_load(po_db, later, &rec), 0);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_PENDING);
	/* Never asked: the crash came between approval and the call. */
	po_order(never, 3000, "test");
	/* Not the test provider's: left alone. */
	po_order(bank, 3000, "bank_transfer");

	cr_assert_eq(checkout_pay_resume(po_db), 2);
	cr_assert_eq(checkout_pay_resume(po_db), 0);
	cr_assert_eq(checkout_pay_resume(po_db), 0);
	cr_assert_eq(po_count(CAPTURES, later), 1);
	cr_assert_eq(po_count(CAPTURES, never), 1);
	cr_assert_eq(po_count(PAID_EVENTS, later), 1);
	cr_assert_eq(po_count(PAID_EVENTS, never), 1);
	cr_assert_eq(po_count("SELECT count(*) FROM payment_calls WHERE"
	    " order_id = ? AND op = 'sync'", never), 0);
	cr_assert_eq(checkout_order_load(po_db, later, 1, &o), 0);
	cr_assert_eq(o.state, CHECKOUT_ORDER_PAID);
	cr_assert_eq(o.paid, 4002);
	checkout_order_cleanup(&o);
	cr_assert_eq(checkout_pay_load(po_db, bank, &rec), 0);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_PENDING);
	cr_assert_eq(po_count(CAPTURES, bank), 0);
}

Test(checkout_pay_order, cancel_refunds_what_was_kept_and_cancels_the_rest)
{
	struct checkout_pay_record	rec;
	char				a[CORE_ID_MAX], b[CORE_ID_MAX];
	char				why[CHECKOUT_PAY_REASON_MAX];

	/* Part paid by bank transfer: the part back, the rest not asked. */
	po_order(a, 6000, "bank_transfer");
	cr_assert_eq(po_run("bank_transfer", CHECKOUT_PAY_CAPTURE, a, 2000,
	    "got", &rec), CHECKOUT_PAY_OK);
	cr_assert_eq(core_db_begin(po_db), 0);
	cr_assert_eq(checkout_pay_on_cancel(po_db, a, "t", why, sizeof(why)),
	    CHECKOUT_PAY_OK, "%s", why);
	cr_assert_eq(core_db_commit(po_db), 0);
	cr_assert_eq(checkout_pay_load(po_db, a, &rec), 0);
	cr_assert_eq(rec.refunded, 2000);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_CANCELLED);

	/* Nothing received: cancelled; declined: left as it is. */
	po_order(b, 3001, "test");
	cr_assert_eq(core_db_begin(po_db), 0);
	cr_assert_eq(checkout_pay_settle_tx(po_db, b), 0);
	cr_assert_eq(checkout_pay_on_cancel(po_db, b, "t", why, sizeof(why)),
	    CHECKOUT_PAY_OK, "%s", why);
	cr_assert_eq(core_db_commit(po_db), 0);
	cr_assert_eq(checkout_pay_load(po_db, b, &rec), 0);
	cr_assert_eq(rec.state, CHECKOUT_PAYST_DECLINED);
	cr_assert_eq(po_count("SELECT count(*) FROM payment_calls WHERE"
	    " order_id = ? AND op = 'cancel'", b), 0);
}
