/*
 * Tokens: HS256 JWT access tokens (the key is data/jwt.key, 256 bits from
 * libsodium's RNG) and the principal of a request.  Verification fixes the
 * algorithm, checks iss, aud, exp, iat, sub and role, and compares the
 * signature in constant time.
 */
#ifndef CORE_AUTH_H
#define CORE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/core_http.h"

#define CORE_AUTH_ISSUER	"mercato"
#define CORE_AUTH_AUDIENCE	"mercato"
#define CORE_AUTH_JWT_MAX	1024

/*
 * Signs an access token for sub with role (CORE_ROLE_*) valid for ttl
 * seconds from now into out.  Returns 0, or -1 if out is too small.
 */
int	core_auth_jwt_sign(char *out, size_t len, const unsigned char *key,
	    const char *sub, int role, int64_t now, int ttl);

/*
 * Verifies token against key at time now and fills who.  Returns 0 if the
 * token is valid, -1 otherwise (who is then cleared).
 */
int	core_auth_jwt_verify(const char *token, const unsigned char *key,
	    int64_t now, struct core_principal *who)
	    __attribute__((warn_unused_result));

/* "customer", "staff", "admin" for CORE_ROLE_*; NULL otherwise. */
const char *core_auth_role_name(int role);

/* CORE_ROLE_* for a role name, CORE_ROLE_NONE if unknown. */
int	core_auth_role_parse(const char *name);

/*
 * Fills r->who from an "Authorization: Bearer" header.  No header leaves
 * the request anonymous and returns 0; a header with a bad token answers
 * 401 problem+json and returns -1.
 */
int	core_auth_principal(struct core_req *r);

#endif
