/*
 * catalog: what the shop sells, how shoppers find it and how many are
 * left.  It owns data/catalog.db; this header is its only export.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include "core/core_module.h"

extern const struct core_module catalog_module;

#endif
