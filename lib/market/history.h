/*
 * history.h - the candles of a series in arrival order, as parallel
 * arrays: every candle (keep 0), or the last `keep` of them for streaming
 * use, kept contiguous so that a window of candles is a plain slice.
 *
 * Candles are numbered from 0 in arrival order; candle number i is at
 * array index i - first + off while first <= i < n.  With keep 0, first
 * and off stay 0, so the number is the index.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include "ck.h"
#include "candle.h"

struct history {
	long	 keep;		/* the most candles kept; 0: all */
	long	 n;		/* candles pushed */
	long	 first;		/* number of the oldest kept candle */
	long	 off;		/* array index of candle first */
	long	 alloc;		/* array length */
	cktime	*t;				/* (alloc) strictly increasing */
	double	*o, *h, *l, *c, *v;		/* (alloc) OHLCV */
};

/* An empty history (nothing allocated yet). */
void	history_init(struct history *, long keep);
void	history_free(struct history *);
/* Append a candle (the caller keeps time increasing): 0, or -1 when out
 * of memory (the history is unchanged). */
int	history_push(struct history *, const struct candle *);
/* Array index of candle number i, or -1 when it is not kept. */
long	history_index(const struct history *, long i);
/* The number of the kept candle with time t, or -1. */
long	history_find(const struct history *, cktime t);
/* Time of candle number i, or CKTIME_NONE when it is not kept. */
cktime	history_time(const struct history *, long i);

#endif
