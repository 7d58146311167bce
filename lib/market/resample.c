/*
 * resample.c - candles aggregated into UTC-aligned buckets of a higher
 * timeframe.  Bucket arithmetic cannot overflow: starts are clamped to
 * cktime's range, and the end of a bucket near its top is its maximum.
 */
#include <string.h>

#include "ck.h"
#include "candle.h"
#include "resample.h"

#define WEEK	(7 * 86400 * CK_SEC)
#define MONDAY	(4 * 86400 * CK_SEC)	/* 1970-01-05T00:00:00Z */
#define DMAX	(520 * WEEK)

int
resample_init(struct resample *rs, cktime d)
{
	memset(rs, 0, sizeof(*rs));
	if (d <= 0 || d > DMAX)
		return -1;
	rs->d = d;
	rs->step = CKTIME_NONE;
	rs->prev = CKTIME_NONE;
	rs->closed = CKTIME_NONE;
	return 0;
}

cktime
resample_bucket(const struct resample *rs, cktime t)
{
	cktime off = rs->d % WEEK == 0 ? MONDAY % rs->d : 0, r;

	/* r = (t - off) mod d in [0, d), without forming t - off */
	r = t % rs->d - off;
	while (r < 0)
		r += rs->d;
	if (t < 0 && t - INT64_MIN < r)
		return INT64_MIN;
	return t - r;
}

/* The end of the bucket at start. */
static cktime
bucket_end(const struct resample *rs, cktime start)
{
	return start > INT64_MAX - rs->d ? INT64_MAX : start + rs->d;
}

/* Whether the bucket ends with its last candle at t. */
static int
ends(const struct resample *rs, cktime t)
{
	cktime end = bucket_end(rs, rs->start);

	return rs->step != CKTIME_NONE && t < end && end - t <= rs->step;
}

unsigned
resample_push(struct resample *rs, const struct candle *c,
    struct candle *prev, struct candle *cur)
{
	unsigned fl = 0;
	cktime b = resample_bucket(rs, c->t), dt;

	if (rs->n == 0 && b == rs->closed)
		return RESAMPLE_LATE;	/* that bucket is written already */
	if (rs->prev != CKTIME_NONE && c->t > rs->prev &&
	    !(rs->prev < 0 && c->t > INT64_MAX + rs->prev)) {
		dt = c->t - rs->prev;
		if (rs->step == CKTIME_NONE || dt < rs->step)
			rs->step = dt;
	}
	rs->prev = c->t;
	if (rs->n > 0 && b != rs->start) {
		*prev = rs->c;
		prev->t = rs->start;
		rs->n = 0;
		fl |= RESAMPLE_PREV;
	}
	if (rs->n == 0) {
		rs->start = b;
		rs->c = *c;
		fl |= RESAMPLE_OPEN | RESAMPLE_HIGH | RESAMPLE_LOW;
	} else {
		if (c->high > rs->c.high) {
			rs->c.high = c->high;
			fl |= RESAMPLE_HIGH;
		}
		if (c->low < rs->c.low) {
			rs->c.low = c->low;
			fl |= RESAMPLE_LOW;
		}
		rs->c.close = c->close;
		rs->c.volume += c->volume;
	}
	rs->n++;
	if (ends(rs, c->t)) {
		*cur = rs->c;
		cur->t = rs->start;
		rs->n = 0;
		rs->closed = rs->start;
		fl |= RESAMPLE_CUR;
	}
	return fl;
}

int
resample_partial(struct resample *rs, struct candle *out)
{
	if (rs->n == 0)
		return 0;
	*out = rs->c;
	out->t = rs->start;
	rs->n = 0;
	return 1;
}

int
resample_peek(const struct resample *rs, struct candle *out)
{
	if (rs->n == 0)
		return 0;
	*out = rs->c;
	out->t = rs->start;
	return 1;
}

long
resample_count(const struct resample *rs)
{
	return rs->n;
}
