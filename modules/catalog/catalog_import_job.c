/*
 * CSV imports as background jobs.  A job (import_jobs, its file in
 * import_job_files) is worked on by one process at a time: the one that
 * holds its lease.  Each worker runs a Kore timer that, every tick, claims
 * the oldest unfinished job when its lease is free or expired and imports
 * products for a bounded time (one transaction per slice, a savepoint per
 * product), so the worker keeps answering requests.  The same transaction
 * moves the job's counters with a compare-and-set on products_done and
 * renews the lease: the work and the progress commit together, a crash
 * loses at most the slice in flight (which is then done again from the
 * start), and a second process that believed it held the job finds
 * products_done moved and lets go.  No product is written twice, so no
 * stock movement or price event is doubled.  The CLI runs the same code
 * on its own job (catalog_import_cli.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_log.h"
#include "modules/catalog/catalog_int.h"

#define CATALOG_IMPORT_LEASE_MS		3000	/* a dead holder's delay */
#define CATALOG_IMPORT_TRIES		3	/* db errors before skipping */
#define CATALOG_IMPORT_OPEN_MAX		5	/* unfinished jobs at once */
#define CATALOG_IMPORT_TICK_MS		20	/* timer, at least */
#define CATALOG_IMPORT_SLICE_US		8000	/* work per tick */
#define CATALOG_IMPORT_POLL_MS		250	/* looking for a job, idle */

/* The job this process holds: its parsed file and where it stands. */
struct catalog_import_held {
	char			 id[CORE_ID_MAX];
	struct catalog_import	*imp;
	size_t			 done;		/* products_done, committed */
	int64_t			 errors;	/* errors_count, committed */
	size_t			 fail_at;	/* the product that failed */
	int			 tries;		/* and how often */
	char			 request_id[65];
};

/* What one slice did, to be committed with it. */
struct catalog_import_batch {
	size_t			 next;		/* the first product not done */
	size_t			 rows;
	int64_t			 nerr, created, updated;
	cJSON			*errs;		/* their row errors */
};

static int	catalog_import_job_claim(sqlite3 *, const char *);
static int	catalog_import_job_load(sqlite3 *);
static void	catalog_import_job_fail(sqlite3 *, const char *, const char *);
static void	catalog_import_job_drop(void);
static int	catalog_import_job_step(sqlite3 *, uint64_t);
static int	catalog_import_job_advance(sqlite3 *,
		    const struct catalog_import_batch *);
static void	catalog_import_job_tick(void *, u_int64_t);
static void	catalog_import_job_stats(const char *, uint64_t, int);

/*
 * How long each call of catalog_import_job_work kept the process busy
 * (work, commit and the in-process delivery of the slice's events), per
 * job, in 1 ms buckets: logged when a server worker finishes a job.
 */
#define CATALOG_IMPORT_HIST	64
struct catalog_import_stats {
	uint32_t		 hist[CATALOG_IMPORT_HIST];
	uint64_t		 n, max_us, start_ms;
	size_t			 rows;
};

static struct catalog_import_held	catalog_import_held;
static struct catalog_import_stats	catalog_import_stats;
static char				catalog_import_owner[CORE_ID_MAX];
static int				catalog_import_kicked;

/*
 * The module's per-process start: a lease token of this process and, in a
 * server worker, the timer that works on jobs.  Returns 0.
 */
int
catalog_import_job_init(sqlite3 *db)
{
	core_id_new(catalog_import_owner, sizeof(catalog_import_owner),
	    "lease");
	if (worker != NULL)
		kore_timer_add(catalog_import_job_tick, CATALOG_IMPORT_TICK_MS,
		    NULL, KORE_TIMER_ONESHOT);
	return (0);
}

/*
 * Checks data as a product CSV and stores it as a queued job of who, its
 * id into id.  Returns 0, 1 when the file cannot be read (*errors says
 * where; the caller frees it), 2 when CATALOG_IMPORT_OPEN_MAX jobs are
 * unfinished already, or -1 on a db error.
 */
int
catalog_import_job_create(sqlite3 *db, const char *data, size_t len,
    const char *filename, const char *who, char *id, size_t idlen,
    cJSON **errors)
{
	struct catalog_import	*imp;
	sqlite3_stmt		*st;
	int64_t			 now;
	int			 rc;

	if ((rc = catalog_import_new(&imp, db, data, len, who, errors)) != 0)
		return (rc);
	if (core_db_begin(db) == -1) {
		catalog_import_free(imp);
		return (-1);
	}
	rc = -1;
	if (core_db_scalar(db, "SELECT count(*) FROM import_jobs WHERE state"
	    " IN ('queued', 'running')", NULL, 0) >= CATALOG_IMPORT_OPEN_MAX) {
		rc = 2;
		goto out;
	}
	core_id_new(id, idlen, "imp");
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO import_jobs (id, state,"
	    " filename, rows_total, products_total, created_by, request_id,"
	    " created_at, updated_at) VALUES (?1, 'queued', ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?7)")) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, filename, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)imp->nkeys);
	sqlite3_bind_int64(st, 4, (int64_t)imp->ngroups);
	sqlite3_bind_text(st, 5, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, core_http_current_request_id(), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "import job");
		goto out;
	}
	if ((st = core_db_stmt(db, "INSERT INTO import_job_files (job, data)"
	    " VALUES (?, ?)")) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "import job file");
		goto out;
	}
	if (core_db_commit(db) == -1)
		goto out;
	catalog_import_kicked = 1;
	catalog_import_free(imp);
	return (0);
out:
	core_db_rollback(db);
	catalog_import_free(imp);
	return (rc);
}

/*
 * Claims the oldest unfinished job (or only the job only) unless another
 * process holds a live lease on it, and loads it.  Returns 1 when this
 * process now holds a job, 0 when there is none to take, -1 on an error.
 */
static int
catalog_import_job_claim(sqlite3 *db, const char *only)
{
	sqlite3_stmt	*st;
	char		 id[CORE_ID_MAX];
	int64_t		 now;
	int		 free_;

	now = core_db_now_ms();
	/* A read first: an idle poll must not take the write lock. */
	if ((st = core_db_stmt(db, "SELECT id, lease_owner = ?2 OR"
	    " lease_until <= ?3 FROM import_jobs WHERE state IN ('queued',"
	    " 'running') AND (?1 IS NULL OR id = ?1) ORDER BY created_at, id"
	    " LIMIT 1")) == NULL)
		return (-1);
	if (only != NULL)
		sqlite3_bind_text(st, 1, only, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, catalog_import_owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (0);
	}
	snprintf(id, sizeof(id), "%s", sqlite3_column_text(st, 0));
	free_ = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	if (!free_)
		return (0);
	if (core_db_begin(db) == -1)
		return (-1);
	if ((st = core_db_stmt(db, "UPDATE import_jobs SET state = 'running',"
	    " lease_owner = ?2, lease_until = ?3 + ?4, updated_at = ?3"
	    " WHERE id = ?1 AND state IN ('queued', 'running') AND"
	    " (lease_owner = ?2 OR lease_until <= ?3)")) == NULL) {
		core_db_rollback(db);
		return (-1);
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, catalog_import_owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, CATALOG_IMPORT_LEASE_MS);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "import claim");
		core_db_rollback(db);
		return (-1);
	}
	if (sqlite3_changes(db) != 1) {
		core_db_rollback(db);
		return (0);
	}
	if (core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (-1);
	}
	snprintf(catalog_import_held.id, sizeof(catalog_import_held.id), "%s",
	    id);
	return (catalog_import_job_load(db));
}

/*
 * Reads the claimed job's file and position and parses the file.  A job
 * whose file cannot be read again is marked failed.  Returns 1, 0 (the
 * job failed) or -1.
 */
static int
catalog_import_job_load(sqlite3 *db)
{
	struct catalog_import_held	*h = &catalog_import_held;
	sqlite3_stmt			*st;
	cJSON				*errors;
	char				*data, who[64];
	size_t				 len;
	int				 rc;

	if ((st = core_db_stmt(db, "SELECT j.products_done, j.errors_count,"
	    " j.created_by, j.request_id, f.data FROM import_jobs j LEFT JOIN"
	    " import_job_files f ON f.job = j.id WHERE j.id = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (0);
	}
	h->done = (size_t)sqlite3_column_int64(st, 0);
	h->errors = sqlite3_column_int64(st, 1);
	h->tries = 0;
	snprintf(who, sizeof(who), "%s", sqlite3_column_text(st, 2));
	snprintf(h->request_id, sizeof(h->request_id), "%s",
	    sqlite3_column_text(st, 3));
	len = (size_t)sqlite3_column_bytes(st, 4);
	data = NULL;
	if (sqlite3_column_type(st, 4) == SQLITE_BLOB &&
	    (data = malloc(len + 1)) != NULL)
		memcpy(data, sqlite3_column_blob(st, 4), len);
	sqlite3_reset(st);
	if (data == NULL) {
		catalog_import_job_fail(db, h->id, "the file of the job is "
		    "missing");
		return (0);
	}
	rc = catalog_import_new(&h->imp, db, data, len, who, &errors);
	free(data);
	cJSON_Delete(errors);
	if (rc == 0 && h->done > h->imp->ngroups)
		rc = 1;
	if (rc != 0) {
		catalog_import_job_fail(db, h->id, "the file of the job can "
		    "no longer be read");
		return (0);
	}
	return (1);
}

/* Marks job id failed with why (its file dropped) and lets go of it. */
static void
catalog_import_job_fail(sqlite3 *db, const char *id, const char *why)
{
	sqlite3_stmt	*st;
	int64_t		 now;

	core_logf("error", "catalog import %s failed: %s", id, why);
	now = core_db_now_ms();
	if (core_db_begin(db) == 0) {
		if ((st = core_db_stmt(db, "UPDATE import_jobs SET state ="
		    " 'failed', failure = ?2, lease_owner = '',"
		    " updated_at = ?3,"
		    " finished_at = ?3 WHERE id = ?1")) != NULL) {
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, now);
			if (sqlite3_step(st) != SQLITE_DONE)
				core_db_err(db, "import fail");
		}
		if ((st = core_db_stmt(db, "DELETE FROM import_job_files WHERE"
		    " job = ?")) != NULL) {
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				core_db_err(db, "import fail");
		}
		if (core_db_commit(db) == -1)
			core_db_rollback(db);
	}
	catalog_import_job_drop();
}

/* Forgets the held job (the lease in the file expires by itself). */
static void
catalog_import_job_drop(void)
{
	catalog_import_free(catalog_import_held.imp);
	memset(&catalog_import_held, 0, sizeof(catalog_import_held));
}

/*
 * Imports the held job's next products in one transaction for about
 * budget_us (at least one product), each inside a savepoint so that a
 * product failing on a db error is undone alone, and moves the job past
 * them in the same transaction: one commit (one fsync) per slice, not per
 * product.  A product failing CATALOG_IMPORT_TRIES times is reported as
 * an error and skipped.  Returns 1 when more is left, 0 when the job is
 * finished or was lost to another process, -1 after a db error.
 */
static int
catalog_import_job_step(sqlite3 *db, uint64_t budget_us)
{
	struct catalog_import_held	*h = &catalog_import_held;
	struct catalog_import		*imp = h->imp;
	struct catalog_import_batch	 b;
	cJSON				*e;
	uint64_t			 start;
	size_t				 rows, first;
	int				 rc, nerr;

	start = core_http_now_us();
	memset(&b, 0, sizeof(b));
	b.next = h->done;
	if (core_db_begin(db) == -1)
		return (-1);
	b.errs = cJSON_CreateArray();
	while (b.next < imp->ngroups) {
		if (core_db_exec(db, "SAVEPOINT catalog_import") == -1)
			goto fail;
		rc = catalog_import_product(imp, b.next, 1, b.errs, &rows,
		    &nerr);
		if (rc == -1) {
			if (core_db_exec(db, "ROLLBACK TO catalog_import") ==
			    -1 || core_db_exec(db, "RELEASE catalog_import") ==
			    -1)
				goto fail;
			if (h->fail_at != b.next || h->tries == 0) {
				h->fail_at = b.next;
				h->tries = 0;
			}
			if (++h->tries < CATALOG_IMPORT_TRIES) {
				if (b.next == h->done)
					goto fail;
				break;	/* keep what went well, retry it */
			}
			/* Give up on this product, not on the whole file. */
			first = imp->groups[b.next].first;
			rows = imp->groups[b.next].n;
			nerr = 1;
			rc = CATALOG_IMPORT_SKIPPED;
			e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "line",
			    imp->csv.rows[first].line);
			cJSON_AddStringToObject(e, "handle",
			    catalog_import_f(imp, first, CI_HANDLE));
			cJSON_AddStringToObject(e, "message", "could not be "
			    "written (a database error); nothing of this "
			    "product was written");
			cJSON_AddItemToArray(b.errs, e);
		} else if (core_db_exec(db, "RELEASE catalog_import") == -1) {
			goto fail;
		}
		b.rows += rows;
		b.nerr += nerr;
		b.created += rc == CATALOG_IMPORT_CREATED;
		b.updated += rc == CATALOG_IMPORT_UPDATED;
		b.next++;
		if (core_http_now_us() - start >= budget_us)
			break;
	}
	rc = catalog_import_job_advance(db, &b);
	cJSON_Delete(b.errs);
	return (rc);
fail:
	core_db_rollback(db);
	cJSON_Delete(b.errs);
	return (-1);
}

/*
 * Inside the slice's transaction: moves the job past the products of b if
 * this process still holds it, records their errors, commits.  Returns as
 * catalog_import_job_step.
 */
static int
catalog_import_job_advance(sqlite3 *db, const struct catalog_import_batch *b)
{
	struct catalog_import_held	*h = &catalog_import_held;
	sqlite3_stmt			*st;
	const cJSON			*e;
	const char			*field;
	int64_t				 now, n;
	int				 last;

	now = core_db_now_ms();
	last = b->next >= h->imp->ngroups;
	if ((st = core_db_stmt(db, "UPDATE import_jobs SET"
	    " products_done = ?3, rows_done = rows_done + ?4,"
	    " errors_count = errors_count + ?5, created = created + ?6,"
	    " updated = updated + ?7, lease_until = ?8 + ?9, updated_at = ?8,"
	    " state = CASE WHEN ?10 THEN 'done' ELSE 'running' END,"
	    " finished_at = CASE WHEN ?10 THEN ?8 END,"
	    " lease_owner = CASE WHEN ?10 THEN '' ELSE lease_owner END"
	    " WHERE id = ?1 AND lease_owner = ?2 AND state = 'running' AND"
	    " products_done = ?11")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, catalog_import_owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)b->next);
	sqlite3_bind_int64(st, 4, (int64_t)b->rows);
	sqlite3_bind_int64(st, 5, b->nerr);
	sqlite3_bind_int64(st, 6, b->created);
	sqlite3_bind_int64(st, 7, b->updated);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, CATALOG_IMPORT_LEASE_MS);
	sqlite3_bind_int(st, 10, last);
	sqlite3_bind_int64(st, 11, (int64_t)h->done);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "import progress");
		goto fail;
	}
	if (sqlite3_changes(db) != 1) {
		/* Another process took the job over: these products are its. */
		core_db_rollback(db);
		core_logf("info", "catalog import %s: lease lost", h->id);
		catalog_import_job_drop();
		return (0);
	}
	n = h->errors;
	cJSON_ArrayForEach(e, b->errs) {
		if (n >= CATALOG_IMPORT_ERRORS_MAX)
			break;
		if ((st = core_db_stmt(db, "INSERT INTO import_job_errors (job,"
		    " n, line, handle, field, message) VALUES (?, ?, ?, ?, ?,"
		    " ?)")) == NULL)
			goto fail;
		field = cJSON_GetStringValue(cJSON_GetObjectItem(e, "field"));
		sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, n++);
		sqlite3_bind_int64(st, 3, (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(e, "line")));
		sqlite3_bind_text(st, 4, cJSON_GetStringValue(
		    cJSON_GetObjectItem(e, "handle")), -1, SQLITE_STATIC);
		if (field != NULL)
			sqlite3_bind_text(st, 5, field, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, cJSON_GetStringValue(
		    cJSON_GetObjectItem(e, "message")), -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "import error row");
			goto fail;
		}
	}
	if (last && (st = core_db_stmt(db, "DELETE FROM import_job_files"
	    " WHERE job = ?")) != NULL) {
		sqlite3_bind_text(st, 1, h->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			core_db_err(db, "import file");
			goto fail;
		}
	}
	if (core_db_commit(db) == -1)
		goto fail;
	catalog_import_stats.rows += b->rows;
	if (b->next > h->done)
		h->tries = 0;
	h->done = b->next;
	h->errors += b->nerr;
	if (last) {
		catalog_import_job_drop();
		return (0);
	}
	return (1);
fail:
	core_db_rollback(db);
	return (-1);
}

/*
 * Works on jobs for about budget_us: claims the oldest unfinished job (or
 * only the job only) when this process holds none and may take it, then
 * imports its products one transaction at a time.  Returns 1 while this
 * process holds a job with work left, 0 otherwise.
 */
int
catalog_import_job_work(sqlite3 *db, const char *only, uint64_t budget_us)
{
	char		 saved[65], id[CORE_ID_MAX];
	uint64_t	 start, elapsed;
	int		 rc;

	if (catalog_import_held.imp == NULL) {
		if (catalog_import_job_claim(db, only) != 1)
			return (0);
		memset(&catalog_import_stats, 0, sizeof(catalog_import_stats));
		catalog_import_stats.start_ms = (uint64_t)core_db_now_ms();
	}
	snprintf(id, sizeof(id), "%s", catalog_import_held.id);
	/* The job's events carry the id of the request that queued it. */
	snprintf(saved, sizeof(saved), "%s", core_http_current_request_id());
	core_http_set_current_request_id(catalog_import_held.request_id);
	start = core_http_now_us();
	do {
		elapsed = core_http_now_us() - start;
		rc = catalog_import_job_step(db, budget_us - elapsed);
	} while (rc == 1 && core_http_now_us() - start < budget_us);
	core_http_set_current_request_id(saved);
	catalog_import_job_stats(id, core_http_now_us() - start,
	    catalog_import_held.imp == NULL);
	return (catalog_import_held.imp != NULL);
}

/*
 * Counts a slice of us microseconds of job id; when the job has been let
 * go of (done, or lost), a server worker logs the slices' p99 and maximum,
 * the figure that says how long requests to this worker could wait.
 */
static void
catalog_import_job_stats(const char *id, uint64_t us, int ended)
{
	struct catalog_import_stats	*st = &catalog_import_stats;
	uint64_t			 seen, want, ms;
	int				 i;

	st->hist[us / 1000 < CATALOG_IMPORT_HIST ? us / 1000 :
	    CATALOG_IMPORT_HIST - 1]++;
	st->n++;
	if (us > st->max_us)
		st->max_us = us;
	if (!ended || worker == NULL)
		return;
	want = st->n - st->n / 100;
	for (i = 0, seen = 0; i < CATALOG_IMPORT_HIST - 1; i++)
		if ((seen += st->hist[i]) >= want)
			break;
	ms = (uint64_t)core_db_now_ms() - st->start_ms;
	core_logf("info", "catalog import %s: %zu rows in %llu ms"
	    " (%llu rows/s), %llu slices, slice p99 < %d ms, max %.1f ms", id,
	    st->rows, (unsigned long long)ms, (unsigned long long)(ms > 0 ?
	    st->rows * 1000 / ms : 0), (unsigned long long)st->n, i + 1,
	    (double)st->max_us / 1000.0);
}

/*
 * The worker's timer (one-shot, armed again each time): a slice of work
 * while a job is held, then a rest at least as long as the slice took
 * (the commit and the delivery of its events included), so the worker
 * spends at most about half its time on the import.  The commit's fsyncs
 * and the in-process delivery of the slice's events to pricing (and back)
 * cost a fixed 20-40 ms on a busy 2-vCPU host, more than the 8 ms of
 * import work: capping slices at fewer products kept that cost and cut
 * the throughput fivefold (measured), so the budget stays.  A look for a job
 * every CATALOG_IMPORT_POLL_MS otherwise, or at the next tick after this
 * worker queued one.
 */
static void
catalog_import_job_tick(void *arg, u_int64_t now)
{
	static u_int64_t	next_poll;
	u_int64_t		rest;

	rest = CATALOG_IMPORT_TICK_MS;
	if (catalog_import_held.imp != NULL || catalog_import_kicked ||
	    now >= next_poll) {
		next_poll = now + CATALOG_IMPORT_POLL_MS;
		catalog_import_kicked = 0;
		(void)catalog_import_job_work(core_db_get("catalog"), NULL,
		    CATALOG_IMPORT_SLICE_US);
		if (kore_time_ms() - now > rest)
			rest = kore_time_ms() - now;
	}
	kore_timer_add(catalog_import_job_tick, rest, NULL, KORE_TIMER_ONESHOT);
}
