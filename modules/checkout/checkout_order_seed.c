/*
 * Demo orders for a first start: a dozen guest orders placed over the
 * last 27 days through the code a real order takes (a priced cart, the
 * created event with its number and payment, catalog's stock saga over
 * the bus, the invoice number at approval) and then moved on the way
 * staff move them: money received, prepared, shipped with tracking,
 * delivered, cancelled (unpaid, after payment with a refund, or by
 * catalog for want of stock) and one partly refunded.  Each step is
 * stamped with its demo time through checkout_order_clock_set, which
 * only this file calls, in the parent before any worker exists: no
 * request can set an order's time.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

#define DAY	(24LL * 3600 * 1000)
#define HOUR	(3600LL * 1000)

/* What happens to an order after placing, in order, a step per letter. */
enum seed_step {
	SEED_END = 0,
	SEED_PAID,		/* the whole total received */
	SEED_PREPARED,
	SEED_SHIPPED,
	SEED_DELIVERED,
	SEED_CANCELLED,		/* by staff */
	SEED_REFUND_LINE	/* one unit of the first line */
};

struct seed_order {
	int		 days_ago, hour;	/* placed at */
	const char	*name, *email, *city, *postal, *country;
	const char	*payment;	/* bank_transfer, cod */
	const char	*skus[3];
	int		 qty[3];
	enum seed_step	 steps[6];
	const char	*carrier, *tracking, *reason;
};

/*
 * SHI-00-S is sold out in the demo catalog (catalog_seed.c gives stock
 * (i * 7 + v * 13) % 40): that order is cancelled by catalog.
 */
static const struct seed_order seed_orders[] = {
	{ 27, 9, "Jonas Weber", "jonas.weber@example.com", "Berlin", "10115",
	    "DE", "bank_transfer", { "SHI-01-M", "TRO-02-32" }, { 1, 1 },
	    { SEED_PAID, SEED_PREPARED, SEED_SHIPPED, SEED_DELIVERED },
	    "DHL", "00340434161094015902", NULL },
	{ 24, 14, "Lea Gruber", "lea.gruber@example.com", "Wien", "1010",
	    "AT", "cod", { "ACC-04" }, { 2 },
	    { SEED_PREPARED, SEED_SHIPPED, SEED_DELIVERED, SEED_PAID },
	    "DPD", "01505072864811", NULL },
	{ 21, 11, "Sanne de Vries", "sanne.devries@example.com", "Utrecht",
	    "3511", "NL", "bank_transfer", { "SHI-05-L", "ACC-08" }, { 2, 1 },
	    { SEED_PAID, SEED_PREPARED, SEED_SHIPPED, SEED_DELIVERED,
	    SEED_REFUND_LINE }, "PostNL", "3SABCD1234567", "too small" },
	{ 18, 16, "Camille Martin", "camille.martin@example.com", "Lyon",
	    "69002", "FR", "bank_transfer", { "SHO-03-42" }, { 1 },
	    { SEED_CANCELLED }, NULL, NULL,
	    "the customer asked to cancel before paying" },
	{ 15, 10, "Felix Braun", "felix.braun@example.com", "Hamburg",
	    "20095", "DE", "bank_transfer", { "SHI-00-S" }, { 1 },
	    { SEED_END }, NULL, NULL, NULL },
	{ 12, 19, "Mia Schneider", "mia.schneider@example.com", "München",
	    "80331", "DE", "bank_transfer", { "SHO-07-41" }, { 1 },
	    { SEED_PAID, SEED_PREPARED, SEED_SHIPPED, SEED_DELIVERED },
	    "DHL", "00340434161094027707", NULL },
	{ 9, 8, "Lukas Hofer", "lukas.hofer@example.com", "Graz", "8010",
	    "AT", "bank_transfer", { "TRO-06-34", "SHI-01-M" }, { 1, 1 },
	    { SEED_PAID, SEED_PREPARED, SEED_SHIPPED }, "DHL",
	    "00340434161094033319", NULL },
	{ 6, 13, "Emma Dubois", "emma.dubois@example.com", "Paris", "75011",
	    "FR", "bank_transfer", { "ACC-04" }, { 1 },
	    { SEED_PAID, SEED_CANCELLED }, NULL, NULL,
	    "damaged in our stock, customer refunded" },
	{ 4, 15, "Noah Fischer", "noah.fischer@example.com", "Köln", "50667",
	    "DE", "cod", { "SHI-05-L" }, { 1 },
	    { SEED_PREPARED }, NULL, NULL, NULL },
	{ 2, 10, "Julia Bakker", "julia.bakker@example.com", "Amsterdam",
	    "1012", "NL", "bank_transfer", { "TRO-02-32" }, { 2 },
	    { SEED_PAID }, NULL, NULL, NULL },
	{ 1, 17, "Paul Wagner", "paul.wagner@example.com", "Leipzig",
	    "04109", "DE", "bank_transfer", { "SHO-07-41" }, { 1 },
	    { SEED_END }, NULL, NULL, NULL },
	{ 0, 0, "Anna Leroy", "anna.leroy@example.com", "Nantes", "44000",
	    "FR", "bank_transfer", { "ACC-08", "SHI-01-M" }, { 1, 1 },
	    { SEED_END }, NULL, NULL, NULL },
};

static int	seed_has_catalog(sqlite3 *);
static int	seed_place(sqlite3 *, const struct seed_order *,
		    const char *method, char *id, size_t idlen);
static int	seed_step(sqlite3 *, const struct seed_order *,
		    enum seed_step, const char *id);
static int	seed_cart(sqlite3 *, const struct seed_order *,
		    const char *method, char *cart, size_t len);

/* 1 if every demo SKU is in checkout's copy with a price. */
static int
seed_has_catalog(sqlite3 *db)
{
	size_t	i, j;

	for (i = 0; i < sizeof(seed_orders) / sizeof(seed_orders[0]); i++)
		for (j = 0; j < 3 && seed_orders[i].skus[j] != NULL; j++)
			if (core_db_scalar(db, "SELECT count(*) FROM variants v"
			    " JOIN prices p ON p.sku = v.sku WHERE v.sku = ?",
			    seed_orders[i].skus[j], 0) != 1)
				return (0);
	return (1);
}

/*
 * A guest cart of the order's lines, priced for its country and shipping
 * method.  0 or -1.
 */
static int
seed_cart(sqlite3 *db, const struct seed_order *so, const char *method,
    char *cart, size_t len)
{
	sqlite3_stmt	*st;
	cJSON		*errors = NULL;
	char		 hash[65];
	int64_t		 now;
	int		 j, rc;

	core_id_new(cart, len, "cart");
	/* No token: nobody can hold this cart; it is gone once placed. */
	memset(hash, '0', 64);
	hash[64] = '\0';
	now = checkout_order_now();
	if ((st = core_db_stmt(db, "INSERT INTO carts (id, token_hash,"
	    " country, shipping_method, created_at, updated_at) VALUES (?1,"
	    " ?2, ?3, ?5, ?4, ?4)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 5, method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, so->country, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "seed cart"));
	for (j = 0; j < 3 && so->skus[j] != NULL; j++) {
		if ((st = core_db_stmt(db, "INSERT INTO cart_lines (cart_id,"
		    " sku, position, quantity) VALUES (?, ?, ?, ?)")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, so->skus[j], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, j);
		sqlite3_bind_int(st, 4, so->qty[j]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "seed cart line"));
	}
	rc = checkout_cart_price(db, cart, &errors);
	cJSON_Delete(errors);
	return (rc == 0 ? 0 : -1);
}

/*
 * Places so as its customer would (in the caller's transaction): the
 * cart, priced with the shipping method, the created event and the
 * payment; the cart is dropped after.  0 with id filled, or -1.
 */
static int
seed_place(sqlite3 *db, const struct seed_order *so, const char *method,
    char *id, size_t idlen)
{
	struct checkout_order	 o;
	cJSON			*body, *a, *p = NULL;
	char			 cart[CORE_ID_MAX], reason[CHECKOUT_ORDER_REASON_MAX];
	int			 rc = -1;

	if ((body = cJSON_CreateObject()) == NULL)
		return (-1);
	cJSON_AddStringToObject(body, "email", so->email);
	a = cJSON_AddObjectToObject(body, "shipping_address");
	cJSON_AddStringToObject(a, "name", so->name);
	cJSON_AddStringToObject(a, "line1", "Demo Street 1");
	cJSON_AddStringToObject(a, "city", so->city);
	cJSON_AddStringToObject(a, "postal_code", so->postal);
	cJSON_AddStringToObject(a, "country", so->country);
	cJSON_AddStringToObject(body, "shipping_method", method);
	cJSON_AddStringToObject(body, "payment_method", so->payment);
	if (seed_cart(db, so, method, cart, sizeof(cart)) == -1 ||
	    checkout_place_payload(db, cart, body, NULL, &p) != 0)
		goto out;
	core_id_new(id, idlen, "ord");
	if ((rc = checkout_order_append(db, id, "created", p, "guest", -1, &o,
	    reason, sizeof(reason))) != CHECKOUT_ORDER_OK) {
		if (rc != -1)
			core_logf("error", "checkout: demo order: %s", reason);
		rc = -1;
		goto out;
	}
	rc = checkout_place_payment(db, &o, "guest");
	checkout_order_cleanup(&o);
	if (rc == 0 && (checkout_exec2(db, "DELETE FROM cart_lines WHERE"
	    " cart_id = ?1", cart, NULL) == -1 || checkout_exec2(db,
	    "DELETE FROM carts WHERE id = ?1", cart, NULL) == -1))
		rc = -1;
out:
	cJSON_Delete(p);
	cJSON_Delete(body);
	return (rc);
}

/* One step of staff work on order id (in the caller's tx).  0 or -1. */
static int
seed_step(sqlite3 *db, const struct seed_order *so, enum seed_step step,
    const char *id)
{
	struct checkout_order		 o;
	struct checkout_pay_record	 rec;
	cJSON				*p, *l;
	const char			*type = NULL;
	char				 reason[CHECKOUT_ORDER_REASON_MAX];
	int64_t				 due, before;
	int				 rc;

	if (checkout_order_load(db, id, 1, &o) != 0)
		return (-1);
	due = o.total - o.paid;
	before = o.refunded;
	checkout_order_cleanup(&o);
	if (step == SEED_PAID)
		return (checkout_pay_record_payment(db, id, due, NULL,
		    so->payment[0] == 'c' ? "cash on delivery" :
		    "seen on the account", "demo-paid", "demo", &rec, reason,
		    sizeof(reason)) == CHECKOUT_PAY_OK ? 0 : -1);
	if ((p = cJSON_CreateObject()) == NULL)
		return (-1);
	switch (step) {
	case SEED_PREPARED:
		type = "prepared";
		break;
	case SEED_SHIPPED:
		type = "shipped";
		cJSON_AddStringToObject(p, "carrier", so->carrier);
		cJSON_AddStringToObject(p, "tracking_number", so->tracking);
		break;
	case SEED_DELIVERED:
		type = "delivered";
		break;
	case SEED_CANCELLED:
		type = "cancelled";
		cJSON_AddStringToObject(p, "reason", so->reason);
		break;
	default:
		/* One unit of the first line back, its amount the server's. */
		type = "refunded";
		if ((l = cJSON_CreateObject()) == NULL) {
			cJSON_Delete(p);
			return (-1);
		}
		cJSON_AddNumberToObject(l, "line", 1);
		cJSON_AddNumberToObject(l, "quantity", 1);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "lines"), l);
		cJSON_AddStringToObject(p, "reason", so->reason);
		break;
	}
	rc = checkout_order_append(db, id, type, p, "demo", -1, &o, reason,
	    sizeof(reason));
	cJSON_Delete(p);
	if (rc != CHECKOUT_ORDER_OK) {
		if (rc != -1)
			core_logf("error", "checkout: demo order %s: %s", type,
			    reason);
		return (-1);
	}
	if (step == SEED_CANCELLED)
		rc = checkout_pay_on_cancel(db, id, "demo", reason,
		    sizeof(reason));
	else if (step == SEED_REFUND_LINE)
		rc = checkout_pay_on_refund(db, id, o.refunded - before,
		    o.last_credit_note, "demo", reason, sizeof(reason));
	checkout_order_cleanup(&o);
	return (rc == CHECKOUT_PAY_OK ? 0 : -1);
}

int
checkout_seed_orders(sqlite3 *db, const char *standard)
{
	const struct seed_order	*so;
	char			 id[CORE_ID_MAX];
	int64_t			 now, at;
	size_t			 i;
	int			 j, rc = -1;

	if (!seed_has_catalog(db))
		return (0);
	/* The zone first, then each order and step in its own commit. */
	if (core_db_commit(db) == -1)
		return (-1);
	now = core_db_now_ms();
	for (i = 0; i < sizeof(seed_orders) / sizeof(seed_orders[0]); i++) {
		so = &seed_orders[i];
		at = now - so->days_ago * DAY - (so->hour == 0 ? 2 * HOUR :
		    0);
		if (so->hour > 0)
			at = at - at % DAY + so->hour * HOUR;
		checkout_order_clock_set(at);
		if (core_db_begin(db) == -1)
			goto out;
		if (seed_place(db, so, standard, id, sizeof(id)) == -1 ||
		    core_db_commit(db) == -1)
			goto fail;
		/* The commit ran catalog's answer: approved or cancelled. */
		for (j = 0; j < 6 && so->steps[j] != SEED_END; j++) {
			/* Money or packing the same day, then a day a step. */
			at += (j == 0 ? 3 : 24) * HOUR;
			checkout_order_clock_set(at);
			if (core_db_begin(db) == -1)
				goto out;
			if (seed_step(db, so, so->steps[j], id) == -1 ||
			    core_db_commit(db) == -1)
				goto fail;
		}
	}
	rc = 0;
	goto out;
fail:
	core_db_rollback(db);
out:
	checkout_order_clock_set(0);
	/* The seed's caller commits its transaction: give it one. */
	if (core_db_begin(db) == -1)
		return (-1);
	if (rc == -1)
		core_logf("error", "checkout: demo order %zu not placed", i);
	return (rc);
}
