/*
 * Identity accounts: registration, staff accounts made by an admin, me,
 * token revocation, and the first admin account at set-up.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

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
		if ((st = identity_pw_done(r)) == NULL)
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
		core_http_json_take(r, 201, identity_user_json(q, 0));
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
	if (rc != CORE_JSON_OK || !identity_email_valid(email))
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
	st = identity_pw_start(r, ID_OP_HASH, pw, NULL);
	st->role = rl;
	snprintf(st->email, sizeof(st->email), "%s", email);
	snprintf(st->name, sizeof(st->name), "%s", name);
	return (KORE_RESULT_RETRY);
}

int
identity_register(struct core_req *r)
{
	return (id_create(r, 0));
}

int
identity_staff(struct core_req *r)
{
	return (id_create(r, 1));
}

int
identity_me(struct core_req *r)
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
	core_http_json_take(r, 200, identity_user_json(st, 0));
	sqlite3_reset(st);
	return (KORE_RESULT_OK);
}

int
identity_revoke(struct core_req *r)
{
	unsigned char	 hash[crypto_hash_sha256_BYTES];
	char		 family[64], hdr[128];
	const char	*tok;
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 cookie, found;

	if (r->body == NULL ||
	    (tok = identity_refresh_from(r, "token", &cookie)) == NULL) {
		if (r->body != NULL && identity_flag(r->body, "refresh_cookie")) {
			/* No cookie left: already signed out. */
			core_http_json_take(r, 200, cJSON_CreateObject());
			return (KORE_RESULT_OK);
		}
		identity_oauth_error(r, 400, "invalid_request", "token is required");
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
	if (found && identity_revoke_family(db, family) == -1)
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
	if (crypto_pwhash_str(identity_dummy_hash, pw, strlen(pw),
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

	if (!identity_email_valid(email) || strlen(email) > ID_EMAIL_MAX) {
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
