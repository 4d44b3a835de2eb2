/*
 * Unit tests of the pricing rules engine's stacking (priority, id,
 * exclusive, combines-with classes, the order of application), its
 * determinism and its input limits.  Amounts are in cents; the arithmetic
 * is worked out in the comments.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules.h"
#include "tests/unit/core/rules_fixture.h"

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

Test(core_rules, a_whole_cart_worked_end_to_end, .init = rt_setup)
{
	static const char *const welcome[] = { "welcome" };
	static const char *const vip[] = { "vip" };
	struct core_rules_promo	*p;

	/*
	 * The example of docs/PRICING.md.  Germany, prices excluding tax:
	 *   SHIRT-BLUE 2 x 19.99 = 39.98 (shirts, 19%)
	 *   SHIRT-RED  1 x 24.99 = 24.99 (shirts, 19%)
	 *   BOOK       1 x 12.00 = 12.00 (7%)          subtotal 76.97
	 *   shipping 4.90, taxable at 19%.
	 * shirts10 (priority 1): 10% off shirts: 3.998 -> 4.00 and
	 *   2.499 -> 2.50 = 6.50; left 35.98, 22.49, 12.00 = 70.47.
	 * welcome5 (code, first order): 5.00 off the order, split
	 *   3598:2249:1200 = 255.28, 159.57, 85.14 -> 255 + 159 + 85 = 499,
	 *   the cent to .57: 2.55, 1.60, 0.85.
	 * freeship50 (from 50.00): shipping 4.90 off.
	 * vip20: the customer is not vip.
	 * Nets 33.43, 20.89, 11.15 = 65.47; tax 6.3517 -> 6.35,
	 * 3.9691 -> 3.97, 0.7805 -> 0.78 = 11.10; total 76.57.
	 */
	rt_line("SHIRT-BLUE", 1999, 2)->categories = rt_shirts;
	rt_lines[0].ncategories = 1;
	rt_line("BOOK", 1200, 1)->tax_category = "reduced";
	rt_line("SHIRT-RED", 2499, 1)->categories = rt_shirts;
	rt_lines[2].ncategories = 1;
	rt_in.shipping = 490;
	rt_in.shipping_taxable = 1;
	rt_in.customer.first_order = 1;
	rt_in.codes = welcome;
	rt_in.ncodes = 1;

	p = rt_promo("welcome5", CORE_RULES_ORDER_FIXED, 500);
	p->code = "WELCOME";
	p->first_order_only = 1;
	p->combines_with = CORE_RULES_CLASS_PRODUCT | CORE_RULES_CLASS_SHIPPING;
	p = rt_promo("vip20", CORE_RULES_ORDER_PERCENT, 20000);
	p->groups = vip;
	p->ngroups = 1;
	rt_promo("freeship50", CORE_RULES_FREE_SHIPPING, 0)->min_subtotal =
	    5000;
	p = rt_promo("shirts10", CORE_RULES_ITEMS_PERCENT, 10000);
	p->priority = 1;
	p->match.categories = rt_shirts;
	p->match.ncategories = 1;

	cr_assert_eq(rt_quote(), CORE_RULES_OK);
	cr_assert_eq(rt_res(3)->amount, 650);
	cr_assert_eq(rt_res(0)->amount, 500);
	cr_assert_eq(rt_res(2)->amount, 490);
	RT_NOT_APPLIED(1, "customer_group");

	cr_assert_eq(rt_out.lines[0].item_discount, 400);
	cr_assert_eq(rt_out.lines[2].item_discount, 250);
	cr_assert_eq(rt_out.lines[0].order_discount, 255);
	cr_assert_eq(rt_out.lines[2].order_discount, 160);
	cr_assert_eq(rt_out.lines[1].order_discount, 85);
	cr_assert_eq(rt_out.lines[0].net, 3343);
	cr_assert_eq(rt_out.lines[2].net, 2089);
	cr_assert_eq(rt_out.lines[1].net, 1115);
	cr_assert_eq(rt_out.lines[0].tax, 635);
	cr_assert_eq(rt_out.lines[2].tax, 397);
	cr_assert_eq(rt_out.lines[1].tax, 78);

	cr_assert_eq(rt_out.subtotal, 7697);
	cr_assert_eq(rt_out.item_discount, 650);
	cr_assert_eq(rt_out.order_discount, 500);
	cr_assert_eq(rt_out.shipping_discount, 490);
	cr_assert_eq(rt_out.discount, 1640);
	cr_assert_eq(rt_out.shipping_tax, 0);
	cr_assert_eq(rt_out.tax, 1110);
	cr_assert_eq(rt_out.total, 7657);
}
