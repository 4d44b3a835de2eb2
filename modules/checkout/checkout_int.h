/*
 * Shared by the checkout module's files only.
 */
#ifndef CHECKOUT_INT_H
#define CHECKOUT_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core_bus.h"
#include "core/core_http.h"
#include "core/core_id.h"
#include "core/core_rules.h"

#define CHECKOUT_SKU_MAX	64
#define CHECKOUT_NAME_MAX	100
#define CHECKOUT_CODE_MAX	40
#define CHECKOUT_COUPON_MAX	32
#define CHECKOUT_QTY_MAX	1000
#define CHECKOUT_PAGE_MAX	200
#define CHECKOUT_ZONE_COUNTRIES	250
#define CHECKOUT_BRACKETS_MAX	20

/* checkout.c: helpers every file uses. */
/* Answers 500 and returns KORE_RESULT_OK. */
int	checkout_internal(struct core_req *);
/* Answers 404 problem+json of type with detail; returns KORE_RESULT_OK. */
int	checkout_not_found(struct core_req *, const char *type,
	    const char *detail);
/* Adds column col of st to o: text, or null when NULL. */
void	checkout_add_text(cJSON *o, const char *key, sqlite3_stmt *, int col);
/* Adds an integer column, or null when NULL. */
void	checkout_add_int(cJSON *o, const char *key, sqlite3_stmt *, int col);
/* Adds a column holding JSON text as parsed JSON (null if unreadable). */
void	checkout_add_json(cJSON *o, const char *key, sqlite3_stmt *, int col);
/* 1 if s is a SKU as catalog allows it (1-64 of A-Z a-z 0-9 . _ / -). */
int	checkout_sku_valid(const char *);
/* RFC 3339 (as pricing publishes it) into ms; 0, or -1 if not one. */
int	checkout_time_parse(const char *, int64_t *ms);
/* Runs one bound-free statement text with one or two text arguments. */
int	checkout_exec2(sqlite3 *, const char *sql, const char *a,
	    const char *b);

/* checkout_copies.c: the copies fed by catalog's and pricing's events. */
int	checkout_on_product_upserted(sqlite3 *, const struct core_event *);
int	checkout_on_product_deleted(sqlite3 *, const struct core_event *);
int	checkout_on_price_changed(sqlite3 *, const struct core_event *);
int	checkout_on_settings_changed(sqlite3 *, const struct core_event *);
int	checkout_on_group_changed(sqlite3 *, const struct core_event *);
int	checkout_on_tax_changed(sqlite3 *, const struct core_event *);
int	checkout_on_promotion_changed(sqlite3 *, const struct core_event *);
int	checkout_on_coupon_changed(sqlite3 *, const struct core_event *);
/* Empties every copy (replay). */
int	checkout_copies_reset(sqlite3 *);

/* checkout_promos.c: the copied promotions as rules-engine input. */
struct checkout_promo {
	char		 id[CORE_ID_MAX];
	char		 name[CHECKOUT_NAME_MAX + 1];
	int		 code;		/* 1: trigger "code" */
	const char	*class;		/* "product", "order", "shipping" */
	cJSON		*conditions, *action;	/* owned, unless borrowed */
	int		 borrowed;	/* a copy of the worker's cache */
	const char	*names[6 * CORE_RULES_MAX_MATCH];
	const char	*groups[CORE_RULES_MAX_GROUPS];
	struct core_rules_promo p;
};
/*
 * Loads the active promotions of the copy into pp (CORE_RULES_MAX_PROMOS
 * of them).  Returns the count, or -1.  Free with checkout_promos_free.
 * The entries may borrow from the worker's parsed copy, which stays valid
 * until the copy has changed twice more: use them within the request.
 */
int	checkout_promos_load(sqlite3 *, struct checkout_promo *pp);
void	checkout_promos_free(struct checkout_promo *pp, int n);

/* checkout_price.c: pricing a cart from the copies. */
/*
 * Prices cart id in the caller's write transaction: stale lines take
 * their unit price from the copies, then the whole cart goes through
 * core_rules_quote() and every line's result and the cart's totals,
 * promotions, coupon and shipping are stored.  On bad input (a stale
 * line's SKU not on sale, no tax rate) *errors gets the reasons and 1 is
 * returned; 0 on success, -1 on a db error.
 */
int	checkout_cart_price(sqlite3 *, const char *id, cJSON **errors);
/*
 * At placement, in its transaction: checkout_cart_price, then whether the
 * cart lost what it showed before (why says what): 2 its coupon (a limit
 * reached meanwhile), 3 a promotion (a use limit reached or an order
 * counted meanwhile); else as checkout_cart_price.
 */
int	checkout_cart_reprice(sqlite3 *, const char *id, cJSON **errors,
	    char *why, size_t whylen);
/* Adds "promotions" (applied ids) and "coupon" (applied code or null). */
void	checkout_price_applied(const cJSON *priced, cJSON *p);
/* Counts a use of every promotion the cart applied, for order.  0, -1. */
int	checkout_promo_uses_add(sqlite3 *, const char *cart,
	    const char *order, const char *customer);

/* checkout_carts.c */
int	checkout_carts_create(struct core_req *);
int	checkout_carts_get(struct core_req *);
int	checkout_lines_add(struct core_req *);
int	checkout_lines_patch(struct core_req *);
int	checkout_lines_delete(struct core_req *);
int	checkout_coupon_put(struct core_req *);
int	checkout_coupon_delete(struct core_req *);
int	checkout_shipping_put(struct core_req *);
int	checkout_carts_merge(struct core_req *);

/* checkout_shipping.c */
int	checkout_zones_list(struct core_req *);
int	checkout_zones_create(struct core_req *);
int	checkout_zones_get(struct core_req *);
int	checkout_zones_patch(struct core_req *);
int	checkout_zones_delete(struct core_req *);
int	checkout_methods_list(struct core_req *);
int	checkout_methods_create(struct core_req *);
int	checkout_methods_patch(struct core_req *);
int	checkout_methods_delete(struct core_req *);
int	checkout_methods_public(struct core_req *);
/*
 * What method costs for a cart of weight grams and subtotal (price
 * basis) shipped to country: 0 and *amount, *name (a borrowed copy into
 * name, namelen) when it is offered; 1 when the method does not exist,
 * is not in country's zone or is not available for this cart; -1 on a
 * db error.
 */
int	checkout_shipping_quote(sqlite3 *, const char *method,
	    const char *country, int64_t weight, int64_t subtotal,
	    int64_t *amount, char *name, size_t namelen);
/*
 * What a method of kind (flat, weight, free_above, pickup) costs a cart
 * of weight grams and subtotal: 0 and *out, or 1 when it is not offered
 * to that cart (no weight bracket holds it, the subtotal is below
 * min_subtotal).  brackets is the stored JSON.  No I/O.
 */
int	checkout_method_amount(const char *kind, int64_t amount,
	    int64_t min_subtotal, const char *brackets, int64_t weight,
	    int64_t subtotal, int64_t *out);
/* 1 if some zone ships to country. */
int	checkout_ships_to(sqlite3 *, const char *country);

/* checkout_orders_http.c: placing an order and the stock saga. */
int	checkout_orders_place(struct core_req *);
int	checkout_on_stock_reserved(sqlite3 *, const struct core_event *);
int	checkout_on_stock_rejected(sqlite3 *, const struct core_event *);

/* checkout_orders_read.c: order lists, detail and transitions. */
int	checkout_orders_list(struct core_req *);
int	checkout_orders_get(struct core_req *);
int	checkout_orders_transition(struct core_req *);
int	checkout_my_orders_list(struct core_req *);
int	checkout_my_order_get(struct core_req *);
int	checkout_orders_refund(struct core_req *);
int	checkout_orders_refund_preview(struct core_req *);
int	checkout_orders_invoice(struct core_req *);

/*
 * checkout_invoice_settings.c: the seller the invoice names, and the
 * invoice itself for staff and for the customer who placed the order.
 * Limits are characters; the arrays hold them as UTF-8.
 */
#define CHECKOUT_INV_NAME_MAX		100
#define CHECKOUT_INV_ADDRESS_MAX	400
#define CHECKOUT_INV_ADDRESS_LINES	8
#define CHECKOUT_INV_VAT_MAX		32
#define CHECKOUT_INV_FOOTER_MAX		1000
#define CHECKOUT_INV_FOOTER_LINES	12
struct checkout_invoice_seller {
	char		name[CHECKOUT_INV_NAME_MAX * 4 + 1];
	char		address[CHECKOUT_INV_ADDRESS_MAX * 4 + 1]; /* '\n' lines */
	char		vat_id[CHECKOUT_INV_VAT_MAX + 1];
	char		footer[CHECKOUT_INV_FOOTER_MAX * 4 + 1];	/* '\n' lines */
	int64_t		issued_at;	/* ms: the approval; 0: no invoice yet */
};
int	checkout_invoice_settings_get(struct core_req *);
int	checkout_invoice_settings_put(struct core_req *);
/* Answers order r->params[0]'s invoice; customer, when set, must own it. */
int	checkout_invoice_answer(struct core_req *, const char *customer);
int	checkout_my_order_invoice(struct core_req *);
/* The demo seller, on a first start with demo data.  0 or -1. */
int	checkout_invoice_settings_seed(sqlite3 *);
/*
 * checkout_order_invoice.c: o's printable HTML with seller's block, text
 * escaped.  A malloc'ed string (free it) or NULL.  Pure.
 */
struct checkout_order;
char	*checkout_order_invoice_doc(const struct checkout_order *,
	    const struct checkout_invoice_seller *);

/* checkout_stats.c: the admin dashboard's sales figures. */
int	checkout_stats_get(struct core_req *);

/* checkout_seed.c */
int	checkout_seed(sqlite3 *);

#endif
