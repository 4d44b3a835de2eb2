/*
 * Stock per variant: the ledger, staff adjustments with compare-and-swap,
 * and reservations decided from checkout's events (held on created,
 * released on cancelled, sold on shipped).  available = on_hand -
 * reserved never goes below zero for a tracked variant without backorder:
 * every change runs inside the catalog file's write lock and the table's
 * CHECK constraint refuses what slipped through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/catalog/catalog_int.h"

#define CATALOG_LINES_MAX	200

struct catalog_line {
	const char	*sku;
	int64_t		 quantity;
	int64_t		 variant;
	int64_t		 available;
	int64_t		 on_hand;	/* when settled */
	int		 limited;	/* tracked and no backorder */
};

int
catalog_stock_move(sqlite3 *db, int64_t variant, int64_t on_hand_delta,
    int64_t reserved_delta, const char *reason, const char *reference,
    const char *note)
{
	sqlite3_stmt	*st;
	cJSON		*p;
	char		 sku[CATALOG_SKU_MAX + 1];
	int64_t		 on_hand, reserved, threshold, before;
	int		 rc;

	if ((st = core_db_stmt(db, "UPDATE variants SET on_hand = on_hand + ?,"
	    " reserved = reserved + ? WHERE rowid = ? RETURNING sku, on_hand,"
	    " reserved, low_threshold")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, on_hand_delta);
	sqlite3_bind_int64(st, 2, reserved_delta);
	sqlite3_bind_int64(st, 3, variant);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_db_err(db, "move stock"));
	}
	snprintf(sku, sizeof(sku), "%s", sqlite3_column_text(st, 0));
	on_hand = sqlite3_column_int64(st, 1);
	reserved = sqlite3_column_int64(st, 2);
	threshold = sqlite3_column_int64(st, 3);
	(void)sqlite3_step(st);
	sqlite3_reset(st);

	if ((st = core_db_stmt(db, "INSERT INTO stock_movements (variant,"
	    " on_hand_delta, reserved_delta, on_hand_after, reserved_after,"
	    " reason, reference, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
	    == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, variant);
	sqlite3_bind_int64(st, 2, on_hand_delta);
	sqlite3_bind_int64(st, 3, reserved_delta);
	sqlite3_bind_int64(st, 4, on_hand);
	sqlite3_bind_int64(st, 5, reserved);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, reference ? reference : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, note ? note : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "ledger"));

	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "sku", sku);
	cJSON_AddNumberToObject(p, "on_hand", (double)on_hand);
	cJSON_AddNumberToObject(p, "reserved", (double)reserved);
	cJSON_AddNumberToObject(p, "available", (double)(on_hand - reserved));
	cJSON_AddStringToObject(p, "reason", reason);
	rc = core_bus_publish(db, "catalog.stock.changed", 1, sku, p);
	cJSON_Delete(p);
	if (rc == -1)
		return (-1);
	if (catalog_listing_stock(db, variant) == -1)
		return (-1);
	/* Low when this change crossed the threshold going down. */
	before = (on_hand - on_hand_delta) - (reserved - reserved_delta);
	if (on_hand - reserved <= threshold && before > threshold) {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "sku", sku);
		cJSON_AddNumberToObject(p, "available",
		    (double)(on_hand - reserved));
		cJSON_AddNumberToObject(p, "threshold", (double)threshold);
		rc = core_bus_publish(db, "catalog.stock.low", 1, sku, p);
		cJSON_Delete(p);
	}
	return (rc);
}

static cJSON *
catalog_stock_json(sqlite3 *db, const char *sku, int64_t *variant)
{
	sqlite3_stmt	*st;
	cJSON		*o;

	if ((st = core_db_row(db, "SELECT rowid, on_hand, reserved,"
	    " low_threshold FROM variants WHERE sku = ?", sku)) == NULL)
		return (NULL);
	*variant = sqlite3_column_int64(st, 0);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sku", sku);
	cJSON_AddNumberToObject(o, "on_hand", (double)sqlite3_column_int64(st,
	    1));
	cJSON_AddNumberToObject(o, "reserved", (double)sqlite3_column_int64(st,
	    2));
	cJSON_AddNumberToObject(o, "available", (double)(sqlite3_column_int64(
	    st, 1) - sqlite3_column_int64(st, 2)));
	cJSON_AddNumberToObject(o, "low_threshold",
	    (double)sqlite3_column_int64(st, 3));
	sqlite3_reset(st);
	return (o);
}

int
catalog_stock_get(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*o, *mv, *m;
	char		 ts[40];
	int64_t		 variant;

	db = core_db_get("catalog");
	if ((o = catalog_stock_json(db, r->params[0], &variant)) == NULL)
		return (core_http_not_found(r, "not-found",
		    "no variant has this SKU"));
	mv = cJSON_AddArrayToObject(o, "movements");
	if ((st = core_db_stmt(db, "SELECT on_hand_delta, reserved_delta,"
	    " on_hand_after, reserved_after, reason, reference, note, at FROM"
	    " stock_movements WHERE variant = ? ORDER BY id DESC LIMIT 50")) !=
	    NULL) {
		sqlite3_bind_int64(st, 1, variant);
		while (sqlite3_step(st) == SQLITE_ROW) {
			m = cJSON_CreateObject();
			cJSON_AddNumberToObject(m, "on_hand_delta",
			    (double)sqlite3_column_int64(st, 0));
			cJSON_AddNumberToObject(m, "reserved_delta",
			    (double)sqlite3_column_int64(st, 1));
			cJSON_AddNumberToObject(m, "on_hand_after",
			    (double)sqlite3_column_int64(st, 2));
			cJSON_AddNumberToObject(m, "reserved_after",
			    (double)sqlite3_column_int64(st, 3));
			catalog_add_text(m, "reason", st, 4);
			catalog_add_text(m, "reference", st, 5);
			catalog_add_text(m, "note", st, 6);
			core_time_rfc3339(ts, sizeof(ts),
			    sqlite3_column_int64(st, 7));
			cJSON_AddStringToObject(m, "at", ts);
			cJSON_AddItemToArray(mv, m);
		}
		sqlite3_reset(st);
	}
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

int
catalog_stock_adjust(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o;
	const char	*reason, *note;
	int64_t		 expected, on_hand, cur, reserved, variant;
	int		 limited, rc;

	errors = NULL;
	if (r->body == NULL || core_json_get_i64(r->body, "expected", 0,
	    CATALOG_STOCK_MAX, &expected) != CORE_JSON_OK)
		core_http_field_error(&errors, "expected", "is required: the "
		    "on-hand quantity you saw");
	if (r->body == NULL || core_json_get_i64(r->body, "on_hand", 0,
	    CATALOG_STOCK_MAX, &on_hand) != CORE_JSON_OK)
		core_http_field_error(&errors, "on_hand", "is required: the new "
		    "on-hand quantity, 0 or more");
	if (r->body == NULL || core_json_get_str(r->body, "reason", 16,
	    &reason) != CORE_JSON_OK || (strcmp(reason, "adjustment") != 0 &&
	    strcmp(reason, "return") != 0 && strcmp(reason, "import") != 0))
		core_http_field_error(&errors, "reason",
		    "must be adjustment, return or import");
	note = "";
	if (r->body != NULL && (rc = core_json_get_str(r->body, "note", 500,
	    &note)) != CORE_JSON_OK) {
		if (rc == CORE_JSON_WRONG)
			core_http_field_error(&errors, "note",
			    "must be a string of at most 500 bytes");
		note = "";
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("catalog");
	if (core_db_begin(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "SELECT rowid, on_hand, reserved,"
	    " track_stock AND NOT allow_backorder FROM variants WHERE sku = ?"))
	    == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		core_db_rollback(db);
		return (core_http_not_found(r, "not-found",
		    "no variant has this SKU"));
	}
	variant = sqlite3_column_int64(st, 0);
	cur = sqlite3_column_int64(st, 1);
	reserved = sqlite3_column_int64(st, 2);
	limited = sqlite3_column_int(st, 3);
	sqlite3_reset(st);
	if (cur != expected) {
		core_db_rollback(db);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "current_on_hand", (double)cur);
		core_http_problem_with(r, 409, "stale-stock", "Stock changed",
		    "on hand is no longer what you expected; look again and "
		    "retry", o);
		return (KORE_RESULT_OK);
	}
	if (limited && on_hand < reserved) {
		core_db_rollback(db);
		core_http_problem(r, 409, "below-reserved", "Below reserved",
		    "open orders hold more than that; on hand cannot go below "
		    "what is reserved", NULL);
		return (KORE_RESULT_OK);
	}
	if (on_hand != cur && catalog_stock_move(db, variant, on_hand - cur, 0,
	    reason, r->who.sub, note) == -1)
		goto fail;
	if (core_db_commit(db) == -1)
		goto fail;
	o = catalog_stock_json(db, r->params[0], &variant);
	cJSON_DeleteItemFromObject(o, "low_threshold");
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}

/*
 * checkout.order.created: reserve every line or none.  Runs inside the
 * bus's transaction on catalog.db, so the decision, the reservations and
 * the answer event commit together, exactly once per order.
 */
int
catalog_on_order_created(sqlite3 *db, const struct core_event *ev)
{
	struct catalog_line	 lines[CATALOG_LINES_MAX];
	const cJSON		*ls, *l;
	const char		*order;
	sqlite3_stmt		*st;
	cJSON			*p, *arr, *o;
	int			 n, i, short_lines;

	if (core_json_get_str(ev->payload, "order_id", 64, &order) !=
	    CORE_JSON_OK || !cJSON_IsArray(ls = cJSON_GetObjectItemCaseSensitive(
	    ev->payload, "lines"))) {
		core_bus_set_error("order.created without order_id or lines");
		return (-1);
	}
	n = 0;
	cJSON_ArrayForEach(l, ls) {
		if (n == CATALOG_LINES_MAX ||
		    core_json_get_str(l, "sku", CATALOG_SKU_MAX,
		    &lines[n].sku) != CORE_JSON_OK ||
		    core_json_get_i64(l, "quantity", 1, CATALOG_STOCK_MAX,
		    &lines[n].quantity) != CORE_JSON_OK) {
			core_bus_set_error("order.created with a bad line");
			return (-1);
		}
		/* Two lines of one SKU are checked as their sum. */
		for (i = 0; i < n; i++)
			if (strcmp(lines[i].sku, lines[n].sku) == 0)
				break;
		if (i < n)
			lines[i].quantity += lines[n].quantity;
		else
			n++;
	}
	short_lines = 0;
	for (i = 0; i < n; i++) {
		if ((st = core_db_stmt(db, "SELECT rowid, on_hand - reserved,"
		    " track_stock AND NOT allow_backorder FROM variants WHERE"
		    " sku = ?")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, lines[i].sku, -1, SQLITE_STATIC);
		lines[i].variant = -1;
		lines[i].available = 0;
		lines[i].limited = 1;
		if (sqlite3_step(st) == SQLITE_ROW) {
			lines[i].variant = sqlite3_column_int64(st, 0);
			lines[i].available = sqlite3_column_int64(st, 1);
			lines[i].limited = sqlite3_column_int(st, 2);
		}
		sqlite3_reset(st);
		if (lines[i].variant == -1 || (lines[i].limited &&
		    lines[i].available < lines[i].quantity))
			short_lines++;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "order_id", order);
	if (short_lines > 0) {
		arr = cJSON_AddArrayToObject(p, "short");
		for (i = 0; i < n; i++) {
			if (lines[i].variant != -1 && (!lines[i].limited ||
			    lines[i].available >= lines[i].quantity))
				continue;
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "sku", lines[i].sku);
			cJSON_AddNumberToObject(o, "requested",
			    (double)lines[i].quantity);
			cJSON_AddNumberToObject(o, "available",
			    (double)(lines[i].available > 0 ?
			    lines[i].available : 0));
			cJSON_AddItemToArray(arr, o);
		}
		i = core_bus_publish(db, "catalog.stock.rejected", 1, order, p);
		cJSON_Delete(p);
		return (i);
	}
	arr = cJSON_AddArrayToObject(p, "lines");
	for (i = 0; i < n; i++) {
		if ((st = core_db_stmt(db, "INSERT INTO reservations (order_id,"
		    " variant, quantity, state, created_at) VALUES"
		    " (?, ?, ?, 'held', ?) ON CONFLICT (order_id, variant)"
		    " DO UPDATE SET quantity = quantity + excluded.quantity"))
		    == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, lines[i].variant);
		sqlite3_bind_int64(st, 3, lines[i].quantity);
		sqlite3_bind_int64(st, 4, core_db_now_ms());
		if (sqlite3_step(st) != SQLITE_DONE ||
		    catalog_stock_move(db, lines[i].variant, 0,
		    lines[i].quantity, "reservation", order, "") == -1)
			goto fail;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "sku", lines[i].sku);
		cJSON_AddNumberToObject(o, "quantity", (double)lines[i].quantity);
		cJSON_AddItemToArray(arr, o);
	}
	i = core_bus_publish(db, "catalog.stock.reserved", 1, order, p);
	cJSON_Delete(p);
	return (i);
fail:
	cJSON_Delete(p);
	core_bus_set_error("reservation failed");
	return (-1);
}

/*
 * Settles what order still holds: every 'held' reservation leaves
 * reserved, one ledger row per variant; sold also takes the units off
 * on_hand (reason "sale") where a release leaves it (reason "release").
 * The rows then become 'sold' or 'released' and the answer event lists
 * the lines.  Only held rows are settled, so an order that holds nothing
 * (rejected, released, already sold) changes and publishes nothing: a
 * second delivery of the same event is a no-op.  Returns 0 or -1 with
 * the bus error set.
 */
static int
catalog_settle(sqlite3 *db, const char *order, int sold)
{
	struct catalog_line	 lines[CATALOG_LINES_MAX];
	char			 skus[CATALOG_LINES_MAX][CATALOG_SKU_MAX + 1];
	sqlite3_stmt		*st;
	cJSON			*p, *arr, *o;
	int64_t			 out;
	int			 n, i, rc;

	if ((st = core_db_stmt(db, "SELECT r.variant, r.quantity, v.sku,"
	    " v.on_hand FROM reservations r JOIN variants v ON v.rowid ="
	    " r.variant WHERE r.order_id = ? AND r.state = 'held'")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
	n = 0;
	while (n < CATALOG_LINES_MAX && sqlite3_step(st) == SQLITE_ROW) {
		lines[n].variant = sqlite3_column_int64(st, 0);
		lines[n].quantity = sqlite3_column_int64(st, 1);
		snprintf(skus[n], sizeof(skus[n]), "%s",
		    sqlite3_column_text(st, 2));
		lines[n].sku = skus[n];
		lines[n].on_hand = sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_reset(st);
	if (n == 0)
		return (0);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "order_id", order);
	arr = cJSON_AddArrayToObject(p, "lines");
	for (i = 0; i < n; i++) {
		/*
		 * A tracked variant without backorder always has the units
		 * (reserved <= on_hand).  An untracked or backorder one may
		 * hold more than it has; on_hand stops at 0, which the
		 * table's CHECK demands.
		 */
		out = 0;
		if (sold)
			out = lines[i].quantity < lines[i].on_hand ?
			    lines[i].quantity : lines[i].on_hand;
		if (catalog_stock_move(db, lines[i].variant, -out,
		    -lines[i].quantity, sold ? "sale" : "release", order,
		    "") == -1)
			goto fail;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "sku", lines[i].sku);
		cJSON_AddNumberToObject(o, "quantity", (double)lines[i].quantity);
		cJSON_AddItemToArray(arr, o);
	}
	if ((st = core_db_stmt(db, "UPDATE reservations SET state = ? WHERE"
	    " order_id = ? AND state = 'held'")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, sold ? "sold" : "released", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, order, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "settle reservations");
		goto fail;
	}
	rc = core_bus_publish(db, sold ? "catalog.stock.sold" :
	    "catalog.stock.released", 1, order, p);
	cJSON_Delete(p);
	return (rc);
fail:
	cJSON_Delete(p);
	core_bus_set_error(sold ? "sale failed" : "release failed");
	return (-1);
}

/* checkout.order.cancelled: release what the order still holds. */
int
catalog_on_order_cancelled(sqlite3 *db, const struct core_event *ev)
{
	const char	*order;

	if (core_json_get_str(ev->payload, "order_id", 64, &order) !=
	    CORE_JSON_OK) {
		core_bus_set_error("order.cancelled without order_id");
		return (-1);
	}
	return (catalog_settle(db, order, 0));
}

/*
 * checkout.order.shipped: the goods left the shelf, so what the order
 * holds is sold.  on_hand and reserved drop together and available stays
 * (no catalog.stock.low: low is about available).  The event carries no
 * lines; the held reservations say what to sell, and that they are held
 * is what makes this happen once per order.  delivered changes no stock,
 * and a shipped order cannot be cancelled (checkout refuses it).
 */
int
catalog_on_order_shipped(sqlite3 *db, const struct core_event *ev)
{
	const char	*order;

	if (core_json_get_str(ev->payload, "order_id", 64, &order) !=
	    CORE_JSON_OK) {
		core_bus_set_error("order.shipped without order_id");
		return (-1);
	}
	return (catalog_settle(db, order, 1));
}

/*
 * checkout.order.refunded: an order refunded in full before it shipped
 * ends there ("refunded" is final: it never ships), so what it still
 * holds goes back on sale, as for a cancellation.  A partial refund, or
 * one after shipping (nothing is held then), changes no stock: goods come
 * back only through a staff adjustment with reason "return".
 */
int
catalog_on_order_refunded(sqlite3 *db, const struct core_event *ev)
{
	const char	*order, *status;

	if (core_json_get_str(ev->payload, "order_id", 64, &order) !=
	    CORE_JSON_OK) {
		core_bus_set_error("order.refunded without order_id");
		return (-1);
	}
	if (core_json_get_str(ev->payload, "status", 32, &status) !=
	    CORE_JSON_OK || strcmp(status, "refunded") != 0)
		return (0);
	return (catalog_settle(db, order, 0));
}

/* pricing.price.changed: the price copy shown in listings. */
int
catalog_on_price_changed(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*sku, *cur;
	int64_t		 amount, compare;
	int		 has_compare;

	if (core_json_get_str(ev->payload, "sku", CATALOG_SKU_MAX, &sku) !=
	    CORE_JSON_OK || core_json_get_i64(ev->payload, "amount", 0,
	    INT64_MAX / 2, &amount) != CORE_JSON_OK ||
	    core_json_get_str(ev->payload, "currency", 3, &cur) !=
	    CORE_JSON_OK) {
		core_bus_set_error("price.changed without sku, amount or "
		    "currency");
		return (-1);
	}
	has_compare = core_json_get_i64(ev->payload, "compare_at", 0,
	    INT64_MAX / 2, &compare) == CORE_JSON_OK;
	if ((st = core_db_stmt(db, "INSERT INTO variant_prices (sku, amount,"
	    " compare_at, currency) VALUES (?, ?, ?, ?) ON CONFLICT (sku) DO"
	    " UPDATE SET amount = excluded.amount, compare_at ="
	    " excluded.compare_at, currency = excluded.currency")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, amount);
	if (has_compare)
		sqlite3_bind_int64(st, 3, compare);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, cur, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "price copy"));
	return (catalog_listing_price(db, sku));
}

/*
 * GET /stock?low=true: variants at or below their low-stock threshold,
 * fewest available first; without low, every tracked variant.  Paged by
 * position (the list is small and sorted by a computed value).
 */
int
catalog_stock_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data, *o, *errors;
	char		 after[16], low[8], next[16];
	long		 offset;
	int		 limit, n, lowonly, rc;
	char		*end;

	if (core_http_page(r, 50, 200, &limit, after, sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	lowonly = 0;
	if ((rc = core_http_query(r, "low", low, sizeof(low))) == 1) {
		if (strcmp(low, "true") == 0)
			lowonly = 1;
		else if (strcmp(low, "false") != 0)
			core_http_field_error(&errors, "low",
			    "must be true or false");
	} else if (rc == -1)
		core_http_field_error(&errors, "low", "must be true or false");
	offset = 0;
	if (after[0] != '\0') {
		offset = strtol(after, &end, 10);
		if (*end != '\0' || offset <= 0)
			core_http_field_error(&errors, "after",
			    "is not a cursor from this list");
	}
	if (errors != NULL) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(core_db_get("catalog"), "SELECT v.sku, p.id,"
	    " p.title, v.option1, v.option2, v.option3, v.on_hand, v.reserved,"
	    " v.low_threshold FROM variants v JOIN products p ON p.rowid ="
	    " v.product WHERE v.track_stock = 1 AND (?1 = 0 OR v.on_hand -"
	    " v.reserved <= v.low_threshold) ORDER BY v.on_hand - v.reserved,"
	    " v.sku LIMIT ?2 OFFSET ?3")) == NULL) {
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	sqlite3_bind_int(st, 1, lowonly);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	data = cJSON_CreateArray();
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		catalog_add_text(o, "sku", st, 0);
		catalog_add_text(o, "product_id", st, 1);
		catalog_add_text(o, "title", st, 2);
		cJSON_AddNumberToObject(o, "on_hand",
		    (double)sqlite3_column_int64(st, 6));
		cJSON_AddNumberToObject(o, "reserved",
		    (double)sqlite3_column_int64(st, 7));
		cJSON_AddNumberToObject(o, "available",
		    (double)(sqlite3_column_int64(st, 6) -
		    sqlite3_column_int64(st, 7)));
		cJSON_AddNumberToObject(o, "low_threshold",
		    (double)sqlite3_column_int64(st, 8));
		cJSON_AddItemToArray(data, o);
		n++;
	}
	sqlite3_reset(st);
	snprintf(next, sizeof(next), "%ld", offset + n);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}
