/*
 * POST /api/v1/pricing/quote: prices a cart from pricing's own tables
 * (base prices, the customer's group price lists, tax rates of the
 * country and each product's tax category, the active promotions and the
 * entered coupon) through the rules engine (core/core_rules.h), the same
 * code checkout will price orders with, and explains every promotion.
 * The client sends SKUs and quantities, never a price.  Nothing is
 * written: a quote counts no use.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/pricing/pricing_int.h"

#define PRICING_TITLE_MAX	256

struct pricing_qline {
	char		 sku[PRICING_SKU_MAX + 1];
	char		 product_id[CORE_ID_MAX];
	char		 title[PRICING_TITLE_MAX];
	char		 tax[PRICING_CODE_MAX + 1];
	char		 group_id[CORE_ID_MAX];	/* "" : base price */
	cJSON		*cats;			/* owned */
	const char	*catv[CORE_RULES_MAX_LINE_CATEGORIES];
	int64_t		 rate;
};

/* A request's working storage, heap: the engine's result is ~20 KB. */
struct pricing_qctx {
	struct pricing_qline		 q[CORE_RULES_MAX_LINES];
	struct core_rules_line		 lines[CORE_RULES_MAX_LINES];
	struct core_rules_promo		 promos[CORE_RULES_MAX_PROMOS];
	const struct pricing_promo	*src[CORE_RULES_MAX_PROMOS];
	struct core_rules_tax_rate	 rates[CORE_RULES_MAX_RATES];
	char				 ratecat[CORE_RULES_MAX_RATES]
					    [PRICING_CODE_MAX + 1];
	char				 groups[CORE_RULES_MAX_GROUPS]
					    [CORE_ID_MAX];
	const char			*groupv[CORE_RULES_MAX_GROUPS];
	struct core_rules_input		 in;
	struct core_rules_result	 out;
};

struct pricing_coupon_state {
	char		 code[PRICING_COUPON_MAX + 1];	/* "": none */
	char		 promo[CORE_ID_MAX];
	const char	*reason;	/* NULL: usable */
};

static int	pricing_quote_lines(struct core_req *, sqlite3 *,
		    struct pricing_qctx *, const cJSON *lines,
		    const char *customer, int64_t now, int staff);
static int	pricing_quote_coupon(struct core_req *, sqlite3 *,
		    const char *entered, const char *customer, int64_t now,
		    const struct pricing_promo *, int npromo,
		    struct pricing_coupon_state *);
static cJSON	*pricing_quote_render(struct pricing_qctx *, const char *cur,
		    const char *customer, const struct pricing_coupon_state *,
		    int64_t now);
static int64_t	pricing_uses(sqlite3 *, const char *sql, const char *a,
		    const char *b);

/* One count of a use table (sql binds a, then b when not NULL); 0 none. */
static int64_t
pricing_uses(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (0);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return (v);
}

/*
 * Reads every line's product, price (the lowest group override whose
 * window holds now, else the base price) and tax category.  Answers 422
 * naming lines[i] and returns -1 on a bad line.
 */
static int
pricing_quote_lines(struct core_req *r, sqlite3 *db, struct pricing_qctx *c,
    const cJSON *lines, const char *customer, int64_t now, int staff)
{
	sqlite3_stmt		*st;
	struct pricing_qline	*q;
	struct core_rules_line	*l;
	const cJSON		*it, *cat;
	const char		*sku, *msg;
	cJSON			*errors;
	char			 f[48];
	int64_t			 qty;
	int			 i, j, n;

	errors = NULL;
	n = 0;
	qty = 0;
	cJSON_ArrayForEach(it, lines) {
		q = &c->q[n];
		l = &c->lines[n];
		msg = NULL;
		snprintf(f, sizeof(f), "lines[%d].sku", n);
		if (!cJSON_IsObject(it) || core_json_get_str(it, "sku",
		    PRICING_SKU_MAX, &sku) != CORE_JSON_OK ||
		    !pricing_sku_valid(sku)) {
			core_http_field_error(&errors, f, "is required: a SKU");
			n++;
			continue;
		}
		snprintf(q->sku, sizeof(q->sku), "%s", sku);
		l->sku = q->sku;
		for (j = 0; j < n; j++)
			if (strcmp(c->q[j].sku, sku) == 0)
				msg = "appears on an earlier line; give one "
				    "line per SKU";
		if (core_json_get_i64(it, "quantity", 1,
		    CORE_RULES_MAX_QUANTITY, &qty) != CORE_JSON_OK) {
			snprintf(f, sizeof(f), "lines[%d].quantity", n);
			core_http_field_error(&errors, f,
			    "is required: 1 to 1000000");
			snprintf(f, sizeof(f), "lines[%d].sku", n);
		}
		l->quantity = qty;
		if ((st = core_db_stmt(db, "SELECT s.product_id, p.title,"
		    " p.status, p.category_ids, coalesce(t.category,"
		    " 'standard'), pr.amount, (SELECT gp.amount || ' ' ||"
		    " gp.group_id FROM group_prices gp JOIN group_members gm"
		    " ON gm.group_id = gp.group_id WHERE gm.customer_id = ?2"
		    " AND gp.sku = s.sku AND (gp.starts_at IS NULL OR"
		    " gp.starts_at <= ?3) AND (gp.ends_at IS NULL OR"
		    " gp.ends_at > ?3) ORDER BY gp.amount, gp.group_id LIMIT 1)"
		    " FROM product_skus s JOIN products p ON p.product_id ="
		    " s.product_id LEFT JOIN product_tax t ON t.product_id ="
		    " s.product_id LEFT JOIN prices pr ON pr.sku = s.sku"
		    " WHERE s.sku = ?1")) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, customer ? customer : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		if (sqlite3_step(st) != SQLITE_ROW) {
			msg = "is not a SKU of any product";
		} else if (!staff && strcmp((const char *)
		    sqlite3_column_text(st, 2), "active") != 0) {
			msg = "is not on sale";
		} else if (sqlite3_column_type(st, 5) == SQLITE_NULL &&
		    sqlite3_column_type(st, 6) == SQLITE_NULL) {
			msg = "has no price";
		}
		if (msg != NULL) {
			sqlite3_reset(st);
			core_http_field_error(&errors, f, msg);
			n++;
			continue;
		}
		snprintf(q->product_id, sizeof(q->product_id), "%s",
		    sqlite3_column_text(st, 0));
		snprintf(q->title, sizeof(q->title), "%s",
		    sqlite3_column_text(st, 1));
		q->cats = cJSON_Parse((const char *)sqlite3_column_text(st,
		    3));
		snprintf(q->tax, sizeof(q->tax), "%s",
		    sqlite3_column_text(st, 4));
		l->unit_price = sqlite3_column_int64(st, 5);
		q->group_id[0] = '\0';
		if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
			/* "amount group_id": the override wins. */
			const char *g = (const char *)sqlite3_column_text(st,
			    6);
			l->unit_price = sqlite3_column_int64(st, 6);
			if ((g = strchr(g, ' ')) != NULL)
				snprintf(q->group_id, sizeof(q->group_id),
				    "%s", g + 1);
		}
		sqlite3_reset(st);
		l->product_id = q->product_id;
		l->tax_category = q->tax;
		j = 0;
		cJSON_ArrayForEach(cat, q->cats) {
			if (cJSON_IsString(cat) &&
			    j < CORE_RULES_MAX_LINE_CATEGORIES)
				q->catv[j++] = cat->valuestring;
		}
		l->categories = q->catv;
		l->ncategories = j;
		q->rate = -1;
		for (i = 0; i < c->in.nrates; i++)
			if (strcmp(c->rates[i].category, q->tax) == 0)
				q->rate = c->rates[i].rate;
		if (q->rate == -1) {
			snprintf(f, sizeof(f), "%s", "country");
			core_http_field_error(&errors, f, "has no tax rate for "
			    "a line's tax category");
		}
		n++;
	}
	c->in.lines = c->lines;
	c->in.nlines = n;
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (-1);
	}
	return (0);
fail:
	cJSON_Delete(errors);
	pricing_internal(r);
	return (-1);
}

/*
 * Finds the entered coupon (any case) into *cs and says whether it may be
 * used.  An unknown code answers 422 naming coupon and returns -1; one
 * that exists but may not be used is explained (cs->reason).
 */
static int
pricing_quote_coupon(struct core_req *r, sqlite3 *db, const char *entered,
    const char *customer, int64_t now, const struct pricing_promo *pp,
    int npromo, struct pricing_coupon_state *cs)
{
	sqlite3_stmt	*st;
	cJSON		*errors;
	int64_t		 expires, limit, climit;
	int		 i, found;

	memset(cs, 0, sizeof(*cs));
	if (entered == NULL)
		return (0);
	errors = NULL;
	if (pricing_coupon_norm(cs->code, sizeof(cs->code), entered) == -1) {
		core_http_field_error(&errors, "coupon", "is not a coupon "
		    "code: 3 to 32 of A-Z 0-9 - _");
		core_http_invalid(r, errors);
		return (-1);
	}
	if ((st = core_db_stmt(db, "SELECT promotion_id, status, expires_at,"
	    " usage_limit, customer_usage_limit FROM coupons WHERE"
	    " code = ?")) == NULL) {
		pricing_internal(r);
		return (-1);
	}
	sqlite3_bind_text(st, 1, cs->code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		core_http_field_error(&errors, "coupon", "no such coupon");
		core_http_invalid(r, errors);
		return (-1);
	}
	snprintf(cs->promo, sizeof(cs->promo), "%s",
	    sqlite3_column_text(st, 0));
	if (strcmp((const char *)sqlite3_column_text(st, 1), "active") != 0)
		cs->reason = "disabled";
	expires = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 2);
	limit = sqlite3_column_int64(st, 3);
	climit = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	found = 0;
	for (i = 0; i < npromo; i++)
		if (strcmp(pp[i].id, cs->promo) == 0)
			found = 1;
	if (cs->reason == NULL && !found)
		cs->reason = "promotion_disabled";
	else if (cs->reason == NULL && expires >= 0 && now >= expires)
		cs->reason = "expired";
	else if (cs->reason == NULL && limit > 0 && pricing_uses(db,
	    "SELECT uses FROM coupon_uses WHERE code = ?", cs->code, NULL) >=
	    limit)
		cs->reason = "usage_limit";
	else if (cs->reason == NULL && climit > 0 && customer != NULL &&
	    pricing_uses(db, "SELECT uses FROM coupon_customer_uses WHERE"
	    " code = ? AND customer_id = ?", cs->code, customer) >= climit)
		cs->reason = "customer_usage_limit";
	return (0);
}

static cJSON *
pricing_quote_render(struct pricing_qctx *c, const char *cur,
    const char *customer, const struct pricing_coupon_state *cs, int64_t now)
{
	const struct core_rules_line_result	*lr;
	const struct core_rules_promo_result	*pr;
	const struct pricing_promo		*pp;
	struct core_rules_result		*o;
	cJSON					*res, *arr, *x, *t;
	char					 ts[40];
	int					 i;

	o = &c->out;
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "currency", cur);
	cJSON_AddStringToObject(res, "country", c->in.country);
	cJSON_AddBoolToObject(res, "prices_include_tax",
	    c->in.prices_include_tax);
	if (customer != NULL)
		cJSON_AddStringToObject(res, "customer_id", customer);
	else
		cJSON_AddNullToObject(res, "customer_id");
	core_time_rfc3339(ts, sizeof(ts), now);
	cJSON_AddStringToObject(res, "quoted_at", ts);
	arr = cJSON_AddArrayToObject(res, "lines");
	for (i = 0; i < c->in.nlines; i++) {
		lr = &o->lines[i];
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "sku", c->q[i].sku);
		cJSON_AddStringToObject(x, "product_id", c->q[i].product_id);
		cJSON_AddStringToObject(x, "title", c->q[i].title);
		cJSON_AddNumberToObject(x, "quantity", (double)lr->quantity);
		cJSON_AddNumberToObject(x, "unit_price",
		    (double)lr->unit_price);
		cJSON_AddStringToObject(x, "price_source",
		    c->q[i].group_id[0] ? "group" : "base");
		if (c->q[i].group_id[0])
			cJSON_AddStringToObject(x, "group_id",
			    c->q[i].group_id);
		else
			cJSON_AddNullToObject(x, "group_id");
		cJSON_AddStringToObject(x, "tax_category", c->q[i].tax);
		cJSON_AddNumberToObject(x, "tax_rate", (double)c->q[i].rate);
		cJSON_AddNumberToObject(x, "subtotal", (double)lr->subtotal);
		cJSON_AddNumberToObject(x, "item_discount",
		    (double)lr->item_discount);
		cJSON_AddNumberToObject(x, "order_discount",
		    (double)lr->order_discount);
		cJSON_AddNumberToObject(x, "net", (double)lr->net);
		cJSON_AddNumberToObject(x, "tax", (double)lr->tax);
		cJSON_AddNumberToObject(x, "total", (double)lr->total);
		cJSON_AddItemToArray(arr, x);
	}
	t = cJSON_AddObjectToObject(res, "totals");
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
	arr = cJSON_AddArrayToObject(res, "promotions");
	for (i = 0; i < c->in.npromos; i++) {
		pr = &o->promos[i];
		pp = c->src[i];
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "id", pp->id);
		cJSON_AddStringToObject(x, "name", pp->name);
		cJSON_AddStringToObject(x, "trigger", pp->code ? "code" :
		    "automatic");
		cJSON_AddNumberToObject(x, "priority", pp->p.priority);
		cJSON_AddStringToObject(x, "class", pp->class);
		cJSON_AddBoolToObject(x, "applied", pr->applied);
		cJSON_AddNumberToObject(x, "amount", (double)pr->amount);
		cJSON_AddStringToObject(x, "reason",
		    core_rules_reason_str(pr->reason));
		if (pr->blocked_by >= 0 && pr->blocked_by < c->in.npromos)
			cJSON_AddStringToObject(x, "blocked_by",
			    c->src[pr->blocked_by]->id);
		else
			cJSON_AddNullToObject(x, "blocked_by");
		cJSON_AddNumberToObject(x, "applications",
		    (double)pr->applications);
		cJSON_AddItemToArray(arr, x);
	}
	if (cs->code[0] == '\0') {
		cJSON_AddNullToObject(res, "coupon");
		return (res);
	}
	x = cJSON_AddObjectToObject(res, "coupon");
	cJSON_AddStringToObject(x, "code", cs->code);
	cJSON_AddStringToObject(x, "promotion_id", cs->promo);
	t = NULL;
	for (i = 0; cs->reason == NULL && i < c->in.npromos; i++)
		if (strcmp(c->src[i]->id, cs->promo) == 0) {
			cJSON_AddBoolToObject(x, "applied",
			    o->promos[i].applied);
			cJSON_AddStringToObject(x, "reason",
			    core_rules_reason_str(o->promos[i].reason));
			t = x;
		}
	if (t == NULL) {
		cJSON_AddFalseToObject(x, "applied");
		cJSON_AddStringToObject(x, "reason", cs->reason ? cs->reason :
		    "promotion_disabled");
	}
	return (res);
}

/* POST /quote {"lines","customer_id"?,"coupon"?,"country"?} */
int
pricing_quote(struct core_req *r)
{
	struct pricing_coupon_state	 cs;
	struct pricing_qctx		*c;
	const struct pricing_promo	*pp;
	struct core_rules_promo		*p;
	sqlite3				*db;
	sqlite3_stmt			*st;
	const cJSON			*lines;
	cJSON				*errors, *res;
	const char			*customer, *coupon, *country, *code;
	char				 cur[4], ctry[3], shipcat[PRICING_CODE_MAX + 1];
	int64_t				 now, shipping;
	int				 staff, i, n, npp, rc, ship_rate;

	errors = NULL;
	customer = coupon = country = NULL;
	staff = r->who.role >= CORE_ROLE_STAFF;
	if (!cJSON_IsObject(r->body)) {
		core_http_field_error(&errors, "lines", "is required: 1 to "
		    "200 lines of {sku, quantity}");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	lines = cJSON_GetObjectItemCaseSensitive(r->body, "lines");
	if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) < 1 ||
	    cJSON_GetArraySize(lines) > CORE_RULES_MAX_LINES)
		core_http_field_error(&errors, "lines", "is required: 1 to "
		    "200 lines of {sku, quantity}");
	if (core_json_get_str(r->body, "customer_id", 64, &customer) ==
	    CORE_JSON_WRONG)
		core_http_field_error(&errors, "customer_id",
		    "must be a customer id");
	if (core_json_get_str(r->body, "coupon", 64, &coupon) ==
	    CORE_JSON_WRONG)
		core_http_field_error(&errors, "coupon", "must be a string");
	if (core_json_get_str(r->body, "country", 2, &country) ==
	    CORE_JSON_WRONG || (country != NULL && (strlen(country) != 2 ||
	    country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
	    country[1] > 'Z')))
		core_http_field_error(&errors, "country",
		    "must be an ISO 3166-1 alpha-2 code such as DE");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	/* Who the quote is for: a customer only for itself. */
	if (r->who.role == CORE_ROLE_CUSTOMER) {
		if (customer != NULL && strcmp(customer, r->who.sub) != 0) {
			core_http_problem(r, 403, "forbidden", "Forbidden",
			    "a customer may quote only for itself", NULL);
			return (KORE_RESULT_OK);
		}
		customer = r->who.sub;
	} else if (!staff && customer != NULL) {
		core_http_problem(r, 401, "unauthorized", "Unauthorized",
		    "sign in to quote for a customer", NULL);
		return (KORE_RESULT_OK);
	} else if (customer != NULL && core_db_scalar(db, "SELECT count(*)"
	    " FROM customers WHERE customer_id = ?", customer, 0) == 0) {
		core_http_field_error(&errors, "customer_id",
		    "no customer has this id");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}

	if ((st = core_db_stmt(db, "SELECT currency, prices_include_tax,"
	    " shipping_taxable, shipping_tax_category, default_country,"
	    " shipping_amount FROM settings WHERE id = 1")) == NULL)
		return (pricing_internal(r));
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (pricing_internal(r));
	}
	c = kore_calloc(1, sizeof(*c));
	snprintf(cur, sizeof(cur), "%s", sqlite3_column_text(st, 0));
	c->in.prices_include_tax = sqlite3_column_int(st, 1);
	c->in.shipping_taxable = sqlite3_column_int(st, 2);
	snprintf(shipcat, sizeof(shipcat), "%s", sqlite3_column_text(st, 3));
	snprintf(ctry, sizeof(ctry), "%s", country != NULL ? country :
	    (const char *)sqlite3_column_text(st, 4));
	shipping = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	c->in.country = ctry;
	c->in.shipping = shipping;
	/* No tax on no shipping: a shop without a rate for it may quote. */
	if (shipping == 0)
		c->in.shipping_taxable = 0;
	c->in.shipping_tax_category = shipcat;
	now = core_db_now_ms();
	c->in.now = now;

	/* The country's tax rates. */
	if ((st = core_db_stmt(db, "SELECT category, rate FROM tax_rates"
	    " WHERE country = ? LIMIT 256")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, ctry, -1, SQLITE_STATIC);
	n = 0;
	ship_rate = 0;
	while (n < CORE_RULES_MAX_RATES && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(c->ratecat[n], sizeof(c->ratecat[n]), "%s",
		    sqlite3_column_text(st, 0));
		c->rates[n].country = ctry;
		c->rates[n].category = c->ratecat[n];
		c->rates[n].rate = sqlite3_column_int64(st, 1);
		if (strcmp(c->ratecat[n], shipcat) == 0)
			ship_rate = 1;
		n++;
	}
	sqlite3_reset(st);
	c->in.rates = c->rates;
	c->in.nrates = n;
	if (n == 0 || (c->in.shipping_taxable && !ship_rate)) {
		core_http_field_error(&errors, "country", n == 0 ? "has no "
		    "tax rates" : "has no tax rate for shipping's tax "
		    "category");
		core_http_invalid(r, errors);
		goto out;
	}
	if (pricing_quote_lines(r, db, c, lines, customer, now, staff) == -1)
		goto out;

	/* The customer: groups and whether an order was counted before. */
	c->in.customer.first_order = 1;
	if (customer != NULL) {
		if ((st = core_db_stmt(db, "SELECT group_id FROM group_members"
		    " WHERE customer_id = ? ORDER BY group_id LIMIT 16")) ==
		    NULL)
			goto fail;
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
		c->in.customer.first_order = pricing_uses(db, "SELECT orders"
		    " FROM customer_orders WHERE customer_id = ?", customer,
		    NULL) == 0;
	}

	if ((npp = pricing_promos_active(db, &pp)) == -1)
		goto fail;
	if (pricing_quote_coupon(r, db, coupon, customer, now, pp, npp,
	    &cs) == -1)
		goto out;
	if (cs.code[0] != '\0' && cs.reason == NULL) {
		c->in.codes = (const char *const *)&code;
		code = cs.code;
		c->in.ncodes = 1;
	}
	n = 0;
	for (i = 0; i < npp; i++) {
		/* Code promotions are not advertised to the storefront. */
		if (pp[i].code && !staff && strcmp(pp[i].id, cs.promo) != 0)
			continue;
		p = &c->promos[n];
		*p = pp[i].p;
		c->src[n++] = &pp[i];
		p->code = NULL;
		if (pp[i].code)
			/* Its id is never an entered code: code_required. */
			p->code = c->in.ncodes == 1 && strcmp(pp[i].id,
			    cs.promo) == 0 ? cs.code : pp[i].id;
		if (p->usage_limit > 0)
			p->uses = pricing_uses(db, "SELECT uses FROM"
			    " promotion_uses WHERE promotion_id = ?",
			    pp[i].id, NULL);
		if (p->customer_limit > 0 && customer != NULL)
			p->customer_uses = pricing_uses(db, "SELECT uses FROM"
			    " promotion_customer_uses WHERE customer_id = ?"
			    " AND promotion_id = ?", customer, pp[i].id);
	}
	c->in.promos = c->promos;
	c->in.npromos = n;
	if ((rc = core_rules_quote(&c->out, &c->in)) != CORE_RULES_OK) {
		if (rc == CORE_RULES_ERR_OVERFLOW) {
			core_http_field_error(&errors, "lines", "the cart's "
			    "amounts pass 10^15 minor units");
			core_http_invalid(r, errors);
			goto out;
		}
		core_logf("error", "quote: rules engine %s (line %d, promo %d)",
		    core_rules_error_str(rc), c->out.err_line,
		    c->out.err_promo);
		goto fail;
	}
	res = pricing_quote_render(c, cur, customer, &cs, now);
	core_http_json_take(r, 200, res);
out:
	for (i = 0; i < CORE_RULES_MAX_LINES; i++)
		cJSON_Delete(c->q[i].cats);
	kore_free(c);
	return (KORE_RESULT_OK);
fail:
	pricing_internal(r);
	goto out;
}
