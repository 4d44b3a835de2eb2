/*
 * Embedded static files: the admin UI under /admin/, Swagger UI under
 * /api/docs and the OpenAPI document.  ETags are SHA-256 of the bytes, so
 * If-None-Match answers 304.  The admin UI gets a strict CSP with no inline
 * scripts or styles.
 */
#include <string.h>

#include "core/core_asset.h"
#include "core/core_int.h"

#define CSP_ADMIN	"default-src 'self'; script-src 'self'; " \
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#define CSP_DOCS	"default-src 'self'; script-src 'self'; " \
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

const struct core_asset *
core_asset_get(const char *path)
{
	const struct core_asset	*a;

	for (a = core_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			return (a);
	return (NULL);
}

int
core_static_serve(struct core_req *r)
{
	const struct core_asset	*a;
	const char		*path, *inm;

	path = r->http->path;
	if (strcmp(path, "/") == 0) {
		http_response_header(r->http, "location", "/admin/");
		http_response(r->http, 302, NULL, 0);
		return (1);
	}
	if (strcmp(path, "/admin") == 0 || strcmp(path, "/admin/") == 0)
		path = "/admin/index.html";
	else if (strcmp(path, "/api/docs") == 0 ||
	    strcmp(path, "/api/docs/") == 0)
		path = "/api/docs/index.html";
	if ((a = core_asset_get(path)) == NULL)
		return (0);
	if (r->http->method != HTTP_METHOD_GET &&
	    r->http->method != HTTP_METHOD_HEAD) {
		http_response_header(r->http, "allow", "GET, HEAD");
		core_http_problem(r, 405, "method-not-allowed",
		    "Method not allowed", "static files are read-only", NULL);
		return (1);
	}
	http_response_header(r->http, "etag", a->etag);
	http_response_header(r->http, "cache-control", "no-cache");
	http_response_header(r->http, "x-frame-options", "DENY");
	http_response_header(r->http, "referrer-policy", "no-referrer");
	if (strncmp(path, "/admin/", 7) == 0)
		http_response_header(r->http, "content-security-policy",
		    CSP_ADMIN);
	else if (strncmp(path, "/api/docs", 9) == 0)
		http_response_header(r->http, "content-security-policy",
		    CSP_DOCS);
	if ((inm = core_http_header(r, "if-none-match")) != NULL &&
	    strcmp(inm, a->etag) == 0) {
		http_response(r->http, 304, NULL, 0);
		return (1);
	}
	http_response_header(r->http, "content-type", a->mime);
	http_response(r->http, 200, a->data, a->len);
	return (1);
}
