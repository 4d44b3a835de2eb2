/*
 * Prices a cart from checkout's own copies through the shared rules
 * engine (core/core_rules.h), the same code and the same input pricing's
 * quote builds (modules/pricing/pricing_quote.c), so a cart and a quote
 * of the same lines agree to the minor unit.
 *
 * Snapshots: a line's unit price (base price, or the customer's lowest
 * group price whose window holds now), its product, title, categories,
 * weight and tax category are taken from the copies when the line is
 * added, its quantity changes or it is merged into another cart (the
 * line is "stale" until then).  Every other line keeps its snapshot.
 * Discounts, tax, shipping and totals are worked out again for the whole
 * cart on every change, since they depend on every line.
 *
 * Counts: a signed-in customer's first order is one with no earlier order
 * of theirs in the orders list, cancelled ones included (a guest is always
 * on a first order: the email is not known while the cart is priced);
 * promotion uses come from promotion_uses, counted when an order is placed
 * (checkout_promo_uses_add, in checkout_price_place.c, with what placing
 * does with a cart priced earlier), and a coupon's own uses from coupon_uses.
 * Pricing counts the same from checkout.order.created, so its quote agrees.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"

#define CHECKOUT_TITLE_MAX	256

struct checkout_pline {
	char		 sku[CHECKOUT_SKU_MAX + 1];
	char		 product_id[CORE_ID_MAX];
	char		 tax[CHECKOUT_CODE_MAX + 1];
	int		 stale;
	int64_t		 weight;
	int64_t		 rate;
	cJSON		*cats;		/* owned */
	const char	*catv[CORE_RULES_MAX_LINE_CATEGORIES];
};

/*
 * One per worker (a worker prices one cart at a time): ~400 KB that
 * would not fit a coroutine-free stack comfortably.
 */
struct checkout_pctx {
	int				 nq;
	struct checkout_pline		 q[CORE_RULES_MAX_LINES];
	struct core_rules_line		 lines[CORE_RULES_MAX_LINES];
	struct checkout_promo		 src[CORE_RULES_MAX_PROMOS];
	const struct checkout_promo	*used[CORE_RULES_MAX_PROMOS];
	struct core_rules_promo		 promos[CORE_RULES_MAX_PROMOS];
	struct core_rules_tax_rate	 rates[CORE_RULES_MAX_RATES];
	char				 ratecat[CORE_RULES_MAX_RATES]
					    [CHECKOUT_CODE_MAX + 1];
	char				 groups[CORE_RULES_MAX_GROUPS]
					    [CORE_ID_MAX];
	const char			*groupv[CORE_RULES_MAX_GROUPS];
	struct core_rules_input		 in;
	struct core_rules_result	 out;
};

static struct checkout_pctx	checkout_pctx;

static int	checkout_price_lines(sqlite3 *, struct checkout_pctx *,
		    const char *id, const char *customer, int64_t now,
		    cJSON **errors);
static int	checkout_price_refresh(sqlite3 *, const char *id,
		    struct checkout_pline *, struct core_rules_line *,
		    const char *customer, int64_t now, cJSON **errors);
static const char *checkout_coupon_reason(sqlite3 *, const char *code,
		    const char *customer, int64_t now, char *promo,
		    size_t promolen);
static int64_t	checkout_count2(sqlite3 *, const char *sql, const char *a,
		    const char *b);
static int	checkout_price_counts(sqlite3 *, struct checkout_pctx *,
		    const char *customer);
static int	checkout_price_store(sqlite3 *, struct checkout_pctx *,
		    const char *id, const char *cur, const char *coupon,
		    const char *promo, const char *creason,
		    const char *method, const char *mname, int64_t weight,
		    int64_t now);

/*
 * A stale line's snapshot from the copies, written back to cart_lines.
 * Returns 0, 1 after adding the reason to *errors, or -1.
 */
static int
checkout_price_refresh(sqlite3 *db, const char *id, struct checkout_pline *q,
    struct core_rules_line *l, const char *customer, int64_t now,
    cJSON **errors)
{
	sqlite3_stmt	*st, *up;
	const char	*msg, *g;
	char		 group[CORE_ID_MAX];
	int64_t		 price;

	if ((st = core_db_stmt(db, "SELECT v.product_id, p.title, p.status,"
	    " p.category_ids, coalesce(t.category, 'standard'), pr.amount,"
	    " (SELECT gp.amount || ' ' || gp.group_id FROM group_prices gp"
	    " JOIN group_members gm ON gm.group_id = gp.group_id WHERE"
	    " gm.customer_id = ?2 AND gp.sku = v.sku AND (gp.starts_at IS"
	    " NULL OR gp.starts_at <= ?3) AND (gp.ends_at IS NULL OR"
	    " gp.ends_at > ?3) ORDER BY gp.amount, gp.group_id LIMIT 1),"
	    " v.weight_grams, v.options FROM variants v JOIN products p ON"
	    " p.product_id = v.product_id LEFT JOIN product_tax t ON"
	    " t.product_id = v.product_id LEFT JOIN prices pr ON pr.sku ="
	    " v.sku WHERE v.sku = ?1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, q->sku, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, customer ? customer : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	msg = NULL;
	if (sqlite3_step(st) != SQLITE_ROW)
		msg = "is not a SKU of any product";
	else if (strcmp((const char *)sqlite3_column_text(st, 2),
	    "active") != 0)
		msg = "is not on sale";
	else if (sqlite3_column_type(st, 5) == SQLITE_NULL &&
	    sqlite3_column_type(st, 6) == SQLITE_NULL)
		msg = "has no price";
	if (msg != NULL) {
		sqlite3_reset(st);
		core_http_field_error(errors, "sku", msg);
		return (1);
	}
	price = sqlite3_column_int64(st, 5);
	group[0] = '\0';
	if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
		/* "amount group_id": the group's price wins. */
		g = (const char *)sqlite3_column_text(st, 6);
		price = sqlite3_column_int64(st, 6);
		if ((g = strchr(g, ' ')) != NULL)
			snprintf(group, sizeof(group), "%s", g + 1);
	}
	if ((up = core_db_stmt(db, "UPDATE cart_lines SET stale = 0,"
	    " product_id = ?3, title = ?4, category_ids = ?5, tax_category ="
	    " ?6, unit_price = ?7, price_source = ?8, group_id = ?9,"
	    " weight_grams = ?10, options = ?11, priced_at = ?12 WHERE"
	    " cart_id = ?1 AND sku = ?2")) == NULL) {
		sqlite3_reset(st);
		return (-1);
	}
	sqlite3_bind_text(up, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 2, q->sku, -1, SQLITE_STATIC);
	sqlite3_bind_value(up, 3, sqlite3_column_value(st, 0));
	sqlite3_bind_value(up, 4, sqlite3_column_value(st, 1));
	sqlite3_bind_value(up, 5, sqlite3_column_value(st, 3));
	sqlite3_bind_value(up, 6, sqlite3_column_value(st, 4));
	sqlite3_bind_int64(up, 7, price);
	sqlite3_bind_text(up, 8, group[0] ? "group" : "base", -1,
	    SQLITE_STATIC);
	if (group[0])
		sqlite3_bind_text(up, 9, group, -1, SQLITE_STATIC);
	sqlite3_bind_value(up, 10, sqlite3_column_value(st, 7));
	sqlite3_bind_value(up, 11, sqlite3_column_value(st, 8));
	sqlite3_bind_int64(up, 12, now);
	snprintf(q->product_id, sizeof(q->product_id), "%s",
	    sqlite3_column_text(st, 0));
	snprintf(q->tax, sizeof(q->tax), "%s", sqlite3_column_text(st, 4));
	q->weight = sqlite3_column_int64(st, 7);
	cJSON_Delete(q->cats);
	q->cats = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
	l->unit_price = price;
	if (sqlite3_step(up) != SQLITE_DONE) {
		sqlite3_reset(st);
		return (core_db_err(db, "cart line snapshot"));
	}
	sqlite3_reset(st);
	return (0);
}

/* Reads the cart's lines, refreshing stale ones.  0, 1 (errors), -1. */
static int
checkout_price_lines(sqlite3 *db, struct checkout_pctx *c, const char *id,
    const char *customer, int64_t now, cJSON **errors)
{
	sqlite3_stmt		*st;
	struct checkout_pline	*q;
	struct core_rules_line	*l;
	const cJSON		*cat;
	char			 msg[96];
	int			 n, i, j, rc, bad, norate;

	if ((st = core_db_stmt(db, "SELECT sku, quantity, stale, product_id,"
	    " category_ids, weight_grams, tax_category, unit_price FROM"
	    " cart_lines WHERE cart_id = ? ORDER BY position")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	n = 0;
	while (n < CORE_RULES_MAX_LINES && sqlite3_step(st) == SQLITE_ROW) {
		q = &c->q[n];
		l = &c->lines[n];
		memset(l, 0, sizeof(*l));
		snprintf(q->sku, sizeof(q->sku), "%s",
		    sqlite3_column_text(st, 0));
		l->quantity = sqlite3_column_int64(st, 1);
		q->stale = sqlite3_column_int(st, 2);
		snprintf(q->product_id, sizeof(q->product_id), "%s",
		    sqlite3_column_text(st, 3));
		q->cats = cJSON_Parse((const char *)sqlite3_column_text(st,
		    4));
		q->weight = sqlite3_column_int64(st, 5);
		snprintf(q->tax, sizeof(q->tax), "%s",
		    sqlite3_column_text(st, 6));
		l->unit_price = sqlite3_column_int64(st, 7);
		c->nq = ++n;
	}
	sqlite3_reset(st);
	bad = norate = 0;
	for (i = 0; i < n; i++) {
		q = &c->q[i];
		l = &c->lines[i];
		if (q->stale) {
			rc = checkout_price_refresh(db, id, q, l, customer,
			    now, errors);
			if (rc == -1)
				return (-1);
			if (rc == 1) {
				bad = 1;
				continue;
			}
		}
		l->sku = q->sku;
		l->product_id = q->product_id[0] ? q->product_id : NULL;
		l->tax_category = q->tax;
		j = 0;
		cJSON_ArrayForEach(cat, q->cats)
			if (cJSON_IsString(cat) &&
			    j < CORE_RULES_MAX_LINE_CATEGORIES)
				q->catv[j++] = cat->valuestring;
		l->categories = q->catv;
		l->ncategories = j;
		q->rate = -1;
		for (j = 0; j < c->in.nrates; j++)
			if (strcmp(c->rates[j].category, q->tax) == 0)
				q->rate = c->rates[j].rate;
		if (q->rate == -1 && !norate) {
			snprintf(msg, sizeof(msg), "has no tax rate for tax "
			    "category %s", q->tax);
			core_http_field_error(errors, "country", msg);
			norate = bad = 1;
		}
	}
	c->in.lines = c->lines;
	c->in.nlines = n;
	return (bad);
}

/* Why the entered coupon cannot be used now, or NULL when it can. */
static const char *
checkout_coupon_reason(sqlite3 *db, const char *code, const char *customer,
    int64_t now, char *promo, size_t promolen)
{
	sqlite3_stmt	*st;
	const char	*why;
	int64_t		 limit, climit;

	promo[0] = '\0';
	if ((st = core_db_stmt(db, "SELECT c.promotion_id, c.status,"
	    " c.expires_at, p.status, coalesce(c.usage_limit, 0),"
	    " coalesce(c.customer_usage_limit, 0) FROM coupons c LEFT JOIN"
	    " promotions p ON p.id = c.promotion_id WHERE c.code = ?")) ==
	    NULL)
		return ("unknown");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return ("unknown");
	}
	snprintf(promo, promolen, "%s", sqlite3_column_text(st, 0));
	why = NULL;
	if (strcmp((const char *)sqlite3_column_text(st, 1), "active") != 0)
		why = "disabled";
	else if (sqlite3_column_type(st, 3) == SQLITE_NULL ||
	    strcmp((const char *)sqlite3_column_text(st, 3), "active") != 0)
		why = "promotion_disabled";
	else if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
	    now >= sqlite3_column_int64(st, 2))
		why = "expired";
	limit = sqlite3_column_int64(st, 4);
	climit = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	/* Its own limits, as pricing's quote checks them (0: none). */
	if (why == NULL && limit > 0 && checkout_count2(db, "SELECT count(*)"
	    " FROM coupon_uses WHERE code = ?1", code, NULL) >= limit)
		why = "usage_limit";
	else if (why == NULL && climit > 0 && customer != NULL &&
	    checkout_count2(db, "SELECT count(*) FROM coupon_uses WHERE code"
	    " = ?1 AND customer_id = ?2", code, customer) >= climit)
		why = "customer_usage_limit";
	return (why);
}

/* The count sql gives with a (and b); on a db error a huge one. */
static int64_t
checkout_count2(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt	*st;
	int64_t		 n;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (INT64_MAX);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	n = INT64_MAX;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		core_db_err(db, "count");
	sqlite3_reset(st);
	return (n);
}

/*
 * Whether the customer has ordered before and each limited promotion's
 * uses so far.  0 or -1.
 */
static int
checkout_price_counts(sqlite3 *db, struct checkout_pctx *c,
    const char *customer)
{
	struct core_rules_promo	*p;
	int64_t			 n;
	int			 i;

	c->in.customer.first_order = 1;
	if (customer != NULL) {
		/* Any earlier order, cancelled or not (docs/PRICING.md). */
		if ((n = checkout_count2(db, "SELECT EXISTS (SELECT 1 FROM"
		    " orders WHERE customer_id = ?1)", customer, NULL)) ==
		    INT64_MAX)
			return (-1);
		c->in.customer.first_order = n == 0;
	}
	for (i = 0; i < c->in.npromos; i++) {
		p = &c->promos[i];
		if (p->usage_limit > 0 && (p->uses = checkout_count2(db,
		    "SELECT count(*) FROM promotion_uses WHERE promotion_id ="
		    " ?1", p->id, NULL)) == INT64_MAX)
			return (-1);
		if (p->customer_limit > 0 && customer != NULL &&
		    (p->customer_uses = checkout_count2(db, "SELECT count(*)"
		    " FROM promotion_uses WHERE promotion_id = ?1 AND"
		    " customer_id = ?2", p->id, customer)) == INT64_MAX)
			return (-1);
	}
	return (0);
}

int
checkout_cart_price(sqlite3 *db, const char *id, cJSON **errors)
{
	struct checkout_pctx	*c;
	struct core_rules_promo	*p;
	sqlite3_stmt		*st;
	const char		*creason, *code;
	char			 customer[CORE_ID_MAX], coupon[40];
	char			 country[3], method[CORE_ID_MAX], cur[4];
	char			 shipcat[CHECKOUT_CODE_MAX + 1];
	char			 promo[CORE_ID_MAX], mname[128];
	int64_t			 now, weight, sub, v, amount;
	int			 rc, i, n, npp, ship_rate;

	c = &checkout_pctx;
	c->nq = 0;
	npp = 0;
	memset(&c->in, 0, sizeof(c->in));
	now = core_db_now_ms();
	rc = -1;
	if ((st = core_db_stmt(db, "SELECT coalesce(c.customer_id, ''),"
	    " coalesce(c.coupon, ''), coalesce(c.country, s.default_country),"
	    " coalesce(c.shipping_method, ''), s.currency,"
	    " s.prices_include_tax, s.shipping_taxable,"
	    " s.shipping_tax_category FROM carts c, settings s WHERE c.id = ?"
	    " AND s.id = 1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (-1);
	}
	snprintf(customer, sizeof(customer), "%s", sqlite3_column_text(st, 0));
	snprintf(coupon, sizeof(coupon), "%s", sqlite3_column_text(st, 1));
	snprintf(country, sizeof(country), "%s", sqlite3_column_text(st, 2));
	snprintf(method, sizeof(method), "%s", sqlite3_column_text(st, 3));
	snprintf(cur, sizeof(cur), "%s", sqlite3_column_text(st, 4));
	c->in.prices_include_tax = sqlite3_column_int(st, 5);
	c->in.shipping_taxable = sqlite3_column_int(st, 6);
	snprintf(shipcat, sizeof(shipcat), "%s", sqlite3_column_text(st, 7));
	sqlite3_reset(st);
	c->in.country = country;
	c->in.shipping_tax_category = shipcat;
	c->in.now = now;

	/* The country's tax rates. */
	if ((st = core_db_stmt(db, "SELECT category, rate FROM tax_rates"
	    " WHERE country = ? LIMIT 256")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	n = ship_rate = 0;
	while (n < CORE_RULES_MAX_RATES && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(c->ratecat[n], sizeof(c->ratecat[n]), "%s",
		    sqlite3_column_text(st, 0));
		c->rates[n].country = country;
		c->rates[n].category = c->ratecat[n];
		c->rates[n].rate = sqlite3_column_int64(st, 1);
		if (strcmp(c->ratecat[n], shipcat) == 0)
			ship_rate = 1;
		n++;
	}
	sqlite3_reset(st);
	c->in.rates = c->rates;
	c->in.nrates = n;

	if ((i = checkout_price_lines(db, c, id, customer[0] ? customer :
	    NULL, now, errors)) != 0) {
		rc = i;
		goto out;
	}

	/* Weight and subtotal (price basis, before discounts) for shipping. */
	weight = sub = 0;
	for (i = 0; i < c->in.nlines; i++) {
		if (core_money_mul(&v, c->lines[i].unit_price,
		    c->lines[i].quantity) == -1 ||
		    core_money_add(&sub, sub, v) == -1) {
			core_http_field_error(errors, "quantity", "the cart's "
			    "amounts pass 10^15 minor units");
			rc = 1;
			goto out;
		}
		weight += c->q[i].weight * c->lines[i].quantity;
	}
	amount = 0;
	mname[0] = '\0';
	if (method[0] != '\0') {
		i = checkout_shipping_quote(db, method, country, weight, sub,
		    &amount, mname, sizeof(mname));
		if (i == -1)
			goto out;
		if (i == 1) {
			/* No longer offered for this cart: dropped. */
			method[0] = '\0';
			amount = 0;
		}
	}
	c->in.shipping = amount;
	if (amount == 0)
		c->in.shipping_taxable = 0;
	if (c->in.shipping_taxable && !ship_rate) {
		core_http_field_error(errors, "country", "has no tax rate for "
		    "shipping's tax category");
		rc = 1;
		goto out;
	}

	/* The customer's groups (first order: checkout_price_counts). */
	if (customer[0] != '\0') {
		if ((st = core_db_stmt(db, "SELECT group_id FROM group_members"
		    " WHERE customer_id = ? ORDER BY group_id LIMIT 16")) ==
		    NULL)
			goto out;
		sqlite3_bind_text(st, 1, customer, -1, SQLITE_STATIC);
		n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(c->groups[n], sizeof(c->groups[n]), "%s",
			    sqlite3_column_text(st, 0));
			c->groupv[n] = c->groups[n];
			n++;
		}
		sqlite3_reset(st);
		c->in.customer.groups = c->groupv;
		c->in.customer.ngroups = n;
	}

	if ((npp = checkout_promos_load(db, c->src)) == -1) {
		npp = 0;
		goto out;
	}
	creason = NULL;
	promo[0] = '\0';
	code = coupon;
	if (coupon[0] != '\0') {
		creason = checkout_coupon_reason(db, coupon, customer[0] ?
		    customer : NULL, now, promo, sizeof(promo));
		if (creason == NULL) {
			c->in.codes = (const char *const *)&code;
			c->in.ncodes = 1;
		}
	}
	n = 0;
	for (i = 0; i < npp; i++) {
		/* Code promotions are not shown unless their code is in. */
		if (c->src[i].code && strcmp(c->src[i].id, promo) != 0)
			continue;
		p = &c->promos[n];
		*p = c->src[i].p;
		c->used[n++] = &c->src[i];
		p->code = NULL;
		if (c->src[i].code)
			/* Its id is never an entered code: code_required. */
			p->code = c->in.ncodes == 1 ? coupon : c->src[i].id;
	}
	c->in.promos = c->promos;
	c->in.npromos = n;
	if (checkout_price_counts(db, c, customer[0] ? customer : NULL) == -1)
		goto out;
	if ((i = core_rules_quote(&c->out, &c->in)) != CORE_RULES_OK) {
		if (i == CORE_RULES_ERR_OVERFLOW) {
			core_http_field_error(errors, "quantity", "the cart's "
			    "amounts pass 10^15 minor units");
			rc = 1;
			goto out;
		}
		core_logf("error", "cart %s: rules engine %s (line %d, promo "
		    "%d)", id, core_rules_error_str(i), c->out.err_line,
		    c->out.err_promo);
		goto out;
	}
	rc = checkout_price_store(db, c, id, cur, coupon[0] ? coupon : NULL,
	    promo, creason, method[0] ? method : NULL, mname, weight, now);
out:
	for (i = 0; i < c->nq; i++) {
		cJSON_Delete(c->q[i].cats);
		c->q[i].cats = NULL;
	}
	checkout_promos_free(c->src, npp);
	return (rc);
}

/* Writes every line's result and the cart's priced summary. */
static int
checkout_price_store(sqlite3 *db, struct checkout_pctx *c, const char *id,
    const char *cur, const char *coupon, const char *promo,
    const char *creason, const char *method, const char *mname,
    int64_t weight, int64_t now)
{
	const struct core_rules_line_result	*lr;
	const struct core_rules_promo_result	*pr;
	struct core_rules_result		*o;
	sqlite3_stmt				*st;
	cJSON					*s, *t, *arr, *x;
	char					*text, ts[40];
	int					 i, done, rc;

	o = &c->out;
	for (i = 0; i < c->in.nlines; i++) {
		lr = &o->lines[i];
		if ((st = core_db_stmt(db, "UPDATE cart_lines SET tax_rate = ?3,"
		    " subtotal = ?4, item_discount = ?5, order_discount = ?6,"
		    " net = ?7, tax = ?8, total = ?9 WHERE cart_id = ?1 AND"
		    " sku = ?2")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->q[i].sku, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, c->q[i].rate);
		sqlite3_bind_int64(st, 4, lr->subtotal);
		sqlite3_bind_int64(st, 5, lr->item_discount);
		sqlite3_bind_int64(st, 6, lr->order_discount);
		sqlite3_bind_int64(st, 7, lr->net);
		sqlite3_bind_int64(st, 8, lr->tax);
		sqlite3_bind_int64(st, 9, lr->total);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "cart line result"));
	}
	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "currency", cur);
	cJSON_AddStringToObject(s, "country", c->in.country);
	cJSON_AddBoolToObject(s, "prices_include_tax",
	    c->in.prices_include_tax);
	core_time_rfc3339(ts, sizeof(ts), now);
	cJSON_AddStringToObject(s, "priced_at", ts);
	cJSON_AddNumberToObject(s, "weight_grams", (double)weight);
	t = cJSON_AddObjectToObject(s, "totals");
	cJSON_AddNumberToObject(t, "subtotal", (double)o->subtotal);
	cJSON_AddNumberToObject(t, "item_discount", (double)o->item_discount);
	cJSON_AddNumberToObject(t, "order_discount",
	    (double)o->order_discount);
	cJSON_AddNumberToObject(t, "shipping", (double)o->shipping);
	cJSON_AddNumberToObject(t, "shipping_discount",
	    (double)o->shipping_discount);
	cJSON_AddNumberToObject(t, "shipping_tax", (double)o->shipping_tax);
	cJSON_AddNumberToObject(t, "shipping_total",
	    (double)o->shipping_total);
	cJSON_AddNumberToObject(t, "discount", (double)o->discount);
	cJSON_AddNumberToObject(t, "tax", (double)o->tax);
	cJSON_AddNumberToObject(t, "total", (double)o->total);
	arr = cJSON_AddArrayToObject(s, "promotions");
	for (i = 0; i < c->in.npromos; i++) {
		pr = &o->promos[i];
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "id", c->used[i]->id);
		cJSON_AddStringToObject(x, "name", c->used[i]->name);
		cJSON_AddStringToObject(x, "trigger", c->used[i]->code ?
		    "code" : "automatic");
		cJSON_AddNumberToObject(x, "priority", c->used[i]->p.priority);
		cJSON_AddStringToObject(x, "class", c->used[i]->class);
		cJSON_AddBoolToObject(x, "applied", pr->applied);
		cJSON_AddNumberToObject(x, "amount", (double)pr->amount);
		cJSON_AddStringToObject(x, "reason",
		    core_rules_reason_str(pr->reason));
		if (pr->blocked_by >= 0 && pr->blocked_by < c->in.npromos)
			cJSON_AddStringToObject(x, "blocked_by",
			    c->used[pr->blocked_by]->id);
		else
			cJSON_AddNullToObject(x, "blocked_by");
		cJSON_AddNumberToObject(x, "applications",
		    (double)pr->applications);
		cJSON_AddItemToArray(arr, x);
	}
	if (coupon == NULL) {
		cJSON_AddNullToObject(s, "coupon");
	} else {
		x = cJSON_AddObjectToObject(s, "coupon");
		cJSON_AddStringToObject(x, "code", coupon);
		if (promo[0] != '\0')
			cJSON_AddStringToObject(x, "promotion_id", promo);
		else
			cJSON_AddNullToObject(x, "promotion_id");
		done = 0;
		for (i = 0; creason == NULL && i < c->in.npromos; i++)
			if (strcmp(c->used[i]->id, promo) == 0) {
				cJSON_AddBoolToObject(x, "applied",
				    o->promos[i].applied);
				cJSON_AddStringToObject(x, "reason",
				    core_rules_reason_str(o->promos[i].reason));
				cJSON_AddNumberToObject(x, "amount",
				    (double)o->promos[i].amount);
				done = 1;
			}
		if (!done) {
			cJSON_AddBoolToObject(x, "applied", 0);
			cJSON_AddStringToObject(x, "reason", creason ?
			    creason : "promotion_disabled");
			cJSON_AddNumberToObject(x, "amount", 0);
		}
	}
	x = cJSON_AddObjectToObject(s, "shipping");
	cJSON_AddStringToObject(x, "country", c->in.country);
	if (method != NULL) {
		cJSON_AddStringToObject(x, "method_id", method);
		cJSON_AddStringToObject(x, "name", mname);
	} else {
		cJSON_AddNullToObject(x, "method_id");
		cJSON_AddNullToObject(x, "name");
	}
	cJSON_AddNumberToObject(x, "amount", (double)o->shipping);
	text = cJSON_PrintUnformatted(s);
	cJSON_Delete(s);
	rc = -1;
	if ((st = core_db_stmt(db, "UPDATE carts SET priced = ?2,"
	    " shipping_method = ?3, version = version + 1, updated_at = ?4"
	    " WHERE id = ?1")) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	if (method != NULL)
		sqlite3_bind_text(st, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "cart priced");
		goto out;
	}
	rc = 0;
out:
	cJSON_free(text);
	return (rc);
}
