/*
 * Shared inside core only; modules never include this file.
 */
#ifndef CORE_INT_H
#define CORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core_http.h"

/* core_db.c: the open transaction on db carries one more event. */
void	core_db_mark_published(sqlite3 *);

/* core_metrics.c: counters in memory shared by the parent and workers. */
int	core_metrics_init(int nroutes);
void	core_metrics_request(int route_id, int status, uint64_t us);
void	core_metrics_bus(int what, uint64_t n);
void	core_metrics_signin(int ok);
#define CORE_METRICS_PUBLISHED	0
#define CORE_METRICS_DELIVERED	1
#define CORE_METRICS_FAILED	2
#define CORE_METRICS_DEAD	3
int	core_metrics_handler(struct core_req *);

/* core_identity.c */
void	core_identity_init(void);
int	core_identity_seed_admin(const char *email, const char *password,
	    int print);
extern const struct core_route core_identity_routes[];

/* core_bus.c: calls fn once for each distinct source m subscribes to. */
struct core_module;
void	core_bus_each_source(const struct core_module *m,
	    void (*fn)(const struct core_module *, const char *));

/* core_bus_http.c */
extern const struct core_route core_bus_routes[];

/* core_health.c */
extern const struct core_route core_health_routes[];

/* core_static.c: assets, /admin/, /api/docs; returns 1 if answered. */
int	core_static_serve(struct core_req *);

#endif
