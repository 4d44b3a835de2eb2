/*
 * JSON-lines logging to stdout: one object a line, written with a single
 * write(2) so lines from several workers never interleave.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <cjson/cJSON.h>

/* level: "info", "warn", "error".  Takes ownership of fields (may be NULL). */
void	core_log(const char *level, const char *msg, cJSON *fields);

/* printf-style message, no extra fields. */
void	core_logf(const char *level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
