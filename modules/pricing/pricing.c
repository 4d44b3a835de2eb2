/*
 * The pricing module's descriptor (routes, the events it consumes, seed
 * and reset hooks) and the small helpers its files share.  See
 * docs/contracts/pricing-v1.md for the API.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "modules/pricing/pricing.h"
#include "modules/pricing/pricing_int.h"

static int	pricing_reset(sqlite3 *);

static const struct core_route pricing_routes[] = {
	{ HTTP_METHOD_GET, "/api/v1/pricing/prices",
	    pricing_prices_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/prices/bulk",
	    pricing_prices_bulk, CORE_ACCESS_STAFF, 131072 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/prices/{sku}",
	    pricing_prices_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/pricing/prices/{sku}",
	    pricing_prices_put, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/settings",
	    pricing_settings_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/pricing/settings",
	    pricing_settings_put, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/groups",
	    pricing_groups_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/groups",
	    pricing_groups_create, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/groups/{id}",
	    pricing_groups_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/pricing/groups/{id}",
	    pricing_groups_patch, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_DELETE, "/api/v1/pricing/groups/{id}",
	    pricing_groups_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/groups/{id}/members",
	    pricing_members_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/pricing/groups/{id}/members/{customer_id}",
	    pricing_members_put, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_DELETE,
	    "/api/v1/pricing/groups/{id}/members/{customer_id}",
	    pricing_members_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/groups/{id}/prices",
	    pricing_group_prices_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/pricing/groups/{id}/prices/{sku}",
	    pricing_group_prices_put, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_DELETE, "/api/v1/pricing/groups/{id}/prices/{sku}",
	    pricing_group_prices_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/tax-categories",
	    pricing_tax_categories_list, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/tax-categories",
	    pricing_tax_categories_create, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/tax-rates",
	    pricing_tax_rates_list, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/pricing/tax-rates/{country}/{category}",
	    pricing_tax_rates_put, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_DELETE,
	    "/api/v1/pricing/tax-rates/{country}/{category}",
	    pricing_tax_rates_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/products/{product_id}/tax-category",
	    pricing_product_tax_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PUT, "/api/v1/pricing/products/{product_id}/tax-category",
	    pricing_product_tax_put, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/promotions",
	    pricing_promotions_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/promotions",
	    pricing_promotions_create, CORE_ACCESS_STAFF, 32768 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/promotions/{id}",
	    pricing_promotions_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/pricing/promotions/{id}",
	    pricing_promotions_patch, CORE_ACCESS_STAFF, 32768 },
	{ HTTP_METHOD_DELETE, "/api/v1/pricing/promotions/{id}",
	    pricing_promotions_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/coupons",
	    pricing_coupons_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/coupons",
	    pricing_coupons_create, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/coupons/{code}",
	    pricing_coupons_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/pricing/coupons/{code}",
	    pricing_coupons_patch, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_DELETE, "/api/v1/pricing/coupons/{code}",
	    pricing_coupons_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/coupon-batches",
	    pricing_batches_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/coupon-batches",
	    pricing_batches_create, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/coupon-batches/{id}",
	    pricing_batches_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/pricing/coupon-batches/{id}/codes.csv",
	    pricing_batches_csv, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/pricing/quote",
	    pricing_quote, CORE_ACCESS_PUBLIC, 65536 },
	{ 0, NULL, NULL, 0, 0 }
};

/*
 * Every subscription feeds something replay may run again: the copies
 * and the use counts are emptied by reset, and an imported price
 * remembers the event that set it (imports_applied), so a second run
 * changes nothing.
 */
static const struct core_sub pricing_subs[] = {
	{ "catalog", "catalog.product.upserted", pricing_on_product_upserted,
	    1 },
	{ "catalog", "catalog.product.deleted", pricing_on_product_deleted, 1 },
	{ "catalog", "catalog.price.imported", pricing_on_price_imported, 1 },
	{ "identity", "identity.customer.registered",
	    pricing_on_customer_registered, 1 },
	{ "checkout", "checkout.order.created", pricing_on_order_created, 1 },
	{ NULL, NULL, NULL, 0 }
};

const struct core_module pricing_module = {
	.name = "pricing",
	.sync_full = 1,		/* prices and tax are money */
	.seed = pricing_seed,
	.reset = pricing_reset,
	.routes = pricing_routes,
	.subs = pricing_subs,
};

/*
 * Replay rebuilds the copies fed by events (products, their SKUs,
 * customers) and the use counts of checkout's orders (all of checkout's
 * log is read again).  Prices, groups, memberships, tax and the record of
 * applied imports are pricing's own decisions and stay.
 */
static int
pricing_reset(sqlite3 *db)
{
	static const char *const tables[] = { "products", "product_skus",
	    "customers", "counted_orders", "customer_orders",
	    "promotion_uses", "promotion_customer_uses", "coupon_uses",
	    "coupon_customer_uses", NULL };
	char	sql[64];
	int	i;

	for (i = 0; tables[i] != NULL; i++) {
		(void)snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i]);
		if (core_db_exec(db, sql) == -1)
			return (-1);
	}
	return (0);
}

/* ---- helpers ------------------------------------------------------------- */

int
pricing_begin_at(struct core_req *r, sqlite3 *db, int64_t version,
    int64_t (*current)(sqlite3 *, const char *), const char *id,
    const char *what)
{
	if (core_db_begin(db) == -1) {
		(void)core_http_internal(r);
		return (-1);
	}
	/*
	 * Re-checked under the write lock: the ETag decides, not the race.
	 * If-Match: * passed the first check without naming a version; when
	 * the row changed (or went) in between, it is refused as stale too
	 * (no CORE_HTTP_IFM_ANY here), so every path below has answered.
	 */
	if (current(db, id) != version) {
		core_db_rollback(db);
		(void)core_http_if_match(r, current(db, id),
		    PRICING_IFM_REQUIRED & ~CORE_HTTP_IFM_ANY, what);
		return (-1);
	}
	return (0);
}

int
pricing_page_by_rowid(struct core_req *r, sqlite3 *db, sqlite3_stmt *st,
    int limit, cJSON *(*json)(sqlite3 *, const char *))
{
	char	ids[PRICING_PAGE_MAX][CORE_ID_MAX], next[24];
	cJSON	*data, *o;
	int64_t	last;
	int	n, i;

	n = 0;
	last = 0;
	while (n < limit && n < PRICING_PAGE_MAX &&
	    sqlite3_step(st) == SQLITE_ROW) {
		snprintf(ids[n++], CORE_ID_MAX, "%s",
		    sqlite3_column_text(st, 0));
		last = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		if ((o = json(db, ids[i])) != NULL)
			cJSON_AddItemToArray(data, o);
	snprintf(next, sizeof(next), "%lld", (long long)last);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}

void
pricing_currency(sqlite3 *db, char cur[4])
{
	sqlite3_stmt	*st;

	snprintf(cur, 4, "EUR");
	if ((st = core_db_stmt(db, "SELECT currency FROM settings WHERE"
	    " id = 1")) == NULL)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(cur, 4, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
}

int
pricing_sku_valid(const char *s)
{
	size_t	i, n;

	n = strlen(s);
	if (n == 0 || n > PRICING_SKU_MAX)
		return (0);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._/-", s[i]) ==
		    NULL)
			return (0);
	return (1);
}

/* n digits at s as a number, or -1. */
static int
pricing_digits(const char *s, int n)
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

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static int64_t
pricing_days(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

int
pricing_time_parse(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	y, mo, d, h, mi, sec, frac, oh, om, sign, i;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return (-1);
	y = pricing_digits(s, 4);
	mo = pricing_digits(s + 5, 2);
	d = pricing_digits(s + 8, 2);
	h = pricing_digits(s + 11, 2);
	mi = pricing_digits(s + 14, 2);
	sec = pricing_digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0))) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59)
		return (-1);
	s += 19;
	frac = 0;
	if (*s == '.') {
		s++;
		for (i = 0; isdigit((unsigned char)s[i]); i++)
			if (i < 3)
				frac = frac * 10 + (s[i] - '0');
		if (i == 0 || i > 9)
			return (-1);
		for (; i < 3; i++)
			frac *= 10;
		while (isdigit((unsigned char)*s))
			s++;
	}
	oh = om = 0;
	sign = 1;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (s[3] != ':' || (oh = pricing_digits(s + 1, 2)) < 0 ||
		    oh > 23 || (om = pricing_digits(s + 4, 2)) < 0 || om > 59)
			return (-1);
		s += 6;
	} else {
		return (-1);
	}
	if (*s != '\0')
		return (-1);
	*ms = ((pricing_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60)) * 1000) + frac;
	return (0);
}
