/*
 * The import endpoints.  POST /imports?dry_run=true checks a file and
 * answers the report at once (checking writes nothing and is quick);
 * without dry_run the file is queued as a background job and the answer
 * is 202 with the job, whose progress GET /imports/{id} shows while the
 * workers import it (catalog_import_job.c).  GET /imports lists the
 * recent jobs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

#define CATALOG_IMPORT_FILENAME_MAX	200

static cJSON	*catalog_import_row_json(sqlite3_stmt *);
static cJSON	*catalog_import_errors_json(sqlite3 *, const char *);

#define CATALOG_IMPORT_COLS	"id, state, filename, rows_total, rows_done," \
	" products_total, products_done, created, updated, errors_count," \
	" failure, created_by, created_at, updated_at, finished_at, rowid"

/* The job of the current row of st (CATALOG_IMPORT_COLS). */
static cJSON *
catalog_import_row_json(sqlite3_stmt *st)
{
	static const char *const	nums[] = { "rows_total", "rows_done",
					    "products_total", "products_done",
					    "created", "updated",
					    "errors_count" };
	cJSON				*o, *s;
	size_t				 i;

	o = cJSON_CreateObject();
	catalog_add_text(o, "id", st, 0);
	catalog_add_text(o, "state", st, 1);
	catalog_add_text(o, "filename", st, 2);
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		cJSON_AddNumberToObject(o, nums[i],
		    (double)sqlite3_column_int64(st, 3 + (int)i));
	if (*(const char *)sqlite3_column_text(st, 10) != '\0')
		catalog_add_text(o, "failure", st, 10);
	else
		cJSON_AddNullToObject(o, "failure");
	catalog_add_text(o, "created_by", st, 11);
	core_db_add_time(o, "created_at", st, 12);
	core_db_add_time(o, "updated_at", st, 13);
	core_db_add_time(o, "finished_at", st, 14);
	if (strcmp((const char *)sqlite3_column_text(st, 1), "done") != 0) {
		cJSON_AddNullToObject(o, "summary");
		return (o);
	}
	s = cJSON_AddObjectToObject(o, "summary");
	cJSON_AddNumberToObject(s, "rows", (double)sqlite3_column_int64(st, 3));
	cJSON_AddNumberToObject(s, "products",
	    (double)sqlite3_column_int64(st, 5));
	cJSON_AddNumberToObject(s, "created",
	    (double)sqlite3_column_int64(st, 7));
	cJSON_AddNumberToObject(s, "updated",
	    (double)sqlite3_column_int64(st, 8));
	cJSON_AddNumberToObject(s, "errors",
	    (double)sqlite3_column_int64(st, 9));
	return (o);
}

/* The recorded row errors of job id, in order; NULL on a db error. */
static cJSON *
catalog_import_errors_json(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;
	cJSON		*a, *e;
	int		 rc;

	if ((st = core_db_stmt(db, "SELECT line, handle, field, message FROM"
	    " import_job_errors WHERE job = ? ORDER BY n")) == NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	a = cJSON_CreateArray();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "line",
		    (double)sqlite3_column_int64(st, 0));
		catalog_add_text(e, "handle", st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			catalog_add_text(e, "field", st, 2);
		catalog_add_text(e, "message", st, 3);
		cJSON_AddItemToArray(a, e);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		core_db_err(db, "import errors");
		cJSON_Delete(a);
		return (NULL);
	}
	return (a);
}

/*
 * Job id as JSON, with its recorded errors when errors is set.  NULL when
 * there is no such job (or on a db error, logged).
 */
cJSON *
catalog_import_job_json(sqlite3 *db, const char *id, int errors)
{
	sqlite3_stmt	*st;
	cJSON		*o, *a;

	if ((st = core_db_stmt(db, "SELECT " CATALOG_IMPORT_COLS
	    " FROM import_jobs WHERE id = ?")) == NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (NULL);
	}
	o = catalog_import_row_json(st);
	sqlite3_reset(st);
	if (!errors)
		return (o);
	if ((a = catalog_import_errors_json(db, id)) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	cJSON_AddItemToObject(o, "errors", a);
	return (o);
}

/* POST /api/v1/catalog/imports?dry_run=: {"csv", "filename"?}. */
int
catalog_import_http(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*report, *errors, *m;
	const char	*csv, *filename;
	char		 dry[8], id[CORE_ID_MAX];
	int		 rc, dry_run;

	errors = NULL;
	rc = core_http_query(r, "dry_run", dry, sizeof(dry));
	dry_run = rc == 1 && strcmp(dry, "true") == 0;
	if (rc == -1 || (rc == 1 && !dry_run && strcmp(dry, "false") != 0)) {
		core_http_field_error(&errors, "dry_run",
		    "must be true or false");
		core_http_bad_query(r, "import", errors);
		return (KORE_RESULT_OK);
	}
	if (r->body == NULL || core_json_get_str(r->body, "csv",
	    CATALOG_CSV_BYTES_MAX, &csv) != CORE_JSON_OK)
		core_http_field_error(&errors, "csv", "is required: the CSV "
		    "file as one string");
	filename = "";
	if (r->body != NULL && core_json_get_str(r->body, "filename",
	    CATALOG_IMPORT_FILENAME_MAX, &filename) == CORE_JSON_WRONG)
		core_http_field_error(&errors, "filename",
		    "must be a string of at most 200 bytes");
	if (filename == NULL)
		filename = "";
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("catalog");
	report = NULL;
	if (dry_run)
		rc = catalog_import_check(db, csv, strlen(csv), &report);
	else
		rc = catalog_import_job_create(db, csv, strlen(csv), filename,
		    r->who.sub, id, sizeof(id), &errors);
	if (rc == -1) {
		cJSON_Delete(report);
		return (core_http_internal(r));
	}
	if (rc == 1) {
		m = cJSON_CreateObject();
		cJSON_AddItemToObject(m, "errors", dry_run ?
		    cJSON_DetachItemFromObject(report, "errors") : errors);
		cJSON_Delete(report);
		core_http_problem_with(r, 422, "invalid-csv", "Invalid CSV",
		    "the file is not a product CSV; errors[] says where", m);
		return (KORE_RESULT_OK);
	}
	if (rc == 2) {
		core_http_problem(r, 409, "imports-busy", "Too many imports",
		    "5 imports are queued or running; wait for one to finish",
		    NULL);
		return (KORE_RESULT_OK);
	}
	if (dry_run) {
		core_http_json_take(r, 200, report);
		return (KORE_RESULT_OK);
	}
	if ((report = catalog_import_job_json(db, id, 1)) == NULL)
		return (core_http_internal(r));
	core_http_location(r, "/api/v1/catalog/imports/", id);
	core_http_json_take(r, 202, report);
	return (KORE_RESULT_OK);
}

/* GET /api/v1/catalog/imports/{id}: the job, its progress and errors. */
int
catalog_import_get(struct core_req *r)
{
	cJSON	*o;

	if ((o = catalog_import_job_json(core_db_get("catalog"),
	    r->params[0], 1)) == NULL)
		return (core_http_not_found(r, "not-found",
		    "there is no import with this id"));
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/* GET /api/v1/catalog/imports?limit=&after=: newest first. */
int
catalog_import_list(struct core_req *r)
{
	sqlite3_stmt	*st;
	cJSON		*data, *errors;
	char		 after[24], next[24];
	int64_t		 from, last;
	int		 limit, n;

	if (core_http_page(r, 20, CATALOG_PAGE_MAX, &limit, after,
	    sizeof(after)) == -1)
		return (KORE_RESULT_OK);
	errors = NULL;
	if (core_http_cursor_rowid(after, INT64_MAX, &from, &errors) == -1) {
		core_http_bad_query(r, "list", errors);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(core_db_get("catalog"), "SELECT "
	    CATALOG_IMPORT_COLS " FROM import_jobs WHERE rowid < ?"
	    " ORDER BY rowid DESC LIMIT ?")) == NULL)
		return (core_http_internal(r));
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int(st, 2, limit);
	data = cJSON_CreateArray();
	n = 0;
	last = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddItemToArray(data, catalog_import_row_json(st));
		last = sqlite3_column_int64(st, 15);
		n++;
	}
	sqlite3_reset(st);
	snprintf(next, sizeof(next), "%lld", (long long)last);
	core_http_json_take(r, 200, core_http_page_body(data,
	    n == limit ? next : NULL));
	return (KORE_RESULT_OK);
}
