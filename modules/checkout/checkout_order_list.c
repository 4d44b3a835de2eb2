/*
 * Queries on the orders list view: the admin list (status, payment
 * status, date range, an order number or an email) and a customer's "my
 * orders", newest first, paged by order number.  The number is the cursor
 * because it is gap-free, unique and follows creation, and it survives a
 * rebuild of the view unchanged (a rowid would not).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/checkout/checkout_order.h"

static const char checkout_list_cols[] =
    "SELECT id, number, customer_id, email, status, payment_status,"
    " payment_method, shipping_method, currency, subtotal, discount,"
    " shipping, tax, total, paid, refunded, line_count, item_count,"
    " invoice_number, seq, created_at, updated_at FROM orders WHERE 1";

static cJSON	*checkout_list_row(sqlite3_stmt *);
static const char *checkout_list_queue(const char *);
static void	 checkout_list_bind_text(sqlite3_stmt *, const char *,
		    const char *);
static void	 checkout_list_bind_i64(sqlite3_stmt *, const char *,
		    int64_t);

static void
checkout_list_bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int	i;

	if ((i = sqlite3_bind_parameter_index(st, name)) > 0)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
checkout_list_bind_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
	int	i;

	if ((i = sqlite3_bind_parameter_index(st, name)) > 0)
		sqlite3_bind_int64(st, i, v);
}

/*
 * The WHERE clause depends on which filters are set, so the statement is
 * prepared per call rather than cached: at most 2^6 shapes, and an admin
 * list is not a hot path.  Each shape keeps its filters indexable (no
 * "?1 IS NULL OR ..." that would defeat the planner).
 */
/*
 * The dashboard's two queues (checkout_stats.c counts them the same way):
 * to fulfil = what staff may prepare or ship now (paid or prepared, or
 * approved cash on delivery, which ships before it is paid); unpaid =
 * past approval, not cancelled, and less paid than the total.
 */
static const char *
checkout_list_queue(const char *queue)
{
	if (queue == NULL)
		return ("");
	if (strcmp(queue, "to_fulfil") == 0)
		return (" AND (status IN ('paid', 'prepared') OR"
		    " (status = 'approved' AND payment_method = 'cod'))");
	return (" AND status IN ('approved', 'paid', 'prepared', 'shipped',"
	    " 'delivered') AND paid < total");
}

int
checkout_order_list(sqlite3 *db, const struct checkout_order_filter *f,
    cJSON **data, int64_t *next)
{
	sqlite3_stmt	*st = NULL;
	cJSON		*arr, *row;
	char		 sql[1024];
	const char	*q = f->q;
	int64_t		 number = 0, last = 0;
	int		 n = 0, rc, limit, digits;
	size_t		 i;

	*data = NULL;
	*next = 0;
	limit = f->limit > 0 ? f->limit : 50;
	digits = q != NULL && q[0] != '\0' && strlen(q) <= 15;
	for (i = 0; digits && q[i] != '\0'; i++)
		if (!isdigit((unsigned char)q[i]))
			digits = 0;
	if (digits)
		number = strtoll(q, NULL, 10);
	(void)snprintf(sql, sizeof(sql), "%s%s%s%s%s%s%s%s%s"
	    " ORDER BY number DESC LIMIT :limit", checkout_list_cols,
	    f->status != NULL ? " AND status = :status" : "",
	    checkout_list_queue(f->queue),
	    f->payment_status != NULL ?
	    " AND payment_status = :payment" : "",
	    f->from_ms > 0 ? " AND created_at >= :from" : "",
	    f->to_ms > 0 ? " AND created_at < :to" : "",
	    q == NULL || q[0] == '\0' ? "" : digits ?
	    " AND number = :number" : " AND email = :email COLLATE NOCASE",
	    f->customer_id != NULL ? " AND customer_id = :customer" : "",
	    f->after > 0 ? " AND number < :after" : "");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return (core_db_err(db, "order list"));
	checkout_list_bind_text(st, ":status", f->status);
	checkout_list_bind_text(st, ":payment", f->payment_status);
	checkout_list_bind_i64(st, ":from", f->from_ms);
	checkout_list_bind_i64(st, ":to", f->to_ms);
	checkout_list_bind_i64(st, ":number", number);
	checkout_list_bind_text(st, ":email", q);
	checkout_list_bind_text(st, ":customer", f->customer_id);
	checkout_list_bind_i64(st, ":after", f->after);
	/* One more than asked: whether there is a next page. */
	checkout_list_bind_i64(st, ":limit", limit + 1);
	if ((arr = cJSON_CreateArray()) == NULL) {
		sqlite3_finalize(st);
		return (-1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		if ((row = checkout_list_row(st)) == NULL ||
		    !cJSON_AddItemToArray(arr, row)) {
			cJSON_Delete(row);
			rc = SQLITE_NOMEM;
			break;
		}
		last = sqlite3_column_int64(st, 1);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		if (rc != SQLITE_NOMEM)
			core_db_err(db, "order list");
		sqlite3_finalize(st);
		cJSON_Delete(arr);
		*next = 0;
		return (-1);
	}
	sqlite3_finalize(st);
	*data = arr;
	return (0);
}

/* One list row as the API shows it (times in RFC 3339). */
static cJSON *
checkout_list_row(sqlite3_stmt *st)
{
	static const char *const text[] = { "id", NULL, "customer_id",
	    "email", "status", "payment_status", "payment_method",
	    "shipping_method", "currency" };
	static const char *const nums[] = { "subtotal", "discount", "shipping",
	    "tax", "total", "paid", "refunded", "line_count", "item_count",
	    "invoice_number", "version" };
	cJSON	*j;
	char	 at[32];
	size_t	 i;
	int	 c, bad = 0;

	if ((j = cJSON_CreateObject()) == NULL)
		return (NULL);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		if (text[i] == NULL) {
			bad |= cJSON_AddNumberToObject(j, "number",
			    (double)sqlite3_column_int64(st, 1)) == NULL;
			continue;
		}
		bad |= (sqlite3_column_type(st, i) == SQLITE_NULL ?
		    cJSON_AddNullToObject(j, text[i]) :
		    cJSON_AddStringToObject(j, text[i], (const char *)
		    sqlite3_column_text(st, i))) == NULL;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		c = 9 + (int)i;
		bad |= (sqlite3_column_type(st, c) == SQLITE_NULL ?
		    cJSON_AddNullToObject(j, nums[i]) :
		    cJSON_AddNumberToObject(j, nums[i],
		    (double)sqlite3_column_int64(st, c))) == NULL;
	}
	core_time_rfc3339(at, sizeof(at), sqlite3_column_int64(st, 20));
	bad |= cJSON_AddStringToObject(j, "created_at", at) == NULL;
	core_time_rfc3339(at, sizeof(at), sqlite3_column_int64(st, 21));
	bad |= cJSON_AddStringToObject(j, "updated_at", at) == NULL;
	if (bad) {
		cJSON_Delete(j);
		return (NULL);
	}
	return (j);
}
