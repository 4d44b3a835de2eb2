/*
 * Shared by the catalog module's files only.
 */
#ifndef CATALOG_INT_H
#define CATALOG_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core_bus.h"
#include "core/core_http.h"

#define CATALOG_TITLE_MAX	200
#define CATALOG_DESC_MAX	20000
#define CATALOG_SKU_MAX		64
#define CATALOG_VARIANTS_MAX	100
#define CATALOG_OPTIONS_MAX	3
#define CATALOG_STOCK_MAX	1000000000
#define CATALOG_PAGE_MAX	100

/* catalog_products.c */
int	catalog_products_create(struct core_req *);
int	catalog_products_list(struct core_req *);
int	catalog_products_get(struct core_req *);
int	catalog_products_patch(struct core_req *);
int	catalog_products_delete(struct core_req *);
int	catalog_categories_create(struct core_req *);
int	catalog_categories_list(struct core_req *);

/*
 * The product at rowid as JSON: staff view (stock figures) or public view
 * (in_stock flags).  NULL if there is none.
 */
cJSON	*catalog_product_json(sqlite3 *, int64_t rowid, int staff);

/* Shared checks and helpers of catalog_products.c. */
int	catalog_sku_valid(const char *);
int	catalog_strings_valid(const cJSON *, int max, size_t len);
int	catalog_option_values_known(const cJSON *opts, const cJSON *vals);
int64_t	catalog_product_find(sqlite3 *, const char *id, int64_t *version,
	    char *status, size_t statuslen);
void	catalog_etag(struct core_req *, int64_t version);
int	catalog_internal(struct core_req *);

/* catalog_variants.c */
int	catalog_variants_create(struct core_req *);
int	catalog_variants_patch(struct core_req *);
int	catalog_variants_delete(struct core_req *);

/* Rewrites the search row and publishes catalog.product.upserted (in tx). */
int	catalog_product_changed(sqlite3 *, int64_t rowid);

/* catalog_stock.c */
int	catalog_stock_get(struct core_req *);
int	catalog_stock_list(struct core_req *);
int	catalog_stock_adjust(struct core_req *);
int	catalog_on_order_created(sqlite3 *, const struct core_event *);
int	catalog_on_order_cancelled(sqlite3 *, const struct core_event *);
int	catalog_on_price_changed(sqlite3 *, const struct core_event *);

/*
 * Records a stock change of variant (rowid) in the ledger and publishes
 * catalog.stock.changed (and catalog.stock.low when it crosses its
 * threshold).  Inside a write transaction.  Returns 0 or -1.
 */
int	catalog_stock_move(sqlite3 *, int64_t variant, int64_t on_hand_delta,
	    int64_t reserved_delta, const char *reason, const char *reference,
	    const char *note);

/* catalog_search.c */
int	catalog_search(struct core_req *);

/* catalog_seed.c */
int	catalog_seed(sqlite3 *);

#endif
