/*
 * Unit tests of checkout's order storage on a real, migrated checkout.db
 * (modules/checkout/checkout_order_store.c, _replay.c, _docs.c): appends
 * with their list row, timeline and bus event; refusals that write
 * nothing and take no number; stale versions; snapshots that fold like
 * the full log; a rebuild of a few hundred random orders that equals what
 * the live appends stored; gap-free numbers across a rollback; and the
 * idempotency records.  The timing test prints real figures.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/checkout/checkout_order.h"
#include "tests/unit/modules/checkout/checkout_order_fixture.h"
#include "tests/unit/unit_fixture.h"

#define CS_RANDOM_ORDERS	300

static sqlite3	*cs_open(void);
static int	 cs_append(sqlite3 *, const char *, const char *, cJSON *,
		    char *);
static int64_t	 cs_count(sqlite3 *, const char *);
static char	*cs_dump(sqlite3 *);
static double	 cs_now(void);

static sqlite3 *
cs_open(void)
{
	sqlite3	*db;

	unit_data_setup();
	cr_assert_not_null(db = core_db_open("checkout", 1, 1));
	return (db);
}

/* One append in its own transaction; frees p; returns the verdict. */
static int
cs_append(sqlite3 *db, const char *id, const char *type, cJSON *p,
    char *reason)
{
	char	buf[CHECKOUT_ORDER_REASON_MAX];
	int	rc;

	cr_assert_eq(core_db_begin(db), 0);
	rc = checkout_order_append(db, id, type, p, "usr_test", -1, NULL,
	    reason != NULL ? reason : buf, CHECKOUT_ORDER_REASON_MAX);
	cr_assert_neq(rc, -1, "append %s to %s failed", type, id);
	cr_assert_eq(core_db_commit(db), 0);
	cJSON_Delete(p);
	return (rc);
}

static int64_t
cs_count(sqlite3 *db, const char *sql)
{
	return (core_db_scalar(db, sql, NULL, -1));
}

/* Every derived row, in a stable order, as one string. */
static char *
cs_dump(sqlite3 *db)
{
	sqlite3_stmt	*st;
	char		*s;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT (SELECT group_concat(r,"
	    " char(10)) FROM (SELECT json_array(id, number, customer_id, email,"
	    " status, payment_status, payment_method, shipping_method,"
	    " currency, subtotal, discount, shipping, tax, total, paid,"
	    " refunded, line_count, item_count, invoice_number, seq,"
	    " created_at, updated_at) AS r FROM orders ORDER BY id)) || '|' ||"
	    " (SELECT group_concat(order_id || '@' || seq || state, char(10))"
	    " FROM (SELECT * FROM order_snapshots ORDER BY order_id, seq))",
	    -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_not_null(s = strdup((const char *)sqlite3_column_text(st,
	    0)));
	sqlite3_finalize(st);
	return (s);
}

static double
cs_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

Test(checkout_order_store, lifecycle_row_timeline_and_bus, .fini =
    unit_data_teardown)
{
	struct checkout_order	o;
	sqlite3			*db;
	cJSON			*tl, *p;
	char			 id[CORE_ID_MAX];

	db = cs_open();
	core_id_new(id, sizeof(id), "ord");
	cr_expect_eq(cs_append(db, id, "created", cof_created(2, "test"),
	    NULL), CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "approved", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "paid", cof_obj_i64("amount", 5400),
	    NULL), CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "prepared", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "carrier", "DHL");
	cJSON_AddStringToObject(p, "tracking_number", "JJD42");
	cr_expect_eq(cs_append(db, id, "shipped", p, NULL), CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "delivered", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	p = cJSON_CreateObject();
	cJSON_AddBoolToObject(p, "whole", 1);
	cr_expect_eq(cs_append(db, id, "refunded", p, NULL),
	    CHECKOUT_ORDER_OK);

	cr_assert_eq(checkout_order_load(db, id, 1, &o), 0);
	cr_expect_eq(o.seq, 7);
	cr_expect_eq(o.state, CHECKOUT_ORDER_REFUNDED);
	cr_expect_eq(o.number, 1001);
	cr_expect_eq(o.invoice_number, 1);
	cr_expect_eq(o.last_credit_note, 1);
	cr_expect_str_eq(o.tracking, "JJD42");
	checkout_order_cleanup(&o);
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM orders WHERE"
	    " status = 'refunded' AND payment_status = 'refunded' AND"
	    " number = 1001 AND paid = 5400 AND refunded = 5400 AND"
	    " item_count = 3 AND line_count = 2 AND seq = 7"), 1);
	/* Every order event is on the bus, in the same transactions. */
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM bus_outbox WHERE"
	    " type LIKE 'checkout.order.%'"), 7);
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM bus_outbox WHERE"
	    " type = 'checkout.order.created' AND json_extract(payload,"
	    " '$.lines[1].quantity') = 2"), 1);
	cr_assert_not_null(tl = checkout_order_timeline(db, id));
	cr_expect_eq(cJSON_GetArraySize(tl), 7);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 4),
	    "type")->valuestring, "shipped");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 4),
	    "actor")->valuestring, "usr_test");
	cJSON_Delete(tl);
	cr_assert_not_null(tl = checkout_order_timeline(db, "ord_none"));
	cr_expect_eq(cJSON_GetArraySize(tl), 0);
	cJSON_Delete(tl);
	cr_expect_eq(checkout_order_load(db, "ord_none", 1, &o), 1);
}

Test(checkout_order_store, refusals_write_nothing_and_take_no_number,
    .fini = unit_data_teardown)
{
	struct checkout_order	o;
	sqlite3			*db;
	char			 id[CORE_ID_MAX], reason[256];

	db = cs_open();
	core_id_new(id, sizeof(id), "ord");
	cr_expect_eq(cs_append(db, id, "paid", cof_obj_i64("amount", 1),
	    reason), CHECKOUT_ORDER_ILLEGAL);
	cr_expect_eq(cs_append(db, "ord_bad", "created",
	    cof_created(1, "test"), reason), CHECKOUT_ORDER_INVALID);
	cr_expect_eq(cs_append(db, id, "created", cof_created(1, "test"),
	    NULL), CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "shipped", NULL, reason),
	    CHECKOUT_ORDER_ILLEGAL);
	cr_expect_str_eq(reason, "the order is created: it cannot become"
	    " shipped (allowed next: approved, cancelled)");
	cr_expect_eq(cs_append(db, id, "nonsense", NULL, reason),
	    CHECKOUT_ORDER_INVALID);
	/* Approving twice: the second takes no invoice number. */
	cr_expect_eq(cs_append(db, id, "approved", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "approved", NULL, reason),
	    CHECKOUT_ORDER_ILLEGAL);
	cr_expect_eq(cs_count(db, "SELECT value FROM order_counters WHERE"
	    " name = 'invoice'"), 1);
	cr_expect_eq(cs_count(db, "SELECT value FROM order_counters WHERE"
	    " name = 'order'"), 1001);
	/* A refused cancellation of a paid order takes no credit note. */
	cr_expect_eq(cs_append(db, id, "paid", cof_obj_i64("amount", 100),
	    NULL), CHECKOUT_ORDER_OK);
	cr_expect_eq(cs_append(db, id, "cancelled", NULL, reason),
	    CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "cancelling needs a reason (1 to 255 bytes)");
	cr_expect_eq(cs_count(db, "SELECT value FROM order_counters WHERE"
	    " name = 'credit_note'"), 0);
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM order_events"), 3);
	/* A stale version is refused before anything else. */
	cr_assert_eq(core_db_begin(db), 0);
	cr_expect_eq(checkout_order_append(db, id, "paid", NULL, NULL, 2, NULL,
	    reason, sizeof(reason)), CHECKOUT_ORDER_STALE);
	cr_expect_str_eq(reason, "the order is approved at version 3, not 2");
	cr_expect_eq(checkout_order_append(db, id, "paid", NULL, NULL, 3, &o,
	    reason, sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "a payment needs an amount of at least 1"
	    " minor unit");
	cr_assert_eq(core_db_commit(db), 0);
}

/*
 * Numbers are taken inside the placing transaction: a rolled-back order
 * gives its number back, and the next order gets it.
 */
Test(checkout_order_store, numbers_have_no_gaps_across_rollback,
    .fini = unit_data_teardown)
{
	struct checkout_order	o;
	sqlite3			*db;
	cJSON			*p;
	char			 id[CORE_ID_MAX], reason[256];
	int64_t			 n;
	int			 i;

	db = cs_open();
	for (i = 0; i < 10; i++) {
		core_id_new(id, sizeof(id), "ord");
		cr_assert_eq(core_db_begin(db), 0);
		p = cof_created(1, "test");
		cr_assert_eq(checkout_order_append(db, id, "created", p, NULL,
		    -1, &o, reason, sizeof(reason)), CHECKOUT_ORDER_OK);
		cJSON_Delete(p);
		cr_assert_eq(checkout_order_append(db, id, "approved", NULL,
		    NULL, 1, NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK);
		if (i % 3 == 1)
			core_db_rollback(db);
		else
			cr_assert_eq(core_db_commit(db), 0);
		checkout_order_cleanup(&o);
	}
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM orders"), 7);
	cr_expect_eq(cs_count(db, "SELECT max(number) - min(number) + 1 FROM"
	    " orders"), 7);
	cr_expect_eq(cs_count(db, "SELECT min(number) FROM orders"), 1001);
	cr_expect_eq(cs_count(db, "SELECT max(invoice_number) -"
	    " min(invoice_number) + 1 FROM orders"), 7);
	cr_expect_eq(cs_count(db, "SELECT count(DISTINCT invoice_number)"
	    " FROM orders"), 7);
	/* Outside a transaction there is no number. */
	cr_expect_eq(checkout_order_number_next(db, "order", &n), -1);
	cr_assert_eq(core_db_begin(db), 0);
	cr_expect_eq(checkout_order_number_next(db, "order", &n), 0);
	cr_expect_eq(n, 1008);
	cr_expect_eq(checkout_order_number_next(db, "nope", &n), -1);
	core_db_rollback(db);
}

/* 100 events on one order: the snapshot fold equals the full fold. */
Test(checkout_order_store, snapshots_fold_like_the_log, .fini =
    unit_data_teardown)
{
	struct checkout_order	a, b;
	sqlite3			*db;
	cJSON			*ja, *jb;
	cJSON			*p;
	char			 id[CORE_ID_MAX], id2[CORE_ID_MAX], *ta, *tb;
	char			 reason[256];
	double			 t0, t_app, t_tx, t_snap, t_full;
	int			 i, k;

	db = cs_open();
	core_id_new(id, sizeof(id), "ord");
	t0 = cs_now();
	cr_assert_eq(cs_append(db, id, "created",
	    cof_created_priced(4, 5000, 0, "bank_transfer"), NULL),
	    CHECKOUT_ORDER_OK);
	cr_assert_eq(cs_append(db, id, "approved", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	for (i = 0; i < 98; i++)
		cr_assert_eq(cs_append(db, id, "paid", cof_obj_i64("amount",
		    100), NULL), CHECKOUT_ORDER_OK);
	t_app = (cs_now() - t0) / 100;
	/* The same 100 events in one transaction: the CPU side alone. */
	core_id_new(id2, sizeof(id2), "ord");
	t0 = cs_now();
	cr_assert_eq(core_db_begin(db), 0);
	p = cof_created_priced(4, 5000, 0, "bank_transfer");
	cr_assert_eq(checkout_order_append(db, id2, "created", p, NULL, -1,
	    NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK);
	cJSON_Delete(p);
	cr_assert_eq(checkout_order_append(db, id2, "approved", NULL, NULL, -1,
	    NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK);
	p = cof_obj_i64("amount", 100);
	for (i = 0; i < 98; i++)
		cr_assert_eq(checkout_order_append(db, id2, "paid", p, NULL,
		    -1, NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK);
	cJSON_Delete(p);
	cr_assert_eq(core_db_commit(db), 0);
	t_tx = (cs_now() - t0) / 100;
	/* Two orders of 100 events each. */
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM order_snapshots"),
	    2 * (100 / CHECKOUT_ORDER_SNAPSHOT_EVERY));
	cr_expect_eq(cs_count(db, "SELECT max(seq) FROM order_snapshots"),
	    96);
	cr_assert_eq(checkout_order_load(db, id, 1, &a), 0);
	cr_assert_eq(checkout_order_load(db, id, 0, &b), 0);
	cr_expect_eq(a.paid, 9800);
	ja = checkout_order_to_json(&a);
	jb = checkout_order_to_json(&b);
	ta = cJSON_PrintUnformatted(ja);
	tb = cJSON_PrintUnformatted(jb);
	cr_expect_str_eq(ta, tb);
	free(ta);
	free(tb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	checkout_order_cleanup(&a);
	checkout_order_cleanup(&b);

	t0 = cs_now();
	for (k = 0; k < 500; k++) {
		cr_assert_eq(checkout_order_load(db, id, 1, &a), 0);
		checkout_order_cleanup(&a);
	}
	t_snap = (cs_now() - t0) / 500;
	t0 = cs_now();
	for (k = 0; k < 500; k++) {
		cr_assert_eq(checkout_order_load(db, id, 0, &a), 0);
		checkout_order_cleanup(&a);
	}
	t_full = (cs_now() - t0) / 500;
	/* A fresh order's created + approved: what placing one costs. */
	t0 = cs_now();
	cr_assert_eq(core_db_begin(db), 0);
	for (k = 0; k < 200; k++) {
		core_id_new(id2, sizeof(id2), "ord");
		p = cof_created(3, "test");
		cr_assert_eq(checkout_order_append(db, id2, "created", p, NULL,
		    -1, NULL, reason, sizeof(reason)), CHECKOUT_ORDER_OK);
		cJSON_Delete(p);
		cr_assert_eq(checkout_order_append(db, id2, "approved", NULL,
		    NULL, -1, NULL, reason, sizeof(reason)),
		    CHECKOUT_ORDER_OK);
	}
	cr_assert_eq(core_db_commit(db), 0);
	fprintf(stderr, "checkout orders: created + approved of a 3-line"
	    " order %.1f us (200 in one tx)\n", (cs_now() - t0) / 200 * 1e6);
	fprintf(stderr, "checkout orders: append+fold %.1f us/event in its"
	    " own tx (synchronous=FULL), %.1f us/event 100 to a tx; load of"
	    " 100 events %.1f us with snapshots, %.1f us without\n",
	    t_app * 1e6, t_tx * 1e6, t_snap * 1e6, t_full * 1e6);
}

/* A random legal event for o, or 0 when the order is done. */
static enum checkout_order_event
cs_random_event(const struct checkout_order *o, cJSON **pp)
{
	enum checkout_order_event	 evs[CHECKOUT_EV_COUNT], ev;
	cJSON				*p, *l;
	unsigned			 m;
	int64_t				 due, left;
	int				 n = 0, e, i;

	m = checkout_order_next(o);
	for (e = 1; e < CHECKOUT_EV_COUNT; e++)
		if (m & (1u << e))
			evs[n++] = e;
	if (n == 0)
		return (0);
	ev = evs[cof_rng() % n];
	/* Long histories: endings are redrawn most of the time. */
	if (n > 1 && (ev == CHECKOUT_EV_CANCELLED || ev ==
	    CHECKOUT_EV_DELIVERED) && cof_rng() % 4 != 0)
		ev = evs[cof_rng() % n];
	p = cJSON_CreateObject();
	switch (ev) {
	case CHECKOUT_EV_CREATED:
		cJSON_Delete(p);
		p = cof_created(1 + cof_rng() % 4, cof_rng() % 3 == 0 ? "cod" :
		    "bank_transfer");
		break;
	case CHECKOUT_EV_PAID:
		due = o->total - o->paid;
		cJSON_AddNumberToObject(p, "amount", cof_rng() % 4 == 0 ? due :
		    (double)(1 + cof_rng() % (due / 4 + 1)));
		break;
	case CHECKOUT_EV_SHIPPED:
		cJSON_AddStringToObject(p, "carrier", "UPS");
		cJSON_AddStringToObject(p, "tracking_number", "1Z");
		break;
	case CHECKOUT_EV_CANCELLED:
		cJSON_AddStringToObject(p, "reason", "random");
		break;
	case CHECKOUT_EV_REFUNDED:
		if (cof_rng() % 8 == 0) {
			cJSON_AddBoolToObject(p, "whole", 1);
			break;
		}
		i = cof_rng() % o->nlines;
		left = o->lines[i].quantity - o->lines[i].refunded_qty;
		l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "line", i + 1);
		cJSON_AddNumberToObject(l, "quantity", left > 0 ?
		    (double)(1 + cof_rng() % left) : 0);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "lines"), l);
		break;
	default:
		break;
	}
	*pp = p;
	return (ev);
}

/*
 * Hundreds of orders with random legal histories, appended in random
 * interleavings: verify finds nothing, a rebuild from events alone writes
 * the very same rows and snapshots, and a tampered row is found.
 */
Test(checkout_order_store, rebuild_equals_stored, .fini =
    unit_data_teardown)
{
	static char		 ids[CS_RANDOM_ORDERS][CORE_ID_MAX];
	static int		 done[CS_RANDOM_ORDERS], steps[CS_RANDOM_ORDERS];
	struct checkout_order	 o;
	enum checkout_order_event ev;
	sqlite3			*db;
	cJSON			*p;
	char			 reason[256], *before, *after;
	int64_t			 bad, n;
	int			 i, left = CS_RANDOM_ORDERS, rc, ok = 0, no = 0;

	db = cs_open();
	cof_rng_seed(20261126);
	for (i = 0; i < CS_RANDOM_ORDERS; i++) {
		core_id_new(ids[i], sizeof(ids[i]), "ord");
		steps[i] = 1 + cof_rng() % 40;
	}
	while (left > 0) {
		i = cof_rng() % CS_RANDOM_ORDERS;
		if (done[i])
			continue;
		cr_assert_eq(checkout_order_load(db, ids[i], 1, &o) == -1, 0);
		if (o.seq == 0)
			checkout_order_init(&o, ids[i]);
		if (o.seq >= steps[i] || (ev = cs_random_event(&o, &p)) == 0) {
			done[i] = 1;
			left--;
			checkout_order_cleanup(&o);
			continue;
		}
		rc = cs_append(db, ids[i], checkout_order_event_name(ev), p,
		    reason);
		/* Legal by construction; only a payload may be refused. */
		cr_assert_neq(rc, CHECKOUT_ORDER_ILLEGAL, "%s", reason);
		if (rc == CHECKOUT_ORDER_OK)
			ok++;
		else
			no++;
		checkout_order_cleanup(&o);
	}
	fprintf(stderr, "checkout orders: %d random orders, %d events"
	    " appended, %d payloads refused, %lld snapshots\n",
	    CS_RANDOM_ORDERS, ok, no, (long long)cs_count(db,
	    "SELECT count(*) FROM order_snapshots"));
	cr_expect_gt(cs_count(db, "SELECT count(*) FROM order_snapshots"), 50);
	cr_expect_gt(cs_count(db, "SELECT count(*) FROM orders WHERE"
	    " status = 'refunded'"), 0);
	cr_expect_gt(cs_count(db, "SELECT count(*) FROM orders WHERE"
	    " status = 'delivered'"), 0);
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM orders"),
	    CS_RANDOM_ORDERS);
	cr_expect_eq(cs_count(db, "SELECT max(number) - min(number) + 1"
	    " FROM orders"), CS_RANDOM_ORDERS);

	cr_assert_eq(checkout_order_verify(db, &bad), 0);
	cr_expect_eq(bad, 0);
	before = cs_dump(db);
	cr_assert_eq(core_db_begin(db), 0);
	cr_assert_eq(checkout_order_rebuild(db, &n), 0);
	cr_assert_eq(core_db_commit(db), 0);
	cr_expect_eq(n, CS_RANDOM_ORDERS);
	after = cs_dump(db);
	cr_expect(strcmp(before, after) == 0, "rebuild differs");
	cr_expect_gt(strlen(after), 1000);
	free(before);
	free(after);

	/* A damaged row, a lost snapshot: both found, then rebuilt. */
	cr_assert_eq(core_db_exec(db, "UPDATE orders SET status = 'paid'"
	    " WHERE rowid = (SELECT min(rowid) FROM orders WHERE"
	    " status = 'delivered')"), 0);
	cr_assert_eq(core_db_exec(db, "DELETE FROM order_snapshots WHERE"
	    " (order_id, seq) = (SELECT order_id, seq FROM order_snapshots"
	    " ORDER BY order_id LIMIT 1)"), 0);
	cr_assert_eq(checkout_order_verify(db, &bad), 0);
	cr_expect_eq(bad, 2);
	cr_assert_eq(core_db_begin(db), 0);
	cr_assert_eq(checkout_order_rebuild(db, NULL), 0);
	cr_assert_eq(core_db_commit(db), 0);
	cr_assert_eq(checkout_order_verify(db, &bad), 0);
	cr_expect_eq(bad, 0);
}

Test(checkout_order_store, idempotency_keys, .fini = unit_data_teardown)
{
	unsigned char	 h1[CHECKOUT_IDEM_HASH_LEN], h2[CHECKOUT_IDEM_HASH_LEN];
	unsigned char	 h3[CHECKOUT_IDEM_HASH_LEN];
	sqlite3		*db;
	char		*body;
	int		 status;
	int64_t		 n;

	db = cs_open();
	checkout_idem_hash(h1, "POST", "/api/v1/checkout/orders", "{\"a\":1}",
	    7);
	checkout_idem_hash(h2, "POST", "/api/v1/checkout/orders", "{\"a\":2}",
	    7);
	/* Length-prefixed: moving a byte between parts changes the hash. */
	checkout_idem_hash(h3, "POST", "/api/v1/checkout/orders{", "\"a\":1}",
	    6);
	cr_expect_neq(memcmp(h1, h2, sizeof(h1)), 0);
	cr_expect_neq(memcmp(h1, h3, sizeof(h1)), 0);

	cr_assert_eq(core_db_begin(db), 0);
	cr_expect_eq(checkout_idem_lookup(db, "cus_1", "k1", h1, &status,
	    &body), CHECKOUT_IDEM_NEW);
	cr_expect_eq(checkout_idem_store(db, "cus_1", "k1", h1, 201,
	    "{\"id\":\"ord_1\"}"), 0);
	cr_assert_eq(core_db_commit(db), 0);
	/* Rolled back with its effect: the key stays unused. */
	cr_assert_eq(core_db_begin(db), 0);
	cr_expect_eq(checkout_idem_store(db, "cus_1", "k2", h1, 201, "{}"),
	    0);
	core_db_rollback(db);

	cr_assert_eq(core_db_begin(db), 0);
	cr_expect_eq(checkout_idem_lookup(db, "cus_1", "k1", h1, &status,
	    &body), CHECKOUT_IDEM_REPLAY);
	cr_expect_eq(status, 201);
	cr_expect_str_eq(body, "{\"id\":\"ord_1\"}");
	free(body);
	cr_expect_eq(checkout_idem_lookup(db, "cus_1", "k1", h2, &status,
	    &body), CHECKOUT_IDEM_MISMATCH);
	cr_expect_null(body);
	/* Another client's key of the same name is another record. */
	cr_expect_eq(checkout_idem_lookup(db, "cart_2", "k1", h1, &status,
	    &body), CHECKOUT_IDEM_NEW);
	cr_expect_eq(checkout_idem_lookup(db, "cus_1", "k2", h1, &status,
	    &body), CHECKOUT_IDEM_NEW);
	/* Storing the same key twice is a bug the table refuses. */
	cr_expect_eq(checkout_idem_store(db, "cus_1", "k1", h1, 201, "{}"),
	    -1);
	cr_expect_eq(checkout_idem_prune(db, core_db_now_ms() + 1, &n), 0);
	cr_expect_eq(n, 1);
	cr_expect_eq(checkout_idem_lookup(db, "cus_1", "k1", h1, &status,
	    &body), CHECKOUT_IDEM_NEW);
	cr_assert_eq(core_db_commit(db), 0);
}

/* Filters and number-cursor paging of the list view. */
Test(checkout_order_store, list_filters_and_pages, .fini =
    unit_data_teardown)
{
	struct checkout_order_filter	 f;
	sqlite3				*db;
	cJSON				*data, *p;
	char				 id[CORE_ID_MAX];
	int64_t				 next, seen = 0, prev = 0;
	int				 i, pages = 0;

	db = cs_open();
	for (i = 0; i < 25; i++) {
		core_id_new(id, sizeof(id), "ord");
		p = cof_created(1, "test");
		if (i % 5 == 0) {
			cJSON_ReplaceItemInObject(p, "email",
			    cJSON_CreateString("Bob@Example.org"));
			cJSON_ReplaceItemInObject(p, "customer_id",
			    cJSON_CreateString("cus_bob"));
		}
		cr_assert_eq(cs_append(db, id, "created", p, NULL),
		    CHECKOUT_ORDER_OK);
		if (i % 2 == 0)
			cr_assert_eq(cs_append(db, id, "approved", NULL, NULL),
			    CHECKOUT_ORDER_OK);
		if (i % 4 == 0)
			cr_assert_eq(cs_append(db, id, "paid",
			    cof_obj_i64("amount", 100), NULL),
			    CHECKOUT_ORDER_OK);
	}
	/* Every order, 10 a page, newest first, each once. */
	memset(&f, 0, sizeof(f));
	f.limit = 10;
	do {
		cr_assert_eq(checkout_order_list(db, &f, &data, &next), 0);
		for (i = 0; i < cJSON_GetArraySize(data); i++) {
			int64_t n = (int64_t)cJSON_GetObjectItem(
			    cJSON_GetArrayItem(data, i), "number")->valuedouble;
			if (prev != 0)
				cr_expect_eq(n, prev - 1);
			prev = n;
			seen++;
		}
		cJSON_Delete(data);
		f.after = next;
		pages++;
	} while (next != 0);
	cr_expect_eq(seen, 25);
	cr_expect_eq(pages, 3);
	cr_expect_eq(prev, 1001);

	memset(&f, 0, sizeof(f));
	f.status = "approved";
	f.payment_status = "partially_paid";
	cr_assert_eq(checkout_order_list(db, &f, &data, &next), 0);
	cr_expect_eq(cJSON_GetArraySize(data), 7);	/* 0, 4, ... 24 */
	cr_expect_eq(next, 0);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(data, 0),
	    "payment_status")->valuestring, "partially_paid");
	cJSON_Delete(data);
	f.status = NULL;
	f.payment_status = NULL;
	f.q = "bob@example.ORG";
	cr_assert_eq(checkout_order_list(db, &f, &data, &next), 0);
	cr_expect_eq(cJSON_GetArraySize(data), 5);
	cJSON_Delete(data);
	f.q = "1013";
	cr_assert_eq(checkout_order_list(db, &f, &data, &next), 0);
	cr_expect_eq(cJSON_GetArraySize(data), 1);
	cr_expect_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(data, 0),
	    "number")->valuedouble, 1013);
	cJSON_Delete(data);
	f.q = NULL;
	f.customer_id = "cus_bob";
	f.from_ms = core_db_now_ms() - 60000;
	f.to_ms = core_db_now_ms() + 1;
	cr_assert_eq(checkout_order_list(db, &f, &data, &next), 0);
	cr_expect_eq(cJSON_GetArraySize(data), 5);
	cJSON_Delete(data);
	f.to_ms = f.from_ms;
	f.from_ms = 1;
	cr_assert_eq(checkout_order_list(db, &f, &data, &next), 0);
	cr_expect_eq(cJSON_GetArraySize(data), 0);
	cJSON_Delete(data);
}

/*
 * Processes racing on one order, each with its own connection: 12 try
 * to pay the whole total, then 6 try to ship while 6 try to cancel.
 * Exactly one payment and exactly one of ship/cancel win; the others get
 * the 409 verdict, and the log holds no illegal sequence.
 */
static int
cs_race_child(const char *id, const char *type, const cJSON *p)
{
	struct checkout_order	 o;
	sqlite3			*db;
	char			 reason[256];
	int			 rc;

	if ((db = core_db_open("checkout", 1, 0)) == NULL ||
	    core_db_begin(db) == -1)
		return (99);
	rc = checkout_order_append(db, id, type, p, "usr_race", -1, &o,
	    reason, sizeof(reason));
	if (rc == CHECKOUT_ORDER_OK) {
		checkout_order_cleanup(&o);
		if (core_db_commit(db) == -1)
			return (98);
	} else
		core_db_rollback(db);
	return (rc == -1 ? 97 : rc);
}

static void
cs_race(const char *id, const char *t1, const cJSON *p1, const char *t2,
    const cJSON *p2, int n, int *wins, int *losses)
{
	pid_t	pid[12];
	int	i, st;

	core_db_close_all();
	for (i = 0; i < n; i++) {
		cr_assert_neq(pid[i] = fork(), -1);
		if (pid[i] == 0)
			_exit(i % 2 == 0 ? cs_race_child(id, t1, p1) :
			    cs_race_child(id, t2, p2));
	}
	*wins = *losses = 0;
	for (i = 0; i < n; i++) {
		cr_assert_eq(waitpid(pid[i], &st, 0), pid[i]);
		cr_assert(WIFEXITED(st));
		if (WEXITSTATUS(st) == CHECKOUT_ORDER_OK)
			(*wins)++;
		else if (WEXITSTATUS(st) == CHECKOUT_ORDER_ILLEGAL)
			(*losses)++;
		else
			cr_assert_fail("child exit %d", WEXITSTATUS(st));
	}
}

Test(checkout_order_store, concurrent_transitions_one_winner, .fini =
    unit_data_teardown)
{
	struct checkout_order	 o;
	sqlite3			*db;
	cJSON			*pay, *ship, *cancel;
	char			 id[CORE_ID_MAX];
	int			 wins, losses;
	int64_t			 bad;

	db = cs_open();
	core_id_new(id, sizeof(id), "ord");
	cr_assert_eq(cs_append(db, id, "created", cof_created(2, "test"),
	    NULL), CHECKOUT_ORDER_OK);
	cr_assert_eq(cs_append(db, id, "approved", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	pay = cof_obj_i64("amount", 5400);
	cs_race(id, "paid", pay, "paid", pay, 12, &wins, &losses);
	cr_expect_eq(wins, 1);
	cr_expect_eq(losses, 11);
	cJSON_Delete(pay);

	cr_assert_not_null(db = core_db_open("checkout", 1, 0));
	cr_assert_eq(cs_append(db, id, "prepared", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	ship = cJSON_CreateObject();
	cJSON_AddStringToObject(ship, "carrier", "DHL");
	cancel = cJSON_CreateObject();
	cJSON_AddStringToObject(cancel, "reason", "race");
	cs_race(id, "shipped", ship, "cancelled", cancel, 12, &wins, &losses);
	cr_expect_eq(wins, 1);
	cr_expect_eq(losses, 11);
	cJSON_Delete(ship);
	cJSON_Delete(cancel);

	cr_assert_not_null(db = core_db_open("checkout", 1, 0));
	cr_assert_eq(checkout_order_load(db, id, 0, &o), 0);
	cr_expect_eq(o.seq, 5);
	cr_expect_eq(o.paid, 5400);
	cr_expect(o.state == CHECKOUT_ORDER_SHIPPED ||
	    o.state == CHECKOUT_ORDER_CANCELLED);
	cr_expect_eq(cs_count(db, "SELECT count(*) FROM order_events WHERE"
	    " type = 'paid'"), 1);
	checkout_order_cleanup(&o);
	cr_assert_eq(checkout_order_verify(db, &bad), 0);
	cr_expect_eq(bad, 0);
}

/* A snapshot is a cache: a damaged one is passed over, not trusted. */
Test(checkout_order_store, damaged_snapshot_falls_back_to_events,
    .fini = unit_data_teardown)
{
	struct checkout_order	 o;
	sqlite3			*db;
	char			 id[CORE_ID_MAX];
	int			 i;

	db = cs_open();
	core_id_new(id, sizeof(id), "ord");
	cr_assert_eq(cs_append(db, id, "created", cof_created(1, "test"),
	    NULL), CHECKOUT_ORDER_OK);
	cr_assert_eq(cs_append(db, id, "approved", NULL, NULL),
	    CHECKOUT_ORDER_OK);
	for (i = 0; i < 8; i++)
		cr_assert_eq(cs_append(db, id, "paid", cof_obj_i64("amount",
		    10), NULL), CHECKOUT_ORDER_OK);
	cr_assert_eq(core_db_exec(db, "UPDATE order_snapshots SET state ="
	    " '{\"status\":\"paid\"}'"), 0);
	cr_assert_eq(checkout_order_load(db, id, 1, &o), 0);
	cr_expect_eq(o.seq, 10);
	cr_expect_eq(o.paid, 80);
	cr_expect_eq(o.state, CHECKOUT_ORDER_APPROVED);
	checkout_order_cleanup(&o);
	/* Appends go on from the true fold. */
	cr_expect_eq(cs_append(db, id, "paid", cof_obj_i64("amount", 1400),
	    NULL), CHECKOUT_ORDER_INVALID);
	cr_expect_eq(cs_append(db, id, "paid", cof_obj_i64("amount", 1320),
	    NULL), CHECKOUT_ORDER_OK);
}
