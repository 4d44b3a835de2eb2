/*
 * The event bus.  Publishing appends to the module's outbox inside its write
 * transaction (the outbox is the module's event log, seq = rowid, no gaps).
 * After commit the committing worker delivers in-process; a sweep timer in
 * every worker delivers what a crash or a failure left.  A subscriber's
 * cursor per source advances in the subscriber's own transaction, together
 * with the handler's effect: delivery is at-least-once, the effect exactly
 * once.  A failing handler is retried with backoff, then dead-lettered.
 */
#ifndef CORE_BUS_H
#define CORE_BUS_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include <sqlite3.h>
#include <stdint.h>

struct core_event {
	int64_t		 seq;
	const char	*id;
	const char	*source;
	const char	*type;
	int		 version;
	const char	*aggregate_id;
	const char	*occurred_at;
	const char	*correlation_id;
	const cJSON	*payload;
};

/*
 * A subscription: events of source whose type matches (exact, "prefix.*"
 * or "*").  The handler runs inside the subscriber's transaction on db and
 * returns 0, or -1 to roll back and retry later.
 */
struct core_sub {
	const char	*source;
	const char	*type;
	int		(*handler)(sqlite3 *db, const struct core_event *);
	/*
	 * 1: the handler only feeds a read model that the module's reset
	 * hook empties, so replay may run it again from seq 0.  0: it makes
	 * decisions (reserving stock, say) and must never run twice.
	 */
	int		 rebuild;
};

/*
 * Appends an event to db's outbox.  Must be inside core_db_begin; the
 * event exists if and only if that transaction commits.  payload is not
 * consumed (NULL means {}).  Returns 0 or -1.
 */
int	core_bus_publish(sqlite3 *db, const char *type, int version,
	    const char *aggregate_id, const cJSON *payload);

/*
 * A handler that returns -1 may say why first; the text is kept with the
 * failure and the dead letter.  Copied.
 */
void	core_bus_set_error(const char *why);

/* 1 while a replay runs: handlers must not publish (publish is a no-op). */
int	core_bus_replaying(void);

/* Called by core_db_commit: source committed new events. */
void	core_bus_committed(const char *source);

/* Delivers everything pending for every subscription now.  Re-entry safe. */
void	core_bus_deliver_all(void);

/* Kore timer callback: the sweep. */
void	core_bus_sweep(void *, u_int64_t);

/*
 * Where subscriber stands in source's log: its cursor and the log's head.
 * Returns 0, or -1 if either file is not open.
 */
int	core_bus_position(const char *subscriber, const char *source,
	    int64_t *cursor, int64_t *head);

/* Envelope of row seq of source's outbox as JSON, or NULL. */
cJSON	*core_bus_envelope(sqlite3 *src, int64_t seq);

/*
 * Rebuilds subscriber's read models from zero: in one transaction the
 * reset hook runs and, for each source whose subscriptions are all marked
 * rebuild, the cursor, failure and dead letters are cleared; then those
 * sources are delivered again.  Sources with a deciding subscription keep
 * their cursor.  Returns 0 or -1.
 */
int	core_bus_replay(const char *subscriber);

/*
 * Retries dead letter id of subscriber now.  Returns 0 if applied (the dead
 * letter is removed), 1 if the handler failed again, -1 if not found or on
 * a db error.
 */
int	core_bus_retry_dead(const char *subscriber, int64_t id);

#endif
