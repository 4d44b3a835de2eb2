/*
 * Placing against a cart that was priced earlier: checkout_cart_reprice
 * prices it again inside the placing transaction and says whether it lost
 * a coupon or a promotion it showed (a use limit reached, or an order
 * counted, meanwhile), which the placement refuses as 409 cart-changed;
 * checkout_price_applied puts what applied into the created event; and
 * checkout_promo_uses_add counts the uses of the promotions the order got.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/checkout/checkout_int.h"

static int	checkout_price_lost(sqlite3 *, const char *id,
		    const char *before, char *why, size_t whylen);
static int	checkout_promo_lost(const cJSON *, const cJSON *, char *,
		    size_t);

/*
 * Whether the cart as priced now lost what it showed in before: its coupon
 * (its own or its promotion's limit reached: 2) or an applied promotion
 * (a use limit reached, or an order counted, meanwhile: 3).  why names it.
 * Other changes (a country or method chosen at placement) are not losses.
 * -1 on a db error.
 */
static int
checkout_price_lost(sqlite3 *db, const char *id, const char *before,
    char *why, size_t whylen)
{
	sqlite3_stmt	*st;
	cJSON		*was, *now;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT json_extract(c.priced,"
	    " '$.coupon.code'), json_extract(c.priced, '$.coupon.reason') FROM"
	    " carts c WHERE c.id = ?1 AND json_extract(?2, '$.coupon.applied')"
	    " = 1 AND json_extract(c.priced, '$.coupon.applied') = 0 AND"
	    " json_extract(c.priced, '$.coupon.code') = json_extract(?2,"
	    " '$.coupon.code') AND json_extract(c.priced, '$.coupon.reason')"
	    " IN ('usage_limit', 'customer_usage_limit')")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, before, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(st, 1),
		    "usage_limit") == 0)
			snprintf(why, whylen, "coupon %s has been used as often"
			    " as it may be", sqlite3_column_text(st, 0));
		else
			snprintf(why, whylen, "you have used coupon %s as"
			    " often as you may", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		return (2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (core_db_err(db, "cart coupon lost"));
	/*
	 * The promotions, in C: SQLite 3.40 parses the cart's JSON again for
	 * every row of a json_each join, which with fifty promotions cost
	 * more than the rest of the placement.
	 */
	if ((st = core_db_stmt(db, "SELECT priced FROM carts WHERE id = ?")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (rc == SQLITE_DONE ? 0 : core_db_err(db,
		    "cart promo lost"));
	}
	now = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	was = cJSON_Parse(before);
	rc = checkout_promo_lost(was, now, why, whylen) ? 3 : 0;
	cJSON_Delete(was);
	cJSON_Delete(now);
	return (rc);
}

/*
 * Whether a promotion applied in was (a priced cart) is in now not
 * applied for a reason that is a limit or a counted order; why names it.
 */
static int
checkout_promo_lost(const cJSON *was, const cJSON *now, char *why,
    size_t whylen)
{
	const cJSON	*o, *n;
	const char	*id, *reason;

	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(now,
	    "promotions")) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n,
		    "applied")) || (reason = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(n, "reason"))) == NULL ||
		    (strcmp(reason, "usage_limit") != 0 && strcmp(reason,
		    "customer_usage_limit") != 0 && strcmp(reason,
		    "first_order") != 0) || (id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(n, "id"))) == NULL)
			continue;
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(was,
		    "promotions")) {
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o,
			    "applied")) || cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(o, "id")) == NULL ||
			    strcmp(cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(o, "id")), id) != 0)
				continue;
			snprintf(why, whylen, "promotion \"%s\" no longer"
			    " applies (%s): the cart has been priced again;"
			    " read it and place the order again at its new"
			    " total", cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(n, "name")) ?
			    cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(n, "name")) : id,
			    reason);
			return (1);
		}
	}
	return (0);
}

int
checkout_cart_reprice(sqlite3 *db, const char *id, cJSON **errors,
    char *why, size_t whylen)
{
	sqlite3_stmt	*st;
	char		*before;
	int		 rc;

	why[0] = '\0';
	if ((st = core_db_stmt(db, "SELECT priced FROM carts WHERE id = ?"))
	    == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	before = NULL;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    (before = strdup((const char *)sqlite3_column_text(st, 0))) ==
	    NULL) {
		sqlite3_reset(st);
		return (-1);
	}
	sqlite3_reset(st);
	rc = checkout_cart_price(db, id, errors);
	if (rc == 0 && before != NULL)
		rc = checkout_price_lost(db, id, before, why, whylen);
	free(before);
	return (rc);
}

void
checkout_price_applied(const cJSON *priced, cJSON *p)
{
	const cJSON	*x;
	cJSON		*ids;

	ids = cJSON_AddArrayToObject(p, "promotions");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(priced,
	    "promotions"))
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x,
		    "applied")))
			cJSON_AddItemToArray(ids, cJSON_Duplicate(
			    cJSON_GetObjectItemCaseSensitive(x, "id"), 1));
	x = cJSON_GetObjectItemCaseSensitive(priced, "coupon");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "applied")))
		cJSON_AddItemToObject(p, "coupon", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(x, "code"), 1));
	else
		cJSON_AddNullToObject(p, "coupon");
}

int
checkout_promo_uses_add(sqlite3 *db, const char *cart, const char *order,
    const char *customer)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "INSERT OR IGNORE INTO promotion_uses"
	    " (promotion_id, customer_id, order_id, at) SELECT"
	    " json_extract(p.value, '$.id'), ?3, ?2, ?4 FROM carts c,"
	    " json_each(c.priced, '$.promotions') p WHERE c.id = ?1 AND"
	    " json_extract(p.value, '$.applied') = 1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, cart, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, order, -1, SQLITE_STATIC);
	if (customer != NULL)
		sqlite3_bind_text(st, 3, customer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "promotion uses"));
	return (0);
}
