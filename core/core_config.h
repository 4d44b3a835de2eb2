/*
 * mercato's settings: code defaults, then the embedded kore.conf (Kore's
 * tunables), then MERCATO_* environment variables, then command-line flags.
 * Filled once in the parent before the workers fork; read-only afterwards.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stddef.h>

struct core_config {
	char		data[1024];	/* MERCATO_DATA, --data: data dir */
	char		bind[64];	/* MERCATO_BIND, --bind */
	char		port[16];	/* MERCATO_PORT, --port */
	int		workers;	/* MERCATO_WORKERS, --workers (0 = kore.conf) */
	char		user[64];	/* MERCATO_USER, --user: drop privileges */
	char		cors[512];	/* MERCATO_CORS_ORIGINS: comma list or * */
	char		base_url[256];	/* MERCATO_BASE_URL, for printed links */
	int		seed;		/* MERCATO_SEED=0 skips demo data */
	int		bus_attempts;	/* MERCATO_BUS_MAX_ATTEMPTS */
	int		bus_backoff_ms;	/* MERCATO_BUS_BACKOFF_MS, first retry */
	int		token_ttl;	/* MERCATO_TOKEN_TTL seconds (<= 900) */
	int		refresh_ttl;	/* MERCATO_REFRESH_TTL seconds */
	int		signin_per_account;	/* failures per 15 min */
	int		signin_per_address;
	unsigned char	jwt_key[32];	/* data/jwt.key */
};

extern struct core_config core_config;

/* Fills core_config from defaults and the environment. */
void	core_config_defaults(void);

/* Reads or creates <data>/jwt.key (0600).  Returns 0 or -1. */
int	core_config_load_key(void);

#endif
