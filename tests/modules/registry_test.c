/*
 * The bus test binary's modules: probe publishes, tally subscribes.  Linked
 * instead of core/core_registry.c; never part of the shop binary.
 */
#include <stddef.h>

#include "core/core_module.h"

extern const struct core_module probe_module;
extern const struct core_module tally_module;

const struct core_module *const core_modules[] = {
	&probe_module,
	&tally_module,
	NULL
};
