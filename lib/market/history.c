/*
 * history.c - a series of candles in parallel arrays (see history.h).
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"

void
history_init(struct history *hi, long keep)
{
	memset(hi, 0, sizeof(*hi));
	hi->keep = keep > 0 ? keep : 0;
}

void
history_free(struct history *hi)
{
	long keep = hi->keep;

	free(hi->t);
	free(hi->o);
	free(hi->h);
	free(hi->l);
	free(hi->c);
	free(hi->v);
	history_init(hi, keep);
}

/* Arrays of length n, the kept candles moved to their start. */
static int
history_resize(struct history *hi, long n)
{
	double **col[] = { &hi->o, &hi->h, &hi->l, &hi->c, &hi->v };
	cktime *t;
	double *p;
	size_t i;

	if ((t = realloc(hi->t, (size_t)n * sizeof(*t))) == NULL)
		return -1;
	hi->t = t;
	for (i = 0; i < sizeof(col) / sizeof(col[0]); i++) {
		if ((p = realloc(*col[i], (size_t)n * sizeof(*p))) == NULL)
			return -1;
		*col[i] = p;
	}
	hi->alloc = n;
	return 0;
}

/* Bounded: keep the newest keep - 1 candles at the start of the arrays. */
static void
history_compact(struct history *hi)
{
	double *col[] = { hi->o, hi->h, hi->l, hi->c, hi->v };
	long kept = hi->n - hi->first, drop = kept - (hi->keep - 1);
	size_t i, len = (size_t)(hi->keep - 1);

	for (i = 0; i < sizeof(col) / sizeof(col[0]); i++)
		memmove(col[i], col[i] + hi->off + drop, len * sizeof(double));
	memmove(hi->t, hi->t + hi->off + drop, len * sizeof(cktime));
	hi->first += drop;
	hi->off = 0;
}

int
history_push(struct history *hi, const struct candle *c)
{
	long j;

	if (hi->keep == 0) {
		if (hi->n == hi->alloc &&
		    history_resize(hi, hi->alloc ? 2 * hi->alloc : 4096) != 0)
			return -1;
	} else {
		if (hi->alloc == 0 && history_resize(hi, 2 * hi->keep) != 0)
			return -1;
		if (hi->off + (hi->n - hi->first) == hi->alloc)
			history_compact(hi);
		else if (hi->n - hi->first == hi->keep) {
			hi->first++;
			hi->off++;
		}
	}
	j = hi->off + (hi->n - hi->first);
	hi->t[j] = c->t;
	hi->o[j] = c->open;
	hi->h[j] = c->high;
	hi->l[j] = c->low;
	hi->c[j] = c->close;
	hi->v[j] = c->volume;
	hi->n++;
	return 0;
}

long
history_index(const struct history *hi, long i)
{
	if (i < hi->first || i >= hi->n)
		return -1;
	return hi->off + (i - hi->first);
}

long
history_find(const struct history *hi, cktime t)
{
	long lo = hi->first, up = hi->n - 1;

	while (lo <= up) {
		long mid = lo + (up - lo) / 2;
		cktime tm = hi->t[hi->off + (mid - hi->first)];

		if (tm == t)
			return mid;
		if (tm < t)
			lo = mid + 1;
		else
			up = mid - 1;
	}
	return -1;
}

cktime
history_time(const struct history *hi, long i)
{
	long j = history_index(hi, i);

	return j < 0 ? CKTIME_NONE : hi->t[j];
}
