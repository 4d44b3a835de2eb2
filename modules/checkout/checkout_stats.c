/*
 * GET /api/v1/checkout/stats (staff): the admin dashboard's sales figures
 * from the orders list view, never from the events.  Besides the shop's
 * currency (the one settings row), two queries, each reading only an
 * index of migration 0006 named with INDEXED BY, so a schema that lost
 * the index fails to prepare instead of quietly scanning the table:
 *
 * - sales per UTC day over the last `days` days (7..90, default 30, today
 *   included), zero-filled, oldest first: the orders placed that day in
 *   the shop's currency that are not cancelled, and their revenue, the
 *   sum of total - refunded (refunds are subtracted from the day the
 *   order was placed, so a day's figure can fall later; a fully refunded
 *   order still counts as an order, with 0).  An order still "created"
 *   (waiting for catalog's stock answer) counts: it was placed.  Orders
 *   in another currency (placed before the shop changed it) are left out
 *   rather than added up in the wrong unit.
 * - the backlog: to_fulfil = orders staff may prepare or ship now (paid
 *   or prepared, or approved with cash on delivery, which ships before
 *   it is paid); unpaid = orders past approval, not cancelled or
 *   refunded, with paid < total (bank transfers waiting, cash on delivery
 *   not yet collected).  A prepared cash-on-delivery order is in both.
 *   Each comes with its count per status, so the admin UI can link every
 *   part to the orders list's status filter.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/checkout/checkout_int.h"

#define CHECKOUT_STATS_DAYS_MIN	7
#define CHECKOUT_STATS_DAYS_MAX	90
#define CHECKOUT_STATS_DAYS	30
#define CHECKOUT_DAY_MS		86400000LL

struct checkout_stats_day {
	int64_t		orders;
	int64_t		revenue;
};

static int	checkout_stats_days_arg(struct core_req *, int *days);
static int	checkout_stats_sales(sqlite3 *, const char *currency,
		    int64_t first, int days, struct checkout_stats_day *);
static cJSON	*checkout_stats_backlog(sqlite3 *, cJSON *out);
static cJSON	*checkout_stats_render(const char *currency, int64_t first,
		    int days, const struct checkout_stats_day *);

/* ?days= into *days; answers 400 and returns -1 when it is not 7..90. */
static int
checkout_stats_days_arg(struct core_req *r, int *days)
{
	cJSON		*errors = NULL;
	char		 buf[16];
	long long	 v;
	int		 ok, rc;

	*days = CHECKOUT_STATS_DAYS;
	if ((rc = core_http_query(r, "days", buf, sizeof(buf))) == 0)
		return (0);
	if (rc == 1) {
		v = kore_strtonum(buf, 10, CHECKOUT_STATS_DAYS_MIN,
		    CHECKOUT_STATS_DAYS_MAX, &ok);
		if (ok == KORE_RESULT_OK) {
			*days = (int)v;
			return (0);
		}
	}
	core_http_field_error(&errors, "days",
	    "must be a whole number from 7 to 90");
	core_http_bad_query(r, "stats", errors);
	return (-1);
}

/*
 * Fills d[0 .. days-1] (zeroed by the caller) for the UTC days first ..
 * first + days - 1 (days since the epoch).  Returns 0 or -1 (logged).
 */
static int
checkout_stats_sales(sqlite3 *db, const char *currency, int64_t first,
    int days, struct checkout_stats_day *d)
{
	sqlite3_stmt	*st;
	int64_t		 i;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT created_at / 86400000,"
	    " count(*), sum(total - refunded)"
	    " FROM orders INDEXED BY orders_sales"
	    " WHERE currency = ?1 AND created_at >= ?2 AND created_at < ?3"
	    " AND status <> 'cancelled' GROUP BY 1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, first * CHECKOUT_DAY_MS);
	sqlite3_bind_int64(st, 3, (first + days) * CHECKOUT_DAY_MS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = sqlite3_column_int64(st, 0) - first;
		if (i < 0 || i >= days)
			continue;
		d[i].orders = sqlite3_column_int64(st, 1);
		d[i].revenue = sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE) {
		core_db_err(db, "order stats: sales");
		sqlite3_reset(st);
		return (-1);
	}
	return (0);
}

/*
 * Adds to_fulfil, unpaid and their per-status counts to out.  The WHERE
 * must stay the partial index's own (migration 0006), word for word.
 * Returns out, or NULL on a db or allocation error.
 */
static cJSON *
checkout_stats_backlog(sqlite3 *db, cJSON *out)
{
	sqlite3_stmt	*st;
	cJSON		*fb, *ub;
	const char	*status;
	int64_t		 fulfil = 0, unpaid = 0, f, u;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT status,"
	    " sum(status IN ('paid', 'prepared') OR (status = 'approved'"
	    " AND payment_method = 'cod')), sum(paid < total)"
	    " FROM orders INDEXED BY orders_open"
	    " WHERE status IN ('approved', 'paid', 'prepared') OR"
	    " (status IN ('shipped', 'delivered') AND paid < total)"
	    " GROUP BY status")) == NULL)
		return (NULL);
	fb = cJSON_CreateObject();
	ub = cJSON_CreateObject();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && fb != NULL &&
	    ub != NULL) {
		status = (const char *)sqlite3_column_text(st, 0);
		f = sqlite3_column_int64(st, 1);
		u = sqlite3_column_int64(st, 2);
		if (f > 0)
			cJSON_AddNumberToObject(fb, status, (double)f);
		if (u > 0)
			cJSON_AddNumberToObject(ub, status, (double)u);
		fulfil += f;
		unpaid += u;
	}
	if (rc != SQLITE_DONE || fb == NULL || ub == NULL) {
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			core_db_err(db, "order stats: backlog");
		sqlite3_reset(st);
		cJSON_Delete(fb);
		cJSON_Delete(ub);
		return (NULL);
	}
	cJSON_AddNumberToObject(out, "to_fulfil", (double)fulfil);
	cJSON_AddNumberToObject(out, "unpaid", (double)unpaid);
	cJSON_AddItemToObject(out, "to_fulfil_by_status", fb);
	cJSON_AddItemToObject(out, "unpaid_by_status", ub);
	return (out);
}

/* The answer without the backlog; NULL on allocation failure. */
static cJSON *
checkout_stats_render(const char *currency, int64_t first, int days,
    const struct checkout_stats_day *d)
{
	cJSON	*j, *arr, *day, *tot;
	char	 at[32];
	int64_t	 orders = 0, revenue = 0;
	int	 i;

	if ((j = cJSON_CreateObject()) == NULL)
		return (NULL);
	cJSON_AddStringToObject(j, "currency", currency);
	if ((arr = cJSON_AddArrayToObject(j, "days")) == NULL) {
		cJSON_Delete(j);
		return (NULL);
	}
	for (i = 0; i < days; i++) {
		if ((day = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, day)) {
			cJSON_Delete(day);
			cJSON_Delete(j);
			return (NULL);
		}
		/* "YYYY-MM-DDT00:00:00.000Z": the date is the first 10. */
		core_time_rfc3339(at, sizeof(at), (first + i) *
		    CHECKOUT_DAY_MS);
		at[10] = '\0';
		cJSON_AddStringToObject(day, "date", at);
		cJSON_AddNumberToObject(day, "orders", (double)d[i].orders);
		cJSON_AddNumberToObject(day, "revenue", (double)d[i].revenue);
		orders += d[i].orders;
		revenue += d[i].revenue;
	}
	if ((tot = cJSON_AddObjectToObject(j, "totals")) == NULL) {
		cJSON_Delete(j);
		return (NULL);
	}
	cJSON_AddNumberToObject(tot, "orders", (double)orders);
	cJSON_AddNumberToObject(tot, "revenue", (double)revenue);
	return (j);
}

/* GET /stats (staff) */
int
checkout_stats_get(struct core_req *r)
{
	struct checkout_stats_day	 d[CHECKOUT_STATS_DAYS_MAX];
	sqlite3				*db;
	sqlite3_stmt			*st;
	cJSON				*j;
	char				 currency[4];
	int64_t				 first;
	int				 days;

	if (checkout_stats_days_arg(r, &days) == -1)
		return (KORE_RESULT_OK);
	db = core_db_get("checkout");
	/* The shop's currency, from checkout's copy of pricing's settings. */
	if ((st = core_db_row(db, "SELECT currency FROM settings WHERE id = 1",
	    NULL)) == NULL)
		return (checkout_internal(r));
	(void)snprintf(currency, sizeof(currency), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	memset(d, 0, sizeof(d));
	first = core_db_now_ms() / CHECKOUT_DAY_MS - days + 1;
	if (checkout_stats_sales(db, currency, first, days, d) == -1)
		return (checkout_internal(r));
	if ((j = checkout_stats_render(currency, first, days, d)) == NULL)
		return (checkout_internal(r));
	if (checkout_stats_backlog(db, j) == NULL) {
		cJSON_Delete(j);
		return (checkout_internal(r));
	}
	core_http_json_take(r, 200, j);
	return (KORE_RESULT_OK);
}
