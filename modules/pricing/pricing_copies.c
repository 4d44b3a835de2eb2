/*
 * Pricing's copies of other modules' data, fed by their events: catalog's
 * products (title, status, categories, SKUs) and identity's customers.
 * The copies are read models that replay empties and rebuilds.  Prices
 * from catalog's CSV imports are decisions, not a copy: each import event
 * is applied once (imports_applied), so a replay never takes a later
 * staff edit back.
 */
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

static int	pricing_skus_clear(sqlite3 *, const char *product_id);

/* Forgets the SKUs of product_id (they are written again or gone). */
static int
pricing_skus_clear(sqlite3 *db, const char *product_id)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "DELETE FROM product_skus WHERE"
	    " product_id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, product_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "clear product skus"));
	return (0);
}

/* catalog.product.upserted v1: the product as it is now. */
int
pricing_on_product_upserted(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const cJSON	*vars, *cats, *v;
	const char	*pid, *title, *status, *sku;
	char		*catjson;
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
	if (pricing_skus_clear(db, pid) == -1)
		goto out;
	cJSON_ArrayForEach(v, vars) {
		if (core_json_get_str(v, "sku", PRICING_SKU_MAX, &sku) !=
		    CORE_JSON_OK) {
			core_bus_set_error("product.upserted variant without "
			    "sku");
			goto out;
		}
		/* A SKU may move to a new product after its old one went. */
		if ((st = core_db_stmt(db, "INSERT INTO product_skus (sku,"
		    " product_id) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE"
		    " SET product_id = excluded.product_id")) == NULL)
			goto out;
		sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, pid, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "product sku copy");
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_free(catjson);
	return (rc);
}

/*
 * catalog.product.deleted v1: the product and its SKUs leave the copy.
 * Their prices stay (a decision); a SKU used again gets its old price
 * until staff change it.
 */
int
pricing_on_product_deleted(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*pid;

	if (core_json_get_str(ev->payload, "product_id", 64, &pid) !=
	    CORE_JSON_OK) {
		core_bus_set_error("product.deleted without product_id");
		return (-1);
	}
	if (pricing_skus_clear(db, pid) == -1)
		return (-1);
	if ((st = core_db_stmt(db, "DELETE FROM products WHERE"
	    " product_id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "delete product copy"));
	return (0);
}

/*
 * catalog.price.imported v1: a CSV import's price becomes the SKU's base
 * price (origin "import") and is published as pricing.price.changed.
 * Catalog publishes it before the product event that may introduce the
 * SKU, so an unknown SKU is fine here.
 */
int
pricing_on_price_imported(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*sku;
	int64_t		 amount, compare;
	int		 rc;

	if (core_json_get_str(ev->payload, "sku", PRICING_SKU_MAX, &sku) !=
	    CORE_JSON_OK || core_json_get_i64(ev->payload, "amount", 0,
	    CORE_MONEY_MAX, &amount) != CORE_JSON_OK) {
		core_bus_set_error("price.imported without sku or amount");
		return (-1);
	}
	rc = core_json_get_i64(ev->payload, "compare_at", 0, CORE_MONEY_MAX,
	    &compare);
	if (rc == CORE_JSON_WRONG) {
		core_bus_set_error("price.imported with a bad compare_at");
		return (-1);
	}
	/* A compare-at not above the price means nothing: drop it. */
	if (rc == CORE_JSON_MISSING || compare <= amount)
		compare = -1;
	if ((st = core_db_stmt(db, "INSERT INTO imports_applied (event_id,"
	    " applied_at) VALUES (?, ?) ON CONFLICT DO NOTHING")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, ev->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "record import"));
	if (sqlite3_changes(db) == 0)
		return (0);		/* replayed: applied long ago */
	return (pricing_price_write(db, sku, amount, compare, "import", NULL));
}

/* identity.customer.registered v1: who may be put into a group. */
int
pricing_on_customer_registered(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*id, *email, *name, *at;

	if (core_json_get_str(ev->payload, "customer_id", 64, &id) !=
	    CORE_JSON_OK || core_json_get_str(ev->payload, "email", 320,
	    &email) != CORE_JSON_OK) {
		core_bus_set_error("customer.registered without customer_id "
		    "or email");
		return (-1);
	}
	name = "";
	(void)core_json_get_str(ev->payload, "name", 1000, &name);
	at = ev->occurred_at;
	(void)core_json_get_str(ev->payload, "registered_at", 64, &at);
	if ((st = core_db_stmt(db, "INSERT INTO customers (customer_id, email,"
	    " name, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT"
	    " (customer_id) DO UPDATE SET email = excluded.email, name ="
	    " excluded.name")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at ? at : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "customer copy"));
	return (0);
}
