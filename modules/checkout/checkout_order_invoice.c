/*
 * The printable HTML invoice of an order, rendered from its fold alone
 * (so a replayed order prints the same document).  Pure: no Kore, no
 * SQLite; every text that came from a shopper or staff (titles, SKUs,
 * addresses, email) is escaped.  The page carries its own print styles in
 * one <style> element; whoever serves it sets a CSP that allows exactly
 * that style and no script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_id.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

static void	checkout_inv_text(FILE *, const char *);
static void	checkout_inv_money(FILE *, int64_t, const char *);
static void	checkout_inv_address(FILE *, const char *, const cJSON *);
static void	checkout_inv_row(FILE *, const char *, int64_t, const char *);

/* Minor-unit exponent of ISO 4217 codes that do not use 2. */
static const struct {
	const char	*code;
	int		 exp;
} checkout_inv_exp[] = {
	{ "BHD", 3 }, { "BIF", 0 }, { "CLP", 0 }, { "DJF", 0 }, { "GNF", 0 },
	{ "ISK", 0 }, { "IQD", 3 }, { "JOD", 3 }, { "JPY", 0 }, { "KMF", 0 },
	{ "KRW", 0 }, { "KWD", 3 }, { "LYD", 3 }, { "OMR", 3 }, { "PYG", 0 },
	{ "RWF", 0 }, { "TND", 3 }, { "UGX", 0 }, { "VND", 0 }, { "VUV", 0 },
	{ "XAF", 0 }, { "XOF", 0 }, { "XPF", 0 },
};

static void
checkout_inv_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* 123456 EUR -> "1234.56 EUR": integer arithmetic only. */
static void
checkout_inv_money(FILE *f, int64_t v, const char *cur)
{
	int64_t	div;
	size_t	i;
	int	exp = 2;

	for (i = 0; i < sizeof(checkout_inv_exp) / sizeof(checkout_inv_exp[0]);
	    i++)
		if (strcmp(cur, checkout_inv_exp[i].code) == 0)
			exp = checkout_inv_exp[i].exp;
	div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
	if (v < 0) {
		fputc('-', f);
		v = -v;
	}
	if (exp == 0)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%lld.%0*lld", (long long)(v / div), exp,
		    (long long)(v % div));
	fputc(' ', f);
	checkout_inv_text(f, cur);
}

/* Every string field of the address, one per line, in stored order. */
static void
checkout_inv_address(FILE *f, const char *title, const cJSON *a)
{
	const cJSON	*it;

	fputs("<div class=\"addr\"><h2>", f);
	checkout_inv_text(f, title);
	fputs("</h2>", f);
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
			continue;
		checkout_inv_text(f, it->valuestring);
		fputs("<br>", f);
	}
	fputs("</div>\n", f);
}

static void
checkout_inv_row(FILE *f, const char *label, int64_t v, const char *cur)
{
	fputs("<tr><th colspan=\"6\">", f);
	checkout_inv_text(f, label);
	fputs("</th><td>", f);
	checkout_inv_money(f, v, cur);
	fputs("</td></tr>\n", f);
}

char *
checkout_order_invoice_html(const struct checkout_order *o,
    const char *shop_name)
{
	const struct checkout_order_line	*l;
	const struct checkout_pay_provider	*pp;
	FILE					*f;
	char					*buf = NULL, date[32];
	size_t					 len = 0;
	int					 i;

	if (o->state == CHECKOUT_ORDER_NONE ||
	    (f = open_memstream(&buf, &len)) == NULL)
		return (NULL);
	core_time_rfc3339(date, sizeof(date), o->created_at);
	date[10] = '\0';
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>", f);
	fprintf(f, "%s %lld", o->invoice_number > 0 ? "Invoice" :
	    "Order confirmation", (long long)(o->invoice_number > 0 ?
	    o->invoice_number : o->number));
	fputs("</title>\n<style>body{font:14px/1.4 sans-serif;margin:2em}"
	    "table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;"
	    "border-bottom:1px solid #ccc;text-align:left}td:last-child,"
	    "th[colspan]{text-align:right}.addr{display:inline-block;"
	    "vertical-align:top;width:45%}@media print{body{margin:0}}"
	    "</style></head><body>\n<h1>", f);
	checkout_inv_text(f, shop_name);
	fputs("</h1>\n<p>", f);
	if (o->invoice_number > 0)
		fprintf(f, "Invoice <strong>%lld</strong> &middot; ",
		    (long long)o->invoice_number);
	fprintf(f, "Order <strong>%lld</strong> &middot; %s &middot; ",
	    (long long)o->number, date);
	checkout_inv_text(f, o->email);
	fputs("</p>\n", f);
	checkout_inv_address(f, "Billing address", o->billing_address != NULL ?
	    o->billing_address : o->shipping_address);
	checkout_inv_address(f, "Shipping address", o->shipping_address);
	fputs("<table><thead><tr><th>SKU</th><th>Item</th><th>Qty</th>"
	    "<th>Unit price</th><th>Discount</th><th>Tax</th><th>Total</th>"
	    "</tr></thead><tbody>\n", f);
	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		fputs("<tr><td>", f);
		checkout_inv_text(f, l->sku);
		fputs("</td><td>", f);
		checkout_inv_text(f, l->title);
		fprintf(f, "</td><td>%lld</td><td>", (long long)l->quantity);
		checkout_inv_money(f, l->unit_price, o->currency);
		fputs("</td><td>", f);
		checkout_inv_money(f, l->discount, o->currency);
		fputs("</td><td>", f);
		checkout_inv_money(f, l->tax, o->currency);
		fputs("</td><td>", f);
		checkout_inv_money(f, l->total, o->currency);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody><tfoot>\n", f);
	checkout_inv_row(f, "Subtotal", o->subtotal, o->currency);
	if (o->discount > 0)
		checkout_inv_row(f, "Discount", -o->discount, o->currency);
	checkout_inv_row(f, "Shipping", o->shipping, o->currency);
	checkout_inv_row(f, o->prices_include_tax ? "Tax included" : "Tax",
	    o->tax, o->currency);
	checkout_inv_row(f, "Total", o->total, o->currency);
	checkout_inv_row(f, "Paid", o->paid, o->currency);
	if (o->refunded > 0)
		checkout_inv_row(f, "Refunded", o->refunded, o->currency);
	if (o->state != CHECKOUT_ORDER_CANCELLED)
		checkout_inv_row(f, "Balance due", o->total - o->paid,
		    o->currency);
	fputs("</tfoot></table>\n<p>Payment: ", f);
	pp = checkout_pay_provider_get(o->payment_method);
	checkout_inv_text(f, pp != NULL ? pp->title : o->payment_method);
	fputs(" &middot; Shipping: ", f);
	checkout_inv_text(f, o->shipping_method_name[0] != '\0' ?
	    o->shipping_method_name : o->shipping_method);
	fprintf(f, " &middot; Status: %s</p>\n</body></html>\n",
	    checkout_order_state_name(o->state));
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return (NULL);
	}
	if (fclose(f) != 0) {
		free(buf);
		return (NULL);
	}
	return (buf);
}
