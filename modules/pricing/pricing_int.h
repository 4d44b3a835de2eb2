/*
 * Shared by the pricing module's files only.
 */
#ifndef PRICING_INT_H
#define PRICING_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core_bus.h"
#include "core/core_http.h"

#define PRICING_SKU_MAX		64
#define PRICING_PAGE_MAX	200
#define PRICING_BULK_MAX	500
#define PRICING_NAME_MAX	100
#define PRICING_CODE_MAX	40
/* A tax rate is parts per 100,000: 19% is 19000, 8.875% is 8875. */
#define PRICING_RATE_SCALE	100000

/* pricing.c: helpers every file uses. */
/* Sets the ETag header to "v<version>". */
void	pricing_etag(struct core_req *, int64_t version);
/*
 * Checks If-Match against version.  Without the header: 0 when optional,
 * else answers 428 and returns -1.  A header naming another version
 * answers 412 (with the current ETag) and returns -1.  what names the
 * resource in the detail.
 */
int	pricing_if_match(struct core_req *, int64_t version, int required,
	    const char *what);
/* Answers 500 and returns KORE_RESULT_OK. */
int	pricing_internal(struct core_req *);
/* Answers 404 problem+json of type with detail; returns KORE_RESULT_OK. */
int	pricing_not_found(struct core_req *, const char *type,
	    const char *detail);
/* Adds column col of st to o under key: text, or null when NULL. */
void	pricing_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col);
/* Adds an integer column, or null when NULL. */
void	pricing_add_int(cJSON *o, const char *key, sqlite3_stmt *st, int col);
/* The shop currency into cur (4 bytes). */
void	pricing_currency(sqlite3 *, char cur[4]);
/* 1 if s is a SKU as catalog allows it (1-64 of A-Z a-z 0-9 . _ / -). */
int	pricing_sku_valid(const char *);
/*
 * "2026-11-26T12:00:00Z" or with a fraction and/or an offset into ms
 * since the epoch.  Returns 0, or -1 when s is not RFC 3339.
 */
int	pricing_time_parse(const char *s, int64_t *ms);

/* pricing_prices.c */
int	pricing_prices_put(struct core_req *);
int	pricing_prices_get(struct core_req *);
int	pricing_prices_list(struct core_req *);
int	pricing_prices_bulk(struct core_req *);
/*
 * Stores the base price of sku (compare_at < 0: none) with origin
 * "staff" or "import", bumps its version and publishes
 * pricing.price.changed, in the caller's transaction.  *version (may be
 * NULL) gets the new version.  Returns 0 or -1.
 */
int	pricing_price_write(sqlite3 *, const char *sku, int64_t amount,
	    int64_t compare_at, const char *origin, int64_t *version);

/* pricing_copies.c: the copies fed by other modules' events. */
int	pricing_on_product_upserted(sqlite3 *, const struct core_event *);
int	pricing_on_product_deleted(sqlite3 *, const struct core_event *);
int	pricing_on_price_imported(sqlite3 *, const struct core_event *);
int	pricing_on_customer_registered(sqlite3 *, const struct core_event *);

#endif
