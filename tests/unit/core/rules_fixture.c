/*
 * The pricing rules engine's unit-test fixture (see rules_fixture.h).
 */
#include <string.h>

#include "tests/unit/core/rules_fixture.h"

struct core_rules_input		 rt_in;
struct core_rules_result	 rt_out;
struct core_rules_line		 rt_lines[CORE_RULES_MAX_LINES + 1];
struct core_rules_promo		 rt_promos[CORE_RULES_MAX_PROMOS + 1];
const char *const		 rt_shirts[1] = { "shirts" };
const char *const		 rt_socks[1] = { "socks" };

static const struct core_rules_tax_rate rt_rates[] = {
	{ "DE", "standard", 19000 },
	{ "DE", "reduced", 7000 },
	{ "DE", "zero", 0 },
	{ "CH", "standard", 7700 },
	{ "US", "standard", 8875 },
};

void
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
	rt_in.now = 1700000000000LL;
	rt_in.shipping_tax_category = "standard";
}

struct core_rules_line *
rt_line(const char *sku, int64_t price, int64_t qty)
{
	struct core_rules_line	*l = &rt_lines[rt_in.nlines++];

	l->sku = sku;
	l->tax_category = "standard";
	l->unit_price = price;
	l->quantity = qty;
	return (l);
}

struct core_rules_promo *
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

int
rt_quote(void)
{
	return (core_rules_quote(&rt_out, &rt_in));
}

const struct core_rules_promo_result *
rt_res(int i)
{
	return (&rt_out.promos[i]);
}
