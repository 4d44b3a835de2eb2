/*
 * The checkout module's descriptor (routes, the events it consumes, seed
 * and reset hooks) and the small helpers its files share.  See
 * docs/contracts/checkout-v1.md for the API.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "modules/checkout/checkout.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

static int	checkout_reset(sqlite3 *);

static const struct core_route checkout_routes[] = {
	{ HTTP_METHOD_POST, "/api/v1/checkout/carts",
	    checkout_carts_create, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/carts/{id}",
	    checkout_carts_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/carts/{id}/lines",
	    checkout_lines_add, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_PATCH, "/api/v1/checkout/carts/{id}/lines/{sku}",
	    checkout_lines_patch, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_DELETE, "/api/v1/checkout/carts/{id}/lines/{sku}",
	    checkout_lines_delete, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_PUT, "/api/v1/checkout/carts/{id}/coupon",
	    checkout_coupon_put, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_DELETE, "/api/v1/checkout/carts/{id}/coupon",
	    checkout_coupon_delete, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_PUT, "/api/v1/checkout/carts/{id}/shipping",
	    checkout_shipping_put, CORE_ACCESS_PUBLIC, 1024 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/carts/{id}/merge",
	    checkout_carts_merge, CORE_ACCESS_CUSTOMER, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/shipping/methods",
	    checkout_methods_public, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/shipping/zones",
	    checkout_zones_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/shipping/zones",
	    checkout_zones_create, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/shipping/zones/{id}",
	    checkout_zones_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/checkout/shipping/zones/{id}",
	    checkout_zones_patch, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_DELETE, "/api/v1/checkout/shipping/zones/{id}",
	    checkout_zones_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/shipping/zones/{id}/methods",
	    checkout_methods_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/shipping/zones/{id}/methods",
	    checkout_methods_create, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_PATCH,
	    "/api/v1/checkout/shipping/zones/{id}/methods/{method_id}",
	    checkout_methods_patch, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_DELETE,
	    "/api/v1/checkout/shipping/zones/{id}/methods/{method_id}",
	    checkout_methods_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/payments/methods",
	    checkout_pay_methods, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/payments/bank-transfer",
	    checkout_pay_bank_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/checkout/payments/bank-transfer",
	    checkout_pay_bank_put, CORE_ACCESS_STAFF, 2048 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/payments/test",
	    checkout_pay_test_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/checkout/payments/test",
	    checkout_pay_toggle_put, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_PUT, "/api/v1/checkout/payments/cod",
	    checkout_pay_toggle_put, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/payments/test/webhook",
	    checkout_pay_test_hook, CORE_ACCESS_PUBLIC, 8192 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/orders/{id}/payments",
	    checkout_pay_record_http, CORE_ACCESS_STAFF, 2048 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/orders",
	    checkout_orders_place, CORE_ACCESS_PUBLIC, 8192 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/orders",
	    checkout_orders_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/orders/{id}",
	    checkout_orders_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/orders/{id}/transitions",
	    checkout_orders_transition, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/orders/{id}/refunds",
	    checkout_orders_refund, CORE_ACCESS_STAFF, 16384 },
	{ HTTP_METHOD_POST, "/api/v1/checkout/orders/{id}/refunds/preview",
	    checkout_orders_refund_preview, CORE_ACCESS_STAFF, 16384 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/orders/{id}/invoice",
	    checkout_orders_invoice, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/invoice-settings",
	    checkout_invoice_settings_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/checkout/invoice-settings",
	    checkout_invoice_settings_put, CORE_ACCESS_STAFF, 16384 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/stats",
	    checkout_stats_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/me/orders",
	    checkout_my_orders_list, CORE_ACCESS_CUSTOMER, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/me/orders/{id}",
	    checkout_my_order_get, CORE_ACCESS_CUSTOMER, 0 },
	{ HTTP_METHOD_GET, "/api/v1/checkout/me/orders/{id}/invoice",
	    checkout_my_order_invoice, CORE_ACCESS_CUSTOMER, 0 },
	{ 0, NULL, NULL, 0, 0 }
};

/*
 * The copies' subscriptions only feed a copy that reset empties.  Catalog's
 * stock answers decide orders, yet are marked rebuildable: replay is per
 * source, so one non-rebuildable catalog subscription would leave the
 * product copy empty after a reset, and running them again is harmless
 * (an order already approved or cancelled is left as it is).
 */
static const struct core_sub checkout_subs[] = {
	{ "catalog", "catalog.product.upserted",
	    checkout_on_product_upserted, 1 },
	{ "catalog", "catalog.product.deleted", checkout_on_product_deleted,
	    1 },
	{ "pricing", "pricing.price.changed", checkout_on_price_changed, 1 },
	{ "pricing", "pricing.settings.changed", checkout_on_settings_changed,
	    1 },
	{ "pricing", "pricing.group.changed", checkout_on_group_changed, 1 },
	{ "pricing", "pricing.tax.changed", checkout_on_tax_changed, 1 },
	{ "pricing", "pricing.promotion.changed",
	    checkout_on_promotion_changed, 1 },
	{ "pricing", "pricing.coupon.changed", checkout_on_coupon_changed, 1 },
	{ "catalog", "catalog.stock.reserved", checkout_on_stock_reserved, 1 },
	{ "catalog", "catalog.stock.rejected", checkout_on_stock_rejected, 1 },
	{ NULL, NULL, NULL, 0 }
};

const struct core_module checkout_module = {
	.name = "checkout",
	.sync_full = 1,		/* carts and orders are money */
	.init = checkout_pay_start,	/* takes up pending test payments */
	.seed = checkout_seed,
	.reset = checkout_reset,
	.routes = checkout_routes,
	.subs = checkout_subs,
};

/*
 * Replay rebuilds the copies, and the orders' snapshots and list view from
 * their events.  Carts (with their snapshots), shipping and the order
 * events are checkout's own and stay.
 */
static int
checkout_reset(sqlite3 *db)
{
	if (checkout_copies_reset(db) == -1)
		return (-1);
	return (checkout_order_rebuild(db, NULL));
}

/* ---- helpers ------------------------------------------------------------- */

int
checkout_internal(struct core_req *r)
{
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}

int
checkout_not_found(struct core_req *r, const char *type, const char *detail)
{
	core_http_problem(r, 404, type, "Not found", detail, NULL);
	return (KORE_RESULT_OK);
}

void
checkout_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char	*s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	s = (const char *)sqlite3_column_text(st, col);
	cJSON_AddStringToObject(o, key, s != NULL ? s : "");
}

void
checkout_add_int(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key,
		    (double)sqlite3_column_int64(st, col));
}

void
checkout_add_json(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char	*s;
	cJSON		*v;

	s = (const char *)sqlite3_column_text(st, col);
	if (s == NULL || (v = cJSON_Parse(s)) == NULL)
		v = cJSON_CreateNull();
	cJSON_AddItemToObject(o, key, v);
}

int
checkout_sku_valid(const char *s)
{
	size_t	i, n;

	n = strlen(s);
	if (n == 0 || n > CHECKOUT_SKU_MAX)
		return (0);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._/-", s[i]) ==
		    NULL)
			return (0);
	return (1);
}

/* n digits at s as a number, or -1. */
static int
checkout_digits(const char *s, int n)
{
	int	i, v;

	v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

/*
 * Pricing publishes times as core_time_rfc3339 writes them:
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", UTC.  Only that form is read; days since
 * the epoch by Hinnant's civil-from-days inverse.
 */
int
checkout_time_parse(const char *s, int64_t *ms)
{
	int64_t	y, era, yoe, doy, doe;
	int	mo, d, h, mi, sec, frac;

	if (strlen(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
		return (-1);
	y = checkout_digits(s, 4);
	mo = checkout_digits(s + 5, 2);
	d = checkout_digits(s + 8, 2);
	h = checkout_digits(s + 11, 2);
	mi = checkout_digits(s + 14, 2);
	sec = checkout_digits(s + 17, 2);
	frac = checkout_digits(s + 20, 3);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || frac < 0)
		return (-1);
	y -= mo <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*ms = ((era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 +
	    sec) * 1000 + frac;
	return (0);
}

int
checkout_exec2(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "checkout exec"));
	return (0);
}
