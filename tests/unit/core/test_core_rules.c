/*
 * Unit tests of the pricing rules engine (core/core_rules.c): every
 * condition, every action, every stacking rule, tax rounding and the input
 * limits, each on a small cart whose numbers are worked out by hand in the
 * comment above the assertions.  Amounts are in cents.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules.h"

static struct core_rules_input	 rt_in;
static struct core_rules_result	 rt_out;
static struct core_rules_line	 rt_lines[CORE_RULES_MAX_LINES + 1];
static struct core_rules_promo	 rt_promos[CORE_RULES_MAX_PROMOS + 1];

static const struct core_rules_tax_rate rt_rates[] = {
	{ "DE", "standard", 19000 },
	{ "DE", "reduced", 7000 },
	{ "DE", "zero", 0 },
	{ "CH", "standard", 7700 },
	{ "US", "standard", 8875 },
};

static const char *const rt_shirts[] = { "shirts" };
static const char *const rt_socks[] = { "socks" };

static void	rt_setup(void);
static struct core_rules_line *rt_line(const char *, int64_t, int64_t);
static struct core_rules_promo *rt_promo(const char *,
		    enum core_rules_action, int64_t);
static int	rt_quote(void);
static const struct core_rules_promo_result *rt_res(int);

/* Germany, prices excluding tax, no shipping, no promotions. */
static void
rt_setup(void)
{
	memset(&rt_in, 0, sizeof(rt_in));
	memset(rt_lines, 0, sizeof(rt_lines));
	memset(rt_promos, 0, sizeof(rt_promos));
	rt_in.lines = rt_lines;
	rt_in.promos = rt_promos;
	rt_in.rates = rt_rates;
	rt_in.nrates = sizeof(rt_rates) / sizeof(rt_rates[0]);
	rt_in.country = "DE";
	rt_in.now = 1700000000;
	rt_in.shipping_tax_category = "standard";
}

static struct core_rules_line *
rt_line(const char *sku, int64_t price, int64_t qty)
{
	struct core_rules_line	*l = &rt_lines[rt_in.nlines++];

	l->sku = sku;
	l->tax_category = "standard";
	l->unit_price = price;
	l->quantity = qty;
	return (l);
}

/* A promotion that combines with every class, so tests opt out of it. */
static struct core_rules_promo *
rt_promo(const char *id, enum core_rules_action action, int64_t value)
{
	struct core_rules_promo	*p = &rt_promos[rt_in.npromos++];

	p->id = id;
	p->action = action;
	p->value = value;
	p->combines_with = CORE_RULES_CLASS_ALL;
	if (action == CORE_RULES_BUY_X_GET_Y) {
		p->buy_qty = 1;
		p->get_qty = 1;
	}
	return (p);
}

static int
rt_quote(void)
{
	return (core_rules_quote(&rt_out, &rt_in));
}

static const struct core_rules_promo_result *
rt_res(int i)
{
	return (&rt_out.promos[i]);
}

#define RT_NOT_APPLIED(i, why) do {					\
	cr_assert_eq(rt_res(i)->applied, 0);				\
	cr_assert_str_eq(core_rules_reason_str(rt_res(i)->reason), why);\
	cr_assert_eq(rt_res(i)->amount, 0);				\
} while (0)

/* --- lines, tax, rounding ------------------------------------------- */

Test(core_rules, line_totals_and_tax_excluding, .init = rt_setup)
{
	/* 3 x 19.99 = 59.97; 19% = 11.3943 -> 11.39; total 71.36. */
	rt_line("SHIRT", 1999, 3);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].subtotal, 5997);
	cr_assert_eq(rt_out.lines[0].net, 5997);
	cr_assert_eq(rt_out.lines[0].tax, 1139);
	cr_assert_eq(rt_out.lines[0].total, 7136);
	cr_assert_eq(rt_out.subtotal, 5997);
	cr_assert_eq(rt_out.tax, 1139);
	cr_assert_eq(rt_out.total, 7136);
	cr_assert_eq(rt_out.discount, 0);
}

Test(core_rules, tax_is_rounded_per_line_half_away_from_zero,
    .init = rt_setup)
{
	/*
	 * Two lines of 2.50 at 19%: each 0.475 -> 0.48 (half away), tax
	 * 0.96.  Rounding the total instead would give 5.00 * 19% = 0.95:
	 * the per-line rule is the documented one.
	 */
	rt_line("A", 250, 1);
	rt_line("B", 250, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].tax, 48);
	cr_assert_eq(rt_out.lines[1].tax, 48);
	cr_assert_eq(rt_out.tax, 96);
	cr_assert_eq(rt_out.total, 596);
}

Test(core_rules, fine_rates_fit_the_scale, .init = rt_setup)
{
	/* US 8.875% of 100.00 = 8.875 -> 8.88 (887.5 rounds away). */
	rt_in.country = "US";
	rt_line("A", 10000, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].tax, 888);
	cr_assert_eq(rt_out.total, 10888);
}

Test(core_rules, prices_including_tax_hold_the_tax, .init = rt_setup)
{
	/*
	 * CH 7.7%, prices include tax: 10.77 holds 10.77 * 7.7 / 107.7 =
	 * 0.77; 2 x 5.00 holds 10.00 * 7.7 / 107.7 = 0.71495 -> 0.71.  The
	 * customer pays the prices: total 20.77.
	 */
	rt_in.country = "CH";
	rt_in.prices_include_tax = 1;
	rt_line("A", 1077, 1);
	rt_line("B", 500, 2);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].tax, 77);
	cr_assert_eq(rt_out.lines[0].total, 1077);
	cr_assert_eq(rt_out.lines[1].tax, 71);
	cr_assert_eq(rt_out.lines[1].total, 1000);
	cr_assert_eq(rt_out.tax, 148);
	cr_assert_eq(rt_out.total, 2077);
}

Test(core_rules, each_line_has_its_tax_category, .init = rt_setup)
{
	/* 10.00 standard 1.90, 10.00 reduced 0.70, 10.00 zero 0. */
	rt_line("A", 1000, 1);
	rt_line("B", 1000, 1)->tax_category = "reduced";
	rt_line("C", 1000, 1)->tax_category = "zero";
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].tax, 190);
	cr_assert_eq(rt_out.lines[1].tax, 70);
	cr_assert_eq(rt_out.lines[2].tax, 0);
	cr_assert_eq(rt_out.total, 3260);
}

Test(core_rules, shipping_taxable_or_not, .init = rt_setup)
{
	/* 10.00 + shipping 4.90; taxable at reduced 7%: 0.343 -> 0.34. */
	rt_line("A", 1000, 1);
	rt_in.shipping = 490;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.shipping_tax, 0);
	cr_assert_eq(rt_out.shipping_total, 490);
	cr_assert_eq(rt_out.total, 1000 + 190 + 490);

	rt_in.shipping_taxable = 1;
	rt_in.shipping_tax_category = "reduced";
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.shipping_tax, 34);
	cr_assert_eq(rt_out.shipping_total, 524);
	cr_assert_eq(rt_out.tax, 190 + 34);
	cr_assert_eq(rt_out.total, 1190 + 524);
}

/* --- actions -------------------------------------------------------- */

Test(core_rules, items_percent_off_matching_lines, .init = rt_setup)
{
	struct core_rules_promo	*p;

	/*
	 * 3 x 19.99 = 59.97 at 10% off = 5.997 -> 6.00: net 53.97, tax
	 * 19% = 10.2543 -> 10.25, total 64.22.  The sock is not a shirt.
	 */
	rt_line("SHIRT", 1999, 3)->categories = rt_shirts;
	rt_lines[0].ncategories = 1;
	rt_line("SOCK", 500, 1);
	p = rt_promo("p1", CORE_RULES_ITEMS_PERCENT, 10000);
	p->match.categories = rt_shirts;
	p->match.ncategories = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].item_discount, 600);
	cr_assert_eq(rt_out.lines[0].net, 5397);
	cr_assert_eq(rt_out.lines[0].tax, 1025);
	cr_assert_eq(rt_out.lines[0].total, 6422);
	cr_assert_eq(rt_out.lines[1].item_discount, 0);
	cr_assert(rt_res(0)->applied);
	cr_assert_eq(rt_res(0)->amount, 600);
	cr_assert_eq(rt_out.item_discount, 600);
}

Test(core_rules, items_fixed_off_each_unit_capped_at_the_line,
    .init = rt_setup)
{
	struct core_rules_promo	*p;
	static const char *const skus[] = { "A", "B" };

	/*
	 * 2.00 off each unit: A 3 x 5.00 -> 6.00 off; B 3 x 1.50 = 4.50
	 * would be 6.00 off, capped at 4.50.  Amount 10.50.
	 */
	rt_line("A", 500, 3);
	rt_line("B", 150, 3);
	p = rt_promo("p1", CORE_RULES_ITEMS_FIXED, 200);
	p->match.skus = skus;
	p->match.nskus = 2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].item_discount, 600);
	cr_assert_eq(rt_out.lines[1].item_discount, 450);
	cr_assert_eq(rt_out.lines[1].net, 0);
	cr_assert_eq(rt_out.lines[1].total, 0);
	cr_assert_eq(rt_res(0)->amount, 1050);
}

Test(core_rules, items_fixed_total_is_split_over_matching_lines,
    .init = rt_setup)
{
	struct core_rules_promo	*p;

	/*
	 * 10.00 off the shirts together: A 29.99, B 2 x 10.00; the sock is
	 * not a shirt.  Shares of 1000 by 2999:2000 are 599.92 and 400.08:
	 * 599 + 400 = 999, the cent left goes to A (.92): 6.00 and 4.00.
	 */
	rt_line("A", 2999, 1)->categories = rt_shirts;
	rt_lines[0].ncategories = 1;
	rt_line("B", 1000, 2)->categories = rt_shirts;
	rt_lines[1].ncategories = 1;
	rt_line("SOCK", 500, 1);
	p = rt_promo("p1", CORE_RULES_ITEMS_FIXED_TOTAL, 1000);
	p->match.categories = rt_shirts;
	p->match.ncategories = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].item_discount, 600);
	cr_assert_eq(rt_out.lines[1].item_discount, 400);
	cr_assert_eq(rt_out.lines[2].item_discount, 0);
	cr_assert_eq(rt_res(0)->amount, 1000);

	/* 100.00 off takes what the shirts cost, 49.99, and no more. */
	p->value = 10000;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 4999);
	cr_assert_eq(rt_out.lines[0].net, 0);
	cr_assert_eq(rt_out.lines[1].net, 0);
	cr_assert_eq(rt_out.lines[2].net, 500);
}

Test(core_rules, order_percent_is_allocated_by_largest_remainder,
    .init = rt_setup)
{
	/*
	 * 10% off 10.00 + 20.00 + 3.33 = 33.33 -> 3.333 -> 3.33.  Shares
	 * of 333 cents by 1000:2000:333 are 99.91, 199.82, 33.27; truncated
	 * 99 + 199 + 33 = 331, the 2 cents left go to the largest
	 * remainders .91 (A) and .82 (B): 100, 200, 33.
	 */
	rt_line("A", 1000, 1);
	rt_line("B", 2000, 1);
	rt_line("C", 333, 1);
	rt_promo("p1", CORE_RULES_ORDER_PERCENT, 10000);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 333);
	cr_assert_eq(rt_out.lines[0].order_discount, 100);
	cr_assert_eq(rt_out.lines[1].order_discount, 200);
	cr_assert_eq(rt_out.lines[2].order_discount, 33);
	cr_assert_eq(rt_out.order_discount, 333);
	cr_assert_eq(rt_out.lines[2].net, 300);
}

Test(core_rules, order_fixed_ties_go_to_the_first_sku, .init = rt_setup)
{
	/*
	 * 1.00 off three 1.00 lines: 33.33 each, the one cent left goes to
	 * the first in SKU order, "A", although it is the last input line.
	 */
	rt_line("C", 100, 1);
	rt_line("B", 100, 1);
	rt_line("A", 100, 1);
	rt_promo("p1", CORE_RULES_ORDER_FIXED, 100);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.lines[0].order_discount, 33);
	cr_assert_eq(rt_out.lines[1].order_discount, 33);
	cr_assert_eq(rt_out.lines[2].order_discount, 34);
}

Test(core_rules, order_fixed_is_capped_at_the_subtotal, .init = rt_setup)
{
	/* 50.00 off a 30.00 cart takes 30.00; nothing is negative. */
	rt_line("A", 1000, 3);
	rt_promo("p1", CORE_RULES_ORDER_FIXED, 5000);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 3000);
	cr_assert_eq(rt_out.lines[0].net, 0);
	cr_assert_eq(rt_out.tax, 0);
	cr_assert_eq(rt_out.total, 0);
}

Test(core_rules, buy_x_get_y_free_takes_the_cheapest_units,
    .init = rt_setup)
{
	/*
	 * Buy 2 get 1 free on 30.00, 20.00 and 10.00: the 10.00 unit is
	 * free, the others pay for it.  One application, 10.00 off.
	 */
	rt_line("A", 3000, 1);
	rt_line("B", 2000, 1);
	rt_line("C", 1000, 1);
	rt_promo("p1", CORE_RULES_BUY_X_GET_Y, CORE_RULES_RATE_ONE)->buy_qty =
	    2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->applications, 1);
	cr_assert_eq(rt_res(0)->amount, 1000);
	cr_assert_eq(rt_out.lines[2].item_discount, 1000);
	cr_assert_eq(rt_out.lines[0].item_discount, 0);
}

Test(core_rules, buy_x_get_y_counts_a_unit_once, .init = rt_setup)
{
	/*
	 * Buy 2 get 1 free, A 3 x 10.00, B 3 x 5.00: six units could be 3
	 * applications only if 3 free units left 6 paying ones.  k = 3: the
	 * cheapest 3 units (B) are free, 3 left < 6.  k = 2: 2 B free, 4
	 * left >= 4.  So 2 applications, B: 2/3 of 15.00 = 10.00 off.
	 */
	rt_line("A", 1000, 3);
	rt_line("B", 500, 3);
	rt_promo("p1", CORE_RULES_BUY_X_GET_Y, CORE_RULES_RATE_ONE)->buy_qty =
	    2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->applications, 2);
	cr_assert_eq(rt_out.lines[1].item_discount, 1000);
	cr_assert_eq(rt_out.lines[0].item_discount, 0);
}

Test(core_rules, buy_x_get_y_discounted_from_another_set_with_a_maximum,
    .init = rt_setup)
{
	struct core_rules_promo	*p;
	static const char *const shoes[] = { "SHOE" };

	/*
	 * Buy 1 shoe, get 1 sock at 50%, at most twice.  3 shoes, socks
	 * 4.00 x 2 and 3.00 x 2: the two 3.00 socks, 50% of 6.00 = 3.00.
	 */
	rt_line("SHOE", 8000, 3);
	rt_line("SOCK-A", 400, 2)->categories = rt_socks;
	rt_lines[1].ncategories = 1;
	rt_line("SOCK-B", 300, 2)->categories = rt_socks;
	rt_lines[2].ncategories = 1;
	p = rt_promo("p1", CORE_RULES_BUY_X_GET_Y, 50000);
	p->match.skus = shoes;
	p->match.nskus = 1;
	p->get_match.categories = rt_socks;
	p->get_match.ncategories = 1;
	p->max_applications = 2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->applications, 2);
	cr_assert_eq(rt_res(0)->amount, 300);
	cr_assert_eq(rt_out.lines[2].item_discount, 300);
	cr_assert_eq(rt_out.lines[1].item_discount, 0);
	cr_assert_eq(rt_out.lines[0].item_discount, 0);
}

Test(core_rules, buy_x_get_y_short_of_one_application, .init = rt_setup)
{
	/* Buy 2 get 1 with 2 units: no unit is left to be free. */
	rt_line("A", 1000, 2);
	rt_promo("p1", CORE_RULES_BUY_X_GET_Y, CORE_RULES_RATE_ONE)->buy_qty =
	    2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "min_quantity");
	cr_assert_eq(rt_out.total, 2380);

	/* A third unit makes one application: 10.00 off 30.00. */
	rt_lines[0].quantity = 3;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 1000);
	cr_assert_eq(rt_res(0)->applications, 1);
}

Test(core_rules, free_shipping_discounts_shipping_and_its_tax,
    .init = rt_setup)
{
	/* 10.00 + taxable shipping 4.90: free, so 0 shipping and its tax. */
	rt_line("A", 1000, 1);
	rt_in.shipping = 490;
	rt_in.shipping_taxable = 1;
	rt_promo("p1", CORE_RULES_FREE_SHIPPING, 0);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	cr_assert_eq(rt_res(0)->amount, 490);
	cr_assert_eq(rt_out.shipping_discount, 490);
	cr_assert_eq(rt_out.shipping_net, 0);
	cr_assert_eq(rt_out.shipping_tax, 0);
	cr_assert_eq(rt_out.discount, 490);
	cr_assert_eq(rt_out.total, 1190);
}

/* --- conditions ----------------------------------------------------- */

Test(core_rules, min_subtotal_counts_qualifying_lines, .init = rt_setup)
{
	/* 10% off from 50.00: 49.99 is short, 50.00 qualifies (5.00 off). */
	rt_line("A", 4999, 1);
	rt_promo("p1", CORE_RULES_ORDER_PERCENT, 10000)->min_subtotal = 5000;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "min_subtotal");
	cr_assert_eq(rt_out.total, 4999 + 950);	/* 9.4981 -> 9.50 */

	rt_lines[0].unit_price = 5000;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	cr_assert_eq(rt_res(0)->amount, 500);
}

Test(core_rules, min_quantity_counts_qualifying_units, .init = rt_setup)
{
	struct core_rules_promo	*p;

	/* 3 shirts needed; 2 shirts and 5 socks are not 3 shirts. */
	rt_line("SHIRT", 1000, 2)->categories = rt_shirts;
	rt_lines[0].ncategories = 1;
	rt_line("SOCK", 100, 5);
	p = rt_promo("p1", CORE_RULES_ITEMS_PERCENT, 10000);
	p->match.categories = rt_shirts;
	p->match.ncategories = 1;
	p->min_quantity = 3;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "min_quantity");

	rt_lines[0].quantity = 3;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 300);
}

Test(core_rules, products_skus_ids_and_categories_in_the_cart,
    .init = rt_setup)
{
	struct core_rules_promo	*p;
	static const char *const ids[] = { "prod_2" };

	/* An order discount for carts holding product prod_2. */
	rt_line("A", 1000, 1)->product_id = "prod_1";
	p = rt_promo("p1", CORE_RULES_ORDER_FIXED, 100);
	p->match.products = ids;
	p->match.nproducts = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "no_matching_items");

	rt_line("B", 1000, 1)->product_id = "prod_2";
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	/* Off the whole order, not only prod_2: 0.50 on each line. */
	cr_assert_eq(rt_out.lines[0].order_discount, 50);
	cr_assert_eq(rt_out.lines[1].order_discount, 50);
}

Test(core_rules, customer_group, .init = rt_setup)
{
	static const char *const vip[] = { "vip" };
	static const char *const mine[] = { "staff", "vip" };
	struct core_rules_promo	*p;

	rt_line("A", 1000, 1);
	p = rt_promo("p1", CORE_RULES_ORDER_FIXED, 100);
	p->groups = vip;
	p->ngroups = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "customer_group");

	rt_in.customer.groups = mine;
	rt_in.customer.ngroups = 2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
}

Test(core_rules, first_order, .init = rt_setup)
{
	rt_line("A", 1000, 1);
	rt_promo("p1", CORE_RULES_ORDER_FIXED, 100)->first_order_only = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "first_order");

	rt_in.customer.first_order = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
}

Test(core_rules, date_window_starts_inclusive_ends_exclusive,
    .init = rt_setup)
{
	struct core_rules_promo	*p;

	rt_line("A", 1000, 1);
	p = rt_promo("p1", CORE_RULES_ORDER_FIXED, 100);
	p->starts_at = 1000;
	p->ends_at = 2000;
	rt_in.now = 999;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "not_started");
	rt_in.now = 1000;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	rt_in.now = 1999;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	rt_in.now = 2000;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "expired");
}

Test(core_rules, code_required_and_matched_ignoring_case,
    .init = rt_setup)
{
	static const char *const wrong[] = { "WINTER" };
	static const char *const right[] = { "WINTER", "summer10" };

	rt_line("A", 1000, 1);
	rt_promo("p1", CORE_RULES_ORDER_PERCENT, 10000)->code = "SUMMER10";
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "code_required");
	rt_in.codes = wrong;
	rt_in.ncodes = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "code_required");
	rt_in.codes = right;
	rt_in.ncodes = 2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 100);
}

Test(core_rules, usage_limits_from_the_counts_given, .init = rt_setup)
{
	struct core_rules_promo	*p;

	rt_line("A", 1000, 1);
	p = rt_promo("p1", CORE_RULES_ORDER_FIXED, 100);
	p->usage_limit = 100;
	p->uses = 100;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "usage_limit");
	p->uses = 99;
	p->customer_limit = 1;
	p->customer_uses = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "customer_usage_limit");
	p->customer_uses = 0;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
}

Test(core_rules, nothing_to_discount, .init = rt_setup)
{
	/* Free shipping with no shipping, 10% of a free line. */
	rt_line("A", 0, 1);
	rt_promo("p1", CORE_RULES_FREE_SHIPPING, 0);
	rt_promo("p2", CORE_RULES_ITEMS_PERCENT, 10000);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "nothing_to_discount");
	RT_NOT_APPLIED(1, "nothing_to_discount");
}

Test(core_rules, first_failing_condition_is_the_reason, .init = rt_setup)
{
	struct core_rules_promo	*p;

	/* Expired and wrong group and short: the window is checked first. */
	rt_line("A", 1000, 1);
	p = rt_promo("p1", CORE_RULES_ORDER_FIXED, 100);
	p->ends_at = 1;
	p->first_order_only = 1;
	p->min_subtotal = 100000;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "expired");
	cr_assert_eq(rt_res(0)->blocked_by, -1);
}

/* --- stacking ------------------------------------------------------- */

Test(core_rules, priority_sets_the_order_of_application, .init = rt_setup)
{
	/*
	 * 100.00, 10.00 off and 50% off, both product discounts.  Fixed
	 * first (priority 2): 90.00 then 45.00 off = 55.00 off.  Percent
	 * first: 50.00 then 10.00 = 60.00 off.
	 */
	rt_line("A", 10000, 1);
	rt_promo("fixed", CORE_RULES_ITEMS_FIXED, 1000)->priority = 2;
	rt_promo("half", CORE_RULES_ITEMS_PERCENT, 50000)->priority = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 1000);
	cr_assert_eq(rt_res(1)->amount, 4500);
	cr_assert_eq(rt_out.item_discount, 5500);

	rt_promos[1].priority = 3;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(1)->amount, 5000);
	cr_assert_eq(rt_res(0)->amount, 1000);
	cr_assert_eq(rt_out.item_discount, 6000);
}

Test(core_rules, product_then_order_then_shipping, .init = rt_setup)
{
	/*
	 * Listed backwards with the order discount at a higher priority,
	 * yet applied by class: 10% items off 100.00 = 10.00, then 10%
	 * order off the 90.00 left = 9.00, then free shipping 5.00.
	 */
	rt_line("A", 10000, 1);
	rt_in.shipping = 500;
	rt_promo("ship", CORE_RULES_FREE_SHIPPING, 0)->priority = 9;
	rt_promo("order", CORE_RULES_ORDER_PERCENT, 10000)->priority = 5;
	rt_promo("items", CORE_RULES_ITEMS_PERCENT, 10000);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(2)->amount, 1000);
	cr_assert_eq(rt_res(1)->amount, 900);
	cr_assert_eq(rt_res(0)->amount, 500);
	cr_assert_eq(rt_out.lines[0].net, 8100);
	cr_assert_eq(rt_out.discount, 2400);
	cr_assert_eq(rt_out.total, 8100 + 1539);	/* 15.39 tax */
}

Test(core_rules, same_priority_breaks_ties_by_id, .init = rt_setup)
{
	/* Two exclusive promotions at one priority: "a" wins over "b". */
	rt_line("A", 10000, 1);
	rt_promo("b", CORE_RULES_ORDER_FIXED, 500)->exclusive = 1;
	rt_promo("a", CORE_RULES_ORDER_FIXED, 100)->exclusive = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(1)->applied);
	RT_NOT_APPLIED(0, "exclusive_conflict");
	cr_assert_eq(rt_res(0)->blocked_by, 1);
}

Test(core_rules, exclusive_blocks_everything_else, .init = rt_setup)
{
	/*
	 * The exclusive one comes first by priority and blocks a product
	 * and a shipping discount; alone, the order gets 10.00 off.
	 */
	rt_line("A", 10000, 1);
	rt_in.shipping = 500;
	rt_promo("items", CORE_RULES_ITEMS_PERCENT, 50000);
	rt_promo("excl", CORE_RULES_ORDER_FIXED, 1000)->exclusive = 1;
	rt_promos[1].priority = 1;
	rt_promo("ship", CORE_RULES_FREE_SHIPPING, 0);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(1)->amount, 1000);
	RT_NOT_APPLIED(0, "exclusive_conflict");
	cr_assert_eq(rt_res(0)->blocked_by, 1);
	RT_NOT_APPLIED(2, "exclusive_conflict");
	cr_assert_eq(rt_res(2)->blocked_by, 1);
}

Test(core_rules, exclusive_is_blocked_by_an_earlier_selection,
    .init = rt_setup)
{
	/* An exclusive promotion selected later cannot join the others. */
	rt_line("A", 10000, 1);
	rt_promo("first", CORE_RULES_ITEMS_PERCENT, 10000)->priority = 5;
	rt_promo("excl", CORE_RULES_ORDER_FIXED, 9000)->exclusive = 1;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	RT_NOT_APPLIED(1, "exclusive_conflict");
	cr_assert_eq(rt_res(1)->blocked_by, 0);
}

Test(core_rules, combine_only_if_each_lists_the_other_class,
    .init = rt_setup)
{
	rt_line("A", 10000, 1);
	rt_in.shipping = 500;
	/* Product (priority 2) lists order; order lists product: both. */
	rt_promo("items", CORE_RULES_ITEMS_PERCENT, 10000)->priority = 2;
	rt_promos[0].combines_with = CORE_RULES_CLASS_ORDER;
	rt_promo("order", CORE_RULES_ORDER_FIXED, 500)->priority = 1;
	rt_promos[1].combines_with = CORE_RULES_CLASS_PRODUCT;
	/* Shipping lists both, but neither lists shipping. */
	rt_promo("ship", CORE_RULES_FREE_SHIPPING, 0);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	cr_assert(rt_res(1)->applied);
	RT_NOT_APPLIED(2, "does_not_combine");
	cr_assert_eq(rt_res(2)->blocked_by, 0);

	/* One-sided is not enough: order no longer lists product. */
	rt_promos[1].combines_with = 0;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	RT_NOT_APPLIED(1, "does_not_combine");
	cr_assert_eq(rt_res(1)->blocked_by, 0);
}

Test(core_rules, same_class_combines_only_when_listed, .init = rt_setup)
{
	rt_line("A", 10000, 1);
	rt_promo("a", CORE_RULES_ITEMS_PERCENT, 10000)->combines_with =
	    CORE_RULES_CLASS_ORDER;
	rt_promo("b", CORE_RULES_ITEMS_PERCENT, 10000);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert(rt_res(0)->applied);
	RT_NOT_APPLIED(1, "does_not_combine");

	/* Both list product: 10.00, then 10% of 90.00 = 9.00. */
	rt_promos[0].combines_with = CORE_RULES_CLASS_PRODUCT;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->amount, 1000);
	cr_assert_eq(rt_res(1)->amount, 900);
}

Test(core_rules, ineligible_promotions_block_nothing, .init = rt_setup)
{
	/* The exclusive one needs a code nobody entered. */
	rt_line("A", 10000, 1);
	rt_promo("excl", CORE_RULES_ORDER_FIXED, 1000)->exclusive = 1;
	rt_promos[0].code = "VIP";
	rt_promos[0].priority = 9;
	rt_promo("auto", CORE_RULES_ORDER_FIXED, 500);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	RT_NOT_APPLIED(0, "code_required");
	cr_assert_eq(rt_res(1)->amount, 500);
}

/* --- determinism and input limits ----------------------------------- */

Test(core_rules, line_order_does_not_change_the_result, .init = rt_setup)
{
	struct core_rules_result	first;

	rt_line("A", 333, 1);
	rt_line("B", 333, 1);
	rt_line("C", 334, 1);
	rt_promo("p1", CORE_RULES_ORDER_FIXED, 101);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	first = rt_out;

	rt_lines[3] = rt_lines[0];
	rt_lines[0] = rt_lines[2];
	rt_lines[2] = rt_lines[3];	/* C, B, A */
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(memcmp(&rt_out.lines[0], &first.lines[2],
	    sizeof(first.lines[0])), 0);
	cr_assert_eq(memcmp(&rt_out.lines[1], &first.lines[1],
	    sizeof(first.lines[0])), 0);
	cr_assert_eq(memcmp(&rt_out.lines[2], &first.lines[0],
	    sizeof(first.lines[0])), 0);
	cr_assert_eq(rt_out.total, first.total);
}

Test(core_rules, empty_cart_is_zero, .init = rt_setup)
{
	rt_promo("p1", CORE_RULES_ORDER_PERCENT, 10000);
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_out.total, 0);
	RT_NOT_APPLIED(0, "nothing_to_discount");
}

Test(core_rules, refuses_inputs_beyond_limits, .init = rt_setup)
{
	int	i;

	for (i = 0; i < CORE_RULES_MAX_LINES + 1; i++)
		rt_line("X", 1, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_LIMIT);

	rt_setup();
	rt_line("A", 1, 1);
	rt_in.npromos = CORE_RULES_MAX_PROMOS + 1;
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_LIMIT);

	rt_setup();
	rt_line("A", 1, CORE_RULES_MAX_QUANTITY + 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_INPUT);
	cr_assert_eq(rt_out.err_line, 0);
}

Test(core_rules, refuses_bad_fields_naming_the_culprit, .init = rt_setup)
{
	rt_line("A", 100, 1);
	rt_line("B", -1, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_INPUT);
	cr_assert_eq(rt_out.err_line, 1);

	rt_lines[1].unit_price = 100;
	rt_promo("p1", CORE_RULES_ORDER_PERCENT, CORE_RULES_RATE_ONE + 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_INPUT);
	cr_assert_eq(rt_out.err_promo, 0);
	rt_promos[0].value = 1;
	rt_promos[0].combines_with = 0x10;
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_INPUT);
	rt_promos[0].combines_with = 0;
	rt_promos[0].action = 99;
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_INPUT);
}

Test(core_rules, refuses_duplicates, .init = rt_setup)
{
	rt_line("A", 100, 1);
	rt_line("B", 100, 1);
	rt_line("A", 200, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_DUPLICATE);
	cr_assert_str_eq(core_rules_error_str(CORE_RULES_ERR_DUPLICATE),
	    "duplicate");

	rt_lines[2].sku = "C";
	rt_promo("p1", CORE_RULES_ORDER_FIXED, 1)->priority = 3;
	rt_promo("p2", CORE_RULES_ORDER_FIXED, 1);
	rt_promo("p1", CORE_RULES_ORDER_FIXED, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_DUPLICATE);
	cr_assert(rt_out.err_promo == 0 || rt_out.err_promo == 2);
}

Test(core_rules, refuses_a_missing_tax_rate, .init = rt_setup)
{
	rt_line("A", 100, 1)->tax_category = "luxury";
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_TAX);
	cr_assert_eq(rt_out.err_line, 0);

	rt_lines[0].tax_category = "standard";
	rt_in.country = "FR";
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_TAX);

	rt_in.country = "DE";
	rt_in.shipping_taxable = 1;
	rt_in.shipping_tax_category = "luxury";
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_TAX);
}

Test(core_rules, refuses_money_overflow, .init = rt_setup)
{
	/* 10^15 is the most one amount may be; two such lines are more. */
	rt_line("A", CORE_MONEY_MAX, 1);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_OVERFLOW);	/* + 19% tax */
	rt_lines[0].tax_category = "zero";
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	rt_line("B", 1, 1)->tax_category = "zero";
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_OVERFLOW);
	rt_setup();
	rt_line("A", CORE_MONEY_MAX / 2 + 1, 2);
	cr_assert_eq(rt_quote(), CORE_RULES_ERR_OVERFLOW);
}

Test(core_rules, reason_names, .init = rt_setup)
{
	cr_assert_str_eq(core_rules_reason_str(CORE_RULES_MIN_SUBTOTAL),
	    "min_subtotal");
	cr_assert_str_eq(core_rules_reason_str(CORE_RULES_DOES_NOT_COMBINE),
	    "does_not_combine");
	cr_assert_str_eq(core_rules_reason_str(
	    (enum core_rules_reason)1000), "unknown");
}
