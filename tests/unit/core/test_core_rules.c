/*
 * Unit tests of the pricing rules engine (core/core_rules.c): tax and its
 * rounding, every action and every condition, each on a small cart whose
 * numbers are worked out by hand in the comment above the assertions.
 * Stacking, determinism and input limits are in test_core_rules_stack.c.
 * Amounts are in cents.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "core/core_rules.h"
#include "tests/unit/core/rules_fixture.h"

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

Test(core_rules, buy_x_get_y_keeps_the_x_unit_it_needs, .init = rt_setup)
{
	static const char *const xs[] = { "A" };
	static const char *const ys[] = { "A", "B" };
	struct core_rules_promo	*p;

	/*
	 * Buy A, get A or B free; the cart holds one A (5.00) and one B
	 * (20.00).  Making the cheapest Y unit, A, free would leave no X:
	 * the one application pays A and makes B free, 20.00 off.  (Found
	 * by the brute-force property test; the first version gave 0.)
	 */
	rt_line("A", 500, 1);
	rt_line("B", 2000, 1);
	p = rt_promo("p1", CORE_RULES_BUY_X_GET_Y, CORE_RULES_RATE_ONE);
	p->match.skus = xs;
	p->match.nskus = 1;
	p->get_match.skus = ys;
	p->get_match.nskus = 2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->applications, 1);
	cr_assert_eq(rt_out.lines[1].item_discount, 2000);
	cr_assert_eq(rt_out.lines[0].item_discount, 0);

	/* A second A: buy one A, get the other A (cheaper than B) free. */
	rt_lines[0].quantity = 2;
	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(0)->applications, 1);
	cr_assert_eq(rt_out.lines[0].item_discount, 500);
	cr_assert_eq(rt_out.lines[1].item_discount, 0);
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
