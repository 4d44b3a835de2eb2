/*
 * Demo attributes and product types for the seed: what a clothing shop
 * filters by (material, fit, colour, organic), a number with a unit per
 * type and a care text, with values on every demo product that agree with
 * its title.  Deterministic, like the rest of the seed.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/catalog/catalog_int.h"

struct seed_attr {
	const char	*code;
	const char	*name;
	const char	*kind;
	const char	*unit;
	const char	*choices;		/* JSON */
	int		 filterable;
	int		 searchable;
};

static const struct seed_attr seed_attrs[] = {
	{ "material", "Material", "select", "", "[\"Linen\",\"Cotton\","
	    "\"Denim\",\"Canvas\",\"Wool\",\"Hemp\"]", 1, 1 },
	{ "fit", "Fit", "select", "", "[\"Slim\",\"Regular\",\"Relaxed\"]",
	    1, 1 },
	{ "colour", "Colour", "multiselect", "", "[\"Black\",\"White\","
	    "\"Navy\",\"Olive\",\"Sand\",\"Red\"]", 1, 1 },
	{ "sleeve_length", "Sleeve length", "number", "cm", "[]", 0, 1 },
	{ "inseam", "Inseam", "number", "cm", "[]", 1, 1 },
	{ "organic", "Organic", "boolean", "", "[]", 1, 1 },
	{ "care", "Care", "text", "", "[]", 0, 0 },
};

/* Per seed kind (catalog_seed.c's order): the type and its attributes. */
static const struct {
	const char	*name;
	const char	*attrs[7];		/* "!code": required */
	const char	*care;
} seed_types[] = {
	{ "Shirt", { "!material", "fit", "colour", "sleeve_length", "organic",
	    "care" }, "Machine wash at 30 °C, iron on medium" },
	{ "Trousers", { "!material", "fit", "colour", "inseam", "organic",
	    "care" }, "Machine wash at 30 °C inside out" },
	{ "Shoes", { "!material", "colour", "organic", "care" },
	    "Wipe clean with a damp cloth" },
	{ "Bag", { "!material", "colour", "organic", "care" },
	    "Spot clean only" },
};

static const char *seed_colours[] = { "Black", "White", "Navy", "Olive",
    "Sand", "Red" };

static int	seed_value(sqlite3 *, int64_t, const char *, const char *,
		    int64_t);

int
catalog_seed_attributes(sqlite3 *db)
{
	sqlite3_stmt	*st;
	char		 id[CORE_ID_MAX];
	const char	*code;
	int64_t		 now;
	size_t		 i, j;

	now = core_db_now_ms();
	for (i = 0; i < sizeof(seed_attrs) / sizeof(seed_attrs[0]); i++) {
		core_id_new(id, sizeof(id), "attr");
		if ((st = core_db_stmt(db, "INSERT INTO attributes (id, code,"
		    " name, kind, unit, choices, filterable, searchable,"
		    " position, created_at, updated_at) VALUES (?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?)")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, seed_attrs[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, seed_attrs[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, seed_attrs[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, seed_attrs[i].unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, seed_attrs[i].choices, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 7, seed_attrs[i].filterable);
		sqlite3_bind_int(st, 8, seed_attrs[i].searchable);
		sqlite3_bind_int(st, 9, (int)i);
		sqlite3_bind_int64(st, 10, now);
		sqlite3_bind_int64(st, 11, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "seed attribute"));
	}
	for (i = 0; i < sizeof(seed_types) / sizeof(seed_types[0]); i++) {
		core_id_new(id, sizeof(id), "ptype");
		if ((st = core_db_stmt(db, "INSERT INTO product_types (id, name,"
		    " created_at, updated_at) VALUES (?, ?, ?, ?)")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, seed_types[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "seed product type"));
		for (j = 0; (code = seed_types[i].attrs[j]) != NULL; j++) {
			if ((st = core_db_stmt(db, "INSERT INTO"
			    " product_type_attributes (type, attribute,"
			    " position, required) SELECT ?, id, ?, ? FROM"
			    " attributes WHERE code = ?")) == NULL)
				return (-1);
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, (int)j);
			sqlite3_bind_int(st, 3, code[0] == '!');
			sqlite3_bind_text(st, 4, code + (code[0] == '!'), -1,
			    SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				return (core_db_err(db, "seed type attribute"));
		}
	}
	return (0);
}

/* One value row; num < 0 stores none (the demo numbers are positive). */
static int
seed_value(sqlite3 *db, int64_t rowid, const char *code, const char *value,
    int64_t num)
{
	sqlite3_stmt	*st;

	if ((st = core_db_stmt(db, "INSERT INTO product_attributes (product,"
	    " attribute, value, num) SELECT ?, id, ?, ? FROM attributes WHERE"
	    " code = ?")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	if (num >= 0)
		sqlite3_bind_int64(st, 3, num);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "seed attribute value"));
	return (0);
}

/*
 * The type and values of demo product i of seed kind k (0 shirts,
 * 1 trousers, 2 shoes, 3 bags) whose material is mat.  In the seed's
 * transaction, before the product's search row is written.
 */
int
catalog_seed_values(sqlite3 *db, int k, int i, int64_t rowid,
    const char *adjective, const char *mat)
{
	sqlite3_stmt	*st;
	static const char *fits[] = { "Slim", "Regular", "Relaxed" };
	char		 num[16];
	int64_t		 n;
	int		 organic;

	if ((st = core_db_stmt(db, "UPDATE products SET type_id = (SELECT id"
	    " FROM product_types WHERE name = ?) WHERE rowid = ?")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, seed_types[k].name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rowid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "seed product type"));
	organic = strcmp(adjective, "Organic") == 0 ||
	    strcmp(mat, "Hemp") == 0 || strcmp(mat, "Linen") == 0;
	if (seed_value(db, rowid, "material", mat, -1) == -1 ||
	    seed_value(db, rowid, "colour", seed_colours[i % 6], -1) == -1 ||
	    (i % 2 == 0 && seed_value(db, rowid, "colour",
	    seed_colours[(i + 2) % 6], -1) == -1) ||
	    seed_value(db, rowid, "organic", organic ? "true" : "false",
	    -1) == -1 ||
	    seed_value(db, rowid, "care", seed_types[k].care, -1) == -1)
		return (-1);
	if (k <= 1 && seed_value(db, rowid, "fit", fits[i % 3], -1) == -1)
		return (-1);
	if (k == 0) {
		/* 60, 62.5, 65 ... cm: some halves, as real sizes have. */
		n = 60000 + (i % 5) * 2500;
		if (n % 1000 == 0)
			snprintf(num, sizeof(num), "%lld", (long long)(n / 1000));
		else
			snprintf(num, sizeof(num), "%lld.5",
			    (long long)(n / 1000));
		if (seed_value(db, rowid, "sleeve_length", num, n) == -1)
			return (-1);
	} else if (k == 1) {
		n = 76 + (i % 4) * 2;
		snprintf(num, sizeof(num), "%lld", (long long)n);
		if (seed_value(db, rowid, "inseam", num, n * 1000) == -1)
			return (-1);
	}
	return (0);
}
