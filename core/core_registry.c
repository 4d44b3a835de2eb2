/*
 * The modules compiled into the shop binary, in start-up order.  Business
 * modules add themselves here as they land (catalog, pricing, checkout,
 * loyalty, cms).  The bus test binary links tests/modules/registry_test.c
 * instead of this file.
 */
#include <stddef.h>

#include "core/core_module.h"
#include "modules/catalog/catalog.h"
#include "modules/pricing/pricing.h"
#include "modules/checkout/checkout.h"

const struct core_module *const core_modules[] = {
	&catalog_module,
	&pricing_module,
	&checkout_module,
	NULL
};
