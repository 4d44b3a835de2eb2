/*
 * Carts: guest carts reached with a secret token (stored as its BLAKE2b
 * hash, shown once), customer carts reached with the customer's bearer
 * token (one per customer), lines by SKU, a coupon, a shipping country
 * and method, and the merge of a guest cart into the customer's on sign
 * in.  Every change prices the whole cart again (checkout_price.c) in the
 * change's transaction.  Anyone but the cart's holder gets a 404, never a
 * 403 that would confirm the cart exists.
 *
 * Cart changes commit lazily (core_db_begin_lazy): no fsync of their own.
 * A cart is nobody's promise yet; placing the order is an ordinary commit
 * of the same file, whose fsync makes the cart it read durable with it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/core_country.h"
#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/checkout/checkout_int.h"

#define CHECKOUT_TOKEN_MAX	64

/* Guest carts untouched this long are deleted, CART_EXPIRE_BATCH at a time. */
#define CHECKOUT_CART_TTL_MS	(30LL * 24 * 3600 * 1000)
#define CHECKOUT_CART_EXPIRE_BATCH	20

static void	checkout_token_hash(char out[65], const char *token);
static int	checkout_cart_open(struct core_req *, sqlite3 *, const char *id,
		    int *guest);
static cJSON	*checkout_cart_json(sqlite3 *, const char *id);
static int	checkout_cart_finish(struct core_req *, sqlite3 *,
		    const char *id, const char *method);
static int	checkout_cart_insert(sqlite3 *, char *id, size_t idlen,
		    const char *customer, const char *hash);
static int	checkout_line_put(sqlite3 *, const char *id, const char *sku,
		    int64_t qty, int add);
static int	checkout_carts_expire(sqlite3 *);
static int	checkout_customer_cart(sqlite3 *, const char *customer,
		    char *id, size_t idlen);

/* The hex BLAKE2b-256 of token. */
static void
checkout_token_hash(char out[65], const char *token)
{
	unsigned char	h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/*
 * Whether the request holds cart id: its customer's bearer token, or its
 * guest token (X-Cart-Token or ?token=).  Returns 0 (*guest says which
 * kind it is), or -1 after answering 404 (or 500).
 */
static int
checkout_cart_open(struct core_req *r, sqlite3 *db, const char *id,
    int *guest)
{
	sqlite3_stmt	*st;
	const char	*tok, *hash, *cust;
	char		 q[CHECKOUT_TOKEN_MAX + 1], mine[65];
	int		 ok;

	if ((st = core_db_stmt(db, "SELECT token_hash, customer_id FROM"
	    " carts WHERE id = ?")) == NULL) {
		checkout_internal(r);
		return (-1);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	ok = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		hash = (const char *)sqlite3_column_text(st, 0);
		cust = (const char *)sqlite3_column_text(st, 1);
		*guest = hash != NULL;
		if (cust != NULL) {
			ok = r->who.role == CORE_ROLE_CUSTOMER &&
			    strcmp(cust, r->who.sub) == 0;
		} else if (hash != NULL) {
			tok = core_http_header(r, "x-cart-token");
			if (tok == NULL && core_http_query(r, "token", q,
			    sizeof(q)) == 1)
				tok = q;
			if (tok != NULL && strlen(tok) <= CHECKOUT_TOKEN_MAX) {
				checkout_token_hash(mine, tok);
				ok = strlen(hash) == 64 && sodium_memcmp(mine,
				    hash, 64) == 0;
			}
		}
	}
	sqlite3_reset(st);
	if (!ok) {
		checkout_not_found(r, "not-found", "no such cart, or not "
		    "yours: send its token (guest) or sign in (customer)");
		return (-1);
	}
	return (0);
}

/* The cart as the API answers it, or NULL. */
static cJSON *
checkout_cart_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*o, *p, *it, *lines, *l;
	char		 ts[40];

	if ((st = core_db_stmt(db, "SELECT id, customer_id, version,"
	    " created_at, updated_at, priced FROM carts WHERE id = ?")) ==
	    NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = cJSON_CreateObject();
	checkout_add_text(o, "id", st, 0);
	checkout_add_text(o, "customer_id", st, 1);
	cJSON_AddStringToObject(o, "kind", sqlite3_column_type(st, 1) ==
	    SQLITE_NULL ? "guest" : "customer");
	checkout_add_int(o, "version", st, 2);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 3));
	cJSON_AddStringToObject(o, "created_at", ts);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 4));
	cJSON_AddStringToObject(o, "updated_at", ts);
	p = cJSON_Parse((const char *)sqlite3_column_text(st, 5));
	sqlite3_reset(st);
	lines = cJSON_AddArrayToObject(o, "lines");
	if ((st = core_db_stmt(db, "SELECT sku, product_id, title, options,"
	    " weight_grams, quantity, unit_price, price_source, group_id,"
	    " priced_at, tax_category, tax_rate, subtotal, item_discount,"
	    " order_discount, net, tax, total FROM cart_lines WHERE"
	    " cart_id = ? ORDER BY position")) == NULL) {
		cJSON_Delete(p);
		cJSON_Delete(o);
		return (NULL);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		l = cJSON_CreateObject();
		checkout_add_text(l, "sku", st, 0);
		checkout_add_text(l, "product_id", st, 1);
		checkout_add_text(l, "title", st, 2);
		checkout_add_json(l, "options", st, 3);
		checkout_add_int(l, "weight_grams", st, 4);
		checkout_add_int(l, "quantity", st, 5);
		checkout_add_int(l, "unit_price", st, 6);
		checkout_add_text(l, "price_source", st, 7);
		checkout_add_text(l, "group_id", st, 8);
		core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 9));
		cJSON_AddStringToObject(l, "priced_at", ts);
		checkout_add_text(l, "tax_category", st, 10);
		checkout_add_int(l, "tax_rate", st, 11);
		checkout_add_int(l, "subtotal", st, 12);
		checkout_add_int(l, "item_discount", st, 13);
		checkout_add_int(l, "order_discount", st, 14);
		checkout_add_int(l, "net", st, 15);
		checkout_add_int(l, "tax", st, 16);
		checkout_add_int(l, "total", st, 17);
		cJSON_AddItemToArray(lines, l);
	}
	sqlite3_reset(st);
	/* The priced summary's members go on the cart itself. */
	while (p != NULL && (it = p->child) != NULL) {
		cJSON_DetachItemViaPointer(p, it);
		cJSON_AddItemToObject(o, it->string, it);
	}
	cJSON_Delete(p);
	return (o);
}

/*
 * After a change made in the open transaction: prices the cart and
 * commits, answering 200 with it (and its ETag); or rolls back and
 * answers 422 naming what cannot be priced.  method, when not NULL, is a
 * shipping method the change asked for: if pricing dropped it (not
 * offered for this cart) the change is refused.
 */
static int
checkout_cart_finish(struct core_req *r, sqlite3 *db, const char *id,
    const char *method)
{
	cJSON	*errors, *o;
	char	 etag[32];
	int	 rc;

	errors = NULL;
	if ((rc = checkout_cart_price(db, id, &errors)) == -1)
		goto fail;
	if (rc == 0 && method != NULL && core_db_scalar(db, "SELECT count(*)"
	    " FROM carts WHERE id = ?1 AND shipping_method IS NOT NULL", id,
	    0) == 0) {
		core_http_field_error(&errors, "method", "is not offered for "
		    "this cart in this country");
		rc = 1;
	}
	if (rc == 1) {
		core_db_rollback(db);
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_commit(db) == -1)
		goto fail;
	if ((o = checkout_cart_json(db, id)) == NULL)
		return (checkout_internal(r));
	snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)
	    cJSON_GetObjectItemCaseSensitive(o, "version")->valuedouble);
	http_response_header(r->http, "etag", etag);
	http_response_header(r->http, "cache-control", "no-store");
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	cJSON_Delete(errors);
	core_db_rollback(db);
	return (checkout_internal(r));
}

/* A new cart (in tx) into id.  Returns 0 or -1. */
static int
checkout_cart_insert(sqlite3 *db, char *id, size_t idlen,
    const char *customer, const char *hash)
{
	sqlite3_stmt	*st;
	int64_t		 now;

	core_id_new(id, idlen, "cart");
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO carts (id, token_hash,"
	    " customer_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4,"
	    " ?4)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (hash != NULL)
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	if (customer != NULL)
		sqlite3_bind_text(st, 3, customer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "cart insert"));
	return (0);
}

/*
 * Adds qty of sku to cart id (add: to what it has, at most 1000; else
 * sets it) and marks the line for a fresh snapshot.  Returns 0, 1 when
 * the cart already has CORE_RULES_MAX_LINES other lines, or -1.
 */
static int
checkout_line_put(sqlite3 *db, const char *id, const char *sku, int64_t qty,
    int add)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "SELECT (SELECT count(*) FROM cart_lines"
	    " WHERE cart_id = ?1), (SELECT count(*) FROM cart_lines WHERE"
	    " cart_id = ?1 AND sku = ?2)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) == 0 &&
	    sqlite3_column_int(st, 0) >= CORE_RULES_MAX_LINES) {
		sqlite3_reset(st);
		return (1);
	}
	sqlite3_reset(st);
	if ((st = core_db_stmt(db, "INSERT INTO cart_lines (cart_id, sku,"
	    " position, quantity) VALUES (?1, ?2, (SELECT coalesce(max("
	    "position), 0) + 1 FROM cart_lines WHERE cart_id = ?1), ?3)"
	    " ON CONFLICT (cart_id, sku) DO UPDATE SET stale = 1, quantity ="
	    " CASE WHEN ?4 THEN min(quantity + excluded.quantity, 1000)"
	    " ELSE excluded.quantity END")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, qty);
	sqlite3_bind_int(st, 4, add);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "cart line"));
	return (0);
}

/* The id of customer's cart into id: 1 found, 0 none, -1 error. */
static int
checkout_customer_cart(sqlite3 *db, const char *customer, char *id,
    size_t idlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT id FROM carts WHERE"
	    " customer_id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
	rc = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(id, idlen, "%s", sqlite3_column_text(st, 0));
		rc = 1;
	}
	sqlite3_reset(st);
	return (rc);
}

/* POST /carts: a guest cart (token shown once) or the customer's cart. */
int
checkout_carts_create(struct core_req *r)
{
	sqlite3		*db;
	unsigned char	 raw[32];
	char		 id[CORE_ID_MAX], tok[CHECKOUT_TOKEN_MAX + 1];
	char		 b64[48], hash[65];
	cJSON		*errors, *o;
	const char	*cust;
	int		 rc;

	db = core_db_get("checkout");
	cust = r->who.role == CORE_ROLE_CUSTOMER ? r->who.sub : NULL;
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if (cust != NULL && (rc = checkout_customer_cart(db, cust, id,
	    sizeof(id))) != 0) {
		/* A customer has one cart: answer it. */
		core_db_rollback(db);
		if (rc == -1 || (o = checkout_cart_json(db, id)) == NULL)
			return (checkout_internal(r));
		core_http_json_take(r, 200, o);
		return (KORE_RESULT_OK);
	}
	tok[0] = '\0';
	if (cust == NULL) {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(tok, sizeof(tok), "ct_%s", b64);
		checkout_token_hash(hash, tok);
	}
	errors = NULL;
	if ((cust == NULL && checkout_carts_expire(db) == -1) ||
	    checkout_cart_insert(db, id, sizeof(id), cust, cust ? NULL :
	    hash) == -1 || checkout_cart_price(db, id, &errors) == -1 ||
	    core_db_commit(db) == -1) {
		cJSON_Delete(errors);
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	/* An empty cart has nothing that could be refused. */
	cJSON_Delete(errors);
	if ((o = checkout_cart_json(db, id)) == NULL)
		return (checkout_internal(r));
	if (tok[0] != '\0')
		cJSON_AddStringToObject(o, "token", tok);
	else
		cJSON_AddNullToObject(o, "token");
	http_response_header(r->http, "cache-control", "no-store");
	core_http_json_take(r, 201, o);
	return (KORE_RESULT_OK);
}

/*
 * Abandoned guest carts: each new guest cart deletes up to a batch of
 * those untouched for CHECKOUT_CART_TTL_MS (oldest first, through the
 * partial index of migration 0007), so the pile stays bounded by the
 * shop's own traffic without a timer.  Their lines go by the cascade.
 */
static int
checkout_carts_expire(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 rc;

	/*
	 * INDEXED BY: left to itself the planner takes the customer_id
	 * UNIQUE index for "IS NULL", reads every guest cart and sorts them.
	 */
	if ((st = core_db_stmt(db, "DELETE FROM carts WHERE id IN (SELECT id"
	    " FROM carts INDEXED BY carts_guest_age WHERE customer_id IS NULL"
	    " AND updated_at < ?1 ORDER BY updated_at LIMIT ?2)")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, core_db_now_ms() - CHECKOUT_CART_TTL_MS);
	sqlite3_bind_int(st, 2, CHECKOUT_CART_EXPIRE_BATCH);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : core_db_err(db, "expire carts"));
}

/* GET /carts/{id} */
int
checkout_carts_get(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;
	char	 etag[32];
	int	 guest;

	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1)
		return (KORE_RESULT_OK);
	if ((o = checkout_cart_json(db, r->params[0])) == NULL)
		return (checkout_internal(r));
	snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)
	    cJSON_GetObjectItemCaseSensitive(o, "version")->valuedouble);
	http_response_header(r->http, "etag", etag);
	http_response_header(r->http, "cache-control", "no-store");
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/* POST /carts/{id}/lines {"sku","quantity"}: adds or increases. */
int
checkout_lines_add(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*errors;
	const char	*sku;
	int64_t		 qty;
	int		 guest, rc;

	errors = NULL;
	sku = NULL;
	if (!cJSON_IsObject(r->body) || core_json_get_str(r->body, "sku",
	    CHECKOUT_SKU_MAX, &sku) != CORE_JSON_OK ||
	    !checkout_sku_valid(sku))
		core_http_field_error(&errors, "sku", "is required: a SKU");
	if (!cJSON_IsObject(r->body) || core_json_get_i64(r->body,
	    "quantity", 1, CHECKOUT_QTY_MAX, &qty) != CORE_JSON_OK)
		core_http_field_error(&errors, "quantity",
		    "is required: an integer from 1 to 1000");
	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1) {
		cJSON_Delete(errors);
		return (KORE_RESULT_OK);
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if ((rc = checkout_line_put(db, r->params[0], sku, qty, 1)) != 0) {
		core_db_rollback(db);
		if (rc == -1)
			return (checkout_internal(r));
		core_http_field_error(&errors, "sku", "the cart already has "
		    "200 lines");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	return (checkout_cart_finish(r, db, r->params[0], NULL));
}

/* PATCH /carts/{id}/lines/{sku} {"quantity"}: sets the quantity. */
int
checkout_lines_patch(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	int64_t		 qty;
	int		 guest;

	errors = NULL;
	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1)
		return (KORE_RESULT_OK);
	if (!cJSON_IsObject(r->body) || core_json_get_i64(r->body,
	    "quantity", 1, CHECKOUT_QTY_MAX, &qty) != CORE_JSON_OK) {
		core_http_field_error(&errors, "quantity",
		    "is required: an integer from 1 to 1000");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if ((st = core_db_stmt(db, "UPDATE cart_lines SET quantity = ?3,"
	    " stale = 1 WHERE cart_id = ?1 AND sku = ?2")) == NULL) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->params[1], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, qty);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "cart line quantity");
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		return (checkout_not_found(r, "not-found",
		    "the cart has no line with this SKU"));
	}
	return (checkout_cart_finish(r, db, r->params[0], NULL));
}

/* DELETE /carts/{id}/lines/{sku} */
int
checkout_lines_delete(struct core_req *r)
{
	sqlite3		*db;
	int		 guest;

	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1)
		return (KORE_RESULT_OK);
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if (checkout_exec2(db, "DELETE FROM cart_lines WHERE cart_id = ?1"
	    " AND sku = ?2", r->params[0], r->params[1]) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (sqlite3_changes(db) == 0) {
		core_db_rollback(db);
		return (checkout_not_found(r, "not-found",
		    "the cart has no line with this SKU"));
	}
	return (checkout_cart_finish(r, db, r->params[0], NULL));
}

/* PUT /carts/{id}/coupon {"code"}: any case; it must exist. */
int
checkout_coupon_put(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*errors;
	const char	*code;
	char		 up[CHECKOUT_COUPON_MAX + 1];
	size_t		 i, n;
	int		 guest;

	errors = NULL;
	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1)
		return (KORE_RESULT_OK);
	n = 0;
	if (cJSON_IsObject(r->body) && core_json_get_str(r->body, "code",
	    CHECKOUT_COUPON_MAX, &code) == CORE_JSON_OK)
		n = strlen(code);
	for (i = 0; i < n; i++) {
		up[i] = code[i] >= 'a' && code[i] <= 'z' ? code[i] - 32 :
		    code[i];
		if (!((up[i] >= 'A' && up[i] <= 'Z') || (up[i] >= '0' &&
		    up[i] <= '9') || up[i] == '-' || up[i] == '_'))
			n = 0;
	}
	if (n < 3) {
		core_http_field_error(&errors, "code", "is required: a coupon "
		    "code, 3 to 32 of A-Z 0-9 - _");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	up[n] = '\0';
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if (core_db_scalar(db, "SELECT count(*) FROM coupons WHERE code = ?",
	    up, 0) == 0) {
		core_db_rollback(db);
		core_http_field_error(&errors, "code", "no such coupon");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (checkout_exec2(db, "UPDATE carts SET coupon = ?2 WHERE id = ?1",
	    r->params[0], up) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	return (checkout_cart_finish(r, db, r->params[0], NULL));
}

/* DELETE /carts/{id}/coupon */
int
checkout_coupon_delete(struct core_req *r)
{
	sqlite3	*db;
	int	 guest;

	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1)
		return (KORE_RESULT_OK);
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if (checkout_exec2(db, "UPDATE carts SET coupon = NULL WHERE id = ?",
	    r->params[0], NULL) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	return (checkout_cart_finish(r, db, r->params[0], NULL));
}

/* PUT /carts/{id}/shipping {"country","method"?} */
int
checkout_shipping_put(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*errors;
	const char	*country, *method;
	int		 guest, rc;

	errors = NULL;
	country = method = NULL;
	db = core_db_get("checkout");
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1)
		return (KORE_RESULT_OK);
	if (!cJSON_IsObject(r->body) || core_json_get_str(r->body, "country",
	    2, &country) != CORE_JSON_OK || !core_country_valid(country))
		core_http_field_error(&errors, "country", "is required: an "
		    "ISO 3166-1 alpha-2 code such as DE");
	else if (checkout_ships_to(db, country) != 1)
		core_http_field_error(&errors, "country", "no shipping zone "
		    "covers this country");
	rc = cJSON_IsObject(r->body) ? core_json_get_str(r->body, "method",
	    64, &method) : CORE_JSON_MISSING;
	if (rc == CORE_JSON_WRONG)
		core_http_field_error(&errors, "method",
		    "must be a shipping method id or null");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if (checkout_exec2(db, "UPDATE carts SET country = ?2,"
	    " shipping_method = NULL WHERE id = ?1", r->params[0],
	    country) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	if (method != NULL && checkout_exec2(db, "UPDATE carts SET"
	    " shipping_method = ?2 WHERE id = ?1", r->params[0], method) ==
	    -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	return (checkout_cart_finish(r, db, r->params[0], method));
}

/*
 * POST /carts/{id}/merge: a signed-in customer holding guest cart id's
 * token moves its lines into their own cart (created if they have none).
 * Quantities of a SKU in both add up (at most 1000); merged lines take a
 * fresh snapshot at the customer's prices; the guest's coupon is kept
 * when the customer's cart has none.  The guest cart is gone afterwards.
 */
int
checkout_carts_merge(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors;
	char		 mine[CORE_ID_MAX];
	int		 guest, rc;

	if (r->who.role != CORE_ROLE_CUSTOMER) {
		core_http_problem(r, 403, "forbidden", "Forbidden",
		    "only a customer merges a guest cart into their own",
		    NULL);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	guest = 0;
	if (core_db_begin_lazy(db) == -1)
		return (checkout_internal(r));
	if (checkout_cart_open(r, db, r->params[0], &guest) == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	if (!guest) {
		/* The customer's own cart: nothing to merge from. */
		core_db_rollback(db);
		return (checkout_not_found(r, "not-found", "no such guest "
		    "cart, or not yours: send its token"));
	}
	if ((rc = checkout_customer_cart(db, r->who.sub, mine,
	    sizeof(mine))) == -1 || (rc == 0 && checkout_cart_insert(db, mine,
	    sizeof(mine), r->who.sub, NULL) == -1))
		goto fail;
	if ((st = core_db_stmt(db, "INSERT INTO cart_lines (cart_id, sku,"
	    " position, quantity) SELECT ?2, g.sku, (SELECT coalesce(max("
	    "position), 0) FROM cart_lines WHERE cart_id = ?2) + g.position,"
	    " g.quantity FROM cart_lines g WHERE g.cart_id = ?1 AND true"
	    " ON CONFLICT (cart_id, sku) DO UPDATE SET stale = 1, quantity ="
	    " min(quantity + excluded.quantity, 1000)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, mine, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "merge lines");
		goto fail;
	}
	if (core_db_scalar(db, "SELECT count(*) FROM cart_lines WHERE"
	    " cart_id = ?", mine, 0) > CORE_RULES_MAX_LINES) {
		errors = NULL;
		core_db_rollback(db);
		core_http_field_error(&errors, "lines", "the merged cart "
		    "would have more than 200 lines");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (checkout_exec2(db, "UPDATE carts SET coupon = (SELECT coupon FROM"
	    " carts WHERE id = ?1) WHERE id = ?2 AND coupon IS NULL",
	    r->params[0], mine) == -1 || checkout_exec2(db, "DELETE FROM"
	    " carts WHERE id = ?", r->params[0], NULL) == -1)
		goto fail;
	return (checkout_cart_finish(r, db, mine, NULL));
fail:
	core_db_rollback(db);
	return (checkout_internal(r));
}
