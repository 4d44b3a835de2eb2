/*
 * Liveness, readiness and the metrics endpoint.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_int.h"
#include "core/core_module.h"

static int	health_live(struct core_req *);
static int	health_ready(struct core_req *);

const struct core_route core_health_routes[] = {
	{ HTTP_METHOD_GET, "/healthz", health_live, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/readyz", health_ready, CORE_ACCESS_PUBLIC, 0 },
	{ HTTP_METHOD_GET, "/metrics", core_metrics_handler,
	    CORE_ACCESS_PUBLIC, 0 },
	{ 0, NULL, NULL, 0, 0 }
};

static int
health_live(struct core_req *r)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/* "ok" if name's file is open and at this binary's schema version. */
static const char *
health_file(const char *name)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 v;

	if ((db = core_db_get(name)) == NULL)
		return ("not open");
	if ((st = core_db_stmt(db, "PRAGMA user_version")) == NULL)
		return ("unreadable");
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_reset(st);
	if (v != core_db_schema_version(name))
		return ("not migrated");
	return ("ok");
}

static int
health_ready(struct core_req *r)
{
	cJSON		*o, *files;
	const char	*s;
	int		 i, ready;

	files = cJSON_CreateObject();
	s = health_file("identity");
	ready = strcmp(s, "ok") == 0;
	cJSON_AddStringToObject(files, "identity", s);
	for (i = 0; core_modules[i] != NULL; i++) {
		s = health_file(core_modules[i]->name);
		ready = ready && strcmp(s, "ok") == 0;
		cJSON_AddStringToObject(files, core_modules[i]->name, s);
	}
	if (!ready) {
		core_http_problem(r, 503, "not-ready", "Not ready",
		    "a data file is not open or not migrated", NULL);
		cJSON_Delete(files);
		return (KORE_RESULT_OK);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ready");
	cJSON_AddItemToObject(o, "files", files);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}
