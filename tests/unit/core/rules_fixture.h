/*
 * The fixture the pricing rules engine's unit tests share: one input, one
 * result, helpers that add a line or a promotion with sensible defaults.
 * Criterion runs each test in its own process, so the globals start clean.
 */
#ifndef RULES_FIXTURE_H
#define RULES_FIXTURE_H

#include <stdint.h>

#include "core/core_rules.h"

extern struct core_rules_input	 rt_in;
extern struct core_rules_result	 rt_out;
extern struct core_rules_line	 rt_lines[CORE_RULES_MAX_LINES + 1];
extern struct core_rules_promo	 rt_promos[CORE_RULES_MAX_PROMOS + 1];
extern const char *const	 rt_shirts[1];
extern const char *const	 rt_socks[1];

/*
 * Germany (standard 19%, reduced 7%, zero; CH 7.7%, US 8.875% also
 * known), prices excluding tax, no lines, no promotions, no shipping.
 */
void	rt_setup(void);

/* Adds a line of tax category "standard"; returns it for more fields. */
struct core_rules_line *rt_line(const char *sku, int64_t price, int64_t qty);

/*
 * Adds an automatic promotion that combines with every class (tests of
 * stacking opt out); buy X get Y defaults to buy 1 get 1.
 */
struct core_rules_promo *rt_promo(const char *id, enum core_rules_action,
	    int64_t value);

/* core_rules_quote(&rt_out, &rt_in). */
int	rt_quote(void);

/* The result of the i-th promotion. */
const struct core_rules_promo_result *rt_res(int i);

#define RT_NOT_APPLIED(i, why) do {					\
	cr_assert_eq(rt_res(i)->applied, 0);				\
	cr_assert_str_eq(core_rules_reason_str(rt_res(i)->reason), why);\
	cr_assert_eq(rt_res(i)->amount, 0);				\
} while (0)

#endif
