/*
 * Shared by core_identity.c (hashing, tokens, rate limits) and
 * core_identity_accounts.c (register, staff, me, revoke) only.
 */
#ifndef CORE_IDENTITY_INT_H
#define CORE_IDENTITY_INT_H

#include <sodium.h>
#include <stdint.h>

#include <kore/kore.h>
#include <kore/tasks.h>

#include "core/core_http.h"
#include "core/core_id.h"

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

/* The decoy hash verified when an account does not exist. */
extern char	identity_dummy_hash[crypto_pwhash_STRBYTES];

/* Starts op on a task thread; the state lives with the request. */
struct id_pw	*identity_pw_start(struct core_req *, int op,
		    const char *password, const char *hash);
/* The task's state if finished, else NULL (and the request sleeps). */
struct id_pw	*identity_pw_done(struct core_req *);

int	identity_email_valid(const char *);
/* A body field that may be a JSON boolean or the form string "true". */
int	identity_flag(const cJSON *body, const char *key);
/* RFC 6749 error as problem+json with the OAuth members added. */
void	identity_oauth_error(struct core_req *, int status, const char *error,
	    const char *detail);
/* columns col..col+4 of st: id, email, name, role, created_at */
cJSON	*identity_user_json(sqlite3_stmt *st, int col);
/* The refresh token from the body, or from the cookie when allowed. */
const char *identity_refresh_from(struct core_req *, const char *key,
	    int *cookie);
int	identity_revoke_family(sqlite3 *db, const char *family);

/* core_identity_accounts.c: the routes besides the token endpoint. */
int	identity_register(struct core_req *);
int	identity_staff(struct core_req *);
int	identity_me(struct core_req *);
int	identity_revoke(struct core_req *);

#endif
