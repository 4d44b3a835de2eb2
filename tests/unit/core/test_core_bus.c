/*
 * Unit tests of the publishing half of core/core_bus.c: an event exists if
 * and only if the transaction that published it commits, outbox seq values
 * rise by one with no gaps, and the envelope carries every field.  The
 * unit binary links no modules, so commits deliver to nobody; delivery is
 * covered by the API tests against build/mercato-test.
 */
#include <criterion/criterion.h>

#include <sqlite3.h>
#include <string.h>

#include "core/core_bus.h"
#include "core/core_db.h"
#include "core/core_http.h"
#include "core/core_id.h"
#include "tests/unit/unit_fixture.h"

static sqlite3	*bus_db;

static void	bus_setup(void);
static int64_t	bus_count(void);
static void	bus_publish(const char *, const char *);
static void	bus_assert_seqs(int64_t);
static int64_t	bus_id_ms(const char *);

/* A fresh data dir and the identity file (any file has the bus tables). */
static void
bus_setup(void)
{
	unit_data_setup();
	bus_db = core_db_open("identity", 1, 1);
	cr_assert_not_null(bus_db);
}

static int64_t
bus_count(void)
{
	sqlite3_stmt	*st;
	int64_t		 n;

	cr_assert_eq(sqlite3_prepare_v2(bus_db, "SELECT count(*) FROM"
	    " bus_outbox", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (n);
}

/* Publishes type for aggregate with payload {} inside the open tx. */
static void
bus_publish(const char *type, const char *aggregate)
{
	cr_assert_eq(core_bus_publish(bus_db, type, 1, aggregate, NULL), 0);
}

/* The outbox holds exactly seq 1..n, in order, each once. */
static void
bus_assert_seqs(int64_t n)
{
	sqlite3_stmt	*st;
	int64_t		 want;

	cr_assert_eq(sqlite3_prepare_v2(bus_db, "SELECT seq FROM bus_outbox"
	    " ORDER BY seq", -1, &st, NULL), SQLITE_OK);
	want = 1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		cr_assert_eq(sqlite3_column_int64(st, 0), want,
		    "seq %lld where %lld belongs",
		    (long long)sqlite3_column_int64(st, 0), (long long)want);
		want++;
	}
	sqlite3_finalize(st);
	cr_assert_eq(want - 1, n, "%lld events, want %lld",
	    (long long)(want - 1), (long long)n);
}

/* The creation time in ms held by the first 10 characters after "evt_". */
static int64_t
bus_id_ms(const char *id)
{
	static const char	 alphabet[] =
	    "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	const char		*c;
	int64_t			 ms;
	int			 i;

	ms = 0;
	for (i = 0; i < 10; i++) {
		cr_assert_not_null(c = strchr(alphabet, id[4 + i]));
		ms = ms * 32 + (c - alphabet);
	}
	return (ms);
}

TestSuite(core_bus, .init = bus_setup, .fini = unit_data_teardown);

/* --- publish and the transaction --------------------------------------- */

Test(core_bus, publish_in_committed_tx_appends_to_outbox)
{
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	bus_publish("user.role_changed", "usr_1");
	cr_assert_eq(core_db_commit(bus_db), 0);
	cr_assert_eq(bus_count(), 2);
	bus_assert_seqs(2);
}

Test(core_bus, publish_in_rolled_back_tx_leaves_no_event)
{
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	bus_publish("user.registered", "usr_2");
	core_db_rollback(bus_db);
	cr_assert_eq(bus_count(), 0);
	/* The next committed event is seq 1: the rollback left no hole. */
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_3");
	cr_assert_eq(core_db_commit(bus_db), 0);
	bus_assert_seqs(1);
}

Test(core_bus, publish_in_tx_whose_commit_fails_leaves_no_event)
{
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	/* A foreign key checked only at COMMIT makes the commit fail. */
	cr_assert_eq(core_db_exec(bus_db, "PRAGMA defer_foreign_keys=ON"), 0);
	cr_assert_eq(core_db_exec(bus_db, "INSERT INTO refresh_tokens (hash,"
	    " family, user_id, created_at, expires_at) VALUES (x'00', 'f',"
	    " 'usr_nobody', 0, 1)"), 0);
	cr_assert_eq(core_db_commit(bus_db), -1);
	cr_assert_eq(bus_count(), 0);
}

Test(core_bus, seq_rises_by_one_without_gaps_across_commits_and_rollbacks)
{
	int64_t	committed;
	int	round, i;

	/* Rounds of 3 committed and 2 rolled back: seq must stay 1..n. */
	committed = 0;
	for (round = 0; round < 10; round++) {
		cr_assert_eq(core_db_begin(bus_db), 0);
		for (i = 0; i < 3; i++)
			bus_publish("order.placed", "ord_1");
		cr_assert_eq(core_db_commit(bus_db), 0);
		committed += 3;
		cr_assert_eq(core_db_begin(bus_db), 0);
		for (i = 0; i < 2; i++)
			bus_publish("order.cancelled", "ord_1");
		core_db_rollback(bus_db);
	}
	bus_assert_seqs(committed);
}

/*
 * Publishing outside a transaction is a bug in the caller: core aborts
 * through Kore's fatal(), which exits with status 1.
 */
Test(core_bus, publish_outside_a_transaction_is_fatal, .exit_code = 1)
{
	(void)core_bus_publish(bus_db, "user.registered", 1, "usr_1", NULL);
	cr_assert_fail("core_bus_publish returned outside a transaction");
}

/* --- the envelope ------------------------------------------------------ */

Test(core_bus, envelope_carries_every_field_of_the_event)
{
	cJSON		*payload, *env;
	const char	*s;
	int64_t		 before, after, t;
	char		 lo[32], hi[32];

	payload = cJSON_Parse("{\"email\":\"a@example.com\",\"n\":[1,2]}");
	cr_assert_not_null(payload);
	core_http_set_current_request_id("req_unit");
	before = core_db_now_ms();
	cr_assert_eq(core_db_begin(bus_db), 0);
	cr_assert_eq(core_bus_publish(bus_db, "user.registered", 2, "usr_42",
	    payload), 0);
	cr_assert_eq(core_db_commit(bus_db), 0);
	after = core_db_now_ms();

	cr_assert_not_null(env = core_bus_envelope(bus_db, 1));
	s = cJSON_GetStringValue(cJSON_GetObjectItem(env, "id"));
	cr_assert(s != NULL && core_id_valid(s, "evt"), "id %s", s);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "source")), "identity");
	cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(env, "seq")), 1);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "type")), "user.registered");
	cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(env,
	    "version")), 2);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "aggregate_id")), "usr_42");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(env,
	    "correlation_id")), "req_unit");
	/* The payload round-trips; the caller's copy was not consumed. */
	cr_assert(cJSON_Compare(cJSON_GetObjectItem(env, "payload"), payload,
	    1), "payload differs");

	/* occurred_at is RFC 3339 UTC with ms, between before and after. */
	s = cJSON_GetStringValue(cJSON_GetObjectItem(env, "occurred_at"));
	cr_assert_not_null(s);
	cr_assert_eq(strlen(s), 24, "%s", s);
	core_time_rfc3339(lo, sizeof(lo), before);
	core_time_rfc3339(hi, sizeof(hi), after);
	cr_assert(strcmp(lo, s) <= 0 && strcmp(s, hi) <= 0,
	    "%s not in [%s, %s]", s, lo, hi);

	/* The event's id is time-ordered too: its ms lie in the same span. */
	t = bus_id_ms(cJSON_GetStringValue(cJSON_GetObjectItem(env, "id")));
	cr_assert(t >= before && t <= after, "id time %lld", (long long)t);

	cJSON_Delete(env);
	cJSON_Delete(payload);
}

Test(core_bus, envelope_of_null_payload_is_empty_object_and_ids_differ)
{
	cJSON	*a, *b, *p;

	core_http_set_current_request_id(NULL);
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	bus_publish("user.registered", "usr_1");
	cr_assert_eq(core_db_commit(bus_db), 0);
	cr_assert_not_null(a = core_bus_envelope(bus_db, 1));
	cr_assert_not_null(b = core_bus_envelope(bus_db, 2));
	p = cJSON_GetObjectItem(a, "payload");
	cr_assert(cJSON_IsObject(p) && p->child == NULL, "payload is {}");
	/* Outside a request the correlation id is empty, not missing. */
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(a,
	    "correlation_id")), "");
	cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(b, "seq")), 2);
	cr_assert_str_neq(cJSON_GetStringValue(cJSON_GetObjectItem(a, "id")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(b, "id")));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

Test(core_bus, envelope_of_unknown_seq_is_null)
{
	cJSON	*env;

	cr_assert_null(core_bus_envelope(bus_db, 1), "empty outbox");
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	core_db_rollback(bus_db);
	cr_assert_null(core_bus_envelope(bus_db, 1), "rolled back");
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	cr_assert_eq(core_db_commit(bus_db), 0);
	cr_assert_null(core_bus_envelope(bus_db, 0));
	cr_assert_null(core_bus_envelope(bus_db, 2));
	cr_assert_null(core_bus_envelope(bus_db, -1));
	cr_assert_not_null(env = core_bus_envelope(bus_db, 1));
	cJSON_Delete(env);
}

/* --- the rest of the API without modules -------------------------------- */

Test(core_bus, replay_and_retry_refuse_unknown_subscribers)
{
	cr_assert_eq(core_bus_replaying(), 0);
	cr_assert_eq(core_bus_replay("nosuch"), -1);
	cr_assert_eq(core_bus_retry_dead("nosuch", 1), -1);
	cr_assert_eq(core_bus_replaying(), 0);
}

Test(core_bus, deliver_all_with_no_subscribers_leaves_outbox_alone)
{
	cr_assert_eq(core_db_begin(bus_db), 0);
	bus_publish("user.registered", "usr_1");
	cr_assert_eq(core_db_commit(bus_db), 0);
	core_bus_deliver_all();
	core_bus_sweep(NULL, 0);
	bus_assert_seqs(1);
}
