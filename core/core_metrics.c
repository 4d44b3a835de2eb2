/*
 * Prometheus metrics.  Counters live in one anonymous shared mapping made by
 * the parent before the workers fork, so every worker adds to the same
 * numbers and any worker can answer /metrics; updates are atomic adds.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "core/core_config.h"
#include "core/core_db.h"
#include "core/core_int.h"
#include "core/core_module.h"

#define MX_ROUTES	512
#define MX_STATUS	600
#define MX_BUCKETS	16

static const double mx_bounds[MX_BUCKETS - 1] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5
};

struct mx_shm {
	uint64_t	req[MX_ROUTES][MX_STATUS];
	uint64_t	hist[MX_ROUTES][MX_BUCKETS];	/* per bucket, not cumulative */
	uint64_t	sum_us[MX_ROUTES];
	uint64_t	bus[4];
	uint64_t	signin[3];			/* failed, ok, limited */
};

static struct mx_shm	*mx;
static struct kore_buf	*mx_out;

int
core_metrics_init(int nroutes)
{
	if (nroutes > MX_ROUTES)
		return (-1);
	mx = mmap(NULL, sizeof(*mx), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mx == MAP_FAILED) {
		mx = NULL;
		return (-1);
	}
	return (0);
}

void
core_metrics_request(int route_id, int status, uint64_t us)
{
	double	s;
	int	b;

	if (mx == NULL || route_id < 0 || route_id >= MX_ROUTES)
		return;
	if (status < 0 || status >= MX_STATUS)
		status = 0;
	__atomic_add_fetch(&mx->req[route_id][status], 1, __ATOMIC_RELAXED);
	s = (double)us / 1e6;
	for (b = 0; b < MX_BUCKETS - 1 && s > mx_bounds[b]; b++)
		;
	__atomic_add_fetch(&mx->hist[route_id][b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&mx->sum_us[route_id], us, __ATOMIC_RELAXED);
}

void
core_metrics_bus(int what, uint64_t n)
{
	if (mx != NULL && what >= 0 && what < 4)
		__atomic_add_fetch(&mx->bus[what], n, __ATOMIC_RELAXED);
}

void
core_metrics_signin(int ok)
{
	/* ok: 1 signed in, 0 failed, -1 refused by the rate limit */
	if (mx != NULL)
		__atomic_add_fetch(&mx->signin[ok == -1 ? 2 : ok ? 1 : 0], 1,
		    __ATOMIC_RELAXED);
}

static void
mx_help(const char *name, const char *type, const char *help)
{
	kore_buf_appendf(mx_out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
mx_lag_fn(const struct core_module *m, const char *source)
{
	int64_t	cursor, head;

	if (core_bus_position(m->name, source, &cursor, &head) == -1)
		return;
	kore_buf_appendf(mx_out, "mercato_bus_subscription_lag{subscriber=\"%s\","
	    "source=\"%s\"} %lld\n", m->name, source,
	    (long long)(head > cursor ? head - cursor : 0));
}

int
core_metrics_handler(struct core_req *r)
{
	const struct core_route	*rt;
	struct stat		 sb;
	char			 path[1200];
	uint64_t		 cum, total;
	int			 i, s, b;
	long long		 bytes;
	const char		*name;

	mx_out = kore_buf_alloc(8192);
	mx_help("mercato_http_requests_total", "counter",
	    "HTTP requests answered, by route pattern and status.");
	for (i = 0; mx != NULL && i < core_http_route_count(); i++) {
		rt = core_http_route_at(i);
		for (s = 0; s < MX_STATUS; s++) {
			if (mx->req[i][s] == 0)
				continue;
			kore_buf_appendf(mx_out, "mercato_http_requests_total"
			    "{route=\"%s\",status=\"%d\"} %llu\n", rt->pattern,
			    s, (unsigned long long)mx->req[i][s]);
		}
	}
	mx_help("mercato_http_request_duration_seconds", "histogram",
	    "Time from routing to the handler's answer, by route.");
	for (i = 0; mx != NULL && i < core_http_route_count(); i++) {
		rt = core_http_route_at(i);
		total = 0;
		for (b = 0; b < MX_BUCKETS; b++)
			total += mx->hist[i][b];
		if (total == 0)
			continue;
		cum = 0;
		for (b = 0; b < MX_BUCKETS; b++) {
			cum += mx->hist[i][b];
			if (b < MX_BUCKETS - 1)
				kore_buf_appendf(mx_out,
				    "mercato_http_request_duration_seconds_bucket"
				    "{route=\"%s\",le=\"%g\"} %llu\n",
				    rt->pattern, mx_bounds[b],
				    (unsigned long long)cum);
		}
		kore_buf_appendf(mx_out, "mercato_http_request_duration_seconds"
		    "_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", rt->pattern,
		    (unsigned long long)cum);
		kore_buf_appendf(mx_out, "mercato_http_request_duration_seconds"
		    "_sum{route=\"%s\"} %.6f\n", rt->pattern,
		    (double)mx->sum_us[i] / 1e6);
		kore_buf_appendf(mx_out, "mercato_http_request_duration_seconds"
		    "_count{route=\"%s\"} %llu\n", rt->pattern,
		    (unsigned long long)cum);
	}
	if (mx != NULL) {
		mx_help("mercato_bus_events_published_total", "counter",
		    "Events committed to an outbox.");
		kore_buf_appendf(mx_out, "mercato_bus_events_published_total "
		    "%llu\n", (unsigned long long)mx->bus[CORE_METRICS_PUBLISHED]);
		mx_help("mercato_bus_events_delivered_total", "counter",
		    "Events whose effect a subscriber committed.");
		kore_buf_appendf(mx_out, "mercato_bus_events_delivered_total "
		    "%llu\n", (unsigned long long)mx->bus[CORE_METRICS_DELIVERED]);
		mx_help("mercato_bus_delivery_failures_total", "counter",
		    "Handler failures (each is retried or dead-lettered).");
		kore_buf_appendf(mx_out, "mercato_bus_delivery_failures_total "
		    "%llu\n", (unsigned long long)mx->bus[CORE_METRICS_FAILED]);
		mx_help("mercato_bus_events_dead_lettered_total", "counter",
		    "Events parked in a dead-letter table.");
		kore_buf_appendf(mx_out, "mercato_bus_events_dead_lettered_total "
		    "%llu\n", (unsigned long long)mx->bus[CORE_METRICS_DEAD]);
		mx_help("mercato_signin_attempts_total", "counter",
		    "Password sign-ins by result.");
		kore_buf_appendf(mx_out, "mercato_signin_attempts_total"
		    "{result=\"failed\"} %llu\n",
		    (unsigned long long)mx->signin[0]);
		kore_buf_appendf(mx_out, "mercato_signin_attempts_total"
		    "{result=\"ok\"} %llu\n", (unsigned long long)mx->signin[1]);
		kore_buf_appendf(mx_out, "mercato_signin_attempts_total"
		    "{result=\"limited\"} %llu\n",
		    (unsigned long long)mx->signin[2]);
	}
	mx_help("mercato_bus_subscription_lag", "gauge",
	    "Events of source not yet applied by subscriber.");
	for (i = 0; core_modules[i] != NULL; i++)
		core_bus_each_source(core_modules[i], mx_lag_fn);
	mx_help("mercato_db_file_bytes", "gauge",
	    "Size of each module's SQLite file plus its WAL.");
	for (i = 0; (name = core_db_name_at(i)) != NULL; i++) {
		bytes = 0;
		if (core_db_path(path, sizeof(path) - 4, name) == 0) {
			if (stat(path, &sb) == 0)
				bytes += sb.st_size;
			strcat(path, "-wal");
			if (stat(path, &sb) == 0)
				bytes += sb.st_size;
		}
		kore_buf_appendf(mx_out, "mercato_db_file_bytes{file=\"%s\"} "
		    "%lld\n", name, bytes);
	}
	http_response_header(r->http, "content-type",
	    "text/plain; version=0.0.4; charset=utf-8");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, 200, mx_out->data, mx_out->offset);
	kore_buf_free(mx_out);
	mx_out = NULL;
	return (KORE_RESULT_OK);
}
