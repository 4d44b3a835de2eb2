/*
 * Unit tests of the pure order fold and guard (modules/checkout/
 * checkout_order.c, checkout_order_guard.c): every cell of the state
 * table, the 409 sentences naming the current state, partial payments,
 * cash on delivery, per-line refunds capped by what was paid per line,
 * cancellation with refund, and the snapshot JSON round trip.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/checkout/checkout_order.h"
#include "tests/unit/modules/checkout/checkout_order_fixture.h"

#define EVB(e)	(1u << (e))

static void	co_step(struct checkout_order *, enum checkout_order_event,
		    cJSON *);
static void	co_reach(struct checkout_order *, enum checkout_order_state,
		    const char *);
static cJSON	*co_payload(const struct checkout_order *,
		    enum checkout_order_event);

/* Guard, fill and apply one event that must be accepted; frees p. */
static void
co_step(struct checkout_order *o, enum checkout_order_event ev, cJSON *p)
{
	char	reason[CHECKOUT_ORDER_REASON_MAX];
	int	v;

	cr_assert_eq(checkout_order_fill(o, ev, p), 0);
	v = checkout_order_can(o, ev, p, reason, sizeof(reason));
	cr_assert_eq(v, CHECKOUT_ORDER_OK, "%s from %s: %s",
	    checkout_order_event_name(ev), checkout_order_state_name(o->state),
	    reason);
	cr_assert_eq(checkout_order_apply(o, ev, p, 1000 + o->seq), 0);
	cJSON_Delete(p);
}

/* A valid payload for ev in o's current state. */
static cJSON *
co_payload(const struct checkout_order *o, enum checkout_order_event ev)
{
	cJSON	*p;

	switch (ev) {
	case CHECKOUT_EV_CREATED:
		p = cof_created(3, "bank_transfer");
		cJSON_AddNumberToObject(p, "number", 1001);
		return (p);
	case CHECKOUT_EV_APPROVED:
		return (cof_obj_i64("invoice_number", 1));
	case CHECKOUT_EV_PAID:
		return (cof_obj_i64("amount", o->total - o->paid > 0 ?
		    o->total - o->paid : 1));
	case CHECKOUT_EV_SHIPPED:
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "carrier", "DHL");
		cJSON_AddStringToObject(p, "tracking_number", "JJD0001");
		return (p);
	case CHECKOUT_EV_CANCELLED:
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "reason", "customer asked");
		cJSON_AddNumberToObject(p, "credit_note_number", 7);
		return (p);
	case CHECKOUT_EV_REFUNDED:
		p = cJSON_CreateObject();
		cJSON_AddBoolToObject(p, "whole", 1);
		cJSON_AddNumberToObject(p, "credit_note_number", 7);
		return (p);
	default:
		return (cJSON_CreateObject());
	}
}

/* Folds a fresh order (payment method pm) along the main path to st. */
static void
co_reach(struct checkout_order *o, enum checkout_order_state st,
    const char *pm)
{
	cJSON	*p;

	checkout_order_init(o, "ord_01JDY3A0B1C2D3E4F5G6H7J8K9");
	if (st == CHECKOUT_ORDER_NONE)
		return;
	p = cof_created(3, pm);
	cJSON_AddNumberToObject(p, "number", 1001);
	co_step(o, CHECKOUT_EV_CREATED, p);
	if (st == CHECKOUT_ORDER_CREATED)
		return;
	if (st == CHECKOUT_ORDER_CANCELLED) {
		co_step(o, CHECKOUT_EV_CANCELLED, co_payload(o,
		    CHECKOUT_EV_CANCELLED));
		return;
	}
	co_step(o, CHECKOUT_EV_APPROVED, co_payload(o, CHECKOUT_EV_APPROVED));
	if (st == CHECKOUT_ORDER_APPROVED)
		return;
	co_step(o, CHECKOUT_EV_PAID, co_payload(o, CHECKOUT_EV_PAID));
	if (st == CHECKOUT_ORDER_PAID)
		return;
	if (st == CHECKOUT_ORDER_REFUNDED) {
		co_step(o, CHECKOUT_EV_REFUNDED, co_payload(o,
		    CHECKOUT_EV_REFUNDED));
		return;
	}
	co_step(o, CHECKOUT_EV_PREPARED, co_payload(o, CHECKOUT_EV_PREPARED));
	if (st == CHECKOUT_ORDER_PREPARED)
		return;
	co_step(o, CHECKOUT_EV_SHIPPED, co_payload(o, CHECKOUT_EV_SHIPPED));
	if (st == CHECKOUT_ORDER_SHIPPED)
		return;
	co_step(o, CHECKOUT_EV_DELIVERED, co_payload(o, CHECKOUT_EV_DELIVERED));
	cr_assert_eq(o->state, st);
}

/*
 * The whole state table for a prepaid order (fully paid from "paid" on):
 * every (state, event) pair is either accepted or refused with a 409
 * sentence naming the state.  Legal cells are applied to a copy to check
 * the state they lead to.
 */
Test(checkout_order, state_table_prepaid)
{
	static const struct {
		enum checkout_order_state	st;
		unsigned			legal;
	} table[] = {
		{ CHECKOUT_ORDER_NONE, EVB(CHECKOUT_EV_CREATED) },
		{ CHECKOUT_ORDER_CREATED, EVB(CHECKOUT_EV_APPROVED) |
		    EVB(CHECKOUT_EV_CANCELLED) },
		{ CHECKOUT_ORDER_APPROVED, EVB(CHECKOUT_EV_PAID) |
		    EVB(CHECKOUT_EV_CANCELLED) },
		{ CHECKOUT_ORDER_PAID, EVB(CHECKOUT_EV_PREPARED) |
		    EVB(CHECKOUT_EV_REFUNDED) | EVB(CHECKOUT_EV_CANCELLED) },
		{ CHECKOUT_ORDER_PREPARED, EVB(CHECKOUT_EV_SHIPPED) |
		    EVB(CHECKOUT_EV_REFUNDED) | EVB(CHECKOUT_EV_CANCELLED) },
		{ CHECKOUT_ORDER_SHIPPED, EVB(CHECKOUT_EV_DELIVERED) |
		    EVB(CHECKOUT_EV_REFUNDED) },
		{ CHECKOUT_ORDER_DELIVERED, EVB(CHECKOUT_EV_REFUNDED) },
		{ CHECKOUT_ORDER_CANCELLED, 0 },
		{ CHECKOUT_ORDER_REFUNDED, 0 },
	};
	static const enum checkout_order_state to[CHECKOUT_EV_COUNT] = {
		0, CHECKOUT_ORDER_CREATED, CHECKOUT_ORDER_APPROVED,
		CHECKOUT_ORDER_PAID, CHECKOUT_ORDER_PREPARED,
		CHECKOUT_ORDER_SHIPPED, CHECKOUT_ORDER_DELIVERED,
		CHECKOUT_ORDER_CANCELLED, CHECKOUT_ORDER_REFUNDED
	};
	struct checkout_order	o, c;
	char			reason[CHECKOUT_ORDER_REASON_MAX], want[64];
	cJSON			*p, *snap;
	size_t			i;
	int			e, v, legal = 0, illegal = 0;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		co_reach(&o, table[i].st, "bank_transfer");
		cr_assert_eq(o.state, table[i].st);
		cr_expect_eq(checkout_order_next(&o), table[i].legal,
		    "next from %s", checkout_order_state_name(o.state));
		for (e = 1; e < CHECKOUT_EV_COUNT; e++) {
			p = co_payload(&o, e);
			cr_assert_eq(checkout_order_fill(&o, e, p), 0);
			v = checkout_order_can(&o, e, p, reason,
			    sizeof(reason));
			if (table[i].legal & EVB(e)) {
				cr_expect_eq(v, CHECKOUT_ORDER_OK, "%s -> %s:"
				    " %s", checkout_order_state_name(o.state),
				    checkout_order_event_name(e), reason);
				/* Apply to a copy made through a snapshot. */
				snap = checkout_order_to_json(&o);
				checkout_order_init(&c, NULL);
				if (o.state != CHECKOUT_ORDER_NONE)
					cr_assert_eq(checkout_order_from_json(
					    &c, snap), 0);
				cr_assert_eq(checkout_order_apply(&c, e, p,
				    5000), 0);
				cr_expect_eq(c.state, to[e], "%s -> %s gave %s",
				    checkout_order_state_name(o.state),
				    checkout_order_event_name(e),
				    checkout_order_state_name(c.state));
				checkout_order_cleanup(&c);
				cJSON_Delete(snap);
				legal++;
			} else {
				cr_expect_eq(v, CHECKOUT_ORDER_ILLEGAL,
				    "%s -> %s", checkout_order_state_name(
				    o.state), checkout_order_event_name(e));
				snprintf(want, sizeof(want), "the order is %s:",
				    checkout_order_state_name(o.state));
				if (o.state != CHECKOUT_ORDER_NONE)
					cr_expect(strstr(reason, want) != NULL,
					    "reason \"%s\"", reason);
				illegal++;
			}
			cJSON_Delete(p);
		}
		checkout_order_cleanup(&o);
	}
	cr_expect_eq(legal, 14);
	cr_expect_eq(illegal, 9 * 8 - 14);
}

Test(checkout_order, illegal_reasons_name_the_state)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	co_reach(&o, CHECKOUT_ORDER_SHIPPED, "bank_transfer");
	p = co_payload(&o, CHECKOUT_EV_CANCELLED);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_CANCELLED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_ILLEGAL);
	cr_expect_str_eq(reason, "the order is shipped: it cannot become"
	    " cancelled (allowed next: delivered, refunded)");
	cJSON_Delete(p);
	checkout_order_cleanup(&o);

	co_reach(&o, CHECKOUT_ORDER_CANCELLED, "bank_transfer");
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_APPROVED, NULL, reason,
	    sizeof(reason)), CHECKOUT_ORDER_ILLEGAL);
	cr_expect_str_eq(reason, "the order is cancelled: it cannot become"
	    " approved (allowed next: nothing)");
	checkout_order_cleanup(&o);

	co_reach(&o, CHECKOUT_ORDER_NONE, "bank_transfer");
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_PAID, NULL, reason,
	    sizeof(reason)), CHECKOUT_ORDER_ILLEGAL);
	cr_expect(strstr(reason, "does not exist") != NULL, "%s", reason);

	/* A prepaid order is not prepared before it is paid. */
	co_reach(&o, CHECKOUT_ORDER_APPROVED, "bank_transfer");
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_PREPARED, NULL, reason,
	    sizeof(reason)), CHECKOUT_ORDER_ILLEGAL);
	cr_expect_str_eq(reason, "the order is approved: it cannot become"
	    " prepared (allowed next: paid, cancelled)");
	checkout_order_cleanup(&o);
}

Test(checkout_order, partial_payments)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	co_reach(&o, CHECKOUT_ORDER_APPROVED, "bank_transfer");
	/* Lines 900 + 4000 + 9000, shipping 500. */
	cr_assert_eq(o.total, 14400);
	cr_expect_str_eq(checkout_order_payment_status(&o), "unpaid");
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 4000));
	cr_expect_eq(o.state, CHECKOUT_ORDER_APPROVED);
	cr_expect_eq(o.paid, 4000);
	cr_expect_str_eq(checkout_order_payment_status(&o), "partially_paid");
	p = cof_obj_i64("amount", 10401);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_PAID, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "the order is approved and 10400 is due: a"
	    " payment of 10401 is too much");
	cJSON_Delete(p);
	p = cof_obj_i64("amount", 0);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_PAID, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cJSON_Delete(p);
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 400));
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 10000));
	cr_expect_eq(o.state, CHECKOUT_ORDER_PAID);
	cr_expect_str_eq(checkout_order_payment_status(&o), "paid");
	cr_expect_eq(checkout_order_next(&o) & EVB(CHECKOUT_EV_PAID), 0);
	checkout_order_cleanup(&o);
}

Test(checkout_order, cash_on_delivery_ships_before_payment)
{
	struct checkout_order	o;

	co_reach(&o, CHECKOUT_ORDER_APPROVED, "cod");
	cr_expect_neq(checkout_order_next(&o) & EVB(CHECKOUT_EV_PREPARED), 0);
	co_step(&o, CHECKOUT_EV_PREPARED, cJSON_CreateObject());
	co_step(&o, CHECKOUT_EV_SHIPPED, co_payload(&o, CHECKOUT_EV_SHIPPED));
	cr_expect_str_eq(o.carrier, "DHL");
	cr_expect_str_eq(o.tracking, "JJD0001");
	/* Unpaid: nothing to refund yet. */
	cr_expect_eq(checkout_order_next(&o), EVB(CHECKOUT_EV_DELIVERED) |
	    EVB(CHECKOUT_EV_PAID));
	co_step(&o, CHECKOUT_EV_DELIVERED, cJSON_CreateObject());
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 14000));
	cr_expect_eq(o.state, CHECKOUT_ORDER_DELIVERED);
	cr_expect_str_eq(checkout_order_payment_status(&o), "partially_paid");
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 400));
	cr_expect_eq(o.state, CHECKOUT_ORDER_DELIVERED);
	cr_expect_str_eq(checkout_order_payment_status(&o), "paid");
	cr_expect_eq(checkout_order_next(&o), EVB(CHECKOUT_EV_REFUNDED));
	checkout_order_cleanup(&o);
}

/* {"lines": [{"line": n, "quantity": q}], "credit_note_number": cn} */
static cJSON *
co_refund_line(int line, int64_t q, int64_t cn)
{
	cJSON	*p, *l;

	p = cof_obj_i64("credit_note_number", cn);
	l = cJSON_CreateObject();
	cJSON_AddNumberToObject(l, "line", line);
	cJSON_AddNumberToObject(l, "quantity", (double)q);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "lines"), l);
	return (p);
}

Test(checkout_order, per_line_refunds_never_exceed_what_was_paid)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	co_reach(&o, CHECKOUT_ORDER_DELIVERED, "bank_transfer");
	/* Line 3: 3 x 3000 = 9000.  One unit back: a third, pro rata. */
	p = co_refund_line(3, 1, 1);
	cr_assert_eq(checkout_order_fill(&o, CHECKOUT_EV_REFUNDED, p), 0);
	cr_expect_eq(cJSON_GetObjectItem(p, "amount")->valuedouble, 3000);
	co_step(&o, CHECKOUT_EV_REFUNDED, p);
	cr_expect_eq(o.refunded, 3000);
	cr_expect_eq(o.lines[2].refunded_qty, 1);
	cr_expect_eq(o.last_credit_note, 1);
	cr_expect_str_eq(checkout_order_payment_status(&o),
	    "partially_refunded");
	cr_expect_eq(o.state, CHECKOUT_ORDER_DELIVERED);
	/* Three more units than are left. */
	p = co_refund_line(3, 3, 2);
	cr_assert_eq(checkout_order_fill(&o, CHECKOUT_EV_REFUNDED, p), 0);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_REFUNDED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "line 3 has 2 left to refund, not 3");
	cJSON_Delete(p);
	/* More money than the line holds. */
	p = co_refund_line(1, 1, 2);
	cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 0), "amount", 901);
	cr_assert_eq(checkout_order_fill(&o, CHECKOUT_EV_REFUNDED, p), 0);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_REFUNDED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect(strstr(reason, "line 1: 900 of it was paid") != NULL, "%s",
	    reason);
	cJSON_Delete(p);
	/* The rest of every line and shipping: the order is refunded. */
	co_step(&o, CHECKOUT_EV_REFUNDED, co_refund_line(3, 2, 2));
	cr_expect_eq(o.lines[2].refunded, 9000);
	co_step(&o, CHECKOUT_EV_REFUNDED, co_refund_line(1, 1, 3));
	co_step(&o, CHECKOUT_EV_REFUNDED, co_refund_line(2, 2, 4));
	cr_expect_eq(o.state, CHECKOUT_ORDER_DELIVERED);
	p = cof_obj_i64("credit_note_number", 5);
	cJSON_AddNumberToObject(p, "shipping", 500);
	co_step(&o, CHECKOUT_EV_REFUNDED, p);
	cr_expect_eq(o.refunded, o.paid);
	cr_expect_eq(o.state, CHECKOUT_ORDER_REFUNDED);
	cr_expect_eq(o.credit_notes, 5);
	cr_expect_str_eq(checkout_order_payment_status(&o), "refunded");
	cr_expect_eq(checkout_order_next(&o), 0);
	checkout_order_cleanup(&o);
}

/*
 * Cash on delivery, half paid: each line holds half of its total, and a
 * refund of a whole line gives back only that half.
 */
Test(checkout_order, per_line_cap_follows_partial_payment)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	co_reach(&o, CHECKOUT_ORDER_APPROVED, "cod");
	co_step(&o, CHECKOUT_EV_PREPARED, cJSON_CreateObject());
	co_step(&o, CHECKOUT_EV_SHIPPED, co_payload(&o, CHECKOUT_EV_SHIPPED));
	co_step(&o, CHECKOUT_EV_DELIVERED, cJSON_CreateObject());
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 7200));
	p = co_refund_line(3, 3, 1);
	cr_assert_eq(checkout_order_fill(&o, CHECKOUT_EV_REFUNDED, p), 0);
	cr_expect_eq(cJSON_GetObjectItem(p, "amount")->valuedouble, 4500);
	co_step(&o, CHECKOUT_EV_REFUNDED, p);
	p = co_refund_line(1, 0, 2);
	cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 0), "amount", 451);
	cr_assert_eq(checkout_order_fill(&o, CHECKOUT_EV_REFUNDED, p), 0);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_REFUNDED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID, "%s", reason);
	cJSON_Delete(p);
	/* Overall: never more than the net paid. */
	p = cof_obj_i64("credit_note_number", 2);
	cJSON_AddNumberToObject(p, "amount", 2701);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_REFUNDED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "the order is delivered with 2700 paid and"
	    " not refunded: a refund of 2701 is too much");
	cJSON_Delete(p);
	checkout_order_cleanup(&o);
}

Test(checkout_order, cancelling_a_paid_order_refunds_it)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	co_reach(&o, CHECKOUT_ORDER_PAID, "test");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "reason", "out of stock");
	cr_assert_eq(checkout_order_fill(&o, CHECKOUT_EV_CANCELLED, p), 0);
	cr_expect_eq(cJSON_GetObjectItem(p, "refund_amount")->valuedouble,
	    14400);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_CANCELLED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "a cancellation that refunds needs a"
	    " credit_note_number");
	cJSON_AddNumberToObject(p, "credit_note_number", 3);
	co_step(&o, CHECKOUT_EV_CANCELLED, p);
	cr_expect_eq(o.state, CHECKOUT_ORDER_CANCELLED);
	cr_expect_eq(o.refunded, 14400);
	cr_expect_str_eq(o.cancel_reason, "out of stock");
	cr_expect_str_eq(checkout_order_payment_status(&o), "refunded");
	checkout_order_cleanup(&o);

	/* Unpaid: nothing to give back, no credit note. */
	co_reach(&o, CHECKOUT_ORDER_CREATED, "test");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "reason", "stock");
	co_step(&o, CHECKOUT_EV_CANCELLED, p);
	cr_expect_eq(o.credit_notes, 0);
	cr_expect_str_eq(checkout_order_payment_status(&o), "unpaid");
	checkout_order_cleanup(&o);
}

Test(checkout_order, created_payload_must_add_up)
{
	struct checkout_order	o;
	char			reason[CHECKOUT_ORDER_REASON_MAX];
	cJSON			*p;

	checkout_order_init(&o, "ord_01JDY3A0B1C2D3E4F5G6H7J8K9");
	p = cof_created(2, "test");
	cJSON_AddNumberToObject(p, "number", 1);
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_CREATED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_OK, "%s", reason);
	cJSON_ReplaceItemInObject(p, "total", cJSON_CreateNumber(1));
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_CREATED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cJSON_Delete(p);
	p = cof_created(2, "test");
	cJSON_AddNumberToObject(p, "number", 1);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 1), "total", cJSON_CreateNumber(1999.5));
	cr_expect_eq(checkout_order_can(&o, CHECKOUT_EV_CREATED, p, reason,
	    sizeof(reason)), CHECKOUT_ORDER_INVALID);
	cr_expect_str_eq(reason, "line 2 needs sku, quantity, unit_price,"
	    " discount, tax and total");
	cJSON_Delete(p);
	checkout_order_cleanup(&o);
}

Test(checkout_order, free_order_is_paid_once_approved)
{
	struct checkout_order	o;
	cJSON			*p;

	checkout_order_init(&o, "ord_01JDY3A0B1C2D3E4F5G6H7J8K9");
	p = cof_created_priced(2, 1, 0, "test");
	/* Price 1 each, then a discount of 1 each: free. */
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 0), "discount", cJSON_CreateNumber(1));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 0), "total", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 1), "discount", cJSON_CreateNumber(1));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 1), "total", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObject(p, "total", cJSON_CreateNumber(0));
	cJSON_AddNumberToObject(p, "number", 9);
	co_step(&o, CHECKOUT_EV_CREATED, p);
	co_step(&o, CHECKOUT_EV_APPROVED, cof_obj_i64("invoice_number", 4));
	cr_expect_eq(o.state, CHECKOUT_ORDER_PAID);
	cr_expect_str_eq(checkout_order_payment_status(&o), "paid");
	cr_expect_eq(checkout_order_next(&o), EVB(CHECKOUT_EV_PREPARED) |
	    EVB(CHECKOUT_EV_CANCELLED));
	checkout_order_cleanup(&o);
}

Test(checkout_order, snapshot_json_round_trip)
{
	struct checkout_order	o, back;
	cJSON			*a, *b;
	char			*ta, *tb;

	co_reach(&o, CHECKOUT_ORDER_SHIPPED, "bank_transfer");
	co_step(&o, CHECKOUT_EV_REFUNDED, co_refund_line(2, 1, 9));
	cr_assert_not_null(a = checkout_order_to_json(&o));
	checkout_order_init(&back, NULL);
	cr_assert_eq(checkout_order_from_json(&back, a), 0);
	cr_assert_not_null(b = checkout_order_to_json(&back));
	ta = cJSON_PrintUnformatted(a);
	tb = cJSON_PrintUnformatted(b);
	cr_expect_str_eq(ta, tb);
	cr_expect_eq(back.state, CHECKOUT_ORDER_SHIPPED);
	cr_expect_eq(back.lines[1].refunded_qty, 1);
	free(ta);
	free(tb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	checkout_order_cleanup(&back);
	checkout_order_cleanup(&o);
}

Test(checkout_order, invoice_html_is_escaped_and_adds_up)
{
	struct checkout_order	o;
	cJSON			*p;
	char			*html;

	checkout_order_init(&o, "ord_01JDY3A0B1C2D3E4F5G6H7J8K9");
	cr_expect_null(checkout_order_invoice_html(&o, "Shop"));
	p = cof_created(2, "bank_transfer");
	cJSON_AddNumberToObject(p, "number", 1042);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p,
	    "lines"), 1), "title", cJSON_CreateString("<script>x</script>"));
	co_step(&o, CHECKOUT_EV_CREATED, p);
	html = checkout_order_invoice_html(&o, "Tom & Jerry's");
	cr_assert_not_null(html);
	cr_expect(strstr(html, "Order confirmation 1042") != NULL);
	free(html);
	co_step(&o, CHECKOUT_EV_APPROVED, cof_obj_i64("invoice_number", 17));
	co_step(&o, CHECKOUT_EV_PAID, cof_obj_i64("amount", 5000));
	cr_assert_not_null(html = checkout_order_invoice_html(&o,
	    "Tom & Jerry's"));
	cr_expect(strstr(html, "<title>Invoice 17</title>") != NULL);
	cr_expect(strstr(html, "Tom &amp; Jerry&#39;s") != NULL);
	cr_expect(strstr(html, "&lt;script&gt;x&lt;/script&gt;") != NULL);
	cr_expect(strstr(html, "<script") == NULL);
	cr_expect(strstr(html, "Ada Lovelace<br>DE<br>") != NULL);
	/* 900 + 4000 + 500 shipping = 54.00; 50.00 paid; 4.00 due. */
	cr_expect(strstr(html, "<th colspan=\"6\">Total</th><td>54.00 EUR")
	    != NULL, "%s", html);
	cr_expect(strstr(html, "Balance due</th><td>4.00 EUR") != NULL);
	cr_expect(strstr(html, "<td>9.00 EUR</td>") != NULL);
	free(html);
	checkout_order_cleanup(&o);
}
