/*
 * Demo data on a first start: tax rates for four countries, two customer
 * groups, prices for the demo catalog, two automatic promotions and a
 * coupon, each published like a staff change so a checkout that reads
 * pricing's log gets them too.
 *
 * Demo prices: catalog seeds first and its commit delivers the products
 * to pricing's copy before this runs, so every SKU pricing then knows
 * without a price gets one, computed from the SKU (the same on every
 * start).  Catalog's files stay untouched, and a shop whose catalog is
 * seeded off (or real) gets no made-up prices.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/pricing/pricing_int.h"

static int	pricing_seed_prices(sqlite3 *);
static int	pricing_seed_promo(sqlite3 *, const char *json, char *id,
		    size_t idlen);
static int	pricing_seed_promos(sqlite3 *);

/* Standard, reduced and zero rates, parts per 100,000. */
static const struct {
	const char	*country;
	int64_t		 standard, reduced, zero;
} pricing_seed_rates[] = {
	{ "DE", 19000, 7000, 0 },
	{ "FR", 20000, 5500, 0 },
	{ "NL", 21000, 9000, 0 },
	{ "AT", 20000, 10000, 0 },
};

static const struct {
	const char	*name, *code;
} pricing_seed_groups[] = {
	{ "Wholesale", "wholesale" },
	{ "VIP", "vip" },
};

int
pricing_seed(sqlite3 *db)
{
	char	id[CORE_ID_MAX];
	size_t	i;

	for (i = 0; i < sizeof(pricing_seed_rates) /
	    sizeof(pricing_seed_rates[0]); i++) {
		if (pricing_tax_rate_set(db, pricing_seed_rates[i].country,
		    "standard", pricing_seed_rates[i].standard) == -1 ||
		    pricing_tax_rate_set(db, pricing_seed_rates[i].country,
		    "reduced", pricing_seed_rates[i].reduced) == -1 ||
		    pricing_tax_rate_set(db, pricing_seed_rates[i].country,
		    "zero", pricing_seed_rates[i].zero) == -1)
			return (-1);
	}
	for (i = 0; i < sizeof(pricing_seed_groups) /
	    sizeof(pricing_seed_groups[0]); i++)
		if (pricing_group_insert(db, pricing_seed_groups[i].name,
		    pricing_seed_groups[i].code, id, sizeof(id)) != 0)
			return (-1);
	if (pricing_seed_prices(db) == -1 || pricing_seed_promos(db) == -1)
		return (-1);
	return (0);
}

/*
 * Prices every SKU in the product copy that has none: 19.90 to 98.90 in
 * steps of 1.00, from an FNV-1a hash of the first SKU of its product so a
 * product's variants cost the same.
 */
static int
pricing_seed_prices(sqlite3 *db)
{
	sqlite3_stmt	*st;
	char		 skus[256][PRICING_SKU_MAX + 1];
	int64_t		 amounts[256];
	uint32_t	 h;
	const char	*p;
	int		 n, i;

	do {
		if ((st = core_db_stmt(db, "SELECT s.sku, (SELECT min(s2.sku)"
		    " FROM product_skus s2 WHERE s2.product_id ="
		    " s.product_id) FROM product_skus s LEFT JOIN prices p ON"
		    " p.sku = s.sku WHERE p.sku IS NULL ORDER BY s.sku"
		    " LIMIT 256")) == NULL)
			return (-1);
		n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(skus[n], sizeof(skus[n]), "%s",
			    sqlite3_column_text(st, 0));
			h = 2166136261u;
			for (p = (const char *)sqlite3_column_text(st, 1);
			    *p != '\0'; p++)
				h = (h ^ (unsigned char)*p) * 16777619u;
			amounts[n++] = (19 + h % 80) * 100 + 90;
		}
		sqlite3_reset(st);
		for (i = 0; i < n; i++)
			if (pricing_price_write(db, skus[i], amounts[i], -1,
			    "staff", NULL) == -1)
				return (-1);
	} while (n == 256);
	return (0);
}

/* Checks and inserts the promotion of json (a staff POST body). */
static int
pricing_seed_promo(sqlite3 *db, const char *json, char *id, size_t idlen)
{
	struct pricing_promo_def	 d;
	cJSON				*o, *errors;
	int				 rc;

	errors = NULL;
	if ((o = cJSON_Parse(json)) == NULL)
		return (-1);
	rc = -1;
	if (pricing_promo_def_check(db, o, &d, &errors) == 0)
		rc = pricing_promo_insert(db, &d, id, idlen) == 0 ? 0 : -1;
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(errors);
	cJSON_Delete(o);
	return (rc);
}

/*
 * "10% off orders over 100.00" (automatic), "Buy 2, get 1 free" on the
 * category of the first demo SKU (automatic) and "Welcome 10%" behind
 * the coupon WELCOME10 (first orders, once per customer; it outranks the
 * automatic 10% and they do not combine, which the quote explains).
 */
static int
pricing_seed_promos(sqlite3 *db)
{
	sqlite3_stmt	*st;
	const cJSON	*cat;
	cJSON		*cats;
	char		 id[CORE_ID_MAX], json[1024], catid[CORE_ID_MAX];

	if (pricing_seed_promo(db, "{\"name\":\"10% off orders over 100\","
	    "\"priority\":10,\"combines_with\":[\"product\"],"
	    "\"conditions\":{\"min_subtotal\":10000},"
	    "\"action\":{\"type\":\"order_percent\",\"rate\":10000}}", id,
	    sizeof(id)) == -1)
		return (-1);
	if (pricing_seed_promo(db, "{\"name\":\"Welcome 10%\","
	    "\"trigger\":\"code\",\"priority\":30,"
	    "\"combines_with\":[\"product\"],\"customer_usage_limit\":1,"
	    "\"conditions\":{\"first_order\":true},"
	    "\"action\":{\"type\":\"order_percent\",\"rate\":10000}}", id,
	    sizeof(id)) == -1 || pricing_coupon_insert(db, "WELCOME10", id,
	    NULL, -1, -1, 1) != 0)
		return (-1);
	catid[0] = '\0';
	if ((st = core_db_stmt(db, "SELECT p.category_ids FROM product_skus s"
	    " JOIN products p ON p.product_id = s.product_id WHERE"
	    " p.category_ids <> '[]' ORDER BY s.sku LIMIT 1")) == NULL)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW && (cats = cJSON_Parse((const char *)
	    sqlite3_column_text(st, 0))) != NULL) {
		if (cJSON_IsString(cat = cJSON_GetArrayItem(cats, 0)))
			snprintf(catid, sizeof(catid), "%s", cat->valuestring);
		cJSON_Delete(cats);
	}
	sqlite3_reset(st);
	if (catid[0] == '\0')
		return (0);	/* no demo catalog: nothing to discount */
	snprintf(json, sizeof(json), "{\"name\":\"Buy 2, get 1 free\","
	    "\"priority\":20,\"combines_with\":[\"order\"],"
	    "\"conditions\":{\"match\":{\"category_ids\":[\"%s\"]}},"
	    "\"action\":{\"type\":\"buy_x_get_y\",\"buy_qty\":2,"
	    "\"get_qty\":1,\"rate\":100000}}", catid);
	return (pricing_seed_promo(db, json, id, sizeof(id)));
}
