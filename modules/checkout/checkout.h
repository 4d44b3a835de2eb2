/*
 * The checkout module: copies of catalog's and pricing's data, carts
 * priced by the shared rules engine, shipping zones and methods (and,
 * with the orders slice, event-sourced orders).  Its descriptor is all
 * that core sees.
 */
#ifndef CHECKOUT_H
#define CHECKOUT_H

#include "core/core_module.h"

extern const struct core_module checkout_module;

#endif
