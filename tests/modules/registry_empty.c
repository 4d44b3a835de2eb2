/*
 * No modules: the unit tests link core alone.
 */
#include <stddef.h>

#include "core/core_module.h"

const struct core_module *const core_modules[] = {
	NULL
};
