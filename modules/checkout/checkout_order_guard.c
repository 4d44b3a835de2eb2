/*
 * The transition guard and the payload filler of checkout's orders.  The
 * guard decides whether an event may follow the folded state (the state
 * table of docs/contracts/checkout-orders.md) and whether its payload is
 * sound: a payment never exceeds what is due, a refund never exceeds what
 * was paid, overall and per line (a line's share of the money received).
 * Its sentences name the order's current state, since they become the
 * detail of a 409 or 422.  Pure: no SQLite, no Kore.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_order.h"

#define EVBIT(e)	(1u << (e))

static enum checkout_order_verdict checkout_order_say(char *, size_t,
		    enum checkout_order_verdict, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	checkout_order_shares(const struct checkout_order *,
		    int64_t **);
static enum checkout_order_verdict checkout_order_can_created(
		    const struct checkout_order *, const cJSON *, char *,
		    size_t);
static enum checkout_order_verdict checkout_order_can_refund(
		    const struct checkout_order *, const cJSON *, char *,
		    size_t);
static int	checkout_order_fill_refund(const struct checkout_order *,
		    cJSON *);
static int	checkout_order_set_i64(cJSON *, const char *, int64_t);

unsigned
checkout_order_next(const struct checkout_order *o)
{
	unsigned	m = 0;
	int		due, net;

	due = o->paid < o->total;
	net = o->paid > o->refunded;
	switch (o->state) {
	case CHECKOUT_ORDER_NONE:
		return (EVBIT(CHECKOUT_EV_CREATED));
	case CHECKOUT_ORDER_CREATED:
		return (EVBIT(CHECKOUT_EV_APPROVED) |
		    EVBIT(CHECKOUT_EV_CANCELLED));
	case CHECKOUT_ORDER_APPROVED:
		m = EVBIT(CHECKOUT_EV_PAID) | EVBIT(CHECKOUT_EV_CANCELLED);
		/* Cash on delivery is prepared and shipped before payment. */
		if (strcmp(o->payment_method, "cod") == 0)
			m |= EVBIT(CHECKOUT_EV_PREPARED);
		return (m);
	case CHECKOUT_ORDER_PAID:
		m = EVBIT(CHECKOUT_EV_PREPARED) | EVBIT(CHECKOUT_EV_CANCELLED);
		break;
	case CHECKOUT_ORDER_PREPARED:
		m = EVBIT(CHECKOUT_EV_SHIPPED) | EVBIT(CHECKOUT_EV_CANCELLED);
		break;
	case CHECKOUT_ORDER_SHIPPED:
		m = EVBIT(CHECKOUT_EV_DELIVERED);
		break;
	case CHECKOUT_ORDER_DELIVERED:
		break;
	default:
		return (0);
	}
	if (due)
		m |= EVBIT(CHECKOUT_EV_PAID);
	if (net)
		m |= EVBIT(CHECKOUT_EV_REFUNDED);
	return (m);
}

static enum checkout_order_verdict
checkout_order_say(char *reason, size_t len, enum checkout_order_verdict v,
    const char *fmt, ...)
{
	va_list	ap;

	if (reason != NULL && len > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(reason, len, fmt, ap);
		va_end(ap);
	}
	return (v);
}

/*
 * What each line (and shipping, the last part) holds of the money paid:
 * paid split over the line totals and shipping by largest remainder, so
 * the parts sum to paid exactly.  *out is malloc'ed (nlines + 1).
 */
static int
checkout_order_shares(const struct checkout_order *o, int64_t **out)
{
	int64_t	*w, *parts;
	int	 i, n = o->nlines + 1;

	if ((w = calloc(n, sizeof(*w))) == NULL)
		return (-1);
	if ((parts = calloc(n, sizeof(*parts))) == NULL) {
		free(w);
		return (-1);
	}
	for (i = 0; i < o->nlines; i++)
		w[i] = o->lines[i].total;
	w[o->nlines] = o->shipping;
	if (o->paid > 0 && core_money_allocate(parts, o->paid, w, n) == -1)
		memset(parts, 0, n * sizeof(*parts));
	free(w);
	*out = parts;
	return (0);
}

enum checkout_order_verdict
checkout_order_can(const struct checkout_order *o,
    enum checkout_order_event ev, const cJSON *p, char *reason, size_t len)
{
	const char	*st, *name, *s;
	char		 allowed[128];
	unsigned	 m;
	int64_t		 v;
	size_t		 off;
	int		 e;

	st = checkout_order_state_name(o->state);
	if ((name = checkout_order_event_name(ev)) == NULL)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "unknown order event"));
	m = checkout_order_next(o);
	if ((m & EVBIT(ev)) == 0) {
		if (o->state == CHECKOUT_ORDER_NONE)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_ILLEGAL, "the order does not exist:"
			    " it must be created before it is %s", name));
		/* Eight names of at most 9 bytes always fit. */
		allowed[0] = '\0';
		for (e = 1, off = 0; e < CHECKOUT_EV_COUNT; e++) {
			if ((m & EVBIT(e)) == 0)
				continue;
			off += snprintf(allowed + off, sizeof(allowed) - off,
			    "%s%s", off > 0 ? ", " : "",
			    checkout_order_event_name(e));
		}
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_ILLEGAL,
		    "the order is %s: it cannot become %s (allowed next: %s)",
		    st, name, allowed[0] != '\0' ? allowed : "nothing"));
	}
	if (p == NULL || !cJSON_IsObject(p))
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "the %s event needs an object", name));
	switch (ev) {
	case CHECKOUT_EV_CREATED:
		return (checkout_order_can_created(o, p, reason, len));
	case CHECKOUT_EV_APPROVED:
		if (core_json_get_i64(p, "invoice_number", 1, CORE_MONEY_MAX,
		    &v) != CORE_JSON_OK)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "approving needs an"
			    " invoice_number"));
		break;
	case CHECKOUT_EV_PAID:
		if (core_json_get_i64(p, "amount", 1, CORE_MONEY_MAX, &v) !=
		    CORE_JSON_OK)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "a payment needs an amount"
			    " of at least 1 minor unit"));
		if (v > o->total - o->paid)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "the order is %s and %lld"
			    " is due: a payment of %lld is too much", st,
			    (long long)(o->total - o->paid), (long long)v));
		break;
	case CHECKOUT_EV_SHIPPED:
		if (core_json_get_str(p, "carrier", 64, &s) != CORE_JSON_OK ||
		    s[0] == '\0')
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "shipping needs a carrier"
			    " (1 to 64 bytes)"));
		if (core_json_get_str(p, "tracking_number", 128, &s) ==
		    CORE_JSON_WRONG)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "tracking_number must be a"
			    " string of at most 128 bytes"));
		break;
	case CHECKOUT_EV_CANCELLED:
		if (core_json_get_str(p, "reason", 255, &s) != CORE_JSON_OK ||
		    s[0] == '\0')
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "cancelling needs a reason"
			    " (1 to 255 bytes)"));
		if (core_json_get_i64(p, "refund_amount", 0, CORE_MONEY_MAX,
		    &v) != CORE_JSON_OK)
			v = 0;
		if (v != o->paid - o->refunded)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "the order is %s with %lld"
			    " paid: cancelling refunds exactly that, not %lld",
			    st, (long long)(o->paid - o->refunded),
			    (long long)v));
		if (v > 0 && core_json_get_i64(p, "credit_note_number", 1,
		    CORE_MONEY_MAX, &v) != CORE_JSON_OK)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "a cancellation that"
			    " refunds needs a credit_note_number"));
		break;
	case CHECKOUT_EV_REFUNDED:
		return (checkout_order_can_refund(o, p, reason, len));
	default:
		break;
	}
	return (CHECKOUT_ORDER_OK);
}

static enum checkout_order_verdict
checkout_order_can_created(const struct checkout_order *o, const cJSON *p,
    char *reason, size_t len)
{
	const cJSON	*lines, *it, *a;
	const char	*s;
	int64_t		 v, q, unit, disc, tax, tot, sum = 0, gross;
	int		 i = 0, n;

	if (core_json_get_i64(p, "number", 1, CORE_MONEY_MAX, &v) !=
	    CORE_JSON_OK)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "an order needs a number"));
	if (core_json_get_str(p, "email", 254, &s) != CORE_JSON_OK ||
	    strchr(s, '@') == NULL)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "an order needs an email address"));
	if (core_json_get_str(p, "currency", 3, &s) != CORE_JSON_OK ||
	    !core_money_currency_valid(s))
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "an order needs an ISO 4217 currency"));
	if (core_json_get_str(p, "customer_id", CORE_ID_MAX - 1, &s) ==
	    CORE_JSON_WRONG)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "customer_id must be an id or null"));
	if (core_json_get_str(p, "shipping_method", 64, &s) != CORE_JSON_OK ||
	    s[0] == '\0' || core_json_get_str(p, "payment_method", 32, &s) !=
	    CORE_JSON_OK || s[0] == '\0')
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "an order needs a shipping_method and a payment_method"));
	a = cJSON_GetObjectItemCaseSensitive(p, "shipping_address");
	if (a != NULL && !cJSON_IsNull(a) && !cJSON_IsObject(a))
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "shipping_address must be an object"));
	lines = cJSON_GetObjectItemCaseSensitive(p, "lines");
	if (!cJSON_IsArray(lines) || (n = cJSON_GetArraySize(lines)) < 1 ||
	    n > CHECKOUT_ORDER_MAX_LINES)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "an order needs 1 to %d lines", CHECKOUT_ORDER_MAX_LINES));
	cJSON_ArrayForEach(it, lines) {
		i++;
		if (core_json_get_str(it, "sku", 64, &s) != CORE_JSON_OK ||
		    s[0] == '\0' ||
		    core_json_get_str(it, "title", 200, &s) == CORE_JSON_WRONG ||
		    core_json_get_i64(it, "quantity", 1, 1000000, &q) ||
		    core_json_get_i64(it, "unit_price", 0, CORE_MONEY_MAX,
		    &unit) || core_json_get_i64(it, "discount", 0,
		    CORE_MONEY_MAX, &disc) || core_json_get_i64(it, "tax", 0,
		    CORE_MONEY_MAX, &tax) || core_json_get_i64(it, "total", 0,
		    CORE_MONEY_MAX, &tot) || core_money_mul(&gross, unit, q))
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "line %d needs sku,"
			    " quantity, unit_price, discount, tax and total",
			    i));
		if (disc > gross || tot != gross - disc +
		    (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p,
		    "prices_include_tax")) ? 0 : tax))
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "line %d: total %lld is not"
			    " quantity x unit_price - discount (+ tax)", i,
			    (long long)tot));
		if (core_money_add(&sum, sum, tot) == -1)
			return (checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "the lines sum too high"));
	}
	if (core_json_get_i64(p, "shipping", 0, CORE_MONEY_MAX, &v) ||
	    core_money_add(&sum, sum, v) == -1 ||
	    core_json_get_i64(p, "subtotal", 0, CORE_MONEY_MAX, &v) ||
	    core_json_get_i64(p, "discount", 0, CORE_MONEY_MAX, &v) ||
	    core_json_get_i64(p, "tax", 0, CORE_MONEY_MAX, &v) ||
	    core_json_get_i64(p, "total", 0, CORE_MONEY_MAX, &v) || v != sum)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "the order's total is not its lines plus shipping"));
	(void)o;
	return (CHECKOUT_ORDER_OK);
}

static enum checkout_order_verdict
checkout_order_can_refund(const struct checkout_order *o, const cJSON *p,
    char *reason, size_t len)
{
	const struct checkout_order_line	*l;
	const cJSON				*lines, *it;
	const char				*st;
	enum checkout_order_verdict		 v = CHECKOUT_ORDER_OK;
	int64_t					*share = NULL, amount, net;
	int64_t					 idx, q, a, ship, sum = 0;
	unsigned char				 seen[CHECKOUT_ORDER_MAX_LINES];

	st = checkout_order_state_name(o->state);
	net = o->paid - o->refunded;
	if (core_json_get_i64(p, "amount", 1, CORE_MONEY_MAX, &amount) != 0)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "a refund needs an amount of at least 1 minor unit"));
	if (amount > net)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "the order is %s with %lld paid and not refunded: a refund"
		    " of %lld is too much", st, (long long)net,
		    (long long)amount));
	if (core_json_get_i64(p, "credit_note_number", 1, CORE_MONEY_MAX,
	    &q) != CORE_JSON_OK)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "a refund needs a credit_note_number"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "whole")) &&
	    amount != net)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "a whole refund gives back all %lld paid", (long long)net));
	lines = cJSON_GetObjectItemCaseSensitive(p, "lines");
	if (lines != NULL && !cJSON_IsArray(lines))
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "lines must be an array"));
	if (checkout_order_shares(o, &share) == -1)
		return (checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "out of memory"));
	memset(seen, 0, sizeof(seen));
	cJSON_ArrayForEach(it, lines) {
		if (core_json_get_i64(it, "line", 1, o->nlines, &idx) ||
		    core_json_get_i64(it, "quantity", 0, 1000000, &q) ||
		    core_json_get_i64(it, "amount", 0, CORE_MONEY_MAX, &a)) {
			v = checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "each refunded line needs"
			    " line (1 to %d), quantity and amount", o->nlines);
			goto out;
		}
		l = &o->lines[idx - 1];
		if (seen[idx - 1]++) {
			v = checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "line %lld is named twice",
			    (long long)idx);
			goto out;
		}
		if (q > l->quantity - l->refunded_qty) {
			v = checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "line %lld has %lld left to"
			    " refund, not %lld", (long long)idx,
			    (long long)(l->quantity - l->refunded_qty),
			    (long long)q);
			goto out;
		}
		if (a > share[idx - 1] - l->refunded) {
			v = checkout_order_say(reason, len,
			    CHECKOUT_ORDER_INVALID, "line %lld: %lld of it was"
			    " paid and not refunded, a refund of %lld is too"
			    " much", (long long)idx,
			    (long long)(share[idx - 1] - l->refunded),
			    (long long)a);
			goto out;
		}
		sum += a;
	}
	ship = 0;
	if (core_json_get_i64(p, "shipping", 0, CORE_MONEY_MAX, &ship) ==
	    CORE_JSON_WRONG || ship > share[o->nlines] -
	    o->shipping_refunded) {
		v = checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "shipping: %lld of it was paid and not refunded",
		    (long long)(share[o->nlines] - o->shipping_refunded));
		goto out;
	}
	sum += ship;
	/* Lines or shipping named: the amount is their sum (not whole). */
	if ((cJSON_GetArraySize(lines) > 0 || ship > 0) && amount != sum &&
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "whole")))
		v = checkout_order_say(reason, len, CHECKOUT_ORDER_INVALID,
		    "the refund's amount %lld is not the sum %lld of its lines"
		    " and shipping", (long long)amount, (long long)sum);
out:
	free(share);
	return (v);
}

static int
checkout_order_set_i64(cJSON *obj, const char *key, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	return (cJSON_AddNumberToObject(obj, key, (double)v) == NULL ? -1 : 0);
}

int
checkout_order_fill(const struct checkout_order *o,
    enum checkout_order_event ev, cJSON *p)
{
	if (p == NULL || !cJSON_IsObject(p))
		return (0);
	switch (ev) {
	case CHECKOUT_EV_CANCELLED:
		if (cJSON_GetObjectItemCaseSensitive(p, "refund_amount") ==
		    NULL)
			return (checkout_order_set_i64(p, "refund_amount",
			    o->paid - o->refunded));
		return (0);
	case CHECKOUT_EV_REFUNDED:
		return (checkout_order_fill_refund(o, p));
	default:
		return (0);
	}
}

/*
 * A line named with a quantity and no amount gets its pro-rata amount
 * (the last units take the remainder of the line's paid share); "whole"
 * names every line still holding units or money, and shipping; amount,
 * when absent, is the sum (whole: the net paid).
 */
static int
checkout_order_fill_refund(const struct checkout_order *o, cJSON *p)
{
	const struct checkout_order_line	*l;
	cJSON					*lines, *it;
	int64_t					*share, idx, q, a, cap;
	int64_t					 sum = 0, ship;
	int					 i, whole, rc = -1;

	if (checkout_order_shares(o, &share) == -1)
		return (-1);
	whole = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "whole"));
	if (whole) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "lines");
		cJSON_DeleteItemFromObjectCaseSensitive(p, "shipping");
		if ((lines = cJSON_AddArrayToObject(p, "lines")) == NULL)
			goto out;
		for (i = 0; i < o->nlines; i++) {
			l = &o->lines[i];
			q = l->quantity - l->refunded_qty;
			a = share[i] - l->refunded;
			if (q == 0 && a <= 0)
				continue;
			if ((it = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(lines, it) ||
			    checkout_order_set_i64(it, "line", i + 1) ||
			    checkout_order_set_i64(it, "quantity", q) ||
			    checkout_order_set_i64(it, "amount", a > 0 ? a : 0))
				goto out;
		}
		ship = share[o->nlines] - o->shipping_refunded;
		if (ship > 0 && checkout_order_set_i64(p, "shipping", ship))
			goto out;
		if (cJSON_GetObjectItemCaseSensitive(p, "amount") == NULL &&
		    checkout_order_set_i64(p, "amount", o->paid - o->refunded))
			goto out;
		rc = 0;
		goto out;
	}
	lines = cJSON_GetObjectItemCaseSensitive(p, "lines");
	cJSON_ArrayForEach(it, lines) {
		if (core_json_get_i64(it, "line", 1, o->nlines, &idx) ||
		    core_json_get_i64(it, "quantity", 0, 1000000, &q)) {
			rc = 0;		/* the guard says what is wrong */
			goto out;
		}
		if (cJSON_GetObjectItemCaseSensitive(it, "amount") == NULL) {
			l = &o->lines[idx - 1];
			cap = share[idx - 1] - l->refunded;
			if (q >= l->quantity - l->refunded_qty)
				a = cap;
			else if (core_money_ratio(&a, l->total, q,
			    l->quantity) == -1)
				goto out;
			if (a > cap)
				a = cap;
			if (checkout_order_set_i64(it, "amount",
			    a > 0 ? a : 0) == -1)
				goto out;
		}
		if (core_json_get_i64(it, "amount", 0, CORE_MONEY_MAX, &a) ==
		    CORE_JSON_OK)
			sum += a;
	}
	if (core_json_get_i64(p, "shipping", 0, CORE_MONEY_MAX, &ship) ==
	    CORE_JSON_OK)
		sum += ship;
	if (cJSON_GetObjectItemCaseSensitive(p, "amount") == NULL &&
	    checkout_order_set_i64(p, "amount", sum) == -1)
		goto out;
	rc = 0;
out:
	free(share);
	return (rc);
}
