/*
 * The pricing rules engine (see core_rules.h for the model and the order of
 * application): input checks, the canonical order, promotion conditions and
 * selection, tax and totals.  The discount actions are in
 * core_rules_apply.c.  Nothing here allocates.
 */
#include <string.h>

#include "core/core_money.h"
#include "core/core_rules_int.h"

static int	rules_cmp_sku(const struct core_rules_ctx *, const void *,
		    int, int);
static int	rules_cmp_precedence(const struct core_rules_ctx *,
		    const void *, int, int);
static int	rules_str_empty(const char *);
static int	rules_code_eq(const char *, const char *);
static int	rules_check_list(const char *const *, int, int);
static int	rules_check_match(const struct core_rules_match *);
static int	rules_check_line(const struct core_rules_line *);
static int	rules_check_promo(const struct core_rules_promo *);
static int	rules_check(struct core_rules_ctx *);
static int	rules_rate(int64_t *, const struct core_rules_input *,
		    const char *);
static enum core_rules_reason rules_conditions(const struct core_rules_ctx *,
		    int);
static int	rules_select(struct core_rules_ctx *, int *, int *);
static int	rules_apply(struct core_rules_ctx *, const int *, int);
static int	rules_tax(struct core_rules_ctx *);

static const char *const rules_reasons[] = {
	[CORE_RULES_APPLIED] = "applied",
	[CORE_RULES_NOT_STARTED] = "not_started",
	[CORE_RULES_EXPIRED] = "expired",
	[CORE_RULES_CODE_REQUIRED] = "code_required",
	[CORE_RULES_USAGE_LIMIT] = "usage_limit",
	[CORE_RULES_CUSTOMER_USAGE_LIMIT] = "customer_usage_limit",
	[CORE_RULES_CUSTOMER_GROUP] = "customer_group",
	[CORE_RULES_FIRST_ORDER] = "first_order",
	[CORE_RULES_NO_MATCHING_ITEMS] = "no_matching_items",
	[CORE_RULES_MIN_QUANTITY] = "min_quantity",
	[CORE_RULES_MIN_SUBTOTAL] = "min_subtotal",
	[CORE_RULES_NOTHING_TO_DISCOUNT] = "nothing_to_discount",
	[CORE_RULES_EXCLUSIVE_CONFLICT] = "exclusive_conflict",
	[CORE_RULES_DOES_NOT_COMBINE] = "does_not_combine",
};

const char *
core_rules_reason_str(enum core_rules_reason reason)
{
	if ((unsigned)reason >= sizeof(rules_reasons) / sizeof(rules_reasons[0]))
		return ("unknown");
	return (rules_reasons[reason]);
}

const char *
core_rules_error_str(int error)
{
	switch (error) {
	case CORE_RULES_OK:
		return ("ok");
	case CORE_RULES_ERR_LIMIT:
		return ("limit");
	case CORE_RULES_ERR_INPUT:
		return ("input");
	case CORE_RULES_ERR_DUPLICATE:
		return ("duplicate");
	case CORE_RULES_ERR_TAX:
		return ("tax_rate");
	case CORE_RULES_ERR_OVERFLOW:
		return ("overflow");
	default:
		return ("unknown");
	}
}

/* Input line indices by SKU: the canonical order. */
static int
rules_cmp_sku(const struct core_rules_ctx *ctx, const void *arg, int a, int b)
{
	return (strcmp(ctx->in->lines[a].sku, ctx->in->lines[b].sku));
}

/* Input promotion indices by precedence: priority descending, then id. */
static int
rules_cmp_precedence(const struct core_rules_ctx *ctx, const void *arg,
    int a, int b)
{
	const struct core_rules_promo	*pa, *pb;

	pa = &ctx->in->promos[a];
	pb = &ctx->in->promos[b];
	if (pa->priority != pb->priority)
		return (pa->priority > pb->priority ? -1 : 1);
	return (strcmp(pa->id, pb->id));
}

static int
rules_str_empty(const char *s)
{
	return (s == NULL || *s == '\0');
}

/* Codes compare ASCII case-insensitively: "SUMMER10" is "summer10". */
static int
rules_code_eq(const char *a, const char *b)
{
	unsigned char	ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return (0);
		if (ca == '\0')
			return (1);
	}
}

/* 0 if list holds n (0..max) non-NULL strings, else an error code. */
static int
rules_check_list(const char *const *list, int n, int max)
{
	int	i;

	if (n < 0 || n > max)
		return (CORE_RULES_ERR_LIMIT);
	if (n > 0 && list == NULL)
		return (CORE_RULES_ERR_INPUT);
	for (i = 0; i < n; i++)
		if (list[i] == NULL)
			return (CORE_RULES_ERR_INPUT);
	return (0);
}

static int
rules_check_match(const struct core_rules_match *m)
{
	int	rc;

	if ((rc = rules_check_list(m->skus, m->nskus,
	    CORE_RULES_MAX_MATCH)) != 0 ||
	    (rc = rules_check_list(m->products, m->nproducts,
	    CORE_RULES_MAX_MATCH)) != 0)
		return (rc);
	return (rules_check_list(m->categories, m->ncategories,
	    CORE_RULES_MAX_MATCH));
}

static int
rules_check_line(const struct core_rules_line *l)
{
	if (rules_str_empty(l->sku) || l->tax_category == NULL)
		return (CORE_RULES_ERR_INPUT);
	if (l->unit_price < 0 || l->unit_price > CORE_MONEY_MAX ||
	    l->quantity < 1 || l->quantity > CORE_RULES_MAX_QUANTITY)
		return (CORE_RULES_ERR_INPUT);
	return (rules_check_list(l->categories, l->ncategories,
	    CORE_RULES_MAX_LINE_CATEGORIES));
}

static int
rules_check_promo(const struct core_rules_promo *p)
{
	int64_t	vmax;
	int	rc;

	if (rules_str_empty(p->id) ||
	    (p->combines_with & ~(unsigned)CORE_RULES_CLASS_ALL) != 0 ||
	    p->usage_limit < 0 || p->uses < 0 || p->customer_limit < 0 ||
	    p->customer_uses < 0 || p->min_quantity < 0 ||
	    p->min_subtotal < 0 || p->min_subtotal > CORE_MONEY_MAX)
		return (CORE_RULES_ERR_INPUT);
	switch (p->action) {
	case CORE_RULES_ORDER_PERCENT:
	case CORE_RULES_ITEMS_PERCENT:
		vmax = CORE_RULES_RATE_ONE;
		break;
	case CORE_RULES_ORDER_FIXED:
	case CORE_RULES_ITEMS_FIXED:
	case CORE_RULES_ITEMS_FIXED_TOTAL:
		vmax = CORE_MONEY_MAX;
		break;
	case CORE_RULES_BUY_X_GET_Y:
		if (p->buy_qty < 1 || p->get_qty < 1 ||
		    p->buy_qty > CORE_RULES_MAX_QUANTITY ||
		    p->get_qty > CORE_RULES_MAX_QUANTITY ||
		    p->max_applications < 0)
			return (CORE_RULES_ERR_INPUT);
		if ((rc = rules_check_match(&p->get_match)) != 0)
			return (rc);
		vmax = CORE_RULES_RATE_ONE;
		break;
	case CORE_RULES_FREE_SHIPPING:
		vmax = 0;
		break;
	default:
		return (CORE_RULES_ERR_INPUT);
	}
	if (p->value < 0 || p->value > vmax)
		return (CORE_RULES_ERR_INPUT);
	if ((rc = rules_check_list(p->groups, p->ngroups,
	    CORE_RULES_MAX_GROUPS)) != 0)
		return (rc);
	return (rules_check_match(&p->match));
}

/*
 * Checks every input, puts lines and promotions in canonical order and
 * fills subtotal[] and rate[].  Returns 0 or an error code, with err_line
 * or err_promo naming the culprit.
 */
static int
rules_check(struct core_rules_ctx *ctx)
{
	/* The caller set in and out; this function fills the rest. */
	/* cppcheck-suppress ctuuninitvar */
	const struct core_rules_input	*in = ctx->in;
	struct core_rules_result	*out = ctx->out;
	int64_t				 sum;
	int				 i, rc;

	if (in->nlines < 0 || in->nlines > CORE_RULES_MAX_LINES ||
	    in->npromos < 0 || in->npromos > CORE_RULES_MAX_PROMOS ||
	    in->nrates < 0 || in->nrates > CORE_RULES_MAX_RATES)
		return (CORE_RULES_ERR_LIMIT);
	if ((in->nlines > 0 && in->lines == NULL) ||
	    (in->npromos > 0 && in->promos == NULL) ||
	    (in->nrates > 0 && in->rates == NULL) ||
	    in->shipping < 0 || in->shipping > CORE_MONEY_MAX ||
	    (in->shipping_taxable && in->shipping_tax_category == NULL))
		return (CORE_RULES_ERR_INPUT);
	for (i = 0; i < in->nrates; i++)
		if (in->rates[i].country == NULL ||
		    in->rates[i].category == NULL || in->rates[i].rate < 0 ||
		    in->rates[i].rate > CORE_RULES_RATE_ONE)
			return (CORE_RULES_ERR_INPUT);
	if ((rc = rules_check_list(in->codes, in->ncodes,
	    CORE_RULES_MAX_CODES)) != 0 ||
	    (rc = rules_check_list(in->customer.groups, in->customer.ngroups,
	    CORE_RULES_MAX_GROUPS)) != 0)
		return (rc);

	sum = in->shipping;
	for (i = 0; i < in->nlines; i++) {
		out->err_line = i;
		if ((rc = rules_check_line(&in->lines[i])) != 0)
			return (rc);
		ctx->line[i] = i;
	}
	ctx->nlines = in->nlines;
	core_rules_sort(ctx, NULL, ctx->line, ctx->nlines, rules_cmp_sku);
	for (i = 0; i < ctx->nlines; i++) {
		out->err_line = ctx->line[i];
		if (i > 0 && rules_cmp_sku(ctx, NULL, ctx->line[i - 1],
		    ctx->line[i]) == 0)
			return (CORE_RULES_ERR_DUPLICATE);
		/* The whole cart must fit, so no partial sum can overflow. */
		if (core_money_mul(&ctx->subtotal[i],
		    in->lines[ctx->line[i]].unit_price,
		    in->lines[ctx->line[i]].quantity) == -1 ||
		    core_money_add(&sum, sum, ctx->subtotal[i]) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
		if (rules_rate(&ctx->rate[i], in,
		    in->lines[ctx->line[i]].tax_category) == -1)
			return (CORE_RULES_ERR_TAX);
		ctx->left[i] = ctx->subtotal[i];
	}
	out->err_line = -1;

	for (i = 0; i < in->npromos; i++) {
		out->err_promo = i;
		if ((rc = rules_check_promo(&in->promos[i])) != 0)
			return (rc);
		ctx->promo[i] = i;
	}
	ctx->npromos = in->npromos;
	core_rules_sort(ctx, NULL, ctx->promo, ctx->npromos,
	    rules_cmp_precedence);
	/* Equal ids need not be adjacent in precedence order. */
	for (i = 0; i < ctx->npromos; i++) {
		for (rc = i + 1; rc < ctx->npromos; rc++) {
			if (strcmp(in->promos[ctx->promo[i]].id,
			    in->promos[ctx->promo[rc]].id) == 0) {
				out->err_promo = ctx->promo[rc];
				return (CORE_RULES_ERR_DUPLICATE);
			}
		}
	}
	out->err_promo = -1;
	ctx->ship_left = in->shipping;
	core_rules_masks(ctx);
	return (0);
}

/* The rate of category in the input's country; -1 if there is none. */
static int
rules_rate(int64_t *rate, const struct core_rules_input *in,
    const char *category)
{
	int	i;

	if (in->country == NULL)
		return (-1);
	for (i = 0; i < in->nrates; i++) {
		if (strcmp(in->rates[i].country, in->country) == 0 &&
		    strcmp(in->rates[i].category, category) == 0) {
			*rate = in->rates[i].rate;
			return (0);
		}
	}
	return (-1);
}

/*
 * Checks the conditions of promotion pi (input index) against the cart as
 * entered, in the documented order; returns the first that fails or
 * CORE_RULES_APPLIED.
 */
static enum core_rules_reason
rules_conditions(const struct core_rules_ctx *ctx, int pi)
{
	const struct core_rules_input	*in = ctx->in;
	const struct core_rules_customer *cu = &in->customer;
	const struct core_rules_promo	*p = &in->promos[pi];
	int64_t				 qty, sub;
	int				 i, j, found;

	if (p->starts_at != 0 && in->now < p->starts_at)
		return (CORE_RULES_NOT_STARTED);
	if (p->ends_at != 0 && in->now >= p->ends_at)
		return (CORE_RULES_EXPIRED);
	if (!rules_str_empty(p->code)) {
		found = 0;
		for (i = 0; i < in->ncodes && !found; i++)
			found = rules_code_eq(p->code, in->codes[i]);
		if (!found)
			return (CORE_RULES_CODE_REQUIRED);
	}
	if (p->usage_limit > 0 && p->uses >= p->usage_limit)
		return (CORE_RULES_USAGE_LIMIT);
	if (p->customer_limit > 0 && p->customer_uses >= p->customer_limit)
		return (CORE_RULES_CUSTOMER_USAGE_LIMIT);
	if (p->ngroups > 0) {
		found = 0;
		for (i = 0; i < p->ngroups && !found; i++)
			for (j = 0; j < cu->ngroups && !found; j++)
				found = strcmp(p->groups[i],
				    cu->groups[j]) == 0;
		if (!found)
			return (CORE_RULES_CUSTOMER_GROUP);
	}
	if (p->first_order_only && !cu->first_order)
		return (CORE_RULES_FIRST_ORDER);

	qty = sub = 0;
	found = 0;
	for (i = 0; i < ctx->nlines; i++) {
		if (!CORE_RULES_IN_X(ctx, pi, i))
			continue;
		found = 1;
		qty += in->lines[ctx->line[i]].quantity;
		sub += ctx->subtotal[i];
	}
	if (!found && (!core_rules_match_empty(&p->match) ||
	    core_rules_class(p->action) == CORE_RULES_CLASS_PRODUCT))
		return (CORE_RULES_NO_MATCHING_ITEMS);
	if (p->action == CORE_RULES_BUY_X_GET_Y) {
		found = 0;
		for (i = 0; i < ctx->nlines && !found; i++)
			found = CORE_RULES_IN_Y(ctx, pi, i);
		if (!found)
			return (CORE_RULES_NO_MATCHING_ITEMS);
	}
	if (qty < p->min_quantity)
		return (CORE_RULES_MIN_QUANTITY);
	if (sub < p->min_subtotal)
		return (CORE_RULES_MIN_SUBTOTAL);
	return (CORE_RULES_APPLIED);
}

/*
 * Checks conditions, then selects by precedence (see core_rules.h, step
 * 3).  sel[] receives the selected input indices in precedence order.
 * A promotion that would discount nothing on the cart as entered is not
 * selected ("nothing_to_discount") so that it cannot block another.
 */
static int
rules_select(struct core_rules_ctx *ctx, int *sel, int *nsel)
{
	struct core_rules_effect	 e;
	const struct core_rules_promo	*p, *q;
	struct core_rules_promo_result	*r;
	enum core_rules_reason		 why;
	int				 i, j, rc;

	*nsel = 0;
	for (i = 0; i < ctx->npromos; i++) {
		p = &ctx->in->promos[ctx->promo[i]];
		r = &ctx->out->promos[ctx->promo[i]];
		if ((why = rules_conditions(ctx, ctx->promo[i])) !=
		    CORE_RULES_APPLIED) {
			r->reason = why;
			continue;
		}
		if ((rc = core_rules_effect(&e, ctx, ctx->promo[i],
		    ctx->subtotal, ctx->in->shipping, 1)) != 0)
			return (rc);
		if (e.amount == 0) {
			/* Buy X get Y short of one whole application. */
			r->reason = p->action == CORE_RULES_BUY_X_GET_Y &&
			    e.applications == 0 ? CORE_RULES_MIN_QUANTITY :
			    CORE_RULES_NOTHING_TO_DISCOUNT;
			continue;
		}
		for (j = 0; j < *nsel; j++) {
			q = &ctx->in->promos[sel[j]];
			if (p->exclusive || q->exclusive)
				why = CORE_RULES_EXCLUSIVE_CONFLICT;
			else if (!(q->combines_with &
			    core_rules_class(p->action)) ||
			    !(p->combines_with & core_rules_class(q->action)))
				why = CORE_RULES_DOES_NOT_COMBINE;
			if (why != CORE_RULES_APPLIED) {
				r->reason = why;
				r->blocked_by = sel[j];
				break;
			}
		}
		if (why == CORE_RULES_APPLIED)
			sel[(*nsel)++] = ctx->promo[i];
	}
	return (0);
}

/*
 * Applies the selected promotions sel[0..nsel) (precedence order) by
 * class: product, then order, then shipping; each on what the earlier ones
 * left (core_rules.h, step 4).
 */
static int
rules_apply(struct core_rules_ctx *ctx, const int *sel, int nsel)
{
	static const unsigned		 classes[] = { CORE_RULES_CLASS_PRODUCT,
	    CORE_RULES_CLASS_ORDER, CORE_RULES_CLASS_SHIPPING };
	struct core_rules_effect	 e;
	const struct core_rules_promo	*p;
	struct core_rules_promo_result	*r;
	unsigned			 cls;
	int				 c, i, pos, rc;

	for (c = 0; c < 3; c++) {
		for (i = 0; i < nsel; i++) {
			p = &ctx->in->promos[sel[i]];
			cls = core_rules_class(p->action);
			if (cls != classes[c])
				continue;
			if ((rc = core_rules_effect(&e, ctx, sel[i], ctx->left,
			    ctx->ship_left, 0)) != 0)
				return (rc);
			for (pos = 0; pos < ctx->nlines; pos++) {
				ctx->left[pos] -= e.disc[pos];
				if (cls == CORE_RULES_CLASS_ORDER)
					ctx->order_disc[pos] += e.disc[pos];
				else
					ctx->item_disc[pos] += e.disc[pos];
			}
			ctx->ship_left -= e.ship;
			r = &ctx->out->promos[sel[i]];
			r->applied = 1;
			r->reason = CORE_RULES_APPLIED;
			r->amount = e.amount;
			r->applications = e.applications;
		}
	}
	return (0);
}

/*
 * Tax and totals.  Tax is per line on its net, rounded half away from
 * zero: net * rate / 100000 on top when prices exclude tax, or the part
 * net * rate / (100000 + rate) already in it when they include tax.
 * Shipping is taxed the same way as one more line.
 */
static int
rules_tax(struct core_rules_ctx *ctx)
{
	const struct core_rules_input	*in = ctx->in;
	struct core_rules_result	*out = ctx->out;
	struct core_rules_line_result	*lr;
	const struct core_rules_line	*l;
	int64_t				 den, rate;
	int				 pos;

	for (pos = 0; pos < ctx->nlines; pos++) {
		l = &in->lines[ctx->line[pos]];
		lr = &out->lines[ctx->line[pos]];
		lr->unit_price = l->unit_price;
		lr->quantity = l->quantity;
		lr->subtotal = ctx->subtotal[pos];
		lr->item_discount = ctx->item_disc[pos];
		lr->order_discount = ctx->order_disc[pos];
		lr->net = ctx->left[pos];
		den = CORE_RULES_RATE_ONE +
		    (in->prices_include_tax ? ctx->rate[pos] : 0);
		if (core_money_ratio(&lr->tax, lr->net, ctx->rate[pos],
		    den) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
		lr->total = lr->net;
		if (!in->prices_include_tax &&
		    core_money_add(&lr->total, lr->net, lr->tax) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
	}

	out->shipping = in->shipping;
	out->shipping_net = ctx->ship_left;
	out->shipping_discount = in->shipping - ctx->ship_left;
	out->shipping_tax = 0;
	if (in->shipping_taxable) {
		if (rules_rate(&rate, in, in->shipping_tax_category) == -1)
			return (CORE_RULES_ERR_TAX);
		den = CORE_RULES_RATE_ONE +
		    (in->prices_include_tax ? rate : 0);
		if (core_money_ratio(&out->shipping_tax, out->shipping_net,
		    rate, den) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
	}
	out->shipping_total = out->shipping_net;
	if (!in->prices_include_tax && core_money_add(&out->shipping_total,
	    out->shipping_net, out->shipping_tax) == -1)
		return (CORE_RULES_ERR_OVERFLOW);

	out->subtotal = out->item_discount = out->order_discount = 0;
	out->tax = out->shipping_tax;
	out->total = out->shipping_total;
	for (pos = 0; pos < ctx->nlines; pos++) {
		lr = &out->lines[ctx->line[pos]];
		if (core_money_add(&out->subtotal, out->subtotal,
		    lr->subtotal) == -1 ||
		    core_money_add(&out->item_discount, out->item_discount,
		    lr->item_discount) == -1 ||
		    core_money_add(&out->order_discount, out->order_discount,
		    lr->order_discount) == -1 ||
		    core_money_add(&out->tax, out->tax, lr->tax) == -1 ||
		    core_money_add(&out->total, out->total, lr->total) == -1)
			return (CORE_RULES_ERR_OVERFLOW);
	}
	if (core_money_add(&out->discount, out->item_discount,
	    out->order_discount) == -1 ||
	    core_money_add(&out->discount, out->discount,
	    out->shipping_discount) == -1)
		return (CORE_RULES_ERR_OVERFLOW);
	return (0);
}

int
core_rules_quote(struct core_rules_result *out,
    const struct core_rules_input *in)
{
	struct core_rules_ctx	ctx;
	int			sel[CORE_RULES_MAX_PROMOS];
	int			i, nsel, rc;

	/*
	 * Only what is read before it is written gets zeroed: the ctx and
	 * the result are 40 KB at their maxima, mostly unused by a cart.
	 */
	ctx.in = in;
	ctx.out = out;
	out->nlines = out->npromos = 0;
	out->err_line = out->err_promo = -1;

	if ((rc = rules_check(&ctx)) != 0)
		return (rc);
	memset(ctx.item_disc, 0, ctx.nlines * sizeof(ctx.item_disc[0]));
	memset(ctx.order_disc, 0, ctx.nlines * sizeof(ctx.order_disc[0]));
	out->nlines = in->nlines;
	out->npromos = in->npromos;
	memset(out->promos, 0, in->npromos * sizeof(out->promos[0]));
	for (i = 0; i < in->npromos; i++)
		out->promos[i].blocked_by = -1;

	if ((rc = rules_select(&ctx, sel, &nsel)) != 0 ||
	    (rc = rules_apply(&ctx, sel, nsel)) != 0 ||
	    (rc = rules_tax(&ctx)) != 0)
		return (rc);
	return (CORE_RULES_OK);
}
