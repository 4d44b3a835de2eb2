/*
 * JSON-lines logging to stdout: one object a line, written with a single
 * write(2) so lines from several workers never interleave.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <cjson/cJSON.h>

/* level: "info", "warn", "error".  Takes ownership of fields (may be NULL). */
void	core_log(const char *level, const char *msg, cJSON *fields);

/*
 * Like core_log("info", msg, fields) but buffered: lines are written in
 * batches by core_log_flush (a worker timer every 100 ms, and at exit), so
 * the access log costs no write(2) per request.
 */
void	core_log_buffered(const char *msg, cJSON *fields);
void	core_log_flush(void);

/* Re-reads the pid shown in each line; call in each process after fork(). */
void	core_log_reinit(void);

/* printf-style message, no extra fields. */
void	core_logf(const char *level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
