/*
 * The bus over HTTP, for staff and split-out services: a module's event log
 * in seq order (the feed), recent events across modules, subscription lag,
 * dead letters and retrying one on demand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_bus.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_int.h"
#include "core/core_log.h"
#include "core/core_module.h"

static int	bus_http_feed(struct core_req *);
static int	bus_http_recent(struct core_req *);
static int	bus_http_subs(struct core_req *);
static int	bus_http_dead(struct core_req *);
static int	bus_http_retry(struct core_req *);

const struct core_route core_bus_routes[] = {
	{ HTTP_METHOD_GET, "/api/v1/events", bus_http_feed,
	    CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/events/recent", bus_http_recent,
	    CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/events/subscriptions", bus_http_subs,
	    CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/events/dead", bus_http_dead,
	    CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/events/dead/{subscriber}/{id}/retry",
	    bus_http_retry, CORE_ACCESS_STAFF, 1024 },
	{ 0, NULL, NULL, 0, 0 }
};

static const char bus_http_select[] = "SELECT seq, id, type, version,"
    " aggregate_id, occurred_at, correlation_id, payload FROM bus_outbox";

static cJSON *
bus_http_row(sqlite3_stmt *st, const char *source)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", (const char *)sqlite3_column_text(st, 1));
	cJSON_AddStringToObject(o, "source", source);
	cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(st, 0));
	cJSON_AddStringToObject(o, "type",
	    (const char *)sqlite3_column_text(st, 2));
	cJSON_AddNumberToObject(o, "version", sqlite3_column_int(st, 3));
	cJSON_AddStringToObject(o, "aggregate_id",
	    (const char *)sqlite3_column_text(st, 4));
	cJSON_AddStringToObject(o, "occurred_at",
	    (const char *)sqlite3_column_text(st, 5));
	cJSON_AddStringToObject(o, "correlation_id",
	    (const char *)sqlite3_column_text(st, 6));
	cJSON_AddItemToObject(o, "payload",
	    cJSON_Parse((const char *)sqlite3_column_text(st, 7)));
	return (o);
}

/* Parses a non-negative decimal cursor; -1 if it is not one. */
static int64_t
bus_http_seq(const char *s)
{
	char		*end;
	long long	 v;

	if (*s == '\0')
		return (0);
	if (*s < '0' || *s > '9')
		return (-1);
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0)
		return (-1);
	return (v);
}

static int
bus_http_feed(struct core_req *r)
{
	char		 source[64], after[32], next[32];
	cJSON		*data, *errors;
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 from, last;
	int		 limit, n, rc;
	static char	 sql[256];

	if (core_http_page(r, 100, 1000, &limit, after, sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	rc = core_http_query(r, "source", source, sizeof(source));
	if (rc != 1 || (db = core_db_get(source)) == NULL)
		core_http_field_error(&errors, "source", rc == 1 ?
		    "is not a module with an event log" : "is required");
	if ((from = bus_http_seq(after)) == -1)
		core_http_field_error(&errors, "after",
		    "must be a sequence number");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (sql[0] == '\0')
		snprintf(sql, sizeof(sql), "%s WHERE seq > ? ORDER BY seq"
		    " LIMIT ?", bus_http_select);
	if ((st = core_db_stmt(db, sql)) == NULL) {
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int(st, 2, limit);
	data = cJSON_CreateArray();
	n = 0;
	last = from;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddItemToArray(data, bus_http_row(st, source));
		last = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	snprintf(next, sizeof(next), "%lld", (long long)last);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}

static int
bus_http_cmp(const void *a, const void *b)
{
	const cJSON	*x = *(const cJSON *const *)a;
	const cJSON	*y = *(const cJSON *const *)b;

	/* Newest first: ids are time-ordered, occurred_at breaks no ties. */
	return (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(y, "id")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(x, "id"))));
}

static int
bus_http_recent(struct core_req *r)
{
	char		 after[8];
	cJSON		**all, *data;
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 limit, i, n, cap;
	static char	 sql[256];

	if (core_http_page(r, 50, 200, &limit, after, sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	if (sql[0] == '\0')
		snprintf(sql, sizeof(sql), "%s ORDER BY seq DESC LIMIT ?",
		    bus_http_select);
	cap = limit * core_db_count();
	all = calloc(cap > 0 ? cap : 1, sizeof(*all));
	n = 0;
	for (i = 0; i < core_db_count(); i++) {
		db = core_db_get(core_db_name_at(i));
		if ((st = core_db_stmt(db, sql)) == NULL)
			continue;
		sqlite3_bind_int(st, 1, limit);
		while (n < cap && sqlite3_step(st) == SQLITE_ROW)
			all[n++] = bus_http_row(st, core_db_name_at(i));
		sqlite3_reset(st);
	}
	qsort(all, n, sizeof(*all), bus_http_cmp);
	data = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if (i < limit)
			cJSON_AddItemToArray(data, all[i]);
		else
			cJSON_Delete(all[i]);
	}
	free(all);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

static cJSON	*bus_http_subs_out;

static void
bus_http_sub_fn(const struct core_module *m, const char *source)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*o, *f;
	int64_t		 cursor, head;
	char		 ts[40];

	if (core_bus_position(m->name, source, &cursor, &head) == -1)
		return;
	db = core_db_get(m->name);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "subscriber", m->name);
	cJSON_AddStringToObject(o, "source", source);
	cJSON_AddNumberToObject(o, "cursor", (double)cursor);
	cJSON_AddNumberToObject(o, "head", (double)head);
	cJSON_AddNumberToObject(o, "lag", (double)(head > cursor ?
	    head - cursor : 0));
	f = NULL;
	if ((st = core_db_stmt(db, "SELECT seq, attempts, error, next_at FROM"
	    " bus_failure WHERE source = ?")) != NULL) {
		sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW) {
			f = cJSON_CreateObject();
			cJSON_AddNumberToObject(f, "seq",
			    (double)sqlite3_column_int64(st, 0));
			cJSON_AddNumberToObject(f, "attempts",
			    sqlite3_column_int(st, 1));
			cJSON_AddStringToObject(f, "error",
			    (const char *)sqlite3_column_text(st, 2));
			core_time_rfc3339(ts, sizeof(ts),
			    sqlite3_column_int64(st, 3));
			cJSON_AddStringToObject(f, "next_at", ts);
		}
		sqlite3_reset(st);
	}
	cJSON_AddItemToObject(o, "failing", f ? f : cJSON_CreateNull());
	cJSON_AddItemToArray(bus_http_subs_out, o);
}

static int
bus_http_subs(struct core_req *r)
{
	int	i;

	bus_http_subs_out = cJSON_CreateArray();
	for (i = 0; core_modules[i] != NULL; i++)
		core_bus_each_source(core_modules[i], bus_http_sub_fn);
	core_http_json_take(r, 200, core_http_page_body(bus_http_subs_out,
	    NULL));
	bus_http_subs_out = NULL;
	return (KORE_RESULT_OK);
}

static int
bus_http_dead(struct core_req *r)
{
	char		 after[32], which[64], next[96], ts[40];
	cJSON		*data, *o;
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 limit, i, n, rc;
	int64_t		 from;

	if (core_http_page(r, 50, 200, &limit, after, sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	rc = core_http_query(r, "subscriber", which, sizeof(which));
	if (rc == -1 || (rc == 1 && core_module_get(which) == NULL)) {
		o = NULL;
		core_http_field_error(&o, "subscriber", "is not a module");
		core_http_invalid(r, o);
		return (KORE_RESULT_OK);
	}
	if ((from = bus_http_seq(after)) == -1) {
		o = NULL;
		core_http_field_error(&o, "after", "must be a dead letter id");
		core_http_invalid(r, o);
		return (KORE_RESULT_OK);
	}
	data = cJSON_CreateArray();
	n = 0;
	for (i = 0; core_modules[i] != NULL; i++) {
		if (rc == 1 && strcmp(which, core_modules[i]->name) != 0)
			continue;
		if ((db = core_db_get(core_modules[i]->name)) == NULL ||
		    (st = core_db_stmt(db, "SELECT id, source, seq, type,"
		    " attempts, error, dead_at, envelope FROM bus_dead WHERE"
		    " id > ? ORDER BY id LIMIT ?")) == NULL)
			continue;
		sqlite3_bind_int64(st, 1, rc == 1 ? from : 0);
		sqlite3_bind_int(st, 2, limit);
		while (n < limit && sqlite3_step(st) == SQLITE_ROW) {
			o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "id",
			    (double)sqlite3_column_int64(st, 0));
			cJSON_AddStringToObject(o, "subscriber",
			    core_modules[i]->name);
			cJSON_AddStringToObject(o, "source",
			    (const char *)sqlite3_column_text(st, 1));
			cJSON_AddNumberToObject(o, "seq",
			    (double)sqlite3_column_int64(st, 2));
			cJSON_AddStringToObject(o, "type",
			    (const char *)sqlite3_column_text(st, 3));
			cJSON_AddNumberToObject(o, "attempts",
			    sqlite3_column_int(st, 4));
			cJSON_AddStringToObject(o, "error",
			    (const char *)sqlite3_column_text(st, 5));
			core_time_rfc3339(ts, sizeof(ts),
			    sqlite3_column_int64(st, 6));
			cJSON_AddStringToObject(o, "dead_at", ts);
			cJSON_AddItemToObject(o, "envelope", cJSON_Parse(
			    (const char *)sqlite3_column_text(st, 7)));
			cJSON_AddItemToArray(data, o);
			n++;
			snprintf(next, sizeof(next), "%lld",
			    (long long)sqlite3_column_int64(st, 0));
		}
		sqlite3_reset(st);
	}
	/* Paging by id is per subscriber; across all it is one page. */
	core_http_json_take(r, 200, core_http_page_body(data,
	    (rc == 1 && n == limit) ? next : NULL));
	return (KORE_RESULT_OK);
}

static int
bus_http_retry(struct core_req *r)
{
	cJSON	*o;
	int64_t	 id;
	int	 rc;

	id = bus_http_seq(r->params[1]);
	if (core_module_get(r->params[0]) == NULL || id <= 0) {
		core_http_problem(r, 404, "not-found", "Not found",
		    "no such dead letter", NULL);
		return (KORE_RESULT_OK);
	}
	rc = core_bus_retry_dead(r->params[0], id);
	if (rc == -1) {
		core_http_problem(r, 404, "not-found", "Not found",
		    "no such dead letter", NULL);
	} else if (rc == 1) {
		core_http_problem(r, 409, "retry-failed", "Retry failed",
		    "the handler failed again; the dead letter stays", NULL);
	} else {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "retried", 1);
		core_http_json_take(r, 200, o);
	}
	return (KORE_RESULT_OK);
}
