/*
 * Benchmark of the pricing rules engine: a 20-line cart against 50 active
 * promotions of every kind (all conditions met, most combinable, so the
 * selection and every action run), quoted many times; prints p50, p99 and
 * max per quote in microseconds.  `make bench-rules` builds and runs it;
 * `rules-bench LINES PROMOS` tries another size (at most 200 and 100).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core_rules.h"

#define BENCH_WARMUP	1000
#define BENCH_RUNS	100000

static const char *const bench_cats[] = { "shirts", "socks", "shoes" };
static const struct core_rules_tax_rate bench_rates[] = {
	{ "DE", "standard", 19000 }, { "DE", "reduced", 7000 },
	{ "DE", "zero", 0 },
};

static int	bench_cmp(const void *, const void *);
static int64_t	bench_ns(void);

static int
bench_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

static int64_t
bench_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

int
main(int argc, char *argv[])
{
	static struct core_rules_result	out;
	static int64_t			ns[BENCH_RUNS];
	struct core_rules_input		in;
	struct core_rules_line		lines[CORE_RULES_MAX_LINES];
	struct core_rules_promo		promos[CORE_RULES_MAX_PROMOS];
	char				skus[CORE_RULES_MAX_LINES][16];
	char				ids[CORE_RULES_MAX_PROMOS][16];
	int				i, applied, nlines, npromos;
	int64_t				t;

	nlines = argc > 1 ? atoi(argv[1]) : 20;
	npromos = argc > 2 ? atoi(argv[2]) : 50;
	if (nlines < 1 || nlines > CORE_RULES_MAX_LINES ||
	    npromos < 0 || npromos > CORE_RULES_MAX_PROMOS) {
		fprintf(stderr, "usage: rules-bench [lines [promotions]]\n");
		return (1);
	}

	memset(&in, 0, sizeof(in));
	memset(lines, 0, sizeof(lines));
	memset(promos, 0, sizeof(promos));
	/* Listed in reverse SKU order so the canonical sort has work. */
	for (i = 0; i < nlines; i++) {
		snprintf(skus[i], sizeof(skus[i]), "SKU-%03d",
		    nlines - i);
		lines[i].sku = skus[i];
		lines[i].categories = &bench_cats[i % 3];
		lines[i].ncategories = 1;
		lines[i].tax_category = i % 4 == 0 ? "reduced" : "standard";
		lines[i].unit_price = 499 + 137 * i;
		lines[i].quantity = 1 + i % 4;
	}
	for (i = 0; i < npromos; i++) {
		snprintf(ids[i], sizeof(ids[i]), "promo_%02d", i);
		promos[i].id = ids[i];
		promos[i].priority = i % 7;
		promos[i].combines_with = CORE_RULES_CLASS_ALL;
		promos[i].action = (enum core_rules_action)(1 + i % 6);
		promos[i].min_subtotal = 1000;
		promos[i].ends_at = 2000000000;
		switch (promos[i].action) {
		case CORE_RULES_ORDER_FIXED:
		case CORE_RULES_ITEMS_FIXED:
			promos[i].value = 50;
			break;
		case CORE_RULES_FREE_SHIPPING:
			break;
		case CORE_RULES_BUY_X_GET_Y:
			promos[i].buy_qty = 2;
			promos[i].get_qty = 1;
			promos[i].value = 50000;
			promos[i].match.categories = &bench_cats[i % 3];
			promos[i].match.ncategories = 1;
			break;
		default:
			promos[i].value = 1000 + i;
			promos[i].match.categories = &bench_cats[i % 3];
			promos[i].match.ncategories = 1;
			break;
		}
	}
	in.lines = lines;
	in.nlines = nlines;
	in.promos = promos;
	in.npromos = npromos;
	in.rates = bench_rates;
	in.nrates = 3;
	in.country = "DE";
	in.now = 1700000000;
	in.shipping = 490;
	in.shipping_taxable = 1;
	in.shipping_tax_category = "standard";

	for (i = 0; i < BENCH_WARMUP; i++)
		if (core_rules_quote(&out, &in) != CORE_RULES_OK)
			return (1);
	for (i = 0; i < BENCH_RUNS; i++) {
		t = bench_ns();
		if (core_rules_quote(&out, &in) != CORE_RULES_OK)
			return (1);
		ns[i] = bench_ns() - t;
	}
	applied = 0;
	for (i = 0; i < npromos; i++)
		applied += out.promos[i].applied;
	qsort(ns, BENCH_RUNS, sizeof(ns[0]), bench_cmp);
	printf("rules: %d lines, %d promotions (%d applied), %d quotes: "
	    "p50 %.1f us, p99 %.1f us, max %.1f us; total %lld.%02lld\n",
	    nlines, npromos, applied, BENCH_RUNS,
	    ns[BENCH_RUNS / 2] / 1000.0, ns[BENCH_RUNS * 99 / 100] / 1000.0,
	    ns[BENCH_RUNS - 1] / 1000.0, (long long)(out.total / 100),
	    (long long)(out.total % 100));
	return (0);
}
