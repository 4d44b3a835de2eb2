/*
 * The printable HTML invoice of an order, rendered from its fold and the
 * seller's details (checkout_invoice_settings.c), so a replayed order
 * prints the same document.  Pure: no Kore, no SQLite; every text that
 * came from a shopper or staff (seller, titles, SKUs, addresses, email,
 * the footer note) is escaped.  Only an order with an invoice number (it
 * gets one when it is approved: stock reserved) is headed "Invoice";
 * before that, or when it was cancelled first, the same page is an
 * "Order confirmation" that says it is not an invoice.  The page carries
 * its own A4 print styles in one <style> element; whoever serves it sets
 * a CSP that allows exactly that style and no script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_id.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

static void	checkout_inv_text(FILE *, const char *);
static void	checkout_inv_lines(FILE *, const char *);
static void	checkout_inv_head(FILE *, const struct checkout_order *,
		    const struct checkout_invoice_seller *);
static void	checkout_inv_meta(FILE *, const char *, const char *);
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

	fputs("<div class=\"addr\"><h3>", f);
	checkout_inv_text(f, title);
	fputs("</h3>", f);
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

/* Text of several lines ('\n' between them), escaped, <br> between. */
static void
checkout_inv_lines(FILE *f, const char *s)
{
	char	one[2];

	one[1] = '\0';
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\n') {
			fputs("<br>", f);
			continue;
		}
		one[0] = *s;
		checkout_inv_text(f, one);
	}
}

/* One "label: value" row of the document's number block. */
static void
checkout_inv_meta(FILE *f, const char *label, const char *value)
{
	fputs("<tr><th>", f);
	checkout_inv_text(f, label);
	fputs("</th><td>", f);
	checkout_inv_text(f, value);
	fputs("</td></tr>", f);
}

/*
 * The head of the page: the seller (name, address, VAT id) on the left,
 * the document's kind and numbers on the right.
 */
static void
checkout_inv_head(FILE *f, const struct checkout_order *o,
    const struct checkout_invoice_seller *s)
{
	char	num[32], date[32];

	fputs("<header><div class=\"seller\"><h1>", f);
	checkout_inv_text(f, s->name);
	fputs("</h1>", f);
	if (s->address[0] != '\0') {
		fputs("<p>", f);
		checkout_inv_lines(f, s->address);
		fputs("</p>", f);
	}
	if (s->vat_id[0] != '\0') {
		fputs("<p>VAT ID: <span class=\"vat\">", f);
		checkout_inv_text(f, s->vat_id);
		fputs("</span></p>", f);
	}
	fprintf(f, "</div>\n<div class=\"doc\"><h2>%s</h2><table>",
	    o->invoice_number > 0 ? "Invoice" : "Order confirmation");
	if (o->invoice_number > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)o->invoice_number);
		checkout_inv_meta(f, "Invoice number", num);
		core_time_rfc3339(date, sizeof(date), s->issued_at > 0 ?
		    s->issued_at : o->created_at);
		date[10] = '\0';
		checkout_inv_meta(f, "Invoice date", date);
	}
	snprintf(num, sizeof(num), "%lld", (long long)o->number);
	checkout_inv_meta(f, "Order number", num);
	core_time_rfc3339(date, sizeof(date), o->created_at);
	date[10] = '\0';
	checkout_inv_meta(f, "Order date", date);
	fputs("</table></div></header>\n", f);
}

char *
checkout_order_invoice_doc(const struct checkout_order *o,
    const struct checkout_invoice_seller *s)
{
	const struct checkout_order_line	*l;
	const struct checkout_pay_provider	*pp;
	FILE					*f;
	char					*buf = NULL;
	size_t					 len = 0;
	int					 i;

	if (o->state == CHECKOUT_ORDER_NONE ||
	    (f = open_memstream(&buf, &len)) == NULL)
		return (NULL);
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>", f);
	fprintf(f, "%s %lld", o->invoice_number > 0 ? "Invoice" :
	    "Order confirmation", (long long)(o->invoice_number > 0 ?
	    o->invoice_number : o->number));
	fputs("</title>\n<style>@page{size:A4;margin:16mm}"
	    "body{font:13px/1.45 sans-serif;color:#111;max-width:180mm;"
	    "margin:2em auto;padding:0 1em}"
	    "header{display:flex;justify-content:space-between;gap:2em;"
	    "margin-bottom:2em}h1{font-size:20px;margin:0 0 .4em}"
	    "h2{font-size:20px;margin:0 0 .4em;text-align:right}"
	    "h3{font-size:13px;margin:0 0 .3em;text-transform:uppercase;"
	    "color:#555}header p{margin:0 0 .4em}"
	    ".doc table{margin-left:auto}.doc th{text-align:left;"
	    "font-weight:normal;color:#555;padding:1px 1em 1px 0}"
	    ".doc td{text-align:right;padding:1px 0}"
	    "table.lines{border-collapse:collapse;width:100%;margin:1.5em 0}"
	    ".lines th,.lines td{padding:4px 8px;border-bottom:1px solid #ccc;"
	    "text-align:left}.lines td:last-child,.lines th[colspan],"
	    ".lines thead th:nth-child(n+3),.lines tbody td:nth-child(n+3)"
	    "{text-align:right}.lines tfoot th{font-weight:normal}"
	    ".addr{display:inline-block;vertical-align:top;width:45%}"
	    ".note{color:#555}footer{margin-top:2em;padding-top:.6em;"
	    "border-top:1px solid #ccc;font-size:12px;color:#333}"
	    "@media print{body{margin:0;max-width:none;padding:0}}"
	    "</style></head><body>\n", f);
	checkout_inv_head(f, o, s);
	checkout_inv_address(f, "Bill to", o->billing_address != NULL ?
	    o->billing_address : o->shipping_address);
	checkout_inv_address(f, "Ship to", o->shipping_address);
	fputs("<p>Customer email: ", f);
	checkout_inv_text(f, o->email);
	fputs("</p>\n<table class=\"lines\"><thead><tr><th>SKU</th>"
	    "<th>Item</th><th>Qty</th><th>Unit price</th><th>Discount</th>"
	    "<th>Tax</th><th>Total</th></tr></thead><tbody>\n", f);
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
	fprintf(f, " &middot; Status: %s</p>\n",
	    checkout_order_state_name(o->state));
	if (o->invoice_number == 0)
		fputs(o->state == CHECKOUT_ORDER_CANCELLED ?
		    "<p class=\"note\">This is not an invoice: the order was"
		    " cancelled before it was accepted.</p>\n" :
		    "<p class=\"note\">This is an order confirmation, not an"
		    " invoice: the invoice is issued once the order is"
		    " accepted.</p>\n", f);
	if (s->footer[0] != '\0') {
		fputs("<footer>", f);
		checkout_inv_lines(f, s->footer);
		fputs("</footer>\n", f);
	}
	fputs("</body></html>\n", f);
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

/* The invoice with only a seller's name (no address, VAT id or footer). */
char *
checkout_order_invoice_html(const struct checkout_order *o,
    const char *shop_name)
{
	struct checkout_invoice_seller	s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", shop_name);
	return (checkout_order_invoice_doc(o, &s));
}
