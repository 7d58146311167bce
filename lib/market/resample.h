/*
 * resample.h - candles aggregated into candles of a higher timeframe:
 * buckets of width d aligned to UTC (a multiple of a week: to Mondays,
 * from 1970-01-05).  A bucket's open is its first candle's, its high and
 * low the extremes, its close the last candle's, its volume the sum, its
 * time the bucket's start.  A bucket is complete when a candle of a later
 * bucket arrives, or when its last candle's time plus the input's step
 * (the smallest time difference seen so far) reaches the bucket's end.
 * Values only: no text.
 */
#ifndef RESAMPLE_H
#define RESAMPLE_H

#include "ck.h"
#include "candle.h"

struct resample {
	cktime		 d;
	cktime		 step;		/* CKTIME_NONE until two candles */
	cktime		 prev;		/* time of the previous candle */
	cktime		 start;		/* of the bucket being filled */
	cktime		 closed;	/* of the last one completed early */
	long		 n;		/* candles in it */
	struct candle	 c;
};

/* What resample_push did (bits). */
#define RESAMPLE_PREV	1	/* the bucket before c's is complete: *prev */
#define RESAMPLE_CUR	2	/* c's bucket is complete (c ends it): *cur */
#define RESAMPLE_OPEN	4	/* c opened its bucket (all values from c) */
#define RESAMPLE_HIGH	8	/* the bucket's high is c's */
#define RESAMPLE_LOW	16	/* the bucket's low is c's */
#define RESAMPLE_LATE	32	/* c falls in a bucket already given as
				 * complete (its step seemed to end it, and
				 * the input's step has since shrunk): c is
				 * not added, nothing changes, no other bit */

/* 0, or -1 when d is not in (0, 520 weeks]. */
int	resample_init(struct resample *, cktime d);
/* The start of the bucket of t. */
cktime	resample_bucket(const struct resample *, cktime t);
/* Add candle c (times strictly increasing); the bits above. */
unsigned resample_push(struct resample *, const struct candle *c,
	    struct candle *prev, struct candle *cur);
/* The incomplete last bucket: 1 and *out, or 0 when there is none. */
int	resample_partial(struct resample *, struct candle *out);
/* The same without emptying it: the bucket in progress so far. */
int	resample_peek(const struct resample *, struct candle *out);
/* Candles in the bucket being filled. */
long	resample_count(const struct resample *);

#endif
