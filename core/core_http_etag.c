/*
 * The headers of versioned resources: the ETag a module's row version
 * becomes ("v<version>"), the If-Match check that guards updates with 428
 * (no header where one is required) and 412 (a stale version, answered
 * with the current ETag), and the Location of a resource just created.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_http.h"

void
core_http_etag(struct core_req *r, int64_t version)
{
	char	etag[32];

	snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)version);
	http_response_header(r->http, "etag", etag);
}

int
core_http_if_match(struct core_req *r, int64_t version, int flags,
    const char *what)
{
	const char	*ifm;
	char		 etag[32], detail[128];

	if ((ifm = core_http_header(r, "if-match")) == NULL) {
		if (!(flags & CORE_HTTP_IFM_REQUIRED))
			return (0);
		snprintf(detail, sizeof(detail), "send If-Match with the %s's "
		    "ETag so a concurrent edit is not overwritten", what);
		core_http_problem(r, 428, "precondition-required",
		    "Precondition required", detail, NULL);
		return (-1);
	}
	snprintf(etag, sizeof(etag), "\"v%lld\"", (long long)version);
	if (version > 0 && (strcmp(ifm, etag) == 0 ||
	    ((flags & CORE_HTTP_IFM_ANY) && strcmp(ifm, "*") == 0)))
		return (0);
	if (version > 0)
		core_http_etag(r, version);
	snprintf(detail, sizeof(detail), "the %s changed since you read it; "
	    "reload it", what);
	core_http_problem(r, 412, "stale-edit", "Precondition failed", detail,
	    NULL);
	return (-1);
}

void
core_http_location(struct core_req *r, const char *base, const char *id)
{
	char	loc[256];

	snprintf(loc, sizeof(loc), "%s%s", base, id);
	http_response_header(r->http, "location", loc);
}
