/*
 * Property tests of the pricing rules engine: thousands of random carts
 * and promotion sets from a fixed-seed PRNG (splitmix64, so a failure
 * reproduces on every run and the case number finds it), each checked
 * against invariants that hold for every input: nothing negative, no
 * discount above what it applies to, allocations summing exactly, the
 * applied set pairwise combinable, tax per line by the rounding rule,
 * totals adding up, and the same result for any order of the lines and
 * promotions and for a second quote.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules.h"

#define PROP_CASES	10000
#define PROP_SKUS	120
#define PROP_PRODUCTS	12
#define PROP_CATS	6
#define PROP_CODES	4

struct prop_case {
	struct core_rules_input	 in;
	struct core_rules_line	 lines[CORE_RULES_MAX_LINES];
	struct core_rules_promo	 promos[CORE_RULES_MAX_PROMOS];
	/* Per-line and per-promotion lists, pointing into the pools. */
	const char		*line_cats[CORE_RULES_MAX_LINES][3];
	const char		*lists[CORE_RULES_MAX_PROMOS][6][3];
	const char		*codes[2];
};

static uint64_t		 prop_state;
static char		 prop_skus[PROP_SKUS][24];
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
static const struct core_rules_tax_rate prop_rates[] = {
	{ "DE", "standard", 19000 }, { "DE", "reduced", 7000 },
	{ "DE", "zero", 0 }, { "CH", "standard", 7700 },
	{ "CH", "reduced", 2500 }, { "CH", "zero", 0 },
	{ "US", "standard", 8875 }, { "US", "reduced", 4000 },
	{ "US", "zero", 0 },
};

static uint64_t	prop_rng(void);
static int64_t	prop_range(int64_t, int64_t);
static void	prop_pools(void);
static void	prop_match(struct prop_case *, struct core_rules_match *,
		    int, int);
static void	prop_gen(struct prop_case *);
static int64_t	prop_rate(const struct core_rules_input *, const char *);
static void	prop_check(int, const struct core_rules_input *,
		    const struct core_rules_result *);
static void	prop_same(int, const struct core_rules_result *,
		    const struct core_rules_result *, const int *,
		    const int *);
static void	prop_shuffle(int *, int);
static unsigned	prop_class(enum core_rules_action);
static void	prop_blocked(int, const struct core_rules_input *, int, int,
		    enum core_rules_reason);
static int	prop_list_has(const char *const *, int, const char *);
static int	prop_matches(const struct core_rules_match *,
		    const struct core_rules_line *);
static int64_t	prop_base(const struct core_rules_input *,
		    const struct core_rules_promo *);

/* splitmix64: tiny, full period, and good enough to drive test cases. */
static uint64_t
prop_rng(void)
{
	uint64_t	z;

	z = (prop_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* A value in [lo, hi]. */
static int64_t
prop_range(int64_t lo, int64_t hi)
{
	return (lo + (int64_t)(prop_rng() % (uint64_t)(hi - lo + 1)));
}

static void
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

static void
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

static void
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
static int
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

static void
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

/*
 * a is the result for an input; b for the same input with its lines put
 * at lmap[i] and its promotions at pmap[i].  They must agree exactly.
 */
static void
prop_same(int k, const struct core_rules_result *a,
    const struct core_rules_result *b, const int *lmap, const int *pmap)
{
	const struct core_rules_promo_result	*pa, *pb;
	int					 i;

	cr_assert(a->nlines == b->nlines && a->npromos == b->npromos);
	for (i = 0; i < a->nlines; i++)
		cr_assert(memcmp(&a->lines[i], &b->lines[lmap[i]],
		    sizeof(a->lines[i])) == 0, "case %d line %d differs", k,
		    i);
	for (i = 0; i < a->npromos; i++) {
		pa = &a->promos[i];
		pb = &b->promos[pmap[i]];
		cr_assert(pa->applied == pb->applied &&
		    pa->reason == pb->reason && pa->amount == pb->amount &&
		    pa->applications == pb->applications &&
		    (pa->blocked_by == -1 ? pb->blocked_by == -1 :
		    pb->blocked_by == pmap[pa->blocked_by]),
		    "case %d promo %d differs", k, i);
	}
	cr_assert(a->subtotal == b->subtotal &&
	    a->item_discount == b->item_discount &&
	    a->order_discount == b->order_discount &&
	    a->shipping_discount == b->shipping_discount &&
	    a->shipping_tax == b->shipping_tax && a->tax == b->tax &&
	    a->discount == b->discount && a->total == b->total,
	    "case %d totals differ", k);
}

Test(core_rules_prop, invariants_hold_on_random_carts)
{
	static struct prop_case		c, perm;
	static struct core_rules_result	r1, r2, r3;
	int	lmap[CORE_RULES_MAX_LINES], pmap[CORE_RULES_MAX_PROMOS];
	int	k, i, applied, blocked;

	prop_state = 0x5eed0004;
	prop_pools();
	applied = blocked = 0;
	for (k = 0; k < PROP_CASES; k++) {
		prop_gen(&c);
		cr_assert_eq(core_rules_quote(&r1, &c.in), CORE_RULES_OK,
		    "case %d refused", k);
		prop_check(k, &c.in, &r1);
		for (i = 0; i < c.in.npromos; i++) {
			applied += r1.promos[i].applied;
			blocked += r1.promos[i].blocked_by != -1;
		}

		/* Twice: identical. */
		cr_assert_eq(core_rules_quote(&r2, &c.in), CORE_RULES_OK);
		for (i = 0; i < c.in.nlines; i++)
			lmap[i] = i;
		for (i = 0; i < c.in.npromos; i++)
			pmap[i] = i;
		prop_same(k, &r1, &r2, lmap, pmap);

		/* Lines and promotions shuffled: the same, mapped. */
		perm = c;
		perm.in.lines = perm.lines;
		perm.in.promos = perm.promos;
		prop_shuffle(lmap, c.in.nlines);
		prop_shuffle(pmap, c.in.npromos);
		for (i = 0; i < c.in.nlines; i++)
			perm.lines[lmap[i]] = c.lines[i];
		for (i = 0; i < c.in.npromos; i++)
			perm.promos[pmap[i]] = c.promos[i];
		cr_assert_eq(core_rules_quote(&r3, &perm.in), CORE_RULES_OK);
		prop_same(k, &r1, &r3, lmap, pmap);
	}
	/* The generator must exercise the interesting paths, not skip them. */
	cr_assert(applied > PROP_CASES / 4, "only %d applied", applied);
	cr_assert(blocked > PROP_CASES / 10, "only %d blocked", blocked);
}

/*
 * Buy X get Y against brute force: small carts (at most 8 units) whose
 * lines are in X, in Y, in both or in neither; every assignment of every
 * unit to X, Y or nothing is tried.  The engine must find the most
 * applications any assignment allows, and make free the cheapest Y units
 * any such assignment can (the discount is 100%, so amounts are exact).
 */
Test(core_rules_prop, buy_x_get_y_matches_brute_force)
{
	static const struct core_rules_tax_rate zero = { "DE", "zero", 0 };
	static struct core_rules_result	r;
	struct core_rules_input		in;
	struct core_rules_line		lines[4];
	struct core_rules_promo		p;
	const char			*xs[4], *ys[4];
	int64_t				uprice[8], best_k, best_sum, k, sum;
	int				ux[8], uy[8], as[8];
	int				kase, i, j, u, nu, nx, ny, done, checked;

	prop_state = 0xb0b0;
	prop_pools();
	checked = 0;
	for (kase = 0; kase < 3000; kase++) {
		memset(&in, 0, sizeof(in));
		memset(lines, 0, sizeof(lines));
		memset(&p, 0, sizeof(p));
		in.lines = lines;
		in.nlines = (int)prop_range(1, 4);
		in.promos = &p;
		in.npromos = 1;
		in.rates = &zero;
		in.nrates = 1;
		in.country = "DE";
		p.id = "bxgy";
		p.action = CORE_RULES_BUY_X_GET_Y;
		p.value = CORE_RULES_RATE_ONE;
		p.buy_qty = prop_range(1, 3);
		p.get_qty = prop_range(1, 2);
		p.max_applications = prop_range(0, 2);
		p.match.skus = xs;
		p.get_match.skus = ys;
		nu = 0;
		for (i = 0; i < in.nlines; i++) {
			lines[i].sku = prop_skus[i];
			lines[i].tax_category = "zero";
			lines[i].unit_price = prop_range(1, 6) * 100;
			lines[i].quantity = prop_range(1, 8 - nu -
			    (in.nlines - i - 1) > 3 ? 3 : 8 - nu -
			    (in.nlines - i - 1));
			if (prop_range(0, 1))
				xs[p.match.nskus++] = lines[i].sku;
			if (prop_range(0, 1))
				ys[p.get_match.nskus++] = lines[i].sku;
			nu += (int)lines[i].quantity;
		}
		/* Units, with the engine's meaning of empty lists. */
		u = 0;
		for (i = 0; i < in.nlines; i++) {
			for (j = 0; j < lines[i].quantity; j++, u++) {
				uprice[u] = lines[i].unit_price;
				ux[u] = prop_matches(&p.match, &lines[i]);
				uy[u] = p.get_match.nskus == 0 ? ux[u] :
				    prop_matches(&p.get_match, &lines[i]);
			}
		}
		/* Every assignment: 0 nothing, 1 X, 2 Y. */
		best_k = 0;
		best_sum = 0;
		memset(as, 0, sizeof(as));
		for (done = 0; !done;) {
			nx = ny = 0;
			sum = 0;
			for (u = 0; u < nu; u++) {
				if ((as[u] == 1 && !ux[u]) ||
				    (as[u] == 2 && !uy[u]))
					break;
				nx += as[u] == 1;
				ny += as[u] == 2;
				sum += as[u] == 2 ? uprice[u] : 0;
			}
			if (u == nu) {
				k = nx / p.buy_qty;
				if (ny / p.get_qty < k)
					k = ny / p.get_qty;
				if (p.max_applications > 0 &&
				    p.max_applications < k)
					k = p.max_applications;
				if (k > 0 && ny == k * p.get_qty &&
				    (k > best_k || (k == best_k &&
				    sum < best_sum))) {
					best_k = k;
					best_sum = sum;
				}
			}
			for (u = 0; u < nu && ++as[u] == 3; u++)
				as[u] = 0;
			done = u == nu;
		}

		cr_assert_eq(core_rules_quote(&r, &in), CORE_RULES_OK);
		if (best_k == 0) {
			cr_assert(!r.promos[0].applied, "case %d", kase);
			continue;
		}
		checked++;
		cr_assert(r.promos[0].applied && r.promos[0].applications ==
		    best_k && r.promos[0].amount == best_sum,
		    "case %d: %lld applications, %lld off; brute force %lld, "
		    "%lld", kase, (long long)r.promos[0].applications,
		    (long long)r.promos[0].amount, (long long)best_k,
		    (long long)best_sum);
	}
	cr_assert(checked > 500, "only %d cases applied", checked);
}

/*
 * Bad input is refused, never priced and never a crash: random valid
 * cases, each broken in one random way, must return that error and name
 * the line or promotion at fault.
 */
Test(core_rules_prop, one_bad_field_is_refused_and_named)
{
	static struct prop_case		c;
	static struct core_rules_result	r;
	static const char *const	many[CORE_RULES_MAX_MATCH + 1];
	struct core_rules_tax_rate	bad_rates[1];
	int				k, i, want, rc, line, promo, kind;

	prop_state = 0xbad;
	prop_pools();
	for (k = 0; k < 2000; k++) {
		do
			prop_gen(&c);
		while (c.in.nlines < 2 || c.in.npromos < 2);
		line = promo = -1;
		i = (int)prop_range(0, c.in.nlines - 1);
		kind = (int)prop_range(0, 11);
		switch (kind) {
		case 0:
			c.lines[i].unit_price = -1;
			want = CORE_RULES_ERR_INPUT;
			line = i;
			break;
		case 1:
			c.lines[i].quantity = prop_range(0, 1) ? 0 :
			    CORE_RULES_MAX_QUANTITY + 1;
			want = CORE_RULES_ERR_INPUT;
			line = i;
			break;
		case 2:
			c.lines[i].sku = c.lines[(i + 1) % c.in.nlines].sku;
			want = CORE_RULES_ERR_DUPLICATE;
			break;
		case 3:
			c.lines[i].tax_category = "luxury";
			want = CORE_RULES_ERR_TAX;
			line = i;
			break;
		case 4:
			c.lines[i].sku = prop_range(0, 1) ? NULL : "";
			want = CORE_RULES_ERR_INPUT;
			line = i;
			break;
		case 5:
			c.in.nlines = CORE_RULES_MAX_LINES + 1;
			want = CORE_RULES_ERR_LIMIT;
			break;
		case 6:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].action = CORE_RULES_ORDER_PERCENT;
			c.promos[promo].value = CORE_RULES_RATE_ONE + 1;
			want = CORE_RULES_ERR_INPUT;
			break;
		case 7:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].combines_with = 0x08;
			want = CORE_RULES_ERR_INPUT;
			break;
		case 8:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].match.skus = many;
			c.promos[promo].match.nskus = CORE_RULES_MAX_MATCH + 1;
			want = CORE_RULES_ERR_LIMIT;
			break;
		case 9:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].action = CORE_RULES_BUY_X_GET_Y;
			c.promos[promo].value = 0;
			c.promos[promo].buy_qty = 0;
			c.promos[promo].get_qty = 1;
			want = CORE_RULES_ERR_INPUT;
			break;
		case 10:
			bad_rates[0] = prop_rates[0];
			bad_rates[0].rate = CORE_RULES_RATE_ONE + 1;
			c.in.rates = bad_rates;
			c.in.nrates = 1;
			want = CORE_RULES_ERR_INPUT;
			break;
		default:
			c.in.shipping = -1;
			want = CORE_RULES_ERR_INPUT;
			break;
		}
		rc = core_rules_quote(&r, &c.in);
		cr_assert_eq(rc, want, "case %d kind %d: %s, not %s", k, kind,
		    core_rules_error_str(rc), core_rules_error_str(want));
		if (line != -1)
			cr_assert_eq(r.err_line, line, "case %d kind %d", k,
			    kind);
		if (promo != -1)
			cr_assert_eq(r.err_promo, promo, "case %d kind %d", k,
			    kind);
	}
}
