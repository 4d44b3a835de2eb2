/*
 * The payments API: the methods a storefront may offer (public), the bank
 * account and instructions staff show on bank-transfer orders (the
 * instructions reworded by staff or the default), the test provider's webhook
 * secret (staff) and its signed webhook (public, verified over the raw
 * body), and staff recording money received for an order.  The provider logic is in checkout_pay*.c; no SQL here but
 * through them.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core_db.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"
#include "modules/checkout/checkout_pay.h"

#define CHECKOUT_PAY_FIELD_MAX	100
/* Room for a few sentences, well inside the PUT's 2 KiB body limit. */
#define CHECKOUT_PAY_INSTR_MAX	500

/* What the customer reads until staff word it their own way. */
#define CHECKOUT_PAY_BANK_INSTR	"Transfer the order total to this account" \
	" with your order number as the reference; the order ships when the" \
	" money has arrived."

static const char *const checkout_pay_bank_fields[] = {
	"account_holder", "iban", "bic"
};

static cJSON	*checkout_pay_bank_json(sqlite3 *);
static int	 checkout_pay_enabled(sqlite3 *, const char *provider);

/* 1 if provider's "<name>.enabled" setting is "1". */
static int
checkout_pay_enabled(sqlite3 *db, const char *provider)
{
	char	name[64], v[8];

	snprintf(name, sizeof(name), "%s.enabled", provider);
	if (checkout_pay_setting(db, name, v, sizeof(v)) == -1)
		return (0);
	return (strcmp(v, "1") == 0);
}

/*
 * The bank account settings with "enabled" and "instructions" (the
 * stored text, or the default while none is stored).
 */
static cJSON *
checkout_pay_bank_json(sqlite3 *db)
{
	cJSON	*o;
	char	 name[64], v[CHECKOUT_PAY_INSTR_MAX + 1];
	size_t	 i;

	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "enabled",
	    checkout_pay_enabled(db, "bank_transfer"));
	for (i = 0; i < sizeof(checkout_pay_bank_fields) /
	    sizeof(checkout_pay_bank_fields[0]); i++) {
		snprintf(name, sizeof(name), "bank_transfer.%s",
		    checkout_pay_bank_fields[i]);
		checkout_pay_setting(db, name, v, sizeof(v));
		cJSON_AddStringToObject(o, checkout_pay_bank_fields[i], v);
	}
	checkout_pay_setting(db, "bank_transfer.instructions", v, sizeof(v));
	cJSON_AddStringToObject(o, "instructions",
	    v[0] != '\0' ? v : CHECKOUT_PAY_BANK_INSTR);
	return (o);
}

/*
 * GET /payments/methods: the enabled methods, bank transfer with the
 * account to pay to (the order number is the transfer's reference).
 */
int
checkout_pay_methods(struct core_req *r)
{
	const struct checkout_pay_provider	*pv;
	sqlite3					*db;
	cJSON					*data, *m, *acct;
	int					 i;

	db = core_db_get("checkout");
	data = cJSON_CreateArray();
	for (i = 0; (pv = checkout_pay_provider_at(i)) != NULL; i++) {
		if (!checkout_pay_enabled(db, pv->name))
			continue;
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "id", pv->name);
		cJSON_AddStringToObject(m, "title", pv->title);
		if (strcmp(pv->name, "bank_transfer") == 0) {
			acct = checkout_pay_bank_json(db);
			cJSON_DeleteItemFromObject(acct, "enabled");
			cJSON_AddItemToObject(m, "account", acct);
			cJSON_AddItemToObject(m, "instructions",
			    cJSON_DetachItemFromObject(acct, "instructions"));
		} else if (strcmp(pv->name, "cod") == 0) {
			cJSON_AddStringToObject(m, "instructions", "Pay the"
			    " carrier in cash on delivery.");
		}
		cJSON_AddItemToArray(data, m);
	}
	core_http_json_take(r, 200, core_http_page_body(data, NULL));
	return (KORE_RESULT_OK);
}

/* GET /payments/bank-transfer (staff). */
int
checkout_pay_bank_get(struct core_req *r)
{
	core_http_json_take(r, 200,
	    checkout_pay_bank_json(core_db_get("checkout")));
	return (KORE_RESULT_OK);
}

/*
 * PUT /payments/bank-transfer {"enabled"?, "account_holder"?, "iban"?,
 * "bic"?, "instructions"?}: the members sent replace the stored ones;
 * empty instructions bring back the default text.
 */
int
checkout_pay_bank_put(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*errors;
	const char	*v[3], *instr;
	char		 name[64];
	size_t		 i, j, n;
	int		 enabled, rc;

	errors = NULL;
	instr = NULL;
	if (core_json_get_str(r->body, "instructions", CHECKOUT_PAY_INSTR_MAX,
	    &instr) == CORE_JSON_WRONG)
		core_http_field_error(&errors, "instructions",
		    "must be text of at most 500 bytes");
	rc = core_json_get_bool(r->body, "enabled", &enabled);
	if (rc == CORE_JSON_WRONG)
		core_http_field_error(&errors, "enabled", "must be a boolean");
	if (rc == CORE_JSON_MISSING)
		enabled = -1;
	for (i = 0; i < 3; i++) {
		v[i] = NULL;
		if (core_json_get_str(r->body, checkout_pay_bank_fields[i],
		    CHECKOUT_PAY_FIELD_MAX, &v[i]) == CORE_JSON_WRONG) {
			core_http_field_error(&errors,
			    checkout_pay_bank_fields[i],
			    "must be text of at most 100 characters");
			continue;
		}
		if (v[i] == NULL || i != 1)
			continue;
		/* An IBAN: 2 letters, 2 digits, up to 30 letters and digits. */
		n = strlen(v[1]);
		for (j = 0; j < n; j++)
			if (!(v[1][j] >= 'A' && v[1][j] <= 'Z') &&
			    !(v[1][j] >= '0' && v[1][j] <= '9') &&
			    v[1][j] != ' ')
				break;
		if (n > 0 && (j < n || n < 15 || n > 42))
			core_http_field_error(&errors, "iban", "must be an"
			    " IBAN in capitals (spaces allowed)");
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	rc = 0;
	if (enabled != -1)
		rc = checkout_pay_setting_put(db, "bank_transfer.enabled",
		    enabled ? "1" : "0");
	for (i = 0; rc == 0 && i < 3; i++) {
		if (v[i] == NULL)
			continue;
		snprintf(name, sizeof(name), "bank_transfer.%s",
		    checkout_pay_bank_fields[i]);
		rc = checkout_pay_setting_put(db, name, v[i]);
	}
	if (rc == 0 && instr != NULL)
		rc = checkout_pay_setting_put(db, "bank_transfer.instructions",
		    instr);
	if (rc == -1 || core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	core_http_json_take(r, 200, checkout_pay_bank_json(db));
	return (KORE_RESULT_OK);
}

/*
 * PUT /payments/cod and /payments/test {"enabled"} (staff): whether the
 * storefront may offer the method.  The provider is the path's last
 * segment.
 */
int
checkout_pay_toggle_put(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*o;
	const char	*pv;
	char		 name[64];
	int		 enabled;

	pv = strrchr(r->route->pattern, '/') + 1;
	if (core_json_get_bool(r->body, "enabled", &enabled) != CORE_JSON_OK) {
		o = NULL;
		core_http_field_error(&o, "enabled", "is required: a boolean");
		core_http_invalid(r, o);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("checkout");
	snprintf(name, sizeof(name), "%s.enabled", pv);
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	if (checkout_pay_setting_put(db, name, enabled ? "1" : "0") == -1 ||
	    core_db_commit(db) == -1) {
		core_db_rollback(db);
		return (checkout_internal(r));
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", pv);
	cJSON_AddBoolToObject(o, "enabled", checkout_pay_enabled(db, pv));
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/* GET /payments/test (staff): the webhook secret and the amount rules. */
int
checkout_pay_test_get(struct core_req *r)
{
	sqlite3	*db;
	cJSON	*o, *rules;
	char	 secret[160];

	db = core_db_get("checkout");
	if (checkout_pay_setting(db, "test.webhook_secret", secret,
	    sizeof(secret)) == -1)
		return (checkout_internal(r));
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "enabled", checkout_pay_enabled(db, "test"));
	cJSON_AddStringToObject(o, "webhook_secret", secret);
	cJSON_AddStringToObject(o, "signature_header", "X-Mercato-Signature:"
	    " t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">");
	rules = cJSON_AddObjectToObject(o, "outcomes");
	cJSON_AddStringToObject(rules, "01", "declined");
	cJSON_AddStringToObject(rules, "02", "pending, then a webhook");
	cJSON_AddStringToObject(rules, "other", "approved");
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * POST /payments/test/webhook: {"id", "type": "payment.approved" |
 * "payment.declined", "order_id"} signed in X-Mercato-Signature.  A bad
 * signature is 401 and writes nothing; a replayed id is 200 ignored.
 */
int
checkout_pay_test_hook(struct core_req *r)
{
	sqlite3		*db;
	cJSON		*o;
	char		 reason[CHECKOUT_PAY_REASON_MAX];
	int		 rc;

	db = core_db_get("checkout");
	if (r->raw == NULL) {
		core_http_problem(r, 400, "malformed-body", "Malformed body",
		    "the webhook needs a JSON body", NULL);
		return (KORE_RESULT_OK);
	}
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	rc = checkout_pay_test_webhook(db, (const char *)r->raw, r->rawlen,
	    core_http_header(r, "x-mercato-signature"), (int64_t)time(NULL),
	    reason, sizeof(reason));
	if (rc < 0 || (rc == 0 && core_db_commit(db) == -1)) {
		core_db_rollback(db);
		if (rc == -2) {
			core_http_problem(r, 401, "bad-signature",
			    "Bad signature", reason, NULL);
			return (KORE_RESULT_OK);
		}
		if (rc == -3) {
			core_http_problem(r, 422, "bad-event", "Bad event",
			    reason, NULL);
			return (KORE_RESULT_OK);
		}
		return (checkout_internal(r));
	}
	if (rc == 1)
		core_db_rollback(db);
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "received", 1);
	cJSON_AddBoolToObject(o, "duplicate", rc == 1);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * POST /orders/{id}/payments {"amount", "method"?, "note"?} (staff):
 * money received (a bank transfer seen on the account, cash the carrier
 * brought), partial amounts allowed; each becomes a paid event of the
 * order.  Idempotency-Key (optional) makes a retry answer the first
 * result; without one every call is new.
 */
int
checkout_pay_record_http(struct core_req *r)
{
	struct checkout_pay_record	 rec;
	struct checkout_order		 o;
	sqlite3				*db;
	cJSON				*errors, *res;
	const char			*method, *note, *key;
	char				 reason[CHECKOUT_PAY_REASON_MAX];
	char				 fresh[40];
	unsigned char			 rnd[16];
	int64_t				 amount;
	int				 rc;

	errors = NULL;
	method = note = NULL;
	if (core_json_get_i64(r->body, "amount", 1, CORE_MONEY_MAX, &amount)
	    != CORE_JSON_OK)
		core_http_field_error(&errors, "amount", "is required: a whole"
		    " number of minor units, at least 1");
	if (core_json_get_str(r->body, "method", 32, &method) ==
	    CORE_JSON_WRONG || (method != NULL &&
	    checkout_pay_provider_get(method) == NULL))
		core_http_field_error(&errors, "method", "must be"
		    " bank_transfer, cod or test");
	if (core_json_get_str(r->body, "note", 200, &note) == CORE_JSON_WRONG)
		core_http_field_error(&errors, "note", "must be text of at"
		    " most 200 characters");
	key = core_http_header(r, "idempotency-key");
	if (key != NULL && (key[0] == '\0' ||
	    strlen(key) > CHECKOUT_PAY_KEY_MAX))
		core_http_field_error(&errors, "Idempotency-Key", "must be 1"
		    " to 255 characters");
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	if (key == NULL) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(fresh, sizeof(fresh), rnd, sizeof(rnd));
		key = fresh;
	}
	db = core_db_get("checkout");
	if (core_db_begin(db) == -1)
		return (checkout_internal(r));
	rc = checkout_pay_record_payment(db, r->params[0], amount, method,
	    note, key, r->who.sub, &rec, reason, sizeof(reason));
	if (rc != CHECKOUT_PAY_OK) {
		core_db_rollback(db);
		switch (rc) {
		case CHECKOUT_PAY_NOT_FOUND:
			return (checkout_not_found(r, "not-found",
			    "no such order"));
		case CHECKOUT_PAY_INVALID:
			core_http_problem(r, 422, "invalid-payment",
			    "Invalid payment", reason, NULL);
			return (KORE_RESULT_OK);
		case CHECKOUT_PAY_ILLEGAL:
		case CHECKOUT_PAY_DECLINED:
			core_http_problem(r, 409, "illegal-payment",
			    "Payment refused", reason, NULL);
			return (KORE_RESULT_OK);
		default:
			return (checkout_internal(r));
		}
	}
	if (core_db_commit(db) == -1)
		return (checkout_internal(r));
	if (checkout_order_load(db, r->params[0], 1, &o) != 0)
		return (checkout_internal(r));
	res = cJSON_CreateObject();
	cJSON_AddItemToObject(res, "payment", checkout_pay_to_json(&rec));
	cJSON_AddItemToObject(res, "order", checkout_order_to_json(&o));
	checkout_order_cleanup(&o);
	core_http_json_take(r, 200, res);
	return (KORE_RESULT_OK);
}
