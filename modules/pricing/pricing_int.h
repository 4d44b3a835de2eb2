/*
 * Shared by the pricing module's files only.
 */
#ifndef PRICING_INT_H
#define PRICING_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core_bus.h"
#include "core/core_http.h"
#include "core/core_id.h"
#include "core/core_rules.h"

#define PRICING_SKU_MAX		64
#define PRICING_PAGE_MAX	200
#define PRICING_BULK_MAX	500
#define PRICING_NAME_MAX	100
#define PRICING_CODE_MAX	40
/* A tax rate is parts per 100,000: 19% is 19000, 8.875% is 8875. */
#define PRICING_RATE_SCALE	100000

/*
 * If-Match in pricing (core_http_if_match): "*" matches any existing
 * version; required on PATCH and on settings, optional on the PUTs that
 * create or replace.
 */
#define PRICING_IFM_REQUIRED	(CORE_HTTP_IFM_REQUIRED | CORE_HTTP_IFM_ANY)
#define PRICING_IFM_OPTIONAL	CORE_HTTP_IFM_ANY

/* pricing.c: helpers every file uses. */
/*
 * Begins a write transaction in which current(db, id) is still version
 * (the version the request's If-Match was checked against).  Returns 0
 * inside it, or -1 after answering 500 or, rolled back, 412 as
 * core_http_if_match does for the version now stored.
 */
int	pricing_begin_at(struct core_req *, sqlite3 *, int64_t version,
	    int64_t (*current)(sqlite3 *, const char *), const char *id,
	    const char *what);
/*
 * Answers a page of the rows of st (bound, LIMIT limit; columns id, rowid)
 * each rendered by json (ids it finds no more are left out); next is the
 * last rowid when the page is full.  Returns KORE_RESULT_OK.
 */
int	pricing_page_by_rowid(struct core_req *, sqlite3 *, sqlite3_stmt *,
	    int limit, cJSON *(*json)(sqlite3 *, const char *));
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

/* pricing_settings.c */
int	pricing_settings_get(struct core_req *);
int	pricing_settings_put(struct core_req *);
/* Decimals of ISO 4217 currency code (2 for EUR), or -1 if unknown. */
int	pricing_currency_minor(const char *code);

/* pricing_tax.c */
int	pricing_tax_categories_list(struct core_req *);
int	pricing_tax_categories_create(struct core_req *);
int	pricing_tax_rates_list(struct core_req *);
int	pricing_tax_rates_put(struct core_req *);
int	pricing_tax_rates_delete(struct core_req *);
int	pricing_product_tax_get(struct core_req *);
int	pricing_product_tax_put(struct core_req *);
/* 1 if s is a code: 1-40 of a-z 0-9 - _, starting with a letter. */
int	pricing_code_valid(const char *);
/*
 * Sets the rate of (country, category), in the caller's transaction, and
 * publishes pricing.tax.changed when it changed.  Returns 0 or -1.
 */
int	pricing_tax_rate_set(sqlite3 *, const char *country,
	    const char *category, int64_t rate);

/* pricing_groups.c */
int	pricing_groups_list(struct core_req *);
int	pricing_groups_create(struct core_req *);
int	pricing_groups_get(struct core_req *);
int	pricing_groups_patch(struct core_req *);
int	pricing_groups_delete(struct core_req *);
int	pricing_members_list(struct core_req *);
int	pricing_members_put(struct core_req *);
int	pricing_members_delete(struct core_req *);
/* The version of group id, 0 when there is none. */
int64_t	pricing_group_version(sqlite3 *, const char *id);
/*
 * Begins a write transaction on db for group r->params[0].  Returns 0
 * inside it, or -1 after answering 500 or 404 (no such group).
 */
int	pricing_group_begin(struct core_req *, sqlite3 *);
/* A row of a group's table that DELETE /groups/{id}/.../{key} removes. */
struct pricing_group_row {
	const char	*delete_sql;	/* ?1 group, ?2 key; a literal */
	const char	*key;		/* its member in the event */
	const char	*change;	/* the event's change */
	const char	*type, *detail;	/* 404 when no row */
	const char	*what;		/* logged on errors */
};
/*
 * Deletes the row r->params[1] of group r->params[0] as g says, publishes
 * the change and answers 204 (or 404 / 500).  Returns KORE_RESULT_OK.
 */
int	pricing_group_row_delete(struct core_req *,
	    const struct pricing_group_row *g);
/*
 * Creates a group (in tx) with a new id into id and publishes it.
 * Returns 0, 1 when the code is taken, or -1.
 */
int	pricing_group_insert(sqlite3 *, const char *name, const char *code,
	    char *id, size_t idlen);
/* Adds customer to group (in tx): 0 added, 1 already in, -1 error. */
int	pricing_member_add(sqlite3 *, const char *group, const char *customer);
/*
 * Publishes pricing.group.changed v1 for group id with change and the
 * members of extra (consumed, may be NULL).  Returns 0 or -1.
 */
int	pricing_group_publish(sqlite3 *, const char *id, const char *change,
	    cJSON *extra);

/* pricing_group_prices.c */
int	pricing_group_prices_list(struct core_req *);
int	pricing_group_prices_put(struct core_req *);
int	pricing_group_prices_delete(struct core_req *);
/*
 * Sets group's override of sku (starts/ends in ms, -1: open) in tx and
 * publishes it when it changed.  Returns 0 or -1.
 */
int	pricing_group_price_write(sqlite3 *, const char *group,
	    const char *sku, int64_t amount, int64_t starts, int64_t ends);

/* pricing_promo_def.c: a promotion's definition (contract in
 * docs/contracts/pricing-v1.md). */
struct pricing_promo_def {
	const char	*name, *description, *status, *trigger; /* borrowed */
	int64_t		 starts_at, ends_at;	/* ms, -1: open */
	int64_t		 priority;
	int		 exclusive;
	int64_t		 usage_limit, customer_usage_limit;	/* -1: none */
	char		*combines_with, *conditions, *action;	/* JSON, owned */
};
/* A stored promotion ready for the rules engine; p points into the rest. */
struct pricing_promo {
	char		 id[CORE_ID_MAX];
	char		 name[PRICING_NAME_MAX + 1];
	int		 code;		/* 1: trigger "code" */
	const char	*class;		/* "product", "order", "shipping" */
	cJSON		*conditions, *action;	/* owned */
	const char	*names[6 * CORE_RULES_MAX_MATCH];
	const char	*groups[CORE_RULES_MAX_GROUPS];
	struct core_rules_promo p;
};
int	pricing_promo_def_check(sqlite3 *, const cJSON *,
	    struct pricing_promo_def *, cJSON **errors);
void	pricing_promo_def_cleanup(struct pricing_promo_def *);
/* Fills pp->p's conditions and action from pp->conditions and action. */
int	pricing_promo_engine(struct pricing_promo *);
/* "product", "order" or "shipping" for an action type. */
const char *pricing_promo_class(const char *action_type);

/* pricing_promotions.c */
#define PRICING_PROMO_ACTIVE_MAX	CORE_RULES_MAX_PROMOS
int	pricing_promotions_list(struct core_req *);
int	pricing_promotions_create(struct core_req *);
int	pricing_promotions_get(struct core_req *);
int	pricing_promotions_patch(struct core_req *);
int	pricing_promotions_delete(struct core_req *);
/*
 * Inserts a promotion (in tx) from def with a new id and publishes it.
 * Returns 0, 1 when too many are active, or -1.
 */
int	pricing_promo_insert(sqlite3 *, const struct pricing_promo_def *,
	    char *id, size_t idlen);
/*
 * The active promotions, parsed once per worker and read again when a
 * write bumped promotion_state.  Borrowed until the next call.  Returns
 * the count, or -1.
 */
int	pricing_promos_active(sqlite3 *, const struct pricing_promo **);

/* pricing_coupons.c */
#define PRICING_COUPON_MAX	32
int	pricing_coupons_list(struct core_req *);
int	pricing_coupons_create(struct core_req *);
int	pricing_coupons_get(struct core_req *);
int	pricing_coupons_patch(struct core_req *);
int	pricing_coupons_delete(struct core_req *);
/* 1 if id is a promotion with trigger "code". */
int	pricing_code_promo(sqlite3 *, const char *id);
/*
 * expires_at, usage_limit and customer_usage_limit of o (each optional;
 * *limit gets dlimit when absent, -1 when null).  Adds errors and returns
 * -1 when bad.
 */
int	pricing_coupon_limits(const cJSON *o, int64_t *expires, int64_t *limit,
	    int64_t *climit, int64_t dlimit, cJSON **errors);
/* Upper-cases s into out (len bytes); 0, or -1 when not a coupon code. */
int	pricing_coupon_norm(char *out, size_t len, const char *s);
/* Inserts coupon code for promotion (in tx) and publishes it: 0, 1 taken,
 * -1 error.  Times in ms and limits -1 for none. */
int	pricing_coupon_insert(sqlite3 *, const char *code, const char *promo,
	    const char *batch, int64_t expires, int64_t limit,
	    int64_t customer_limit);

/* pricing_batches.c */
int	pricing_batches_list(struct core_req *);
int	pricing_batches_create(struct core_req *);
int	pricing_batches_get(struct core_req *);
int	pricing_batches_csv(struct core_req *);

/* pricing_quote.c */
int	pricing_quote(struct core_req *);

/* pricing_seed.c: demo tax rates and groups. */
int	pricing_seed(sqlite3 *);

/* pricing_copies.c: the copies fed by other modules' events. */
int	pricing_on_product_upserted(sqlite3 *, const struct core_event *);
int	pricing_on_product_deleted(sqlite3 *, const struct core_event *);
int	pricing_on_price_imported(sqlite3 *, const struct core_event *);
int	pricing_on_customer_registered(sqlite3 *, const struct core_event *);

/* pricing_orders.c: use counts fed by checkout's orders. */
int	pricing_on_order_created(sqlite3 *, const struct core_event *);

#endif
