/*
 * Integer money arithmetic (see core_money.h).  Every operation checks for
 * overflow against CORE_MONEY_MAX instead of wrapping.
 */
#include <string.h>

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

/*
 * The remainders of up to this many parts are kept and ranked on the
 * stack; beyond it they are recomputed on every pick (slower, but still no
 * heap: the pricing rules engine promises none).
 */
#define MONEY_ALLOC_STACK	256

static void	money_rank(int *, const __int128 *, int);

/*
 * Sorts idx[0..n) (n <= MONEY_ALLOC_STACK) by remainder descending, then
 * index ascending: the order leftover units are handed out in.  A merge
 * sort, so 200 cart lines cost n log n and not n^2.
 */
static void
money_rank(int *idx, const __int128 *rems, int n)
{
	int	tmp[MONEY_ALLOC_STACK];
	int	width, lo, mid, hi, i, j, k;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			i = lo;
			j = mid;
			for (k = lo; k < hi; k++) {
				/* Stable: on equal remainders the left run,
				   the lower index, goes first. */
				if (i < mid && (j >= hi ||
				    rems[idx[i]] >= rems[idx[j]]))
					tmp[k] = idx[i++];
				else
					tmp[k] = idx[j++];
			}
		}
		memcpy(idx, tmp, n * sizeof(*idx));
	}
}

int
core_money_allocate(int64_t *parts, int64_t total, const int64_t *weights,
    int n)
{
	__int128	 rems[MONEY_ALLOC_STACK];
	int		 idx[MONEY_ALLOC_STACK];
	__int128	 sum, share, rem, best_rem, prev_rem;
	int64_t		 given, step, s64;
	int		 i, best, prev;

	if (n <= 0)
		return (-1);
	sum = 0;
	for (i = 0; i < n; i++) {
		if (weights[i] < 0)
			return (-1);
		sum += weights[i];
	}
	if (sum == 0)
		return (-1);
	given = 0;
	for (i = 0; i < n; i++) {
		/* 64-bit division when it fits: 128-bit is a library call. */
		if (sum <= INT64_MAX &&
		    !__builtin_mul_overflow(total, weights[i], &s64)) {
			parts[i] = s64 / (int64_t)sum;
			rem = s64 % (int64_t)sum;
		} else {
			share = (__int128)total * weights[i];
			parts[i] = (int64_t)(share / sum);
			rem = share % sum;
		}
		given += parts[i];
		if (i < MONEY_ALLOC_STACK)
			rems[i] = rem < 0 ? -rem : rem;
	}
	if (given == total)
		return (0);
	step = total > given ? 1 : -1;

	/*
	 * Hand out what truncation left, one unit each, to the largest
	 * remainders, ties to the earlier index.  What is left is less than
	 * n units (each part lost less than one).
	 */
	if (n <= MONEY_ALLOC_STACK) {
		money_rank(idx, rems, n);
		for (i = 0; i < n && given != total; i++) {
			parts[idx[i]] += step;
			given += step;
		}
		return (given == total ? 0 : -1);
	}

	/*
	 * Too many parts for the stack: each pick is the next one after the
	 * previous pick in the order (remainder descending, index ascending),
	 * recomputing remainders instead of storing them.  n^2, but only past
	 * MONEY_ALLOC_STACK parts, which no cart has.
	 */
	prev = -1;
	prev_rem = 0;
	while (given != total) {
		best = -1;
		best_rem = 0;
		for (i = 0; i < n; i++) {
			rem = ((__int128)total * weights[i]) % sum;
			if (rem < 0)
				rem = -rem;
			if (prev != -1 && (rem > prev_rem ||
			    (rem == prev_rem && i <= prev)))
				continue;
			if (best == -1 || rem > best_rem) {
				best = i;
				best_rem = rem;
			}
		}
		if (best == -1)
			break;
		parts[best] += step;
		given += step;
		prev = best;
		prev_rem = best_rem;
	}
	return (given == total ? 0 : -1);
}
