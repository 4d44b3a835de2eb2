/*
 * JSON-lines logs on stdout (see core_log.h).  Each line carries the time,
 * level, worker, message and the current request id when there is one.
 */
#include <sys/time.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/core_http.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"

#define CORE_LOG_BUF	(64 * 1024)

static char	core_log_buf[CORE_LOG_BUF];
static size_t	core_log_len;
static pid_t	core_log_pid;

/* Caches this process's pid for the log lines; call after fork(). */
void
core_log_reinit(void)
{
	core_log_pid = getpid();
}

static void	core_log_line(const char *, const char *, cJSON *, int);

void
core_log(const char *level, const char *msg, cJSON *fields)
{
	core_log_line(level, msg, fields, 0);
}

void
core_log_buffered(const char *msg, cJSON *fields)
{
	core_log_line("info", msg, fields, 1);
}

void
core_log_flush(void)
{
	if (core_log_len > 0)
		(void)write(STDOUT_FILENO, core_log_buf, core_log_len);
	core_log_len = 0;
}

static void
core_log_line(const char *level, const char *msg, cJSON *fields,
    int buffered)
{
	struct timeval	 tv;
	cJSON		*o;
	char		 ts[40];
	char		*s;
	size_t		 len;
	const char	*rid;

	gettimeofday(&tv, NULL);
	core_time_rfc3339(ts, sizeof(ts),
	    (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "msg", msg);
	if (core_log_pid == 0)
		core_log_pid = getpid();
	cJSON_AddNumberToObject(o, "pid", core_log_pid);
	rid = core_http_current_request_id();
	if (rid[0] != '\0' && (fields == NULL ||
	    !cJSON_HasObjectItem(fields, "request_id")))
		cJSON_AddStringToObject(o, "request_id", rid);
	core_json_merge(o, fields);
	if ((s = cJSON_PrintUnformatted(o)) != NULL) {
		len = strlen(s);
		s[len] = '\n';		/* cJSON allocates len + 1 bytes */
		if (!buffered) {
			core_log_flush();	/* keep lines in order */
			(void)write(STDOUT_FILENO, s, len + 1);
		} else {
			if (core_log_len + len + 1 > sizeof(core_log_buf))
				core_log_flush();
			if (len + 1 > sizeof(core_log_buf)) {
				(void)write(STDOUT_FILENO, s, len + 1);
			} else {
				memcpy(core_log_buf + core_log_len, s, len + 1);
				core_log_len += len + 1;
			}
		}
		cJSON_free(s);
	}
	cJSON_Delete(o);
}

void
core_logf(const char *level, const char *fmt, ...)
{
	va_list	ap;
	char	buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	core_log(level, buf, NULL);
}
