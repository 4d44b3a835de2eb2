/*
 * `mercato import products FILE.csv [dry-run]`: the server's import from
 * the command line, on the data dir.  A dry run checks the file and prints
 * the report.  An import queues the file as a job like POST /imports does
 * and works on it in this process with the same code, so a server running
 * on the same data dir sees its progress, and resumes it if this process
 * is killed.  On a terminal, stderr shows a progress bar.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/catalog/catalog_int.h"

#define CATALOG_CLI_BAR		30
#define CATALOG_CLI_SLICE_US	100000

static char	*catalog_cli_read(const char *, size_t *);
static int	 catalog_cli_wait(sqlite3 *, const char *, int);
static void	 catalog_cli_bar(int64_t, int64_t, int64_t);

/* The whole file, NUL-terminated, or NULL after saying why on stderr. */
static char *
catalog_cli_read(const char *path, size_t *len)
{
	FILE		*f;
	struct stat	 sb;
	char		*data;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &sb) == -1) {
		fprintf(stderr, "mercato: %s: cannot open\n", path);
		if (f != NULL)
			fclose(f);
		return (NULL);
	}
	if (sb.st_size > CATALOG_CSV_BYTES_MAX + 3) {
		fprintf(stderr, "mercato: %s: larger than 10 MiB\n", path);
		fclose(f);
		return (NULL);
	}
	if ((data = malloc((size_t)sb.st_size + 1)) == NULL ||
	    fread(data, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		fprintf(stderr, "mercato: %s: cannot read\n", path);
		free(data);
		fclose(f);
		return (NULL);
	}
	fclose(f);
	data[sb.st_size] = '\0';
	*len = (size_t)sb.st_size;
	return (data);
}

/* "\r[#########.....] 1200/5000 rows, 3 errors" */
static void
catalog_cli_bar(int64_t done, int64_t total, int64_t errors)
{
	char	bar[CATALOG_CLI_BAR + 1];
	int	i, n;

	n = total > 0 ? (int)(done * CATALOG_CLI_BAR / total) : CATALOG_CLI_BAR;
	for (i = 0; i < CATALOG_CLI_BAR; i++)
		bar[i] = i < n ? '#' : '.';
	bar[CATALOG_CLI_BAR] = '\0';
	fprintf(stderr, "\r[%s] %lld/%lld rows, %lld error%s", bar,
	    (long long)done, (long long)total, (long long)errors,
	    errors == 1 ? "" : "s");
	fflush(stderr);
}

/*
 * Works on job id until it is finished, whoever else helps; with tty a
 * progress bar on stderr.  Returns 0 when it is done, -1 when it failed.
 */
static int
catalog_cli_wait(sqlite3 *db, const char *id, int tty)
{
	sqlite3_stmt		*st;
	struct timespec		 nap = { 0, 100 * 1000 * 1000 };
	int64_t			 done, total, errors;
	int			 finished, failed;

	for (;;) {
		if (catalog_import_job_work(db, id, CATALOG_CLI_SLICE_US) == 0)
			nanosleep(&nap, NULL);
		if ((st = core_db_stmt(db, "SELECT state IN ('done', 'failed'),"
		    " state = 'failed', rows_done, rows_total, errors_count"
		    " FROM import_jobs WHERE id = ?")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return (-1);
		}
		finished = sqlite3_column_int(st, 0);
		failed = sqlite3_column_int(st, 1);
		done = sqlite3_column_int64(st, 2);
		total = sqlite3_column_int64(st, 3);
		errors = sqlite3_column_int64(st, 4);
		sqlite3_reset(st);
		if (tty)
			catalog_cli_bar(done, total, errors);
		if (finished) {
			if (tty)
				fputc('\n', stderr);
			return (failed ? -1 : 0);
		}
	}
}

/*
 * `mercato import products FILE.csv [dry-run]`: the report as JSON on
 * stdout ({"rows","products","created","updated","errors"}, and the
 * "job" of an import); exits 0 when no row had an error, 1 otherwise.
 */
int
catalog_import_cli(int argc, char **argv)
{
	sqlite3		*db;
	cJSON		*report, *job, *errors;
	const char	*base;
	char		*data, *out, id[CORE_ID_MAX];
	size_t		 len;
	int		 dry_run, rc, tty;

	if (argc < 1 || argc > 2 || (argc == 2 &&
	    strcmp(argv[1], "dry-run") != 0)) {
		fprintf(stderr, "usage: mercato import products FILE.csv "
		    "[dry-run] [--data DIR]\n");
		return (1);
	}
	dry_run = argc == 2;
	job = NULL;
	if ((data = catalog_cli_read(argv[0], &len)) == NULL)
		return (1);
	db = core_db_get("catalog");
	tty = isatty(STDERR_FILENO);
	if (dry_run) {
		rc = catalog_import_check(db, data, len, &report);
	} else {
		base = strrchr(argv[0], '/');
		base = base != NULL ? base + 1 : argv[0];
		report = NULL;
		rc = catalog_import_job_create(db, data, len, base, "cli", id,
		    sizeof(id), &errors);
		if (rc == 1) {
			report = cJSON_CreateObject();
			cJSON_AddNumberToObject(report, "rows", 0);
			cJSON_AddNumberToObject(report, "products", 0);
			cJSON_AddNumberToObject(report, "created", 0);
			cJSON_AddNumberToObject(report, "updated", 0);
			cJSON_AddItemToObject(report, "errors", errors);
		} else if (rc == 2) {
			fprintf(stderr, "mercato: 5 imports are unfinished; "
			    "wait for one to finish\n");
		} else if (rc == 0) {
			rc = catalog_cli_wait(db, id, tty);
			if ((job = catalog_import_job_json(db, id, 1)) == NULL)
				rc = -1;
		}
		if (rc == 0 || (rc == -1 && job != NULL)) {
			report = cJSON_CreateObject();
			cJSON_AddStringToObject(report, "job", id);
			cJSON_AddItemToObject(report, "rows",
			    cJSON_DetachItemFromObject(job, "rows_total"));
			cJSON_AddItemToObject(report, "products",
			    cJSON_DetachItemFromObject(job, "products_total"));
			cJSON_AddItemToObject(report, "created",
			    cJSON_DetachItemFromObject(job, "created"));
			cJSON_AddItemToObject(report, "updated",
			    cJSON_DetachItemFromObject(job, "updated"));
			cJSON_AddItemToObject(report, "errors",
			    cJSON_DetachItemFromObject(job, "errors"));
			if (rc == -1)
				fprintf(stderr, "mercato: import %s failed: "
				    "%s\n", id, cJSON_GetStringValue(
				    cJSON_GetObjectItem(job, "failure")));
			cJSON_Delete(job);
		}
	}
	free(data);
	if (report == NULL)
		return (1);
	out = cJSON_Print(report);
	printf("%s\n", out);
	cJSON_free(out);
	if (!tty || !dry_run)
		fprintf(stderr, "%s: %d rows, %d created, %d updated, %d "
		    "errors\n", dry_run ? "checked" : "imported",
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(report,
		    "rows")), (int)cJSON_GetNumberValue(cJSON_GetObjectItem(
		    report, "created")), (int)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(report, "updated")),
		    cJSON_GetArraySize(cJSON_GetObjectItem(report, "errors")));
	if (rc == 0 && cJSON_GetArraySize(cJSON_GetObjectItem(report,
	    "errors")) > 0)
		rc = 1;
	cJSON_Delete(report);
	return (rc == 0 ? 0 : 1);
}
