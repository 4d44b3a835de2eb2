/*
 * The test provider: a card gateway stand-in whose answer follows the
 * amount being authorized, so storefronts and tests can drive every path
 * without a real gateway.  The last two minor digits decide: 01 is
 * declined, 02 stays pending until a webhook approves (or declines) it,
 * anything else is approved; asked again later (sync, as a shop does
 * after missing a webhook) a pending 02 is found approved.  Webhooks are signed like the big gateways
 * sign theirs: X-Mercato-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>"> with the shop's secret (made at the
 * first start, in payment_settings); the time must be within 5 minutes,
 * the MAC is compared in constant time, and an event id seen before is
 * ignored.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "modules/checkout/checkout_pay.h"

#define CHECKOUT_PAY_SECRET_MAX	128

static enum checkout_pay_verdict checkout_pay_test_authorize(
		    struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
static enum checkout_pay_verdict checkout_pay_test_capture(
		    struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
static enum checkout_pay_verdict checkout_pay_test_sync(
		    struct checkout_pay_record *,
		    const struct checkout_pay_call *, char *, size_t);
static void	checkout_pay_test_mac(const char *secret, const char *body,
		    size_t len, int64_t t,
		    unsigned char mac[crypto_auth_hmacsha256_BYTES]);

const struct checkout_pay_provider checkout_pay_test = {
	.name = "test",
	.title = "Test payments",
	.ops = {
		[CHECKOUT_PAY_CREATE] = checkout_pay_std_create,
		[CHECKOUT_PAY_AUTHORIZE] = checkout_pay_test_authorize,
		[CHECKOUT_PAY_CAPTURE] = checkout_pay_test_capture,
		[CHECKOUT_PAY_REFUND] = checkout_pay_std_refund,
		[CHECKOUT_PAY_CANCEL] = checkout_pay_std_cancel,
		[CHECKOUT_PAY_SYNC] = checkout_pay_test_sync,
	},
	.webhook = checkout_pay_test_webhook,
};

enum checkout_pay_state
checkout_pay_test_outcome(int64_t amount)
{
	switch (amount % 100) {
	case 1:
		return (CHECKOUT_PAYST_DECLINED);
	case 2:
		return (CHECKOUT_PAYST_PENDING);
	default:
		return (CHECKOUT_PAYST_AUTHORIZED);
	}
}

/* Authorizes from pending only; the amount decides the answer. */
static enum checkout_pay_verdict
checkout_pay_test_authorize(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	if (rec->state != CHECKOUT_PAYST_PENDING || rec->authorized > 0) {
		snprintf(reason, len, "the payment is %s: it cannot be"
		    " authorized", checkout_pay_state_name(rec->state));
		return (CHECKOUT_PAY_ILLEGAL);
	}
	if (call->currency == NULL || strcmp(call->currency, rec->currency)) {
		snprintf(reason, len, "the payment is in %s", rec->currency);
		return (CHECKOUT_PAY_INVALID);
	}
	if (call->amount < 1 || call->amount > rec->amount) {
		snprintf(reason, len, "the amount to authorize must be 1 to"
		    " %lld", (long long)rec->amount);
		return (CHECKOUT_PAY_INVALID);
	}
	switch (checkout_pay_test_outcome(call->amount)) {
	case CHECKOUT_PAYST_DECLINED:
		rec->state = CHECKOUT_PAYST_DECLINED;
		snprintf(reason, len, "the test provider declines amounts"
		    " ending in 01");
		return (CHECKOUT_PAY_DECLINED);
	case CHECKOUT_PAYST_PENDING:
		snprintf(reason, len, "pending: a webhook will approve it");
		return (CHECKOUT_PAY_OK);
	default:
		rec->state = CHECKOUT_PAYST_AUTHORIZED;
		rec->authorized = call->amount;
		return (CHECKOUT_PAY_OK);
	}
}

/*
 * What the gateway says now about a pending payment: one it answered
 * "later" (02) has been approved in the meantime, the others follow the
 * amount rule as an authorization would.  Anything but pending is
 * already known and is answered as it stands.
 */
static enum checkout_pay_verdict
checkout_pay_test_sync(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	if (rec->state != CHECKOUT_PAYST_PENDING) {
		snprintf(reason, len, "the payment is %s",
		    checkout_pay_state_name(rec->state));
		return (CHECKOUT_PAY_OK);
	}
	if (call->amount != rec->amount) {
		snprintf(reason, len, "the gateway holds a payment of %lld",
		    (long long)rec->amount);
		return (CHECKOUT_PAY_INVALID);
	}
	if (checkout_pay_test_outcome(rec->amount) == CHECKOUT_PAYST_DECLINED) {
		rec->state = CHECKOUT_PAYST_DECLINED;
		snprintf(reason, len, "the test provider declines amounts"
		    " ending in 01");
		return (CHECKOUT_PAY_DECLINED);
	}
	rec->state = CHECKOUT_PAYST_AUTHORIZED;
	rec->authorized = rec->amount;
	return (CHECKOUT_PAY_OK);
}

/* A card gateway captures only what it authorized. */
static enum checkout_pay_verdict
checkout_pay_test_capture(struct checkout_pay_record *rec,
    const struct checkout_pay_call *call, char *reason, size_t len)
{
	if (rec->state != CHECKOUT_PAYST_AUTHORIZED) {
		snprintf(reason, len, "the payment is %s: only an authorized"
		    " payment can be captured",
		    checkout_pay_state_name(rec->state));
		return (CHECKOUT_PAY_ILLEGAL);
	}
	return (checkout_pay_std_capture(rec, call, reason, len));
}

static void
checkout_pay_test_mac(const char *secret, const char *body, size_t len,
    int64_t t, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state	st;
	char				ts[32];
	int				n;

	n = snprintf(ts, sizeof(ts), "%lld.", (long long)t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

int
checkout_pay_test_sign(const char *secret, const char *body, size_t len,
    int64_t t, char *out, size_t outlen)
{
	unsigned char	mac[crypto_auth_hmacsha256_BYTES];
	char		hex[2 * sizeof(mac) + 1];
	int		n;

	checkout_pay_test_mac(secret, body, len, t, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	n = snprintf(out, outlen, "t=%lld,v1=%s", (long long)t, hex);
	return (n < 0 || (size_t)n >= outlen ? -1 : 0);
}

int
checkout_pay_test_verify(const char *secret, const char *body, size_t len,
    const char *header, int64_t now)
{
	unsigned char	 want[crypto_auth_hmacsha256_BYTES];
	unsigned char	 got[crypto_auth_hmacsha256_BYTES];
	const char	*p, *v;
	char		*end;
	long long	 t;
	size_t		 n;

	if (secret == NULL || secret[0] == '\0' || header == NULL ||
	    strncmp(header, "t=", 2) != 0)
		return (-1);
	p = header + 2;
	if (*p < '0' || *p > '9')
		return (-1);
	t = strtoll(p, &end, 10);
	if (strncmp(end, ",v1=", 4) != 0)
		return (-1);
	v = end + 4;
	if (strlen(v) != 2 * sizeof(got) || sodium_hex2bin(got, sizeof(got),
	    v, strlen(v), NULL, &n, NULL) != 0 || n != sizeof(got))
		return (-1);
	if (t < now - CHECKOUT_PAY_WEBHOOK_TOLERANCE ||
	    t > now + CHECKOUT_PAY_WEBHOOK_TOLERANCE)
		return (-1);
	checkout_pay_test_mac(secret, body, len, (int64_t)t, want);
	return (sodium_memcmp(want, got, sizeof(got)) == 0 ? 0 : -1);
}

/* Remembers event id; 1 if it was seen before, 0 if new, -1 on error. */
static int
checkout_pay_test_seen(sqlite3 *db, const char *id)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "INSERT INTO payment_webhook_events (id,"
	    " provider, received_at) VALUES (?, 'test', ?) ON CONFLICT (id)"
	    " DO NOTHING")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, core_db_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "pay webhook seen"));
	return (sqlite3_changes(db) == 0);
}

int
checkout_pay_test_webhook(sqlite3 *db, const char *body, size_t len,
    const char *signature, int64_t now, char *reason, size_t rlen)
{
	struct checkout_pay_record	 rec;
	struct checkout_pay_call	 call;
	char				 secret[CHECKOUT_PAY_SECRET_MAX];
	char				 key[80];
	const char			*id, *type, *order;
	cJSON				*ev;
	int				 rc, approved;

	reason[0] = '\0';
	if (checkout_pay_setting(db, "test.webhook_secret", secret,
	    sizeof(secret)) == -1)
		return (-1);
	rc = checkout_pay_test_verify(secret, body, len, signature, now);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0) {
		snprintf(reason, rlen, "the signature is missing, wrong or"
		    " outside the 5-minute window");
		return (-2);
	}
	if ((ev = core_json_parse(body, len)) == NULL) {
		snprintf(reason, rlen, "the body is not JSON");
		return (-3);
	}
	rc = -3;
	if (core_json_get_str(ev, "id", 64, &id) || id[0] == '\0' ||
	    core_json_get_str(ev, "type", 40, &type) ||
	    core_json_get_str(ev, "order_id", CORE_ID_MAX - 1, &order)) {
		snprintf(reason, rlen, "id, type and order_id are required");
		goto out;
	}
	approved = strcmp(type, "payment.approved") == 0;
	if (!approved && strcmp(type, "payment.declined") != 0) {
		snprintf(reason, rlen, "type must be payment.approved or"
		    " payment.declined");
		goto out;
	}
	if ((rc = checkout_pay_test_seen(db, id)) != 0)
		goto out;		/* 1: a replay, ignored; -1 */
	if ((rc = checkout_pay_load(db, order, &rec)) != 0 ||
	    strcmp(rec.provider, "test") != 0 ||
	    rec.state != CHECKOUT_PAYST_PENDING) {
		if (rc != -1) {
			snprintf(reason, rlen, "the order has no pending test"
			    " payment");
			rc = -3;
		}
		goto out;
	}
	if (!approved) {
		rec.state = CHECKOUT_PAYST_DECLINED;
		rc = checkout_pay_save(db, &rec);
		goto out;
	}
	/* Approved: the gateway settles the whole amount at once. */
	rec.state = CHECKOUT_PAYST_AUTHORIZED;
	rec.authorized = rec.amount;
	if ((rc = checkout_pay_save(db, &rec)) == -1 || rec.amount == 0)
		goto out;
	memset(&call, 0, sizeof(call));
	call.amount = rec.amount;
	call.currency = rec.currency;
	snprintf(key, sizeof(key), "webhook:%s", id);
	call.key = key;
	rc = checkout_pay_run(db, "test", CHECKOUT_PAY_CAPTURE, order, &call,
	    "provider:test", NULL, reason, rlen);
	if (rc > 0)
		rc = -3;
out:
	cJSON_Delete(ev);
	return (rc);
}
