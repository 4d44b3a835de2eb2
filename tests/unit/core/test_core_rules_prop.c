/*
 * Property tests of the pricing rules engine: thousands of random carts
 * and promotion sets from a fixed-seed PRNG (splitmix64, so a failure
 * reproduces on every run and the case number finds it), each checked
 * against invariants that hold for every input: nothing negative, no
 * discount above what it applies to, allocations summing exactly, the
 * applied set pairwise combinable, refusals naming a real conflict, tax
 * per line by the rounding rule, totals adding up, and the same result for
 * any order of the lines and promotions and for a second quote.  The
 * generator and the checker are in rules_prop.c.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules.h"
#include "tests/unit/core/rules_prop.h"

#define PROP_CASES	10000

static void	prop_same(int, const struct core_rules_result *,
		    const struct core_rules_result *, const int *,
		    const int *);

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
 * Amounts near CORE_MONEY_MAX: a quote either succeeds with every
 * invariant holding or says overflow, and it must succeed while the cart
 * (with tax at most doubling it) stays clear of the limit.
 */
Test(core_rules_prop, huge_amounts_price_or_overflow)
{
	static struct prop_case		c;
	static struct core_rules_result	r;
	__int128			sum;
	int				k, i, rc, ok;

	prop_state = 0xb16;
	prop_pools();
	ok = 0;
	for (k = 0; k < 2000; k++) {
		prop_gen(&c);
		for (i = 0; i < c.in.nlines; i++) {
			if (prop_range(0, 2) != 0)
				continue;
			c.lines[i].unit_price = prop_range(0,
			    CORE_MONEY_MAX / prop_range(1, 1000000));
			c.lines[i].quantity = prop_range(1, 1000);
		}
		for (i = 0; i < c.in.npromos; i++)
			if (c.promos[i].action == CORE_RULES_ORDER_FIXED &&
			    prop_range(0, 1))
				c.promos[i].value = CORE_MONEY_MAX;
		sum = c.in.shipping;
		for (i = 0; i < c.in.nlines; i++)
			sum += (__int128)c.lines[i].unit_price *
			    c.lines[i].quantity;
		rc = core_rules_quote(&r, &c.in);
		if (sum <= CORE_MONEY_MAX / 3)
			cr_assert_eq(rc, CORE_RULES_OK, "case %d", k);
		else
			cr_assert(rc == CORE_RULES_OK ||
			    rc == CORE_RULES_ERR_OVERFLOW, "case %d: %s", k,
			    core_rules_error_str(rc));
		if (rc == CORE_RULES_OK) {
			prop_check(k, &c.in, &r);
			ok++;
		}
	}
	cr_assert(ok > 500 && ok < 2000, "%d of 2000 priced", ok);
}
