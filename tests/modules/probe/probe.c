/*
 * probe: a test-only publisher module, compiled only into the bus test
 * binary (build/mercato-test).  Staff post notes; each note and its
 * probe.note.created event commit together.  Fault injection for the bus
 * tests: "fail": true publishes then rolls back (no note, no event);
 * "crash": true commits and then kills the whole server before the
 * in-process delivery can run.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core_bus.h"
#include "core/core_config.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_module.h"

static int	probe_init(sqlite3 *);
static void	probe_kill_parent(void);
static int	probe_post(struct core_req *);
static int	probe_list(struct core_req *);

static const struct core_route probe_routes[] = {
	{ HTTP_METHOD_POST, "/api/v1/probe/notes", probe_post,
	    CORE_ACCESS_STAFF, 0 },
	{ HTTP_METHOD_GET, "/api/v1/probe/notes", probe_list,
	    CORE_ACCESS_STAFF, 0 },
	{ 0, NULL, NULL, 0, 0 }
};

const struct core_module probe_module = {
	.name = "probe",
	.sync_full = 1,
	.init = probe_init,
	.routes = probe_routes,
};

static void
probe_kill_parent(void)
{
	FILE	*fp;
	char	 path[1100];
	int	 pid;

	snprintf(path, sizeof(path), "%s/mercato.pid", core_config.data);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%d", &pid) == 1 && pid > 1)
			kill(pid, SIGKILL);
		fclose(fp);
	}
}

static int
probe_init(sqlite3 *db)
{
	return (core_db_exec(db, "CREATE TABLE IF NOT EXISTS probe_notes ("
	    " id TEXT PRIMARY KEY, text TEXT NOT NULL)"));
}

static int
probe_post(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*p, *errors;
	const char	*text;
	char		 id[CORE_ID_MAX];
	int		 fail, crash;

	errors = NULL;
	if (r->body == NULL || core_json_get_str(r->body, "text", 500,
	    &text) != CORE_JSON_OK) {
		core_http_field_error(&errors, "text", "is required");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	fail = crash = 0;
	(void)core_json_get_bool(r->body, "fail", &fail);
	(void)core_json_get_bool(r->body, "crash", &crash);
	db = core_db_get("probe");
	core_id_new(id, sizeof(id), "note");
	if (core_db_begin(db) == -1)
		goto err;
	if ((st = core_db_stmt(db, "INSERT INTO probe_notes (id, text)"
	    " VALUES (?, ?)")) == NULL)
		goto err;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto err;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "note_id", id);
	cJSON_AddStringToObject(p, "text", text);
	if (core_bus_publish(db, "probe.note.created", 1, id, p) == -1) {
		cJSON_Delete(p);
		goto err;
	}
	cJSON_Delete(p);
	if (fail) {
		core_db_rollback(db);
		core_http_problem(r, 409, "injected", "Injected failure",
		    "the note and its event were rolled back", NULL);
		return (KORE_RESULT_OK);
	}
	if (crash) {
		/*
		 * Commit behind core's back, then die before delivery: kill
		 * the parent (its pid is in data/mercato.pid; getppid is not
		 * in the sandbox) and this worker.  Other workers follow
		 * when they see the parent gone.
		 */
		if (core_db_exec(db, "COMMIT") == -1)
			goto err;
		probe_kill_parent();
		_exit(1);
	}
	if (core_db_commit(db) == -1)
		goto err;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "id", id);
	cJSON_AddStringToObject(p, "text", text);
	core_http_json_take(r, 201, p);
	return (KORE_RESULT_OK);
err:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}

static int
probe_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data, *o;

	if ((st = core_db_stmt(core_db_get("probe"), "SELECT id, text FROM"
	    " probe_notes ORDER BY id")) == NULL) {
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	data = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id",
		    (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(o, "text",
		    (const char *)sqlite3_column_text(st, 1));
		cJSON_AddItemToArray(data, o);
	}
	sqlite3_reset(st);
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}
