/*
 * The catalog module's descriptor: its routes, the events it consumes and
 * its hooks.  See docs/contracts/catalog-v1.md for the API.
 */
#include "core/core_db.h"
#include "modules/catalog/catalog.h"
#include "modules/catalog/catalog_int.h"

static int	catalog_init(sqlite3 *);
static int	catalog_reset(sqlite3 *);

static const struct core_route catalog_routes[] = {
	{ HTTP_METHOD_POST, "/api/v1/catalog/products",
	    catalog_products_create, CORE_ACCESS_STAFF, 262144 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/products",
	    catalog_products_list, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/products/{id}",
	    catalog_products_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/catalog/products/{id}",
	    catalog_products_patch, CORE_ACCESS_STAFF, 262144 },
	{ HTTP_METHOD_DELETE, "/api/v1/catalog/products/{id}",
	    catalog_products_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_POST, "/api/v1/catalog/products/bulk-status",
	    catalog_products_bulk_status, CORE_ACCESS_STAFF, 16384 },
	{ HTTP_METHOD_POST, "/api/v1/catalog/products/{id}/variants",
	    catalog_variants_create, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_PATCH, "/api/v1/catalog/variants/{sku}",
	    catalog_variants_patch, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_DELETE, "/api/v1/catalog/variants/{sku}",
	    catalog_variants_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_POST, "/api/v1/catalog/categories",
	    catalog_categories_create, CORE_ACCESS_STAFF, 8192 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/categories",
	    catalog_categories_list, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/attributes",
	    catalog_attributes_list, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_POST, "/api/v1/catalog/attributes",
	    catalog_attributes_create, CORE_ACCESS_STAFF, 32768 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/attributes/{code}",
	    catalog_attributes_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/catalog/attributes/{code}",
	    catalog_attributes_patch, CORE_ACCESS_STAFF, 32768 },
	{ HTTP_METHOD_DELETE, "/api/v1/catalog/attributes/{code}",
	    catalog_attributes_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/product-types",
	    catalog_types_list, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_POST, "/api/v1/catalog/product-types",
	    catalog_types_create, CORE_ACCESS_STAFF, 16384 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/product-types/{id}",
	    catalog_types_get, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_PATCH, "/api/v1/catalog/product-types/{id}",
	    catalog_types_patch, CORE_ACCESS_STAFF, 16384 },
	{ HTTP_METHOD_DELETE, "/api/v1/catalog/product-types/{id}",
	    catalog_types_delete, CORE_ACCESS_STAFF, 1024 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/stock",
	    catalog_stock_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/stock/{sku}",
	    catalog_stock_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/catalog/stock/{sku}/adjust",
	    catalog_stock_adjust, CORE_ACCESS_STAFF, 4096 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/search",
	    catalog_search, CORE_ACCESS_PUBLIC, 0 },
	/* Kore refuses bodies over 4 MiB (kore.conf) before we see them. */
	{ HTTP_METHOD_POST, "/api/v1/catalog/imports",
	    catalog_import_http, CORE_ACCESS_STAFF, 4194304 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/imports",
	    catalog_import_list, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/imports/{id}",
	    catalog_import_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/catalog/exports/products.csv",
	    catalog_export_http, CORE_ACCESS_STAFF, 0 },
	{ 0, NULL, NULL, 0, 0 }
};

static const struct core_sub catalog_subs[] = {
	{ "checkout", "checkout.order.created", catalog_on_order_created, 0 },
	{ "checkout", "checkout.order.cancelled", catalog_on_order_cancelled,
	    0 },
	{ "checkout", "checkout.order.shipped", catalog_on_order_shipped, 0 },
	{ "checkout", "checkout.order.refunded", catalog_on_order_refunded,
	    0 },
	{ "pricing", "pricing.price.changed", catalog_on_price_changed, 1 },
	{ NULL, NULL, NULL, 0 }
};

static const struct core_command catalog_commands[] = {
	{ "import", "products", "import products FILE.csv [dry-run]  "
	    "import (or only check) a Shopify-layout product CSV",
	    catalog_import_cli },
	{ NULL, NULL, NULL, NULL }
};

const struct core_module catalog_module = {
	.name = "catalog",
	.sync_full = 1,		/* stock and reservations */
	.init = catalog_init,
	.seed = catalog_seed,
	.reset = catalog_reset,
	.routes = catalog_routes,
	.subs = catalog_subs,
	.commands = catalog_commands,
};

/*
 * Per process that opens the file: the import jobs' timer, and in a Kore
 * worker the search index, built before the worker takes connections so no
 * shopper waits for it (about a second at 200k products).
 */
static int
catalog_init(sqlite3 *db)
{
	if (catalog_import_job_init(db) == -1)
		return (-1);
	if (worker != NULL)
		catalog_search_warm(db);
	return (0);
}

/*
 * Replay rebuilds what events fed: the price copy and the listing rows'
 * prices (rewritten without, the replayed events put them back).
 * Reservations are not a read model (they are catalog's own decisions) and
 * stay.
 */
static int
catalog_reset(sqlite3 *db)
{
	if (core_db_exec(db, "DELETE FROM variant_prices") == -1)
		return (-1);
	return (catalog_listing_rebuild(db, 0));
}
