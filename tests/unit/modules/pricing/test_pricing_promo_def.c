/*
 * Unit tests of a promotion's definition (modules/pricing/pricing_promo_def.c)
 * and coupon codes (pricing_coupons.c): the canonical JSON a body becomes,
 * the field errors of bad bodies, and that the canonical JSON turned into
 * a struct core_rules_promo prices a cart the way the same promotion built
 * by hand does (so what the API stores is what the engine runs).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "modules/pricing/pricing_int.h"

/* Checks body (no customer groups: the db is not read) into *d. */
static int
def_check(const char *body, struct pricing_promo_def *d, cJSON **errors)
{
	cJSON	*o;
	int	 rc;

	o = cJSON_Parse(body);
	cr_assert_not_null(o, "%s parses", body);
	*errors = NULL;
	rc = pricing_promo_def_check(NULL, o, d, errors);
	cJSON_Delete(o);
	return (rc);
}

/* The fields named in errors, comma-separated, into out. */
static void
fields(cJSON *errors, char *out, size_t len)
{
	const cJSON	*e;

	out[0] = '\0';
	cJSON_ArrayForEach(e, errors) {
		if (out[0] != '\0')
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, cJSON_GetObjectItem(e, "field")->valuestring,
		    len - strlen(out) - 1);
	}
}

Test(pricing_promo_def, canonical_form)
{
	struct pricing_promo_def	d;
	cJSON				*errors;

	cr_assert_eq(def_check("{\"name\":\"B2G1\",\"priority\":5,"
	    "\"combines_with\":[\"order\",\"product\"],\"conditions\":{"
	    "\"min_subtotal\":0,\"match\":{\"skus\":[\"TEE-S\"]}},"
	    "\"action\":{\"type\":\"buy_x_get_y\",\"buy_qty\":2,"
	    "\"get_qty\":1,\"rate\":100000}}", &d, &errors), 0);
	cr_assert_str_eq(d.combines_with, "[\"product\",\"order\"]");
	/* min_subtotal 0 is no condition: null */
	cr_assert_str_eq(d.conditions, "{\"min_subtotal\":null,"
	    "\"min_quantity\":null,\"match\":{\"skus\":[\"TEE-S\"],"
	    "\"product_ids\":[],\"category_ids\":[]},\"customer_groups\":[],"
	    "\"first_order\":false}");
	cr_assert_str_eq(d.action, "{\"type\":\"buy_x_get_y\",\"rate\":100000,"
	    "\"buy_qty\":2,\"get_qty\":1,\"max_applications\":null,"
	    "\"get_match\":{\"skus\":[],\"product_ids\":[],"
	    "\"category_ids\":[]}}");
	cr_assert_eq(d.priority, 5);
	cr_assert_str_eq(d.status, "active");
	cr_assert_str_eq(d.trigger, "automatic");
	cr_assert_eq(d.usage_limit, -1);
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(errors);
}

Test(pricing_promo_def, field_errors)
{
	struct pricing_promo_def	d;
	cJSON				*errors;
	char				 f[512];

	cr_assert_eq(def_check("{\"name\":\"\",\"action\":{\"type\":"
	    "\"order_percent\",\"rate\":0,\"amount\":5}}", &d, &errors), -1);
	fields(errors, f, sizeof(f));
	cr_assert_str_eq(f, "name,action.rate");
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(errors);

	cr_assert_eq(def_check("{\"name\":\"x\",\"conditions\":{\"match\":"
	    "{\"skus\":\"TEE\",\"products\":[]}},\"action\":{\"type\":"
	    "\"items_fixed\",\"amount\":1,\"rate\":5}}", &d, &errors), -1);
	fields(errors, f, sizeof(f));
	/* a rate beside an amount action is not read, so not refused */
	cr_assert_str_eq(f, "conditions.match.products,"
	    "conditions.match.skus");
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(errors);
}

/*
 * 10% off items in category C, stored and loaded back, against the same
 * promotion by hand: 3 x 19.99 in C = 59.97, 10% = 5.997 -> 6.00 off;
 * the other line untouched.  Germany 19%, prices excluding tax.
 */
Test(pricing_promo_def, engine_matches_hand_built)
{
	static const char *const cats[] = { "cat_01JDY2J0A1B2C3D4E5F6G7H8JM" };
	struct pricing_promo_def	d;
	struct pricing_promo		pp;
	struct core_rules_promo		hand;
	struct core_rules_line		lines[2];
	struct core_rules_tax_rate	rate = { "DE", "standard", 19000 };
	struct core_rules_input		in;
	struct core_rules_result	a, b;
	cJSON				*errors;

	cr_assert_eq(def_check("{\"name\":\"x\",\"conditions\":{\"match\":"
	    "{\"category_ids\":[\"cat_01JDY2J0A1B2C3D4E5F6G7H8JM\"]}},"
	    "\"action\":{\"type\":\"items_percent\",\"rate\":10000}}", &d,
	    &errors), 0);
	memset(&pp, 0, sizeof(pp));
	snprintf(pp.id, sizeof(pp.id), "promo_1");
	pp.p.id = pp.id;
	pp.conditions = cJSON_Parse(d.conditions);
	pp.action = cJSON_Parse(d.action);
	cr_assert_eq(pricing_promo_engine(&pp), 0);
	cr_assert_str_eq(pp.class, "product");

	memset(&hand, 0, sizeof(hand));
	hand.id = "promo_1";
	hand.action = CORE_RULES_ITEMS_PERCENT;
	hand.value = 10000;
	hand.match.categories = cats;
	hand.match.ncategories = 1;

	memset(lines, 0, sizeof(lines));
	lines[0].sku = "TEE";
	lines[0].categories = cats;
	lines[0].ncategories = 1;
	lines[0].tax_category = "standard";
	lines[0].unit_price = 1999;
	lines[0].quantity = 3;
	lines[1].sku = "MUG";
	lines[1].tax_category = "standard";
	lines[1].unit_price = 500;
	lines[1].quantity = 1;
	memset(&in, 0, sizeof(in));
	in.lines = lines;
	in.nlines = 2;
	in.rates = &rate;
	in.nrates = 1;
	in.country = "DE";
	in.promos = &pp.p;
	in.npromos = 1;
	cr_assert_eq(core_rules_quote(&a, &in), CORE_RULES_OK);
	in.promos = &hand;
	cr_assert_eq(core_rules_quote(&b, &in), CORE_RULES_OK);
	cr_assert_eq(a.lines[0].item_discount, 600);
	cr_assert_eq(a.lines[1].item_discount, 0);
	cr_assert_eq(a.total, b.total);
	cr_assert_eq(a.tax, b.tax);
	cr_assert_eq(a.promos[0].amount, b.promos[0].amount);
	cJSON_Delete(pp.conditions);
	cJSON_Delete(pp.action);
	pricing_promo_def_cleanup(&d);
	cJSON_Delete(errors);
}

Test(pricing_coupon, codes_ignore_case)
{
	char	out[PRICING_COUPON_MAX + 1];

	cr_assert_eq(pricing_coupon_norm(out, sizeof(out), "welcome-10_a"), 0);
	cr_assert_str_eq(out, "WELCOME-10_A");
	cr_assert_eq(pricing_coupon_norm(out, sizeof(out), "AB"), -1);
	cr_assert_eq(pricing_coupon_norm(out, sizeof(out), "two words"), -1);
	cr_assert_eq(pricing_coupon_norm(out, sizeof(out),
	    "A23456789012345678901234567890123"), -1);	/* 33 */
	cr_assert_eq(pricing_coupon_norm(out, sizeof(out),
	    "A2345678901234567890123456789012"), 0);	/* 32 */
	cr_assert_eq(pricing_coupon_norm(out, sizeof(out), "caf\xc3\xa9"), -1);
}
