/*
 * Public ids: a prefix, an underscore and 26 Crockford base32 characters
 * holding a 48-bit millisecond timestamp and 80 random bits, so ids sort by
 * creation time and cannot be guessed ("evt_01J...", "usr_01J...").
 */
#ifndef CORE_ID_H
#define CORE_ID_H

#include <stddef.h>

#define CORE_ID_LEN	26
#define CORE_ID_MAX	(16 + 1 + CORE_ID_LEN + 1)

/* Writes prefix_XXXX into out (at least CORE_ID_MAX bytes).  Returns out. */
char	*core_id_new(char *out, size_t len, const char *prefix);

/* Discards buffered randomness; call in each process after fork(). */
void	 core_id_reinit(void);

/* 1 if s is prefix_ followed by 26 valid characters, else 0. */
int	 core_id_valid(const char *s, const char *prefix);

/* RFC 3339 UTC with milliseconds of ms since the epoch into out (>= 25). */
void	 core_time_rfc3339(char *out, size_t len, long long ms);

#endif
