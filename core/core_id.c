/*
 * Time-ordered, unguessable public ids (see core_id.h) and RFC 3339 times.
 */
#include <sys/time.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core_id.h"

static const char core_id_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/*
 * Randomness for ids comes from a per-process buffer refilled 4 KiB at a
 * time: one getrandom(2) per ~400 ids instead of one per id (every request
 * makes one).  A forked worker must call core_id_reinit, or it would hand
 * out the same bytes as its siblings.
 */
static unsigned char	core_id_pool[4096];
static size_t		core_id_used = sizeof(core_id_pool);

void
core_id_reinit(void)
{
	sodium_memzero(core_id_pool, sizeof(core_id_pool));
	core_id_used = sizeof(core_id_pool);
}

static void
core_id_random(unsigned char *out, size_t n)
{
	if (core_id_used + n > sizeof(core_id_pool)) {
		randombytes_buf(core_id_pool, sizeof(core_id_pool));
		core_id_used = 0;
	}
	memcpy(out, core_id_pool + core_id_used, n);
	sodium_memzero(core_id_pool + core_id_used, n);
	core_id_used += n;
}

char *
core_id_new(char *out, size_t len, const char *prefix)
{
	struct timeval	tv;
	unsigned char	rnd[10];
	uint64_t	ms;
	char		body[CORE_ID_LEN + 1];
	int		i, bit, v, j;

	gettimeofday(&tv, NULL);
	ms = (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	core_id_random(rnd, sizeof(rnd));
	/* 10 characters of time (50 bits, top 2 zero), 16 of randomness. */
	for (i = 9; i >= 0; i--) {
		body[i] = core_id_alphabet[ms & 31];
		ms >>= 5;
	}
	for (i = 0; i < 16; i++) {
		v = 0;
		for (j = 0; j < 5; j++) {
			bit = i * 5 + j;
			v = (v << 1) | ((rnd[bit / 8] >> (7 - bit % 8)) & 1);
		}
		body[10 + i] = core_id_alphabet[v];
	}
	body[CORE_ID_LEN] = '\0';
	snprintf(out, len, "%s_%s", prefix, body);
	sodium_memzero(rnd, sizeof(rnd));
	return (out);
}

int
core_id_valid(const char *s, const char *prefix)
{
	size_t	plen, i;

	plen = strlen(prefix);
	if (strncmp(s, prefix, plen) != 0 || s[plen] != '_')
		return (0);
	s += plen + 1;
	for (i = 0; i < CORE_ID_LEN; i++)
		if (s[i] == '\0' || strchr(core_id_alphabet, s[i]) == NULL)
			return (0);
	return (s[CORE_ID_LEN] == '\0');
}

void
core_time_rfc3339(char *out, size_t len, long long ms)
{
	struct tm	tm;
	time_t		t;
	char		buf[32];
	long long	frac;

	/* Floor, not truncation, so times before 1970 come out right. */
	frac = ms % 1000;
	if (frac < 0)
		frac += 1000;
	t = (time_t)((ms - frac) / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03dZ", buf, (int)frac);
}
