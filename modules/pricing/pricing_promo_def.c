/*
 * A promotion's definition: checking one sent over the API (every field,
 * with a 422 error naming each bad one), its canonical JSON as stored and
 * published, and its translation into the rules engine's struct
 * core_rules_promo (core/core_rules.h), which the quote feeds the engine.
 * The API shape maps one to one onto the engine's: docs/contracts/
 * pricing-v1.md.  No Kore I/O here, only the error list it fills.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

static const struct {
	const char		*name;
	enum core_rules_action	 action;
	int			 class;
	int			 rate;		/* 1: takes rate, 0: amount */
} pricing_actions[] = {
	{ "order_percent", CORE_RULES_ORDER_PERCENT, CORE_RULES_CLASS_ORDER,
	    1 },
	{ "order_fixed", CORE_RULES_ORDER_FIXED, CORE_RULES_CLASS_ORDER, 0 },
	{ "items_percent", CORE_RULES_ITEMS_PERCENT, CORE_RULES_CLASS_PRODUCT,
	    1 },
	{ "items_fixed", CORE_RULES_ITEMS_FIXED, CORE_RULES_CLASS_PRODUCT, 0 },
	{ "items_fixed_total", CORE_RULES_ITEMS_FIXED_TOTAL,
	    CORE_RULES_CLASS_PRODUCT, 0 },
	{ "buy_x_get_y", CORE_RULES_BUY_X_GET_Y, CORE_RULES_CLASS_PRODUCT, 1 },
	{ "free_shipping", CORE_RULES_FREE_SHIPPING,
	    CORE_RULES_CLASS_SHIPPING, 0 },
};
#define PRICING_NACTIONS	\
	(int)(sizeof(pricing_actions) / sizeof(pricing_actions[0]))

static const char *pricing_class_names[] = { "product", "order",
    "shipping" };
static const char *pricing_match_keys[] = { "skus", "product_ids",
    "category_ids" };

static cJSON	*pricing_match_check(const cJSON *, const char *field,
		    cJSON **errors);
static int	 pricing_only_keys(const cJSON *, const char *field,
		    const char *const *keys, cJSON **errors);
static void	 pricing_opt_i64(const cJSON *, const char *key,
		    const char *field, int64_t min, int64_t max, cJSON *out,
		    cJSON **errors);
static int	 pricing_action_index(const char *);

static int
pricing_action_index(const char *name)
{
	int	i;

	for (i = 0; name != NULL && i < PRICING_NACTIONS; i++)
		if (strcmp(pricing_actions[i].name, name) == 0)
			return (i);
	return (-1);
}

const char *
pricing_promo_class(const char *action_type)
{
	int	i;

	if ((i = pricing_action_index(action_type)) == -1)
		return ("order");
	switch (pricing_actions[i].class) {
	case CORE_RULES_CLASS_PRODUCT:
		return ("product");
	case CORE_RULES_CLASS_SHIPPING:
		return ("shipping");
	default:
		return ("order");
	}
}

/* Refuses members of o not in keys (a typo must not pass silently). */
static int
pricing_only_keys(const cJSON *o, const char *field, const char *const *keys,
    cJSON **errors)
{
	const cJSON	*it;
	char		 f[128];
	int		 i, ok, bad;

	bad = 0;
	cJSON_ArrayForEach(it, o) {
		ok = 0;
		for (i = 0; keys[i] != NULL; i++)
			if (it->string != NULL && strcmp(it->string,
			    keys[i]) == 0)
				ok = 1;
		if (!ok) {
			snprintf(f, sizeof(f), "%s.%.60s", field,
			    it->string ? it->string : "");
			core_http_field_error(errors, f, "is not a member of "
			    "this object");
			bad = 1;
		}
	}
	return (bad ? -1 : 0);
}

/* An optional integer key of in copied to out (null when absent). */
static void
pricing_opt_i64(const cJSON *in, const char *key, const char *field,
    int64_t min, int64_t max, cJSON *out, cJSON **errors)
{
	int64_t	v;
	char	msg[96];
	int	rc;

	rc = core_json_get_i64(in, key, min, max, &v);
	if (rc == CORE_JSON_WRONG) {
		snprintf(msg, sizeof(msg), "must be an integer from %lld to "
		    "%lld, or null", (long long)min, (long long)max);
		core_http_field_error(errors, field, msg);
		return;
	}
	if (rc == CORE_JSON_MISSING || v == 0)
		cJSON_AddNullToObject(out, key);
	else
		cJSON_AddNumberToObject(out, key, (double)v);
}

/*
 * A match object ({"skus","product_ids","category_ids"}, each optional)
 * in its canonical form (all three lists), or NULL after adding errors.
 * m may be NULL (every line).
 */
static cJSON *
pricing_match_check(const cJSON *m, const char *field, cJSON **errors)
{
	static const char *const keys[] = { "skus", "product_ids",
	    "category_ids", NULL };
	const cJSON	*list, *it;
	cJSON		*out, *arr;
	char		 f[128];
	int		 k, i, bad, ok;

	out = cJSON_CreateObject();
	if (m == NULL || cJSON_IsNull(m)) {
		for (k = 0; k < 3; k++)
			cJSON_AddItemToObject(out, pricing_match_keys[k],
			    cJSON_CreateArray());
		return (out);
	}
	if (!cJSON_IsObject(m)) {
		core_http_field_error(errors, field, "must be an object with "
		    "skus, product_ids and/or category_ids");
		cJSON_Delete(out);
		return (NULL);
	}
	bad = pricing_only_keys(m, field, keys, errors);
	for (k = 0; k < 3; k++) {
		arr = cJSON_AddArrayToObject(out, pricing_match_keys[k]);
		list = cJSON_GetObjectItemCaseSensitive(m,
		    pricing_match_keys[k]);
		if (list == NULL || cJSON_IsNull(list))
			continue;
		snprintf(f, sizeof(f), "%s.%s", field, pricing_match_keys[k]);
		if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) >
		    CORE_RULES_MAX_MATCH) {
			core_http_field_error(errors, f, "must be an array of "
			    "at most 64 strings");
			bad = 1;
			continue;
		}
		i = 0;
		cJSON_ArrayForEach(it, list) {
			ok = cJSON_IsString(it);
			if (ok && k == 0)
				ok = pricing_sku_valid(it->valuestring);
			else if (ok && k == 1)
				ok = core_id_valid(it->valuestring, "prod");
			else if (ok)
				ok = core_id_valid(it->valuestring, "cat");
			if (!ok) {
				snprintf(f, sizeof(f), "%s.%s[%d]", field,
				    pricing_match_keys[k], i);
				core_http_field_error(errors, f, k == 0 ?
				    "must be a SKU" : k == 1 ? "must be a "
				    "product id (prod_...)" : "must be a "
				    "category id (cat_...)");
				bad = 1;
			} else {
				cJSON_AddItemToArray(arr,
				    cJSON_CreateString(it->valuestring));
			}
			i++;
		}
	}
	if (bad) {
		cJSON_Delete(out);
		return (NULL);
	}
	return (out);
}

void
pricing_promo_def_cleanup(struct pricing_promo_def *d)
{
	cJSON_free(d->combines_with);
	cJSON_free(d->conditions);
	cJSON_free(d->action);
	memset(d, 0, sizeof(*d));
}

/*
 * Checks the whole promotion o (a create body, or the current promotion
 * with a patch laid over it) into *d.  Returns 0, or -1 with *errors
 * naming every bad field; *d must be cleaned up either way.
 */
int
pricing_promo_def_check(sqlite3 *db, const cJSON *o,
    struct pricing_promo_def *d, cJSON **errors)
{
	static const char *const ckeys[] = { "min_subtotal", "min_quantity",
	    "match", "customer_groups", "first_order", NULL };
	static const char *const akeys[] = { "type", "rate", "amount",
	    "buy_qty", "get_qty", "max_applications", "get_match", NULL };
	const cJSON	*c, *a, *it, *cw;
	cJSON		*cc, *ca, *m, *arr;
	const char	*s;
	char		 f[64];
	int64_t		 v;
	int		 rc, i, k, bits, first;

	memset(d, 0, sizeof(*d));
	d->starts_at = d->ends_at = d->usage_limit =
	    d->customer_usage_limit = -1;
	rc = core_json_get_str(o, "name", PRICING_NAME_MAX, &d->name);
	if (rc != CORE_JSON_OK || *d->name == '\0')
		core_http_field_error(errors, "name",
		    "is required: 1 to 100 bytes");
	d->description = "";
	if (core_json_get_str(o, "description", 1000, &d->description) ==
	    CORE_JSON_WRONG)
		core_http_field_error(errors, "description",
		    "must be a string of at most 1000 bytes");
	if (d->description == NULL)
		d->description = "";
	d->status = "active";
	rc = core_json_get_str(o, "status", 16, &s);
	if (rc == CORE_JSON_OK && (strcmp(s, "active") == 0 ||
	    strcmp(s, "disabled") == 0))
		d->status = s;
	else if (rc != CORE_JSON_MISSING)
		core_http_field_error(errors, "status",
		    "must be active or disabled");
	d->trigger = "automatic";
	rc = core_json_get_str(o, "trigger", 16, &s);
	if (rc == CORE_JSON_OK && (strcmp(s, "automatic") == 0 ||
	    strcmp(s, "code") == 0))
		d->trigger = s;
	else if (rc != CORE_JSON_MISSING)
		core_http_field_error(errors, "trigger",
		    "must be automatic or code");
	rc = core_json_get_str(o, "starts_at", 64, &s);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    pricing_time_parse(s, &d->starts_at) == -1))
		core_http_field_error(errors, "starts_at",
		    "must be an RFC 3339 time or null");
	rc = core_json_get_str(o, "ends_at", 64, &s);
	if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
	    pricing_time_parse(s, &d->ends_at) == -1))
		core_http_field_error(errors, "ends_at",
		    "must be an RFC 3339 time or null");
	else if (d->starts_at >= 0 && d->ends_at >= 0 &&
	    d->ends_at <= d->starts_at)
		core_http_field_error(errors, "ends_at",
		    "must be after starts_at");
	if (core_json_get_i64(o, "priority", -1000, 1000, &d->priority) ==
	    CORE_JSON_WRONG)
		core_http_field_error(errors, "priority",
		    "must be an integer from -1000 to 1000");
	if (core_json_get_bool(o, "exclusive", &d->exclusive) ==
	    CORE_JSON_WRONG)
		core_http_field_error(errors, "exclusive",
		    "must be true or false");
	rc = core_json_get_i64(o, "usage_limit", 1, CORE_MONEY_MAX, &v);
	if (rc == CORE_JSON_WRONG)
		core_http_field_error(errors, "usage_limit",
		    "must be a positive integer or null");
	else if (rc == CORE_JSON_OK)
		d->usage_limit = v;
	rc = core_json_get_i64(o, "customer_usage_limit", 1, CORE_MONEY_MAX,
	    &v);
	if (rc == CORE_JSON_WRONG)
		core_http_field_error(errors, "customer_usage_limit",
		    "must be a positive integer or null");
	else if (rc == CORE_JSON_OK)
		d->customer_usage_limit = v;

	/* combines_with: a set of classes, kept in a fixed order. */
	bits = 0;
	cw = cJSON_GetObjectItemCaseSensitive(o, "combines_with");
	if (cw != NULL && !cJSON_IsNull(cw)) {
		if (!cJSON_IsArray(cw))
			bits = -1;
		cJSON_ArrayForEach(it, cw) {
			for (k = 0; k < 3; k++)
				if (cJSON_IsString(it) && strcmp(
				    it->valuestring, pricing_class_names[k]) ==
				    0)
					break;
			if (k == 3)
				bits = -1;
			else if (bits != -1)
				bits |= 1 << k;
		}
		if (bits == -1)
			core_http_field_error(errors, "combines_with",
			    "must be an array of product, order, shipping");
	}
	arr = cJSON_CreateArray();
	for (k = 0; bits > 0 && k < 3; k++)
		if (bits & (1 << k))
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(pricing_class_names[k]));
	d->combines_with = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);

	/* Conditions. */
	c = cJSON_GetObjectItemCaseSensitive(o, "conditions");
	cc = cJSON_CreateObject();
	if (c != NULL && !cJSON_IsNull(c) && !cJSON_IsObject(c)) {
		core_http_field_error(errors, "conditions",
		    "must be an object");
		c = NULL;
	}
	if (c != NULL && !cJSON_IsNull(c))
		(void)pricing_only_keys(c, "conditions", ckeys, errors);
	else
		c = NULL;
	pricing_opt_i64(c, "min_subtotal", "conditions.min_subtotal", 0,
	    CORE_MONEY_MAX, cc, errors);
	pricing_opt_i64(c, "min_quantity", "conditions.min_quantity", 0,
	    CORE_RULES_MAX_QUANTITY, cc, errors);
	if ((m = pricing_match_check(c ? cJSON_GetObjectItemCaseSensitive(c,
	    "match") : NULL, "conditions.match", errors)) != NULL)
		cJSON_AddItemToObject(cc, "match", m);
	arr = cJSON_AddArrayToObject(cc, "customer_groups");
	it = c ? cJSON_GetObjectItemCaseSensitive(c, "customer_groups") : NULL;
	if (it != NULL && !cJSON_IsNull(it)) {
		if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) >
		    CORE_RULES_MAX_GROUPS) {
			core_http_field_error(errors,
			    "conditions.customer_groups",
			    "must be an array of at most 16 group ids");
		} else {
			i = 0;
			for (it = it->child; it != NULL; it = it->next, i++) {
				if (cJSON_IsString(it) &&
				    pricing_group_version(db,
				    it->valuestring) > 0) {
					cJSON_AddItemToArray(arr,
					    cJSON_CreateString(
					    it->valuestring));
					continue;
				}
				snprintf(f, sizeof(f),
				    "conditions.customer_groups[%d]", i);
				core_http_field_error(errors, f,
				    "must be the id of a customer group");
			}
		}
	}
	first = 0;
	if (c != NULL && core_json_get_bool(c, "first_order", &first) ==
	    CORE_JSON_WRONG)
		core_http_field_error(errors, "conditions.first_order",
		    "must be true or false");
	cJSON_AddBoolToObject(cc, "first_order", first);
	d->conditions = cJSON_PrintUnformatted(cc);
	cJSON_Delete(cc);

	/* Action. */
	a = cJSON_GetObjectItemCaseSensitive(o, "action");
	if (!cJSON_IsObject(a)) {
		core_http_field_error(errors, "action", "is required: an "
		    "object with a type");
		return (*errors != NULL ? -1 : 0);
	}
	(void)pricing_only_keys(a, "action", akeys, errors);
	(void)core_json_get_str(a, "type", 32, &s);
	if ((k = pricing_action_index(s)) == -1) {
		core_http_field_error(errors, "action.type", "must be one of "
		    "order_percent, order_fixed, items_percent, items_fixed, "
		    "items_fixed_total, buy_x_get_y, free_shipping");
		return (-1);
	}
	ca = cJSON_CreateObject();
	cJSON_AddStringToObject(ca, "type", pricing_actions[k].name);
	if (pricing_actions[k].action == CORE_RULES_FREE_SHIPPING) {
		/* nothing to say */
	} else if (pricing_actions[k].rate) {
		if (core_json_get_i64(a, "rate", 1, CORE_RULES_RATE_ONE, &v) !=
		    CORE_JSON_OK)
			core_http_field_error(errors, "action.rate", "is "
			    "required: parts per 100,000 from 1 to 100000 "
			    "(10% is 10000)");
		else
			cJSON_AddNumberToObject(ca, "rate", (double)v);
	} else {
		if (core_json_get_i64(a, "amount", 1, CORE_MONEY_MAX, &v) !=
		    CORE_JSON_OK)
			core_http_field_error(errors, "action.amount", "is "
			    "required: minor units from 1 to 10^15");
		else
			cJSON_AddNumberToObject(ca, "amount", (double)v);
	}
	if (pricing_actions[k].action == CORE_RULES_BUY_X_GET_Y) {
		if (core_json_get_i64(a, "buy_qty", 1, 1000, &v) !=
		    CORE_JSON_OK)
			core_http_field_error(errors, "action.buy_qty",
			    "is required: 1 to 1000");
		else
			cJSON_AddNumberToObject(ca, "buy_qty", (double)v);
		if (core_json_get_i64(a, "get_qty", 1, 1000, &v) !=
		    CORE_JSON_OK)
			core_http_field_error(errors, "action.get_qty",
			    "is required: 1 to 1000");
		else
			cJSON_AddNumberToObject(ca, "get_qty", (double)v);
		pricing_opt_i64(a, "max_applications",
		    "action.max_applications", 0, CORE_RULES_MAX_QUANTITY, ca,
		    errors);
		if ((m = pricing_match_check(cJSON_GetObjectItemCaseSensitive(
		    a, "get_match"), "action.get_match", errors)) != NULL)
			cJSON_AddItemToObject(ca, "get_match", m);
	}
	d->action = cJSON_PrintUnformatted(ca);
	cJSON_Delete(ca);
	return (*errors != NULL ? -1 : 0);
}

/* Points list names of a canonical match at the strings of m. */
static int
pricing_match_load(const cJSON *m, const char **store, const char *const **l,
    int *n)
{
	const cJSON	*arr, *it;
	int		 k, i;

	for (k = 0; k < 3; k++) {
		l[k] = store + k * CORE_RULES_MAX_MATCH;
		n[k] = 0;
		arr = m ? cJSON_GetObjectItemCaseSensitive(m,
		    pricing_match_keys[k]) : NULL;
		i = 0;
		cJSON_ArrayForEach(it, arr) {
			if (!cJSON_IsString(it) || i >= CORE_RULES_MAX_MATCH)
				return (-1);
			store[k * CORE_RULES_MAX_MATCH + i++] =
			    it->valuestring;
		}
		n[k] = i;
	}
	return (0);
}

int
pricing_promo_engine(struct pricing_promo *pp)
{
	struct core_rules_promo	*p;
	const cJSON		*c, *a, *it;
	const char		*type;
	const char *const	*l[3];
	int64_t			 v;
	int			 n[3], k, i;

	p = &pp->p;
	c = pp->conditions;
	a = pp->action;
	if (pricing_match_load(cJSON_GetObjectItemCaseSensitive(c, "match"),
	    pp->names, l, n) == -1)
		return (-1);
	p->match.skus = l[0];
	p->match.nskus = n[0];
	p->match.products = l[1];
	p->match.nproducts = n[1];
	p->match.categories = l[2];
	p->match.ncategories = n[2];
	if (pricing_match_load(cJSON_GetObjectItemCaseSensitive(a,
	    "get_match"), pp->names + 3 * CORE_RULES_MAX_MATCH, l, n) == -1)
		return (-1);
	p->get_match.skus = l[0];
	p->get_match.nskus = n[0];
	p->get_match.products = l[1];
	p->get_match.nproducts = n[1];
	p->get_match.categories = l[2];
	p->get_match.ncategories = n[2];
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
	if (core_json_get_str(a, "type", 32, &type) != CORE_JSON_OK ||
	    (k = pricing_action_index(type)) == -1)
		return (-1);
	p->action = pricing_actions[k].action;
	pp->class = pricing_promo_class(type);
	if (core_json_get_i64(a, pricing_actions[k].rate ? "rate" : "amount",
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
