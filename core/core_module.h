/*
 * A module is one descriptor of hooks (nginx-style): core calls the hooks,
 * modules never call each other.  See docs/ARCHITECTURE.md.
 */
#ifndef CORE_MODULE_H
#define CORE_MODULE_H

#include <sqlite3.h>

#include "core/core_http.h"
#include "core/core_bus.h"

/*
 * A command-line verb a module adds: `mercato <verb> <noun> args...`, e.g.
 * `mercato import products FILE.csv`.  run gets the arguments after the
 * noun (flags such as --data already applied) with every data file open
 * and migrated; it returns the exit status.
 */
struct core_command {
	const char	*verb;
	const char	*noun;
	const char	*usage;		/* one line for `mercato help` */
	int		(*run)(int argc, char **argv);
};

struct core_module {
	const char		*name;		/* data/<name>.db, migrations/<name> */
	int			 sync_full;	/* synchronous=FULL for money/orders */
	/* Per worker, after the file is open.  Returns 0 or -1. */
	int			(*init)(sqlite3 *);
	/* Demo data on first start, inside a write transaction. */
	int			(*seed)(sqlite3 *);
	/* Empties the read models fed by events, for replay (in a tx). */
	int			(*reset)(sqlite3 *);
	const struct core_route	*routes;	/* ends with a NULL pattern */
	const struct core_sub	*subs;		/* ends with a NULL source */
	const struct core_command *commands;	/* ends with a NULL verb */
};

/* Registered modules, NULL-terminated (core/core_registry.c). */
extern const struct core_module *const core_modules[];

/* The module called name, or NULL. */
const struct core_module *core_module_get(const char *name);

#endif
