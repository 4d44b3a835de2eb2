/*
 * The seller an invoice names (GET and PUT /invoice-settings, staff): the
 * shop's name, its address in a few lines, an optional VAT or tax id and
 * an optional footer note such as bank details or payment terms.  One row
 * of checkout.db (migration 0008), versioned with ETag / If-Match like
 * pricing's settings.  Text is cleaned before it is checked or stored:
 * control characters are dropped (a newline survives only where lines are
 * allowed), blanks at the ends of lines go, so what staff see in the form
 * is what the invoice prints.
 *
 * And the invoice itself: staff print any order's, a signed-in customer
 * only their own (another customer's order, a guest order or an unknown
 * id are the same 404, so the answer never confirms that an order
 * exists).  The page is rendered by checkout_order_invoice.c from the
 * order's fold and the seller its approval carried (the settings when the
 * invoice number was issued); an order not yet invoiced shows them as now.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"

#define CHECKOUT_INV_IFM	(CORE_HTTP_IFM_REQUIRED | CORE_HTTP_IFM_ANY)

static size_t	checkout_inv_clean(char *, size_t, const char *, int);
static size_t	checkout_inv_chars(const char *);
static void	checkout_inv_field(const cJSON *, const char *, size_t,
		    size_t, char *, size_t, int *, cJSON **);
static cJSON	*checkout_inv_json(sqlite3 *, int64_t *);
static int	checkout_inv_seller_load(sqlite3 *,
		    struct checkout_invoice_seller *);

/*
 * Copies in to out (outlen >= strlen(in) + 1) without control characters:
 * C0 (a tab becomes a space; a newline stays when multiline, else becomes
 * a space; a CR goes), DEL and C1 (U+0080-U+009F, two bytes in UTF-8).
 * Blanks at the start and end of each line and blank lines at either end
 * go too.  in is valid UTF-8 (core_json_get_str checked it).  Returns
 * the length of out.
 */
static size_t
checkout_inv_clean(char *out, size_t outlen, const char *in, int multiline)
{
	const unsigned char	*p;
	unsigned char		 c;
	size_t			 n;

	n = 0;
	for (p = (const unsigned char *)in; *p != '\0' && n + 1 < outlen;
	    p++) {
		c = *p;
		if (c == '\n' && multiline) {
			while (n > 0 && out[n - 1] == ' ')
				n--;
			if (n > 0)
				out[n++] = '\n';
			continue;
		}
		if (c == '\t' || c == '\n')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			continue;
		else if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++;
			continue;
		}
		if (c == ' ' && (n == 0 || out[n - 1] == '\n' ||
		    out[n - 1] == ' '))
			continue;
		out[n++] = (char)c;
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\n'))
		n--;
	out[n] = '\0';
	return (n);
}

/* Characters (code points) of the UTF-8 text s. */
static size_t
checkout_inv_chars(const char *s)
{
	size_t	n;

	for (n = 0; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
}

/*
 * Member key of body, cleaned into out, at most max characters in at most
 * maxlines lines (0: one line, a newline becomes a space).  *set = 1 when
 * the member was sent as a string; null or absent leave *set 0.  A wrong
 * value adds a field error to *errors.
 */
static void
checkout_inv_field(const cJSON *body, const char *key, size_t max,
    size_t maxlines, char *out, size_t outlen, int *set, cJSON **errors)
{
	const char	*v;
	char		 msg[96];
	size_t		 lines;
	int		 rc;

	*set = 0;
	snprintf(msg, sizeof(msg), "must be text of at most %zu characters",
	    max);
	if ((rc = core_json_get_str(body, key, outlen - 1, &v)) ==
	    CORE_JSON_MISSING)
		return;
	if (rc == CORE_JSON_WRONG) {
		core_http_field_error(errors, key, msg);
		return;
	}
	checkout_inv_clean(out, outlen, v, maxlines > 0);
	if (checkout_inv_chars(out) > max) {
		core_http_field_error(errors, key, msg);
		return;
	}
	if (maxlines > 0) {
		for (lines = 1, v = out; *v != '\0'; v++)
			lines += *v == '\n';
		if (lines > maxlines) {
			snprintf(msg, sizeof(msg), "must have at most %zu lines",
			    maxlines);
			core_http_field_error(errors, key, msg);
			return;
		}
	}
	*set = 1;
}

/* The settings as API JSON; *version gets the row's.  NULL on error. */
static cJSON *
checkout_inv_json(sqlite3 *db, int64_t *version)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_stmt(db, "SELECT seller_name, seller_address,"
	    " vat_id, footer, version, updated_at FROM invoice_settings"
	    " WHERE id = 1")) == NULL)
		return (NULL);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		core_db_err(db, "read invoice settings");
		return (NULL);
	}
	o = cJSON_CreateObject();
	core_db_add_text(o, "seller_name", st, 0);
	core_db_add_text(o, "seller_address", st, 1);
	core_db_add_text(o, "vat_id", st, 2);
	core_db_add_text(o, "footer", st, 3);
	*version = sqlite3_column_int64(st, 4);
	cJSON_AddNumberToObject(o, "version", (double)*version);
	core_db_add_time(o, "updated_at", st, 5);
	sqlite3_reset(st);
	return (o);
}

/* GET /invoice-settings (staff) */
int
checkout_invoice_settings_get(struct core_req *r)
{
	cJSON	*o;
	int64_t	 version;

	if ((o = checkout_inv_json(core_db_get("checkout"), &version)) == NULL)
		return (checkout_internal(r));
	core_http_etag(r, version);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * PUT /invoice-settings {"seller_name"?, "seller_address"?, "vat_id"?,
 * "footer"?} (staff), If-Match required ("*" allowed): members sent
 * replace the stored ones, "" clears an optional one; left out (or null)
 * keeps it.  The seller's name cannot be empty.  A VAT id is letters,
 * digits, spaces, dots, hyphens and slashes, as tax ids are written.
 * Nothing that differs: the same version.
 */
int
checkout_invoice_settings_put(struct core_req *r)
{
	struct checkout_invoice_seller	 s;
	sqlite3				*db;
	sqlite3_stmt			*st;
	cJSON				*errors, *o;
	int64_t				 version;
	int				 has[4], changed;
	size_t				 i;

	errors = NULL;
	memset(&s, 0, sizeof(s));
	memset(has, 0, sizeof(has));
	if (!cJSON_IsObject(r->body)) {
		core_http_field_error(&errors, "body", "must be a JSON object");
	} else {
		checkout_inv_field(r->body, "seller_name",
		    CHECKOUT_INV_NAME_MAX, 0, s.name, sizeof(s.name), &has[0],
		    &errors);
		if (has[0] && s.name[0] == '\0')
			core_http_field_error(&errors, "seller_name",
			    "must not be empty: the invoice names the seller");
		checkout_inv_field(r->body, "seller_address",
		    CHECKOUT_INV_ADDRESS_MAX, CHECKOUT_INV_ADDRESS_LINES,
		    s.address, sizeof(s.address), &has[1], &errors);
		checkout_inv_field(r->body, "vat_id", CHECKOUT_INV_VAT_MAX, 0,
		    s.vat_id, sizeof(s.vat_id), &has[2], &errors);
		for (i = 0; has[2] && s.vat_id[i] != '\0'; i++)
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			    "qrstuvwxyz0123456789 .-/", s.vat_id[i]) == NULL) {
				core_http_field_error(&errors, "vat_id",
				    "must be letters, digits, spaces, dots,"
				    " hyphens or slashes");
				break;
			}
		checkout_inv_field(r->body, "footer", CHECKOUT_INV_FOOTER_MAX,
		    CHECKOUT_INV_FOOTER_LINES, s.footer, sizeof(s.footer),
		    &has[3], &errors);
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	version = core_db_scalar(db, "SELECT version FROM invoice_settings"
	    " WHERE id = 1", NULL, 0);
	if (core_http_if_match(r, version, CHECKOUT_INV_IFM,
	    "invoice settings") == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "UPDATE invoice_settings SET"
	    " seller_name = coalesce(?1, seller_name),"
	    " seller_address = coalesce(?2, seller_address),"
	    " vat_id = coalesce(?3, vat_id), footer = coalesce(?4, footer),"
	    " version = version + 1, updated_at = ?5 WHERE id = 1 AND"
	    " (seller_name IS NOT coalesce(?1, seller_name) OR"
	    " seller_address IS NOT coalesce(?2, seller_address) OR"
	    " vat_id IS NOT coalesce(?3, vat_id) OR"
	    " footer IS NOT coalesce(?4, footer))")) == NULL)
		goto fail;
	if (has[0])
		sqlite3_bind_text(st, 1, s.name, -1, SQLITE_STATIC);
	if (has[1])
		sqlite3_bind_text(st, 2, s.address, -1, SQLITE_STATIC);
	if (has[2])
		sqlite3_bind_text(st, 3, s.vat_id, -1, SQLITE_STATIC);
	if (has[3])
		sqlite3_bind_text(st, 4, s.footer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "update invoice settings");
		goto fail;
	}
	changed = sqlite3_changes(db);
	if (!changed)
		core_db_rollback(db);
	else if (core_db_commit(db) == -1)
		goto fail;
	if ((o = checkout_inv_json(db, &version)) == NULL)
		return (checkout_internal(r));
	core_http_etag(r, version);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	return (checkout_internal(r));
}

/* The stored seller into s (issued_at 0).  0, or -1 (logged). */
static int
checkout_inv_seller_load(sqlite3 *db, struct checkout_invoice_seller *s)
{
	sqlite3_stmt	*st;
	const char	*v;

	memset(s, 0, sizeof(*s));
	if ((st = core_db_stmt(db, "SELECT seller_name, seller_address,"
	    " vat_id, footer FROM invoice_settings WHERE id = 1")) == NULL)
		return (-1);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_db_err(db, "read invoice settings"));
	}
	if ((v = (const char *)sqlite3_column_text(st, 0)) != NULL)
		snprintf(s->name, sizeof(s->name), "%s", v);
	if ((v = (const char *)sqlite3_column_text(st, 1)) != NULL)
		snprintf(s->address, sizeof(s->address), "%s", v);
	if ((v = (const char *)sqlite3_column_text(st, 2)) != NULL)
		snprintf(s->vat_id, sizeof(s->vat_id), "%s", v);
	if ((v = (const char *)sqlite3_column_text(st, 3)) != NULL)
		snprintf(s->footer, sizeof(s->footer), "%s", v);
	sqlite3_reset(st);
	return (0);
}

/*
 * The seller as set now, as the "seller" member of p: the approval that
 * issues the invoice number carries it, so an invoice shows who issued
 * it even after the settings change.  Returns 0 or -1.
 */
int
checkout_invoice_seller_add(sqlite3 *db, cJSON *p)
{
	struct checkout_invoice_seller	 s;
	cJSON				*o;

	if (checkout_inv_seller_load(db, &s) == -1)
		return (-1);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "seller");
	if ((o = cJSON_AddObjectToObject(p, "seller")) == NULL ||
	    cJSON_AddStringToObject(o, "name", s.name) == NULL ||
	    cJSON_AddStringToObject(o, "address", s.address) == NULL ||
	    cJSON_AddStringToObject(o, "vat_id", s.vat_id) == NULL ||
	    cJSON_AddStringToObject(o, "footer", s.footer) == NULL)
		return (-1);
	return (0);
}

/*
 * The seller an issued invoice carries (its approval's "seller"), over
 * what s holds; and the approval's time as the invoice date.  Orders
 * approved before sellers were kept show the settings as now.
 */
static int
checkout_inv_seller_issued(sqlite3 *db, const char *order,
    struct checkout_invoice_seller *s)
{
	sqlite3_stmt	*st;
	const char	*v;
	cJSON		*p, *o;
	size_t		 i;
	static const struct {
		const char	*key;
		size_t		 off, len;
	} f[] = {
		{ "name", offsetof(struct checkout_invoice_seller, name),
		    sizeof(s->name) },
		{ "address", offsetof(struct checkout_invoice_seller, address),
		    sizeof(s->address) },
		{ "vat_id", offsetof(struct checkout_invoice_seller, vat_id),
		    sizeof(s->vat_id) },
		{ "footer", offsetof(struct checkout_invoice_seller, footer),
		    sizeof(s->footer) },
	};

	if ((st = core_db_stmt(db, "SELECT at, payload FROM order_events"
	    " WHERE order_id = ? AND type = 'approved' ORDER BY seq"
	    " LIMIT 1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (0);
	}
	s->issued_at = sqlite3_column_int64(st, 0);
	p = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	o = cJSON_GetObjectItemCaseSensitive(p, "seller");
	for (i = 0; cJSON_IsObject(o) && i < sizeof(f) / sizeof(f[0]); i++)
		if ((v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o,
		    f[i].key))) != NULL)
			snprintf((char *)s + f[i].off, f[i].len, "%s", v);
	cJSON_Delete(p);
	return (0);
}

/*
 * GET .../orders/{id}/invoice: the printable HTML of order r->params[0]
 * with, for an invoice, the seller and the date of its approval (for an
 * order confirmation, the seller as now set).  customer, when not NULL, must have placed the order
 * (a guest order has no customer): anything else is the 404 an unknown id
 * gets.  The CSP allows nothing but the page's one <style>.
 */
int
checkout_invoice_answer(struct core_req *r, const char *customer)
{
	struct checkout_invoice_seller	 s;
	struct checkout_order		 o;
	sqlite3				*db;
	char				*html;
	int				 rc;

	db = core_db_get("checkout");
	if ((rc = checkout_order_load(db, r->params[0], 1, &o)) == -1)
		return (checkout_internal(r));
	if (rc == 1)
		return (checkout_not_found(r, "not-found", "no such order"));
	if (customer != NULL && (customer[0] == '\0' ||
	    strcmp(o.customer_id, customer) != 0)) {
		checkout_order_cleanup(&o);
		return (checkout_not_found(r, "not-found", "no such order"));
	}
	if (checkout_inv_seller_load(db, &s) == -1) {
		checkout_order_cleanup(&o);
		return (checkout_internal(r));
	}
	if (o.invoice_number > 0 &&
	    checkout_inv_seller_issued(db, r->params[0], &s) == -1) {
		checkout_order_cleanup(&o);
		return (checkout_internal(r));
	}
	html = checkout_order_invoice_doc(&o, &s);
	checkout_order_cleanup(&o);
	if (html == NULL)
		return (checkout_internal(r));
	http_response_header(r->http, "content-type",
	    "text/html; charset=utf-8");
	http_response_header(r->http, "cache-control", "no-store");
	http_response_header(r->http, "content-security-policy",
	    "default-src 'none'; style-src 'unsafe-inline'");
	http_response(r->http, 200, html, strlen(html));
	free(html);
	return (KORE_RESULT_OK);
}

/* GET /me/orders/{id}/invoice (customer): only the customer's own. */
int
checkout_my_order_invoice(struct core_req *r)
{
	return (checkout_invoice_answer(r, r->who.sub));
}

/*
 * The demo shop's seller: a made-up company in Berlin with a VAT id of
 * the right shape and the well-known example IBAN, so a demo invoice
 * looks like one.  A shop started without demo data keeps "My shop".
 */
int
checkout_invoice_settings_seed(sqlite3 *db)
{
	return (core_db_exec(db, "UPDATE invoice_settings SET"
	    " seller_name = 'Mercato Demo Store GmbH',"
	    " seller_address = 'Musterstraße 12' || char(10) ||"
	    " '10115 Berlin' || char(10) || 'Germany',"
	    " vat_id = 'DE123456789',"
	    " footer = 'Payable within 14 days by bank transfer to Demo Bank,"
	    " IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX, with the"
	    " order number as the reference.' || char(10) ||"
	    " 'This is a demo shop: its orders and invoices are examples.'"
	    " WHERE id = 1"));
}
