/*
 * The use counts pricing's quote reads (pricing_quote.c), fed by
 * checkout.order.created: the customer's orders (customer_orders), each
 * applied promotion's uses overall and per customer (promotion_uses,
 * promotion_customer_uses) and the applied coupon's (coupon_uses,
 * coupon_customer_uses).  Checkout counts the same at placement from its
 * own tables, so a quote agrees with the cart once orders exist.
 *
 * Every order is counted, cancelled ones included, and nothing is given
 * back: checkout does the same (docs/PRICING.md, "Use counts").  An order
 * is counted once (counted_orders), so a second delivery of its event
 * changes nothing; `mercato replay pricing` empties all of these and
 * counts every order again from checkout's log (pricing_reset).
 */
#include <stdio.h>
#include <string.h>

#include "core/core_bus.h"
#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/pricing/pricing_int.h"

#define PRICING_ORDER_PROMOS_MAX	100	/* CORE_RULES_MAX_PROMOS */

static int	pricing_count_up(sqlite3 *, const char *sql, const char *a,
		    const char *b);

/* Runs the counting upsert sql with a (and b).  0 or -1. */
static int
pricing_count_up(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "use count"));
	return (0);
}

/*
 * checkout.order.created: counts the order for its customer (a guest's
 * for nobody) and a use of every promotion and coupon it applied.  Orders
 * placed before the event carried "promotions" and "coupon" count as
 * orders only.
 */
int
pricing_on_order_created(sqlite3 *db, const struct core_event *ev)
{
	const cJSON	*it, *list, *c;
	const char	*order, *customer, *code;
	int		 n;

	if (core_json_get_str(ev->payload, "order_id", 64, &order) !=
	    CORE_JSON_OK || order[0] == '\0') {
		core_bus_set_error("order.created without order_id");
		return (-1);
	}
	c = cJSON_GetObjectItemCaseSensitive(ev->payload, "customer_id");
	customer = cJSON_IsString(c) && c->valuestring[0] != '\0' ?
	    c->valuestring : NULL;
	list = cJSON_GetObjectItemCaseSensitive(ev->payload, "promotions");
	n = 0;
	cJSON_ArrayForEach(it, list) {
		if (!cJSON_IsString(it) || it->valuestring[0] == '\0' ||
		    strlen(it->valuestring) >= CORE_ID_MAX ||
		    ++n > PRICING_ORDER_PROMOS_MAX) {
			core_bus_set_error("order.created with a bad"
			    " promotions list");
			return (-1);
		}
	}
	code = NULL;
	c = cJSON_GetObjectItemCaseSensitive(ev->payload, "coupon");
	if (cJSON_IsString(c) && c->valuestring[0] != '\0')
		code = c->valuestring;

	/* Counted once: a second delivery finds the order here. */
	if (pricing_count_up(db, "INSERT OR IGNORE INTO counted_orders"
	    " (order_id) VALUES (?1)", order, NULL) == -1)
		return (-1);
	if (sqlite3_changes(db) == 0)
		return (0);
	if (customer != NULL && pricing_count_up(db, "INSERT INTO"
	    " customer_orders (customer_id, orders) VALUES (?1, 1) ON CONFLICT"
	    " (customer_id) DO UPDATE SET orders = orders + 1", customer,
	    NULL) == -1)
		return (-1);
	cJSON_ArrayForEach(it, list) {
		if (pricing_count_up(db, "INSERT INTO promotion_uses"
		    " (promotion_id, uses) VALUES (?1, 1) ON CONFLICT"
		    " (promotion_id) DO UPDATE SET uses = uses + 1",
		    it->valuestring, NULL) == -1)
			return (-1);
		if (customer != NULL && pricing_count_up(db, "INSERT INTO"
		    " promotion_customer_uses (promotion_id, customer_id, uses)"
		    " VALUES (?1, ?2, 1) ON CONFLICT (customer_id,"
		    " promotion_id) DO UPDATE SET uses = uses + 1",
		    it->valuestring, customer) == -1)
			return (-1);
	}
	if (code == NULL)
		return (0);
	if (pricing_count_up(db, "INSERT INTO coupon_uses (code, uses) VALUES"
	    " (?1, 1) ON CONFLICT (code) DO UPDATE SET uses = uses + 1", code,
	    NULL) == -1)
		return (-1);
	if (customer != NULL && pricing_count_up(db, "INSERT INTO"
	    " coupon_customer_uses (code, customer_id, uses) VALUES (?1, ?2, 1)"
	    " ON CONFLICT (code, customer_id) DO UPDATE SET uses = uses + 1",
	    code, customer) == -1)
		return (-1);
	return (0);
}
