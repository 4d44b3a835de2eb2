/*
 * The pricing module: shop currency and tax settings, base prices,
 * customer groups with their price lists, tax categories and rates.  Its
 * descriptor is all that core sees.
 */
#ifndef PRICING_H
#define PRICING_H

#include "core/core_module.h"

extern const struct core_module pricing_module;

#endif
