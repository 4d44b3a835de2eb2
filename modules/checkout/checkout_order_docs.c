/*
 * Gap-free document numbers and Idempotency-Key records of checkout's
 * orders.  Both live in checkout.db and are written inside the caller's
 * write transaction: a number is taken by the transaction that uses it (a
 * rollback gives it back, so the sequence has no holes, which invoices
 * need by law in much of Europe), and an idempotent answer is stored with
 * the effect it describes (a retry finds both or neither).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_log.h"
#include "modules/checkout/checkout_order.h"

static const char checkout_docs_sql_next[] =
    "UPDATE order_counters SET value = value + 1 WHERE name = ?1"
    " RETURNING value";
static const char checkout_docs_sql_idem_get[] =
    "SELECT request_hash, status, body FROM idempotency_keys"
    " WHERE scope = ?1 AND key = ?2";
static const char checkout_docs_sql_idem_put[] =
    "INSERT INTO idempotency_keys (scope, key, request_hash, status, body,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char checkout_docs_sql_idem_prune[] =
    "DELETE FROM idempotency_keys WHERE created_at < ?1";

static void	checkout_idem_part(crypto_generichash_state *, const void *,
		    size_t);

int
checkout_order_number_next(sqlite3 *db, const char *counter, int64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_get_autocommit(db)) {
		/* Outside a transaction the number would commit alone. */
		core_logf("error", "checkout: number %s outside a transaction",
		    counter);
		return (-1);
	}
	if ((st = core_db_stmt(db, checkout_docs_sql_next)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, counter, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			core_logf("error", "checkout: no counter %s", counter);
		else
			core_db_err(db, "order number");
		return (-1);
	}
	return (0);
}

/* Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently. */
static void
checkout_idem_part(crypto_generichash_state *h, const void *p, size_t len)
{
	unsigned char	n[8];
	int		i;

	for (i = 0; i < 8; i++)
		n[i] = (unsigned char)((uint64_t)len >> (8 * i));
	crypto_generichash_update(h, n, sizeof(n));
	if (len > 0)
		crypto_generichash_update(h, p, len);
}

void
checkout_idem_hash(unsigned char out[CHECKOUT_IDEM_HASH_LEN],
    const char *method, const char *path, const void *body, size_t bodylen)
{
	crypto_generichash_state	h;

	crypto_generichash_init(&h, NULL, 0, CHECKOUT_IDEM_HASH_LEN);
	checkout_idem_part(&h, method, strlen(method));
	checkout_idem_part(&h, path, strlen(path));
	checkout_idem_part(&h, body, bodylen);
	crypto_generichash_final(&h, out, CHECKOUT_IDEM_HASH_LEN);
}

int
checkout_idem_lookup(sqlite3 *db, const char *scope, const char *key,
    const unsigned char hash[CHECKOUT_IDEM_HASH_LEN], int *status,
    char **body)
{
	sqlite3_stmt	*st;
	int		 rc, res;

	*body = NULL;
	if ((st = core_db_stmt(db, checkout_docs_sql_idem_get)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return (CHECKOUT_IDEM_NEW);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return (core_db_err(db, "idempotency lookup"));
	}
	if (sqlite3_column_bytes(st, 0) != CHECKOUT_IDEM_HASH_LEN ||
	    sodium_memcmp(sqlite3_column_blob(st, 0), hash,
	    CHECKOUT_IDEM_HASH_LEN) != 0) {
		res = CHECKOUT_IDEM_MISMATCH;
	} else {
		*status = sqlite3_column_int(st, 1);
		if ((*body = strdup((const char *)sqlite3_column_text(st,
		    2))) == NULL)
			res = -1;
		else
			res = CHECKOUT_IDEM_REPLAY;
	}
	sqlite3_reset(st);
	return (res);
}

int
checkout_idem_store(sqlite3 *db, const char *scope, const char *key,
    const unsigned char hash[CHECKOUT_IDEM_HASH_LEN], int status,
    const char *body)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = core_db_stmt(db, checkout_docs_sql_idem_put)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, hash, CHECKOUT_IDEM_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, status);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, core_db_now_ms());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : core_db_err(db, "idempotency store"));
}

int
checkout_idem_prune(sqlite3 *db, int64_t cutoff_ms, int64_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = core_db_stmt(db, checkout_docs_sql_idem_prune)) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, cutoff_ms);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (core_db_err(db, "idempotency prune"));
	*n = sqlite3_changes(db);
	return (0);
}
