/*
 * timeframe.c - the median step of a series, and the watch over a
 * stream's step (timeframe.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeframe.h"

static int
cmp(const void *a, const void *b)
{
	cktime x = *(const cktime *)a, y = *(const cktime *)b;

	return (x > y) - (x < y);
}

static cktime
median(cktime *s, long n)
{
	qsort(s, n, sizeof(*s), cmp);
	return s[(n - 1) / 2];
}

cktime
timeframe_median(const cktime *t, long n)
{
	cktime *s, m;
	long i;

	if (n < 2 || (s = malloc((n - 1) * sizeof(*s))) == NULL)
		return 0;
	for (i = 1; i < n; i++)
		s[i - 1] = t[i] - t[i - 1];
	m = median(s, n - 1);
	free(s);
	return m;
}

int
timeframe_differs(cktime a, cktime b)
{
	cktime d = a > b ? a - b : b - a, big = a > b ? a : b;

	return (double)d > 0.01 * (double)big;
}

void
timeframe_watch_init(struct timeframe_watch *w, cktime want)
{
	memset(w, 0, sizeof(*w));
	w->want = want;
	w->last = CKTIME_NONE;
	w->done = want <= 0;
}

int
timeframe_watch_end(struct timeframe_watch *w)
{
	cktime s[TIMEFRAME_WATCH];

	if (w->done || w->n == 0)
		return 0;
	w->done = 1;
	memcpy(s, w->step, w->n * sizeof(*s));
	w->got = median(s, w->n);
	if (!timeframe_differs(w->got, w->want))
		return 0;
	snprintf(w->msg, sizeof(w->msg), "the candles are %.6gs apart, the "
	    "model learned from candles %.6gs apart: its predictions may mean "
	    "little", (double)w->got / CK_SEC, (double)w->want / CK_SEC);
	return 1;
}

int
timeframe_watch_push(struct timeframe_watch *w, cktime t)
{
	if (w->done)
		return 0;
	if (w->last != CKTIME_NONE && t > w->last)
		w->step[w->n++] = t - w->last;
	w->last = t;
	return w->n == TIMEFRAME_WATCH ? timeframe_watch_end(w) : 0;
}
