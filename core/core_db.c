/*
 * SQLite per module: open with the pragmas every file needs, create the bus
 * tables, apply embedded migrations tracked by PRAGMA user_version, cache
 * prepared statements per connection, and run write transactions whose
 * commit hands new events to the bus.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core_bus.h"
#include "core/core_config.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_int.h"
#include "core/core_log.h"

#define CORE_DB_STMT_MAX	128

struct core_db_stmt {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct core_db_file {
	char			 name[32];
	sqlite3			*db;
	int			 published;	/* events in the open tx */
	int			 created;	/* user_version was 0 */
	int			 version;	/* user_version at open */
	int			 sync_full;	/* synchronous=FULL outside lazy */
	int			 lazy;		/* the open tx commits lazily */
	struct timespec		 busy_since;	/* first busy retry */
	int			 nstmt;
	struct core_db_stmt	 stmts[CORE_DB_STMT_MAX];
};

static struct core_db_file	core_db_files[CORE_DB_MAX];
static int			core_db_nfiles;

static struct core_db_file	*core_db_file_of(sqlite3 *);
static int			 core_db_migrate(struct core_db_file *);
static int			 core_db_check_version(struct core_db_file *);
static int			 core_db_busy(void *, int);
static void			 core_db_end_lazy(struct core_db_file *);

/*
 * The bus tables live in every file: the outbox is the module's event log;
 * cursors, failures and dead letters record what it consumed.
 */
static const char core_db_bus_sql[] =
	"CREATE TABLE IF NOT EXISTS bus_outbox ("
	" seq INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" aggregate_id TEXT NOT NULL,"
	" occurred_at TEXT NOT NULL,"
	" correlation_id TEXT NOT NULL,"
	" payload TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS bus_cursor ("
	" source TEXT PRIMARY KEY,"
	" seq INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS bus_failure ("
	" source TEXT PRIMARY KEY,"
	" seq INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL,"
	" next_at INTEGER NOT NULL,"
	" error TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS bus_dead ("
	" id INTEGER PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" type TEXT NOT NULL,"
	" envelope TEXT NOT NULL,"
	" attempts INTEGER NOT NULL,"
	" error TEXT NOT NULL,"
	" dead_at INTEGER NOT NULL);";

sqlite3_stmt *
core_db_row(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (NULL);
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			core_db_err(db, "find row");
		sqlite3_reset(st);
		return (NULL);
	}
	return (st);
}

void
core_db_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	const char	*s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	s = (const char *)sqlite3_column_text(st, col);
	cJSON_AddStringToObject(o, key, s != NULL ? s : "");
}

void
core_db_add_int(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key,
		    (double)sqlite3_column_int64(st, col));
}

void
core_db_add_time(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	char	ts[40];

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, col));
	cJSON_AddStringToObject(o, key, ts);
}

int64_t
core_db_now_ms(void)
{
	struct timeval	tv;

	gettimeofday(&tv, NULL);
	return ((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

int
core_db_err(sqlite3 *db, const char *context)
{
	core_logf("error", "db %s: %s: %s", core_db_name(db), context,
	    sqlite3_errmsg(db));
	return (-1);
}

int
core_db_path(char *buf, size_t len, const char *name)
{
	int	n;

	n = snprintf(buf, len, "%s/%s.db", core_config.data, name);
	if (n < 0 || (size_t)n >= len)
		return (-1);
	return (0);
}

int
core_db_schema_version(const char *module)
{
	const struct core_migration	*m;
	int				 v;

	v = 0;
	for (m = core_migrations; m->module != NULL; m++)
		if (strcmp(m->module, module) == 0 && m->version > v)
			v = m->version;
	return (v);
}

sqlite3 *
core_db_open(const char *name, int sync_full, int migrate)
{
	struct core_db_file	*f;
	char			 path[1100];
	sqlite3			*db;

	if ((db = core_db_get(name)) != NULL)
		return (db);
	if (core_db_nfiles == CORE_DB_MAX || strlen(name) >= sizeof(f->name))
		return (NULL);
	if (core_db_path(path, sizeof(path), name) == -1)
		return (NULL);
	/* Only migrate may create a file: a wrong data dir is an error. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    (migrate ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		core_logf("error", "db %s: open %s: %s", name, path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return (NULL);
	}
	f = &core_db_files[core_db_nfiles];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->db = db;
	f->sync_full = sync_full;
	core_db_nfiles++;

	sqlite3_busy_handler(db, core_db_busy, f);
	sqlite3_extended_result_codes(db, 1);
	/* Refuse a newer file before anything is written to it. */
	if (migrate && core_db_check_version(f) == -1)
		goto fail;
	if (core_db_exec(db, "PRAGMA journal_mode=WAL") == -1 ||
	    core_db_exec(db, "PRAGMA foreign_keys=ON") == -1 ||
	    /* Sorts and statement journals: not a file in /var/tmp. */
	    core_db_exec(db, "PRAGMA temp_store=MEMORY") == -1 ||
	    core_db_exec(db, sync_full ? "PRAGMA synchronous=FULL" :
	    "PRAGMA synchronous=NORMAL") == -1)
		goto fail;
	if (migrate) {
		if (core_db_exec(db, core_db_bus_sql) == -1 ||
		    core_db_migrate(f) == -1)
			goto fail;
	}
	return (db);

fail:
	core_db_nfiles--;
	sqlite3_close(db);
	return (NULL);
}

/*
 * Reads f's user_version into f->version and refuses a file newer than the
 * binary's migrations.  Returns 0 or -1.
 */
static int
core_db_check_version(struct core_db_file *f)
{
	sqlite3_stmt	*st;
	int		 want;

	if (sqlite3_prepare_v2(f->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return (core_db_err(f->db, "user_version"));
	f->version = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	f->created = f->version == 0;
	want = core_db_schema_version(f->name);
	if (f->version > want) {
		core_logf("error", "db %s: file is at schema version %d but "
		    "this binary knows only up to %d: refusing to open it "
		    "(run a newer mercato)", f->name, f->version, want);
		return (-1);
	}
	return (0);
}

/*
 * Applies the migrations of f's module newer than its user_version, each in
 * its own transaction together with the new user_version.
 */
static int
core_db_migrate(struct core_db_file *f)
{
	const struct core_migration	*m;
	char				 pragma[64];
	int				 want, v;

	want = core_db_schema_version(f->name);
	for (v = f->version + 1; v <= want; v++) {
		for (m = core_migrations; m->module != NULL; m++)
			if (strcmp(m->module, f->name) == 0 && m->version == v)
				break;
		if (m->module == NULL) {
			core_logf("error", "db %s: migration %04d is missing",
			    f->name, v);
			return (-1);
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v);
		if (core_db_exec(f->db, "BEGIN IMMEDIATE") == -1)
			return (-1);
		if (core_db_exec(f->db, m->sql) == -1 ||
		    core_db_exec(f->db, pragma) == -1 ||
		    core_db_exec(f->db, "COMMIT") == -1) {
			core_logf("error", "db %s: migration %s failed",
			    f->name, m->name);
			core_db_exec(f->db, "ROLLBACK");
			return (-1);
		}
		core_logf("info", "db %s: applied migration %s", f->name,
		    m->name);
	}
	return (0);
}

void
core_db_close_all(void)
{
	struct core_db_file	*f;
	int			 i, j;

	for (i = 0; i < core_db_nfiles; i++) {
		f = &core_db_files[i];
		for (j = 0; j < f->nstmt; j++)
			sqlite3_finalize(f->stmts[j].stmt);
		if (sqlite3_close(f->db) != SQLITE_OK)
			core_db_err(f->db, "close");
	}
	core_db_nfiles = 0;
}

sqlite3 *
core_db_get(const char *name)
{
	int	i;

	for (i = 0; i < core_db_nfiles; i++)
		if (strcmp(core_db_files[i].name, name) == 0)
			return (core_db_files[i].db);
	return (NULL);
}

int
core_db_created(const char *name)
{
	int	i;

	for (i = 0; i < core_db_nfiles; i++)
		if (strcmp(core_db_files[i].name, name) == 0)
			return (core_db_files[i].created);
	return (0);
}

static struct core_db_file *
core_db_file_of(sqlite3 *db)
{
	int	i;

	for (i = 0; i < core_db_nfiles; i++)
		if (core_db_files[i].db == db)
			return (&core_db_files[i]);
	return (NULL);
}

const char *
core_db_name(sqlite3 *db)
{
	struct core_db_file	*f;

	if ((f = core_db_file_of(db)) == NULL)
		return ("?");
	return (f->name);
}

int
core_db_count(void)
{
	return (core_db_nfiles);
}

const char *
core_db_name_at(int i)
{
	if (i < 0 || i >= core_db_nfiles)
		return (NULL);
	return (core_db_files[i].name);
}

int64_t
core_db_scalar(sqlite3 *db, const char *sql, const char *arg, int64_t def)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	if ((st = core_db_stmt(db, sql)) == NULL)
		return (def);
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : def;
	sqlite3_reset(st);
	return (v);
}

int
core_db_exec(sqlite3 *db, const char *sql)
{
	char	*err;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		core_logf("error", "db %s: %s", core_db_name(db),
		    err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

sqlite3_stmt *
core_db_stmt(sqlite3 *db, const char *sql)
{
	struct core_db_file	*f;
	sqlite3_stmt		*st;
	int			 i;

	if ((f = core_db_file_of(db)) == NULL)
		return (NULL);
	for (i = 0; i < f->nstmt; i++) {
		if (f->stmts[i].sql == sql) {
			st = f->stmts[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return (st);
		}
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		core_logf("error", "db %s: prepare: %s: %s", f->name,
		    sqlite3_errmsg(db), sql);
		return (NULL);
	}
	if (f->nstmt < CORE_DB_STMT_MAX) {
		f->stmts[f->nstmt].sql = sql;
		f->stmts[f->nstmt].stmt = st;
		f->nstmt++;
	} else {
		/* A bug: more distinct statements than the cache holds. */
		fprintf(stderr, "core_db_stmt: cache full for %s\n", f->name);
		abort();
	}
	return (st);
}

/*
 * Another connection (the other worker) holds the write lock.  SQLite's
 * own busy timeout sleeps 1, 2, 5, 10 ... 100 ms between tries, far longer
 * than a commit here takes (about 0.2 ms, most of it fsync), so two
 * workers writing one file would spend their time asleep.  Instead: sleep
 * 25 us, growing by 25 us a try to 1 ms, and give up after 5 s as the busy
 * timeout did.  (nanosleep is clock_nanosleep, which Kore's seccomp filter
 * allows; sched_yield it does not.)
 */
static int
core_db_busy(void *arg, int n)
{
	struct core_db_file	*f = arg;
	struct timespec		 now, ts;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (n == 0)
		f->busy_since = now;
	else if ((now.tv_sec - f->busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - f->busy_since.tv_nsec) / 1000000 >= 5000)
		return (0);
	ts.tv_sec = 0;
	ts.tv_nsec = (n < 40 ? 25L * (n + 1) : 1000L) * 1000;
	nanosleep(&ts, NULL);
	return (1);
}

int
core_db_begin(sqlite3 *db)
{
	struct core_db_file	*f;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return (core_db_err(db, "begin"));
	if ((f = core_db_file_of(db)) != NULL)
		f->published = 0;
	return (0);
}

/*
 * A transaction whose commit does not wait for the disk: synchronous is
 * NORMAL until it ends (SQLite takes the setting only outside a
 * transaction).  In WAL mode such a commit survives a crash of the process
 * but not a power cut, until the next FULL commit of the same file, whose
 * fsync of the log carries it too.  Only for changes nobody was promised:
 * a cart's contents, a bus cursor that moved past events it had no use
 * for.  Publishing an event in one is a bug (a lost outbox row would let
 * its seq be reused), and aborts.
 */
int
core_db_begin_lazy(sqlite3 *db)
{
	struct core_db_file	*f;

	if ((f = core_db_file_of(db)) == NULL || !f->sync_full)
		return (core_db_begin(db));
	if (sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK)
		return (core_db_err(db, "synchronous=NORMAL"));
	f->lazy = 1;
	if (core_db_begin(db) == -1) {
		core_db_end_lazy(f);
		return (-1);
	}
	return (0);
}

int
core_db_lazy(sqlite3 *db)
{
	struct core_db_file	*f;

	return ((f = core_db_file_of(db)) != NULL && f->lazy);
}

static void
core_db_end_lazy(struct core_db_file *f)
{
	if (!f->lazy)
		return;
	f->lazy = 0;
	if (sqlite3_exec(f->db, "PRAGMA synchronous=FULL", NULL, NULL,
	    NULL) != SQLITE_OK)
		fatal("db %s: synchronous=FULL: %s", f->name,
		    sqlite3_errmsg(f->db));
}

void
core_db_mark_published(sqlite3 *db)
{
	struct core_db_file	*f;

	if ((f = core_db_file_of(db)) != NULL)
		f->published++;
}

int
core_db_commit(sqlite3 *db)
{
	struct core_db_file	*f;
	int			 published;

	f = core_db_file_of(db);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		core_db_err(db, "commit");
		core_db_rollback(db);
		return (-1);
	}
	if (f != NULL)
		core_db_end_lazy(f);
	published = f != NULL ? f->published : 0;
	if (f != NULL)
		f->published = 0;
	if (published) {
		core_metrics_bus(CORE_METRICS_PUBLISHED, published);
		core_bus_committed(f->name);
	}
	return (0);
}

void
core_db_rollback(sqlite3 *db)
{
	struct core_db_file	*f;

	if ((f = core_db_file_of(db)) != NULL)
		f->published = 0;
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (f != NULL)
		core_db_end_lazy(f);
}

int
core_db_backup(const char *dir)
{
	sqlite3_backup	*bk;
	sqlite3		*dst, *src;
	sqlite3_stmt	*st;
	char		 path[1200];
	const char	*ok;
	int		 i, rc, failed;
	struct stat	 sb;
	char		 rdir[PATH_MAX], rdata[PATH_MAX];

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		core_logf("error", "backup: mkdir %s: %s", dir,
		    strerror(errno));
		return (-1);
	}
	/* Never into the live data dir: that would destroy the originals. */
	if (realpath(dir, rdir) == NULL ||
	    realpath(core_config.data, rdata) == NULL) {
		core_logf("error", "backup: %s: %s", dir, strerror(errno));
		return (-1);
	}
	if (strcmp(rdir, rdata) == 0) {
		core_logf("error", "backup: %s is the data dir itself", dir);
		return (-1);
	}
	failed = 0;
	for (i = 0; i < core_db_nfiles; i++) {
		src = core_db_files[i].db;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.db", dir,
		    core_db_files[i].name) >= sizeof(path)) {
			core_logf("error", "backup: path too long");
			return (-1);
		}
		if (stat(path, &sb) == 0) {
			core_logf("error", "backup: %s exists; back up into a "
			    "new or empty dir", path);
			return (-1);
		}
		if (sqlite3_open(path, &dst) != SQLITE_OK) {
			core_logf("error", "backup: open %s", path);
			sqlite3_close(dst);
			return (-1);
		}
		/* One step copies a consistent snapshot: a read tx on src. */
		bk = sqlite3_backup_init(dst, "main", src, "main");
		rc = bk ? sqlite3_backup_step(bk, -1) : SQLITE_ERROR;
		if (bk)
			sqlite3_backup_finish(bk);
		if (rc != SQLITE_DONE) {
			core_logf("error", "backup: %s: %s",
			    core_db_files[i].name, sqlite3_errmsg(dst));
			sqlite3_close(dst);
			return (-1);
		}
		(void)sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL,
		    NULL, NULL);
		ok = "?";
		st = NULL;
		if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			ok = (const char *)sqlite3_column_text(st, 0);
		if (ok == NULL || strcmp(ok, "ok") != 0) {
			core_logf("error", "backup: %s: integrity: %s",
			    core_db_files[i].name, ok ? ok : "?");
			failed = 1;
		} else {
			core_logf("info", "backup: %s -> %s: integrity ok",
			    core_db_files[i].name, path);
		}
		sqlite3_finalize(st);
		sqlite3_close(dst);
	}
	return (failed ? -1 : 0);
}
