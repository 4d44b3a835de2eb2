/*
 * The test binary's modules: the shop's real modules, plus probe (publishes)
 * and tally (subscribes) for the bus tests.  Linked instead of
 * core/core_registry.c; never part of the shop binary.
 */
#include <stddef.h>

#include "core/core_module.h"

#include "modules/catalog/catalog.h"
#include "modules/pricing/pricing.h"
#include "modules/checkout/checkout.h"

extern const struct core_module probe_module;
extern const struct core_module tally_module;

const struct core_module *const core_modules[] = {
	&catalog_module,
	&pricing_module,
	&checkout_module,
	&probe_module,
	&tally_module,
	NULL
};
