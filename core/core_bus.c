/*
 * The event bus (see core_bus.h and docs/EVENTS.md).
 *
 * Invariants:
 * - bus_outbox.seq is the rowid of an append-only table written only inside
 *   the module's BEGIN IMMEDIATE transactions, so seq values are strictly
 *   increasing and have no gaps.
 * - bus_cursor(source) in a subscriber's file is the highest seq of source
 *   whose effect is committed in that file.  It only moves in the same
 *   transaction as the effects, so each event's effect happens once, no
 *   matter how many workers try to deliver it at the same time: the write
 *   lock serializes them and the second finds the cursor already moved.
 * - A failing event blocks its (subscriber, source) pair, keeping order,
 *   until it succeeds or is dead-lettered after bus_attempts tries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_bus.h"
#include "core/core_config.h"
#include "core/core_db.h"
#include "core/core_http.h"
#include "core/core_id.h"
#include "core/core_int.h"
#include "core/core_log.h"
#include "core/core_module.h"

#define BUS_BATCH	100

#define BUS_SOURCES_MAX	16

static int	bus_running;
static const char *bus_dirty[BUS_SOURCES_MAX];	/* news since the round */
static int	bus_ndirty;
static int	bus_all;
static const char *bus_round[BUS_SOURCES_MAX];	/* this round's sources */
static int	bus_nround;
static int	bus_round_all;
static int	bus_replay;
static char	bus_error[256];

static int	bus_type_match(const char *, const char *);
static const struct core_sub *bus_find_sub(const struct core_module *,
		    const char *, const char *);
static int	bus_deliver_pair(const struct core_module *, const char *);
static int	bus_pair_pending(const struct core_module *, const char *);
static void	bus_pair_fn(const struct core_module *, const char *);

void
core_bus_set_error(const char *why)
{
	snprintf(bus_error, sizeof(bus_error), "%s", why);
}

int
core_bus_replaying(void)
{
	return (bus_replay);
}

int
core_bus_publish(sqlite3 *db, const char *type, int version,
    const char *aggregate_id, const cJSON *payload)
{
	sqlite3_stmt	*st;
	char		 id[CORE_ID_MAX], ts[40];
	char		*json;
	const char	*corr;
	int		 rc;

	if (bus_replay)
		return (0);
	if (sqlite3_get_autocommit(db)) {
		/* A bug: events exist only inside the change's transaction. */
		fatal("core_bus_publish(%s) outside a transaction", type);
	}
	if (core_db_lazy(db)) {
		/* A bug: a power cut could lose the row and reuse its seq. */
		fatal("core_bus_publish(%s) in a lazy transaction", type);
	}
	core_id_new(id, sizeof(id), "evt");
	core_time_rfc3339(ts, sizeof(ts), core_db_now_ms());
	corr = core_http_current_request_id();
	json = payload ? cJSON_PrintUnformatted(payload) : NULL;
	if ((st = core_db_stmt(db, "INSERT INTO bus_outbox (id, type, version,"
	    " aggregate_id, occurred_at, correlation_id, payload) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?)")) == NULL) {
		cJSON_free(json);
		return (-1);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, version);
	sqlite3_bind_text(st, 4, aggregate_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, corr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, json ? json : "{}", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	cJSON_free(json);
	if (rc != SQLITE_DONE)
		return (core_db_err(db, "publish"));
	core_db_mark_published(db);
	return (0);
}

/*
 * Which sources have news: a commit marks its own file, so a delivery round
 * looks only at the pairs reading from it (each look costs a read of two
 * files); the sweep, start-up and replays mark them all.
 */
static int
bus_listed(const char **list, int n, const char *source)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], source) == 0)
			return (1);
	return (0);
}

static void
bus_mark(const char *source)
{
	if (bus_all || bus_listed(bus_dirty, bus_ndirty, source))
		return;
	if (bus_ndirty == BUS_SOURCES_MAX)
		bus_all = 1;
	else
		bus_dirty[bus_ndirty++] = source;
}

static int
bus_in_round(const char *source)
{
	return (bus_round_all || bus_listed(bus_round, bus_nround, source));
}

static void
bus_run(void)
{
	int	i;

	if (bus_running)
		return;		/* a handler's commit: the loop goes round */
	bus_running = 1;
	while (bus_all || bus_ndirty > 0) {
		bus_round_all = bus_all;
		bus_nround = bus_ndirty;
		memcpy(bus_round, bus_dirty, sizeof(bus_round));
		bus_all = bus_ndirty = 0;
		for (i = 0; core_modules[i] != NULL; i++)
			core_bus_each_source(core_modules[i], bus_pair_fn);
	}
	bus_running = 0;
}

void
core_bus_committed(const char *source)
{
	bus_mark(source);
	bus_run();
}

static int
bus_type_match(const char *pattern, const char *type)
{
	size_t	n;

	if (strcmp(pattern, "*") == 0)
		return (1);
	n = strlen(pattern);
	if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '.')
		return (strncmp(pattern, type, n - 1) == 0);
	return (strcmp(pattern, type) == 0);
}

static const struct core_sub *
bus_find_sub(const struct core_module *m, const char *source,
    const char *type)
{
	const struct core_sub	*s;

	for (s = m->subs; s != NULL && s->source != NULL; s++)
		if (strcmp(s->source, source) == 0 &&
		    bus_type_match(s->type, type))
			return (s);
	return (NULL);
}

int
core_bus_position(const char *subscriber, const char *source,
    int64_t *cursor, int64_t *head)
{
	sqlite3	*db, *src;

	if ((db = core_db_get(subscriber)) == NULL ||
	    (src = core_db_get(source)) == NULL)
		return (-1);
	*cursor = core_db_scalar(db, "SELECT seq FROM bus_cursor WHERE"
	    " source = ?", source, 0);
	*head = core_db_scalar(src, "SELECT coalesce(max(seq), 0) FROM"
	    " bus_outbox", NULL, 0);
	return (0);
}

/*
 * Cheap check without a write lock (one read of each file): has source
 * events past m's cursor, and does m subscribe to any of the next batch?
 * BUS_SKIP when it has none: moving the cursor past them needs no fsync
 * (a power cut that loses the move only makes m skip them again), and
 * outside a round over every pair (the sweep's, 4 times a second) it waits
 * until BUS_SKIP_LAG of them have piled up, since it changes nothing but
 * the lag shown to operators.
 */
#define BUS_NONE	0
#define BUS_WANTED	1
#define BUS_SKIP	2
#define BUS_SKIP_LAG	64

static int
bus_pair_pending(const struct core_module *m, const char *source)
{
	sqlite3_stmt	*st;
	int64_t		 cursor, next_at, last;
	int		 what, rc;

	if ((st = core_db_stmt(core_db_get(m->name), "SELECT coalesce((SELECT"
	    " seq FROM bus_cursor WHERE source = ?1), 0), coalesce((SELECT"
	    " next_at FROM bus_failure WHERE source = ?1), 0)")) == NULL)
		return (BUS_WANTED);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cursor = sqlite3_column_int64(st, 0);
		next_at = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return (BUS_WANTED);	/* let the delivery report it */
	if (next_at > core_db_now_ms())
		return (BUS_NONE);
	if ((st = core_db_stmt(core_db_get(source), "SELECT seq, type FROM"
	    " bus_outbox WHERE seq > ? ORDER BY seq LIMIT ?")) == NULL)
		return (BUS_WANTED);
	sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int(st, 2, BUS_BATCH);
	what = BUS_NONE;
	last = cursor;
	while (what != BUS_WANTED && sqlite3_step(st) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		what = bus_find_sub(m, source,
		    (const char *)sqlite3_column_text(st, 1)) != NULL ?
		    BUS_WANTED : BUS_SKIP;
	}
	sqlite3_reset(st);
	if (what == BUS_SKIP && !bus_round_all && last - cursor < BUS_SKIP_LAG)
		return (BUS_NONE);
	return (what);
}

/*
 * Fills ev from a bus_outbox row (seq, id, type, version, aggregate_id,
 * occurred_at, correlation_id, payload).  Returns the parsed payload, which
 * the caller frees, or NULL if it is not JSON.
 */
static cJSON *
bus_event_from_row(struct core_event *ev, sqlite3_stmt *st,
    const char *source)
{
	cJSON	*payload;

	memset(ev, 0, sizeof(*ev));
	ev->seq = sqlite3_column_int64(st, 0);
	ev->id = (const char *)sqlite3_column_text(st, 1);
	ev->source = source;
	ev->type = (const char *)sqlite3_column_text(st, 2);
	ev->version = sqlite3_column_int(st, 3);
	ev->aggregate_id = (const char *)sqlite3_column_text(st, 4);
	ev->occurred_at = (const char *)sqlite3_column_text(st, 5);
	ev->correlation_id = (const char *)sqlite3_column_text(st, 6);
	payload = cJSON_Parse((const char *)sqlite3_column_text(st, 7));
	ev->payload = payload;
	return (payload);
}

static cJSON *
bus_event_json(const struct core_event *ev)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", ev->id);
	cJSON_AddStringToObject(o, "source", ev->source);
	cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
	cJSON_AddStringToObject(o, "type", ev->type);
	cJSON_AddNumberToObject(o, "version", ev->version);
	cJSON_AddStringToObject(o, "aggregate_id", ev->aggregate_id);
	cJSON_AddStringToObject(o, "occurred_at", ev->occurred_at);
	cJSON_AddStringToObject(o, "correlation_id", ev->correlation_id);
	cJSON_AddItemToObject(o, "payload",
	    cJSON_Duplicate(ev->payload, 1));
	return (o);
}

/*
 * Records a failed attempt at ev inside the open transaction on db: a
 * retry after backoff, or, past the limit, a dead letter and the cursor
 * moved past it.  Returns the new cursor.
 */
static int64_t
bus_record_failure(sqlite3 *db, const struct core_event *ev,
    int64_t cursor)
{
	sqlite3_stmt	*st;
	cJSON		*env;
	char		*json;
	int64_t		 attempts, backoff;

	attempts = 1 + core_db_scalar(db, "SELECT attempts FROM bus_failure"
	    " WHERE source = ?", ev->source, 0);
	if (attempts >= core_config.bus_attempts) {
		env = bus_event_json(ev);
		json = cJSON_PrintUnformatted(env);
		cJSON_Delete(env);
		if ((st = core_db_stmt(db, "INSERT INTO bus_dead (source, seq,"
		    " type, envelope, attempts, error, dead_at) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?)")) != NULL) {
			sqlite3_bind_text(st, 1, ev->source, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, ev->seq);
			sqlite3_bind_text(st, 3, ev->type, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, json, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 5, attempts);
			sqlite3_bind_text(st, 6, bus_error, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 7, core_db_now_ms());
			if (sqlite3_step(st) != SQLITE_DONE)
				core_db_err(db, "dead letter");
		}
		cJSON_free(json);
		if ((st = core_db_stmt(db, "DELETE FROM bus_failure WHERE"
		    " source = ?")) != NULL) {
			sqlite3_bind_text(st, 1, ev->source, -1, SQLITE_STATIC);
			(void)sqlite3_step(st);
		}
		core_metrics_bus(CORE_METRICS_DEAD, 1);
		core_logf("error", "bus: %s dead-lettered %s #%lld (%s) after "
		    "%lld attempts: %s", core_db_name(db), ev->source,
		    (long long)ev->seq, ev->type, (long long)attempts,
		    bus_error);
		return (ev->seq);
	}
	backoff = (int64_t)core_config.bus_backoff_ms << (attempts - 1);
	if (backoff > 60000)
		backoff = 60000;
	if ((st = core_db_stmt(db, "INSERT INTO bus_failure (source, seq,"
	    " attempts, next_at, error) VALUES (?, ?, ?, ?, ?)"
	    " ON CONFLICT (source) DO UPDATE SET seq = excluded.seq,"
	    " attempts = excluded.attempts, next_at = excluded.next_at,"
	    " error = excluded.error")) != NULL) {
		sqlite3_bind_text(st, 1, ev->source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ev->seq);
		sqlite3_bind_int64(st, 3, attempts);
		sqlite3_bind_int64(st, 4, core_db_now_ms() + backoff);
		sqlite3_bind_text(st, 5, bus_error, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			core_db_err(db, "record failure");
	}
	core_logf("warn", "bus: %s failed %s #%lld (%s), attempt %lld: %s",
	    core_db_name(db), ev->source, (long long)ev->seq, ev->type,
	    (long long)attempts, bus_error);
	return (cursor);
}

/*
 * Delivers one batch of source's events to module m.  Returns 1 if more
 * may be waiting, 0 when caught up or blocked, -1 on a db error.
 */
static int
bus_deliver_batch(const struct core_module *m, const char *source)
{
	const struct core_sub	*sub;
	struct core_event	 ev;
	sqlite3			*db, *src;
	sqlite3_stmt		*st;
	int64_t			 cursor, start, next_at;
	int			 n, failed, rc, delivered, what, more;
	char			 savedid[65];
	cJSON			*payload;

	db = core_db_get(m->name);
	src = core_db_get(source);
	if (db == NULL || src == NULL ||
	    (what = bus_pair_pending(m, source)) == BUS_NONE)
		return (0);
	if ((what == BUS_SKIP ? core_db_begin_lazy(db) :
	    core_db_begin(db)) == -1)
		return (-1);
	cursor = core_db_scalar(db, "SELECT seq FROM bus_cursor WHERE"
	    " source = ?", source, 0);
	next_at = core_db_scalar(db, "SELECT next_at FROM bus_failure WHERE"
	    " source = ?", source, 0);
	if (next_at > core_db_now_ms()) {
		core_db_rollback(db);
		return (0);
	}
	start = cursor;
	if ((st = core_db_stmt(src, "SELECT seq, id, type, version,"
	    " aggregate_id, occurred_at, correlation_id, payload FROM"
	    " bus_outbox WHERE seq > ? ORDER BY seq LIMIT ?")) == NULL) {
		core_db_rollback(db);
		return (-1);
	}
	sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int(st, 2, BUS_BATCH);
	snprintf(savedid, sizeof(savedid), "%s",
	    core_http_current_request_id());
	n = failed = delivered = more = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if ((payload = bus_event_from_row(&ev, st, source)) == NULL) {
			/* A corrupt payload can never succeed. */
			core_bus_set_error("payload is not valid JSON");
			cursor = bus_record_failure(db, &ev, cursor);
			failed = 1;
			break;
		}
		if ((sub = bus_find_sub(m, source, ev.type)) == NULL) {
			cursor = ev.seq;
			cJSON_Delete(payload);
			continue;
		}
		if (what == BUS_SKIP) {
			/* Arrived since the peek: deliver it durably. */
			cJSON_Delete(payload);
			more = 1;
			break;
		}
		core_http_set_current_request_id(ev.correlation_id);
		bus_error[0] = '\0';
		if (core_db_exec(db, "SAVEPOINT bus_event") == -1) {
			cJSON_Delete(payload);
			failed = 1;
			break;
		}
		if (sub->handler(db, &ev) == 0) {
			core_db_exec(db, "RELEASE bus_event");
			cursor = ev.seq;
			delivered++;
		} else {
			core_db_exec(db, "ROLLBACK TO bus_event");
			core_db_exec(db, "RELEASE bus_event");
			if (bus_error[0] == '\0')
				core_bus_set_error("handler failed");
			core_metrics_bus(CORE_METRICS_FAILED, 1);
			cursor = bus_record_failure(db, &ev, cursor);
			failed = 1;
		}
		cJSON_Delete(payload);
		if (failed)
			break;
	}
	sqlite3_reset(st);
	core_http_set_current_request_id(savedid);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		core_db_err(src, "read outbox");
		core_db_rollback(db);
		return (-1);
	}
	if (!failed && (st = core_db_stmt(db, "DELETE FROM bus_failure"
	    " WHERE source = ?")) != NULL) {
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		(void)sqlite3_step(st);
	}
	if (cursor > start) {
		if ((st = core_db_stmt(db, "INSERT INTO bus_cursor (source, seq)"
		    " VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET"
		    " seq = excluded.seq")) == NULL) {
			core_db_rollback(db);
			return (-1);
		}
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, cursor);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "advance cursor");
			core_db_rollback(db);
			return (-1);
		}
	}
	if (core_db_commit(db) == -1)
		return (-1);
	if (delivered > 0)
		core_metrics_bus(CORE_METRICS_DELIVERED, delivered);
	return (failed ? 0 : more || n == BUS_BATCH);
}

static int
bus_deliver_pair(const struct core_module *m, const char *source)
{
	int	rc;

	while ((rc = bus_deliver_batch(m, source)) == 1)
		;
	return (rc);
}

void
core_bus_each_source(const struct core_module *m,
    void (*fn)(const struct core_module *, const char *))
{
	const struct core_sub	*s, *t;

	for (s = m->subs; s != NULL && s->source != NULL; s++) {
		for (t = m->subs; t != s; t++)
			if (strcmp(t->source, s->source) == 0)
				break;
		if (t == s)
			fn(m, s->source);
	}
}

static void
bus_pair_fn(const struct core_module *m, const char *source)
{
	if (bus_in_round(source))
		(void)bus_deliver_pair(m, source);
}

void
core_bus_deliver_all(void)
{
	bus_all = 1;
	bus_run();
}

void
core_bus_sweep(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	core_bus_deliver_all();
}

cJSON *
core_bus_envelope(sqlite3 *src, int64_t seq)
{
	struct core_event	 ev;
	sqlite3_stmt		*st;
	cJSON			*o, *payload;

	memset(&ev, 0, sizeof(ev));
	if ((st = core_db_stmt(src, "SELECT seq, id, type, version,"
	    " aggregate_id, occurred_at, correlation_id, payload FROM"
	    " bus_outbox WHERE seq = ?")) == NULL)
		return (NULL);
	sqlite3_bind_int64(st, 1, seq);
	o = payload = NULL;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (payload = bus_event_from_row(&ev, st, core_db_name(src))) != NULL)
		o = bus_event_json(&ev);
	cJSON_Delete(payload);
	sqlite3_reset(st);
	return (o);
}

/* 1 if every subscription of m to source feeds a rebuildable read model. */
static int
bus_source_rebuilds(const struct core_module *m, const char *source)
{
	const struct core_sub	*s;

	for (s = m->subs; s != NULL && s->source != NULL; s++)
		if (strcmp(s->source, source) == 0 && !s->rebuild)
			return (0);
	return (1);
}

static int		 bus_replay_failed;

static void
bus_replay_clear_fn(const struct core_module *m, const char *source)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	size_t		 i;
	static const char *const sql[] = {
		"DELETE FROM bus_cursor WHERE source = ?",
		"DELETE FROM bus_failure WHERE source = ?",
		"DELETE FROM bus_dead WHERE source = ?",
	};

	if (!bus_source_rebuilds(m, source))
		return;
	db = core_db_get(m->name);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if ((st = core_db_stmt(db, sql[i])) == NULL) {
			bus_replay_failed = 1;
			return;
		}
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			bus_replay_failed = 1;
	}
}

static void
bus_replay_fn(const struct core_module *m, const char *source)
{
	if (bus_source_rebuilds(m, source))
		(void)bus_deliver_pair(m, source);
}

int
core_bus_replay(const char *subscriber)
{
	const struct core_module	*m;
	sqlite3				*db;

	if ((m = core_module_get(subscriber)) == NULL ||
	    (db = core_db_get(subscriber)) == NULL)
		return (-1);
	if (core_db_begin(db) == -1)
		return (-1);
	bus_replay_failed = 0;
	if (m->reset != NULL && m->reset(db) == -1)
		bus_replay_failed = 1;
	else
		core_bus_each_source(m, bus_replay_clear_fn);
	if (bus_replay_failed) {
		core_db_rollback(db);
		return (-1);
	}
	if (core_db_commit(db) == -1)
		return (-1);
	bus_replay = 1;
	core_bus_each_source(m, bus_replay_fn);
	bus_replay = 0;
	return (0);
}

int
core_bus_retry_dead(const char *subscriber, int64_t id)
{
	const struct core_module	*m;
	const struct core_sub		*sub;
	struct core_event		 ev;
	sqlite3				*db;
	sqlite3_stmt			*st;
	cJSON				*env;
	int				 rc;

	if ((m = core_module_get(subscriber)) == NULL ||
	    (db = core_db_get(subscriber)) == NULL)
		return (-1);
	if (core_db_begin(db) == -1)
		return (-1);
	if ((st = core_db_stmt(db, "SELECT envelope FROM bus_dead WHERE"
	    " id = ?")) == NULL) {
		core_db_rollback(db);
		return (-1);
	}
	sqlite3_bind_int64(st, 1, id);
	env = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		env = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (env == NULL) {
		core_db_rollback(db);
		return (-1);
	}
	memset(&ev, 0, sizeof(ev));
	ev.seq = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(env, "seq"));
	ev.id = cJSON_GetStringValue(cJSON_GetObjectItem(env, "id"));
	ev.source = cJSON_GetStringValue(cJSON_GetObjectItem(env, "source"));
	ev.type = cJSON_GetStringValue(cJSON_GetObjectItem(env, "type"));
	ev.version = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(env,
	    "version"));
	ev.aggregate_id = cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "aggregate_id"));
	ev.occurred_at = cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "occurred_at"));
	ev.correlation_id = cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "correlation_id"));
	ev.payload = cJSON_GetObjectItem(env, "payload");
	rc = 1;
	bus_error[0] = '\0';
	if (ev.source != NULL && ev.type != NULL &&
	    (sub = bus_find_sub(m, ev.source, ev.type)) != NULL &&
	    sub->handler(db, &ev) == 0) {
		if ((st = core_db_stmt(db, "DELETE FROM bus_dead WHERE id = ?"))
		    != NULL) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_DONE &&
			    core_db_commit(db) == 0)
				rc = 0;
		}
	}
	if (rc != 0) {
		core_db_rollback(db);
		if (bus_error[0] == '\0')
			core_bus_set_error("handler failed");
		if (core_db_begin(db) == 0 && (st = core_db_stmt(db,
		    "UPDATE bus_dead SET attempts = attempts + 1, error = ?"
		    " WHERE id = ?")) != NULL) {
			sqlite3_bind_text(st, 1, bus_error, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, id);
			(void)sqlite3_step(st);
			(void)core_db_commit(db);
		}
		core_db_rollback(db);
	}
	cJSON_Delete(env);
	return (rc);
}
