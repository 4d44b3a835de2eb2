/*
 * tally: a test-only subscriber module, compiled only into the bus test
 * binary.  Its read model counts events by type and lists every applied
 * event (no uniqueness on purpose, so a double application would show).
 * A probe note whose text starts with "poison" fails until staff "heal"
 * the module, which drives the retry and dead-letter tests.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_bus.h"
#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_module.h"

static int	tally_init(sqlite3 *);
static int	tally_reset(sqlite3 *);
static int	tally_apply(sqlite3 *, const struct core_event *);
static int	tally_get(struct core_req *);
static int	tally_heal(struct core_req *);

static const struct core_route tally_routes[] = {
	{ HTTP_METHOD_GET, "/api/v1/tally", tally_get, CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_POST, "/api/v1/tally/heal", tally_heal,
	    CORE_ACCESS_STAFF, 0 },
	{ 0, NULL, NULL, 0, 0 }
};

static const struct core_sub tally_subs[] = {
	{ "probe", "probe.*", tally_apply, 1 },
	{ "identity", "identity.customer.registered", tally_apply, 1 },
	{ NULL, NULL, NULL, 0 }
};

const struct core_module tally_module = {
	.name = "tally",
	.sync_full = 0,
	.init = tally_init,
	.reset = tally_reset,
	.routes = tally_routes,
	.subs = tally_subs,
};

static int
tally_init(sqlite3 *db)
{
	return (core_db_exec(db,
	    "CREATE TABLE IF NOT EXISTS tally_counts ("
	    " type TEXT PRIMARY KEY, n INTEGER NOT NULL);"
	    "CREATE TABLE IF NOT EXISTS tally_applied ("
	    " source TEXT NOT NULL, seq INTEGER NOT NULL,"
	    " event_id TEXT NOT NULL, type TEXT NOT NULL);"
	    "CREATE TABLE IF NOT EXISTS tally_settings ("
	    " key TEXT PRIMARY KEY, value INTEGER NOT NULL)"));
}

static int
tally_reset(sqlite3 *db)
{
	return (core_db_exec(db, "DELETE FROM tally_counts;"
	    " DELETE FROM tally_applied"));
}

static int
tally_apply(sqlite3 *db, const struct core_event *ev)
{
	sqlite3_stmt	*st;
	const char	*text;
	int		 healed;

	if (core_json_get_str(ev->payload, "text", 500, &text) ==
	    CORE_JSON_OK && strncmp(text, "poison", 6) == 0) {
		healed = 0;
		if ((st = core_db_stmt(db, "SELECT value FROM tally_settings"
		    " WHERE key = 'healed'")) != NULL) {
			if (sqlite3_step(st) == SQLITE_ROW)
				healed = sqlite3_column_int(st, 0);
			sqlite3_reset(st);
		}
		if (!healed) {
			core_bus_set_error("poisoned note");
			return (-1);
		}
	}
	if ((st = core_db_stmt(db, "INSERT INTO tally_counts (type, n)"
	    " VALUES (?, 1) ON CONFLICT (type) DO UPDATE SET n = n + 1")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, ev->type, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "tally count"));
	if ((st = core_db_stmt(db, "INSERT INTO tally_applied (source, seq,"
	    " event_id, type) VALUES (?, ?, ?, ?)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, ev->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ev->seq);
	sqlite3_bind_text(st, 3, ev->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ev->type, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "tally applied"));
	return (0);
}

static int
tally_get(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*o, *counts, *applied, *a;

	db = core_db_get("tally");
	o = cJSON_CreateObject();
	counts = cJSON_AddObjectToObject(o, "counts");
	applied = cJSON_AddArrayToObject(o, "applied");
	if ((st = core_db_stmt(db, "SELECT type, n FROM tally_counts ORDER BY"
	    " type")) != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW)
			cJSON_AddNumberToObject(counts,
			    (const char *)sqlite3_column_text(st, 0),
			    sqlite3_column_int(st, 1));
		sqlite3_reset(st);
	}
	if ((st = core_db_stmt(db, "SELECT source, seq, event_id, type FROM"
	    " tally_applied ORDER BY rowid")) != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "source",
			    (const char *)sqlite3_column_text(st, 0));
			cJSON_AddNumberToObject(a, "seq",
			    (double)sqlite3_column_int64(st, 1));
			cJSON_AddStringToObject(a, "event_id",
			    (const char *)sqlite3_column_text(st, 2));
			cJSON_AddStringToObject(a, "type",
			    (const char *)sqlite3_column_text(st, 3));
			cJSON_AddItemToArray(applied, a);
		}
		sqlite3_reset(st);
	}
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

static int
tally_heal(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o;

	db = core_db_get("tally");
	if (core_db_begin(db) == -1 || core_db_exec(db, "INSERT INTO"
	    " tally_settings (key, value) VALUES ('healed', 1) ON CONFLICT"
	    " (key) DO UPDATE SET value = 1") == -1 ||
	    core_db_commit(db) == -1) {
		core_db_rollback(db);
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "healed", 1);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}
