/*
 * The copied promotions as rules-engine input.  The definition is the one
 * pricing publishes (docs/contracts/pricing-v1.md, "Promotions"), which
 * maps one to one onto struct core_rules_promo; checkout translates it
 * itself (it may not call pricing) the same way pricing_promo_engine
 * does, so a cart and pricing's quote get the same numbers.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"

static const struct {
	const char		*name;
	enum core_rules_action	 action;
	const char		*class;
	int			 rate;		/* 1: takes rate, 0: amount */
} checkout_actions[] = {
	{ "order_percent", CORE_RULES_ORDER_PERCENT, "order", 1 },
	{ "order_fixed", CORE_RULES_ORDER_FIXED, "order", 0 },
	{ "items_percent", CORE_RULES_ITEMS_PERCENT, "product", 1 },
	{ "items_fixed", CORE_RULES_ITEMS_FIXED, "product", 0 },
	{ "items_fixed_total", CORE_RULES_ITEMS_FIXED_TOTAL, "product", 0 },
	{ "buy_x_get_y", CORE_RULES_BUY_X_GET_Y, "product", 1 },
	{ "free_shipping", CORE_RULES_FREE_SHIPPING, "shipping", 0 },
	{ NULL, 0, NULL, 0 }
};

static const char *checkout_match_keys[] = { "skus", "product_ids",
    "category_ids" };

static int	checkout_match_load(const cJSON *, const char **store,
		    struct core_rules_match *);
static int	checkout_promo_engine(struct checkout_promo *);
static int	checkout_promos_read(sqlite3 *, struct checkout_promo *);

/*
 * The worker's parsed copy, by generation (copy_generations, moved by
 * triggers on every write to the copy, in any worker): every cart change
 * prices against all active promotions, and reading and parsing fifty of
 * them each time cost as much as the rest of the pricing.  Two slots: the
 * one before the current stays alive, so a caller holding entries from
 * it while the copy changes under the same request reads no freed memory.
 */
static struct checkout_promo	checkout_promo_cache[2][CORE_RULES_MAX_PROMOS];
static int			checkout_promo_n[2] = { -1, -1 };
static int64_t			checkout_promo_gen[2];
static int			checkout_promo_cur;

/* Points m's lists at the strings of the match object j (NULL: all). */
static int
checkout_match_load(const cJSON *j, const char **store,
    struct core_rules_match *m)
{
	const cJSON	*it, *list;
	int		 k, i, n[3];

	for (k = 0; k < 3; k++) {
		i = 0;
		list = j != NULL ? cJSON_GetObjectItemCaseSensitive(j,
		    checkout_match_keys[k]) : NULL;
		cJSON_ArrayForEach(it, list) {
			if (!cJSON_IsString(it) || i >= CORE_RULES_MAX_MATCH)
				return (-1);
			store[k * CORE_RULES_MAX_MATCH + i++] =
			    it->valuestring;
		}
		n[k] = i;
	}
	m->skus = store;
	m->nskus = n[0];
	m->products = store + CORE_RULES_MAX_MATCH;
	m->nproducts = n[1];
	m->categories = store + 2 * CORE_RULES_MAX_MATCH;
	m->ncategories = n[2];
	return (0);
}

/* Fills pp->p's conditions and action from pp->conditions and action. */
static int
checkout_promo_engine(struct checkout_promo *pp)
{
	struct core_rules_promo	*p;
	const cJSON		*c, *a, *it;
	const char		*type;
	int64_t			 v;
	int			 k, i;

	p = &pp->p;
	c = pp->conditions;
	a = pp->action;
	if (checkout_match_load(cJSON_GetObjectItemCaseSensitive(c, "match"),
	    pp->names, &p->match) == -1 ||
	    checkout_match_load(cJSON_GetObjectItemCaseSensitive(a,
	    "get_match"), pp->names + 3 * CORE_RULES_MAX_MATCH,
	    &p->get_match) == -1)
		return (-1);
	i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c,
	    "customer_groups")) {
		if (!cJSON_IsString(it) || i >= CORE_RULES_MAX_GROUPS)
			return (-1);
		pp->groups[i++] = it->valuestring;
	}
	p->groups = pp->groups;
	p->ngroups = i;
	p->first_order_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c,
	    "first_order"));
	p->min_subtotal = core_json_get_i64(c, "min_subtotal", 0,
	    CORE_MONEY_MAX, &v) == CORE_JSON_OK ? v : 0;
	p->min_quantity = core_json_get_i64(c, "min_quantity", 0,
	    CORE_RULES_MAX_QUANTITY, &v) == CORE_JSON_OK ? v : 0;
	if (core_json_get_str(a, "type", 32, &type) != CORE_JSON_OK)
		return (-1);
	for (k = 0; checkout_actions[k].name != NULL; k++)
		if (strcmp(checkout_actions[k].name, type) == 0)
			break;
	if (checkout_actions[k].name == NULL)
		return (-1);
	p->action = checkout_actions[k].action;
	pp->class = checkout_actions[k].class;
	if (core_json_get_i64(a, checkout_actions[k].rate ? "rate" : "amount",
	    0, CORE_MONEY_MAX, &v) == CORE_JSON_OK)
		p->value = v;
	p->buy_qty = core_json_get_i64(a, "buy_qty", 0, 1000, &v) ==
	    CORE_JSON_OK ? v : 0;
	p->get_qty = core_json_get_i64(a, "get_qty", 0, 1000, &v) ==
	    CORE_JSON_OK ? v : 0;
	p->max_applications = core_json_get_i64(a, "max_applications", 0,
	    CORE_RULES_MAX_QUANTITY, &v) == CORE_JSON_OK ? v : 0;
	return (0);
}

int
checkout_promos_load(sqlite3 *db, struct checkout_promo *pp)
{
	int64_t	gen;
	int	i, n, slot;

	gen = core_db_scalar(db, "SELECT gen FROM copy_generations WHERE"
	    " name = 'promotions'", NULL, -1);
	slot = checkout_promo_cur;
	if (gen < 0)
		return (checkout_promos_read(db, pp));
	if (checkout_promo_n[slot] < 0 || checkout_promo_gen[slot] != gen) {
		slot = 1 - slot;
		checkout_promos_free(checkout_promo_cache[slot],
		    checkout_promo_n[slot]);
		checkout_promo_n[slot] = -1;
		if ((n = checkout_promos_read(db,
		    checkout_promo_cache[slot])) == -1)
			return (-1);
		checkout_promo_n[slot] = n;
		checkout_promo_gen[slot] = gen;
		checkout_promo_cur = slot;
	}
	n = checkout_promo_n[slot];
	memcpy(pp, checkout_promo_cache[slot], n * sizeof(*pp));
	for (i = 0; i < n; i++)
		pp[i].borrowed = 1;
	return (n);
}

/* Reads and parses the active promotions of the copy into pp. */
static int
checkout_promos_read(sqlite3 *db, struct checkout_promo *pp)
{
	struct checkout_promo	*q;
	sqlite3_stmt		*st;
	cJSON			*cw, *it;
	int			 n;

	if ((st = core_db_stmt(db, "SELECT id, name, trigger_kind, starts_at,"
	    " ends_at, priority, is_exclusive, combines_with, conditions_json,"
	    " action_json, usage_limit, customer_usage_limit FROM promotions"
	    " WHERE status = 'active' ORDER BY priority DESC, id LIMIT ?")) ==
	    NULL)
		return (-1);
	sqlite3_bind_int(st, 1, CORE_RULES_MAX_PROMOS);
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		q = &pp[n++];
		memset(q, 0, sizeof(*q));
		snprintf(q->id, sizeof(q->id), "%s",
		    sqlite3_column_text(st, 0));
		snprintf(q->name, sizeof(q->name), "%s",
		    sqlite3_column_text(st, 1));
		q->code = strcmp((const char *)sqlite3_column_text(st, 2),
		    "code") == 0;
		q->p.id = q->id;
		q->p.starts_at = sqlite3_column_int64(st, 3);
		q->p.ends_at = sqlite3_column_int64(st, 4);
		q->p.priority = sqlite3_column_int(st, 5);
		q->p.exclusive = sqlite3_column_int(st, 6);
		if ((cw = cJSON_Parse((const char *)sqlite3_column_text(st,
		    7))) != NULL) {
			cJSON_ArrayForEach(it, cw) {
				if (!cJSON_IsString(it))
					continue;
				if (strcmp(it->valuestring, "product") == 0)
					q->p.combines_with |=
					    CORE_RULES_CLASS_PRODUCT;
				else if (strcmp(it->valuestring, "order") == 0)
					q->p.combines_with |=
					    CORE_RULES_CLASS_ORDER;
				else if (strcmp(it->valuestring,
				    "shipping") == 0)
					q->p.combines_with |=
					    CORE_RULES_CLASS_SHIPPING;
			}
			cJSON_Delete(cw);
		}
		q->conditions = cJSON_Parse((const char *)
		    sqlite3_column_text(st, 8));
		q->action = cJSON_Parse((const char *)sqlite3_column_text(st,
		    9));
		q->p.usage_limit = sqlite3_column_int64(st, 10);
		q->p.customer_limit = sqlite3_column_int64(st, 11);
		if (q->conditions == NULL || q->action == NULL ||
		    checkout_promo_engine(q) == -1) {
			sqlite3_reset(st);
			core_logf("error", "checkout: promotion %s: copied "
			    "definition unreadable", q->id);
			checkout_promos_free(pp, n);
			return (-1);
		}
	}
	sqlite3_reset(st);
	return (n);
}

void
checkout_promos_free(struct checkout_promo *pp, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (!pp[i].borrowed) {
			cJSON_Delete(pp[i].conditions);
			cJSON_Delete(pp[i].action);
		}
		pp[i].conditions = pp[i].action = NULL;
	}
}
