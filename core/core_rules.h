/*
 * The pricing rules engine: given cart lines, a customer context, tax rates
 * and promotions, it prices the cart: line totals, per-line discounts, the
 * order discount's share on every line, shipping, tax and the grand total,
 * and for every promotion whether it applied and, if not, why.  Pricing
 * previews carts with it and checkout prices orders with it from its own
 * copies of the data, so both get the very same numbers.
 *
 * It is pure C: no Kore, no SQLite, no heap.  The caller owns the input and
 * the result; strings are borrowed for the length of the call only.  Every
 * input has a fixed maximum (CORE_RULES_MAX_*) and anything beyond it, or any
 * amount that would pass CORE_MONEY_MAX, is refused with an error code
 * instead of being truncated.
 *
 * Money is integer minor units of one currency.  Rates and percentages share
 * one scale, CORE_RULES_RATE_ONE (100000 = 100%), so 7.7% is 7700 and
 * 8.875% is 8875.
 *
 * Application order (docs/PRICING.md has worked examples):
 *  1. Lines are sorted by SKU (the canonical key), so nothing depends on
 *     the order the caller listed them in; results are mapped back.
 *  2. Each promotion's conditions are checked against the cart as entered
 *     (before any discount); the first failing one is its reason.
 *  3. Eligible promotions are selected by precedence: priority, higher
 *     first, then id (byte order).  One is refused if it or an already
 *     selected one is exclusive ("exclusive_conflict"), or if it and a
 *     selected one do not each list the other's class in combines_with
 *     ("does_not_combine"); blocked_by names the selected one.
 *  4. Selected promotions are applied by class: product discounts, then
 *     order discounts on what product discounts left, then shipping; within
 *     a class in precedence order, each on what the previous ones left.
 *  5. An order discount is split over the lines by largest remainder in
 *     proportion to what each line still costs; ties go to the line first
 *     in SKU order.
 *  6. Tax is computed per line on the line's net (after all discounts) and
 *     on shipping's net, rounded half away from zero on each line; the tax
 *     total is the sum of the rounded line taxes.
 *
 * No discount exceeds what it applies to, so no line, total or shipping
 * amount is ever negative.
 */
#ifndef CORE_RULES_H
#define CORE_RULES_H

#include <stdint.h>

/* 100%: rates and percentages are parts per 100000. */
#define CORE_RULES_RATE_ONE		100000

#define CORE_RULES_MAX_LINES		200
#define CORE_RULES_MAX_PROMOS		100
#define CORE_RULES_MAX_RATES		256
#define CORE_RULES_MAX_CODES		8
#define CORE_RULES_MAX_GROUPS		16	/* per customer, per promotion */
#define CORE_RULES_MAX_LINE_CATEGORIES	16
#define CORE_RULES_MAX_MATCH		64	/* per list in a match */
#define CORE_RULES_MAX_QUANTITY		1000000

/* Results of core_rules_quote(). */
enum core_rules_error {
	CORE_RULES_OK = 0,
	CORE_RULES_ERR_LIMIT = -1,	/* more than a CORE_RULES_MAX_* */
	CORE_RULES_ERR_INPUT = -2,	/* a missing or out-of-range field */
	CORE_RULES_ERR_DUPLICATE = -3,	/* two lines with one SKU, two promos
					   with one id */
	CORE_RULES_ERR_TAX = -4,	/* no rate for a category in country */
	CORE_RULES_ERR_OVERFLOW = -5	/* an amount past CORE_MONEY_MAX */
};

/* Discount classes, as bits for combines_with. */
#define CORE_RULES_CLASS_PRODUCT	0x01
#define CORE_RULES_CLASS_ORDER		0x02
#define CORE_RULES_CLASS_SHIPPING	0x04
#define CORE_RULES_CLASS_ALL		0x07

enum core_rules_action {
	CORE_RULES_ORDER_PERCENT = 1,	/* value: rate off the order */
	CORE_RULES_ORDER_FIXED,		/* value: minor units off the order */
	CORE_RULES_ITEMS_PERCENT,	/* value: rate off each matching line */
	CORE_RULES_ITEMS_FIXED,		/* value: minor units off each
					   matching unit */
	CORE_RULES_BUY_X_GET_Y,		/* see buy_qty, get_qty, value */
	CORE_RULES_FREE_SHIPPING,	/* shipping's whole amount */
	CORE_RULES_ITEMS_FIXED_TOTAL	/* value: minor units off the matching
					   lines together, split over them by
					   largest remainder */
};

/* Why a promotion did not apply; CORE_RULES_APPLIED when it did. */
enum core_rules_reason {
	CORE_RULES_APPLIED = 0,
	CORE_RULES_NOT_STARTED,		/* now < starts_at */
	CORE_RULES_EXPIRED,		/* now >= ends_at */
	CORE_RULES_CODE_REQUIRED,	/* its code was not entered */
	CORE_RULES_USAGE_LIMIT,		/* uses >= usage_limit */
	CORE_RULES_CUSTOMER_USAGE_LIMIT,/* customer_uses >= customer_limit */
	CORE_RULES_CUSTOMER_GROUP,	/* customer in none of its groups */
	CORE_RULES_FIRST_ORDER,		/* first orders only, and it is not */
	CORE_RULES_NO_MATCHING_ITEMS,	/* no line matches its match */
	CORE_RULES_MIN_QUANTITY,	/* too few matching units */
	CORE_RULES_MIN_SUBTOTAL,	/* matching lines' subtotal too low */
	CORE_RULES_NOTHING_TO_DISCOUNT,	/* what it discounts is 0 */
	CORE_RULES_EXCLUSIVE_CONFLICT,	/* blocked_by is, or it is, exclusive */
	CORE_RULES_DOES_NOT_COMBINE	/* it and blocked_by do not combine */
};

/*
 * A set of lines: those whose SKU, product id or any category is listed.
 * All three lists empty means every line.
 */
struct core_rules_match {
	const char *const	*skus;
	int			 nskus;
	const char *const	*products;
	int			 nproducts;
	const char *const	*categories;
	int			 ncategories;
};

/* A cart line.  unit_price includes tax iff prices_include_tax. */
struct core_rules_line {
	const char		*sku;		/* unique in the cart, non-empty */
	const char		*product_id;	/* may be NULL */
	const char *const	*categories;
	int			 ncategories;
	const char		*tax_category;	/* e.g. "standard" */
	int64_t			 unit_price;	/* >= 0 */
	int64_t			 quantity;	/* 1..CORE_RULES_MAX_QUANTITY */
};

/* One tax rate: category in country, 0..CORE_RULES_RATE_ONE. */
struct core_rules_tax_rate {
	const char	*country;
	const char	*category;
	int64_t		 rate;
};

struct core_rules_promo {
	const char	*id;		/* unique, non-empty; tie-break order */
	const char	*code;		/* NULL or "": automatic */
	int		 priority;	/* higher is selected and applied first */
	int		 exclusive;	/* combines with nothing */
	unsigned	 combines_with;	/* CORE_RULES_CLASS_* bits */

	/* Conditions; a zero or empty field is no condition. */
	int64_t		 starts_at;	/* now >= starts_at (ms since the
					   epoch, like now and ends_at) */
	int64_t		 ends_at;	/* now < ends_at */
	int64_t		 usage_limit;	/* uses so far must be below */
	int64_t		 uses;
	int64_t		 customer_limit;/* this customer's uses must be below */
	int64_t		 customer_uses;
	const char *const *groups;	/* customer in any of these */
	int		 ngroups;
	int		 first_order_only;
	struct core_rules_match match;	/* qualifying lines; for buy X get Y
					   the X lines */
	int64_t		 min_quantity;	/* units of qualifying lines */
	int64_t		 min_subtotal;	/* subtotal of qualifying lines */

	/* Action. */
	enum core_rules_action action;
	int64_t		 value;		/* rate or minor units, per action */
	/*
	 * Buy X get Y: each application takes buy_qty units of qualifying
	 * lines and discounts get_qty units of get_match lines (qualifying
	 * lines if get_match is empty) by value (CORE_RULES_RATE_ONE: free).
	 * A unit counts once, as X or as Y.  As many applications as the
	 * cart allows, at most max_applications (0: no limit); then the
	 * cheapest Y units that still leave enough X units.
	 */
	int64_t		 buy_qty;
	int64_t		 get_qty;
	int64_t		 max_applications;
	struct core_rules_match get_match;
};

struct core_rules_customer {
	const char *const *groups;
	int		   ngroups;
	int		   first_order;	/* 1: no earlier order */
};

struct core_rules_input {
	const struct core_rules_line	  *lines;
	int				   nlines;	/* 0..MAX_LINES */
	const struct core_rules_promo	  *promos;
	int				   npromos;
	const struct core_rules_tax_rate  *rates;
	int				   nrates;
	const char			  *country;	/* selects rates */
	int				   prices_include_tax;
	struct core_rules_customer	   customer;
	const char *const		  *codes;	/* entered codes */
	int				   ncodes;
	int64_t				   now;		/* ms since the epoch,
							   as starts_at */
	int64_t				   shipping;	/* same basis as
							   prices, >= 0 */
	int				   shipping_taxable;
	const char			  *shipping_tax_category;
};

/* One line of the result, at the index the line had in the input. */
struct core_rules_line_result {
	int64_t	unit_price;
	int64_t	quantity;
	int64_t	subtotal;		/* unit_price * quantity */
	int64_t	item_discount;		/* product discounts on this line */
	int64_t	order_discount;		/* its share of order discounts */
	int64_t	net;			/* subtotal - both discounts */
	int64_t	tax;			/* in net when prices include tax */
	int64_t	total;			/* what the customer pays for it */
};

/* One promotion of the result, at the index it had in the input. */
struct core_rules_promo_result {
	int			applied;
	enum core_rules_reason	reason;
	int64_t			amount;		/* its discount, >= 0 */
	int			blocked_by;	/* input index, or -1 */
	int64_t			applications;	/* buy X get Y: times applied */
};

struct core_rules_result {
	struct core_rules_line_result	lines[CORE_RULES_MAX_LINES];
	int				nlines;
	struct core_rules_promo_result	promos[CORE_RULES_MAX_PROMOS];
	int				npromos;

	int64_t	subtotal;		/* sum of line subtotals */
	int64_t	item_discount;		/* sum of product discounts */
	int64_t	order_discount;		/* sum of order discounts */
	int64_t	shipping;		/* shipping as given */
	int64_t	shipping_discount;
	int64_t	shipping_net;		/* shipping - shipping_discount */
	int64_t	shipping_tax;
	int64_t	shipping_total;
	int64_t	discount;		/* item + order + shipping discounts */
	int64_t	tax;			/* line taxes + shipping tax */
	int64_t	total;			/* line totals + shipping_total */

	/* On error: the input line and promotion at fault, or -1. */
	int	err_line;
	int	err_promo;
};

/*
 * Prices in into *out.  Returns CORE_RULES_OK, or a negative
 * enum core_rules_error with err_line / err_promo set when a line or a
 * promotion is at fault; *out is then incomplete and must not be used.
 * Deterministic: the same input, in any line or promotion order, gives the
 * same result.  Uses at most about 26 KB of stack (gcc -fstack-usage)
 * and no heap.
 */
int	core_rules_quote(struct core_rules_result *out,
	    const struct core_rules_input *in)
	    __attribute__((warn_unused_result));

/* The machine-readable name of a reason ("min_subtotal"); never NULL. */
const char	*core_rules_reason_str(enum core_rules_reason);

/* The name of an error code ("limit", "overflow"); never NULL. */
const char	*core_rules_error_str(int);

#endif
