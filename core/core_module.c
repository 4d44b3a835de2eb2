/*
 * Looking up registered modules by name.
 */
#include <string.h>

#include "core/core_module.h"

const struct core_module *
core_module_get(const char *name)
{
	int	i;

	for (i = 0; core_modules[i] != NULL; i++)
		if (strcmp(core_modules[i]->name, name) == 0)
			return (core_modules[i]);
	return (NULL);
}
