/*
 * Static files compiled into the binary (tools/embed.c writes the table):
 * the admin UI, its vendored libraries, the OpenAPI document and Swagger UI.
 */
#ifndef CORE_ASSET_H
#define CORE_ASSET_H

#include <stddef.h>

struct core_asset {
	const char		*path;	/* URL path, e.g. "/admin/index.html" */
	const unsigned char	*data;	/* NUL-terminated after len bytes */
	size_t			 len;
	const char		*etag;	/* quoted, ready for the header */
	const char		*mime;
};

/* The table ends with a NULL path. */
extern const struct core_asset core_assets[];

/* Returns the asset at URL path, or NULL.  The pointer lives forever. */
const struct core_asset	*core_asset_get(const char *);

#endif
