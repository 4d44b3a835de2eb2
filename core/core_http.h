/*
 * The HTTP edge: one dispatcher for every request, our own route table,
 * request ids, principals from bearer tokens, JSON bodies with limits,
 * RFC 9457 problem+json errors, cursor pagination, CORS, metrics and the
 * JSON-lines access log.  Module handlers receive a struct core_req.
 */
#ifndef CORE_HTTP_H
#define CORE_HTTP_H

#include <kore/kore.h>
#include <kore/http.h>
#include <cjson/cJSON.h>
#include <stdint.h>

/* Who may call a route. */
#define CORE_ACCESS_PUBLIC	0
#define CORE_ACCESS_CUSTOMER	1	/* any signed-in principal */
#define CORE_ACCESS_STAFF	2	/* staff or admin */
#define CORE_ACCESS_ADMIN	3

#define CORE_ROLE_NONE		0
#define CORE_ROLE_CUSTOMER	1
#define CORE_ROLE_STAFF		2
#define CORE_ROLE_ADMIN		3

#define CORE_HTTP_BODY_MAX	65536	/* default JSON body limit */
#define CORE_HTTP_MAX_PARAMS	4

struct core_req;

struct core_route {
	int		 methods;	/* HTTP_METHOD_* mask */
	const char	*pattern;	/* "/api/v1/x/{id}": {} is one segment */
	int		(*handler)(struct core_req *);
	int		 access;	/* CORE_ACCESS_* */
	size_t		 body_max;	/* 0: CORE_HTTP_BODY_MAX */
};

struct core_principal {
	char		sub[64];	/* user id, "" when anonymous */
	int		role;		/* CORE_ROLE_* */
};

struct core_req {
	struct http_request	*http;
	const struct core_route	*route;
	int			 route_id;	/* index for metrics */
	char			 request_id[65];
	struct core_principal	 who;
	const char		*params[CORE_HTTP_MAX_PARAMS];	/* {} values */
	char			*pathcopy;
	cJSON			*body;		/* parsed JSON or form body */
	u_int8_t		*raw;		/* its bytes (kore_malloc) */
	size_t			 rawlen;
	uint64_t		 start_us;
	/*
	 * Handler state kept across KORE_RESULT_RETRY (tasks).  state_free
	 * returns 1 once it freed the state, 0 if it must stay (a task still
	 * runs); it is called again later.
	 */
	void			*state;
	int			(*state_free)(void *);
};

/*
 * Answers with status and the JSON rendering of body (not consumed).
 * Content-Type application/json; charset=utf-8.
 */
void	core_http_json(struct core_req *, int status, const cJSON *body);

/* Same, then cJSON_Delete(body).  For the common build-and-send case. */
void	core_http_json_take(struct core_req *, int status, cJSON *body);

/*
 * Makes room for n more bytes in b, doubling.  kore_buf_append grows by
 * exactly what is appended, so a large answer (a CSV export) built from
 * small appends would be copied once per append: quadratic.
 */
void	core_buf_reserve(struct kore_buf *b, size_t n);

/*
 * Answers an RFC 9457 problem: type is a short slug appended to
 * https://mercato.dev/problems/ (e.g. "validation"), detail may be NULL.
 * errors (consumed, may be NULL) is an array of {"field","message"}.
 */
void	core_http_problem(struct core_req *, int status, const char *type,
	    const char *title, const char *detail, cJSON *errors);

/*
 * Like core_http_problem, with extension members: every item of members
 * (an object, consumed, may be NULL) is added to the problem document.
 */
void	core_http_problem_with(struct core_req *, int status, const char *type,
	    const char *title, const char *detail, cJSON *members);

/* Adds {"field": f, "message": m} to *errors (created on first use). */
void	core_http_field_error(cJSON **errors, const char *field,
	    const char *message);

/* 422 validation problem with errors (consumed). */
void	core_http_invalid(struct core_req *, cJSON *errors);

/* 404 problem of type ("not-found") with detail; returns KORE_RESULT_OK. */
int	core_http_not_found(struct core_req *, const char *type,
	    const char *detail);

/* 500 internal problem; returns KORE_RESULT_OK. */
int	core_http_internal(struct core_req *);

/* Sets the ETag header to "v<version>" (core_http_etag.c). */
void	core_http_etag(struct core_req *, int64_t version);

/* Sets the Location header to base followed by id (core_http_etag.c). */
void	core_http_location(struct core_req *, const char *base,
	    const char *id);

/* Flags of core_http_if_match. */
#define CORE_HTTP_IFM_REQUIRED	0x01	/* no If-Match: 428 */
#define CORE_HTTP_IFM_ANY	0x02	/* "*" matches any version */

/*
 * Checks If-Match against version (0: the resource does not exist yet).
 * Without the header: 0, or with CORE_HTTP_IFM_REQUIRED a 428 answer and
 * -1.  A header naming another version answers 412 (with the current
 * ETag when version > 0) and returns -1.  what names the resource in the
 * detail ("group", "product type").
 */
int	core_http_if_match(struct core_req *, int64_t version, int flags,
	    const char *what);

/* The value of request header name, or NULL.  Borrowed for the request. */
const char *core_http_header(struct core_req *, const char *name);

/*
 * Query argument name copied into out (url-decoded).  Returns 1 if present,
 * 0 if absent, -1 if too long for out.
 */
int	core_http_query(struct core_req *, const char *name, char *out,
	    size_t len);

/*
 * Pagination arguments: limit within [1, max] (default def) and the opaque
 * cursor after (may be empty).  Answers 400 and returns -1 on bad values.
 */
int	core_http_page(struct core_req *, int def, int max, int *limit,
	    char *after, size_t afterlen);

/*
 * A rowid cursor: *from = def when after is "", else the positive whole
 * number after is; otherwise adds the field error "after" to *errors and
 * returns -1.
 */
int	core_http_cursor_rowid(const char *after, int64_t def, int64_t *from,
	    cJSON **errors);

/* 400 bad-query "the <what> arguments are not valid"; errors consumed. */
void	core_http_bad_query(struct core_req *, const char *what,
	    cJSON *errors);

/* Builds {"data": data, "next": next or null}; consumes data. */
cJSON	*core_http_page_body(cJSON *data, const char *next);

/* The client's address as text into out. */
void	core_http_remote(struct core_req *, char *out, size_t len);

/* The id of the request being served in this worker ("" outside one). */
const char *core_http_current_request_id(void);
void	core_http_set_current_request_id(const char *);

/* Adds path as key to o, with bytes that are not UTF-8 replaced by '?'. */
void	core_http_add_path(cJSON *o, const char *key, const char *path);

/* Microseconds on the monotonic clock. */
uint64_t core_http_now_us(void);

/* Route registry, built in the parent before the workers fork. */
void	core_http_routes_init(void);
int	core_http_route_count(void);
const struct core_route *core_http_route_at(int);

/* The Kore handler named in kore.conf. */
int	core_http_dispatch(struct http_request *);

#endif
