/*
 * Settings from defaults and MERCATO_* environment variables, and the JWT
 * signing key kept in the data dir (see core_config.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core_config.h"
#include "core/core_log.h"

struct core_config core_config;

static void	core_config_str(char *, size_t, const char *, const char *);
static int	core_config_int(const char *, int, int, int);

static void
core_config_str(char *dst, size_t len, const char *env, const char *def)
{
	const char	*v;

	v = getenv(env);
	snprintf(dst, len, "%s", (v != NULL && *v != '\0') ? v : def);
}

static int
core_config_int(const char *env, int def, int min, int max)
{
	const char	*v;
	char		*end;
	long		 n;

	if ((v = getenv(env)) == NULL || *v == '\0')
		return (def);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max) {
		fprintf(stderr, "mercato: %s=%s is not a number in [%d, %d]\n",
		    env, v, min, max);
		exit(2);
	}
	return ((int)n);
}

void
core_config_defaults(void)
{
	memset(&core_config, 0, sizeof(core_config));
	core_config_str(core_config.data, sizeof(core_config.data),
	    "MERCATO_DATA", "data");
	core_config_str(core_config.bind, sizeof(core_config.bind),
	    "MERCATO_BIND", "127.0.0.1");
	core_config_str(core_config.port, sizeof(core_config.port),
	    "MERCATO_PORT", "8080");
	core_config_str(core_config.user, sizeof(core_config.user),
	    "MERCATO_USER", "");
	core_config_str(core_config.cors, sizeof(core_config.cors),
	    "MERCATO_CORS_ORIGINS", "");
	core_config_str(core_config.base_url, sizeof(core_config.base_url),
	    "MERCATO_BASE_URL", "");
	core_config.workers = core_config_int("MERCATO_WORKERS", 0, 1, 64);
	core_config.seed = core_config_int("MERCATO_SEED", 1, 0, 1);
	core_config.bus_attempts = core_config_int("MERCATO_BUS_MAX_ATTEMPTS",
	    5, 1, 100);
	core_config.bus_backoff_ms = core_config_int("MERCATO_BUS_BACKOFF_MS",
	    100, 1, 60000);
	core_config.token_ttl = core_config_int("MERCATO_TOKEN_TTL", 900,
	    1, 900);
	core_config.refresh_ttl = core_config_int("MERCATO_REFRESH_TTL",
	    30 * 86400, 60, 365 * 86400);
	core_config.signin_per_account = core_config_int(
	    "MERCATO_SIGNIN_PER_ACCOUNT", 10, 1, 100000);
	core_config.signin_per_address = core_config_int(
	    "MERCATO_SIGNIN_PER_ADDRESS", 50, 1, 100000);
}

int
core_config_load_key(void)
{
	char	path[1100];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof(path), "%s/jwt.key", core_config.data);
	if ((fd = open(path, O_RDONLY)) != -1) {
		n = read(fd, core_config.jwt_key, sizeof(core_config.jwt_key));
		close(fd);
		if (n != (ssize_t)sizeof(core_config.jwt_key)) {
			core_logf("error", "%s: expected %zu bytes", path,
			    sizeof(core_config.jwt_key));
			return (-1);
		}
		return (0);
	}
	if (errno != ENOENT) {
		core_logf("error", "%s: %s", path, strerror(errno));
		return (-1);
	}
	randombytes_buf(core_config.jwt_key, sizeof(core_config.jwt_key));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, core_config.jwt_key, sizeof(core_config.jwt_key)) !=
	    (ssize_t)sizeof(core_config.jwt_key) || fsync(fd) == -1) {
		core_logf("error", "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	close(fd);
	core_logf("info", "created signing key %s", path);
	return (0);
}
