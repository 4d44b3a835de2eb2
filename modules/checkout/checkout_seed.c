/*
 * Demo data on a first start: one shipping zone for Germany, Austria,
 * the Netherlands and France with a flat rate, free shipping from 100.00
 * on and store pickup.  Prices, tax and promotions arrive from pricing's
 * log like any other change.
 *
 * Then a dozen demo orders spread over the last 27 days, in every state a
 * shop sees (checkout_order_seed.c): catalog and pricing seed first and
 * their commits deliver the demo products and prices to checkout's
 * copies, so the orders are placed through the real path.  A shop whose
 * catalog is not the demo one gets no made-up orders.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/checkout/checkout_int.h"
#include "modules/checkout/checkout_order.h"

static const struct {
	const char	*name, *kind;
	int64_t		 amount, min_subtotal;
} checkout_seed_methods[] = {
	{ "Standard", "flat", 490, 0 },
	{ "Free shipping", "free_above", 0, 10000 },
	{ "Store pickup", "pickup", 0, 0 },
};

int
checkout_seed(sqlite3 *db)
{
	static const char *const countries[] = { "DE", "AT", "NL", "FR" };
	sqlite3_stmt	*st;
	char		 zone[CORE_ID_MAX], id[CORE_ID_MAX];
	char		 standard[CORE_ID_MAX];
	int64_t		 now;
	size_t		 i;

	now = core_db_now_ms();
	core_id_new(zone, sizeof(zone), "shz");
	if ((st = core_db_stmt(db, "INSERT INTO shipping_zones (id, name,"
	    " created_at) VALUES (?, 'Europe', ?)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "seed zone"));
	for (i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
		if (checkout_exec2(db, "INSERT INTO shipping_zone_countries"
		    " (country, zone_id) VALUES (?1, ?2)", countries[i],
		    zone) == -1)
			return (-1);
	for (i = 0; i < sizeof(checkout_seed_methods) /
	    sizeof(checkout_seed_methods[0]); i++) {
		core_id_new(id, sizeof(id), "shm");
		if (i == 0)
			snprintf(standard, sizeof(standard), "%s", id);
		if ((st = core_db_stmt(db, "INSERT INTO shipping_methods (id,"
		    " zone_id, name, kind, amount, min_subtotal, created_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?)")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, checkout_seed_methods[i].name, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 4, checkout_seed_methods[i].kind, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, checkout_seed_methods[i].amount);
		sqlite3_bind_int64(st, 6,
		    checkout_seed_methods[i].min_subtotal);
		/* Same instant for all three: the id orders them. */
		sqlite3_bind_int64(st, 7, now + (int64_t)i);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "seed method"));
	}
	if (checkout_invoice_settings_seed(db) == -1)
		return (-1);
	return (checkout_seed_orders(db, standard));
}
