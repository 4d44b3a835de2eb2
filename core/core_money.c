/*
 * Integer money arithmetic (see core_money.h).  Every operation checks for
 * overflow against CORE_MONEY_MAX instead of wrapping.
 */
#include <stdlib.h>

#include "core/core_money.h"

int
core_money_add(int64_t *out, int64_t a, int64_t b)
{
	int64_t	r;

	if (__builtin_add_overflow(a, b, &r) || r > CORE_MONEY_MAX ||
	    r < -CORE_MONEY_MAX)
		return (-1);
	*out = r;
	return (0);
}

int
core_money_mul(int64_t *out, int64_t a, int64_t n)
{
	int64_t	r;

	if (__builtin_mul_overflow(a, n, &r) || r > CORE_MONEY_MAX ||
	    r < -CORE_MONEY_MAX)
		return (-1);
	*out = r;
	return (0);
}

int
core_money_ratio(int64_t *out, int64_t amount, int64_t num, int64_t den)
{
	__int128	p, q, rem;
	int		neg;

	if (den <= 0)
		return (-1);
	p = (__int128)amount * num;
	neg = p < 0;
	if (neg)
		p = -p;
	q = p / den;
	rem = p % den;
	if (rem * 2 >= den)		/* half away from zero */
		q++;
	if (neg)
		q = -q;
	if (q > CORE_MONEY_MAX || q < -CORE_MONEY_MAX)
		return (-1);
	*out = (int64_t)q;
	return (0);
}

int
core_money_currency_valid(const char *code)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return (0);
	return (code[3] == '\0');
}

int
core_money_allocate(int64_t *parts, int64_t total, const int64_t *weights,
    int n)
{
	__int128	 sum, share, rem;
	int64_t		 given;
	__int128	*rems;
	int		 i, best, k;

	if (n <= 0)
		return (-1);
	sum = 0;
	for (i = 0; i < n; i++) {
		if (weights[i] < 0)
			return (-1);
		sum += weights[i];
	}
	if (sum == 0 || (rems = calloc(n, sizeof(*rems))) == NULL)
		return (-1);
	given = 0;
	for (i = 0; i < n; i++) {
		share = (__int128)total * weights[i];
		parts[i] = (int64_t)(share / sum);
		rem = share % sum;
		rems[i] = rem < 0 ? -rem : rem;
		given += parts[i];
	}
	/* Hand out what truncation left, one unit each, largest first. */
	for (k = 0; given != total && k < n; k++) {
		best = -1;
		for (i = 0; i < n; i++)
			if (rems[i] >= 0 && (best == -1 || rems[i] > rems[best]))
				best = i;
		if (best == -1)
			break;
		parts[best] += total > given ? 1 : -1;
		given += total > given ? 1 : -1;
		rems[best] = -1;
	}
	free(rems);
	return (given == total ? 0 : -1);
}
