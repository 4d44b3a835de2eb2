/*
 * One SQLite file per module under the data dir.  Core opens, configures and
 * migrates the files; a module only ever receives the handle of its own.
 */
#ifndef CORE_DB_H
#define CORE_DB_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct core_migration {
	const char	*module;	/* migrations/<module>/ */
	int		 version;	/* NNNN of NNNN_name.sql */
	const char	*name;
	const char	*sql;
};

/* Generated from migrations/ by tools/embed.c; ends with a NULL module. */
extern const struct core_migration core_migrations[];

#define CORE_DB_MAX	16

/*
 * Opens data/<name>.db with WAL, foreign keys, a busy timeout and
 * synchronous FULL (sync_full) or NORMAL.  With migrate, the file may be
 * created, a file whose user_version is newer than the binary's migrations
 * is refused before anything is written to it, and the bus tables and the
 * embedded migrations of <name> are applied; without it, the file must
 * exist.
 * Returns the handle (owned by core; it stays registered under name) or
 * NULL after logging why.
 */
sqlite3		*core_db_open(const char *name, int sync_full, int migrate);

/* Closes every registered handle (statements are finalized first). */
void		 core_db_close_all(void);

/* The handle registered under name, or NULL.  Borrowed. */
sqlite3		*core_db_get(const char *name);

/* The name the handle was opened under.  Borrowed, lives as long as core. */
const char	*core_db_name(sqlite3 *);

/* Number of registered files and the name of the i-th one. */
int		 core_db_count(void);
const char	*core_db_name_at(int);

/* The path of data/<name>.db into buf.  Returns 0, or -1 if too long. */
int		 core_db_path(char *buf, size_t len, const char *name);

/* 1 if name was opened with migrate and its user_version was 0. */
int		 core_db_created(const char *name);

/* The highest embedded migration version for module (0 if none). */
int		 core_db_schema_version(const char *module);

/*
 * Write transactions.  core_db_begin issues BEGIN IMMEDIATE.  core_db_commit
 * commits and, if events were published inside, delivers them in-process
 * before it returns.  core_db_rollback is safe after a failed commit.
 * All return 0 or -1 (logged with the db name and sqlite3_errmsg).
 */
int		 core_db_begin(sqlite3 *);
int		 core_db_commit(sqlite3 *);
void		 core_db_rollback(sqlite3 *);

/*
 * core_db_begin for a change nobody was promised (a cart, a bus cursor
 * moving past unwanted events): its commit does not wait for fsync, so a
 * power cut may lose it until the file's next ordinary commit; a crash of
 * the process does not.  Publishing an event inside one aborts.
 * core_db_lazy tells whether the open transaction is such a one.
 */
int		 core_db_begin_lazy(sqlite3 *);
int		 core_db_lazy(sqlite3 *);

/*
 * A prepared statement cached per connection and SQL text (the pointer of
 * the string literal is the key), reset and unbound.  Borrowed: do not
 * finalize; call sqlite3_reset when done if it is not run to SQLITE_DONE.
 * Returns NULL after logging.
 */
sqlite3_stmt	*core_db_stmt(sqlite3 *, const char *sql);

/*
 * The cached statement sql, run with the one text parameter arg, on its
 * first row: read its columns, then sqlite3_reset it.  NULL when there is
 * no row or on an error (logged).  For "find by id or 404".
 */
sqlite3_stmt	*core_db_row(sqlite3 *, const char *sql, const char *arg);

/*
 * The first column of the first row of sql, run with the one text
 * parameter arg (NULL: no parameter); def when there is no row or on an
 * error (logged).
 */
int64_t		 core_db_scalar(sqlite3 *, const char *sql, const char *arg,
		    int64_t def);

/* Runs sql (no parameters) and returns 0 or -1 after logging. */
int		 core_db_exec(sqlite3 *, const char *sql);

/* Logs an sqlite error for db with a short context; returns -1. */
int		 core_db_err(sqlite3 *, const char *context);

/*
 * Column col of st added to o under key as JSON, or null when the column
 * is NULL: text (as a string), an integer (as a number), or milliseconds
 * since the epoch (as an RFC 3339 string).
 */
void		 core_db_add_text(cJSON *o, const char *key, sqlite3_stmt *,
		    int col);
void		 core_db_add_int(cJSON *o, const char *key, sqlite3_stmt *,
		    int col);
void		 core_db_add_time(cJSON *o, const char *key, sqlite3_stmt *,
		    int col);

/* Milliseconds since the epoch, for created_at columns. */
int64_t		 core_db_now_ms(void);

/* An online backup of every registered file into dir; then integrity check. */
int		 core_db_backup(const char *dir);

#endif
