/*
 * Placing an order (POST /api/v1/checkout/orders) and checkout's side of
 * the stock saga.  Placing runs in one write transaction: the
 * Idempotency-Key lookup, the cart priced again from checkout's copies
 * (409 when a coupon or promotion it showed has reached a limit since),
 * coupon and promotion uses counted, the gap-free number and the
 * "created" event (which publishes checkout.order.created for catalog and
 * pricing), the stored answer and the emptied cart.  Catalog's answer,
 * catalog.stock.reserved or catalog.stock.rejected, arrives in-process
 * during the commit and appends "approved" or "cancelled", so the 201
 * normally carries the decision; after a crash the bus sweep finishes it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/core_country.h"
#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

#define CHECKOUT_ADDR_FIELDS	20
#define CHECKOUT_ADDR_MAX	200

static int64_t	checkout_i64_or(const cJSON *, const char *key, int64_t def);
static int	checkout_place_check(struct core_req *, cJSON **errors);
static int	checkout_addr_check(const cJSON *, int need_country);
static int	checkout_place_coupon(sqlite3 *, const char *cart,
		    const char *customer, char *why, size_t whylen);
static int	checkout_place_empty(sqlite3 *, const char *cart);
static int	checkout_place_final(struct core_req *, sqlite3 *,
		    const char *scope, const char *key, const char *order_id);
static int	checkout_place_replay(struct core_req *, sqlite3 *,
		    const char *scope, const char *key, int status,
		    char *body);
static int	checkout_place_fail(struct core_req *, sqlite3 *, int status,
		    const char *type, const char *title, const char *detail);
static int	checkout_place_offered(sqlite3 *, const char *provider);

/* The integer at key of o, or def. */
static int64_t
checkout_i64_or(const cJSON *o, const char *key, int64_t def)
{
	int64_t	v;

	if (core_json_get_i64(o, key, -CORE_MONEY_MAX, CORE_MONEY_MAX, &v) !=
	    CORE_JSON_OK)
		return (def);
	return (v);
}

/* 1 if a is an address object: at most 20 short strings (country set). */
static int
checkout_addr_check(const cJSON *a, int need_country)
{
	const cJSON	*it;
	const char	*s;
	int		 n;

	if (!cJSON_IsObject(a))
		return (0);
	n = 0;
	cJSON_ArrayForEach(it, a) {
		if (++n > CHECKOUT_ADDR_FIELDS || !cJSON_IsString(it) ||
		    strlen(it->valuestring) > CHECKOUT_ADDR_MAX)
			return (0);
	}
	if (!need_country)
		return (1);
	return (core_json_get_str(a, "country", 2, &s) == CORE_JSON_OK &&
	    core_country_valid(s));
}

/* Field errors of the place body into *errors; 0 when it is fine. */
static int
checkout_place_check(struct core_req *r, cJSON **errors)
{
	const cJSON	*b;
	const char	*s;
	size_t		 n;

	b = r->body;
	if (!cJSON_IsObject(b)) {
		core_http_field_error(errors, "body", "must be a JSON object");
		return (-1);
	}
	if (core_json_get_str(b, "cart_id", CORE_ID_MAX - 1, &s) !=
	    CORE_JSON_OK || s[0] == '\0')
		core_http_field_error(errors, "cart_id", "is required: a cart"
		    " id");
	if (core_json_get_str(b, "email", 254, &s) != CORE_JSON_OK ||
	    (n = strlen(s)) < 3 || strchr(s, '@') == NULL || s[0] == '@' ||
	    s[n - 1] == '@' || strchr(s, ' ') != NULL)
		core_http_field_error(errors, "email", "is required: an email"
		    " address");
	if (!checkout_addr_check(cJSON_GetObjectItemCaseSensitive(b,
	    "shipping_address"), 1))
		core_http_field_error(errors, "shipping_address", "is required:"
		    " an object of at most 20 strings (200 bytes each) with"
		    " country, an ISO 3166-1 alpha-2 code");
	if (cJSON_GetObjectItemCaseSensitive(b, "billing_address") != NULL &&
	    !checkout_addr_check(cJSON_GetObjectItemCaseSensitive(b,
	    "billing_address"), 0))
		core_http_field_error(errors, "billing_address", "must be an"
		    " object of at most 20 strings");
	if (core_json_get_str(b, "shipping_method", 64, &s) != CORE_JSON_OK ||
	    s[0] == '\0')
		core_http_field_error(errors, "shipping_method", "is required:"
		    " a shipping method id");
	if (core_json_get_str(b, "payment_method", 32, &s) != CORE_JSON_OK ||
	    checkout_pay_provider_get(s) == NULL)
		core_http_field_error(errors, "payment_method", "is required:"
		    " a payment method (bank_transfer, cod, test)");
	return (*errors != NULL ? -1 : 0);
}

/*
 * Whether the request holds cart (its customer's bearer token or the
 * guest token).  1 yes, 0 no, -1 db error.
 */
static int
checkout_place_holds(struct core_req *r, sqlite3 *db, const char *cart)
{
	sqlite3_stmt	*st;
	const char	*tok, *hash, *cust;
	unsigned char	 h[32];
	char		 mine[65];
	int		 ok;

	if ((st = core_db_stmt(db, "SELECT token_hash, customer_id FROM"
	    " carts WHERE id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
	ok = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		hash = (const char *)sqlite3_column_text(st, 0);
		cust = (const char *)sqlite3_column_text(st, 1);
		if (cust != NULL) {
			ok = r->who.role == CORE_ROLE_CUSTOMER &&
			    strcmp(cust, r->who.sub) == 0;
		} else if (hash != NULL && strlen(hash) == 64 &&
		    (tok = core_http_header(r, "x-cart-token")) != NULL &&
		    strlen(tok) <= 64) {
			crypto_generichash(h, sizeof(h),
			    (const unsigned char *)tok, strlen(tok), NULL, 0);
			sodium_bin2hex(mine, sizeof(mine), h, sizeof(h));
			ok = sodium_memcmp(mine, hash, 64) == 0;
		}
	}
	sqlite3_reset(st);
	return (ok);
}

int
checkout_place_payload(sqlite3 *db, const char *cart, const cJSON *b,
    const char *customer, cJSON **out)
{
	sqlite3_stmt	*st;
	cJSON		*p, *lines, *l, *priced, *t, *a;
	int64_t		 sum, ship, disc, n;
	int		 incl;

	*out = NULL;
	if ((st = core_db_stmt(db, "SELECT priced FROM carts WHERE id = ?"))
	    == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
	priced = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		priced = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (priced == NULL)
		return (-1);
	incl = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(priced,
	    "prices_include_tax"));
	t = cJSON_GetObjectItemCaseSensitive(priced, "totals");
	if (core_json_get_i64(t, "shipping_total", 0, CORE_MONEY_MAX,
	    &ship) != CORE_JSON_OK) {
		cJSON_Delete(priced);
		return (-1);
	}
	p = cJSON_CreateObject();
	if (customer != NULL)
		cJSON_AddStringToObject(p, "customer_id", customer);
	else
		cJSON_AddNullToObject(p, "customer_id");
	cJSON_AddStringToObject(p, "email", cJSON_GetObjectItemCaseSensitive(
	    b, "email")->valuestring);
	cJSON_AddItemToObject(p, "currency", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(priced, "currency"), 1));
	cJSON_AddBoolToObject(p, "prices_include_tax", incl);
	lines = cJSON_AddArrayToObject(p, "lines");
	if ((st = core_db_stmt(db, "SELECT sku, title, quantity, unit_price,"
	    " item_discount + order_discount, tax, total FROM cart_lines"
	    " WHERE cart_id = ? ORDER BY position")) == NULL) {
		cJSON_Delete(priced);
		cJSON_Delete(p);
		return (-1);
	}
	sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
	sum = disc = n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		l = cJSON_CreateObject();
		checkout_add_text(l, "sku", st, 0);
		checkout_add_text(l, "title", st, 1);
		checkout_add_int(l, "quantity", st, 2);
		checkout_add_int(l, "unit_price", st, 3);
		checkout_add_int(l, "discount", st, 4);
		checkout_add_int(l, "tax", st, 5);
		checkout_add_int(l, "total", st, 6);
		cJSON_AddItemToArray(lines, l);
		sum += sqlite3_column_int64(st, 6);
		disc += sqlite3_column_int64(st, 4);
		n++;
	}
	sqlite3_reset(st);
	cJSON_AddNumberToObject(p, "subtotal", (double)checkout_i64_or(t,
	    "subtotal", 0));
	cJSON_AddNumberToObject(p, "discount", (double)disc);
	cJSON_AddNumberToObject(p, "shipping", (double)ship);
	cJSON_AddNumberToObject(p, "tax", (double)checkout_i64_or(t, "tax",
	    0));
	cJSON_AddNumberToObject(p, "total", (double)(sum + ship));
	/* What pricing counts from the event: promotions and coupon. */
	checkout_price_applied(priced, p);
	cJSON_Delete(priced);
	a = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(b,
	    "shipping_address"), 1);
	cJSON_AddItemToObject(p, "shipping_address", a);
	a = cJSON_GetObjectItemCaseSensitive(b, "billing_address");
	cJSON_AddItemToObject(p, "billing_address", a != NULL ?
	    cJSON_Duplicate(a, 1) : cJSON_CreateNull());
	cJSON_AddStringToObject(p, "shipping_method",
	    cJSON_GetObjectItemCaseSensitive(b, "shipping_method")->valuestring);
	/* Its name as the shopper chose it, for the invoice and the admin. */
	if ((st = core_db_stmt(db, "SELECT name FROM shipping_methods WHERE"
	    " id = ?")) != NULL) {
		sqlite3_bind_text(st, 1, cJSON_GetObjectItemCaseSensitive(b,
		    "shipping_method")->valuestring, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddStringToObject(p, "shipping_method_name",
			    (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	cJSON_AddStringToObject(p, "payment_method",
	    cJSON_GetObjectItemCaseSensitive(b, "payment_method")->valuestring);
	if (n == 0) {
		cJSON_Delete(p);
		return (1);
	}
	*out = p;
	return (0);
}

/*
 * Enforces the cart's coupon usage limits inside the placing transaction
 * (checkout's own use counts, so concurrent checkouts serialize on the
 * write lock) and counts this use.  Returns 0 (no coupon, or counted), 1
 * with why filled when a limit is reached, -1 on a db error.
 */
static int
checkout_place_coupon(sqlite3 *db, const char *cart, const char *customer,
    char *why, size_t whylen)
{
	sqlite3_stmt	*st;
	char		 code[CHECKOUT_COUPON_MAX + 1];
	int64_t		 limit, climit, used, cused;
	int		 rc;

	/* Only a coupon pricing applied counts as used. */
	if ((st = core_db_stmt(db, "SELECT c.coupon, k.usage_limit,"
	    " k.customer_usage_limit FROM carts c JOIN coupons k ON k.code ="
	    " c.coupon WHERE c.id = ?1 AND json_extract(c.priced,"
	    " '$.coupon.applied') = 1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (rc == SQLITE_DONE ? 0 : core_db_err(db, "coupon"));
	}
	snprintf(code, sizeof(code), "%s", sqlite3_column_text(st, 0));
	limit = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 1);
	climit = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	used = core_db_scalar(db, "SELECT count(*) FROM coupon_uses WHERE"
	    " code = ?", code, -1);
	if (used < 0)
		return (-1);
	cused = 0;
	if (customer != NULL && climit >= 0) {
		if ((st = core_db_stmt(db, "SELECT count(*) FROM coupon_uses"
		    " WHERE code = ?1 AND customer_id = ?2")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, customer, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			cused = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (limit >= 0 && used >= limit) {
		snprintf(why, whylen, "coupon %s has been used as often as it"
		    " may be (%lld)", code, (long long)limit);
		return (1);
	}
	if (climit >= 0 && cused >= climit) {
		snprintf(why, whylen, "you have used coupon %s as often as"
		    " you may (%lld)", code, (long long)climit);
		return (1);
	}
	if ((st = core_db_stmt(db, "INSERT INTO coupon_uses (code,"
	    " customer_id, cart_id, at) VALUES (?1, ?2, ?3, ?4)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (customer != NULL)
		sqlite3_bind_text(st, 2, customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cart, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "coupon use"));
	return (0);
}

/* Empties the cart the order was placed from.  0 or -1. */
static int
checkout_place_empty(sqlite3 *db, const char *cart)
{
	cJSON	*errors;

	errors = NULL;
	if (checkout_exec2(db, "DELETE FROM cart_lines WHERE cart_id = ?1",
	    cart, NULL) == -1 || checkout_exec2(db, "UPDATE carts SET coupon"
	    " = NULL, version = version + 1 WHERE id = ?1", cart, NULL) == -1 ||
	    checkout_cart_price(db, cart, &errors) == -1) {
		cJSON_Delete(errors);
		return (-1);
	}
	cJSON_Delete(errors);
	return (0);
}

/*
 * Whether provider is offered: its "<name>.enabled" setting is "1".
 * 1 yes, 0 no, -1 db error.
 */
static int
checkout_place_offered(sqlite3 *db, const char *provider)
{
	char	name[48], val[8];

	snprintf(name, sizeof(name), "%s.enabled", provider);
	if (checkout_pay_setting(db, name, val, sizeof(val)) == -1)
		return (-1);
	return (strcmp(val, "1") == 0);
}

int
checkout_place_payment(sqlite3 *db, const struct checkout_order *o,
    const char *actor)
{
	struct checkout_pay_call	call;
	char				num[24], reason[CHECKOUT_PAY_REASON_MAX];
	int				rc;

	memset(&call, 0, sizeof(call));
	call.amount = o->total;
	call.currency = o->currency;
	call.key = "place";
	snprintf(num, sizeof(num), "%lld", (long long)o->number);
	call.reference = num;
	rc = checkout_pay_run(db, o->payment_method, CHECKOUT_PAY_CREATE,
	    o->id, &call, actor, NULL, reason, sizeof(reason));
	if (rc == CHECKOUT_PAY_OK)
		return (0);
	if (rc != -1)
		kore_log(LOG_ERR, "checkout: order %s: no payment: %s", o->id,
		    reason);
	return (-1);
}

/* Rolls back and answers a problem; returns KORE_RESULT_OK. */
static int
checkout_place_fail(struct core_req *r, sqlite3 *db, int status,
    const char *type, const char *title, const char *detail)
{
	core_db_rollback(db);
	core_http_problem(r, status, type, title, detail, NULL);
	return (KORE_RESULT_OK);
}

/*
 * After the commit (and the saga it ran in-process): answers 201 with
 * the order as it is now and makes that the stored answer of the key.
 */
static int
checkout_place_final(struct core_req *r, sqlite3 *db, const char *scope,
    const char *key, const char *order_id)
{
	struct checkout_order	 o;
	sqlite3_stmt		*st;
	cJSON			*j;
	char			*text;

	if (checkout_order_load(db, order_id, 1, &o) != 0)
		return (checkout_internal(r));
	/*
	 * Still created: the other worker took catalog's stock answer into
	 * its own delivery round and has not applied it yet.  Delivering
	 * everything waits for its locks and finds the answer applied.
	 */
	if (o.state == CHECKOUT_ORDER_CREATED) {
		checkout_order_cleanup(&o);
		core_bus_deliver_all();
		if (checkout_order_load(db, order_id, 1, &o) != 0)
			return (checkout_internal(r));
	}
	/*
	 * An approved test payment is normally settled with the approval;
	 * here for another worker's.  Nothing else needs the write lock.
	 */
	if (o.state == CHECKOUT_ORDER_APPROVED &&
	    strcmp(o.payment_method, "test") == 0) {
		checkout_order_cleanup(&o);
		checkout_pay_settle(db, order_id);
		if (checkout_order_load(db, order_id, 1, &o) != 0)
			return (checkout_internal(r));
	}
	j = checkout_order_to_json(&o);
	checkout_order_cleanup(&o);
	if (j == NULL || (text = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		return (checkout_internal(r));
	}
	/*
	 * A failure here only leaves the created answer for retries, which
	 * bring it up to date; so does a power cut that loses this lazy
	 * commit.
	 */
	if (core_db_begin_lazy(db) == 0) {
		if ((st = core_db_stmt(db, "UPDATE idempotency_keys SET body ="
		    " ?3 WHERE scope = ?1 AND key = ?2")) != NULL) {
			sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				core_db_err(db, "idempotency answer");
			sqlite3_reset(st);
		}
		if (core_db_commit(db) == -1)
			core_db_rollback(db);
	}
	cJSON_free(text);
	core_http_json_take(r, 201, j);
	return (KORE_RESULT_OK);
}

/*
 * A retry: the stored answer.  One stored while the saga was still
 * running (another worker's first request between its commit and the
 * stock answer) is brought up to date first, so every retry answers what
 * the first request answered.
 */
static int
checkout_place_replay(struct core_req *r, sqlite3 *db, const char *scope,
    const char *key, int status, char *body)
{
	const cJSON	*id, *s;
	cJSON		*j;
	char		 oid[CORE_ID_MAX];

	j = cJSON_Parse(body);
	free(body);
	if (j == NULL)
		return (checkout_internal(r));
	s = cJSON_GetObjectItemCaseSensitive(j, "status");
	id = cJSON_GetObjectItemCaseSensitive(j, "id");
	if (status == 201 && cJSON_IsString(s) && cJSON_IsString(id) &&
	    strcmp(s->valuestring, "created") == 0) {
		snprintf(oid, sizeof(oid), "%s", id->valuestring);
		cJSON_Delete(j);
		core_bus_deliver_all();
		return (checkout_place_final(r, db, scope, key, oid));
	}
	core_http_json_take(r, status, j);
	return (KORE_RESULT_OK);
}

/* POST /api/v1/checkout/orders */
int
checkout_orders_place(struct core_req *r)
{
	struct checkout_order	 o;
	unsigned char		 hash[CHECKOUT_IDEM_HASH_LEN];
	sqlite3			*db;
	cJSON			*errors, *p, *j;
	const char		*key, *cart, *method, *country, *cust;
	char			*text, *stored, scope[72];
	char			 id[CORE_ID_MAX], reason[CHECKOUT_ORDER_REASON_MAX];
	int			 rc, status;

	key = core_http_header(r, "idempotency-key");
	if (key == NULL || key[0] == '\0' || strlen(key) >
	    CHECKOUT_IDEM_KEY_MAX) {
		core_http_problem(r, 428, "idempotency-key-required",
		    "Idempotency-Key required", "placing an order needs an"
		    " Idempotency-Key header (1 to 255 bytes): a retry with"
		    " the same key gets the first answer", NULL);
		return (KORE_RESULT_OK);
	}
	errors = NULL;
	if (checkout_place_check(r, &errors) == -1) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	cart = cJSON_GetObjectItemCaseSensitive(r->body, "cart_id")->
	    valuestring;
	if ((rc = checkout_place_holds(r, db, cart)) != 1) {
		if (rc == -1)
			return (checkout_internal(r));
		return (checkout_not_found(r, "not-found", "no such cart, or"
		    " not yours: send its token (guest) or sign in"
		    " (customer)"));
	}
	cust = r->who.role == CORE_ROLE_CUSTOMER ? r->who.sub : NULL;
	snprintf(scope, sizeof(scope), "%s", cust != NULL ? cust : cart);
	if ((text = cJSON_PrintUnformatted(r->body)) == NULL)
		return (checkout_internal(r));
	checkout_idem_hash(hash, "POST", "/api/v1/checkout/orders", text,
	    strlen(text));
	cJSON_free(text);

	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	stored = NULL;
	rc = checkout_idem_lookup(db, scope, key, hash, &status, &stored);
	if (rc == CHECKOUT_IDEM_REPLAY) {
		core_db_rollback(db);
		return (checkout_place_replay(r, db, scope, key, status,
		    stored));
	}
	if (rc == CHECKOUT_IDEM_MISMATCH)
		return (checkout_place_fail(r, db, 422, "idempotency-mismatch",
		    "Idempotency-Key reused", "this Idempotency-Key was used"
		    " with another request: use a new key for a new order"));
	if (rc != CHECKOUT_IDEM_NEW)
		goto fail;
	if ((rc = checkout_place_offered(db, cJSON_GetObjectItemCaseSensitive(
	    r->body, "payment_method")->valuestring)) != 1) {
		if (rc == -1)
			goto fail;
		core_db_rollback(db);
		core_http_field_error(&errors, "payment_method", "is not"
		    " offered by this shop: see GET"
		    " /api/v1/checkout/payments/methods");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}

	/* Price again with the chosen country and method. */
	method = cJSON_GetObjectItemCaseSensitive(r->body,
	    "shipping_method")->valuestring;
	country = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    r->body, "shipping_address"), "country")->valuestring;
	if (checkout_exec2(db, "UPDATE carts SET country = ?2 WHERE id = ?1",
	    cart, country) == -1 || checkout_exec2(db, "UPDATE carts SET"
	    " shipping_method = ?2 WHERE id = ?1", cart, method) == -1)
		goto fail;
	if ((rc = checkout_cart_reprice(db, cart, &errors, reason,
	    sizeof(reason))) == -1)
		goto fail;
	if (rc == 1) {
		core_db_rollback(db);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (rc == 2 || rc == 3) {
		/*
		 * A limit was reached since the cart was shown: no order, but
		 * the cart keeps its new price, so reading it shows why.
		 */
		if (core_db_commit(db) == -1)
			return (checkout_internal(r));
		core_http_problem(r, 409, rc == 2 ? "coupon-used-up" :
		    "cart-changed", rc == 2 ? "Coupon used up" : "The cart"
		    " has changed", reason, NULL);
		return (KORE_RESULT_OK);
	}
	if (core_db_scalar(db, "SELECT count(*) FROM carts WHERE id = ?1 AND"
	    " shipping_method IS NOT NULL", cart, 0) == 0) {
		core_db_rollback(db);
		core_http_field_error(&errors, "shipping_method", "is not"
		    " offered for this cart in this country");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if ((rc = checkout_place_payload(db, cart, r->body, cust, &p)) == -1)
		goto fail;
	if (rc == 1)
		return (checkout_place_fail(r, db, 422, "cart-empty",
		    "The cart is empty", "add lines to the cart before"
		    " placing an order"));
	if ((rc = checkout_place_coupon(db, cart, cust, reason,
	    sizeof(reason))) != 0) {
		cJSON_Delete(p);
		if (rc == -1)
			goto fail;
		return (checkout_place_fail(r, db, 409, "coupon-used-up",
		    "Coupon used up", reason));
	}
	core_id_new(id, sizeof(id), "ord");
	rc = checkout_order_append(db, id, "created", p, cust != NULL ? cust :
	    "guest", -1, &o, reason, sizeof(reason));
	cJSON_Delete(p);
	if (rc == -1)
		goto fail;
	if (rc != CHECKOUT_ORDER_OK) {
		/* The cart priced itself: a refusal here is a bug. */
		kore_log(LOG_ERR, "checkout: cart %s made a bad order: %s",
		    cart, reason);
		goto fail;
	}
	if (checkout_promo_uses_add(db, cart, id, cust) == -1) {
		checkout_order_cleanup(&o);
		goto fail;
	}
	if (checkout_place_payment(db, &o, cust != NULL ? cust :
	    "guest") == -1) {
		checkout_order_cleanup(&o);
		goto fail;
	}
	j = checkout_order_to_json(&o);
	checkout_order_cleanup(&o);
	if (j == NULL || (text = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		goto fail;
	}
	cJSON_Delete(j);
	rc = checkout_idem_store(db, scope, key, hash, 201, text);
	cJSON_free(text);
	if (rc == -1 || checkout_place_empty(db, cart) == -1)
		goto fail;
	if (core_db_commit(db) == -1)
		return (checkout_internal(r));
	return (checkout_place_final(r, db, scope, key, id));
fail:
	cJSON_Delete(errors);
	core_db_rollback(db);
	return (checkout_internal(r));
}

/* ---- the saga: catalog's answers ----------------------------------------- */

/*
 * Appends type to the order the event names if it is still waiting for
 * catalog (created); anything else (already decided, not an order of
 * ours) is left as it is.  0, or -1 to roll back and retry.
 */
static int
checkout_saga_answer(sqlite3 *db, const struct core_event *ev,
    const char *type, const cJSON *payload)
{
	struct checkout_order	 o;
	char			 reason[CHECKOUT_ORDER_REASON_MAX];
	int			 rc;

	if ((rc = checkout_order_load(db, ev->aggregate_id, 1, &o)) == -1)
		return (-1);
	if (rc == 1)
		return (0);
	rc = o.state == CHECKOUT_ORDER_CREATED;
	checkout_order_cleanup(&o);
	if (!rc)
		return (0);
	rc = checkout_order_append(db, ev->aggregate_id, type, payload,
	    "catalog", -1, NULL, reason, sizeof(reason));
	if (rc == -1)
		return (-1);
	if (rc != CHECKOUT_ORDER_OK) {
		kore_log(LOG_ERR, "checkout: order %s cannot become %s: %s",
		    ev->aggregate_id, type, reason);
		return (0);
	}
	/* Out of stock: nothing will be charged, the payment is cancelled. */
	if (strcmp(type, "cancelled") == 0 && (rc = checkout_pay_on_cancel(db,
	    ev->aggregate_id, "catalog", reason, sizeof(reason))) != 0) {
		if (rc == -1)
			return (-1);
		kore_log(LOG_ERR, "checkout: order %s: payment not cancelled:"
		    " %s", ev->aggregate_id, reason);
	}
	return (0);
}

/*
 * catalog.stock.reserved: the order is approved, and the test provider
 * is asked in the same transaction, so an approved order is never left
 * without its payment step: after a crash the bus delivers this again
 * and the step's idempotency keys make the repeat charge nothing.  A
 * replay rebuilds read models only and asks no provider.
 */
int
checkout_on_stock_reserved(sqlite3 *db, const struct core_event *ev)
{
	if (checkout_saga_answer(db, ev, "approved", NULL) == -1)
		return (-1);
	if (core_bus_replaying())
		return (0);
	return (checkout_pay_settle_tx(db, ev->aggregate_id));
}

/*
 * catalog.stock.rejected: the order is cancelled, its reason
 * "out-of-stock: SKU (requested n, available m), ..." naming the short
 * lines (cut at 255 bytes).
 */
int
checkout_on_stock_rejected(sqlite3 *db, const struct core_event *ev)
{
	const cJSON	*it;
	cJSON		*p;
	const char	*sku;
	char		 why[CHECKOUT_ORDER_REASON_MAX];
	size_t		 n;
	int		 rc;

	n = (size_t)snprintf(why, sizeof(why), "out-of-stock:");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ev->payload,
	    "short")) {
		if (n >= sizeof(why) - 1)
			break;
		if (core_json_get_str(it, "sku", 64, &sku) != CORE_JSON_OK)
			continue;
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%s %s"
		    " (requested %lld, available %lld)", n > 13 ? "," : "",
		    sku, (long long)checkout_i64_or(it, "requested", 0),
		    (long long)checkout_i64_or(it, "available", 0));
		if (n > sizeof(why) - 1)
			n = sizeof(why) - 1;
	}
	if ((p = cJSON_CreateObject()) == NULL)
		return (-1);
	cJSON_AddStringToObject(p, "reason", why);
	cJSON_AddItemToObject(p, "short", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(ev->payload, "short"), 1));
	rc = checkout_saga_answer(db, ev, "cancelled", p);
	cJSON_Delete(p);
	return (rc);
}
