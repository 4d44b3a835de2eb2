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

/*
 * A request's working storage, ~200 KB: one per worker (a worker serves one
 * request at a time), since allocating and zeroing it per quote cost more
 * than the rules engine.  Only what a quote reads is reset.
 */
struct pricing_qctx {
	int				 nq;	/* q[] in use (cats owned) */
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
static void	pricing_quote_render(struct kore_buf *, struct pricing_qctx *,
		    const char *cur, const char *customer,
		    const struct pricing_coupon_state *, int64_t now);
static void	pricing_w_str(struct kore_buf *, const char *);
static void	pricing_w_key(struct kore_buf *, const char *);
static void	pricing_w_s(struct kore_buf *, const char *, const char *);
static void	pricing_w_i(struct kore_buf *, const char *, int64_t);
static void	pricing_w_b(struct kore_buf *, const char *, int);
static void	pricing_w_close(struct kore_buf *, char);
static int64_t	pricing_uses(sqlite3 *, const char *sql, const char *a,
		    const char *b);

static struct pricing_qctx	pricing_qctx;
static struct kore_buf		*pricing_qbuf;	/* the answer, reused */


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
	char			 f[96];
	int64_t			 qty;
	int			 i, j, n, norate;

	errors = NULL;
	n = norate = 0;
	qty = 0;
	cJSON_ArrayForEach(it, lines) {
		q = &c->q[n];
		l = &c->lines[n];
		memset(l, 0, sizeof(*l));
		q->sku[0] = q->product_id[0] = q->title[0] = q->tax[0] = '\0';
		q->group_id[0] = '\0';
		q->cats = NULL;
		c->nq = n + 1;
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
		if (q->rate == -1 && !norate) {
			/* Named once, with the first category it lacks. */
			snprintf(f, sizeof(f), "has no tax rate for tax category "
			    "%s", q->tax);
			core_http_field_error(&errors, "country", f);
			norate = 1;
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
	core_http_internal(r);
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
		core_http_internal(r);
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

/*
 * The answer is written straight into a buffer: building ~700 cJSON items
 * and printing them was a third of a quote.  Members are written as
 * "key":value, and the closing bracket takes the place of the last comma.
 */
static void
pricing_w_str(struct kore_buf *b, const char *s)
{
	const unsigned char	*p, *run;
	char			 esc[8];

	/* Every byte escaped (\u00XX) takes six, plus the quotes. */
	core_buf_reserve(b, 6 * strlen(s) + 2);
	kore_buf_append(b, "\"", 1);
	/* Runs that need no escape go in one append each. */
	for (p = run = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20)
			continue;
		if (p > run)
			kore_buf_append(b, run, (size_t)(p - run));
		if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			kore_buf_append(b, esc, 6);
		} else {
			esc[0] = '\\';
			esc[1] = (char)*p;
			kore_buf_append(b, esc, 2);
		}
		run = p + 1;
	}
	if (p > run)
		kore_buf_append(b, run, (size_t)(p - run));
	kore_buf_append(b, "\"", 1);
}

/* Keys are our own literals: nothing to escape. */
static void
pricing_w_key(struct kore_buf *b, const char *key)
{
	/* Room for the key and any number or literal after it. */
	core_buf_reserve(b, strlen(key) + 32);
	kore_buf_appendf(b, "\"%s\":", key);
}

/* "key":"s", or "key":null, when s is NULL. */
static void
pricing_w_s(struct kore_buf *b, const char *key, const char *s)
{
	pricing_w_key(b, key);
	if (s == NULL)
		kore_buf_append(b, "null", 4);
	else
		pricing_w_str(b, s);
	kore_buf_append(b, ",", 1);
}

static void
pricing_w_i(struct kore_buf *b, const char *key, int64_t v)
{
	pricing_w_key(b, key);
	kore_buf_appendf(b, "%lld,", (long long)v);
}

static void
pricing_w_b(struct kore_buf *b, const char *key, int v)
{
	pricing_w_key(b, key);
	kore_buf_appendf(b, "%s,", v ? "true" : "false");
}

/* Closes an object or array with c in place of a trailing comma. */
static void
pricing_w_close(struct kore_buf *b, char c)
{
	if (b->offset > 0 && b->data[b->offset - 1] == ',')
		b->data[b->offset - 1] = (u_int8_t)c;
	else
		kore_buf_append(b, &c, 1);
	kore_buf_append(b, ",", 1);
}

static void
pricing_quote_render(struct kore_buf *b, struct pricing_qctx *c,
    const char *cur, const char *customer,
    const struct pricing_coupon_state *cs, int64_t now)
{
	const struct core_rules_line_result	*lr;
	const struct core_rules_promo_result	*pr;
	const struct pricing_promo		*pp;
	struct core_rules_result		*o;
	char					 ts[40];
	int					 i, done;

	o = &c->out;
	kore_buf_append(b, "{", 1);
	pricing_w_s(b, "currency", cur);
	pricing_w_s(b, "country", c->in.country);
	pricing_w_b(b, "prices_include_tax", c->in.prices_include_tax);
	pricing_w_s(b, "customer_id", customer);
	core_time_rfc3339(ts, sizeof(ts), now);
	pricing_w_s(b, "quoted_at", ts);
	pricing_w_key(b, "lines");
	kore_buf_append(b, "[", 1);
	for (i = 0; i < c->in.nlines; i++) {
		lr = &o->lines[i];
		kore_buf_append(b, "{", 1);
		pricing_w_s(b, "sku", c->q[i].sku);
		pricing_w_s(b, "product_id", c->q[i].product_id);
		pricing_w_s(b, "title", c->q[i].title);
		pricing_w_i(b, "quantity", lr->quantity);
		pricing_w_i(b, "unit_price", lr->unit_price);
		pricing_w_s(b, "price_source", c->q[i].group_id[0] ? "group" :
		    "base");
		pricing_w_s(b, "group_id", c->q[i].group_id[0] ?
		    c->q[i].group_id : NULL);
		pricing_w_s(b, "tax_category", c->q[i].tax);
		pricing_w_i(b, "tax_rate", c->q[i].rate);
		pricing_w_i(b, "subtotal", lr->subtotal);
		pricing_w_i(b, "item_discount", lr->item_discount);
		pricing_w_i(b, "order_discount", lr->order_discount);
		pricing_w_i(b, "net", lr->net);
		pricing_w_i(b, "tax", lr->tax);
		pricing_w_i(b, "total", lr->total);
		pricing_w_close(b, '}');
	}
	pricing_w_close(b, ']');
	pricing_w_key(b, "totals");
	kore_buf_append(b, "{", 1);
	pricing_w_i(b, "subtotal", o->subtotal);
	pricing_w_i(b, "item_discount", o->item_discount);
	pricing_w_i(b, "order_discount", o->order_discount);
	pricing_w_i(b, "shipping", o->shipping);
	pricing_w_i(b, "shipping_discount", o->shipping_discount);
	pricing_w_i(b, "shipping_tax", o->shipping_tax);
	pricing_w_i(b, "shipping_total", o->shipping_total);
	pricing_w_i(b, "discount", o->discount);
	pricing_w_i(b, "tax", o->tax);
	pricing_w_i(b, "total", o->total);
	pricing_w_close(b, '}');
	pricing_w_key(b, "promotions");
	kore_buf_append(b, "[", 1);
	for (i = 0; i < c->in.npromos; i++) {
		pr = &o->promos[i];
		pp = c->src[i];
		kore_buf_append(b, "{", 1);
		pricing_w_s(b, "id", pp->id);
		pricing_w_s(b, "name", pp->name);
		pricing_w_s(b, "trigger", pp->code ? "code" : "automatic");
		pricing_w_i(b, "priority", pp->p.priority);
		pricing_w_s(b, "class", pp->class);
		pricing_w_b(b, "applied", pr->applied);
		pricing_w_i(b, "amount", pr->amount);
		pricing_w_s(b, "reason", core_rules_reason_str(pr->reason));
		pricing_w_s(b, "blocked_by", pr->blocked_by >= 0 &&
		    pr->blocked_by < c->in.npromos ?
		    c->src[pr->blocked_by]->id : NULL);
		pricing_w_i(b, "applications", pr->applications);
		pricing_w_close(b, '}');
	}
	pricing_w_close(b, ']');
	pricing_w_key(b, "coupon");
	if (cs->code[0] == '\0') {
		kore_buf_append(b, "null,", 5);
	} else {
		kore_buf_append(b, "{", 1);
		pricing_w_s(b, "code", cs->code);
		pricing_w_s(b, "promotion_id", cs->promo);
		done = 0;
		for (i = 0; cs->reason == NULL && i < c->in.npromos; i++)
			if (strcmp(c->src[i]->id, cs->promo) == 0) {
				pricing_w_b(b, "applied", o->promos[i].applied);
				pricing_w_s(b, "reason", core_rules_reason_str(
				    o->promos[i].reason));
				done = 1;
			}
		if (!done) {
			pricing_w_b(b, "applied", 0);
			pricing_w_s(b, "reason", cs->reason ? cs->reason :
			    "promotion_disabled");
		}
		pricing_w_close(b, '}');
	}
	pricing_w_close(b, '}');
	b->offset--;		/* the comma after the whole document */
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
	cJSON				*errors;
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

	/*
	 * One read transaction: every table seen at one instant, and one
	 * shared lock instead of one per statement (the fcntl calls of ~25
	 * statements were a tenth of a quote).
	 */
	if (core_db_exec(db, "BEGIN") == -1)
		return (core_http_internal(r));
	c = &pricing_qctx;
	c->nq = 0;
	memset(&c->in, 0, sizeof(c->in));
	if ((st = core_db_stmt(db, "SELECT currency, prices_include_tax,"
	    " shipping_taxable, shipping_tax_category, default_country,"
	    " shipping_amount FROM settings WHERE id = 1")) == NULL)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		goto fail;
	}
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
	if (pricing_qbuf == NULL)
		pricing_qbuf = kore_buf_alloc(65536);
	kore_buf_reset(pricing_qbuf);
	pricing_quote_render(pricing_qbuf, c, cur, customer, &cs, now);
	http_response_header(r->http, "content-type",
	    "application/json; charset=utf-8");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, 200, pricing_qbuf->data, pricing_qbuf->offset);
out:
	(void)core_db_exec(db, "COMMIT");
	for (i = 0; i < c->nq; i++)
		cJSON_Delete(c->q[i].cats);
	return (KORE_RESULT_OK);
fail:
	core_http_internal(r);
	goto out;
}
