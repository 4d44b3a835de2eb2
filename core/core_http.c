/*
 * The one Kore handler.  Every request passes through core_http_dispatch:
 * it assigns the request id, answers CORS preflights, serves embedded
 * assets, matches our route table (so 404 and 405 are problem+json too),
 * authenticates bearer tokens, enforces per-route body limits, parses JSON
 * or form bodies with depth and length limits, calls the handler, then
 * records metrics and writes the access log line.
 */
#include <sys/time.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core_auth.h"
#include "core/core_config.h"
#include "core/core_http.h"
#include "core/core_id.h"
#include "core/core_int.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "core/core_module.h"

#define CORE_HTTP_ROUTES_MAX	512
#define CORE_HTTP_PROBLEM_BASE	"https://mercato.dev/problems/"

static const struct core_route	*core_http_routes[CORE_HTTP_ROUTES_MAX];
static int			 core_http_nroutes;
static char			 core_http_reqid[65];

static void	core_http_req_free(struct http_request *);
static int	core_http_match(const char *, const char *, size_t *, size_t *);
static int	core_http_route(struct core_req *);
static int	core_http_read_body(struct core_req *);
static cJSON	*core_http_parse_form(const char *, size_t);
static int	core_http_urldecode(char *);
static int	core_http_pctdecode(char *, int);
static void	core_http_cors(struct core_req *);
static void	core_http_finish(struct core_req *);
static int	core_http_reqid_valid(const char *);
static int	core_http_is_static(const char *);

static const struct core_route core_http_static_route = {
	HTTP_METHOD_GET, "(static)", NULL, CORE_ACCESS_PUBLIC, 0
};
static const struct core_route core_http_none_route = {
	0, "(unmatched)", NULL, CORE_ACCESS_PUBLIC, 0
};

void
core_http_add_path(cJSON *o, const char *key, const char *path)
{
	char	*copy, *p;

	if (core_json_utf8_valid(path, strlen(path))) {
		cJSON_AddStringToObject(o, key, path);
		return;
	}
	/* Bytes that are not UTF-8 would make the JSON invalid. */
	if ((copy = strdup(path)) == NULL)
		return;
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	cJSON_AddStringToObject(o, key, copy);
	free(copy);
}

uint64_t
core_http_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

const char *
core_http_current_request_id(void)
{
	return (core_http_reqid);
}

void
core_http_set_current_request_id(const char *id)
{
	snprintf(core_http_reqid, sizeof(core_http_reqid), "%s", id ? id : "");
}

static void
core_http_add_routes(const struct core_route *rt)
{
	for (; rt != NULL && rt->pattern != NULL; rt++) {
		if (core_http_nroutes == CORE_HTTP_ROUTES_MAX)
			fatal("core_http: too many routes");
		core_http_routes[core_http_nroutes++] = rt;
	}
}

void
core_http_routes_init(void)
{
	int	i;

	core_http_nroutes = 0;
	/* Index 0 and 1 are the pseudo routes for metrics labels. */
	core_http_routes[core_http_nroutes++] = &core_http_none_route;
	core_http_routes[core_http_nroutes++] = &core_http_static_route;
	core_http_add_routes(core_health_routes);
	core_http_add_routes(core_identity_routes);
	core_http_add_routes(core_bus_routes);
	for (i = 0; core_modules[i] != NULL; i++)
		core_http_add_routes(core_modules[i]->routes);
}

int
core_http_route_count(void)
{
	return (core_http_nroutes);
}

const struct core_route *
core_http_route_at(int i)
{
	if (i < 0 || i >= core_http_nroutes)
		return (NULL);
	return (core_http_routes[i]);
}

static void
core_http_req_free(struct http_request *req)
{
	struct core_req	*r;

	/*
	 * Kore calls this again on every pass while a task of the request
	 * still runs (a client gone during a sign-in), so it is idempotent.
	 */
	if ((r = req->hdlr_extra) == NULL)
		return;
	if (r->state != NULL && r->state_free != NULL &&
	    r->state_free(r->state))
		r->state = NULL;
	cJSON_Delete(r->body);
	r->body = NULL;
	kore_free(r->raw);
	r->raw = NULL;
	free(r->pathcopy);
	r->pathcopy = NULL;
}

/* Paths answered from the embedded files rather than the route table. */
static int
core_http_is_static(const char *path)
{
	return (strcmp(path, "/") == 0 || strcmp(path, "/admin") == 0 ||
	    strncmp(path, "/admin/", 7) == 0 ||
	    strcmp(path, "/api/docs") == 0 ||
	    strncmp(path, "/api/docs/", 10) == 0 ||
	    strcmp(path, "/api/openapi.json") == 0 ||
	    strncmp(path, "/static/", 8) == 0);
}

static int
core_http_reqid_valid(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if (n >= 64)
			return (0);
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' &&
		    s[n] != '_' && s[n] != '.' && s[n] != ':')
			return (0);
	}
	return (n > 0);
}

/*
 * Matches path against pattern segment by segment; "{x}" takes one
 * non-empty segment, whose offset and length go to off[] and len[].
 * Returns the number of parameters + 1 on a match, 0 otherwise.
 */
static int
core_http_match(const char *pattern, const char *path, size_t *off,
    size_t *len)
{
	const char	*p, *q, *pe, *qe;
	int		 np;

	p = pattern;
	q = path;
	np = 0;
	while (*p == '/' && *q == '/') {
		p++;
		q++;
		if ((pe = strchr(p, '/')) == NULL)
			pe = p + strlen(p);
		if ((qe = strchr(q, '/')) == NULL)
			qe = q + strlen(q);
		if (*p == '{') {
			if (qe == q || np == CORE_HTTP_MAX_PARAMS)
				return (0);
			off[np] = q - path;
			len[np] = qe - q;
			np++;
		} else if ((size_t)(pe - p) != (size_t)(qe - q) ||
		    memcmp(p, q, pe - p) != 0) {
			return (0);
		}
		p = pe;
		q = qe;
	}
	return ((*p == '\0' && *q == '\0') ? np + 1 : 0);
}

/* Finds the route; answers 404/405 itself and returns -1 when none fits. */
static int
core_http_route(struct core_req *r)
{
	const struct core_route	*rt;
	size_t			 off[CORE_HTTP_MAX_PARAMS];
	size_t			 len[CORE_HTTP_MAX_PARAMS];
	int			 i, j, m, method, allowed;
	char			 allow[64];

	method = r->http->method;
	if (method == HTTP_METHOD_HEAD)
		method = HTTP_METHOD_GET;
	allowed = 0;
	for (i = 2; i < core_http_nroutes; i++) {
		rt = core_http_routes[i];
		if ((m = core_http_match(rt->pattern, r->http->path, off,
		    len)) == 0)
			continue;
		allowed |= rt->methods;
		if (!(rt->methods & method))
			continue;
		r->route = rt;
		r->route_id = i;
		if ((r->pathcopy = strdup(r->http->path)) == NULL)
			fatal("core_http_route: out of memory");
		for (j = 0; j < m - 1; j++) {
			r->pathcopy[off[j] + len[j]] = '\0';
			r->params[j] = r->pathcopy + off[j];
			/* Segments are matched raw, values are decoded. */
			if (core_http_pctdecode(r->pathcopy + off[j], 0) ==
			    -1) {
				core_http_problem(r, 400, "bad-path",
				    "Bad path", "a path segment is not valid "
				    "percent-encoding", NULL);
				return (-1);
			}
		}
		return (0);
	}
	if (allowed) {
		/* RFC 9110: a 405 names the methods the path does take. */
		snprintf(allow, sizeof(allow), "%s%s%s%s%s",
		    (allowed & HTTP_METHOD_GET) ? "GET, HEAD, " : "",
		    (allowed & HTTP_METHOD_POST) ? "POST, " : "",
		    (allowed & HTTP_METHOD_PUT) ? "PUT, " : "",
		    (allowed & HTTP_METHOD_PATCH) ? "PATCH, " : "",
		    (allowed & HTTP_METHOD_DELETE) ? "DELETE, " : "");
		allow[strlen(allow) - 2] = '\0';
		http_response_header(r->http, "allow", allow);
		core_http_problem(r, 405, "method-not-allowed",
		    "Method not allowed", "this path does not accept that "
		    "method", NULL);
	} else {
		core_http_problem(r, 404, "not-found", "Not found",
		    "no such endpoint", NULL);
	}
	return (-1);
}

/* Query strings and form bodies: '+' is a space. */
static int
core_http_urldecode(char *s)
{
	return (core_http_pctdecode(s, 1));
}

/* Percent-decodes s in place; refuses bad escapes and %00. */
static int
core_http_pctdecode(char *s, int plus_is_space)
{
	char	*o;
	int	 hi, lo;

	for (o = s; *s != '\0'; s++, o++) {
		if (*s == '+' && plus_is_space) {
			*o = ' ';
		} else if (*s == '%') {
			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]))
				return (-1);
			hi = isdigit((unsigned char)s[1]) ? s[1] - '0' :
			    (tolower((unsigned char)s[1]) - 'a' + 10);
			lo = isdigit((unsigned char)s[2]) ? s[2] - '0' :
			    (tolower((unsigned char)s[2]) - 'a' + 10);
			*o = (char)(hi * 16 + lo);
			if (*o == '\0')
				return (-1);
			s += 2;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
	return (0);
}

/* application/x-www-form-urlencoded into an object of strings, or NULL. */
static cJSON *
core_http_parse_form(const char *data, size_t len)
{
	cJSON	*obj;
	char	*copy, *pair, *next, *eq;

	if ((copy = malloc(len + 1)) == NULL)
		return (NULL);
	memcpy(copy, data, len);
	copy[len] = '\0';
	obj = cJSON_CreateObject();
	for (pair = copy; pair != NULL && *pair != '\0'; pair = next) {
		if ((next = strchr(pair, '&')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(pair, '=')) == NULL)
			goto bad;
		*eq++ = '\0';
		if (core_http_urldecode(pair) == -1 ||
		    core_http_urldecode(eq) == -1 ||
		    !core_json_utf8_valid(eq, strlen(eq)) ||
		    !core_json_utf8_valid(pair, strlen(pair)) ||
		    cJSON_GetObjectItemCaseSensitive(obj, pair) != NULL)
			goto bad;
		cJSON_AddStringToObject(obj, pair, eq);
	}
	free(copy);
	return (obj);
bad:
	free(copy);
	cJSON_Delete(obj);
	return (NULL);
}

/* Reads and parses the body.  Answers and returns -1 on bad input. */
static int
core_http_read_body(struct core_req *r)
{
	struct kore_buf	*buf;
	const char	*ct;
	char		 chunk[8192];
	ssize_t		 n;
	size_t		 max;
	int		 form;

	max = r->route->body_max ? r->route->body_max : CORE_HTTP_BODY_MAX;
	if (r->http->content_length > max) {
		core_http_problem(r, 413, "body-too-large", "Body too large",
		    "the request body exceeds this endpoint's limit", NULL);
		return (-1);
	}
	if (r->http->content_length == 0)
		return (0);
	ct = core_http_header(r, "content-type");
	form = 0;
	if (ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) == 0)
		form = 1;
	else if (ct == NULL || (strncasecmp(ct, "application/json", 16) != 0 &&
	    strncasecmp(ct, "application/merge-patch+json", 28) != 0)) {
		core_http_problem(r, 415, "unsupported-media-type",
		    "Unsupported media type", "send application/json", NULL);
		return (-1);
	}
	buf = kore_buf_alloc(r->http->content_length + 1);
	for (;;) {
		n = http_body_read(r->http, chunk, sizeof(chunk));
		if (n == -1) {
			kore_buf_free(buf);
			core_http_problem(r, 400, "bad-body", "Bad body",
			    "the body could not be read", NULL);
			return (-1);
		}
		if (n == 0)
			break;
		kore_buf_append(buf, chunk, n);
	}
	if (form) {
		r->body = core_http_parse_form((const char *)buf->data,
		    buf->offset);
	} else {
		r->body = core_json_parse((const char *)buf->data, buf->offset);
	}
	/* Kept for handlers that check a signature over the exact bytes. */
	r->rawlen = buf->offset;
	r->raw = kore_buf_release(buf, &r->rawlen);
	if (r->body == NULL) {
		core_http_problem(r, 400, "malformed-body", "Malformed body",
		    form ? "the form body could not be decoded" :
		    "the body is not valid UTF-8 JSON, contains an escaped NUL "
		    "or is nested more than 32 levels deep", NULL);
		return (-1);
	}
	if (!cJSON_IsObject(r->body)) {
		core_http_problem(r, 400, "malformed-body", "Malformed body",
		    "the body must be a JSON object", NULL);
		return (-1);
	}
	return (0);
}

/* Echoes an allowed Origin; MERCATO_CORS_ORIGINS is "*" or a comma list. */
static void
core_http_cors(struct core_req *r)
{
	const char	*origin, *p;
	size_t		 olen;

	if (core_config.cors[0] == '\0' ||
	    (origin = core_http_header(r, "origin")) == NULL)
		return;
	olen = strlen(origin);
	if (strcmp(core_config.cors, "*") != 0) {
		for (p = core_config.cors; p != NULL; p = strchr(p, ',')) {
			if (*p == ',')
				p++;
			if (strncmp(p, origin, olen) == 0 &&
			    (p[olen] == ',' || p[olen] == '\0'))
				break;
		}
		if (p == NULL)
			return;
	}
	http_response_header(r->http, "access-control-allow-origin", origin);
	http_response_header(r->http, "vary", "Origin");
	http_response_header(r->http, "access-control-expose-headers",
	    "X-Request-Id, ETag, Retry-After, Location");
	if (r->http->method == HTTP_METHOD_OPTIONS) {
		http_response_header(r->http, "access-control-allow-methods",
		    "GET, POST, PUT, PATCH, DELETE");
		http_response_header(r->http, "access-control-allow-headers",
		    "Authorization, Content-Type, Idempotency-Key, If-Match, "
		    "X-Cart-Token, X-Request-Id");
		http_response_header(r->http, "access-control-max-age", "600");
	}
}

int
core_http_dispatch(struct http_request *req)
{
	struct core_req	*r;
	const char	*hdr;
	int		 rc;

	if ((r = req->hdlr_extra) != NULL) {
		/* A handler that returned KORE_RESULT_RETRY runs again. */
		core_http_set_current_request_id(r->request_id);
		rc = r->route->handler(r);
		goto done;
	}
	r = kore_calloc(1, sizeof(*r));
	req->hdlr_extra = r;
	req->onfree = core_http_req_free;
	r->http = req;
	r->start_us = core_http_now_us();
	r->route = &core_http_none_route;
	if (http_request_header(req, "x-request-id", &hdr) && hdr != NULL &&
	    core_http_reqid_valid(hdr))
		snprintf(r->request_id, sizeof(r->request_id), "%s", hdr);
	else
		core_id_new(r->request_id, sizeof(r->request_id), "req");
	core_http_set_current_request_id(r->request_id);
	http_response_header(req, "x-request-id", r->request_id);
	http_response_header(req, "x-content-type-options", "nosniff");
	core_http_cors(r);

	rc = KORE_RESULT_OK;
	if (req->method == HTTP_METHOD_OPTIONS && core_config.cors[0] != '\0') {
		http_response(req, 204, NULL, 0);
		goto done;
	}
	if (core_http_is_static(req->path)) {
		r->route = &core_http_static_route;
		r->route_id = 1;
		if (core_static_serve(r))
			goto done;
		r->route = &core_http_none_route;
		r->route_id = 0;
	}
	if (core_http_route(r) == -1)
		goto done;
	if (core_auth_principal(r) == -1)
		goto done;
	if (r->route->access != CORE_ACCESS_PUBLIC) {
		if (r->who.role == CORE_ROLE_NONE) {
			http_response_header(req, "www-authenticate",
			    "Bearer realm=\"mercato\"");
			core_http_problem(r, 401, "unauthorized",
			    "Unauthorized", "a valid bearer token is required",
			    NULL);
			goto done;
		}
		if ((r->route->access == CORE_ACCESS_STAFF &&
		    r->who.role < CORE_ROLE_STAFF) ||
		    (r->route->access == CORE_ACCESS_ADMIN &&
		    r->who.role < CORE_ROLE_ADMIN)) {
			core_http_problem(r, 403, "forbidden", "Forbidden",
			    "your role may not do this", NULL);
			goto done;
		}
	}
	/* Kore reads bodies of POST, PUT and PATCH only. */
	if ((req->method == HTTP_METHOD_POST || req->method == HTTP_METHOD_PUT ||
	    req->method == HTTP_METHOD_PATCH) && core_http_read_body(r) == -1)
		goto done;
	rc = r->route->handler(r);

done:
	if (rc == KORE_RESULT_RETRY)
		return (rc);
	core_http_finish(r);
	core_http_set_current_request_id(NULL);
	return (KORE_RESULT_OK);
}

/* Metrics and one JSON access log line per answered request. */
static void
core_http_finish(struct core_req *r)
{
	cJSON		*f;
	uint64_t	 us;
	char		 addr[64];

	us = core_http_now_us() - r->start_us;
	core_metrics_request(r->route_id, r->http->status, us);
	core_http_remote(r, addr, sizeof(addr));
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "request_id", r->request_id);
	cJSON_AddStringToObject(f, "method",
	    http_method_text(r->http->method));
	core_http_add_path(f, "path", r->http->path);
	cJSON_AddStringToObject(f, "route", r->route->pattern);
	cJSON_AddNumberToObject(f, "status", r->http->status);
	cJSON_AddNumberToObject(f, "duration_us", (double)us);
	cJSON_AddStringToObject(f, "remote", addr);
	if (r->who.sub[0] != '\0')
		cJSON_AddStringToObject(f, "sub", r->who.sub);
	core_log_buffered("request", f);
}

void
core_http_remote(struct core_req *r, char *out, size_t len)
{
	struct connection	*c;

	c = r->http->owner;
	out[0] = '\0';
	if (c == NULL)
		return;
	if (c->family == AF_INET)
		inet_ntop(AF_INET, &c->addr.ipv4.sin_addr, out, len);
	else if (c->family == AF_INET6)
		inet_ntop(AF_INET6, &c->addr.ipv6.sin6_addr, out, len);
}

const char *
core_http_header(struct core_req *r, const char *name)
{
	const char	*v;

	if (!http_request_header(r->http, name, &v))
		return (NULL);
	return (v);
}

int
core_http_query(struct core_req *r, const char *name, char *out, size_t len)
{
	const char	*q, *end, *eq;
	size_t		 nlen, vlen;

	if ((q = r->http->query_string) == NULL)
		return (0);
	nlen = strlen(name);
	while (*q != '\0') {
		if ((end = strchr(q, '&')) == NULL)
			end = q + strlen(q);
		eq = memchr(q, '=', end - q);
		if (eq != NULL && (size_t)(eq - q) == nlen &&
		    memcmp(q, name, nlen) == 0) {
			vlen = end - eq - 1;
			if (vlen >= len)
				return (-1);
			memcpy(out, eq + 1, vlen);
			out[vlen] = '\0';
			if (core_http_urldecode(out) == -1)
				return (-1);
			return (1);
		}
		q = *end ? end + 1 : end;
	}
	return (0);
}

int
core_http_page(struct core_req *r, int def, int max, int *limit,
    char *after, size_t afterlen)
{
	char		 buf[16];
	int		 rc, ok;
	long long	 v;
	cJSON		*errors;

	errors = NULL;
	*limit = def;
	after[0] = '\0';
	rc = core_http_query(r, "limit", buf, sizeof(buf));
	if (rc == -1) {
		core_http_field_error(&errors, "limit", "must be a number");
	} else if (rc == 1) {
		v = kore_strtonum(buf, 10, 1, max, &ok);
		if (ok != KORE_RESULT_OK) {
			core_http_field_error(&errors, "limit",
			    "must be a whole number within the allowed range");
		} else {
			*limit = (int)v;
		}
	}
	if (core_http_query(r, "after", after, afterlen) == -1)
		core_http_field_error(&errors, "after", "is not a valid cursor");
	if (errors != NULL) {
		core_http_bad_query(r, "paging", errors);
		return (-1);
	}
	return (0);
}

int
core_http_cursor_rowid(const char *after, int64_t def, int64_t *from,
    cJSON **errors)
{
	char	*end;

	*from = def;
	if (after[0] == '\0')
		return (0);
	*from = strtoll(after, &end, 10);
	if (*end != '\0' || *from <= 0) {
		core_http_field_error(errors, "after",
		    "is not a cursor from this list");
		return (-1);
	}
	return (0);
}

void
core_http_bad_query(struct core_req *r, const char *what, cJSON *errors)
{
	char	detail[96];

	snprintf(detail, sizeof(detail), "the %s arguments are not valid",
	    what);
	core_http_problem(r, 400, "bad-query", "Bad query", detail, errors);
}

cJSON *
core_http_page_body(cJSON *data, const char *next)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "data", data);
	if (next != NULL && next[0] != '\0')
		cJSON_AddStringToObject(o, "next", next);
	else
		cJSON_AddNullToObject(o, "next");
	return (o);
}

void
core_http_json(struct core_req *r, int status, const cJSON *body)
{
	char	*s;

	s = cJSON_PrintUnformatted(body);
	http_response_header(r->http, "content-type",
	    "application/json; charset=utf-8");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, status, s, s ? strlen(s) : 0);
	cJSON_free(s);
}

void
core_buf_reserve(struct kore_buf *b, size_t n)
{
	size_t	want;

	if (b->offset + n <= b->length)
		return;
	want = b->length * 2;
	if (want < b->offset + n)
		want = b->offset + n;
	b->data = kore_realloc(b->data, want);
	b->length = want;
}

void
core_http_json_take(struct core_req *r, int status, cJSON *body)
{
	core_http_json(r, status, body);
	cJSON_Delete(body);
}

void
core_http_problem(struct core_req *r, int status, const char *type,
    const char *title, const char *detail, cJSON *errors)
{
	cJSON	*m;

	m = NULL;
	if (errors != NULL) {
		m = cJSON_CreateObject();
		cJSON_AddItemToObject(m, "errors", errors);
	}
	core_http_problem_with(r, status, type, title, detail, m);
}

void
core_http_problem_with(struct core_req *r, int status, const char *type,
    const char *title, const char *detail, cJSON *members)
{
	cJSON	*o;
	char	 uri[128];
	char	*s;

	snprintf(uri, sizeof(uri), "%s%s", CORE_HTTP_PROBLEM_BASE, type);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", uri);
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddNumberToObject(o, "status", status);
	if (detail != NULL)
		cJSON_AddStringToObject(o, "detail", detail);
	core_http_add_path(o, "instance", r->http->path);
	cJSON_AddStringToObject(o, "request_id", r->request_id);
	core_json_merge(o, members);
	s = cJSON_PrintUnformatted(o);
	http_response_header(r->http, "content-type",
	    "application/problem+json");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, status, s, s ? strlen(s) : 0);
	cJSON_free(s);
	cJSON_Delete(o);
}

void
core_http_field_error(cJSON **errors, const char *field, const char *message)
{
	cJSON	*e;

	if (*errors == NULL)
		*errors = cJSON_CreateArray();
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToArray(*errors, e);
}

void
core_http_invalid(struct core_req *r, cJSON *errors)
{
	core_http_problem(r, 422, "validation", "Validation failed",
	    "one or more fields are not valid", errors);
}

int
core_http_not_found(struct core_req *r, const char *type, const char *detail)
{
	core_http_problem(r, 404, type, "Not found", detail, NULL);
	return (KORE_RESULT_OK);
}

int
core_http_internal(struct core_req *r)
{
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}
