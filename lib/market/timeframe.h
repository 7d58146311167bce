/*
 * timeframe.h - the step between candles of a series (its timeframe) and a
 * watch over a stream's step.  The timeframe is the median of the steps
 * between consecutive candles, so that gaps (nights, weekends, holidays)
 * do not count.  Times only; no text.
 */
#ifndef TIMEFRAME_H
#define TIMEFRAME_H

#include "ck.h"

/* The median step of t (n, increasing); the lower middle of an even
 * count; 0 when n < 2.  Allocates a copy; 0 also when out of memory. */
cktime	timeframe_median(const cktime *t, long n);
/* 1 when steps a and b (> 0) differ by more than 1% of the larger. */
int	timeframe_differs(cktime a, cktime b);

/*
 * A stream's step against an expected one: push each candle's time; once
 * TIMEFRAME_WATCH steps are seen (or at timeframe_watch_end for a shorter
 * stream) their median is compared once with `want`; push returns 1 at
 * that moment when they differ (got holds the stream's median, msg says
 * it in a sentence for the user), else 0.
 */
#define TIMEFRAME_WATCH	16
struct timeframe_watch {
	cktime	 want, got, last;
	int	 n, done;
	cktime	 step[TIMEFRAME_WATCH];
	char	 msg[160];
};
void	timeframe_watch_init(struct timeframe_watch *, cktime want);
int	timeframe_watch_push(struct timeframe_watch *, cktime t);
int	timeframe_watch_end(struct timeframe_watch *);

#endif
