/*
 * Random cases and the invariant checker of the pricing rules engine's
 * property tests (see rules_prop.h).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules.h"
#include "tests/unit/core/rules_prop.h"

uint64_t		 prop_state;
char			 prop_skus[PROP_SKUS][24];
static char		 prop_products[PROP_PRODUCTS][24];
static char		 prop_ids[CORE_RULES_MAX_PROMOS][24];
static const char *const prop_cats[PROP_CATS] = {
	"shirts", "socks", "shoes", "hats", "sale", "new"
};
static const char *const prop_codes[PROP_CODES] = {
	"SAVE10", "FREESHIP", "VIP", "BOGO"
};
static const char *const prop_groups[] = { "vip", "staff", "wholesale" };
static const char *const prop_taxcats[] = { "standard", "reduced", "zero" };
static const char *const prop_countries[] = { "DE", "CH", "US" };
const struct core_rules_tax_rate prop_rates[PROP_NRATES] = {
	{ "DE", "standard", 19000 }, { "DE", "reduced", 7000 },
	{ "DE", "zero", 0 }, { "CH", "standard", 7700 },
	{ "CH", "reduced", 2500 }, { "CH", "zero", 0 },
	{ "US", "standard", 8875 }, { "US", "reduced", 4000 },
	{ "US", "zero", 0 },
};

static void	prop_match(struct prop_case *, struct core_rules_match *,
		    int, int);
static int64_t	prop_rate(const struct core_rules_input *, const char *);
static unsigned	prop_class(enum core_rules_action);
static void	prop_blocked(int, const struct core_rules_input *, int, int,
		    enum core_rules_reason);
static int	prop_list_has(const char *const *, int, const char *);
static int64_t	prop_base(const struct core_rules_input *,
		    const struct core_rules_promo *);

/* splitmix64: tiny, full period, and good enough to drive test cases. */
uint64_t
prop_rng(void)
{
	uint64_t	z;

	z = (prop_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* A value in [lo, hi]. */
int64_t
prop_range(int64_t lo, int64_t hi)
{
	return (lo + (int64_t)(prop_rng() % (uint64_t)(hi - lo + 1)));
}

void
prop_pools(void)
{
	int	i;

	for (i = 0; i < PROP_SKUS; i++)
		snprintf(prop_skus[i], sizeof(prop_skus[i]), "SKU-%03d", i);
	for (i = 0; i < PROP_PRODUCTS; i++)
		snprintf(prop_products[i], sizeof(prop_products[i]),
		    "prod_%02d", i);
	for (i = 0; i < CORE_RULES_MAX_PROMOS; i++)
		snprintf(prop_ids[i], sizeof(prop_ids[i]), "promo_%03d", i);
}

/* A random match: usually empty or one list of one to three names. */
static void
prop_match(struct prop_case *c, struct core_rules_match *m, int pi, int slot)
{
	const char	**list = c->lists[pi][slot];
	int		  n, i;

	memset(m, 0, sizeof(*m));
	if (prop_range(0, 2) == 0)
		return;
	n = (int)prop_range(1, 3);
	switch (prop_range(0, 2)) {
	case 0:
		for (i = 0; i < n; i++)
			list[i] = prop_skus[prop_range(0, 29)];
		m->skus = list;
		m->nskus = n;
		break;
	case 1:
		for (i = 0; i < n; i++)
			list[i] = prop_products[prop_range(0,
			    PROP_PRODUCTS - 1)];
		m->products = list;
		m->nproducts = n;
		break;
	default:
		for (i = 0; i < n; i++)
			list[i] = prop_cats[prop_range(0, PROP_CATS - 1)];
		m->categories = list;
		m->ncategories = n;
		break;
	}
}

void
prop_gen(struct prop_case *c)
{
	struct core_rules_input	*in = &c->in;
	struct core_rules_line	*l;
	struct core_rules_promo	*p;
	int			 pick[PROP_SKUS];
	int			 i, j, n, big;

	memset(c, 0, sizeof(*c));
	in->lines = c->lines;
	in->promos = c->promos;
	in->rates = prop_rates;
	in->nrates = sizeof(prop_rates) / sizeof(prop_rates[0]);
	in->country = prop_countries[prop_range(0, 2)];
	in->prices_include_tax = (int)prop_range(0, 1);
	in->now = prop_range(0, 100);
	in->shipping = prop_range(0, 3) == 0 ? 0 : prop_range(1, 2000);
	in->shipping_taxable = (int)prop_range(0, 1);
	in->shipping_tax_category = prop_taxcats[prop_range(0, 2)];
	in->customer.first_order = (int)prop_range(0, 1);
	if (prop_range(0, 1)) {
		in->customer.groups = prop_groups;
		in->customer.ngroups = (int)prop_range(1, 3);
	}
	n = 0;
	for (i = 0; i < PROP_CODES; i++)
		if (prop_range(0, 2) == 0 && n < 2)
			c->codes[n++] = prop_codes[i];
	in->codes = c->codes;
	in->ncodes = n;

	/* Lines: distinct SKUs, mostly from the first 30 so matches hit. */
	big = prop_range(0, 50) == 0;
	in->nlines = big ? (int)prop_range(100, PROP_SKUS) :
	    (int)prop_range(0, 12);
	for (i = 0; i < PROP_SKUS; i++)
		pick[i] = i;
	prop_shuffle(pick, big ? PROP_SKUS : 30);
	for (i = 0; i < in->nlines; i++) {
		l = &c->lines[i];
		l->sku = prop_skus[pick[i]];
		l->product_id = prop_range(0, 4) == 0 ? NULL :
		    prop_products[prop_range(0, PROP_PRODUCTS - 1)];
		l->ncategories = (int)prop_range(0, 3);
		for (j = 0; j < l->ncategories; j++)
			c->line_cats[i][j] = prop_cats[prop_range(0,
			    PROP_CATS - 1)];
		l->categories = c->line_cats[i];
		l->tax_category = prop_taxcats[prop_range(0, 2)];
		l->unit_price = prop_range(0, 9) == 0 ? 0 :
		    prop_range(0, 5) == 0 ? prop_range(1, 100) :
		    prop_range(1, 50000);
		l->quantity = prop_range(0, 9) == 0 ? prop_range(1, 1000) :
		    prop_range(1, 6);
	}

	in->npromos = (int)prop_range(0, 12);
	for (i = 0; i < in->npromos; i++) {
		p = &c->promos[i];
		p->id = prop_ids[i];
		p->code = prop_range(0, 3) == 0 ?
		    prop_codes[prop_range(0, PROP_CODES - 1)] : NULL;
		p->priority = (int)prop_range(0, 3);
		p->exclusive = prop_range(0, 9) == 0;
		p->combines_with = (unsigned)prop_range(0, 7);
		p->action = (enum core_rules_action)prop_range(1, 7);
		switch (p->action) {
		case CORE_RULES_ORDER_FIXED:
		case CORE_RULES_ITEMS_FIXED:
		case CORE_RULES_ITEMS_FIXED_TOTAL:
			p->value = prop_range(0, 10000);
			break;
		case CORE_RULES_FREE_SHIPPING:
			p->value = 0;
			break;
		default:
			p->value = prop_range(0, 3) == 0 ?
			    CORE_RULES_RATE_ONE : prop_range(0, 100000);
			break;
		}
		if (p->action == CORE_RULES_BUY_X_GET_Y) {
			p->buy_qty = prop_range(1, 3);
			p->get_qty = prop_range(1, 2);
			p->max_applications = prop_range(0, 3);
			prop_match(c, &p->get_match, i, 3);
		}
		prop_match(c, &p->match, i, 0);
		if (prop_range(0, 5) == 0)
			p->starts_at = prop_range(0, 100);
		if (prop_range(0, 5) == 0)
			p->ends_at = prop_range(1, 100);
		if (prop_range(0, 6) == 0) {
			p->usage_limit = prop_range(1, 5);
			p->uses = prop_range(0, 5);
		}
		if (prop_range(0, 6) == 0) {
			p->customer_limit = prop_range(1, 2);
			p->customer_uses = prop_range(0, 2);
		}
		if (prop_range(0, 6) == 0) {
			c->lists[i][4][0] = prop_groups[prop_range(0, 2)];
			p->groups = c->lists[i][4];
			p->ngroups = 1;
		}
		p->first_order_only = prop_range(0, 8) == 0;
		if (prop_range(0, 4) == 0)
			p->min_quantity = prop_range(1, 8);
		if (prop_range(0, 4) == 0)
			p->min_subtotal = prop_range(1, 50000);
	}
}

void
prop_shuffle(int *v, int n)
{
	int	i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)prop_range(0, i);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

static int
prop_list_has(const char *const *list, int n, const char *s)
{
	int	i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return (1);
	return (0);
}

/* The engine's matching rule, restated independently. */
int
prop_matches(const struct core_rules_match *m,
    const struct core_rules_line *l)
{
	int	i;

	if (m->nskus + m->nproducts + m->ncategories == 0)
		return (1);
	if (prop_list_has(m->skus, m->nskus, l->sku) ||
	    prop_list_has(m->products, m->nproducts, l->product_id))
		return (1);
	for (i = 0; i < l->ncategories; i++)
		if (prop_list_has(m->categories, m->ncategories,
		    l->categories[i]))
			return (1);
	return (0);
}

/*
 * The most a product discount may take: the subtotal of the lines it
 * discounts (for items fixed, also value per unit).
 */
static int64_t
prop_base(const struct core_rules_input *in, const struct core_rules_promo *p)
{
	const struct core_rules_match	*m;
	int64_t				 base, cap;
	int				 i;

	m = &p->match;
	if (p->action == CORE_RULES_BUY_X_GET_Y &&
	    p->get_match.nskus + p->get_match.nproducts +
	    p->get_match.ncategories > 0)
		m = &p->get_match;
	base = 0;
	for (i = 0; i < in->nlines; i++) {
		if (!prop_matches(m, &in->lines[i]))
			continue;
		cap = in->lines[i].unit_price * in->lines[i].quantity;
		if (p->action == CORE_RULES_ITEMS_FIXED &&
		    p->value * in->lines[i].quantity < cap)
			cap = p->value * in->lines[i].quantity;
		base += cap;
	}
	return (base);
}

static unsigned
prop_class(enum core_rules_action action)
{
	if (action == CORE_RULES_ORDER_PERCENT ||
	    action == CORE_RULES_ORDER_FIXED)
		return (CORE_RULES_CLASS_ORDER);
	if (action == CORE_RULES_FREE_SHIPPING)
		return (CORE_RULES_CLASS_SHIPPING);
	return (CORE_RULES_CLASS_PRODUCT);
}

/*
 * Promotion i was refused for `why` because of b: b comes first by
 * precedence, and the conflict is real.
 */
static void
prop_blocked(int k, const struct core_rules_input *in, int i, int b,
    enum core_rules_reason why)
{
	const struct core_rules_promo	*p = &in->promos[i];
	const struct core_rules_promo	*q = &in->promos[b];

	cr_assert(q->priority > p->priority || (q->priority == p->priority &&
	    strcmp(q->id, p->id) < 0), "case %d: %d blocked by later %d",
	    k, i, b);
	if (why == CORE_RULES_EXCLUSIVE_CONFLICT)
		cr_assert(p->exclusive || q->exclusive, "case %d promo %d", k,
		    i);
	else
		cr_assert(!p->exclusive && !q->exclusive &&
		    (!(q->combines_with & prop_class(p->action)) ||
		    !(p->combines_with & prop_class(q->action))),
		    "case %d promo %d", k, i);
}

static int64_t
prop_rate(const struct core_rules_input *in, const char *category)
{
	int	i;

	for (i = 0; i < in->nrates; i++)
		if (strcmp(in->rates[i].country, in->country) == 0 &&
		    strcmp(in->rates[i].category, category) == 0)
			return (in->rates[i].rate);
	cr_assert_fail("no rate for %s", category);
	return (0);
}

void
prop_check(int k, const struct core_rules_input *in,
    const struct core_rules_result *r)
{
	const struct core_rules_line_result	*lr;
	const struct core_rules_promo_result	*pr;
	const struct core_rules_promo		*p, *q;
	int64_t		 tax, rate, den, sub, tot, item, order;
	int64_t		 pitem, porder, pship;
	unsigned	 cp, cq;
	int		 i, j;

	sub = tot = item = order = 0;
	tax = r->shipping_tax;
	for (i = 0; i < in->nlines; i++) {
		lr = &r->lines[i];
		cr_assert(lr->subtotal == in->lines[i].unit_price *
		    in->lines[i].quantity, "case %d line %d subtotal", k, i);
		cr_assert(lr->item_discount >= 0 && lr->order_discount >= 0 &&
		    lr->net >= 0 && lr->tax >= 0 && lr->total >= 0,
		    "case %d line %d negative", k, i);
		cr_assert(lr->item_discount + lr->order_discount <=
		    lr->subtotal, "case %d line %d over-discounted", k, i);
		cr_assert(lr->net == lr->subtotal - lr->item_discount -
		    lr->order_discount, "case %d line %d net", k, i);
		/* The rounding rule: per line, half away from zero. */
		rate = prop_rate(in, in->lines[i].tax_category);
		den = CORE_RULES_RATE_ONE +
		    (in->prices_include_tax ? rate : 0);
		cr_assert(core_money_ratio(&den, lr->net, rate, den) == 0);
		cr_assert(lr->tax == den, "case %d line %d tax %lld != %lld",
		    k, i, (long long)lr->tax, (long long)den);
		cr_assert(lr->total == lr->net +
		    (in->prices_include_tax ? 0 : lr->tax),
		    "case %d line %d total", k, i);
		sub += lr->subtotal;
		item += lr->item_discount;
		order += lr->order_discount;
		tax += lr->tax;
		tot += lr->total;
	}
	cr_assert(r->subtotal == sub && r->item_discount == item &&
	    r->order_discount == order && r->tax == tax, "case %d sums", k);
	cr_assert(r->shipping_discount >= 0 &&
	    r->shipping_discount <= r->shipping &&
	    r->shipping_net == r->shipping - r->shipping_discount,
	    "case %d shipping", k);
	cr_assert(r->total == tot + r->shipping_total && r->total >= 0,
	    "case %d total", k);
	cr_assert(r->discount == item + order + r->shipping_discount,
	    "case %d discount", k);

	/* Promotions: amounts add up to the discounts, exactly. */
	pitem = porder = pship = 0;
	for (i = 0; i < in->npromos; i++) {
		pr = &r->promos[i];
		p = &in->promos[i];
		cr_assert(pr->amount >= 0, "case %d promo %d", k, i);
		if (!pr->applied) {
			cr_assert(pr->reason != CORE_RULES_APPLIED &&
			    pr->amount == 0, "case %d promo %d", k, i);
			if (pr->reason == CORE_RULES_EXCLUSIVE_CONFLICT ||
			    pr->reason == CORE_RULES_DOES_NOT_COMBINE) {
				cr_assert(pr->blocked_by >= 0 &&
				    pr->blocked_by < in->npromos &&
				    r->promos[pr->blocked_by].applied,
				    "case %d promo %d blocked_by", k, i);
				prop_blocked(k, in, i, pr->blocked_by,
				    pr->reason);
			} else
				cr_assert(pr->blocked_by == -1);
			continue;
		}
		cr_assert(pr->reason == CORE_RULES_APPLIED);
		switch (p->action) {
		case CORE_RULES_ORDER_PERCENT:
		case CORE_RULES_ORDER_FIXED:
			porder += pr->amount;
			if (p->action == CORE_RULES_ORDER_FIXED)
				cr_assert(pr->amount <= p->value,
				    "case %d promo %d over its value", k, i);
			break;
		case CORE_RULES_FREE_SHIPPING:
			pship += pr->amount;
			break;
		default:
			pitem += pr->amount;
			if (p->action == CORE_RULES_ITEMS_FIXED_TOTAL)
				cr_assert(pr->amount <= p->value,
				    "case %d promo %d over its value", k, i);
			cr_assert(pr->amount <= prop_base(in, p),
			    "case %d promo %d takes more than its lines", k, i);
			break;
		}
		cr_assert(pr->amount <= r->subtotal + r->shipping);
		/* The applied set is pairwise combinable. */
		for (j = 0; j < in->npromos; j++) {
			if (j == i || !r->promos[j].applied)
				continue;
			q = &in->promos[j];
			cp = prop_class(p->action);
			cq = prop_class(q->action);
			cr_assert(!p->exclusive && (p->combines_with & cq) &&
			    (q->combines_with & cp),
			    "case %d: %d and %d both applied", k, i, j);
		}
	}
	cr_assert(pitem == item, "case %d item %lld != %lld", k,
	    (long long)pitem, (long long)item);
	cr_assert(porder == order, "case %d order discount allocation "
	    "%lld != %lld", k, (long long)order, (long long)porder);
	cr_assert(pship == r->shipping_discount, "case %d ship", k);
}
