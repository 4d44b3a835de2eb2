/*
 * HS256 JWT signing and verification with libsodium, and the request's
 * principal (see core_auth.h).  Only the header {"alg":"HS256","typ":"JWT"}
 * is ever accepted: "none" and other algorithms are refused before the
 * signature is looked at.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/core_auth.h"
#include "core/core_config.h"
#include "core/core_json.h"

#define B64URL	sodium_base64_VARIANT_URLSAFE_NO_PADDING

static int	core_auth_b64dec(unsigned char *, size_t, size_t *,
		    const char *, size_t);

static const char *core_auth_roles[] = { NULL, "customer", "staff", "admin" };

const char *
core_auth_role_name(int role)
{
	if (role < CORE_ROLE_CUSTOMER || role > CORE_ROLE_ADMIN)
		return (NULL);
	return (core_auth_roles[role]);
}

int
core_auth_role_parse(const char *name)
{
	int	i;

	for (i = CORE_ROLE_CUSTOMER; i <= CORE_ROLE_ADMIN; i++)
		if (name != NULL && strcmp(name, core_auth_roles[i]) == 0)
			return (i);
	return (CORE_ROLE_NONE);
}

static int
core_auth_b64dec(unsigned char *out, size_t outlen, size_t *got,
    const char *in, size_t inlen)
{
	if (sodium_base642bin(out, outlen, in, inlen, NULL, got, NULL,
	    B64URL) != 0)
		return (-1);
	return (0);
}

int
core_auth_jwt_sign(char *out, size_t len, const unsigned char *key,
    const char *sub, int role, int64_t now, int ttl)
{
	static const char	 hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	unsigned char		 mac[crypto_auth_hmacsha256_BYTES];
	unsigned char		 jti[12];
	char			 jtis[32];
	char			 payload[512];
	size_t			 off, need;
	int			 n, ok;
	cJSON			*p;

	if (core_auth_role_name(role) == NULL)
		return (-1);
	randombytes_buf(jti, sizeof(jti));
	sodium_bin2base64(jtis, sizeof(jtis), jti, sizeof(jti), B64URL);
	/* Built with cJSON so a sub can never inject claims. */
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "iss", CORE_AUTH_ISSUER);
	cJSON_AddStringToObject(p, "aud", CORE_AUTH_AUDIENCE);
	cJSON_AddStringToObject(p, "sub", sub);
	cJSON_AddStringToObject(p, "role", core_auth_role_name(role));
	cJSON_AddNumberToObject(p, "iat", (double)now);
	cJSON_AddNumberToObject(p, "exp", (double)(now + ttl));
	cJSON_AddStringToObject(p, "jti", jtis);
	ok = cJSON_PrintPreallocated(p, payload, sizeof(payload), 0);
	cJSON_Delete(p);
	if (!ok)
		return (-1);
	n = (int)strlen(payload);
	need = sodium_base64_ENCODED_LEN(sizeof(hdr) - 1, B64URL) +
	    sodium_base64_ENCODED_LEN(n, B64URL) +
	    sodium_base64_ENCODED_LEN(sizeof(mac), B64URL) + 2;
	if (need > len)
		return (-1);
	sodium_bin2base64(out, len, (const unsigned char *)hdr,
	    sizeof(hdr) - 1, B64URL);
	off = strlen(out);
	out[off++] = '.';
	sodium_bin2base64(out + off, len - off, (const unsigned char *)payload,
	    n, B64URL);
	off += strlen(out + off);
	crypto_auth_hmacsha256(mac, (const unsigned char *)out, off, key);
	out[off++] = '.';
	sodium_bin2base64(out + off, len - off, mac, sizeof(mac), B64URL);
	return (0);
}

int
core_auth_jwt_verify(const char *token, const unsigned char *key,
    int64_t now, struct core_principal *who)
{
	unsigned char	 mac[crypto_auth_hmacsha256_BYTES];
	unsigned char	 sig[crypto_auth_hmacsha256_BYTES + 4];
	unsigned char	 buf[768];
	const char	*d1, *d2, *s;
	cJSON		*h, *p;
	size_t		 got, tlen;
	int64_t		 exp, iat;
	int		 ok, role;

	memset(who, 0, sizeof(*who));
	h = p = NULL;
	ok = -1;
	tlen = strlen(token);
	if (tlen > CORE_AUTH_JWT_MAX || (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return (-1);

	/* The header must name HS256 and nothing else. */
	if (core_auth_b64dec(buf, sizeof(buf) - 1, &got, token,
	    d1 - token) == -1)
		return (-1);
	buf[got] = '\0';
	if ((h = cJSON_ParseWithLength((const char *)buf, got)) == NULL ||
	    core_json_get_str(h, "alg", 16, &s) != CORE_JSON_OK ||
	    strcmp(s, "HS256") != 0)
		goto out;

	/* Signature over "header.payload", compared in constant time. */
	if (core_auth_b64dec(sig, sizeof(sig), &got, d2 + 1,
	    tlen - (d2 + 1 - token)) == -1 || got != sizeof(mac))
		goto out;
	crypto_auth_hmacsha256(mac, (const unsigned char *)token, d2 - token,
	    key);
	if (sodium_memcmp(mac, sig, sizeof(mac)) != 0)
		goto out;

	if (core_auth_b64dec(buf, sizeof(buf) - 1, &got, d1 + 1,
	    d2 - (d1 + 1)) == -1)
		goto out;
	buf[got] = '\0';
	if ((p = cJSON_ParseWithLength((const char *)buf, got)) == NULL)
		goto out;
	if (core_json_get_str(p, "iss", 64, &s) != CORE_JSON_OK ||
	    strcmp(s, CORE_AUTH_ISSUER) != 0 ||
	    core_json_get_str(p, "aud", 64, &s) != CORE_JSON_OK ||
	    strcmp(s, CORE_AUTH_AUDIENCE) != 0)
		goto out;
	if (core_json_get_i64(p, "exp", 0, INT64_MAX, &exp) != CORE_JSON_OK ||
	    core_json_get_i64(p, "iat", 0, INT64_MAX, &iat) != CORE_JSON_OK ||
	    exp <= now || iat > now + 60)
		goto out;
	if (core_json_get_str(p, "role", 16, &s) != CORE_JSON_OK ||
	    (role = core_auth_role_parse(s)) == CORE_ROLE_NONE)
		goto out;
	if (core_json_get_str(p, "sub", sizeof(who->sub) - 1, &s) !=
	    CORE_JSON_OK || *s == '\0')
		goto out;
	snprintf(who->sub, sizeof(who->sub), "%s", s);
	who->role = role;
	ok = 0;
out:
	cJSON_Delete(h);
	cJSON_Delete(p);
	if (ok != 0)
		memset(who, 0, sizeof(*who));
	return (ok);
}

int
core_auth_principal(struct core_req *r)
{
	const char	*hdr;

	if ((hdr = core_http_header(r, "authorization")) == NULL)
		return (0);
	if (strncasecmp(hdr, "Bearer ", 7) != 0 ||
	    core_auth_jwt_verify(hdr + 7, core_config.jwt_key,
	    (int64_t)time(NULL), &r->who) != 0) {
		http_response_header(r->http, "www-authenticate",
		    "Bearer realm=\"mercato\", error=\"invalid_token\"");
		core_http_problem(r, 401, "invalid-token", "Invalid token",
		    "the bearer token is malformed, expired or not ours",
		    NULL);
		return (-1);
	}
	return (0);
}
