/*
 * The order as a fold of its events: checkout_order_apply moves one event
 * into the state, and the JSON form of that state is what snapshots hold.
 * Pure: no SQLite, no Kore, so the unit tests reach it directly and a
 * replay folds exactly what a live append folded.  Payloads reaching apply
 * were accepted by the guard (checkout_order_guard.c) when appended; apply
 * still refuses one that does not fit rather than fold garbage.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_order.h"

static const char *const checkout_order_events[CHECKOUT_EV_COUNT] = {
	NULL, "created", "approved", "paid", "prepared", "shipped",
	"delivered", "cancelled", "refunded"
};

static const char *const checkout_order_states[] = {
	"none", "created", "approved", "paid", "prepared", "shipped",
	"delivered", "cancelled", "refunded"
};

static void	checkout_order_str(char *, size_t, const cJSON *, const char *);
static int64_t	checkout_order_i64(const cJSON *, const char *);
static int	checkout_order_apply_created(struct checkout_order *,
		    const cJSON *);
static int	checkout_order_apply_refund(struct checkout_order *,
		    const cJSON *);
static int	checkout_order_line_from(struct checkout_order_line *,
		    const cJSON *);
static int	checkout_order_add_i64(cJSON *, const char *, int64_t);

void
checkout_order_init(struct checkout_order *o, const char *id)
{
	memset(o, 0, sizeof(*o));
	if (id != NULL)
		checkout_order_str(o->id, sizeof(o->id), NULL, id);
}

void
checkout_order_cleanup(struct checkout_order *o)
{
	if (o == NULL)
		return;
	free(o->lines);
	cJSON_Delete(o->shipping_address);
	cJSON_Delete(o->billing_address);
	o->lines = NULL;
	o->nlines = 0;
	o->shipping_address = o->billing_address = NULL;
}

enum checkout_order_event
checkout_order_event_parse(const char *s)
{
	int	i;

	if (s == NULL)
		return (0);
	for (i = 1; i < CHECKOUT_EV_COUNT; i++)
		if (strcmp(s, checkout_order_events[i]) == 0)
			return ((enum checkout_order_event)i);
	return (0);
}

const char *
checkout_order_event_name(enum checkout_order_event ev)
{
	if (ev < 1 || ev >= CHECKOUT_EV_COUNT)
		return (NULL);
	return (checkout_order_events[ev]);
}

const char *
checkout_order_state_name(enum checkout_order_state st)
{
	if ((int)st < 0 || st > CHECKOUT_ORDER_REFUNDED)
		return (NULL);
	return (checkout_order_states[st]);
}

const char *
checkout_order_payment_status(const struct checkout_order *o)
{
	if (o->refunded > 0)
		return (o->refunded == o->paid ? "refunded" :
		    "partially_refunded");
	if (o->paid == 0)
		return (o->total == 0 && o->state != CHECKOUT_ORDER_NONE &&
		    o->state != CHECKOUT_ORDER_CREATED ? "paid" : "unpaid");
	return (o->paid == o->total ? "paid" : "partially_paid");
}

/*
 * A string field copied into a fixed buffer; src (if not NULL) wins over
 * the key of obj.  Absent, null or too long leaves "".
 */
static void
checkout_order_str(char *dst, size_t len, const cJSON *obj, const char *key)
{
	const char	*s = NULL;
	size_t		 n;

	if (obj == NULL)
		s = key;
	else if (core_json_get_str(obj, key, len - 1, &s) != CORE_JSON_OK)
		s = NULL;
	dst[0] = '\0';
	if (s == NULL || (n = strlen(s)) >= len)
		return;
	memcpy(dst, s, n + 1);
}

/* An integer field that the guard checked; -1 when it is not one. */
static int64_t
checkout_order_i64(const cJSON *obj, const char *key)
{
	int64_t	v;

	if (core_json_get_i64(obj, key, 0, CORE_MONEY_MAX, &v) != CORE_JSON_OK)
		return (-1);
	return (v);
}

int
checkout_order_apply(struct checkout_order *o, enum checkout_order_event ev,
    const cJSON *p, int64_t at)
{
	int64_t	v;

	if (p == NULL || !cJSON_IsObject(p))
		return (-1);
	switch (ev) {
	case CHECKOUT_EV_CREATED:
		if (o->state != CHECKOUT_ORDER_NONE ||
		    checkout_order_apply_created(o, p) == -1)
			return (-1);
		o->state = CHECKOUT_ORDER_CREATED;
		o->created_at = at;
		break;
	case CHECKOUT_EV_APPROVED:
		if ((v = checkout_order_i64(p, "invoice_number")) < 1)
			return (-1);
		o->invoice_number = v;
		/* Nothing to pay: a free order is paid once approved. */
		o->state = o->total == 0 ? CHECKOUT_ORDER_PAID :
		    CHECKOUT_ORDER_APPROVED;
		break;
	case CHECKOUT_EV_PAID:
		if ((v = checkout_order_i64(p, "amount")) < 1 ||
		    v > o->total - o->paid)
			return (-1);
		o->paid += v;
		if (o->state == CHECKOUT_ORDER_APPROVED && o->paid == o->total)
			o->state = CHECKOUT_ORDER_PAID;
		break;
	case CHECKOUT_EV_PREPARED:
		o->state = CHECKOUT_ORDER_PREPARED;
		break;
	case CHECKOUT_EV_SHIPPED:
		checkout_order_str(o->carrier, sizeof(o->carrier), p,
		    "carrier");
		checkout_order_str(o->tracking, sizeof(o->tracking), p,
		    "tracking_number");
		o->state = CHECKOUT_ORDER_SHIPPED;
		break;
	case CHECKOUT_EV_DELIVERED:
		o->state = CHECKOUT_ORDER_DELIVERED;
		break;
	case CHECKOUT_EV_CANCELLED:
		checkout_order_str(o->cancel_reason, sizeof(o->cancel_reason),
		    p, "reason");
		if ((v = checkout_order_i64(p, "refund_amount")) < 0)
			v = 0;
		if (v != o->paid - o->refunded)
			return (-1);
		if (v > 0) {
			if ((o->last_credit_note = checkout_order_i64(p,
			    "credit_note_number")) < 1)
				return (-1);
			o->credit_notes++;
			o->refunded += v;
		}
		o->state = CHECKOUT_ORDER_CANCELLED;
		break;
	case CHECKOUT_EV_REFUNDED:
		if (checkout_order_apply_refund(o, p) == -1)
			return (-1);
		break;
	default:
		return (-1);
	}
	o->seq++;
	o->updated_at = at;
	return (0);
}

static int
checkout_order_line_from(struct checkout_order_line *l, const cJSON *j)
{
	checkout_order_str(l->sku, sizeof(l->sku), j, "sku");
	checkout_order_str(l->title, sizeof(l->title), j, "title");
	if (l->sku[0] == '\0' ||
	    (l->quantity = checkout_order_i64(j, "quantity")) < 1 ||
	    (l->unit_price = checkout_order_i64(j, "unit_price")) < 0 ||
	    (l->discount = checkout_order_i64(j, "discount")) < 0 ||
	    (l->tax = checkout_order_i64(j, "tax")) < 0 ||
	    (l->total = checkout_order_i64(j, "total")) < 0)
		return (-1);
	/* Present only in snapshots. */
	if ((l->refunded_qty = checkout_order_i64(j, "refunded_quantity")) < 0)
		l->refunded_qty = 0;
	if ((l->refunded = checkout_order_i64(j, "refunded")) < 0)
		l->refunded = 0;
	return (0);
}

static int
checkout_order_apply_created(struct checkout_order *o, const cJSON *p)
{
	const cJSON	*lines, *it, *a;
	int		 n, i;

	lines = cJSON_GetObjectItemCaseSensitive(p, "lines");
	if (!cJSON_IsArray(lines) || (n = cJSON_GetArraySize(lines)) < 1 ||
	    n > CHECKOUT_ORDER_MAX_LINES)
		return (-1);
	if ((o->lines = calloc(n, sizeof(*o->lines))) == NULL)
		return (-1);
	o->nlines = n;
	i = 0;
	cJSON_ArrayForEach(it, lines)
		if (checkout_order_line_from(&o->lines[i++], it) == -1)
			return (-1);
	if ((o->number = checkout_order_i64(p, "number")) < 1 ||
	    (o->subtotal = checkout_order_i64(p, "subtotal")) < 0 ||
	    (o->discount = checkout_order_i64(p, "discount")) < 0 ||
	    (o->shipping = checkout_order_i64(p, "shipping")) < 0 ||
	    (o->tax = checkout_order_i64(p, "tax")) < 0 ||
	    (o->total = checkout_order_i64(p, "total")) < 0)
		return (-1);
	checkout_order_str(o->customer_id, sizeof(o->customer_id), p,
	    "customer_id");
	checkout_order_str(o->email, sizeof(o->email), p, "email");
	checkout_order_str(o->currency, sizeof(o->currency), p, "currency");
	checkout_order_str(o->shipping_method, sizeof(o->shipping_method), p,
	    "shipping_method");
	checkout_order_str(o->shipping_method_name,
	    sizeof(o->shipping_method_name), p, "shipping_method_name");
	checkout_order_str(o->payment_method, sizeof(o->payment_method), p,
	    "payment_method");
	o->prices_include_tax = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p,
	    "prices_include_tax"));
	if (cJSON_IsObject(a = cJSON_GetObjectItemCaseSensitive(p,
	    "shipping_address")) &&
	    (o->shipping_address = cJSON_Duplicate(a, 1)) == NULL)
		return (-1);
	if (cJSON_IsObject(a = cJSON_GetObjectItemCaseSensitive(p,
	    "billing_address")) &&
	    (o->billing_address = cJSON_Duplicate(a, 1)) == NULL)
		return (-1);
	return (0);
}

/*
 * A refund moves money (amount) and, per line named, quantity and money;
 * "shipping" gives back shipping.  The state becomes refunded when nothing
 * paid is left and every unit is back (or the refund was "whole").
 */
static int
checkout_order_apply_refund(struct checkout_order *o, const cJSON *p)
{
	const cJSON			*lines, *it;
	struct checkout_order_line	*l;
	int64_t				 amount, q, a, idx, ship;
	int				 i, all;

	if ((amount = checkout_order_i64(p, "amount")) < 1 ||
	    amount > o->paid - o->refunded ||
	    checkout_order_i64(p, "credit_note_number") < 1)
		return (-1);
	lines = cJSON_GetObjectItemCaseSensitive(p, "lines");
	cJSON_ArrayForEach(it, lines) {
		if ((idx = checkout_order_i64(it, "line")) < 1 ||
		    idx > o->nlines ||
		    (q = checkout_order_i64(it, "quantity")) < 0 ||
		    (a = checkout_order_i64(it, "amount")) < 0)
			return (-1);
		l = &o->lines[idx - 1];
		if (q > l->quantity - l->refunded_qty ||
		    a > l->total - l->refunded)
			return (-1);
		l->refunded_qty += q;
		l->refunded += a;
	}
	if ((ship = checkout_order_i64(p, "shipping")) > 0) {
		if (ship > o->shipping - o->shipping_refunded)
			return (-1);
		o->shipping_refunded += ship;
	}
	o->refunded += amount;
	o->credit_notes++;
	o->last_credit_note = checkout_order_i64(p, "credit_note_number");
	all = 1;
	for (i = 0; i < o->nlines; i++)
		if (o->lines[i].refunded_qty < o->lines[i].quantity)
			all = 0;
	if (o->refunded == o->paid && (all ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "whole"))))
		o->state = CHECKOUT_ORDER_REFUNDED;
	return (0);
}

static int
checkout_order_add_i64(cJSON *obj, const char *key, int64_t v)
{
	return (cJSON_AddNumberToObject(obj, key, (double)v) == NULL ? -1 : 0);
}

cJSON *
checkout_order_to_json(const struct checkout_order *o)
{
	const struct checkout_order_line	*l;
	cJSON					*j, *lines, *lj, *a;
	int					 i, bad = 0;

	if ((j = cJSON_CreateObject()) == NULL)
		return (NULL);
	bad |= cJSON_AddStringToObject(j, "id", o->id) == NULL;
	bad |= checkout_order_add_i64(j, "seq", o->seq);
	bad |= cJSON_AddStringToObject(j, "status",
	    checkout_order_state_name(o->state)) == NULL;
	bad |= cJSON_AddStringToObject(j, "payment_status",
	    checkout_order_payment_status(o)) == NULL;
	bad |= checkout_order_add_i64(j, "number", o->number);
	bad |= checkout_order_add_i64(j, "invoice_number", o->invoice_number);
	bad |= checkout_order_add_i64(j, "credit_notes", o->credit_notes);
	bad |= checkout_order_add_i64(j, "last_credit_note",
	    o->last_credit_note);
	if (o->customer_id[0] != '\0')
		bad |= cJSON_AddStringToObject(j, "customer_id",
		    o->customer_id) == NULL;
	else
		bad |= cJSON_AddNullToObject(j, "customer_id") == NULL;
	bad |= cJSON_AddStringToObject(j, "email", o->email) == NULL;
	bad |= cJSON_AddStringToObject(j, "currency", o->currency) == NULL;
	bad |= cJSON_AddBoolToObject(j, "prices_include_tax",
	    o->prices_include_tax) == NULL;
	bad |= cJSON_AddStringToObject(j, "shipping_method",
	    o->shipping_method) == NULL;
	/* Orders placed before the name was kept have none. */
	if (o->shipping_method_name[0] != '\0')
		bad |= cJSON_AddStringToObject(j, "shipping_method_name",
		    o->shipping_method_name) == NULL;
	else
		bad |= cJSON_AddNullToObject(j, "shipping_method_name") == NULL;
	bad |= cJSON_AddStringToObject(j, "payment_method",
	    o->payment_method) == NULL;
	a = o->shipping_address != NULL ?
	    cJSON_Duplicate(o->shipping_address, 1) : cJSON_CreateNull();
	bad |= a == NULL || !cJSON_AddItemToObject(j, "shipping_address", a);
	a = o->billing_address != NULL ?
	    cJSON_Duplicate(o->billing_address, 1) : cJSON_CreateNull();
	bad |= a == NULL || !cJSON_AddItemToObject(j, "billing_address", a);
	bad |= checkout_order_add_i64(j, "subtotal", o->subtotal);
	bad |= checkout_order_add_i64(j, "discount", o->discount);
	bad |= checkout_order_add_i64(j, "shipping", o->shipping);
	bad |= checkout_order_add_i64(j, "tax", o->tax);
	bad |= checkout_order_add_i64(j, "total", o->total);
	bad |= checkout_order_add_i64(j, "paid", o->paid);
	bad |= checkout_order_add_i64(j, "refunded", o->refunded);
	bad |= checkout_order_add_i64(j, "shipping_refunded",
	    o->shipping_refunded);
	bad |= cJSON_AddStringToObject(j, "carrier", o->carrier) == NULL;
	bad |= cJSON_AddStringToObject(j, "tracking_number",
	    o->tracking) == NULL;
	bad |= cJSON_AddStringToObject(j, "cancel_reason",
	    o->cancel_reason) == NULL;
	bad |= checkout_order_add_i64(j, "created_at", o->created_at);
	bad |= checkout_order_add_i64(j, "updated_at", o->updated_at);
	bad |= (lines = cJSON_AddArrayToObject(j, "lines")) == NULL;
	for (i = 0; !bad && i < o->nlines; i++) {
		l = &o->lines[i];
		if ((lj = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(lines, lj)) {
			cJSON_Delete(lj);
			bad = 1;
			break;
		}
		bad |= cJSON_AddStringToObject(lj, "sku", l->sku) == NULL;
		bad |= cJSON_AddStringToObject(lj, "title", l->title) == NULL;
		bad |= checkout_order_add_i64(lj, "quantity", l->quantity);
		bad |= checkout_order_add_i64(lj, "unit_price", l->unit_price);
		bad |= checkout_order_add_i64(lj, "discount", l->discount);
		bad |= checkout_order_add_i64(lj, "tax", l->tax);
		bad |= checkout_order_add_i64(lj, "total", l->total);
		bad |= checkout_order_add_i64(lj, "refunded_quantity",
		    l->refunded_qty);
		bad |= checkout_order_add_i64(lj, "refunded", l->refunded);
	}
	if (bad) {
		cJSON_Delete(j);
		return (NULL);
	}
	return (j);
}

int
checkout_order_from_json(struct checkout_order *o, const cJSON *j)
{
	const char	*s;
	int		 i;

	checkout_order_str(o->id, sizeof(o->id), j, "id");
	if (core_json_get_str(j, "status", 32, &s) != CORE_JSON_OK)
		return (-1);
	for (i = 0; i <= CHECKOUT_ORDER_REFUNDED; i++)
		if (strcmp(s, checkout_order_states[i]) == 0)
			break;
	if (i > CHECKOUT_ORDER_REFUNDED)
		return (-1);
	o->state = (enum checkout_order_state)i;
	/* The created part is the created event's own reader. */
	if (checkout_order_apply_created(o, j) == -1)
		return (-1);
	if ((o->seq = checkout_order_i64(j, "seq")) < 1 ||
	    (o->invoice_number = checkout_order_i64(j, "invoice_number")) < 0 ||
	    (o->credit_notes = checkout_order_i64(j, "credit_notes")) < 0 ||
	    (o->last_credit_note = checkout_order_i64(j,
	    "last_credit_note")) < 0 ||
	    (o->paid = checkout_order_i64(j, "paid")) < 0 ||
	    (o->refunded = checkout_order_i64(j, "refunded")) < 0 ||
	    (o->shipping_refunded = checkout_order_i64(j,
	    "shipping_refunded")) < 0 ||
	    (o->created_at = checkout_order_i64(j, "created_at")) < 0 ||
	    (o->updated_at = checkout_order_i64(j, "updated_at")) < 0)
		return (-1);
	checkout_order_str(o->carrier, sizeof(o->carrier), j, "carrier");
	checkout_order_str(o->tracking, sizeof(o->tracking), j,
	    "tracking_number");
	checkout_order_str(o->cancel_reason, sizeof(o->cancel_reason), j,
	    "cancel_reason");
	return (0);
}
