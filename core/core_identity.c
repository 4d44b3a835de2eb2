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
#include "core/core_int.h"
#include "core/core_json.h"
#include "core/core_log.h"

#define ID_PW_MIN		8
#define ID_PW_MAX		256
#define ID_EMAIL_MAX		254
#define ID_NAME_MAX		200
#define ID_WINDOW_MS		(15 * 60 * 1000)
#define ID_COOKIE		"mercato_refresh"
#define ID_REFRESH_BYTES	32

#define ID_OP_VERIFY		1
#define ID_OP_HASH		2

/* Work handed to a task thread; the task is the first member. */
struct id_pw {
	struct kore_task	task;
	int			op;
	int			started;
	char			password[ID_PW_MAX + 1];
	char			hash[crypto_pwhash_STRBYTES];
	/* the request's own data kept across the task */
	int			found;
	int			role;
	int			cookie;
	char			user_id[CORE_ID_MAX];
	char			email[ID_EMAIL_MAX + 8];	/* or acct:<email> */
	char			name[ID_NAME_MAX + 1];
	char			addr[80];	/* addr:<ip> */
	int64_t			attempt[2];	/* signin_failures rowids */
};

static char	id_dummy_hash[crypto_pwhash_STRBYTES];

static int	id_token(struct core_req *);
static int	id_register(struct core_req *);
static int	id_staff(struct core_req *);
static int	id_me(struct core_req *);
static int	id_revoke(struct core_req *);

const struct core_route core_identity_routes[] = {
	{ HTTP_METHOD_POST, "/api/v1/auth/token", id_token,
	    CORE_ACCESS_PUBLIC, 8192 },
	{ HTTP_METHOD_POST, "/api/v1/auth/register", id_register,
	    CORE_ACCESS_PUBLIC, 8192 },
	{ HTTP_METHOD_POST, "/api/v1/auth/staff", id_staff,
	    CORE_ACCESS_ADMIN, 8192 },
	{ HTTP_METHOD_GET, "/api/v1/auth/me", id_me,
	    CORE_ACCESS_CUSTOMER, 0 },
	{ HTTP_METHOD_POST, "/api/v1/auth/revoke", id_revoke,
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

static struct id_pw *
id_pw_start(struct core_req *r, int op, const char *password,
    const char *hash)
{
	struct id_pw	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		fatal("id_pw_start: out of memory");
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
static struct id_pw *
id_pw_done(struct core_req *r)
{
	struct id_pw	*st = r->state;

	if (!kore_task_finished(&st->task)) {
		http_request_sleep(r->http);
		return (NULL);
	}
	return (st);
}

/* ---- small helpers ------------------------------------------------------ */

static int
id_email_valid(const char *s)
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
static int
id_flag(const cJSON *body, const char *key)
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
static void
id_oauth_error(struct core_req *r, int status, const char *error,
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

static cJSON *
id_user_json(sqlite3_stmt *st, int col)
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

static int
id_revoke_family(sqlite3 *db, const char *family)
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
static const char *
id_refresh_from(struct core_req *r, const char *key, int *cookie)
{
	const char	*tok;
	char		*ck;

	*cookie = id_flag(r->body, "refresh_cookie");
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

	if ((tok = id_refresh_from(r, "refresh_token", &cookie)) == NULL) {
		id_oauth_error(r, 400, "invalid_request",
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
		id_oauth_error(r, 400, "invalid_grant",
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
		    (id_revoke_family(db, family) == -1 ||
		    core_db_commit(db) == -1))
			goto fail;
		core_db_rollback(db);
		id_oauth_error(r, 400, "invalid_grant", why);
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
		id_oauth_error(r, 400, "invalid_request",
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
		id_oauth_error(r, 429, "temporarily_unavailable",
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
	hash = found ? (const char *)sqlite3_column_text(q, 1) : id_dummy_hash;
	st = id_pw_start(r, ID_OP_VERIFY, pw, hash);
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
	st->cookie = id_flag(r->body, "refresh_cookie");
	return (KORE_RESULT_RETRY);
}

static int
id_grant_password_finish(struct core_req *r)
{
	struct id_pw	*st;
	char		 family[CORE_ID_MAX], refresh[64];
	sqlite3		*db;
	sqlite3_stmt	*q;

	if ((st = id_pw_done(r)) == NULL)
		return (KORE_RESULT_RETRY);
	db = core_db_get("identity");
	if (!st->found || kore_task_result(&st->task) != KORE_RESULT_OK) {
		/* The failure was recorded when the attempt opened. */
		core_metrics_signin(0);
		id_oauth_error(r, 400, "invalid_grant",
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
		id_oauth_error(r, 400, "invalid_request",
		    "grant_type is required");
		return (KORE_RESULT_OK);
	}
	if (strcmp(grant, "password") == 0)
		return (id_grant_password_start(r));
	if (strcmp(grant, "refresh_token") == 0)
		return (id_grant_refresh(r));
	id_oauth_error(r, 400, "unsupported_grant_type",
	    "grant_type must be password or refresh_token");
	return (KORE_RESULT_OK);
}

/* ---- accounts ------------------------------------------------------------ */

static int
id_email_taken(sqlite3 *db, const char *email)
{
	sqlite3_stmt	*st;
	int		 taken;

	if ((st = core_db_stmt(db, "SELECT 1 FROM users WHERE email = ?")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	taken = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return (taken);
}

/*
 * Inserts the user (and, for customers, identity.customer.registered) in
 * one transaction.  Returns 0, 1 if the email is taken, -1 on error.
 */
static int
id_insert_user(sqlite3 *db, const char *id, const char *email,
    const char *name, int role, const char *hash)
{
	sqlite3_stmt	*st;
	cJSON		*p;
	char		 ts[40];
	int64_t		 now;
	int		 rc;

	now = core_db_now_ms();
	if (core_db_begin(db) == -1)
		return (-1);
	if ((st = core_db_stmt(db, "INSERT INTO users (id, email, name, role,"
	    " password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, core_auth_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		core_db_rollback(db);
		return (1);
	}
	if (rc != SQLITE_DONE) {
		core_db_err(db, "insert user");
		goto fail;
	}
	if (role == CORE_ROLE_CUSTOMER) {
		core_time_rfc3339(ts, sizeof(ts), now);
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "customer_id", id);
		cJSON_AddStringToObject(p, "email", email);
		cJSON_AddStringToObject(p, "name", name);
		cJSON_AddStringToObject(p, "registered_at", ts);
		rc = core_bus_publish(db, "identity.customer.registered", 1,
		    id, p);
		cJSON_Delete(p);
		if (rc == -1)
			goto fail;
	}
	if (core_db_commit(db) == -1)
		return (-1);
	return (0);
fail:
	core_db_rollback(db);
	return (-1);
}

static int
id_create(struct core_req *r, int staff)
{
	struct id_pw	*st;
	cJSON		*errors;
	const char	*email, *pw, *name, *role;
	sqlite3		*db;
	sqlite3_stmt	*q;
	int		 rc, rl;

	db = core_db_get("identity");
	if (r->state != NULL) {
		if ((st = id_pw_done(r)) == NULL)
			return (KORE_RESULT_RETRY);
		if (kore_task_result(&st->task) != KORE_RESULT_OK) {
			core_http_problem(r, 500, "internal", "Internal error",
			    "the password could not be hashed", NULL);
			return (KORE_RESULT_OK);
		}
		core_id_new(st->user_id, sizeof(st->user_id), "usr");
		rc = id_insert_user(db, st->user_id, st->email, st->name,
		    st->role, st->hash);
		if (rc == 1) {
			core_http_problem(r, 409, "email-taken",
			    "Email already registered",
			    "an account with this email exists", NULL);
			return (KORE_RESULT_OK);
		}
		if (rc == -1 || (q = core_db_stmt(db, "SELECT id, email, name,"
		    " role, created_at FROM users WHERE id = ?")) == NULL) {
			core_http_problem(r, 500, "internal", "Internal error",
			    "the account could not be created", NULL);
			return (KORE_RESULT_OK);
		}
		sqlite3_bind_text(q, 1, st->user_id, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_reset(q);
			core_http_problem(r, 500, "internal", "Internal error",
			    NULL, NULL);
			return (KORE_RESULT_OK);
		}
		http_response_header(r->http, "location", "/api/v1/auth/me");
		core_http_json_take(r, 201, id_user_json(q, 0));
		sqlite3_reset(q);
		return (KORE_RESULT_OK);
	}

	errors = NULL;
	if (r->body == NULL) {
		core_http_field_error(&errors, "email", "is required");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	rc = core_json_get_str(r->body, "email", ID_EMAIL_MAX, &email);
	if (rc != CORE_JSON_OK || !id_email_valid(email))
		core_http_field_error(&errors, "email", rc == CORE_JSON_MISSING ?
		    "is required" : "must be an email address of at most 254 "
		    "characters");
	rc = core_json_get_str(r->body, "password", ID_PW_MAX, &pw);
	if (rc != CORE_JSON_OK || strlen(pw) < ID_PW_MIN)
		core_http_field_error(&errors, "password", rc ==
		    CORE_JSON_MISSING ? "is required" : "must be 8 to 256 "
		    "characters");
	rc = core_json_get_str(r->body, "name", ID_NAME_MAX, &name);
	if (rc == CORE_JSON_MISSING)
		name = "";
	else if (rc != CORE_JSON_OK)
		core_http_field_error(&errors, "name", "must be a string of at "
		    "most 200 characters");
	rl = CORE_ROLE_CUSTOMER;
	if (staff) {
		rc = core_json_get_str(r->body, "role", 16, &role);
		rl = rc == CORE_JSON_OK ? core_auth_role_parse(role) :
		    CORE_ROLE_NONE;
		if (rl != CORE_ROLE_STAFF && rl != CORE_ROLE_ADMIN)
			core_http_field_error(&errors, "role",
			    "must be staff or admin");
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if ((rc = id_email_taken(db, email)) != 0) {
		if (rc == 1)
			core_http_problem(r, 409, "email-taken",
			    "Email already registered",
			    "an account with this email exists", NULL);
		else
			core_http_problem(r, 500, "internal", "Internal error",
			    NULL, NULL);
		return (KORE_RESULT_OK);
	}
	st = id_pw_start(r, ID_OP_HASH, pw, NULL);
	st->role = rl;
	snprintf(st->email, sizeof(st->email), "%s", email);
	snprintf(st->name, sizeof(st->name), "%s", name);
	return (KORE_RESULT_RETRY);
}

static int
id_register(struct core_req *r)
{
	return (id_create(r, 0));
}

static int
id_staff(struct core_req *r)
{
	return (id_create(r, 1));
}

static int
id_me(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	db = core_db_get("identity");
	if ((st = core_db_stmt(db, "SELECT id, email, name, role, created_at"
	    " FROM users WHERE id = ? AND disabled = 0")) == NULL) {
		core_http_problem(r, 500, "internal", "Internal error", NULL,
		    NULL);
		return (KORE_RESULT_OK);
	}
	sqlite3_bind_text(st, 1, r->who.sub, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		core_http_problem(r, 404, "not-found", "Not found",
		    "the account no longer exists", NULL);
		return (KORE_RESULT_OK);
	}
	core_http_json_take(r, 200, id_user_json(st, 0));
	sqlite3_reset(st);
	return (KORE_RESULT_OK);
}

static int
id_revoke(struct core_req *r)
{
	unsigned char	 hash[crypto_hash_sha256_BYTES];
	char		 family[64], hdr[128];
	const char	*tok;
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 cookie, found;

	if (r->body == NULL ||
	    (tok = id_refresh_from(r, "token", &cookie)) == NULL) {
		if (r->body != NULL && id_flag(r->body, "refresh_cookie")) {
			/* No cookie left: already signed out. */
			core_http_json_take(r, 200, cJSON_CreateObject());
			return (KORE_RESULT_OK);
		}
		id_oauth_error(r, 400, "invalid_request", "token is required");
		return (KORE_RESULT_OK);
	}
	crypto_hash_sha256(hash, (const unsigned char *)tok, strlen(tok));
	db = core_db_get("identity");
	if (core_db_begin(db) == -1)
		goto fail;
	if ((st = core_db_stmt(db, "SELECT family FROM refresh_tokens WHERE"
	    " hash = ?")) == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		snprintf(family, sizeof(family), "%s",
		    sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (found && id_revoke_family(db, family) == -1)
		goto fail;
	if (core_db_commit(db) == -1)
		goto fail;
	if (cookie) {
		snprintf(hdr, sizeof(hdr), "%s=; Path=/api/v1/auth; Max-Age=0;"
		    " HttpOnly; SameSite=Strict", ID_COOKIE);
		http_response_header(r->http, "set-cookie", hdr);
	}
	/* RFC 7009: unknown tokens are not an error. */
	core_http_json_take(r, 200, cJSON_CreateObject());
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	core_http_problem(r, 500, "internal", "Internal error", NULL, NULL);
	return (KORE_RESULT_OK);
}

/* ---- set-up and the admin account ---------------------------------------- */

/* Called in the parent before the workers fork: the decoy hash. */
void
core_identity_init(void)
{
	unsigned char	rnd[16];
	char		pw[33];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (crypto_pwhash_str(id_dummy_hash, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		fatal("core_identity_init: out of memory");
}

int
core_identity_seed_admin(const char *email, const char *password, int print)
{
	char		 hash[crypto_pwhash_STRBYTES];
	char		 id[CORE_ID_MAX];
	sqlite3		*db;
	int		 rc;

	if (!id_email_valid(email) || strlen(email) > ID_EMAIL_MAX) {
		fprintf(stderr, "mercato: '%s' is not an email address\n",
		    email);
		return (-1);
	}
	if (strlen(password) < ID_PW_MIN || strlen(password) > ID_PW_MAX) {
		fprintf(stderr, "mercato: the password must be 8 to 256 "
		    "characters\n");
		return (-1);
	}
	if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return (-1);
	db = core_db_get("identity");
	core_id_new(id, sizeof(id), "usr");
	rc = id_insert_user(db, id, email, "Administrator", CORE_ROLE_ADMIN,
	    hash);
	if (rc == 1) {
		fprintf(stderr, "mercato: an account with email %s exists\n",
		    email);
		return (-1);
	}
	if (rc == 0 && print)
		core_logf("info", "created admin %s (%s)", email, id);
	return (rc);
}
