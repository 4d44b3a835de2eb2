/*
 * Checkout's copies of catalog's and pricing's data, fed by their events
 * (docs/EVENTS.md): products and variants, base prices, customer groups
 * with members and price lists, tax rates and product tax categories,
 * the shop settings, promotions and coupons.  Carts are priced from these
 * alone, never by asking pricing.  Every handler is idempotent for its
 * event and reset empties them all, so replay rebuilds them.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_country.h"
#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"

static int	checkout_opt_time(const cJSON *, const char *key, int64_t *);
static void	checkout_bind_opt(sqlite3_stmt *, int col, int64_t v);

/* An optional RFC 3339 member: -1 when absent or null; -1 rc if bad. */
static int
checkout_opt_time(const cJSON *o, const char *key, int64_t *ms)
{
	const char	*s;
	int		 rc;

	*ms = -1;
	rc = core_json_get_str(o, key, 64, &s);
	if (rc == CORE_JSON_MISSING)
		return (0);
	if (rc != CORE_JSON_OK || checkout_time_parse(s, ms) == -1)
		return (-1);
	return (0);
}

/* Binds v, or NULL when v < 0 (no bound). */
static void
checkout_bind_opt(sqlite3_stmt *st, int col, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, v);
}

/* catalog.product.upserted v1: the product and its variants as now. */
int
checkout_on_product_upserted(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const cJSON	*vars, *cats, *v, *opts;
	const char	*pid, *title, *status, *sku, *vid;
	char		*catjson, *optjson;
	int64_t		 grams;
	int		 rc;

	if (core_json_get_str(ev->payload, "product_id", 64, &pid) !=
	    CORE_JSON_OK || core_json_get_str(ev->payload, "title", 1000,
	    &title) != CORE_JSON_OK || core_json_get_str(ev->payload,
	    "status", 16, &status) != CORE_JSON_OK ||
	    !cJSON_IsArray(vars = cJSON_GetObjectItemCaseSensitive(
	    ev->payload, "variants"))) {
		core_bus_set_error("product.upserted without product_id, "
		    "title, status or variants");
		return (-1);
	}
	cats = cJSON_GetObjectItemCaseSensitive(ev->payload, "category_ids");
	catjson = cJSON_IsArray(cats) ? cJSON_PrintUnformatted(cats) : NULL;
	rc = -1;
	if ((st = core_db_stmt(db, "INSERT INTO products (product_id, title,"
	    " status, category_ids) VALUES (?1, ?2, ?3, ?4) ON CONFLICT"
	    " (product_id) DO UPDATE SET title = excluded.title, status ="
	    " excluded.status, category_ids = excluded.category_ids")) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, catjson ? catjson : "[]", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "product copy");
		goto out;
	}
	if (checkout_exec2(db, "DELETE FROM variants WHERE product_id = ?",
	    pid, NULL) == -1)
		goto out;
	cJSON_ArrayForEach(v, vars) {
		if (core_json_get_str(v, "sku", CHECKOUT_SKU_MAX, &sku) !=
		    CORE_JSON_OK) {
			core_bus_set_error("product.upserted variant without "
			    "sku");
			goto out;
		}
		if (core_json_get_str(v, "variant_id", 64, &vid) !=
		    CORE_JSON_OK)
			vid = NULL;
		if (core_json_get_i64(v, "weight_grams", 0, CORE_MONEY_MAX,
		    &grams) != CORE_JSON_OK)
			grams = 0;
		opts = cJSON_GetObjectItemCaseSensitive(v, "options");
		optjson = cJSON_IsArray(opts) ? cJSON_PrintUnformatted(opts) :
		    NULL;
		/* A SKU may move to a new product after its old one went. */
		if ((st = core_db_stmt(db, "INSERT INTO variants (sku,"
		    " product_id, variant_id, options, weight_grams) VALUES"
		    " (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sku) DO UPDATE SET"
		    " product_id = excluded.product_id, variant_id ="
		    " excluded.variant_id, options = excluded.options,"
		    " weight_grams = excluded.weight_grams")) == NULL) {
			cJSON_free(optjson);
			goto out;
		}
		sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, pid, -1, SQLITE_STATIC);
		if (vid != NULL)
			sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, optjson ? optjson : "[]", -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, grams);
		cJSON_free(optjson);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "variant copy");
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_free(catjson);
	return (rc);
}

/* catalog.product.deleted v1: the product and its variants go. */
int
checkout_on_product_deleted(sqlite3 *db, const struct core_event *ev)
{
	const char	*pid;

	if (core_json_get_str(ev->payload, "product_id", 64, &pid) !=
	    CORE_JSON_OK) {
		core_bus_set_error("product.deleted without product_id");
		return (-1);
	}
	if (checkout_exec2(db, "DELETE FROM variants WHERE product_id = ?",
	    pid, NULL) == -1 || checkout_exec2(db, "DELETE FROM products"
	    " WHERE product_id = ?", pid, NULL) == -1)
		return (-1);
	return (0);
}

/* pricing.price.changed v1: the SKU's base price after the change. */
int
checkout_on_price_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*sku;
	int64_t		 amount, compare;

	if (core_json_get_str(ev->payload, "sku", CHECKOUT_SKU_MAX, &sku) !=
	    CORE_JSON_OK || core_json_get_i64(ev->payload, "amount", 0,
	    CORE_MONEY_MAX, &amount) != CORE_JSON_OK) {
		core_bus_set_error("price.changed without sku or amount");
		return (-1);
	}
	if (core_json_get_i64(ev->payload, "compare_at", 0, CORE_MONEY_MAX,
	    &compare) != CORE_JSON_OK)
		compare = -1;
	if ((st = core_db_stmt(db, "INSERT INTO prices (sku, amount,"
	    " compare_at) VALUES (?1, ?2, ?3) ON CONFLICT (sku) DO UPDATE SET"
	    " amount = excluded.amount, compare_at = excluded.compare_at")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, amount);
	checkout_bind_opt(st, 3, compare);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "price copy"));
	return (0);
}

/* pricing.settings.changed v1: the whole settings; absent members stay. */
int
checkout_on_settings_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*cur, *cat, *ctry;
	int64_t		 minor;
	int		 pit, stx;

	if (core_json_get_str(ev->payload, "currency", 3, &cur) !=
	    CORE_JSON_OK)
		cur = NULL;
	if (core_json_get_str(ev->payload, "shipping_tax_category",
	    CHECKOUT_CODE_MAX, &cat) != CORE_JSON_OK)
		cat = NULL;
	if (core_json_get_str(ev->payload, "default_country", 2, &ctry) !=
	    CORE_JSON_OK || !core_country_valid(ctry))
		ctry = NULL;
	if (core_json_get_i64(ev->payload, "minor_units", 0, 4, &minor) !=
	    CORE_JSON_OK)
		minor = -1;
	if (core_json_get_bool(ev->payload, "prices_include_tax", &pit) !=
	    CORE_JSON_OK)
		pit = -1;
	if (core_json_get_bool(ev->payload, "shipping_taxable", &stx) !=
	    CORE_JSON_OK)
		stx = -1;
	if ((st = core_db_stmt(db, "UPDATE settings SET currency ="
	    " coalesce(?1, currency), shipping_tax_category = coalesce(?2,"
	    " shipping_tax_category), default_country = coalesce(?3,"
	    " default_country), minor_units = coalesce(?4, minor_units),"
	    " prices_include_tax = coalesce(?5, prices_include_tax),"
	    " shipping_taxable = coalesce(?6, shipping_taxable)"
	    " WHERE id = 1")) == NULL)
		return (-1);
	if (cur != NULL)
		sqlite3_bind_text(st, 1, cur, -1, SQLITE_STATIC);
	if (cat != NULL)
		sqlite3_bind_text(st, 2, cat, -1, SQLITE_STATIC);
	if (ctry != NULL)
		sqlite3_bind_text(st, 3, ctry, -1, SQLITE_STATIC);
	checkout_bind_opt(st, 4, minor);
	checkout_bind_opt(st, 5, pit);
	checkout_bind_opt(st, 6, stx);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "settings copy"));
	return (0);
}

/* pricing.group.changed v1: applies change to the group copy. */
int
checkout_on_group_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const cJSON	*p;
	const char	*gid, *code, *name, *change, *s;
	int64_t		 amount, starts, ends;

	p = ev->payload;
	if (core_json_get_str(p, "group_id", 64, &gid) != CORE_JSON_OK ||
	    core_json_get_str(p, "change", 32, &change) != CORE_JSON_OK) {
		core_bus_set_error("group.changed without group_id or change");
		return (-1);
	}
	if (strcmp(change, "deleted") == 0)
		return (checkout_exec2(db, "DELETE FROM group_members WHERE"
		    " group_id = ?", gid, NULL) == -1 || checkout_exec2(db,
		    "DELETE FROM group_prices WHERE group_id = ?", gid,
		    NULL) == -1 || checkout_exec2(db, "DELETE FROM"
		    " price_groups WHERE group_id = ?", gid, NULL) == -1 ?
		    -1 : 0);
	if (core_json_get_str(p, "code", 64, &code) == CORE_JSON_OK &&
	    core_json_get_str(p, "name", 200, &name) == CORE_JSON_OK) {
		if ((st = core_db_stmt(db, "INSERT INTO price_groups"
		    " (group_id, code, name) VALUES (?1, ?2, ?3) ON CONFLICT"
		    " (group_id) DO UPDATE SET code = excluded.code, name ="
		    " excluded.name")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, gid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "group copy"));
	}
	if (strcmp(change, "member_added") == 0 ||
	    strcmp(change, "member_removed") == 0) {
		if (core_json_get_str(p, "customer_id", 64, &s) !=
		    CORE_JSON_OK) {
			core_bus_set_error("group member change without "
			    "customer_id");
			return (-1);
		}
		return (checkout_exec2(db, change[7] == 'a' ? "INSERT OR"
		    " IGNORE INTO group_members (group_id, customer_id)"
		    " VALUES (?1, ?2)" : "DELETE FROM group_members WHERE"
		    " group_id = ?1 AND customer_id = ?2", gid, s));
	}
	if (strcmp(change, "price_removed") == 0) {
		if (core_json_get_str(p, "sku", CHECKOUT_SKU_MAX, &s) !=
		    CORE_JSON_OK) {
			core_bus_set_error("group price change without sku");
			return (-1);
		}
		return (checkout_exec2(db, "DELETE FROM group_prices WHERE"
		    " group_id = ?1 AND sku = ?2", gid, s));
	}
	if (strcmp(change, "price_set") != 0)
		return (0);
	if (core_json_get_str(p, "sku", CHECKOUT_SKU_MAX, &s) !=
	    CORE_JSON_OK || core_json_get_i64(p, "amount", 0, CORE_MONEY_MAX,
	    &amount) != CORE_JSON_OK || checkout_opt_time(p, "starts_at",
	    &starts) == -1 || checkout_opt_time(p, "ends_at", &ends) == -1) {
		core_bus_set_error("group price_set without sku, amount or "
		    "with a bad window");
		return (-1);
	}
	if ((st = core_db_stmt(db, "INSERT INTO group_prices (group_id, sku,"
	    " amount, starts_at, ends_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (group_id, sku) DO UPDATE SET amount ="
	    " excluded.amount, starts_at = excluded.starts_at, ends_at ="
	    " excluded.ends_at")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, gid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, amount);
	checkout_bind_opt(st, 4, starts);
	checkout_bind_opt(st, 5, ends);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "group price copy"));
	return (0);
}

/* pricing.tax.changed v1: a rate, or a product's tax category. */
int
checkout_on_tax_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const cJSON	*p;
	const char	*change, *country, *cat, *pid;
	int64_t		 rate;

	p = ev->payload;
	if (core_json_get_str(p, "change", 32, &change) != CORE_JSON_OK) {
		core_bus_set_error("tax.changed without change");
		return (-1);
	}
	if (strcmp(change, "product_category") == 0) {
		if (core_json_get_str(p, "product_id", 64, &pid) !=
		    CORE_JSON_OK || core_json_get_str(p, "category",
		    CHECKOUT_CODE_MAX, &cat) != CORE_JSON_OK) {
			core_bus_set_error("product_category without "
			    "product_id or category");
			return (-1);
		}
		return (checkout_exec2(db, "INSERT INTO product_tax"
		    " (product_id, category) VALUES (?1, ?2) ON CONFLICT"
		    " (product_id) DO UPDATE SET category = excluded.category",
		    pid, cat));
	}
	if (strcmp(change, "rate_set") != 0 &&
	    strcmp(change, "rate_removed") != 0)
		return (0);	/* category_created: nothing to price with */
	if (core_json_get_str(p, "country", 2, &country) != CORE_JSON_OK ||
	    core_json_get_str(p, "category", CHECKOUT_CODE_MAX, &cat) !=
	    CORE_JSON_OK) {
		core_bus_set_error("tax rate change without country or "
		    "category");
		return (-1);
	}
	if (change[5] == 'r')
		return (checkout_exec2(db, "DELETE FROM tax_rates WHERE"
		    " country = ?1 AND category = ?2", country, cat));
	if (core_json_get_i64(p, "rate", 0, CORE_RULES_RATE_ONE, &rate) !=
	    CORE_JSON_OK) {
		core_bus_set_error("rate_set without a rate");
		return (-1);
	}
	if ((st = core_db_stmt(db, "INSERT INTO tax_rates (country, category,"
	    " rate) VALUES (?1, ?2, ?3) ON CONFLICT (country, category) DO"
	    " UPDATE SET rate = excluded.rate")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cat, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rate);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "tax rate copy"));
	return (0);
}

/* pricing.promotion.changed v1: the whole definition, or its deletion. */
int
checkout_on_promotion_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const cJSON	*p, *o;
	const char	*id, *change, *name, *status, *trigger;
	char		*cw, *cond, *act;
	int64_t		 starts, ends, prio, ul, cul;
	int		 excl, rc;

	p = ev->payload;
	if (core_json_get_str(p, "promotion_id", 64, &id) != CORE_JSON_OK ||
	    core_json_get_str(p, "change", 32, &change) != CORE_JSON_OK) {
		core_bus_set_error("promotion.changed without promotion_id "
		    "or change");
		return (-1);
	}
	if (strcmp(change, "deleted") == 0)
		return (checkout_exec2(db, "DELETE FROM promotions WHERE"
		    " id = ?", id, NULL));
	o = cJSON_GetObjectItemCaseSensitive(p, "promotion");
	if (!cJSON_IsObject(o) || core_json_get_str(o, "name", 1000,
	    &name) != CORE_JSON_OK || core_json_get_str(o, "status", 16,
	    &status) != CORE_JSON_OK || core_json_get_str(o, "trigger", 16,
	    &trigger) != CORE_JSON_OK ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "action")) ||
	    checkout_opt_time(o, "starts_at", &starts) == -1 ||
	    checkout_opt_time(o, "ends_at", &ends) == -1) {
		core_bus_set_error("promotion.changed without a readable "
		    "promotion");
		return (-1);
	}
	if (core_json_get_i64(o, "priority", -1000000, 1000000, &prio) !=
	    CORE_JSON_OK)
		prio = 0;
	if (core_json_get_bool(o, "exclusive", &excl) != CORE_JSON_OK)
		excl = 0;
	if (core_json_get_i64(o, "usage_limit", 1, CORE_MONEY_MAX, &ul) !=
	    CORE_JSON_OK)
		ul = -1;
	if (core_json_get_i64(o, "customer_usage_limit", 1, CORE_MONEY_MAX,
	    &cul) != CORE_JSON_OK)
		cul = -1;
	cw = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o,
	    "combines_with"));
	cond = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o,
	    "conditions"));
	act = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o,
	    "action"));
	rc = -1;
	if ((st = core_db_stmt(db, "INSERT OR REPLACE INTO promotions (id,"
	    " name, status, trigger_kind, starts_at, ends_at, priority,"
	    " is_exclusive, combines_with, conditions_json, action_json,"
	    " usage_limit, customer_usage_limit) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, trigger, -1, SQLITE_STATIC);
	checkout_bind_opt(st, 5, starts);
	checkout_bind_opt(st, 6, ends);
	sqlite3_bind_int64(st, 7, prio);
	sqlite3_bind_int(st, 8, excl);
	sqlite3_bind_text(st, 9, cw && strcmp(cw, "null") ? cw : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 10, cond && strcmp(cond, "null") ? cond : "{}",
	    -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, act, -1, SQLITE_STATIC);
	checkout_bind_opt(st, 12, ul);
	checkout_bind_opt(st, 13, cul);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "promotion copy");
		goto out;
	}
	rc = 0;
out:
	cJSON_free(cw);
	cJSON_free(cond);
	cJSON_free(act);
	return (rc);
}

/* pricing.coupon.changed v1: one code, or its deletion. */
int
checkout_on_coupon_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const cJSON	*p;
	const char	*code, *change, *promo, *status;
	int64_t		 expires, ul, cul;

	p = ev->payload;
	if (core_json_get_str(p, "code", CHECKOUT_COUPON_MAX, &code) !=
	    CORE_JSON_OK || core_json_get_str(p, "change", 32, &change) !=
	    CORE_JSON_OK) {
		core_bus_set_error("coupon.changed without code or change");
		return (-1);
	}
	if (strcmp(change, "deleted") == 0)
		return (checkout_exec2(db, "DELETE FROM coupons WHERE"
		    " code = ?", code, NULL));
	if (core_json_get_str(p, "promotion_id", 64, &promo) !=
	    CORE_JSON_OK || checkout_opt_time(p, "expires_at", &expires) ==
	    -1) {
		core_bus_set_error("coupon.changed without promotion_id or "
		    "with a bad expires_at");
		return (-1);
	}
	if (core_json_get_str(p, "status", 16, &status) != CORE_JSON_OK)
		status = "active";
	if (core_json_get_i64(p, "usage_limit", 1, CORE_MONEY_MAX, &ul) !=
	    CORE_JSON_OK)
		ul = -1;
	if (core_json_get_i64(p, "customer_usage_limit", 1, CORE_MONEY_MAX,
	    &cul) != CORE_JSON_OK)
		cul = -1;
	if ((st = core_db_stmt(db, "INSERT OR REPLACE INTO coupons (code,"
	    " promotion_id, status, expires_at, usage_limit,"
	    " customer_usage_limit) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, promo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	checkout_bind_opt(st, 4, expires);
	checkout_bind_opt(st, 5, ul);
	checkout_bind_opt(st, 6, cul);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "coupon copy"));
	return (0);
}

int
checkout_copies_reset(sqlite3 *db)
{
	static const char *const tables[] = { "products", "variants",
	    "prices", "price_groups", "group_members", "group_prices",
	    "tax_rates", "product_tax", "promotions", "coupons", "settings",
	    NULL };
	char	sql[64];
	int	i;

	for (i = 0; tables[i] != NULL; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i]);
		if (core_db_exec(db, sql) == -1)
			return (-1);
	}
	return (core_db_exec(db, "INSERT INTO settings (id) VALUES (1)"));
}
