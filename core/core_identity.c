/*
 * Identity, owned by core in data/identity.db: customer and staff accounts,
 * the OAuth2-style token endpoint (password and refresh_token grants),
 * registration, me, revocation and sign-in rate limits.  Argon2id hashing
 * and verification run on Kore task threads, off the event loop; the task
 * touches only its own buffers, never SQLite.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/tasks.h>

#include "core/core_auth.h"
#include "core/core_bus.h"
#include "core/core_config.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_identity_int.h"
#include "core/core_int.h"
#include "core/core_json.h"
#include "core/core_log.h"

char	identity_dummy_hash[crypto_pwhash_STRBYTES];

static int	id_token(struct core_req *);

const struct core_route core_identity_routes[] = {
	{ HTTP_METHOD_POST, "/api/v1/auth/token", id_token,
	    CORE_ACCESS_PUBLIC, 8192 },
	{ HTTP_METHOD_POST, "/api/v1/auth/register", identity_register,
	    CORE_ACCESS_PUBLIC, 8192 },
	{ HTTP_METHOD_POST, "/api/v1/auth/staff", identity_staff,
	    CORE_ACCESS_ADMIN, 8192 },
	{ HTTP_METHOD_GET, "/api/v1/auth/me", identity_me,
	    CORE_ACCESS_CUSTOMER, 0 },
	{ HTTP_METHOD_POST, "/api/v1/auth/revoke", identity_revoke,
	    CORE_ACCESS_PUBLIC, 8192 },
	{ 0, NULL, NULL, 0, 0 }
};

/* ---- password hashing on task threads ---------------------------------- */

static int
id_pw_task(struct kore_task *t)
{
	struct id_pw	*st = (struct id_pw *)t;
	int		 ok;

	if (st->op == ID_OP_HASH) {
		ok = crypto_pwhash_str(st->hash, st->password,
		    strlen(st->password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	} else {
		ok = crypto_pwhash_str_verify(st->hash, st->password,
		    strlen(st->password)) == 0;
	}
	sodium_memzero(st->password, sizeof(st->password));
	return (ok ? KORE_RESULT_OK : KORE_RESULT_ERROR);
}

static int
id_pw_free(void *arg)
{
	struct id_pw	*st = arg;

	/* A request dropped while its task runs: keep it until it ends. */
	if (st->started && !kore_task_finished(&st->task))
		return (0);
	if (st->started)
		kore_task_destroy(&st->task);
	sodium_memzero(st, sizeof(*st));
	free(st);
	return (1);
}

struct id_pw *
identity_pw_start(struct core_req *r, int op, const char *password,
    const char *hash)
{
	struct id_pw	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		fatal("identity_pw_start: out of memory");
	st->op = op;
	snprintf(st->password, sizeof(st->password), "%s", password);
	if (hash != NULL)
		snprintf(st->hash, sizeof(st->hash), "%s", hash);
	r->state = st;
	r->state_free = id_pw_free;
	kore_task_create(&st->task, id_pw_task);
	kore_task_bind_request(&st->task, r->http);
	kore_task_run(&st->task);
	st->started = 1;
	return (st);
}

/* Returns the task's state if finished, else NULL (and the request sleeps). */
struct id_pw *
identity_pw_done(struct core_req *r)
{
	struct id_pw	*st = r->state;

	if (!kore_task_finished(&st->task)) {
		http_request_sleep(r->http);
		return (NULL);
	}
	return (st);
}

/* ---- small helpers ------------------------------------------------------ */

int
identity_email_valid(const char *s)
{
	const char	*at, *p;

	if ((at = strchr(s, '@')) == NULL || at == s || strchr(at + 1, '@'))
		return (0);
	if (strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    s[strlen(s) - 1] == '.')
		return (0);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return (0);
	return (1);
}

static void
id_lower(char *dst, size_t len, const char *src)
{
	size_t	i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* A body field that may be a JSON boolean or the form string "true". */
int
identity_flag(const cJSON *body, const char *key)
{
	const char	*s;
	int		 b;

	if (core_json_get_bool(body, key, &b) == CORE_JSON_OK)
		return (b);
	if (core_json_get_str(body, key, 8, &s) == CORE_JSON_OK)
		return (strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
	return (0);
}

/* RFC 6749 error as problem+json with the OAuth members added. */
void
identity_oauth_error(struct core_req *r, int status, const char *error,
    const char *detail)
{
	cJSON	*o;
	char	*s, uri[96];

	snprintf(uri, sizeof(uri), "https://mercato.dev/problems/%s", error);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", uri);
	cJSON_AddStringToObject(o, "title", status == 429 ?
	    "Too many attempts" : "Token request refused");
	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddStringToObject(o, "detail", detail);
	cJSON_AddStringToObject(o, "instance", r->http->path);
	cJSON_AddStringToObject(o, "request_id", r->request_id);
	cJSON_AddStringToObject(o, "error", error);
	cJSON_AddStringToObject(o, "error_description", detail);
	s = cJSON_PrintUnformatted(o);
	http_response_header(r->http, "content-type",
	    "application/problem+json");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, status, s, strlen(s));
	cJSON_free(s);
	cJSON_Delete(o);
}

cJSON *
identity_user_json(sqlite3_stmt *st, int col)
{
	cJSON	*o;
	char	 ts[40];

	/* columns: id, email, name, role, created_at */
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id",
	    (const char *)sqlite3_column_text(st, col));
	cJSON_AddStringToObject(o, "email",
	    (const char *)sqlite3_column_text(st, col + 1));
	cJSON_AddStringToObject(o, "name",
	    (const char *)sqlite3_column_text(st, col + 2));
	cJSON_AddStringToObject(o, "role",
	    (const char *)sqlite3_column_text(st, col + 3));
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, col + 4));
	cJSON_AddStringToObject(o, "created_at", ts);
	return (o);
}

/* ---- refresh tokens ----------------------------------------------------- */

/*
 * Inserts a new refresh token of family for user inside the open tx and
 * writes its text into out.  Returns 0 or -1.
 */
static int
id_refresh_issue(sqlite3 *db, const char *family, const char *user,
    char *out, size_t outlen)
{
	unsigned char	 raw[ID_REFRESH_BYTES];
	unsigned char	 hash[crypto_hash_sha256_BYTES];
	sqlite3_stmt	*st;
	int64_t		 now;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, outlen, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	crypto_hash_sha256(hash, (const unsigned char *)out, strlen(out));
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO refresh_tokens (hash, family,"
	    " user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) ==
	    NULL)
		return (-1);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now + (int64_t)core_config.refresh_ttl * 1000);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "insert refresh token"));
	return (0);
}

int
identity_revoke_family(sqlite3 *db, const char *family)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "UPDATE refresh_tokens SET revoked_at = ?"
	    " WHERE family = ? AND revoked_at IS NULL")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, core_db_now_ms());
	sqlite3_bind_text(st, 2, family, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "revoke family"));
	return (0);
}

/* Answers the token response; refresh goes to the cookie when asked. */
static void
id_token_reply(struct core_req *r, const char *user, int role,
    const char *refresh, int cookie)
{
	char	 jwt[CORE_AUTH_JWT_MAX];
	char	 hdr[256];
	cJSON	*o;

	if (core_auth_jwt_sign(jwt, sizeof(jwt), core_config.jwt_key, user,
	    role, (int64_t)time(NULL), core_config.token_ttl) == -1)
		fatal("id_token_reply: token does not fit");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", jwt);
	cJSON_AddStringToObject(o, "token_type", "Bearer");
	cJSON_AddNumberToObject(o, "expires_in", core_config.token_ttl);
	cJSON_AddStringToObject(o, "scope", core_auth_role_name(role));
	if (cookie) {
		snprintf(hdr, sizeof(hdr), "%s=%s; Path=/api/v1/auth; "
		    "Max-Age=%d; HttpOnly; SameSite=Strict%s", ID_COOKIE,
		    refresh, core_config.refresh_ttl,
		    strncmp(core_config.base_url, "https:", 6) == 0 ?
		    "; Secure" : "");
		http_response_header(r->http, "set-cookie", hdr);
	} else {
		cJSON_AddStringToObject(o, "refresh_token", refresh);
	}
	http_response_header(r->http, "pragma", "no-cache");
	core_http_json_take(r, 200, o);
}

/* The refresh token from the body, or from the cookie when allowed. */
const char *
identity_refresh_from(struct core_req *r, const char *key, int *cookie)
{
	const char	*tok;
	char		*ck;

	*cookie = identity_flag(r->body, "refresh_cookie");
	if (core_json_get_str(r->body, key, 128, &tok) == CORE_JSON_OK)
		return (tok);
	if (*cookie) {
		http_populate_cookies(r->http);
		if (http_request_cookie(r->http, ID_COOKIE, &ck) && ck != NULL &&
		    strlen(ck) <= 128)
			return (ck);
	}
	return (NULL);
}

static int
id_grant_refresh(struct core_req *r)
{
	unsigned char	 hash[crypto_hash_sha256_BYTES];
	char		 family[64], user[CORE_ID_MAX], next[64];
	const char	*tok, *why;
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 now;
	int		 cookie, role, rc;

	if ((tok = identity_refresh_from(r, "refresh_token", &cookie)) == NULL) {
		identity_oauth_error(r, 400, "invalid_request",
		    "refresh_token is required");
		return (KORE_RESULT_OK);
	}
	crypto_hash_sha256(hash, (const unsigned char *)tok, strlen(tok));
	db = core_db_get("identity");
	if (core_db_begin(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "SELECT t.family, t.user_id, t.expires_at,"
	    " t.used_at IS NOT NULL, t.revoked_at IS NOT NULL, u.role,"
	    " u.disabled FROM refresh_tokens t JOIN users u ON u.id ="
	    " t.user_id WHERE t.hash = ?")) == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		core_db_rollback(db);
		if (rc != SQLITE_DONE)
			goto fail;
		identity_oauth_error(r, 400, "invalid_grant",
		    "the refresh token is not valid");
		return (KORE_RESULT_OK);
	}
	snprintf(family, sizeof(family), "%s", sqlite3_column_text(st, 0));
	snprintf(user, sizeof(user), "%s", sqlite3_column_text(st, 1));
	now = core_db_now_ms();
	why = NULL;
	if (sqlite3_column_int(st, 4))
		why = "the refresh token was revoked";
	else if (sqlite3_column_int(st, 3))
		why = "the refresh token was already used; its sign-in is "
		    "revoked";
	else if (sqlite3_column_int64(st, 2) <= now)
		why = "the refresh token has expired";
	else if (sqlite3_column_int(st, 6))
		why = "the account is disabled";
	role = core_auth_role_parse((const char *)sqlite3_column_text(st, 5));
	sqlite3_reset(st);
	if (why != NULL) {
		/* Reuse of a rotated token: someone else may hold it. */
		if (strstr(why, "already used") != NULL &&
		    (identity_revoke_family(db, family) == -1 ||
		    core_db_commit(db) == -1))
			goto fail;
		core_db_rollback(db);
		identity_oauth_error(r, 400, "invalid_grant", why);
		return (KORE_RESULT_OK);
	}
	if ((st = core_db_stmt(db, "UPDATE refresh_tokens SET used_at = ?"
	    " WHERE hash = ?")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "rotate refresh token");
		goto fail;
	}
	if (id_refresh_issue(db, family, user, next, sizeof(next)) == -1 ||
	    core_db_commit(db) == -1)
		goto fail;
	id_token_reply(r, user, role, next, cookie);
	sodium_memzero(next, sizeof(next));
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error",
	    "the token could not be issued", NULL);
	return (KORE_RESULT_OK);
}

/* ---- sign-in rate limits ------------------------------------------------ */

/*
 * Seconds until key may try again (0 if it may now).  Counts failures in
 * the last window; the wait lasts until the oldest of them leaves it.
 */
static int
id_limited(sqlite3 *db, const char *key, int limit, int64_t now)
{
	sqlite3_stmt	*st;
	int64_t		 oldest;
	int		 n;

	if ((st = core_db_stmt(db, "SELECT count(*), min(at) FROM"
	    " (SELECT at FROM signin_failures WHERE key = ? AND at > ?"
	    " ORDER BY at DESC LIMIT ?)")) == NULL)
		return (0);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now - ID_WINDOW_MS);
	sqlite3_bind_int(st, 3, limit);
	n = 0;
	oldest = now;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int(st, 0);
		oldest = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (n < limit)
		return (0);
	return ((int)((oldest + ID_WINDOW_MS - now) / 1000) + 1);
}

/*
 * Opens a sign-in attempt: in one write transaction, checks both limits
 * and, if neither is reached, records the attempt as a failure of acct and
 * of addr up front (rowids into ids[2]).  Recording before the password is
 * checked is what keeps parallel attempts from all slipping under the
 * limit; a good password removes the records again.  Returns 0, the
 * seconds to wait (> 0) when limited, or -1 on a db error.
 */
static int
id_attempt_open(sqlite3 *db, const char *acct, const char *addr,
    int64_t *ids)
{
	sqlite3_stmt	*st;
	int64_t		 now;
	const char	*keys[2];
	int		 i, secs, a;

	now = core_db_now_ms();
	keys[0] = acct;
	keys[1] = addr;
	if (core_db_begin(db) == -1)
		return (-1);
	secs = id_limited(db, acct, core_config.signin_per_account, now);
	a = id_limited(db, addr, core_config.signin_per_address, now);
	if (a > secs)
		secs = a;
	if (secs > 0) {
		core_db_rollback(db);
		return (secs);
	}
	for (i = 0; i < 2; i++) {
		if ((st = core_db_stmt(db, "INSERT INTO signin_failures"
		    " (key, at) VALUES (?, ?)")) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		ids[i] = sqlite3_last_insert_rowid(db);
	}
	if ((st = core_db_stmt(db, "DELETE FROM signin_failures WHERE at < ?"))
	    == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, now - ID_WINDOW_MS);
	if (sqlite3_step(st) != SQLITE_DONE || core_db_commit(db) == -1)
		goto fail;
	return (0);
fail:
	core_db_err(db, "open sign-in attempt");
	core_db_rollback(db);
	return (-1);
}

/* ---- the token endpoint -------------------------------------------------- */

static int
id_grant_password_start(struct core_req *r)
{
	char		 acct[ID_EMAIL_MAX + 8], addr[80], lower[ID_EMAIL_MAX + 1];
	char		 wait[16];
	const char	*user, *pw, *hash;
	struct id_pw	*st;
	sqlite3		*db;
	sqlite3_stmt	*q;
	int		 secs, found;
	int64_t		 ids[2];

	if (core_json_get_str(r->body, "username", ID_EMAIL_MAX, &user) !=
	    CORE_JSON_OK || *user == '\0' ||
	    core_json_get_str(r->body, "password", ID_PW_MAX, &pw) !=
	    CORE_JSON_OK || *pw == '\0') {
		identity_oauth_error(r, 400, "invalid_request",
		    "username and password are required strings");
		return (KORE_RESULT_OK);
	}
	db = core_db_get("identity");
	id_lower(lower, sizeof(lower), user);
	snprintf(acct, sizeof(acct), "acct:%s", lower);
	core_http_remote(r, addr + 5, sizeof(addr) - 5);
	memcpy(addr, "addr:", 5);
	if ((secs = id_attempt_open(db, acct, addr, ids)) == -1) {
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	if (secs > 0) {
		snprintf(wait, sizeof(wait), "%d", secs);
		http_response_header(r->http, "retry-after", wait);
		core_metrics_signin(-1);
		identity_oauth_error(r, 429, "temporarily_unavailable",
		    "too many failed sign-ins; try again later");
		return (KORE_RESULT_OK);
	}
	if ((q = core_db_stmt(db, "SELECT id, password_hash, role, disabled"
	    " FROM users WHERE email = ?")) == NULL) {
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	sqlite3_bind_text(q, 1, user, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 3) == 0;
	/* Unknown accounts still pay for a verify, so timing tells nothing. */
	hash = found ? (const char *)sqlite3_column_text(q, 1) : identity_dummy_hash;
	st = identity_pw_start(r, ID_OP_VERIFY, pw, hash);
	st->found = found;
	if (found) {
		snprintf(st->user_id, sizeof(st->user_id), "%s",
		    sqlite3_column_text(q, 0));
		st->role = core_auth_role_parse(
		    (const char *)sqlite3_column_text(q, 2));
	}
	sqlite3_reset(q);
	snprintf(st->email, sizeof(st->email), "%s", acct);
	snprintf(st->addr, sizeof(st->addr), "%s", addr);
	st->attempt[0] = ids[0];
	st->attempt[1] = ids[1];
	st->cookie = identity_flag(r->body, "refresh_cookie");
	return (KORE_RESULT_RETRY);
}

static int
id_grant_password_finish(struct core_req *r)
{
	struct id_pw	*st;
	char		 family[CORE_ID_MAX], refresh[64];
	sqlite3		*db;
	sqlite3_stmt	*q;

	if ((st = identity_pw_done(r)) == NULL)
		return (KORE_RESULT_RETRY);
	db = core_db_get("identity");
	if (!st->found || kore_task_result(&st->task) != KORE_RESULT_OK) {
		/* The failure was recorded when the attempt opened. */
		core_metrics_signin(0);
		identity_oauth_error(r, 400, "invalid_grant",
		    "the email or password is wrong");
		return (KORE_RESULT_OK);
	}
	core_id_new(family, sizeof(family), "fam");
	if (core_db_begin(db) == -1)
		goto fail;
	/*
	 * A good sign-in forgets the account's failures and this attempt's
	 * provisional failure of the address.
	 */
	if ((q = core_db_stmt(db, "DELETE FROM signin_failures WHERE key = ?"
	    " OR rowid = ?")) == NULL)
		goto fail;
	sqlite3_bind_text(q, 1, st->email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, st->attempt[1]);
	if (sqlite3_step(q) != SQLITE_DONE ||
	    id_refresh_issue(db, family, st->user_id, refresh,
	    sizeof(refresh)) == -1 || core_db_commit(db) == -1)
		goto fail;
	core_metrics_signin(1);
	id_token_reply(r, st->user_id, st->role, refresh, st->cookie);
	sodium_memzero(refresh, sizeof(refresh));
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error",
	    "the token could not be issued", NULL);
	return (KORE_RESULT_OK);
}

static int
id_token(struct core_req *r)
{
	const char	*grant;

	if (r->state != NULL)
		return (id_grant_password_finish(r));
	if (r->body == NULL || core_json_get_str(r->body, "grant_type", 64,
	    &grant) != CORE_JSON_OK) {
		identity_oauth_error(r, 400, "invalid_request",
		    "grant_type is required");
		return (KORE_RESULT_OK);
	}
	if (strcmp(grant, "password") == 0)
		return (id_grant_password_start(r));
	if (strcmp(grant, "refresh_token") == 0)
		return (id_grant_refresh(r));
	identity_oauth_error(r, 400, "unsupported_grant_type",
	    "grant_type must be password or refresh_token");
	return (KORE_RESULT_OK);
}
